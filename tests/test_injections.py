"""The search for injective maps under tables, against brute force over every map."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decisiontrees import limits
from decisiontrees.analyses.injections import InjectionSearch, Table
from decisiontrees.errors import TimedOut


@st.composite
def problems(draw):
    """Sources with random domains among a few targets, some forced targets, tables on one
    to three sources with random rows, and forbidden partial maps."""
    sources = [f"s{k}" for k in range(draw(st.integers(1, 5)))]
    targets = [f"t{k}" for k in range(draw(st.integers(1, 6)))]
    domains = {s: draw(st.lists(st.sampled_from(targets), min_size=1, unique=True))
               for s in sources}
    forced = draw(st.lists(st.sampled_from(targets), max_size=2, unique=True))
    tables = []
    for _ in range(draw(st.integers(0, 4))):
        scope = tuple(draw(st.lists(st.sampled_from(sources), min_size=1, max_size=3,
                                    unique=True)))
        every = list(itertools.product(targets, repeat=len(scope)))
        rows = draw(st.lists(st.sampled_from(every), unique=True)) if every else []
        tables.append(Table(scope, frozenset(rows)))
    forbidden = []
    for _ in range(draw(st.integers(0, 3))):
        part = draw(st.lists(st.sampled_from(sources), min_size=1, max_size=3, unique=True))
        forbidden.append({s: draw(st.sampled_from(targets)) for s in part})
    return sources, domains, forced, tables, forbidden


def solutions(sources, domains, forced, tables, forbidden):
    """Every map meeting the conditions, by trying every assignment."""
    found = []
    for images in itertools.product(*(domains[s] for s in sources)):
        mapping = dict(zip(sources, images))
        if len(set(images)) == len(images) and set(forced) <= set(images) \
                and all(tuple(mapping[s] for s in table.scope) in table.rows for table in tables) \
                and not any(all(mapping[s] == t for s, t in part.items()) for part in forbidden):
            found.append(mapping)
    return found


@settings(max_examples=400, deadline=None)
@given(problems())
def test_the_search_finds_exactly_the_maps_brute_force_finds(problem):
    """Each map found meets every condition, none is missed: forbidding each map found in
    turn lists every solution, then the search says there is none."""
    sources, domains, forced, tables, forbidden = problem
    expected = solutions(*problem)
    search = InjectionSearch(domains, forced, tables)
    for part in forbidden:
        search.forbid(part)
    listed = []
    while (mapping := search.find()) is not None:
        assert mapping in expected and mapping not in listed
        listed.append(mapping)
        search.forbid(mapping)
    assert len(listed) == len(expected)


def test_pigeonholes_and_forced_targets_are_seen_before_any_branch():
    """Three sources into two targets, and a forced target no source can take: no map,
    decided by propagation alone."""
    crowded = InjectionSearch({"a": ["x", "y"], "b": ["x", "y"], "c": ["x", "y"]}, [], [])
    assert crowded.find() is None and crowded.nodes == 0
    unreachable = InjectionSearch({"a": ["x", "y"]}, ["z"], [])
    assert unreachable.find() is None and unreachable.nodes == 0
    two_forced = InjectionSearch({"a": ["x", "y", "z"], "b": ["x", "y", "z"]}, ["y", "z"], [])
    assert two_forced.find() in ({"a": "y", "b": "z"}, {"a": "z", "b": "y"})


def test_a_search_past_its_deadline_stops():
    """Twelve sources, each table forbidding each pair of neighbours from taking adjacent
    targets: the search runs until the deadline and stops, never answering in its place."""
    names = [f"t{k}" for k in range(12)]
    domains = {f"s{k}": names for k in range(12)}
    tables = [Table((f"s{k}", f"s{k + 1}"), frozenset(
        (a, b) for a, b in itertools.product(names, repeat=2)
        if abs(names.index(a) - names.index(b)) > 1)) for k in range(11)]
    search = InjectionSearch(domains, [], tables)
    search.forbid({f"s{k}": names[k] for k in range(12)})
    with pytest.raises(TimedOut), limits.deadline(0):
        search.find()
