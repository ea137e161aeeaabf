"""The figure that explains why two trees do not compare: both trees side by side under a
witness utility function, with both values and optimal actions, and a caption."""

from __future__ import annotations

from decisiontrees.analyses.relations import compare
from decisiontrees.errors import ArgumentError, DecisionTreesError
from decisiontrees.model.classes import unit_box
from decisiontrees.model.spec import Spec
from decisiontrees.questions.base import utility_text
from decisiontrees.render.dot import to_dot_pair


def explanation(spec: Spec, left_name: str, right_name: str, class_name: str | None = None) -> str:
    """DOT text of the explain figure for two trees of ``spec`` (a witness must exist)."""
    left, right = spec.tree(left_name), spec.tree(right_name)
    if class_name is not None and class_name not in spec.classes:
        raise ArgumentError(f"render: no utility class `{class_name}`")
    utility_class = spec.classes[class_name] if class_name else unit_box(spec.outcomes)
    outcome, forward, backward = compare(left, right, utility_class, outcomes=spec.outcomes)
    verdict = forward if forward.witness is not None else backward
    if verdict.witness is None:
        state = outcome or "undecided (a solver gave up)"
        raise DecisionTreesError(f"render --explain: nothing to explain, the trees are {state}")
    witness = verdict.witness
    worse, better = (left_name, right_name) if verdict is forward else (right_name, left_name)
    caption = (f"{outcome}: under u = {utility_text(witness.utility)}, V({worse}) = "
               f"{witness.left_value} < V({better}) = {witness.right_value}")
    return to_dot_pair(left, left_name, right, right_name, witness.utility, caption)
