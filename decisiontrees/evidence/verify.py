"""Re-check certificates against the claims they are about: the small trusted checker.

Standard library only, and it imports nothing else of the package (a test checks both in a
fresh interpreter). It never searches: it replays the evidence written in the certificate
file, in exact rational arithmetic.

Trust argument
--------------
*What a VERIFIED result means.* For every claim of the spec that the check run certified,
the certificate's verdict about that claim's two trees (in its utility class, under its
permutation group) is true. Claims the run could not certify are listed with the run's
reason; they rest on the word of the engine (usually z3), not on this checker.

*What is checked,* for each certificate:

1. It is bound to a claim: the file and line name a claim of the spec, the text is the
   claim's text, and the relation, the two trees (node by node), the utility class and the
   permutation group are exactly the ones the spec gives that claim. Every certifiable claim
   of the spec has a certificate or an entry saying why it has none; nothing else is in the
   file. Without the claims (``verify(document)``), only steps 2–4 run, and the result says
   that nothing was bound. Claims no certificate can cover (values, probabilities,
   parametric relations, ...) each have an ``uncovered`` entry with the check run's status;
   a status other than ``pass`` makes the file NOT VERIFIED (that is only the run's word,
   but an honest file from a failing run never verifies).
2. Its parts are well formed: known fields only, the right JSON types, numbers written as
   exact rationals of bounded length, trees whose children come after their parents and
   whose chance probabilities are non-negative and sum to 1, classes over the declared
   outcomes. Tarsney's relations (inclusion, interiority and their permuted forms) must use
   the plain box ``[0,1]^O``.
3. A permutation map sends each outcome of the right tree to a distinct declared outcome,
   respecting the outcomes it must fix and the kinds it must keep.
4. The evidence proves the verdict: a witness ``u`` lies in the class and separates the
   values (recomputed by backward induction); containment evidence is a structural proof
   whose every rule is re-applied to the nodes it names, or, for every plan lottery ``y`` of
   the right tree (enumerated here), a flow of the left tree with lottery ``x`` and Farkas
   multipliers proving ``u·x ≥ u·y`` on the class, or flows of the left tree whose
   lotteries' hull is given by its equations and facets (checked to be exactly those of the
   hull, :func:`_closed`), each row holding for the right tree by backward induction;
   interior evidence is, around every such
   ``y``, a full simplex inside the left tree's lottery set over the declared outcomes.
   A "no" of a permuted relation needs every permutation, so it has no certificate, except
   one of P3 by a map ``σ`` and reverse evidence ``L(left) ⊆ σ·L(right)``: relabelling
   keeps a convex set's dimension and volume, so no relabelled copy of ``L(right)`` fits
   strictly inside ``L(left)``.

*What it assumes.* That the spec's trees, classes and claims are what the package's parser
and checker make of the spec text (they run without any solver; ``decisiontrees verify``
uses them to state the claims), and the soundness of the mathematics in
docs/certificates.md (Farkas' lemma, convexity of lottery sets, and that relabelling
outcomes keeps a convex set's volume).

*Limits,* each checked before the work it limits: the file size, the number of nodes, the
length of every number, the number of plan lotteries enumerated, a hull's points and the
steps of checking its facets; and the time for a whole
file (``seconds``, DEFAULT_SECONDS from the command line), past which it is NOT VERIFIED.

    python -m decisiontrees.evidence.verify [--timeout SECONDS] CERTIFICATES [CLAIMS]
"""

from __future__ import annotations

import gc
import itertools
import json
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeAlias

Row: TypeAlias = tuple[dict[str, Fraction], str, Fraction]

FORMAT = "decisiontrees-certificates"
VERSION = 2
CLAIMS_FORMAT = "decisiontrees-claims"
STATUSES = ("pass", "fail", "unknown", "refused")  # the check run's word on an uncertified claim
QUERY_STATUS = "answer"  # an uncertified query's: a query asserts nothing, so it cannot fail
UNCOVERED = "uncovered"  # a Claim's relation when no certificate can cover the claim
RELATIONS = ("dominates", "strictly_dominates", "inclusion", "interiority",
             "permuted_inclusion", "permuted_interiority")
BOX_ONLY = ("inclusion", "interiority", "permuted_inclusion", "permuted_interiority")

MAX_FILE_BYTES = 128 * 2**20  # parsed, JSON takes up to ~26 times its size in memory
MAX_NODES = 2_000_000
MAX_NUMBER_DIGITS = 20_000
PLAN_WORK_LIMIT = 1_000_000  # rows of plan lotteries over all nodes of one tree
PLAN_LIMIT = 100_000  # plan lotteries enumerated for one certificate
PLAN_ENTRY_LIMIT = 4_000_000  # outcome probabilities held in those rows, over all nodes
MAX_COMBINATIONS = 1 << 16  # of one `distribute` step
MAX_FLATTENED = 4096  # children of a flattened chance node in one `transport` step
MAX_FLATTEN_WORK = 1 << 16  # children looked at while flattening one chance node
MAX_HULL_POINTS = 10_000  # points of a `hull` certificate
MAX_HULL_WORK = 10**9  # steps of checking that its facets close up (about 45 s)
MAX_HULL_ARITHMETIC = 5 * 10**7  # steps in rationals: flows, and rows at points (about 2 min)
DEFAULT_SECONDS = 600.0  # for one certificate file, from the command line
_NUMBER = re.compile(r"-?[0-9]+(/[0-9]+)?")


class Failure(Exception):
    """A step of a certificate does not check."""


# ---------------------------------------------------------------- reading


def _fields(obj: Any, where: str, required: Set[str], optional: Set[str] = frozenset()
            ) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise Failure(f"{where}: expected an object")
    unknown = set(obj) - set(required) - set(optional)
    if unknown:
        raise Failure(f"{where}: unknown field `{sorted(unknown)[0]}`")
    missing = set(required) - set(obj)
    if missing:
        raise Failure(f"{where}: missing field `{sorted(missing)[0]}`")
    return obj


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Failure(f"{where}: expected a list")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise Failure(f"{where}: expected a string")
    return value


def _index(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Failure(f"{where}: expected a whole number")
    return value


def _number(text: Any, where: str) -> Fraction:
    """An exact rational written as ``"3"``, ``"-1/2"``: nothing else, and not too long."""
    if not isinstance(text, str):
        raise Failure(f"{where}: numbers are written as strings like \"1/2\"")
    if len(text) > 2 * MAX_NUMBER_DIGITS + 2 or _NUMBER.fullmatch(text) is None:
        raise Failure(f"{where}: `{text[:40]}` is not an exact number like \"-3/4\" "
                      f"(at most {MAX_NUMBER_DIGITS} digits)")
    numerator, _, denominator = text.partition("/")
    if len(numerator.lstrip("-")) > MAX_NUMBER_DIGITS or len(denominator) > MAX_NUMBER_DIGITS:
        raise Failure(f"{where}: a number longer than {MAX_NUMBER_DIGITS} digits")
    if denominator and int(denominator) == 0:
        raise Failure(f"{where}: `{text}` divides by zero")
    return Fraction(int(numerator), int(denominator or "1"))


@contextmanager
def _long_numbers() -> Iterator[None]:
    """Python refuses to convert integers of over 4,300 digits by default; ours are bounded
    by MAX_NUMBER_DIGITS, so allow that many while checking."""
    get = getattr(sys, "get_int_max_str_digits", None)
    if get is None:
        yield
        return
    old = get()  # 0 (no bound) in the decisiontrees CLI: bound it here, or a file's
    sys.set_int_max_str_digits(MAX_NUMBER_DIGITS + 10)  # 5,000,000-digit integer takes minutes
    try:
        yield
    finally:
        sys.set_int_max_str_digits(old)


JSON_RECURSION = 2_000  # frames json's C scanner may take here (files nest only a few deep)


@contextmanager
def _shallow_json() -> Iterator[None]:
    """Parse a file under a recursion limit the C stack can take. With the limit raised (the
    CLI raises it to 20,000; a caller may raise it further), a file nested 100,000 deep
    crashed the process in json's C scanner instead of raising RecursionError."""
    before = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(min(before, JSON_RECURSION))
    except RecursionError:  # already deeper than that: keep the limit as it is
        pass
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


class Tree:
    """A tree read from a certificate: nodes in topological order, the root first."""

    def __init__(self, document: Any, where: str) -> None:
        nodes = _list(_fields(document, where, {"nodes"})["nodes"], f"{where} nodes")
        if not nodes:
            raise Failure(f"{where}: `nodes` must not be empty")
        if len(nodes) > MAX_NODES:
            raise Failure(f"{where}: more than {MAX_NODES} nodes")
        self.kinds: list[str] = []
        self.outcome: list[str] = []  # leaves: their outcome
        self.actions: list[list[str]] = []  # choices: their actions
        self.weights: list[list[Fraction]] = []  # chance nodes: their probabilities
        self.children: list[list[int]] = []
        for i, node in enumerate(nodes):
            self._read(i, node, len(nodes), f"{where} node {i}")
        reached = [False] * len(nodes)
        reached[0] = True
        for i in range(len(nodes)):  # children come after their parents: one pass
            if not reached[i]:
                raise Failure(f"{where} node {i}: not reached from the root (a tree holds "
                              "only the nodes below its root)")
            for child in self.children[i]:
                reached[child] = True

    def _read(self, i: int, node: Any, count: int, here: str) -> None:
        if not isinstance(node, dict) or len(node) != 1:
            raise Failure(f"{here}: expected one of leaf, choice, chance")
        (kind, body), = node.items()
        self.kinds.append(kind)
        if kind == "leaf":
            self.outcome.append(_text(body, f"{here} (a leaf names an outcome)"))
            self.actions.append([])
            self.weights.append([])
            self.children.append([])
            return
        if kind not in ("choice", "chance") or not isinstance(body, list) or not body:
            raise Failure(f"{here}: expected one of leaf, choice, chance with children")
        labels: list[Any] = []
        children: list[int] = []
        for entry in body:
            if not (isinstance(entry, list) and len(entry) == 2):
                raise Failure(f"{here}: children are [label, index] pairs")
            child = _index(entry[1], here)
            if not i < child < count:
                raise Failure(f"{here}: child index {child} is not a later node")
            labels.append(entry[0])
            children.append(child)
        self.outcome.append("")
        self.children.append(children)
        if kind == "choice":
            self.actions.append([_text(a, f"{here} action") for a in labels])
            self.weights.append([])
            return
        weights = [_number(p, here) for p in labels]
        if any(p < 0 for p in weights) or sum(weights) != 1:
            raise Failure(f"{here}: probabilities must be non-negative and sum to 1")
        self.actions.append([])
        self.weights.append(weights)

    def relabelled(self, mapping: Mapping[str, str]) -> Tree:
        copy = object.__new__(Tree)
        copy.kinds, copy.children = self.kinds, self.children
        copy.actions, copy.weights = self.actions, self.weights
        copy.outcome = [mapping.get(o, o) if k == "leaf" else o
                        for k, o in zip(self.kinds, self.outcome)]
        return copy

    def outcomes(self) -> set[str]:
        return {o for k, o in zip(self.kinds, self.outcome) if k == "leaf"}

    def occurring(self, i: int) -> list[int]:
        """Children of node ``i`` that can occur (positive probability, or any at a choice)."""
        if self.kinds[i] == "chance":
            return [c for p, c in zip(self.weights[i], self.children[i]) if p != 0]
        return list(self.children[i])

    def value(self, utility: Mapping[str, Fraction]) -> Fraction:
        values: list[Fraction] = [Fraction(0)] * len(self.kinds)
        for i in reversed(range(len(self.kinds))):
            kind = self.kinds[i]
            if kind == "leaf":
                values[i] = utility[self.outcome[i]]
            elif kind == "choice":
                values[i] = max(values[c] for c in self.children[i])
            else:
                values[i] = sum((p * values[c] for p, c in zip(self.weights[i], self.children[i])),
                                Fraction(0))
        return values[0]

    def plan_count(self, ceiling: int) -> int:
        """How many plans the tree has, counted up to ``ceiling`` (never more work)."""
        return self.plan_counts(ceiling)[0]

    def plan_counts(self, ceiling: int) -> list[int]:
        """How many plans each node's subtree has, each counted up to ``ceiling``."""
        counts = [0] * len(self.kinds)
        for i in reversed(range(len(self.kinds))):
            if self.kinds[i] == "leaf":
                counts[i] = 1
            elif self.kinds[i] == "choice":
                counts[i] = min(ceiling, sum(counts[c] for c in self.children[i]))
            else:
                product = 1
                for c in self.children[i]:
                    product = min(ceiling, product * counts[c])
                counts[i] = product
        return counts

    def plan_lotteries(self) -> set[frozenset[tuple[str, Fraction]]]:
        """The distinct lotteries of the plans (at most PLAN_LIMIT plans are enumerated, and
        at most PLAN_WORK_LIMIT rows over all nodes' tables)."""
        counts = self.plan_counts(PLAN_LIMIT + 1)
        if counts[0] > PLAN_LIMIT:
            raise Failure(f"more than {PLAN_LIMIT} plans: too many to check vertex by vertex")
        if sum(counts) > PLAN_WORK_LIMIT:  # a long chain above a large table, say
            raise Failure(f"the nodes' plans add up to more than {PLAN_WORK_LIMIT}: too many to "
                          "check vertex by vertex")
        # a row holds at most as many outcomes as there are leaves below its node: bound the
        # entries too (65,536 rows of 1,016 outcomes each took 8 GB)
        leaves = [1] * len(self.kinds)
        for i in reversed(range(len(self.kinds))):
            if self.kinds[i] != "leaf":
                leaves[i] = min(PLAN_ENTRY_LIMIT, sum(leaves[c] for c in self.children[i]))
        if sum(count * size for count, size in zip(counts, leaves)) > PLAN_ENTRY_LIMIT:
            raise Failure(f"the nodes' plan lotteries hold more than {PLAN_ENTRY_LIMIT:,} "
                          "probabilities: too many to check vertex by vertex")
        waiting = [0] * len(self.kinds)  # parents that have not read a node's table yet
        for children in self.children:
            for child in children:
                waiting[child] += 1
        table: dict[int, list[dict[str, Fraction]]] = {}
        for i in reversed(range(len(self.kinds))):
            kind = self.kinds[i]
            if kind == "leaf":
                table[i] = [{self.outcome[i]: Fraction(1)}]
            elif kind == "choice":
                table[i] = [x for c in self.children[i] for x in table[c]]
            else:
                rows: list[dict[str, Fraction]] = [{}]
                for p, c in zip(self.weights[i], self.children[i]):
                    rows = [_mix(row, p, part) for row in rows for part in table[c]]
                table[i] = rows
            for child in self.children[i]:  # memory: only tables still to be read are kept
                waiting[child] -= 1
                if waiting[child] == 0:
                    del table[child]
        return {_key(x) for x in table[0]}

    def flow_lottery(self, flow: Any, where: str) -> dict[str, Fraction]:
        """The lottery of a sequence-form flow given as [node, child, amount] triples."""
        amounts: dict[tuple[int, int], Fraction] = {}
        for entry in _list(flow, f"{where}: a flow"):
            if not (isinstance(entry, list) and len(entry) == 3):
                raise Failure(f"{where}: a flow entry is [node, child, amount]")
            i, k = _index(entry[0], where), _index(entry[1], where)
            if not (0 <= i < len(self.kinds) and self.kinds[i] == "choice"
                    and 0 <= k < len(self.children[i])):
                raise Failure(f"{where}: [{i}, {k}] is not a choice edge")
            if (i, k) in amounts:
                raise Failure(f"{where}: [{i}, {k}] is given twice")
            amounts[(i, k)] = _number(entry[2], where)
        received = [Fraction(0)] * len(self.kinds)
        received[0] = Fraction(1)
        lottery: dict[str, Fraction] = {}
        for i, kind in enumerate(self.kinds):
            if kind == "leaf":
                lottery[self.outcome[i]] = lottery.get(self.outcome[i], Fraction(0)) + received[i]
            elif kind == "choice":
                parts = [amounts.get((i, k), Fraction(0)) for k in range(len(self.children[i]))]
                if any(p < 0 for p in parts) or sum(parts) != received[i]:
                    raise Failure(f"{where}: the flow out of node {i} does not match what it "
                                  "receives")
                for part, c in zip(parts, self.children[i]):
                    received[c] += part
            else:
                for p, c in zip(self.weights[i], self.children[i]):
                    received[c] += p * received[i]
        return {o: q for o, q in lottery.items() if q != 0}


def _mix(row: dict[str, Fraction], p: Fraction, part: dict[str, Fraction]) -> dict[str, Fraction]:
    mixed = dict(row)
    for o, q in part.items():
        mixed[o] = mixed.get(o, Fraction(0)) + p * q
    return mixed


def _key(lottery: Mapping[str, Fraction]) -> frozenset[tuple[str, Fraction]]:
    return frozenset((o, q) for o, q in lottery.items() if q != 0)


class UtilityClass:
    def __init__(self, document: Any, where: str) -> None:
        body = _fields(document, where, {"outcomes", "box", "features", "constraints"})
        self.outcomes = [_text(o, f"{where} outcome") for o in _list(body["outcomes"], where)]
        if not self.outcomes or len(set(self.outcomes)) != len(self.outcomes):
            raise Failure(f"{where}: the outcomes must be distinct and not empty")
        if any(o.startswith("w:") for o in self.outcomes):  # w:<feature> names a weight
            raise Failure(f"{where}: an outcome's name starts with `w:`, which names weights")
        self.features = [_text(f, f"{where} feature") for f in _list(body["features"], where)]
        if not isinstance(body["box"], bool):
            raise Failure(f"{where}: `box` must be true or false")
        self.box = body["box"]
        self.constraints = _list(body["constraints"], where)
        variables = set(self.outcomes) | {"w:" + f for f in self.features}
        self.rows: list[Row] = []
        if self.box:
            for o in self.outcomes:
                self.rows.append(({o: Fraction(1)}, ">=", Fraction(0)))
                self.rows.append(({o: Fraction(-1)}, ">=", Fraction(-1)))
        for n, row in enumerate(self.constraints):
            here = f"{where} constraint {n}"
            row = _fields(row, here, {"coefficients", "op", "constant"})
            if row["op"] not in (">=", ">", "=="):
                raise Failure(f"{here}: op must be >=, > or ==")
            if not isinstance(row["coefficients"], dict):
                raise Failure(f"{here}: coefficients must be an object")
            coefficients = {v: _number(c, here) for v, c in row["coefficients"].items()}
            if not set(coefficients) <= variables:
                raise Failure(f"{here}: a variable that is neither an outcome nor a weight")
            self.rows.append((coefficients, row["op"], _number(row["constant"], here)))

    def is_plain_box(self) -> bool:
        return self.box and not self.features and not self.constraints

    def contains(self, values: Mapping[str, Fraction]) -> bool:
        for coefficients, op, constant in self.rows:
            total = sum((c * values.get(v, Fraction(0)) for v, c in coefficients.items()),
                        Fraction(0))
            if not (total >= constant if op == ">=" else total > constant if op == ">" else
                    total == constant):
                return False
        return True


# ---------------------------------------------------------------- evidence


def _farkas(rows: list[Row], difference: Mapping[str, Fraction], multipliers: list[Fraction],
            where: str) -> None:
    """``multipliers`` prove ``u·difference >= 0`` for every ``u`` satisfying ``rows``."""
    if len(multipliers) != len(rows):
        raise Failure(f"{where}: {len(multipliers)} multipliers for {len(rows)} constraints")
    combined: dict[str, Fraction] = {}
    for (coefficients, op, _), m in zip(rows, multipliers):
        if op != "==" and m < 0:
            raise Failure(f"{where}: negative multiplier on an inequality")
        for v, c in coefficients.items():
            combined[v] = combined.get(v, Fraction(0)) + m * c
    for v in set(combined) | set(difference):
        if combined.get(v, Fraction(0)) != difference.get(v, Fraction(0)):
            raise Failure(f"{where}: the multipliers do not add up for `{v}`")
    if sum((m * constant for (_, _, constant), m in zip(rows, multipliers)), Fraction(0)) < 0:
        raise Failure(f"{where}: the multipliers bound the gap below zero")


def _utility(witness: Any, cls: UtilityClass, where: str) -> dict[str, Fraction]:
    body = _fields(witness, where, {"utility", "weights"})
    if not isinstance(body["utility"], dict) or not isinstance(body["weights"], dict):
        raise Failure(f"{where}: utility and weights are objects")
    values = {o: _number(v, where) for o, v in body["utility"].items()}
    if set(values) != set(cls.outcomes):
        raise Failure(f"{where}: the utility function must give every outcome a value")
    if set(body["weights"]) != set(cls.features):
        raise Failure(f"{where}: the weights must be those of the class's features")
    everything = dict(values)
    everything.update({"w:" + k: _number(v, where) for k, v in body["weights"].items()})
    if not cls.contains(everything):
        raise Failure(f"{where}: the utility function is not in the class")
    return values


def _check_containment(left: Tree, right: Tree, cls: UtilityClass, evidence: Any, where: str
                       ) -> None:
    """``V_u(left) >= V_u(right)`` for every ``u`` in the class."""
    kind = evidence.get("kind") if isinstance(evidence, dict) else None
    if kind == "structural":
        _check_structural(left, right, _fields(evidence, where, {"kind", "steps"}), where)
        return
    if kind == "vertices":
        body = _fields(evidence, where, {"kind", "vertices"})
        remaining = right.plan_lotteries()
        for n, vertex in enumerate(_list(body["vertices"], where)):
            here = f"{where} vertex {n}"
            vertex = _fields(vertex, here, {"lottery", "flow", "multipliers"})
            if not isinstance(vertex["lottery"], dict):
                raise Failure(f"{here}: a lottery is an object")
            y = {o: _number(q, here) for o, q in vertex["lottery"].items()}
            x = left.flow_lottery(vertex["flow"], here)
            difference = {o: x.get(o, Fraction(0)) - y.get(o, Fraction(0)) for o in cls.outcomes}
            multipliers = [_number(m, here) for m in _list(vertex["multipliers"], here)]
            _farkas(cls.rows, difference, multipliers, here)
            remaining.discard(_key(y))
        if remaining:
            raise Failure(f"{where}: no point given for the plan lottery {_show(min(remaining))}")
        return
    if kind == "hull":
        _check_hull(left, right, cls, _fields(evidence, where, {"kind", "points", "facets",
                                                                "equations"}), where)
        return
    raise Failure(f"{where}: unknown evidence kind `{kind}`")


def _check_hull(left: Tree, right: Tree, cls: UtilityClass, body: dict[str, Any], where: str
                ) -> None:
    """Flows of ``left`` give points ``Z``; the equations and facets must be exactly those of
    ``conv Z`` (each valid on ``Z``; the equations of full rank for ``Z``'s affine hull; each
    facet touching ``Z`` in a face one dimension lower; and the facets closing up, as
    :func:`_closed` checks), and ``right``'s value under each row's utility must stay
    within it: then ``L(right) ⊆ conv Z ⊆ L(left)``."""
    coordinates = sorted(left.outcomes() | right.outcomes() | set(cls.outcomes))
    flows = _list(body["points"], f"{where} points")
    if not flows or len(flows) > MAX_HULL_POINTS:
        raise Failure(f"{where}: from 1 to {MAX_HULL_POINTS} points")
    rows = len(_list(body["facets"], f"{where} facets")) + len(_list(body["equations"],
                                                                   f"{where} equations"))
    steps = len(flows) * len(left.kinds) + rows * (len(flows) * len(coordinates) + len(right.kinds))
    if steps > MAX_HULL_ARITHMETIC:
        raise Failure(f"{where}: about {steps:,} steps of exact arithmetic, more than "
                      f"{MAX_HULL_ARITHMETIC:,} (too large a certificate)")
    vectors = []
    for n, flow in enumerate(flows):
        lottery = left.flow_lottery(flow, f"{where} point {n}")
        vectors.append(tuple(lottery.get(o, Fraction(0)) for o in coordinates))
    if len(set(vectors)) != len(vectors):
        raise Failure(f"{where}: a point is given twice")
    span = _Span(vectors)
    dimension = span.dimension(frozenset(range(len(vectors))))

    def row(entry: Any, here: str, bound: str) -> tuple[tuple[Fraction, ...], Fraction]:
        entry = _fields(entry, here, {"utility", bound})
        if not isinstance(entry["utility"], dict) or not set(entry["utility"]) <= set(coordinates):
            raise Failure(f"{here}: a utility is an object over the trees' outcomes")
        given = {o: _number(v, here) for o, v in entry["utility"].items()}
        return tuple(given.get(o, Fraction(0)) for o in coordinates), _number(entry[bound], here)

    def right_value(normal: tuple[Fraction, ...]) -> Fraction:
        return right.value(dict(zip(coordinates, normal)))

    normals = []
    for n, entry in enumerate(_list(body["equations"], f"{where} equations")):
        here = f"{where} equation {n}"
        normal, value = row(entry, here, "value")
        if any(_dot(normal, v) != value for v in vectors):
            raise Failure(f"{here}: does not hold at every point")
        if right_value(normal) > value or right_value(tuple(-a for a in normal)) > -value:
            raise Failure(f"{here}: the right tree has a lottery off it")
        normals.append(normal)
    scaled = [[int(a * math.lcm(*(x.denominator for x in normal))) for a in normal]
              for normal in normals]
    if _rank([[1] * len(coordinates), *scaled]) != len(coordinates) - dimension:
        raise Failure(f"{where}: the equations do not cut out the points' affine hull "
                      f"(of dimension {dimension})")
    faces: set[frozenset[int]] = set()
    for n, entry in enumerate(_list(body["facets"], f"{where} facets")):
        here = f"{where} facet {n}"
        normal, bound = row(entry, here, "bound")
        values = [_dot(normal, v) for v in vectors]
        if any(x > bound for x in values):
            raise Failure(f"{here}: cuts off a point")
        if right_value(normal) > bound:
            raise Failure(f"{here}: the right tree has a lottery beyond it")
        tight = frozenset(j for j, x in enumerate(values) if x == bound)
        if span.dimension(tight) != dimension - 1:
            raise Failure(f"{here}: touches the points' hull in less or more than a facet")
        faces.add(tight)
    if dimension > 0 and not _closed(faces, dimension, span, {}):
        raise Failure(f"{where}: the facets do not close up (the points' hull has a facet "
                      "that is not given)")


def _closed(faces: set[frozenset[int]], dimension: int, span: _Span,
            known: dict[tuple[frozenset[frozenset[int]], int], bool]) -> bool:
    """Whether ``faces`` — facets of a polytope of this ``dimension``, each as the set of
    its points — are all of its facets. The facets of a polytope are connected through
    their ridges, so were one missing, a listed facet beside it would have a ridge lying in
    no other listed facet. A facet with ``dimension`` points is a simplex, whose ridges are
    its points less one; another's ridges are its largest intersections with the other
    facets that lie one dimension lower, and must (recursively) be all of its own facets."""
    if dimension == 1:
        return len(faces) == 2  # a segment's two ends
    if not faces:
        return False
    holding: dict[int, list[frozenset[int]]] = {}
    for face in faces:
        for j in face:
            holding.setdefault(j, []).append(face)
    for face in faces:
        span.spend(8 * len(faces))  # what one face costs at most: a look at every other
        if len(face) == dimension:
            for j in face:
                ridge = face - {j}
                first = min(ridge, key=lambda k: len(holding[k]))
                if not any(other != face and ridge <= other for other in holding[first]):
                    return False
            continue
        meets = {face & other for other in faces if other != face}
        ridges = frozenset(ridge for ridge in meets if len(ridge) >= dimension - 1
                           and not any(ridge < larger for larger in meets)
                           and span.dimension(ridge) == dimension - 2)
        key = (ridges, dimension - 1)
        if key not in known:
            known[key] = _closed(set(ridges), dimension - 1, span, known)
        if not known[key]:
            return False
    return True


class _Span:
    """Dimensions of the affine hulls of sets of points, each computed once."""

    def __init__(self, vectors: list[tuple[Fraction, ...]]) -> None:
        # (v, 1) scaled to whole numbers: the affine dimension is this rank less one
        self.rows = []
        for v in vectors:
            scale = math.lcm(*(x.denominator for x in v))
            self.rows.append([int(x * scale) for x in v] + [scale])
        self.known: dict[frozenset[int], int] = {}
        self.work = 0

    def dimension(self, points: frozenset[int]) -> int:
        if points not in self.known:
            self.spend(len(points) * len(self.rows[0]) ** 2)
            self.known[points] = _rank([self.rows[j] for j in sorted(points)]) - 1
        return self.known[points]

    def spend(self, work: int) -> None:
        """Count work (about a multiply-add each) against MAX_HULL_WORK."""
        self.work += work
        if self.work > MAX_HULL_WORK:
            raise Failure(f"the hull's facets take more than {MAX_HULL_WORK:,} steps to check "
                          "(too large a certificate)")


def _dot(a: tuple[Fraction, ...], b: tuple[Fraction, ...]) -> Fraction:
    return sum((x * y for x, y in zip(a, b)), Fraction(0))


def _rank(rows: Sequence[Sequence[int]]) -> int:
    """The rank of a whole-number matrix, by fraction-free elimination."""
    pivots: list[tuple[int, list[int]]] = []  # (column, row whose first non-zero is there)
    for given in rows:
        reduced = list(given)
        for column, pivot in pivots:
            factor = reduced[column]
            if factor:
                reduced = [x * pivot[column] - factor * y for x, y in zip(reduced, pivot)]
                common = math.gcd(*reduced)
                if common > 1:
                    reduced = [x // common for x in reduced]
        lead = next((c for c, x in enumerate(reduced) if x), None)
        if lead is not None:
            pivots.append((lead, reduced))
    return len(pivots)


def _check_structural(left: Tree, right: Tree, body: dict[str, Any], where: str) -> None:
    proven: set[tuple[int, int]] = set()
    rules = _Rules(left, right, proven)
    for n, step in enumerate(_list(body["steps"], where)):
        here = f"{where} step {n}"
        step = _fields(step, here, {"left", "right", "rule"}, {"child"})
        a, b = _index(step["left"], here), _index(step["right"], here)
        if not (0 <= a < len(left.kinds) and 0 <= b < len(right.kinds)):
            raise Failure(f"{here}: node indices out of range")
        if not rules.holds(a, b, step["rule"], step.get("child")):
            raise Failure(f"{here}: rule `{step['rule']}` does not apply to left node {a}, "
                          f"right node {b}")
        proven.add((a, b))
    if (0, 0) not in proven:
        raise Failure(f"{where}: the steps do not reach the two roots")


def _shapes(tree: Tree, codes: dict[tuple[Any, ...], int]) -> list[int]:
    """Each node's subtree, numbered from ``codes``: two nodes (of trees numbered with one
    ``codes``) get one number exactly when their subtrees are identical."""
    shape = [0] * len(tree.kinds)
    for i in reversed(range(len(tree.kinds))):  # children come after their parents
        key = (tree.kinds[i], tree.outcome[i], tuple(tree.actions[i]), tuple(tree.weights[i]),
               tuple(shape[child] for child in tree.children[i]))
        shape[i] = codes.setdefault(key, len(codes))
    return shape


@dataclass
class _Rules:
    """The structural rules of docs/certificates.md, each re-applied to the named nodes."""

    left: Tree
    right: Tree
    proven: set[tuple[int, int]]
    _shapes: list[list[int]] = field(default_factory=list)  # left's and right's, once asked
    _flat: dict[tuple[int, int], list[tuple[Fraction, int]] | None] = \
        field(default_factory=dict)

    def holds(self, a: int, b: int, rule: Any, child: Any) -> bool:
        left, right, proven = self.left, self.right, self.proven
        if rule == "same":
            return self.same(a, b)
        if rule == "pick":
            return (left.kinds[a] == "choice" and isinstance(child, int)
                    and not isinstance(child, bool) and 0 <= child < len(left.children[a])
                    and (left.children[a][child], b) in proven)
        if rule == "split":
            return right.kinds[b] != "leaf" and all((a, c) in proven for c in right.occurring(b))
        if rule == "nature":
            return left.kinds[a] == "chance" and all((c, b) in proven for c in left.occurring(a))
        if rule == "simplex":
            return all((a, leaf) in proven for leaf in self.reachable_leaves(b).values())
        if rule == "pair":
            return (left.kinds[a] == right.kinds[b] == "chance"
                    and left.weights[a] == right.weights[b]
                    and all((x, y) in proven for x, y in zip(left.children[a],
                                                             right.children[b])))
        if rule == "distribute":
            return self.distribute(a, b, child)
        if rule == "transport":
            return self.transport(a, b, child)
        return False

    def transport(self, a: int, b: int, flow: Any) -> bool:
        """Both chance nodes, read as mixtures of their flattened children; ``flow`` lists
        ``[i, j, amount]`` with positive amounts summing to each ``i``'s probability over
        ``j`` and to each ``j``'s over ``i``, and ``L(b_j) ⊆ L(a_i)`` proven for each."""
        left, right = self.left, self.right
        if left.kinds[a] != "chance" or right.kinds[b] != "chance" or not isinstance(flow, list):
            return False
        mine, theirs = self.flattened(left, a), self.flattened(right, b)
        if mine is None or theirs is None:
            return False
        rows = [Fraction(0)] * len(mine)
        columns = [Fraction(0)] * len(theirs)
        for entry in flow:
            if not (isinstance(entry, list) and len(entry) == 3):
                return False
            i, j, amount = entry
            if not all(isinstance(k, int) and not isinstance(k, bool) for k in (i, j)) \
                    or not (0 <= i < len(mine) and 0 <= j < len(theirs)):
                return False
            try:
                amount = _number(amount, "transport")
            except Failure:
                return False
            if amount <= 0 or (mine[i][1], theirs[j][1]) not in self.proven:
                return False
            rows[i] += amount
            columns[j] += amount
        return rows == [w for w, _ in mine] and columns == [w for w, _ in theirs]

    def flattened(self, tree: Tree, node: int) -> list[tuple[Fraction, int]] | None:
        """``_flattened``, once per node of each tree."""
        key = (id(tree), node)
        if key not in self._flat:
            self._flat[key] = _flattened(tree, node)
        return self._flat[key]

    def distribute(self, a: int, b: int, picks: Any) -> bool:
        """Left ``a`` is a choice; right ``b`` a chance node; for each combination of one child
        of every choice among ``b``'s children (in itertools.product order), ``picks`` names
        a node below ``a`` (:meth:`below`): a chance node with ``b``'s probabilities whose
        children contain the combination's pairwise."""
        left, right, proven = self.left, self.right, self.proven
        if left.kinds[a] != "choice" or right.kinds[b] != "chance" or not isinstance(picks, list):
            return False
        weights = [p for p in right.weights[b] if p != 0]
        options = [right.children[c] if right.kinds[c] == "choice" else [c]
                   for c in right.occurring(b)]
        total = 1
        for option in options:
            total *= len(option)
            if total > MAX_COMBINATIONS:  # before multiplying on: the product can be huge
                return False
        if len(picks) != total:
            return False
        for combination, pick in zip(itertools.product(*options), picks):
            node = self.below(a, pick)
            if node is None or left.kinds[node] != "chance" \
                    or [p for p in left.weights[node] if p != 0] != weights:
                return False
            if not all((x, y) in proven for x, y in zip(left.occurring(node), combination)):
                return False
        return True

    def below(self, a: int, pick: Any) -> int | None:
        """The node that ``pick`` names below choice ``a`` of the left tree: a child's index,
        or a non-empty list of them, a path on which every node before the last is a
        choice (so the last one's lottery set lies in ``a``'s); None if it names none."""
        left = self.left
        path = pick if isinstance(pick, list) and pick else [pick]
        node = a
        for k in path:
            if left.kinds[node] != "choice" or not isinstance(k, int) or isinstance(k, bool) \
                    or not 0 <= k < len(left.children[node]):
                return None
            node = left.children[node][k]
        return node

    def same(self, a: int, b: int) -> bool:
        """Whether the subtrees at ``a`` and ``b`` are identical: every node of both trees
        is numbered by its structure once, in memory linear in the trees (comparing pairs
        of nodes and keeping them took memory quadratic in the nodes shared out of step)."""
        if not self._shapes:
            codes: dict[tuple[Any, ...], int] = {}
            self._shapes = [_shapes(self.left, codes), _shapes(self.right, codes)]
        return self._shapes[0][a] == self._shapes[1][b]

    def reachable_leaves(self, start: int) -> dict[str, int]:
        """For each outcome some plan reaches from ``start`` with positive probability, the
        first leaf (in node order) below ``start`` that carries it. Walked afresh for each
        step, in memory linear in the tree (a table per node cost nodes × outcomes: 4 GB on
        a chain of 30,000 levels); the time limit bounds many such steps."""
        right = self.right
        found: dict[str, int] = {}
        seen = {start}
        stack = [start]
        while stack:
            i = stack.pop()
            if right.kinds[i] == "leaf":
                outcome = right.outcome[i]
                found[outcome] = min(i, found.get(outcome, i))
                continue
            for c in right.occurring(i):
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
        return found


def _flattened(tree: Tree, start: int) -> list[tuple[Fraction, int]] | None:
    """A chance node as a mixture of non-chance nodes: chance children expanded depth first
    in child order, probabilities multiplied, zero ones dropped; None past MAX_FLATTENED
    children, or past MAX_FLATTEN_WORK children looked at (zero ones included)."""
    found: list[tuple[Fraction, int]] = []
    stack: list[tuple[Fraction, int]] = [(Fraction(1), start)]
    work = 0
    while stack:
        weight, node = stack.pop()
        work += len(tree.children[node]) + 1
        if work > MAX_FLATTEN_WORK:
            return None
        if tree.kinds[node] == "chance":
            stack.extend((weight * p, c) for p, c in reversed(list(zip(tree.weights[node],
                                                                        tree.children[node])))
                         if p != 0)
        else:
            found.append((weight, node))
            if len(found) > MAX_FLATTENED:
                return None
    return found


def _check_interior(left: Tree, right: Tree, cls: UtilityClass, evidence: Any, where: str
                    ) -> None:
    """Every plan lottery of ``right`` has a full simplex around it inside ``L(left)``, over
    the class's outcomes (the declared outcomes)."""
    body = _fields(evidence, where, {"kind", "outcomes", "vertices"})
    if body["kind"] != "interior":
        raise Failure(f"{where}: expected interior evidence")
    names = cls.outcomes
    if body["outcomes"] != names:
        raise Failure(f"{where}: the simplices must be over the declared outcomes {names}")
    centre = Fraction(1, len(names))
    remaining = right.plan_lotteries()
    for n, vertex in enumerate(_list(body["vertices"], where)):
        here = f"{where} vertex {n}"
        vertex = _fields(vertex, here, {"lottery", "epsilon", "flows"})
        if not isinstance(vertex["lottery"], dict):
            raise Failure(f"{here}: a lottery is an object")
        y = {o: _number(q, here) for o, q in vertex["lottery"].items()}
        epsilon = _number(vertex["epsilon"], here)
        if epsilon <= 0:
            raise Failure(f"{here}: epsilon must be positive")
        flows = _list(vertex["flows"], here)
        if len(flows) != len(names):
            raise Failure(f"{here}: one flow per outcome is needed")
        for o, flow in zip(names, flows):
            target = {x: y.get(x, Fraction(0)) + epsilon * ((1 if x == o else 0) - centre)
                      for x in names}
            reached = left.flow_lottery(flow, f"{here} towards {o}")
            if reached != {x: q for x, q in target.items() if q != 0}:
                raise Failure(f"{here}: the flow towards {o} does not reach y + ε(e_{o} − c)")
        remaining.discard(_key(y))
    if remaining:
        raise Failure(f"{where}: no simplex given around the plan lottery {_show(min(remaining))}")


def _show(lottery: frozenset[tuple[str, Fraction]]) -> str:
    return "{" + ", ".join(f"{o}: {_brief(q)}" for o, q in sorted(lottery)) + "}"


def _brief(value: Fraction) -> str:
    """A number for a message: whole when short, else its size (a value computed from the
    tree can pass the digits Python converts to text)."""
    bits = max(value.numerator.bit_length(), value.denominator.bit_length())
    if bits <= 1000:
        return str(value)
    return f"{'-' if value < 0 else ''}(a fraction of about {int(bits * 0.30103):,} digits)"


# ---------------------------------------------------------------- one certificate


@dataclass(frozen=True)
class Claim:
    """What the spec says about one claim (see :func:`read_claims`): a certifiable one, or
    (``relation`` UNCOVERED) one no certificate can cover, known by its place alone."""

    file: str
    line: int
    text: str
    relation: str
    expected: bool | None  # what the claim asserts; None for a query
    left: Any
    right: Any
    utility_class: Any
    fixed: frozenset[str]
    kinds: Mapping[str, str]


def _check_map(mapping: Any, right: Tree, cls: UtilityClass, claim: Claim | None, where: str
               ) -> dict[str, str]:
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in mapping.items()):
        raise Failure(f"{where}: a permutation `map` from outcomes to outcomes is required")
    if set(mapping) != right.outcomes():
        raise Failure(f"{where}: the map must send exactly the outcomes of the right tree")
    if not set(mapping.values()) <= set(cls.outcomes) or \
            len(set(mapping.values())) != len(mapping):
        raise Failure(f"{where}: the map must send distinct outcomes to distinct declared "
                      "outcomes (a permutation)")
    if claim is not None:
        for source, target in mapping.items():
            if (source in claim.fixed or target in claim.fixed) and source != target:
                raise Failure(f"{where}: the map moves `{source}` to `{target}`, but the claim "
                              "fixes " + ", ".join(sorted(claim.fixed)))
            if claim.kinds.get(source) != claim.kinds.get(target):
                raise Failure(f"{where}: the map sends `{source}` to `{target}`, of another kind")
    return dict(mapping)


def check_certificate(document: Any, where: str, claim: Claim | None = None) -> bool:
    """Check one certificate (against ``claim`` when given); its verdict if it checks."""
    body = _fields(document, where, {"claim", "relation", "holds", "left", "right", "class"},
                   {"evidence", "witness", "strict_witness", "reverse_evidence", "map"})
    relation = body["relation"]
    if relation not in RELATIONS:
        raise Failure(f"{where}: unknown relation `{relation}`")
    holds = body["holds"]
    if not isinstance(holds, bool):
        raise Failure(f"{where}: `holds` must be true or false")
    if claim is not None:
        if relation != claim.relation:
            raise Failure(f"{where}: the claim is about {claim.relation}, not {relation}")
        for part, mine, theirs in (("left tree", body["left"], claim.left),
                                   ("right tree", body["right"], claim.right),
                                   ("utility class", body["class"], claim.utility_class)):
            if mine != theirs:
                raise Failure(f"{where}: the {part} differs from the spec's")
    left = Tree(body["left"], f"{where} left tree")
    right = Tree(body["right"], f"{where} right tree")
    cls = UtilityClass(body["class"], f"{where} class")
    if relation in BOX_ONLY and not cls.is_plain_box():
        raise Failure(f"{where}: {relation} is about lottery sets: its class must be the plain "
                      "box [0,1]^O")
    if not (left.outcomes() | right.outcomes()) <= set(cls.outcomes):
        raise Failure(f"{where}: the class does not cover every outcome of the trees")
    if relation.startswith("permuted"):
        # a "no" of P3 by one map σ with L(left) ⊆ σ·L(right): a relabelled copy of L(right)
        # strictly inside L(left) would be strictly inside σ·L(right), a copy of the same
        # volume and dimension — impossible, so no σ' gives σ'·L(right) ⊊ L(left)
        if not holds and not (relation == "permuted_inclusion" and "reverse_evidence" in body):
            raise Failure(f"{where}: a 'no' of {relation} has no certificate (it needs every "
                          "permutation), except P3's by reverse evidence")
        right = right.relabelled(_check_map(body.get("map"), right, cls, claim, f"{where} map"))
        relation = relation.removeprefix("permuted_")
    elif "map" in body:
        raise Failure(f"{where}: only permuted relations have a map")
    _check_verdict(relation, holds, left, right, cls, body, where)
    return bool(holds)


def _check_verdict(relation: str, holds: bool, left: Tree, right: Tree, cls: UtilityClass,
                   body: dict[str, Any], where: str) -> None:
    strict = relation in ("inclusion", "strictly_dominates")
    given = {k for k in ("evidence", "strict_witness", "witness", "reverse_evidence") if k in body}
    applies = ({"evidence", "strict_witness"} if strict else {"evidence"}) if holds else \
        ({"witness", "reverse_evidence"} if strict else {"witness"})
    if given - applies or given >= {"witness", "reverse_evidence"}:
        # evidence that is not checked must not sit in a file as if it had been
        extra = sorted(given - applies) or ["witness"]
        expected = " and ".join(sorted(applies)) if holds else " or ".join(sorted(applies))
        raise Failure(f"{where}: `{extra[0]}` does not belong in the certificate of a "
                      f"{'yes' if holds else 'no'} of {relation} (it has {expected})")
    if not holds and "reverse_evidence" in body:
        if not strict:
            raise Failure(f"{where}: reverse evidence refutes only strict relations")
        _check_containment(right, left, cls, body["reverse_evidence"], f"{where} reverse evidence")
        return
    if not holds:
        if "witness" not in body:
            raise Failure(f"{where}: a 'no' needs a witness")
        u = _utility(body["witness"], cls, f"{where} witness")
        gap = left.value(u) - right.value(u)
        if relation == "interiority":
            if len(set(u.values())) < 2 or gap > 0:
                raise Failure(f"{where} witness: not a non-constant u with V(left) <= V(right)")
        elif gap >= 0:
            raise Failure(f"{where} witness: V(left) = {_brief(left.value(u))} is not below "
                          f"V(right) = {_brief(right.value(u))}")
        return
    if "evidence" not in body:
        raise Failure(f"{where}: a 'yes' needs evidence")
    if relation == "interiority":
        _check_interior(left, right, cls, body["evidence"], f"{where} evidence")
        return
    _check_containment(left, right, cls, body["evidence"], f"{where} evidence")
    if strict:
        if "strict_witness" not in body:
            raise Failure(f"{where}: strictness needs a `strict_witness`")
        u = _utility(body["strict_witness"], cls, f"{where} strict_witness")
        if not left.value(u) > right.value(u):
            raise Failure(f"{where} strict_witness: V(left) is not above V(right)")


# ---------------------------------------------------------------- a file against its claims


@dataclass
class Summary:
    """What a verified file established."""

    certificates: int = 0
    bound: bool = False  # checked against the spec's claims
    failing_claims: list[str] = field(default_factory=list)  # certified, and the claim fails
    uncertified: list[str] = field(default_factory=list)  # "where: reason"
    # uncertified claims the check run did not find true (it said fail or unknown)
    unsettled: list[str] = field(default_factory=list)
    against: tuple[str, ...] = ()  # the spec files the claims came from, when known
    other_claims: int = 0  # claims of those specs that no certificate can cover

    @property
    def verified(self) -> bool:
        """Every claim is certified and holds: what exit code 0 means (a claim without a
        certificate rests on the engine's word, which this checker cannot vouch for)."""
        return not self.failing_claims and not self.uncertified and not self.unsettled

    def text(self) -> str:
        what = f"{self.certificates} certificate{'s' if self.certificates != 1 else ''}"
        how = "each bound to its claim in the spec" if self.bound \
            else "NOT checked against a spec (evidence only)"
        failing = len(self.failing_claims) + len(self.unsettled)
        if failing:
            lines = [f"NOT VERIFIED: {failing} claim{'s' if failing != 1 else ''} "
                     f"{'fail or were' if failing != 1 else 'fails or was'} not found true; "
                     f"{what} checked, {how}"]
        elif self.uncertified:
            count = len(self.uncertified)
            lines = [f"VERIFIED IN PART: {what} checked, {how}; {count} claim"
                     f"{'s have' if count != 1 else ' has'} no certificate (resting on the "
                     "engine's word, not on this checker)"]
        else:
            lines = [f"VERIFIED: {what}, {how}"]
        if self.against:
            lines.append("  checked against: " + ", ".join(shown(p) for p in self.against))
        if self.other_claims:
            plural = "s" if self.other_claims != 1 else ""
            lines.append(f"  not covered: {self.other_claims} claim{plural} of other kinds "
                         "(values, probabilities, parametric relations…), which rest on "
                         "`check` alone")
        lines += [f"  the claim fails (certified): {where}" for where in self.failing_claims]
        lines += [f"  the check run did not find the claim true: {where}"
                  for where in self.unsettled]
        if self.uncertified:
            lines.append("  without a certificate:")
            lines += [f"    {entry}" for entry in self.uncertified]
        return "\n".join(lines)


def _place(document: Any, where: str) -> tuple[str, int, str]:
    body = _fields(document, where, {"file", "line", "text"})
    return (_text(body["file"], where), _index(body["line"], where), _text(body["text"], where))


def read_claims(document: Any) -> list[Claim]:
    """The claims a spec makes, as ``decisiontrees verify`` states them (docs/certificates.md)."""
    body = _fields(document, "claims", {"format", "version", "claims"}, {"others"})
    if body["format"] != CLAIMS_FORMAT or type(body["version"]) is not int \
            or body["version"] != VERSION:
        raise Failure(f"claims: expected format {CLAIMS_FORMAT} version {VERSION}")
    claims = [Claim(*_place(entry, f"other claim {n + 1}"), UNCOVERED, None, None, None, None,
                    frozenset(), {})
              for n, entry in enumerate(_list(body.get("others", []), "others"))]
    for n, entry in enumerate(_list(body["claims"], "claims")):
        here = f"claim {n + 1}"
        item = _fields(entry, here, {"file", "line", "text", "relation", "expected", "left",
                                     "right", "class", "fixed", "kinds"})
        if item["expected"] not in (True, False, None):
            raise Failure(f"{here}: `expected` is true, false or null")
        if not isinstance(item["kinds"], dict):  # read as none, it dropped `within` (review)
            raise Failure(f"{here}: `kinds` is an object")
        claims.append(Claim(_text(item["file"], here), _index(item["line"], here),
                            _text(item["text"], here), _text(item["relation"], here),
                            item["expected"], item["left"], item["right"], item["class"],
                            frozenset(_text(o, here) for o in _list(item["fixed"], here)),
                            {_text(o, here): _text(k, here) for o, k in item["kinds"].items()}))
    return claims


class _Claims:
    """Claims found by place: the same path, else a unique file name and line."""

    def __init__(self, claims: list[Claim]) -> None:
        self.claims = claims
        self.used: set[int] = set()

    def find(self, file: str, line: int, text: str, where: str, covered: bool = True) -> int:
        """The claim at that place (certifiable ones, or with ``covered`` False the others)."""
        kind = [k for k, c in enumerate(self.claims) if (c.relation != UNCOVERED) == covered]
        exact = [k for k in kind if self.claims[k].line == line
                 and os.path.normpath(self.claims[k].file) == os.path.normpath(file)]
        named = [k for k in kind if self.claims[k].line == line
                 and os.path.basename(self.claims[k].file) == os.path.basename(file)]
        found = exact or (named if len({self.claims[k].file for k in named}) == 1 else [])
        place = f"{shown(file)}:{line}"
        if not found:
            raise Failure(f"{where}: the spec has no "
                          f"{'certifiable claim' if covered else 'claim of other kinds'} at {place}")
        same = [k for k in found if self.claims[k].text == text]  # two claims may share a line
        if not same:
            raise Failure(f"{where}: the claim at {place} is `{shown(self.claims[found[0]].text)}`"
                          f", not `{shown(text)}`")
        free = [k for k in same if k not in self.used]
        if not free:
            raise Failure(f"{where}: a second entry for the claim at {place}")
        self.used.add(free[0])
        return free[0]


def check(document: Any, claims: list[Claim] | None = None,
          seconds: float | None = None, limit: float | None = None) -> Summary:
    """Check a certificate file (against the spec's ``claims`` when given); raises Failure,
    also when the check takes more than ``seconds`` (in the main thread of a platform with
    interval timers; elsewhere the structural limits alone bound the work). ``limit`` is the
    whole time limit, when ``seconds`` is what is left of it.

    The timer interrupts Python code only between bytecodes, and one operation on huge
    numbers (a gcd of two 6,000,000-bit denominators: 38 s) runs on past it; so where it can,
    the check runs in a forked child that is killed ``GRACE_SECONDS`` after the limit."""
    _valid_limit(seconds)
    if seconds is None or not hasattr(os, "fork") or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        return _timed_check(document, claims, seconds, limit)
    return _in_child(lambda: _timed_check(document, claims, seconds, limit), seconds, limit)


GRACE_SECONDS = 2.0  # past the time limit, before a check stuck in one operation is killed


def _timed_check(document: Any, claims: list[Claim] | None, seconds: float | None,
                 limit: float | None) -> Summary:
    try:
        with _long_numbers(), _time_limit(seconds):
            return _check(document, claims)
    except _OutOfTime:
        raise _stopped(limit or seconds) from None


def _stopped(seconds: float | None) -> Failure:
    return Failure(f"stopped after {seconds:g} s before the check finished (the time limit; "
                   "give more with --timeout)")


def _in_child(work: Any, seconds: float, limit: float | None) -> Summary:
    """``work()`` in a forked child (which shares the parsed file without copying it): its
    Summary, or its Failure raised here; the child killed once ``seconds`` and the grace have
    passed. Out of memory or killed otherwise, the check is NOT VERIFIED too."""
    import multiprocessing  # only here: the checker's plain runs never start a process

    if multiprocessing.current_process().daemon:  # a pool's worker may start no process
        return work()  # type: ignore[no-any-return]
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_report, args=(work, sender), daemon=True)
    child.start()
    sender.close()
    try:
        end = time.monotonic() + seconds + GRACE_SECONDS
        while not receiver.poll(max(0.0, min(end - time.monotonic(), 3600.0))):
            # in slices: one wait of 2^31 ms or more overflows (a limit may be 10^7 s)
            if time.monotonic() >= end:
                raise _stopped(limit or seconds)
        try:
            kind, value = receiver.recv()
        except EOFError:  # the child died without a word: killed, or out of memory
            raise Failure("the check ended without an answer (out of memory?)") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if kind == "summary":
        return value  # type: ignore[no-any-return]
    if kind == "failure":
        raise Failure(value)
    raise RuntimeError(f"the check failed in its process: {value}")


def _report(work: Any, sender: Any) -> None:
    """In the child: send what ``work()`` gave, as (kind, value). The child dies with its
    parent (Linux's PR_SET_PDEATHSIG; a killed verify left it running) and leaves Ctrl-C to
    the parent, which kills it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # as limits.die_with_parent, stdlib only
    except (OSError, AttributeError):
        pass
    try:
        message: tuple[str, Any] = ("summary", work())
    except Failure as failure:
        message = ("failure", str(failure))
    except RecursionError:
        message = ("failure", "malformed certificate (RecursionError)")
    except MemoryError:
        message = ("failure", "the check ran out of memory")
    except BaseException as error:  # a bug: reported in the parent
        message = ("error", repr(error))
    sender.send(message)
    sender.close()


class _OutOfTime(Exception):
    """The time limit, raised anywhere in the check: not a Failure, so no step that treats a
    malformed part as "this rule does not apply" can take it for one."""


def _valid_limit(seconds: float | None) -> None:
    if seconds is not None and not 1e-3 <= seconds <= 1e7:  # also NaN
        raise Failure(f"the time limit must be between 0.001 and 10^7 seconds, not {seconds}")


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise _OutOfTime in the check once ``seconds`` have passed, and again every 50 ms
    until it leaves the check (Python drops an exception raised while a finaliser runs).
    The check keeps no state outside its own objects, so stopping it anywhere leaves
    nothing half-done."""
    _valid_limit(seconds)
    if seconds is None or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        hook = getattr(getattr(sys.unraisablehook, "func", sys.unraisablehook), "__code__", None)
        # inside a garbage collector's callback the exception would be dropped, and inside
        # the report of a dropped exception it would break the report: fire again in 50 ms
        skipped = {hook, *(getattr(callback, "__code__", None) for callback in gc.callbacks)}
        while frame is not None:
            if frame.f_code in skipped:
                return
            frame = frame.f_back
        raise _OutOfTime

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, stop)
    outer = 0.0
    try:  # the timer starts inside: however soon it fires, the cleanup below runs
        outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
        yield
    finally:
        while True:  # the timer may fire while it is being stopped: then stop it again
            try:
                signal.signal(signal.SIGALRM, signal.SIG_IGN)
                break
            except _OutOfTime:
                continue
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # a caller's own timer keeps running, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(1e-6, outer - (time.monotonic() - started)))


def _check(document: Any, claims: list[Claim] | None) -> Summary:
    body = _fields(document, "file", {"format", "version", "specs", "certificates",
                                      "uncertified"}, {"uncovered", "invalid"})
    if body["format"] != FORMAT or type(body["version"]) is not int or body["version"] != VERSION:
        raise Failure(f"file: expected format {FORMAT} version {VERSION}")
    summary = Summary(bound=claims is not None)
    index = _Claims(claims or [])
    for n, certificate in enumerate(_list(body["certificates"], "file certificates")):
        where = f"certificate {n + 1}"
        if not isinstance(certificate, dict):
            raise Failure(f"{where}: expected an object")
        file, line, text = _place(certificate.get("claim"), f"{where} claim")
        claim = claims[index.find(file, line, text, where)] if claims is not None else None
        holds = check_certificate(certificate, where, claim)
        summary.certificates += 1
        if claim is not None and claim.expected is not None and holds != claim.expected:
            summary.failing_claims.append(f"{shown(file)}:{line}: {shown(text)}")
    for n, entry in enumerate(_list(body["uncertified"], "file uncertified")):
        where = f"uncertified {n + 1}"
        item = _fields(entry, where, {"claim", "reason"}, {"status"})
        file, line, text = _place(item["claim"], f"{where} claim")
        query = claims is None or claims[index.find(file, line, text, where)].expected is None
        status = item.get("status", "unknown")  # files written before it was recorded
        allowed = (*STATUSES, QUERY_STATUS) if query else STATUSES
        if status not in allowed:
            raise Failure(f"{where}: `status` is one of {', '.join(allowed)}")
        summary.uncertified.append(f"{shown(file)}:{line}: {shown(text)} "
                                   f"({shown(_text(item['reason'], where))})")
        if status not in ("pass", QUERY_STATUS):  # the engine's word is against it, or absent
            summary.unsettled.append(f"{shown(file)}:{line}: {shown(text)} ({status})")
    for n, path in enumerate(_list(body.get("invalid", []), "file invalid")):
        # a spec the check run could not read: none of its claims were checked
        summary.unsettled.append(f"{shown(_text(path, f'invalid {n + 1}'))}: the check run "
                                 "found this spec invalid, so none of its claims was checked")
    for n, entry in enumerate(_list(body.get("uncovered", []), "file uncovered")):
        where = f"uncovered {n + 1}"
        item = _fields(entry, where, {"claim", "status"})
        file, line, text = _place(item["claim"], f"{where} claim")
        if claims is not None:
            index.find(file, line, text, where, covered=False)
        if item["status"] not in STATUSES:
            raise Failure(f"{where}: `status` is one of {', '.join(STATUSES)}")
        summary.other_claims += 1
        if item["status"] != "pass":
            summary.unsettled.append(f"{shown(file)}:{line}: {shown(text)} ({item['status']})")
    if claims is not None:
        missing = [c for k, c in enumerate(claims) if k not in index.used]
        if missing:
            first = missing[0]
            lacking = "no record of the check run's verdict" if first.relation == UNCOVERED \
                else "no certificate and no reason for lacking one"
            raise Failure(f"the claim at {first.file}:{first.line} (`{first.text}`) has {lacking}")
    if summary.certificates == 0 and not summary.uncertified:
        raise Failure("the file holds no certificate to check")
    return summary


# language.syntax.BIDI_CONTROLS, written again: this checker imports nothing of the package
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")


def shown(text: str, limit: int = 300) -> str:
    """Text from a certificate file as it may be printed: control characters (a terminal's
    escape codes could hide lines), line and paragraph separators (they could start a line
    that is not one), bidirectional controls (they could reorder the rest of the line) and
    lone surrogates (JSON's ``"\\ud800"``, which no output can encode) as ``?``, and at most
    ``limit`` characters."""
    clean = "".join("?" if ord(c) < 32 or 127 <= ord(c) < 160 or c in _BIDI_CONTROLS
                    or c in "\u2028\u2029" or 0xD800 <= ord(c) < 0xE000 else c
                    for c in text[:limit + 1])
    return clean if len(clean) <= limit else clean[:limit] + "…"


def verify(document: Any, claims: list[Claim] | None = None) -> str | None:
    """None when the file checks (against ``claims`` when given); otherwise the first failing
    step. Never raises."""
    try:
        check(document, claims)
    except Failure as failure:
        return str(failure)
    except (RecursionError, MemoryError) as error:
        return f"malformed certificate ({type(error).__name__})"
    return None


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different (with a repeated key, which one counts
    would be the reader's choice)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {shown(json.dumps(key))} appears twice in one object")
        found[key] = value
    return found


def load_json(path: str, seconds: float | None = None, limit: float | None = None) -> Any:
    """A JSON file of bounded size, read within ``seconds`` (reading a large file of long
    numbers takes seconds too; ``limit`` as for :func:`check`); Failure saying why it cannot
    be read."""
    try:
        with _time_limit(seconds):
            return _load_json(path)
    except _OutOfTime:
        raise Failure(f"stopped after {limit or seconds:g} s while reading {path} (the time "
                      "limit; give more with --timeout)") from None


def _load_json(path: str) -> Any:
    try:
        size = os.stat(path).st_size
        if not os.path.isfile(path):
            raise Failure(f"cannot read {path}: not a regular file")
        if size > MAX_FILE_BYTES:
            raise Failure(f"cannot read {path}: larger than {MAX_FILE_BYTES // 2**20} MB")
        with open(path, encoding="utf-8") as handle, _long_numbers(), _shallow_json():
            return json.loads(handle.read(MAX_FILE_BYTES + 1), object_pairs_hook=_no_repeats)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise Failure(f"cannot read {path}: {error}") from None
    except RecursionError:
        raise Failure(f"cannot read {path}: nested too deeply") from None


def main(argv: list[str] | None = None) -> int:
    """``python -m decisiontrees.evidence.verify [--timeout SECONDS] CERTIFICATES [CLAIMS]``:
    exit 0 VERIFIED (every claim certified, and each holds), 1 NOT VERIFIED (a claim without a
    certificate, a certificate that does not check, the time limit) or a certified claim
    fails, 2 usage."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    seconds: float | None = DEFAULT_SECONDS
    if arguments[:1] == ["--timeout"] and len(arguments) > 1:
        seconds = _seconds(arguments[1])
        arguments = arguments[2:]
    if len(arguments) not in (1, 2) or seconds is None:
        print("usage: python -m decisiontrees.evidence.verify [--timeout SECONDS] CERTIFICATES "
              "[CLAIMS]\n(decisiontrees verify SPEC CERTIFICATES states the claims from the spec)",
              file=sys.stderr)
        return 2
    try:
        started = time.monotonic()
        claims = read_claims(load_json(arguments[1], seconds)) if len(arguments) == 2 else None
        document = load_json(arguments[0], remaining(seconds, started), seconds)
        summary = check(document, claims, remaining(seconds, started), seconds)
    except Failure as failure:
        print(f"NOT VERIFIED: {shown(str(failure), 1000)}")
        return 1
    except (RecursionError, MemoryError) as error:
        print(f"NOT VERIFIED: malformed certificate ({type(error).__name__})")
        return 1
    print(summary.text())
    return 0 if summary.verified else 1


def remaining(seconds: float | None, started: float) -> float | None:
    """What is left of a time limit of ``seconds`` that started at ``started`` (monotonic),
    at least the shortest limit allowed."""
    return None if seconds is None else max(1e-3, seconds - (time.monotonic() - started))


def _seconds(text: str) -> float | None:
    """A number of seconds from 0.001 to 10^7, or None."""
    if not re.fullmatch(r"[0-9]{1,8}(\.[0-9]{1,6})?", text) or not 1e-3 <= float(text) <= 10**7:
        return None
    return float(text)


if __name__ == "__main__":
    raise SystemExit(main())
