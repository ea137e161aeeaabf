"""Exact reasoning about decision trees and power-seeking.

Load a spec and answer its statements::

    >>> import decisiontrees as dt
    >>> spec = dt.parse('''
    ... outcomes off, o1, o2
    ... tree shutdown = choice { off, run: choice { o1, o2 } }
    ... claim value(shutdown, {off: 1, *: 0}) == 1
    ... ''')
    >>> [result.status for result in dt.run(spec)]
    ['pass']

Or build trees in code::

    >>> tree = dt.choice({"off": "off", "run": dt.uniform(["o1", "o2"])})
    >>> dt.value(tree, {"off": 0, "o1": 1, "o2": 0})
    Fraction(1, 2)
    >>> dt.count_plans(tree)
    2
"""

from decisiontrees.analysis import (
    an_optimal_plan,
    count_plans,
    count_pure_strategies,
    describe_plan,
    lottery_of,
    optimal_plans,
    plans,
    reachable_outcomes,
    value,
)
from decisiontrees.checking import check_paths
from decisiontrees.diagnostics import DecisionTreesError, Diagnostic, RefusedError, SpecError
from decisiontrees.loader import load, parse
from decisiontrees.membership import Membership, contains
from decisiontrees.model import Chance, Choice, Leaf, Node, chance, choice, leaf, uniform
from decisiontrees.render import Diagram
from decisiontrees.run import Result, Results, run
from decisiontrees.spec import Spec

__all__ = [
    "Chance", "Choice", "DecisionTreesError", "Diagnostic", "Diagram", "Leaf", "Membership", "Node",
    "RefusedError", "Result", "Results", "Spec", "SpecError", "an_optimal_plan", "chance", "check_paths",
    "choice", "contains", "count_plans", "count_pure_strategies", "describe_plan", "leaf",
    "load", "lottery_of", "optimal_plans", "parse", "plans", "reachable_outcomes", "run",
    "uniform", "value",
]
