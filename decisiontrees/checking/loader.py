"""Files to a checked :class:`Spec`: includes, names, probabilities, utilities, statements.

One pass reports every problem it can find (each with a place and, where it helps, a hint)
and raises :class:`SpecError` with all of them; otherwise it returns the immutable model.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from decisiontrees.analyses.plans import DEFAULT_LIMIT
from decisiontrees.checking.arithmetic import evaluate
from decisiontrees.language.diagnostics import Reporter, Span, suggest
from decisiontrees.language.syntax import (
    KEYWORDS,
    BinOp,
    ChanceNode,
    ChoiceNode,
    Claim,
    ClassDecl,
    ClassRef,
    Constraints,
    DistributionDecl,
    Expr,
    Include,
    Keyword,
    MappingLit,
    Module,
    Neg,
    NodeSyntax,
    Number,
    OutcomesDecl,
    ParamDecl,
    Query,
    Ref,
    SetLit,
    TreeDecl,
    UniformNode,
    UtilityDecl,
    Var,
    collector_paused,
    parse_module,
)
from decisiontrees.model.classes import WEIGHT, Constraint, UtilityClass, feature_model
from decisiontrees.model.nodes import Node, Parameter, is_symbolic, leaf, make_chance, make_choice
from decisiontrees.model.spec import (
    ContainsQuestion,
    LotteriesQuestion,
    OptimalQuestion,
    ReachableQuestion,
    RegionQuestion,
    RelationQuestion,
    Spec,
    Statement,
    StrategiesQuestion,
    TreeArg,
    UtilityArg,
    ValueQuestion,
)
from decisiontrees.model.symbols import assignment_table, simplify, to_fraction

KIND_NAMES = {"outcome": "an outcome", "tree": "a tree", "param": "a parameter",
              "utility": "a utility function", "class": "a utility class",
              "distribution": "a distribution"}
SOLVER_TIMEOUT_MS = 10_000


def load(*paths: str | os.PathLike[str]) -> Spec:
    """Load and check spec files (with their includes) as one spec.

    Statements are taken from the named files, not from files they include. A single
    ``.json`` path is read as a JSON spec (docs/spec.schema.json) or a SilverDecisions file,
    a single ``.efg`` path as a one-player Gambit game (see decisiontrees.formats.importing).
    """
    if len(paths) == 1:
        from decisiontrees.formats.importing import imported_text

        text = imported_text(paths[0])
        if text is not None:
            return parse(text, f"{os.fspath(paths[0])} (as spec text)")
    reporter = Reporter()
    modules: list[Module] = []
    roots: list[Module] = []
    state = _Loading(reporter, modules)
    with collector_paused():
        for path in paths:
            module = state.load_file(os.fspath(path), None, ())
            if module is not None:
                roots.append(module)
        reporter.raise_if_any()
        return _Checker(reporter, modules, roots, os.fspath(paths[0]) if paths else "").check()


def parse(text: str, path: str = "<string>") -> Spec:
    """Check spec text given as a string; includes are found relative to the folder of ``path``."""
    reporter = Reporter()
    modules: list[Module] = []
    state = _Loading(reporter, modules)
    with collector_paused():
        module = state.parse_text(text, path, ())
        reporter.raise_if_any()
        assert module is not None
        return _Checker(reporter, modules, [module], path).check()


@dataclass
class _Loading:
    reporter: Reporter
    modules: list[Module]
    loaded: dict[str, Module | None] = field(default_factory=dict)

    def load_file(self, path: str, include: Include | None, stack: tuple[str, ...]) -> Module | None:
        key = os.path.realpath(path)
        if key in stack:
            cycle = [os.path.basename(p) for p in stack[stack.index(key):]] + [os.path.basename(key)]
            assert include is not None
            self.reporter.error(include.span, "include cycle: " + " → ".join(cycle))
            return None
        if key in self.loaded:
            return self.loaded[key]
        self.loaded[key] = None
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            reason = error.strerror or str(error)
            if include is None:
                self.reporter.error(Span(path, 1, 1, 1, 1), f"cannot read {path}: {reason}")
            else:
                including = {os.path.basename(p) for p in stack}
                hint = suggest(os.path.basename(path), set(_spec_files_near(path)) - including)
                self.reporter.error(include.span, f"cannot include \"{include.path}\": {reason}", hint)
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            before = data[: error.start]
            line = before.count(b"\n") + 1
            column = len(before) - (before.rfind(b"\n") + 1) + 1
            self.reporter.error(
                Span(path, line, column, line, column + 1),
                f"not valid UTF-8: byte 0x{data[error.start]:02x} cannot start a character",
                "save the file as UTF-8",
            )
            return None
        module = self.parse_text(text, path, stack + (key,))
        self.loaded[key] = module
        return module

    def parse_text(self, text: str, path: str, stack: tuple[str, ...]) -> Module | None:
        if text.startswith("\ufeff"):
            text = text[1:]
        module = parse_module(text, path, self.reporter)
        if module is None:
            return None
        if not module.items:
            what = "is empty" if not text.strip() else "has no declarations or statements"
            self.reporter.error(Span(path, 1, 1, 1, 2), f"the file {what}",
                                "declare outcomes and trees; see docs/language.md")
            return None
        for item in module.items:
            if isinstance(item, Include):
                target = os.path.join(os.path.dirname(path), item.path)
                self.load_file(os.path.normpath(target), item, stack or (os.path.realpath(path),))
        self.modules.append(module)
        return module


def _spec_files_near(path: str) -> list[str]:
    folder = os.path.dirname(path) or "."
    try:
        return [f for f in os.listdir(folder) if f.endswith(".dtree")]
    except OSError:
        return []


class _Checker:
    def __init__(self, reporter: Reporter, modules: list[Module], roots: list[Module], path: str):
        self.reporter = reporter
        self.modules = modules
        self.roots = roots
        self.path = path
        self.kinds: dict[str, tuple[str, Span]] = {}
        self.outcomes: dict[str, Mapping[str, Fraction]] = {}
        self.parameters: dict[str, Parameter] = {}
        self.tree_syntax: dict[str, TreeDecl] = {}
        self.trees: dict[str, Node | None] = {}
        self.building: list[str] = []
        self.utilities: dict[str, Mapping[str, Fraction] | None] = {}
        self.class_syntax: dict[str, ClassDecl] = {}
        self.classes: dict[str, UtilityClass | None] = {}
        self.building_classes: list[str] = []
        self.distributions: dict[str, Any] = {}
        self._texts: dict[str, str] = {}

    # -- declarations

    def check(self) -> Spec:
        for module in self.modules:
            for item in module.items:
                self.declare(item)
        for module in self.modules:
            for item in module.items:
                if isinstance(item, OutcomesDecl):
                    self.check_outcomes(item)
                elif isinstance(item, ParamDecl):
                    self.check_parameter(item)
        for name in self.tree_syntax:
            self.build_tree(name)
        for module in self.modules:
            for item in module.items:
                if isinstance(item, UtilityDecl):
                    self.utilities[item.name] = self.utility_mapping(item.mapping)
        for name in self.class_syntax:
            self.build_class(name)
        for module in self.modules:
            for item in module.items:
                if isinstance(item, DistributionDecl) and \
                        self.kinds.get(item.name, (None, None))[1] == item.name_span:
                    self.distributions[item.name] = self.distribution(item)
        statements = []
        for module in self.roots:
            for item in module.items:
                if isinstance(item, (Query, Claim)):
                    statement = self.check_statement(item, module)
                    if statement is not None:
                        statements.append(statement)
        self.reporter.raise_if_any()
        return Spec(
            path=self.path,
            outcomes=tuple(self.outcomes),
            features=MappingProxyType(dict(self.outcomes)),
            parameters=MappingProxyType(dict(self.parameters)),
            trees=MappingProxyType({k: v for k, v in self.trees.items() if v is not None}),
            utilities=MappingProxyType({k: v for k, v in self.utilities.items() if v is not None}),
            classes=MappingProxyType({k: v for k, v in self.classes.items() if v is not None}),
            distributions=MappingProxyType({k: v for k, v in self.distributions.items()
                                            if v is not None}),
            statements=tuple(statements),
            files=tuple(m.path for m in self.modules),
        )

    def declare_name(self, name: str, kind: str, span: Span) -> bool:
        if name in KEYWORDS:
            self.reporter.error(span, f"`{name}` is a keyword, not a name", "choose another name")
            return False
        if name in self.kinds:
            other_kind, other = self.kinds[name]
            self.reporter.error(
                span, f"`{name}` is defined twice",
                f"it is already {KIND_NAMES[other_kind]}, defined at {other}",
            )
            return False
        self.kinds[name] = (kind, span)
        return True

    def declare(self, item: Any) -> None:
        if isinstance(item, OutcomesDecl):
            for outcome in item.items:
                if self.declare_name(outcome.name, "outcome", outcome.span):
                    self.outcomes[outcome.name] = {}
        elif isinstance(item, ParamDecl):
            self.declare_name(item.name, "param", item.name_span)
        elif isinstance(item, TreeDecl):
            if self.declare_name(item.name, "tree", item.name_span):
                self.tree_syntax[item.name] = item
        elif isinstance(item, UtilityDecl):
            self.declare_name(item.name, "utility", item.name_span)
        elif isinstance(item, ClassDecl):
            if self.declare_name(item.name, "class", item.name_span):
                self.class_syntax[item.name] = item
        elif isinstance(item, DistributionDecl):
            self.declare_name(item.name, "distribution", item.name_span)

    def distribution(self, item: DistributionDecl) -> Any:
        """The law a ``distribution`` declaration names, or None after reporting why."""
        from decisiontrees.analyses.agents import LAWS, Distribution, scipy_law

        law = item.law
        if law.name not in LAWS:
            hint = suggest(law.name, LAWS) or "the laws are " + ", ".join(LAWS)
            self.reporter.error(law.name_span, f"unknown distribution `{law.name}`", hint)
            return None
        positional = [a for a in law.arguments if not isinstance(a, Keyword)]
        keywords = [a for a in law.arguments if isinstance(a, Keyword)]
        if law.name == "scipy":
            if not positional or not isinstance(positional[0], Var):
                self.reporter.error(law.span, "scipy() takes the name of a scipy.stats "
                                    "distribution first", "e.g. `scipy(triang, 1/2)`")
                return None
            numbers = [evaluate(a, self.reporter, what="a number") for a in positional[1:]]
            named = [(k.name, evaluate(k.value, self.reporter, what="a number")) for k in keywords]
            if None in numbers or any(v is None for _, v in named):
                return None
            try:
                scipy_law(positional[0].name, numbers, dict(named))
            except ValueError as problem:
                self.reporter.error(law.span, str(problem))
                return None
            return Distribution("scipy", (positional[0].name, *numbers), tuple(named))
        wanted = LAWS[law.name]
        if keywords or len(positional) != len(wanted):
            self.reporter.error(law.span, f"{law.name}() takes {len(wanted)} number"
                                f"{'s' if len(wanted) != 1 else ''}"
                                + (f" ({', '.join(wanted)})" if wanted else ""))
            return None
        numbers = [evaluate(a, self.reporter, what="a number") for a in positional]
        if None in numbers:
            return None
        if any(n <= 0 for n in numbers):
            self.reporter.error(law.span, f"the parameters of {law.name}() must be positive")
            return None
        return Distribution(law.name, tuple(numbers))

    def check_outcomes(self, item: OutcomesDecl) -> None:
        for outcome in item.items:
            if self.kinds.get(outcome.name, (None, None))[1] != outcome.span:
                continue
            features: dict[str, Fraction] = {}
            for feature in outcome.features:
                if feature.name in features:
                    self.reporter.error(feature.span, f"feature `{feature.name}` is given twice")
                    continue
                number = evaluate(feature.value, self.reporter, what="a number")
                if number is not None:
                    features[feature.name] = number
            self.outcomes[outcome.name] = MappingProxyType(features)

    def check_parameter(self, item: ParamDecl) -> None:
        if self.kinds.get(item.name, (None, None))[1] != item.name_span:
            return
        low = evaluate(item.low, self.reporter, what="a number")
        high = evaluate(item.high, self.reporter, what="a number")
        if low is None or high is None:
            return
        if low > high or (low == high and (item.low_open or item.high_open)):
            self.reporter.error(item.span, f"the domain of `{item.name}` is empty")
            return
        self.parameters[item.name] = Parameter(item.name, low, high, item.low_open, item.high_open)

    # -- trees

    def build_tree(self, name: str) -> Node | None:
        if name in self.trees:
            return self.trees[name]
        self.building.append(name)
        declaration = self.tree_syntax[name]
        try:
            node = self.build_node(declaration.node)
        except RecursionError:
            self.reporter.error(declaration.name_span, f"tree `{name}` is nested too deeply")
            node = None
        self.building.pop()
        self.trees[name] = node
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
        kind = self.kinds.get(ref.name, (None, None))[0]
        if kind == "outcome":
            return leaf(ref.name)
        if kind == "tree":
            if ref.name in self.building:
                cycle = self.building[self.building.index(ref.name):] + [ref.name]
                self.reporter.error(ref.span, "reference cycle: " + " → ".join(cycle),
                                    "a tree cannot contain itself")
                self.trees[ref.name] = None
                return None
            return self.build_tree(ref.name)
        if kind is not None:
            self.reporter.error(ref.span, f"`{ref.name}` is {KIND_NAMES[kind]}, not an outcome or a tree")
            return None
        candidates = [n for n, (k, _) in self.kinds.items() if k in ("outcome", "tree")]
        hint = suggest(ref.name, candidates) or f"declare it: `outcomes {ref.name}`"
        self.reporter.error(ref.span, f"unknown outcome or tree `{ref.name}`", hint)
        return None

    def build_choice(self, syntax: ChoiceNode) -> Node | None:
        if not syntax.edges:
            self.reporter.error(syntax.span, "empty choice node", "a choice needs at least one option")
            return None
        children = [self.build_node(edge.node) for edge in syntax.edges]
        actions: list[str] = []
        valid = True
        for position, edge in enumerate(syntax.edges, start=1):
            if edge.label is not None:
                action = edge.label
            elif isinstance(edge.node, Ref):
                action = edge.node.name
            else:
                action = f"#{position}"
            if action in actions:
                self.reporter.error(edge.span, f"action `{action}` appears twice in this choice",
                                    "label the edges apart, e.g. `again: …`")
                valid = False
            actions.append(action)
        if not valid or any(c is None for c in children):
            return None
        return make_choice(tuple(actions), tuple(children))  # type: ignore[arg-type]

    def build_chance(self, syntax: ChanceNode) -> Node | None:
        if not syntax.branches:
            self.reporter.error(syntax.span, "empty chance node", "a chance node needs at least one branch")
            return None
        children = [self.build_node(b.node) for b in syntax.branches]
        probabilities = []
        valid = True
        for branch in syntax.branches:
            p = evaluate(branch.probability, self.reporter, self.parameters, "a probability")
            if p is None:
                valid = False
            elif not self.non_negative(p, branch.probability.span):
                valid = False
            probabilities.append(p)
        if valid:
            total = simplify(sum(probabilities, Fraction(0)))
            if to_fraction(total) != 1:
                listed = ", ".join(str(p) for p in probabilities)
                self.reporter.error(syntax.span, f"probabilities sum to {total}, not 1",
                                    f"the probabilities are {listed}")
                valid = False
        if not valid or any(c is None for c in children):
            return None
        return make_chance(tuple(probabilities), tuple(children))  # type: ignore[arg-type]

    def non_negative(self, p: Any, span: Span) -> bool:
        number = to_fraction(p)
        if number is not None:
            if number < 0:
                self.reporter.error(span, f"probability {number} is negative")
                return False
            return True
        import sympy

        from decisiontrees.solvers import smt as solver

        point = solver.find_parameter_values(sympy.Lt(p, 0), self.parameters, SOLVER_TIMEOUT_MS)
        if isinstance(point, solver.Unknown):
            self.reporter.error(span, f"cannot check that probability {p} is non-negative "
                                f"({point.reason})", "restrict the parameter's domain")
            return False
        if point is not None:
            at = ", ".join(f"{k} = {v}" for k, v in sorted(point.items()))
            value = p.subs(assignment_table(point))
            self.reporter.error(span, f"probability {p} is negative at {at} (it is {value})",
                                "restrict the parameter's domain")
            return False
        return True

    def build_uniform(self, syntax: UniformNode) -> Node | None:
        if not syntax.children:
            self.reporter.error(syntax.span, "empty chance node", "`uniform` needs at least one branch")
            return None
        children = [self.build_node(c) for c in syntax.children]
        if any(c is None for c in children):
            return None
        share = Fraction(1, len(children))
        return make_chance(tuple(share for _ in children), tuple(children))  # type: ignore[arg-type]

    # -- utility classes

    def build_class(self, name: str) -> UtilityClass | None:
        if name in self.classes:
            return self.classes[name]
        self.building_classes.append(name)
        declaration = self.class_syntax[name]
        parts: list[UtilityClass | None] = [self.class_term(term, name) for term in declaration.terms]
        self.building_classes.pop()
        if any(p is None for p in parts):
            self.classes[name] = None
            return None
        result = parts[0]
        for part in parts[1:]:
            result = result.intersect(part, name)  # type: ignore[union-attr, arg-type]
        # class declarations hold no quoted text, so every '#' starts a comment
        uncommented = "\n".join(re.sub(r"#.*", "", line)
                                for line in self.reporter_text(declaration.span).splitlines())
        text = _source_text(uncommented, declaration.span)
        result = UtilityClass(name, result.outcomes, result.constraints, result.box,  # type: ignore[union-attr]
                              result.features, text.split("=", 1)[1].strip())  # type: ignore[union-attr]
        if not self.class_nonempty(result, declaration.name_span):
            result = None
        self.classes[name] = result
        return result

    def class_term(self, term: Constraints | ClassRef, owner: str) -> UtilityClass | None:
        outcomes = tuple(self.outcomes)
        if isinstance(term, ClassRef):
            kind = self.kinds.get(term.name, (None, None))[0]
            if kind == "class":
                if term.name in self.building_classes:
                    cycle = self.building_classes[self.building_classes.index(term.name):] + [term.name]
                    self.reporter.error(term.span, "class cycle: " + " → ".join(cycle))
                    return None
                return self.build_class(term.name)
            if kind is not None:
                self.reporter.error(term.span, f"`{term.name}` is {KIND_NAMES[kind]}, not a utility class")
            else:
                names = [n for n, (k, _) in self.kinds.items() if k == "class"]
                self.reporter.error(term.span, f"unknown utility class `{term.name}`",
                                    suggest(term.name, names))
            return None
        feature_names = sorted({f for values in self.outcomes.values() for f in values})
        if term.on_features:
            variables = {f: WEIGHT + f for f in feature_names}
            what = "a feature"
        else:
            variables = {o: o for o in outcomes}
            what = "an outcome"
        constraints: list[Constraint] = []
        valid = True
        for chain in term.chains:
            for left, op, right in zip(chain.operands, chain.ops, chain.operands[1:]):
                row = self.linear_constraint(left, op, right, variables, what)
                if row is None:
                    valid = False
                else:
                    constraints.append(row)
        if not valid:
            return None
        if term.on_features:
            used = tuple(feature_names)
            model = feature_model(outcomes, self.outcomes, used)
            return UtilityClass(owner, outcomes, model + tuple(constraints), False, used)
        return UtilityClass(owner, outcomes, tuple(constraints), True)

    def linear_constraint(self, left: Expr, op: str, right: Expr, variables: Mapping[str, str],
                          what: str) -> Constraint | None:
        span = Span(left.span.path, left.span.line, left.span.column, right.span.end_line,
                    right.span.end_column)
        if op == "!=":
            self.reporter.error(span, "`!=` cannot be part of a utility class",
                                "a class is convex: use <, <=, ==, >= or >")
            return None
        a = self.linear(left, variables, what)
        b = self.linear(right, variables, what)
        if a is None or b is None:
            return None
        # left op right  ->  (left - right) op' 0, with op' in >=, >, ==
        sign = -1 if op in ("<", "<=") else 1
        coefficients: dict[str, Fraction] = {}
        for v, c in a[0].items():
            coefficients[v] = coefficients.get(v, Fraction(0)) + sign * c
        for v, c in b[0].items():
            coefficients[v] = coefficients.get(v, Fraction(0)) - sign * c
        constant = sign * (b[1] - a[1])
        normalized = {"<": ">", "<=": ">=", ">": ">", ">=": ">=", "==": "=="}[op]
        source = _source_text(self.reporter_text(span), span)
        terms = tuple((v, c) for v, c in coefficients.items() if c != 0)
        return Constraint(terms, normalized, constant, source, span)

    def reporter_text(self, span: Span) -> str:
        """The whole text of the file ``span`` is in (joined once per file)."""
        if span.path not in self._texts:
            self._texts[span.path] = "\n".join(self.reporter.sources.get(span.path, []))
        return self._texts[span.path]

    def linear(self, expr: Expr, variables: Mapping[str, str], what: str
               ) -> tuple[dict[str, Fraction], Fraction] | None:
        """``expr`` as (coefficients, constant), or None after reporting why it is not linear."""
        if isinstance(expr, Number):
            return {}, expr.value
        if isinstance(expr, Var):
            if expr.name in variables:
                return {variables[expr.name]: Fraction(1)}, Fraction(0)
            hint = suggest(expr.name, variables)
            if what == "a feature" and not variables:
                hint = "declare features on outcomes, e.g. `outcomes a { resources: 1 }`"
            self.reporter.error(expr.span, f"`{expr.name}` is not {what}", hint)
            return None
        if isinstance(expr, Neg):
            inner = self.linear(expr.operand, variables, what)
            if inner is None:
                return None
            return {v: -c for v, c in inner[0].items()}, -inner[1]
        assert isinstance(expr, BinOp)
        left = self.linear(expr.left, variables, what)
        right = self.linear(expr.right, variables, what)
        if left is None or right is None:
            return None
        if expr.op in "+-":
            sign = 1 if expr.op == "+" else -1
            merged = dict(left[0])
            for v, c in right[0].items():
                merged[v] = merged.get(v, Fraction(0)) + sign * c
            return merged, left[1] + sign * right[1]
        if expr.op == "*":
            if left[0] and right[0]:
                self.reporter.error(expr.span, "a constraint must be linear",
                                    "multiply by numbers only")
                return None
            factor, (terms, constant) = (left[1], right) if not left[0] else (right[1], left)
            return {v: factor * c for v, c in terms.items()}, factor * constant
        if right[0]:
            self.reporter.error(expr.span, "a constraint must be linear", "divide by numbers only")
            return None
        if right[1] == 0:
            self.reporter.error(expr.right.span, "division by zero")
            return None
        return {v: c / right[1] for v, c in left[0].items()}, left[1] / right[1]

    def class_nonempty(self, utility_class: UtilityClass, span: Span) -> bool:
        from decisiontrees.solvers import smt as solver

        core = solver.empty_class_core(utility_class, SOLVER_TIMEOUT_MS)
        if isinstance(core, solver.Unknown):
            self.reporter.error(span, f"cannot decide whether class `{utility_class.name}` is empty "
                                f"({core.reason})")
            return False
        if core is None:
            return True
        listed = ", ".join(f"`{c.source}`" + (f" ({c.span.line}:{c.span.column})" if c.span else "")
                           for c in core)
        self.reporter.error(span, f"the utility class `{utility_class.name}` is empty",
                            f"these constraints conflict: {listed}")
        return False

    # -- utility functions and lotteries

    def outcome_key(self, name: str, span: Span) -> bool:
        if name in self.outcomes:
            return True
        kind = self.kinds.get(name, (None, None))[0]
        if kind is not None:
            self.reporter.error(span, f"`{name}` is {KIND_NAMES[kind]}, not an outcome")
        else:
            hint = suggest(name, self.outcomes) or "declare every outcome with `outcomes`"
            self.reporter.error(span, f"unknown outcome `{name}`", hint)
        return False

    def utility_mapping(self, mapping: MappingLit) -> Mapping[str, Fraction] | None:
        values: dict[str, Fraction] = {}
        default: Fraction | None = None
        valid = True
        for entry in mapping.entries:
            number = evaluate(entry.value, self.reporter, what="a number")
            if entry.key == "*":
                if default is not None:
                    self.reporter.error(entry.span, "`*` is given twice")
                default = number if number is not None else Fraction(0)
                valid = valid and number is not None
                continue
            if not self.outcome_key(entry.key, entry.span):
                valid = False
            elif entry.key in values:
                self.reporter.error(entry.span, f"outcome `{entry.key}` is given twice")
                valid = False
            elif number is None:
                valid = False
            else:
                values[entry.key] = number
        missing = [o for o in self.outcomes if o not in values]
        if missing and default is None and valid:
            listed = ", ".join(f"`{o}`" for o in missing)
            self.reporter.error(mapping.span, f"the utility function misses {listed}",
                                "give every outcome a value, or add `*: 0` for the rest")
            return None
        if not valid:
            return None
        return MappingProxyType({o: values.get(o, default) for o in self.outcomes})  # type: ignore[misc]

    def lottery_mapping(self, mapping: MappingLit) -> Mapping[str, Fraction] | None:
        lottery: dict[str, Fraction] = {}
        valid = True
        for entry in mapping.entries:
            if entry.key == "*":
                self.reporter.error(entry.span, "a lottery cannot use `*`",
                                    "outcomes not named have probability 0")
                valid = False
                continue
            number = evaluate(entry.value, self.reporter, what="a probability")
            if not self.outcome_key(entry.key, entry.span) or number is None:
                valid = False
            elif entry.key in lottery:
                self.reporter.error(entry.span, f"outcome `{entry.key}` is given twice")
                valid = False
            elif number < 0:
                self.reporter.error(entry.value.span, f"probability {number} is negative")
                valid = False
            else:
                lottery[entry.key] = number
        if valid and sum(lottery.values()) != 1:
            self.reporter.error(mapping.span, f"the lottery's probabilities sum to "
                                f"{sum(lottery.values())}, not 1")
            valid = False
        return MappingProxyType(lottery) if valid else None

    # -- statements

    def check_statement(self, item: Query | Claim, module: Module) -> Statement | None:
        call = item.call
        signature = QUESTIONS.get(call.name)
        if signature is None:
            hint = suggest(call.name, QUESTIONS) or "the questions are " + ", ".join(sorted(QUESTIONS))
            self.reporter.error(call.name_span, f"unknown question `{call.name}`", hint)
            return None
        positional = [a for a in call.arguments if not isinstance(a, Keyword)]
        keywords = [a for a in call.arguments if isinstance(a, Keyword)]
        least, most = len(signature.arguments), len(signature.arguments) + len(signature.optional)
        if not least <= len(positional) <= most:
            wanted = ", ".join(list(signature.arguments) + [f"[{o}]" for o in signature.optional])
            count = f"{least}" if least == most else f"{least} to {most}"
            self.reporter.error(call.span, f"{call.name}() takes {count} "
                                f"argument{'s' if most != 1 else ''} ({wanted}), got {len(positional)}")
            return None
        errors_before = len(self.reporter.diagnostics)
        arguments: dict[str, Any] = {}
        for kind, value in zip(signature.arguments + signature.optional, positional):
            arguments[kind] = self.argument(kind, value, call.name)
        options: dict[str, Any] = {"limit": DEFAULT_LIMIT}
        assignment: dict[str, Fraction] = {}
        for keyword in keywords:
            if keyword.name in signature.options and keyword.name in OPTION_CHECKS:
                checked = OPTION_CHECKS[keyword.name](self, keyword)
                if checked is not None:
                    options[keyword.name] = checked
            elif keyword.name in self.parameters and "parameters" in signature.options:
                number = None
                if not isinstance(keyword.value, (MappingLit, SetLit)):
                    number = evaluate(keyword.value, self.reporter, what="a number")
                parameter = self.parameters[keyword.name]
                if number is None:
                    continue
                if not parameter.contains(number):
                    self.reporter.error(keyword.value.span, f"{keyword.name} = {number} is outside "
                                        f"its domain ({parameter})")
                elif keyword.name in assignment:
                    self.reporter.error(keyword.span, f"`{keyword.name}` is given twice")
                else:
                    assignment[keyword.name] = number
            else:
                names = sorted(o for o in signature.options if o != "parameters")
                if "parameters" in signature.options:
                    names.append("parameter values")
                hint = ("it accepts " + ", ".join(names)) if names else "it takes no options"
                self.reporter.error(keyword.span, f"{call.name}() has no option `{keyword.name}`", hint)
        # An argument can be None without a new diagnostic: a tree already reported as broken.
        if len(self.reporter.diagnostics) > errors_before or None in arguments.values():
            return None
        # A claim about a parametric value without parameter values is a claim for all of them.
        symbolic_ok = signature.symbolic_ok
        for kind in ("tree", "other"):
            if kind in arguments:
                arguments[kind] = self.instantiate(arguments[kind], assignment, symbolic_ok, call)
                if arguments[kind] is None:
                    return None
        tree_arg: TreeArg = arguments["tree"]
        question = signature.make(tree_arg, arguments, MappingProxyType(dict(assignment)), options)
        if not self.check_random_agent(question, call):
            return None
        expected = None
        op = None
        if isinstance(item, Claim):
            op, expected = item.op, None
            if not self.check_claim_form(item, signature):
                return None
            if item.expected is not None:
                expected = self.expected_value(item.expected, signature.result,
                                               signature.words or COMPARISONS)
                if expected is None:
                    return None
        text = _source_text(module.text, item.span)
        kind = "query" if isinstance(item, Query) else "claim"
        negated = isinstance(item, Claim) and item.negated
        return Statement(kind, call.name, question, negated, op, expected, text, item.span)

    def check_random_agent(self, question: Any, call: Any) -> bool:
        """Random-agent questions need a single law, and choices a tree that starts with one."""
        from decisiontrees.model.nodes import Choice
        from decisiontrees.model.spec import RandomAgentQuestion

        if not isinstance(question, RandomAgentQuestion):
            return True
        if question.distribution.kind == "admissible":
            self.reporter.error(call.span, f"{call.name}() needs one distribution; `admissible` "
                                "is a family whose members disagree",
                                "ask convergence(), distribution_dependent() or orbit_share()")
            return False
        if question.kind in ("choices", "chosen", "tie"):
            root = question.tree.node
            if not isinstance(root, Choice):
                self.reporter.error(call.span, f"{call.name}() asks about the first choice of "
                                    f"`{question.tree.name}`, which does not start with a choice")
                return False
            if question.action is not None and question.action not in root.actions:
                hint = suggest(question.action, root.actions) or \
                    "its actions are " + ", ".join(root.actions)
                self.reporter.error(call.span, f"`{question.tree.name}` has no first action "
                                    f"`{question.action}`", hint)
                return False
        return True

    def argument(self, kind: str, value: Any, question: str) -> Any:
        if kind == "class":
            if isinstance(value, Var) and self.kinds.get(value.name, (None,))[0] == "class":
                return self.classes.get(value.name)
            names = [n for n, (k, _) in self.kinds.items() if k == "class"]
            hint = suggest(value.name, names) if isinstance(value, Var) else None
            self.reporter.error(value.span, f"{question}() expects the name of a utility class here",
                                hint or "declare one: `class ordered = {a > b}`")
            return None
        if kind in ("tree", "other"):
            if not isinstance(value, Var):
                self.reporter.error(value.span, f"{question}() expects the name of a tree here")
                return None
            node = self.resolve_ref(Ref(value.name, value.span))
            return None if node is None else TreeArg(value.name, node)
        if kind == "utility":
            if isinstance(value, MappingLit):
                values = self.utility_mapping(value)
                return None if values is None else UtilityArg(None, values)
            if isinstance(value, Var) and self.kinds.get(value.name, (None,))[0] == "utility":
                values = self.utilities.get(value.name)
                return None if values is None else UtilityArg(value.name, values)
            if isinstance(value, Var) and value.name in self.kinds:
                found = KIND_NAMES[self.kinds[value.name][0]]
                self.reporter.error(value.span, f"`{value.name}` is {found}, not a utility function")
                return None
            names = [n for n, (k, _) in self.kinds.items() if k == "utility"]
            hint = suggest(value.name, names) if isinstance(value, Var) else None
            what = f"unknown utility function `{value.name}`" if isinstance(value, Var) else \
                f"{question}() expects a utility function here: a name or `{{o1: 1, *: 0}}`"
            self.reporter.error(value.span, what, hint)
            return None
        if kind == "distribution":
            if isinstance(value, Var) and self.kinds.get(value.name, (None,))[0] == "distribution":
                return self.distributions.get(value.name)
            names = [n for n, (k, _) in self.kinds.items() if k == "distribution"]
            hint = suggest(value.name, names) if isinstance(value, Var) else None
            self.reporter.error(value.span, f"{question}() expects the name of a distribution "
                                "here", hint or "declare one: `distribution d = power(2)`")
            return None
        if kind == "action":
            if isinstance(value, Var):
                return value.name
            self.reporter.error(value.span, f"{question}() expects the action of the tree's "
                                "first choice here")
            return None
        assert kind == "lottery"
        if not isinstance(value, MappingLit):
            self.reporter.error(value.span, f"{question}() expects a lottery here, "
                                "like `{o1: 1/2, o2: 1/2}`")
            return None
        return self.lottery_mapping(value)

    def instantiate(self, tree: TreeArg, assignment: Mapping[str, Fraction], symbolic_ok: bool,
                    call: Any) -> TreeArg | None:
        if not is_symbolic(tree.node):
            return tree
        from decisiontrees.model.symbols import free_parameters, substitute

        needed = free_parameters(tree.node)
        missing = sorted(needed - set(assignment))
        if not missing:
            return TreeArg(tree.name, substitute(tree.node, assignment))
        if symbolic_ok and not assignment:
            return tree
        example = ", ".join(f"{name} = 1/2" for name in missing)
        self.reporter.error(call.span, f"`{tree.name}` has parameters {', '.join(missing)}; "
                            f"{call.name}() needs their values", f"e.g. {call.name}(…, {example})")
        return None

    def check_claim_form(self, item: Claim, signature: QuestionSignature) -> bool:
        result = signature.result
        if result == "listing":
            self.reporter.error(item.call.name_span, f"{item.call.name}() can only be queried",
                                f"write `query {item.call.name}(…)`")
            return False
        if result == "bool" and item.op is not None:
            self.reporter.error(item.span, f"{item.call.name}() is a yes/no claim; it takes no comparison",
                                f"write `claim {item.call.name}(…)` or `claim not {item.call.name}(…)`")
            return False
        is_set = result in ("set", "set-of-outcomes", "word")
        if result != "bool" and item.op is None:
            example = "== {o1, o2}" if is_set else "== 1"
            self.reporter.error(item.span, f"a claim about {item.call.name}() needs a comparison",
                                f"e.g. `claim {item.call.name}(…) {example}`")
            return False
        if is_set and item.op not in ("==", "!="):
            self.reporter.error(item.span, f"{item.call.name}() is a set; compare it with == or !=")
            return False
        return True

    def expected_value(self, value: Any, result: str, words: tuple[str, ...] = ()) -> Any:
        if result == "word":
            if isinstance(value, Var) and value.name in words:
                return value.name
            hint = "one of " + ", ".join(words)
            what = "how the trees compare" if words == COMPARISONS else "a convergence strength"
            self.reporter.error(value.span, f"expected {what}", hint)
            return None
        if result == "number":
            if isinstance(value, (MappingLit, SetLit)):
                self.reporter.error(value.span, "expected a number here")
                return None
            return evaluate(value, self.reporter, what="a number")
        if isinstance(value, MappingLit) and not value.entries:
            return frozenset()
        if not isinstance(value, SetLit):
            self.reporter.error(value.span, "expected a set here, like `{o1, o2}`")
            return None
        if result == "set-of-outcomes":
            ok = [m for m in value.members if m.quoted or self.outcome_key(m.name, m.span)]
            if len(ok) != len(value.members):
                return None
        return frozenset(" ".join(m.name.split()) for m in value.members)


def _source_text(text: str, span: Span) -> str:
    lines = text.splitlines()[span.line - 1: span.end_line]
    if not lines:
        return ""
    if len(lines) == 1:
        return lines[0][span.column - 1: span.end_column - 1]
    lines[0] = lines[0][span.column - 1:]
    lines[-1] = lines[-1][: span.end_column - 1]
    return " ".join(line.strip() for line in lines)


@dataclass(frozen=True)
class QuestionSignature:
    arguments: tuple[str, ...]  # kinds: tree, other (a second tree), utility, lottery, class
    options: frozenset[str]
    result: str  # number, set, set-of-outcomes, bool, word or listing
    symbolic_ok: bool
    make: Any  # (tree, arguments, assignment, options) -> question
    optional: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # for result "word": the words a claim may name


def _whole_number(checker: _Checker, keyword: Keyword, name: str) -> int | None:
    number = None
    if not isinstance(keyword.value, (MappingLit, SetLit)):
        number = evaluate(keyword.value, checker.reporter, what="a whole number")
    if number is None or number.denominator != 1 or number < 1:
        checker.reporter.error(keyword.value.span, f"`{name}` must be a positive whole number")
        return None
    return int(number)


def _outcome_set(checker: _Checker, keyword: Keyword) -> frozenset[str] | None:
    value = keyword.value
    if isinstance(value, MappingLit) and not value.entries:
        return frozenset()
    if not isinstance(value, SetLit):
        checker.reporter.error(value.span, f"`{keyword.name}` takes a set of outcomes, like {{off}}")
        return None
    if not all(checker.outcome_key(m.name, m.span) for m in value.members):
        return None
    return frozenset(m.name for m in value.members)


def _feature_name(checker: _Checker, keyword: Keyword) -> str | None:
    features = sorted({f for values in checker.outcomes.values() for f in values})
    value = keyword.value
    if isinstance(value, Var) and value.name in features:
        return value.name
    hint = suggest(value.name, features) if isinstance(value, Var) else None
    checker.reporter.error(value.span, "`within` takes the name of an outcome feature: outcomes "
                           "with equal values of it are of one kind",
                           hint or "declare one, e.g. `outcomes off { alive: 0 }, o1 { alive: 1 }`")
    return None


OPTION_CHECKS: dict[str, Any] = {
    "samples": lambda checker, keyword: _whole_number(checker, keyword, "samples"),
    "seed": lambda checker, keyword: _whole_number(checker, keyword, "seed"),
    "limit": lambda checker, keyword: _whole_number(checker, keyword, "limit"),
    "timeout": lambda checker, keyword: _whole_number(checker, keyword, "timeout"),
    "fixing": _outcome_set,
    "within": _feature_name,
}

COMPARISONS = ("dominates", "dominated", "equivalent", "incomparable")

_RELATION_OPTIONS = frozenset({"parameters", "timeout"})


def _relation(name: str, permutations: bool = False) -> QuestionSignature:
    options = _RELATION_OPTIONS | ({"fixing", "within"} if permutations else set())
    result = "word" if name == "compare" else "bool"
    optional = () if name.startswith(("inclusion", "interiority", "permuted")) else ("class",)
    return QuestionSignature(
        ("tree", "other"), frozenset(options), result, name == "dominates",
        lambda t, a, s, o: RelationQuestion(name, t, a["other"], a.get("class"), o.get("timeout"),
                                            o.get("fixing", frozenset()), o.get("within")),
        optional)


def _random_agents(name: str, result: str, arguments: tuple[str, ...] = ("tree",)
                   ) -> QuestionSignature:
    from decisiontrees.model.spec import RandomAgentQuestion

    def make(t: TreeArg, a: dict[str, Any], s: Any, o: dict[str, Any]) -> RandomAgentQuestion:
        from decisiontrees.analyses.agents import UNIFORM

        return RandomAgentQuestion(name, t, a.get("other"), a.get("action"),
                                   a.get("distribution") or UNIFORM, o.get("samples"),
                                   o.get("seed", 0))

    return QuestionSignature(arguments, frozenset({"parameters", "samples", "seed"}), result,
                             True, make, ("distribution",))


def _orbits(name: str, result: str) -> QuestionSignature:
    from decisiontrees.model.spec import CONVERGENCE_LEVELS, OrbitQuestion

    return QuestionSignature(
        ("tree", "other"), frozenset({"parameters", "timeout"}), result, False,
        lambda t, a, s, o: OrbitQuestion(name, t, a["other"], o.get("timeout")),
        words=CONVERGENCE_LEVELS if result == "word" else ())


QUESTIONS: dict[str, QuestionSignature] = {
    "value": QuestionSignature(
        ("tree", "utility"), frozenset({"parameters"}), "number", True,
        lambda t, a, s, o: ValueQuestion(t, a["utility"], s)),
    "optimal": QuestionSignature(
        ("tree", "utility"), frozenset({"parameters", "limit"}), "set", False,
        lambda t, a, s, o: OptimalQuestion(t, a["utility"], s, o["limit"])),
    "strategies": QuestionSignature(
        ("tree",), frozenset(), "number", True, lambda t, a, s, o: StrategiesQuestion(t, False)),
    "plans": QuestionSignature(
        ("tree",), frozenset(), "number", True, lambda t, a, s, o: StrategiesQuestion(t, True)),
    "lotteries": QuestionSignature(
        ("tree",), frozenset({"parameters", "limit"}), "listing", False,
        lambda t, a, s, o: LotteriesQuestion(t, s, o["limit"])),
    "reachable": QuestionSignature(
        ("tree",), frozenset(), "set-of-outcomes", True, lambda t, a, s, o: ReachableQuestion(t)),
    "contains": QuestionSignature(
        ("tree", "lottery"), frozenset({"parameters"}), "bool", False,
        lambda t, a, s, o: ContainsQuestion(t, a["lottery"], s)),
    "dominates": _relation("dominates"),
    "strictly_dominates": _relation("strictly_dominates"),
    "equivalent": _relation("equivalent"),
    "incomparable": _relation("incomparable"),
    "compare": _relation("compare"),
    "inclusion": _relation("inclusion"),
    "interiority": _relation("interiority"),
    "permuted_inclusion": _relation("permuted_inclusion", permutations=True),
    "permuted_interiority": _relation("permuted_interiority", permutations=True),
    "region": QuestionSignature(
        ("tree", "other", "utility"), frozenset(), "listing", True,
        lambda t, a, s, o: RegionQuestion(t, a["other"], a["utility"])),
    "choices": _random_agents("choices", "listing"),
    "chosen": _random_agents("chosen", "number", ("tree", "action")),
    "tie": _random_agents("tie", "number"),
    "prefers": _random_agents("prefers", "number", ("tree", "other")),
    "power": _random_agents("power", "number"),
    "convergence": _orbits("convergence", "word"),
    "distribution_dependent": _orbits("distribution_dependent", "bool"),
    "orbit_share": _orbits("orbit_share", "number"),
}
