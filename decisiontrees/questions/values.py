"""`value(t, u)` and `optimal(t, u)`: a tree's value and its optimal plans (docs/theory.md §2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from decisiontrees.analyses import mdp as mdp_analysis
from decisiontrees.analyses import occupancy, plans
from decisiontrees.errors import CrossCheckFailed, RefusedError
from decisiontrees.model.nodes import is_symbolic
from decisiontrees.model.spec import Question, TreeArg, UtilityArg
from decisiontrees.questions.base import (
    DIGITS_SHOWN,
    JSON,
    Answer,
    Arguments,
    Context,
    Evidence,
    Family,
    Kind,
    Reason,
    Shape,
    Signature,
    Status,
    assignment_text,
    count_text,
    exact_text,
    lottery_text,
)

COUNT_CAP = 10**DIGITS_SHOWN  # optimal plans are counted up to this


@dataclass(frozen=True)
class ValueQuestion(Question):
    tree: TreeArg
    utility: UtilityArg
    assignment: Mapping[str, Fraction]


@dataclass(frozen=True)
class OptimalQuestion(Question):
    tree: TreeArg
    utility: UtilityArg
    assignment: Mapping[str, Fraction]
    limit: int


@dataclass(frozen=True)
class SymbolicValue(Evidence):
    """A value that depends on parameters (or, on a parametric tree, does not)."""

    parameters: tuple[str, ...]

    def lines(self) -> tuple[str, ...]:
        if not self.parameters:
            return ("the same for every parameter value",)
        return ("symbolic in " + ", ".join(self.parameters),)

    def to_json(self) -> dict[str, JSON]:
        return {"symbolic": True}


@dataclass(frozen=True)
class OptimalPlan(Evidence):
    """One optimal plan, its decisions and lottery, and how many plans are optimal."""

    plan: str
    decisions: list[dict[str, Any]]
    lottery: Mapping[str, Fraction]
    count: int
    assignment: Mapping[str, Fraction] = field(default_factory=dict)

    def lines(self) -> tuple[str, ...]:
        many = f"more than {count_text(COUNT_CAP)}" if self.count > COUNT_CAP else str(self.count)
        shown = [f"an optimal plan: {self.plan}"
                 + (f" (one of {many} optimal plans)" if self.count > 1 else "")]
        if self.assignment:
            shown.append(f"with {assignment_text(self.assignment)}")
        return tuple(shown)

    def to_json(self) -> dict[str, JSON]:
        return {"optimal_plan": self.plan, "optimal_plan_decisions": self.decisions,
                "optimal_plan_lottery": {o: str(q) for o, q in self.lottery.items()},
                "optimal_plans": self.count if self.count <= COUNT_CAP else None,
                "parameters": {k: str(v) for k, v in self.assignment.items()}}


@dataclass(frozen=True)
class PlanRow:
    plan: str
    decisions: list[dict[str, Any]]
    lottery: Mapping[str, Fraction]


@dataclass(frozen=True)
class OptimalPlans(Evidence):
    value: Any
    rows: tuple[PlanRow, ...]
    outcomes: tuple[str, ...]

    def lines(self) -> tuple[str, ...]:
        return (f"value {exact_text(self.value)}",) + tuple(
            f"{row.plan}: lottery {lottery_text(row.lottery, self.outcomes)}" for row in self.rows)

    def to_json(self) -> dict[str, JSON]:
        return {"count": len(self.rows), "value": str(self.value), "plans": [
            {"plan": row.plan, "decisions": row.decisions,
             "lottery": {o: str(q) for o, q in row.lottery.items()}} for row in self.rows]}


@dataclass(frozen=True)
class SolvedPolicy(Evidence):
    """An optimal policy of a state whose policies were too many to list, found by policy
    iteration and checked by Bellman's optimality conditions."""

    policy: str
    lottery: Mapping[str, Fraction]
    rounds: int
    states: int
    why: str
    outcomes: tuple[str, ...]

    def lines(self) -> tuple[str, ...]:
        return (f"an optimal policy: {self.policy}",
                f"its visit distribution: {lottery_text(self.lottery, self.outcomes)}",
                f"found by policy iteration in exact rationals ({self.rounds} "
                f"round{'' if self.rounds == 1 else 's'}) without "
                f"listing the policies ({self.why}); Bellman's optimality conditions hold "
                f"exactly at all {self.states} reachable states")

    def to_json(self) -> dict[str, JSON]:
        return {"optimal_policy": self.policy, "method": "policy iteration",
                "rounds": self.rounds,
                "optimal_policy_lottery": {o: str(q) for o, q in self.lottery.items()}}


def solved_value(tree: TreeArg, utility: Mapping[str, Fraction], outcomes: tuple[str, ...]
                 ) -> tuple[Fraction, SolvedPolicy]:
    """``value(m.s, r)`` by policy iteration, with the optimal policy's visit distribution
    (whose expected reward must be the value: checked)."""
    assert tree.mdp is not None and tree.state is not None and tree.unlisted is not None
    found = occupancy.optimal_policy(tree.mdp, tree.state, utility)
    visits = mdp_analysis.visit_distribution(tree.mdp, tree.state, found.actions)
    lottery = {s: q for s, q in visits.items() if isinstance(q, Fraction)}
    if sum((q * utility.get(s, Fraction(0)) for s, q in lottery.items()), Fraction(0)) \
            != found.value:
        raise CrossCheckFailed("the optimal policy's visit distribution does not give its value")
    return found.value, SolvedPolicy(found.label(tree.mdp), lottery, found.rounds,
                                     len(found.values), tree.unlisted, outcomes)


class Value(Family):
    name = "value"
    signature = Signature((Kind.TREE, Kind.UTILITY), Shape.NUMBER, frozenset({"parameters"}),
                          symbolic_ok=True)
    solves_mdps = True

    def make(self, arguments: Arguments) -> Question:
        assert arguments.utility is not None
        return ValueQuestion(arguments.tree, arguments.utility, arguments.assignment)

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, ValueQuestion)
        tree, utility = question.tree.node, question.utility.values
        if question.tree.unlisted is not None:
            value, solved = solved_value(question.tree, utility, context.spec.outcomes)
            return Answer(exact_text(value), str(value), solved, comparable=value)
        result = plans.value(tree, utility)
        if not isinstance(result, Fraction):
            names = tuple(sorted(str(s) for s in result.free_symbols))
            return Answer(str(result), str(result), SymbolicValue(names), comparable=result)
        if is_symbolic(tree):
            return Answer(str(result), str(result), SymbolicValue(()), comparable=result)
        plan = plans.an_optimal_plan(tree, utility)
        shown = plans.describe_plan(tree, plan) or "(no choices)"
        evidence = OptimalPlan(shown, plans.plan_decisions(tree, plan),
                               plans.lottery_of(tree, plan),
                               plans.count_at_most(tree, COUNT_CAP, utility),
                               dict(question.assignment))
        return Answer(exact_text(result), str(result), evidence, comparable=result)


class Optimal(Family):
    name = "optimal"
    signature = Signature((Kind.TREE, Kind.UTILITY), Shape.SET,
                          frozenset({"parameters", "limit"}))

    def make(self, arguments: Arguments) -> Question:
        assert arguments.utility is not None
        return OptimalQuestion(arguments.tree, arguments.utility, arguments.assignment,
                               arguments.option_int("limit") or plans.DEFAULT_LIMIT)

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, OptimalQuestion)
        tree, utility = question.tree.node, question.utility.values
        best = plans.value(tree, utility)
        try:
            rows = plans.plans(tree, question.limit, utility)
        except RefusedError as refusal:
            return Answer(f"more than {question.limit} optimal plans", None,
                          Reason(str(refusal), label="refused"), status=Status.REFUSED)
        described = tuple(PlanRow(plans.describe_plan(tree, row.plan) or "(no choices)",
                                  plans.plan_decisions(tree, row.plan), row.lottery)
                          for row in rows)
        names = [row.plan for row in described]
        return Answer("{" + ", ".join(names) + "}", names,
                      OptimalPlans(best, described, context.spec.outcomes),
                      comparable=frozenset(names))


FAMILIES: tuple[Family, ...] = (Value(), Optimal())
