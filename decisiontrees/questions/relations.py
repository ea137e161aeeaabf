"""Relations between two trees: dominance within a utility class, comparison, and Tarsney's
power relations P1–P4 (docs/theory.md §3–4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from decisiontrees.analyses import occupancy, parametric, permutations, plans, relations
from decisiontrees.analyses.permutations import PermutationGroup
from decisiontrees.analyses.relations import Verdict
from decisiontrees.evidence.checks import serialize_tree
from decisiontrees.model.classes import WEIGHT, UtilityClass, unit_box
from decisiontrees.model.nodes import Node, is_symbolic
from decisiontrees.model.spec import Question, Spec, Statement, StatementKind, TreeArg
from decisiontrees.model.symbols import free_parameters, substitute
from decisiontrees.questions.base import (
    JSON,
    Answer,
    Arguments,
    Context,
    Evidence,
    Family,
    Kind,
    Reason,
    Shape,
    Signature,
    Status,
    assignment_text,
    json_ready,
    refused,
    unknown,
    utility_text,
)
from decisiontrees.solvers import smt

COMPARISONS = ("dominates", "dominated", "equivalent", "incomparable")
# the relations whose verdicts carry certificates that `decisiontrees verify` re-checks
CERTIFIED = ("dominates", "strictly_dominates", "inclusion", "interiority", "permuted_inclusion",
             "permuted_interiority")
# Tarsney's relations are about lottery sets: always on the plain box class [0,1]^O
BOX_ONLY = ("inclusion", "interiority", "permuted_inclusion", "permuted_interiority")


@dataclass(frozen=True)
class RelationQuestion(Question):
    """A relation between two trees (``relation`` is the question's name)."""

    relation: str
    tree: TreeArg
    other: TreeArg
    utility_class: UtilityClass | None  # None: Tarsney's [0,1]^O
    fixing: frozenset[str]
    within: str | None


@dataclass(frozen=True)
class RelationEvidence(Evidence):
    """One verdict with its witness, certificate, permutation or refutations."""

    verdict: Verdict
    left: str
    right: str

    def lines(self) -> tuple[str, ...]:
        if self.verdict.holds is None:
            return (f"unknown: {self.verdict.reason} ({self.verdict.method})",)
        return (verdict_line(self.verdict, self.left, self.right),
                *_detail_lines(self.verdict, self.left, self.right))

    def to_json(self) -> dict[str, JSON]:
        return verdict_json(self.verdict)

    def witness(self) -> str | None:
        return _witness_text(self.verdict)


@dataclass(frozen=True)
class Comparison(Evidence):
    """Both directions of dominance, and what they make of the pair."""

    outcome: str
    class_name: str
    forward: Verdict
    backward: Verdict
    left: str
    right: str

    def lines(self) -> tuple[str, ...]:
        return (f"{self.left} ≽ {self.right}: " + verdict_line(self.forward, self.left, self.right),
                f"{self.right} ≽ {self.left}: " + verdict_line(self.backward, self.right, self.left))

    def to_json(self) -> dict[str, JSON]:
        return {"compare": self.outcome, "class": self.class_name,
                "forward": verdict_json(self.forward), "backward": verdict_json(self.backward)}

    def witness(self) -> str | None:
        found = [text for text in (_witness_text(self.forward), _witness_text(self.backward))
                 if text is not None]
        return "; ".join(found) or None


@dataclass(frozen=True)
class ParametricCounterexample(Evidence):
    """Parameter values and a utility function where dominance fails, checked exactly."""

    values: dict[str, Fraction]
    utility: dict[str, Fraction]
    left_value: Fraction
    right_value: Fraction
    left: str
    right: str

    def lines(self) -> tuple[str, ...]:
        return (f"fails at {assignment_text(self.values)}",
                f"witness u = {utility_text(self.utility)}",
                f"V({self.left}) = {self.left_value} < V({self.right}) = {self.right_value} "
                "(checked exactly)")

    def witness(self) -> str | None:
        return f"{assignment_text(self.values)}, u = {utility_text(self.utility)}"

    def to_json(self) -> dict[str, JSON]:
        return {"holds": False, "counterexample": {k: str(v) for k, v in self.values.items()},
                "witness": {"utility": {o: str(v) for o, v in self.utility.items()},
                            "left_value": str(self.left_value),
                            "right_value": str(self.right_value)}}


class Relation(Family):
    """dominates, strictly_dominates, equivalent, incomparable, compare, and P1–P4."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.solves_mdps = name in ("dominates", "strictly_dominates")  # refutations only
        options = {"parameters"} | ({"fixing", "within"}
                                               if name.startswith("permuted") else set())
        self.signature = Signature(
            (Kind.TREE, Kind.OTHER), Shape.WORD if name == "compare" else Shape.BOOL,
            frozenset(options), optional=() if name in BOX_ONLY else (Kind.CLASS,),
            symbolic_ok=name == "dominates", words=COMPARISONS if name == "compare" else ())

    def make(self, arguments: Arguments) -> Question:
        fixing = arguments.options.get("fixing", frozenset())
        within = arguments.options.get("within")
        return RelationQuestion(self.name, arguments.tree, arguments.second(),
                                arguments.utility_class, frozenset(fixing),
                                within if isinstance(within, str) else None)

    def answer(self, question: Question, context: Context) -> Answer:
        assert isinstance(question, RelationQuestion)
        spec = context.spec
        timeout_ms = context.timeout_ms()
        left, right = question.tree.node, question.other.node
        utility_class = question.utility_class or unit_box(spec.outcomes)
        names = (question.tree.name, question.other.name)
        if question.tree.unlisted is not None or question.other.unlisted is not None:
            return _refuted_by_solving(question, spec)
        if is_symbolic(left) or is_symbolic(right):
            return _dominance_for_all(question, spec, utility_class, timeout_ms)
        if self.name in ("compare", "equivalent", "incomparable"):
            outcome, forward, backward = relations.compare(left, right, utility_class, timeout_ms,
                                                           spec.outcomes)
            if outcome is None:
                undecided = forward if forward.holds is None else backward
                return unknown(undecided.reason or "a solver gave up")
            forward = relations.simpler_witness(forward, left, right, utility_class)
            backward = relations.simpler_witness(backward, right, left, utility_class)
            evidence = Comparison(outcome, utility_class.name, forward, backward, *names)
            if self.name == "compare":
                return Answer(outcome, outcome, evidence, comparable=outcome)
            holds = outcome == self.name
            return Answer("yes" if holds else f"no ({outcome})", holds, evidence, comparable=holds)
        verdict = _verdict(question, left, right, utility_class, timeout_ms, spec)
        if verdict.holds is None:
            return Answer("unknown", None, RelationEvidence(verdict, *names),
                          status=Status.UNKNOWN)
        box = self.name in BOX_ONLY
        if not self.name.startswith("permuted_"):  # a permuted witness is about σ·right
            verdict = relations.simpler_witness(
                verdict, left, right, unit_box(spec.outcomes) if box else utility_class)
        certificate = relations.certificate_document(
            self.name, left, right, unit_box(spec.outcomes) if box else utility_class, verdict)
        return Answer("yes" if verdict.holds else "no", verdict.holds,
                      RelationEvidence(verdict, *names), comparable=verdict.holds,
                      certificate=certificate)


REWARDS_TRIED = 200  # seeded random rewards after the simple ones


def _refuted_by_solving(question: RelationQuestion, spec: Spec) -> Answer:
    """Dominance with a state whose policies are too many to list: look for a reward that
    makes the right side worth more (each value found by policy iteration, exactly); a
    proof that it holds would need the policies."""
    if question.utility_class is not None:
        return refused(f"{question.relation}() within a class needs the states' policies listed: "
                       f"{question.tree.unlisted or question.other.unlisted}")
    sides = (question.tree, question.other)
    if any(side.unlisted is None and is_symbolic(side.node) for side in sides):
        return refused(f"{question.relation}() between a state whose policies are not listed "
                       "and a tree with parameters needs the parameters' values")
    states = list(dict.fromkeys(
        s for side in sides for s in (side.mdp.reachable(side.state) if side.mdp is not None
                                      and side.state is not None
                                      else sorted(plans.reachable_outcomes(side.node)))))
    tried = 0
    for reward in occupancy.rewards_to_try(states, REWARDS_TRIED, seed=0):
        tried += 1
        utility = {o: reward.get(o, Fraction(0)) for o in spec.outcomes}
        (left_value, left_plan), (right_value, right_plan) = (
            _solved_or_backward(side, utility) for side in sides)
        if right_value > left_value:
            shown = {o: v for o, v in utility.items() if v != 0}
            verdict = Verdict(question.relation, False, "policy iteration (exact rationals) on "
                              "rewards tried, simplest first",
                              relations.Witness(shown, {}, left_value, right_value, left_plan,
                                                right_plan))
            return Answer("no", False, RelationEvidence(verdict, *(s.name for s in sides)),
                          comparable=False)
    unlisted = question.tree.unlisted or question.other.unlisted
    return unknown(f"no reward among the {tried} tried (each state alone, each state left out, "
                   f"{REWARDS_TRIED} seeded random tenths) makes {question.other.name} worth "
                   f"more than {question.tree.name}; a proof needs the policies listed "
                   f"({unlisted})")


def _solved_or_backward(side: TreeArg, utility: dict[str, Fraction]) -> tuple[Fraction, str]:
    """A side's value and an optimal plan or policy: by policy iteration when its policies
    are not listed, else by backward induction on its tree."""
    if side.unlisted is not None:
        assert side.mdp is not None and side.state is not None
        found = occupancy.optimal_policy(side.mdp, side.state, utility)
        return found.value, found.label(side.mdp)
    plan = plans.an_optimal_plan(side.node, utility)
    return plans.value(side.node, utility), plans.describe_plan(side.node, plan) or "(no choices)"


def _dominance_for_all(question: RelationQuestion, spec: Spec, utility_class: UtilityClass,
                       timeout_ms: int) -> Answer:
    """``dominates`` for every parameter value: z3 (nonlinear) looks for values and a ``u``
    where it fails; the witness is re-checked exactly."""
    if question.relation != "dominates":
        return refused(f"{question.relation}() on parametric trees needs parameter values; "
                       "dominates() is decided for all of them")
    left, right = question.tree.node, question.other.node
    found = smt.find_parametric_counterexample(left, right, utility_class, spec.parameters,
                                               timeout_ms)
    if isinstance(found, smt.Unknown):
        return unknown(found.reason)
    if found is None:
        reason = (f"{smt.SOLVER_NAME} (nonlinear real arithmetic) found no parameter values "
                  "and utility function where it fails; the solver vouches for it")
        return Answer("yes, for every parameter value", True,
                      _Vouched(reason), comparable=True)
    values, utility = found
    used = free_parameters(left) | free_parameters(right)  # z3 also sets the others
    values = {name: value for name, value in values.items() if name in used}
    outcomes = {o: v for o, v in utility.items() if o in spec.outcomes}
    weights = {k: v for k, v in utility.items() if k.startswith(WEIGHT)}  # of a feature model

    def refutes(at: Mapping[str, Fraction], u: Mapping[str, Fraction]) -> bool:
        return utility_class.contains({**u, **weights}) and \
            plans.value(substitute(right, at), u) > plans.value(substitute(left, at), u)

    if not refutes(values, outcomes):
        return unknown("the solver's counterexample did not check exactly")
    # as simple as it stays a counterexample: parameters first, then each utility
    values = parametric.simplest(values, parametric.parameter_candidates(spec.parameters, values),
                                 lambda at: refutes(at, outcomes))
    if not utility_class.features:
        outcomes = parametric.simplest(
            outcomes, {o: parametric.SIMPLE_VALUES for o in outcomes},
            lambda u: refutes(values, u))
    left_value = plans.value(substitute(left, values), outcomes)
    right_value = plans.value(substitute(right, values), outcomes)
    return Answer("no", False, ParametricCounterexample(values, outcomes, left_value, right_value,
                                                        question.tree.name, question.other.name),
                  comparable=False)


@dataclass(frozen=True)
class _Vouched(Reason):
    """A "yes" a solver vouched for, without a certificate."""

    def lines(self) -> tuple[str, ...]:
        return (self.reason,)

    def to_json(self) -> dict[str, JSON]:
        return {"holds": True, "reason": self.reason}


def _verdict(question: RelationQuestion, left: Node, right: Node, utility_class: UtilityClass,
             timeout_ms: int, spec: Spec) -> Verdict:
    name = question.relation
    if name == "dominates":
        return relations.dominates(left, right, utility_class, timeout_ms, spec.outcomes)
    if name == "strictly_dominates":
        return relations.strictly_dominates(left, right, utility_class, timeout_ms, spec.outcomes)
    if name == "inclusion":
        return relations.inclusion(left, right, spec.outcomes, timeout_ms)
    if name == "interiority":
        return relations.interiority(left, right, spec.outcomes, timeout_ms)
    kinds = {}
    if question.within is not None:
        kinds = {o: str(spec.features[o].get(question.within, 0)) for o in spec.outcomes}
    group = PermutationGroup(question.fixing, kinds)
    kind = "inclusion" if name == "permuted_inclusion" else "interiority"
    return permutations.permuted(kind, left, right, spec.outcomes, group, timeout_ms)


def _witness_text(verdict: Verdict) -> str | None:
    if verdict.witness is None:
        return None
    permutation = verdict.details.get("permutation")
    return f"u = {utility_text(verdict.witness.utility)}" + (
        f", σ = {permutation}" if permutation and verdict.holds else "")


def verdict_line(verdict: Verdict, left: str, right: str) -> str:
    """A verdict in one line, with its witness or the kind of its certificate."""
    if verdict.holds is None:
        return f"unknown ({verdict.reason})"
    if verdict.holds is False and verdict.witness is not None:
        w = verdict.witness
        shown = utility_text(w.utility)
        if w.weights:
            shown += " with weights " + utility_text(w.weights)
        return (f"no: under u = {shown}, V({left}) = {w.left_value} by {w.left_plan}, "
                f"V({right}) = {w.right_value} by {w.right_plan}")
    if verdict.holds is False:
        return f"no: {verdict.reason}"
    if verdict.certificate is not None:
        certificate = verdict.certificate
        kind = certificate.get("kind")
        if kind == "structural":
            what = f"structural proof in {len(certificate['steps'])} steps"
        elif kind == "vertices":
            what = f"one point per vertex ({len(certificate['vertices'])}), with Farkas multipliers"
        elif kind == "hull":
            what = (f"the hull of {len(certificate['points'])} plan lotteries of {left}, each of "
                    f"its {len(certificate['facets'])} facets holding for {right}")
        else:
            what = f"a simplex inside around each vertex ({len(certificate['vertices'])})"
        return f"yes: certificate: {what} ({verdict.method})"
    return f"yes ({verdict.method}; {verdict.reason})"


def _detail_lines(verdict: Verdict, left: str, right: str) -> tuple[str, ...]:
    lines = []
    if verdict.holds is False and "refutations" in verdict.details:
        for entry in verdict.details["refutations"]:
            where = ", ".join(f"{a}→{b}" for a, b in entry["map"].items())
            why = ("u = {" + ", ".join(f"{o}: {v}" for o, v in entry["utility"].items()) + "}"
                   if "utility" in entry else entry.get("reason", ""))
            lines.append(f"explain: σ = {where or 'identity'} ruled out by {why}")
        if verdict.details.get("refutations_not_listed"):
            lines.append(f"explain: {verdict.details['refutations_not_listed']} more maps "
                         "ruled out by a witness or a check of their own (not listed)")
    if "permutation" in verdict.details:
        lines.append(f"permutation σ = {verdict.details['permutation']}")
    if verdict.holds and verdict.witness is not None:
        w = verdict.witness
        other = f"σ·{right}" if "permutation" in verdict.details else right
        lines.append(f"strictly better under u = {utility_text(w.utility)}: "
                     f"V({left}) = {w.left_value} > V({other}) = {w.right_value}")
    return tuple(lines)


def verdict_json(verdict: Verdict) -> dict[str, JSON]:
    document: dict[str, Any] = {"holds": verdict.holds, "method": verdict.method,
                                "reason": verdict.reason}
    if verdict.witness is not None:
        w = verdict.witness
        document["witness"] = {
            "utility": {o: str(v) for o, v in w.utility.items()},
            "weights": {k: str(v) for k, v in w.weights.items()},
            "left_value": str(w.left_value), "right_value": str(w.right_value),
            "left_plan": w.left_plan, "right_plan": w.right_plan,
        }
    if verdict.certificate is not None:
        document["certificate"] = dict(verdict.certificate)
    for key, value in verdict.details.items():
        document[key] = value
    result: dict[str, JSON] = json_ready(document)
    return result


FAMILIES: tuple[Family, ...] = tuple(Relation(name) for name in (
    "dominates", "strictly_dominates", "equivalent", "incomparable", "compare", "inclusion",
    "interiority", "permuted_inclusion", "permuted_interiority"))


def certifiable(statement: Statement) -> bool:
    """Whether the statement's verdict can carry a certificate (then `verify` expects one, or
    a reason why there is none)."""
    question = statement.question
    return (isinstance(question, RelationQuestion) and question.relation in CERTIFIED
            and not is_symbolic(question.tree.node) and not is_symbolic(question.other.node)
            and question.tree.unlisted is None and question.other.unlisted is None)


def claim_document(statement: Statement, spec: Spec) -> dict[str, JSON]:
    """What the spec says about a certifiable statement, in the form `verify` binds a
    certificate to: its place, relation, trees, class and permutation group."""
    question = statement.question
    assert isinstance(question, RelationQuestion)
    box = unit_box(spec.outcomes)
    utility_class = box if question.relation in BOX_ONLY else question.utility_class or box
    kinds = {o: str(spec.features[o].get(question.within, 0)) for o in spec.outcomes} \
        if question.within is not None else {}
    return {"file": statement.span.path, "line": statement.span.line, "text": statement.text,
            "relation": question.relation,
            "expected": None if statement.kind == StatementKind.QUERY else not statement.negated,
            "left": serialize_tree(question.tree.node), "right": serialize_tree(question.other.node),
            "class": relations.class_document(utility_class), "fixed": sorted(question.fixing),
            "kinds": kinds}
