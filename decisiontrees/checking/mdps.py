"""`mdp` blocks to :class:`MDP` records: settings, states, actions and transitions checked.

A state's line is its actions: ``choice { a: s1, b: chance { 1/2: s1, 1/2: s2 } }`` (an
action leads to a next state or to a chance node over next states), a single next state or
chance node (one action, named after the state or ``move``), or ``absorbing``. Every problem
is located: unknown states, probabilities (non-negative, summing to 1), a missing or unknown
start, a discount outside (0, 1), states not reachable from the start.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from decisiontrees.checking.arithmetic import evaluate
from decisiontrees.checking.declarations import KIND_NAMES, Declarations
from decisiontrees.checking.trees import (
    PLAN_STEP,
    PLAN_STEP_HINT,
    PLAN_STEP_MESSAGE,
    SOLVER_TIMEOUT_MS,
    TreeBuilder,
)
from decisiontrees.language.diagnostics import suggest
from decisiontrees.language.numbers import brief
from decisiontrees.language.syntax import (
    ChanceNode,
    ChoiceNode,
    GridRows,
    MDPDecl,
    MDPSetting,
    MDPState,
    NodeSyntax,
    Ref,
    UniformNode,
    Var,
)
from decisiontrees.model.mdp import (
    ABSORBING_ACTION,
    MDP,
    Transition,
    grid_actions,
    grid_problems,
    grid_start,
)
from decisiontrees.model.nodes import Probability
from decisiontrees.model.symbols import simplify, to_fraction, to_sympy
from decisiontrees.solvers import smt

SETTINGS = ("gamma", "start", "horizon", "map")
MAX_HORIZON = 10_000
MAX_UNROLLED = 20_000  # states × steps of a finite horizon (2 × 10,000 took 16 s to answer)
MAX_SYMBOLIC_UNROLLED = 100  # the same with a discount that is a parameter (2 × 50: 5 s)
SINGLE_ACTION = "move"  # the action of a state whose line is one chance node


class MDPBuilder:
    """Builds every declared mdp once (after outcomes and parameters are checked)."""

    def __init__(self, names: Declarations, trees: TreeBuilder) -> None:
        self.names = names
        self.reporter = names.reporter
        self.trees = trees

    def build(self, name: str) -> MDP | None:
        item = self.names.mdp_syntax[name]
        errors = self.reporter.count
        settings = self.settings(item)
        lines: dict[str, MDPState] = {}
        for state in item.states:
            if state.name in lines:
                other = lines[state.name].name_span
                self.reporter.error(state.name_span, f"state `{state.name}` is given twice in mdp "
                                    f"`{name}`", f"its actions are already given at {other}")
            else:
                lines[state.name] = state
        grid = settings.get("map")
        rows = grid.value.rows if grid is not None and isinstance(grid.value, GridRows) else ()
        for problem in grid_problems(rows) if grid is not None else ():
            assert grid is not None
            self.reporter.error(grid.value.span, problem, "e.g. map = \"S . #\" \". . .\"")
        moves = grid_actions(rows) if grid is not None and not grid_problems(rows) else {}
        # in order, and a dict so that looking a state up does not scan them all (a chain of
        # 60,000 imported states took 23 s that way)
        states = dict.fromkeys([*moves, *(s for s in lines if s not in moves)])
        if not states:
            if grid is None:  # a map's problems are reported
                self.reporter.error(item.span, f"mdp `{name}` has no states",
                                    "give each state its actions: `s0: choice { left: s1, stay: s0 }`")
            self.names.mdps[name] = None
            return None
        actions: dict[str, tuple[tuple[str, Transition], ...]] = {}
        for state_name in states:
            if state_name in lines:  # a line overrides the map's moves
                built = self.state_actions(item, lines[state_name], states)
            else:
                built = tuple((move, ((Fraction(1), target),))
                              for move, target in moves[state_name])
            if built is not None:
                actions[state_name] = built
        gamma = self.gamma(item, settings.get("gamma"))
        start = self.start(item, settings.get("start"), states, rows if grid else None)
        horizon = self.horizon(settings.get("horizon"))
        if self.reporter.count > errors or gamma is None or start is None:
            self.names.mdps[name] = None
            return None
        mdp = MDP(name, tuple(states), actions, start, gamma, horizon,
                  frozenset(s.name for s in lines.values() if s.node is None))
        reached = set(mdp.reachable(start))
        if horizon is not None and not self.unrollable(settings["horizon"], horizon, gamma,
                                                       len(reached)):
            self.names.mdps[name] = None
            return None
        for state_name in states:
            if state_name not in reached:
                where = lines[state_name].name_span if state_name in lines else \
                    (grid.value.span if grid is not None else item.name_span)
                hint = "remove it, or give some state an action that leads to it" \
                    if state_name in lines else "wall the cell off with #"
                self.reporter.error(where, f"state `{state_name}` cannot be reached from "
                                    f"the start state `{start}` of mdp `{name}`", hint)
        result = mdp if self.reporter.count == errors else None
        self.names.mdps[name] = result
        return result

    # -- settings

    def settings(self, item: MDPDecl) -> dict[str, MDPSetting]:
        found: dict[str, MDPSetting] = {}
        for setting in item.settings:
            if setting.name not in SETTINGS:
                hint = suggest(setting.name, SETTINGS) or "the settings are gamma, start, horizon, map"
                self.reporter.error(setting.span, f"an mdp has no setting `{setting.name}`",
                                    hint + "; a state's line is `s: choice { … }`")
            elif setting.name in found:
                self.reporter.error(setting.span, f"`{setting.name}` is given twice")
            elif (setting.name == "map") != isinstance(setting.value, GridRows):
                wanted = "rows of quoted cells, like map = \"S . #\" \". . .\"" \
                    if setting.name == "map" else "a number or a name, not quoted rows"
                self.reporter.error(setting.value.span, f"`{setting.name}` takes {wanted}")
            else:
                found[setting.name] = setting
        return found

    def gamma(self, item: MDPDecl, setting: MDPSetting | None) -> Probability | None:
        if setting is None:
            self.reporter.error(item.name_span, f"mdp `{item.name}` has no discount",
                                "add `gamma = 9/10` (a number in (0, 1) or a parameter)")
            return None
        assert not isinstance(setting.value, GridRows)  # settings() let only `map` take rows
        gamma = self.trees.parametric(setting.value, "a discount")
        if gamma is None:
            return None
        number = to_fraction(gamma)
        if number is not None:
            if not 0 < number < 1:
                self.reporter.error(setting.value.span, f"the discount must lie in (0, 1), not "
                                    f"{number}", "e.g. `gamma = 9/10`")
                return None
            return number
        import sympy

        for outside in (sympy.Le(gamma, 0), sympy.Ge(gamma, 1)):
            point = smt.find_parameter_values(outside, self.names.parameters, SOLVER_TIMEOUT_MS)
            if isinstance(point, smt.Unknown):
                self.reporter.error(setting.value.span, f"cannot check that the discount {gamma} "
                                    f"lies in (0, 1) ({point.reason})",
                                    "restrict the parameter's domain")
                return None
            if point is not None:
                at = ", ".join(f"{k} = {v}" for k, v in sorted(point.items()))
                self.reporter.error(setting.value.span, f"the discount {gamma} leaves (0, 1) at "
                                    f"{at}", "declare the parameter in (0, 1), e.g. "
                                    "`param g in (0, 1)`")
                return None
        return simplify(gamma)

    def start(self, item: MDPDecl, setting: MDPSetting | None, lines: Mapping[str, None],
              rows: tuple[str, ...] | None) -> str | None:
        if setting is None and rows is not None and grid_start(rows) is not None:
            return grid_start(rows)
        if setting is None:
            first = next(iter(lines))
            self.reporter.error(item.name_span, f"mdp `{item.name}` has no start state",
                                f"add `start = {first}`")
            return None
        value = setting.value
        if isinstance(value, Var) and value.name in lines:
            return value.name
        name = value.name if isinstance(value, Var) else None
        hint = suggest(name, lines) if name else None
        self.reporter.error(value.span, f"the start must be a state of mdp `{item.name}`",
                            hint or "the states are " + ", ".join(lines))
        return None

    def unrollable(self, setting: MDPSetting, horizon: int, gamma: Any, states: int) -> bool:
        """Whether a finite horizon's states can be unrolled step by step when the spec loads
        (before any statement's limits): at most MAX_UNROLLED states × steps, or
        MAX_SYMBOLIC_UNROLLED with a discount that is a parameter (each step's share is a
        polynomial in it of the step's degree). Past them, loading ran for minutes or out of
        memory."""
        if not isinstance(gamma, Fraction) and states * horizon > MAX_SYMBOLIC_UNROLLED:
            self.reporter.error(setting.value.span, f"with a discount that is a parameter, "
                                f"{states} states reached × {horizon:,} steps is more than "
                                f"{MAX_SYMBOLIC_UNROLLED} to unroll",
                                "write the discount as a number, or a shorter horizon")
            return False
        if states * horizon > MAX_UNROLLED:
            self.reporter.error(setting.value.span, f"{states} states reached × {horizon:,} steps"
                                f" is more than {MAX_UNROLLED:,} to unroll",
                                "a shorter horizon, or leave it out for an infinite horizon")
            return False
        return True

    def horizon(self, setting: MDPSetting | None) -> int | None:
        if setting is None:
            return None
        assert not isinstance(setting.value, GridRows)
        number = evaluate(setting.value, self.reporter, what="a number of steps")
        if number is None:
            return None
        if not isinstance(number, Fraction) or number.denominator != 1 \
                or not 1 <= number <= MAX_HORIZON:
            self.reporter.error(setting.value.span, "the horizon is a whole number of steps from "
                                f"1 to {MAX_HORIZON:,}", "leave it out for an infinite horizon")
            return None
        return int(number)

    # -- states

    def state_actions(self, item: MDPDecl, state: MDPState, lines: Mapping[str, None]
                      ) -> tuple[tuple[str, Transition], ...] | None:
        node = state.node
        if node is None:
            return ((ABSORBING_ACTION, ((Fraction(1), state.name),)),)
        if isinstance(node, ChoiceNode):
            if not node.edges:
                self.reporter.error(node.span, "empty choice",
                                    f"a state needs an action; write `{state.name}: absorbing` "
                                    "for a state the process never leaves")
                return None
            result: list[tuple[str, Transition]] = []
            seen: set[str] = set()
            for position, edge in enumerate(node.edges, start=1):
                if edge.label is not None:
                    action = edge.label
                elif isinstance(edge.node, Ref):
                    action = edge.node.name
                else:
                    action = f"#{position}"
                if action in seen:
                    self.reporter.error(edge.span, f"action `{action}` appears twice at state "
                                        f"`{state.name}`", "label the actions apart")
                    continue
                if PLAN_STEP in action or not action.strip():
                    self.reporter.error(edge.span, PLAN_STEP_MESSAGE.format(action=action)
                                        if action.strip() else "an empty label", PLAN_STEP_HINT)
                    continue
                seen.add(action)
                transition = self.transition(item, edge.node, lines)
                if transition is not None:
                    result.append((action, transition))
            return tuple(result) if len(result) == len(node.edges) else None
        transition = self.transition(item, node, lines)
        if transition is None:
            return None
        action = node.name if isinstance(node, Ref) else SINGLE_ACTION
        return ((action, transition),)

    def transition(self, item: MDPDecl, node: NodeSyntax, lines: Mapping[str, None]
                   ) -> Transition | None:
        """An action's distribution over next states, each state once."""
        if isinstance(node, Ref):
            return ((Fraction(1), node.name),) if self.known(item, node, lines) else None
        if isinstance(node, ChoiceNode):
            self.reporter.error(node.span, "an action leads to a next state or a chance node "
                                "over next states, not to another choice",
                                "a state's choices are its actions: give the later choice its "
                                "own state")
            return None
        pairs: list[tuple[Probability | None, NodeSyntax]]
        if isinstance(node, UniformNode):
            if not node.children:
                self.reporter.error(node.span, "empty chance node",
                                    "`uniform` needs at least one next state")
                return None
            share = Fraction(1, len(node.children))
            pairs = [(share, child) for child in node.children]
        else:
            assert isinstance(node, ChanceNode)
            if not node.branches:
                self.reporter.error(node.span, "empty chance node",
                                    "a chance node needs at least one next state")
                return None
            pairs = []
            for branch in node.branches:
                p = self.trees.parametric(branch.probability, "a probability")
                if p is not None and not self.trees.non_negative(p, branch.probability.span):
                    p = None
                pairs.append((p, branch.node))
        valid = True
        for p, child in pairs:
            if p is None:
                valid = False
            if not isinstance(child, Ref):
                self.reporter.error(child.span, "a chance node of an mdp leads to states, "
                                    "not to further nodes", "give the later node its own state")
                valid = False
            elif not self.known(item, child, lines):
                valid = False
        if not valid:
            return None
        total = simplify(sum((p for p, _ in pairs if p is not None), Fraction(0)))
        if to_fraction(total) != 1:
            listed = brief(", ".join(str(p) for p, _ in pairs), 300)
            self.reporter.error(node.span, f"probabilities sum to {brief(total)}, not 1",
                                f"the probabilities are {listed}")
            return None
        merged: dict[str, Probability] = {}
        for p, child in pairs:
            assert p is not None and isinstance(child, Ref)
            before = merged.get(child.name)
            merged[child.name] = p if before is None else _add(before, p)
        return tuple((p, target) for target, p in merged.items()
                     if not (isinstance(p, Fraction) and p == 0))

    def known(self, item: MDPDecl, ref: Ref, lines: Mapping[str, None]) -> bool:
        if ref.name in lines:
            return True
        hint = suggest(ref.name, lines) or f"declare it in the mdp: `{ref.name}: absorbing`"
        kind = self.names.kind(ref.name)
        if kind is not None and kind != "outcome":
            self.reporter.error(ref.span, f"`{ref.name}` is {KIND_NAMES[kind]}, not a state of "
                                f"mdp `{item.name}`", "an action leads to states of its mdp")
            return False
        self.reporter.error(ref.span, f"unknown state `{ref.name}` in mdp `{item.name}`", hint)
        return False


def _add(a: Probability, b: Probability) -> Probability:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    return simplify(to_sympy(a) + to_sympy(b))
