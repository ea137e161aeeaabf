"""SilverDecisions files (.json) as spec text.

SilverDecisions puts payoffs on edges; an outcome's payoff is the sum along its path, so
every terminal node becomes an outcome of its own and each payoff criterion a utility
function. Probabilities and payoffs are expressions in SilverDecisions' math.js dialect;
this module reads them with its own small parser (never ``eval`` or ``sympify``):

- numbers are exact: ``0.3`` is 3/10, ``#`` is what the other branches leave (shared equally
  when several branches say ``#``);
- variables come from the file's code and from node code, which reaches the node's subtree;
- a variable drawn with ``random(a, b)`` becomes a parameter in ``(a, b)``: its value is
  unknown, so verdicts must hold for all of it, or the claims name values;
- ``abs``, ``min``, ``max``, ``floor``, ``ceil``, ``round`` and rational powers are exact;
  ``exp``, ``log``, ``sqrt``, ``sin``, ``cos`` and ``tan`` of an irrational result are
  rounded to 20 significant digits, and the spec text says so in a comment.

Files SilverDecisions rejects (probabilities that do not sum to 1, a chance node without
branches, broken JSON) are refused with the place and the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import ceil, floor
from typing import Any, NoReturn

from decisiontrees.errors import Diagnostic, FormatRefused, Span, SpecError
from decisiontrees.formats.common import (
    SCAN_STRING,
    JsonDecimal,
    JsonPositions,
    UniqueNames,
    choice_labels,
    comment,
    diagnostic_at,
    identifier,
    recursion_room,
)
from decisiontrees.formats.common import label as safe_label
from decisiontrees.formats.json_spec import spec_number
from decisiontrees.language.numbers import exact_number, number_text
from decisiontrees.language.syntax import MAX_VALUE_BITS
from decisiontrees.model.symbols import LARGE, MAX_DEGREE, degree, simplify, symbol, too_large

SIGNIFICANT_DIGITS = 20
MINIMISING = ("expected-value-minimization", "mini-")  # its rules that minimise payoffs
TRANSCENDENTAL_BOUND = 10_000  # exp(10000) is already a 4,343-digit number
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
                    r"|([A-Za-z_][A-Za-z0-9_]*)|(\S))")
_EXACT: dict[str, Callable[..., Fraction]] = {
    "abs": abs, "min": min, "max": max,
    "floor": lambda x: Fraction(floor(x)), "ceil": lambda x: Fraction(ceil(x)),
    "round": lambda x: Fraction(floor(abs(x) + Fraction(1, 2))) * (1 if x >= 0 else -1),
}
_TRANSCENDENTAL = ("exp", "log", "sqrt", "sin", "cos", "tan")
_ARGUMENTS = {"min": 1, "max": 1, "pow": 2}  # how many each function takes (min, max: or more)


@dataclass(frozen=True)
class _Random:
    """A variable drawn by random(low, high): a parameter of the imported spec."""

    name: str
    low: Fraction
    high: Fraction


@dataclass
class _Importer:
    notes: list[str] = field(default_factory=list)
    parameters: dict[str, _Random] = field(default_factory=dict)
    outcomes: list[str] = field(default_factory=list)
    # every name the spec text declares (parameters, trees, outcomes, utilities) comes from
    # here, so none is declared twice: a terminal may be called `payoff`
    names: UniqueNames = field(default_factory=UniqueNames)
    parameter_names: dict[str, str] = field(default_factory=dict)  # the file's -> the spec's
    payoffs: dict[str, list[Any]] = field(default_factory=dict)
    criteria: int = 1

    # ------------------------------------------------------------ expressions

    def evaluate(self, text: Any, scope: Mapping[str, Any], where: Any, key: str) -> Any:
        """The exact value of a probability or payoff (a Fraction, or sympy with parameters)."""
        if isinstance(text, JsonDecimal):  # written as a JSON number: exactly as written
            value = exact_number(text.text)
            if value is None:
                raise FormatRefused(where, f"`{text.text[:40]}` is too large a number to be "
                                    "exact here", key)
            return _bounded(value, lambda why: FormatRefused(where, why, key))
        if isinstance(text, float):  # NaN, Infinity (every other JSON number is a JsonDecimal)
            raise FormatRefused(where, f"{text} is not a number this tool can use", key)
        if isinstance(text, bool) or not isinstance(text, (str, int)):
            raise FormatRefused(where, "expected a number or an expression, found "
                                f"{json.dumps(text, default=str)[:80]}", key)
        if isinstance(text, int):
            return _bounded(Fraction(text), lambda why: FormatRefused(where, why, key))
        source = text.split("#", 1)[0]  # math.js comments
        if not source.strip():
            return Fraction(0)
        return _Expression(self, source, scope, where, key).read()

    def code(self, text: Any, scope: dict[str, Any], where: Any) -> None:
        """Run a block of assignments (``name = expression`` per line) into ``scope``."""
        if not text:
            return
        if not isinstance(text, str):
            raise FormatRefused(where, "code must be text", "code")
        for line in re.split(r"[\n;]", text):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)", line)
            if match is None:
                raise FormatRefused(where, f"cannot read the code line `{line}`: expected "
                               "`name = expression`", "code")
            name, expression = match.groups()
            drawn = re.fullmatch(r"random\s*\(\s*(.*?)\s*\)", expression)
            if drawn is not None:
                scope[name] = self.parameter(name, drawn.group(1), scope, where)
            else:
                scope[name] = _Expression(self, expression, scope, where, "code").read()

    def parameter(self, name: str, bounds: str, scope: Mapping[str, Any], where: Any) -> Any:
        low, high = Fraction(0), Fraction(1)
        if bounds:
            values = [_Expression(self, b, scope, where, "code").read() for b in bounds.split(",")]
            if len(values) != 2 or not all(isinstance(v, Fraction) for v in values) \
                    or values[0] >= values[1]:
                raise FormatRefused(where, f"random({bounds}): expected two numbers, low < high",
                               "code")
            low, high = values
        # a name the language cannot take is renamed (`_x` -> `x`, a keyword -> `p`), never
        # onto another variable's name: x and _x stay two parameters
        if name not in self.parameter_names:
            self.parameter_names[name] = self.names(identifier(name, "p"))
            if self.parameter_names[name] != name:
                self.notes.append(f"the variable {name} is the parameter "
                                  f"{self.parameter_names[name]}")
        spec_name = self.parameter_names[name]
        if spec_name in self.parameters and self.parameters[spec_name] != _Random(spec_name, low,
                                                                                     high):
            raise FormatRefused(where, f"`{name}` is drawn twice with different ranges", "code")
        self.parameters[spec_name] = _Random(spec_name, low, high)
        return symbol(spec_name)

    # ------------------------------------------------------------ trees

    def node(self, node: Any, scope: dict[str, Any], paid: list[Any], path: list[str]) -> str:
        """Spec text for a node; ``paid`` holds the payoffs summed along the way here."""
        if not isinstance(node, dict):
            raise FormatRefused(None, "expected a node object")
        kind = node.get("type")
        scope = dict(scope)
        self.code(node.get("code"), scope, node)
        edges = node.get("childEdges") or []
        if not isinstance(edges, list):
            raise FormatRefused(node, "childEdges must be a list", "childEdges")
        if kind == "terminal" or (kind is None and not edges):
            title = node.get("name") if isinstance(node.get("name"), str) else ""
            name = self.names(identifier(title or "_".join(path)[:40], "end"))
            self.outcomes.append(name)
            self.payoffs[name] = paid
            return name
        if kind not in ("decision", "chance"):
            raise FormatRefused(node, f"unknown node type {json.dumps(kind, default=str)[:80]}", "type")
        if not edges:
            raise FormatRefused(node, f"this {kind} node has no branches", "childEdges")
        children = []
        for position, edge in enumerate(edges, start=1):
            if not isinstance(edge, dict) or not isinstance(edge.get("childNode"), dict):
                raise FormatRefused(node, "every edge needs a childNode", "childEdges")
            payoff = edge.get("payoff", 0)
            payoff = payoff if isinstance(payoff, list) else [payoff]
            self.criteria = max(self.criteria, len(payoff))
            here = [self.evaluate(v, scope, edge, "payoff") for v in payoff]
            def too_much(message: str, edge: Any = edge) -> FormatRefused:
                return FormatRefused(edge, f"the payoffs summed along this path: {message}",
                                     "payoff")

            total = [_bounded(_at(paid, k) + _at(here, k), too_much)
                     for k in range(max(len(paid), len(here)))]
            edge_name = edge.get("name")
            given = edge_name if isinstance(edge_name, str) else ""
            label = _edge_label(given)
            child = self.node(edge["childNode"], scope, total, [*path, label or str(position)])
            children.append((given, child, edge))
        if kind == "decision":
            labels = choice_labels([given for given, _, _ in children], _edge_label)
            return "choice { " + ", ".join(f'"{a}": {c}' for a, (_, c, _) in
                                           zip(labels, children)) + " }"
        probabilities = self.probabilities(node, [edge for _, _, edge in children], scope)
        return "chance { " + ", ".join(f"{spec_number(p)}: {c}" for p, (_, c, _) in
                                       zip(probabilities, children)) + " }"

    def probabilities(self, node: Any, edges: list[Any], scope: Mapping[str, Any]) -> list[Any]:
        values: list[Any] = []
        for edge in edges:
            text = edge.get("probability")
            values.append(None if isinstance(text, str) and text.strip() == "#"
                          else simplify(self.evaluate(text, scope, edge, "probability")))
        given: Any = Fraction(0)
        for value in values:  # one term at a time: sympy cancels a 40-term sum for a minute
            if value is not None:
                given = simplify(given + value)
                if too_large(given):
                    raise FormatRefused(node, f"the probabilities of this chance node add up to "
                                        f"an expression too large to import exactly ({LARGE})",
                                        "childEdges")
        rest = values.count(None)
        total = given
        if rest:
            share = simplify((1 - given) / rest)
            values = [share if v is None else v for v in values]
            total = simplify(given + rest * share)
        if total != 1:
            raise FormatRefused(node, f"the probabilities of this chance node sum to {total}, not 1",
                           "childEdges")
        for edge, value in zip(edges, values):
            if isinstance(value, Fraction) and not 0 <= value <= 1:
                raise FormatRefused(edge, f"probability {value} is not between 0 and 1", "probability")
        return values


def _at(values: list[Any], k: int) -> Any:
    return values[k] if k < len(values) else Fraction(0)


class _Expression:
    """A recursive-descent reader for math.js arithmetic: + - * / ^, calls and parentheses."""

    def __init__(self, importer: _Importer, text: str, scope: Mapping[str, Any], where: Any,
                 key: str) -> None:
        self.importer, self.text, self.scope, self.where, self.key = \
            importer, text, scope, where, key
        self.tokens = [m.group(m.lastindex) for m in _TOKEN.finditer(text)
                       if m.lastindex is not None]
        if "".join(self.tokens) != re.sub(r"\s+", "", text):
            self.fail("cannot read it")
        self.position = 0

    def fail(self, why: str) -> NoReturn:
        raise FormatRefused(self.where, f"`{self.text.strip()}`: {why}", self.key)

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            self.fail(f"expected {expected or 'more'}, found {token or 'the end'}")
        self.position += 1
        return token

    def read(self) -> Any:
        value = self.sum()
        if self.peek() is not None:
            self.fail(f"unexpected `{self.peek()}`")
        return value

    def sum(self) -> Any:
        value = self.product()
        while self.peek() in ("+", "-"):
            value = value + self.product() if self.take() == "+" else value - self.product()
            value = self.bounded(value)
        return value

    def product(self) -> Any:
        value = self.unary()
        while self.peek() in ("*", "/"):
            operator, right = self.take(), self.unary()
            if operator == "/" and right == 0:
                self.fail("division by zero")
            value = self.bounded(value * right if operator == "*" else value / right)
        return value

    def bounded(self, value: Any) -> Any:
        return _bounded(value, lambda why: FormatRefused(self.where, f"`{self.text.strip()[:80]}`: "
                                                         f"{why}", self.key))

    def unary(self) -> Any:
        if self.peek() in ("-", "+"):
            return -self.unary() if self.take() == "-" else self.unary()
        return self.power()

    def power(self) -> Any:
        base = self.atom()
        if self.peek() != "^":
            return base
        self.take()
        exponent = self.unary()
        if isinstance(exponent, Fraction) and exponent.denominator == 1:
            if base == 0 and exponent < 0:
                self.fail("division by zero")
            if isinstance(base, Fraction) and abs(exponent) * max(
                    base.numerator.bit_length(), base.denominator.bit_length()) > MAX_VALUE_BITS:
                self.fail("the result is too large to be exact here")
            if not isinstance(base, Fraction) and abs(exponent) > 64:
                self.fail("a power of a random variable above 64 cannot be written here")
            if not isinstance(base, Fraction) and abs(exponent) * degree(base) > MAX_DEGREE:
                # before the power: ((x + 1)^64)^64)^64 is small to write and its expansion
                # (to check it against the bounds) took gigabytes and minutes
                self.fail(f"the power has degree {abs(exponent) * degree(base)}: too large to "
                          f"import exactly ({LARGE})")
            return base ** int(exponent)
        return self.transcendental("pow", [base, exponent])

    def atom(self) -> Any:
        token = self.take()
        if token == "(":
            value = self.sum()
            self.take(")")
            return value
        if token[0].isdigit() or token[0] == ".":
            number = exact_number(token)
            if number is None:
                self.fail(f"`{token[:40]}` is too large a number to be exact here")
            return number
        if not (token[0].isalpha() or token[0] == "_"):
            self.fail(f"unexpected `{token}`")
        if self.peek() != "(":
            if token not in self.scope:
                self.fail(f"unknown variable `{token}`")
            return self.scope[token]
        self.take("(")
        arguments = [] if self.peek() == ")" else [self.sum()]
        while self.peek() == ",":
            self.take()
            arguments.append(self.sum())
        self.take(")")
        return self.call(token, arguments)

    def call(self, function: str, arguments: list[Any]) -> Any:
        if function == "random":
            self.fail("random() is read only as a variable's definition, `x = random(a, b)`, "
                      "which becomes a parameter")
        if function in _EXACT or function in _TRANSCENDENTAL or function == "pow":
            wanted, more = _ARGUMENTS.get(function, 1), function in ("min", "max")
            if len(arguments) < wanted or (not more and len(arguments) > wanted):
                self.fail(f"{function}() takes {wanted}{' or more' if more else ''} "
                          f"argument{'s' if wanted > 1 or more else ''}, not {len(arguments)}")
            if not all(isinstance(a, Fraction) for a in arguments):
                self.fail(f"{function}() of a random variable cannot be written exactly")
            if function in _EXACT:
                return _EXACT[function](*arguments)
            return self.transcendental(function, arguments)
        self.fail(f"the function {function}() is not supported")

    def transcendental(self, function: str, arguments: list[Any]) -> Fraction:
        import sympy

        if not all(isinstance(a, Fraction) for a in arguments):
            self.fail("a power with a random variable in the exponent cannot be written exactly")
        if any(abs(a) > TRANSCENDENTAL_BOUND for a in arguments):
            self.fail(f"{function}() of a number above {TRANSCENDENTAL_BOUND} is not computed here")
        exact = [sympy.Rational(a.numerator, a.denominator) for a in arguments]
        if function == "pow":
            value = exact[0] ** exact[1]
        else:
            value = getattr(sympy, function)(*exact)
        if value.is_Rational:
            return Fraction(int(value.p), int(value.q))
        if not value.is_real:
            self.fail("the result is not a real number")
        digits = str(sympy.N(value, SIGNIFICANT_DIGITS))
        rounded = exact_number(digits)
        if rounded is None:
            self.fail("the result is too large to be exact here")
        call = f"{function}({', '.join(str(a) for a in arguments)})"
        note = f"{call} is irrational; imported as {digits} ({SIGNIFICANT_DIGITS} significant " \
               f"digits)"
        if note not in self.importer.notes:
            self.importer.notes.append(note)
        return rounded


def silverdecisions_to_spec_text(text: str, path: str) -> str:
    """Spec text for a SilverDecisions file; raises SpecError saying why a file is refused."""
    with recursion_room():
        return _spec_text(text, path)


def _spec_text(text: str, path: str) -> str:
    positions = JsonPositions()
    importer = _Importer()
    try:
        document = positions.decode(text)  # with the place of every object, to point at problems
        data = document.get("data", document)
        trees = data.get("trees") if isinstance(data, dict) else None
        if not isinstance(trees, list) or not trees:
            raise FormatRefused(data, "a SilverDecisions file lists its trees under \"trees\"")
        scope: dict[str, Any] = {}
        importer.code(data.get("code"), scope, data)
        names: list[str] = []
        bodies = []
        for position, root in enumerate(trees, start=1):
            title = root.get("name") if isinstance(root, dict) else None
            name = identifier(title if isinstance(title, str) else "", f"tree_{position}")
            names.append(importer.names(name))
            bodies.append(importer.node(root, scope, [], [] if len(trees) == 1 else [names[-1]]))
        criteria = _criteria(data, importer.criteria, importer.names)
    except RecursionError:
        raise SpecError([Diagnostic(Span(path, 1, 1, 1, 2), "cannot import this SilverDecisions "
                                    "file: its tree is nested too deeply")]) from None
    except FormatRefused as refusal:
        line, column = _place(text, positions.starts.get(id(refusal.where)), refusal.key)
        raise SpecError([diagnostic_at(text, path, line, column,
                                       f"cannot import this SilverDecisions file: {refusal}")]) \
            from None
    rule = document.get("rule") or data.get("rule")
    minimising = isinstance(rule, str) and rule.lower().startswith(MINIMISING)
    negated = [importer.names(f"{criterion}_negated") for criterion in criteria] \
        if minimising else []
    lines = [f"# imported from {comment(path)} (SilverDecisions "
             f"{comment(document.get('SilverDecisions'))})"]
    if rule:
        lines.append(f"# its rule was {comment(rule)}; here utilities are payoffs summed along "
                     "each path")
    if negated:
        lines.append(f"# that rule minimises payoffs and `optimal` maximises utility: "
                     f"{', '.join(negated)} negate{'s' if len(negated) == 1 else ''} them "
                     "(maximising it is SilverDecisions' expected-value-minimization)")
    lines.extend(f"# {comment(note)}" for note in importer.notes)
    lines.append("outcomes " + ", ".join(importer.outcomes))
    for parameter in importer.parameters.values():
        lines.append(f"param {parameter.name} in ({number_text(parameter.low)}, "
                     f"{number_text(parameter.high)})")
    lines.extend(f"tree {name} = {body}" for name, body in zip(names, bodies))
    for k, criterion in enumerate(criteria):
        values = []
        for outcome in importer.outcomes:
            value = _at(importer.payoffs[outcome], k)
            if not isinstance(value, Fraction):
                raise SpecError([Diagnostic(Span(path, 1, 1, 1, 2),
                                            f"cannot import this SilverDecisions file: the payoff "
                                            f"of {outcome} depends on a random variable ({value})",
                                            "payoffs must be numbers; random variables may appear "
                                            "in probabilities")])
            values.append((outcome, value))
        lines.append(f"utility {criterion} = {{"
                     + ", ".join(f"{o}: {number_text(v)}" for o, v in values) + "}")
        if negated:
            lines.append(f"utility {negated[k]} = {{"
                         + ", ".join(f"{o}: {number_text(-v)}" for o, v in values) + "}")
    return "\n".join(lines) + "\n"


def _criteria(data: Mapping[str, Any], count: int, fresh: UniqueNames) -> list[str]:
    names = data.get("payoffNames")
    if count == 1 and not (isinstance(names, list) and len(names) == 1):
        return [fresh("payoff")]
    given = names if isinstance(names, list) else []
    chosen: list[str] = []
    for k in range(count):
        text = given[k] if k < len(given) and isinstance(given[k], str) else ""
        chosen.append(fresh(identifier(text, f"payoff_{k + 1}")))
    return chosen


def _place(text: str, start: int | None, key: str | None) -> tuple[int, int]:
    """Line and column of ``key`` in the object starting at ``start`` (or of the object)."""
    if start is None:
        return 1, 1
    offset = start
    if key is not None:
        found = _own_key(text, start, key)
        offset = found if found is not None else start
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_COLON = re.compile(r"\s*:")


def _edge_label(name: str) -> str:
    """An edge's name as an action label: runs of white space as one space."""
    return safe_label(" ".join(name.split()))


def _own_key(text: str, start: int, key: str) -> int | None:
    """Where the object starting at ``start`` has ``key`` as its own key, not a nested
    object's (an edge's ``"computed": {"probability": …}`` comes before its own)."""
    depth, k = 0, start
    while k < len(text):
        char = text[k]
        if char == '"':
            value, end = SCAN_STRING(text, k + 1)
            if depth == 1 and value == key and _COLON.match(text, end):
                return k
            k = end
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return None
        k += 1
    return None


def _bounded(value: Any, refuse: Callable[[str], FormatRefused]) -> Any:
    """``value``, if it is small enough to be exact here (a number of at most about 4,000
    digits, an expression within the parametric bounds)."""
    if isinstance(value, Fraction) and max(value.numerator.bit_length(),
                                           value.denominator.bit_length()) > MAX_VALUE_BITS:
        raise refuse("the number is too large to be exact here (over 4,000 digits)")
    if not isinstance(value, Fraction) and too_large(value):
        raise refuse(f"the expression is too large to import exactly ({LARGE})")
    return value
