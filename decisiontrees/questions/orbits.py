"""Tarsney's whole admissible family: `convergence`, `distribution_dependent`, `orbit_share`
(docs/theory.md §5)."""

from __future__ import annotations

from dataclasses import dataclass

from decisiontrees.analyses import orbits, rule_orbits
from decisiontrees.analyses.orbits import Orbit, Share, Strength
from decisiontrees.analyses.plans import reachable_outcomes
from decisiontrees.analyses.rule_orbits import RuleShare
from decisiontrees.model.rules import OPTIMAL, DecisionRule
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
    Status,
    utility_text,
)

CONVERGENCE_LEVELS = ("none", "weak", "strict", "absolute")


@dataclass(frozen=True)
class OrbitQuestion(Question):
    """convergence, distribution_dependent or orbit_share, for the pair as the two
    alternatives of one choice node."""

    kind: str
    tree: TreeArg
    other: TreeArg
    over: frozenset[str] | None  # the outcome set O orbits permute; None: every declared one
    rule: DecisionRule | str = OPTIMAL  # orbit_share only


def orbit_json(orbit: Orbit | None) -> JSON:
    if orbit is None:
        return None
    # left and right split the tied members between the trees; better, tied and worse do not
    # (a rule's share counts the tied members with the left tree, as its text says)
    return {"utility": {o: str(v) for o, v in orbit.utility.items()}, "left": str(orbit.left),
            "right": str(orbit.right), "better": orbit.better, "tied": orbit.tied,
            "worse": orbit.worse, "permutations": orbit.size}


@dataclass(frozen=True)
class ConvergenceEvidence(Evidence):
    strength: Strength
    left: str
    right: str

    def lines(self) -> tuple[str, ...]:
        strength = self.strength
        shown = list(strength.reasons)
        if strength.witness is not None:
            shown.append(f"witness: {strength.witness.text(self.left, self.right)}")
        elif strength.favourable is not None and strength.level == "strict":
            shown.append(f"an orbit preferring {self.left}: "
                         f"{strength.favourable.text(self.left, self.right)}")
        return tuple(shown)

    def witness(self) -> str | None:
        orbit = self.strength.witness or (self.strength.favourable
                                          if self.strength.level == "strict" else None)
        return None if orbit is None else f"orbit of u = {utility_text(orbit.utility)}"

    def to_json(self) -> dict[str, JSON]:
        return {"proven_at_least": self.strength.lower, "reasons": list(self.strength.reasons),
                "witness": orbit_json(self.strength.witness)}


@dataclass(frozen=True)
class DependenceEvidence(Evidence):
    left: str
    right: str
    better: Orbit | None
    worse: Orbit | None
    reasons: tuple[str, ...] = ()  # why it is not distribution dependent, or undecided

    def lines(self) -> tuple[str, ...]:
        if self.reasons:
            return self.reasons
        shown = []
        if self.better:
            shown.append(f"an orbit preferring {self.left}: "
                         f"{self.better.text(self.left, self.right)}")
        if self.worse:
            shown.append(f"an orbit preferring {self.right}: "
                         f"{self.worse.text(self.left, self.right)}")
        return tuple(shown)

    def witness(self) -> str | None:
        found = [f"orbit of u = {utility_text(o.utility)}" for o in (self.better, self.worse)
                 if o is not None]
        return "; ".join(found) or None

    def to_json(self) -> dict[str, JSON]:
        return {"left_orbit": orbit_json(self.better), "right_orbit": orbit_json(self.worse)}


@dataclass(frozen=True)
class ShareEvidence(Evidence):
    share: Share
    left: str
    right: str

    def lines(self) -> tuple[str, ...]:
        share = self.share
        shown = ["the share of an orbit that weakly prefers "
                 f"{self.left} (V({self.left}) >= V({self.right}))",
                 f"at least {share.lower}: {share.lower_reason}"]
        if share.upper_orbit is not None:
            shown.append(f"at most {share.upper}: {share.upper_orbit.text(self.left, self.right)}")
        elif share.upper_reason:
            shown.append(f"at most {share.upper}: {share.upper_reason}")
        return tuple(shown)

    def witness(self) -> str | None:
        orbit = self.share.upper_orbit
        return None if orbit is None else f"orbit of u = {utility_text(orbit.utility)}"

    def to_json(self) -> dict[str, JSON]:
        share = self.share
        return {"lower": str(share.lower), "upper": str(share.upper),
                "lower_reason": share.lower_reason, "involutions": list(share.involutions),
                "upper_orbit": orbit_json(share.upper_orbit),
                "upper_reason": share.upper_reason or None}


@dataclass(frozen=True)
class RuleShareEvidence(Evidence):
    share: RuleShare
    left: str
    right: str
    rule: str

    def lines(self) -> tuple[str, ...]:
        share = self.share
        reason = _named(share.lower_reason, self.left, self.right)
        shown = [f"rule: {self.rule}; the share of an orbit whose members pick {self.left} at "
                 f"least as often as {self.right}", f"at least {share.lower}: {reason}"]
        if share.upper_orbit is not None:
            shown.append(f"at most {share.upper}: {share.upper_orbit.text(self.left, self.right)}"
                         .replace("value " + self.left + " more", "lean to " + self.left)
                         .replace("value both equally", "are even")
                         .replace("value " + self.right + " more", "lean to " + self.right))
        if share.lower < share.upper or share.upper_orbit is not None:  # counting mattered
            shown.append(f"orbits counted exactly: {share.tried} (seeded random utilities over "
                         f"{', '.join(share.over)})")
        return tuple(shown)

    def witness(self) -> str | None:
        orbit = self.share.upper_orbit
        return None if orbit is None else f"orbit of u = {utility_text(orbit.utility)}"

    def to_json(self) -> dict[str, JSON]:
        share = self.share
        return {"lower": str(share.lower), "upper": str(share.upper), "rule": self.rule,
                "lower_reason": share.lower_reason, "involutions": list(share.involutions),
                "upper_orbit": orbit_json(share.upper_orbit), "orbits_counted": share.tried}


@dataclass(frozen=True)
class RuleConvergenceEvidence(Evidence):
    found: rule_orbits.RuleConvergence
    left: str
    right: str
    rule: str

    def lines(self) -> tuple[str, ...]:
        shown = [f"rule: {self.rule}; a member leans to the tree the rule picks more often"]
        shown += [_named(r, self.left, self.right) for r in self.found.reasons]
        if self.found.witness is not None:
            shown.append("witness: " + self.found.witness.text(self.left, self.right)
                         .replace("value " + self.left + " more", "lean to " + self.left)
                         .replace("value both equally", "are even")
                         .replace("value " + self.right + " more", "lean to " + self.right))
        return tuple(shown)

    def to_json(self) -> dict[str, JSON]:
        return {"rule": self.rule, "reasons": list(self.found.reasons),
                "witness": orbit_json(self.found.witness)}


class OrbitFamily(Family):
    def __init__(self, name: str, shape: Shape) -> None:
        self.name = name
        options = {"parameters", "over"} | ({"rule"} if name != "distribution_dependent"
                                            else set())
        self.signature = Signature((Kind.TREE, Kind.OTHER), shape, frozenset(options),
                                   words=CONVERGENCE_LEVELS if shape == Shape.WORD else ())

    def make(self, arguments: Arguments) -> Question:
        over = arguments.options.get("over")
        return OrbitQuestion(self.name, arguments.tree, arguments.second(),
                             frozenset(over) if over is not None else None,
                             arguments.options.get("rule", OPTIMAL))

    def problems(self, question: Question) -> list[tuple[str, str | None]]:
        """``over`` must hold every outcome the trees reach."""
        assert isinstance(question, OrbitQuestion)
        if isinstance(question.rule, str):
            return [(f"`{question.rule}` is a rule for choice under a utility class",
                     f"ask admissible(tree, class, rule = {question.rule})")]
        if question.over is None:
            return []
        reached = reachable_outcomes(question.tree.node) | reachable_outcomes(question.other.node)
        missing = sorted(reached - question.over)
        if missing:
            return [("`over` must hold every outcome the trees reach; it misses "
                     + ", ".join(f"`{o}`" for o in missing), "leave it out to use every declared "
                     "outcome")]
        return []

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, OrbitQuestion)
        timeout_ms = context.timeout_ms()
        outcomes = context.spec.outcomes if question.over is None else \
            tuple(o for o in context.spec.outcomes if o in question.over)
        left, right = question.tree.node, question.other.node
        names = (question.tree.name, question.other.name)
        if self.name == "convergence" and isinstance(question.rule, DecisionRule) \
                and not question.rule.is_optimal:
            leaning = rule_orbits.convergence(left, right, outcomes, question.rule)
            tendency = RuleConvergenceEvidence(leaning, *names, str(question.rule))
            if leaning.level is None:
                return Answer(_unknown(leaning.lower), None, tendency, status=Status.UNKNOWN)
            return Answer(leaning.level, leaning.level, tendency, comparable=leaning.level)
        if self.name == "convergence":
            strength = orbits.convergence(left, right, outcomes, timeout_ms, names)
            convergence = ConvergenceEvidence(strength, *names)
            if strength.level is None:
                return Answer(_unknown(strength.lower), None, convergence,
                              status=Status.UNKNOWN)
            return Answer(strength.level, strength.level, convergence, comparable=strength.level)
        if self.name == "distribution_dependent":
            dependence = orbits.distribution_dependent(left, right, outcomes, timeout_ms, names)
            reasons = ("no orbits disagreeing were found, and no proposition rules them out",) \
                if dependence.dependent is None else dependence.reasons
            shown_orbits = DependenceEvidence(*names, dependence.better, dependence.worse,
                                              reasons)
            if dependence.dependent:
                return Answer("yes", True, shown_orbits, comparable=True)
            if dependence.dependent is False:
                return Answer("no", False, shown_orbits, comparable=False)
            return Answer("unknown", None, shown_orbits, status=Status.UNKNOWN)
        if isinstance(question.rule, DecisionRule) and not question.rule.is_optimal:
            found = rule_orbits.orbit_share(left, right, outcomes, question.rule)
            shown = RuleShareEvidence(found, *names, str(question.rule))
            if found.lower == found.upper:
                return Answer(str(found.lower), str(found.lower), shown, comparable=found.lower)
            return Answer(f"between {found.lower} and {found.upper}", shown.to_json(), shown,
                          comparable=Bounds(found.lower, found.upper), exact=False)
        share = orbits.orbit_share(left, right, outcomes, timeout_ms, names)
        evidence = ShareEvidence(share, *names)
        if share.lower == share.upper:
            return Answer(str(share.lower), str(share.lower), evidence, comparable=share.lower)
        return Answer(f"between {share.lower} and {share.upper}", evidence.to_json(), evidence,
                      comparable=Bounds(share.lower, share.upper), exact=False)


def _unknown(lower: str) -> str:
    """An undecided convergence level, with what is proven when that says anything (every
    level is at least `none`)."""
    return "unknown" if lower == "none" else f"unknown (at least {lower})"


FAMILIES: tuple[Family, ...] = (
    OrbitFamily("convergence", Shape.WORD), OrbitFamily("distribution_dependent", Shape.BOOL),
    OrbitFamily("orbit_share", Shape.NUMBER))


def _named(text: str, left: str, right: str) -> str:
    """A rule analysis's reason with the two trees named as the user wrote them."""
    return text.replace("the left tree", left).replace("the right tree", right) \
        .replace("L(left)", f"L({left})").replace("L(right)", f"L({right})")
