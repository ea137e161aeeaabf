"""P3/P4 at d = 8 … 12 outcomes (issue 14), with the search before pruning by reach
probabilities as the baseline, in the same run.

    python benchmarks/permuted.py [--sizes 8 10 12] [--limit 60] [--seeds 100]

Instances: the left tree is a choice among three random 14-leaf trees over d outcomes;
"σ late" compares it with a permuted copy of its last child, "no σ" with an unrelated random
tree. Targets: d = 10 under 10 s and d = 12 under 60 s, both ways. ``--seeds`` draws other
instances (the random generator starts at seed + d; 100 is the first set measured).
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from relations import random_tree  # noqa: E402

from decisiontrees import limits  # noqa: E402
from decisiontrees.analyses import relations  # noqa: E402
from decisiontrees.errors import TimedOut  # noqa: E402
from decisiontrees.model.nodes import choice  # noqa: E402


def instances(d: int, seed: int = 100):
    rng = random.Random(seed + d)
    names = tuple(f"o{i}" for i in range(d))
    left = choice({f"c{i}": random_tree(14, rng, names) for i in range(3)})
    image = list(names)
    rng.shuffle(image)
    late = relations.relabel(left.children[2], dict(zip(names, image)))
    return names, left, {"σ late": late, "no σ": random_tree(14, rng, names)}


def timed(relation, left, right, names, refine, limit):
    start = time.perf_counter()
    try:
        with limits.deadline(limit):
            verdict = relations.permuted(relation, left, right, names, refine=refine)
    except TimedOut:
        return f"> {limit} s", "timed out"
    shown = {True: "holds", False: "fails", None: "unknown"}[verdict.holds]
    return f"{time.perf_counter() - start:.2f} s", f"{shown}, {verdict.details.get('maps_tried')} maps"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[8, 9, 10, 12])
    parser.add_argument("--limit", type=float, default=60)
    parser.add_argument("--seeds", type=int, nargs="*", default=[100])
    parser.add_argument("--no-baseline", action="store_true", help="time the engine only")
    arguments = parser.parse_args()
    print(f"# P3/P4 — {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
          f"Python {platform.python_version()}\n")
    print("| d | seed | instance | relation | pruned | baseline (no pruning) |\n"
          "|---|---|---|---|---|---|")
    for seed in arguments.seeds:
        for d in arguments.sizes:
            names, left, rights = instances(d, seed)
            for label, right in rights.items():
                for relation in ("inclusion", "interiority"):
                    ours = timed(relation, left, right, names, True, arguments.limit)
                    base = ("not run", "") if arguments.no_baseline else \
                        timed(relation, left, right, names, False, arguments.limit)
                    print(f"| {d} | {seed} | {label} | {relation} | {ours[0]} ({ours[1]}) | "
                          f"{base[0]}{f' ({base[1]})' if base[1] else ''} |", flush=True)


if __name__ == "__main__":
    main()
