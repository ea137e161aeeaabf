"""Tarsney's permuted relations P3 and P4 (THEORY §4): some allowed relabelling ``σ`` of the
outcomes with ``σ·L(right) ⊊ L(left)`` (P3), or with ``σ·L(right)`` inside the interior of
``L(left)`` (P4). Each map is decided by P1 or P2 (:mod:`decisiontrees.analyses.relations`);
this module finds the map, or shows there is none: a search over maps built outcome by
outcome with necessary conditions, an integer program over all maps at once that takes
turns with it, and, before the program's first turn, a search by the facets of the left
tree's set (:mod:`decisiontrees.analyses.facet_maps`), then one by constraint propagation
over tables of the images that keep each small lottery of the right tree inside the left
tree's set (:mod:`decisiontrees.analyses.injections`).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses import facet_maps, membership
from decisiontrees.analyses import plans as analysis
from decisiontrees.analyses.agents import lottery_points
from decisiontrees.analyses.injections import InjectionSearch, Table
from decisiontrees.analyses.relations import (
    DEFAULT_TIMEOUT_MS,
    Verdict,
    inclusion,
    interiority,
    outcomes_of_pair,
    relabel,
)
from decisiontrees.errors import ArgumentError, SolverFailed, TimedOut, TooManyLotteries
from decisiontrees.model.nodes import (
    Chance,
    Choice,
    Leaf,
    Node,
    is_symbolic,
    outcomes_of,
    postorder,
)
from decisiontrees.solvers import highs, normaliz
from decisiontrees.solvers import smt as solver


@dataclass(frozen=True)
class PermutationGroup:
    """Which permutations of the outcomes are allowed: all, those fixing ``fixed``, and those
    keeping every outcome within its kind (``kinds`` maps outcome to kind)."""

    fixed: frozenset[str] = frozenset()
    kinds: Mapping[str, str] = field(default_factory=dict)

    def allows(self, source: str, target: str) -> bool:
        if source in self.fixed or target in self.fixed:
            return source == target
        return self.kinds.get(source) == self.kinds.get(target)


PAIR_PRUNING_FROM = 64  # candidate maps left by single outcomes, past which pairs are bounded too
SHAPES_KEPT = 100_000  # moved trees remembered for symmetry: memory must not grow with d!
REFUTATIONS_KEPT = 20  # refuted maps listed in the evidence (the rest are counted)
MOVED_LOTTERIES = 256  # the right tree's lotteries checked as soon as a partial map moves them
REFUTERS_KEPT = 64  # utilities that separated a moved lottery, tried on the next ones first
MOVED_AFTER = 1_000  # partial maps built before lotteries are checked, unless a map failed
SOLVER_MISSES = 8  # solver calls in a row that separate no moved lottery, after which it rests
SOLVER_REST = 16  # moved lotteries it then sits out before one more call (doubled each time)
USELESS_AFTER = 1_000  # moved lotteries checked, all inside, after which checks stop
PROGRAM_AFTER = 0.5  # seconds of the map search before the integer program's first turn
PROGRAM_SECONDS = 0.5  # each turn of the program (its first, if HiGHS works here: then doubled)
PROGRAM_SIZE = 60_000  # listed lotteries × the left tree's nodes, past which there is no program
MAPS_PER_TURN = 8  # maps the program may propose in one turn, each checked exactly
SEEDED_UTILITIES = 8  # random utilities whose best lotteries start a program of many ones
PROGRAM_LOTTERIES = 32  # right lotteries the program takes all at once; past it, a few, then more
TABLE_IMAGES = 2_000  # images of one lottery's outcomes a table may test (12 candidates: 3 outcomes)
TABLE_OUTCOMES = 3  # a right tree with too many lotteries to list: tables for those over so few
TABLE_SHARE = 0.25  # of the time left, for the table search (once, before the program's turn; 0: none)
TABLE_SECONDS = 2.0  # and no more than this: where tables are few, maps it allows mostly fail
TABLE_MAPS = 32  # maps the tables allow that may be checked and refuted before it gives up
FACET_SHARE = 0.5  # of the time left, for the search by the left set's inequalities (0: none)
FACET_HULL_SECONDS = 0.5  # Normaliz's first slice of time to find them (each next one doubled)
FACET_HULL_SHARE = 0.1  # and of the time left at the first slice, all it may have
FACET_MAPS = 32  # maps the inequalities allow that may be checked and refuted before it gives up


def permuted(relation: str, left: Node, right: Node, outcomes: tuple[str, ...] | None = None,
             group: PermutationGroup | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS,
             refine: bool = True) -> Verdict:
    """P3 (``relation`` "inclusion") or P4 ("interiority"): some allowed ``σ`` with
    ``σ·L(right) ⊊ L(left)``, or ``σ·L(right)`` inside the interior of ``L(left)``.

    Only where ``σ`` sends the outcomes of ``right`` matters, so the search runs over those
    injective maps, built one outcome at a time. Maps are ruled out first by the
    probabilities with which each tree can reach each outcome and, while building them,
    each pair of outcomes (unless ``refine`` is False: the benchmark's baseline); then maps
    whose moved tree has the same shape as one already tried; then by a pool of utility
    functions that refuted earlier maps, and only then by the full check.
    """
    if relation not in ("inclusion", "interiority"):
        raise ArgumentError(f"permuted(): relation must be \"inclusion\" (P3) or "
                            f"\"interiority\" (P4), not {relation!r}")
    name = "P3 permuted inclusion" if relation == "inclusion" else "P4 permuted interiority"
    names = outcomes_of_pair(left, right, outcomes)
    group = group or PermutationGroup()
    sources = sorted({node.outcome for node in postorder(right) if isinstance(node, Leaf)})
    reachable_left = analysis.reachable_outcomes(left)
    reachable_right = analysis.reachable_outcomes(right)
    candidates = {s: [t for t in names if group.allows(s, t)
                      and (s not in reachable_right or t in reachable_left)] for s in sources}
    forced: frozenset[str] = frozenset()
    compatible = None
    if refine and not is_symbolic(left) and not is_symbolic(right):
        strict = relation == "interiority"
        candidates, forced = _reach_refinement(left, right, names, sources, candidates, strict)
        if math.prod(len(found) for found in candidates.values()) > PAIR_PRUNING_FROM:
            compatible = _pair_refinement(left, right, names, sources, strict)
    pool: list[tuple[dict[str, Fraction], Fraction]] = []  # refuting utilities, V(left) under each
    right_order = postorder(right)
    shapes = _Shapes(right_order)
    tried = ruled_by_pool = symmetric = 0
    refutations: list[dict[str, Any]] = []  # the first few, for the evidence
    check = inclusion if relation == "inclusion" else interiority
    considered = 0

    def refuted(mapping: dict[str, str], entry: dict[str, Any]) -> None:
        if len(refutations) < REFUTATIONS_KEPT:
            refutations.append({"map": mapping, **entry})

    moved = _MovedLotteries(left, right, names, sources, timeout_ms) \
        if compatible is not None else None

    pooled: dict[int, dict[str, Fraction]] = {}

    program = _ProgramTurns(relation, left, right, names, sources, moved, candidates, forced,
                            timeout_ms) if moved is not None else None

    facets = _FacetTurns(left, names) if moved is not None and FACET_SHARE > 0 else None

    def program_turn() -> None:
        """Give the integer program its turn when due (the searches by inequalities and by
        tables before the first); raise :class:`_Decided` if any decides."""
        if program is None or not program.due():
            return
        if facets is not None:
            faceted = facets.turn(relation, right, sources, candidates, forced, timeout_ms)
            if isinstance(faceted, _Faceted):
                raise _Decided(_no_map_by_facets(name, faceted, tried, refutations))
            if faceted is not None:
                mapping, verdict, refuted_first = faceted
                decide(mapping, verdict, tried + refuted_first + 1)
        if moved is not None and not moved.tabled and TABLE_SHARE > 0:
            moved.tabled = True
            tabled = _table_search(relation, left, right, names, candidates, forced,
                                   compatible, moved, timeout_ms)
            if isinstance(tabled, _Tabled):
                raise _Decided(Verdict(
                    name, False, "exhaustive search by tables (exact)",
                    reason=f"every allowed permutation moves one of {tabled.tables} lotteries "
                           "of the right tree outside the left tree's set (a table for each "
                           "lists the images of its outcomes that keep it inside, decided "
                           "exactly from the left tree's lotteries over those outcomes)" + (
                               f", or is one of {len(tabled.refuted)} maps that the tables "
                               "allowed and a check of its own refuted" if tabled.refuted
                               else ""),
                    details={"maps_tried": tried + len(tabled.refuted),
                             "refutations": tabled.refuted[:REFUTATIONS_KEPT],
                             "refutations_not_listed": max(0, tried + len(tabled.refuted)
                                                           - REFUTATIONS_KEPT)}))
            if tabled is not None:
                mapping, verdict, refuted_first = tabled
                decide(mapping, verdict, tried + refuted_first + 1)
        found = program.turn(pool)
        if program.exhausted:
            bounded = (f", each worth less than the left tree to {len(program.bounds)} "
                       "utilities that refuted maps" if program.bounds else "")
            raise _Decided(Verdict(
                name, False, f"integer program with {solver.SOLVER_NAME}",
                reason=f"no allowed permutation moves {program.lotteries_shown()} into the "
                       f"left tree's set{bounded}: {solver.SOLVER_NAME} found the integer program "
                       "infeasible (a 0/1 choice of each σ(s), and one plan of the left tree "
                       "for each of those lotteries); the search before it had ruled out "
                       f"{considered} maps",
                details={"maps_tried": tried + program.proposed, "refutations": refutations,
                         "refutations_not_listed": tried + program.proposed - len(refutations)}))
        if found is not None:
            decide(*found, tried + program.proposed)

    def decide(mapping: dict[str, str], verdict: Verdict, maps_tried: int) -> None:
        """Raise the verdict of a map that held, moved the sets onto each other or could not
        be decided."""
        if relation == "inclusion" and verdict.details.get("equivalent"):
            raise _Decided(_equal_sets(name, verdict, mapping, maps_tried))
        if verdict.holds is None:
            raise _Decided(Verdict(name, None, verdict.method, reason=verdict.reason,
                                   details={"map": mapping}))
        raise _Decided(Verdict(
            name, True, verdict.method, verdict.witness, verdict.certificate,
            details={"permutation": cycle_notation(mapping), "map": mapping,
                     "maps_tried": maps_tried}))

    def promising(chosen: Mapping[str, str], placed: str,
                  candidates: dict[str, list[str]]) -> bool:
        """False when a lottery of the right tree whose outcomes are all placed lies, moved,
        outside the left tree's set: then every completion of the partial map is ruled out
        (:meth:`_MovedLotteries.separating`, which also narrows the ``candidates``)."""
        limits.check(f"searching permutations ({considered} considered)")
        assert moved is not None
        moved.nodes += 1
        program_turn()
        if moved.nodes > MOVED_AFTER and not moved.useless:
            moved.active = True  # the first map is long in coming
        if not moved.active:
            return True
        separating = moved.separating(chosen, placed, candidates)
        if separating is not None and id(separating) not in pooled:
            pooled[id(separating)] = separating  # kept alive, so the id stays its own
            pool.insert(0, (separating, analysis.value(left, separating)))
        return separating is None

    try:
        for mapping in _injective_maps(sources, candidates, forced, compatible,
                                       promising if moved is not None else None):
            limits.check(f"searching permutations ({considered} considered)")
            considered += 1
            program_turn()
            if not shapes.first(mapping):  # the same lottery set as a map already tried
                symmetric += 1
                continue
            tried += 1
            if moved is not None and not moved.useless:
                moved.active = True  # from the next map on, should this one fail
            refuted_by = next((k for k, (u, left_value) in enumerate(pool)
                               if _refutes(relation, left_value, right, right_order, mapping, u)),
                              None)
            if refuted_by is not None:
                ruled_by_pool += 1
                utility = pool[refuted_by][0]
                # the last refuter first: neighbouring maps tend to fall to the same utility
                pool.insert(0, pool.pop(refuted_by))
                refuted(mapping, {"utility": {o: str(v) for o, v in utility.items()}})
                continue
            verdict = check(left, relabel(right, mapping), names, timeout_ms)
            if verdict.holds is None:
                return Verdict(name, None, verdict.method, reason=verdict.reason,
                               details={"map": mapping})
            if relation == "inclusion" and verdict.details.get("equivalent"):
                return _equal_sets(name, verdict, mapping, tried)
            if verdict.holds:
                return Verdict(name, True, verdict.method, verdict.witness, verdict.certificate,
                               details={"permutation": cycle_notation(mapping), "map": mapping,
                                        "maps_tried": tried})
            if verdict.witness is not None:
                utility = dict(verdict.witness.utility)
                pool.insert(0, (utility, analysis.value(left, utility)))
                refuted(mapping, {"utility": {o: str(v) for o, v in utility.items()}})
            else:
                refuted(mapping, {"reason": verdict.reason})
    except _Decided as decided:
        return decided.verdict
    finally:
        if program is not None:
            program.close()
        if facets is not None:
            facets.close()
    excluded = _count_allowed_maps(sources, names, group) - considered
    return Verdict(name, False, f"exhaustive search with {solver.SOLVER_NAME}",
                   reason=f"every allowed permutation was ruled out: {excluded} while maps "
                          "were built (by the probabilities of reaching each outcome and pair "
                          "of outcomes, or a lottery moved outside the left tree's set), "
                          f"{symmetric} as symmetric to one already "
                          f"checked, {ruled_by_pool} by an earlier witness, "
                          f"{tried - ruled_by_pool} by a check of its own",
                   details={"maps_tried": tried, "refutations": refutations,
                            "refutations_not_listed": tried - len(refutations)})


def _equal_sets(name: str, verdict: Verdict, mapping: dict[str, str], tried: int) -> Verdict:
    """P3 fails for every ``σ'`` once one ``σ`` gives ``L(left) ⊆ σ·L(right)``: then
    ``σ'·L(right) ⊊ L(left)`` would put a relabelled copy of ``L(right)`` strictly inside
    another — impossible, since relabelling keeps a convex set's dimension and volume (so a
    copy inside it is all of it). The ``verdict`` of P1 for ``σ`` carries the reverse
    containment, which :mod:`decisiontrees.evidence.verify` checks."""
    shown = cycle_notation(mapping)
    return Verdict(name, False, verdict.method, certificate=verdict.certificate,
                   reason=f"σ = {shown}{' (the identity)' if shown == '()' else ''} moves the "
                          "right tree's lottery set onto "
                          "the left tree's (each contains the other), and a relabelled copy of "
                          "a convex set keeps its dimension and volume, so one inside it is all "
                          "of it: no σ makes a proper subset",
                   details={"map": mapping, "maps_tried": tried})


def _refutes(relation: str, left_value: Fraction, right: Node, right_order: list[Node],
             mapping: Mapping[str, str], utility: Mapping[str, Fraction]) -> bool:
    """Whether ``utility`` shows that ``σ·right`` (σ = ``mapping``) is not inside ``left``:
    ``V_u(σ·right) = V_{u∘σ}(right)``, by one pass over ``right``'s nodes in ``right_order``."""
    moved_value = analysis.value_once(right, {s: utility[t] for s, t in mapping.items()},
                                       right_order)
    gap = left_value - moved_value
    if relation == "inclusion":
        return bool(gap < 0)
    return bool(gap <= 0) and len(set(utility.values())) > 1


@dataclass(frozen=True)
class _Faceted:
    """The search by inequalities' "no map": what it searched, and the maps it allowed,
    each refuted by its own check."""

    halfspaces: facet_maps.Halfspaces
    lotteries: int  # the right tree's lotteries moved
    vertices: bool  # whether they are the vertices of their hull (else all of them)
    nodes: int  # partial maps visited
    refuted: list[dict[str, Any]]


class _FacetTurns:
    """The search by the left set's inequalities, at the program's turns: Normaliz gets a
    slice of each turn until it has found them (FACET_HULL_SECONDS, then twice the last
    slice; its process is paused in between), and FACET_HULL_SHARE of the time left at
    the first slice in all, so a hull it cannot finish (some at 14 outcomes take minutes)
    costs the other searches that share of their time at most; then :func:`_facet_search`
    runs once."""

    def __init__(self, left: Node, names: tuple[str, ...]) -> None:
        self.left, self.names = left, names
        self.finder: facet_maps.HalfspaceFinder | None = None  # made at the first turn
        self.slice = FACET_HULL_SECONDS
        self.budget = 0.0  # Normaliz's seconds in all, set at the first turn
        self.spent = 0.0
        self.searched = False

    def turn(self, relation: str, right: Node, sources: list[str],
             candidates: Mapping[str, list[str]], forced: frozenset[str], timeout_ms: int
             ) -> _Faceted | tuple[dict[str, str], Verdict, int] | None:
        """What :func:`_facet_search` found, once Normaliz is done; None before, after, or
        when it stood aside."""
        if self.searched:
            return None
        if self.finder is None:
            self.finder = facet_maps.HalfspaceFinder(self.left, self.names)
            self.budget = limits.remaining_ms(timeout_ms) / 1000 * FACET_HULL_SHARE
        seconds = min(self.slice, self.budget - self.spent)
        started = time.monotonic()
        ready = self.finder.wait(seconds)
        self.spent += time.monotonic() - started
        if not ready and self.spent < self.budget:
            self.slice *= 2
            return None
        self.searched = True
        if not ready:
            self.finder.close()  # out of its share: the other searches go on alone
            return None
        if self.finder.result is None:
            return None
        return _facet_search(relation, self.finder.result, self.left, right, self.names,
                             sources, candidates, forced, timeout_ms)

    def close(self) -> None:
        if self.finder is not None:
            self.finder.close()


def _facet_search(relation: str, halfspaces: facet_maps.Halfspaces, left: Node, right: Node,
                  names: tuple[str, ...], sources: list[str],
                  candidates: Mapping[str, list[str]], forced: frozenset[str],
                  timeout_ms: int) -> _Faceted | tuple[dict[str, str], Verdict, int] | None:
    """Search the maps by the inequalities ``halfspaces`` of the left tree's set
    (:mod:`~decisiontrees.analyses.facet_maps`), with FACET_SHARE of the time left. Each
    map they allow is checked exactly. Returns :class:`_Faceted` when no map is left; a map
    with the verdict of its check when that held (or, for P3, found the sets equal) and how
    many maps were refuted before it; None when it stood aside (too large a search, or for
    P4 a left set of lower dimension, which has no interior) or gave up (out of its time,
    FACET_MAPS maps refuted, or a check undecided)."""
    check = inclusion if relation == "inclusion" else interiority
    strict = relation == "interiority"
    refuted: list[dict[str, Any]] = []
    if strict and halfspaces.equations:
        return None
    try:
        with limits.deadline(limits.remaining_ms(timeout_ms) / 1000 * FACET_SHARE):
            listed = facet_maps.right_vertices(right, sources, min(
                FACET_HULL_SECONDS, limits.remaining_ms() / 1000))
            if listed is None or \
                    len(listed[0]) * len(halfspaces.normals) > facet_maps.CELLS:
                return None
            lotteries, vertices = listed
            search = facet_maps.FacetSearch(halfspaces, lotteries, sources, candidates,
                                            forced, strict)
            if search.big and len(lotteries) * len(halfspaces.normals) > facet_maps.BIG_CELLS:
                return None
            for mapping in search.maps():
                verdict = check(left, relabel(right, mapping), names, timeout_ms)
                if verdict.holds is None:
                    return None
                if _settles(relation, verdict):
                    return mapping, verdict, len(refuted)
                refuted.append(_refutation(mapping, verdict))
                if len(refuted) >= FACET_MAPS:
                    return None
            return _Faceted(halfspaces, len(lotteries), vertices, search.nodes, refuted)
    except TimedOut:
        # this stage's own deadline passed (the other searches go on), or the question's:
        # then this check raises again
        limits.check("searching permutations by the left set's inequalities")
    return None


def _no_map_by_facets(name: str, faceted: _Faceted, tried_before: int,
                      refuted_before: list[dict[str, Any]]) -> Verdict:
    """The "no" of :func:`_facet_search`, with what it rests on (``tried_before``: maps
    the search before it checked, each refuted; the first are ``refuted_before``)."""
    halfspaces = faceted.halfspaces
    equations = (f" and {halfspaces.equations} equation"
                 f"{'s' if halfspaces.equations != 1 else ''} of its affine hull"
                 if halfspaces.equations else "")
    tried = len(faceted.refuted)
    return Verdict(
        name, False, "exhaustive search by the left set's inequalities (exact)",
        reason=f"no allowed permutation moves the right tree's {faceted.lotteries} lotteries"
               f"{' (the vertices of their hull)' if faceted.vertices else ''} into the left "
               f"tree's set: a search over partial maps ({faceted.nodes} visited) dropped each "
               "as soon as some lottery, wherever the outcomes not yet placed go, must cross "
               f"one of the {halfspaces.facets} facets{equations} of that set (each checked "
               f"exactly against its {halfspaces.lotteries} lotteries), or no injective "
               "completion was left" + (
                   f"; {tried} maps those inequalities allowed failed a check of their own"
                   if tried else ""),
        details={"maps_tried": tried_before + tried,
                 "refutations": (refuted_before + faceted.refuted)[:REFUTATIONS_KEPT],
                 "refutations_not_listed": max(0, tried_before + tried - REFUTATIONS_KEPT)})


@dataclass(frozen=True)
class _Tabled:
    """The table search's "no map": how many tables, and the maps they allowed, each
    refuted by its own check."""

    tables: int
    refuted: list[dict[str, Any]]


def _table_search(relation: str, left: Node, right: Node, names: tuple[str, ...],
                  candidates: Mapping[str, list[str]], forced: frozenset[str],
                  compatible: Any, moved: _MovedLotteries, timeout_ms: int
                  ) -> _Tabled | tuple[dict[str, str], Verdict, int] | None:
    """Search the maps by tables (:mod:`~decisiontrees.analyses.injections`), with
    TABLE_SHARE of the time left, at most TABLE_SECONDS: a table for each lottery of the
    right tree whose images are few (:meth:`_MovedLotteries.table`; without any, it stands
    aside); each map the tables allow is checked exactly, and one that fails forbids the
    images of the outcomes of the right lottery that its witness shows outside (or the
    whole map). Returns :class:`_Tabled` when no map is left; a map with the verdict of its
    check when that held (or, for P3, found the sets equal), and how many maps were refuted
    before it; None when it gave up (out of its time, TABLE_MAPS maps refuted, or a check
    undecided: under this stage's shorter deadline, that is no answer to the question)."""
    check = inclusion if relation == "inclusion" else interiority
    refuted: list[dict[str, Any]] = []
    try:
        with limits.deadline(min(TABLE_SECONDS,
                                 limits.remaining_ms(timeout_ms) / 1000 * TABLE_SHARE)):
            tables = [table for lottery in moved.small_lotteries()
                      if (table := moved.table(lottery, candidates, compatible)) is not None]
            if not tables:
                return None  # maps one by one: what the search does already
            search = InjectionSearch(candidates, forced, tables)
            while len(refuted) < TABLE_MAPS:
                mapping = search.find()
                if mapping is None:
                    return _Tabled(len(tables), refuted)
                verdict = check(left, relabel(right, mapping), names, timeout_ms)
                if verdict.holds is None:
                    return None
                if _settles(relation, verdict):
                    return mapping, verdict, len(refuted)
                witness = dict(verdict.witness.utility) if verdict.witness is not None else None
                search.forbid(_forbidden_part(relation, left, right, names, mapping, witness))
                refuted.append(_refutation(mapping, verdict))
    except TimedOut:
        # this stage's own deadline passed (the search and the program go on), or the
        # question's: then this check raises again
        limits.check("searching permutations by tables")
    except SolverFailed:
        pass  # a hull Normaliz could not find: the search and the program go on
    return None


def _settles(relation: str, verdict: Verdict) -> bool:
    """Whether the check of one map answers the question: it held, or for P3 it found the
    sets equal (then no map can work, :func:`_equal_sets`)."""
    return bool(verdict.holds) or (relation == "inclusion"
                                   and bool(verdict.details.get("equivalent")))


def _refutation(mapping: dict[str, str], verdict: Verdict) -> dict[str, Any]:
    """A refuted map as the evidence lists it: with its witness, or the check's reason."""
    return {"map": mapping} | (
        {"utility": {o: str(v) for o, v in verdict.witness.utility.items()}}
        if verdict.witness is not None else {"reason": verdict.reason})


def _forbidden_part(relation: str, left: Node, right: Node, names: tuple[str, ...],
                    mapping: dict[str, str], utility: dict[str, Fraction] | None
                    ) -> dict[str, str]:
    """The part of a refuted ``mapping`` that every map containing it fails by: the images
    of the outcomes of the right lottery best under the witness ``utility`` moved back, when
    that lottery, moved, is outside the left tree's set (for P4: off its interior) — checked
    here exactly; else the whole map."""
    if utility is None:
        return mapping
    utility = {o: utility.get(o, Fraction(0)) for o in names}
    # the best lottery's worth is V_u(σ·right), which _refutes compares with V_u(left)
    if not _refutes(relation, analysis.value(left, utility), right, postorder(right), mapping,
                    utility):
        return mapping
    best = analysis.lottery_of(right, analysis.an_optimal_plan(
        right, {s: utility[t] for s, t in mapping.items()}))
    return {s: t for s, t in mapping.items() if best.get(s)}


class _Decided(Exception):
    """The integer program decided while the map search ran: its verdict."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.reason)
        self.verdict = verdict


class _ProgramTurns:
    """The search for ``σ`` as one integer program, given turns while the map search runs:
    the first once the search has run PROGRAM_AFTER seconds, each next once it has run
    again as long as the last turn took. HiGHS proposes maps in floating point
    (:func:`highs.propose_injection`): where processes can be forked, in one of its own
    (:class:`limits.Background`) that each turn resumes for PROGRAM_SECONDS and pauses
    again, so no call starts over for want of time; with two workers or more it is never
    paused, and each proposal is taken as it comes. Elsewhere each call gets the turn's
    time, twice the last turn's. Each call to z3 gets twice the time of the last. Each
    proposal is checked exactly; one that fails is excluded and,
    for the interior, the utility that refuted it bounds every later map (as do the
    search's). A right tree with more than PROGRAM_LOTTERIES lotteries starts with a few of
    them, and each failed map adds the one its witness shows outside (fewer lotteries only
    weaken the program, so its "none" still holds). When HiGHS finds no map, z3 solves the
    same program exactly (:class:`solver.InjectionProgram`): only its "none" rules out
    every map. The search is complete too, so the first to finish decides: the search
    where reach probabilities leave few maps, the program where they leave many but the
    moved lotteries pin ``σ`` down together. A search that ends within PROGRAM_AFTER
    seconds is never interrupted, so its answers do not depend on the machine's speed."""

    def __init__(self, relation: str, left: Node, right: Node, names: tuple[str, ...],
                 sources: list[str], moved: _MovedLotteries,
                 candidates: Mapping[str, list[str]], forced: frozenset[str],
                 timeout_ms: int) -> None:
        self.relation, self.left, self.right, self.names = relation, left, right, names
        self.sources, self.moved, self.forced = sources, moved, forced
        self.candidates = {s: list(found) for s, found in candidates.items()}
        self.timeout_ms = timeout_ms
        self.lotteries: list[tuple[tuple[str, Fraction], ...]] = []
        self.left_size = len(postorder(left))
        self.complete = False  # the program holds every lottery of the right tree
        self.total = 0  # how many the right tree has, when few enough to list
        self.exact: solver.InjectionProgram | None = None
        self.next_turn = time.monotonic() + PROGRAM_AFTER
        self.seconds = PROGRAM_SECONDS  # HiGHS's in a turn, working here: doubled every turn
        self.exact_seconds = PROGRAM_SECONDS  # z3's for its next call: doubled after each
        self.off = False
        self.exhausted = False  # the exact program is infeasible: no allowed map is left
        self.proposed = 0  # maps the program proposed (each checked exactly)
        self.excluded: list[dict[str, str]] = []
        self.bounds: list[tuple[dict[str, Fraction], Fraction]] = []  # the interior only
        self.bounded: set[tuple[tuple[str, Fraction], ...]] = set()
        self.background = limits.can_start_processes()  # HiGHS in a process of its own
        self.beside = self.background and limits.worker_count() > 1  # on a core of its own
        self.proposing: limits.Background | None = None  # HiGHS at work on the next proposal

    def due(self) -> bool:
        """Whether the program's turn has come, or (beside the search) its proposal is in."""
        if self.off:
            return False
        if self.beside and self.proposing is not None:
            return self.proposing.wait(0)
        return time.monotonic() >= self.next_turn

    def turn(self, pool: list[tuple[dict[str, Fraction], Fraction]]
             ) -> tuple[dict[str, str], Verdict] | None:
        """One turn: a map with its exact check when that holds or gave up, else None (and
        ``exhausted`` set when no allowed map is left)."""
        started = time.monotonic()
        try:
            return self._turn(pool)
        finally:
            if self.proposing is not None and not self.beside:
                self.proposing.pause()  # the search's turn: one core, one of them at a time
            self.next_turn = time.monotonic() + max(PROGRAM_AFTER, time.monotonic() - started)
            if not self.background:
                self.seconds *= 2

    def close(self) -> None:
        """Stop HiGHS's process, if it is at work."""
        if self.proposing is not None:
            self.proposing.stop()
            self.proposing = None

    def _proposal(self, until: float) -> highs.Proposal | None:
        """HiGHS's next proposal: in the background, from the process at work on it (started
        now, with the time left, if none is), when it comes by ``until``, else None; without,
        from a call here with the turn's time."""
        arguments = (self.left, self.lotteries, self.candidates, self.forced, self.excluded,
                     self.bounds)
        if not self.background:
            return highs.propose_injection(
                *arguments, min(self.seconds, limits.remaining_ms(self.timeout_ms) / 1000))
        if self.proposing is None:
            highs.load()
            try:  # the lists are copied with the process, so later changes here do not reach it
                self.proposing = limits.Background(highs.propose_injection, *arguments,
                                                   limits.remaining_ms(self.timeout_ms) / 1000)
            except OSError:  # no process to be had (a limit on processes): HiGHS works here
                self.background = self.beside = False
                return self._proposal(until)
        if not self.proposing.wait(until - time.monotonic()):
            return None
        proposing, self.proposing = self.proposing, None
        proposal: highs.Proposal = proposing.result()
        return proposal

    def _turn(self, pool: list[tuple[dict[str, Fraction], Fraction]]
              ) -> tuple[dict[str, str], Verdict] | None:
        if not self.lotteries and not self._listed():
            self.off = True
            return None
        if self.relation == "interiority":
            for utility, left_value in pool:
                self._bound(utility, left_value)
        check = inclusion if self.relation == "inclusion" else interiority
        # a process resumed goes on where it stopped, so its turns need not grow: short ones
        # keep the search's share even (a long turn could fall just before its end)
        turn = 0 if self.beside else PROGRAM_SECONDS if self.background else self.seconds
        until = time.monotonic() + min(turn, limits.remaining_ms(self.timeout_ms) / 1000)
        for _ in range(MAPS_PER_TURN):
            limits.check("searching permutations with an integer program")
            proposal = self._proposal(until)
            if proposal is None:
                return None  # HiGHS is still at work: the next turn resumes it
            found = proposal.mapping
            if found is None and proposal.infeasible:
                found = self._exact_map()  # HiGHS's "none" is in floats: z3 decides
            if found is None or not self._allowed(found):
                return None
            mapping = {s: found[s] for s in self.sources}
            self.proposed += 1
            verdict = check(self.left, relabel(self.right, mapping), self.names, self.timeout_ms)
            if verdict.holds is not False or (self.relation == "inclusion"
                                              and verdict.details.get("equivalent")):
                return mapping, verdict
            self.excluded.append(mapping)
            if self.exact is not None:
                self.exact.exclude(mapping)
            if verdict.witness is not None:
                utility = dict(verdict.witness.utility)
                # the right lottery worth most to the witness, moved: outside L(left) for P3,
                # off its interior for P4
                self._add({s: utility.get(mapping[s], Fraction(0)) for s in self.sources})
                left_value = analysis.value(self.left, utility)
                if self.relation == "interiority" and _refutes(
                        self.relation, left_value, self.right, postorder(self.right), mapping,
                        utility):
                    self._bound(utility, left_value)
        return None

    def _exact_map(self) -> dict[str, str] | None:
        """z3's answer to the program with the maps excluded and bounds added so far: a map,
        or None (``exhausted`` set when z3 shows there is none; else it gave up)."""
        if self.exact is None:
            self.exact = solver.InjectionProgram(self.left, self.lotteries, self.candidates,
                                                 self.forced)
            for mapping in self.excluded:
                self.exact.exclude(mapping)
            for utility, bound in self.bounds:
                self.exact.below(utility, bound)
        found = self.exact.find(min(int(self.exact_seconds * 1000), self.timeout_ms))
        self.exact_seconds *= 2
        if found is None:
            self.exhausted = self.off = True
        return found if isinstance(found, dict) else None

    def _allowed(self, mapping: Mapping[str, str]) -> bool:
        """Whether a proposed map is one the search could build (a solver's answer is not
        taken on trust): each source to a candidate, injectively, every forced target hit."""
        images = [mapping.get(s) for s in self.sources]
        return (set(mapping) == set(self.sources) and len(set(images)) == len(images)
                and all(mapping[s] in self.candidates[s] for s in self.sources)
                and self.forced <= set(mapping.values()))

    def _listed(self) -> bool:
        """The right tree's lotteries, or a few of them when it has many; False when they
        are too many to give each a plan of the left tree (or some outcome has no candidate
        left)."""
        if any(not found for found in self.candidates.values()):
            return False
        listed = self.moved.listed()
        self.total = len(listed)
        if 0 < self.total <= PROGRAM_LOTTERIES:
            self.lotteries, self.complete = list(listed), True
        else:  # many: the best ones for reaching or avoiding each outcome and for a few
            rng = random.Random(0)  # random utilities, for a start
            for source in self.sources:
                for sign in (1, -1):
                    self._add({s: Fraction(sign * (s == source)) for s in self.sources})
            for _ in range(SEEDED_UTILITIES):
                self._add({s: Fraction(rng.randint(0, 100), 100) for s in self.sources})
        return 0 < len(self.lotteries) * self.left_size <= PROGRAM_SIZE

    def lotteries_shown(self) -> str:
        """Which lotteries of the right tree the program holds, for a reason."""
        if self.complete:
            return f"every lottery of the right tree ({len(self.lotteries)})"
        if self.total:
            return f"{len(self.lotteries)} of the right tree's {self.total} lotteries"
        return f"{len(self.lotteries)} of the right tree's lotteries (too many to list them all)"

    def _add(self, utility: Mapping[str, Fraction]) -> None:
        """The lottery of a plan of the right tree that is best under ``utility``, if the
        program does not have it yet (nor too many lotteries)."""
        best = analysis.lottery_of(self.right, analysis.an_optimal_plan(self.right, utility))
        lottery = tuple((s, best[s]) for s in self.sources if best.get(s))
        if self.complete or lottery in self.lotteries or \
                (len(self.lotteries) + 1) * self.left_size > PROGRAM_SIZE:
            return
        self.lotteries.append(lottery)
        if self.exact is not None:
            self.exact.add_lottery(lottery)

    def _bound(self, utility: Mapping[str, Fraction], left_value: Fraction) -> None:
        """For the interior: every later map must keep each lottery, moved, worth less than
        the left tree to a utility that is not constant (any other point is on a face)."""
        key = tuple(sorted(utility.items()))
        if key in self.bounded or len(set(utility.values())) < 2:
            return
        self.bounded.add(key)
        self.bounds.append((dict(utility), left_value))
        if self.exact is not None:
            self.exact.below(utility, left_value)


class _MovedLotteries:
    """The right tree's strategy lotteries (at most MOVED_LOTTERIES, else none), each to be
    moved by a partial map once all its outcomes are placed: ``σ·y`` must lie in the left
    tree's lottery set. Each moved lottery is decided once (:func:`membership.contains`,
    whose "no" carries a separating utility checked exactly; an undecided one rules
    nothing out). Checks start only once the first map failed, or MOVED_AFTER partial
    maps were built without one; after SOLVER_MISSES solver calls in a row separated
    nothing, the solver sits out SOLVER_REST moved lotteries before one more call, twice as
    many after each further miss (left out for good, as it once was, a run could try 50
    times the maps of another: which calls miss depends on the utilities z3 returned
    before), and checks stop after USELESS_AFTER moved lotteries all lay inside."""

    def __init__(self, left: Node, right: Node, names: tuple[str, ...], sources: list[str],
                 timeout_ms: int) -> None:
        self.left, self.right, self.names, self.sources = left, right, names, sources
        self.timeout_ms = timeout_ms
        self.order: list[Node] = []  # the left tree's nodes, children first
        self.lotteries: list[tuple[tuple[str, Fraction], ...]] = []  # listed when first needed
        self.reaching: dict[str, list[int]] = {}  # for each outcome, the lotteries reaching it
        self.decided: dict[tuple[int, tuple[str, ...]], dict[str, Fraction] | None] = {}
        self.images: dict[tuple[tuple[str, Fraction], ...], dict[str, Fraction] | None] = {}
        self.refuters: list[tuple[dict[str, Fraction], Fraction]] = []  # u and V_u(left)
        self.active = False  # set once the search finds that the first maps fail
        self.useless = False  # set when many moved lotteries were checked and none was outside
        self.nodes = 0  # partial maps built
        self.outside = 0  # moved lotteries found outside
        self.within: dict[tuple[str, ...], tuple[set[tuple[Fraction, ...]] | None, bool,
                                                 dict[str, Fraction] | None]] = {}
        self.misses = 0  # solver calls in a row that separated nothing
        self.rest = SOLVER_REST  # moved lotteries the solver sits out once it missed too often
        self.rested = 0  # of those, sat out so far
        self.tabled = False  # the table search has had its turn
        self.faces: dict[tuple[str, ...], tuple[list[tuple[list[int], int]],
                                                list[tuple[list[int], int]]]] = {}

    def separating(self, chosen: Mapping[str, str], placed: str,
                   candidates: dict[str, list[str]]) -> dict[str, Fraction] | None:
        """A utility ``u`` with ``u·σy > V_u(left)`` for a lottery ``y`` that reaches
        ``placed`` and whose outcomes ``chosen`` all places, or None. A lottery with one
        outcome left to place narrows that outcome's ``candidates`` to the targets that
        keep it inside (a utility is returned when none is left)."""
        self.listed()  # on the first check: a map found at once never lists them
        for index in self.reaching[placed]:
            lottery = self.lotteries[index]
            unplaced = [s for s, _ in lottery if s not in chosen]
            if not unplaced:
                found = self._decided(index, chosen)
                if found is not None:
                    return found
            elif len(unplaced) == 1:
                source, refuted = unplaced[0], None
                kept = []
                for target in candidates[source]:
                    refuted = self._decided(index, {**chosen, source: target})
                    if refuted is None:
                        kept.append(target)
                if not kept:
                    return refuted
                candidates[source] = kept
        return None

    def listed(self) -> list[tuple[tuple[str, Fraction], ...]]:
        """The right tree's lotteries (none when there are too many), listed once."""
        if not self.reaching:
            self._list()
        return self.lotteries

    def _list(self) -> None:
        self.order = postorder(self.left)
        try:
            points = sorted(lottery_points(self.right, self.sources, MOVED_LOTTERIES))
        except TooManyLotteries:
            points = []
        # each lottery as its outcomes and their probabilities, listed under every outcome
        self.lotteries = [tuple((s, q) for s, q in zip(self.sources, point) if q)
                          for point in points]
        self.reaching = {source: [] for source in self.sources}
        for index, lottery in enumerate(self.lotteries):
            for source, _ in lottery:
                self.reaching[source].append(index)

    def _decided(self, index: int, chosen: Mapping[str, str]) -> dict[str, Fraction] | None:
        """:meth:`_outside` for lottery ``index`` moved by ``chosen``, remembered."""
        lottery = self.lotteries[index]
        key = (index, tuple(chosen[s] for s, _ in lottery))
        if key not in self.decided:
            if len(self.decided) > SHAPES_KEPT:
                self.decided.clear()
                self.images.clear()
                self.within.clear()
                self.faces.clear()
            self.decided[key] = self._outside(tuple(sorted((chosen[s], q) for s, q in lottery)))
            self.outside += self.decided[key] is not None
            if len(self.decided) >= USELESS_AFTER and not self.outside:
                self.active = False  # so many moved lotteries, all inside: checks cost only
                self.useless = True
        return self.decided[key]

    def _outside(self, image: tuple[tuple[str, Fraction], ...]) -> dict[str, Fraction] | None:
        """A utility separating the moved lottery ``image`` from the left tree's set, or
        None. Only the left tree's lotteries that stay within the image's outcomes can mix
        to it: when there are none, reaching those outcomes separates it; when it is one of
        them, it is inside. Otherwise a utility that separated another, then
        :func:`membership.contains`."""
        if image not in self.images:
            support = tuple(t for t, _ in image)
            if support not in self.within:
                self.within[support] = self._within(support)
            staying, whole, reach = self.within[support]
            if whole or (staying is not None and tuple(q for _, q in image) in staying):
                self.images[image] = None  # every mixture over `support` is inside, or it is
                return None
            found = reach or next((u for u, value in self.refuters
                                   if sum(q * u[t] for t, q in image) > value), None)
            if found is None and self._ask_solver():
                answer = membership.contains(self.left, dict(image), list(self.names),
                                             self.timeout_ms)
                if answer.contained is False and answer.witness is not None:
                    found = dict(answer.witness)
                self.misses = 0 if found is not None else self.misses + 1
                if found is not None:
                    self.rest = SOLVER_REST
            if found is not None and all(found is not u for u, _ in self.refuters):
                self.refuters.insert(0, (found, analysis.value(self.left, found)))
                del self.refuters[REFUTERS_KEPT:]
            self.images[image] = found
        return self.images[image]

    def _ask_solver(self) -> bool:
        """Whether the solver may decide the next moved lottery: unless it missed
        SOLVER_MISSES times in a row and is sitting out its rest (each rest twice the last)."""
        if self.misses < SOLVER_MISSES:
            return True
        self.rested += 1
        if self.rested <= self.rest:
            return False
        self.rested, self.rest = 0, self.rest * 2
        return True

    def small_lotteries(self) -> list[tuple[tuple[str, Fraction], ...]]:
        """Lotteries of the right tree for tables: all of them when few enough to list, else
        those over at most TABLE_OUTCOMES outcomes (every plan staying within each such
        set of outcomes)."""
        if self.listed():
            return self.lotteries
        right_order = postorder(self.right)
        found: set[tuple[tuple[str, Fraction], ...]] = set()
        for size in range(1, min(TABLE_OUTCOMES, len(self.sources)) + 1):
            for support in itertools.combinations(self.sources, size):
                limits.check("listing the right tree's small lotteries")
                for point in _staying(right_order, support) or ():
                    found.add(tuple((s, q) for s, q in zip(support, point) if q))
        return sorted(found)

    def table(self, lottery: tuple[tuple[str, Fraction], ...],
              candidates: Mapping[str, list[str]], compatible: Any) -> Table | None:
        """The images of ``lottery``'s outcomes (each a candidate, distinct, and every pair
        ``compatible``) that move it inside the left tree's set; None when they are more
        than TABLE_IMAGES or some image could not be decided."""
        scope = tuple(s for s, _ in lottery)
        if math.prod(len(candidates[s]) for s in scope) > TABLE_IMAGES:
            return None
        rows = set()
        for images in itertools.product(*(candidates[s] for s in scope)):
            if len(set(images)) < len(images) or (compatible is not None and not all(
                    compatible(scope[i], images[i], scope[j], images[j])
                    for i, j in itertools.combinations(range(len(scope)), 2))):
                continue
            inside = self._in_face(tuple(sorted(zip(images, (q for _, q in lottery)))))
            if inside is None:
                return None
            if inside:
                rows.add(images)
        return Table(scope, frozenset(rows))

    def _in_face(self, image: tuple[tuple[str, Fraction], ...]) -> bool | None:
        """Whether the moved lottery ``image`` lies in the left tree's set: exactly when it
        lies in the hull of the left tree's lotteries that stay within its outcomes (the
        set's face there). None when those are too many to list. Only a facet or equation
        that every one of them satisfies (checked here) may put the image outside."""
        support = tuple(t for t, _ in image)
        if support not in self.within:
            self.within[support] = self._within(support)
        staying, whole, _ = self.within[support]
        point = tuple(q for _, q in image)
        if whole or (staying is not None and point in staying):
            return True
        if staying is None:
            return None
        if len(staying) < 2:
            return False  # none, or one lottery and not this one
        if support not in self.faces:
            equations, facets = normaliz.hull_facets(sorted(staying))
            self.faces[support] = (
                [(a, b) for a, b in equations
                 if all(sum(x * y for x, y in zip(a, z)) == b for z in staying)],
                [(a, b) for a, b in facets
                 if all(sum(x * y for x, y in zip(a, z)) <= b for z in staying)])
        equations, facets = self.faces[support]
        return all(sum(x * y for x, y in zip(a, point)) == b for a, b in equations) and \
            all(sum(x * y for x, y in zip(a, point)) <= b for a, b in facets)

    def _within(self, support: tuple[str, ...]
                ) -> tuple[set[tuple[Fraction, ...]] | None, bool, dict[str, Fraction] | None]:
        """For moved lotteries over ``support``: the left tree's lotteries that stay within
        it (:meth:`_staying`), whether they hold every lottery over it (its corners), and a
        utility separating all of them when there are none."""
        staying = _staying(self.order, support)
        corners = {tuple(Fraction(int(i == k)) for i in range(len(support)))
                   for k in range(len(support))}
        if staying != set():
            return staying, staying is not None and corners <= staying, None
        # every plan leaves `support` with positive probability: reaching it separates
        reach = {o: Fraction(int(o in support)) for o in self.names}
        return staying, False, reach if analysis.value(self.left, reach) < 1 else None



def _staying(order: list[Node], support: tuple[str, ...]) -> set[tuple[Fraction, ...]] | None:
    """The strategy lotteries of the tree whose nodes ``order`` lists (children first) that
    put all their probability on ``support`` (as vectors over it), or None past
    MOVED_LOTTERIES of them."""
    index = {o: i for i, o in enumerate(support)}
    found: dict[int, set[tuple[Fraction, ...]]] = {}
    for node in order:
        if isinstance(node, Leaf):
            found[id(node)] = {tuple(Fraction(int(i == index[node.outcome]))
                                     for i in range(len(support)))} \
                if node.outcome in index else set()
        elif isinstance(node, Choice):
            found[id(node)] = set().union(*(found[id(child)] for child in node.children))
        else:
            assert isinstance(node, Chance)
            mixed: set[tuple[Fraction, ...]] = {tuple(Fraction(0) for _ in support)}
            for p, child in zip(node.probabilities, node.children):
                if p:  # a branch of probability 0 may leave the support
                    mixed = {tuple(a + p * b for a, b in zip(x, y))
                             for x in mixed for y in found[id(child)]}
            found[id(node)] = mixed
        if len(found[id(node)]) > MOVED_LOTTERIES:
            return None
    return found[id(order[-1])]


class _Shapes:
    """Remembers the moved trees tried, up to what leaves their lottery set unchanged:
    the order of children, repeated alternatives, and names of actions. Two maps of one
    shape give the same set, so the second need not be tried. At most SHAPES_KEPT are
    remembered (then the memory starts afresh: only pruning is lost)."""

    def __init__(self, order: list[Node]) -> None:
        self.order = order
        self.symbolic = is_symbolic(order[-1])  # expressions cannot be sorted: keep the order
        self.seen: set[int] = set()
        self.codes: dict[tuple[Any, ...], int] = {}  # a node's shape, numbered

    def first(self, mapping: Mapping[str, str]) -> bool:
        """Whether no map of the same shape was tried (and remember this one)."""
        if len(self.codes) > SHAPES_KEPT:
            self.seen.clear()
            self.codes.clear()
        code: dict[int, int] = {}
        for node in self.order:
            if isinstance(node, Leaf):
                key: tuple[Any, ...] = ("leaf", mapping.get(node.outcome, node.outcome))
            elif isinstance(node, Choice):
                key = ("choice", *sorted({code[id(child)] for child in node.children}))
            else:
                assert isinstance(node, Chance)
                branches = zip((code[id(child)] for child in node.children), node.probabilities)
                key = ("chance", *(branches if self.symbolic else sorted(branches)))
            code[id(node)] = self.codes.setdefault(key, len(self.codes))
        shape = code[id(self.order[-1])]
        if shape in self.seen:
            return False
        self.seen.add(shape)
        return True


def may_send(left: Node, right: Node, names: tuple[str, ...]) -> Callable[[str, str], bool]:
    """A necessary condition on each ``σ(s) = t`` alone for ``σ·L(right) ⊆ L(left)``: the
    right tree reaches ``s`` with probabilities within those with which the left tree can
    reach ``t`` (as in :func:`_reach_refinement`). Always true for parametric trees."""
    if is_symbolic(left) or is_symbolic(right):
        return lambda source, target: True
    # every leaf's outcome, reached with probability 0 or not: the backward inductions visit all
    everything = tuple(dict.fromkeys((*names, *outcomes_of(left), *outcomes_of(right))))
    mine, theirs = reach_range(left, everything), reach_range(right, everything)
    return lambda source, target: _within(theirs[source], mine[target], False)


def reach_range(tree: Node, names: tuple[str, ...]) -> dict[str, tuple[Fraction, Fraction]]:
    """For each outcome, the least and the largest probability with which a plan of the tree
    reaches it (two backward inductions per outcome; the same over the lottery set's hull)."""
    order = postorder(tree)
    return {outcome: _reach_bounds(tree, order, names, {outcome}) for outcome in names}


def _reach_bounds(tree: Node, order: list[Node], names: tuple[str, ...], targets: set[str]
                  ) -> tuple[Fraction, Fraction]:
    """The least and the largest probability with which a plan of ``tree`` ends in
    ``targets``: the support function of its lottery set at ``-1_targets`` and ``1_targets``."""
    limits.check("bounding the probability of reaching each outcome")
    inside = {o: Fraction(int(o in targets)) for o in names}
    highest = analysis.value_once(tree, inside, order)
    lowest = -analysis.value_once(tree, {o: -v for o, v in inside.items()}, order)
    return lowest, highest


def _reach_refinement(left: Node, right: Node, names: tuple[str, ...], sources: list[str],
                      candidates: Mapping[str, list[str]], strict: bool
                      ) -> tuple[dict[str, list[str]], frozenset[str]]:
    """Necessary conditions for ``σ·L(right) ⊆ conv L(left)`` (P3): ``σ`` may send ``s`` to
    ``t`` only if the left tree can reach ``t`` at least as surely and at most as rarely as
    the right tree reaches ``s``; and every outcome the left tree cannot avoid must be in
    ``σ``'s image (the moved lotteries put 0 elsewhere). For the interior (P4, ``strict``)
    the inequalities are strict — a moved lottery ``y`` must stay inside after a step of
    ``ε > 0`` towards every vertex of the simplex, which raises and lowers each coordinate —
    and every outcome must be in the image (no coordinate can dip below 0)."""
    everything = tuple(dict.fromkeys((*names, *sources)))
    mine, theirs = reach_range(left, everything), reach_range(right, everything)
    if strict and len(names) > 1:
        refined = {s: [t for t in candidates[s] if _within(theirs[s], mine[t], True)]
                   for s in sources}
        return refined, frozenset(names)
    refined = {s: [t for t in candidates[s] if _within(theirs[s], mine[t], False)]
               for s in sources}
    return refined, frozenset(t for t in names if mine[t][0] > 0)


def _within(moved: tuple[Fraction, Fraction], bounds: tuple[Fraction, Fraction], strict: bool
            ) -> bool:
    """Whether a range of probabilities (least, largest) of the moved tree lies within the
    left tree's (strictly inside it, for the interior)."""
    if strict:
        return bounds[0] < moved[0] and moved[1] < bounds[1]
    return bounds[0] <= moved[0] and moved[1] <= bounds[1]


def _pair_refinement(left: Node, right: Node, names: tuple[str, ...], sources: list[str],
                     strict: bool) -> Any:
    """The condition of :func:`_reach_refinement` for pairs: ``σ`` may send ``s, s'`` to
    ``t, t'`` only if the probability of reaching ``{s, s'}`` in the right tree ranges
    within that of reaching ``{t, t'}`` in the left (strictly for the interior, where the
    pair is not every outcome: ``1_{t, t'}`` is then not constant on the simplex). Bounds
    are computed when first asked: a search that finds ``σ`` early asks for few."""
    everything = tuple(dict.fromkeys((*names, *sources)))
    orders = {id(left): postorder(left), id(right): postorder(right)}
    found: dict[tuple[int, str, str], tuple[Fraction, Fraction]] = {}

    def bounds(tree: Node, a: str, b: str) -> tuple[Fraction, Fraction]:
        key = (id(tree), min(a, b), max(a, b))
        if key not in found:
            found[key] = _reach_bounds(tree, orders[id(tree)], everything, {a, b})
        return found[key]

    strictly = strict and len(names) > 2

    decided: dict[tuple[str, str, str, str], bool] = {}

    def compatible(source: str, target: str, other: str, image: str) -> bool:
        key = (source, target, other, image)
        if key not in decided:
            decided[key] = _within(bounds(right, source, other), bounds(left, target, image),
                                   strictly)
        return decided[key]

    return compatible


def _injective_maps(sources: list[str], candidates: Mapping[str, list[str]],
                    forced: frozenset[str] = frozenset(), compatible: Any = None,
                    promising: Any = None) -> Iterator[dict[str, str]]:
    """Every injective map sending each source to one of its candidates, with every
    ``forced`` target in its image and, given ``compatible(s, t, s2, t2)``, only pairs of
    assignments it accepts. Backtracking that takes the source with fewest candidates left
    and, after each step, drops the candidates of the others that no longer fit (forward
    checking); ``promising(chosen, source placed, candidates left)`` may then narrow the
    candidates further (in place) or rule out every completion.
    Each map is a dict in the order of ``sources``."""
    chosen: dict[str, str] = {}

    def extend(domains: dict[str, list[str]]) -> Iterator[dict[str, str]]:
        if len(forced - set(chosen.values())) > len(domains):
            return
        if not domains:
            yield {source: chosen[source] for source in sources}
            return
        source = min(domains, key=lambda other: len(domains[other]))
        rest = [other for other in domains if other != source]
        for target in domains[source]:
            narrowed = {}
            for other in rest:
                narrowed[other] = [image for image in domains[other] if image != target and (
                    compatible is None or compatible(source, target, other, image))]
                if not narrowed[other]:
                    break
            else:
                chosen[source] = target
                if promising is None or promising(chosen, source, narrowed):
                    yield from extend(narrowed)
                del chosen[source]

    return extend({source: list(candidates[source]) for source in sources})


def _count_allowed_maps(sources: list[str], names: tuple[str, ...], group: PermutationGroup) -> int:
    """How many injective maps of ``sources`` the group allows: within each kind, the
    non-fixed sources go injectively to the non-fixed outcomes of that kind."""
    count = 1
    kinds = {group.kinds.get(o) for o in names}
    for kind in kinds:
        movable = [s for s in sources if group.kinds.get(s) == kind and s not in group.fixed]
        targets = [o for o in names if group.kinds.get(o) == kind and o not in group.fixed]
        if len(movable) > len(targets):
            return 0
        count *= math.perm(len(targets), len(movable))
    return count


def cycle_notation(mapping: Mapping[str, str]) -> str:
    """A permutation in cycle notation, ``(o1 o2)``; the identity is ``()``."""
    full = dict(mapping)
    # close the partial map into a permutation: unmapped targets go back to unused sources
    missing_sources = [t for t in full.values() if t not in full]
    free_targets = [s for s in full if s not in full.values()]
    full.update(zip(missing_sources, free_targets))
    seen: set[str] = set()
    cycles = []
    for start in full:
        if start in seen or full[start] == start:
            seen.add(start)
            continue
        cycle, current = [], start
        while current not in seen:
            seen.add(current)
            cycle.append(current)
            current = full[current]
        cycles.append("(" + " ".join(cycle) + ")")
    return "".join(cycles) or "()"
