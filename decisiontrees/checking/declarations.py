"""Names and what they declare: one table for every file of a load, shared by the checkers.

Every name is declared once (outcomes, parameters, trees, utility functions, classes,
distributions share one namespace) and never as a keyword. The checkers that follow fill in
what each name stands for; a name whose declaration was broken maps to None, so later uses
of it report nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from decisiontrees.checking.arithmetic import evaluate
from decisiontrees.errors import Span
from decisiontrees.language.diagnostics import Reporter, suggest
from decisiontrees.language.syntax import (
    KEYWORDS,
    ClassDecl,
    DistributionDecl,
    GridRows,
    Item,
    MDPDecl,
    OutcomesDecl,
    ParamDecl,
    TreeDecl,
    UtilityDecl,
)
from decisiontrees.model.classes import UtilityClass
from decisiontrees.model.laws import Distribution
from decisiontrees.model.mdp import MDP, grid_cells
from decisiontrees.model.nodes import Node, Parameter

KIND_NAMES = {"outcome": "an outcome", "tree": "a tree", "param": "a parameter",
              "utility": "a utility function", "class": "a utility class",
              "distribution": "a distribution", "mdp": "an mdp"}


@dataclass
class Declarations:
    """The names of a load and, once checked, what they stand for."""

    reporter: Reporter
    kinds: dict[str, tuple[str, Span]] = field(default_factory=dict)
    outcomes: dict[str, Mapping[str, Fraction]] = field(default_factory=dict)  # -> features
    parameters: dict[str, Parameter] = field(default_factory=dict)
    tree_syntax: dict[str, TreeDecl] = field(default_factory=dict)
    trees: dict[str, Node | None] = field(default_factory=dict)
    utilities: dict[str, Mapping[str, Fraction] | None] = field(default_factory=dict)
    class_syntax: dict[str, ClassDecl] = field(default_factory=dict)
    classes: dict[str, UtilityClass | None] = field(default_factory=dict)
    distributions: dict[str, Distribution | None] = field(default_factory=dict)
    mdp_syntax: dict[str, MDPDecl] = field(default_factory=dict)
    mdps: dict[str, MDP | None] = field(default_factory=dict)

    def kind(self, name: str) -> str | None:
        found = self.kinds.get(name)
        return found[0] if found else None

    def is_declaration(self, name: str, span: Span) -> bool:
        """Whether the declaration at ``span`` is the one that holds ``name`` (not a duplicate)."""
        found = self.kinds.get(name)
        return found is not None and found[1] == span

    def names(self, *kinds: str) -> list[str]:
        return [n for n, (k, _) in self.kinds.items() if k in kinds]

    def features(self) -> list[str]:
        return sorted({f for values in self.outcomes.values() for f in values})

    def declare(self, name: str, kind: str, span: Span) -> bool:
        if name in KEYWORDS:
            self.reporter.error(span, f"`{name}` is a keyword, not a name", "choose another name")
            return False
        if name in self.kinds:
            other_kind, other = self.kinds[name]
            self.reporter.error(span, f"`{name}` is defined twice",
                                f"it is already {KIND_NAMES[other_kind]}, defined at {other}")
            return False
        self.kinds[name] = (kind, span)
        return True

    def declare_item(self, item: Item) -> None:
        if isinstance(item, OutcomesDecl):
            for outcome in item.items:
                if self.declare(outcome.name, "outcome", outcome.span):
                    self.outcomes[outcome.name] = {}
        elif isinstance(item, ParamDecl):
            self.declare(item.name, "param", item.name_span)
        elif isinstance(item, TreeDecl):
            if self.declare(item.name, "tree", item.name_span):
                self.tree_syntax[item.name] = item
        elif isinstance(item, UtilityDecl):
            self.declare(item.name, "utility", item.name_span)
        elif isinstance(item, ClassDecl):
            if self.declare(item.name, "class", item.name_span):
                self.class_syntax[item.name] = item
        elif isinstance(item, DistributionDecl):
            self.declare(item.name, "distribution", item.name_span)
        elif isinstance(item, MDPDecl):
            if self.declare(item.name, "mdp", item.name_span):
                self.mdp_syntax[item.name] = item

    def declare_states(self) -> None:
        """An mdp's states are outcomes: a state not declared with `outcomes` is declared by
        its mdp (several mdps may share states). Called once every item is declared."""
        for item in self.mdp_syntax.values():
            named = [(cell, setting.span) for setting in item.settings
                     if setting.name == "map" and isinstance(setting.value, GridRows)
                     for cell in grid_cells(setting.value.rows)]
            named += [(state.name, state.name_span) for state in item.states]
            for name, span in named:
                kind = self.kind(name)
                if kind is None:
                    if self.declare(name, "outcome", span):
                        self.outcomes[name] = MappingProxyType({})
                elif kind != "outcome":
                    self.reporter.error(span, f"`{name}` is {KIND_NAMES[kind]}, not a state",
                                        "the states of an mdp are outcomes; rename the state "
                                        "or the other declaration")

    def outcome_key(self, name: str, span: Span) -> bool:
        """Whether ``name`` is an outcome; otherwise report what it is."""
        if name in self.outcomes:
            return True
        kind = self.kind(name)
        if kind is not None:
            self.reporter.error(span, f"`{name}` is {KIND_NAMES[kind]}, not an outcome")
        else:
            hint = suggest(name, self.outcomes) or "declare every outcome with `outcomes`"
            self.reporter.error(span, f"unknown outcome `{name}`", hint)
        return False

    def check_outcomes(self, item: OutcomesDecl) -> None:
        """Each declared outcome's features, exact numbers."""
        for outcome in item.items:
            if not self.is_declaration(outcome.name, outcome.span):
                continue
            features: dict[str, Fraction] = {}
            for feature in outcome.features:
                if feature.name in features:
                    self.reporter.error(feature.span, f"feature `{feature.name}` is given twice")
                    continue
                number = evaluate(feature.value, self.reporter, what="a number")
                if number is not None:
                    features[feature.name] = number
            self.outcomes[outcome.name] = MappingProxyType(features)

    def check_parameter(self, item: ParamDecl) -> None:
        """A parameter's domain: an interval that is not empty."""
        if not self.is_declaration(item.name, item.name_span):
            return
        low = evaluate(item.low, self.reporter, what="a number")
        high = evaluate(item.high, self.reporter, what="a number")
        if low is None or high is None:
            return
        if low > high or (low == high and (item.low_open or item.high_open)):
            self.reporter.error(item.span, f"the domain of `{item.name}` is empty")
            return
        self.parameters[item.name] = Parameter(item.name, low, high, item.low_open, item.high_open)
