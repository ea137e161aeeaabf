"""Injective maps under table constraints, by exact constraint propagation and search.

P3/P4 ask for an injective map ``σ`` from the right tree's outcomes (the *sources*) to
outcomes (the *targets*). Each lottery of the right tree whose outcomes are few can be given
a *table*: the images of its outcomes under which the moved lottery stays inside the left
tree's set. A map must satisfy every table; this module finds one that does, or shows that
none exists. Nothing here is approximate: a table, a forbidden partial map and the
candidates are necessary conditions the caller proved, so "no map" is exact.

The search keeps each source's possible targets and, after every step, removes a target
that no row of some table supports (generalised arc consistency on each table), that would
complete a forbidden partial map, or that no injective completion can use while every
forced target is still hit (each value tested by bipartite matching: the consistency of
``alldifferent``, Régin 1994). It branches on the source with fewest targets left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from decisiontrees import limits


@dataclass(frozen=True)
class Table:
    """The images of ``scope`` (sources, in order) that a map may have: its rows."""

    scope: tuple[str, ...]
    rows: frozenset[tuple[str, ...]]


class _Empty(Exception):
    """Some source has no target left: no map extends the current one."""


class InjectionSearch:
    """Injective maps sending each source into its domain, every ``forced`` target hit,
    every table satisfied and no forbidden partial map contained."""

    def __init__(self, domains: Mapping[str, Sequence[str]], forced: Iterable[str],
                 tables: Sequence[Table]) -> None:
        self.sources = list(domains)
        forced = set(forced)
        self.targets = sorted({t for found in domains.values() for t in found} | forced)
        index = {t: k for k, t in enumerate(self.targets)}
        self.position = {s: k for k, s in enumerate(self.sources)}
        self.start = [_mask(index[t] for t in domains[s]) for s in self.sources]
        self.forced = [index[t] for t in sorted(forced)]
        self.tables = [([self.position[s] for s in table.scope],
                        [tuple(index[t] for t in row) for row in table.rows
                         if all(t in index for t in row)])
                       for table in tables]
        self.watching: list[list[int]] = [[] for _ in self.sources]
        for k, (scope, _) in enumerate(self.tables):
            for v in scope:
                self.watching[v].append(k)
        self.index = index
        self.forbidden: list[list[tuple[int, int]]] = []
        self.nodes = 0  # search nodes visited, over every call of find

    def forbid(self, partial: Mapping[str, str]) -> None:
        """No later map may contain ``partial`` (sources outside the search are ignored:
        then it forbids nothing)."""
        if all(s in self.position and t in self.index for s, t in partial.items()):
            self.forbidden.append([(self.position[s], self.index[t]) for s, t in partial.items()])

    def find(self) -> dict[str, str] | None:
        """A map meeting every condition, or None when there is none (exhaustive). Raises
        :class:`decisiontrees.errors.TimedOut` at the deadline."""
        domains = list(self.start)
        try:
            self._propagate(domains, range(len(domains)))
        except _Empty:
            return None
        found = self._search(domains)
        if found is None:
            return None
        return {s: self.targets[found[v]] for s, v in self.position.items()}

    def _search(self, domains: list[int]) -> list[int] | None:
        self.nodes += 1
        limits.check(f"searching permutations by tables ({self.nodes} nodes)")
        open_sources = [v for v, mask in enumerate(domains) if mask & (mask - 1)]
        if not open_sources:
            return [mask.bit_length() - 1 for mask in domains]
        branch = min(open_sources, key=lambda v: (domains[v].bit_count(),
                                                  -len(self.watching[v])))
        for target in _bits(domains[branch]):
            narrowed = list(domains)
            narrowed[branch] = 1 << target
            try:
                self._propagate(narrowed, [branch])
            except _Empty:
                continue
            found = self._search(narrowed)
            if found is not None:
                return found
        return None

    def _propagate(self, domains: list[int], changed: Iterable[int]) -> None:
        """Narrow ``domains`` in place to a common fixed point of the tables, the forbidden
        maps and injectivity; :class:`_Empty` when some source has nothing left."""
        pending = {k for v in changed for k in self.watching[v]}
        while True:
            while pending:
                pending.update(self._table(domains, pending.pop()))
            narrowed = self._forbidden(domains) + self._injective(domains)
            if not narrowed:
                return
            pending = {k for v in narrowed for k in self.watching[v]}

    def _table(self, domains: list[int], k: int) -> list[int]:
        scope, rows = self.tables[k]
        supported = [0] * len(scope)
        for row in rows:
            if all(domains[v] >> t & 1 for v, t in zip(scope, row)):
                for i, t in enumerate(row):
                    supported[i] |= 1 << t
        narrowed = []
        for v, mask in zip(scope, supported):
            if domains[v] & ~mask:
                domains[v] &= mask
                if not domains[v]:
                    raise _Empty
                narrowed.append(v)
        return [k2 for v in narrowed for k2 in self.watching[v]]

    def _forbidden(self, domains: list[int]) -> list[int]:
        narrowed = []
        for partial in self.forbidden:
            undecided = [(v, t) for v, t in partial if domains[v] != 1 << t]
            if any(not domains[v] >> t & 1 for v, t in undecided):
                continue  # some source can no longer take its forbidden target
            if not undecided:
                raise _Empty
            if len(undecided) == 1:
                v, t = undecided[0]
                domains[v] &= ~(1 << t)
                if not domains[v]:
                    raise _Empty
                narrowed.append(v)
        return narrowed

    def _injective(self, domains: list[int]) -> list[int]:
        """Remove each target that no injective completion hitting every forced target
        gives its source."""
        if not self._matchable(domains):
            raise _Empty
        narrowed = []
        for v in range(len(domains)):
            if not domains[v] & (domains[v] - 1):
                continue
            for t in _bits(domains[v]):
                trial = [mask & ~(1 << t) for mask in domains]
                trial[v] = 1 << t
                if not self._matchable(trial):
                    domains[v] &= ~(1 << t)
                    narrowed.append(v)
        return narrowed

    def _matchable(self, domains: list[int]) -> bool:
        """Whether some injective map from the domains hits every forced target: a matching
        that covers the sources and one that covers the forced targets (by Mendelsohn and
        Dulmage, then one matching covers both)."""
        if not _covers(list(range(len(domains))), lambda v: domains[v]):
            return False
        if not self.forced:
            return True
        takers = {t: _mask(v for v, mask in enumerate(domains) if mask >> t & 1)
                  for t in self.forced}
        return _covers(self.forced, takers.__getitem__)


def distinct_choices(options: Mapping[int, Iterable[int]]) -> bool:
    """Whether each key of ``options`` can take a distinct one of its own options."""
    masks = {item: _mask(found) for item, found in options.items()}
    return _covers(list(masks), masks.__getitem__)


def _covers(items: Sequence[int], options: Callable[[int], int]) -> bool:
    """Whether each of ``items`` can get a distinct one of its ``options(item)`` (a bit
    mask): augmenting paths."""
    owner: dict[int, int] = {}

    def augment(item: int, seen: set[int]) -> bool:
        for choice in _bits(options(item)):
            if choice not in seen:
                seen.add(choice)
                if choice not in owner or augment(owner[choice], seen):
                    owner[choice] = item
                    return True
        return False

    return all(augment(item, set()) for item in items)


def _mask(bits: Iterable[int]) -> int:
    mask = 0
    for bit in bits:
        mask |= 1 << bit
    return mask


def _bits(mask: int) -> list[int]:
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found
