"""Exact numbers from text outside the language (imported files, command-line options),
bounded like the language's own numbers so that no text can make a huge integer."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from decisiontrees.errors import ArgumentError
from decisiontrees.language.syntax import MAX_EXPONENT, MAX_NUMBER_DIGITS, MAX_VALUE_BITS

__all__ = ["brief", "exact_argument", "exact_number", "number_text"]

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


def number_text(value: Fraction) -> str:
    """``value`` as spec text that reads back exactly: a plain ratio when its parts fit a
    literal (MAX_NUMBER_DIGITS), else arithmetic on literals that do."""
    numerator, denominator = _integer_text(abs(value.numerator)), _integer_text(value.denominator)
    sign = "-" if value < 0 else ""
    if value.denominator == 1:
        return sign + numerator
    if numerator[0] == "(" or denominator[0] == "(":
        return f"{sign}{numerator}/{denominator if denominator[0] == '(' else f'({denominator})'}"
    return f"{sign}{numerator}/{denominator}"


def _integer_text(n: int) -> str:
    """A whole number n ≥ 0 as one literal when it fits, else as sums and products of
    literals (``(a*1e999 + b)``) so that imported or computed numbers stay writable."""
    digits = str(n)
    if len(digits) <= MAX_NUMBER_DIGITS:
        return digits
    significant = digits.rstrip("0")
    zeros = len(digits) - len(significant)
    if len(significant) <= MAX_NUMBER_DIGITS and zeros <= MAX_EXPONENT:
        return f"{significant}e{zeros}"
    step = MAX_NUMBER_DIGITS - 1
    chunks = [digits[max(0, end - step):end] for end in range(len(digits), 0, -step)][::-1]
    text = chunks[0].lstrip("0") or "0"
    for chunk in chunks[1:]:
        text = f"({text}*1e{step} + {chunk.lstrip('0') or '0'})"
    return text


def brief(value: object, limit: int = 60) -> str:
    """A number (or expression) for a message: its text, with the middle of a long one left
    out and counted, so that a message about a 2,000-digit sum stays one readable line."""
    text = str(value)
    if len(text) <= limit:
        return text
    keep = limit // 2 - 2
    return f"{text[:keep]}…{text[-keep:]} ({len(text):,} characters)"


def exact_argument(call: str, argument: str, value: Any) -> Fraction:
    """``value`` as an exact number of bounded size: an int, a Fraction or spec-language
    text ("3/5", "0.6"). A float is refused: 0.6 is 5404319552844595/9007199254740992
    exactly, not the 3/5 the same spec text means."""
    where = f"{call}(): {argument}"
    if isinstance(value, float):
        hint = f", e.g. Fraction('{value!r}') or the string '{value!r}'" \
            if value == value and abs(value) != float("inf") else ""
        raise ArgumentError(f"{where} has the float {value!r}; give an exact number{hint}")
    if isinstance(value, bool):
        raise ArgumentError(f"{where} has {value!r}, not a number")
    try:
        number = exact_number(value) if isinstance(value, str) else Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError) as problem:
        raise ArgumentError(f"{where} has a value that is not an exact number ({problem})") \
            from None
    if number is None:
        raise ArgumentError(f"{where} has {value[:40]!r}, not an exact number of at most "
                            f"{MAX_NUMBER_DIGITS} digits")
    if max(number.numerator.bit_length(), number.denominator.bit_length()) > MAX_VALUE_BITS:
        raise ArgumentError(f"{where} has a number too large to be exact here (over 4,000 "
                            "digits)")
    return number
