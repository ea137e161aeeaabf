"""`switches(t, u)`: where the optimal first action of a tree with one parameter changes,
and the threshold above which it never does (for a discount: Blackwell's γ*)."""

from __future__ import annotations

from dataclasses import dataclass

from decisiontrees.analyses import switches as analysis
from decisiontrees.errors import Unsupported
from decisiontrees.model.nodes import Choice
from decisiontrees.model.spec import Question, TreeArg, UtilityArg
from decisiontrees.model.symbols import free_parameters
from decisiontrees.questions.base import (
    JSON,
    Answer,
    Arguments,
    Context,
    Evidence,
    Family,
    Kind,
    Shape,
    Signature,
    refused,
)


@dataclass(frozen=True)
class SwitchesQuestion(Question):
    tree: TreeArg
    utility: UtilityArg


@dataclass(frozen=True)
class SwitchEvidence(Evidence):
    found: analysis.Switches

    def lines(self) -> tuple[str, ...]:
        shown = [f"optimal first actions {{{', '.join(s.actions)}}} for "
                 f"{self.found.parameter} ∈ ({s.low}, {s.high})" for s in self.found.spans]
        shown += [f"at {self.found.parameter} = {point}: {{{', '.join(actions)}}}"
                  + ("" if exact else " tie (at least these; the point is irrational)")
                  for point, actions, exact in self.found.points]
        threshold = self.found.threshold
        shown.append(("the only value of the parameter" if not self.found.spans else
                      "the same at every other value" if self.found.points else
                      "the same for every value") if threshold is None else
                     f"threshold: above {self.found.parameter} = {threshold} "
                     f"(≈ {float(threshold):.6g}) the optimal first actions never change"
                     + _but_at_the_end(self.found))
        return tuple(shown)

    def to_json(self) -> dict[str, JSON]:
        threshold = self.found.threshold
        return {"parameter": self.found.parameter,
                "spans": [{"low": str(s.low), "high": str(s.high), "actions": list(s.actions)}
                          for s in self.found.spans],
                "points": [{"at": str(p), "actions": list(a), "exact": e}
                           for p, a, e in self.found.points],
                "threshold": None if threshold is None else str(threshold),
                "changed_at_end": None if self.found.changed_at_end is None else
                str(self.found.changed_at_end[0])}


def _but_at_the_end(found: analysis.Switches) -> str:
    end = found.changed_at_end
    return "" if end is None else \
        f", except at the end {found.parameter} = {end[0]} ({{{', '.join(end[1])}}})"


class Switches(Family):
    name = "switches"
    signature = Signature((Kind.TREE, Kind.UTILITY), Shape.LISTING, symbolic_ok=True)

    def make(self, arguments: Arguments) -> Question:
        assert arguments.utility is not None
        return SwitchesQuestion(arguments.tree, arguments.utility)

    def problems(self, question: Question) -> list[tuple[str, str | None]]:
        assert isinstance(question, SwitchesQuestion)
        if not isinstance(question.tree.node, Choice):
            return [(f"switches() asks about the first choice of `{question.tree.name}`, which "
                     "does not start with a choice", None)]
        names = sorted(free_parameters(question.tree.node))
        if len(names) != 1:
            return [(f"switches() follows one parameter; `{question.tree.name}` has "
                     + (", ".join(names) if names else "none"),
                     "give the others values, e.g. p = 1/2" if names else
                     "its lotteries do not depend on the mdp's discount: ask optimal() at "
                     "any value" if question.tree.mdp is not None else
                     "declare one with `param p in (0, 1)` and use it in the tree")]
        return []

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, SwitchesQuestion)
        root = question.tree.node
        assert isinstance(root, Choice)
        (name,) = sorted(free_parameters(root))
        try:
            found = analysis.switches(root, question.utility.values,
                                      context.spec.parameters[name])
        except Unsupported as problem:
            return refused(f"{problem}; give {name} a value")
        threshold = found.threshold
        summary = found.text() + ("" if threshold is None else
                                  f"; fixed above {found.parameter} = {threshold}"
                                  + _but_at_the_end(found))
        return Answer(summary, {"switches": found.text(),
                                "threshold": None if threshold is None else str(threshold)},
                      SwitchEvidence(found))


FAMILIES: tuple[Family, ...] = (Switches(),)
