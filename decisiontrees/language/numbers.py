"""Exact numbers from text outside the language (imported files, command-line options),
bounded like the language's own numbers so that no text can make a huge integer."""

from __future__ import annotations

import re
from fractions import Fraction

from decisiontrees.language.syntax import MAX_EXPONENT, MAX_NUMBER_DIGITS

__all__ = ["exact_number"]

_DECIMAL = re.compile(r"[+-]?([0-9]*)\.?([0-9]*)(?:[eE]([+-]?[0-9]+))?")


def exact_number(text: str) -> Fraction | None:
    """A decimal, a ratio or a number with an exponent as an exact Fraction, or None when it
    is not one or is too large to be exact here (MAX_NUMBER_DIGITS, MAX_EXPONENT)."""
    numerator, slash, denominator = text.partition("/")
    parts = [numerator, denominator] if slash else [numerator]
    values = []
    for part in parts:
        match = _DECIMAL.fullmatch(part)
        if match is None or not (match.group(1) or match.group(2)):
            return None
        exponent = match.group(3)
        if len(match.group(1)) + len(match.group(2)) > MAX_NUMBER_DIGITS or (
                exponent is not None and (len(exponent) > 6 or abs(int(exponent)) > MAX_EXPONENT)):
            return None
        values.append(Fraction(part))
    if len(values) == 2:
        if values[1] == 0:
            return None
        return values[0] / values[1]
    return values[0]
