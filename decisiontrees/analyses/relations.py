"""Dominance, incomparability and Tarsney's P1 and P2, with evidence (THEORY §3–4); P3 and
P4, which search for the relabelling, are in :mod:`decisiontrees.analyses.permutations`.

Every verdict is a frozen :class:`Verdict`. A "no" carries a :class:`Witness` — an exact
utility function in the class, re-checked here by backward induction. A "yes" carries a
certificate that :mod:`decisiontrees.evidence.verify` re-checks without a solver: a structural
proof, or one point of the larger lottery set per vertex of the smaller; when there are
too many vertices for that, the verdict names the solver that vouched for it. A solver
that gives up yields ``holds=None`` with its reason.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses import hulls, parametric, structural
from decisiontrees.analyses import plans as analysis
from decisiontrees.analyses.agents import sampled_values
from decisiontrees.evidence.checks import (
    check_farkas,
    check_flow,
    lottery_of_flow,
    serialize_tree,
    topological_order,
)
from decisiontrees.model.classes import WEIGHT, UtilityClass, unit_box
from decisiontrees.model.nodes import (
    Leaf,
    Node,
    leaf,
    postorder,
    rebuild,
)
from decisiontrees.solvers import smt as solver

DEFAULT_TIMEOUT_MS = 60_000
CERTIFICATE_VERTEX_LIMIT = 256


@dataclass(frozen=True, slots=True)
class Witness:
    """A utility function (and feature weights) with both trees' values and optimal plans."""

    utility: Mapping[str, Fraction]
    weights: Mapping[str, Fraction]
    left_value: Fraction
    right_value: Fraction
    left_plan: str
    right_plan: str


@dataclass(frozen=True)
class Verdict:
    """Whether ``relation`` holds between two trees, and why."""

    relation: str
    holds: bool | None
    method: str
    witness: Witness | None = None
    certificate: Mapping[str, Any] | None = None
    reason: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


def class_rows(utility_class: UtilityClass) -> list[tuple[dict[str, Fraction], str, Fraction]]:
    """Every constraint of the class as (coefficients, op, constant)."""
    return [(dict(row.coefficients), row.op, row.constant) for row in utility_class.all_constraints()]


def _solver_name() -> str:
    return solver.SOLVER_NAME


def outcomes_of_pair(left: Node, right: Node, outcomes: tuple[str, ...] | None) -> tuple[str, ...]:
    found = dict.fromkeys(outcomes or ())
    for tree in (left, right):
        found.update(dict.fromkeys(sorted(analysis.reachable_outcomes(tree) | set(_leaves(tree)))))
    return tuple(found)


def _leaves(tree: Node) -> list[str]:
    return [n.outcome for n in postorder(tree) if isinstance(n, Leaf)]


def make_witness(left: Node, right: Node, values: Mapping[str, Fraction],
                 utility_class: UtilityClass) -> Witness:
    utility = {o: values[o] for o in utility_class.outcomes}
    weights = {k[len(WEIGHT):]: v for k, v in values.items() if k.startswith(WEIGHT)}
    return Witness(
        utility, weights, analysis.value(left, utility), analysis.value(right, utility),
        analysis.describe_plan(left, analysis.an_optimal_plan(left, utility)) or "(no choices)",
        analysis.describe_plan(right, analysis.an_optimal_plan(right, utility)) or "(no choices)",
    )


SIMPLE_VALUES = tuple(Fraction(v) for v in ("0", "1", "1/2", "1/4", "3/4", "1/3", "2/3",
                                            "1/10", "9/10"))
WITNESS_WORK = 3_000_000  # node visits spent making one witness simpler


def simpler_witness(verdict: Verdict, left: Node, right: Node, utility_class: UtilityClass
                    ) -> Verdict:
    """The verdict with its witness made as simple as a short search finds: each value in
    turn replaced by the first of SIMPLE_VALUES that keeps the witness in the class and
    keeps the order of the two trees' values it shows (``<``, ``>``, or ``<=`` with ``u`` not
    constant, as for interiority); a sampled or solver-found ``{a: 4/5, b: 1/5, c: 2/5}``
    becomes ``{a: 1, b: 0, c: 1/2}``. Feature classes keep theirs (the values follow the
    weights). The work is bounded by WITNESS_WORK."""
    witness = verdict.witness
    if witness is None or witness.weights or utility_class.features:
        return verdict
    left_order, right_order = postorder(left), postorder(right)
    tries = WITNESS_WORK // (len(left_order) + len(right_order))
    sign = (witness.left_value > witness.right_value) - (witness.left_value < witness.right_value)

    def accept(values: dict[str, Fraction]) -> bool:
        nonlocal tries
        tries -= 1
        if tries < 0 or not utility_class.contains(values):  # the box's bounds too
            return False
        if sign == 0 and len(set(values.values())) < 2:
            return False
        gap = analysis.node_values(left, values, left_order)[id(left)] \
            - analysis.node_values(right, values, right_order)[id(right)]
        return bool(gap > 0 if sign > 0 else gap < 0 if sign < 0 else gap <= 0)

    found = parametric.simplest(witness.utility, {o: SIMPLE_VALUES for o in witness.utility},
                                accept)
    if found == dict(witness.utility):
        return verdict
    return replace(verdict, witness=make_witness(left, right, found, utility_class))


def _simplest(values: dict[str, Fraction], accept: Any) -> dict[str, Fraction]:
    """Small-denominator versions of ``values`` that ``accept`` still accepts, else ``values``."""
    for denominator in (1, 2, 3, 4, 6, 10, 100):
        rounded = {k: v.limit_denominator(denominator) for k, v in values.items()}
        if accept(rounded):
            return rounded
    return values


def candidate_utilities(utility_class: UtilityClass, count: int = 8
                        ) -> Iterator[dict[str, Fraction]]:
    """Cheap guesses to try before a solver, made one at a time (a large class has
    thousands): indicator functions of each outcome and of its complement, and a few seeded
    pseudo-random ones, kept only if they lie in the class."""

    names = utility_class.outcomes
    zero, one = Fraction(0), Fraction(1)
    guesses = itertools.chain(
        ({o: one if o == target else zero for o in names} for target in names),
        ({o: zero if o == target else one for o in names} for target in names),
        ({o: Fraction(rng.randint(0, 10), 10) for o in names}
         for rng in [random.Random(0)] for _ in range(count)))
    check = bool(utility_class.features or utility_class.constraints)
    return (g for g in guesses if not check or utility_class.contains(g))


def quick_witness(better: Node, worse: Node, utility_class: UtilityClass) -> dict[str, Fraction] | None:
    """A candidate utility function under which ``better`` beats ``worse``, or None.

    Backward induction costs one pass per guess, so random pairs are refuted long before a
    solver would have been set up; only a class without feature weights is tried."""
    if utility_class.features:
        return None
    better_order, worse_order = postorder(better), postorder(worse)
    for guess in candidate_utilities(utility_class):
        high = analysis.node_values(better, guess, better_order)[id(better)]
        if high > analysis.node_values(worse, guess, worse_order)[id(worse)]:
            return guess
    return None


SAMPLED_GUESSES = 4096
GRID = 20  # sampled utilities take values k/20, so every guess is an exact rational


def sampled_witness(better: Node, worse: Node, utility_class: UtilityClass,
                    seed: int = 0) -> dict[str, Fraction] | None:
    """A utility function in the class under which ``better`` beats ``worse``, found by
    evaluating both trees on a few thousand seeded utilities at once (floating point, only to
    choose) and re-checked exactly; None when none of them is a witness. Uniform values,
    0/1 indicators of random sets, and values near a random order are tried."""
    if utility_class.features:
        return None
    import numpy as np

    names = utility_class.outcomes
    rng = np.random.default_rng(seed)
    n, d = SAMPLED_GUESSES, len(names)
    grids = [rng.integers(0, GRID + 1, (n, d)),
             rng.integers(0, 2, (n, d)) * GRID,
             np.argsort(rng.random((n, d)), axis=1) * GRID // max(d - 1, 1)]
    order_better, order_worse = postorder(better), postorder(worse)
    for grid in grids:
        limits.check("sampling utility functions for a witness")
        high, low = sampled_values([better, worse], names, grid / GRID)
        gaps = high - low
        for index in np.argsort(-gaps)[:8]:
            if gaps[index] <= 0:
                break
            guess = {o: Fraction(int(k), GRID) for o, k in zip(names, grid[index])}
            if utility_class.constraints and not utility_class.contains(guess):
                continue
            if analysis.node_values(better, guess, order_better)[id(better)] > \
                    analysis.node_values(worse, guess, order_worse)[id(worse)]:
                return guess
    return None


def _search(better: Node, worse: Node, utility_class: UtilityClass, timeout_ms: int,
            strict: bool = True, nonconstant: bool = False) -> dict[str, Fraction] | None | str:
    """A verified ``u`` in the class under which ``better`` beats ``worse``; None if none
    exists; a string (the reason) if the solver gave up or its answer failed the check."""
    found = solver.find_better_utility(better, worse, utility_class, timeout_ms, strict, nonconstant)
    if isinstance(found, solver.Unknown):
        return found.reason
    if found is None:
        return None

    def accept(values: dict[str, Fraction]) -> bool:
        utility = {o: values[o] for o in utility_class.outcomes}
        weights = {k[len(WEIGHT):]: v for k, v in values.items() if k.startswith(WEIGHT)}
        if not utility_class.contains(utility, weights):
            return False
        if nonconstant and len(set(utility.values())) < 2:
            return False
        gap = analysis.value(better, utility) - analysis.value(worse, utility)
        return bool(gap > 0 if strict else gap >= 0)

    if not accept(found):
        return "the solver's utility function failed the exact check"
    return _simplest(found, accept)


def dominates(left: Node, right: Node, utility_class: UtilityClass | None = None,
              timeout_ms: int = DEFAULT_TIMEOUT_MS, outcomes: tuple[str, ...] | None = None
              ) -> Verdict:
    """Whether ``V_u(left) >= V_u(right)`` for every ``u`` in the class ([0,1]^O by default).

    >>> from decisiontrees.model.nodes import choice
    >>> dominates(choice({"a": "x", "b": "y"}), choice({"a": "x"})).holds
    True
    """
    names = outcomes_of_pair(left, right, outcomes)
    utility_class = utility_class or unit_box(names)
    # linear-time proofs first: identical trees, or a tree that can force every outcome
    # the other reaches (the usual case for two large trees)
    forcing = [structural.Step(left, right, "same", ())] if left is right else \
        structural.prove_by_forcing(left, right)
    if forcing is not None:
        return Verdict("dominates", True, "structural proof (no solver)",
                       certificate=_structural_certificate(left, right, forcing))
    quick = quick_witness(right, left, utility_class)
    if quick is not None:
        return Verdict("dominates", False, "candidate utility functions (no solver), checked exactly",
                       witness=make_witness(left, right, quick, utility_class))
    proof = structural.prove_containment(left, right)
    if proof is not None:
        return Verdict("dominates", True, "structural proof (no solver)",
                       certificate=_structural_certificate(left, right, proof))
    sampled = sampled_witness(right, left, utility_class)
    if sampled is not None:
        return Verdict("dominates", False, "sampled utility functions (no solver), checked "
                       "exactly", witness=make_witness(left, right, sampled, utility_class))
    by_hull = _hull_verdict(left, right, utility_class, timeout_ms)
    if by_hull is not None:
        return by_hull
    found = _search(right, left, utility_class, timeout_ms)
    if isinstance(found, str):
        return Verdict("dominates", None, _solver_name(), reason=found)
    if found is not None:
        return Verdict("dominates", False, f"{_solver_name()}, witness checked exactly",
                       witness=make_witness(left, right, found, utility_class))
    certificate = _vertex_certificate(left, right, utility_class, timeout_ms)
    if isinstance(certificate, str):
        return Verdict("dominates", True, f"{_solver_name()} (no counterexample exists)",
                       reason=f"{certificate}; the solver vouches for it")
    return Verdict("dominates", True, f"{_solver_name()}, certificate checked exactly",
                   certificate=certificate)


HULL_SHARE = 4  # the hull stage takes at most 1/HULL_SHARE of the time the solver would


def _hull_verdict(left: Node, right: Node, utility_class: UtilityClass,
                  timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Verdict | None:
    """Dominance decided through the hull of a few of ``left``'s plan lotteries, or None.

    The proof holds for every class; a refuting utility is used only in the plain box,
    where it can be moved into ``[0,1]^O`` without changing the order of the two values."""
    if utility_class.features:
        return None
    found = hulls.contain_by_hull(left, right, utility_class.outcomes,
                                  candidate_utilities(utility_class),
                                  limits.remaining_ms(timeout_ms) / 1000 / HULL_SHARE)
    if isinstance(found, hulls.HullProof):
        return Verdict("dominates", True, "Normaliz, every facet checked exactly",
                       certificate=_hull_certificate(left, found))
    if not isinstance(found, hulls.HullRefutation) or utility_class.constraints:
        return None
    low, high = min(found.utility.values()), max(found.utility.values())
    moved = {o: (v - low) / (high - low) for o, v in found.utility.items()}

    def accept(values: dict[str, Fraction]) -> bool:
        return bool(utility_class.contains(values)
                    and analysis.value(right, values) > analysis.value(left, values))

    return Verdict("dominates", False, "a facet of a Normaliz hull, witness checked "
                   "exactly",
                   witness=make_witness(left, right, _simplest(moved, accept), utility_class))


def _hull_certificate(left: Node, proof: hulls.HullProof) -> dict[str, Any]:
    def row(utility: Mapping[str, Fraction]) -> dict[str, str]:
        return {o: str(v) for o, v in utility.items() if v != 0}

    return {"kind": "hull",
            "points": [[[i, k, str(q)] for (i, k), q in sorted(analysis.plan_flow(left, plan).items())
                        if q != 0] for plan in proof.plans],
            "facets": [{"utility": row(u), "bound": str(b)} for u, b in proof.facets],
            "equations": [{"utility": row(u), "value": str(b)} for u, b in proof.equations]}


def _structural_certificate(left: Node, right: Node, proof: list[structural.Step]) -> dict[str, Any]:
    left_index = {id(n): i for i, n in enumerate(topological_order(left))}
    right_index = {id(n): i for i, n in enumerate(topological_order(right))}
    steps = []
    for step in proof:
        entry: dict[str, Any] = {"left": left_index[id(step.left)], "right": right_index[id(step.right)],
                                 "rule": step.rule}
        if step.choice_index is not None:
            entry["child"] = step.choice_index
        if step.choices is not None:  # a child's index, or a path through choices
            entry["child"] = [path[0] if len(path) == 1 else list(path) for path in step.choices]
        if step.flow is not None:
            entry["child"] = [[i, j, str(amount)] for i, j, amount in step.flow]
        steps.append(entry)
    return {"kind": "structural", "steps": steps}


def _vertex_certificate(left: Node, right: Node, utility_class: UtilityClass, timeout_ms: int
                        ) -> dict[str, Any] | str:
    """Per plan of ``right``: a flow of ``left`` and Farkas multipliers; or why there is none."""
    if analysis.count_at_most(right, CERTIFICATE_VERTEX_LIMIT) > CERTIFICATE_VERTEX_LIMIT:
        return f"more than {CERTIFICATE_VERTEX_LIMIT} vertices for a certificate"
    # A vertex that is itself a plan lottery of `left` needs no LP: that plan's flow, with
    # all multipliers zero, proves it.
    exact: dict[frozenset[tuple[str, Fraction]], analysis.Plan] = {}
    if analysis.count_at_most(left, 16 * CERTIFICATE_VERTEX_LIMIT) <= 16 * CERTIFICATE_VERTEX_LIMIT:
        for candidate in analysis.plans(left, 16 * CERTIFICATE_VERTEX_LIMIT):
            exact.setdefault(frozenset(candidate.lottery.items()), candidate.plan)
    rows = class_rows(utility_class)
    vertices = []
    for row in analysis.plans(right, CERTIFICATE_VERTEX_LIMIT):
        limits.check("building a certificate")
        key = frozenset(row.lottery.items())
        if key in exact:
            flow, multipliers = analysis.plan_flow(left, exact[key]), [Fraction(0)] * len(rows)
        else:
            found = solver.find_dominating_point(left, row.lottery, utility_class, timeout_ms)
            if found is None or isinstance(found, solver.Unknown):
                return "the solver found no point for a vertex of the certificate"
            flow, multipliers = found
        reached = lottery_of_flow(left, flow)
        if isinstance(reached, str):
            return f"a certificate point failed the exact check ({reached})"
        difference = {o: reached.get(o, Fraction(0)) - row.lottery.get(o, Fraction(0))
                      for o in utility_class.outcomes}
        failure = check_farkas(rows, difference, multipliers)
        if failure is not None:
            return f"a certificate point failed the exact check ({failure})"
        vertices.append({
            "lottery": {o: str(q) for o, q in row.lottery.items()},
            "flow": [[i, k, str(q)] for (i, k), q in sorted(flow.items()) if q != 0],
            "multipliers": [str(m) for m in multipliers],
        })
    return {"kind": "vertices", "vertices": vertices}


def strictly_dominates(left: Node, right: Node, utility_class: UtilityClass | None = None,
                       timeout_ms: int = DEFAULT_TIMEOUT_MS, outcomes: tuple[str, ...] | None = None
                       ) -> Verdict:
    """Dominance, and ``V_u(left) > V_u(right)`` for some ``u`` in the class."""
    names = outcomes_of_pair(left, right, outcomes)
    utility_class = utility_class or unit_box(names)
    weak = dominates(left, right, utility_class, timeout_ms, names)
    if weak.holds is not True:
        return Verdict("strictly dominates", weak.holds, weak.method, weak.witness, None, weak.reason)
    found: dict[str, Fraction] | None | str = quick_witness(left, right, utility_class)
    reverse = None
    if found is None:
        # the hull method decides the reverse direction too: a refutation of it is the witness
        reverse = _hull_verdict(right, left, utility_class, timeout_ms)
        if reverse is not None and reverse.witness is not None:
            found = dict(reverse.witness.utility)
    if found is None and reverse is None:
        found = _search(left, right, utility_class, timeout_ms)
    if isinstance(found, str):
        return Verdict("strictly dominates", None, _solver_name(), reason=found)
    if found is None:
        reverse = reverse or dominates(right, left, utility_class, timeout_ms, names)
        return Verdict("strictly dominates", False, reverse.method, certificate=reverse.certificate,
                       reason="equivalent: no utility function in the class prefers the left tree",
                       details={"dominance": weak.certificate, "equivalent": True})
    strict_witness = make_witness(left, right, found, utility_class)
    return Verdict("strictly dominates", True, weak.method, witness=strict_witness,
                   certificate=weak.certificate)


def compare(left: Node, right: Node, utility_class: UtilityClass | None = None,
            timeout_ms: int = DEFAULT_TIMEOUT_MS, outcomes: tuple[str, ...] | None = None
            ) -> tuple[str | None, Verdict, Verdict]:
    """Which of ``dominates``, ``dominated``, ``equivalent`` or ``incomparable`` holds
    (strict senses for the first two), with the verdicts of both directions."""
    names = outcomes_of_pair(left, right, outcomes)
    utility_class = utility_class or unit_box(names)
    forward = dominates(left, right, utility_class, timeout_ms, names)
    backward = dominates(right, left, utility_class, timeout_ms, names)
    if forward.holds is None or backward.holds is None:
        return None, forward, backward
    if forward.holds and backward.holds:
        return "equivalent", forward, backward
    if forward.holds:
        return "dominates", forward, backward
    if backward.holds:
        return "dominated", forward, backward
    return "incomparable", forward, backward


# ---------------------------------------------------------------- Tarsney's P1–P4


def inclusion(left: Node, right: Node, outcomes: tuple[str, ...] | None = None,
              timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Verdict:
    """P1: ``L(right) ⊊ L(left)``."""
    verdict = strictly_dominates(left, right, None, timeout_ms, outcomes)
    return Verdict("P1 inclusion", verdict.holds, verdict.method, verdict.witness,
                   verdict.certificate, verdict.reason, verdict.details)


def interiority(left: Node, right: Node, outcomes: tuple[str, ...] | None = None,
                timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Verdict:
    """P2: ``L(right)`` lies in the interior of ``L(left)`` relative to the simplex's affine
    hull (so ``L(left)`` must have full dimension): ``V_u(left) > V_u(right)`` for every
    non-constant ``u``."""
    names = outcomes_of_pair(left, right, outcomes)
    box = unit_box(names)
    found: Any = next((u for u in candidate_utilities(box) if len(set(u.values())) > 1
                       and analysis.value(left, u) <= analysis.value(right, u)), None)
    if found is None:
        found = _search(right, left, box, timeout_ms, strict=False, nonconstant=True)
    if isinstance(found, str):
        return Verdict("P2 interiority", None, _solver_name(), reason=found)
    if found is not None:
        return Verdict("P2 interiority", False, f"{_solver_name()}, witness checked exactly",
                       witness=make_witness(left, right, found, box),
                       reason="a non-constant utility function under which the left tree "
                              "is not strictly better")
    certificate = _interior_certificate(left, right, names, timeout_ms)
    if isinstance(certificate, str):
        return Verdict("P2 interiority", True, f"{_solver_name()} (no counterexample exists)",
                       reason=f"{certificate}; the solver vouches for it")
    return Verdict("P2 interiority", True, f"{_solver_name()}, certificate checked exactly",
                   certificate=certificate)


def _interior_certificate(left: Node, right: Node, names: tuple[str, ...], timeout_ms: int
                          ) -> dict[str, Any] | str:
    """Per plan lottery ``y`` of ``right``: ``ε`` and flows of ``left`` reaching
    ``y + ε(e_o − c)`` for every outcome ``o``, a simplex around ``y`` inside ``L(left)``;
    or why there is no certificate."""
    if analysis.count_at_most(right, CERTIFICATE_VERTEX_LIMIT) > CERTIFICATE_VERTEX_LIMIT:
        return f"more than {CERTIFICATE_VERTEX_LIMIT} vertices for a certificate"
    vertices = []
    for row in analysis.plans(right, CERTIFICATE_VERTEX_LIMIT):
        limits.check("building a certificate")
        found = solver.find_interior_points(left, row.lottery, list(names), timeout_ms)
        if found is None or isinstance(found, solver.Unknown):
            return "the solver found no simplex around a vertex"
        epsilon, flows = found
        centre = Fraction(1, len(names))
        for o, flow in zip(names, flows):
            target = {x: row.lottery.get(x, Fraction(0)) + epsilon * ((1 if x == o else 0) - centre)
                      for x in names}
            failure = check_flow(left, target, flow)
            if failure is not None:
                return f"a certificate point failed the exact check ({failure})"
        vertices.append({
            "lottery": {o: str(q) for o, q in row.lottery.items()},
            "epsilon": str(epsilon),
            "flows": [[[i, k, str(q)] for (i, k), q in sorted(f.items()) if q != 0] for f in flows],
        })
    return {"kind": "interior", "outcomes": list(names), "vertices": vertices}


def relabel(tree: Node, mapping: Mapping[str, str]) -> Node:
    """The tree with every leaf outcome ``o`` replaced by ``mapping.get(o, o)``."""
    return rebuild(tree, lambda node, _: leaf(mapping.get(node.outcome, node.outcome))
                   if isinstance(node, Leaf) else None)


def certificate_document(relation: str, left: Node, right: Node, utility_class: UtilityClass,
                         verdict: Verdict) -> dict[str, Any] | None:
    """What :mod:`decisiontrees.evidence.verify` needs to re-check ``verdict`` on its own, or None
    when the verdict has no checkable evidence (a solver vouched for it, or it is unknown)."""
    document: dict[str, Any] = {
        "relation": relation,
        "holds": verdict.holds,
        "left": serialize_tree(left),
        "right": serialize_tree(right),
        "class": class_document(utility_class),
    }
    if "map" in verdict.details:
        document["map"] = dict(verdict.details["map"])
    if verdict.holds is False and verdict.witness is not None:
        document["witness"] = _witness_json(verdict.witness)
        return document
    if verdict.holds is False and verdict.certificate is not None:
        # not strict because equivalent: the reverse containment shows no u prefers left
        document["reverse_evidence"] = dict(verdict.certificate)
        return document
    if verdict.holds and verdict.certificate is not None:
        document["evidence"] = dict(verdict.certificate)
        if verdict.witness is not None:
            document["strict_witness"] = _witness_json(verdict.witness)
        return document
    return None


def class_document(utility_class: UtilityClass) -> dict[str, Any]:
    """A utility class as certificates write it (docs/certificates.md)."""
    return {
        "outcomes": list(utility_class.outcomes),
        "box": utility_class.box,
        "features": list(utility_class.features),
        "constraints": [
            {"coefficients": {v: str(c) for v, c in row.coefficients}, "op": row.op,
             "constant": str(row.constant)} for row in utility_class.constraints],
    }


def _witness_json(witness: Witness) -> dict[str, Any]:
    return {"utility": {o: str(v) for o, v in witness.utility.items()},
            "weights": {k: str(v) for k, v in witness.weights.items()}}
