"""`mdp_power(m.s)`: Turner et al.'s POWER of a state of an mdp (decisiontrees.analyses.mdp).

``POWER(s, γ) = (1 − γ)/γ · E[V*(s, γ) − R(s)]`` with i.i.d. state rewards equals
``E[max_π f'_π · r]``, the POWER (expected optimal value) of the tree of visit distributions
from the step after ``s``. It is answered by the `power` engine on that tree: exact under laws
with a polynomial density, piecewise in the discount when it is a parameter, Monte Carlo
otherwise. Every other question takes ``m.s`` as a tree directly; ``power(m.s)`` is
``(1 − γ) E[r(s)] + γ · mdp_power(m.s)``, so both order states of one mdp alike (with a
horizon H the weights are ``w = (1 − γ)/(1 − γ^H)`` and ``1 − w``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from decisiontrees.analyses import mdp as mdp_analysis
from decisiontrees.errors import RefusedError
from decisiontrees.model.laws import UNIFORM
from decisiontrees.model.spec import Question, TreeArg
from decisiontrees.questions.agents import RandomAgent, RandomAgentQuestion
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
class MDPPowerQuestion(Question):
    power: RandomAgentQuestion  # about the state's tree; answered on its successor tree


@dataclass(frozen=True)
class MDPPowerEvidence(Evidence):
    state: str
    gamma: str
    inner: Evidence
    horizon: int | None = None

    def lines(self) -> tuple[str, ...]:
        if self.horizon is None:
            definition = (f"POWER({self.state}, γ = {self.gamma}) = (1 − γ)/γ · "
                          "E[V*(s) − R(s)] = E[max over policies of f'·r], f' the visit "
                          "distribution from the next step")
        else:  # f' is normalised over the H − 1 steps left, not over an infinite future
            definition = (f"POWER({self.state}, γ = {self.gamma}) with {self.horizon} steps = "
                          f"(1 − γ)/(γ(1 − γ^{self.horizon - 1})) · E[V*(s) − R(s)] "
                          "= E[max over policies of f'·r], f' the visit distribution of the "
                          f"{self.horizon - 1} steps after this one")
        return (definition, *self.inner.lines()[1:])

    def to_json(self) -> dict[str, JSON]:
        return {**self.inner.to_json(), "state": self.state, "gamma": self.gamma,
                "horizon": self.horizon}


class MDPPower(Family):
    name = "mdp_power"
    signature = Signature((Kind.TREE,), Shape.NUMBER, frozenset({"parameters", "samples", "seed"}),
                          optional=(Kind.DISTRIBUTION,), symbolic_ok=True)
    power = RandomAgent("power", Shape.NUMBER)

    def make(self, arguments: Arguments) -> Question:
        made = self.power.make(arguments)
        assert isinstance(made, RandomAgentQuestion)
        return MDPPowerQuestion(made)

    def problems(self, question: Question) -> list[tuple[str, str | None]]:
        assert isinstance(question, MDPPowerQuestion)
        if question.power.tree.mdp is None:
            return [(f"mdp_power() asks about a state of an mdp, like `m.s0`; "
                     f"`{question.power.tree.name}` is a tree",
                     f"for a tree, ask power({question.power.tree.name})")]
        if question.power.distribution is not UNIFORM:
            return self.power.problems(question.power)
        return []

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, MDPPowerQuestion)
        tree = question.power.tree
        assert tree.mdp is not None and tree.state is not None
        try:
            successor = mdp_analysis.successor_tree(tree.mdp, tree.state)
        except RefusedError as problem:
            return refused(str(problem))
        if successor is None:
            return refused("a horizon of one step has no next step: POWER is not defined")
        inner = replace(question.power,
                        tree=TreeArg(f"{tree.name} from the next step", successor))
        answer = self.power.answer(inner, context)
        if answer.status != "answer":
            return answer
        evidence = MDPPowerEvidence(tree.name, str(tree.mdp.gamma), answer.evidence,
                                    tree.mdp.horizon)
        return replace(answer, evidence=evidence)


FAMILIES: tuple[Family, ...] = (MDPPower(),)
