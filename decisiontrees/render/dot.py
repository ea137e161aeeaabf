"""Trees as Graphviz diagrams: a pure function to DOT text, and a thin call to ``dot``.

Decision-analysis notation, laid out left to right: squares for choice nodes, circles for
chance nodes, triangles for outcomes; action labels and exact probabilities on the edges.
With a utility function, every node shows its value, outcomes show their utility, and
the optimal actions (all of them, when tied) are drawn bold. A subtree shared by several
parents is drawn once unless ``unfold`` is asked for.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from decisiontrees.errors import DecisionTreesError
from decisiontrees.evidence.checks import topological_order
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, Parameter
from decisiontrees.render.marks import Marks, marks

FORMATS = ("svg", "pdf", "png", "dot", "tex")
UNFOLD_LIMIT = 2_000
MAX_QUOTED_BYTES = 16_384  # Graphviz's scanner refuses a quoted string this long
INSTALL_HINT = "install Graphviz to render it (Debian: apt-get install graphviz)"


def _quote(*lines: str) -> str:
    """A DOT string of ``lines`` (escaped; a control character, which no SVG may hold,
    shown as U+FFFD; ``&`` as ``&amp;``, since Graphviz reads ``&…;`` in a label as an
    entity, so ``x&lt;y`` would be drawn as ``x<y`` and ``&#x202E;`` as a bidi control; any
    other character, a non-breaking space too, as it is), separated by DOT's line breaks."""
    escaped = ["".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in line)
               .replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
               for line in lines]
    quoted = '"' + "\\n".join(escaped) + '"'
    if len(quoted.encode("utf-8")) >= MAX_QUOTED_BYTES:
        raise DecisionTreesError(f"render: a label of {sum(map(len, lines)):,} characters is "
                                 "longer than Graphviz can read (its quoted strings hold fewer "
                                 f"than {MAX_QUOTED_BYTES:,} bytes); shorten it in the spec")
    return quoted


def to_dot(tree: Node, name: str = "tree", utility: Mapping[str, Fraction] | None = None,
           unfold: bool = False, parameters: Mapping[str, Parameter] | None = None) -> str:
    """The tree as DOT text (deterministic, so it can be compared with saved output), drawn
    left to right; ``parameters`` are the domains of a parametric tree's parameters.

    >>> from decisiontrees.model.nodes import choice
    >>> print(to_dot(choice({"stay": "home"}), "t").splitlines()[0])
    digraph "t" {
    """
    shown = marks(tree, utility, parameters) if utility is not None else None
    return "\n".join(_header(name, "LR") + _body(tree, shown, utility, unfold, "", "LR")
                     + ["}"]) + "\n"


@dataclass(frozen=True)
class Panel:
    """One row of a figure: trees side by side under one utility function."""

    caption: str
    utility: Mapping[str, Fraction]


def to_dot_panels(trees: Sequence[tuple[str, Node]], title: str, panels: Sequence[Panel],
                  parameters: Mapping[str, Parameter] | None = None) -> str:
    """Rows of trees drawn top-down side by side (in the order given), one row per panel
    under its caption, each tree headed by its name and value: the figure that explains a
    comparison."""
    # No frames (clusters): inside them dot does not keep children in source order.
    lines = _header(title, "TB")
    lines.append(f"  label={_quote(title)}; labelloc=t;")
    previous_leaves: list[str] = []
    for row, panel in enumerate(panels):
        caption = f"caption{row}"
        lines.append(f"  {caption} [shape=plaintext, fontsize=12, label={_quote(panel.caption)}];")
        lines += [f"  {above} -> {caption} [style=invis, weight=0];" for above in previous_leaves]
        previous_leaves = []
        for column, (name, tree) in enumerate(trees):
            prefix = f"p{row}c{column}_"
            shown = marks(tree, panel.utility, parameters)
            heading = f"{prefix}name"
            lines.append(f"  {heading} [shape=plaintext, fontname=\"Helvetica-Bold\", "
                         f"label={_quote(f'{name}: value {shown.values[id(tree)]}')}];")
            body = _body(tree, shown, panel.utility, False, prefix, "TB")
            root = f"{prefix}t0" if isinstance(tree, Leaf) else f"{prefix}n0"
            lines.append(f"  {caption} -> {heading} [style=invis];")
            lines.append(f"  {heading} -> {root} [style=invis, minlen=0];")  # beside the root
            lines += body
            previous_leaves += [line.split()[0] for line in body
                                if line.startswith(f"  {prefix}t") and "->" not in line]
    return "\n".join(lines + ["}"]) + "\n"


def _header(name: str, direction: str) -> list[str]:
    return [
        f"digraph {_quote(name)} {{",
        f"  rankdir={direction};",
        "  ordering=out;",
        '  graph [fontname="Helvetica", fontsize=12];',
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]


def _body(tree: Node, shown: Marks | None, utility: Mapping[str, Fraction] | None, unfold: bool,
          prefix: str, direction: str) -> list[str]:
    lines: list[str] = []
    if unfold:
        entries = _unfolded(tree)
    else:
        # inner nodes once; every terminal separately, as decision-analysis diagrams do
        order: list[Node] = [n for n in topological_order(tree) if not isinstance(n, Leaf)] or [tree]
        index = {id(node): i for i, node in enumerate(order)}
        entries = []
        leaves: list[tuple[str, Node, list[str]]] = []
        for i, inner in enumerate(order):
            if isinstance(inner, Leaf):  # a one-leaf tree
                leaves.append(("t0", inner, []))
                continue
            targets: list[str] = []
            for below in inner.children:
                if isinstance(below, Leaf):
                    targets.append(f"t{len(leaves)}")
                    leaves.append((f"t{len(leaves)}", below, []))
                else:
                    targets.append(f"n{index[id(below)]}")
            entries.append((f"n{i}", inner, targets))
        entries += leaves
    for ident, node, _ in entries:
        lines.append(f"  {prefix}{ident} [{_node_attributes(node, shown, utility, direction)}];")
    for ident, node, children in entries:
        best = shown.best.get(id(node), frozenset()) if shown is not None else frozenset()
        for k, child in enumerate(children):
            if isinstance(node, Choice):
                label = node.actions[k]
            else:
                assert isinstance(node, Chance)
                label = str(node.probabilities[k])
            style = ", penwidth=2.5" if k in best else ""
            if direction == "LR" and isinstance(node.children[k], Leaf):
                style += ", arrowhead=none, headport=w"  # the outcome's ◁ ends the line
            lines.append(f"  {prefix}{ident} -> {prefix}{child} [label={_quote(label)}{style}];")
    return lines


def _node_attributes(node: Node, shown: Marks | None, utility: Mapping[str, Fraction] | None,
                     direction: str) -> str:
    if isinstance(node, Leaf):
        worth = f"u = {utility[node.outcome]}" if utility is not None else None
        if direction == "LR":
            text = "◁ " + node.outcome + (f"   {worth}" if worth else "")
            return f"shape=plaintext, margin=0.02, label={_quote(text)}"
        return f"shape=plaintext, margin=0.02, label={_quote(node.outcome, *([worth] if worth else []))}"
    value = [str(shown.values[id(node)])] if shown is not None else [""]
    if isinstance(node, Choice):
        return f"shape=square, label={_quote(*value)}"
    return f"shape=circle, label={_quote(*value)}"


def _unfolded(tree: Node) -> list[tuple[str, Node, list[str]]]:
    """Every occurrence of every node, for drawing shared subtrees repeatedly."""
    entries: list[tuple[str, Node, list[str]]] = []
    stack = [(tree, "u0")]
    counter = 1
    while stack:
        node, ident = stack.pop()
        children = []
        for child in node.children:
            child_id = f"u{counter}"
            counter += 1
            children.append(child_id)
            stack.append((child, child_id))
        entries.append((ident, node, children))
        if len(entries) > UNFOLD_LIMIT:
            raise DecisionTreesError(f"render: the unfolded tree has more than {UNFOLD_LIMIT} "
                                     "nodes; draw shared subtrees once instead")
    return sorted(entries, key=lambda e: int(e[0][1:]))


GRAPHVIZ_SECONDS = 300.0  # for one drawing: a tree near MAX_DRAWN_NODES takes about 40 s


def write(dot_text: str, output: str | Path, fmt: str | None = None, dpi: int | None = None,
          seconds: float = GRAPHVIZ_SECONDS) -> str:
    """Write ``dot_text`` rendered in ``fmt``, by default the format ``output``'s suffix names
    (``dpi`` sets the resolution of bitmaps), giving Graphviz ``seconds``.

    Without Graphviz's ``dot`` program, the DOT text is written next to ``output`` and a
    DecisionTreesError says so and how to install it.
    """
    output = Path(output)
    suffix = fmt or output.suffix.lstrip(".").lower()
    if suffix not in FORMATS:
        raise DecisionTreesError(f"render: cannot write `.{suffix}`; use one of "
                                 + ", ".join(f".{f}" for f in FORMATS))
    if suffix == "dot":
        output.write_text(dot_text, encoding="utf-8")
        return str(output)
    program = shutil.which("dot")
    if program is None:
        fallback = output.with_suffix(".dot")
        fallback.write_text(dot_text, encoding="utf-8")
        raise DecisionTreesError(f"render: Graphviz's `dot` program was not found; wrote "
                                 f"{fallback} instead — {INSTALL_HINT}")
    resolution = [f"-Gdpi={dpi}"] if dpi is not None else []
    try:
        result = subprocess.run([program, f"-T{suffix}", *resolution, "-o", str(output)],
                                input=dot_text, text=True, capture_output=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        raise DecisionTreesError(f"render: Graphviz did not finish within {seconds:g} s; give "
                                 "it more with --timeout, or draw a smaller tree") from None
    if result.returncode != 0:
        raise DecisionTreesError(f"render: dot failed: {result.stderr.strip()}")
    return str(output)


def svg(dot_text: str) -> str | None:
    """SVG text rendered by ``dot``, or None when Graphviz is not installed (or does not
    finish within GRAPHVIZ_SECONDS)."""
    program = shutil.which("dot")
    if program is None:
        return None
    try:
        result = subprocess.run([program, "-Tsvg"], input=dot_text, text=True,
                                capture_output=True, timeout=GRAPHVIZ_SECONDS)
    except subprocess.TimeoutExpired:
        return None
    return result.stdout if result.returncode == 0 else None
