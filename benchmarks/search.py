"""Counterexample search (issue 13): candidates checked per second, against the plain loop.

    python benchmarks/search.py [--baseline-seconds 60] [--workers 2]

The property: "t strictly dominates s but P1 (inclusion) fails" over every pair of trees
with at most 7 nodes each on 3 outcomes, chance probabilities {1/2}, branching 2 (a
theorem: no pair has it, so the whole space is examined). Target: the search completes in
under 60 s and has at least 10x the throughput, in pairs of the space covered per second,
of a plain enumerate-and-check loop over the same space — ordered trees (children in every
order), every pair, each checked with the public API — measured in the same run (the loop
is stopped after --baseline-seconds and its rate extrapolated).
"""

from __future__ import annotations

import argparse
import itertools
import platform
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import decisiontrees as dt  # noqa: E402
from decisiontrees.model.nodes import chance, choice, leaf  # noqa: E402

SPEC = """
outcomes a, b, c
search dominance(t, s) where strictly_dominates(t, s) and not inclusion(t, s)
    with nodes = 7, hits = count, timeout = 600, workers = {workers}
"""
# a random-agent property: exact choice probabilities and POWER for every candidate pair
AGENTS = """
outcomes a, b, c
search agents(t, s) where power(t) > power(s) and prefers(t, s) < 1/2
    with nodes = 5, hits = count, timeout = 600, workers = {workers}
"""


def ordered_trees(outcomes: tuple[str, ...], nodes: int) -> list:
    """Every tree with children in every order (what a hand-written script enumerates)."""
    by_size: dict[int, list] = {1: [leaf(o) for o in outcomes]}
    half = Fraction(1, 2)
    for size in range(2, nodes + 1):
        found = []
        for left_size in range(1, size - 1):
            right_size = size - 1 - left_size
            for left, right in itertools.product(by_size[left_size], by_size.get(right_size, [])):
                found.append(choice({"a1": left, "a2": right}))
                found.append(chance([(half, left), (half, right)]))
        by_size[size] = found
    return [t for size in sorted(by_size) for t in by_size[size]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="the parallel runs' workers")
    arguments = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}")

    timings = {}
    for name, spec in (("dominance", SPEC), ("random agents", AGENTS)):
        for workers in (1, arguments.workers):
            started = time.perf_counter()
            result, = dt.run(dt.parse(spec.format(workers=workers)), isolate=False)
            seconds = time.perf_counter() - started
            evidence = result.answer.evidence
            timings[(name, workers)] = seconds
            print(f"{name} search, {workers} worker{'s' if workers > 1 else ''}: "
                  f"{result.answer.summary}; {evidence.examined} pairs examined for "
                  f"{evidence.generated} canonical pairs in {seconds:.1f} s "
                  f"({evidence.examined / seconds:.0f} pairs/s)")
    ours = timings[("dominance", 1)]

    space = ordered_trees(("a", "b", "c"), 7)
    pairs = len(space) ** 2
    checked, started = 0, time.perf_counter()
    deadline = started + arguments.baseline_seconds
    for left, right in itertools.product(space, repeat=2):
        if dt.strictly_dominates(left, right).holds and not dt.inclusion(left, right).holds:
            print("baseline: a hit (impossible: the property is a theorem)")
        checked += 1
        if time.perf_counter() > deadline:
            break
    spent = time.perf_counter() - started
    rate = checked / spent
    print(f"baseline: {checked} of {pairs} ordered pairs in {spent:.1f} s ({rate:.0f}/s); "
          f"the whole space would take {pairs / rate:.0f} s")
    print(f"speed-up, covering the same space: {pairs / rate / ours:.1f}x")


if __name__ == "__main__":
    main()
