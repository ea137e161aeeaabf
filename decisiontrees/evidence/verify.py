"""Re-check saved certificates without any solver: the small trusted checker.

Standard library only (a test checks that importing it loads neither z3 nor sympy), and
independent of the code that produced the certificates: it reads the trees from the file,
and recomputes values, plans and lotteries itself. It prints ``VERIFIED`` or
``NOT VERIFIED: <first failing step>``. The format is documented in docs/certificates.md.

    python -m decisiontrees.evidence.verify FILE
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Set
from fractions import Fraction
from typing import Any, TypeAlias

Row: TypeAlias = tuple[dict[str, Fraction], str, Fraction]

FORMAT = "decisiontrees-certificates"


class Failure(Exception):
    """A step of a certificate does not check."""


def _fields(
    obj: Any, where: str, required: set[str], optional: Set[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise Failure(f"{where}: expected an object")
    unknown = set(obj) - required - set(optional)
    if unknown:
        raise Failure(f"{where}: unknown field `{sorted(unknown)[0]}`")
    missing = required - set(obj)
    if missing:
        raise Failure(f"{where}: missing field `{sorted(missing)[0]}`")
    return obj


def _number(text: Any, where: str) -> Fraction:
    if not isinstance(text, str):
        raise Failure(f"{where}: numbers are written as strings like \"1/2\"")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise Failure(f"{where}: `{text}` is not an exact number") from None


class Tree:
    """A tree read from a certificate: nodes in topological order, the root first."""

    def __init__(self, document: Any, where: str) -> None:
        nodes = _fields(document, where, {"nodes"})["nodes"]
        if not isinstance(nodes, list) or not nodes:
            raise Failure(f"{where}: `nodes` must be a non-empty list")
        self.kinds: list[str] = []
        self.labels: list[Any] = []  # outcome, actions or probabilities
        self.children: list[list[int]] = []
        for i, node in enumerate(nodes):
            here = f"{where} node {i}"
            if not isinstance(node, dict) or len(node) != 1:
                raise Failure(f"{here}: expected one of leaf, choice, chance")
            (kind, body), = node.items()
            if kind == "leaf":
                if not isinstance(body, str):
                    raise Failure(f"{here}: a leaf names an outcome")
                self.kinds.append(kind)
                self.labels.append(body)
                self.children.append([])
                continue
            if kind not in ("choice", "chance") or not isinstance(body, list) or not body:
                raise Failure(f"{here}: expected one of leaf, choice, chance with children")
            labels, children = [], []
            for entry in body:
                if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], int)):
                    raise Failure(f"{here}: children are [label, index] pairs")
                if not i < entry[1] < len(nodes):
                    raise Failure(f"{here}: child index {entry[1]} is not a later node")
                labels.append(entry[0] if kind == "choice" else _number(entry[0], here))
                children.append(entry[1])
            if kind == "chance":
                if any(p < 0 for p in labels) or sum(labels) != 1:
                    raise Failure(f"{here}: probabilities must be non-negative and sum to 1")
            self.kinds.append(kind)
            self.labels.append(labels)
            self.children.append(children)

    def relabelled(self, mapping: dict[str, str]) -> Tree:
        copy = object.__new__(Tree)
        copy.kinds, copy.children = self.kinds, self.children
        copy.labels = [mapping.get(label, label) if kind == "leaf" else label
                       for kind, label in zip(self.kinds, self.labels)]
        return copy

    def outcomes(self) -> set[str]:
        return {label for kind, label in zip(self.kinds, self.labels) if kind == "leaf"}

    def value(self, utility: dict[str, Fraction], node: int = 0) -> Fraction:
        values: dict[int, Fraction] = {}
        for i in reversed(range(len(self.kinds))):
            kind = self.kinds[i]
            if kind == "leaf":
                values[i] = utility[self.labels[i]]
            elif kind == "choice":
                values[i] = max(values[c] for c in self.children[i])
            else:
                values[i] = sum((p * values[c] for p, c in zip(self.labels[i], self.children[i])),
                                Fraction(0))
        return values[node]

    def plan_lotteries(self, limit: int = 100_000) -> list[dict[str, Fraction]]:
        """The lottery of every plan (distinct lotteries of the reduced strategies)."""
        table: dict[int, list[dict[str, Fraction]]] = {}
        for i in reversed(range(len(self.kinds))):
            kind = self.kinds[i]
            if kind == "leaf":
                table[i] = [{self.labels[i]: Fraction(1)}]
            elif kind == "choice":
                table[i] = [x for c in self.children[i] for x in table[c]]
            else:
                rows = []
                for combination in itertools.product(*(table[c] for c in self.children[i])):
                    lottery: dict[str, Fraction] = {}
                    for p, part in zip(self.labels[i], combination):
                        for o, q in part.items():
                            lottery[o] = lottery.get(o, Fraction(0)) + p * q
                    rows.append(lottery)
                table[i] = rows
            if len(table[i]) > limit:
                raise Failure(f"more than {limit} plans: too many to check vertex by vertex")
        return [{o: q for o, q in x.items() if q != 0} for x in table[0]]

    def flow_lottery(self, flow: Any, where: str) -> dict[str, Fraction]:
        """The lottery of a sequence-form flow given as [node, child, amount] triples."""
        amounts: dict[tuple[int, int], Fraction] = {}
        if not isinstance(flow, list):
            raise Failure(f"{where}: a flow is a list of [node, child, amount]")
        for entry in flow:
            if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], int)
                    and isinstance(entry[1], int)):
                raise Failure(f"{where}: a flow entry is [node, child, amount]")
            i, k = entry[0], entry[1]
            if not (0 <= i < len(self.kinds) and self.kinds[i] == "choice"
                    and 0 <= k < len(self.children[i])):
                raise Failure(f"{where}: [{i}, {k}] is not a choice edge")
            amounts[(i, k)] = _number(entry[2], where)
        received = [Fraction(0)] * len(self.kinds)
        received[0] = Fraction(1)
        lottery: dict[str, Fraction] = {}
        for i, kind in enumerate(self.kinds):
            if kind == "leaf":
                lottery[self.labels[i]] = lottery.get(self.labels[i], Fraction(0)) + received[i]
            elif kind == "choice":
                parts = [amounts.get((i, k), Fraction(0)) for k in range(len(self.children[i]))]
                if any(p < 0 for p in parts) or sum(parts) != received[i]:
                    raise Failure(f"{where}: the flow out of node {i} does not match what it receives")
                for part, c in zip(parts, self.children[i]):
                    received[c] += part
            else:
                for p, c in zip(self.labels[i], self.children[i]):
                    received[c] += p * received[i]
        return {o: q for o, q in lottery.items() if q != 0}


class UtilityClass:
    def __init__(self, document: Any, where: str) -> None:
        body = _fields(document, where, {"outcomes", "box", "features", "constraints"})
        self.outcomes = list(body["outcomes"])
        self.features = list(body["features"])
        self.rows: list[Row] = []
        if body["box"]:
            for o in self.outcomes:
                self.rows.append(({o: Fraction(1)}, ">=", Fraction(0)))
                self.rows.append(({o: Fraction(-1)}, ">=", Fraction(-1)))
        for n, row in enumerate(body["constraints"]):
            here = f"{where} constraint {n}"
            row = _fields(row, here, {"coefficients", "op", "constant"})
            if row["op"] not in (">=", ">", "=="):
                raise Failure(f"{here}: op must be >=, > or ==")
            coefficients = {v: _number(c, here) for v, c in row["coefficients"].items()}
            self.rows.append((coefficients, row["op"], _number(row["constant"], here)))

    def contains(self, values: dict[str, Fraction]) -> bool:
        for coefficients, op, constant in self.rows:
            total = sum((c * values.get(v, Fraction(0)) for v, c in coefficients.items()), Fraction(0))
            if not (total >= constant if op == ">=" else total > constant if op == ">" else
                    total == constant):
                return False
        return True


def _farkas(rows: list[Row], difference: dict[str, Fraction], multipliers: list[Fraction],
            where: str) -> None:
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
    values = {o: _number(v, where) for o, v in body["utility"].items()}
    if set(values) != set(cls.outcomes):
        raise Failure(f"{where}: the utility function must give every outcome a value")
    everything = dict(values)
    everything.update({"w:" + k: _number(v, where) for k, v in body["weights"].items()})
    if not cls.contains(everything):
        raise Failure(f"{where}: the utility function is not in the class")
    return values


def _check_containment(left: Tree, right: Tree, cls: UtilityClass, evidence: Any, where: str) -> None:
    """``L(right) ⊆ L(left)`` in the sense of the class: ``V_u(left) >= V_u(right)`` for all u."""
    kind = evidence.get("kind") if isinstance(evidence, dict) else None
    if kind == "structural":
        body = _fields(evidence, where, {"kind", "steps"})
        proven: set[tuple[int, int]] = set()
        for n, step in enumerate(body["steps"]):
            here = f"{where} step {n}"
            step = _fields(step, here, {"left", "right", "rule"}, {"child"})
            a, b, rule = step["left"], step["right"], step["rule"]
            if not (isinstance(a, int) and isinstance(b, int) and 0 <= a < len(left.kinds)
                    and 0 <= b < len(right.kinds)):
                raise Failure(f"{here}: node indices out of range")
            if not _rule_holds(left, right, a, b, rule, step.get("child"), proven):
                raise Failure(f"{here}: rule `{rule}` does not apply to left node {a}, right node {b}")
            proven.add((a, b))
        if (0, 0) not in proven:
            raise Failure(f"{where}: the steps do not reach the two roots")
        return
    if kind == "vertices":
        body = _fields(evidence, where, {"kind", "vertices"})
        remaining = right.plan_lotteries()
        for n, vertex in enumerate(body["vertices"]):
            here = f"{where} vertex {n}"
            vertex = _fields(vertex, here, {"lottery", "flow", "multipliers"})
            y = {o: _number(q, here) for o, q in vertex["lottery"].items()}
            x = left.flow_lottery(vertex["flow"], here)
            difference = {o: x.get(o, Fraction(0)) - y.get(o, Fraction(0)) for o in cls.outcomes}
            _farkas(cls.rows, difference, [_number(m, here) for m in vertex["multipliers"]], here)
            remaining = [r for r in remaining if r != {o: q for o, q in y.items() if q != 0}]
        if remaining:
            raise Failure(f"{where}: no point given for the plan lottery {_show(remaining[0])}")
        return
    raise Failure(f"{where}: unknown evidence kind `{kind}`")


def _rule_holds(left: Tree, right: Tree, a: int, b: int, rule: str, child: Any,
                proven: set[tuple[int, int]]) -> bool:
    def occurring(tree: Tree, i: int) -> list[int]:
        if tree.kinds[i] == "chance":
            return [c for p, c in zip(tree.labels[i], tree.children[i]) if p != 0]
        return list(tree.children[i])

    if rule == "same":
        return _same(left, a, right, b)
    if rule == "pick":
        return (left.kinds[a] == "choice" and isinstance(child, int)
                and 0 <= child < len(left.children[a]) and (left.children[a][child], b) in proven)
    if rule == "split":
        return right.kinds[b] != "leaf" and all((a, c) in proven for c in occurring(right, b))
    if rule == "nature":
        return left.kinds[a] == "chance" and all((c, b) in proven for c in occurring(left, a))
    if rule == "simplex":
        return all((a, leaf) in proven for leaf in _reachable_leaves(right, b))
    if rule == "pair":
        return (left.kinds[a] == right.kinds[b] == "chance" and left.labels[a] == right.labels[b]
                and all((x, y) in proven for x, y in zip(left.children[a], right.children[b])))
    return False


def _reachable_leaves(tree: Tree, start: int) -> set[int]:
    """Leaf nodes below ``start`` that some plan reaches with positive probability, one per
    outcome (the certificate names the first leaf of each outcome in node order)."""
    seen, stack = {start}, [start]
    leaves: dict[str, set[int]] = {}
    while stack:
        i = stack.pop()
        if tree.kinds[i] == "leaf":
            leaves.setdefault(tree.labels[i], set()).add(i)
            continue
        for j, child in enumerate(tree.children[i]):
            if tree.kinds[i] == "chance" and tree.labels[i][j] == 0:
                continue
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return {min(indices) for indices in leaves.values()}


def _same(left: Tree, a: int, right: Tree, b: int) -> bool:
    """Whether the subtrees at ``a`` and ``b`` are identical."""
    stack = [(a, b)]
    while stack:
        i, j = stack.pop()
        if left.kinds[i] != right.kinds[j] or left.labels[i] != right.labels[j]:
            return False
        if len(left.children[i]) != len(right.children[j]):
            return False
        stack.extend(zip(left.children[i], right.children[j]))
    return True


def _check_interior(left: Tree, right: Tree, evidence: Any, where: str) -> None:
    body = _fields(evidence, where, {"kind", "outcomes", "vertices"})
    if body["kind"] != "interior":
        raise Failure(f"{where}: expected interior evidence")
    names = list(body["outcomes"])
    if not left.outcomes() | right.outcomes() <= set(names):
        raise Failure(f"{where}: the outcome list misses outcomes of the trees")
    centre = Fraction(1, len(names))
    remaining = right.plan_lotteries()
    for n, vertex in enumerate(body["vertices"]):
        here = f"{where} vertex {n}"
        vertex = _fields(vertex, here, {"lottery", "epsilon", "flows"})
        y = {o: _number(q, here) for o, q in vertex["lottery"].items()}
        epsilon = _number(vertex["epsilon"], here)
        if epsilon <= 0:
            raise Failure(f"{here}: epsilon must be positive")
        if len(vertex["flows"]) != len(names):
            raise Failure(f"{here}: one flow per outcome is needed")
        for o, flow in zip(names, vertex["flows"]):
            target = {x: y.get(x, Fraction(0)) + epsilon * ((1 if x == o else 0) - centre) for x in names}
            reached = left.flow_lottery(flow, f"{here} towards {o}")
            if reached != {x: q for x, q in target.items() if q != 0}:
                raise Failure(f"{here}: the flow towards {o} does not reach y + ε(e_{o} − c)")
        remaining = [r for r in remaining if r != {o: q for o, q in y.items() if q != 0}]
    if remaining:
        raise Failure(f"{where}: no simplex given around the plan lottery {_show(remaining[0])}")


def _show(lottery: dict[str, Fraction]) -> str:
    return "{" + ", ".join(f"{o}: {q}" for o, q in sorted(lottery.items())) + "}"


RELATIONS = {"dominates", "strictly_dominates", "inclusion", "interiority", "permuted_inclusion",
             "permuted_interiority"}


def check_document(document: Any, where: str) -> None:
    body = _fields(document, where, {"relation", "holds", "left", "right", "class"},
                   {"evidence", "witness", "strict_witness", "reverse_evidence", "map", "statement"})
    relation = body["relation"]
    if relation not in RELATIONS:
        raise Failure(f"{where}: unknown relation `{relation}`")
    left = Tree(body["left"], f"{where} left tree")
    right = Tree(body["right"], f"{where} right tree")
    cls = UtilityClass(body["class"], f"{where} class")
    if not (left.outcomes() | right.outcomes()) <= set(cls.outcomes):
        raise Failure(f"{where}: the class does not cover every outcome of the trees")
    if relation.startswith("permuted"):
        mapping = body.get("map")
        if not isinstance(mapping, dict) or len(set(mapping.values())) != len(mapping):
            raise Failure(f"{where}: a permutation `map` (injective) is required")
        right = right.relabelled(mapping)
        relation = relation.removeprefix("permuted_")
    holds = body["holds"]
    if holds is False and "reverse_evidence" in body:
        if relation not in ("inclusion", "strictly_dominates"):
            raise Failure(f"{where}: reverse evidence refutes only strict relations")
        _check_containment(right, left, cls, body["reverse_evidence"], f"{where} reverse evidence")
        return
    if holds is False:
        if "witness" not in body:
            raise Failure(f"{where}: a 'no' needs a witness")
        u = _utility(body["witness"], cls, f"{where} witness")
        gap = left.value(u) - right.value(u)
        if relation == "interiority":
            if len(set(u.values())) < 2 or gap > 0:
                raise Failure(f"{where} witness: not a non-constant u with V(left) <= V(right)")
        elif relation in ("inclusion", "strictly_dominates") and gap == 0:
            raise Failure(f"{where} witness: the values tie; a tie refutes only via the reverse direction")
        elif gap >= 0:
            raise Failure(f"{where} witness: V(left) = {left.value(u)} is not below "
                          f"V(right) = {right.value(u)}")
        return
    if holds is not True:
        raise Failure(f"{where}: `holds` must be true or false")
    if "evidence" not in body:
        raise Failure(f"{where}: a 'yes' needs evidence")
    if relation == "interiority":
        _check_interior(left, right, body["evidence"], f"{where} evidence")
        return
    _check_containment(left, right, cls, body["evidence"], f"{where} evidence")
    if relation in ("inclusion", "strictly_dominates"):
        if "strict_witness" not in body:
            raise Failure(f"{where}: strictness needs a `strict_witness`")
        u = _utility(body["strict_witness"], cls, f"{where} strict_witness")
        if not left.value(u) > right.value(u):
            raise Failure(f"{where} strict_witness: V(left) is not above V(right)")


def verify(document: Any) -> str | None:
    """None when every certificate checks; otherwise the first failing step."""
    try:
        body = _fields(document, "file", {"format", "version", "certificates"})
        if body["format"] != FORMAT or body["version"] != 1:
            raise Failure(f"file: expected format {FORMAT} version 1")
        if not isinstance(body["certificates"], list):
            raise Failure("file: `certificates` must be a list")
        for n, certificate in enumerate(body["certificates"]):
            check_document(certificate, f"certificate {n + 1}")
    except Failure as failure:
        return str(failure)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return f"malformed certificate ({type(error).__name__}: {error})"
    return None


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if len(arguments) != 1:
        print("usage: decisiontrees verify FILE", file=sys.stderr)
        return 2
    try:
        with open(arguments[0], encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        print(f"NOT VERIFIED: cannot read {arguments[0]}: {error}")
        return 1
    failure = verify(document)
    if failure is None:
        print("VERIFIED")
        return 0
    print(f"NOT VERIFIED: {failure}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
