"""Trees as LaTeX: a standalone document drawing the tree with the ``forest`` package.

Same notation as the Graphviz diagrams: squares for choices, circles for chance, ◁ for
outcomes, exact probabilities as fractions, and with a utility function the values at
nodes and the optimal actions thick. Shared subtrees are written out (forest draws
trees, not DAGs), up to ``render.UNFOLD_LIMIT`` nodes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from fractions import Fraction

from decisiontrees.errors import DecisionTreesError
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, Parameter
from decisiontrees.render.dot import UNFOLD_LIMIT, Panel
from decisiontrees.render.marks import Marks, marks

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
            # the mathematics our answers print; a stock pdflatex knows none of it as text
            "∈": r"$\in$", "∪": r"$\cup$", "∅": r"$\emptyset$", "±": r"$\pm$", "σ": r"$\sigma$",
            "≥": r"$\geq$", "≤": r"$\leq$", "≽": r"$\succeq$", "⊊": r"$\subsetneq$", "⊆": r"$\subseteq$",
            "·": r"$\cdot$", "×": r"$\times$", "→": r"$\to$", "φ": r"$\varphi$", "≻": r"$\succ$",
            "—": "---", "–": "--", "<": r"$<$", ">": r"$>$", "|": r"$|$",
            "…": r"\ldots{}"}

# article and plain TikZ: compiles with TeX Live's base and pictures packages alone
DOCUMENT_START = r"""\documentclass{article}
\usepackage{tikz}
\pagestyle{empty}
\begin{document}
\noindent
"""
DOCUMENT_END = "\\end{document}\n"
PICTURE_START = r"""\begin{tikzpicture}[x=2.8cm, y=-0.85cm, >=stealth, every node/.style={font=\small},
  choice/.style={draw, minimum size=1.4em, inner sep=2pt},
  chance/.style={draw, circle, minimum size=1.4em, inner sep=1pt},
  outcome/.style={anchor=west, inner sep=1pt},
  action/.style={font=\scriptsize, midway, above, sloped}]
"""
PICTURE_END = "\\end{tikzpicture}\n"


def _greek() -> dict[str, str]:
    """Greek letters as math-mode LaTeX; capitals without a command of their own (they look
    Latin) as the Latin letter."""
    capitals = {"gamma", "delta", "theta", "lambda", "xi", "pi", "sigma", "upsilon", "phi",
                "psi", "omega"}
    latin = {"alpha": "A", "beta": "B", "epsilon": "E", "zeta": "Z", "eta": "H", "iota": "I",
             "kappa": "K", "mu": "M", "nu": "N", "omicron": "O", "rho": "P", "tau": "T",
             "chi": "X"}
    letters = {}
    for code in range(0x391, 0x3CA):
        name = unicodedata.name(chr(code), "")
        word = name.rsplit(" ", 1)[-1].lower().replace("lamda", "lambda")  # Unicode spells it so
        if name == "GREEK SMALL LETTER FINAL SIGMA":
            letters[chr(code)] = r"$\varsigma$"
        elif len(name.split()) != 4:  # accented: left to the code-point fallback
            continue
        elif name.startswith("GREEK SMALL LETTER"):
            letters[chr(code)] = "o" if word == "omicron" else f"$\\{word}$"
        elif name.startswith("GREEK CAPITAL LETTER"):
            letters[chr(code)] = f"$\\{word.capitalize()}$" if word in capitals else latin[word]
    return letters


_SPECIAL.update(_greek())
_SPECIAL.update({"≈": r"$\approx$", "≠": r"$\neq$", "∞": r"$\infty$", "∩": r"$\cap$",
                 "⊂": r"$\subset$", "⊃": r"$\supset$", "⊇": r"$\supseteq$", "⊋": r"$\supsetneq$",
                 "¬": r"$\neg$", "∧": r"$\wedge$", "∨": r"$\vee$", "∀": r"$\forall$",
                 "∃": r"$\exists$", "←": r"$\leftarrow$", "↦": r"$\mapsto$", "⇒": r"$\Rightarrow$",
                 "−": "$-$", "′": "$'$", "∑": r"$\sum$", "∏": r"$\prod$", "√": r"$\surd$",
                 "‹": r"$\langle$", "›": r"$\rangle$", "“": "``", "”": "''",
                 "‘": "`", "’": "'"})
# TeX's fonts join these pairs into one glyph (an en dash, curly quotes, ¡, ¿, „): a label's
# own `x--y` must not print as `x–y` does
_LIGATURES = frozenset({"--", "``", "''", "!`", "?`", ",,"})


def latex_text(text: str) -> str:
    """``text`` with LaTeX's special characters escaped and the mathematics and Greek our
    users write in math mode; other characters beyond Latin (which a stock pdflatex cannot
    typeset) become their code points, ``(U+0393)``."""
    out = ""
    for char in text:
        piece = _SPECIAL.get(char, char if char.isprintable() and ord(char) < 0x250
                             else f"(U+{ord(char):04X})")
        if out and out[-1] + piece[0] in _LIGATURES:  # as TeX reads the text written
            out += "{}"
        out += piece
    return out


def number(value: object) -> str:
    """An exact number or an expression in the parameters in math mode: ``$\\frac{2}{3}$``,
    ``$1 - p$``; anything else as escaped text."""
    if isinstance(value, int):
        value = Fraction(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return f"${value.numerator}$"
        sign = "-" if value < 0 else ""
        return f"${sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}$"
    if getattr(value, "free_symbols", None) or getattr(value, "is_Number", False):
        import sympy

        return f"${sympy.latex(value)}$"  # our own expressions: parameter names are identifiers
    return latex_text(str(value))


def to_tikz(tree: Node, utility: Mapping[str, Fraction] | None = None,
            parameters: Mapping[str, Parameter] | None = None, document: bool = True) -> str:
    """LaTeX drawing ``tree`` left to right: a whole document, or with ``document=False`` the
    ``tikzpicture`` alone, to ``\\input`` into a paper that loads ``tikz``."""
    picture = tikz_picture(tree, marks(tree, utility, parameters) if utility else None, utility)
    return DOCUMENT_START + picture + DOCUMENT_END if document else picture


def to_tikz_panels(trees: Sequence[tuple[str, Node]], title: str, panels: Sequence[Panel],
                   document: bool = True, parameters: Mapping[str, Parameter] | None = None
                   ) -> str:
    """The trees side by side, one row per panel with its caption, under a title: a table of
    pictures, in a whole document unless ``document=False``."""
    columns = "@{}" + "@{\\qquad}".join("c" for _ in trees) + "@{}"
    rows = [f"\\textbf{{{latex_text(title)}}}\\par\\medskip", ""]
    for panel in panels:
        rows.append(f"{latex_text(panel.caption)}\\par\\smallskip")
        rows.append(f"\\begin{{tabular}}{{{columns}}}")
        cells, pictures = [], []
        for name, tree in trees:
            shown = marks(tree, panel.utility, parameters)
            cells.append(f"{latex_text(name)}: value {number(shown.values[id(tree)])}")
            pictures.append(tikz_picture(tree, shown, panel.utility).rstrip())
        rows.append(" & ".join(cells) + " \\\\[2pt]")
        rows.append("\n&\n".join(pictures) + " \\\\")
        rows.append("\\end{tabular}\\par\\bigskip")
        rows.append("")
    body = "\n".join(rows)
    return DOCUMENT_START + body + DOCUMENT_END if document else body


def tikz_picture(tree: Node, shown: Marks | None, utility: Mapping[str, Fraction] | None
                 ) -> str:
    """The ``tikzpicture`` of ``tree``, with values and thick actions from ``shown``."""
    values = shown.values if shown is not None else None
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
            text = r"$\triangleleft$ " + latex_text(node.outcome)
            if utility is not None:
                text += r"\quad $u =$ " + number(Fraction(utility[node.outcome]))
            lines.append(f"\\node[outcome] (n{i}) at {at} {{{text}}};")
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
            best = shown is not None and k in shown.best.get(id(owner), frozenset())
        else:
            assert isinstance(owner, Chance)
            text, best = number(owner.probabilities[k]), False
        # into an outcome the line ends at its ◁, without an arrowhead (as in the diagrams)
        target = f"n{i}.west" if isinstance(node, Leaf) else f"n{i}"
        style = ",".join(([] if isinstance(node, Leaf) else ["->"]) + (["very thick"] if best else []))
        lines.append(f"\\draw[{style}] (n{parent}) -- node[action] {{{text}}} ({target});")
    return PICTURE_START + "\n".join(lines) + "\n" + PICTURE_END
