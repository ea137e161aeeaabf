"""P3/P4 at d = 8 … 12 outcomes (issue 14), with the search before pruning by reach
probabilities as the baseline, in the same run.

    python benchmarks/permuted.py [--sizes 8 10 12] [--limit 60] [--seeds 100] [--family graphs]

Instances: the left tree is a choice among three random 14-leaf trees over d outcomes;
"σ late" compares it with a permuted copy of its last child, "no σ" with an unrelated random
tree. Targets: d = 10 under 10 s and d = 12 under 60 s, both ways. ``--seeds`` draws other
instances (the random generator starts at seed + d; 100 is the first set measured).

``--leaves 40 --seeds 700 800 900 --baseline "no program"``: the held-out set (40-node trees),
against the engine without the integer program's turns; ``--seeds 1000 1100 … 3900 --sizes 10
12 --baseline "no facets"``: the thirty held-out pairs per size, against the engine without
the search by the left set's facets.

``--workers 2``: the integer program's HiGHS runs beside the search (by default it takes
turns with it on one core).

``--family graphs``: structured instances where every outcome is reached alike, so single
outcomes prune nothing: each tree is a choice among coin flips between the ends of a graph's
edges, and P3 is a subgraph embedding. "σ exists" takes the right graph as a relabelled
half of the left's edges, "no σ" as a 6-clique the left graph (half of all pairs) lacks, and
"same size" as another random graph with as many edges. ``--family hypergraphs``: the same
with coins over three outcomes (2/5 of all triples on the left; on the right a relabelled
half of them, or as many random triples). The baseline of both is the engine with single
outcomes pruning only (before pairs and moved lotteries were checked while maps are built).
"""

from __future__ import annotations

import argparse
import itertools
import math
import platform
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from relations import random_tree  # noqa: E402

from decisiontrees import limits  # noqa: E402
from decisiontrees.analyses import permutations, relations  # noqa: E402
from decisiontrees.errors import TimedOut  # noqa: E402
from decisiontrees.model.nodes import chance, choice, leaf  # noqa: E402


def instances(d: int, seed: int = 100, leaves: int = 14):
    rng = random.Random(seed + d)
    names = tuple(f"o{i}" for i in range(d))
    left = choice({f"c{i}": random_tree(leaves, rng, names) for i in range(3)})
    image = list(names)
    rng.shuffle(image)
    late = relations.relabel(left.children[2], dict(zip(names, image)))
    return names, left, {"σ late": late, "no σ": random_tree(leaves, rng, names)}


def graph_tree(edges, names):
    return choice({f"e{k}": chance([(Fraction(1, 2), leaf(names[i])), (Fraction(1, 2), leaf(names[j]))])
                   for k, (i, j) in enumerate(edges)})


def graph_instances(d: int, seed: int = 100):
    rng = random.Random(seed + d)
    names = tuple(f"o{i}" for i in range(d))
    pairs = list(itertools.combinations(range(d), 2))
    left = rng.sample(pairs, len(pairs) // 2)
    image = list(range(d))
    rng.shuffle(image)
    half = [(image[i], image[j]) for i, j in rng.sample(left, len(left) // 2)]
    cliques = [c for c in itertools.combinations(range(d), 6)
               if not set(itertools.combinations(c, 2)) <= set(left)]
    clique = list(itertools.combinations(rng.choice(cliques), 2)) if cliques else half
    rights = {"σ exists": half, "no σ": clique, "same size": rng.sample(pairs, len(left))}
    return names, graph_tree(left, names), {label: graph_tree(edges, names)
                                            for label, edges in rights.items()}


def hypergraph_instances(d: int, seed: int = 100):
    """Coins over three outcomes, one per triple of a random 3-uniform hypergraph."""
    rng = random.Random(seed + d)
    names = tuple(f"o{i}" for i in range(d))
    triples = list(itertools.combinations(range(d), 3))
    left = rng.sample(triples, 2 * len(triples) // 5)
    image = list(range(d))
    rng.shuffle(image)
    half = [tuple(image[i] for i in triple) for triple in rng.sample(left, len(left) // 2)]

    def tree(edges):
        return choice({f"e{k}": chance([(Fraction(1, 3), leaf(names[i])) for i in edge])
                       for k, edge in enumerate(edges)})

    rights = {"σ exists": half, "another": rng.sample(triples, len(left) // 2)}
    return names, tree(left), {label: tree(edges) for label, edges in rights.items()}


# the engines before a change, each as the setting (and the value) that turns it off
SETTINGS_OFF = {"no program": ("PROGRAM_AFTER", math.inf),  # before the integer program
                "outcomes": ("PAIR_PRUNING_FROM", math.inf),  # before pairs were bounded
                "no facets": ("FACET_SHARE", 0.0)}  # before the search by the left set's facets


def timed(relation, left, right, names, refine, limit):
    start = time.perf_counter()
    try:
        with limits.deadline(limit):
            if refine in SETTINGS_OFF:
                setting, off = SETTINGS_OFF[refine]
                kept = getattr(permutations, setting)
                setattr(permutations, setting, off)
                try:
                    verdict = permutations.permuted(relation, left, right, names)
                finally:
                    setattr(permutations, setting, kept)
            else:
                verdict = permutations.permuted(relation, left, right, names, refine=refine)
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
    parser.add_argument("--family", choices=["random", "graphs", "hypergraphs"], default="random")
    parser.add_argument("--leaves", type=int, default=14,
                        help="nodes of each random tree (the random family; 40 for the held-out set)")
    parser.add_argument("--workers", type=int, default=1,
                        help="2: the integer program's HiGHS runs beside the search")
    parser.add_argument("--baseline", choices=["default", "no program", "no facets"],
                        default="default",
                        help="\"no program\": the engine without the integer program's turns; "
                             "\"no facets\": without the search by the left set's facets")
    arguments = parser.parse_args()
    print(f"# P3/P4 — {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
          f"Python {platform.python_version()}\n")
    baseline = "no pruning" if arguments.family == "random" else "single outcomes only"
    if arguments.baseline != "default":
        baseline = {"no program": "without the integer program",
                    "no facets": "without the search by facets"}[arguments.baseline]
    print(f"| d | seed | instance | relation | pruned | baseline ({baseline}) |\n"
          "|---|---|---|---|---|---|")
    with limits.workers(arguments.workers):
        run(arguments)


def run(arguments: argparse.Namespace) -> None:
    for seed in arguments.seeds:
        for d in arguments.sizes:
            graphs = arguments.family != "random"
            if arguments.family == "random":
                names, left, rights = instances(d, seed, arguments.leaves)
            else:
                names, left, rights = {"graphs": graph_instances,
                                       "hypergraphs": hypergraph_instances}[arguments.family](d, seed)
            for label, right in rights.items():
                for relation in ("inclusion",) if graphs else ("inclusion", "interiority"):
                    ours = timed(relation, left, right, names, True, arguments.limit)
                    plain = "outcomes" if graphs else False
                    base = ("not run", "") if arguments.no_baseline else \
                        timed(relation, left, right, names,
                              plain if arguments.baseline == "default" else arguments.baseline,
                              arguments.limit)
                    print(f"| {d} | {seed} | {label} | {relation} | {ours[0]} ({ours[1]}) | "
                          f"{base[0]}{f' ({base[1]})' if base[1] else ''} |", flush=True)


if __name__ == "__main__":
    main()
