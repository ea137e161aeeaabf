"""Specs as JSON, for other tools: export from the model, import through the checker.

Export writes every tree as a list of nodes (children by index, shared subtrees once).
Import validates the document's shape, writes the equivalent spec text, and loads that
with the normal checker, so a JSON spec gets every check a ``.dtree`` file gets; numbers
and probability expressions are strings in the spec language, parsed by the grammar.
The format is docs/spec.schema.json.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any, NoReturn

from decisiontrees.errors import FormatRefused
from decisiontrees.evidence.checks import topological_order
from decisiontrees.formats.common import expression, label
from decisiontrees.language.diagnostics import Reporter
from decisiontrees.language.parser import parse_module
from decisiontrees.language.syntax import Claim, ClassDecl, DistributionDecl, Query
from decisiontrees.model.nodes import Chance, Choice, Leaf
from decisiontrees.model.spec import Spec

FORMAT = "decisiontrees-spec"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def export(spec: Spec) -> dict[str, Any]:
    """The spec as a JSON-ready document (statements as spec-language text)."""
    trees = {}
    for name, tree in spec.trees.items():
        nodes: list[dict[str, object]] = []
        order = topological_order(tree)
        index = {id(n): i for i, n in enumerate(order)}
        for node in order:
            if isinstance(node, Leaf):
                nodes.append({"leaf": node.outcome})
            elif isinstance(node, Choice):
                nodes.append({"choice": [{"action": a, "child": index[id(c)]}
                                         for a, c in zip(node.actions, node.children)]})
            else:
                assert isinstance(node, Chance)
                nodes.append({"chance": [{"probability": spec_number(p), "child": index[id(c)]}
                                         for p, c in zip(node.probabilities, node.children)]})
        trees[name] = {"nodes": nodes}
    return {
        "format": FORMAT,
        "version": 1,
        "outcomes": [{"name": o, "features": {k: str(v) for k, v in spec.features[o].items()}}
                     for o in spec.outcomes],
        "parameters": [{"name": p.name, "low": str(p.low), "high": str(p.high),
                        "low_open": p.low_open, "high_open": p.high_open}
                       for p in spec.parameters.values()],
        "trees": trees,
        "utilities": {name: {o: str(v) for o, v in u.items()} for name, u in spec.utilities.items()},
        "classes": {name: c.source for name, c in spec.classes.items()},
        "distributions": {name: law.source() for name, law in spec.distributions.items()},
        "statements": [s.text for s in spec.statements],
    }


def spec_number(value: Any) -> str:
    """An exact number or parameter expression written in the spec language."""
    if isinstance(value, Fraction):
        return str(value)
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):  # type: ignore[misc]  # sympy is untyped (its classes are Any)
        def _print_Pow(self, expr: Any, rational: bool = False) -> str:
            base, exponent = expr.args
            if exponent.is_Integer and exponent > 0:
                return "*".join([self.parenthesize(base, 60)] * int(exponent))
            if exponent.is_Integer and exponent < 0:
                return "1/(" + "*".join([self.parenthesize(base, 60)] * int(-exponent)) + ")"
            raise ValueError(f"cannot write {expr} in the spec language")

    text: str = _Printer().doprint(value)
    return text


def _refuse(where: str, message: str) -> NoReturn:
    raise FormatRefused(where, f"{where}: {message}")


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        _refuse(where, message)


def _name(value: Any, where: str) -> str:
    if not (isinstance(value, str) and bool(_NAME.fullmatch(value))):
        _refuse(where, f"{json.dumps(value)} is not a name (letters, digits and _)")
    return value


def _number(value: Any, where: str) -> str:
    if not (isinstance(value, str) and expression(value)):
        _refuse(where, "numbers and probabilities are strings in the spec language, like \"1/2\" or "
                "\"1 - p\"")
    return value


def _one_item(line: str, kind: type | tuple[type, ...], where: str, shape: str) -> str:
    """``line`` if it is exactly one item of ``kind`` (so a string cannot smuggle in another)."""
    reporter = Reporter()
    module = parse_module(line, "<json>", reporter)
    if module is None or len(module.items) != 1 or not isinstance(module.items[0], kind):
        _refuse(where, shape)
    return line


def _fields(obj: Any, where: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        _refuse(where, "expected an object")
    unknown = sorted(set(obj) - allowed)
    _require(not unknown, where, f"unknown field `{unknown[0] if unknown else ''}`")
    missing = sorted(required - set(obj))
    _require(not missing, where, f"missing field `{missing[0] if missing else ''}`")
    return obj


def to_spec_text(document: Any) -> str:
    """Spec text equivalent to a JSON document; raises FormatRefused naming the first problem."""
    return translate(document)[0]


def translate(document: Any) -> tuple[str, list[str]]:
    """Spec text equivalent to a JSON document, and for each of its lines where in the
    document it comes from (``trees.t.nodes[3]``), to place problems in the JSON file."""
    body = _fields(document, "document", {"format", "version", "outcomes", "parameters", "trees",
                                          "utilities", "classes", "distributions", "statements"},
                   {"format", "version", "outcomes"})
    _require(body["format"] == FORMAT and body["version"] == 1, "document",
             f"expected format {FORMAT} version 1")
    lines: list[tuple[str, str]] = []
    _require(isinstance(body["outcomes"], list) and bool(body["outcomes"]), "outcomes",
             "expected a non-empty list")
    parameters = body.get("parameters", [])
    _require(isinstance(parameters, list), "parameters", "expected a list")
    for n, outcome in enumerate(body["outcomes"]):
        where = f"outcomes[{n}]"
        item = _fields(outcome, where, {"name", "features"}, {"name"})
        features = item.get("features", {})
        _require(isinstance(features, dict), where, "features must be an object")
        listed = ", ".join(f"{_name(k, where)}: {_number(v, where)}" for k, v in features.items())
        lines.append((f"outcomes {_name(item['name'], where)}" + (f" {{ {listed} }}" if listed
                                                                    else ""), where))
    for n, parameter in enumerate(parameters):
        where = f"parameters[{n}]"
        item = _fields(parameter, where, {"name", "low", "high", "low_open", "high_open"},
                       {"name", "low", "high"})
        _require(all(isinstance(item.get(k, True), bool) for k in ("low_open", "high_open")),
                 where, "low_open and high_open are true or false")
        left = "(" if item.get("low_open", True) else "["
        right = ")" if item.get("high_open", True) else "]"
        lines.append((f"param {_name(item['name'], where)} in {left}{_number(item['low'], where)}, "
                      f"{_number(item['high'], where)}{right}", where))
    trees = body.get("trees", {})
    _require(isinstance(trees, dict), "trees", "expected an object")
    for name, tree in trees.items():
        lines.extend(_tree_text(_name(name, "trees"), tree))
    utilities = body.get("utilities", {})
    _require(isinstance(utilities, dict), "utilities", "expected an object")
    for name, values in utilities.items():
        where = f"utilities.{name}"
        _require(isinstance(values, dict), where, "expected an object")
        entries = ", ".join(f"{k if k == '*' else _name(k, where)}: {_number(v, where)}"
                            for k, v in values.items())
        lines.append((f"utility {_name(name, 'utilities')} = {{{entries}}}", where))
    lines.extend(_declarations(body, "classes", "class", ClassDecl,
                               "a class is one line of the spec language, like \"{a > b} & other\""))
    lines.extend(_declarations(body, "distributions", "distribution", DistributionDecl,
                               "a distribution is one line of the spec language, like \"power(2)\""))
    statements = body.get("statements", [])
    _require(isinstance(statements, list), "statements", "expected a list")
    for n, statement in enumerate(statements):
        where = f"statements[{n}]"
        shape = "a statement is one line of the spec language starting with query or claim"
        _require(isinstance(statement, str) and "\n" not in statement, where, shape)
        lines.append((_one_item(statement, (Query, Claim), where, shape), where))
    return "\n".join(text for text, _ in lines) + "\n", [where for _, where in lines]


def _declarations(body: dict[str, Any], field: str, keyword: str, kind: type, shape: str
                  ) -> list[tuple[str, str]]:
    """``keyword name = source`` lines for a field mapping names to one-line sources."""
    entries = body.get(field, {})
    _require(isinstance(entries, dict), field, "expected an object")
    lines = []
    for name, source in entries.items():
        where = f"{field}.{name}"
        _require(isinstance(source, str) and "\n" not in source and "#" not in source, where, shape)
        lines.append((_one_item(f"{keyword} {_name(name, field)} = {source}", kind, where, shape),
                      where))
    return lines


def _tree_text(name: str, tree: Any) -> list[tuple[str, str]]:
    where = f"trees.{name}"
    nodes = _fields(tree, where, {"nodes"}, {"nodes"})["nodes"]
    _require(isinstance(nodes, list) and bool(nodes), where, "nodes must be a non-empty list")
    # every inner node becomes its own named tree, so shared subtrees stay shared
    names = [name if i == 0 else f"{name}__{i}" for i in range(len(nodes))]
    lines = []
    for i, node in enumerate(nodes):
        here = f"{where}.nodes[{i}]"
        _require(isinstance(node, dict) and len(node) == 1, here, "expected leaf, choice or chance")
        (kind, body), = node.items()

        if kind == "leaf":
            if i == 0:
                lines.append((f"tree {name} = {_name(body, here)}", here))
            continue
        _require(kind in ("choice", "chance") and isinstance(body, list), here,
                 "expected leaf, choice or chance")
        if kind == "choice":
            parts = [f'"{_label(e, here)}": {_child(e, i, nodes, names, here)}' for e in body]
        else:
            parts = [f"{_number(e.get('probability') if isinstance(e, dict) else None, here)}: "
                     f"{_child(e, i, nodes, names, here)}" for e in body]
        lines.append((f"tree {names[i]} = {kind} {{ {', '.join(parts)} }}", here))
    return lines


def _child(entry: Any, parent: int, nodes: list[Any], names: list[str], where: str) -> str:
    """The spec-text name of the child an entry points to: an outcome or an inner node."""
    index = entry.get("child") if isinstance(entry, dict) else None
    if not (isinstance(index, int) and parent < index < len(nodes)):
        _refuse(where, "children are later nodes, by index")
    target = nodes[index]
    if isinstance(target, dict) and "leaf" in target:
        return _name(target["leaf"], where)
    return names[index]


def _label(entry: Any, where: str) -> str:
    text = entry.get("action") if isinstance(entry, dict) else None
    if not (isinstance(text, str) and text == label(text)):
        _refuse(where, "an action is a string without quotes or control characters")
    return text
