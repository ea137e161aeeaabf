"""Convergence and the orbit share on held-out random trees over 6 outcomes (issue 14:
`convergence` on 6 outcomes with ~150 lotteries under 5 s).

    python benchmarks/convergence.py [--seeds 33 41 …] [--outcomes 6] [--against leaf|tree]
                                     [--engine DIR] [--limit 60]

Each tree is ``random_tree(40, Random(seed), o0..o5, chance_share=0.4)`` of
benchmarks/relations.py; the default seeds are the twelve below 600 whose trees have 120-200
distinct strategy lotteries (found by a review, 2026-11-27). Each is compared with the
outcome o0 (a leaf): ``convergence(t, o0)`` and ``orbit_share(t, o0)``; with ``--against
tree``, with a second random tree drawn next from the same generator
(``random_tree(12, …)``). ``--outcomes`` sets how many outcomes the trees range over. Each answer runs in a
child process with the time limit. ``--engine DIR`` imports `decisiontrees` (and the
benchmark's tree generator) from another checkout, a git worktree of an earlier commit: the
baseline, run by the same script.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
SEEDS = (33, 41, 126, 190, 195, 223, 344, 365, 373, 439, 526, 538)


def _answer(engine: str, seed: int, question: str, sender: Any, outcomes: int = 6,
            against: str = "leaf") -> None:
    sys.path.insert(0, engine)
    sys.path.insert(0, str(Path(engine) / "benchmarks"))
    lotteries, start = "?", time.perf_counter()
    try:  # a benchmark reports, never stops
        import random

        from relations import random_tree

        from decisiontrees.analyses import orbits
        from decisiontrees.analyses.agents import lottery_points
        from decisiontrees.model.nodes import leaf

        names = tuple(f"o{i}" for i in range(outcomes))
        generator = random.Random(seed)
        tree = random_tree(40, generator, outcomes=names, chance_share=0.4)
        other = leaf("o0") if against == "leaf" else \
            random_tree(12, generator, outcomes=names, chance_share=0.4)
        lotteries = str(len(lottery_points(tree, names, 10**5)))
        start = time.perf_counter()
        if question == "convergence":
            found = orbits.convergence(tree, other, names)
            shown = found.level or f"unknown (at least {found.lower})"
        else:
            share = orbits.orbit_share(tree, other, names)
            shown = f"[{share.lower}, {share.upper}]"
    except Exception as error:  # noqa: BLE001
        shown = f"error: {type(error).__name__}: {error}"[:80]
    sender.send((lotteries, shown, time.perf_counter() - start))


def timed(engine: str, seed: int, question: str, limit: float, outcomes: int = 6,
          against: str = "leaf") -> tuple[str, str]:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_answer, args=(engine, seed, question, sender, outcomes, against))
    child.start()
    if not receiver.poll(limit):
        child.kill()
        return "?", f"> {limit:.0f} s"
    lotteries, shown, seconds = receiver.recv()
    child.join()
    return lotteries, f"{shown} ({seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS))
    parser.add_argument("--engine", default=str(HERE))
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--outcomes", type=int, default=6)
    parser.add_argument("--against", choices=("leaf", "tree"), default="leaf")
    arguments = parser.parse_args()
    print(f"# convergence on held-out trees — {time.strftime('%Y-%m-%d')}, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"engine {arguments.engine}, {arguments.outcomes} outcomes, against a "
          f"{arguments.against}\n")
    other = "o0" if arguments.against == "leaf" else "t2"
    print(f"| seed | lotteries | convergence(t, {other}) | orbit_share(t, {other}) |\n"
          "|---:|---:|---|---|")
    for seed in arguments.seeds:
        shape = (arguments.outcomes, arguments.against)
        lotteries, converged = timed(arguments.engine, seed, "convergence", arguments.limit,
                                     *shape)
        _, share = timed(arguments.engine, seed, "share", arguments.limit, *shape)
        print(f"| {seed} | {lotteries} | {converged} | {share} |", flush=True)


if __name__ == "__main__":
    main()
