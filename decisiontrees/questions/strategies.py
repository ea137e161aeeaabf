"""`strategies(t)`, `plans(t)`, `lotteries(t)`, `reachable(t)`: counting and listing what a
tree allows (docs/theory.md §1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees.analyses import plans
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
    lottery_text,
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
class Counts(Evidence):
    plans: int
    pure_strategies: int
    reduced: bool  # the question counted plans; the line gives the other count

    def lines(self) -> tuple[str, ...]:
        if self.reduced:
            pure = self.pure_strategies
            return (f"{pure} pure {'strategy' if pure == 1 else 'strategies'} "
                    "(an action at every choice node, reachable or not)",)
        return (f"{self.plans} {'plan' if self.plans == 1 else 'plans'} "
                "(an action only at the choice nodes a strategy reaches)",)

    def to_json(self) -> dict[str, JSON]:
        return {"plans": self.plans, "pure_strategies": self.pure_strategies}


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
        count_plans = plans.count_plans(tree)
        pure = plans.count_pure_strategies(tree)
        evidence = Counts(count_plans, pure, question.reduced)
        if question.reduced:
            return Answer(f"{count_plans} {'plan' if count_plans == 1 else 'plans'}", count_plans,
                          evidence, comparable=Fraction(count_plans))
        return Answer(f"{pure} pure {'strategy' if pure == 1 else 'strategies'}", pure, evidence,
                      comparable=Fraction(pure))


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
