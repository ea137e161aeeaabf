"""Random agents on trees with one parameter: probabilities as exact piecewise functions.

With a parameter ``p`` in the probabilities, each strategy lottery ``z(p)`` is a vector of
rational functions, and the region where ``z`` is optimal is a polytope whose constraints
move with ``p``. Its shape (which constraints meet at which vertex) can change only where
``d + 1`` constraints become concurrent — roots of determinants — or where two lotteries
coincide. Between two such breakpoints the shape is fixed: Normaliz triangulates the
polytope at a rational point inside, each vertex is re-solved symbolically from the
constraints tight there, and the integral over each simplex is a rational function of
``p`` — valid on the whole open interval. Only the regions a question counts are
followed. Every piece is checked against the exact value at three points inside it.
Values at the breakpoints themselves are computed exactly where the breakpoint is
rational, and otherwise stated as limits of the pieces.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeAlias

from decisiontrees import limits
from decisiontrees.analyses.agents import (
    choice_probabilities_exact,
    lottery_points,
    pair_exact,
    power_exact,
    relevant_outcomes,
)
from decisiontrees.analyses.cubature import UNIFORM, whole_determinant
from decisiontrees.analyses.integrals import simplex_integral
from decisiontrees.analyses.parametric import OPERATORS, interval_text, solved
from decisiontrees.errors import CrossCheckFailed, Unsupported
from decisiontrees.model.laws import Univariate
from decisiontrees.model.nodes import Choice, Node, Parameter
from decisiontrees.model.symbols import simplify, substitute
from decisiontrees.model.symbols import symbol as parameter_symbol
from decisiontrees.solvers import normaliz, smt
from decisiontrees.solvers.normaliz import triangulation

MAX_DIMENSION = 6
CONVEX_WEIGHTS_MS = 10_000  # one small LP: is a lottery a mixture of the others?
MAX_DETERMINANTS = 2_000_000


@dataclass(frozen=True)
class Piece:
    """``expression`` on the open interval ``(low, high)`` of the parameter."""

    low: Any
    high: Any
    expression: Any


@dataclass(frozen=True)
class PiecewiseAnswer:
    parameter: str
    pieces: tuple[Piece, ...]
    points: tuple[tuple[Any, Any], ...]  # (breakpoint, exact value there)
    coincidences: tuple[Any, ...] = ()  # where two lotteries meet: a tie may jump there

    def text(self) -> str:
        """Each piece on its interval, closed at a breakpoint whose value continues it; a
        breakpoint is stated apart (and cut out of the interval) only where the value jumps."""
        closed_low = [False] * len(self.pieces)
        closed_high = [False] * len(self.pieces)
        holes: list[list[Any]] = [[] for _ in self.pieces]
        apart = []
        for point, value in self.points:
            ending = [k for k, piece in enumerate(self.pieces) if piece.high == point]
            starting = [k for k, piece in enumerate(self.pieces) if piece.low == point]
            within = [k for k, piece in enumerate(self.pieces) if piece.low < point < piece.high]
            if ending and self._limit(ending[0], point) == value:
                closed_high[ending[0]] = True
            elif starting and self._limit(starting[0], point) == value:
                closed_low[starting[0]] = True
            elif within and self._limit(within[0], point) == value:
                continue
            else:
                if within:
                    holes[within[0]].append(point)
                apart.append((point, value))
        known = {point for point, _ in self.points}
        for k, piece in enumerate(self.pieces[:-1]):  # an irrational breakpoint: continuous
            if piece.high not in known and piece.high not in self.coincidences:  # (decide)
                closed_high[k] = True
        for point in self.coincidences:  # irrational: no exact value computed there
            if point in known:
                continue
            within = [k for k, piece in enumerate(self.pieces) if piece.low < point < piece.high]
            if within:
                holes[within[0]].append(point)
            apart.append((point, None))
        parts = []
        for k, piece in enumerate(self.pieces):
            cuts = [piece.low, *holes[k], piece.high]
            spans = [f"{'[' if closed_low[k] and i == 0 else '('}{a}, {b}"
                     f"{']' if closed_high[k] and i == len(cuts) - 2 else ')'}"
                     for i, (a, b) in enumerate(itertools.pairwise(cuts))]
            parts.append(f"{_show(piece.expression)} for {self.parameter} ∈ {' ∪ '.join(spans)}")
        parts += [f"{_show(value)} at {self.parameter} = {point}" if value is not None else
                  f"not computed at {self.parameter} = {point} (two lotteries meet there: a "
                  "tie may jump)" for point, value in apart]
        return "; ".join(parts)

    def _limit(self, index: int, point: Any) -> Any:
        """The piece's value as the parameter approaches ``point`` (its rational function is
        continuous there unless its denominator vanishes: then no limit is claimed)."""
        import sympy

        expression = sympy.sympify(self.pieces[index].expression)
        symbol = parameter_symbol(self.parameter)
        if sympy.denom(sympy.together(expression)).subs(symbol, point) == 0:
            return None
        return sympy.simplify(expression.subs(symbol, point))


def _show(expression: Any) -> str:
    import sympy

    return str(sympy.factor(expression)) if getattr(expression, "free_symbols", None) \
        else str(expression)


# ``(a, b)`` for the constraint ``a·u + b ≥ 0``: entries exact, or functions of the parameter
_Row: TypeAlias = tuple[list[Any], Any]
_FieldRow: TypeAlias = tuple[list[Any], Any]  # the same with entries in ``QQ(p)``


def _rows(z: tuple[Any, ...], others: Sequence[tuple[Any, ...]], d: int) -> list[_Row]:
    """Constraints ``a·u + b ≥ 0`` of the region where ``z`` is optimal, box included."""
    rows: list[_Row] = [([simplify(x - y) for x, y in zip(z, other)], Fraction(0))
                                    for other in others if other != z]
    for i in range(d):
        rows.append(([Fraction(int(j == i)) for j in range(d)], Fraction(0)))
        rows.append(([Fraction(-int(j == i)) for j in range(d)], Fraction(1)))
    return rows


def roots_in_domain(expression: Any, symbol: Any, domain: Parameter) -> set[Any]:
    """Real roots of the numerator of ``expression`` strictly inside the domain."""
    import sympy

    numerator = sympy.numer(sympy.together(sympy.sympify(expression)))
    if not numerator.has(symbol):
        return set()
    polynomial = sympy.Poly(numerator, symbol)
    low, high = sympy.Rational(str(domain.low)), sympy.Rational(str(domain.high))
    return {r for r in sympy.real_roots(polynomial) if low < r < high}


def breakpoints(points: Sequence[tuple[Any, ...]], d: int, symbol: Any,
                domain: Parameter, regions: Sequence[tuple[Any, ...]] | None = None
                ) -> list[Any]:
    """Where the shape of a region may change (the regions of ``regions``, all by default),
    or two lotteries coincide, inside the domain.

    Each candidate is a root of the determinant of ``d + 1`` constraint rows ``[a, b]``. The
    rows are made polynomial (each multiplied by the common denominator of its entries,
    which only adds candidates) with whole coefficients; a determinant of such rows is a
    polynomial of degree at most the sum of the rows' degrees, so its values at that many
    whole numbers plus one fix it. Determinants are evaluated there by fraction-free
    elimination, compared by their values (up to a constant factor), and only the distinct
    ones are interpolated and solved."""

    found: set[Any] = set(coincidence_points(points, domain))
    polynomial_rows: dict[tuple[Any, ...], tuple[list[list[int]], int]] = {}
    all_rows = []
    for z in points if regions is None else regions:
        rows = _rows(z, points, d)
        for a, b in rows:
            key = (*a, b)
            if key not in polynomial_rows:
                polynomial_rows[key] = _polynomial_row(key, symbol)
        all_rows.append([(*a, b) for a, b in rows])
    samples = 1 + (d + 1) * max((degree for _, degree in polynomial_rows.values()), default=0)
    values = {key: [[_evaluate(entry, t) for entry in entries] for t in range(samples)]
              for key, (entries, _) in polynomial_rows.items()}
    count = 0
    distinct: set[tuple[int, ...]] = set()
    for rows in all_rows:
        for subset in _concurrent_candidates(rows, d):
            degree = sum(polynomial_rows[key][1] for key in subset)
            if degree == 0:
                continue
            count += 1
            if count % 256 == 0:
                limits.check("finding breakpoints")
            if count > MAX_DETERMINANTS:
                raise Unsupported(f"more than {MAX_DETERMINANTS} candidate breakpoints")
            determinants = tuple(whole_determinant([values[key][t] for key in subset])
                                 for t in range(degree + 1))
            if any(determinants):
                distinct.add(_primitive(determinants))
    for determinants in distinct:
        found |= roots_in_domain(_interpolate(determinants, symbol), symbol, domain)
    return distinct_roots(found)


def candidate_count(points: Sequence[tuple[Any, ...]], d: int) -> int:
    """How many ``d + 1``-subsets of rows ``breakpoints`` would consider (at most)."""
    others = max(len(points) - 1, 0)
    return len(points) * sum(int(math.comb(d, k) * 2 ** k * math.comb(others, d + 1 - k))
                             for k in range(d + 1))


def swept_breakpoints(points: Sequence[tuple[Any, ...]], d: int, symbol: Any,
                      domain: Parameter, regions: Sequence[tuple[Any, ...]] | None = None
                      ) -> list[Any]:
    """Where the optimality regions change shape (those of ``regions``, all by default),
    found by sweeping the domain instead of trying every ``d + 1`` rows of every region
    (too many once a tree has a few dozen lotteries).

    At a rational ``p0`` inside an interval, take every full-dimensional region's vertices;
    each is the solution ``v(p)`` of ``d`` of its tight rows. While the determinant of those
    rows and every other row's value ``r(v(p))`` keep their signs (or stay identically 0),
    every such vertex stays a vertex with the same tight rows, so no region changes there:
    a region's shape changes only where one of its vertices meets another row or its rows
    become dependent, and a region that appears takes space from a neighbour, one of whose
    rows then meets that neighbour's vertex. (The vertices at 0 and at (1, …, 1), on every
    lottery row for every p, change nothing by themselves: the rays of the cone there end in
    vertices on the far faces of the cube, which are checked.) So the nearest roots of
    those functions on either side of ``p0`` bound an interval where nothing changes; the
    sweep continues on what is left. Coincidences of two lotteries are breakpoints too.

    With ``regions`` given, only their functions are watched while each of them is
    full-dimensional at ``p0`` (the argument above holds region by region). A region that is
    not is watched through a convex combination of other lotteries equal to its own, with
    weights that are functions of ``p`` (it has no volume while they stay positive); where
    there is none, it may appear at some ``p`` by taking space from any neighbour, so every
    region's functions are watched on that interval."""
    import sympy

    field = sympy.QQ.frac_field(symbol)
    ring = field.get_ring()
    exact_points = _field_points(points, field)
    region_rows: dict[tuple[Any, ...], list[tuple[list[Any], Any]]] = {}
    polynomials = _lottery_polynomials(exact_points, ring)
    watched = list(points if regions is None else regions)

    unwatched = [z for z in points if z not in set(watched)]

    def functions_of(z: tuple[Any, ...], numeric_points: Mapping[tuple[Any, ...], list[Fraction]]
                     ) -> dict[tuple[Any, ...], Any] | None:
        """The region's vertex functions; None when it is lower-dimensional."""
        if z not in region_rows:
            region_rows[z] = _scaled_rows(z, polynomials, d, ring)
        return _vertex_functions(region_rows[z], _numeric_rows(z, numeric_points, d), d, ring)

    def watched_functions(numeric_points: Mapping[tuple[Any, ...], list[Fraction]], point: Any
                          ) -> dict[tuple[Any, ...], Any]:
        """The functions of the watched regions, lower-dimensional ones by their mixtures
        where each has one and they are predicted cheaper than every other region's."""
        found: dict[tuple[Any, ...], Any] = {}
        flat = []
        for z in watched:
            of_region = functions_of(z, numeric_points)
            if of_region is None:
                flat.append(z)
            found.update(of_region or {})
        if not flat or not unwatched:
            return found
        mixtures: list[dict[tuple[Any, ...], Any] | None] = []
        if MIXTURE_COST * len(flat) <= len(unwatched):
            for z in flat:
                mixtures.append(_inside_functions(z, exact_points, numeric_points, point, ring,
                                                  watched))
                if mixtures[-1] is None:
                    break
        if mixtures and all(m is not None for m in mixtures):
            for mixture in mixtures:
                found.update(mixture or {})
        else:
            for other in unwatched:
                found.update(functions_of(other, numeric_points) or {})
        return found
    roots_of: dict[tuple[Any, ...], list[tuple[Any, Any]]] = {}  # a factor's (root, value)
    function_roots: dict[tuple[Any, ...], list[tuple[Any, Any]]] = {}  # a function's

    def roots(key: tuple[Any, ...], numerator: Any) -> list[tuple[Any, Any]]:
        """The roots in the domain with their values to ``DIGITS`` digits, factor by factor
        (the same factors recur in many functions, the same functions in many intervals)."""
        if key in function_roots:
            return function_roots[key]
        found = function_roots[key] = []
        for factor, _ in numerator.factor_list()[1]:
            key = tuple(factor.monic().to_dense())
            if key not in roots_of:
                roots_of[key] = _valued_roots(key, symbol, domain)
            found += roots_of[key]
        return found

    def between(low: tuple[Any, Any], high: tuple[Any, Any], root: tuple[Any, Any]) -> bool:
        """``low < root < high``, by 30-digit values; a root as near an end as 10^-20 must
        be that end (a root met again), else no answer is given."""
        for end, sign in ((low, 1), (high, -1)):
            gap = (root[1] - end[1]) * sign
            if abs(gap) < CLOSE:
                if not _same_number(_exact(root[0]), _exact(end[0])):
                    raise Unsupported("breakpoints too close to separate")
                return False
            if gap < 0:
                return False
        return True

    def nearest(candidates: list[tuple[Any, Any]], pick: Any) -> tuple[Any, Any]:
        """The root nearest the sweep point (``pick`` is max below it, min above); another
        within ``CLOSE`` of it must be the same number, or their order is not known."""
        chosen: tuple[Any, Any] = pick(candidates, key=lambda r: r[1])
        for other in candidates:
            if other[0] != chosen[0] and abs(other[1] - chosen[1]) < CLOSE and \
                    not _same_number(_exact(other[0]), _exact(chosen[0])):
                raise Unsupported("breakpoints too close to separate")
        return chosen

    coincidences = coincidence_points(points, domain)
    found = set(coincidences)
    ends = [sympy.Rational(str(domain.low)), *coincidences, sympy.Rational(str(domain.high))]
    valued = [(end, sympy.N(end, DIGITS)) for end in ends]
    pending = list(zip(valued, valued[1:]))
    while pending:
        low, high = pending.pop()
        limits.check("finding breakpoints")
        functions: dict[tuple[Any, ...], Any] = {}
        upper = _exact(high[0])
        for _ in range(MAX_SWEEP_POINTS):  # a point that is no root: the regions are generic
            at = rational_between(_exact(low[0]), upper)
            value = sympy.QQ(at.numerator, at.denominator)
            numeric_points = _numeric_points(polynomials, value)
            functions = watched_functions(numeric_points, value)
            if not any(f(value) == 0 for f in functions.values()):
                break
            upper = sympy.Rational(at.numerator, at.denominator)
        else:
            raise Unsupported("no point between breakpoints where the regions are generic")
        exact_middle = sympy.Rational(at.numerator, at.denominator)
        middle = (exact_middle, sympy.N(exact_middle, DIGITS))
        inside = {r for key, f in functions.items() for r in roots(key, f)
                  if between(low, high, r)}
        below = [r for r in inside if between(low, middle, r)]
        above = [r for r in inside if between(middle, high, r)]
        if below:
            left = nearest(below, max)
            found.add(_exact(left[0]))
            pending.append((low, left))
        if above:
            right = nearest(above, min)
            found.add(_exact(right[0]))
            pending.append((right, high))
    return distinct_roots(found)


DIGITS = 30  # roots are ordered by their values to this many digits, and
CLOSE = 1e-20  # two nearer than this are compared exactly
# a lower-dimensional region's mixture (an LP and a fraction-free solve) took about 14 ms, a
# region's vertex functions about 3.4 ms (random 4-outcome trees): mixtures are used while
# they cost less than watching every other region
MIXTURE_COST = 4


@dataclass(frozen=True)
class _IrreducibleRoot:
    """The ``index``-th real root (in increasing order) of an irreducible polynomial of degree
    3 or more, made a sympy ``CRootOf`` only where it is needed (few become breakpoints)."""

    coefficients: tuple[Any, ...]  # highest power first
    index: int


def _exact(root: Any) -> Any:
    """A root as a sympy number."""
    import sympy

    if isinstance(root, _IrreducibleRoot):
        # CRootOf keeps the polynomial without its variable's name (a PurePoly)
        polynomial = sympy.Poly(list(root.coefficients), sympy.Symbol("x"), domain=sympy.QQ)
        return sympy.CRootOf(polynomial, root.index)
    return root


def _valued_roots(coefficients: tuple[Any, ...], symbol: Any, domain: Parameter
                  ) -> list[tuple[Any, Any]]:
    """The real roots strictly inside the domain of the irreducible polynomial with these
    coefficients (highest power first), each with its value to ``DIGITS`` digits. Roots of
    degree 1 and 2 and of binomials are sympy numbers (rationals, radicals); the others are
    ``_IrreducibleRoot``s, valued from sympy's isolating intervals refined below 10^-30
    (200 times as fast as evaluating a ``CRootOf``). An irrational root is never an end of
    the domain (a rational): within ``CLOSE`` of one, sympy's exact comparison decides."""
    import sympy

    low, high = sympy.Rational(str(domain.low)), sympy.Rational(str(domain.high))
    polynomial = sympy.Poly(list(coefficients), symbol, domain=sympy.QQ)
    if polynomial.degree() <= 2 or sum(1 for c in coefficients if c) <= 2:
        valued = [(root, sympy.N(root, DIGITS)) for root in polynomial.real_roots()]
    else:
        width = sympy.Rational(1, 10 ** DIGITS)
        valued = [(_IrreducibleRoot(coefficients, k), sympy.Float((a + b) / 2, DIGITS))
                  for k, ((a, b), _) in enumerate(polynomial.intervals(eps=width))]
    found = []
    for root, value in valued:
        if any(abs(end) < CLOSE for end in (value - low, high - value)):
            inside = bool(low < _exact(root) < high)
        else:
            inside = bool(value > low and value < high)
        if inside:
            found.append((root, value))
    return found


MAX_SWEEP_POINTS = 20
# beyond this many row subsets the sweep is used. With its functions fraction-free in QQ[p]
# and only the regions a question counts watched, the sweep was as fast or faster than every
# subset from 264 subsets up (random 4-outcome trees with 7 lotteries, 8,274 subsets: 1.6-3.7
# s against 2.0-4.8 s; the benchmark families at d = 5: 0.4 s against 1.4 s); below this,
# both take a fraction of a second and trying every subset needs no argument
EXHAUSTIVE_CANDIDATES = 1_000


def _field_points(points: Sequence[tuple[Any, ...]], field: Any
                  ) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Each lottery with its probabilities as elements of ``field`` (``QQ(p)``)."""
    import sympy

    def exact(x: Any) -> Any:
        return field.from_sympy(sympy.Rational(x.numerator, x.denominator)
                                if isinstance(x, Fraction) else sympy.sympify(x))

    return {z: tuple(exact(x) for x in z) for z in points}


def _field_rows(z: tuple[Any, ...], exact_points: Mapping[tuple[Any, ...], tuple[Any, ...]],
                d: int, field: Any) -> list[_FieldRow]:
    """The rows of ``_rows`` in ``field``: differences of lotteries there, never simplified
    as sympy expressions."""
    mine = exact_points[z]
    rows: list[_FieldRow] = [([x - y for x, y in zip(mine, other)], field.zero)
                             for key, other in exact_points.items() if key != z]
    for i in range(d):
        rows.append(([field.one if j == i else field.zero for j in range(d)], field.zero))
        rows.append(([-field.one if j == i else field.zero for j in range(d)], field.one))
    return rows


def _numeric(x: Any, point: Any) -> Fraction:
    """An element of ``QQ(p)`` at the rational ``point`` (a sympy ``QQ`` number)."""
    value = x.numer(point) / x.denom(point)
    return Fraction(int(value.numerator), int(value.denominator))


def _numeric_points(polynomials: Mapping[tuple[Any, ...], tuple[list[Any], Any]], point: Any
                    ) -> dict[tuple[Any, ...], list[Fraction]]:
    """Each lottery at the rational ``point`` (a sympy ``QQ`` number)."""
    found = {}
    for z, (numerators, denominator) in polynomials.items():
        scale = denominator(point)
        found[z] = [Fraction(int(v.numerator), int(v.denominator))
                    for v in (n(point) / scale for n in numerators)]
    return found


def _numeric_rows(z: tuple[Any, ...], numeric_points: Mapping[tuple[Any, ...], list[Fraction]],
                  d: int) -> list[tuple[list[Fraction], Fraction]]:
    """The rows of ``_field_rows`` at one parameter value, from the lotteries there."""
    mine = numeric_points[z]
    rows = [([x - y for x, y in zip(mine, other)], Fraction(0))
            for key, other in numeric_points.items() if key != z]
    for i in range(d):
        rows.append(([Fraction(int(j == i)) for j in range(d)], Fraction(0)))
        rows.append(([Fraction(-int(j == i)) for j in range(d)], Fraction(1)))
    return rows


def _lottery_polynomials(exact_points: Mapping[tuple[Any, ...], tuple[Any, ...]], ring: Any
                         ) -> dict[tuple[Any, ...], tuple[list[Any], Any]]:
    """Each lottery as ``N/D``: a vector of polynomials over one polynomial (the lcm of its
    probabilities' denominators)."""
    return {z: _over_common_denominator(exact, ring) for z, exact in exact_points.items()}


def _over_common_denominator(entries: Sequence[Any], ring: Any) -> tuple[list[Any], Any]:
    """Elements of ``QQ(p)`` as numerators in ``ring`` over the lcm of their denominators."""
    common = ring.one
    for x in entries:
        common = common.lcm(ring(x.denom))
    return [ring(x.numer) * common.exquo(ring(x.denom)) for x in entries], common


def _scaled_rows(z: tuple[Any, ...], polynomials: Mapping[tuple[Any, ...], tuple[list[Any], Any]],
                 d: int, ring: Any) -> list[tuple[list[Any], Any]]:
    """The rows of ``_field_rows`` for ``z``, each lottery row ``z - w`` times ``D_z·D_w``
    (so ``D_w·N_z - D_z·N_w``), in ``ring``: see ``_polynomial_rows``."""
    mine, own = polynomials[z]
    rows: list[tuple[list[Any], Any]] = []
    for w, (theirs, other) in polynomials.items():
        if w != z:
            rows.append(([other * x - own * y for x, y in zip(mine, theirs)], ring.zero))
    for i in range(d):
        rows.append(([ring.one if j == i else ring.zero for j in range(d)], ring.zero))
        rows.append(([-ring.one if j == i else ring.zero for j in range(d)], ring.one))
    return rows


def _polynomial_rows(rows: list[_FieldRow], ring: Any) -> list[tuple[list[Any], Any]]:
    """Each row times the lcm of its entries' denominators, entries in ``ring`` (``QQ[p]``).

    Scaling a row by a polynomial ``q`` scales its value at any point by ``q``: the signs the
    sweep watches then change at ``q``'s roots too, which only adds breakpoints. Fraction-free
    rows keep every later step in the polynomial ring, where nothing is reduced by a gcd
    (in ``QQ(p)`` each product and sum was, and that took most of the sweep's time)."""
    scaled = []
    for a, b in rows:
        *numerators, constant = _over_common_denominator([*a, b], ring)[0]
        scaled.append((numerators, constant))
    return scaled


def _inside_functions(z: tuple[Any, ...], exact_points: Mapping[tuple[Any, ...], tuple[Any, ...]],
                      numeric_points: Mapping[tuple[Any, ...], list[Fraction]], point: Any,
                      ring: Any, avoid: Collection[tuple[Any, ...]] = ()
                      ) -> dict[tuple[Any, ...], Any] | None:
    """Polynomials whose signs keep ``z`` a convex combination of other lotteries (so its
    region has no volume: ``u·z`` is their weighted mean, and no ``u`` puts it above all of
    them), near the point ``numeric_points`` were taken at; None when there is no such
    combination whose weights are rational functions of ``p``.

    The combination at the point is reduced to affinely independent lotteries
    (Carathéodory), whose weights are then unique: ``k`` independent equations of
    ``Σ λ_i w_i = z, Σ λ_i = 1`` are solved fraction-free (``λ = N/D``), and the rest must
    hold identically. ``D`` and the ``N_i`` are returned: while their signs hold, so does
    ``λ > 0``. A mixture found at the point can hold there alone (its lotteries' affine hull
    meets ``z`` only at that ``p``); then one without the lotteries of ``avoid`` (the other
    counted ones, often such a coincidence) is tried."""
    others = [w for w in exact_points if w != z]
    found = _mixture_functions(z, others, exact_points, numeric_points, point, ring)
    fewer = [w for w in others if w not in avoid]
    if found is None and len(fewer) < len(others):
        found = _mixture_functions(z, fewer, exact_points, numeric_points, point, ring)
    return found


def _mixture_functions(z: tuple[Any, ...], others: Sequence[tuple[Any, ...]],
                       exact_points: Mapping[tuple[Any, ...], tuple[Any, ...]],
                       numeric_points: Mapping[tuple[Any, ...], list[Fraction]], point: Any,
                       ring: Any) -> dict[tuple[Any, ...], Any] | None:
    """``_inside_functions`` for a mixture of ``others``."""
    from sympy.polys.matrices import DomainMatrix

    if not others:
        return None
    weights = smt.convex_weights([numeric_points[w] for w in others], numeric_points[z],
                                 CONVEX_WEIGHTS_MS)
    if weights is None or isinstance(weights, smt.Unknown):
        return None
    support = _independent_support([numeric_points[w] for w in others], weights)
    field = ring.get_field()
    rows = [[*(exact_points[others[i]][r] for i in support), exact_points[z][r]]
            for r in range(len(z))]
    rows.append([*(field.one for _ in support), field.one])
    chosen = _independent_rows([[_numeric(x, point) for x in row[:-1]] for row in rows],
                               len(support))
    if chosen is None:
        return None
    scaled = _polynomial_rows([(row[:-1], -row[-1]) for row in (rows[k] for k in chosen)], ring)
    matrix = DomainMatrix([a for a, _ in scaled], (len(support), len(support)), ring)
    column = DomainMatrix([[-b] for _, b in scaled], (len(support), 1), ring)
    solution, denominator = matrix.solve_den(column)
    numerators = [row[0] for row in solution.to_list()]
    for row in rows:  # every equation, as an identity in p
        if sum((field(n) * x for n, x in zip(numerators, row)), field.zero) \
                != field(denominator) * row[-1]:
            return None
    found: dict[tuple[Any, ...], Any] = {}
    for f in (denominator, *numerators):
        if f.degree() > 0:
            found.setdefault(tuple(f.to_dense()), f)
    return found


def _independent_support(points: Sequence[Sequence[Fraction]], weights: Sequence[Fraction]
                         ) -> list[int]:
    """The indices of an affinely independent subset of the points with positive weight
    whose convex combination is the same point (Carathéodory: while the points in use are
    affinely dependent, move the weights along a dependence until one reaches 0)."""
    weights = list(weights)
    while True:
        support = [i for i, w in enumerate(weights) if w > 0]
        dependence = _null_combination([[*points[i], Fraction(1)] for i in support])
        if dependence is None:
            return support
        if all(c <= 0 for c in dependence):
            dependence = [-c for c in dependence]
        step = min(weights[i] / c for i, c in zip(support, dependence) if c > 0)
        for i, c in zip(support, dependence):
            weights[i] -= step * c  # exactly 0 for at least one, and none below 0


def _null_combination(vectors: Sequence[Sequence[Fraction]]) -> list[Fraction] | None:
    """Coefficients ``c ≠ 0`` with ``Σ c_k vectors_k = 0``, or None when independent."""
    columns = len(vectors)
    matrix = [[vectors[k][r] for k in range(columns)] for r in range(len(vectors[0]))] \
        if vectors else []
    pivots: list[int] = []
    row = 0
    for column in range(columns):
        pivot = next((r for r in range(row, len(matrix)) if matrix[r][column]), None)
        if pivot is None:
            continue
        matrix[row], matrix[pivot] = matrix[pivot], matrix[row]
        lead = matrix[row][column]
        matrix[row] = [x / lead for x in matrix[row]]
        for r in range(len(matrix)):
            if r != row and matrix[r][column]:
                factor = matrix[r][column]
                matrix[r] = [x - factor * y for x, y in zip(matrix[r], matrix[row])]
        pivots.append(column)
        row += 1
    free = next((c for c in range(columns) if c not in pivots), None)
    if free is None:
        return None
    combination = [Fraction(0)] * columns
    combination[free] = Fraction(1)
    for r, column in enumerate(pivots):
        combination[column] = -matrix[r][free]
    return combination


def _independent_rows(matrix: Sequence[Sequence[Fraction]], k: int) -> list[int] | None:
    """The first ``k`` rows of ``matrix`` (in order, each independent of those before it)
    that are linearly independent, or None."""
    chosen: list[int] = []
    basis: list[list[Fraction]] = []
    for index, row in enumerate(matrix):
        candidate = list(row)
        for kept in basis:
            pivot = next(i for i, x in enumerate(kept) if x != 0)
            if candidate[pivot]:
                factor = candidate[pivot] / kept[pivot]
                candidate = [x - factor * y for x, y in zip(candidate, kept)]
        if any(candidate):
            basis.append(candidate)
            chosen.append(index)
            if len(chosen) == k:
                return chosen
    return None


def _vertex_functions(rows: list[tuple[list[Any], Any]],
                      numeric_rows: list[tuple[list[Fraction], Fraction]],
                      d: int, ring: Any) -> dict[tuple[Any, ...], Any] | None:
    """The polynomials whose signs hold the region's shape near the point ``numeric_rows``
    were taken at: for each vertex, the determinant ``D`` of the (polynomial) rows that
    define it, and every other row's value there times ``D`` (``a·x + b·D`` for the
    fraction-free solution ``M x = -b·D``; those identically 0 left out), each once; None
    when the region is lower-dimensional there."""
    from sympy.polys.matrices import DomainMatrix

    lottery_rows = numeric_rows[:len(rows) - 2 * d]
    vertices, _ = normaliz.vertices_and_facets([a for a, _ in lottery_rows], d)
    if not vertices:
        return None
    found: dict[tuple[Any, ...], Any] = {}

    def keep(f: Any) -> None:
        if f and f.degree() > 0:
            found.setdefault(tuple(f.to_dense()), f)

    whole = _whole_rows(numeric_rows)
    for vertex in vertices:
        point_of = [Fraction(x, vertex[-1]) for x in vertex[:-1]]
        chosen = _defining_rows(numeric_rows, point_of, d, whole)
        matrix = DomainMatrix([list(rows[k][0]) for k in chosen], (d, d), ring)
        column = DomainMatrix([[-rows[k][1]] for k in chosen], (d, 1), ring)
        numerators, denominator = matrix.solve_den(column)
        keep(denominator)
        solution = [row[0] for row in numerators.to_list()]
        chosen_set = set(chosen)
        for k, (a, b) in enumerate(rows):
            if k not in chosen_set:
                keep(sum((x * n for x, n in zip(a, solution) if x), b * denominator))
    return found


def _solve(matrix: Any, rhs: list[Any], field: Any) -> list[Any]:
    from sympy.polys.matrices import DomainMatrix

    column = DomainMatrix([[x] for x in rhs], (len(rhs), 1), field)
    return [row[0] for row in matrix.lu_solve(column).to_list()]


def distinct_roots(roots: set[Any]) -> list[Any]:
    """The roots in increasing order, each number once: the same algebraic number can come
    written two ways (``2·CRootOf(…)`` and ``CRootOf(…)`` of another polynomial), and two
    such "breakpoints" could not be separated by a rational. Neighbours closer than 10^-40
    are merged when their difference is exactly zero (its minimal polynomial is the
    variable); otherwise both are kept."""
    import sympy

    ordered = sorted(roots, key=lambda r: sympy.N(r, 50))
    kept: list[Any] = []
    for root in ordered:
        if kept and abs(sympy.N(root - kept[-1], 60)) < sympy.Float("1e-40", 60) \
                and _same_number(root, kept[-1]):
            continue
        kept.append(root)
    return kept


def _same_number(a: Any, b: Any) -> bool:
    """Whether two algebraic numbers are equal (their difference's minimal polynomial is
    the variable); False when sympy cannot tell."""
    import sympy

    variable = sympy.Dummy("x")
    try:
        return bool(sympy.minimal_polynomial(a - b, variable) == variable)
    except (NotImplementedError, ValueError, sympy.PolynomialError):
        return False


def _concurrent_candidates(rows: list[tuple[Any, ...]], d: int
                           ) -> Iterator[tuple[tuple[Any, ...], ...]]:
    """The ``d + 1``-subsets of a region's rows that could meet in one point: the box rows
    (the last ``2d``, in pairs ``u_i >= 0``, ``u_i <= 1``) at most one per coordinate, since
    ``u_i = 0`` and ``u_i = 1`` never hold together. This loses no breakpoint: a bounded
    polytope's combinatorial type changes only through a point where more than ``d`` of its
    constraints meet (a vertex that is not simple), and such rows never meet."""
    lottery_rows = rows[:len(rows) - 2 * d]
    box = [(rows[len(lottery_rows) + 2 * i], rows[len(lottery_rows) + 2 * i + 1])
           for i in range(d)]
    for k in range(d + 1):
        if d + 1 - k > len(lottery_rows):
            continue
        for coordinates in itertools.combinations(range(d), k):
            for sides in itertools.product((0, 1), repeat=k):
                bounds = tuple(box[i][side] for i, side in zip(coordinates, sides))
                for chosen in itertools.combinations(lottery_rows, d + 1 - k):
                    yield chosen + bounds


def _polynomial_row(entries: tuple[Any, ...], symbol: Any) -> tuple[list[list[int]], int]:
    """The row times the common denominator of its entries, as whole coefficient lists
    (lowest power first), and the largest degree among them."""
    import sympy

    fractions = [sympy.together(sympy.sympify(x)) for x in entries]
    denominator = sympy.Integer(1)
    for x in fractions:
        denominator = sympy.lcm(denominator, sympy.denom(x))
    polynomials = [sympy.Poly(sympy.cancel(x * denominator), symbol) for x in fractions]
    scale = 1
    for polynomial in polynomials:
        for c in polynomial.all_coeffs():
            scale = math.lcm(scale, int(sympy.Rational(c).q))
    rows = [[int(sympy.Rational(c) * scale) for c in reversed(p.all_coeffs())]
            for p in polynomials]
    return rows, max(len(r) - 1 for r in rows)


def _evaluate(coefficients: list[int], t: int) -> int:
    value = 0
    for c in reversed(coefficients):
        value = value * t + c
    return value


def _primitive(values: tuple[int, ...]) -> tuple[int, ...]:
    """The values divided by their gcd, signed so that the first non-zero one is positive:
    a polynomial and its non-zero multiples give the same tuple at the same points."""
    common = math.gcd(*values)
    first = next(v for v in values if v)
    common = common if first > 0 else -common
    return tuple(v // common for v in values)


def _interpolate(values: tuple[int, ...], symbol: Any) -> Any:
    """The polynomial of degree below ``len(values)`` through ``(t, values[t])`` (Newton)."""
    import sympy

    differences = [Fraction(v) for v in values]
    coefficients = [differences[0]]
    for order in range(1, len(values)):
        differences = [(differences[i + 1] - differences[i]) / order
                       for i in range(len(differences) - 1)]
        coefficients.append(differences[0])
    polynomial = sympy.Integer(0)
    basis = sympy.Integer(1)
    for k, c in enumerate(coefficients):
        polynomial += sympy.Rational(c.numerator, c.denominator) * basis
        basis *= (symbol - k)
    return sympy.expand(polynomial)


def rational_between(low: Any, high: Any) -> Fraction:
    """The simplest rational strictly between two (possibly algebraic) numbers: the one with
    the smallest denominator (Stern–Brocot), found between rational bounds just inside them.
    Simple points keep every later computation small (a 30-digit midpoint once made Normaliz
    fail with a floating-point exception)."""
    import sympy

    inner_low, inner_high = _inside(low, high)
    found = _simplest_in(inner_low, inner_high)
    if not sympy.Rational(found.numerator, found.denominator) > low or \
            not sympy.Rational(found.numerator, found.denominator) < high:
        raise Unsupported("breakpoints too close to separate")
    return found


def _inside(low: Any, high: Any) -> tuple[Fraction, Fraction]:
    """Rationals ``low < a < b < high``, a quarter of the gap inside each end."""
    import sympy

    def near(x: Any, digits: int) -> Fraction:  # x itself when rational, else a decimal
        x = sympy.sympify(x)
        return Fraction(int(x.p), int(x.q)) if x.is_Rational else Fraction(str(sympy.N(x, digits)))

    for digits in (30, 60, 120):
        a = near((3 * low + high) / 4, digits)
        b = near((low + 3 * high) / 4, digits)
        if a < b and sympy.Rational(a.numerator, a.denominator) > low and \
                sympy.Rational(b.numerator, b.denominator) < high:
            return a, b
    raise Unsupported("breakpoints too close to separate")


def _simplest_in(low: Fraction, high: Fraction) -> Fraction:
    """The rational with the smallest denominator in ``[low, high]`` (then the smallest in
    absolute value), by continued fractions."""
    if low <= 0 <= high:
        return Fraction(0)
    if high < 0:
        return -_simplest_in(-high, -low)
    whole = math.ceil(low)
    if whole <= high:
        return Fraction(whole)
    floor = math.floor(low)
    return floor + 1 / _simplest_in(1 / (high - floor), 1 / (low - floor))

def _region_integral(exact_rows: Callable[[], list[_FieldRow]],
                     polynomial_rows: list[tuple[list[Any], Any]],
                     numeric_rows: list[tuple[list[Fraction], Fraction]], d: int,
                     density: Univariate, weight: Sequence[Any] | None, field: Any,
                     at: Fraction) -> Any:
    """The integral over the region as an element of ``field``, sympy's field of fractions
    ``QQ(p)`` in the parameter, valid on the open interval around ``at`` where the region's
    shape does not change. ``polynomial_rows`` are the rows scaled to polynomials,
    ``numeric_rows`` their values at ``at``; ``exact_rows`` gives them in ``QQ(p)``, built
    only when that path is taken.

    Under U[0,1] each vertex is ``N/D`` with polynomials from the fraction-free solve of its
    (polynomial) defining rows, and a simplex's volume ``det[D_j, N_j] / (d! ∏ D_j)``: the
    numerators are summed per denominator in ``QQ[p]`` and only the few distinct
    denominators meet in ``QQ(p)``. Other laws integrate in ``QQ(p)`` itself (every element
    a reduced fraction; as sympy expressions this took 2.4 times as long)."""
    import sympy

    point = sympy.QQ(at.numerator, at.denominator)
    simplices = triangulation([a for a, _ in numeric_rows[:len(numeric_rows) - 2 * d]], d)
    if not simplices:
        return field.zero
    if density == UNIFORM:
        total = _uniform_region_integral(polynomial_rows, numeric_rows, simplices, d, weight,
                                         field, point)
        if total is not None:
            return total
    return _field_region_integral(exact_rows(), numeric_rows, simplices, d, density, weight,
                                  field, point)


def _uniform_region_integral(rows: list[tuple[list[Any], Any]],
                             numeric_rows: list[tuple[list[Fraction], Fraction]],
                             simplices: list[list[list[Fraction]]], d: int,
                             weight: Sequence[Any] | None, field: Any, point: Any) -> Any:
    """``_region_integral`` under U[0,1] in ``QQ[p]`` (None where a vertex's denominator
    vanishes at ``point``: the rows were scaled by a polynomial that is 0 there)."""
    from sympy.polys.matrices import DomainMatrix

    ring = field.get_ring()
    whole = _whole_rows(numeric_rows)
    solved: dict[tuple[Fraction, ...], tuple[list[Any], Any]] = {}
    if weight is None:
        weight_numerators, weight_denominator = None, ring.one
    else:
        weight_denominator = ring.one
        for x in weight:
            weight_denominator = weight_denominator.lcm(x.denom)
        weight_numerators = [ring(x.numer) * ring(weight_denominator.exquo(x.denom))
                             for x in weight]
    by_denominator: dict[tuple[Any, ...], list[Any]] = {}  # denominator -> [it, numerator]
    for simplex in simplices:
        vertices = []
        for vertex in simplex:
            key = tuple(vertex)
            if key not in solved:
                chosen = _defining_rows(numeric_rows, vertex, d, whole)
                matrix = DomainMatrix([list(rows[k][0]) for k in chosen], (d, d), ring)
                column = DomainMatrix([[-rows[k][1]] for k in chosen], (d, 1), ring)
                numerators, denominator = matrix.solve_den(column)
                if not denominator(point):
                    return None
                solved[key] = ([row[0] for row in numerators.to_list()], denominator)
            vertices.append(solved[key])
        homogeneous = DomainMatrix([[den, *num] for num, den in vertices], (d + 1, d + 1), ring)
        numerator = homogeneous.det()
        denominator = ring.one
        for _, den in vertices:
            denominator *= den
        at_point = numerator(point) * denominator(point)
        if at_point == 0:
            raise CrossCheckFailed("a simplex of the triangulation has no orientation at a "
                                   "point inside its interval")
        if at_point < 0:
            numerator = -numerator
        if weight_numerators is not None:  # ∫ w·u = volume · w·(the vertices' mean)
            centroid = ring.zero
            for j, (num, _) in enumerate(vertices):
                others = ring.one
                for k, (_, other) in enumerate(vertices):
                    if k != j:
                        others *= other
                centroid += sum((w * x for w, x in zip(weight_numerators, num) if w),
                                ring.zero) * others
            numerator *= centroid
            denominator *= denominator * (d + 1) * weight_denominator
        group = by_denominator.setdefault(tuple(denominator.to_dense()), [denominator, ring.zero])
        group[1] += numerator
    total = field.zero
    for denominator, numerator in by_denominator.values():
        total += field(numerator) / field(denominator)
    return total / math.factorial(d)


def _field_region_integral(exact_rows: list[_FieldRow],
                           numeric_rows: list[tuple[list[Fraction], Fraction]],
                           simplices: list[list[list[Fraction]]], d: int, density: Univariate,
                           weight: Sequence[Any] | None, field: Any, point: Any) -> Any:
    """``_region_integral`` with every vertex, determinant and integral in ``QQ(p)``."""
    import sympy
    from sympy.polys.matrices import DomainMatrix

    solved: dict[tuple[Fraction, ...], list[Any]] = {}
    density_weight = None if weight is None else list(weight)
    total: Any = Fraction(0)
    for simplex in simplices:
        vertices = []
        for vertex in simplex:
            key = tuple(vertex)
            if key not in solved:
                solved[key] = _solve_vertex(exact_rows, numeric_rows, vertex, d, field)
            vertices.append(solved[key])
        edges = [[v[i] - vertices[0][i] for i in range(d)] for v in vertices[1:]]
        determinant = DomainMatrix(edges, (d, d), field).det()
        at_point = _numeric(determinant, point)
        if at_point == 0:
            raise CrossCheckFailed("a simplex of the triangulation has no orientation at a "
                                   "point inside its interval")
        sign = 1 if at_point > 0 else -1
        total += simplex_integral(vertices, density, density_weight, sign * determinant)
    return field.convert(sympy.QQ(total.numerator, total.denominator)) \
        if isinstance(total, Fraction) else total


def _solve_vertex(rows: list[_FieldRow], numeric_rows: list[tuple[list[Fraction], Fraction]],
                  vertex: list[Fraction], d: int, field: Any) -> list[Any]:
    """The vertex as elements of ``field`` (functions of the parameter), from ``d``
    independent tight constraints."""
    from sympy.polys.matrices import DomainMatrix

    chosen = _defining_rows(numeric_rows, vertex, d)
    matrix = DomainMatrix([list(rows[k][0]) for k in chosen], (d, d), field)
    return _solve(matrix, [-rows[k][1] for k in chosen], field)


def _whole_rows(numeric_rows: list[tuple[list[Fraction], Fraction]]) -> list[list[int]]:
    """Each row ``[a, b]`` times the lcm of its denominators: whole numbers, same signs."""
    whole = []
    for a, b in numeric_rows:
        scale = math.lcm(b.denominator, *(x.denominator for x in a))
        whole.append([int(x * scale) for x in (*a, b)])
    return whole


def _defining_rows(numeric_rows: list[tuple[list[Fraction], Fraction]],
                   vertex: Sequence[Fraction], d: int,
                   whole_rows: list[list[int]] | None = None) -> list[int]:
    """``d`` independent rows tight at ``vertex``, box rows first (``whole_rows``, the
    rows from ``_whole_rows``, only make the test for tightness faster)."""
    # the box rows (last) first: u_i = 0 or 1 is the simplest description of a coordinate
    order = list(range(len(numeric_rows) - 2 * d, len(numeric_rows))) + \
        list(range(len(numeric_rows) - 2 * d))
    whole = _whole_rows(numeric_rows) if whole_rows is None else whole_rows
    scale = math.lcm(*(v.denominator for v in vertex))
    point = [int(v * scale) for v in vertex] + [scale]
    tight = [k for k in order if not sum(x * v for x, v in zip(whole[k], point))]
    chosen = _independent_rows([numeric_rows[k][0] for k in tight], d)
    if chosen is None:
        raise Unsupported("a vertex without d independent constraints")
    return [tight[k] for k in chosen]


@dataclass(frozen=True)
class Masses:
    """On one open interval, the probability that each lottery is optimal (and, with a
    weight, its integral of ``u·z``), as elements of ``field`` (``QQ(p)``)."""

    low: Any
    high: Any
    masses: dict[tuple[Any, ...], Any]
    field: Any


def interval_masses(points: Sequence[tuple[Any, ...]], d: int, density: Univariate,
                    parameter: Parameter, weighted: bool = False,
                    needed: Sequence[tuple[Any, ...]] | None = None) -> list[Masses]:
    """For each interval between the breakpoints of the ``needed`` regions (all by
    default), the mass of each of those regions as a function."""
    import sympy

    if d > MAX_DIMENSION:
        raise Unsupported(f"exact answers in a parameter handle at most {MAX_DIMENSION} "
                          f"outcomes; these trees reach {d}")
    symbol = parameter_symbol(parameter.name)
    regions = list(points if needed is None else needed)
    cuts = breakpoints(points, d, symbol, parameter, regions) \
        if candidate_count(points, d) * len(regions) <= EXHAUSTIVE_CANDIDATES * len(points) \
        else swept_breakpoints(points, d, symbol, parameter, regions)
    ends = [sympy.Rational(str(parameter.low)), *cuts, sympy.Rational(str(parameter.high))]
    field = sympy.QQ.frac_field(symbol)
    exact_points = _field_points(points, field)
    ring = field.get_ring()
    polynomials = _lottery_polynomials(exact_points, ring)
    region_rows: dict[tuple[Any, ...], list[_FieldRow]] = {}  # for every interval, if asked

    def field_rows(z: tuple[Any, ...]) -> list[_FieldRow]:
        if z not in region_rows:
            region_rows[z] = _field_rows(z, exact_points, d, field)
        return region_rows[z]

    scaled_rows = {z: _scaled_rows(z, polynomials, d, ring) for z in regions}
    result = []
    for low, high in zip(ends, ends[1:]):
        at = rational_between(low, high)
        numeric_points = _numeric_points(polynomials, sympy.QQ(at.numerator, at.denominator))
        masses = {}
        for z in regions:
            limits.check("integrating in the parameter")
            masses[z] = _region_integral(functools.partial(field_rows, z), scaled_rows[z],
                                         _numeric_rows(z, numeric_points, d), d, density,
                                         exact_points[z] if weighted else None, field, at)
        result.append(Masses(low, high, masses, field))
    return result


def piecewise(quantity: Any, points: Sequence[tuple[Any, ...]], d: int, density: Univariate,
              parameter: Parameter, exact_at: Any, weighted: bool = False,
              needed: Sequence[tuple[Any, ...]] | None = None) -> PiecewiseAnswer:
    """``quantity(masses) -> expression`` on every interval, and ``exact_at(value)`` at each
    rational breakpoint and at the closed ends of the domain. ``masses`` holds the regions
    of ``needed`` (all by default): only where their shapes change is a breakpoint."""
    import sympy

    if parameter.low == parameter.high:  # `[1/2, 1/2]`: one value, no intervals
        value = exact_at(parameter.low)
        return PiecewiseAnswer(parameter.name, (), ((
            sympy.Rational(str(parameter.low)), sympy.Rational(str(value))),))
    intervals = interval_masses(points, d, density, parameter, weighted, needed)
    pieces: list[Piece] = []
    previous: Any = None  # the last piece's value in QQ(p): equal ones are merged
    for interval in intervals:
        value = quantity(interval.masses)  # a sum in QQ(p), then one expression
        if isinstance(value, Fraction):
            value = interval.field.convert(sympy.QQ(value.numerator, value.denominator))
        expression = sympy.cancel(interval.field.to_sympy(value))
        middle = rational_between(interval.low, interval.high)
        wide = sympy.Rational(middle.numerator, middle.denominator)
        # the point the pieces were computed at, and one nearer each end
        for check in (middle, rational_between(interval.low, wide),
                      rational_between(wide, interval.high)):
            exact = exact_at(check)
            at = sympy.QQ(check.numerator, check.denominator)
            if not value.denom(at) or _numeric(value, at) != exact:
                raise CrossCheckFailed("a piece disagrees with the exact value inside it")
        if pieces and value == previous:
            pieces[-1] = Piece(pieces[-1].low, interval.high, expression)
        else:
            pieces.append(Piece(interval.low, interval.high, expression))
        previous = value
    ends = [interval.low for interval in intervals[1:]]
    if not parameter.low_open:
        ends.insert(0, intervals[0].low)
    if not parameter.high_open:
        ends.append(intervals[-1].high)
    values = []
    for point in ends:
        if point.is_Rational:
            values.append((point, sympy.Rational(str(exact_at(Fraction(int(point.p),
                                                                        int(point.q)))))))
    # POWER is continuous in the parameter; choice and preference probabilities can jump
    # where two lotteries meet
    return PiecewiseAnswer(parameter.name, tuple(pieces), tuple(values),
                           () if weighted else tuple(coincidence_points(points, parameter)))


@dataclass(frozen=True)
class Decision:
    holds: bool | None
    region: str
    witness: Fraction | None
    reason: str


def decide(answer: PiecewiseAnswer, op: str, bound: Fraction) -> Decision:
    """Whether ``answer op bound`` for every parameter value, where, and a value where not.

    At irrational breakpoints the value is the pieces' common limit (the probability is
    continuous there) unless two lotteries coincide there, which leaves it undecided."""
    import sympy

    symbol = parameter_symbol(answer.parameter)
    compare = getattr(sympy, OPERATORS[op])
    target = sympy.Rational(bound.numerator, bound.denominator)
    region: Any = sympy.S.EmptySet
    witness: Fraction | None = None
    undecided = []
    coincidences = answer.coincidences
    for piece in answer.pieces:
        interval = sympy.Interval.open(piece.low, piece.high)
        holds = sympy.solveset(compare(piece.expression, target), symbol, interval)
        if not solved(holds):  # e.g. a ConditionSet: sympy gave up; isolate the roots
            holds = _solve_by_roots(piece.expression - target, compare, symbol, piece.low,
                                    piece.high)
        region = region | holds
        failing = interval - holds
        if witness is None and failing is not sympy.S.EmptySet:
            witness = _rational_in(failing)
    known = {point for point, _ in answer.points}
    for point, value in answer.points:  # may lie inside a piece: merged pieces keep points
        if bool(compare(value, target)):
            region = region | sympy.FiniteSet(point)
        else:
            region = region - sympy.FiniteSet(point)
            if witness is None:
                witness = Fraction(int(point.p), int(point.q))
    ends = {piece.high: piece for piece in answer.pieces[:-1]}
    for point in sorted(set(ends) | set(coincidences), key=lambda r: sympy.N(r, 50)):
        if point in known:
            continue
        if point in coincidences or point not in ends:
            undecided.append(point)  # a tie can jump here, and there is no exact value
            continue
        value = ends[point].expression.subs(symbol, point)  # continuous here: the limit
        if bool(compare(value, target)):
            region = region | sympy.FiniteSet(point)
        else:
            undecided.append(point)  # fails at an irrational point: no rational witness
    if undecided:  # not claimed either way there
        region = region - sympy.FiniteSet(*undecided)
    text = f"{answer.parameter} ∈ {interval_text(sympy.simplify(region))}"
    if witness is not None:
        return Decision(False, text, witness, "fails at a rational value (checked exactly)")
    if undecided:
        return Decision(None, text, None, "undecided at " + ", ".join(map(str, undecided)))
    return Decision(True, text, None, "holds on every piece and at every breakpoint (exact)")


def _solve_by_roots(difference: Any, compare: Any, symbol: Any, low: Any, high: Any) -> Any:
    """Where ``compare(difference, 0)`` holds in the open interval (low, high), for a rational
    function ``difference``: its sign is constant between consecutive real roots of its
    numerator and denominator (isolated exactly), so one rational point decides each gap,
    and each root is decided by the value there."""
    import sympy

    numerator, denominator = sympy.fraction(sympy.cancel(sympy.together(difference)))
    roots = set()
    for part in (numerator, denominator):
        if part.has(symbol):
            roots |= {r for r in sympy.Poly(part, symbol).real_roots() if low < r < high}
    cuts = sorted(roots, key=lambda r: sympy.N(r, 50))
    found: Any = sympy.S.EmptySet
    for left, right in zip([low, *cuts], [*cuts, high]):
        point = rational_between(left, right)
        value = difference.subs(symbol, sympy.Rational(point.numerator, point.denominator))
        if bool(compare(value, 0)):
            found = found | sympy.Interval.open(left, right)
    if bool(compare(sympy.Integer(0), 0)):  # at a root of the numerator the difference is 0
        for root in cuts:
            if not denominator.subs(symbol, root).equals(0):  # a pole is not a value taken
                found = found | sympy.FiniteSet(root)
    return found


def _rational_in(found: Any) -> Fraction | None:
    import sympy

    parts = found.args if isinstance(found, sympy.Union) else (found,)
    for part in parts:
        if isinstance(part, sympy.Interval) and part.start < part.end:
            return rational_between(part.start, part.end)
        if isinstance(part, sympy.FiniteSet):
            for x in part.args:
                if x.is_Rational:
                    return Fraction(int(x.p), int(x.q))
    return None


def coincidence_points(points: Sequence[tuple[Any, ...]], parameter: Parameter) -> list[Any]:
    """Parameter values where two of the lotteries become equal (ties jump there): roots of
    the gcd of the numerators of their differences, taken in ``QQ(p)``."""
    import sympy

    symbol = parameter_symbol(parameter.name)
    field = sympy.QQ.frac_field(symbol)
    exact_points = _field_points(points, field)
    found: set[Any] = set()
    solved: set[tuple[Any, ...]] = set()
    for z, other in itertools.combinations(points, 2):
        common = None
        for x, y in zip(exact_points[z], exact_points[other]):
            numerator = (x - y).numer
            common = numerator if common is None else common.gcd(numerator)
        if common is None or common.degree() <= 0:
            continue
        key = tuple(common.monic().to_dense())
        if key not in solved:
            solved.add(key)
            polynomial = sympy.Poly(list(key), symbol, domain=sympy.QQ).as_expr()
            found |= roots_in_domain(polynomial, symbol, parameter)
    return distinct_roots(found)


# ------------------------------------------------------------------ the questions


def _at(trees: Sequence[Node], parameter: Parameter, value: Fraction) -> list[Node]:
    return [substitute(t, {parameter.name: value}) for t in trees]


def choice_pieces(root: Choice, outcomes: Sequence[str], density: Univariate,
                  parameter: Parameter, index: int | None) -> PiecewiseAnswer:
    """The probability that the first choice takes child ``index`` (ties split equally),
    or with ``index`` None that it ties, as a piecewise function of the parameter."""
    order = relevant_outcomes([root], outcomes)
    sets = [lottery_points(c, order) for c in root.children]
    points = sorted(frozenset().union(*sets), key=str)

    def quantity(masses: Mapping[Any, Any]) -> Any:
        total: Any = Fraction(0)
        for z, mass in masses.items():
            holders = [j for j, s in enumerate(sets) if z in s]
            if index is None:
                total += mass if len(holders) > 1 else 0
            elif index in holders:
                total += mass / len(holders)
        return total

    def exact(value: Fraction) -> Fraction:
        (tree,) = _at([root], parameter, value)
        assert isinstance(tree, Choice)
        found = choice_probabilities_exact(tree.children, outcomes, density)
        number = found.tie.value if index is None else found.chosen[index].value
        assert isinstance(number, Fraction)
        return number

    counted = [z for z in points if len([s for s in sets if z in s]) > 1] if index is None \
        else [z for z in points if z in sets[index]]
    return piecewise(quantity, points, len(order), density, parameter, exact, needed=counted)


def prefer_pieces(left: Node, right: Node, outcomes: Sequence[str], density: Univariate,
                  parameter: Parameter) -> PiecewiseAnswer:
    """``P[V(left) > V(right)]`` as a piecewise function of the parameter."""
    order = relevant_outcomes([left, right], outcomes)
    mine, theirs = lottery_points(left, order), lottery_points(right, order)
    points = sorted(mine | theirs, key=str)

    def better(masses: Mapping[Any, Any]) -> Any:
        return sum((m for z, m in masses.items() if z in mine and z not in theirs), Fraction(0))

    def exact(value: Fraction) -> Fraction:
        a, b = _at([left, right], parameter, value)
        number = pair_exact(a, b, outcomes, density).better.value
        assert isinstance(number, Fraction)
        return number

    return piecewise(better, points, len(order), density, parameter, exact,
                     needed=[z for z in points if z in mine and z not in theirs])


def power_pieces(tree: Node, outcomes: Sequence[str], density: Univariate,
                 parameter: Parameter) -> PiecewiseAnswer:
    """POWER, ``E[V_u(tree)]``, as a piecewise function of the parameter."""
    order = relevant_outcomes([tree], outcomes)
    points = sorted(lottery_points(tree, order), key=str)

    def exact(value: Fraction) -> Fraction:
        (at,) = _at([tree], parameter, value)
        number = power_exact(at, outcomes, density).power.value
        assert isinstance(number, Fraction)
        return number

    return piecewise(lambda masses: sum(masses.values(), Fraction(0)), points, len(order),
                     density, parameter, exact, weighted=True)
