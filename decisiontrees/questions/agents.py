"""What random agents do: `choices`, `chosen`, `tie`, `prefers`, `power` (docs/theory.md §5–6).

Exact where the law has a polynomial density (and, on a tree with one parameter, exact
piecewise functions of it); otherwise a seeded Monte Carlo estimate, which no claim rests on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees.analyses import agents, parametric_agents, rules
from decisiontrees.analyses.agents import Number, Sampling
from decisiontrees.analyses.parametric_agents import PiecewiseAnswer
from decisiontrees.errors import TooManyLotteries, Unsupported
from decisiontrees.language.diagnostics import suggest
from decisiontrees.model.laws import UNIFORM, Distribution
from decisiontrees.model.nodes import Choice, Node, is_symbolic
from decisiontrees.model.rules import OPTIMAL, DecisionRule
from decisiontrees.model.spec import Question, TreeArg
from decisiontrees.model.symbols import free_parameters
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
    exact_text,
    refused,
)
from decisiontrees.questions.base import Lines as TextEvidence


@dataclass(frozen=True)
class RandomAgentQuestion(Question):
    """choices, chosen, tie, prefers or power: what random agents do."""

    kind: str
    tree: TreeArg
    other: TreeArg | None
    action: str | None
    distribution: Distribution
    samples: int | None  # Monte Carlo even where an exact answer exists
    seed: int
    rule: DecisionRule = OPTIMAL
    width: Fraction = rules.DEFAULT_WIDTH  # of a certified interval (Boltzmann)
    width_given: bool = False


def interval_text(interval: tuple[Fraction, Fraction]) -> str:
    """A certified interval with its ends rounded outwards to 8 decimals."""
    low = math.floor(interval[0] * 10**8) / 10**8
    high = math.ceil(interval[1] * 10**8) / 10**8
    return f"[{low:.8f}, {high:.8f}]"


@dataclass(frozen=True)
class ChoiceEvidence(Evidence):
    """The probability of each first action (ties split equally) and of a tie, under the
    agent's decision rule."""

    actions: tuple[str, ...]
    chosen: tuple[Number, ...]
    tie: Number
    method: str
    distribution: str
    brief: bool = False  # `choices`: the summary already lists the actions
    rule: str = "optimal"
    intervals: tuple[tuple[Fraction, Fraction], ...] | None = None  # certified, for Boltzmann
    tie_interval: tuple[Fraction, Fraction] | None = None

    def shown(self) -> tuple[str, ...]:
        if self.intervals is not None:
            return tuple(interval_text(i) for i in self.intervals)
        return tuple(str(p) for p in self.chosen)

    def lines(self) -> tuple[str, ...]:
        tail: tuple[str, ...] = (self.method, f"distribution: {self.distribution}")
        if self.rule != "optimal":
            tail = (f"rule: {self.rule}", *tail)
        if self.brief:
            return tail
        tie = interval_text(self.tie_interval) if self.tie_interval else str(self.tie)
        return tuple(f"{a}: {p}" for a, p in zip(self.actions, self.shown())) + \
            (f"tie: {tie}",) + tail

    def to_json(self) -> dict[str, JSON]:
        found: dict[str, JSON] = {
            "method": self.method, "distribution": self.distribution, "rule": self.rule,
            "chosen": {a: str(p) for a, p in zip(self.actions, self.chosen)},
            "tie": str(self.tie)}
        if self.intervals is not None:
            found["intervals"] = {a: [str(lo), str(hi)]
                                  for a, (lo, hi) in zip(self.actions, self.intervals)}
        return found


@dataclass(frozen=True)
class PreferEvidence(Evidence):
    left: str
    right: str
    better: Number
    tie: Number
    worse: Number
    method: str
    distribution: str

    def lines(self) -> tuple[str, ...]:
        return (f"P[V({self.left}) > V({self.right})] = {self.better}",
                f"P[V({self.left}) = V({self.right})] = {self.tie}",
                f"P[V({self.left}) < V({self.right})] = {self.worse}", self.method,
                f"distribution: {self.distribution}")

    def to_json(self) -> dict[str, JSON]:
        return {"method": self.method, "distribution": self.distribution,
                "better": str(self.better), "tie": str(self.tie), "worse": str(self.worse)}


@dataclass(frozen=True)
class PowerEvidence(Evidence):
    tree: str
    power: Number
    method: str
    distribution: str

    def lines(self) -> tuple[str, ...]:
        return (f"POWER = E[V_u({self.tree})] = {self.power}", self.method,
                f"distribution: {self.distribution}")

    def to_json(self) -> dict[str, JSON]:
        return {"method": self.method, "distribution": self.distribution}


@dataclass(frozen=True)
class PiecewiseEvidence(Evidence):
    method: str
    distribution: str

    def lines(self) -> tuple[str, ...]:
        return (self.method, f"distribution: {self.distribution}")

    def to_json(self) -> dict[str, JSON]:
        return {"method": self.method, "distribution": self.distribution}


def _number_answer(value: Number, evidence: Evidence) -> Answer:
    """An exact Fraction, or an estimate (which no claim can rest on)."""
    if value.exact:
        return Answer(exact_text(value.value), str(value.value), evidence, comparable=value.value)
    estimate = {"estimate": value.value, "half_width_95": value.half_width}
    return Answer(f"{value} (estimate)", estimate, evidence, exact=False)


def _rule_answer(found: rules.RuleChoice, index: int | None, evidence: Evidence) -> Answer:
    """One share (``index``) or the tie (None): exact, a certified interval, or an estimate."""
    number = found.tie if index is None else found.chosen[index]
    interval = found.tie_interval if index is None else \
        found.intervals[index] if found.intervals is not None else None
    if interval is not None:
        return Answer(f"in {interval_text(interval)} (certified)",
                      {"lower": str(interval[0]), "upper": str(interval[1])}, evidence,
                      exact=False, comparable=Bounds(*interval))  # bounds, not the value
    return _number_answer(number, evidence)


class RandomAgent(Family):
    def __init__(self, name: str, shape: Shape, arguments: tuple[Kind, ...] = (Kind.TREE,),
                 rules_ok: bool = True) -> None:
        self.name = name
        options = {"parameters", "samples", "seed"} | ({"rule", "width"} if rules_ok else set())
        self.signature = Signature(arguments, shape, frozenset(options),
                                   optional=(Kind.DISTRIBUTION,), symbolic_ok=True)

    def make(self, arguments: Arguments) -> Question:
        return RandomAgentQuestion(self.name, arguments.tree, arguments.other, arguments.action,
                                   arguments.distribution or UNIFORM,
                                   arguments.option_int("samples"),
                                   arguments.option_int("seed") or 0,
                                   arguments.options.get("rule", OPTIMAL),
                                   arguments.options.get("width", rules.DEFAULT_WIDTH),
                                   "width" in arguments.options)

    def problems(self, question: Question) -> list[tuple[str, str | None]]:
        """A single law, and for choices a tree that starts with a choice having the action."""
        assert isinstance(question, RandomAgentQuestion)
        if isinstance(question.rule, str):
            return [(f"`{question.rule}` is a rule for choice under a utility class",
                     f"ask admissible(tree, class, rule = {question.rule})")]
        if question.distribution.kind == "admissible":
            return [(f"{self.name}() needs one distribution; `admissible` is a family whose "
                     "members disagree",
                     "ask convergence(), distribution_dependent() or orbit_share()")]
        if question.width_given and question.rule.kind != "boltzmann":
            return [("`width` is the width of a Boltzmann rule's certified interval; "
                     f"rule {question.rule} answers exactly or by samples",
                     "leave `width` out, or ask with rule = boltzmann(T)")]
        if self.name in ("choices", "chosen", "tie"):
            root = question.tree.node
            if not isinstance(root, Choice):
                mdp = question.tree.mdp
                if mdp is not None and mdp.horizon == 1:
                    return [(f"with `horizon = 1` only `{question.tree.name}` itself counts: no "
                             "action is taken", "ask with a horizon of 2 or more")]
                return [(f"{self.name}() asks about the first choice of `{question.tree.name}`, "
                         "which does not start with a choice", None)]
            if question.action is not None and question.action not in root.actions:
                from_actions = "its actions are " + ", ".join(root.actions)
                return [(f"`{question.tree.name}` has no first action `{question.action}`",
                         suggest(question.action, root.actions) or from_actions)]
        return []

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, RandomAgentQuestion)
        trees = [question.tree.node] + ([question.other.node] if question.other else [])
        if any(is_symbolic(t) for t in trees):
            if not question.rule.is_optimal:
                return refused(f"under rule {question.rule} the trees' parameters need values, "
                               "e.g. p = 1/2")
            return _parametric(question, context)
        try:
            return self._answer(question, context)
        except TooManyLotteries as problem:
            return refused(f"{problem}; an exact answer would enumerate them (ask with "
                           "samples = N)")

    def _answer(self, question: RandomAgentQuestion, context: Context) -> Answer:
        outcomes = context.spec.outcomes
        law = question.distribution
        sampling = Sampling(question.samples, question.seed) if question.samples is not None \
            else None
        if law.polynomial_density() is None and sampling is None:
            sampling = Sampling(seed=question.seed)
        shown = str(law)
        if not question.rule.is_optimal:
            return self._under_rule(question, context, sampling)
        if self.name in ("choices", "chosen", "tie"):
            root = question.tree.node
            assert isinstance(root, Choice)
            found = agents.choice_probabilities(root.children, outcomes, law, sampling)
            evidence = ChoiceEvidence(root.actions, found.chosen, found.tie, found.method, shown,
                                      brief=self.name == "choices")
            if self.name == "choices":
                summary = ", ".join(f"{a}: {p}" for a, p in zip(root.actions, found.chosen)) + \
                    f"; tie {found.tie}"
                return Answer(summary, evidence.to_json(), evidence, exact=found.tie.exact)
            if self.name == "tie":
                return _number_answer(found.tie, evidence)
            assert question.action is not None
            return _number_answer(found.chosen[root.actions.index(question.action)], evidence)
        if self.name == "prefers":
            assert question.other is not None
            pair = agents.prefer_probability(question.tree.node, question.other.node, outcomes,
                                             law, sampling)
            return _number_answer(pair.better, PreferEvidence(
                question.tree.name, question.other.name, pair.better, pair.tie, pair.worse,
                pair.method, shown))
        found_power = agents.power(question.tree.node, outcomes, law, sampling)
        return _number_answer(found_power.power, PowerEvidence(
            question.tree.name, found_power.power, found_power.method, shown))


    def _under_rule(self, question: RandomAgentQuestion, context: Context,
                    sampling: Sampling | None) -> Answer:
        """choices, chosen, tie and prefers under a rule other than the optimiser; prefers
        asks how often the rule picks an option only the left tree offers, in a choice between
        the two (an option both offer is the tie, as for the optimiser's P[V(t) > V(s)])."""
        children: tuple[Node, ...]
        actions: tuple[str, ...]
        if self.name == "prefers":
            assert question.other is not None
            children = (question.tree.node, question.other.node)
            actions = (question.tree.name, question.other.name)
            if actions[0] == actions[1]:  # prefers(t, t): two sides, and two JSON keys
                actions = (f"{actions[0]} (first)", f"{actions[1]} (second)")
        else:
            root = question.tree.node
            assert isinstance(root, Choice)
            children, actions = root.children, root.actions
        found = rules.rule_choice(children, context.spec.outcomes, question.rule,
                                  question.distribution, sampling, question.width,
                                  apart=self.name == "prefers")
        evidence = ChoiceEvidence(actions, found.chosen, found.tie, found.method,
                                  str(question.distribution), self.name == "choices",
                                  str(question.rule), found.intervals, found.tie_interval)
        if self.name == "choices":
            summary = ", ".join(f"{a}: {p}" for a, p in zip(actions, evidence.shown()))
            return Answer(summary, evidence.to_json(), evidence,
                          exact=all(c.exact for c in found.chosen))
        if self.name == "tie":
            return _rule_answer(found, None, evidence)
        index = 0 if self.name == "prefers" else actions.index(question.action or "")
        return _rule_answer(found, index, evidence)


def _parametric(question: RandomAgentQuestion, context: Context) -> Answer:
    """On a tree with one free parameter: an exact piecewise function of it."""
    trees = [question.tree.node] + ([question.other.node] if question.other else [])
    names = sorted(set().union(*(free_parameters(t) for t in trees)))
    law = question.distribution
    density = law.polynomial_density()
    if len(names) != 1:
        return refused(f"an exact answer in the parameters handles one; these trees have "
                       f"{', '.join(names)} (give values, e.g. {names[0]} = 1/2)")
    if density is None or question.samples is not None:
        return refused("Monte Carlo and laws without a polynomial density need parameter "
                       f"values, e.g. {names[0]} = 1/2")
    parameter = context.spec.parameters[names[0]]
    outcomes = context.spec.outcomes
    found: PiecewiseAnswer
    try:
        if question.kind in ("choices", "chosen", "tie"):
            root = question.tree.node
            assert isinstance(root, Choice)
            if question.kind == "choices":
                parts = [f"{a}: " + parametric_agents.choice_pieces(
                    root, outcomes, density, parameter, k).text() for k, a in enumerate(root.actions)]
                return Answer("; ".join(parts), {"pieces": parts}, TextEvidence(tuple(parts)))
            index = None if question.kind == "tie" else root.actions.index(question.action or "")
            found = parametric_agents.choice_pieces(root, outcomes, density, parameter, index)
        elif question.kind == "prefers":
            assert question.other is not None
            found = parametric_agents.prefer_pieces(question.tree.node, question.other.node,
                                                    outcomes, density, parameter)
        else:
            found = parametric_agents.power_pieces(question.tree.node, outcomes, density,
                                                   parameter)
    except Unsupported as problem:
        return refused(f"{problem}; give a value, e.g. {parameter.name} = 1/2")
    text = found.text()
    evidence = PiecewiseEvidence(f"{agents.EXACT_METHOD}, piecewise in {parameter.name}", str(law))
    return Answer(text, {"pieces": text}, evidence, comparable=found)


@dataclass(frozen=True)
class PlanChoiceQuestion(Question):
    """plan_probabilities or outcome_probabilities: the random agent's whole choice."""

    kind: str
    tree: TreeArg
    distribution: Distribution
    samples: int | None
    seed: int
    limit: int


@dataclass(frozen=True)
class PlanChoiceEvidence(Evidence):
    """Each plan group's probability (plans with one lottery together) and each outcome's."""

    found: agents.PlanAnswer
    distribution: str

    def lines(self) -> tuple[str, ...]:
        shown = []
        for group in self.found.groups:
            if len(group.plans) > 1:
                shown.append(f"{' | '.join(group.plans)}: {group.probability} together (the "
                             "same lottery; ties between them are split at each node)")
            else:
                shown.append(f"{group.plans[0]}: {group.probability}")
        reached = ", ".join(f"{o}: {p}" for o, p in self.found.outcomes.items())
        return (*shown, f"outcomes: {reached}", self.found.method,
                f"distribution: {self.distribution}")

    def to_json(self) -> dict[str, JSON]:
        def number(value: Number) -> JSON:
            return str(value.value) if value.exact else \
                {"estimate": float(value.value), "half_width_95": value.half_width}

        return {"plans": [{"plans": list(g.plans), "probability": number(g.probability),
                           "lottery": {o: str(q) for o, q in g.lottery.items()}}
                          for g in self.found.groups],
                "outcomes": {o: number(p) for o, p in self.found.outcomes.items()},
                "method": self.found.method, "distribution": self.distribution}


class PlanChoices(Family):
    """`plan_probabilities(t)` and `outcome_probabilities(t)`: how likely each plan and each
    outcome is when a random agent plans optimally in ``t``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.signature = Signature((Kind.TREE,), Shape.LISTING,
                                   frozenset({"parameters", "samples", "seed", "limit"}),
                                   optional=(Kind.DISTRIBUTION,))

    def make(self, arguments: Arguments) -> Question:
        return PlanChoiceQuestion(self.name, arguments.tree, arguments.distribution or UNIFORM,
                                  arguments.option_int("samples"),
                                  arguments.option_int("seed") or 0,
                                  arguments.option_int("limit") or agents.DEFAULT_PLAN_LIMIT)

    def problems(self, question: Question) -> list[tuple[str, str | None]]:
        assert isinstance(question, PlanChoiceQuestion)
        if question.distribution.kind == "admissible":
            return [(f"{self.name}() needs one distribution; `admissible` is a family whose "
                     "members disagree", None)]
        return []

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, PlanChoiceQuestion)
        sampling = Sampling(question.samples, question.seed) \
            if question.samples is not None else None
        try:
            found = agents.plan_probabilities(question.tree.node, context.spec.outcomes,
                                              question.distribution, sampling, question.limit)
        except TooManyLotteries as problem:
            return refused(f"{problem}; ask with samples = N")
        evidence = PlanChoiceEvidence(found, str(question.distribution))
        exact = all(g.probability.exact for g in found.groups)
        if self.name == "plan_probabilities":
            summary = "; ".join(f"{' | '.join(g.plans)}: {g.probability}" for g in found.groups)
        else:
            summary = ", ".join(f"{o}: {p}" for o, p in found.outcomes.items())
        return Answer(summary + ("" if exact else " (estimate)"), evidence.to_json(), evidence,
                      exact=exact)


FAMILIES: tuple[Family, ...] = (
    RandomAgent("choices", Shape.LISTING), RandomAgent("chosen", Shape.NUMBER, (Kind.TREE, Kind.ACTION)),
    RandomAgent("tie", Shape.NUMBER), RandomAgent("prefers", Shape.NUMBER, (Kind.TREE, Kind.OTHER)),
    RandomAgent("power", Shape.NUMBER, rules_ok=False),
    PlanChoices("plan_probabilities"), PlanChoices("outcome_probabilities"))
