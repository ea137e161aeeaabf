"""The only module that talks to PyNormaliz: volumes and triangulations of polytopes.

A polytope is ``{u in [0,1]^d : n·u >= 0 for every normal n}``, given by exact normals.
In: Fractions. Out: Fractions and lists of exact vertices.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import factorial, lcm
from typing import Any


def _cone(normals: Sequence[Sequence[Fraction]], d: int) -> Any:
    from PyNormaliz import Cone

    rows = []
    for normal in normals:
        scale = lcm(*(Fraction(a).denominator for a in normal))
        rows.append([int(Fraction(a) * scale) for a in normal] + [0])
    for i in range(d):
        rows.append([1 if j == i else 0 for j in range(d)] + [0])  # u_i >= 0
        rows.append([-1 if j == i else 0 for j in range(d)] + [1])  # u_i <= 1
    return Cone(inhom_inequalities=rows)


def volume(normals: Sequence[Sequence[Fraction]], d: int) -> Fraction:
    """The d-dimensional volume of the polytope (0 when it is lower-dimensional)."""
    cone = _cone(normals, d)
    if cone.AffineDim() < d:
        return Fraction(0)
    return Fraction(str(cone.Volume())) / factorial(d)


def triangulation(normals: Sequence[Sequence[Fraction]], d: int) -> list[list[list[Fraction]]]:
    """Simplices (each a list of d + 1 exact vertices) covering the polytope; [] when it is
    lower-dimensional."""
    cone = _cone(normals, d)
    if cone.AffineDim() < d:
        return []
    simplices, generators = cone.Triangulation()
    points = [[Fraction(x, g[-1]) for x in g[:-1]] for g in generators]
    return [[points[k] for k in simplex[0]] for simplex in simplices]
