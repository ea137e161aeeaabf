"""Convergent instrumental goals by orbit analysis (docs/theory.md §5).

A random agent's ``u`` gives a value to every outcome of ``O`` (the declared outcomes, or the
set a question names with ``over =``), and a symmetric distribution permutes all of ``O``. So
``P_D(t_i) = E_u[share of the orbit {σu} choosing t_i]`` with ``σ`` ranging over permutations
of ``O``, and what every admissible ``D`` does is decided by the orbit counts of generic ``u``.
The trees reach only ``R ⊆ O``; an orbit's count depends on which of ``u``'s values fall on
``R``, so it is counted over the ``|O|!/(|O|−|R|)!`` assignments of values to ``R``.

- **absolute** iff ``V(t_i) > V(t_j)`` for almost every ``u``: decided exactly by the
  polytope volumes of random_agents (the law of ``u`` on ``R`` is what matters);
- **weak** fails iff some generic ``u`` over ``O`` has fewer orbit members choosing ``t_i``
  than ``t_j``: that ``u`` is the witness. Every orbit over ``O`` is a sum of orbits over
  ``R`` (one per choice of the values that fall on ``R``), so weak and strict over ``R``
  carry over to ``O``; "none" does not, and needs a witness over ``O`` itself;
- with at most 4 outcomes every cell where counts can change is visited (exhaustive);
  otherwise orbits are sampled;
- **weak** holds by P1 (strict) or by an involution mapping ``L(t_j)`` into ``L(t_i)``
  (Turner et al.'s pairing), each verified by the relations engine, or by rankings of the
  outcomes in which ``t_i`` wins whatever the values (ranked_orders: strict when they are
  more than half); P3 and P4 alone are not used (docs/theory.md §4: counterexamples under
  these definitions);
- **strict** holds when weak does and some generic orbit strictly prefers ``t_i``; it fails
  when every orbit splits evenly (an involution maps one tree's strategy lotteries onto the
  other's, or every cell says so; a permutation of higher order does not split orbits evenly).

Without a proof and without a violating orbit, the answer is ``unknown``, never a guess.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses import permutations, relations
from decisiontrees.analyses.agents import (
    best_is_exchangeable,
    hull_vertices,
    lottery_points,
    pair_exact,
    relevant_outcomes,
)
from decisiontrees.analyses.ranked_orders import RankedOrders, settled_orders
from decisiontrees.errors import ArgumentError, CrossCheckFailed, RefusedError, SolverFailed
from decisiontrees.model.nodes import Node, outcomes_of

WITNESS_DENOMINATORS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 30, 40, 50, 60, 100, 120, 1000,
                        10**4, 10**6)
SAMPLED_SHAPES = 3_000  # orbit shapes scored in floats beyond the exact ones, at most
SAMPLING_WORK = 10**8  # multiply-adds those may take (assignments × lotteries each)
MAX_ASSIGNMENTS = 50_000  # ways u's values can fall on the reached outcomes, per orbit
SCALE = 10**6


@dataclass(frozen=True)
class Orbit:
    """A generic utility function over ``O`` and how its orbit splits between the two trees:
    how many of its permutations value the left tree more, equally, or less."""

    utility: Mapping[str, Fraction]
    better: int
    tied: int
    worse: int

    @property
    def size(self) -> int:
        return self.better + self.tied + self.worse

    @property
    def left(self) -> Fraction:
        """Members choosing the left tree (a tie is split between the two)."""
        return self.better + Fraction(self.tied, 2)

    @property
    def right(self) -> Fraction:
        return self.worse + Fraction(self.tied, 2)

    @property
    def weakly_left(self) -> int:
        """Members with ``V(left) ≥ V(right)`` (Turner's "weakly prefers")."""
        return self.better + self.tied

    def text(self, left: str = "the left tree", right: str = "the right") -> str:
        values = ", ".join(f"{o}: {v}" for o, v in self.utility.items())
        return (f"u = {{{values}}}: of its {self.size} permutations, {self.better} value "
                f"{left} more, {self.tied} value both equally, {self.worse} value {right} more")


@dataclass(frozen=True)
class Strength:
    """How strongly the left tree is a convergent goal over the right (None: undecided)."""

    level: str | None
    lower: str  # the strongest level proven
    reasons: tuple[str, ...]
    witness: Orbit | None = None  # breaks the next stronger level
    favourable: Orbit | None = None  # an orbit that strictly prefers the left tree
    unfavourable: Orbit | None = None  # an orbit that strictly prefers the right tree
    over: tuple[str, ...] = ()  # the outcome set O the orbits permute


class _Orbits:
    """Orbit counts for two trees, ``u`` over ``universe`` (O), in integer arithmetic."""

    def __init__(self, left: Node, right: Node, universe: Sequence[str]) -> None:
        import numpy as np

        self.names = tuple(universe)
        self.reach = relevant_outcomes([left, right], self.names)
        d, r = len(self.names), len(self.reach)
        assignments = math.perm(d, r)
        if assignments > MAX_ASSIGNMENTS:
            raise RefusedError(f"orbit analysis counts the {assignments} ways a utility "
                               f"function's values can fall on the {r} outcomes the trees reach "
                               f"(of {d}), more than {MAX_ASSIGNMENTS}")
        self.per_assignment = math.factorial(d - r)  # permutations of O per assignment
        mine, theirs = lottery_points(left, self.reach), lottery_points(right, self.reach)
        # a tree's value is the best of its lotteries' hull vertices: only those are counted
        # (fewer points to score, fewer lines to sweep, fewer ties that are not generic)
        left_vertices = set(hull_vertices(sorted(mine)))
        right_vertices = set(hull_vertices(sorted(theirs)))
        union = sorted(left_vertices | right_vertices)
        scale = lcm(*(x.denominator for z in union for x in z))
        self.scale = scale
        self.in_left = np.array([z in mine for z in union])  # the tree can choose it
        self.in_right = np.array([z in theirs for z in union])
        self.on_left = [z in left_vertices for z in union]  # a vertex of the tree's hull
        self.on_right = [z in right_vertices for z in union]
        # the left's alone, the right's alone, both trees'
        self.sides = (self.in_left & ~self.in_right, self.in_right & ~self.in_left,
                      self.in_left & self.in_right)
        dtype: Any = np.int64 if scale * SCALE < 2**62 else object
        self.points = np.array([[int(x * scale) for x in z] for z in union], dtype=dtype).T
        # where each reached outcome takes its value: an injective map R -> value slots
        self.maps = np.array(list(itertools.permutations(range(d), r)), dtype=np.int64) \
            .reshape(assignments, r)
        self.dtype = dtype

    def simplest(self, orbit: Orbit, accept: Callable[[Orbit], bool]) -> Orbit:
        """The same kind of witness with the simplest values found: scaled to [0, 1] (orbits
        ignore positive affine maps), then rounded to small denominators, each candidate
        re-counted exactly and kept only if ``accept`` still holds."""
        values = [orbit.utility[o] for o in self.names]
        low, high = min(values), max(values)
        if high > low:
            values = [(v - low) / (high - low) for v in values]
        for denominator in WITNESS_DENOMINATORS:
            candidate = self.orbit(on_grid(values, max(denominator, len(values) - 1)))
            if candidate is not None and accept(candidate):
                return candidate
        # values closer together than any grid keeps apart (a sampled shape bunched near 1):
        # each value's own best approximation, with ever larger denominators
        for digits in range(7, 16):
            candidate = self.orbit([v.limit_denominator(10**digits) for v in values])
            if candidate is not None and accept(candidate):
                return candidate
        return orbit

    def differences(self) -> list[list[int]]:
        """``z − z'`` for a hull vertex z of the left tree's lotteries and z' of the right's,
        padded with zeros to one entry per value slot (a value that falls on no reached
        outcome multiplies zero). Where none of these changes sign, neither does
        ``V_left − V_right = max_z min_z' u·(z − z')``, so orbit counts stay the same."""
        columns = self.points.shape[1]
        pad = [0] * (len(self.names) - len(self.reach))
        lefts = [a for a in range(columns) if self.on_left[a]]
        rights = [b for b in range(columns) if self.on_right[b]]
        return [[int(x) - int(y) for x, y in zip(self.points[:, a], self.points[:, b])] + pad
                for a in lefts for b in rights if a != b]

    def orbit(self, values: Sequence[Fraction]) -> Orbit | None:
        """Counts for the orbit of ``u = values``; None when ``u`` is not generic."""
        import numpy as np

        scale = lcm(*(Fraction(v).denominator for v in values))
        whole = [int(Fraction(v) * scale) for v in values]
        dtype = self.dtype if max(whole, default=0) < SCALE * 16 else object
        base = np.array(whole, dtype=dtype)
        points = self.points if dtype is self.dtype else self.points.astype(object)
        scores = base[self.maps] @ points  # assignments × lotteries
        top = scores.max(axis=1)
        at_top = scores == top[:, None]
        # generic: the best lotteries are all the left's alone, all the right's alone or all
        # shared; a mixture means u lies where the comparison of the trees changes
        kinds = sum((at_top & side).any(axis=1).astype(int) for side in self.sides)
        if (kinds > 1).any():
            return None
        left_wins = int((at_top & self.sides[0]).any(axis=1).sum())
        right_wins = int((at_top & self.sides[1]).any(axis=1).sum())
        ties = len(scores) - left_wins - right_wins
        utility = {o: Fraction(v) for o, v in zip(self.names, values)}
        each = self.per_assignment
        return Orbit(utility, left_wins * each, ties * each, right_wins * each)

    @property
    def exhaustive(self) -> bool:
        """Whether the last search tried every generic orbit shape: always with at most 3
        outcomes (see ``shapes``), with 4 when the plane sweep was small enough."""
        return len(self.names) <= 3 or self.swept

    swept = False
    unswept: str | None = None  # why a 4-outcome search sampled shapes instead of sweeping

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
            for difference in self.differences():
                for _, b, c in itertools.permutations(difference):
                    # a·0 + b·t + c·1 = 0
                    if b and 0 < -c / b < 1:
                        breaks.add(Fraction(-c, b))
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

    def sampled(self, seed: int, work: int = SAMPLING_WORK) -> list[Orbit]:
        """The most extreme orbits among many shapes scored in floating point, recounted
        exactly: uniform shapes, shapes bunched near 0 or near 1 (``v^k``, ``1 − v^k``) and
        shapes of two or three levels slightly spread. A violating orbit of a tree against
        one outcome often has most values near the top, which uniform shapes seldom draw
        (held-out trees with 6 outcomes: found only among ``1 − v^8``). As many shapes as
        ``work`` multiply-adds allow, at most SAMPLED_SHAPES; shapes near a tie are left out."""
        import numpy as np

        d = len(self.names)
        count = min(SAMPLED_SHAPES, work // max(1, self.maps.shape[0] * self.points.shape[1]))
        if count < 1:
            return []
        generator = np.random.default_rng(seed)
        drawn = generator.random((count, d))
        family = np.arange(count) % 6
        power = np.array([1, 4, 8, 4, 8, 1])[family][:, None]
        drawn = np.where((family == 1)[:, None] | (family == 2)[:, None], drawn ** power, drawn)
        drawn = np.where((family == 3)[:, None] | (family == 4)[:, None], 1 - drawn ** power,
                         drawn)
        levels = generator.random((count, 3))
        bunched = np.take_along_axis(levels, generator.integers(0, 2 + (family[:, None] > 2),
                                                                (count, d)), axis=1)
        bunched = bunched + generator.normal(0, 0.01, (count, d))
        drawn = np.where((family == 5)[:, None], bunched, drawn)
        found = self._extremes(np.sort(drawn, axis=1), skip_close=True)
        return found or []


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

        lines: set[tuple[int, int, int]] = {(0, 1, -1), (1, -1, 0)}  # t = 1 and s = t
        for difference in self.differences():
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
            self.unswept = (f"the plane sweep over 4 outcomes would take {len(critical):,} "
                            f"critical points × {len(lines_list):,} lines, more than its budget "
                            f"of {budget:,}")
            return None
        ordered = sorted(critical)
        table = np.array(lines_list, dtype=float)
        samples = []
        for low, high in zip(ordered, ordered[1:]):
            limits.check("sweeping orbit shapes")
            at = float((low + high) / 2)
            if not float(low) < at < float(high):
                self.unswept = "two critical points of the plane sweep are too close to " \
                    "separate in floating point"
                return None
            steep = table[table[:, 1] != 0]
            crossings = -(steep[:, 0] * at + steep[:, 2]) / steep[:, 1]
            ts = np.unique(np.concatenate([[at, 1.0], crossings[(crossings > at)
                                                                 & (crossings < 1)]]))
            if len(ts) > 1 and np.diff(ts).min() < 1e-12:
                self.unswept = "two crossings of the plane sweep are too close to separate " \
                    "in floating point"
                return None
            middles = (ts[:-1] + ts[1:]) / 2
            samples.append(np.column_stack([np.zeros(len(middles)), np.full(len(middles), at),
                                            middles, np.ones(len(middles))]))
        found = self._extremes(np.concatenate(samples))
        if found is None:
            self.unswept = "a point of the plane sweep lies too near a cell's boundary for " \
                "floating point"
        return found

    def _extremes(self, samples: Any, skip_close: bool = False) -> list[Orbit] | None:
        """The orbits with fewest and most members choosing the left tree over the right,
        and fewest weakly preferring it, among ``samples`` scored in floats and recounted
        exactly. A sample too near a tie for floats makes it None (the sweep then claims
        nothing), or with ``skip_close`` is left out."""
        import numpy as np

        points = self.points.astype(float) / float(self.scale)
        chosen: dict[str, tuple[float, Any]] = {}
        kinds = np.array([k for k, side in enumerate(self.sides) if side.any()])
        step = max(1, min(4096, 2**22 // (self.maps.shape[0] * points.shape[1])))  # 32 MB
        for start in range(0, len(samples), step):
            limits.check("evaluating orbit shapes")
            batch = samples[start:start + step]
            scores = batch[:, self.maps] @ points  # samples × assignments × lotteries
            # the best score of the left's own lotteries, the right's own and the shared
            best = np.stack([scores[:, :, self.sides[k]].max(axis=2) for k in kinds], axis=2)
            clear = np.ones(len(batch), dtype=bool)
            if len(kinds) > 1:
                ordered = np.sort(best, axis=2)
                clear = (ordered[:, :, -1] - ordered[:, :, -2] >= 1e-9).all(axis=1)
                if not skip_close and not clear.all():
                    return None  # a point too near a boundary for floats: no exhaustive claim
            winner = kinds[best.argmax(axis=2)]  # samples × assignments: 0 left, 1 right, 2 tie
            left_wins = (winner == 0).sum(axis=1)
            right_wins = (winner == 1).sum(axis=1)
            far = scores.shape[1] + 1  # never picked: a sample left out
            difference = np.where(clear, left_wins - right_wins, far)
            weakly = np.where(clear, scores.shape[1] - right_wins, far)
            for key, values, pick in (("low", difference, np.argmin),
                                      ("high", np.where(clear, difference, -far), np.argmax),
                                      ("weak", weakly, np.argmin)):
                k = int(pick(values))
                if not clear[k]:
                    continue
                better = (key == "high" and values[k] > chosen.get(key, (-np.inf, None))[0]) or \
                    (key != "high" and values[k] < chosen.get(key, (np.inf, None))[0])
                if better:
                    chosen[key] = (float(values[k]), batch[k])
        exact = [self.orbit([Fraction(float(x)) for x in point]) for _, point in chosen.values()]
        found = [o for o in exact if o is not None]
        return found if len(found) == len(exact) else None


def on_grid(values: Sequence[Fraction], denominator: int) -> list[Fraction]:
    """``values`` moved to multiples of ``1/denominator``, keeping their order strict (values
    that would meet are pushed apart), then scaled back into [0, 1]."""
    order = sorted(range(len(values)), key=lambda k: values[k])
    steps = [0] * len(values)
    previous = -1
    for k in order:
        step = max(round(values[k] * denominator), previous + 1)
        steps[k] = previous = step
    top = max(steps) or 1
    return [Fraction(step, top) for step in steps]


def _normalised(cs: int, ct: int, c1: int) -> tuple[int, int, int]:
    divisor = gcd(gcd(abs(cs), abs(ct)), abs(c1)) or 1
    sign = -1 if (cs, ct, c1) < (0, 0, 0) else 1
    return (sign * cs // divisor, sign * ct // divisor, sign * c1 // divisor)


@dataclass
class _Analysis:
    """What the orbit counts over O and over the reached outcomes R show about a pair."""

    universe: tuple[str, ...]
    reach: tuple[str, ...]
    over_o: _Orbits | None  # None: too many assignments to count over O
    over_r: _Orbits | None
    orbits_o: list[Orbit]
    orbits_r: list[Orbit]

    @property
    def exhaustive_o(self) -> bool:
        return self.over_o is not None and self.over_o.exhaustive

    @property
    def exhaustive_r(self) -> bool:
        return self.over_r is not None and self.over_r.exhaustive

    def simplest(self, orbit: Orbit | None, accept: Callable[[Orbit], bool]) -> Orbit | None:
        """``orbit`` with the simplest values that keep it a witness (``accept``)."""
        if orbit is None:
            return None
        for counter in (self.over_o, self.over_r):
            if counter is not None and tuple(orbit.utility) == counter.names:
                return counter.simplest(orbit, accept)
        return orbit

    def widen(self, seed: int = 1) -> bool:
        """Add the orbits :meth:`_Orbits.sampled` finds over O; whether any were added."""
        if self.over_o is None or self.over_o.exhaustive:
            return False
        more = self.over_o.sampled(seed)
        self.orbits_o.extend(more)
        return bool(more)

    def tried(self) -> str:
        counter = self.over_o or self.over_r
        if counter is not None and counter.swept:
            return "every orbit shape (a plane sweep over the cells of (0, x, y, 1))"
        if counter is not None and counter.exhaustive:
            cells = len(self.orbits_o or self.orbits_r)
            return f"every orbit shape ({cells} cell{'s' * (cells != 1)} of (0, x, 1))"
        return f"{len(self.orbits_o)} orbits over O tried"


def _analyse(left: Node, right: Node, universe: Sequence[str]) -> _Analysis:
    names = tuple(universe)
    reach = relevant_outcomes([left, right], names)
    try:
        over_o: _Orbits | None = _Orbits(left, right, names)
    except RefusedError:
        over_o = None
    over_r = over_o if reach == names else _Orbits(left, right, reach)
    orbits_o = over_o.search() if over_o is not None else []
    orbits_r = orbits_o if over_r is over_o or over_r is None else over_r.search()
    return _Analysis(names, reach, over_o, over_r, orbits_o, orbits_r)


def _least(orbits: Sequence[Orbit]) -> Orbit | None:
    worst = min(orbits, key=lambda o: o.left - o.right, default=None)
    return worst if worst is not None and worst.left < worst.right else None


def _most(orbits: Sequence[Orbit]) -> Orbit | None:
    best = max(orbits, key=lambda o: o.left - o.right, default=None)
    return best if best is not None and best.left > best.right else None


def over_text(universe: Sequence[str], reach: Sequence[str]) -> str:
    text = "{" + ", ".join(universe) + "}"
    return text if len(reach) == len(universe) else \
        f"{text}; the trees reach {{{', '.join(reach)}}}"


def _require_outcomes(call: str, left: Node, right: Node, outcomes: Sequence[str]) -> None:
    """Orbits permute the given outcomes: every outcome the trees can end in must be one."""
    missing = sorted((set(outcomes_of(left)) | set(outcomes_of(right))) - set(outcomes))
    if missing:
        raise ArgumentError(f"{call}(): outcomes must list every outcome of both trees; "
                            f"missing {', '.join(missing)}")
    if len(set(outcomes)) != len(outcomes):
        raise ArgumentError(f"{call}(): outcomes are listed twice")


def convergence(left: Node, right: Node, outcomes: Sequence[str],
                timeout_ms: int = relations.DEFAULT_TIMEOUT_MS,
                names: tuple[str, str] = ("left", "right")) -> Strength:
    """How strongly ``left`` is a convergent instrumental goal over ``right`` when both are
    alternatives at a choice node, for every admissible distribution of ``u`` over
    ``outcomes`` (O). ``names`` are the trees' names in the reasons."""
    _require_outcomes("convergence", left, right, outcomes)
    strength = _convergence(left, right, outcomes, timeout_ms)
    reasons = tuple(_named(r, names) for r in strength.reasons)
    return Strength(strength.level, strength.lower, reasons, strength.witness,
                    strength.favourable, strength.unfavourable, strength.over)


def _named(text: str, names: tuple[str, str]) -> str:
    return text.replace("⟨L⟩", names[0]).replace("⟨R⟩", names[1])


def _convergence(left: Node, right: Node, outcomes: Sequence[str], timeout_ms: int) -> Strength:
    universe = tuple(outcomes)
    reach = relevant_outcomes([left, right], universe)
    reasons = [f"orbits permute O = {over_text(universe, reach)}"]
    try:
        pair = pair_exact(left, right, reach, (Fraction(1),))
    except RefusedError:
        pair = None
    if pair is not None and pair.better.value == 1:
        reasons.append("P[V(⟨L⟩) > V(⟨R⟩)] = 1 under U[0,1] (exact): ⟨L⟩ is "
                       "strictly better for almost every u, so every regular distribution "
                       "chooses it with probability 1")
        return Strength("absolute", "absolute", tuple(reasons), over=universe)
    if pair is not None:
        reasons.append(f"not absolute: P[V(⟨L⟩) > V(⟨R⟩)] = {pair.better.value} < 1 under "
                       "U[0,1] (exact), so a set of u of positive measure does not prefer ⟨L⟩ "
                       "strictly")
    try:
        found = _analyse(left, right, universe)
    except RefusedError as refusal:
        found = None
        reasons.append(f"orbits not counted: {refusal}")
    unfavourable = found.simplest(_least(found.orbits_o), _prefers_right) if found else None
    favourable = found.simplest(_most(found.orbits_o) or _most(found.orbits_r), _prefers_left) \
        if found else None

    def done(level: str | None, lower: str, witness: Orbit | None = None) -> Strength:
        return Strength(level, lower, tuple(reasons), witness, favourable, unfavourable, universe)

    if unfavourable is not None:
        reasons.append("not weak: an orbit in which more members choose ⟨R⟩")
        return done("none", "none", unfavourable)
    proven, even = _proofs(left, right, universe, reach, found, timeout_ms, reasons)
    # Under U[0,1], a symmetric law, P[V(L) > V(R)] − P[V(R) > V(L)] is the average over u of
    # (members of u's orbit choosing L − members choosing R) / |O|!, ties cancelling: its
    # sign settles what no orbit found or proof did
    lead = pair.better.value - pair.worse.value if pair is not None else None
    averaged = (f"under U[0,1], a symmetric law, P[V(⟨L⟩) > V(⟨R⟩)] = {pair.better.value} "
                f"and P[V(⟨R⟩) > V(⟨L⟩)] = {pair.worse.value} (exact), and their difference "
                "is the average over u of the share of u's orbit choosing ⟨L⟩ minus the share "
                "choosing ⟨R⟩") if pair is not None else ""
    if lead is not None and proven is not None and (
            lead < 0 or (proven == "strict" and lead == 0) or (even and lead != 0)):
        raise CrossCheckFailed(f"convergence: {proven} was proven{' (every orbit even)' if even else ''}, "
                               f"yet {_named(averaged, ('the left tree', 'the right'))}")
    if proven is None and lead is not None and lead < 0:
        reasons.append(f"not weak: {averaged}, so orbits preferring ⟨R⟩ have positive measure")
        return done("none", "none")
    if proven is None and lead is not None and _alike(left, right, reach):
        level = "strict" if lead > 0 else "weak"
        reasons.append(f"{level}: {ALIKE}; {averaged}, so every orbit's difference is that")
        return done(level, level)
    if proven is None and found is not None and found.widen():
        unfavourable = found.simplest(_least(found.orbits_o), _prefers_right)
        if unfavourable is not None:
            reasons.append(f"not weak: an orbit in which more members choose ⟨R⟩ ({SAMPLED})")
            return done("none", "none", unfavourable)
    if proven is None:
        if found is not None and _least(found.orbits_r) is not None:
            reasons.append("over the reached outcomes alone an orbit prefers ⟨R⟩, "
                           "but no orbit over O found does, and none is ruled out")
        else:
            reasons.append("no violating orbit found, but no proposition proves weak "
                           "convergence")
        reasons.extend(_unswept(found))
        return done(None, "none")
    if proven == "strict":
        return done("strict", "strict", None)
    if favourable is not None:
        reasons.append("strict: an orbit in which more members choose ⟨L⟩")
        return done("strict", "strict", None)
    if even:
        return done("weak", "weak", _most_even(found))
    if lead is not None and lead > 0:
        reasons.append(f"strict: {averaged}; no orbit prefers ⟨R⟩, so orbits preferring ⟨L⟩ "
                       "have positive measure")
        return done("strict", "strict", None)
    if lead == 0:
        reasons.append(f"not strict: {averaged}; no orbit prefers ⟨R⟩, so almost every orbit "
                       "splits evenly")
        return done("weak", "weak", _most_even(found))
    if found is not None and found.widen():
        favourable = found.simplest(_most(found.orbits_o), _prefers_left)
        if favourable is not None:
            reasons.append(f"strict: an orbit in which more members choose ⟨L⟩ ({SAMPLED})")
            return done("strict", "strict", None)
    reasons.append("weak; no orbit found prefers ⟨L⟩ strictly, and no proof that "
                   "none does")
    reasons.extend(_unswept(found))
    return done(None, "weak")


SAMPLED = ("found among orbit shapes bunched near 0 or 1 or on a few levels, scored in "
           "floating point and then counted exactly")


def _unswept(found: _Analysis | None) -> list[str]:
    """Why 4 outcomes were sampled rather than swept (then the answer may stay unknown)."""
    for counter in (found.over_o, found.over_r) if found is not None else ():
        if counter is not None and counter.unswept:
            return [f"orbit shapes were sampled, not all visited: {counter.unswept}"]
    return []


def _most_even(found: _Analysis | None) -> Orbit | None:
    orbits = (found.orbits_o or found.orbits_r) if found else []
    return found.simplest(orbits[0], lambda _: True) if found and orbits else None


def _prefers_left(orbit: Orbit) -> bool:
    return orbit.left > orbit.right


def _prefers_right(orbit: Orbit) -> bool:
    return orbit.left < orbit.right


def _proofs(left: Node, right: Node, universe: tuple[str, ...], reach: tuple[str, ...],
            found: _Analysis | None, timeout_ms: int, reasons: list[str]
            ) -> tuple[str | None, bool]:
    """The strongest level proven (weak or strict, or None), and whether every orbit is
    proven to split evenly (then not strict). Appends the reasons."""
    if found is not None and found.exhaustive_o and _least(found.orbits_o) is None:
        reasons.append(f"weak: no orbit over O prefers ⟨R⟩ among {found.tried()}")
        if _most(found.orbits_o) is None:
            reasons.append("not strict: every orbit over O splits evenly")
            return "weak", True
        return "weak", False
    if found is not None and found.exhaustive_r and _least(found.orbits_r) is None:
        reasons.append("weak: no orbit over the reached outcomes prefers ⟨R⟩ (every "
                       "shape visited), and every orbit over O is a sum of those")
        if _most(found.orbits_r) is None:
            reasons.append("not strict: every orbit over the reached outcomes splits evenly, so "
                           "every orbit over O does")
            return "weak", True
        return "weak", False
    phi = _swapping_involution(left, right, reach)
    if phi:
        reasons.append(f"weak, not strict: the involution {permutations.cycle_notation(phi)} maps "
                       "the strategy lotteries of ⟨R⟩ onto those of ⟨L⟩ and back, so u and φu "
                       "pair each member of an orbit choosing ⟨L⟩ with one choosing ⟨R⟩: every "
                       "orbit splits evenly")
        return "weak", True
    outcome, forward, _ = relations.compare(left, right, None, timeout_ms, universe)
    if outcome == "equivalent":
        reasons.append(f"the trees are equivalent ({forward.method}): every u ties them, so "
                       "every distribution chooses each half the time — weak, not strict")
        return "weak", True
    if outcome == "dominates":
        reasons.append(f"P1 inclusion holds ({forward.method}), so by Tarsney's Proposition 1 "
                       "the goal is strict")
        return "strict", False
    # Tarsney's P3 and P4 alone prove nothing here: a 3-cycle σ with σ·L(s) ⊊ L(t) can leave
    # an orbit preferring s, and P4 on two outcomes can split every orbit evenly (proofs/
    # holds both). An involution φ with φ·L(s) ⊆ L(t) does give weak: u preferring s makes
    # φu prefer t (V_t(φu) >= V_s(u) > V_t(u) >= V_s(φu)), an injection within each orbit.
    phi = _mapping_involution(left, right, universe, reach, timeout_ms)
    if phi is not None:
        reasons.append(f"the involution {permutations.cycle_notation(phi)} maps L(⟨R⟩) into "
                       "L(⟨L⟩), so every member of an orbit preferring ⟨R⟩ is paired with "
                       "one preferring ⟨L⟩ (Turner et al. 2021's argument): at least weak")
        return "weak", False
    # the rankings come last: at 9 outcomes they took 1.0 s against one outcome for sure
    # (`choice {o1 … o8}` against `off`) and 4.3 s for 81 lotteries, where the proofs above
    # are often instant
    ranked = settled_orders(left, right, reach)
    if ranked is not None and 2 * ranked.left < ranked.total:  # split by the order of gaps
        ranked = settled_orders(left, right, reach, gaps=True) or ranked
    if ranked is not None and 2 * ranked.left >= ranked.total:
        level = "strict" if 2 * ranked.left > ranked.total else "weak"
        reasons.append(f"{level}: {_ranked_text(ranked)}, so at least "
                       f"{Fraction(ranked.left, ranked.total)} of every generic orbit chooses "
                       "⟨L⟩ and "
                       f"at most {Fraction(ranked.total - ranked.left, ranked.total)} "
                       "chooses ⟨R⟩")
        return level, False
    return None, False


def _ranked_text(ranked: RankedOrders, weakly: bool = False) -> str:
    """Why the rankings counted in ``ranked`` settle the comparison for every ``u``."""
    count = ranked.weakly_left if weakly else ranked.left
    better = 'at least as good' if weakly else 'strictly better'
    rankings = f"{ranked.total:,} rankings of {', '.join(ranked.outcomes)} from best to worst"
    if ranked.gap_orders:
        return (f"the u are split by the order of the gaps between their consecutive values "
                f"on the outcomes the trees reach ({ranked.gap_orders:,} orders); the u "
                "ranked one way with gaps in one order form a cone whose extreme rays have "
                "value 1 across the j "
                f"largest gaps and 0 across the rest, and in each order at least {count:,} "
                f"of the {rankings} have every vertex of the hull of ⟨R⟩'s lotteries beaten "
                f"{'weakly ' if weakly else ''}by a lottery of ⟨L⟩ at every ray"
                f"{'' if weakly else ' (strictly at one)'}, so ⟨L⟩ is {better} for every u "
                "ranked so whose gaps are distinct and so ordered; the members of an orbit, "
                "grouped by the values that fall on those outcomes, share one order of gaps "
                "in each group, with equally many members in each ranking")
    example = f" (the first: {' > '.join(ranked.first_left)})" \
        if ranked.first_left and not weakly else ""
    return (f"in {count:,} of the {rankings}{example}, every vertex of the hull of ⟨R⟩'s "
            f"lotteries is {'weakly ' if weakly else ''}first-order stochastically dominated "
            f"by a lottery of ⟨L⟩, so ⟨L⟩ is {better} for every u with distinct values "
            "ranked that way, and every generic orbit has equally many members in each "
            "ranking")


MAX_INVOLUTIONS = 5_000  # tried one by one when the P3 search's σ is no involution
TURNER_CANDIDATES = 256  # involutions mapping L(right) into L(left), fewest swaps first


def _mapping_involution(left: Node, right: Node, universe: tuple[str, ...],
                        reach: tuple[str, ...], timeout_ms: int) -> dict[str, str] | None:
    """An involution ``φ`` of the outcomes with ``φ·L(right) ⊆ L(left)``: the σ of the
    (pruned) P3 search when it extends to one, else the first of at most MAX_INVOLUTIONS."""
    try:
        found = permutations.permuted("inclusion", left, right, universe, timeout_ms=timeout_ms)
    except RefusedError:
        found = None
    if found is not None and found.holds:
        sigma = dict(found.details.get("map", {}))
        if all(sigma.get(t, s) == s for s, t in sigma.items() if t in sigma or t != s):
            phi = {**sigma, **{t: s for s, t in sigma.items()}}
            return {o: t for o, t in phi.items() if o != t} or None
    for count, phi in enumerate(involutions(reach, permutations.may_send(left, right, reach))):
        if count >= MAX_INVOLUTIONS:
            break
        limits.check("looking for an involution that maps the right tree into the left")
        if relations.dominates(left, relations.relabel(right, phi), None, timeout_ms,
                               universe).holds:
            return dict(phi)
    return None


def _swapping_involution(left: Node, right: Node, names: Sequence[str]) -> dict[str, str] | None:
    """An involution φ (φ = φ⁻¹, not the identity) of ``names`` that maps the strategy
    lotteries of ``right`` onto those of ``left``, or None. Then ``V_left(u) = V_right(φu)``
    and ``V_right(u) = V_left(φu)``, so ``u ↦ φu`` pairs the members of every orbit that
    prefer one tree with those that prefer the other. A permutation of higher order gives no
    such pairing: with a 3-cycle, orbits can lean either way (the trees then need not even
    tie in probability). Sufficient, not necessary: lotteries that are not vertices could
    differ. None too when the lotteries are too many to list."""
    try:
        mine, theirs = lottery_points(left, names), lottery_points(right, names)
    except RefusedError:  # this proof does not apply; the others may
        return None
    if len(mine) != len(theirs):
        return None
    index = {name: k for k, name in enumerate(names)}
    names = tuple(names)
    forward, backward = permutations.may_send(left, right, names), \
        permutations.may_send(right, left, names)
    for count, phi in enumerate(involutions(names, lambda s, t: forward(s, t) and backward(t, s))):
        if count % 1000 == 0:
            limits.check("comparing lotteries up to an involution")
        image = [index[phi[name]] for name in names]
        if {tuple(z[k] for k in image) for z in theirs} == mine:
            return phi
    return None


@dataclass(frozen=True)
class Dependence:
    """Whether which tree is more likely optimal depends on the admissible law: True with an
    orbit preferring each side, False when one tree is a convergent goal over the other
    (``reasons`` say why), None when neither was found."""

    dependent: bool | None
    better: Orbit | None  # an orbit that prefers the left tree, if one was found
    worse: Orbit | None  # one that prefers the right tree
    reasons: tuple[str, ...] = ()


def distribution_dependent(left: Node, right: Node, outcomes: Sequence[str],
                           timeout_ms: int = relations.DEFAULT_TIMEOUT_MS,
                           names: tuple[str, str] = ("the left tree", "the right tree")
                           ) -> Dependence:
    """Tarsney's incomparability (his Proposition 5): one generic orbit over O prefers the
    left tree and another the right, so which is more likely depends on the distribution.
    Otherwise it is not when either tree is at least a weak convergent goal over the other
    (every admissible law then favours it)."""
    _require_outcomes("distribution_dependent", left, right, outcomes)
    try:
        found: _Analysis | None = _analyse(left, right, outcomes)
    except RefusedError:  # too many orbits to count: only the convergence proofs can answer
        found = None
    better = found.simplest(_most(found.orbits_o), _prefers_left) if found else None
    worse = found.simplest(_least(found.orbits_o), _prefers_right) if found else None
    if better is not None and worse is not None:
        return Dependence(True, better, worse)
    for ahead, behind, first, second in ((left, right, *names), (right, left, *names[::-1])):
        proven = convergence(ahead, behind, outcomes, timeout_ms, (first, second))
        if proven.lower != "none":
            return Dependence(False, better, worse, (
                f"{first} is at least {'an' if proven.lower[0] in 'aeiou' else 'a'} "
                f"{proven.lower} convergent goal over {second}, so no "
                f"admissible law prefers {second}:", *proven.reasons))
    return Dependence(None, better, worse)


@dataclass(frozen=True)
class Share:
    """Bounds on the smallest share of any generic orbit weakly preferring the left tree."""

    lower: Fraction
    upper: Fraction
    lower_reason: str
    upper_orbit: Orbit | None
    involutions: tuple[str, ...] = ()
    over: tuple[str, ...] = ()
    upper_reason: str = ""  # when no orbit shows the upper bound


def orbit_share(left: Node, right: Node, outcomes: Sequence[str],
                timeout_ms: int = relations.DEFAULT_TIMEOUT_MS,
                names: tuple[str, str] = ("the left tree", "the right tree")) -> Share:
    """``min`` over generic ``u`` on O of the share of its orbit with ``V(left) ≥ V(right)``
    (Turner's "weakly prefers"). A lower bound proven over the reached outcomes holds over O
    (an orbit over O averages orbits over them); the upper bound is an orbit over O."""
    _require_outcomes("orbit_share", left, right, outcomes)
    universe = tuple(outcomes)
    try:
        found: _Analysis | None = _analyse(left, right, universe)
    except RefusedError:  # too many orbits to count: the bounds come from proofs alone
        found = None
    orbits_o = found.orbits_o if found is not None else []
    smallest = min(orbits_o, key=lambda o: Fraction(o.weakly_left, o.size), default=None)
    upper = Fraction(smallest.weakly_left, smallest.size) if smallest else Fraction(1)
    if found is not None:
        smallest = found.simplest(smallest, lambda o: Fraction(o.weakly_left, o.size) == upper)
    reach = relevant_outcomes([left, right], universe)
    if relations.dominates(left, right, None, timeout_ms, universe).holds:
        return Share(Fraction(1), upper, f"{names[0]} dominates {names[1]}: its value is at "
                     "least as large for every u", smallest, over=universe)
    candidates: list[tuple[Fraction, str, tuple[str, ...]]] = []
    exhaustive = None if found is None else found.over_o if found.exhaustive_o else \
        found.over_r if found.exhaustive_r else None
    if found is not None and exhaustive is not None:
        orbits = found.orbits_o if exhaustive is found.over_o else found.orbits_r
        least = min((Fraction(o.weakly_left, o.size) for o in orbits), default=Fraction(1))
        where = "O" if exhaustive is found.over_o else "the reached outcomes"
        candidates.append((least, f"every orbit shape over {where} visited: the smallest share "
                           "is this", ()))
    chosen = turner_involutions(left, right, reach, timeout_ms)
    texts = tuple(permutations.cycle_notation(phi) for phi in chosen)
    if chosen:
        n = len(chosen)
        candidates.append((Fraction(n, n + 1),
                           f"Turner's involutions {', '.join(texts)} map L({names[1]}) into "
                           f"L({names[0]}) and fix each other's images, so at least {n}/{n + 1} "
                           f"of every orbit weakly prefers {names[0]}", texts))
    ranked = settled_orders(left, right, reach) \
        if max((c[0] for c in candidates), default=Fraction(0)) < upper else None
    if ranked is not None and ranked.weakly_left:  # last: the reasons above win a tie
        candidates.append((Fraction(ranked.weakly_left, ranked.total),
                           _named(_ranked_text(ranked, weakly=True), names), ()))
    lower, reason, _ = max(candidates, key=lambda c: c[0]) if candidates else (
        Fraction(0), f"no involution maps L({names[1]}) into L({names[0]})", ())
    if lower < upper and found is not None and found.widen():  # more orbits: a lower upper
        fewest = min(found.orbits_o, key=lambda o: Fraction(o.weakly_left, o.size))
        if Fraction(fewest.weakly_left, fewest.size) < upper:
            upper = Fraction(fewest.weakly_left, fewest.size)
            smallest = found.simplest(fewest, lambda o: Fraction(o.weakly_left, o.size) == upper)
    upper_reason = ""
    averaged = _average_share(left, right, reach) if lower < upper else None
    if averaged is not None and lower < averaged <= upper and _alike(left, right, reach):
        lower, reason, upper, smallest = averaged, (
            f"{ALIKE}; under U[0,1] P[V({names[0]}) >= V({names[1]})] = {averaged} (exact), "
            "so every orbit's share is that"), averaged, None
        upper_reason = "every orbit's share is the same"
    if averaged is not None and averaged < upper:
        upper, smallest = averaged, None
        upper_reason = (f"under U[0,1], a symmetric law, P[V({names[0]}) >= V({names[1]})] = "
                        f"{upper} (exact) is the average share over all u, so some orbits "
                        "of positive measure have no more")
    if lower < upper:  # the orders of gaps cost more: only while the bounds are still apart
        split = settled_orders(left, right, reach, gaps=True)
        if split is not None and Fraction(split.weakly_left, split.total) > lower:
            lower = Fraction(split.weakly_left, split.total)
            reason = _named(_ranked_text(split, weakly=True), names)
    if lower > upper:  # each bound is proven: together they cannot cross
        raise CrossCheckFailed(f"orbit_share: the lower bound {lower} ({reason}) exceeds the "
                               f"upper bound {upper}")
    # the involutions found are reported even when another reason gives the better bound
    return Share(lower, upper, reason, smallest, texts, universe, upper_reason)


ALIKE = ("every orbit splits alike: the trees' lotteries together are outcomes for sure "
         "with mixtures of them, or every rearrangement of one lottery, so permuting the "
         "outcomes moves the best of them uniformly over that set")


def _alike(left: Node, right: Node, reach: tuple[str, ...]) -> bool:
    """Whether every generic orbit splits exactly as the average over u does (ALIKE)."""
    try:
        points = lottery_points(left, reach) | lottery_points(right, reach)
    except RefusedError:
        return False
    return best_is_exchangeable(sorted(points))


def _average_share(left: Node, right: Node, reach: tuple[str, ...]) -> Fraction | None:
    """``P[V(left) >= V(right)]`` under U[0,1], exact: the mean over u of the share of u's
    orbit weakly preferring ``left`` (U[0,1] is symmetric), so the least share is at most
    this. None when there is no exact answer (too many outcomes, or Normaliz failed)."""
    try:
        pair = pair_exact(left, right, reach, (Fraction(1),))
    except (RefusedError, SolverFailed):
        return None
    return Fraction(pair.better.value + pair.tie.value)


def turner_involutions(left: Node, right: Node, names: Sequence[str],
                       timeout_ms: int = relations.DEFAULT_TIMEOUT_MS) -> list[dict[str, str]]:
    """The largest set of involutions φ_a found with ``φ_a·L(right) ⊆ L(left)`` and
    ``φ_a·(φ_b·L(right)) = φ_b·L(right)`` for ``a ≠ b``."""
    valid: list[tuple[dict[str, str], Node]] = []
    for phi in involutions(names, permutations.may_send(left, right, tuple(names))):
        limits.check("looking for Turner's involutions")
        moved = relations.relabel(right, phi)
        if relations.dominates(left, moved, None, timeout_ms, tuple(names)).holds:
            valid.append((phi, moved))
            if len(valid) == TURNER_CANDIDATES:  # each pair is then compared: keep it small
                break
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

    return [valid[k][0] for k in largest_compatible_set(len(valid), compatible)]


def largest_compatible_set(count: int, compatible: Callable[[int, int], bool]) -> list[int]:
    """The largest set of indices below ``count`` whose members are compatible with each
    other both ways; each ordered pair is tested once (tests may call a solver), then a
    branch and bound over the candidates still compatible with the set so far, cut when
    even all of them could not beat the best set found, or when a greedy colouring of them
    (members of a set need different colours) needs too few colours."""
    pairs = {(a, b) for a in range(count) for b in range(count) if a != b and compatible(a, b)}
    near = {a: {b for b in range(count) if (a, b) in pairs and (b, a) in pairs}
            for a in range(count)}
    best: list[int] = []

    def colours(candidates: list[int]) -> int:
        classes: list[list[int]] = []
        for k in candidates:
            for members in classes:
                if not any(other in near[k] for other in members):
                    members.append(k)
                    break
            else:
                classes.append([k])
        return len(classes)

    def grow(chosen: list[int], candidates: list[int]) -> None:
        nonlocal best
        limits.check("looking for compatible involutions")
        if len(chosen) > len(best):
            best = list(chosen)
        if len(chosen) + colours(candidates) <= len(best):
            return
        for position, k in enumerate(candidates):
            if len(chosen) + len(candidates) - position <= len(best):
                return
            grow([*chosen, k], [c for c in candidates[position + 1:] if c in near[k]])

    grow([], list(range(count)))
    return best


def involutions(names: Sequence[str], allowed: Callable[[str, str], bool] | None = None
                ) -> Iterator[dict[str, str]]:
    """Every permutation of order 2 (products of disjoint transpositions) as a mapping, those
    with fewer transpositions first; with ``allowed``, only those sending each name ``s``
    (itself too, when fixed) to a ``t`` with ``allowed(s, t)``."""
    names = list(names)
    allowed = allowed or (lambda source, target: True)
    fixable = {name for name in names if allowed(name, name)}
    swaps = [(a, b) for k, a in enumerate(names) for b in names[k + 1:]
             if allowed(a, b) and allowed(b, a)]

    def build(count: int, start: int, used: frozenset[str]) -> Iterator[list[tuple[str, str]]]:
        limits.check("listing involutions")
        unmatched = [name for name in names if name not in used and name not in fixable]
        if len(unmatched) > 2 * count or any(  # each needs a swap still open to it
                not any(name in swaps[k] and swaps[k][0] not in used and swaps[k][1] not in used
                        for k in range(start, len(swaps))) for name in unmatched):
            return
        if count == 0:
            yield []
            return
        for k in range(start, len(swaps)):
            a, b = swaps[k]
            if a not in used and b not in used:
                for rest in build(count - 1, k + 1, used | {a, b}):
                    yield [(a, b), *rest]

    for count in range(1, len(names) // 2 + 1):
        for chosen in build(count, 0, frozenset()):
            limits.check("listing involutions")
            mapping = {name: name for name in names}
            for a, b in chosen:
                mapping[a], mapping[b] = b, a
            yield mapping
