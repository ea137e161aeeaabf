"""Decision rules: how a random agent turns its options' expected utilities into a choice.

Following Turner & Tadepalli (2022), an agent at a choice node faces *options*: the distinct
lotteries of the strategies below the node. A rule gives each option a probability from the
options' expected utilities ``u·z``; an alternative's share is the total probability of its
options, an option several alternatives reach being split equally among them.
docs/language.md ("Decision rules") gives the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb

RULES = {
    "optimal": "the best option (the expected-utility maximiser; ties split)",
    "boltzmann": "each option with weight exp(u·z / T)",
    "satisficer": "uniformly among the options with u·z ≥ θ (every option when none is)",
    "best_of": "the best of k options drawn uniformly with replacement",
    "best_of_distinct": "the best of k distinct options drawn uniformly",
    "quantilizer": "uniformly from the top q of the options (uniform base measure)",
}
PARAMETERS = {"optimal": None, "boltzmann": "T", "satisficer": "θ", "best_of": "k",
              "best_of_distinct": "k", "quantilizer": "q"}
# Rules for choice when the utility is only known to lie in a class (analyses/choice_sets.py)
CLASS_RULES = ("maximality", "e_admissibility", "interval_dominance", "gamma_maximin")
RULE_EXAMPLES = {"boltzmann": "1/2", "satisficer": "1/2", "best_of": "2", "best_of_distinct": "2",
                 "quantilizer": "1/4"}


@dataclass(frozen=True)
class DecisionRule:
    """A rule and its one parameter (None for ``optimal``)."""

    kind: str
    parameter: Fraction | None = None

    def __str__(self) -> str:
        if self.parameter is None:
            return self.kind
        return f"{self.kind}({self.parameter})"

    @property
    def is_optimal(self) -> bool:
        return self.kind == "optimal"

    def describe(self) -> str:
        text = RULES[self.kind]
        symbol = PARAMETERS[self.kind]
        return text if symbol is None else f"{text}, {symbol} = {self.parameter}"


OPTIMAL = DecisionRule("optimal")


def rule_problem(rule: DecisionRule) -> str | None:
    """What is wrong with a rule's parameter (None: nothing): the one place both the
    language and the Python API check it."""
    if rule.kind not in RULES:
        return f"unknown rule `{rule.kind}`"
    if rule.kind == "optimal":
        return None if rule.parameter is None else "`optimal` takes no parameter"
    value = rule.parameter
    if not isinstance(value, Fraction) or isinstance(value, bool):
        return f"{rule.kind}() needs its parameter as an exact number"
    if rule.kind == "boltzmann" and not Fraction(1, 10**12) <= value <= 10**12:
        # below, the certified bound's analytic strip is thinner than a float resolves
        return "the temperature T must be between 1e-12 and 1e12"
    if rule.kind in ("best_of", "best_of_distinct") and (value.denominator != 1
                                                          or not 1 <= value <= 1000):
        return "k must be a whole number from 1 to 1000"
    if rule.kind == "quantilizer" and not 0 < value <= 1:
        return "q must be in (0, 1]"
    return None


def rank_weight(rule: DecisionRule, rank: int, n: int) -> Fraction:
    """The probability that a rank-based rule picks the option ranked ``rank`` (1 = best)
    among ``n`` options whose expected utilities are all different."""
    if rule.kind == "optimal":
        return Fraction(int(rank == 1))
    assert rule.parameter is not None
    if rule.kind == "best_of":
        k = int(rule.parameter)
        return Fraction(n - rank + 1, n) ** k - Fraction(n - rank, n) ** k
    if rule.kind == "best_of_distinct":
        k = min(int(rule.parameter), n)
        return Fraction(_binomial(n - rank, k - 1), _binomial(n, k))
    assert rule.kind == "quantilizer"
    q = rule.parameter
    low, high = Fraction(rank - 1, n), Fraction(rank, n)
    return max(Fraction(0), min(high, q) - low) / q


def _binomial(n: int, k: int) -> int:
    return comb(n, k) if 0 <= k <= n else 0
