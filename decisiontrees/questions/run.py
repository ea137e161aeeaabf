"""Answer a spec's statements: every answer with its evidence, every claim judged.

A result's ``status`` is ``answer`` (a query), ``pass`` or ``fail`` (a claim), ``unknown``
(a solver gave up; the reason is in ``evidence``) or ``refused`` (over a size limit).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from decisiontrees.analyses import plans as analysis
from decisiontrees.analyses.membership import contains
from decisiontrees.errors import RefusedError
from decisiontrees.evidence.checks import EdgeKey, topological_order
from decisiontrees.model.nodes import Choice, Node, is_symbolic
from decisiontrees.model.spec import (
    ContainsQuestion,
    LotteriesQuestion,
    OptimalQuestion,
    OrbitQuestion,
    Question,
    RandomAgentQuestion,
    ReachableQuestion,
    RegionQuestion,
    RelationQuestion,
    Spec,
    Statement,
    StrategiesQuestion,
    ValueQuestion,
)


@dataclass(frozen=True)
class Answer:
    """What a question's answer is, in a line, as data, and the evidence behind it."""

    summary: str
    value: Any  # JSON-ready
    evidence: Mapping[str, Any] = field(default_factory=dict)
    evidence_lines: tuple[str, ...] = ()
    exact: bool = True
    status: str = "answer"  # or unknown / refused
    comparable: Any = None  # what a claim compares: Fraction, frozenset or bool
    certificate: Mapping[str, Any] | None = None  # for `decisiontrees verify`


@dataclass(frozen=True)
class Result:
    statement: Statement
    status: str
    answer: Answer
    expectation: str | None = None  # for a failed claim: what was claimed


class Results(tuple[Result, ...]):
    """The results of a spec's statements; in a notebook they display as a table."""


def run(spec: Spec, timeout_seconds: int | None = None) -> Results:
    """Answer every statement of ``spec`` in order; ``timeout_seconds`` bounds each solver
    call unless a statement sets its own ``timeout``."""
    return Results(run_statement(s, spec, timeout_seconds) for s in spec.statements)


def run_statement(statement: Statement, spec: Spec, timeout_seconds: int | None = None) -> Result:
    answer = answer_question(statement.question, spec, timeout_seconds)
    if statement.kind == "query" or answer.status != "answer":
        return Result(statement, answer.status, answer)
    if _is_parametric(answer.comparable):
        return _claim_for_all(statement, answer, spec, timeout_seconds)
    if type(answer.comparable).__name__ == "PiecewiseAnswer":
        return _piecewise_claim(statement, answer)
    holds = _compare(answer.comparable, statement.op, statement.expected)
    if holds is None:
        why = ("the claim cannot be decided without enumerating" if answer.exact else
               "only bounds or an estimate are known, and they do not decide the claim")
        return Result(statement, "unknown", answer, why)
    if statement.negated:
        holds = not holds
    return Result(statement, "pass" if holds else "fail", answer,
                  None if holds else _claimed(statement))


def _is_parametric(value: Any) -> bool:
    return bool(getattr(value, "free_symbols", None))


def _claim_for_all(statement: Statement, answer: Answer, spec: Spec,
                   timeout_seconds: int | None) -> Result:
    """A claim about a parametric number, for every parameter value in the domains."""
    from decisiontrees.analyses import parametric

    seconds = timeout_seconds or 10
    condition = parametric.relation(answer.comparable, statement.op or "==", statement.expected)
    if statement.negated:
        import sympy

        condition = sympy.Not(condition)
    decided = parametric.for_all(condition, spec.parameters, seconds * 1000)
    lines = list(answer.evidence_lines)
    if decided.region is not None:
        lines.append(f"holds where {decided.region}")
    evidence = dict(answer.evidence)
    evidence.update({"for_all_parameters": decided.holds, "region": decided.region,
                     "reason": decided.reason})
    if decided.witness is not None:
        values = _assignment_text(decided.witness)
        lines.append(f"fails at {values}")
        evidence["counterexample"] = {k: str(v) for k, v in decided.witness.items()}
    lines.append(decided.reason)
    updated = Answer(answer.summary, answer.value, evidence, tuple(lines), answer.exact,
                     answer.status, answer.comparable, answer.certificate)
    if decided.holds is None:
        return Result(statement, "unknown", updated, f"undecided for all parameter values: "
                      f"{decided.reason}")
    return Result(statement, "pass" if decided.holds else "fail", updated,
                  None if decided.holds else _claimed(statement) + " for every parameter value")


def _piecewise_claim(statement: Statement, answer: Answer) -> Result:
    """A claim about an exact piecewise function of a parameter, for all its values."""
    from decisiontrees.analyses.parametric_agents import decide

    op = statement.op or "=="
    if statement.negated:
        op = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}[op]
    decided = decide(answer.comparable, op, statement.expected)
    lines = [*answer.evidence_lines, f"holds where {decided.region}", decided.reason]
    evidence = {**answer.evidence, "region": decided.region, "reason": decided.reason}
    if decided.witness is not None:
        lines.insert(-1, f"fails at {answer.comparable.parameter} = {decided.witness}")
        evidence["counterexample"] = {answer.comparable.parameter: str(decided.witness)}
    updated = Answer(answer.summary, answer.value, evidence, tuple(lines), answer.exact,
                     answer.status, answer.comparable, answer.certificate)
    if decided.holds is None:
        return Result(statement, "unknown", updated, decided.reason)
    return Result(statement, "pass" if decided.holds else "fail", updated,
                  None if decided.holds else _claimed(statement) + " for every parameter value")


def _claimed(statement: Statement) -> str:
    expected = statement.expected
    if statement.op is None:
        shown = "false" if statement.negated else "true"
        return f"claimed {shown}"
    if isinstance(expected, frozenset):
        shown = "{" + ", ".join(sorted(expected)) + "}"
    else:
        shown = str(expected)
    return f"claimed {'not ' if statement.negated else ''}{statement.op} {shown}"


def _compare(actual: Any, op: str | None, expected: Any) -> bool | None:
    if op is None:
        return bool(actual)
    if actual is None:
        return None
    if op == "==":
        return actual == expected
    if op == "!=":
        return actual != expected
    if op == "<":
        return actual < expected
    if op == "<=":
        return actual <= expected
    if op == ">":
        return actual > expected
    return actual >= expected


def answer_question(question: Question, spec: Spec, timeout_seconds: int | None = None) -> Answer:
    if isinstance(question, RelationQuestion):
        return _relation(question, spec, timeout_seconds)
    if isinstance(question, ValueQuestion):
        return _value(question, spec)
    if isinstance(question, OptimalQuestion):
        return _optimal(question, spec)
    if isinstance(question, StrategiesQuestion):
        return _strategies(question)
    if isinstance(question, LotteriesQuestion):
        return _lotteries(question, spec)
    if isinstance(question, ReachableQuestion):
        return _reachable(question, spec)
    if isinstance(question, RandomAgentQuestion):
        return _random_agent(question, spec)
    if isinstance(question, RegionQuestion):
        return _region(question, spec)
    if isinstance(question, OrbitQuestion):
        return _orbit(question, spec, timeout_seconds)
    return _contains(question, spec)


def number(value: Any) -> str:
    """An exact number as text: ``3/4``, ``2``, or a sympy expression."""
    return str(value)


def format_lottery(lottery: Mapping[str, Fraction], order: tuple[str, ...]) -> str:
    rank = {o: i for i, o in enumerate(order)}
    items = sorted((o for o, q in lottery.items() if q != 0), key=lambda o: rank.get(o, len(rank)))
    return "{" + ", ".join(f"{o}: {lottery[o]}" for o in items) + "}"


def _assignment_text(assignment: Mapping[str, Fraction]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(assignment.items()))


def _value(question: ValueQuestion, spec: Spec) -> Answer:
    tree = question.tree.node
    utility = question.utility.values
    result = analysis.value(tree, utility)
    if not isinstance(result, Fraction):
        return Answer(number(result), number(result), {"symbolic": True},
                      ("symbolic in " + ", ".join(sorted(str(s) for s in result.free_symbols)),),
                      comparable=result)
    if is_symbolic(tree):
        return Answer(number(result), number(result), {"symbolic": True},
                      ("the same for every parameter value",), comparable=result)
    plan = analysis.an_optimal_plan(tree, utility)
    count = analysis.count_plans(tree, utility)
    shown = analysis.describe_plan(tree, plan) or "(no choices)"
    lines = [f"an optimal plan: {shown}"
             + (f" (one of {count} optimal plans)" if count > 1 else "")]
    if question.assignment:
        lines.append(f"with {_assignment_text(question.assignment)}")
    evidence = {
        "optimal_plan": shown,
        "optimal_plan_decisions": analysis.plan_decisions(tree, plan),
        "optimal_plan_lottery": {o: str(q) for o, q in analysis.lottery_of(tree, plan).items()},
        "optimal_plans": count,
        "parameters": {k: str(v) for k, v in question.assignment.items()},
    }
    return Answer(number(result), number(result), evidence, tuple(lines), comparable=result)


def _optimal(question: OptimalQuestion, spec: Spec) -> Answer:
    tree = question.tree.node
    utility = question.utility.values
    count = analysis.count_plans(tree, utility)
    best = analysis.value(tree, utility)
    try:
        rows = analysis.plans(tree, question.limit, utility)
    except RefusedError as refusal:
        return Answer(f"{count} optimal plans", None, {"count": count, "value": str(best),
                      "reason": str(refusal)}, (str(refusal),), status="refused")
    described = [analysis.describe_plan(tree, row.plan) or "(no choices)" for row in rows]
    lines = tuple(f"{d}: lottery {format_lottery(row.lottery, spec.outcomes)}"
                  for d, row in zip(described, rows))
    summary = "{" + ", ".join(described) + "}"
    evidence = {"count": count, "value": str(best), "plans": [
        {"plan": d, "decisions": analysis.plan_decisions(tree, row.plan),
         "lottery": {o: str(q) for o, q in row.lottery.items()}}
        for d, row in zip(described, rows)]}
    return Answer(summary, described, evidence, (f"value {best}",) + lines,
                  comparable=frozenset(described))


def _strategies(question: StrategiesQuestion) -> Answer:
    tree = question.tree.node
    plans = analysis.count_plans(tree)
    pure = analysis.count_pure_strategies(tree)
    pure_text = f"{pure} pure {'strategy' if pure == 1 else 'strategies'}"
    plans_text = f"{plans} {'plan' if plans == 1 else 'plans'}"
    evidence = {"plans": plans, "pure_strategies": pure}
    if question.reduced:
        line = f"{pure_text} (an action at every choice node, reachable or not)"
        return Answer(plans_text, plans, evidence, (line,), comparable=Fraction(plans))
    line = f"{plans_text} (an action only at the choice nodes a strategy reaches)"
    return Answer(pure_text, pure, evidence, (line,), comparable=Fraction(pure))


def _lotteries(question: LotteriesQuestion, spec: Spec) -> Answer:
    tree = question.tree.node
    try:
        rows = analysis.plans(tree, question.limit)
    except RefusedError as refusal:
        return Answer("refused", None, {"reason": str(refusal)}, (str(refusal),), status="refused")
    listed = []
    lines = []
    for row in rows:
        shown = analysis.describe_plan(tree, row.plan) or "(no choices)"
        listed.append({"plan": shown, "lottery": {o: str(q) for o, q in row.lottery.items()}})
        lines.append(f"{shown}: {format_lottery(row.lottery, spec.outcomes)}")
    return Answer(f"{len(rows)} plan{'s' if len(rows) != 1 else ''}", listed, {}, tuple(lines))


def _reachable(question: ReachableQuestion, spec: Spec) -> Answer:
    reach = analysis.reachable_outcomes(question.tree.node)
    ordered = [o for o in spec.outcomes if o in reach]
    return Answer("{" + ", ".join(ordered) + "}", ordered, {}, (), comparable=frozenset(ordered))


def _contains(question: ContainsQuestion, spec: Spec) -> Answer:
    tree = question.tree.node
    lottery = question.lottery
    verdict = contains(tree, lottery, list(spec.outcomes))
    if verdict.contained is None:
        return Answer("unknown", None, {"method": verdict.method, "reason": verdict.reason},
                      (f"unknown: {verdict.reason} ({verdict.method})",), status="unknown")
    if verdict.contained:
        assert verdict.flow is not None
        behaviour = flow_behaviour(tree, verdict.flow)
        lines = ["certificate: a sequence-form point (behaviour below), checked exactly"]
        lines += [f"at {step['at'] or 'the root'}: " + ", ".join(
            f"{a} {w}" for a, w in step["mix"].items()) for step in behaviour]
        return Answer("yes", True, {"method": verdict.method, "certificate": {
            "kind": "sequence-form flow", "behaviour": behaviour,
            "flow": [{"node": i, "edge": k, "amount": str(q)} for (i, k), q in
                     sorted(verdict.flow.items()) if q != 0]}},
            tuple(lines), comparable=True)
    witness = verdict.witness
    assert witness is not None
    lines = (
        "witness utility: {" + ", ".join(f"{o}: {witness[o]}" for o in spec.outcomes) + "}",
        f"the lottery's expected utility {verdict.witness_lottery_value} exceeds the tree's "
        f"value {verdict.witness_tree_value}",
        f"the tree's optimal plan under it: {verdict.witness_plan or '(no choices)'}",
    )
    return Answer("no", False, {"method": verdict.method, "witness": {
        "utility": {o: str(u) for o, u in witness.items()},
        "lottery_value": str(verdict.witness_lottery_value),
        "tree_value": str(verdict.witness_tree_value),
        "tree_optimal_plan": verdict.witness_plan}}, lines, comparable=False)


def node_paths(tree: Node) -> list[str]:
    """A readable path (``run > #2 > stay``) to each node of ``topological_order(tree)``."""
    order = topological_order(tree)
    index = {id(n): i for i, n in enumerate(order)}
    paths: list[str | None] = [None] * len(order)
    paths[0] = ""
    queue = deque([tree])
    while queue:
        node = queue.popleft()
        here = paths[index[id(node)]]
        labels = node.actions if isinstance(node, Choice) else [f"#{k + 1}" for k, _ in
                                                                 enumerate(node.children)]
        for label, child in zip(labels, node.children):
            if paths[index[id(child)]] is None:
                paths[index[id(child)]] = f"{here} > {label}" if here else label
                queue.append(child)
    return [p or "" for p in paths]


def flow_behaviour(tree: Node, flow: Mapping[EdgeKey, Fraction]) -> list[dict[str, Any]]:
    """The flow as a mix of actions at each choice node that receives some of it."""
    order = topological_order(tree)
    paths = node_paths(tree)
    steps = []
    for i, node in enumerate(order):
        if not isinstance(node, Choice):
            continue
        parts = [flow.get((i, k), Fraction(0)) for k in range(len(node.children))]
        total = sum(parts)
        if total == 0:
            continue
        mix = {a: str(q / total) for a, q in zip(node.actions, parts) if q != 0}
        steps.append({"at": paths[i], "mix": mix})
    return sorted(steps, key=lambda step: (step["at"].count(" > "), step["at"]))


def _relation(question: RelationQuestion, spec: Spec, timeout_seconds: int | None) -> Answer:
    from decisiontrees.analyses import relations
    from decisiontrees.model.classes import unit_box

    seconds = question.timeout_seconds or timeout_seconds or relations.DEFAULT_TIMEOUT_MS // 1000
    timeout_ms = seconds * 1000
    left, right = question.tree.node, question.other.node
    utility_class = question.utility_class or unit_box(spec.outcomes)
    name = question.relation
    if is_symbolic(left) or is_symbolic(right):
        return _dominance_for_all(question, spec, utility_class, timeout_ms)
    if name in ("compare", "equivalent", "incomparable"):
        outcome, forward, backward = relations.compare(left, right, utility_class, timeout_ms,
                                                       spec.outcomes)
        if outcome is None:
            reason = forward.reason if forward.holds is None else backward.reason
            return Answer("unknown", None, {"reason": reason}, (f"unknown: {reason}",),
                          status="unknown")
        lines = (f"{question.tree.name} ≽ {question.other.name}: "
                 + _verdict_line(forward, question.tree.name, question.other.name),
                 f"{question.other.name} ≽ {question.tree.name}: "
                 + _verdict_line(backward, question.other.name, question.tree.name))
        evidence = {"compare": outcome, "class": utility_class.name,
                    "forward": verdict_json(forward), "backward": verdict_json(backward)}
        if name == "compare":
            return Answer(outcome, outcome, evidence, lines, comparable=outcome)
        holds = outcome == name
        return Answer("yes" if holds else f"no ({outcome})", holds, evidence, lines,
                      comparable=holds)
    verdict = _relation_verdict(question, left, right, utility_class, timeout_ms, spec)
    if verdict.holds is None:
        return Answer("unknown", None, verdict_json(verdict),
                      (f"unknown: {verdict.reason} ({verdict.method})",), status="unknown")
    line = _verdict_line(verdict, question.tree.name, question.other.name)
    summary = "yes" if verdict.holds else "no"
    box = name in ("inclusion", "interiority", "permuted_inclusion", "permuted_interiority")
    certificate = relations.certificate_document(
        name, left, right, unit_box(spec.outcomes) if box else utility_class, verdict)
    return Answer(summary, verdict.holds, verdict_json(verdict), (line,) + _detail_lines(verdict),
                  comparable=verdict.holds, certificate=certificate)


def _dominance_for_all(question: RelationQuestion, spec: Spec, utility_class: Any,
                       timeout_ms: int) -> Answer:
    """``dominates`` for every parameter value: z3 (nonlinear) looks for values and a ``u``
    where it fails; the witness is re-checked exactly."""
    from decisiontrees.model.symbols import substitute
    from decisiontrees.solvers import smt as solver

    if question.relation != "dominates":
        reason = (f"{question.relation}() on parametric trees needs parameter values; "
                  "dominates() is decided for all of them")
        return Answer("refused", None, {"reason": reason}, (f"refused: {reason}",),
                      status="refused")
    left, right = question.tree.node, question.other.node
    found = solver.find_parametric_counterexample(left, right, utility_class, spec.parameters,
                                                  timeout_ms)
    if isinstance(found, solver.Unknown):
        return Answer("unknown", None, {"reason": found.reason}, (f"unknown: {found.reason}",),
                      status="unknown")
    names = (question.tree.name, question.other.name)
    if found is None:
        reason = (f"{solver.SOLVER_NAME} (nonlinear real arithmetic) found no parameter values "
                  "and utility function where it fails; the solver vouches for it")
        return Answer("yes, for every parameter value", True, {"holds": True, "reason": reason},
                      (reason,), comparable=True)
    values, utility = found
    outcomes = {o: v for o, v in utility.items() if o in spec.outcomes}
    left_value = analysis.value(substitute(left, values), outcomes)
    right_value = analysis.value(substitute(right, values), outcomes)
    if not right_value > left_value:
        reason = "the solver's counterexample did not check exactly"
        return Answer("unknown", None, {"reason": reason}, (f"unknown: {reason}",),
                      status="unknown")
    lines = (f"fails at {_assignment_text(values)}",
             "witness u = {" + ", ".join(f"{o}: {v}" for o, v in outcomes.items()) + "}",
             f"V({names[0]}) = {left_value} < V({names[1]}) = {right_value} (checked exactly)")
    evidence = {"holds": False, "counterexample": {k: str(v) for k, v in values.items()},
                "witness": {"utility": {o: str(v) for o, v in outcomes.items()},
                            "left_value": str(left_value), "right_value": str(right_value)}}
    return Answer("no", False, evidence, lines, comparable=False)


def _relation_verdict(question: RelationQuestion, left: Node, right: Node, utility_class: Any,
                      timeout_ms: int, spec: Spec) -> Any:
    from decisiontrees.analyses import relations

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
    group = relations.PermutationGroup(question.fixing, kinds)
    kind = "inclusion" if name == "permuted_inclusion" else "interiority"
    return relations.permuted(kind, left, right, spec.outcomes, group, timeout_ms)


def _verdict_line(verdict: Any, left: str, right: str) -> str:
    if verdict.holds is None:
        return f"unknown ({verdict.reason})"
    if verdict.holds is False and verdict.witness is not None:
        w = verdict.witness
        shown = "{" + ", ".join(f"{o}: {v}" for o, v in w.utility.items()) + "}"
        if w.weights:
            shown += " with weights {" + ", ".join(f"{k}: {v}" for k, v in w.weights.items()) + "}"
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
        else:
            what = f"a simplex inside around each vertex ({len(certificate['vertices'])})"
        return f"yes: certificate: {what} ({verdict.method})"
    return f"yes ({verdict.method}; {verdict.reason})"


def _detail_lines(verdict: Any) -> tuple[str, ...]:
    lines = []
    if verdict.holds is False and "refutations" in verdict.details:
        for entry in verdict.details["refutations"]:
            where = ", ".join(f"{a}→{b}" for a, b in entry["map"].items())
            why = ("u = {" + ", ".join(f"{o}: {v}" for o, v in entry["utility"].items()) + "}"
                   if "utility" in entry else entry.get("reason", ""))
            lines.append(f"explain: σ = {where or 'identity'} ruled out by {why}")
    if "permutation" in verdict.details:
        lines.append(f"permutation σ = {verdict.details['permutation']}")
    if verdict.holds and verdict.witness is not None:
        w = verdict.witness
        shown = "{" + ", ".join(f"{o}: {v}" for o, v in w.utility.items()) + "}"
        lines.append(f"strictly better under u = {shown}: {w.left_value} > {w.right_value}")
    return tuple(lines)


def verdict_json(verdict: Any) -> dict[str, Any]:
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
    return json_ready(document)


def json_ready(value: Any) -> Any:
    """Fractions as strings, mappings and sequences recursively, for JSON."""
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, frozenset):
        return sorted(value)
    return value


@dataclass(frozen=True)
class Bounds:
    """A number known to lie in ``[lower, upper]``: comparisons are True, False, or None
    when the bounds do not decide them."""

    lower: Fraction
    upper: Fraction

    def _decide(self, always: bool, never: bool) -> bool | None:
        return True if always else False if never else None

    def __ge__(self, x: Any) -> Any:
        return self._decide(self.lower >= x, self.upper < x)

    def __gt__(self, x: Any) -> Any:
        return self._decide(self.lower > x, self.upper <= x)

    def __le__(self, x: Any) -> Any:
        return self._decide(self.upper <= x, self.lower > x)

    def __lt__(self, x: Any) -> Any:
        return self._decide(self.upper < x, self.lower >= x)

    def __eq__(self, x: Any) -> Any:  # type: ignore[override]
        return self._decide(self.lower == self.upper == x, not self.lower <= x <= self.upper)

    def __ne__(self, x: Any) -> Any:  # type: ignore[override]
        equal = self.__eq__(x)
        return None if equal is None else not equal

    __hash__ = None  # type: ignore[assignment]


def _number_answer(value: Any, lines: tuple[str, ...], evidence: dict[str, Any]) -> Answer:
    """An exact Fraction, or an estimate (which no claim can rest on)."""
    if value.exact:
        return Answer(str(value.value), str(value.value), evidence, lines,
                      comparable=value.value)
    estimate = {"estimate": value.value, "half_width_95": value.half_width}
    return Answer(f"{value} (estimate)", estimate, evidence, lines, exact=False)


def _region(question: RegionQuestion, spec: Spec) -> Answer:
    from decisiontrees.analyses import parametric

    utility = question.utility.values
    left = analysis.value(question.tree.node, utility)
    right = analysis.value(question.other.node, utility)
    condition = parametric.relation(left, ">", right)
    where = parametric.region(condition, spec.parameters)
    names = (question.tree.name, question.other.name)
    lines = (f"V({names[0]}) = {number(left)}", f"V({names[1]}) = {number(right)}")
    if where is None:
        free = sorted(s.name for s in getattr(condition, "free_symbols", ()))
        reason = ("the values do not depend on a parameter" if not free else
                  "a closed form is given for one parameter; these depend on " + ", ".join(free))
        return Answer(f"refused: {reason}", None, {"reason": reason}, lines, status="refused")
    summary = f"V({names[0]}) > V({names[1]}) where {where}"
    return Answer(summary, {"region": where}, {"left": number(left), "right": number(right)},
                  lines)


def _random_agent(question: RandomAgentQuestion, spec: Spec) -> Answer:
    from decisiontrees.analyses import agents

    if is_symbolic(question.tree.node) or (question.other is not None
                                           and is_symbolic(question.other.node)):
        return _random_agent_parametric(question, spec)

    sampling = (agents.Sampling(question.samples, question.seed)
                if question.samples is not None else None)
    law = question.distribution
    if law.polynomial_density() is None and sampling is None:
        sampling = agents.Sampling(seed=question.seed)
    try:
        if question.kind in ("choices", "chosen", "tie"):
            root = question.tree.node
            assert isinstance(root, Choice)
            found = agents.choice_probabilities(root.children, spec.outcomes, law, sampling)
            lines = tuple(f"{a}: {p}" for a, p in zip(root.actions, found.chosen)) + \
                (f"tie: {found.tie}", found.method, f"distribution: {law}")
            evidence = {"method": found.method, "distribution": str(law),
                        "chosen": {a: str(p) for a, p in zip(root.actions, found.chosen)},
                        "tie": str(found.tie)}
            if question.kind == "choices":
                summary = ", ".join(f"{a}: {p}" for a, p in zip(root.actions, found.chosen)) + \
                    f"; tie {found.tie}"
                return Answer(summary, evidence, evidence, lines[-2:], exact=found.tie.exact)
            if question.kind == "tie":
                return _number_answer(found.tie, lines, evidence)
            k = root.actions.index(question.action)
            return _number_answer(found.chosen[k], lines, evidence)
        if question.kind == "prefers":
            assert question.other is not None
            pair = agents.prefer_probability(question.tree.node, question.other.node,
                                             spec.outcomes, law, sampling)
            left, right = question.tree.name, question.other.name
            lines = (f"P[V({left}) > V({right})] = {pair.better}",
                     f"P[V({left}) = V({right})] = {pair.tie}",
                     f"P[V({left}) < V({right})] = {pair.worse}", pair.method,
                     f"distribution: {law}")
            evidence = {"method": pair.method, "distribution": str(law), "better": str(pair.better),
                        "tie": str(pair.tie), "worse": str(pair.worse)}
            return _number_answer(pair.better, lines, evidence)
        found_power = agents.power(question.tree.node, spec.outcomes, law, sampling)
        lines = (f"POWER = E[V_u({question.tree.name})] = {found_power.power}", found_power.method,
                 f"distribution: {law}")
        return _number_answer(found_power.power, lines,
                              {"method": found_power.method, "distribution": str(law)})
    except ArithmeticError as problem:
        return _failed_cross_check(problem)
    except agents.TooManyLotteries as problem:
        reason = f"{problem}; an exact answer would enumerate them (ask with samples = N)"
        return Answer("refused", None, {"reason": reason}, (f"refused: {reason}",),
                      status="refused")


def _failed_cross_check(problem: ArithmeticError) -> Answer:
    """An exact computation that failed its own consistency check answers nothing."""
    reason = f"an internal cross-check failed ({problem}); no answer rather than a wrong one"
    return Answer("unknown", None, {"reason": reason}, (f"unknown: {reason}",), status="unknown")


def _random_agent_parametric(question: RandomAgentQuestion, spec: Spec) -> Answer:
    """chosen, tie, choices, prefers or power on a parametric tree, for every value of its
    one parameter: an exact piecewise function (parametric_agents)."""
    from decisiontrees.analyses import agents
    from decisiontrees.analyses import parametric_agents as pa
    from decisiontrees.model.symbols import free_parameters, substitute

    trees = [question.tree.node] + ([question.other.node] if question.other else [])
    names = sorted(set().union(*(free_parameters(t) for t in trees)))
    law = question.distribution
    density = law.polynomial_density()

    def refused(reason: str) -> Answer:
        return Answer("refused", None, {"reason": reason}, (f"refused: {reason}",),
                      status="refused")

    if len(names) != 1:
        return refused(f"an exact answer in the parameters handles one; these trees have "
                       f"{', '.join(names)} (give values, e.g. {names[0]} = 1/2)")
    if density is None or question.samples is not None:
        return refused("Monte Carlo and laws without a polynomial density need parameter "
                       f"values, e.g. {names[0]} = 1/2")
    parameter = spec.parameters[names[0]]

    def at(value: Fraction) -> list[Node]:
        return [substitute(t, {parameter.name: value}) for t in trees]

    order = agents.relevant_outcomes(trees, spec.outcomes)
    d = len(order)
    try:
        if question.kind in ("choices", "chosen", "tie"):
            root = question.tree.node
            assert isinstance(root, Choice)
            sets = [agents.lottery_points(c, order) for c in root.children]
            points = sorted(frozenset().union(*sets), key=str)

            def share(k: int | None) -> Any:
                def quantity(masses: Mapping[Any, Any]) -> Any:
                    total: Any = Fraction(0)
                    for z, mass in masses.items():
                        holders = [j for j, s in enumerate(sets) if z in s]
                        if k is None:
                            total += mass if len(holders) > 1 else 0
                        elif k in holders:
                            total += mass / len(holders)
                    return total
                return quantity

            def exact(k: int | None) -> Any:
                def value(q: Fraction) -> Fraction:
                    (tree,) = at(q)
                    assert isinstance(tree, Choice)
                    found = agents.choice_probabilities_exact(tree.children, spec.outcomes,
                                                              density)
                    return found.tie.value if k is None else found.chosen[k].value
                return value

            if question.kind == "choices":
                parts = [f"{a}: " + pa.piecewise(share(k), points, d, density, parameter,
                                                 exact(k)).text()
                         for k, a in enumerate(root.actions)]
                return Answer("; ".join(parts), {"pieces": parts}, {}, tuple(parts[1:]))
            k = None if question.kind == "tie" else root.actions.index(question.action)
            found = pa.piecewise(share(k), points, d, density, parameter, exact(k))
        elif question.kind == "prefers":
            mine = agents.lottery_points(trees[0], order)
            theirs = agents.lottery_points(trees[1], order)
            points = sorted(mine | theirs, key=str)

            def better(masses: Mapping[Any, Any]) -> Any:
                return sum((m for z, m in masses.items() if z in mine and z not in theirs),
                           Fraction(0))

            def exact_better(q: Fraction) -> Fraction:
                left, right = at(q)
                return agents.pair_exact(left, right, spec.outcomes, density).better.value

            found = pa.piecewise(better, points, d, density, parameter, exact_better)
        else:
            points = sorted(agents.lottery_points(trees[0], order), key=str)

            def exact_power(q: Fraction) -> Fraction:
                (tree,) = at(q)
                return agents.power_exact(tree, spec.outcomes, density).power.value

            found = pa.piecewise(lambda masses: sum(masses.values(), Fraction(0)), points, d,
                                 density, parameter, exact_power, weighted=True)
    except ArithmeticError as problem:
        return _failed_cross_check(problem)
    except pa.Unsupported as problem:
        return refused(f"{problem}; give a value, e.g. {parameter.name} = 1/2")
    text = found.text()
    lines = (f"{agents.EXACT_METHOD}, piecewise in {parameter.name}", f"distribution: {law}")
    return Answer(text, {"pieces": text}, {"method": lines[0], "distribution": str(law)},
                  lines, comparable=found)


def _orbit(question: OrbitQuestion, spec: Spec, timeout_seconds: int | None) -> Answer:
    from decisiontrees.analyses import orbits, relations
    from decisiontrees.analyses.agents import TooManyLotteries

    seconds = question.timeout_seconds or timeout_seconds or relations.DEFAULT_TIMEOUT_MS // 1000
    left, right = question.tree.node, question.other.node
    names = (question.tree.name, question.other.name)
    try:
        if question.kind == "convergence":
            strength = orbits.convergence(left, right, spec.outcomes, seconds * 1000)
            lines = list(strength.reasons)
            if strength.witness is not None:
                lines.append(f"witness: {strength.witness.text()}")
            elif strength.favourable is not None and strength.level == "strict":
                lines.append(f"an orbit preferring {names[0]}: {strength.favourable.text()}")
            evidence = {"proven_at_least": strength.lower, "reasons": list(strength.reasons),
                        "witness": _orbit_json(strength.witness)}
            if strength.level is None:
                return Answer(f"unknown (at least {strength.lower})", None, evidence,
                              tuple(lines), status="unknown")
            return Answer(strength.level, strength.level, evidence, tuple(lines),
                          comparable=strength.level)
        if question.kind == "distribution_dependent":
            flips, better, worse = orbits.distribution_dependent(left, right, spec.outcomes)
            lines = [f"{'an orbit preferring ' + names[0]}: {better.text()}" if better else "",
                     f"{'an orbit preferring ' + names[1]}: {worse.text()}" if worse else ""]
            evidence = {"left_orbit": _orbit_json(better), "right_orbit": _orbit_json(worse)}
            if flips:
                return Answer("yes", True, evidence, tuple(x for x in lines if x), comparable=True)
            strength = orbits.convergence(left, right, spec.outcomes, seconds * 1000)
            reverse = orbits.convergence(right, left, spec.outcomes, seconds * 1000)
            if strength.lower != "none" or reverse.lower != "none":
                reasons = strength.reasons if strength.lower != "none" else reverse.reasons
                return Answer("no", False, evidence, tuple(reasons), comparable=False)
            return Answer("unknown", None, evidence, ("no orbits disagreeing were found, and "
                          "no proposition rules them out",), status="unknown")
        share = orbits.orbit_share(left, right, spec.outcomes, seconds * 1000)
        lines = [f"at least {share.lower}: {share.lower_reason}"]
        if share.upper_orbit is not None:
            lines.append(f"at most {share.upper}: {share.upper_orbit.text()}")
        evidence = {"lower": str(share.lower), "upper": str(share.upper),
                    "lower_reason": share.lower_reason, "involutions": list(share.involutions),
                    "upper_orbit": _orbit_json(share.upper_orbit)}
        if share.lower == share.upper:
            return Answer(str(share.lower), str(share.lower), evidence, tuple(lines),
                          comparable=share.lower)
        return Answer(f"between {share.lower} and {share.upper}", evidence, evidence,
                      tuple(lines), comparable=Bounds(share.lower, share.upper), exact=False)
    except ArithmeticError as problem:
        return _failed_cross_check(problem)
    except (TooManyLotteries, ValueError) as problem:
        return Answer("refused", None, {"reason": str(problem)}, (f"refused: {problem}",),
                      status="refused")


def _orbit_json(orbit: Any) -> Any:
    if orbit is None:
        return None
    return {"utility": {o: str(v) for o, v in orbit.utility.items()}, "left": str(orbit.left),
            "right": str(orbit.right), "permutations": orbit.size}
