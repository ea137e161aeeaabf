"""Laws of random agents' utilities: an i.i.d. law per outcome, or Tarsney's admissible family.

Exact answers need the density as a polynomial on [0, 1] (:meth:`Distribution.polynomial_density`);
other laws are sampled (numpy, or scipy.stats for ``scipy(name, …)``), imported only then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import factorial
from typing import Any

from decisiontrees.errors import RefusedError

# A univariate polynomial by coefficients, constant term first.
Univariate = tuple[Fraction, ...]

# power() and beta() take parameters in [1/LAW_PARAMETER_LIMIT, LAW_PARAMETER_LIMIT]; past
# EXACT_DEGREE_LIMIT a density is sampled rather than expanded (its factorials alone are huge)
LAW_PARAMETER_LIMIT = 10**6
EXACT_DEGREE_LIMIT = 10**4


@dataclass(frozen=True)
class Distribution:
    """An i.i.d. law for each outcome's utility (``admissible``: Tarsney's whole family)."""

    kind: str  # power, beta, scipy or admissible
    arguments: tuple[Any, ...] = ()
    keywords: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        if self.kind == "power" and self.arguments == (Fraction(1),):
            return "i.i.d. U[0,1]"
        if self.kind == "power":
            (a,) = self.arguments
            power = "x" if a == 2 else f"x^{a - 1}" if a.denominator == 1 else f"x^({a - 1})"
            return f"i.i.d. density {a}{power}"
        if self.kind == "beta":
            return f"i.i.d. Beta({self.arguments[0]}, {self.arguments[1]})"
        if self.kind == "scipy":
            given = [str(a) for a in self.arguments[1:]] + [f"{k}={v}" for k, v in self.keywords]
            return f"i.i.d. scipy.stats.{self.arguments[0]}({', '.join(given)})"
        return "every admissible distribution"

    def source(self) -> str:
        """The law as the spec language writes it: ``power(2)``, ``scipy(triang, 1/2)``."""
        given = [str(a) for a in self.arguments] + [f"{k} = {v}" for k, v in self.keywords]
        return f"{self.kind}({', '.join(given)})"

    def polynomial_density(self) -> Univariate | None:
        """The density as a polynomial on [0,1] when it is one (then answers are exact)."""
        if self.kind == "power":
            (a,) = self.arguments
            if a.denominator == 1 and a <= EXACT_DEGREE_LIMIT:
                return tuple([Fraction(0)] * (int(a) - 1) + [a])
        if self.kind == "beta":
            a, b = self.arguments
            if a.denominator == 1 and b.denominator == 1 and a + b <= EXACT_DEGREE_LIMIT:
                a, b = int(a), int(b)
                norm = Fraction(factorial(a + b - 1), factorial(a - 1) * factorial(b - 1))
                # x^(a-1) (1-x)^(b-1), expanded
                coefficients = [Fraction(0)] * (a + b - 1)
                for k in range(b):
                    sign = -1 if k % 2 else 1
                    coefficients[a - 1 + k] += norm * sign * _binomial(b - 1, k)
                return tuple(coefficients)
        return None

    def sampler(self) -> Callable[[Any, tuple[int, int]], Any]:
        """``(rng, shape) -> array`` of independent draws."""
        import numpy as np

        if self.kind == "power":
            exponent = 1 / float(self.arguments[0])
            if exponent == 1:
                return lambda rng, shape: rng.random(shape)
            return _above_underflow(self, lambda rng, shape: np.power(rng.random(shape), exponent))
        if self.kind == "beta":
            a, b = (float(x) for x in self.arguments)
            return _above_underflow(self, lambda rng, shape: rng.beta(a, b, shape))
        if self.kind == "scipy":
            law = scipy_law(self.arguments[0], self.arguments[1:], dict(self.keywords))
            return _finite(self, lambda rng, shape: law.rvs(size=shape, random_state=rng))
        raise ValueError("the admissible family has no single sampler")


SMALLEST_DRAW = 1e-300  # near the end of floating point's range (2.2e-308)


def _above_underflow(law: Distribution, draw: Callable[[Any, tuple[int, int]], Any]
                     ) -> Callable[[Any, tuple[int, int]], Any]:
    """``draw``, refusing draws so small that floating point loses them: a law without atoms
    (power, beta) never ties two outcomes, but draws that underflow to 0 tie, and estimates
    then counted ties that do not occur (power(1/1000) draws U^1000)."""

    def checked(rng: Any, shape: tuple[int, int]) -> Any:
        values = draw(rng, shape)
        if (values < SMALLEST_DRAW).any():
            raise RefusedError(f"draws of {law} fall below {SMALLEST_DRAW:g}, where floating "
                               "point cannot tell them apart; a Monte Carlo estimate would "
                               "count ties that do not occur")
        return values

    return checked


def _finite(law: Distribution, draw: Callable[[Any, tuple[int, int]], Any]
            ) -> Callable[[Any, tuple[int, int]], Any]:
    """``draw``, refusing draws that overflow floating point (a heavy-tailed law such as
    pareto(1/1000)): an infinite utility has no comparison an estimate could count."""
    import numpy as np

    def checked(rng: Any, shape: tuple[int, int]) -> Any:
        with np.errstate(over="ignore"):
            values = draw(rng, shape)
        if not np.isfinite(values).all():
            raise RefusedError(f"draws of {law} overflow floating point (an infinite or "
                               "undefined utility); no estimate can be made from them")
        return values

    return checked


UNIFORM = Distribution("power", (Fraction(1),))
# The laws a spec can declare, with the names of their parameters.
LAWS: dict[str, tuple[str, ...]] = {"power": ("a",), "beta": ("a", "b"), "scipy": (),
                                    "admissible": ()}


def law_problem(law: Distribution) -> str | None:
    """What is wrong with a ``power`` or ``beta`` law's parameters (None: nothing): the one
    place both the language and the Python API check them."""
    if law.kind not in ("power", "beta"):
        return None
    wanted = LAWS[law.kind]
    if len(law.arguments) != len(wanted) or not all(
            isinstance(n, Fraction) for n in law.arguments):
        return f"{law.kind}() takes {len(wanted)} exact number{'s' if len(wanted) != 1 else ''}"
    if any(n <= 0 for n in law.arguments):
        return f"the parameters of {law.kind}() must be positive"
    if any(not Fraction(1, LAW_PARAMETER_LIMIT) <= n <= LAW_PARAMETER_LIMIT
           for n in law.arguments):
        return f"the parameters of {law.kind}() must be between 1/{LAW_PARAMETER_LIMIT} and " \
            f"{LAW_PARAMETER_LIMIT}"
    return None


def _binomial(n: int, k: int) -> int:
    return factorial(n) // (factorial(k) * factorial(n - k))


def scipy_law(name: str, arguments: Sequence[Any], keywords: Mapping[str, Any]) -> Any:
    """A frozen scipy.stats distribution; ValueError saying why when there is none."""
    try:
        import scipy.stats
    except ImportError:
        raise ValueError("scipy is not installed: pip install scipy") from None
    law = getattr(scipy.stats, name, None) if not name.startswith("_") else None
    if not isinstance(law, (scipy.stats.rv_continuous, scipy.stats.rv_discrete)):
        raise ValueError(f"scipy.stats has no distribution `{name}`")
    try:
        numbers = [float(a) for a in arguments]
        named = {k: float(v) for k, v in keywords.items()}
    except OverflowError:
        raise ValueError(f"scipy.stats.{name}: a parameter is too large for a float") from None
    try:
        return law(*numbers, **named)
    except Exception as problem:  # noqa: BLE001 -- scipy raises many kinds for bad parameters
        raise ValueError(f"scipy.stats.{name}: {problem}") from None
