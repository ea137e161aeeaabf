"""Outcome permutations that map a set of lotteries onto itself, and the orbits they make.

Under i.i.d. utilities, permuting outcomes does not change the law of ``u``. So if a
permutation σ of the coordinates maps the set of options onto itself, every region the
engines integrate over (where an option is best, where a set of options is the best r, where
a set satisfices) has the same integral as its image under σ: the engines integrate once per
orbit. Any set of such permutations is sound (the group they generate consists of
symmetries too); finding all of them is not needed, so the search is bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import combinations

from decisiontrees import limits

Point = tuple[Fraction, ...]
SEARCH_LIMIT = 2_000  # complete coordinate maps examined by the backtracking search


class Symmetries:
    """Permutations of option indices induced by outcome permutations that fix the set."""

    def __init__(self, options: Sequence[Point]) -> None:
        self.options = list(options)
        index = {z: k for k, z in enumerate(self.options)}
        self.maps: list[tuple[int, ...]] = []
        seen: set[tuple[int, ...]] = set()
        for coordinates in _coordinate_maps(self.options):
            image = tuple(index.get(tuple(z[c] for c in coordinates), -1)
                          for z in self.options)
            if -1 not in image and image not in seen and image != tuple(range(len(image))):
                seen.add(image)
                self.maps.append(image)

    def __bool__(self) -> bool:
        return bool(self.maps)

    def orbit(self, members: frozenset[int]) -> set[frozenset[int]]:
        """Every image of a set of option indices under the generated group."""
        found = {members}
        frontier = [members]
        while frontier:
            current = frontier.pop()
            for image in self.maps:
                moved = frozenset(image[k] for k in current)
                if moved not in found:
                    found.add(moved)
                    frontier.append(moved)
        return found

    def point_orbits(self) -> list[list[int]]:
        """The options' indices grouped into orbits, each orbit in increasing order."""
        done: set[int] = set()
        orbits = []
        for k in range(len(self.options)):
            if k not in done:
                orbit = sorted(next(iter(s)) for s in self.orbit(frozenset({k})))
                done.update(orbit)
                orbits.append(orbit)
        return orbits


def _coordinate_maps(options: Sequence[Point]) -> Iterable[tuple[int, ...]]:
    """Coordinate permutations that could map the options onto themselves: transpositions
    first (they generate the symmetric groups of exchangeable outcomes), then a bounded
    backtracking search over maps that keep each coordinate's multiset of values."""
    if not options:
        return
    d = len(options[0])
    columns = [tuple(sorted(z[c] for z in options)) for c in range(d)]
    for a, b in combinations(range(d), 2):
        if columns[a] == columns[b]:
            swap = list(range(d))
            swap[a], swap[b] = b, a
            yield tuple(swap)
    examined = 0
    stack: list[tuple[int, ...]] = [()]
    while stack and examined < SEARCH_LIMIT:
        partial = stack.pop()
        if len(partial) == d:
            examined += 1
            if examined % 256 == 0:
                limits.check("looking for symmetries of the options")
            yield partial
            continue
        position = len(partial)
        for c in reversed(range(d)):
            if c not in partial and columns[c] == columns[position]:
                stack.append((*partial, c))


def exchangeable_blocks(options: Sequence[Point], k: int) -> list[list[int]]:
    """Blocks of outcomes (each of two or more, in increasing order) such that swapping any
    two outcomes of a block maps ``options`` onto itself and fixes ``options[k]``.

    Those swaps generate the product of the blocks' symmetric groups, and each of its
    permutations maps the region where ``options[k]`` is optimal onto itself. So under i.i.d.
    utilities the region's integral is ``Π |B|!`` times its integral over the part where
    each block's utilities increase (``u_b1 ≤ u_b2 ≤ …``): the permuted copies of that part
    tile the region, overlapping only where two utilities are equal (measure zero)."""
    if not options:
        return []
    d = len(options[0])
    present = set(options)
    fixed = options[k]
    leader = list(range(d))

    def root(a: int) -> int:
        while leader[a] != a:
            a = leader[a]
        return a

    for a, b in combinations(range(d), 2):
        if fixed[a] != fixed[b] or root(a) == root(b):
            continue  # swaps joining two outcomes of one block already follow from the others
        if all((*z[:a], z[b], *z[a + 1:b], z[a], *z[b + 1:]) in present for z in options):
            leader[root(a)] = root(b)
    blocks: dict[int, list[int]] = {}
    for a in range(d):
        blocks.setdefault(root(a), []).append(a)
    return [block for block in blocks.values() if len(block) > 1]
