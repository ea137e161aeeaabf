"""`contains(t, lottery)`: whether a tree can realise a lottery (docs/theory.md §1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees.analyses import occupancy
from decisiontrees.analyses.farkas import Infeasibility
from decisiontrees.analyses.membership import Membership, contains, flow_behaviour
from decisiontrees.analyses.occupancy import Realisation
from decisiontrees.model.spec import Question, TreeArg
from decisiontrees.questions.base import (
    JSON,
    Answer,
    Arguments,
    Context,
    Evidence,
    Family,
    Kind,
    Shape,
    Signature,
    json_ready,
    unknown,
)


@dataclass(frozen=True)
class ContainsQuestion(Question):
    tree: TreeArg
    lottery: Mapping[str, Fraction]
    assignment: Mapping[str, Fraction]


@dataclass(frozen=True)
class Realised(Evidence):
    """A "yes": a sequence-form point of the tree, shown as behaviour at each choice node."""

    method: str
    behaviour: list[dict[str, Any]]
    flow: list[dict[str, Any]]

    def lines(self) -> tuple[str, ...]:
        return ("certificate: a sequence-form point (behaviour below), checked exactly",) + tuple(
            f"at {step['at'] or 'the root'}: " + ", ".join(f"{a} {w}" for a, w in step["mix"].items())
            for step in self.behaviour)

    def to_json(self) -> dict[str, JSON]:
        return {"method": self.method, "certificate": {
            "kind": "sequence-form flow", "behaviour": self.behaviour, "flow": self.flow}}


@dataclass(frozen=True)
class Separated(Evidence):
    """A "no": a utility function under which the lottery beats everything the tree can do."""

    method: str
    utility: Mapping[str, Fraction]
    lottery_value: Fraction
    tree_value: Fraction
    tree_plan: str

    def lines(self) -> tuple[str, ...]:
        return ("witness utility: {" + ", ".join(f"{o}: {u}" for o, u in self.utility.items()) + "}",
                f"the lottery's expected utility {self.lottery_value} exceeds the tree's "
                f"value {self.tree_value}",
                f"the tree's optimal plan under it: {self.tree_plan or '(no choices)'}")

    def witness(self) -> str | None:
        return "u = {" + ", ".join(f"{o}: {u}" for o, u in self.utility.items()) + "}"

    def to_json(self) -> dict[str, JSON]:
        return {"method": self.method, "witness": {
            "utility": {o: str(u) for o, u in self.utility.items()},
            "lottery_value": str(self.lottery_value), "tree_value": str(self.tree_value),
            "tree_optimal_plan": self.tree_plan}}


@dataclass(frozen=True)
class FlowRealised(Evidence):
    """A "yes" for a state whose policies are not listed: a stationary randomised policy."""

    found: Realisation

    def lines(self) -> tuple[str, ...]:
        return ("certificate: a stationary randomised policy with this visit distribution, "
                "read off a solution of the occupancy-measure flow constraints and checked "
                "exactly by evaluating it",) + tuple(
            f"at {s}: " + ", ".join(f"{a} {w}" for a, w in mix.items())
            for s, mix in self.found.mix.items())

    def to_json(self) -> dict[str, JSON]:
        return {"method": "occupancy-measure flow constraints", "certificate": {
            "kind": "randomised policy",
            "policy": {s: {a: str(w) for a, w in mix.items()}
                       for s, mix in self.found.mix.items()}}}


@dataclass(frozen=True)
class FlowInfeasible(Evidence):
    """A "no" for a state whose policies are not listed: the flow constraints have no
    solution, by multipliers checked exactly."""

    proof: Infeasibility

    def lines(self) -> tuple[str, ...]:
        return ("no policy visits the states so: the occupancy-measure flow constraints have no "
                "solution (x(s, a) is the discounted frequency of action a at s)",
                "certificate: " + self.proof.text())

    def to_json(self) -> dict[str, JSON]:
        return {"method": "occupancy-measure flow constraints",
                "certificate": json_ready(self.proof.to_json())}


class Contains(Family):
    name = "contains"
    signature = Signature((Kind.TREE, Kind.LOTTERY), Shape.BOOL, frozenset({"parameters"}))
    solves_mdps = True

    def make(self, arguments: Arguments) -> Question:
        assert arguments.lottery is not None
        return ContainsQuestion(arguments.tree, arguments.lottery, arguments.assignment)

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, ContainsQuestion)
        if question.tree.unlisted is not None:
            return _by_flow(question.tree, question.lottery, context)
        tree = question.tree.node
        verdict: Membership = contains(tree, question.lottery, list(context.spec.outcomes),
                                       context.timeout_ms())
        if verdict.contained is None:
            return unknown(verdict.reason or "the solver gave up", verdict.method)
        if verdict.contained:
            assert verdict.flow is not None
            flow = [{"node": i, "edge": k, "amount": str(q)}
                    for (i, k), q in sorted(verdict.flow.items()) if q != 0]
            return Answer("yes", True, Realised(verdict.method, flow_behaviour(tree, verdict.flow),
                                                flow), comparable=True)
        assert verdict.witness is not None and verdict.witness_lottery_value is not None
        assert verdict.witness_tree_value is not None
        utility = {o: verdict.witness[o] for o in context.spec.outcomes}
        return Answer("no", False, Separated(verdict.method, utility, verdict.witness_lottery_value,
                                             verdict.witness_tree_value, verdict.witness_plan or ""),
                      comparable=False)


def _by_flow(tree: TreeArg, lottery: Mapping[str, Fraction], context: Context) -> Answer:
    """Membership in a state's occupancy polytope, without its policies listed."""
    assert tree.mdp is not None and tree.state is not None
    found = occupancy.realise(tree.mdp, tree.state, lottery, context.timeout_ms())
    if found is None:
        return unknown("the solver gave up on the flow constraints (time or memory)")
    if isinstance(found, Infeasibility):
        return Answer("no", False, FlowInfeasible(found), comparable=False)
    return Answer("yes", True, FlowRealised(found), comparable=True)


FAMILIES: tuple[Family, ...] = (Contains(),)
