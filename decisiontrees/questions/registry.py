"""Question names to their families: the one list a new family is added to."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from decisiontrees.questions import (
    agents,
    choice_sets,
    farsighted,
    mdp,
    membership,
    orbits,
    region,
    relations,
    strategies,
    switches,
    values,
)
from decisiontrees.questions.base import Family

FAMILY_MODULES = (values, strategies, membership, relations, region, switches, agents, orbits,
                  choice_sets, mdp, farsighted)

QUESTIONS: Mapping[str, Family] = MappingProxyType(
    {family.name: family for module in FAMILY_MODULES for family in module.FAMILIES})
