"""`admissible(t, C, rule = …)`: what an agent may choose when its utility is only known to
lie in the class ``C`` (maximality, E-admissibility, interval dominance, Γ-maximin)."""

from __future__ import annotations

from dataclasses import dataclass

from decisiontrees.analyses import choice_sets
from decisiontrees.model.classes import UtilityClass
from decisiontrees.model.nodes import Choice
from decisiontrees.model.rules import CLASS_RULES
from decisiontrees.model.spec import Question, TreeArg
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
    utility_text,
)

RULE_NAMES = {"maximality": "maximality", "e_admissibility": "E-admissibility",
              "interval_dominance": "interval dominance", "gamma_maximin": "Γ-maximin"}


@dataclass(frozen=True)
class AdmissibleQuestion(Question):
    tree: TreeArg
    utility_class: UtilityClass
    rule: str | object  # a class rule's name; anything else is reported by problems()
    limit: int


@dataclass(frozen=True)
class AdmissibleEvidence(Evidence):
    found: choice_sets.ClassChoice
    class_name: str

    def lines(self) -> tuple[str, ...]:
        shown = [f"rule: {RULE_NAMES[self.found.rule]} over {self.class_name}, on the normal "
                 "form (every plan)"]
        for option in self.found.options:
            verdict = "allowed" if option.allowed else "excluded"
            plans = " | ".join(option.plans)
            line = f"{verdict}: {plans} — {option.reason}"
            if option.witness is not None:
                line += f"; e.g. u = {utility_text(option.witness)}"
            shown.append(line)
            if option.certificate is not None:
                shown.append("  certificate: " + option.certificate.text())
        if self.found.backward is not None:
            shown.append("backward induction would allow " +
                         ("{" + ", ".join(self.found.backward) + "}") + " (plans with lotteries "
                         + ", ".join(self.found.backward_plans or ()) + "): "
                         f"{RULE_NAMES[self.found.rule]} is not consistent with it here")
        return tuple(shown)

    def to_json(self) -> dict[str, JSON]:
        return {"rule": self.found.rule, "class": self.class_name,
                "plans": [{"plans": list(o.plans), "actions": list(o.actions),
                           "lottery": {k: str(q) for k, q in o.lottery},
                           "allowed": o.allowed, "reason": o.reason,
                           "witness": None if o.witness is None else
                           {k: str(v) for k, v in o.witness.items()},
                           "lower": None if o.lower is None else str(o.lower),
                           "upper": None if o.upper is None else str(o.upper),
                           "certificate": None if o.certificate is None else
                           o.certificate.to_json()}
                          for o in self.found.options],
                "backward_induction": None if self.found.backward is None
                else list(self.found.backward)}

    def witness(self) -> str | None:
        return next((utility_text(o.witness) for o in self.found.options
                     if o.witness is not None), None)


class Admissible(Family):
    name = "admissible"
    signature = Signature((Kind.TREE, Kind.CLASS), Shape.SET,
                          frozenset({"rule", "limit", "parameters"}))

    def make(self, arguments: Arguments) -> Question:
        assert arguments.utility_class is not None
        return AdmissibleQuestion(arguments.tree, arguments.utility_class,
                                  arguments.options.get("rule", "maximality"),
                                  arguments.option_int("limit") or 1_000)

    def problems(self, question: Question) -> list[tuple[str, str | None]]:
        assert isinstance(question, AdmissibleQuestion)
        found: list[tuple[str, str | None]] = []
        if question.rule not in CLASS_RULES:
            found.append((f"admissible() takes a rule for choice under a class, not "
                          f"`{question.rule}`", "rule = " + " | ".join(CLASS_RULES)))
        if not isinstance(question.tree.node, Choice):
            found.append((f"admissible() asks about the first choice of `{question.tree.name}`, "
                          "which does not start with a choice", None))
        return found

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, AdmissibleQuestion) and isinstance(question.rule, str)
        found = choice_sets.choose(question.tree.node, question.utility_class, question.rule,
                                   context.timeout_ms(), question.limit)
        evidence = AdmissibleEvidence(found, question.utility_class.name)
        return Answer("{" + ", ".join(found.actions) + "}", list(found.actions), evidence,
                      comparable=frozenset(found.actions))


FAMILIES: tuple[Family, ...] = (Admissible(),)
