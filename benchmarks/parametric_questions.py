"""Exact answers in a parameter on random trees, question by question (issue 14: 4 outcomes
under 5 s each, 5 outcomes decided).

    python benchmarks/parametric_questions.py [--outcomes 4] [--seeds 1-24] [--baseline DIR]

The trees are `random_agents.py`'s random trees in p (2-4 first actions, depth 3, chance
nodes with p, 1 - p, p/2, 1/2); each is asked chosen(t, a1), power(t) and chosen(t, a2),
each with a deadline of --seconds (then the answer is `unknown`). With --baseline, the same
questions are answered in the same run by the package checked out in DIR (an earlier
commit: `git worktree add DIR REV`), in a child process, and the answers are compared as
text.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUESTIONS = ("chosen(t, a1)", "power(t)", "chosen(t, a2)")


def _seeds(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def answers(outcomes: int, seeds: list[int], seconds: float) -> list[dict[str, object]]:
    """Each question's seconds and answer text, from the package already imported."""
    from decisiontrees import limits
    from decisiontrees.checking.loader import parse
    from decisiontrees.questions.run import answer

    sys.path.insert(1, str(HERE))
    from random_agents import _random_parametric

    names = [f"o{k}" for k in range(1, outcomes + 1)]
    found = []
    for seed in seeds:
        rng = random.Random(seed)
        children = ", ".join(f"a{k}: {_random_parametric(rng, names, 3)}"
                             for k in range(1, rng.randint(2, 4) + 1))
        queries = "".join(f"query {q}\n" for q in QUESTIONS)
        spec = parse(f"param p in (0, 1)\noutcomes {', '.join(names)}\n"
                     f"tree t = choice {{ {children} }}\n{queries}")
        for question, statement in zip(QUESTIONS, spec.statements):
            start = time.perf_counter()
            with limits.deadline(seconds):
                result = answer(statement, spec)
            found.append({"seed": seed, "question": question,
                          "seconds": time.perf_counter() - start, "answer": result.summary})
    return found


def _baseline(directory: str, arguments: argparse.Namespace) -> list[dict[str, object]]:
    command = [sys.executable, __file__, "--package", directory, "--json",
               "--outcomes", str(arguments.outcomes), "--seeds", arguments.seeds,
               "--seconds", str(arguments.seconds)]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outcomes", type=int, default=4)
    parser.add_argument("--seeds", default="1-24")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline", help="a checkout of an earlier commit, answered alongside")
    parser.add_argument("--package", help=argparse.SUPPRESS)  # the child's checkout
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    sys.path.insert(0, arguments.package or str(HERE.parent))
    found = answers(arguments.outcomes, _seeds(arguments.seeds), arguments.seconds)
    if arguments.json:
        print(json.dumps(found))
        return
    before = _baseline(arguments.baseline, arguments) if arguments.baseline else None
    print(f"# exact answers in p, {arguments.outcomes} outcomes — {time.strftime('%Y-%m-%d')}, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    print("| seed | question | seconds | baseline | same answer | answer |")
    print("|---:|---|---:|---:|---|---|")
    for k, row in enumerate(found):
        old = before[k] if before else None
        shown = str(row["answer"])
        same = "–" if old is None or "unknown" in (shown, old["answer"]) else \
            ("yes" if old["answer"] == shown else "NO")  # "–": one of them gave up
        print(f"| {row['seed']} | {row['question']} | {row['seconds']:.2f} | "
              f"{'–' if old is None else format(old['seconds'], '.2f')} | {same} | "
              f"{shown[:40]}{'…' if len(shown) > 40 else ''} |")
    times = [float(row["seconds"]) for row in found]  # type: ignore[arg-type]
    print(f"\n{len(times)} questions: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s, over 5 s: {sum(t > 5 for t in times)}")
    if before:
        old_times = [float(row["seconds"]) for row in before]  # type: ignore[arg-type]
        print(f"baseline: median {statistics.median(old_times):.2f} s, max {max(old_times):.2f} "
              f"s, over 5 s: {sum(t > 5 for t in old_times)}")


if __name__ == "__main__":
    main()
