"""Utility functions and lotteries written as mappings: `{o1: 1, *: 0}`, `{a: 1/2, b: 1/2}`."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType

from decisiontrees.checking.arithmetic import evaluate
from decisiontrees.checking.declarations import Declarations
from decisiontrees.language.numbers import brief
from decisiontrees.language.syntax import MappingLit


class MappingChecker:
    """Checks mappings against the declared outcomes."""

    def __init__(self, names: Declarations) -> None:
        self.names = names
        self.reporter = names.reporter

    def utility_mapping(self, mapping: MappingLit) -> Mapping[str, Fraction] | None:
        values: dict[str, Fraction] = {}
        default: Fraction | None = None
        valid = True
        for entry in mapping.entries:
            number = evaluate(entry.value, self.reporter, what="a number")
            if entry.key == "*":
                if default is not None:
                    self.reporter.error(entry.span, "`*` is given twice")
                default = number if number is not None else Fraction(0)
                valid = valid and number is not None
                continue
            if not self.names.outcome_key(entry.key, entry.span):
                valid = False
            elif entry.key in values:
                self.reporter.error(entry.span, f"outcome `{entry.key}` is given twice")
                valid = False
            elif number is None:
                valid = False
            else:
                values[entry.key] = number
        missing = [o for o in self.names.outcomes if o not in values]
        if missing and default is None and valid:
            listed = ", ".join(f"`{o}`" for o in missing)
            self.reporter.error(mapping.span, f"the utility function misses {listed}",
                                "give every outcome a value, or add `*: 0` for the rest")
            return None
        if not valid:
            return None
        if default is None:  # then no outcome is missing (see above)
            return MappingProxyType({o: values[o] for o in self.names.outcomes})
        return MappingProxyType({o: values.get(o, default) for o in self.names.outcomes})

    def lottery_mapping(self, mapping: MappingLit) -> Mapping[str, Fraction] | None:
        lottery: dict[str, Fraction] = {}
        valid = True
        for entry in mapping.entries:
            if entry.key == "*":
                self.reporter.error(entry.span, "a lottery cannot use `*`",
                                    "outcomes not named have probability 0")
                valid = False
                continue
            number = evaluate(entry.value, self.reporter, what="a probability")
            if not self.names.outcome_key(entry.key, entry.span) or number is None:
                valid = False
            elif entry.key in lottery:
                self.reporter.error(entry.span, f"outcome `{entry.key}` is given twice")
                valid = False
            elif number < 0:
                self.reporter.error(entry.value.span, f"probability {brief(number)} is negative",
                                    "probabilities are between 0 and 1")
                valid = False
            else:
                lottery[entry.key] = number
        if valid and sum(lottery.values()) != 1:
            self.reporter.error(mapping.span, f"the lottery's probabilities sum to "
                                f"{brief(sum(lottery.values()))}, not 1")
            valid = False
        return MappingProxyType(lottery) if valid else None
