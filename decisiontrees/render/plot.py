"""An exact answer in one parameter, drawn against it with matplotlib.

The pieces of a piecewise answer are drawn between their breakpoints (dotted vertical
lines); a value that a breakpoint takes apart from its pieces is a dot. A plot is a picture
of exact answers: the numbers drawn are floats, the answer printed beside it stays exact.
matplotlib is an optional dependency (``pip install 'decisiontrees[plot]'``).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from decisiontrees.analyses.parametric_agents import PiecewiseAnswer
from decisiontrees.errors import ArgumentError, DecisionTreesError
from decisiontrees.model.nodes import Parameter
from decisiontrees.model.symbols import symbol
from decisiontrees.render.tikz import latex_text

FORMATS = ("svg", "png", "pdf", "pgf")
SAMPLES_PER_PIECE = 200
INSTALL_HINT = "plots need matplotlib: pip install 'decisiontrees[plot]'"


def plot(answer: Any, parameter: Parameter, title: str, output: str | Path,
         dpi: int | None = None) -> str:
    """Draw ``answer`` (a PiecewiseAnswer or an expression in ``parameter``) into ``output``,
    in the format its suffix names; returns the path written."""
    output = Path(output)
    fmt = output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ArgumentError(f"plot: cannot write `.{fmt}`; use one of "
                            + ", ".join(f".{f}" for f in FORMATS))
    pieces, points = _pieces(answer, parameter)
    try:
        import matplotlib

        matplotlib.use("pgf" if fmt == "pgf" else "Agg")
        import matplotlib.pyplot as pyplot
    except ImportError:
        raise DecisionTreesError(INSTALL_HINT) from None
    if fmt == "pgf":
        if shutil.which("pdflatex") is None:
            raise DecisionTreesError("plot: PGF output measures its text with LaTeX; install "
                                     "pdflatex (Debian: apt-get install texlive-latex-base)")
        matplotlib.rcParams["pgf.texsystem"] = "pdflatex"
    figure, axes = pyplot.subplots(figsize=(5.5, 3.4))
    try:
        for low, high, function in pieces:
            xs = [low + (high - low) * k / SAMPLES_PER_PIECE
                  for k in range(1, SAMPLES_PER_PIECE)]
            axes.plot(xs, [function(x) for x in xs], color="C0", linewidth=1.8)
        for x in sorted({low for low, _, _ in pieces[1:]}):
            axes.axvline(x, color="0.6", linestyle=":", linewidth=1)
        for x, y in points:
            axes.plot([x], [y], "o", color="C0", markersize=4)
        # PGF text is LaTeX: a label from the spec must not run as LaTeX (\input{…})
        text = latex_text if fmt == "pgf" else str
        axes.set_xlabel(text(parameter.name))
        axes.set_title(text(title), fontsize=10)
        axes.set_xlim(float(parameter.low), float(parameter.high))
        axes.grid(True, color="0.92")
        figure.tight_layout()
        figure.savefig(output, dpi=dpi)
    except (RuntimeError, OSError, ValueError) as problem:  # LaTeX or the file system
        raise DecisionTreesError(f"plot: could not write {output}: {problem}") from None
    finally:
        pyplot.close(figure)
    return str(output)


def _pieces(answer: Any, parameter: Parameter
            ) -> tuple[list[tuple[float, float, Any]], list[tuple[float, float]]]:
    """Float functions on intervals, and the values at breakpoints stated apart."""
    variable = symbol(parameter.name)
    if isinstance(answer, PiecewiseAnswer):
        if answer.parameter != parameter.name:
            raise ArgumentError(f"plot: the answer is in {answer.parameter}, not {parameter.name}")
        pieces = [(float(piece.low), float(piece.high), _evaluator(piece.expression, variable))
                  for piece in answer.pieces]
        points = [(float(x), float(y)) for x, y in answer.points]
        return pieces, points
    names = {s.name for s in getattr(answer, "free_symbols", ())}
    if names != {parameter.name}:
        raise ArgumentError("plot: the answer is not a function of one parameter"
                            + (f" (it depends on {', '.join(sorted(names))})" if names else
                               " (it is a number: give no value to the parameter)"))
    return [(float(parameter.low), float(parameter.high), _evaluator(answer, variable))], []


def _evaluator(expression: Any, variable: Any) -> Any:
    """A float function of the parameter: Horner's rule on a rational function's
    coefficients, else sympy's substitution (no generated code is run)."""
    import sympy

    numerator, denominator = sympy.fraction(sympy.together(sympy.sympify(expression)))
    try:
        top = [float(c) for c in sympy.Poly(numerator, variable).all_coeffs()]
        bottom = [float(c) for c in sympy.Poly(denominator, variable).all_coeffs()]
    except sympy.PolynomialError:
        return lambda x: float(expression.subs(variable, sympy.Float(x)))

    def horner(coefficients: list[float], x: float) -> float:
        total = 0.0
        for c in coefficients:
            total = total * x + c
        return total

    def value(x: float) -> float:
        below = horner(bottom, x)
        return horner(top, x) / below if below else float("nan")

    return value


def sweep_table(rows: Sequence[tuple[Any, str, str, Any]], parameter: str) -> str:
    """CSV text: the parameter's value, the status, the answer as shown, the exact answer."""
    import csv
    import io
    import json

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([parameter, "status", "answer", "exact"])
    for value, status, summary, exact in rows:
        writer.writerow([str(value), status, summary,
                         exact if isinstance(exact, str) else json.dumps(exact)])
    return out.getvalue()
