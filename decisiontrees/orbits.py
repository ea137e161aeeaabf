"""Convergent instrumental goals by orbit analysis (THEORY §5).

For a symmetric distribution, ``P_D(t_i) = E_u[share of the orbit {σu} choosing t_i]``, so
what every admissible ``D`` does is decided by the orbit counts of generic ``u``:

- **absolute** iff ``V(t_i) > V(t_j)`` for almost every ``u``: decided exactly by the
  polytope volumes of random_agents (P[V(t_i) > V(t_j)] = 1 under U[0,1]);
- **weak** fails iff some generic ``u`` has fewer orbit members choosing ``t_i`` than
  ``t_j``; such a ``u`` is the witness (orbit counts are constant near a generic ``u``, so a
  symmetric regular ``D`` concentrated there violates the claim);
- **weak** holds by Tarsney's propositions (P3: weak; P1, P4: strict; P2: absolute), each
  verified by the relations engine with its own evidence;
- **strict** holds when weak does and some generic orbit strictly prefers ``t_i``; it fails
  when the trees are one permutation apart (equal counts on every orbit).

Without a proposition and without a violating orbit among the ones tried, the answer is
``unknown``, never a guess.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import factorial, lcm
from typing import Any

from decisiontrees import relations
from decisiontrees.model import Node
from decisiontrees.random_agents import lottery_points, pair_exact, relevant_outcomes

MAX_OUTCOMES = 8
SCALE = 10**6


@dataclass(frozen=True)
class Orbit:
    """A generic utility function and how its orbit splits between the two trees."""

    utility: Mapping[str, Fraction]
    left: Fraction  # orbit members choosing the left tree (ties count half)
    right: Fraction
    size: int
    weakly_left: int  # members with V(left) >= V(right)

    def text(self) -> str:
        values = ", ".join(f"{o}: {v}" for o, v in self.utility.items())
        return (f"u = {{{values}}}: of its {self.size} permutations {_half(self.left)} choose the "
                f"left tree, {_half(self.right)} the right")


def _half(value: Fraction) -> str:
    return str(value) if value.denominator == 1 else f"{float(value):g}"


@dataclass(frozen=True)
class Strength:
    """How strongly the left tree is a convergent goal over the right (None: undecided)."""

    level: str | None
    lower: str  # the strongest level proven
    reasons: tuple[str, ...]
    witness: Orbit | None = None  # breaks the next stronger level
    favourable: Orbit | None = None  # an orbit that strictly prefers the left tree
    unfavourable: Orbit | None = None  # an orbit that strictly prefers the right tree
    details: Mapping[str, Any] = field(default_factory=dict)


class _Orbits:
    """Orbit counts for two trees over their relevant outcomes, in integer arithmetic."""

    def __init__(self, left: Node, right: Node, outcomes: Sequence[str]) -> None:
        import numpy as np

        self.names = relevant_outcomes([left, right], outcomes)
        d = len(self.names)
        if d > MAX_OUTCOMES:
            raise ValueError(f"orbit analysis enumerates all d! permutations; the trees reach "
                             f"{d} outcomes, more than {MAX_OUTCOMES}")
        mine, theirs = lottery_points(left, self.names), lottery_points(right, self.names)
        union = sorted(mine | theirs)
        scale = lcm(*(x.denominator for z in union for x in z))
        self.in_left = np.array([z in mine for z in union])
        self.in_right = np.array([z in theirs for z in union])
        dtype: Any = np.int64 if scale * SCALE < 2**62 else object
        self.points = np.array([[int(x * scale) for x in z] for z in union], dtype=dtype).T
        self.permutations = np.array(list(itertools.permutations(range(d))), dtype=np.int64)
        self.dtype = dtype

    def orbit(self, values: Sequence[Fraction]) -> Orbit | None:
        """Counts for the orbit of ``u = values``; None when ``u`` is not generic."""
        import numpy as np

        scale = lcm(*(Fraction(v).denominator for v in values))
        whole = [int(Fraction(v) * scale) for v in values]
        dtype = self.dtype if max(whole, default=0) < SCALE * 16 else object
        base = np.array(whole, dtype=dtype)
        points = self.points if dtype is self.dtype else self.points.astype(object)
        scores = base[self.permutations] @ points  # permutations × lotteries
        top = scores.max(axis=1)
        if ((scores == top[:, None]).sum(axis=1) > 1).any():
            return None  # two distinct lotteries tie: u lies on a boundary
        floor = scores.min() - 1
        best_left = np.where(self.in_left, scores, floor).max(axis=1)
        best_right = np.where(self.in_right, scores, floor).max(axis=1)
        left_wins = int((best_left > best_right).sum())
        right_wins = int((best_left < best_right).sum())
        ties = len(scores) - left_wins - right_wins
        utility = {o: Fraction(v) for o, v in zip(self.names, values)}
        return Orbit(utility, left_wins + Fraction(ties, 2), right_wins + Fraction(ties, 2),
                     len(scores), left_wins + ties)

    @property
    def exhaustive(self) -> bool:
        """With at most 3 outcomes every generic orbit shape is tried (see ``shapes``)."""
        return len(self.names) <= 3

    def shapes(self, count: int, seed: int) -> list[list[Fraction]]:
        """Utility shapes to try. Orbits ignore order and positive affine maps, so a shape is
        a sorted multiset of values. With 3 outcomes every shape is ``(0, t, 1)``; its orbit
        counts change only where some ``u·(z − z')`` vanishes, so one ``t`` between each
        two such breakpoints covers every case. Otherwise: extreme shapes, then random."""
        d = len(self.names)
        if d <= 2:
            return [[Fraction(k) for k in range(d)]]
        if d == 3:
            breaks = {Fraction(0), Fraction(1)}
            for column in range(self.points.shape[1]):
                for other in range(column):
                    difference = [Fraction(int(a) - int(b)) for a, b in
                                  zip(self.points[:, column], self.points[:, other])]
                    for _, b, c in itertools.permutations(difference):
                        # a·0 + b·t + c·1 = 0
                        if b and 0 < -c / b < 1:
                            breaks.add(-c / b)
            ordered = sorted(breaks)
            return [[Fraction(0), (x + y) / 2, Fraction(1)] for x, y in zip(ordered, ordered[1:])]
        shapes = []
        for high in range(1, d):
            shapes.append([Fraction(SCALE - k) for k in range(high)]
                          + [Fraction(1 + k) for k in range(d - high)])
        for ratio in (2, 3, 10, 100):
            shapes.append([Fraction(max(1, SCALE // ratio**k) + k) for k in range(d)])
        shapes.append([Fraction(1 + k * (SCALE - 2) // max(1, d - 1)) for k in range(d)])
        generator = random.Random(seed)
        while len(shapes) < count:
            shapes.append([Fraction(v) for v in sorted(generator.sample(range(1, SCALE + 1), d))])
        return [[v / SCALE for v in shape] for shape in shapes]

    def search(self, count: int = 300, seed: int = 0) -> list[Orbit]:
        found = []
        for values in self.shapes(count, seed):
            orbit = self.orbit(values)
            if orbit is None and not self.exhaustive:  # nudge off the boundary
                orbit = self.orbit([v + Fraction(k * 7 + 3, SCALE * 10)
                                    for k, v in enumerate(values)])
            if orbit is not None:
                found.append(orbit)
        return found


def convergence(left: Node, right: Node, outcomes: Sequence[str],
                timeout_ms: int = relations.DEFAULT_TIMEOUT_MS) -> Strength:
    """How strongly ``left`` is a convergent instrumental goal over ``right`` when both are
    alternatives at a choice node, for every admissible distribution."""
    names = relevant_outcomes([left, right], outcomes)
    reasons: list[str] = []
    pair = pair_exact(left, right, names, (Fraction(1),))
    counter = _Orbits(left, right, names)
    orbits = counter.search()
    worse = min(orbits, key=lambda o: o.left - o.right, default=None)
    better = max(orbits, key=lambda o: o.left - o.right, default=None)
    unfavourable = worse if worse is not None and worse.left < worse.right else None
    favourable = better if better is not None and better.left > better.right else None
    common = {"favourable": favourable, "unfavourable": unfavourable}
    tried = (f"all {len(orbits)} generic orbit shapes (exhaustive with ≤ 3 outcomes)"
             if counter.exhaustive else f"{len(orbits)} orbits tried")
    if pair.better.value == 1:
        reasons.append("P[V(left) > V(right)] = 1 under U[0,1] (exact): the left tree is "
                       "strictly better for almost every u, so every regular distribution "
                       "chooses it with probability 1")
        return Strength("absolute", "absolute", tuple(reasons), **common)
    reasons.append(f"not absolute: P[V(left) > V(right)] = {pair.better.value} < 1 under "
                   "U[0,1] (exact), so a set of u of positive measure does not prefer the left "
                   "tree strictly")
    if unfavourable is not None:
        reasons.append("not weak: an orbit in which more members choose the right tree")
        return Strength("none", "none", tuple(reasons), unfavourable, **common)
    proven = None
    if counter.exhaustive:
        proven = "weak"
        reasons.append(f"weak: no orbit prefers the right tree among {tried}")
    outcome, forward, _ = relations.compare(left, right, None, timeout_ms, tuple(names))
    if outcome == "equivalent":
        reasons.append(f"the trees are equivalent ({forward.method}): every u ties them, so "
                       "every distribution chooses each half the time — weak, not strict")
        return Strength("weak", "weak", tuple(reasons), better, **common)
    if outcome == "dominates":
        reasons.append(f"P1 inclusion holds ({forward.method}), so by Tarsney's Proposition 1 "
                       "the goal is strict")
        return Strength("strict", "strict", tuple(reasons), None, **common)
    for name, check, level in (
            ("P4 permuted interiority",
             lambda: relations.permuted("interiority", left, right, names, timeout_ms=timeout_ms),
             "strict"),
            ("P3 permuted inclusion",
             lambda: relations.permuted("inclusion", left, right, names, timeout_ms=timeout_ms),
             "weak")):
        if proven == "weak" and level == "weak":
            break
        verdict = check()
        if verdict.holds:
            where = verdict.details.get("permutation")
            reasons.append(f"{name} holds ({verdict.method}{', σ = ' + where if where else ''}), "
                           f"so by Tarsney's propositions the goal is at least {level}")
            proven = level
            break
    if proven is None:
        reasons.append(f"no violating orbit among {tried}, but no proposition proves weak "
                       "convergence")
        return Strength(None, "none", tuple(reasons), **common)
    if proven == "strict":
        return Strength("strict", "strict", tuple(reasons), None, **common)
    if favourable is not None:
        reasons.append("strict: an orbit in which more members choose the left tree")
        return Strength("strict", "strict", tuple(reasons), None, **common)
    if counter.exhaustive:
        reasons.append(f"not strict: every orbit splits evenly ({tried})")
        return Strength("weak", "weak", tuple(reasons), better, **common)
    if _equivalent_up_to_permutation(left, right, names):
        reasons.append("not strict: the trees are one permutation apart, so every orbit "
                       "splits evenly")
        return Strength("weak", "weak", tuple(reasons), better, **common)
    reasons.append(f"weak; no orbit prefers the left tree strictly among {tried}, and no "
                   "proof that none does")
    return Strength(None, "weak", tuple(reasons), **common)


def _equivalent_up_to_permutation(left: Node, right: Node, names: Sequence[str]) -> bool:
    """Whether some σ maps the strategy lotteries of ``right`` onto those of ``left`` (then
    the lottery sets are one permutation apart). Sufficient, not necessary: lotteries that
    are not vertices could differ."""
    mine, theirs = lottery_points(left, names), lottery_points(right, names)
    if len(mine) != len(theirs):
        return False
    d = len(names)
    for image in itertools.permutations(range(d)):
        if {tuple(z[image[k]] for k in range(d)) for z in theirs} == mine:
            return True
    return False


def distribution_dependent(left: Node, right: Node, outcomes: Sequence[str]) -> tuple[
        bool | None, Orbit | None, Orbit | None]:
    """Tarsney's incomparability (his Proposition 5): one generic orbit prefers the left tree
    and another the right, so which is more likely depends on the distribution."""
    orbits = _Orbits(left, right, outcomes).search()
    worse = min(orbits, key=lambda o: o.left - o.right, default=None)
    better = max(orbits, key=lambda o: o.left - o.right, default=None)
    if worse is not None and better is not None and worse.left < worse.right \
            and better.left > better.right:
        return True, better, worse
    return None, better, worse


@dataclass(frozen=True)
class Share:
    """Bounds on the smallest share of any generic orbit weakly preferring the left tree."""

    lower: Fraction
    upper: Fraction
    lower_reason: str
    upper_orbit: Orbit | None
    involutions: tuple[str, ...] = ()


def orbit_share(left: Node, right: Node, outcomes: Sequence[str],
                timeout_ms: int = relations.DEFAULT_TIMEOUT_MS) -> Share:
    """``min`` over generic ``u`` of the share of its orbit with ``V(left) ≥ V(right)``."""
    names = relevant_outcomes([left, right], outcomes)
    orbits = _Orbits(left, right, names).search()
    smallest = min(orbits, key=lambda o: o.weakly_left, default=None)
    upper = Fraction(smallest.weakly_left, smallest.size) if smallest else Fraction(1)
    if relations.dominates(left, right, None, timeout_ms, tuple(names)).holds:
        return Share(Fraction(1), upper, "the left tree dominates: V(left) ≥ V(right) for "
                     "every u", smallest)
    chosen = turner_involutions(left, right, names, timeout_ms)
    if not chosen:
        return Share(Fraction(0), upper, "no involution maps L(right) into L(left)", smallest)
    n = len(chosen)
    texts = tuple(relations._cycles(phi) for phi in chosen)
    return Share(Fraction(n, n + 1), upper,
                 f"Turner's involutions {', '.join(texts)} map L(right) into L(left) and fix "
                 f"each other's images, so at least {n}/{n + 1} of every orbit weakly prefers "
                 "the left tree", smallest, texts)


def turner_involutions(left: Node, right: Node, names: Sequence[str],
                       timeout_ms: int = relations.DEFAULT_TIMEOUT_MS) -> list[dict[str, str]]:
    """The largest set of involutions φ_a found with ``φ_a·L(right) ⊆ L(left)`` and
    ``φ_a·(φ_b·L(right)) = φ_b·L(right)`` for ``a ≠ b``."""
    valid: list[tuple[dict[str, str], Node]] = []
    for phi in _involutions(names):
        moved = relations.relabel(right, phi)
        if relations.dominates(left, moved, None, timeout_ms, tuple(names)).holds:
            valid.append((phi, moved))
    if not valid:
        return []

    def compatible(a: int, b: int) -> bool:
        phi_a, moved_b = valid[a][0], valid[b][1]
        twice = relations.relabel(moved_b, phi_a)
        if twice is moved_b:
            return True
        return bool(relations.dominates(twice, moved_b, None, timeout_ms, tuple(names)).holds
                    and relations.dominates(moved_b, twice, None, timeout_ms,
                                            tuple(names)).holds)

    pairs = {(a, b) for a in range(len(valid)) for b in range(len(valid)) if a != b
             and compatible(a, b)}
    best: list[int] = []

    def grow(chosen: list[int], start: int) -> None:
        nonlocal best
        if len(chosen) > len(best):
            best = list(chosen)
        for k in range(start, len(valid)):
            if all((k, c) in pairs and (c, k) in pairs for c in chosen):
                grow([*chosen, k], k + 1)

    grow([], 0)
    return [valid[k][0] for k in best]


def _involutions(names: Sequence[str]) -> Any:
    """Every permutation of order 2 (products of disjoint transpositions) as a mapping."""
    names = list(names)

    def build(rest: list[str], mapping: dict[str, str]) -> Any:
        if not rest:
            if any(k != v for k, v in mapping.items()):
                yield dict(mapping)
            return
        first, others = rest[0], rest[1:]
        yield from build(others, {**mapping, first: first})
        for k, partner in enumerate(others):
            yield from build(others[:k] + others[k + 1:], {**mapping, first: partner,
                                                           partner: first})

    yield from build(names, {})


def orbit_size(outcomes: Sequence[str]) -> int:
    return factorial(len(outcomes))
