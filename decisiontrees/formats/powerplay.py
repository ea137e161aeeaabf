"""POWERplay MDP graphs (Graphviz ``.gv``) as an ``mdp`` block.

POWERplay (Gladstone AI's POWER estimator) stores an MDP as a directed graph in two forms:

* deterministic: one node per state, and an edge ``s -> t`` for each action (the action that
  moves from ``s`` to ``t``); Turner et al.'s Figure 1 ships this way;
* stochastic: a state ``[s]`` has edges to action nodes ``[a]__[s]``, and each action node has
  ``weight="p"`` edges to outcome nodes ``[t]__[a]__[s]``, meaning "to state ``[t]`` with
  probability p".

The file has no discount, so the block's ``gamma`` is a parameter in (0, 1) (fix it with
``--param gamma=9/10``). The start is the first state declared; states the start cannot
reach are left out (a comment lists them). Names are made safe (formats/common.py): ``[3]``
becomes ``s3``, ``(0, 1)`` ``s0_1``, a name with letters outside ASCII ``s<k>`` (k: its
place in the order reached), and a comment maps every name back.
Weights must be decimal numbers; each action's weights must sum to exactly 1.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from fractions import Fraction

from decisiontrees import limits
from decisiontrees.errors import SpecError
from decisiontrees.formats.common import UniqueNames, comment, diagnostic_at, identifier
from decisiontrees.language.numbers import exact_number, number_text
from decisiontrees.language.syntax import MAX_NUMBER_DIGITS

MAX_GV_STATEMENTS = 50_000  # a chain of as many states imports and loads in about 8 s
_HEADER = re.compile(r'\s*(?:strict\s+)?digraph\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w]*))?\s*\{',
                     re.S)
_NAME = r'"(?:[^"\\]|\\.)*"|(?:[A-Za-z_0-9.]|-(?!>))+'  # `a->b`: the arrow is no part of `a`
_STATEMENT = re.compile(
    rf'\s*(?P<left>{_NAME})\s*(?:->\s*(?P<right>{_NAME}))?\s*'
    r'(?:\[\s*(?P<attributes>[^\]]*)\])?\s*;?', re.S)
_ATTRIBUTE = re.compile(r'\s*([A-Za-z_]\w*)\s*=\s*(?:"([^"]*)"|([^\s,;"]+))\s*,?')
_BLANK = re.compile(r"\s+")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?([eE]-?[0-9]{1,3})?")


@dataclass
class _Graph:
    title: str
    nodes: list[str] = field(default_factory=list)
    edges: dict[str, list[tuple[str, Fraction | None, int]]] = field(default_factory=dict)


def _unquote(name: str) -> str:
    if name.startswith('"'):
        return re.sub(r'\\(.)', r'\1', name[1:-1])
    return name


def _error(text: str, path: str, offset: int, message: str, hint: str | None = None
           ) -> SpecError:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return SpecError([diagnostic_at(text, path, line, column, message, hint)])


# a quoted name is matched first, so `//` or `/*` inside one (`"http://x"`) is not a comment
_COMMENT_OR_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/', re.S)


def _blank_comment(match: re.Match[str]) -> str:
    """A comment as spaces (its line breaks kept, so later errors keep their lines)."""
    found = match.group()
    return found if found.startswith('"') else re.sub(r"[^\n]", " ", found)


def _read(text: str, path: str) -> _Graph:
    text = _COMMENT_OR_QUOTED.sub(_blank_comment, text)
    header = _HEADER.match(text)
    if header is None:
        raise _error(text, path, len(text) - len(text.lstrip()), "not a Graphviz digraph",
                     "a POWERplay MDP starts with `digraph \"name\" {` or `strict digraph {`")
    graph = _Graph(_unquote(header.group(1) or "") if header.group(1) is not None
                   else header.group(2) or "")
    position = header.end()
    count = 0
    while True:
        blank = _BLANK.match(text, position)
        start = blank.end() if blank else position
        if text.startswith("}", start):
            if text[start + 1:].strip():
                raise _error(text, path, start + 1, "text after the graph's closing `}`")
            return graph
        match = _STATEMENT.match(text, position)
        if match is None or start >= len(text) or match.end() == position:
            raise _error(text, path, start, "expected a node `\"name\";`, an edge "
                         "`\"a\" -> \"b\";` or the closing `}`",
                         "graph, node and subgraph attributes are not part of a POWERplay MDP")
        count += 1
        if count > MAX_GV_STATEMENTS:
            raise _error(text, path, position, f"more than {MAX_GV_STATEMENTS:,} statements",
                         "POWERplay's graphs of gridworlds have a few hundred states; a larger "
                         "mdp can be written as an `mdp` block")
        if count % 1024 == 0:
            limits.check("reading a POWERplay graph")
        position = match.end()
        raw = match.group("left")
        if match.group("right") is None and match.group("attributes") is not None \
                and raw in ("graph", "node", "edge"):
            continue  # default attributes (unquoted keywords), not a state
        left = _unquote(raw)
        if left not in graph.edges:
            graph.nodes.append(left)
            graph.edges[left] = []
        if match.group("right") is not None:
            right = _unquote(match.group("right"))
            if right not in graph.edges:
                graph.nodes.append(right)
                graph.edges[right] = []
            weight = None
            for name, quoted, bare in _ATTRIBUTE.findall(match.group("attributes") or ""):
                value = quoted if quoted else bare
                if name == "weight":
                    weight = exact_number(value) if _DECIMAL.fullmatch(value) else None
                    if weight is None:
                        raise _error(text, path, match.start("attributes"),
                                     f"the weight `{comment(value[:40])}` is not a decimal number "
                                     f"(of at most {MAX_NUMBER_DIGITS} digits)")
            graph.edges[left].append((right, weight, match.start("left")))


@dataclass
class _State:
    actions: list[tuple[str, list[tuple[Fraction, str]]]]  # (action, [(p, next state)])


def _structure(graph: _Graph, text: str, path: str) -> dict[str, _State]:
    """Each state's actions, from either of POWERplay's two forms."""
    stochastic = any(w is not None for edges in graph.edges.values() for _, w, _ in edges)
    states: dict[str, _State] = {}
    if not stochastic:
        for node in graph.nodes:
            states[node] = _State([(target, [(Fraction(1), target)])
                                   for target, _, _ in graph.edges[node]])
        return states
    for node in graph.nodes:
        if "__" in node:
            continue
        actions = []
        for action_node, weight, offset in graph.edges[node]:
            if weight is not None or not action_node.endswith("__" + node):
                raise _error(text, path, offset, f"`{comment(node)}` -> "
                             f"`{comment(action_node)}` is not an edge to an action node "
                             f"`[a]__{comment(node)}` of a stochastic POWERplay MDP")
            moves: dict[str, Fraction] = {}
            for outcome, p, at in graph.edges[action_node]:
                target = outcome.split("__", 1)[0]
                if p is None or target not in graph.edges or "__" in target:
                    raise _error(text, path, at, f"`{comment(action_node)}` -> "
                                 f"`{comment(outcome)}` needs a weight and an outcome node "
                                 "`[t]__[a]__[s]` naming a state `[t]`")
                moves[target] = moves.get(target, Fraction(0)) + p
            if sum(moves.values()) != 1:
                raise _error(text, path, offset, f"the weights of action "
                             f"`{comment(action_node)}` sum to {sum(moves.values())}, not 1")
            action = action_node[: -len("__" + node)]
            actions.append((action, [(p, t) for t, p in moves.items() if p]))
        states[node] = _State(actions)
    return states


def _state_name(state: str, k: int) -> str:
    """``s<k>`` for a name with letters outside ASCII (identifiers would lose them); ``[3]``
    and ``(0, 1)`` become ``s3`` and ``s0_1``."""
    if not state.isascii():
        return f"s{k}"
    cleaned = re.sub(r"\W+", "_", state, flags=re.ASCII).strip("_")
    return identifier("s" + cleaned if cleaned[:1].isdigit() else cleaned, f"s{k}")


def gv_to_spec_text(text: str, path: str) -> str:
    """An ``mdp`` block (with its discount parameter) for a POWERplay ``.gv`` file."""
    graph = _read(text, path)
    states = _structure(graph, text, path)
    if not states:
        raise _error(text, path, 0, "the graph has no states")
    start = next(iter(states))
    reached = [start]
    seen = {start}
    for state in reached:
        limits.check("following a POWERplay graph from its start")
        for _, moves in states[state].actions:
            for _, target in moves:
                if target not in seen:
                    seen.add(target)
                    reached.append(target)
    names: dict[str, str] = {}
    fresh = UniqueNames({"gamma"})
    for k, state in enumerate(reached):
        names[state] = fresh(_state_name(state, k))
    block = fresh(identifier(os.path.splitext(os.path.basename(path))[0], "powerplay"))
    lines = [f"# Imported from the POWERplay graph {comment(repr(graph.title))}: "
             "the file has no discount, so gamma is a parameter (fix it with --param gamma=…)."]
    lines += [f"# state {names[s]} = {comment(s)}" for s in reached if names[s] != s]
    left_out = [s for s in states if s not in names]
    if left_out:
        lines.append("# left out, unreachable from the start: " +
                     comment(", ".join(left_out)))
    lines += ["param gamma in (0, 1)", f"mdp {block} {{", "    gamma = gamma",
              f"    start = {names[start]}"]
    for state in reached:
        actions = states[state].actions
        if not actions:
            lines.append(f"    {names[state]}: absorbing")
            continue
        written = []
        action_name = UniqueNames()  # action names at this state
        for action, moves in actions:
            name = action_name(names[action] if action in names
                               else identifier(action.strip("[]"), "move"))
            if len(moves) == 1:
                written.append(f"{name}: {names[moves[0][1]]}")
            else:
                written.append(f"{name}: chance {{ " + ", ".join(
                    f"{number_text(p)}: {names[t]}" for p, t in moves) + " }")
        lines.append(f"    {names[state]}: choice {{ " + ", ".join(written) + " }")
    lines.append("}")
    return "\n".join(lines) + "\n"
