"""The figure that explains how two trees compare: both trees side by side (the left tree
on the left) under a witness utility function, one row per direction that fails, with both
values, the optimal actions thick, and the class in the title."""

from __future__ import annotations

from dataclasses import dataclass

from decisiontrees.analyses.relations import Verdict, compare
from decisiontrees.errors import ArgumentError, DecisionTreesError
from decisiontrees.model.classes import unit_box
from decisiontrees.model.nodes import Node, is_symbolic
from decisiontrees.model.spec import Spec
from decisiontrees.model.symbols import free_parameters
from decisiontrees.questions.base import utility_text
from decisiontrees.render.dot import Panel, to_dot_panels
from decisiontrees.render.tikz import to_tikz_panels

_RELATION = {"dominates": "{left} strictly dominates {right}",
             "dominated": "{right} strictly dominates {left}",
             "incomparable": "{left} and {right} are incomparable"}


@dataclass(frozen=True)
class Explanation:
    """Two trees, a title, and one panel per witness."""

    left_name: str
    right_name: str
    left: Node
    right: Node
    title: str
    panels: tuple[Panel, ...]

    def dot(self) -> str:
        return to_dot_panels([(self.left_name, self.left), (self.right_name, self.right)],
                             self.title, self.panels)

    def tikz(self, document: bool = True) -> str:
        return to_tikz_panels([(self.left_name, self.left), (self.right_name, self.right)],
                              self.title, self.panels, document)


def explain(spec: Spec, left_name: str, right_name: str,
            class_name: str | None = None) -> Explanation:
    """The explanation of how two trees of ``spec`` compare over a class (by default every
    utility function with values in [0, 1]); raises when there is nothing to show."""
    left, right = spec.tree(left_name), spec.tree(right_name)
    for name, tree in ((left_name, left), (right_name, right)):
        if is_symbolic(tree):
            needed = ", ".join(sorted(free_parameters(tree)))
            example = " ".join(f"--param {p}=1/2" for p in sorted(free_parameters(tree)))
            raise ArgumentError(f"render --explain: `{name}` has parameters ({needed}); a "
                                f"figure needs their values: add {example}")
    if class_name is not None and class_name not in spec.classes:
        raise ArgumentError(f"render --class: no utility class `{class_name}`")
    utility_class = spec.classes[class_name] if class_name else unit_box(spec.outcomes)
    outcome, forward, backward = compare(left, right, utility_class, outcomes=spec.outcomes)
    if outcome is None:
        raise DecisionTreesError("render --explain: undecided (a solver gave up), so there is "
                                 "no witness to draw")
    if outcome == "equivalent":
        raise DecisionTreesError(f"render --explain: nothing to explain, {left_name} and "
                                 f"{right_name} are equivalent (no utility separates them)")
    over = f"class {class_name}" if class_name else "u ∈ [0, 1]^O"
    title = f"{_RELATION[outcome].format(left=left_name, right=right_name)} ({over})"
    panels = [_panel(verdict, worse, better)
              for verdict, worse, better in ((forward, left_name, right_name),
                                             (backward, right_name, left_name))
              if verdict.witness is not None]
    return Explanation(left_name, right_name, left, right, title, tuple(panels))


def _panel(verdict: Verdict, worse: str, better: str) -> Panel:
    witness = verdict.witness
    assert witness is not None
    caption = (f"under u = {utility_text(witness.utility)}: V({worse}) = {witness.left_value} "
               f"< V({better}) = {witness.right_value}")
    return Panel(caption, witness.utility)
