"""`distribution d = power(2)`: the laws of random agents' utilities, checked."""

from __future__ import annotations

from fractions import Fraction

from decisiontrees.checking.arithmetic import all_present, evaluate, is_expression
from decisiontrees.language.diagnostics import Reporter, suggest
from decisiontrees.language.syntax import Argument, Call, Keyword, Var
from decisiontrees.model.laws import LAWS, Distribution, law_problem, scipy_law


def _number(reporter: Reporter, value: Argument) -> Fraction | None:
    """A law's parameter: an exact number, or None after reporting what it is instead."""
    if not is_expression(value):
        reporter.error(value.span, "a law's parameters are numbers")
        return None
    number = evaluate(value, reporter, what="a number")
    return number if isinstance(number, Fraction) or number is None else None


def check_distribution(reporter: Reporter, law: Call) -> Distribution | None:
    """The law a call names (in a ``distribution`` declaration or written in place), or None
    after reporting why."""
    if law.name not in LAWS:
        hint = suggest(law.name, LAWS) or "the laws are " + ", ".join(LAWS)
        reporter.error(law.name_span, f"unknown distribution `{law.name}`", hint)
        return None
    positional = [a for a in law.arguments if not isinstance(a, Keyword)]
    keywords = [a for a in law.arguments if isinstance(a, Keyword)]
    if law.name == "scipy":
        if not positional or not isinstance(positional[0], Var):
            reporter.error(law.span, "scipy() takes the name of a scipy.stats "
                                "distribution first", "e.g. `scipy(triang, 1/2)`")
            return None
        numbers = [_number(reporter, a) for a in positional[1:]]
        named = [(k.name, _number(reporter, k.value)) for k in keywords]
        if None in numbers or any(v is None for _, v in named):
            return None
        try:
            scipy_law(positional[0].name, numbers, dict(named))
        except ValueError as problem:
            reporter.error(law.span, str(problem))
            return None
        return Distribution("scipy", (positional[0].name, *numbers), tuple(named))
    wanted = LAWS[law.name]
    if keywords or len(positional) != len(wanted):
        reporter.error(law.span, f"{law.name}() takes {len(wanted)} number"
                            f"{'s' if len(wanted) != 1 else ''}"
                            + (f" ({', '.join(wanted)})" if wanted else ""))
        return None
    numbers = [_number(reporter, a) for a in positional]
    if not all_present(numbers):
        return None
    checked = Distribution(law.name, tuple(numbers))
    wrong = law_problem(checked)
    if wrong:
        reporter.error(law.span, wrong)
        return None
    return checked
