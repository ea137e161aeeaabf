"""Maps ``σ`` for P3/P4 by the inequalities of the left tree's lottery set.

``σ·L(right) ⊆ L(left)`` holds exactly when every vertex ``y`` of ``L(right)``, moved, meets
every inequality ``a·z ≤ b`` that describes ``L(left)`` (its facets, and its affine hull's
equations as two inequalities each): ``Σ_s y_s a_σ(s) ≤ b``. For the interior (P4) each
facet must hold strictly. When the left tree has few enough strategy lotteries for Normaliz
to find those inequalities, this module searches the maps outcome by outcome and prunes a
partial map as soon as one moved vertex must cross one inequality however it is completed:
each unplaced source contributes at least its probability times the least coefficient among
the targets left to it. After each step every target of every unplaced source is tested the
same way (forward checking), and the targets left must still admit an injective map
(bipartite matching).

Nothing here trusts Normaliz for a "no": every inequality is checked exactly against every
lottery of the left tree before it prunes anything, and arithmetic is in whole numbers
(each vertex scaled by its own common denominator; Python integers where 64 bits might
overflow). So when the search runs out of maps, none exists. A map it yields meets every
inequality found; the caller still decides it exactly (Normaliz might have missed a facet).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses.agents import lottery_points
from decisiontrees.analyses.injections import distinct_choices
from decisiontrees.errors import InternalError, SolverFailed, TooManyLotteries
from decisiontrees.model.nodes import Node
from decisiontrees.solvers import normaliz

LEFT_POINTS = 1_000  # left lotteries past which no inequalities are sought
RIGHT_POINTS = 4_096  # right lotteries past which the stage stands aside
INLINE_POINTS = 12  # without a process of its own, Normaliz works here on so few points only
INT64_SAFE = 2**62  # magnitudes past which whole numbers leave numpy's int64 for Python's
CELLS = 2_000_000  # right lotteries × inequalities past which the stage stands aside (memory)
BIG_CELLS = 100_000  # the same where numbers outgrow 64 bits (Python's integers: ~20× slower)


@dataclass(frozen=True)
class Halfspaces:
    """Inequalities ``normals[k]·z ≤ bounds[k]`` over ``names`` that every lottery of the
    left tree meets (checked exactly); ``strict[k]`` marks a facet (for the interior it must
    hold strictly), not one side of an equation. ``lotteries``: the left tree's lotteries
    they were checked against."""

    names: tuple[str, ...]
    normals: tuple[tuple[int, ...], ...]
    bounds: tuple[int, ...]
    strict: tuple[bool, ...]
    lotteries: int

    @property
    def facets(self) -> int:
        return sum(self.strict)

    @property
    def equations(self) -> int:
        return (len(self.strict) - self.facets) // 2


class HalfspaceFinder:
    """Normaliz at work on the left tree's lottery set as inequalities, in slices: in a
    process of its own, paused between slices, where one can be started (a hull may take it
    minutes, or abort it); elsewhere here, at once, for INLINE_POINTS lotteries at most.
    Past LEFT_POINTS lotteries there is nothing to find."""

    def __init__(self, left: Node, names: tuple[str, ...]) -> None:
        self.names = names
        self.result: Halfspaces | None = None  # once done: the inequalities, or None
        self.done = False
        self._background: limits.Background | None = None
        try:
            self._points = sorted(lottery_points(left, names, LEFT_POINTS))
        except TooManyLotteries:
            self._points = []
        self.done = not self._points

    def wait(self, seconds: float) -> bool:
        """Let Normaliz work for up to ``seconds`` more; whether it is done."""
        if self.done:
            return True
        try:
            if self._background is None and not limits.can_start_processes():
                self.done = True
                if len(self._points) <= INLINE_POINTS:
                    self.result = _checked(self.names, self._points,
                                           *normaliz.hull_facets(self._points, True))
                return True
            if self._background is None:
                self._background = limits.Background(normaliz.hull_facets, self._points, True)
            if not self._background.wait(seconds):
                self._background.pause()
                return False
            found = self._background.result()
            self._background = None
            self.result = _checked(self.names, self._points, *found)
        except (SolverFailed, MemoryError, InternalError, OSError):
            self.result = None  # no inequalities: the stage stands aside
        self.done = True
        self.close()
        return True

    def close(self) -> None:
        """Stop Normaliz's process, if it is at work (or paused)."""
        if self._background is not None:
            self._background.stop()
            self._background = None


def _checked(names: tuple[str, ...], points: Sequence[Sequence[Fraction]],
             equations: Sequence[tuple[Sequence[int], int]],
             facets: Sequence[tuple[Sequence[int], int]]) -> Halfspaces:
    """The inequalities that every point meets, exactly; a facet whose normal is constant
    says nothing about lotteries and is dropped."""
    import numpy as np

    rows, scales = [], []
    for point in points:
        scale = lcm(*(x.denominator for x in point))
        rows.append([int(x * scale) for x in point])
        scales.append(scale)
    found = [(normal, bound, True) for normal, bound in equations] + \
        [(normal, bound, False) for normal, bound in facets]
    found = [(normal, bound, equal) for normal, bound, equal in found if len(set(normal)) > 1]
    if not found:
        return Halfspaces(names, (), (), (), len(points))
    limits.check("checking the left set's inequalities")
    widest = max(max(abs(a) for a in normal) + abs(bound) for normal, bound, _ in found)
    kind: Any = np.int64 if widest * max(scales) < INT64_SAFE else object
    values = np.array([normal for normal, _, _ in found], dtype=kind) @ \
        np.array(rows, dtype=kind).T  # inequalities × points
    allowed = np.array([bound for _, bound, _ in found], dtype=kind)[:, None] * \
        np.array(scales, dtype=kind)[None, :]
    below, level = (values <= allowed).all(axis=1), (values == allowed).all(axis=1)
    normals, bounds, strict = [], [], []
    for (normal, bound, equation), meets, meets_equally in zip(found, below, level):
        if equation and meets_equally:
            normals += [tuple(normal), tuple(-a for a in normal)]
            bounds += [bound, -bound]
            strict += [False, False]
        elif not equation and meets:
            normals.append(tuple(normal))
            bounds.append(bound)
            strict.append(True)
    return Halfspaces(names, tuple(normals), tuple(bounds), tuple(strict), len(points))


def right_vertices(right: Node, sources: Sequence[str], seconds: float
                   ) -> tuple[list[tuple[Fraction, ...]], bool] | None:
    """The right tree's lotteries over ``sources``, or None past RIGHT_POINTS: only the
    vertices of their hull (and True) when Normaliz finds them within ``seconds`` (in a
    process of its own; here only for INLINE_POINTS lotteries at most), else all of them
    (and False: any lottery left over only repeats a check)."""
    try:
        points = sorted(lottery_points(right, sources, RIGHT_POINTS))
    except TooManyLotteries:
        return None
    if len(points) <= len(sources) + 1:
        return points, False
    try:
        if limits.can_start_processes():
            background = limits.Background(normaliz.hull_vertices, points)
            try:
                if not background.wait(seconds):
                    return points, False
                chosen: list[int] = background.result()
            finally:
                background.stop()
        elif len(points) <= INLINE_POINTS:
            chosen = normaliz.hull_vertices(points)
        else:
            return points, False
    except (SolverFailed, MemoryError, InternalError, OSError):
        return points, False
    return [points[k] for k in chosen], True


class FacetSearch:
    """Injective maps from ``sources`` into their ``candidates`` (every ``forced`` target
    hit) under which every moved lottery of ``lotteries`` meets every inequality of
    ``halfspaces`` (strictly at facets if ``strict``), as far as checks on partial maps
    can tell: :meth:`maps` yields each map whose moved lotteries meet them all, and when it
    runs out no other allowed map does."""

    def __init__(self, halfspaces: Halfspaces, lotteries: Sequence[Sequence[Fraction]],
                 sources: Sequence[str], candidates: Mapping[str, Sequence[str]],
                 forced: frozenset[str], strict: bool) -> None:
        import numpy as np

        self.np = np
        self.sources = list(sources)
        self.targets = list(halfspaces.names)
        index = {t: k for k, t in enumerate(self.targets)}
        self.domains = {k: [index[t] for t in candidates[s] if t in index]
                        for k, s in enumerate(self.sources)}
        self.forced = {index[t] for t in forced if t in index}
        rows, scales = [], []
        for lottery in lotteries:
            scale = lcm(*(Fraction(q).denominator for q in lottery))
            rows.append([int(Fraction(q) * scale) for q in lottery])
            scales.append(scale)
        widest = max((abs(a) for normal in halfspaces.normals for a in normal), default=0)
        highest = max((abs(b) for b in halfspaces.bounds), default=0)
        # every sum below is of whole numbers at most (|b| + 4·max|a|)·scale in size
        exact = (highest + 4 * widest + 1) * max(scales, default=1) < INT64_SAFE
        kind: Any = np.int64 if exact else object
        self.lotteries = np.array(rows, dtype=kind).reshape(len(rows), len(self.sources))
        self.normals = np.array(halfspaces.normals, dtype=kind).reshape(
            len(halfspaces.normals), len(self.targets))
        self.bounds = np.array(scales, dtype=kind)[:, None] * \
            np.array(halfspaces.bounds, dtype=kind)[None, :]
        # at a facet the interior needs a·σy < b: whole numbers, so a·σy ≤ b − 1
        self.bounds = self.bounds - np.array(
            [int(strict and facet) for facet in halfspaces.strict], dtype=kind)[None, :]
        self.big = kind is object
        self.mass = [sum((Fraction(lottery[k]) for lottery in lotteries), Fraction(0))
                     for k in range(len(self.sources))]  # each outcome's, over the lotteries
        self.nodes = 0  # partial maps visited

    def maps(self) -> Iterator[dict[str, str]]:
        """Each map the inequalities allow, in the order found."""
        np = self.np
        placed = np.zeros(self.bounds.shape, dtype=self.bounds.dtype)
        chosen: dict[int, int] = {}
        for found in self._extend(placed, {k: list(v) for k, v in self.domains.items()},
                                  chosen):
            yield {self.sources[k]: self.targets[t] for k, t in sorted(found.items())}

    def _extend(self, placed: Any, domains: dict[int, list[int]], chosen: dict[int, int]
                ) -> Iterator[dict[int, int]]:
        limits.check(f"searching permutations by the left set's inequalities "
                     f"({self.nodes} partial maps)")
        self.nodes += 1
        if len(self.forced - set(chosen.values())) > len(domains):
            return
        if not domains:
            if bool((placed <= self.bounds).all()):
                yield dict(chosen)
            return
        narrowed = self._narrowed(placed, domains)
        if narrowed is None:
            return
        # fewest targets first; among equals the most probable outcome, whose image moves
        # the most mass (on the held-out pair 12/12, 10 partial maps instead of 3,308); an outcome of
        # no probability last, since its image only has to be distinct
        source = min(narrowed, key=lambda k: (self.mass[k] == 0, len(narrowed[k]),
                                              -self.mass[k], k))
        column = self.lotteries[:, source]
        for target in narrowed[source]:
            rest = {k: [t for t in ts if t != target] for k, ts in narrowed.items()
                    if k != source}
            chosen[source] = target
            yield from self._extend(placed + self.np.outer(column, self.normals[:, target]),
                                    rest, chosen)
            del chosen[source]

    def _narrowed(self, placed: Any, domains: dict[int, list[int]]
                  ) -> dict[int, list[int]] | None:
        """The targets left to each unplaced source after forward checking, or None when
        no completion of the partial map can meet every inequality."""
        np = self.np
        least = {k: self.normals[:, ts].min(axis=1) for k, ts in domains.items() if ts}
        if len(least) < len(domains):
            return None
        unplaced = list(least)
        # a lower bound on a·σy over every completion, for each lottery y and inequality a
        lowest = placed + self.lotteries[:, unplaced] @ np.stack([least[k] for k in unplaced])
        if bool((lowest > self.bounds).any()):
            return None
        slack = self.bounds - lowest
        narrowed = {}
        for k, targets in domains.items():
            reaching = np.flatnonzero(self.lotteries[:, k])
            if len(reaching) == 0:
                narrowed[k] = targets
                continue
            # σ(k) = t raises a·σy by y_k·(a_t − least a), within the slack of every y that
            # reaches k: whole numbers, so a_t − least a ≤ min over y of ⌊slack / y_k⌋
            room = (slack[reaching] // self.lotteries[reaching, k][:, None]).min(axis=0)
            extra = self.normals[:, targets] - least[k][:, None]  # inequalities × targets
            fits = (extra <= room[:, None]).all(axis=0)
            narrowed[k] = [t for t, ok in zip(targets, fits) if ok]
            if not narrowed[k]:
                return None
        return narrowed if distinct_choices(narrowed) else None
