"""Exact random-agent answers on trees whose lotteries are symmetric under outcome
permutations, past the sizes where regions or orbits can be enumerated (issue 14).

    python benchmarks/symmetric.py [--sizes 5 8 10 12 16] [--engine DIR] [--limit 60]

Families over k outcomes o1..ok (and `off`):
  mixed      POWER of choice { o1..ok, uniform { o1..ok }, chance { 1/3: o1, 2/3: o2 } }:
             k/(k + 1) (the mixtures add nothing)
  halves     POWER of chance { 1/2: choice { first half }, 1/2: choice { second half } }
  shutdown   chosen(choice { off, run: choice { off, o1..ok } }, run) = (2k + 1)/(2k + 2): off
             is best 1/(k + 1) of the time, and then both actions reach it (a tie)
  converge   convergence(choice { o1..ok }, off): strict
  share      orbit_share(choice { o1..ok }, off) = k/(k + 1)
  pairs      POWER of a choice among every half-and-half mixture of two outcomes:
             (2k − 1)/(2k + 2), the mean of the two largest utilities

Each answer runs in a child process with the time limit; "refused" and "unknown" are
printed as such. ``--engine DIR`` imports `decisiontrees` from another checkout (a git
worktree of an earlier commit): the baseline, run by the same script.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent


def spec(k: int) -> str:
    names = [f"o{i}" for i in range(1, k + 1)]
    every = ", ".join(names)
    half = k // 2
    return "\n".join([
        f"outcomes off, {every}",
        f"tree plain = choice {{ {every} }}",
        f"tree mixed = choice {{ {every}, uniform {{ {every} }}, chance {{ 1/3: o1, 2/3: o2 }} }}",
        f"tree halves = chance {{ 1/2: choice {{ {', '.join(names[:half])} }}, "
        f"1/2: choice {{ {', '.join(names[half:])} }} }}",
        f"tree shutdown = choice {{ off, run: choice {{ off, {every} }} }}",
        "tree stop = off",
        "tree pairs = choice { " + ", ".join(
            f"uniform {{ {a}, {b} }}" for k, a in enumerate(names) for b in names[k + 1:]) + " }",
    ]) + "\n"


QUERIES = {
    "mixed": "power(mixed)",
    "halves": "power(halves)",
    "shutdown": "chosen(shutdown, run)",
    "converge": "convergence(plain, stop)",
    "share": "orbit_share(plain, stop)",
    "pairs": "power(pairs)",
}


def _answer(engine: str, path: str, question: str, limit: float, sender: Any) -> None:
    sys.path.insert(0, engine)
    from decisiontrees.api import ask

    start = time.perf_counter()
    try:
        result = ask(path, question, timeout_seconds=limit)
        shown = result.answer.summary.split(":")[0]
    except Exception as error:  # noqa: BLE001 -- a benchmark reports, never stops
        shown = f"error: {type(error).__name__}: {error}"[:80]
    sender.send((shown, time.perf_counter() - start))


def timed(engine: str, path: str, question: str, limit: float) -> str:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_answer, args=(engine, path, question, limit, sender))
    child.start()
    if not receiver.poll(limit):
        child.kill()
        return f"> {limit:.0f} s"
    shown, seconds = receiver.recv()
    child.join()
    return f"{shown} ({seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[5, 8, 10, 12, 16])
    parser.add_argument("--engine", default=str(HERE))
    parser.add_argument("--limit", type=float, default=60.0)
    arguments = parser.parse_args()
    print(f"# symmetric trees — {time.strftime('%Y-%m-%d')}, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"engine {arguments.engine}\n")
    print("| k | " + " | ".join(QUERIES) + " |")
    print("|---:|" + "---|" * len(QUERIES))
    with tempfile.TemporaryDirectory() as folder:
        for k in arguments.sizes:
            path = Path(folder) / f"symmetric_{k}.dtree"
            path.write_text(spec(k))
            cells = [timed(arguments.engine, str(path), query, arguments.limit + 5)
                     for query in QUERIES.values()]
            print(f"| {k} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
