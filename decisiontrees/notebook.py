"""Jupyter display: trees draw themselves as SVG, results as a table of verdicts.

The hooks are attached here, above the layers they display, so the model and the answers
never import the renderers. ``import decisiontrees`` attaches them the first time the
public API is used (see decisiontrees/__init__.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

from decisiontrees.model.arguments import checked_utility
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node
from decisiontrees.questions.run import Result, Results
from decisiontrees.render.dot import svg, to_dot
from decisiontrees.report import results_html


class Diagram:
    """A tree drawn for Jupyter: notebooks show it as SVG (text without Graphviz).

    >>> from decisiontrees.model.nodes import choice
    >>> Diagram(choice({"stay": "home"}), "t").dot.splitlines()[0]
    'digraph "t" {'
    """

    def __init__(self, tree: Node, name: str = "tree",
                 utility: Mapping[str, Fraction] | None = None) -> None:
        # exact numbers, as value() wants them: never a float's
        node, exact = checked_utility("Diagram", tree, utility)
        self.dot = to_dot(node, name, exact)

    def _repr_svg_(self) -> str | None:
        return svg(self.dot)

    def __repr__(self) -> str:
        return f"<Diagram: {self.dot.splitlines()[0].removesuffix(' {')}>"


def _tree_svg(tree: Node) -> str | None:
    return Diagram(tree)._repr_svg_()


def _result_html(result: Result) -> str:
    return results_html([result])


def _results_html(results: Results) -> str:
    return results_html(results)


# (class, IPython display method, hook): the classes do not declare these methods themselves
_HOOKS: tuple[tuple[type, str, Callable[..., str | None]], ...] = (
    (Leaf, "_repr_svg_", _tree_svg),
    (Choice, "_repr_svg_", _tree_svg),
    (Chance, "_repr_svg_", _tree_svg),
    (Result, "_repr_html_", _result_html),
    (Results, "_repr_html_", _results_html),
)


def install() -> None:
    """Attach the display hooks (idempotent)."""
    for cls, method, hook in _HOOKS:
        setattr(cls, method, hook)


install()
