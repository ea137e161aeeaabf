"""Trees as LaTeX: a standalone document drawing the tree with the ``forest`` package.

Same notation as the Graphviz diagrams: squares for choices, circles for chance, ◁ for
outcomes, exact probabilities as fractions, and with a utility function the values at
nodes and the optimal actions thick. Shared subtrees are written out (forest draws
trees, not DAGs), up to ``render.UNFOLD_LIMIT`` nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from decisiontrees.analyses.plans import node_values, optimal_actions
from decisiontrees.errors import DecisionTreesError
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node
from decisiontrees.render.dot import UNFOLD_LIMIT

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
            # the mathematics our answers print; a stock pdflatex knows none of it as text
            "∈": r"$\in$", "∪": r"$\cup$", "∅": r"$\emptyset$", "±": r"$\pm$", "σ": r"$\sigma$",
            "≥": r"$\geq$", "≤": r"$\leq$", "≽": r"$\succeq$", "⊊": r"$\subsetneq$", "⊆": r"$\subseteq$",
            "·": r"$\cdot$", "×": r"$\times$", "→": r"$\to$", "φ": r"$\varphi$", "≻": r"$\succ$",
            "—": "---", "–": "--"}

# article and plain TikZ: compiles with TeX Live's base and pictures packages alone
PREAMBLE = r"""\documentclass{article}
\usepackage{tikz}
\pagestyle{empty}
\begin{document}
\noindent
\begin{tikzpicture}[x=2.8cm, y=-0.85cm, >=stealth, every node/.style={font=\small},
  choice/.style={draw, minimum size=1.4em, inner sep=2pt},
  chance/.style={draw, circle, minimum size=1.4em, inner sep=1pt},
  outcome/.style={anchor=west, inner sep=1pt},
  action/.style={font=\scriptsize, midway, above, sloped}]
"""


def latex_text(text: str) -> str:
    """``text`` with LaTeX's special characters escaped; letters beyond Latin (which a stock
    pdflatex cannot typeset) become their code points."""
    return "".join(_SPECIAL.get(char, char if ord(char) < 0x250 else f"[U+{ord(char):04X}]")
                   for char in text)


def number(value: object) -> str:
    """An exact number in math mode: ``$\\frac{2}{3}$``, ``$-1$``; others as escaped text."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return f"${value.numerator}$"
        sign = "-" if value < 0 else ""
        return f"${sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}$"
    return latex_text(str(value))


def to_tikz(tree: Node, utility: Mapping[str, Fraction] | None = None) -> str:
    """A LaTeX document drawing ``tree`` left to right (the picture alone is between
    ``\\begin{tikzpicture}`` and ``\\end{tikzpicture}``, for pasting into a paper)."""
    values = node_values(tree, utility) if utility is not None else None
    # the written-out tree, children after parents: (node, parent index, edge index, depth)
    occurrences: list[tuple[Node, int, int, int]] = []
    stack = [(tree, -1, -1, 0)]
    while stack:
        node, parent, k, depth = stack.pop()
        occurrences.append((node, parent, k, depth))
        if len(occurrences) > UNFOLD_LIMIT:
            raise DecisionTreesError(f"render: the written-out tree has more than {UNFOLD_LIMIT} "
                                     "nodes; draw it with Graphviz, which draws shared subtrees once")
        here = len(occurrences) - 1
        for index in reversed(range(len(node.children))):
            stack.append((node.children[index], here, index, depth + 1))
    children: dict[int, list[int]] = {}
    for i, (_, parent, _, _) in enumerate(occurrences):
        children.setdefault(parent, []).append(i)
    row: dict[int, float] = {}
    leaves = 0
    for i in range(len(occurrences)):  # preorder: leaves top to bottom in branch order
        if isinstance(occurrences[i][0], Leaf):
            row[i] = leaves
            leaves += 1
    for i in reversed(range(len(occurrences))):  # children before parents
        if i not in row:
            below = [row[c] for c in children[i]]
            row[i] = (min(below) + max(below)) / 2
    top = min(row.values())
    lines = []
    for i, (node, _, _, depth) in enumerate(occurrences):
        at = f"({depth}, {row[i] - top:g})"
        if isinstance(node, Leaf):
            shown = r"$\triangleleft$ " + latex_text(node.outcome)
            if utility is not None:
                shown += r"\quad $u =$ " + number(Fraction(utility[node.outcome]))
            lines.append(f"\\node[outcome] (n{i}) at {at} {{{shown}}};")
        else:
            style = "choice" if isinstance(node, Choice) else "chance"
            label = number(values[id(node)]) if values is not None else ""
            lines.append(f"\\node[{style}] (n{i}) at {at} {{{label}}};")
    for i, (node, parent, k, _) in enumerate(occurrences):
        if parent < 0:
            continue
        owner = occurrences[parent][0]
        if isinstance(owner, Choice):
            text = latex_text(owner.actions[k])
            best = values is not None and k in optimal_actions(owner, values)
        else:
            assert isinstance(owner, Chance)
            text, best = number(owner.probabilities[k]), False
        target = f"n{i}.west" if isinstance(node, Leaf) else f"n{i}"
        weight = ", very thick" if best else ""
        lines.append(f"\\draw[->{weight}] (n{parent}) -- node[action] {{{text}}} ({target});")
    return PREAMBLE + "\n".join(lines) + "\n\\end{tikzpicture}\n\\end{document}\n"
