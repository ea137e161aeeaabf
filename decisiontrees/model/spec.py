"""A loaded, checked spec: outcomes, parameters, trees, utility functions and statements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Union

from decisiontrees.language.diagnostics import Span, suggest
from decisiontrees.model.classes import UtilityClass
from decisiontrees.model.nodes import Node, Parameter

Utility = Mapping[str, Fraction]


@dataclass(frozen=True, slots=True)
class TreeArg:
    """A tree named in a statement (an outcome name stands for its one-leaf tree)."""

    name: str
    node: Node


@dataclass(frozen=True, slots=True)
class UtilityArg:
    name: str | None  # None for a literal written in the statement
    values: Utility


@dataclass(frozen=True, slots=True)
class ValueQuestion:
    tree: TreeArg
    utility: UtilityArg
    assignment: Mapping[str, Fraction]


@dataclass(frozen=True, slots=True)
class OptimalQuestion:
    tree: TreeArg
    utility: UtilityArg
    assignment: Mapping[str, Fraction]
    limit: int


@dataclass(frozen=True, slots=True)
class StrategiesQuestion:
    """How many pure strategies (``reduced`` False) or plans (``reduced`` True) the tree has."""

    tree: TreeArg
    reduced: bool


@dataclass(frozen=True, slots=True)
class LotteriesQuestion:
    tree: TreeArg
    assignment: Mapping[str, Fraction]
    limit: int


@dataclass(frozen=True, slots=True)
class ReachableQuestion:
    tree: TreeArg


@dataclass(frozen=True, slots=True)
class ContainsQuestion:
    tree: TreeArg
    lottery: Mapping[str, Fraction]
    assignment: Mapping[str, Fraction]


@dataclass(frozen=True, slots=True)
class RelationQuestion:
    """A relation between two trees (``relation`` is the question's name)."""

    relation: str
    tree: TreeArg
    other: TreeArg
    utility_class: UtilityClass | None  # None: Tarsney's [0,1]^O
    timeout_seconds: int | None
    fixing: frozenset[str]
    within: str | None


@dataclass(frozen=True, slots=True)
class RegionQuestion:
    """For which parameter values ``V_u(tree) > V_u(other)`` (THEORY §7)."""

    tree: TreeArg
    other: TreeArg
    utility: UtilityArg


@dataclass(frozen=True, slots=True)
class RandomAgentQuestion:
    """choices, chosen, tie, prefers or power: what random agents do (THEORY §5–6)."""

    kind: str
    tree: TreeArg
    other: TreeArg | None
    action: str | None
    distribution: Any  # random_agents.Distribution
    samples: int | None  # Monte Carlo even where an exact answer exists
    seed: int


CONVERGENCE_LEVELS = ("none", "weak", "strict", "absolute")


@dataclass(frozen=True, slots=True)
class OrbitQuestion:
    """convergence, distribution_dependent or orbit_share: the admissible family (§5)."""

    kind: str
    tree: TreeArg
    other: TreeArg
    timeout_seconds: int | None


Question = Union[RelationQuestion, ValueQuestion, OptimalQuestion, StrategiesQuestion, LotteriesQuestion,
                 ReachableQuestion, ContainsQuestion, RandomAgentQuestion, OrbitQuestion,
                 RegionQuestion]


@dataclass(frozen=True, slots=True)
class Statement:
    """A query (print the answer) or a claim (assert it; ``expected`` is compared with ``op``)."""

    kind: str  # "query" or "claim"
    name: str  # the question's name as written: value, optimal, …
    question: Question
    negated: bool
    op: str | None
    expected: Any  # Fraction, frozenset[str] or None
    text: str
    span: Span


@dataclass(frozen=True)
class Spec:
    """Everything a set of spec files defines, checked and resolved to the model."""

    path: str
    outcomes: tuple[str, ...]
    features: Mapping[str, Mapping[str, Fraction]]
    parameters: Mapping[str, Parameter]
    trees: Mapping[str, Node]
    utilities: Mapping[str, Utility]
    classes: Mapping[str, UtilityClass]
    statements: tuple[Statement, ...]
    files: tuple[str, ...]
    distributions: Mapping[str, Any] = field(  # random_agents.Distribution
        default_factory=lambda: MappingProxyType({}))

    def tree(self, name: str) -> Node:
        """The tree called ``name``; an outcome name gives its one-leaf tree."""
        if name in self.trees:
            return self.trees[name]
        if name in self.outcomes:
            from decisiontrees.model.nodes import leaf

            return leaf(name)
        hint = suggest(name, list(self.trees) + list(self.outcomes))
        raise KeyError(f"tree(): no tree or outcome `{name}` in {self.path}"
                       + (f"; {hint}" if hint else ""))

    def utility(self, name: str) -> Utility:
        if name in self.utilities:
            return self.utilities[name]
        hint = suggest(name, self.utilities)
        raise KeyError(f"utility(): no utility function `{name}` in {self.path}"
                       + (f"; {hint}" if hint else ""))
