"""Parse, check and evaluate rates on generated specs of 10^3, 10^4 and 10^5 nodes.

    python benchmarks/run.py [--sizes 1000 10000 100000] [--repeat 3] [--seed 1]

A spec holds one random tree over 10 outcomes (30% of inner nodes are chance nodes with
random exact probabilities, 2-4 children each) and one utility function. Reported per size:
the median of ``--repeat`` runs of

- parse: text to syntax tree (lark LALR and the Transformer);
- check: the checking pass that builds the hash-consed model (names, probabilities, …);
- evaluate: backward induction, plan count and reachable outcomes on the model.

Target (issue 2): a 100,000-node spec parsed, checked and evaluated in under 5 s.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.setrecursionlimit(100_000)

from decisiontrees.analyses import plans as analysis  # noqa: E402
from decisiontrees.checking.loader import check_modules  # noqa: E402
from decisiontrees.language.diagnostics import Reporter  # noqa: E402
from decisiontrees.language.parser import collector_paused, parse_module  # noqa: E402

OUTCOMES = [f"o{i}" for i in range(10)]


def generate(nodes: int, seed: int) -> str:
    """Spec text whose tree has exactly ``nodes`` nodes (leaves included)."""
    rng = random.Random(seed)
    out: list[str] = []

    def tree(budget: int, indent: str) -> None:
        # writes a subtree of exactly `budget` nodes
        if budget == 1:
            out.append(rng.choice(OUTCOMES))
            return
        arity = min(rng.randint(2, 4), budget - 1)
        sizes = split(budget - 1, arity)
        inner = indent + "  "
        if rng.random() < 0.3:
            weights = [rng.randint(1, 9) for _ in sizes]
            total = sum(weights)
            out.append("chance {\n")
            for w, size in zip(weights, sizes):
                out.append(f"{inner}{Fraction(w, total)}: ")
                tree(size, inner)
                out.append(",\n")
        else:
            out.append("choice {\n")
            for k, size in enumerate(sizes):
                out.append(f"{inner}a{k}: ")
                tree(size, inner)
                out.append(",\n")
        out.append(f"{indent}}}")

    def split(total: int, parts: int) -> list[int]:
        cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
        edges = [0, *cuts, total]
        return [b - a for a, b in zip(edges, edges[1:])]

    out.append("outcomes " + ", ".join(OUTCOMES) + "\n")
    values = ", ".join(f"{o}: {rng.randint(0, 100)}/100" for o in OUTCOMES)
    out.append(f"utility u = {{{values}}}\n")
    out.append("tree big = ")
    tree(nodes, "")
    out.append("\nquery value(big, u)\n")
    return "".join(out)


def measure(text: str) -> dict[str, float]:
    with collector_paused():  # as decisiontrees.load does
        return _measure(text)


def _measure(text: str) -> dict[str, float]:
    reporter = Reporter()
    start = time.perf_counter()
    module = parse_module(text, "bench.dtree", reporter)
    parsed = time.perf_counter()
    assert module is not None, reporter.diagnostics
    spec = check_modules(reporter, [module], [module], "bench.dtree")
    checked = time.perf_counter()
    tree, utility = spec.trees["big"], spec.utilities["u"]
    analysis.value(tree, utility)
    analysis.count_plans(tree)
    analysis.reachable_outcomes(tree)
    evaluated = time.perf_counter()
    return {"parse": parsed - start, "check": checked - parsed, "evaluate": evaluated - checked}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    print(f"# {time.strftime('%Y-%m-%d')}, {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()}")
    print("| nodes | text | parse s | check s | evaluate s | total s | nodes/s (total) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in arguments.sizes:
        text = generate(size, arguments.seed)
        runs = [measure(text) for _ in range(arguments.repeat)]
        median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        total = sum(median.values())
        print(f"| {size:,} | {len(text) / 1e6:.2f} MB | {median['parse']:.3f} | {median['check']:.3f} | "
              f"{median['evaluate']:.3f} | {total:.3f} | {size / total:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
