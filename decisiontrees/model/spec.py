"""A loaded, checked spec: outcomes, parameters, trees, utility functions, classes, laws and
statements. Question records are defined by their families (decisiontrees.questions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from decisiontrees.errors import ArgumentError, Span
from decisiontrees.language.diagnostics import suggest
from decisiontrees.model.classes import UtilityClass
from decisiontrees.model.laws import Distribution
from decisiontrees.model.mdp import MDP
from decisiontrees.model.nodes import Node, Parameter, leaf

Utility = Mapping[str, Fraction]


@dataclass(frozen=True, slots=True)
class TreeArg:
    """A tree named in a statement (an outcome name stands for its one-leaf tree; ``m.s``
    for a state of an mdp, whose ``mdp`` is then given, with the parameter values of the
    statement substituted)."""

    name: str
    node: Node
    mdp: MDP | None = None
    state: str | None = None
    # why the state's policies were not listed (too many): ``node`` is then only its leaf, and
    # only questions that solve the mdp directly can answer
    unlisted: str | None = None


@dataclass(frozen=True, slots=True)
class UtilityArg:
    name: str | None  # None for a literal written in the statement
    values: Utility


@dataclass(frozen=True)
class Question:
    """Base of the question records; each family in decisiontrees.questions has its own."""


class StatementKind(StrEnum):
    QUERY = "query"  # print the answer
    CLAIM = "claim"  # assert it


@dataclass(frozen=True, slots=True)
class OtherAnswer:
    """The right side of a claim that compares two answers (``value(a, u) >= value(b, u)``):
    another question, answered alongside the claim's own."""

    name: str
    question: Question
    text: str


@dataclass(frozen=True, slots=True)
class Statement:
    """A query or a claim (``expected`` is compared with ``op``; ``negated`` for `claim not`)."""

    kind: StatementKind
    name: str  # the question's name as written: value, optimal, …
    question: Question
    negated: bool
    op: str | None
    expected: Any  # Fraction, frozenset[str], a word, an OtherAnswer, or None
    text: str
    span: Span
    timeout_seconds: float | None = None  # the statement's own `timeout =`


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
    distributions: Mapping[str, Distribution] = field(
        default_factory=lambda: MappingProxyType({}))
    fixed: Mapping[str, Fraction] = field(  # parameters given values from outside (--param)
        default_factory=lambda: MappingProxyType({}))
    mdps: Mapping[str, MDP] = field(default_factory=lambda: MappingProxyType({}))
    # builds the tree of ``m.s`` (decisiontrees.analyses.mdp.state_tree, given by the loader:
    # the model does not depend on the analyses)
    state_tree: Callable[[MDP, str], Node] | None = field(default=None, compare=False,
                                                          repr=False)

    def tree(self, name: str) -> Node:
        """The tree called ``name``; an outcome name gives its one-leaf tree, and ``m.s`` the
        tree of state ``s`` of mdp ``m`` (its lotteries are the state's visit distributions)."""
        if name in self.trees:
            return self.trees[name]
        if name in self.outcomes and "." not in name:
            return leaf(name)
        mdp_name, dot, state = name.partition(".")
        if dot and mdp_name in self.mdps and self.state_tree is not None:
            mdp = self.mdps[mdp_name]
            if state not in mdp.states:
                hint = suggest(state, mdp.states)
                raise ArgumentError(f"tree(): mdp `{mdp_name}` has no state `{state}`"
                                    + (f"; {hint}" if hint else ""))
            return self.state_tree(mdp, state)
        hint = suggest(name, list(self.trees) + list(self.outcomes)
                       + [f"{m}.{s}" for m, mdp in self.mdps.items() for s in mdp.states])
        raise ArgumentError(f"tree(): no tree or outcome `{name}` in {self.path}"
                            + (f"; {hint}" if hint else ""))

    def utility(self, name: str) -> Utility:
        if name in self.utilities:
            return self.utilities[name]
        hint = suggest(name, self.utilities)
        raise ArgumentError(f"utility(): no utility function `{name}` in {self.path}"
                            + (f"; {hint}" if hint else ""))
