"""Orbit tendencies of decision rules (Turner & Tadepalli 2022): how much of each orbit
``{σu}`` a rule-following agent leans towards one tree rather than another.

The two trees are the alternatives ``A`` (left) and ``B`` (right) of one choice; the options
are ``C = L(A) ∪ L(B)``, their distinct strategy lotteries. A member ``σu`` *weakly prefers*
``A`` when ``f(A | σu) >= f(B | σu)``, ``f(X | u)`` being the probability the rule picks an
option of ``X`` (options in both count for both, which leaves the comparison unchanged).

Lower bound — the retargetability theorem: every rule here depends on ``u`` only through the
options' expected utilities and gives more to a larger set, so an involution ``φ`` of the
outcomes with ``φ·B ⊆ A`` and ``φ·C = C`` retargets it from ``B`` to ``A``; ``n`` of them with
``φ_i·(φ_j·B) = φ_j·B`` for ``i ≠ j`` give at least ``n/(n+1)`` of every orbit. The sets
are compared exactly, as sets of lotteries.

Upper bound: exact counts over the whole orbits of seeded random utilities with distinct
values (rules compared in rationals; Boltzmann sums of exponentials compared to 50 digits,
a utility whose two sums differ by less than 10^-40 of their size is skipped).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees import limits
from decisiontrees.analyses.agents import Point, lottery_points
from decisiontrees.analyses.orbits import (
    WITNESS_DENOMINATORS,
    Orbit,
    involutions,
    largest_compatible_set,
    on_grid,
)
from decisiontrees.analyses.permutations import cycle_notation
from decisiontrees.model.nodes import Node
from decisiontrees.model.rules import DecisionRule, rank_weight

MAX_ORBIT = 5_040  # permutations of O counted exactly (7 outcomes)
TRIES = 12
SIMPLIFYING_WORK = 5_000  # orbit members counted again for a simpler witness (~0.5 s at 100 µs)
# rules that see only the order of the options' expected utilities, which positive affine
# maps of u keep (a satisficer's threshold and a Boltzmann temperature are on u's scale)
ORDINAL_RULES = frozenset({"best_of", "best_of_distinct", "quantilizer"})


@dataclass(frozen=True)
class RuleShare:
    """Bounds on the least share of a generic orbit that weakly prefers the left tree."""

    lower: Fraction
    upper: Fraction
    lower_reason: str
    involutions: tuple[str, ...]
    upper_orbit: Orbit | None
    tried: int  # utilities whose whole orbits were counted
    over: tuple[str, ...]


def _moved(point: Point, phi: Mapping[str, str], index: Mapping[str, int]) -> Point:
    moved = [Fraction(0)] * len(point)
    for o, k in index.items():
        moved[index[phi.get(o, o)]] = point[k]
    return tuple(moved)


def retargeting(left: Node, right: Node, outcomes: Sequence[str]) -> list[dict[str, str]]:
    """The largest set of compatible involutions retargeting the rule from right to left."""
    names = tuple(outcomes)
    index = {o: k for k, o in enumerate(names)}
    mine, theirs = lottery_points(left, names), lottery_points(right, names)
    options = mine | theirs
    valid: list[tuple[dict[str, str], frozenset[Point]]] = []
    for phi in involutions(names):
        limits.check("looking for involutions that retarget the rule")
        image = frozenset(_moved(z, phi, index) for z in theirs)
        if image <= mine and frozenset(_moved(z, phi, index) for z in options) == options:
            valid.append((phi, image))

    def compatible(a: int, b: int) -> bool:
        phi_a, image_b = valid[a][0], valid[b][1]
        return frozenset(_moved(z, phi_a, index) for z in image_b) == image_b

    return [valid[k][0] for k in largest_compatible_set(len(valid), compatible)]


def _probabilities(values: Sequence[Fraction], rule: DecisionRule) -> list[Fraction] | None:
    """The rule's probability of each option given their expected utilities; None when a
    rank-based rule meets a tie, or a satisficer a value on its threshold (not a generic
    utility: a nudge would change what is picked)."""
    n = len(values)
    if rule.kind == "satisficer":
        assert rule.parameter is not None
        if rule.parameter in values:
            return None
        chosen = [v >= rule.parameter for v in values]
        if not any(chosen):
            chosen = [True] * n
        count = sum(chosen)
        return [Fraction(int(c), count) for c in chosen]
    if len(set(values)) < n:
        return None
    order = sorted(range(n), key=lambda k: -values[k])
    probabilities = [Fraction(0)] * n
    for rank, k in enumerate(order, 1):
        probabilities[k] = rank_weight(rule, rank, n)
    return probabilities


def _leans(values: Sequence[Fraction], only_left: Sequence[int], only_right: Sequence[int],
           rule: DecisionRule) -> int | None:
    """The sign of ``f(A) - f(B)`` at one utility, or None when it cannot be decided."""
    if rule.kind == "boltzmann":
        import mpmath

        assert rule.parameter is not None
        with mpmath.workdps(50):
            scale = mpmath.mpf(rule.parameter.denominator) / rule.parameter.numerator
            weight = [mpmath.exp(mpmath.mpf(v.numerator) / v.denominator * scale)
                      for v in values]
            mine = sum((weight[k] for k in only_left), mpmath.mpf(0))
            theirs = sum((weight[k] for k in only_right), mpmath.mpf(0))
            if not only_left and not only_right:
                return 0
            # 50 digits: a difference below 10^-40 of the sums' size is no decision
            if abs(mine - theirs) <= (mine + theirs) * mpmath.mpf(10) ** -40:
                return None
            return 1 if mine > theirs else -1
    probabilities = _probabilities(values, rule)
    if probabilities is None:
        return None
    difference = sum((probabilities[k] for k in only_left), Fraction(0)) - \
        sum((probabilities[k] for k in only_right), Fraction(0))
    return (difference > 0) - (difference < 0)


def count_orbit(utility: Sequence[Fraction], options: Sequence[Point], only_left: Sequence[int],
                only_right: Sequence[int], rule: DecisionRule) -> tuple[int, int, int] | None:
    """Members of the orbit of ``utility`` leaning left, tied and leaning right."""
    counts = [0, 0, 0]
    for permuted in itertools.permutations(utility):
        limits.check("counting an orbit under the rule")
        values = [sum((q * u for q, u in zip(z, permuted)), Fraction(0)) for z in options]
        lean = _leans(values, only_left, only_right, rule)
        if lean is None:
            return None
        counts[1 - lean] += 1
    return counts[0], counts[1], counts[2]


def counted_orbits(left: Node, right: Node, names: tuple[str, ...], rule: DecisionRule,
                   seed: int, tries: int) -> Iterator[Orbit]:
    """The orbits of up to ``tries`` seeded utilities with distinct values, each counted
    exactly (members leaning left, even, leaning right); none past MAX_ORBIT permutations,
    and a utility the rule cannot decide is skipped."""
    if math.factorial(len(names)) > MAX_ORBIT:
        return
    options, only_left, only_right = options_of(left, right, names)
    generator = random.Random(seed)
    for _ in range(tries):
        utility = [Fraction(v, 1000) for v in generator.sample(range(1001), len(names))]
        counts = count_orbit(utility, options, only_left, only_right, rule)
        if counts is not None:
            yield Orbit(dict(zip(names, utility)), *counts)


Options = tuple[list[Point], list[int], list[int]]


def options_of(left: Node, right: Node, names: tuple[str, ...]) -> Options:
    """The options, sorted, and the indices of those only the left and only the right has."""
    mine, theirs = lottery_points(left, names), lottery_points(right, names)
    options = sorted(mine | theirs)
    return (options, [k for k, z in enumerate(options) if z in mine and z not in theirs],
            [k for k, z in enumerate(options) if z in theirs and z not in mine])


def simplest(orbit: Orbit, options: Options, names: tuple[str, ...], rule: DecisionRule,
             accept: Callable[[Orbit], bool]) -> Orbit:
    """``orbit`` with the simplest values found that keep it a witness (``accept``): first u's
    values moved together to multiples of 1/q for small q (rescaled to [0, 1] first for a
    rule that sees only the order of expected utilities), then each value alone replaced by
    the simplest fraction in [0, 1] that still works — every candidate's orbit counted again
    exactly, its values kept distinct; at most SIMPLIFYING_WORK members counted in all."""
    values = [orbit.utility[o] for o in names]
    low, high = min(values), max(values)
    # positive affine maps keep what an ordinal rule sees: its candidates start from [0, 1]
    scaled = [(v - low) / (high - low) for v in values] \
        if rule.kind in ORDINAL_RULES and high > low else None
    members = math.factorial(len(names))  # what counting one candidate's orbit costs
    budget, tried = SIMPLIFYING_WORK, {tuple(values)}

    def works(candidate: list[Fraction]) -> Orbit | None:
        nonlocal budget
        if tuple(candidate) in tried or len(set(candidate)) < len(candidate):
            return None
        tried.add(tuple(candidate))
        budget -= members
        counts = count_orbit(candidate, *options, rule)
        found = Orbit(dict(zip(names, candidate)), *counts) if counts is not None else None
        return found if found is not None and accept(found) else None

    best = orbit
    for denominator in WITNESS_DENOMINATORS:
        if budget < members:
            return best
        found = works(on_grid(scaled, max(denominator, len(values) - 1)) if scaled is not None
                      else _rounded(values, denominator))
        if found is not None:
            best = found
            break
    current = [best.utility[o] for o in names]
    for k in range(len(current)):
        for value in _SIMPLE_VALUES:
            if (value.denominator, value.numerator) >= (current[k].denominator,
                                                        abs(current[k].numerator)) \
                    or budget < members:
                break
            found = works([*current[:k], value, *current[k + 1:]])
            if found is not None:
                best, current[k] = found, value
                break
    return best


_SIMPLE_VALUES = sorted({Fraction(p, q) for q in range(1, 13) for p in range(q + 1)},
                        key=lambda v: (v.denominator, v.numerator))


def _rounded(values: Sequence[Fraction], denominator: int) -> list[Fraction]:
    """``values`` moved to the nearest multiples of ``1/denominator`` (values that meet
    there make a candidate that is skipped: witnesses keep their values distinct)."""
    return [Fraction(round(value * denominator), denominator) for value in values]


def orbit_share(left: Node, right: Node, outcomes: Sequence[str], rule: DecisionRule,
                seed: int = 0, tries: int = TRIES) -> RuleShare:
    """Bounds on ``min`` over generic ``u`` of the share of its orbit weakly preferring
    ``left`` under ``rule``: the theorem's bound below, counted orbits above."""
    names = tuple(outcomes)
    options = options_of(left, right, names)
    if not options[2]:  # f(left) - f(right) sums the left's own options only: never below 0
        return RuleShare(Fraction(1), Fraction(1), "the right tree offers no option the left "
                         "tree lacks, so every member picks the left tree at least as often: "
                         "all of every orbit", (), None, 0, names)
    phis = retargeting(left, right, names)
    texts = tuple(cycle_notation(phi) for phi in phis)
    n = len(phis)
    lower, reason = (Fraction(n, n + 1), f"{n} involution{'s' if n > 1 else ''} "
                     f"{', '.join(texts)} map L(right) into L(left) and the options onto "
                     f"themselves, so the rule is {n}-fold retargetable (Turner & Tadepalli "
                     f"2022): at least {n}/{n + 1} of every orbit") if n else \
        (Fraction(0), "no involution maps L(right) into L(left) and the options onto themselves")
    upper, worst, tried = Fraction(1), None, 0
    for orbit in counted_orbits(left, right, names, rule, seed, tries):
        tried += 1
        share = Fraction(orbit.weakly_left, orbit.size)
        if share < upper or worst is None:
            upper, worst = min(upper, share), orbit
    if worst is not None:
        least = worst.weakly_left
        worst = simplest(worst, options, names, rule, lambda o: o.weakly_left == least)
    single = all(sum(1 for q in z if q) == 1 for z in options[0])
    if single and tried and rule.kind in ORDINAL_RULES:
        # the rule sees only the order of the options' utilities, i.e. of u's values on the
        # outcomes, and every generic orbit runs through every order once: all count alike
        return RuleShare(upper, upper, "every option is a single outcome, so the rule depends "
                         "only on the order of u's values, which every generic orbit runs "
                         "through in full: all generic orbits count alike", texts, worst, tried,
                         names)
    return RuleShare(min(lower, upper), upper, reason, texts, worst, tried, names)


@dataclass(frozen=True)
class RuleConvergence:
    """How strongly orbits lean to the left tree under a rule: ``none`` (an orbit counted
    exactly leans right more often), ``weak`` (proven by retargeting), ``strict`` (weak, and
    an orbit leans left more often), or None when neither is shown."""

    level: str | None
    reasons: tuple[str, ...]
    witness: Orbit | None  # the orbit that decided it, if any
    lower: str = "none"  # what is proven when the level is not known


def convergence(left: Node, right: Node, outcomes: Sequence[str], rule: DecisionRule,
                seed: int = 0, tries: int = TRIES) -> RuleConvergence:
    """Orbit-level tendency under ``rule``: in every generic orbit at least as many members
    lean to ``left`` as to ``right`` (weak), and more in some (strict). An involution that
    retargets the rule from right to left maps each member leaning right to one leaning left
    (Turner & Tadepalli 2022), so it proves weak; counted orbits refute or strengthen it."""
    names = tuple(outcomes)
    phis = retargeting(left, right, names)
    favourable = None
    options = options_of(left, right, names)
    _, only_left, only_right = options
    proof: tuple[str, ...] | None = None
    if not only_right:  # f(left) - f(right) sums the left's own options only: never below 0
        if not only_left:
            return RuleConvergence("weak", ("weak, not strict: the two trees offer the same "
                                            "options, so every member is even",), None)
        proof = ("weak: the right tree offers no option the left tree lacks, so no member "
                 "leans to the right tree",)
        if rule.kind == "boltzmann":
            return RuleConvergence("strict", (*proof, "strict: the rule gives every option a "
                                              "positive probability, so every member leans to "
                                              "the left tree"), None)
    elif phis:
        proof = (f"weak: the involution {cycle_notation(phis[0])} maps L(right) into L(left) "
                 "and the options onto themselves, so each member leaning right is paired "
                 "with one leaning left (Turner & Tadepalli 2022)",)
    for orbit in counted_orbits(left, right, names, rule, seed, tries):
        if orbit.worse > orbit.better:
            return RuleConvergence("none", ("not weak: an orbit in which more members lean to "
                                            "the right tree",), simplest(
                orbit, options, names, rule, lambda o: o.worse > o.better))
        if orbit.better > orbit.worse and favourable is None:
            favourable = simplest(orbit, options, names, rule, lambda o: o.better > o.worse)
    if proof is None:
        counted = "no orbit was counted (orbits over more than 7 outcomes are not)" \
            if math.factorial(len(names)) > MAX_ORBIT else \
            "no orbit counted leans right more often"
        return RuleConvergence(None, ("no involution retargets the rule from the right tree "
                                      f"to the left tree, and {counted}",), favourable)
    if favourable is not None:
        return RuleConvergence("strict", (*proof, "strict: an orbit in which more members "
                                          "lean to the left tree"), favourable)
    swap = _swapping(left, right, names)
    if swap is not None:
        return RuleConvergence("weak", (*proof, f"not strict: the involution "
                                        f"{cycle_notation(swap)} swaps L(left) and L(right), "
                                        "so in every orbit as many members lean each way"), None)
    counted = "no orbit was counted" if math.factorial(len(names)) > MAX_ORBIT else \
        f"none of {tries} orbits counted leans to the left tree more often"
    return RuleConvergence(None, (*proof, f"strict not shown: {counted}, and no involution "
                                  "swaps the two trees' lotteries"), None, lower="weak")


def _swapping(left: Node, right: Node, names: tuple[str, ...]) -> dict[str, str] | None:
    """An involution of the outcomes that maps the right tree's lotteries onto the left's
    (and so the left's onto the right's): then each member leaning one way is paired with
    one leaning the other, and every orbit splits evenly."""
    index = {o: k for k, o in enumerate(names)}
    mine, theirs = lottery_points(left, names), lottery_points(right, names)
    for phi in involutions(names):
        limits.check("looking for an involution that swaps the trees")
        if frozenset(_moved(z, phi, index) for z in theirs) == mine:
            return phi
    return None
