"""Choice when the utility function is only known to lie in a class (Huntley & Troffaes 2012).

A plan is judged by its lottery ``z``; the class gives each plan the set of expected utilities
``{u·z : u in C}``. Four rules say which plans an agent may choose (plans with one lottery
are one option, since no utility separates them):

* maximality: ``z`` is excluded when another plan ``q`` has ``u·q > u·z`` for every ``u`` in
  the class (Troffaes 2007; a class holding a constant utility, like the unit box, therefore
  excludes nothing: normalise it, e.g. ``{a - c == 1}``);
* E-admissibility: ``z`` is allowed when it is optimal for some ``u`` in the class;
* interval dominance: ``z`` is excluded when some ``q`` has ``inf u·q > sup u·z``;
* Γ-maximin: the plans with the largest lower value ``inf_u u·z``.

Each is computed on the normal form (every plan of the tree). Maximality and E-admissibility
may also be computed by backward induction, keeping at each choice node only the sub-plans
the rule allows there; Γ-maximin and interval dominance may not, and
:func:`backward_induction` shows what that would give, to compare.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees import limits
from decisiontrees.analyses import farkas
from decisiontrees.analyses.farkas import Infeasibility
from decisiontrees.analyses.plans import describe_plan, plans
from decisiontrees.errors import SolverFailed
from decisiontrees.model.classes import Constraint, UtilityClass
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, postorder
from decisiontrees.model.rules import CLASS_RULES
from decisiontrees.solvers import smt as solver

Lottery = tuple[tuple[str, Fraction], ...]  # sorted (outcome, probability) pairs, no zeros


# allowed, reason, a utility making it optimal, the proof of an exclusion
Verdict = tuple[bool, str, Mapping[str, Fraction] | None, Infeasibility | None]


@dataclass(frozen=True)
class Option:
    """Plans with one lottery, and why the rule allows or excludes them."""

    plans: tuple[str, ...]
    actions: tuple[str, ...]  # the root actions that start these plans
    lottery: Lottery
    allowed: bool
    reason: str
    witness: Mapping[str, Fraction] | None = None  # a utility making it optimal (E-admissible)
    lower: Fraction | None = None  # inf of u·z over the class (None: unbounded below)
    upper: Fraction | None = None
    certificate: Infeasibility | None = None  # an exclusion's proof


@dataclass(frozen=True)
class ClassChoice:
    """What a rule allows at the root of a tree, on the normal form."""

    rule: str
    actions: tuple[str, ...]  # root actions starting an allowed plan, in tree order
    options: tuple[Option, ...]
    backward: tuple[str, ...] | None  # root actions backward induction allows (when it differs)
    backward_plans: tuple[str, ...] | None


def _key(lottery: Mapping[str, Fraction]) -> Lottery:
    return tuple(sorted((o, q) for o, q in lottery.items() if q))


def _solved(found: object, what: str) -> object:
    if isinstance(found, solver.Unknown):
        raise SolverFailed(f"{what}: {found.reason}")
    return found


def _value_text(value: Fraction | None, lowest: bool) -> str:
    if value is None:
        return "-∞" if lowest else "+∞"
    return str(value)


class _Judge:
    """The rule applied to a set of lotteries, with the solver calls cached."""

    def __init__(self, utility_class: UtilityClass, timeout_ms: int) -> None:
        self.utility_class = utility_class
        self.timeout_ms = timeout_ms
        self.bounds: dict[tuple[Lottery, bool], Fraction | None] = {}
        self.prefers: dict[tuple[Lottery, Lottery, bool], bool] = {}

    def bound(self, z: Lottery, lowest: bool) -> Fraction | None:
        key = (z, lowest)
        if key not in self.bounds:
            limits.check("bounding expected utilities over the class")
            found = _solved(solver.extreme_expectation(dict(z), self.utility_class, lowest,
                                                       self.timeout_ms),
                            "bounding an expected utility")
            assert found is None or isinstance(found, Fraction)
            self.bounds[key] = found
        return self.bounds[key]

    def somewhere_better(self, q: Lottery, z: Lottery, strict: bool) -> bool:
        """Whether some ``u`` in the class has ``u·q > u·z`` (``>=`` unless strict)."""
        key = (q, z, strict)
        if key not in self.prefers:
            limits.check("comparing plans over the class")
            found = _solved(solver.find_utility_preferring(dict(q), dict(z), self.utility_class,
                                                           self.timeout_ms, strict),
                            "comparing two plans")
            self.prefers[key] = found is not None
        return self.prefers[key]

    def dominates(self, q: Lottery, z: Lottery) -> bool:
        """``u·q > u·z`` for every ``u`` in the class (no member has ``u·z >= u·q``)."""
        return not self.somewhere_better(z, q, False)

    def certificate(self, z: Lottery, others: Sequence[Lottery]) -> Infeasibility | None:
        """Exact multipliers proving that no utility in the class has ``u·z >= u·q`` for
        every ``q`` in ``others``, checked here; None if the solver gives up."""
        rows = list(self.utility_class.all_constraints())
        for q in others:
            difference = dict(z)
            for o, p in q:
                difference[o] = difference.get(o, Fraction(0)) - p
            rows.append(Constraint(tuple((o, c) for o, c in sorted(difference.items()) if c),
                                   ">=", Fraction(0), f"u·{_show(z)} >= u·{_show(q)}"))
        return farkas.certificate(rows, self.timeout_ms,
                                  f"no utility in the class makes {_show(z)} optimal")

    def judge(self, rule: str, lotteries: Sequence[Lottery]) -> dict[Lottery, Verdict]:
        """For each lottery: allowed, the reason, a witness utility (E-admissibility) and an
        exclusion's certificate (maximality, E-admissibility)."""
        verdicts: dict[Lottery, Verdict] = {}
        if rule == "maximality":
            for z in lotteries:
                beaten = next((q for q in lotteries if q != z and self.dominates(q, z)), None)
                if beaten is None:
                    verdicts[z] = (True, "no other plan dominates it over the class", None, None)
                    continue
                proof = self.certificate(z, [beaten])
                verdicts[z] = (False, f"dominated by {_show(beaten)}: better for every utility "
                               "in the class (" + ("no member makes it at least as good: "
                                                   "certificate below, checked exactly"
                                                   if proof else f"{solver.SOLVER_NAME}: no "
                                                   "member makes it at least as good") + ")",
                               None, proof)
        elif rule == "e_admissibility":
            for z in lotteries:
                limits.check("looking for utilities under which each plan is optimal")
                found = _solved(solver.find_utility_where_best(
                    dict(z), [dict(q) for q in lotteries if q != z], self.utility_class,
                    self.timeout_ms), "looking for a utility")
                if found is None:
                    proof = self.certificate(z, [q for q in lotteries if q != z])
                    verdicts[z] = (False, "optimal for no utility in the class (" + (
                        "infeasibility certificate below, checked exactly" if proof else
                        f"{solver.SOLVER_NAME}: the constraints are infeasible") + ")",
                        None, proof)
                else:
                    assert isinstance(found, dict)
                    utility = {o: v for o, v in found.items() if not o.startswith("w:")}
                    verdicts[z] = (True, "optimal for a utility in the class", utility, None)
        elif rule == "interval_dominance":
            for z in lotteries:
                top = self.bound(z, lowest=False)
                beaten = next((q for q in lotteries if q != z and top is not None
                               and (low := self.bound(q, lowest=True)) is not None
                               and low > top), None)
                verdicts[z] = (True, "no plan's lower value exceeds its upper value", None,
                               None) if beaten is None else (
                        False, f"{_show(beaten)} is worth at least {self.bound(beaten, True)} for "
                        f"every utility in the class, this at most {top}", None, None)
        else:
            lows = {z: self.bound(z, lowest=True) for z in lotteries}
            finite = [v for v in lows.values() if v is not None]
            best = max(finite) if finite else None
            for z in lotteries:
                shown = _value_text(lows[z], True)
                verdicts[z] = (lows[z] == best, f"lower value {shown}" + (
                    " (the largest)" if lows[z] == best else f" < {_value_text(best, True)}"),
                    None, None)
        return verdicts


def _show(z: Lottery) -> str:
    if len(z) == 1:
        return z[0][0]
    return "{" + ", ".join(f"{o}: {q}" for o, q in z) + "}"


def choose(tree: Node, utility_class: UtilityClass, rule: str, timeout_ms: int,
           limit: int = 1_000) -> ClassChoice:
    """The root actions and plans ``rule`` allows in ``tree`` (a tree starting with a choice),
    on the normal form; for Γ-maximin and interval dominance also backward induction's."""
    assert isinstance(tree, Choice) and rule in CLASS_RULES
    judge = _Judge(utility_class, timeout_ms)
    grouped: dict[Lottery, list[tuple[str, str]]] = {}
    for planned in plans(tree, limit):
        assert isinstance(planned.plan, tuple)
        first = planned.plan[0]
        assert isinstance(first, int)
        action = tree.actions[first]
        grouped.setdefault(_key(planned.lottery), []).append(
            (describe_plan(tree, planned.plan), action))
    lotteries = sorted(grouped)
    verdicts = judge.judge(rule, lotteries)
    options = []
    for z in lotteries:
        allowed, reason, witness, proof = verdicts[z]
        bounded = rule in ("interval_dominance", "gamma_maximin")
        options.append(Option(
            tuple(p for p, _ in grouped[z]), tuple(dict.fromkeys(a for _, a in grouped[z])), z,
            allowed, reason, witness,
            judge.bound(z, True) if bounded else None,
            judge.bound(z, False) if rule == "interval_dominance" else None, proof))
    allowed_actions = {a for o in options if o.allowed for a in o.actions}
    actions = tuple(a for a in dict.fromkeys(tree.actions) if a in allowed_actions)
    backward = backward_plans = None
    if rule in ("interval_dominance", "gamma_maximin"):
        kept = backward_induction(tree, judge, rule)
        kept_actions = {tree.actions[k] for k, _ in kept}
        shown = tuple(a for a in dict.fromkeys(tree.actions) if a in kept_actions)
        normal = {o.lottery for o in options if o.allowed}
        if shown != actions or {z for _, z in kept} != normal:
            backward = shown
            backward_plans = tuple(sorted({_show(z) for _, z in kept}))
    return ClassChoice(rule, actions, tuple(options), backward, backward_plans)


def backward_induction(tree: Choice, judge: _Judge, rule: str) -> list[tuple[int, Lottery]]:
    """The root's (action index, lottery) pairs that survive when ``rule`` prunes the
    sub-plans at every choice node from the leaves up."""
    kept: dict[int, list[tuple[int, Lottery]]] = {}
    for node in postorder(tree):
        limits.check("backward induction")
        if isinstance(node, Leaf):
            kept[id(node)] = [(-1, ((node.outcome, Fraction(1)),))]
        elif isinstance(node, Chance):
            rows = []
            for combination in itertools.product(*(kept[id(c)] for c in node.children)):
                lottery: dict[str, Fraction] = {}
                for p, (_, child) in zip(node.probabilities, combination):
                    for outcome, q in child:
                        lottery[outcome] = lottery.get(outcome, Fraction(0)) + p * q
                rows.append((-1, _key(lottery)))
            kept[id(node)] = list(dict.fromkeys(rows))
        else:
            assert isinstance(node, Choice)
            candidates = [(k, z) for k, child in enumerate(node.children)
                          for _, z in kept[id(child)]]
            verdicts = judge.judge(rule, sorted({z for _, z in candidates}))
            kept[id(node)] = [(k, z) for k, z in dict.fromkeys(candidates) if verdicts[z][0]]
    return kept[id(tree)]
