"""`farsighted(m.s, a)`: the chance that a farsighted (γ → 1) random agent's first action at
state ``s`` is ``a``, with the orbit-level bound Turner et al. and Krakovna & Kramar give.

As γ → 1 an optimal policy maximises the long-run visit shares' value ``d_π · r`` (average
reward), ``d_π`` the policy's recurrent state distribution (decisiontrees.analyses.mdp
``limit_tree``). Turner et al. (2021, Theorem 6.13) and Krakovna & Kramar (2023) reason about
this regime: when ``n`` involutions of the states map the recurrent distributions reachable
after the other actions into those reachable after ``a`` (and fix each other's images), at
least ``n/(n+1)`` of every orbit of reward functions weakly prefers ``a``; for a shutdown
action into one absorbing state against ``n`` absorbing states kept reachable, avoiding
shutdown gets ``n/(n+1)``. The answer is exact (the random-agent engine on the limit tree);
the evidence names the involutions and gives the chance at the mdp's own discount beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from decisiontrees.analyses import agents, orbits
from decisiontrees.analyses import mdp as mdp_analysis
from decisiontrees.errors import RefusedError, TooManyLotteries
from decisiontrees.model.laws import UNIFORM
from decisiontrees.model.nodes import Choice, is_symbolic, make_choice
from decisiontrees.model.spec import Question, TreeArg
from decisiontrees.questions.agents import ChoiceEvidence, RandomAgent, RandomAgentQuestion
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

_REGIME = ("farsighted (γ → 1): each policy is its long-run visit shares (recurrent state "
           "distribution); the agent maximises their value, ties broken uniformly")


@dataclass(frozen=True)
class FarsightedQuestion(Question):
    chosen: RandomAgentQuestion  # chosen(m.s, a) as asked, answered on the limit tree


@dataclass(frozen=True)
class FarsightedEvidence(Evidence):
    state: str
    action: str
    inner: Evidence
    share: orbits.Share | None
    share_note: str | None
    discount: str | None  # the mdp's own discount, when the chance there is known
    at_discount: str | None

    def lines(self) -> tuple[str, ...]:
        shown = [_REGIME, *self.inner.lines()]
        if isinstance(self.inner, ChoiceEvidence) and self.inner.tie.value != 0:
            shown.append("a tie here means some actions reach the same long-run shares; a "
                         "discounted agent then decides by the rewards on the way, so as "
                         "γ → 1 its chance may differ from this by up to its part of the tie")
        if self.share is not None and self.share.lower == 0:
            shown.append(f"no orbit-level lower bound for `{self.action}`: "
                         f"{self.share.lower_reason}")
        elif self.share is not None:
            shown.append(f"at least {self.share.lower} of every orbit weakly prefers "
                         f"`{self.action}`: {self.share.lower_reason}")
        elif self.share_note is not None:
            shown.append(self.share_note)
        if self.at_discount is not None:
            shown.append(f"at the mdp's discount γ = {self.discount}: chosen = "
                         f"{self.at_discount}")
        return tuple(shown)

    def to_json(self) -> dict[str, JSON]:
        share = self.share
        return {**self.inner.to_json(), "regime": "farsighted",
                "orbit_share_lower": None if share is None else str(share.lower),
                "orbit_share_reason": None if share is None else share.lower_reason,
                "involutions": [] if share is None else list(share.involutions),
                "gamma": self.discount, "chosen_at_gamma": self.at_discount}


class Farsighted(Family):
    name = "farsighted"
    signature = Signature((Kind.TREE, Kind.ACTION), Shape.NUMBER,
                          frozenset({"parameters", "samples", "seed"}),
                          optional=(Kind.DISTRIBUTION,), symbolic_ok=True)
    chosen = RandomAgent("chosen", Shape.NUMBER, (Kind.TREE, Kind.ACTION), rules_ok=False)

    def make(self, arguments: Arguments) -> Question:
        made = self.chosen.make(arguments)
        assert isinstance(made, RandomAgentQuestion)
        return FarsightedQuestion(made)

    def problems(self, question: Question) -> list[tuple[str, str | None]]:
        assert isinstance(question, FarsightedQuestion)
        tree = question.chosen.tree
        if tree.mdp is None:
            return [(f"farsighted() asks about a state of an mdp, like `m.s0`; `{tree.name}` "
                     "is a tree", f"for a tree, ask chosen({tree.name}, …)")]
        if tree.mdp.horizon is not None:
            return [(f"farsighted() is about γ → 1 with an infinite horizon; mdp "
                     f"`{tree.mdp.name}` has horizon {tree.mdp.horizon}",
                     "ask chosen(m.s, a) at its discount")]
        return self.chosen.problems(question.chosen)

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, FarsightedQuestion)
        asked = question.chosen
        tree = asked.tree
        assert tree.mdp is not None and tree.state is not None and asked.action is not None
        if not tree.mdp.numeric_transitions():
            names = sorted({str(s) for acts in tree.mdp.actions.values() for _, tr in acts
                            for p, _ in tr if not isinstance(p, Fraction)
                            for s in p.free_symbols})
            return refused("the transition probabilities need values (e.g. "
                           + ", ".join(f"{n} = 1/2" for n in names)
                           + "): the long-run shares are computed exactly from numbers")
        try:
            node = mdp_analysis.limit_tree(tree.mdp, tree.state)
        except (RefusedError, TooManyLotteries) as problem:
            return refused(str(problem))
        assert isinstance(node, Choice)
        inner = replace(asked, tree=TreeArg(f"{tree.name} as γ → 1", node))
        answer = self.chosen.answer(inner, context)
        if answer.status != "answer":
            return answer
        share, note = _share(node, asked.action, context)
        discount, at_discount = _at_discount(tree, asked, context)
        evidence = FarsightedEvidence(tree.name, asked.action, answer.evidence, share, note,
                                      discount, at_discount)
        return replace(answer, evidence=evidence)


def _share(node: Choice, action: str, context: Context
           ) -> tuple[orbits.Share | None, str | None]:
    """Turner's orbit-level bound for ``action`` against the other first actions together."""
    if len(node.actions) < 2:
        return None, f"`{action}` is the only action"
    index = node.actions.index(action)
    others = tuple(c for k, c in enumerate(node.children) if k != index)
    rest = others[0] if len(others) == 1 else make_choice(
        tuple(a for k, a in enumerate(node.actions) if k != index), others)
    names = (f"`{action}`", "the other actions")
    try:
        share = orbits.orbit_share(node.children[index], rest, context.spec.outcomes,
                                   context.timeout_ms(), names)
        texts = share.involutions
        if texts and not share.lower_reason.startswith("Turner's"):
            # the bound was proven otherwise; still name the theorem's premise, which holds
            n = len(texts)
            share = replace(share, lower_reason=(
                f"{share.lower_reason}; Turner's involutions {', '.join(texts)} map "
                f"L(the other actions) into L(`{action}`) and fix each other's images: "
                f"the theorem's bound is {n}/{n + 1}"))
    except (RefusedError, TooManyLotteries) as problem:
        return None, f"the orbit-level bound was not computed: {problem}"
    return share, None


def _at_discount(tree: TreeArg, asked: RandomAgentQuestion, context: Context
                 ) -> tuple[str | None, str | None]:
    """The exact chance at the mdp's own discount, beside the limit (U[0,1] and polynomial
    laws only: a Monte Carlo estimate would not be comparable)."""
    assert tree.mdp is not None
    root = tree.node
    if not isinstance(tree.mdp.gamma, Fraction) or is_symbolic(root) or \
            not isinstance(root, Choice) or asked.samples is not None or \
            (asked.distribution is not UNIFORM and
             asked.distribution.polynomial_density() is None):
        return None, None
    try:
        found = agents.choice_probabilities(root.children, context.spec.outcomes,
                                            asked.distribution, None)
    except RefusedError:  # too large exactly: the answer (the limit) stands without this line
        return None, None
    assert asked.action is not None
    return str(tree.mdp.gamma), str(found.chosen[root.actions.index(asked.action)])


FAMILIES: tuple[Family, ...] = (Farsighted(),)
