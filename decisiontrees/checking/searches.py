"""`search NAME(t, s) where CONDITION [with settings] [expect found|none]`, checked.

The condition's claims are checked as claims are, with the search's tree variables standing
for trees (a placeholder during the check; the candidates when the search runs).
"""

from __future__ import annotations

import dataclasses
import os
from fractions import Fraction

from decisiontrees.analyses.enumeration import Bounds, chance_vectors
from decisiontrees.checking.arithmetic import evaluate, is_expression
from decisiontrees.checking.statements import StatementChecker
from decisiontrees.language.syntax import (
    Asked,
    Call,
    Claim,
    Connective,
    Keyword,
    MappingLit,
    NumberList,
    Ref,
    Search,
    SetLit,
    Setting,
    Var,
)
from decisiontrees.model.nodes import choice, leaf
from decisiontrees.model.spec import Statement, StatementKind
from decisiontrees.questions.base import Kind, Shape
from decisiontrees.questions.registry import QUESTIONS
from decisiontrees.questions.search import Condition, SearchQuestion

MAX_NODES = 12
MAX_BRANCHING = 4
SETTINGS = ("nodes", "depth", "branching", "kinds", "probabilities", "outcomes", "hits",
            "timeout", "workers")
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))
# options that do not name outcomes: a condition using only these is symmetric in outcomes
NEUTRAL_OPTIONS = frozenset({"samples", "seed", "timeout", "limit"})


class SearchChecker:
    def __init__(self, statements: StatementChecker) -> None:
        self.statements = statements
        self.names = statements.names
        self.reporter = statements.reporter
        self.searches: dict[str, int] = {}  # name -> line: figures and checkpoints use it

    def check(self, item: Search) -> Statement | None:
        errors_before = self.reporter.count
        if item.name in self.searches:
            self.reporter.error(item.name_span, f"a search named `{item.name}` is already "
                                f"declared on line {self.searches[item.name]}",
                                "name each search differently: its figures and its progress "
                                "in a checkpoint file are named after it")
            return None
        self.searches[item.name] = item.span.line
        if len(set(item.variables)) != len(item.variables):
            self.reporter.error(item.name_span, f"search {item.name}: a tree variable is named "
                                "twice")
            return None
        used = _names_in(item.condition)
        unused = [v for v in item.variables if v not in used]
        if unused:
            self.reporter.error(item.name_span, f"search {item.name}: the tree variable "
                                f"`{unused[0]}` is not used in the condition",
                                "each variable multiplies the trees examined; drop it")
            return None
        for variable in item.variables:
            if self.names.kind(variable) is not None:
                self.reporter.error(item.name_span, f"search {item.name}: `{variable}` is "
                                    "already declared; name the search's trees differently")
                return None
        outcomes = tuple(self.names.outcomes)
        # a placeholder that every question accepts: a first choice with actions a1, a2, …
        # (a spec without outcomes still gets one, so its other problems are reported)
        placeholder = choice({f"a{i + 1}": leaf(o) for i, o in enumerate(outcomes[:4] or ("_",))})
        for variable in item.variables:
            self.names.kinds[variable] = ("tree", item.name_span)
            self.names.trees[variable] = placeholder
        try:
            condition = self.condition(item.condition)
        finally:
            for variable in item.variables:
                del self.names.kinds[variable]
                del self.names.trees[variable]
        settings = self.settings(item, outcomes)
        if item.expect not in (None, "found", "none"):
            assert item.expect_span is not None
            self.reporter.error(item.expect_span, f"expect `{item.expect}`?",
                                "write `expect found` or `expect none`")
        if condition is None or settings is None or self.reporter.count > errors_before:
            return None
        bounds, hits, timeout, workers = settings
        ordered = condition.in_order()
        question = SearchQuestion(item.name, item.variables, condition,
                                  dataclasses.replace(bounds, ordered=ordered),
                                  not ordered and _symmetric(
                                      item.condition, set(item.variables),
                                      set(self.names.names("distribution"))), hits,
                                  workers, _swappable(item.condition, item.variables))
        kind = StatementKind.QUERY if item.expect is None else StatementKind.CLAIM
        return Statement(kind, "search", question, item.expect == "none", None, None,
                         self.reporter.text_at(item.span), item.span,
                         float(timeout) if timeout is not None else None)

    def condition(self, syntax: Asked | Connective) -> Condition | None:
        if isinstance(syntax, Connective):
            parts = [self.condition(part) for part in syntax.parts]
            if any(part is None for part in parts):
                return None
            # cheap questions first: `and` stops at the first part that fails, `or` at the
            # first that holds, and the answer does not depend on the order
            ordered = sorted((p for p in parts if p is not None), key=_cost)
            return Condition(syntax.word, tuple(ordered))
        checked = self.statements.question(syntax.call)
        if checked is None:
            return None
        family, question, _ = checked
        claim = Claim(False, syntax.call, syntax.op, syntax.expected, syntax.span)
        if not self.statements.claim_form(claim, family):
            return None
        expected: object = None
        if isinstance(syntax.expected, Call):
            expected = self.statements.other_answer(syntax.expected, family)
            if expected is None:
                return None
        elif syntax.expected is not None:
            expected = self.statements.expected_value(syntax.expected, family)
            if expected is None:
                return None
        text = "claim " + self.reporter.text_at(syntax.span)
        # actions a1, a2, … follow the children's order, and plans are written with them
        sides = [family] + ([QUESTIONS[syntax.expected.name]] if isinstance(syntax.expected, Call)
                            and syntax.expected.name in QUESTIONS else [])
        names_actions = any(side.signature.shape == Shape.SET
                            or Kind.ACTION in side.signature.arguments + side.signature.optional
                            for side in sides)
        return Condition("claim", statement=Statement(
            StatementKind.CLAIM, syntax.call.name, question, False, syntax.op, expected, text,
            syntax.span), ordered=names_actions)

    def settings(self, item: Search, outcomes: tuple[str, ...]
                 ) -> tuple[Bounds, int | None, Fraction | None, int] | None:
        given: dict[str, Setting] = {}
        for setting in item.settings:
            if setting.name not in SETTINGS:
                self.reporter.error(setting.span, f"a search has no setting `{setting.name}`",
                                    "the settings are " + ", ".join(SETTINGS))
                return None
            if setting.name in given:
                self.reporter.error(setting.span, f"`{setting.name}` is given twice")
                return None
            given[setting.name] = setting
        nodes = self.whole(given.get("nodes"), 1, MAX_NODES, 5)
        depth = self.whole(given.get("depth"), 0, MAX_NODES, None)
        branching = self.whole(given.get("branching"), 2, MAX_BRANCHING, 2)
        kinds = self.words(given.get("kinds"), {"choice", "chance"}, {"choice", "chance"})
        chosen = self.words(given.get("outcomes"), set(outcomes), set(outcomes))
        probabilities = self.probabilities(given.get("probabilities"))
        hits = self.hits(given.get("hits"))
        workers = self.whole(given.get("workers"), 1, 64, DEFAULT_WORKERS)
        timeout = self.statements.seconds(_keyword(given["timeout"])) \
            if "timeout" in given else None
        if None in (nodes, branching, kinds, chosen, probabilities, workers) or hits is False or \
                ("depth" in given and depth is None) or ("timeout" in given and timeout is None):
            return None
        assert nodes is not None and branching is not None and kinds is not None
        assert chosen is not None and probabilities is not None and hits is not False
        if "chance" in kinds and not self.summing(given.get("probabilities"), probabilities,
                                                  branching):
            return None
        bounds = Bounds(tuple(o for o in outcomes if o in chosen), nodes, depth, branching,
                        frozenset(kinds), probabilities)
        assert workers is not None
        return bounds, hits, timeout, workers

    def whole(self, setting: Setting | None, low: int, high: int, default: int | None
              ) -> int | None:
        if setting is None:
            return default
        given = setting.value
        value = evaluate(given, self.reporter, what="a whole number") \
            if not isinstance(given, NumberList) and is_expression(given) else None
        if value is None or value.denominator != 1 or not low <= value <= high:
            self.reporter.error(setting.value.span, f"`{setting.name}` is a whole number from "
                                f"{low} to {high}")
            return None
        return int(value)

    def words(self, setting: Setting | None, allowed: set[str], default: set[str]
              ) -> set[str] | None:
        if setting is None:
            return default
        value = setting.value
        members = {m.name for m in value.members} if isinstance(value, SetLit) else None
        if members is None or not members or not members <= allowed:
            self.reporter.error(value.span, f"`{setting.name}` is a set of "
                                + ", ".join(sorted(allowed)), f"e.g. `{setting.name} = "
                                f"{{{', '.join(sorted(allowed))}}}`")
            return None
        return members

    def probabilities(self, setting: Setting | None) -> tuple[Fraction, ...] | None:
        if setting is None:
            return (Fraction(1, 2),)
        value = setting.value
        items = value.items if isinstance(value, NumberList) else \
            (value,) if is_expression(value) else None
        numbers = [evaluate(x, self.reporter, what="a probability") for x in items or ()]
        if items is None or any(n is None or not 0 < n < 1 for n in numbers):
            self.reporter.error(value.span, "`probabilities` are numbers strictly between 0 "
                                "and 1", "e.g. `probabilities = [1/3, 2/3]`")
            return None
        return tuple(sorted({n for n in numbers if n is not None}))

    def summing(self, setting: Setting | None, probabilities: tuple[Fraction, ...],
                branching: int) -> bool:
        """Whether every probability is a branch of some chance node: 2 to ``branching`` of
        them summing to 1 (a chance node no set makes would leave a search complete over
        fewer trees than its bounds say)."""
        used = {p for vector in chance_vectors(probabilities, branching) for p in vector}
        unused = [p for p in probabilities if p not in used]
        if setting is None or not unused:
            return True
        how_many = "2" if branching == 2 else f"2 to {branching}"
        self.reporter.error(setting.value.span, f"no {how_many} of the probabilities "
                            f"sum to 1 with {unused[0]} among them, so no chance node could "
                            f"have a branch of {unused[0]}",
                            "e.g. `probabilities = [1/3, 2/3]`; a larger `branching` admits "
                            "more sets")
        return False

    def hits(self, setting: Setting | None) -> int | None | bool:
        """How many hits to report: a number, ``all`` (None), or ``count`` (0); False on error."""
        if setting is None:
            return 1
        value = setting.value
        if isinstance(value, Var) and value.name in ("all", "count"):
            return None if value.name == "all" else 0
        number = evaluate(value, self.reporter, what="a whole number") \
            if not isinstance(value, (NumberList, Var)) and is_expression(value) else None
        if number is None or number.denominator != 1 or not 1 <= number <= 10_000:
            self.reporter.error(value.span, "`hits` is a whole number from 1 to 10000, `all` "
                                "or `count`", "e.g. `hits = 5`; `hits = all` reports every "
                                "hit, `hits = count` only counts them")
            return False
        return int(number)


def _keyword(setting: Setting) -> Keyword:
    assert not isinstance(setting.value, NumberList)
    return Keyword(setting.name, setting.value, setting.span)


def _names_in(syntax: object) -> set[str]:
    """Every name (``Var`` or ``Ref``) anywhere in a piece of syntax."""
    if isinstance(syntax, (Var, Ref)):
        return {syntax.name}
    if isinstance(syntax, (tuple, list)):
        return set().union(*(_names_in(part) for part in syntax))
    if dataclasses.is_dataclass(syntax) and not isinstance(syntax, type):
        return set().union(*(_names_in(getattr(syntax, f.name))
                             for f in dataclasses.fields(syntax)))
    return set()


# how expensive each question usually is, to examine cheap conjuncts first (others: 1)
COSTS = {**dict.fromkeys(("value", "optimal", "strategies", "plans", "lotteries", "reachable"), 0),
         **dict.fromkeys(("permuted_inclusion", "permuted_interiority", "choices", "chosen", "tie",
                          "prefers", "power", "plan_probabilities", "outcome_probabilities",
                          "region"), 2),
         **dict.fromkeys(("convergence", "distribution_dependent", "orbit_share"), 3)}


def _cost(condition: Condition) -> int:
    if condition.statement is not None:
        return COSTS.get(condition.statement.name, 1)
    return max(_cost(part) for part in condition.parts)


# questions whose answer does not change when their two trees are exchanged
SYMMETRIC_IN_TREES = frozenset({"equivalent", "incomparable", "distribution_dependent"})
SYMMETRIC_WORDS = frozenset({"equivalent", "incomparable"})  # of compare(t, s)


def _swappable(condition: Asked | Connective, variables: tuple[str, ...]) -> bool:
    """Whether exchanging the two tree variables cannot change the condition: every call in
    it asks a question symmetric in its two trees about exactly those two (``compare`` only
    against equivalent or incomparable)."""
    if len(variables) != 2:
        return False
    if isinstance(condition, Connective):
        return all(_swappable(part, variables) for part in condition.parts)
    call = condition.call
    trees = [a.name for a in call.arguments[:2] if isinstance(a, Var)]
    if sorted(trees) != sorted(variables) or isinstance(condition.expected, Call):
        return False
    if any(isinstance(a, Var) and a.name in variables for a in call.arguments[2:]):
        return False
    if call.name in SYMMETRIC_IN_TREES:
        return True
    return call.name == "compare" and isinstance(condition.expected, Var) \
        and condition.expected.name in SYMMETRIC_WORDS


def _symmetric(condition: Asked | Connective, variables: set[str], laws: set[str]) -> bool:
    """Whether the condition names no outcome, utility, class or lottery: then renaming the
    outcomes of every tree at once cannot change whether it holds."""
    if isinstance(condition, Connective):
        return all(_symmetric(part, variables, laws) for part in condition.parts)
    calls = [condition.call] + ([condition.expected] if isinstance(condition.expected, Call)
                                else [])
    for call in calls:
        for argument in call.arguments:
            if isinstance(argument, Keyword):
                if argument.name not in NEUTRAL_OPTIONS:
                    return False
            elif isinstance(argument, Var):
                if argument.name not in variables | laws:
                    return False
            elif isinstance(argument, (MappingLit, SetLit)) or not isinstance(argument, Call):
                return False
    return not isinstance(condition.expected, (MappingLit, SetLit))
