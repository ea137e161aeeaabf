"""The only module that talks to z3. In: model nodes and exact numbers. Out: plain values.

A solver that gives up yields :class:`Unknown` with its reason; it is never read as yes or no.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from decisiontrees import limits
from decisiontrees.evidence.checks import EdgeKey, topological_order
from decisiontrees.model.classes import Constraint, UtilityClass
from decisiontrees.model.nodes import Choice, Leaf, Node, Parameter

SOLVER_NAME = f"z3 {z3.get_version_string()}"


@dataclass(frozen=True, slots=True)
class Unknown:
    """The solver gave up."""

    reason: str


def _fraction(value: Any) -> Fraction:
    value = z3.simplify(value)
    if z3.is_rational_value(value):
        return Fraction(value.numerator_as_long(), value.denominator_as_long())
    if z3.is_int_value(value):
        return Fraction(value.as_long())
    raise ValueError(f"solver returned a non-rational value {value}")


def _z3_number(value: Fraction) -> z3.ArithRef:
    return z3.RealVal(f"{value.numerator}/{value.denominator}")


def _solution(solver: z3.Solver, variables: Mapping[str, Any]) -> dict[str, Fraction] | None | Unknown:
    """The values of ``variables`` in a model of ``solver``; None when unsatisfiable."""
    result = _check(solver)
    if isinstance(result, Unknown):
        return result
    if result == z3.unsat:
        return None
    model = solver.model()
    try:
        return {name: _fraction(model.eval(v, model_completion=True))
                for name, v in variables.items()}
    except ValueError:  # nonlinear arithmetic can answer with an algebraic point
        return Unknown("the solver's point is irrational, so there is no exact witness")


def _check(solver: z3.Solver) -> Any:
    result = solver.check()
    if result == z3.unknown:
        return Unknown(solver.reason_unknown() or "the solver gave up")
    return result


def _sequence_form(solver: z3.Solver, tree: Node, prefix: str
                   ) -> tuple[dict[EdgeKey, Any], dict[str, Any]]:
    """Flow variables on the choice edges of ``tree`` and the lottery they induce (z3 terms)."""
    order = topological_order(tree)
    index = {id(node): i for i, node in enumerate(order)}
    incoming: list[list[Any]] = [[] for _ in order]
    incoming[0].append(z3.RealVal(1))
    edges: dict[EdgeKey, Any] = {}
    reached: dict[str, list[Any]] = {}
    for i, node in enumerate(order):
        received = z3.Sum(incoming[i]) if incoming[i] else z3.RealVal(0)
        if isinstance(node, Leaf):
            reached.setdefault(node.outcome, []).append(received)
        elif isinstance(node, Choice):
            parts = []
            for k, child in enumerate(node.children):
                edge = z3.Real(f"{prefix}f_{i}_{k}")
                edges[(i, k)] = edge
                solver.add(edge >= 0)
                parts.append(edge)
                incoming[index[id(child)]].append(edge)
            solver.add(z3.Sum(parts) == received)
        else:
            for p, child in zip(node.probabilities, node.children):
                if p != 0:
                    incoming[index[id(child)]].append(_z3_number(p) * received)
    return edges, {o: z3.Sum(terms) for o, terms in reached.items()}


def _flow_values(model: Any, edges: Mapping[EdgeKey, Any]) -> dict[EdgeKey, Fraction]:
    return {key: _fraction(model.eval(edge, model_completion=True)) for key, edge in edges.items()}


def find_flow(tree: Node, lottery: Mapping[str, Fraction], timeout_ms: int
              ) -> dict[EdgeKey, Fraction] | None | Unknown:
    """A sequence-form flow of ``tree`` inducing ``lottery``, None if there is none."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    edges, reached = _sequence_form(solver, tree, "")
    for outcome in set(reached) | set(lottery):
        wanted = Fraction(lottery.get(outcome, 0))
        if outcome not in reached:
            if wanted == 0:
                continue
            return None
        solver.add(reached[outcome] == _z3_number(wanted))
    result = _check(solver)
    if isinstance(result, Unknown):
        return result
    if result == z3.unsat:
        return None
    return _flow_values(solver.model(), edges)


def find_separating_utility(tree: Node, lottery: Mapping[str, Fraction], outcomes: list[str],
                            timeout_ms: int) -> dict[str, Fraction] | None | Unknown:
    """Some ``u`` in [0,1]^outcomes with ``u·lottery > V_u(tree)``, None if there is none."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    utility = {o: z3.Real(f"u_{n}") for n, o in enumerate(outcomes)}
    for u in utility.values():
        solver.add(u >= 0, u <= 1)
    gain = z3.Sum([_z3_number(Fraction(q)) * utility[o] for o, q in lottery.items()])
    solver.add(gain > _upper_bounds(solver, tree, utility, ""))
    return _solution(solver, utility)


def find_parameter_values(condition: Any, parameters: Mapping[str, Parameter], timeout_ms: int
                          ) -> dict[str, Fraction] | None | Unknown:
    """Parameter values in their domains where the sympy relation ``condition`` holds.

    Nonlinear real arithmetic: z3's nlsat decides polynomial constraints; for anything it
    cannot, the answer is Unknown.
    """
    import sympy

    if condition is sympy.false:
        return None
    symbols = {s.name: z3.Real(s.name) for s in condition.free_symbols}
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    _add_domains(solver, symbols, parameters)
    if condition is not sympy.true:
        try:
            solver.add(_from_sympy(condition, symbols))
        except ValueError as problem:
            return Unknown(str(problem))
    return _solution(solver, symbols)


def _add_domains(solver: z3.Solver, symbols: Mapping[str, Any],
                 parameters: Mapping[str, Parameter]) -> None:
    """Each parameter variable within its declared interval."""
    for name, variable in symbols.items():
        domain = parameters[name]
        low, high = _z3_number(domain.low), _z3_number(domain.high)
        solver.add(variable > low if domain.low_open else variable >= low)
        solver.add(variable < high if domain.high_open else variable <= high)


def _from_sympy(expr: Any, symbols: Mapping[str, Any]) -> Any:
    """Translate a sympy expression built by decisiontrees.checking.arithmetic (no strings involved)."""
    import sympy

    if expr.is_Symbol:
        return symbols[expr.name]
    if expr.is_Rational:
        return _z3_number(Fraction(int(expr.p), int(expr.q)))
    args = [_from_sympy(a, symbols) for a in expr.args]
    if isinstance(expr, sympy.Add):
        return z3.Sum(args)
    if isinstance(expr, sympy.Mul):
        product = args[0]
        for a in args[1:]:
            product = product * a
        return product
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer:
        base = args[0]
        power = int(expr.exp)
        result = base
        for _ in range(abs(power) - 1):
            result = result * base
        return 1 / result if power < 0 else result
    if isinstance(expr, (sympy.Max, sympy.Min)):
        result = args[0]
        for a in args[1:]:
            bigger = a > result if isinstance(expr, sympy.Max) else a < result
            result = z3.If(bigger, a, result)
        return result
    if isinstance(expr, sympy.core.relational.Equality):
        return args[0] == args[1]
    if isinstance(expr, sympy.core.relational.Unequality):
        return args[0] != args[1]
    if isinstance(expr, sympy.core.relational.StrictLessThan):
        return args[0] < args[1]
    if isinstance(expr, sympy.core.relational.LessThan):
        return args[0] <= args[1]
    if isinstance(expr, sympy.core.relational.StrictGreaterThan):
        return args[0] > args[1]
    if isinstance(expr, sympy.core.relational.GreaterThan):
        return args[0] >= args[1]
    raise ValueError(f"cannot translate {type(expr).__name__} for the solver")


def _constraint(row: Constraint, variables: Mapping[str, Any]) -> Any:
    total = z3.Sum([_z3_number(c) * variables[v] for v, c in row.coefficients]) \
        if row.coefficients else z3.RealVal(0)
    bound = _z3_number(row.constant)
    if row.op == ">=":
        return total >= bound
    if row.op == ">":
        return total > bound
    return total == bound


def class_variables(utility_class: UtilityClass) -> dict[str, Any]:
    """One real variable per outcome value and per feature weight of the class."""
    names = list(utility_class.outcomes) + ["w:" + f for f in utility_class.features]
    return {name: z3.Real(f"u_{n}") for n, name in enumerate(names)}


def add_class(solver: z3.Solver, utility_class: UtilityClass, variables: Mapping[str, Any]) -> None:
    for row in utility_class.all_constraints():
        solver.add(_constraint(row, variables))


def empty_class_core(utility_class: UtilityClass, timeout_ms: int) -> list[Constraint] | None | Unknown:
    """None if the class has a member; otherwise constraints that together admit none."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    solver.set("unsat_core", True)
    variables = class_variables(utility_class)
    rows = utility_class.all_constraints()
    for n, row in enumerate(rows):
        solver.assert_and_track(_constraint(row, variables), z3.Bool(f"c_{n}"))
    result = _check(solver)
    if isinstance(result, Unknown):
        return result
    if result == z3.sat:
        return None
    core = {str(b) for b in solver.unsat_core()}
    return [row for n, row in enumerate(rows) if f"c_{n}" in core]


def _value_term(solver: z3.Solver, tree: Node, utility: Mapping[str, Any], prefix: str,
                upper: bool, parameters: Mapping[str, Any] | None = None) -> Any:
    """A term for ``V_u(tree)``: with ``upper``, at least the value for every ``u`` (at least
    each child at a choice node); otherwise at most what some plan attains (at most one
    child, a disjunction per choice node). Chance nodes are exact expectations."""
    term: dict[int, Any] = {}
    for n, node in enumerate(reversed(topological_order(tree))):
        if isinstance(node, Leaf):
            term[id(node)] = utility[node.outcome]
            continue
        v = z3.Real(f"{prefix}v_{n}")
        if isinstance(node, Choice):
            if upper:
                solver.add(*[v >= term[id(c)] for c in node.children])
            else:
                solver.add(z3.Or([v <= term[id(c)] for c in node.children]))
        else:
            solver.add(v == z3.Sum([_probability(p, parameters) * term[id(c)]
                                    for p, c in zip(node.probabilities, node.children)]))
        term[id(node)] = v
    return term[id(tree)]


def _probability(value: Any, parameters: Mapping[str, Any] | None) -> Any:
    if isinstance(value, Fraction):
        return _z3_number(value)
    return _from_sympy(value, parameters or {})


def find_parametric_counterexample(better: Node, worse: Node, utility_class: UtilityClass,
                                   parameters: Mapping[str, Parameter], timeout_ms: int
                                   ) -> tuple[dict[str, Fraction], dict[str, Fraction]] | None | Unknown:
    """Parameter values and a ``u`` in the class with ``V_u(worse) > V_u(better)``: that is,
    values where ``better`` does not dominate ``worse`` (nonlinear: probabilities are
    polynomials in the parameters)."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    variables = class_variables(utility_class)
    add_class(solver, utility_class, variables)
    symbols = {name: z3.Real(f"param_{name}") for name in parameters}
    _add_domains(solver, symbols, parameters)
    try:
        gain = _value_term(solver, worse, variables, "w", False, symbols)
        cost = _value_term(solver, better, variables, "b", True, symbols)
    except ValueError as problem:
        return Unknown(str(problem))
    solver.add(gain > cost)
    values = _solution(solver, {**variables, **{f"param_{k}": v for k, v in symbols.items()}})
    if values is None or isinstance(values, Unknown):
        return values
    chosen = {k[len("param_"):]: v for k, v in values.items() if k.startswith("param_")}
    utility = {k: v for k, v in values.items() if not k.startswith("param_")}
    return chosen, utility


def _upper_bounds(solver: z3.Solver, tree: Node, utility: Mapping[str, Any], prefix: str) -> Any:
    return _value_term(solver, tree, utility, prefix, upper=True)


def _achievable(solver: z3.Solver, tree: Node, utility: Mapping[str, Any], prefix: str) -> Any:
    return _value_term(solver, tree, utility, prefix, upper=False)


def find_better_utility(better: Node, worse: Node, utility_class: UtilityClass, timeout_ms: int,
                        strict: bool = True, nonconstant: bool = False
                        ) -> dict[str, Fraction] | None | Unknown:
    """Some ``u`` in the class with ``V_u(better) > V_u(worse)`` (``>=`` unless ``strict``).

    Returns the values of every class variable (outcomes, and ``w:feature`` weights), or None
    when there is none. With ``nonconstant``, ``u`` spans [0,1] (some value 0, some 1).
    """
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    variables = class_variables(utility_class)
    add_class(solver, utility_class, variables)
    if nonconstant:
        outcomes = [variables[o] for o in utility_class.outcomes]
        solver.add(z3.Or([u == 1 for u in outcomes]), z3.Or([u == 0 for u in outcomes]))
    gain = _achievable(solver, better, variables, "b")
    cost = _upper_bounds(solver, worse, variables, "a")
    solver.add(gain > cost if strict else gain >= cost)
    return _solution(solver, variables)


def find_dominating_point(tree: Node, lottery: Mapping[str, Fraction], utility_class: UtilityClass,
                          timeout_ms: int) -> tuple[dict[EdgeKey, Fraction], list[Fraction]] | None | Unknown:
    """A flow of ``tree`` with lottery ``x`` and multipliers ``λ`` proving ``u·x >= u·lottery``
    for every ``u`` in the class (affine Farkas: ``A^T λ = (x - lottery, 0)``, ``λ >= 0`` on
    inequalities, ``b·λ >= 0``), one per row of ``utility_class.all_constraints()``."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    edges, reached = _sequence_form(solver, tree, "")
    rows = utility_class.all_constraints()
    multipliers = [z3.Real(f"l_{r}") for r in range(len(rows))]
    for row, multiplier in zip(rows, multipliers):
        if row.op != "==":
            solver.add(multiplier >= 0)
    names = list(utility_class.outcomes) + ["w:" + f for f in utility_class.features]
    for name in names:
        column = [_z3_number(c) * multiplier for row, multiplier in zip(rows, multipliers)
                  for v, c in row.coefficients if v == name]
        combined = z3.Sum(column) if column else z3.RealVal(0)
        if name in utility_class.outcomes:
            x = reached.get(name, z3.RealVal(0))
            solver.add(combined == x - _z3_number(Fraction(lottery.get(name, 0))))
        else:
            solver.add(combined == 0)
    solver.add(z3.Sum([_z3_number(row.constant) * m for row, m in zip(rows, multipliers)]
                      or [z3.RealVal(0)]) >= 0)
    result = _check(solver)
    if isinstance(result, Unknown):
        return result
    if result == z3.unsat:
        return None
    model = solver.model()
    return _flow_values(model, edges), [_fraction(model.eval(m, model_completion=True))
                                        for m in multipliers]


def find_interior_points(tree: Node, lottery: Mapping[str, Fraction], outcomes: list[str],
                         timeout_ms: int) -> tuple[Fraction, list[dict[EdgeKey, Fraction]]] | None | Unknown:
    """The largest ``ε`` with ``lottery + ε(e_o - c) ∈ L(tree)`` for every outcome ``o``
    (``c`` uniform), and one flow per outcome; None if only ``ε = 0`` works."""
    optimizer = z3.Optimize()
    optimizer.set("timeout", limits.remaining_ms(timeout_ms))
    epsilon = z3.Real("epsilon")
    optimizer.add(epsilon >= 0, epsilon <= 1)
    centre = Fraction(1, len(outcomes))
    flows = []
    for n, target in enumerate(outcomes):
        edges, reached = _sequence_form(optimizer, tree, f"p{n}_")
        for o in outcomes:
            point = _z3_number(Fraction(lottery.get(o, 0))) + epsilon * _z3_number(
                (1 if o == target else 0) - centre)
            optimizer.add(reached.get(o, z3.RealVal(0)) == point)
        flows.append(edges)
    optimizer.maximize(epsilon)
    result = optimizer.check()
    if result == z3.unknown:
        return Unknown(optimizer.reason_unknown() or "the optimizer gave up")
    if result == z3.unsat:
        return None
    model = optimizer.model()
    value = _fraction(model.eval(epsilon, model_completion=True))
    if value <= 0:
        return None
    return value, [_flow_values(model, edges) for edges in flows]


def in_convex_hull(points: list[Mapping[str, Fraction]], target: Mapping[str, Fraction],
                   timeout_ms: int) -> bool | Unknown:
    """Whether ``target`` is a convex combination of ``points`` (one LP)."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    weights = [z3.Real(f"lambda_{n}") for n in range(len(points))]
    for w in weights:
        solver.add(w >= 0)
    solver.add(z3.Sum(weights) == 1)
    for o in set(target).union(*points):
        terms = [_z3_number(Fraction(p.get(o, 0))) * w for p, w in zip(points, weights)]
        solver.add(z3.Sum(terms) == _z3_number(Fraction(target.get(o, 0))))
    result = _check(solver)
    if isinstance(result, Unknown):
        return result
    return bool(result == z3.sat)  # z3 is untyped: its CheckSatResult == gives a bool


def convex_weights(points: Sequence[Sequence[Fraction]], target: Sequence[Fraction],
                   timeout_ms: int) -> list[Fraction] | None | Unknown:
    """Weights ``λ ≥ 0`` with ``Σλ = 1`` and ``Σ λ_i points_i = target``; None when
    ``target`` is not a convex combination of ``points``."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    weights = {f"lambda_{n}": z3.Real(f"lambda_{n}") for n in range(len(points))}
    for w in weights.values():
        solver.add(w >= 0)
    solver.add(z3.Sum(list(weights.values())) == 1)
    for i, value in enumerate(target):
        solver.add(z3.Sum([_z3_number(point[i]) * w for point, w in zip(points, weights.values())])
                   == _z3_number(value))
    found = _solution(solver, weights)
    return found if found is None or isinstance(found, Unknown) else list(found.values())


# ------------------------------------------------------------------ permutations (P3/P4)


class InjectionProgram:
    """The search for P3/P4's ``σ`` as one integer program: a 0/1 number for each allowed
    ``σ(s) = t`` and, for each given lottery ``y`` of the moved tree, a sequence-form plan
    of ``tree`` that reaches ``σ·y`` exactly. Feasible exactly when some injective ``σ``
    sending each source to a candidate, with every ``forced`` target in its image, puts
    every given lottery inside ``L(tree)`` (with some of the moved tree's lotteries only,
    a necessary condition). Kept between calls, so each :meth:`find` resumes
    with what z3 learnt, and constraints added since."""

    def __init__(self, tree: Node, lotteries: Sequence[Sequence[tuple[str, Fraction]]],
                 candidates: Mapping[str, Sequence[str]], forced: frozenset[str]) -> None:
        self.solver = z3.Solver()
        self.tree = tree
        self.lotteries: list[Sequence[tuple[str, Fraction]]] = []
        self.bounds: list[tuple[Mapping[str, Fraction], Fraction]] = []
        # whole numbers in [0, 1], not Booleans: z3 then relaxes them to the linear program,
        # whose infeasibility is often the whole proof (Booleans it would branch on first)
        self.sends = {(s, t): z3.Int(f"sends_{i}_{k}")
                      for i, s in enumerate(candidates) for k, t in enumerate(candidates[s])}
        for sent in self.sends.values():
            self.solver.add(sent >= 0, sent <= 1)
        self.targets = sorted({t for found in candidates.values() for t in found} | forced)
        for s in candidates:
            self.solver.add(z3.Sum([self.sends[s, t] for t in candidates[s]] or [z3.IntVal(0)])
                            == 1)
        for t in self.targets:
            into = z3.Sum([self.sends[s, t] for s in candidates if (s, t) in self.sends]
                          or [z3.IntVal(0)])
            self.solver.add(into == 1 if t in forced else into <= 1)
        for lottery in lotteries:
            self.add_lottery(lottery)

    def add_lottery(self, lottery: Sequence[tuple[str, Fraction]]) -> None:
        """One more lottery ``y`` (outcome, probability) whose ``σ·y`` must be reached."""
        _, reached = _sequence_form(self.solver, self.tree, f"y{len(self.lotteries)}_")
        for t in sorted(set(reached) | set(self.targets)):
            moved = [_z3_number(q) * z3.ToReal(self.sends[s, t])
                     for s, q in lottery if (s, t) in self.sends]
            self.solver.add(reached.get(t, z3.RealVal(0))
                            == (z3.Sum(moved) if moved else z3.RealVal(0)))
        self.lotteries.append(lottery)
        for utility, bound in self.bounds:
            self._below(lottery, utility, bound)

    def below(self, utility: Mapping[str, Fraction], bound: Fraction) -> None:
        """Keep only ``σ`` under which every lottery, moved, is worth less than ``bound`` to
        ``utility`` (those added later too)."""
        self.bounds.append((utility, bound))
        for lottery in self.lotteries:
            self._below(lottery, utility, bound)

    def _below(self, lottery: Sequence[tuple[str, Fraction]], utility: Mapping[str, Fraction],
               bound: Fraction) -> None:
        worth = [_z3_number(q * utility.get(t, Fraction(0))) * z3.ToReal(sent)
                 for s, q in lottery for (source, t), sent in self.sends.items()
                 if source == s and q * utility.get(t, Fraction(0)) != 0]
        self.solver.add((z3.Sum(worth) if worth else z3.RealVal(0)) < _z3_number(bound))

    def exclude(self, mapping: Mapping[str, str]) -> None:
        """Rule out one map (one the program allows: others are out already)."""
        if mapping and all(pair in self.sends for pair in mapping.items()):
            self.solver.add(z3.Sum([self.sends[pair] for pair in mapping.items()])
                            <= len(mapping) - 1)

    def find(self, timeout_ms: int) -> dict[str, str] | None | Unknown:
        """A map the program allows, None when there is none; :class:`Unknown` when z3
        gives up or the time is over."""
        self.solver.set("timeout", limits.remaining_ms(timeout_ms))
        result = _check(self.solver)
        if isinstance(result, Unknown) or result == z3.unsat:
            return None if result == z3.unsat else result
        model = self.solver.model()
        return {s: t for (s, t), sent in self.sends.items()
                if model.eval(sent, model_completion=True).as_long() == 1}


# ------------------------------------------------------------------ choice under a class


def _expectation(lottery: Mapping[str, Fraction], variables: Mapping[str, Any]) -> Any:
    return z3.Sum([_z3_number(q) * variables[o] for o, q in lottery.items()]) \
        if lottery else z3.RealVal(0)


def feasible_point(rows: Sequence[Constraint], timeout_ms: int
                   ) -> dict[str, Fraction] | None | Unknown:
    """A point satisfying every row exactly; None when there is none."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    names = sorted({v for row in rows for v, _ in row.coefficients})
    variables = {name: z3.Real(f"x_{n}") for n, name in enumerate(names)}
    for row in rows:
        solver.add(_constraint(row, variables))
    return _solution(solver, variables)


def infeasibility_multipliers(rows: Sequence[Constraint], timeout_ms: int
                              ) -> list[Fraction] | None | Unknown:
    """Multipliers proving that ``rows`` have no common solution (Motzkin's transposition
    theorem): ``y_r >= 0`` on inequalities, ``Σ y_r·coefficients_r = 0``, ``Σ y_r·constant_r
    >= 0`` and ``Σ y_r·constant_r + Σ_{strict r} y_r >= 1``. Any solution ``x`` would give
    ``0 = Σ y_r (a_r·x) ≥ Σ y_r b_r`` with equality impossible when a strict row has weight,
    a contradiction. None: there are no such multipliers (the rows are feasible)."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    weights = [z3.Real(f"y_{n}") for n in range(len(rows))]
    names = sorted({v for row in rows for v, _ in row.coefficients})
    for row, y in zip(rows, weights):
        if row.op != "==":
            solver.add(y >= 0)
    for name in names:
        solver.add(z3.Sum([_z3_number(c) * y for row, y in zip(rows, weights)
                           for v, c in row.coefficients if v == name] or [z3.RealVal(0)]) == 0)
    bound = z3.Sum([_z3_number(row.constant) * y for row, y in zip(rows, weights)]
                   or [z3.RealVal(0)])
    strict = [y for row, y in zip(rows, weights) if row.op == ">"]
    solver.add(bound >= 0, bound + z3.Sum(strict or [z3.RealVal(0)]) >= 1)
    found = _solution(solver, {str(n): y for n, y in enumerate(weights)})
    if found is None or isinstance(found, Unknown):
        return found
    return [found[str(n)] for n in range(len(rows))]


def find_utility_where_best(lottery: Mapping[str, Fraction],
                            others: list[Mapping[str, Fraction]], utility_class: UtilityClass,
                            timeout_ms: int) -> dict[str, Fraction] | None | Unknown:
    """Some ``u`` in the class with ``u·lottery >= u·q`` for every ``q`` in ``others``
    (None: there is none, so the lottery is optimal for no member of the class)."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    variables = class_variables(utility_class)
    add_class(solver, utility_class, variables)
    mine = _expectation(lottery, variables)
    solver.add(*[mine >= _expectation(q, variables) for q in others])
    return _solution(solver, variables)


def find_utility_preferring(better: Mapping[str, Fraction], worse: Mapping[str, Fraction],
                            utility_class: UtilityClass, timeout_ms: int, strict: bool
                            ) -> dict[str, Fraction] | None | Unknown:
    """Some ``u`` in the class with ``u·better > u·worse`` (``>=`` unless ``strict``)."""
    solver = z3.Solver()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    variables = class_variables(utility_class)
    add_class(solver, utility_class, variables)
    gain, cost = _expectation(better, variables), _expectation(worse, variables)
    solver.add(gain > cost if strict else gain >= cost)
    return _solution(solver, variables)


def extreme_expectation(lottery: Mapping[str, Fraction], utility_class: UtilityClass,
                        lowest: bool, timeout_ms: int) -> Fraction | None | Unknown:
    """``inf`` (``lowest``) or ``sup`` of ``u·lottery`` over the class: an optimum over its
    closure, so strict constraints are taken as weak. None: unbounded."""
    solver = z3.Optimize()
    solver.set("timeout", limits.remaining_ms(timeout_ms))
    variables = class_variables(utility_class)
    for row in utility_class.all_constraints():
        weak = Constraint(row.coefficients, ">=" if row.op == ">" else row.op, row.constant,
                          row.source)
        solver.add(_constraint(weak, variables))
    target = _expectation(lottery, variables)
    handle = solver.minimize(target) if lowest else solver.maximize(target)
    result = solver.check()
    if result == z3.unknown:
        return Unknown(solver.reason_unknown() or "the solver gave up")
    if result == z3.unsat:
        return Unknown("the class is empty")
    bound = handle.lower() if lowest else handle.upper()
    if z3.is_rational_value(bound) or z3.is_int_value(bound):
        return _fraction(bound)
    return None  # ±oo: z3 writes unbounded objectives symbolically
