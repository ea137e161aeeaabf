"""The only module that talks to PyNormaliz: volumes and triangulations of polytopes.

A polytope is ``{u in [0,1]^d : n·u + c >= 0 for every normal n}``, given by exact normals
and offsets ``c`` (0 when not given: a cone through the origin cut by the cube).
In: Fractions. Out: Fractions and lists of exact vertices.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from functools import cache
from math import factorial, lcm
from typing import Any

from decisiontrees.errors import SolverFailed

# Normaliz runs single-threaded: OpenMP worker threads in a process make a child forked from
# it hang in its next OpenMP call, and statements run in forked children (limits.py). The
# variable must be set before OpenMP starts, so before PyNormaliz is first used anywhere.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@cache
def _normaliz() -> Any:
    import PyNormaliz

    PyNormaliz.NmzSetNumberOfNormalizThreads(1)
    return PyNormaliz


# cones whose facets were counted, kept for the volume that usually follows: Normaliz reuses
# the facets and vertices it found (0.44 s of 10 s on 30 ten-dimensional regions)
_COUNTED: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_COUNTED_KEPT = 64


def _key(normals: Sequence[Sequence[Fraction]], d: int,
         offsets: Sequence[Fraction] | None) -> tuple[Any, ...]:
    return tuple(map(tuple, normals)), d, None if offsets is None else tuple(offsets)


def _cone(normals: Sequence[Sequence[Fraction]], d: int,
          offsets: Sequence[Fraction] | None = None) -> Any:
    counted = _COUNTED.pop(_key(normals, d, offsets), None)
    if counted is not None:
        return counted
    Cone = _normaliz().Cone

    rows = []
    for k, normal in enumerate(normals):
        row = [Fraction(a) for a in normal] + [Fraction(offsets[k]) if offsets else Fraction(0)]
        scale = lcm(*(a.denominator for a in row))
        rows.append([int(a * scale) for a in row])
    for i in range(d):
        rows.append([1 if j == i else 0 for j in range(d)] + [0])  # u_i >= 0
        rows.append([-1 if j == i else 0 for j in range(d)] + [1])  # u_i <= 1
    return Cone(inhom_inequalities=rows)


@contextmanager
def _normaliz_errors() -> Iterator[None]:
    """Normaliz's errors as ours: running out of memory is MemoryError, anything else
    SolverFailed (so the answer is unknown with the reason)."""
    try:
        yield
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 -- PyNormaliz raises its own classes
        if "bad_alloc" in str(error) or "failed to map segment" in str(error):
            # the second: loading Normaliz's library under a memory cap too small for it
            raise MemoryError("Normaliz ran out of memory") from None
        raise SolverFailed(f"Normaliz failed: {error}") from None


ALGORITHMS = {"normaliz": (), "descent": ("Descent",), "signed": ("SignedDec",), "auto": ()}
SIGNED_FROM_DIMENSION = 8  # "auto": below it the signed decomposition's ~60 ms set-up dominates
SIGNED_VERTICES_PER_FACET = 40  # "auto": past 3d facets, signed where vertices are this many more


def volume(normals: Sequence[Sequence[Fraction]], d: int,
           offsets: Sequence[Fraction] | None = None, algorithm: str = "auto") -> Fraction:
    """The d-dimensional volume of the polytope (0 when it is lower-dimensional).

    Computed with Normaliz's arbitrary-precision integers ("BigInt"): its default volume
    algorithm returned wrong values, different from run to run, on some 8-dimensional
    regions (tests/test_random_agents.py compares every region with a triangulation).
    ``algorithm`` is Normaliz's own choice ("normaliz"), or forces descent in the face
    lattice ("descent") or the signed decomposition ("signed": Lawrence's formula on the dual
    cone, faster on polytopes with few facets and many vertices in higher dimensions); "auto"
    forces the signed decomposition from SIGNED_FROM_DIMENSION dimensions on polytopes with
    at most 3d facets or at least SIGNED_VERTICES_PER_FACET vertices per facet, and is
    Normaliz's choice otherwise: on 10-outcome optimality regions with 23–25 facets and
    ~1,500 vertices Normaliz chose descent, 1.8 s against 0.3 s; on the 32 measured with
    31–63 facets, signed was faster on every one with 40 or more vertices per facet but one
    (6 of 7: 0.66–1.97 s against 1.40–3.93 s; the seventh 3.96 s against 3.61 s) and on a
    few below (at most 1.3 times faster there, up to 3 times slower on others).
    The two forced algorithms share no triangulation, so a volume both agree on is checked
    (agents.group_masses)."""
    options = ALGORITHMS[algorithm]
    with _normaliz_errors():
        cone = _cone(normals, d, offsets)
        if cone.AffineDim() < d:
            return Fraction(0)
        if algorithm == "auto" and d >= SIGNED_FROM_DIMENSION:
            facets = len(cone.SupportHyperplanes())
            if facets <= 3 * d or \
                    len(cone.VerticesOfPolyhedron()) >= SIGNED_VERTICES_PER_FACET * facets:
                options = ALGORITHMS["signed"]
        cone.Compute("Volume", *options, "BigInt")
        return Fraction(str(cone.Volume())) / factorial(d)


def triangulation(normals: Sequence[Sequence[Fraction]], d: int,
                  offsets: Sequence[Fraction] | None = None) -> list[list[list[Fraction]]]:
    """Simplices (each a list of d + 1 exact vertices) covering the polytope; [] when it is
    lower-dimensional."""
    generators, simplices = whole_triangulation(normals, d, offsets)
    points = [[Fraction(x, g[-1]) for x in g[:-1]] for g in generators]
    return [[points[k] for k in indices] for indices in simplices]


def whole_triangulation(normals: Sequence[Sequence[Fraction]], d: int,
                        offsets: Sequence[Fraction] | None = None
                        ) -> tuple[list[list[int]], list[list[int]]]:
    """The triangulation in whole numbers, as Normaliz gives it: the vertices (``x_1 … x_d,
    q`` for the point ``x/q``) and each simplex's vertices by index."""
    with _normaliz_errors():
        cone = _cone(normals, d, offsets)
        if cone.AffineDim() < d:
            return [], []
        cone.Compute("Triangulation", "BigInt")
        simplices, generators = cone.Triangulation()
    return ([[int(x) for x in g] for g in generators],
            [[int(k) for k in simplex[0]] for simplex in simplices])


def vertices_and_facets(normals: Sequence[Sequence[Fraction]], d: int,
                        offsets: Sequence[Fraction] | None = None
                        ) -> tuple[list[list[int]], list[list[int]]]:
    """The polytope's vertices, each ``x_1 … x_d, q`` for the point ``x/q`` (``q > 0``), and
    its facets, each ``a_1 … a_d, c`` for ``a·u + c >= 0`` (no redundant one); ``[], []``
    when the polytope is lower-dimensional."""
    with _normaliz_errors():
        cone = _cone(normals, d, offsets)
        if cone.AffineDim() < d:
            return [], []
        vertices = [[int(x) for x in v] for v in cone.VerticesOfPolyhedron()]
        facets = [[int(x) for x in f] for f in cone.SupportHyperplanes()]
    return vertices, facets


def cone_triangulation(generators: Sequence[Sequence[int]]) -> list[list[list[int]]]:
    """A triangulation of the full-dimensional cone spanned by whole ``generators``: each
    simplicial cone as the list of its generators (positive multiples of given ones)."""
    with _normaliz_errors():
        cone = _normaliz().Cone(cone=[list(g) for g in generators])
        # in machine integers, Normaliz's simplex evaluation overflowed on large generators
        # and failed an assertion (the process aborted): arbitrary precision throughout
        cone.Compute("Triangulation", "BigInt")
        simplices, used = cone.Triangulation()
    rays = [[int(x) for x in g] for g in used]
    return [[rays[k] for k in simplex[0]] for simplex in simplices]


def facet_count(normals: Sequence[Sequence[Fraction]], d: int,
                offsets: Sequence[Fraction] | None = None) -> int:
    """The number of facets of the polytope (a few milliseconds where its volume takes
    seconds: a predictor of that cost)."""
    with _normaliz_errors():
        cone = _cone(normals, d, offsets)
        count = len(cone.SupportHyperplanes())
    _COUNTED[_key(normals, d, offsets)] = cone
    while len(_COUNTED) > _COUNTED_KEPT:
        _COUNTED.popitem(last=False)
    return count


def full_dimensional(normals: Sequence[Sequence[Fraction]], d: int,
                     offsets: Sequence[Fraction] | None = None) -> bool:
    """Whether the polytope has positive d-dimensional volume (cheaper than the volume)."""
    with _normaliz_errors():
        return bool(_cone(normals, d, offsets).AffineDim() == d)


def hull_vertices(points: Sequence[Sequence[Fraction]]) -> list[int]:
    """The indices of the points that are vertices of their convex hull (one of each group
    of equal points)."""
    rows = []
    for point in points:
        scale = lcm(*(Fraction(a).denominator for a in point))
        rows.append([int(Fraction(a) * scale) for a in point] + [scale])
    with _normaliz_errors():
        found = _normaliz().Cone(vertices=rows).VerticesOfPolyhedron()
    vertices = {tuple(Fraction(x, v[-1]) for x in v[:-1]) for v in found}
    chosen, seen = [], set()
    for k, point in enumerate(points):
        key = tuple(Fraction(a) for a in point)
        if key in vertices and key not in seen:
            seen.add(key)
            chosen.append(k)
    return chosen


def hull_facets(points: Sequence[Sequence[Fraction]], big_integers: bool = False
                ) -> tuple[list[tuple[list[int], int]], list[tuple[list[int], int]]]:
    """The convex hull of ``points`` (at least one) as its affine hull's equations
    ``a·x == b`` and its facets ``a·x <= b``, each ``(a, b)`` in whole numbers.
    ``big_integers``: Normaliz computes in arbitrary precision from the start (on hulls that
    take it seconds, 1.5-2.6 times faster than its 64-bit integers, which overflow and
    start over; about 1.3 times slower on small ones)."""
    rows = []
    for point in points:
        scale = lcm(*(Fraction(a).denominator for a in point))
        rows.append([int(Fraction(a) * scale) for a in point] + [scale])
    with _normaliz_errors():
        cone = _normaliz().Cone(vertices=rows)
        if big_integers:
            cone.Compute("SupportHyperplanes", "BigInt")
        found_equations, hyperplanes = cone.Equations(), cone.SupportHyperplanes()
    # Normaliz's rows read h·(x, 1) >= 0 and e·(x, 1) == 0; a point's hull keeps the
    # homogenising coordinate's own inequality, which bounds nothing
    equations = [([int(a) for a in e[:-1]], -int(e[-1])) for e in found_equations]
    facets = [([-int(a) for a in h[:-1]], int(h[-1])) for h in hyperplanes if any(h[:-1])]
    return equations, facets
