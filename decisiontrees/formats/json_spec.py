"""Specs as JSON, for other tools: export from the model, import through the checker.

Export writes every tree as a list of nodes (children by index, shared subtrees once); a
subtree that is another named tree is a reference to it by name, so that a tree built from
others is not written out again in full (a chain of 2,500 trees made 495 MB).
Import validates the document's shape, writes the equivalent spec text, and loads that
with the normal checker, so a JSON spec gets every check a ``.dtree`` file gets; numbers
and probability expressions are strings in the spec language, parsed by the grammar.
The format is docs/spec.schema.json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from fractions import Fraction
from typing import Any, NoReturn

from decisiontrees.errors import FormatRefused
from decisiontrees.formats.common import UniqueNames, expression, label
from decisiontrees.language.diagnostics import Reporter
from decisiontrees.language.numbers import number_text
from decisiontrees.language.parser import parse_module
from decisiontrees.language.syntax import Claim, ClassDecl, DistributionDecl, MDPDecl, Query, Search
from decisiontrees.model.mdp import MDP
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, postorder
from decisiontrees.model.spec import Spec

FORMAT = "decisiontrees-spec"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def export(spec: Spec) -> dict[str, Any]:
    """The spec as a JSON-ready document (statements as spec-language text)."""
    named: dict[int, str] = {}  # a tree's root, and the first name declared for it
    for name, tree in spec.trees.items():
        if not isinstance(tree, Leaf):
            named.setdefault(id(tree), name)
    trees = {}
    for name, tree in spec.trees.items():
        nodes: list[dict[str, object]] = []
        order = _parents_first(tree, named)
        index = {id(n): i for i, n in enumerate(order)}
        for node in order:
            if node is not tree and id(node) in named:
                nodes.append({"tree": named[id(node)]})
            elif isinstance(node, Leaf):
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
        "outcomes": [{"name": o, "features": {k: spec_number(v)
                                              for k, v in spec.features[o].items()}}
                     for o in spec.outcomes],
        "parameters": [{"name": p.name, "low": spec_number(p.low), "high": spec_number(p.high),
                        "low_open": p.low_open, "high_open": p.high_open}
                       for p in spec.parameters.values()],
        "trees": trees,
        "utilities": {name: {o: spec_number(v) for o, v in u.items()}
                      for name, u in spec.utilities.items()},
        "classes": {name: c.source for name, c in spec.classes.items()},
        "distributions": {name: law.source() for name, law in spec.distributions.items()},
        **({"mdps": {name: mdp_source(m) for name, m in spec.mdps.items()}} if spec.mdps else {}),
        "statements": [s.text for s in spec.statements],
    }


def _parents_first(tree: Node, named: Mapping[int, str]) -> list[Node]:
    """The tree's distinct nodes, parents before children, not looking below a node that is
    the root of another named tree."""
    def other_tree(node: Node) -> bool:
        return node is not tree and id(node) in named

    return list(reversed(postorder(tree, other_tree)))


def mdp_source(mdp: MDP) -> str:
    """An mdp block's body on one line: ``{ gamma = 9/10 start = s0 s0: choice { … } … }``."""
    parts = [f"gamma = {spec_number(mdp.gamma)}", f"start = {mdp.start}"]
    if mdp.horizon is not None:
        parts.append(f"horizon = {mdp.horizon}")
    for state in mdp.states:
        if state in mdp.absorbing:
            parts.append(f"{state}: absorbing")
            continue
        edges = []
        for action, transition in mdp.actions[state]:
            target = transition[0][1] if len(transition) == 1 else "chance { " + ", ".join(
                f"{spec_number(p)}: {t}" for p, t in transition) + " }"
            edges.append(f'"{label(action)}": {target}')
        parts.append(f"{state}: choice {{ {', '.join(edges)} }}")
    return "{ " + " ".join(parts) + " }"


def spec_number(value: Any) -> str:
    """An exact number or parameter expression written in the spec language."""
    if isinstance(value, Fraction):
        return number_text(value)
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):  # type: ignore[misc]  # sympy is untyped (its classes are Any)
        def _print_Integer(self, expr: Any) -> str:
            return number_text(Fraction(int(expr.p)))

        def _print_Rational(self, expr: Any) -> str:
            return number_text(Fraction(int(expr.p), int(expr.q)))

        def _print_Pow(self, expr: Any, rational: bool = False) -> str:
            # the language has no power: a product, always in parentheses, because sympy
            # prints h/g**2 by writing the denominator g**2 after a bare "/"
            base, exponent = expr.args
            if exponent.is_Integer and exponent > 0:
                return "(" + "*".join([self.parenthesize(base, 60)] * int(exponent)) + ")"
            if exponent.is_Integer and exponent < 0:
                return "(1/(" + "*".join([self.parenthesize(base, 60)] * int(-exponent)) + "))"
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
                                          "utilities", "classes", "distributions", "mdps",
                                          "statements"},
                   {"format", "version", "outcomes"})
    _require(body["format"] == FORMAT and type(body["version"]) is int and body["version"] == 1,
             "document",
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
    # a helper tree's name must not be one the document uses (an outcome `t__1`, say)
    taken = {str(item.get("name")) for item in [*body["outcomes"], *parameters]
             if isinstance(item, dict)}
    for section in ("trees", "utilities", "classes", "distributions", "mdps"):
        if isinstance(body.get(section), dict):
            taken.update(str(key) for key in body[section])
    lines.extend(_trees_text({_name(name, "trees"): tree for name, tree in trees.items()},
                             UniqueNames(taken)))
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
    mdps = body.get("mdps", {})
    _require(isinstance(mdps, dict), "mdps", "expected an object")
    for name, source in mdps.items():
        where = f"mdps.{name}"
        shape = "an mdp is its block on one line, like \"{ gamma = 9/10 start = s0 s0: absorbing }\""
        _require(isinstance(source, str) and "\n" not in source, where, shape)
        lines.append((_one_item(f"mdp {_name(name, 'mdps')} {source}", MDPDecl, where, shape),
                      where))
    statements = body.get("statements", [])
    _require(isinstance(statements, list), "statements", "expected a list")
    for n, statement in enumerate(statements):
        where = f"statements[{n}]"
        shape = "a statement is one line of the spec language starting with query, claim or search"
        _require(isinstance(statement, str) and "\n" not in statement, where, shape)
        lines.append((_one_item(statement, (Query, Claim, Search), where, shape), where))
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


MAX_INLINE_DEPTH = 40  # deeper single-use subtrees get a helper name: no deep nesting
# a tree this small once shared subtrees are repeated is written out whole, with no helper
# trees: a spec read back has the trees it was exported with
MAX_INLINE_NODES = 10_000


def _trees_text(trees: dict[str, Any], names: UniqueNames) -> list[tuple[str, str]]:
    """Spec text for the trees. A subtree equal to another named tree is called by that name
    (a spec exported with shared trees reads back with its own names); a subtree used once is
    written in place, and so is a shared one when the whole tree stays small written out
    (MAX_INLINE_NODES); otherwise a shared subtree becomes a helper tree ``name__i`` (or,
    when the document uses that name, one that ``names`` hands out)."""
    table: dict[tuple[str, tuple[tuple[str, int], ...]], int] = {}  # equal subtrees, one id
    parsed = {name: _tree_nodes(name, tree, table, trees) for name, tree in trees.items()}
    called: dict[int, str] = {}
    for name, (nodes, keys) in parsed.items():
        if nodes[0][0] != "leaf":
            called.setdefault(keys[0], name)
    lines: list[tuple[str, str]] = []
    for name, (nodes, keys) in parsed.items():
        lines.extend(_tree_lines(name, nodes, keys, called, names))
    return lines


def _tree_nodes(name: str, tree: Any, table: dict[tuple[str, tuple[tuple[str, int], ...]], int],
                trees: Collection[str]) -> tuple[list[tuple[str, list[tuple[str, int]]]], list[int]]:
    """Each node as (kind, [(label or probability text, child index or -1 for a leaf)]) with
    the outcome for a leaf in the label, and a key (from ``table``) that equal subtrees share."""
    where = f"trees.{name}"
    raw = _fields(tree, where, {"nodes"}, {"nodes"})["nodes"]
    _require(isinstance(raw, list) and bool(raw), where, "nodes must be a non-empty list")
    nodes: list[tuple[str, list[tuple[str, int]]]] = []
    for i, node in enumerate(raw):
        here = f"{where}.nodes[{i}]"
        _require(isinstance(node, dict) and len(node) == 1, here, "expected leaf, choice or chance")
        (kind, body), = node.items()
        if kind == "leaf":
            nodes.append(("leaf", [(_name(body, here), -1)]))
            continue
        if kind == "tree":  # another tree of the document, by name
            _require(i > 0 and isinstance(body, str) and body in trees and body != name, here,
                     "a tree node names another tree of the document, below the root")
            nodes.append(("tree", [(body, -1)]))
            continue
        _require(kind in ("choice", "chance") and isinstance(body, list), here,
                 "expected leaf, choice or chance")
        entries = []
        for entry in body:
            index = entry.get("child") if isinstance(entry, dict) else None
            if not (isinstance(index, int) and not isinstance(index, bool)
                    and i < index < len(raw)):
                _refuse(here, "children are later nodes, by index")
            text = _label(entry, here) if kind == "choice" else \
                _number(entry.get("probability") if isinstance(entry, dict) else None, here)
            entries.append((text, index))
        nodes.append((kind, entries))
    keys = [0] * len(nodes)
    for i in reversed(range(len(nodes))):
        kind, entries = nodes[i]
        shape = (kind, tuple((text, keys[child] if child >= 0 else -1) for text, child in entries))
        keys[i] = table.setdefault(shape, len(table))
    return nodes, keys


def _tree_lines(name: str, nodes: list[tuple[str, list[tuple[str, int]]]], keys: list[int],
                called: dict[int, str], names: UniqueNames) -> list[tuple[str, str]]:
    """The tree's declaration (and helpers), one node per line so that a problem in a node
    is placed at that node of the JSON file."""
    where = f"trees.{name}"
    uses = [0] * len(nodes)
    for _, entries in nodes:
        for _, child in entries:
            if child >= 0:
                uses[child] += 1
    expanded = [1] * len(nodes)  # nodes once shared subtrees are repeated (capped)
    for i in reversed(range(len(nodes))):
        expanded[i] = min(MAX_INLINE_NODES + 1, 1 + sum(expanded[child]
                                                        for _, child in nodes[i][1] if child >= 0))
    share = expanded[0] > MAX_INLINE_NODES
    depth = [0] * len(nodes)
    texts: list[list[tuple[str, str]]] = [[] for _ in nodes]  # (line, JSON place) of each node
    helpers: list[tuple[str, str]] = []
    for i in reversed(range(len(nodes))):
        kind, entries = nodes[i]
        here = f"{where}.nodes[{i}]"
        if kind in ("leaf", "tree"):  # an outcome, or another tree, by name
            texts[i] = [(entries[0][0], here)]
            continue
        written = [(f"{kind} {{", here)]
        for position, (text, child) in enumerate(entries):
            label = f'"{text}":' if kind == "choice" else f"{text}:"
            # the label or probability on its own line, placed at this node: a problem in it
            # (1/(1-1)) is this node's, not its child's
            part = [(label, here), *texts[child]]
            if position < len(entries) - 1:
                part[-1] = (part[-1][0] + ",", part[-1][1])
            written += part
        written[-1] = (written[-1][0] + " }", written[-1][1])
        depth[i] = 1 + max((depth[child] for _, child in entries), default=0)
        other = called.get(keys[i])
        if i > 0 and other is not None and other != name:
            texts[i], depth[i] = [(other, here)], 0
        elif i > 0 and ((share and uses[i] > 1) or depth[i] > MAX_INLINE_DEPTH):
            helper = names(f"{name}__{i}")
            helpers.append((f"tree {helper} = {written[0][0]}", written[0][1]))
            helpers.extend(written[1:])
            texts[i], depth[i] = [(helper, here)], 0
        else:
            texts[i] = written
    first, *rest = texts[0]
    return [(f"tree {name} = {first[0]}", first[1] if len(texts[0]) > 1 else where), *rest,
            *helpers]


def _label(entry: Any, where: str) -> str:
    text = entry.get("action") if isinstance(entry, dict) else None
    if not (isinstance(text, str) and text == label(text)):
        _refuse(where, "an action is a string without quotes, control characters or "
                       "bidirectional controls")
    return text
