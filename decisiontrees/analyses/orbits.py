"""Convergent instrumental goals by orbit analysis (THEORY §5).

For a symmetric distribution, ``P_D(t_i) = E_u[share of the orbit {σu} choosing t_i]``, so
what every admissible ``D`` does is decided by the orbit counts of generic ``u``:

- **absolute** iff ``V(t_i) > V(t_j)`` for almost every ``u``: decided exactly by the
  polytope volumes of random_agents (P[V(t_i) > V(t_j)] = 1 under U[0,1]);
- **weak** fails iff some generic ``u`` has fewer orbit members choosing ``t_i`` than
  ``t_j``; such a ``u`` is the witness (orbit counts are constant near a generic ``u``, so a
  symmetric regular ``D`` concentrated there violates the claim). With at most 4 outcomes
  every cell of the arrangement where counts can change is visited, so weak and strict
  are decided exactly; with more, orbits are sampled;
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses import relations
from decisiontrees.analyses.agents import lottery_points, pair_exact, relevant_outcomes
from decisiontrees.errors import RefusedError
from decisiontrees.model.nodes import Node

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


class _Orbits:
    """Orbit counts for two trees over their relevant outcomes, in integer arithmetic."""

    def __init__(self, left: Node, right: Node, outcomes: Sequence[str]) -> None:
        import numpy as np

        self.names = relevant_outcomes([left, right], outcomes)
        d = len(self.names)
        if d > MAX_OUTCOMES:
            raise RefusedError(f"orbit analysis enumerates all d! permutations; the trees reach "
                             f"{d} outcomes, more than {MAX_OUTCOMES}")
        mine, theirs = lottery_points(left, self.names), lottery_points(right, self.names)
        union = sorted(mine | theirs)
        scale = lcm(*(x.denominator for z in union for x in z))
        self.scale = scale
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
        """Whether the last search tried every generic orbit shape: always with at most 3
        outcomes (see ``shapes``), with 4 when the plane sweep was small enough."""
        return len(self.names) <= 3 or self.swept

    swept = False

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
        if len(self.names) == 4:
            swept = self.sweep()
            if swept is not None:
                self.swept = True
                return swept
        found: list[Orbit] = []
        for values in self.shapes(count, seed):
            limits.check(f"counting orbits ({len(found)} done)")
            orbit = self.orbit(values)
            if orbit is None and not self.exhaustive:  # nudge off the boundary
                orbit = self.orbit([v + Fraction(k * 7 + 3, SCALE * 10)
                                    for k, v in enumerate(values)])
            if orbit is not None:
                found.append(orbit)
        return found


    def sweep(self, budget: int = 3_000_000) -> list[Orbit] | None:
        """Every generic orbit shape with 4 outcomes, by a plane sweep; None if too large.

        Shapes are ``(0, s, t, 1)`` with ``0 < s < t < 1``. Orbit counts change only on the
        lines where some ``σu·(z − z')`` vanishes. Between two consecutive ``s`` where lines
        meet, the vertical line crosses the same lines in the same order, so one point
        between each two crossings reaches every cell. Points are evaluated in floats, and
        only where every comparison clears a margin far above rounding (others exactly);
        the orbits returned (fewest and most choosing the left tree, fewest weakly
        preferring it) are recomputed exactly.
        """
        import numpy as np

        columns = self.points.shape[1]
        lines: set[tuple[int, int, int]] = {(0, 1, -1), (1, -1, 0)}  # t = 1 and s = t
        for a in range(columns):
            for b in range(a):
                difference = [int(x) - int(y) for x, y in zip(self.points[:, a],
                                                              self.points[:, b])]
                for _, cs, ct, c1 in itertools.permutations(difference):
                    if cs or ct:
                        lines.add(_normalised(cs, ct, c1))
        lines_list = sorted(lines)
        critical = {Fraction(0), Fraction(1)}
        for k, (cs1, ct1, c11) in enumerate(lines_list):
            if ct1 == 0 and 0 < Fraction(-c11, cs1) < 1:
                critical.add(Fraction(-c11, cs1))
            for cs2, ct2, c12 in lines_list[:k]:
                det = cs1 * ct2 - cs2 * ct1
                if det:
                    s = Fraction(ct1 * c12 - ct2 * c11, det)
                    if 0 < s < 1:
                        critical.add(s)
        if len(critical) * len(lines_list) > budget:
            return None
        ordered = sorted(critical)
        table = np.array(lines_list, dtype=float)
        samples = []
        for low, high in zip(ordered, ordered[1:]):
            limits.check("sweeping orbit shapes")
            at = float((low + high) / 2)
            if not float(low) < at < float(high):
                return None  # too close for floats to separate
            steep = table[table[:, 1] != 0]
            crossings = -(steep[:, 0] * at + steep[:, 2]) / steep[:, 1]
            ts = np.unique(np.concatenate([[at, 1.0], crossings[(crossings > at)
                                                                 & (crossings < 1)]]))
            if len(ts) > 1 and np.diff(ts).min() < 1e-12:
                return None
            middles = (ts[:-1] + ts[1:]) / 2
            samples.append(np.column_stack([np.zeros(len(middles)), np.full(len(middles), at),
                                            middles, np.ones(len(middles))]))
        return self._extremes(np.concatenate(samples))

    def _extremes(self, samples: Any) -> list[Orbit] | None:
        import numpy as np

        points = self.points.astype(float) / float(self.scale)
        chosen: dict[str, tuple[float, Any]] = {}
        only_left = self.in_left & ~self.in_right
        only_right = self.in_right & ~self.in_left
        for start in range(0, len(samples), 4096):
            limits.check("evaluating orbit shapes")
            batch = samples[start:start + 4096]
            scores = batch[:, self.permutations] @ points  # samples × permutations × lotteries
            if scores.shape[2] > 1:
                ordered = np.sort(scores, axis=2)
                if (ordered[:, :, -1] - ordered[:, :, -2] < 1e-9).any():
                    return None  # a point too near a boundary for floats: no exhaustive claim
            top = scores.argmax(axis=2)
            left_wins = only_left[top].sum(axis=1)
            right_wins = only_right[top].sum(axis=1)
            difference = left_wins - right_wins
            weakly = scores.shape[1] - right_wins
            for key, values, pick in (("low", difference, np.argmin),
                                      ("high", difference, np.argmax),
                                      ("weak", weakly, np.argmin)):
                k = int(pick(values))
                better = (key == "high" and values[k] > chosen.get(key, (-np.inf, None))[0]) or \
                    (key != "high" and values[k] < chosen.get(key, (np.inf, None))[0])
                if better:
                    chosen[key] = (float(values[k]), batch[k])
        exact = [self.orbit([Fraction(float(x)) for x in point]) for _, point in chosen.values()]
        found = [o for o in exact if o is not None]
        return found if len(found) == len(exact) else None


def _normalised(cs: int, ct: int, c1: int) -> tuple[int, int, int]:
    divisor = gcd(gcd(abs(cs), abs(ct)), abs(c1)) or 1
    sign = -1 if (cs, ct, c1) < (0, 0, 0) else 1
    return (sign * cs // divisor, sign * ct // divisor, sign * c1 // divisor)


def convergence(left: Node, right: Node, outcomes: Sequence[str],
                timeout_ms: int = relations.DEFAULT_TIMEOUT_MS) -> Strength:
    """How strongly ``left`` is a convergent instrumental goal over ``right`` when both are
    alternatives at a choice node, for every admissible distribution."""
    names = relevant_outcomes([left, right], outcomes)
    reasons: list[str] = []
    counter = _Orbits(left, right, names)  # refuses too many outcomes before any integral
    pair = pair_exact(left, right, names, (Fraction(1),))
    orbits = counter.search()
    worse = min(orbits, key=lambda o: o.left - o.right, default=None)
    better = max(orbits, key=lambda o: o.left - o.right, default=None)
    unfavourable = worse if worse is not None and worse.left < worse.right else None
    favourable = better if better is not None and better.left > better.right else None
    common = {"favourable": favourable, "unfavourable": unfavourable}
    if counter.swept:
        tried = "every orbit shape (a plane sweep over the cells of (0, s, t, 1))"
    elif counter.exhaustive:
        tried = f"every orbit shape ({len(orbits)} cells of (0, t, 1))"
    else:
        tried = f"{len(orbits)} orbits tried"
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
    checks: tuple[tuple[str, Callable[[], relations.Verdict], str], ...] = (
        ("P4 permuted interiority",
         lambda: relations.permuted("interiority", left, right, names, timeout_ms=timeout_ms),
         "strict"),
        ("P3 permuted inclusion",
         lambda: relations.permuted("inclusion", left, right, names, timeout_ms=timeout_ms),
         "weak"))
    for name, check, level in checks:
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
    for count, image in enumerate(itertools.permutations(range(d))):
        if count % 1000 == 0:
            limits.check("comparing lotteries up to permutation")
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
    texts = tuple(relations.cycle_notation(phi) for phi in chosen)
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
        limits.check("looking for Turner's involutions")
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
