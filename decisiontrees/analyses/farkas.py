"""Proofs that linear constraints have no common solution, checked exactly.

Motzkin's transposition theorem: rows ``a_r·x (op_r) b_r`` have no solution exactly when some
multipliers ``y_r`` (non-negative on inequalities) make ``Σ y_r a_r = 0`` and ``Σ y_r b_r``
positive (or zero through a strict row). The solver finds them; here they are scaled to
coprime whole numbers and re-checked in exact arithmetic before anyone sees them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from decisiontrees import limits
from decisiontrees.errors import CrossCheckFailed
from decisiontrees.evidence.checks import check_infeasible
from decisiontrees.model.classes import Constraint
from decisiontrees.solvers import smt as solver


@dataclass(frozen=True)
class Infeasibility:
    """Why no point satisfies some constraints: multipliers on them (named as written; zero
    ones left out) whose weighted sum is 0 on the left and ``contradiction`` (``0 >= c`` with
    c > 0, or ``0 > 0`` through a strict constraint) on the right."""

    multipliers: tuple[tuple[str, Fraction], ...]
    contradiction: str

    def text(self) -> str:
        return (" + ".join(f"{m} × ({source})" for source, m in self.multipliers)
                + f" gives `{self.contradiction}`")

    def to_json(self) -> dict[str, object]:
        return {"multipliers": [{"constraint": source, "multiplier": str(m)}
                                for source, m in self.multipliers],
                "contradiction": self.contradiction}


def certificate(rows: Sequence[Constraint], timeout_ms: int, what: str) -> Infeasibility | None:
    """Checked multipliers proving that ``rows`` have no common solution; None if the solver
    gives up. Raises CrossCheckFailed if it finds none (``what`` names the claim) or if they
    do not check."""
    limits.check("finding an infeasibility certificate")
    found = solver.infeasibility_multipliers(rows, timeout_ms)
    if isinstance(found, solver.Unknown):
        return None
    if found is None:
        raise CrossCheckFailed(f"{what}, yet the solver found no proof")
    found = simplest_multiple(found)
    problem = check_infeasible([(dict(r.coefficients), r.op, r.constant) for r in rows], found)
    if problem is not None:
        raise CrossCheckFailed(f"the infeasibility certificate ({what}) fails: {problem}")
    total = sum((m * r.constant for r, m in zip(rows, found)), Fraction(0))
    strict = any(m and r.op == ">" for r, m in zip(rows, found))
    return Infeasibility(tuple((r.source, m) for r, m in zip(rows, found) if m),
                         f"0 {'>' if strict else '>='} {total}")


def simplest_multiple(multipliers: Sequence[Fraction]) -> list[Fraction]:
    """The positive multiple of ``multipliers`` that is coprime whole numbers (a certificate
    scaled by a positive number is still one)."""
    scale = math.lcm(*(m.denominator for m in multipliers)) if multipliers else 1
    whole = [int(m * scale) for m in multipliers]
    common = math.gcd(*whole) or 1
    return [Fraction(w, common) for w in whole]
