"""`region(t, s, u)`: for which parameter values ``V_u(t) > V_u(s)`` (docs/theory.md §7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from decisiontrees.analyses import parametric, plans
from decisiontrees.model.spec import Question, TreeArg, UtilityArg
from decisiontrees.model.symbols import free_parameters
from decisiontrees.questions.base import (
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
)


@dataclass(frozen=True)
class RegionQuestion(Question):
    tree: TreeArg
    other: TreeArg
    utility: UtilityArg


@dataclass(frozen=True)
class BothValues(Evidence):
    left: str
    right: str
    left_value: Any
    right_value: Any

    def lines(self) -> tuple[str, ...]:
        return (f"V({self.left}) = {self.left_value}", f"V({self.right}) = {self.right_value}")

    def to_json(self) -> dict[str, JSON]:
        return {"left": str(self.left_value), "right": str(self.right_value)}


@dataclass(frozen=True)
class NoRegion(Reason):
    """Refused, with both values shown."""

    values: BothValues | None = None

    def lines(self) -> tuple[str, ...]:
        return self.values.lines() if self.values else ()


class Region(Family):
    name = "region"
    signature = Signature((Kind.TREE, Kind.OTHER, Kind.UTILITY), Shape.LISTING, symbolic_ok=True)

    def make(self, arguments: Arguments) -> Question:
        assert arguments.utility is not None
        return RegionQuestion(arguments.tree, arguments.second(), arguments.utility)

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, RegionQuestion)
        utility = question.utility.values
        left = plans.value(question.tree.node, utility)
        right = plans.value(question.other.node, utility)
        condition = parametric.relation(left, ">", right)
        free = sorted(free_parameters(question.tree.node) | free_parameters(question.other.node))
        where = parametric.region(condition, context.spec.parameters, free)
        names = (question.tree.name, question.other.name)
        values = BothValues(*names, left, right)
        if where is None:
            reason = ("the values do not depend on a parameter" if not free else
                      "a closed form is given for one parameter; these depend on "
                      + ", ".join(free) if len(free) > 1 else parametric.NO_CLOSED_FORM)
            return Answer(f"refused: {reason}", None, NoRegion(reason, label="refused",
                                                               values=values),
                          status=Status.REFUSED)
        return Answer(f"V({names[0]}) > V({names[1]}) where {where}", {"region": where}, values)


FAMILIES: tuple[Family, ...] = (Region(),)
