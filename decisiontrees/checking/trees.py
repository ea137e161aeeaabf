"""Tree declarations to interned model nodes: references resolved, probabilities checked.

Probabilities must be non-negative and sum to 1; a probability that mentions parameters must
be non-negative on the whole domain, and nothing it divides by may be 0 there, which z3
decides (a point where either fails is shown).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from decisiontrees.checking.arithmetic import all_present, evaluate
from decisiontrees.checking.declarations import KIND_NAMES, Declarations
from decisiontrees.errors import Span
from decisiontrees.language.diagnostics import suggest
from decisiontrees.language.numbers import brief
from decisiontrees.language.syntax import ChanceNode, ChoiceNode, Expr, NodeSyntax, Ref, UniformNode
from decisiontrees.model.nodes import Node, Probability, leaf, make_chance, make_choice
from decisiontrees.model.symbols import assignment_table, simplify, to_fraction
from decisiontrees.solvers import smt

# a plan is written as its actions joined by " > " (`run > o2`), so no action may hold ">"
PLAN_STEP = ">"
PLAN_STEP_MESSAGE = "the action `{action}` holds `>`, which separates the steps of a plan"
PLAN_STEP_HINT = "plans are written `a > b`: a label with `>` would make two plans read alike"
SOLVER_TIMEOUT_MS = 10_000  # one parametric probability's non-negativity check
LOAD_SOLVER_MS = 30_000  # all of them in one load (loading has no statement's deadline)


class TreeBuilder:
    """Builds every declared tree once; a tree named inside another is built on demand."""

    def __init__(self, names: Declarations) -> None:
        self.names = names
        self.reporter = names.reporter
        self.building: list[str] = []
        self.solver_ms_left = LOAD_SOLVER_MS
        self.never_zero: set[Any] = set()  # divisors found nowhere 0 in the domain

    def build_all(self) -> None:
        """Every declared tree, each after the trees it names: a chain of thousands of named
        trees then needs no deep recursion (building on demand went one level per name)."""
        for name in self._named_first():
            self.build_tree(name)

    def _named_first(self) -> list[str]:
        """The declared trees, each after the trees it refers to. A reference that closes a
        cycle is reported here and the trees on the cycle are left unbuilt: following the
        cycle while building would go one level deeper per tree (20,000 of them were
        reported as nested too deeply)."""
        refers = {name: _tree_references(declaration.node, self.names.tree_syntax)
                  for name, declaration in self.names.tree_syntax.items()}
        order: list[str] = []
        seen: set[str] = set()
        for root in refers:
            if root in seen:
                continue
            seen.add(root)
            stack = [(root, iter(refers[root]))]
            on_stack = {root}
            while stack:
                name, pending = stack[-1]
                for ref in pending:
                    if ref.name in on_stack:
                        path = [entry for entry, _ in stack]
                        cycle = path[path.index(ref.name):] + [ref.name]
                        shown = cycle if len(cycle) <= 12 else \
                            [*cycle[:5], f"… ({len(cycle) - 7} more)", *cycle[-2:]]
                        self.reporter.error(ref.span, "reference cycle: " + " → ".join(shown),
                                            "a tree cannot contain itself")
                        self.names.trees.update(dict.fromkeys(cycle))
                        continue
                    if ref.name not in seen:
                        seen.add(ref.name)
                        on_stack.add(ref.name)
                        stack.append((ref.name, iter(refers[ref.name])))
                        break
                else:
                    stack.pop()
                    on_stack.discard(name)
                    order.append(name)
        return order

    def build_tree(self, name: str) -> Node | None:
        if name in self.names.trees:
            return self.names.trees[name]
        self.building.append(name)
        declaration = self.names.tree_syntax[name]
        try:
            node = self.build_node(declaration.node)
        except RecursionError:
            self.reporter.error(declaration.name_span, f"tree `{name}` is nested too deeply "
                                "(thousands of levels written inside one another)",
                                "declare deep parts as trees of their own (`tree part = …`) "
                                "and use them by name")
            node = None
        self.building.pop()
        self.names.trees[name] = node
        return node

    def build_node(self, syntax: NodeSyntax) -> Node | None:
        if isinstance(syntax, Ref):
            return self.resolve_ref(syntax)
        if isinstance(syntax, ChoiceNode):
            return self.build_choice(syntax)
        if isinstance(syntax, ChanceNode):
            return self.build_chance(syntax)
        return self.build_uniform(syntax)

    def resolve_ref(self, ref: Ref) -> Node | None:
        kind = self.names.kind(ref.name)
        if kind == "outcome":
            return leaf(ref.name)
        if kind == "tree":
            if ref.name in self.building:
                cycle = self.building[self.building.index(ref.name):] + [ref.name]
                self.reporter.error(ref.span, "reference cycle: " + " → ".join(cycle),
                                    "a tree cannot contain itself")
                self.names.trees[ref.name] = None
                return None
            return self.build_tree(ref.name)
        if kind is not None:
            self.reporter.error(ref.span, f"`{ref.name}` is {KIND_NAMES[kind]}, not an outcome or a tree")
            return None
        candidates = self.names.names("outcome", "tree")
        hint = suggest(ref.name, candidates) or f"declare it: `outcomes {ref.name}`"
        self.reporter.error(ref.span, f"unknown outcome or tree `{ref.name}`", hint)
        return None

    def build_choice(self, syntax: ChoiceNode) -> Node | None:
        if not syntax.edges:
            self.reporter.error(syntax.span, "empty choice node", "a choice needs at least one option")
            return None
        children = [self.build_node(edge.node) for edge in syntax.edges]
        actions: list[str] = []
        seen: set[str] = set()  # a set: a choice may have a million edges
        valid = True
        for position, edge in enumerate(syntax.edges, start=1):
            if edge.label is not None:
                action = edge.label
            elif isinstance(edge.node, Ref):
                action = edge.node.name
            else:
                action = f"#{position}"
            if action in seen:
                self.reporter.error(edge.span, f"action `{action}` appears twice in this choice",
                                    "label the edges apart, e.g. `again: …`")
                valid = False
            if PLAN_STEP in action:
                self.reporter.error(edge.span, PLAN_STEP_MESSAGE.format(action=action),
                                    PLAN_STEP_HINT)
                valid = False
            if not action.strip():
                self.reporter.error(edge.span, "an empty label", "a plan names its actions: "
                                    "give the edge a name, e.g. `stay: …`")
                valid = False
            seen.add(action)
            actions.append(action)
        built = _all_built(children)
        if not valid or built is None:
            return None
        return make_choice(tuple(actions), built)

    def build_chance(self, syntax: ChanceNode) -> Node | None:
        if not syntax.branches:
            self.reporter.error(syntax.span, "empty chance node", "a chance node needs at least one branch")
            return None
        children = [self.build_node(b.node) for b in syntax.branches]
        probabilities: list[Probability | None] = []
        valid = True
        for branch in syntax.branches:
            p = self.parametric(branch.probability, "a probability")
            if p is None:
                valid = False
            elif not self.non_negative(p, branch.probability.span):
                valid = False
            probabilities.append(p)
        if valid and all_present(probabilities):  # every probability is present when valid
            total = simplify(sum(probabilities, Fraction(0)))
            if to_fraction(total) != 1:
                listed = brief(", ".join(str(p) for p in probabilities), 300)
                self.reporter.error(syntax.span, f"probabilities sum to {brief(total)}, not 1",
                                    f"the probabilities are {listed}")
                valid = False
        built = _all_built(children)
        if not valid or built is None or not all_present(probabilities):
            return None
        return make_chance(tuple(probabilities), built)

    def parametric(self, expr: Expr, what: str) -> Probability | None:
        """The value of ``expr``, which may mention parameters; None after reporting a
        problem, also when it divides by something that is 0 somewhere in their domain
        (``(p - 1/2)/(p - 1/2)`` simplifies to 1 but means nothing at p = 1/2)."""
        divisors: list[tuple[Any, Span]] = []
        value = evaluate(expr, self.reporter, self.names.parameters, what, divisors)
        if value is None:
            return None
        for divisor, span in divisors:
            if divisor in self.never_zero:
                continue
            if not self.nowhere(divisor, "==", span, f"{divisor} is never 0"):
                return None  # reported here; another place dividing by it is reported there
            self.never_zero.add(divisor)
        return value

    def non_negative(self, p: Any, span: Span) -> bool:
        number = to_fraction(p)
        if number is not None:
            if number < 0:
                self.reporter.error(span, f"probability {number} is negative",
                                    "probabilities are between 0 and 1")
                return False
            return True
        return self.nowhere(p, "<", span, f"probability {p} is non-negative")

    def nowhere(self, value: Any, relation: str, span: Span, claim: str) -> bool:
        """Whether ``value <relation> 0`` holds nowhere in the parameters' domain (else the
        point where it holds, or why that is undecided, is reported)."""
        import sympy

        if self.solver_ms_left <= 0:
            self.reporter.error(span, f"cannot check that {claim} (the {LOAD_SOLVER_MS // 1000} s "
                                "a load may spend on such checks are used up)",
                                "restrict the parameters' domains or split the file")
            return False
        started = time.monotonic()
        condition = sympy.Lt(value, 0) if relation == "<" else sympy.Eq(value, 0)
        point = smt.find_parameter_values(condition, self.names.parameters,
                                          min(SOLVER_TIMEOUT_MS, self.solver_ms_left))
        self.solver_ms_left -= int((time.monotonic() - started) * 1000) + 1
        if isinstance(point, smt.Unknown):
            self.reporter.error(span, f"cannot check that {claim} ({point.reason})",
                                "restrict the parameter's domain")
            return False
        if point is not None:
            at = ", ".join(f"{k} = {v}" for k, v in sorted(point.items()))
            if relation == "<":
                self.reporter.error(span, f"probability {value} is negative at {at} (it is "
                                    f"{value.subs(assignment_table(point))})",
                                    "restrict the parameter's domain")
            else:
                self.reporter.error(span, f"division by {value}, which is 0 at {at}",
                                    "restrict the parameter's domain so that it excludes that "
                                    "point, or write the expression without this division")
            return False
        return True

    def build_uniform(self, syntax: UniformNode) -> Node | None:
        if not syntax.children:
            self.reporter.error(syntax.span, "empty chance node", "`uniform` needs at least one branch")
            return None
        children = [self.build_node(c) for c in syntax.children]
        built = _all_built(children)
        if built is None:
            return None
        share = Fraction(1, len(children))
        return make_chance(tuple(share for _ in children), built)


def _all_built(children: list[Node | None]) -> tuple[Node, ...] | None:
    """The children, or None when one of them was not built (its problem is reported)."""
    built = tuple(c for c in children if c is not None)
    return built if len(built) == len(children) else None


def _tree_references(node: NodeSyntax, trees: Mapping[str, object]) -> list[Ref]:
    """The references in ``node`` to declared trees, in order, without recursion."""
    found: list[Ref] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, Ref):
            if current.name in trees:
                found.append(current)
        elif isinstance(current, ChoiceNode):
            pending.extend(edge.node for edge in reversed(current.edges))
        elif isinstance(current, ChanceNode):
            pending.extend(branch.node for branch in reversed(current.branches))
        else:
            pending.extend(reversed(current.children))
    return found
