"""`strategies(t)`, `plans(t)`, `lotteries(t)`, `reachable(t)`: counting and listing what a
tree allows (docs/theory.md §1)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees.analyses import plans
from decisiontrees.errors import TooManyToCount
from decisiontrees.model.spec import Question, TreeArg
from decisiontrees.questions.base import (
    JSON,
    Answer,
    Arguments,
    Bounds,
    Context,
    Evidence,
    Family,
    Kind,
    Shape,
    Signature,
    count_text,
    lottery_text,
    power_of_ten_text,
)


@dataclass(frozen=True)
class StrategiesQuestion(Question):
    """How many pure strategies (``reduced`` False) or plans (``reduced`` True) the tree has."""

    tree: TreeArg
    reduced: bool


@dataclass(frozen=True)
class LotteriesQuestion(Question):
    tree: TreeArg
    assignment: Mapping[str, Fraction]
    limit: int


@dataclass(frozen=True)
class ReachableQuestion(Question):
    tree: TreeArg


@dataclass(frozen=True)
class Count:
    """A count, exact when it can be written down, else only its logarithm (for display)."""

    exact: int | None
    log10: float

    @classmethod
    def of(cls, counting: Callable[[], int]) -> Count:
        try:
            return cls(counting(), 0.0)
        except TooManyToCount as big:
            return cls(None, big.log10)

    def text(self) -> str:
        return count_text(self.exact) if self.exact is not None else power_of_ten_text(self.log10)

    def is_one(self) -> bool:
        return self.exact == 1

    def json(self) -> JSON:
        if self.exact is not None:
            return self.exact
        return {"at_least": f"2^{plans.MAX_COUNT_BITS}", "log10": self.log10}

    def comparable(self) -> Fraction | Bounds:
        if self.exact is not None:
            return Fraction(self.exact)
        return Bounds(Fraction(1 << plans.MAX_COUNT_BITS), None)


@dataclass(frozen=True)
class Counts(Evidence):
    plans: Count
    pure_strategies: Count
    reduced: bool  # the question counted plans; the line gives the other count

    def lines(self) -> tuple[str, ...]:
        if self.reduced:
            pure = self.pure_strategies
            return (f"{pure.text()} pure {'strategy' if pure.is_one() else 'strategies'} "
                    "(an action at every choice node, reachable or not)",)
        return (f"{self.plans.text()} {'plan' if self.plans.is_one() else 'plans'} "
                "(an action only at the choice nodes a strategy reaches)",)

    def to_json(self) -> dict[str, JSON]:
        return {"plans": self.plans.json(), "pure_strategies": self.pure_strategies.json()}


@dataclass(frozen=True)
class PlanLotteries(Evidence):
    rows: tuple[tuple[str, Mapping[str, Fraction]], ...]
    outcomes: tuple[str, ...]

    def lines(self) -> tuple[str, ...]:
        return tuple(f"{plan}: {lottery_text(lottery, self.outcomes)}" for plan, lottery in self.rows)


class Strategies(Family):
    signature = Signature((Kind.TREE,), Shape.NUMBER, symbolic_ok=True)

    def __init__(self, name: str) -> None:
        self.name = name

    def make(self, arguments: Arguments) -> Question:
        return StrategiesQuestion(arguments.tree, reduced=self.name == "plans")

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, StrategiesQuestion)
        tree = question.tree.node
        reduced = Count.of(lambda: plans.count_plans(tree))
        pure = Count.of(lambda: plans.count_pure_strategies(tree))
        evidence = Counts(reduced, pure, question.reduced)
        if question.reduced:
            noun = "plan" if reduced.is_one() else "plans"
            return Answer(f"{reduced.text()} {noun}", reduced.json(), evidence,
                          comparable=reduced.comparable())
        noun = "strategy" if pure.is_one() else "strategies"
        return Answer(f"{pure.text()} pure {noun}", pure.json(), evidence,
                      comparable=pure.comparable())


class Lotteries(Family):
    name = "lotteries"
    signature = Signature((Kind.TREE,), Shape.LISTING, frozenset({"parameters", "limit"}))

    def make(self, arguments: Arguments) -> Question:
        return LotteriesQuestion(arguments.tree, arguments.assignment,
                                 arguments.option_int("limit") or plans.DEFAULT_LIMIT)

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, LotteriesQuestion)
        tree = question.tree.node
        rows = tuple((plans.describe_plan(tree, row.plan) or "(no choices)", row.lottery)
                     for row in plans.plans(tree, question.limit))
        listed = [{"plan": plan, "lottery": {o: str(q) for o, q in lottery.items()}}
                  for plan, lottery in rows]
        return Answer(f"{len(rows)} plan{'s' if len(rows) != 1 else ''}", listed,
                      PlanLotteries(rows, context.spec.outcomes))


class Reachable(Family):
    name = "reachable"
    signature = Signature((Kind.TREE,), Shape.OUTCOMES, symbolic_ok=True)

    def make(self, arguments: Arguments) -> Question:
        return ReachableQuestion(arguments.tree)

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, ReachableQuestion)
        reach = plans.reachable_outcomes(question.tree.node)
        ordered = [o for o in context.spec.outcomes if o in reach]
        return Answer("{" + ", ".join(ordered) + "}", ordered, Evidence(),
                      comparable=frozenset(ordered))


FAMILIES: tuple[Family, ...] = (Strategies("strategies"), Strategies("plans"), Lotteries(),
                                Reachable())
