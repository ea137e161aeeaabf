"""Exact reasoning about decision trees and power-seeking.

Load a spec and answer its statements::

    >>> import decisiontrees as dt
    >>> spec = dt.parse('''
    ... outcomes off, o1, o2
    ... tree shutdown = choice { off, run: choice { o1, o2 } }
    ... claim value(shutdown, {off: 1, *: 0}) == 1
    ... ''')
    >>> [str(result.status) for result in dt.run(spec)]
    ['pass']

Or build trees in code::

    >>> tree = dt.choice({"off": "off", "run": dt.uniform(["o1", "o2"])})
    >>> dt.value(tree, {"off": 0, "o1": 1, "o2": 0})
    Fraction(1, 2)
    >>> dt.count_plans(tree)
    2

The names below are loaded on first use, so ``import decisiontrees.evidence.verify`` (the
standalone certificate checker) loads nothing else of the package. The first use also
attaches the notebook display hooks (decisiontrees.notebook).
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("load", "parse"), "decisiontrees.checking.loader"),
    **dict.fromkeys(("run", "Result", "Results"), "decisiontrees.questions.run"),
    **dict.fromkeys(("Status",), "decisiontrees.questions.base"),
    **dict.fromkeys(("Spec",), "decisiontrees.model.spec"),
    **dict.fromkeys(("Chance", "Choice", "Leaf", "Node", "chance", "choice", "leaf", "uniform"),
                    "decisiontrees.model.nodes"),
    **dict.fromkeys(("Distribution", "UNIFORM"), "decisiontrees.model.laws"),
    **dict.fromkeys(("UtilityClass",), "decisiontrees.model.classes"),
    **dict.fromkeys(("DecisionRule",), "decisiontrees.model.rules"),
    **dict.fromkeys(("describe_plan", "lottery_of"), "decisiontrees.analyses.plans"),
    **dict.fromkeys(("check_paths", "check_file", "value", "optimal_plans", "contains",
                     "an_optimal_plan", "count_plans", "count_pure_strategies", "plans",
                     "reachable_outcomes",
                     "dominates", "strictly_dominates", "compare", "inclusion", "interiority",
                     "permuted_inclusion", "permuted_interiority", "choice_probabilities",
                     "prefers", "power", "convergence", "distribution_dependent", "orbit_share",
                     "rule_choice", "admissible", "mdp_state_tree", "mdp_limit_tree", "farsighted",
                     "mdp_power", "mdp_powers"),
                    "decisiontrees.api"),
    **dict.fromkeys(("Membership",), "decisiontrees.analyses.membership"),
    **dict.fromkeys(("Diagram",), "decisiontrees.notebook"),
    **dict.fromkeys(("DecisionTreesError", "SpecError", "RefusedError", "ArgumentError",
                     "CrossCheckFailed", "TimedOut", "Undecided", "Diagnostic"),
                    "decisiontrees.errors"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'decisiontrees' has no attribute {name!r}")
    importlib.import_module("decisiontrees.notebook")  # display hooks, once
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
