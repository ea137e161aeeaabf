"""Random-agent benchmarks (issue 4), with the per-sample loop users write today as baseline.

    python benchmarks/random_agents.py [--part exact orbits montecarlo] [--samples 1000000]

Parts (targets from the issue):
  exact       exact U[0,1] choice probabilities for docs/theory.md §8's examples at d = 3..8
              outcomes: under 5 s each for d <= 6
  orbits      convergence strength (orbit analysis) on the same families, d = 3..8
  montecarlo  10^6 samples on a 10^3-node tree: >= 2*10^8 node-samples/s on one core, and
              >= 100x a plain Python loop over samples (timed on fewer samples, same run)
  parametric  exact answers in a parameter p (chosen and POWER) at d = 3..6 on two families,
              with the former breakpoint search (every determinant expanded by sympy) as the
              baseline in the same run up to d = 4
  ten         exact U[0,1] chosen, prefers(t, o0) and POWER on random 40-node trees reaching
              all 10 outcomes with 40-50 distinct lotteries (issue 14: under 10 s), with one
              worker process and with two
  laws        choice probabilities and POWER under Beta(2, 2) against U[0,1] on the same
              random trees (issue 14: within 3x), d = 3..7, with the former integration
              (the same cubature rule simplex by simplex in Python integers) as the
              baseline in the same run up to d = 6
  cut         regions integrated over one ordering of their exchangeable outcomes against
              the whole regions (baseline, same run): `ten`'s trees serially, and Beta(2, 2)
              on `laws`' trees at d = 6, 7
  signed      Beta(2, 2) on `laws`' trees, d = 3..7, with each region's simplices from
              Lawrence's signed decomposition where predicted cheaper, against Normaliz's
              triangulation alone (baseline, same run), and U[0,1] for the ratio
  swept       exact answers in p on random 4-outcome trees with 4-33 lotteries: breakpoints
              by the sweep against trying every d + 1 rows of every region (baseline, same run)
  regions     where the d = 10 time goes on seed 1044 (the slowest tree of `ten`): each
              optimality region's facets, vertices, and Normaliz's volume by its own choice
              of algorithm, by descent in the face lattice and by signed decomposition,
              against the vertex enumeration alone
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decisiontrees.analyses.agents import Sampling, choice_probabilities  # noqa: E402
from decisiontrees.analyses.orbits import convergence  # noqa: E402
from decisiontrees.model.nodes import Chance, Choice, Leaf, chance, choice, leaf, postorder, uniform  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from relations import random_tree  # noqa: E402


def families(d: int) -> dict[str, tuple[tuple[str, ...], list]]:
    """docs/theory.md §8's examples with d outcomes: (outcomes, the children of one choice)."""
    rest = tuple(f"o{i}" for i in range(1, d))
    names = ("off", *rest)
    everything = choice({o: o for o in names})
    return {
        "1 shutdown": (names, [leaf("off"), choice({o: o for o in rest})]),
        "2 shutdown later": (names, [leaf("off"), everything]),
        "3 candy, nested": (names, [leaf("off"), _nested(rest)]),
        "4 absolute power": (names, [everything, uniform(list(names))]),
        "6 sure vs coin": (names, [leaf("off"), uniform(list(rest))]),
        "7 p chance, p = 1/2": (names, [leaf(rest[0]), chance(
            [(Fraction(1, 2), everything), (Fraction(1, 2), leaf("off"))])]),
    }


def _nested(outcomes: tuple[str, ...]):
    tree = leaf(outcomes[-1])
    for o in reversed(outcomes[:-1]):
        tree = choice({o: o, "wait": tree})
    return tree


def _table(title: str, sizes: range, cell) -> None:
    """A markdown table: one row per example, one column per d; ``cell`` times one case."""
    print(f"## {title}\n")
    print("| example | " + " | ".join(f"d = {d}" for d in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    rows: dict[str, list[str]] = {}
    for d in sizes:
        for name, (names, children) in families(d).items():
            start = time.perf_counter()
            shown = cell(names, children)
            rows.setdefault(name, []).append(f"{time.perf_counter() - start:.3f} s ({shown})")
    for name, cells in rows.items():
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()


def _probability(names, children) -> str:
    found = choice_probabilities(children, names)
    assert sum(p.value for p in found.chosen) == 1
    return str(found.chosen[1].value)


def _strength(names, children) -> str:
    return convergence(children[1], children[0], names).level or "unknown"


def _loop_value(node, u):
    """What a user writes today: recursive evaluation, one sample at a time."""
    if isinstance(node, Leaf):
        return u[node.outcome]
    if isinstance(node, Choice):
        return max(_loop_value(c, u) for c in node.children)
    assert isinstance(node, Chance)
    return sum(float(p) * _loop_value(c, u) for p, c in zip(node.probabilities, node.children))


def part_montecarlo(samples: int) -> None:
    rng = random.Random(4)
    outcomes = tuple(f"o{i}" for i in range(10))
    tree = random_tree(1000, rng, outcomes)
    children = list(tree.children) if isinstance(tree, Choice) else [tree, leaf("o0")]
    nodes = 1000  # as a tree; interning shares equal subtrees, so fewer are distinct
    distinct = len({id(n) for c in children for n in postorder(c)})
    start = time.perf_counter()
    choice_probabilities(children, outcomes, sampling=Sampling(samples, 1))
    ours = time.perf_counter() - start
    loop_samples = max(1, samples // 500)
    generator = random.Random(1)
    start = time.perf_counter()
    for _ in range(loop_samples):
        u = {o: generator.random() for o in outcomes}
        values = [_loop_value(c, u) for c in children]
        best = max(values)
        _ = [v == best for v in values]
    loop = (time.perf_counter() - start) / loop_samples * samples
    print("## Monte Carlo throughput\n")
    print(f"a {nodes}-node tree ({distinct} distinct nodes after sharing), {samples} samples, "
          "choice probabilities at its root")
    print(f"- vectorised: {ours:.2f} s, {nodes * samples / ours:.3g} node-samples/s "
          f"({distinct * samples / ours:.3g} counting distinct nodes only)")
    print(f"- per-sample Python loop ({loop_samples} samples timed, scaled): {loop:.1f} s, "
          f"{nodes * samples / loop:.3g} node-samples/s")
    print(f"- speed-up: {loop / ours:.0f}x\n")


def _law_cases(d: int, count: int = 3) -> list[tuple[tuple[str, ...], list, int]]:
    """Random 24-node trees over d outcomes that reach them all, with 6 to 14 lotteries."""
    from decisiontrees.analyses.agents import lottery_points, relevant_outcomes

    outcomes = tuple(f"o{i}" for i in range(d))
    rng = random.Random(100 + d)
    found = []
    while len(found) < count:
        tree = random_tree(24, rng, outcomes)
        if not isinstance(tree, Choice):
            continue
        order = relevant_outcomes(tree.children, outcomes)
        points = set().union(*(lottery_points(c, order) for c in tree.children))
        if len(order) == d and 6 <= len(points) <= 14:
            found.append((outcomes, list(tree.children), len(points)))
    return found


def _one_by_one(simplices, density, weight):
    """The former integration: the rule over each simplex alone, in Python integers."""
    from decisiontrees.analyses import cubature

    return sum((s.sign * cubature.cubature_integral(
        [[Fraction(x, q) for x in row] for row, q in zip(s.rows, s.denominators)], density,
        weight) for s in simplices), Fraction(0))


def part_laws(max_d: int) -> None:
    from decisiontrees.analyses import agents, integrals

    beta = (Fraction(0), Fraction(6), Fraction(-6))
    print("## Beta(2, 2) against U[0,1] on the same trees (chosen, then POWER)\n")
    print("| d | lotteries | U[0,1] | Beta(2, 2) | ratio | Beta(2, 2), simplex by simplex (before) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for d in range(3, max_d + 1):
        for names, children, lotteries in _law_cases(d):
            tree = choice({f"a{k}": c for k, c in enumerate(children)})
            times = []
            answers = []
            for density in (integrals.UNIFORM, beta):
                start = time.perf_counter()
                answers.append((agents.choice_probabilities_exact(children, names, density).chosen,
                                agents.power_exact(tree, names, density).power))
                times.append(time.perf_counter() - start)
            before = "–"
            if d <= 6:
                saved = integrals.cubature_total
                integrals.cubature_total = _one_by_one  # type: ignore
                try:
                    start = time.perf_counter()
                    again = (agents.choice_probabilities_exact(children, names, beta).chosen,
                             agents.power_exact(tree, names, beta).power)
                    before = f"{time.perf_counter() - start:.2f} s"
                finally:
                    integrals.cubature_total = saved
                assert again == answers[1]
            print(f"| {d} | {lotteries} | {times[0]:.3f} s | {times[1]:.3f} s | "
                  f"{times[1] / times[0]:.1f}x | {before} |", flush=True)
    print()


def part_ten(count: int = 4) -> None:
    import decisiontrees as dt
    from decisiontrees.analyses import agents
    from decisiontrees.model.laws import UNIFORM

    outcomes = tuple(f"o{i}" for i in range(10))
    density = UNIFORM.polynomial_density()
    print("## d = 10: exact U[0,1] answers on random 40-node trees, 1 and 2 workers; "
          "baseline: every region integrated (the sum check), 1 worker\n")
    print("| seed | lotteries | hull vertices | chosen, 1 / 2 workers | chosen, baseline "
          "| prefers(t, o0), 1 / 2 | prefers, baseline | POWER, 1 / 2 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for seed, tree, points in _ten_trees(count):
        sets = [agents.lottery_points(child, outcomes) for child in tree.children]
        union = sorted(frozenset().union(*sets))
        sure = tuple(Fraction(int(i == 0)) for i in range(10))
        baselines = {  # the path before lumping: every region, each point's mass summed
            "chosen": (union, lambda z, sets=sets: tuple(k for k, s in enumerate(sets)
                                                         if z in s)),
            "prefers": (sorted(points | {sure}), lambda z, p=points, s=sure: (z in p, z == s))}
        cells = []
        answers = []
        for name, call in (
                ("chosen", lambda w, t=tree: dt.choice_probabilities(t, outcomes=outcomes,
                                                                     workers=w)),
                ("prefers", lambda w, t=tree: dt.prefers(t, leaf("o0"), outcomes=outcomes,
                                                         workers=w)),
                ("power", lambda w, t=tree: dt.power(t, outcomes=outcomes, workers=w))):
            times = []
            for workers in (1, 2):
                start = time.perf_counter()
                answers.append(call(workers))
                times.append(time.perf_counter() - start)
            assert answers[-1] == answers[-2]
            cells.append(f"{times[0]:.2f} s / {times[1]:.2f} s")
            if name in baselines:
                chosen_points, group = baselines[name]
                start = time.perf_counter()
                every = agents._sums(agents.optimal_masses(chosen_points, density), group)
                cells.append(f"{time.perf_counter() - start:.2f} s")
                assert {k: v for k, v in every.items() if v} == {
                    k: v for k, v in agents.group_masses(chosen_points, density, group).items()
                    if v}
        hull = len(agents.hull_vertices(sorted(points)))
        print(f"| {seed} | {len(points)} | {hull} | " + " | ".join(cells) + " |", flush=True)
    print()


def _ten_trees(count: int = 4):
    """The trees of `ten`: seed, tree and lotteries of random 40-node trees reaching all 10
    outcomes with 40-50 distinct lotteries."""
    from decisiontrees.analyses import agents

    outcomes = tuple(f"o{i}" for i in range(10))
    found = 0
    for seed in range(2000):
        tree = random_tree(40, random.Random(seed), outcomes)
        if not isinstance(tree, Choice) or \
                len(agents.relevant_outcomes([tree], outcomes)) != len(outcomes):
            continue
        try:
            points = agents.lottery_points(tree, outcomes)
        except Exception:  # noqa: BLE001 -- too many lotteries: not this family
            continue
        if 40 <= len(points) <= 50:
            yield seed, tree, points
            found += 1
            if found == count:
                return


def _timed(call):
    start = time.perf_counter()
    answer = call()
    return answer, time.perf_counter() - start


def part_cut(max_d: int) -> None:
    """Each region integrated over one ordering of its exchangeable outcomes (times the
    orderings) against the whole region (baseline, same run, alternated)."""
    import decisiontrees as dt
    from decisiontrees.analyses import agents

    whole = lambda points, k: []  # noqa: E731 -- the baseline: no cut
    cut = agents.exchangeable_blocks
    outcomes = tuple(f"o{i}" for i in range(10))
    print("## d = 10, U[0,1], one worker: regions cut by exchangeable outcomes / whole\n")
    print("| seed | lotteries | chosen | prefers(t, o0) |")
    print("|---:|---:|---:|---:|")
    for seed, tree, points in _ten_trees():
        cells = []
        for call in (lambda t=tree: dt.choice_probabilities(t, outcomes=outcomes),
                     lambda t=tree: dt.prefers(t, leaf("o0"), outcomes=outcomes)):
            agents.exchangeable_blocks = cut
            found, fast = _timed(call)
            agents.exchangeable_blocks = whole
            again, slow = _timed(call)
            agents.exchangeable_blocks = cut
            assert found == again
            cells.append(f"{fast:.2f} s / {slow:.2f} s")
        print(f"| {seed} | {len(points)} | " + " | ".join(cells) + " |", flush=True)
    print()
    print("## Beta(2, 2) (chosen, then POWER): cut / whole, and U[0,1] (cut) for the ratio\n")
    print("| d | lotteries | U[0,1] | Beta(2, 2), cut | Beta(2, 2), whole | ratio (cut) |")
    print("|---:|---:|---:|---:|---:|---:|")
    _beta_rows(range(6, max_d + 1), lambda baseline: setattr(
        agents, "exchangeable_blocks", whole if baseline else cut))


def _beta_rows(sizes: range, baseline: Callable[[bool], None]) -> None:
    """For `laws`' trees: U[0,1], Beta(2, 2), Beta(2, 2) with ``baseline(True)`` in force
    (same answers asserted), and the ratio of the first two, as table rows."""

    from decisiontrees.analyses import agents, integrals

    beta = (Fraction(0), Fraction(6), Fraction(-6))
    for d in sizes:
        for names, children, lotteries in _law_cases(d):
            tree = choice({f"a{k}": c for k, c in enumerate(children)})

            def both(density, children=children, names=names, tree=tree):
                integrals.forget_decompositions()  # no decomposition kept between runs
                return (agents.choice_probabilities_exact(children, names, density).chosen,
                        agents.power_exact(tree, names, density).power)

            _, uniform_time = _timed(lambda: both(integrals.UNIFORM))
            found, fast = _timed(lambda: both(beta))
            baseline(True)
            again, slow = _timed(lambda: both(beta))
            baseline(False)
            assert found == again
            print(f"| {d} | {lotteries} | {uniform_time:.3f} s | {fast:.3f} s | {slow:.3f} s "
                  f"| {fast / uniform_time:.1f}x |", flush=True)
    print()


def part_signed(max_d: int) -> None:
    """Beta(2, 2) with the signed decomposition where predicted cheaper, against Normaliz's
    triangulation alone (baseline, same run); U[0,1] for the ratio."""
    from decisiontrees.analyses import agents, integrals

    chosen = integrals.FEW_SIMPLICES
    print("## Beta(2, 2) (chosen of every first action, then POWER): signed where cheaper / "
          "triangulation alone, and U[0,1]\n")
    print("| d | lotteries | U[0,1] | Beta(2, 2) | Beta(2, 2), triangulation alone | ratio |")
    print("|---:|---:|---:|---:|---:|---:|")
    names, children, _ = _law_cases(3)[0]  # numpy's import and the prime table, untimed
    agents.choice_probabilities_exact(children, names, (Fraction(0), Fraction(6), Fraction(-6)))
    _beta_rows(range(3, max_d + 1), lambda baseline: setattr(
        integrals, "FEW_SIMPLICES", 10**12 if baseline else chosen))


def part_regions(seed: int = 1044) -> None:
    from fractions import Fraction as F

    from decisiontrees.analyses import agents
    from decisiontrees.analyses.symmetry import Symmetries
    from decisiontrees.solvers import normaliz

    outcomes = tuple(f"o{i}" for i in range(10))
    tree = random_tree(40, random.Random(seed), outcomes)
    vertices = agents.hull_vertices(sorted(agents.lottery_points(tree, outcomes)))
    orbits = Symmetries(vertices).point_orbits()
    print(f"## d = 10, seed {seed}: Normaliz per optimality region ({len(vertices)} hull "
          f"vertices, {len(orbits)} regions up to symmetry)\n")
    print("| region | facets | vertices | Normaliz's choice | descent | signed decomposition "
          "| vertices only |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    totals = [0.0] * 4
    for number, orbit in enumerate(orbits):
        normals = agents._normals(vertices, orbit[0])
        times, volumes = [], set()
        for options in ((), ("Descent",), ("SignedDec",)):
            cone = normaliz._cone(normals, 10)
            start = time.perf_counter()
            cone.Compute("Volume", "BigInt", *options)
            times.append(time.perf_counter() - start)
            volumes.add(F(str(cone.Volume())))
        assert len(volumes) == 1
        cone = normaliz._cone(normals, 10)
        start = time.perf_counter()
        found = len(cone.VerticesOfPolyhedron())
        times.append(time.perf_counter() - start)
        facets = len(cone.SupportHyperplanes())
        totals = [a + b for a, b in zip(totals, times)]
        print(f"| {number} | {facets} | {found} | " + " | ".join(f"{t:.3f} s" for t in times)
              + " |", flush=True)
    print("| all | | | " + " | ".join(f"{t:.2f} s" for t in totals) + " |\n")


def _parametric_families(d: int) -> dict[str, str]:
    rest = [f"o{i}" for i in range(1, d)]
    everything = "choice { " + ", ".join(["off", *rest]) + " }"
    head = f"param p in (0, 1)\noutcomes off, {', '.join(rest)}\n"
    return {
        "p chance": head + f"tree t = choice {{ {rest[0]}, go: chance {{ p: {everything}, "
                           "1 - p: off } }\n",
        "shutdown with chance p": head + f"tree t = choice {{ {rest[0]}, go: chance {{ p: off, "
                                         f"1 - p: choice {{ {', '.join(rest)} }} }} }}\n",
    }


def _old_breakpoints(points, d, symbol, domain):
    """The breakpoint search before this session: each determinant expanded by sympy."""
    import itertools

    import sympy

    from decisiontrees.analyses import parametric_agents as pa

    found = set(pa.coincidence_points(points, domain))
    seen = set()
    for z in points:
        rows = pa._rows(z, points, d)
        for subset in itertools.combinations(rows, d + 1):
            if not any(getattr(x, "free_symbols", None) for a, b in subset for x in (*a, b)):
                continue
            determinant = sympy.cancel(sympy.Matrix([[*a, b] for a, b in subset])
                                       .det(method="berkowitz"))
            if determinant not in seen:
                seen.add(determinant)
                found |= pa.roots_in_domain(determinant, symbol, domain)
    return sorted(found, key=lambda r: sympy.N(r, 50))


def part_parametric(max_d: int) -> None:
    from decisiontrees.analyses import parametric_agents as pa
    from decisiontrees.checking.loader import parse
    from decisiontrees.questions.run import answer

    print("## exact answers in a parameter: chosen(t, go) and power(t), seconds each\n")
    print("| family | d | chosen | power | answer (chosen) | former search (chosen) |")
    print("|---|---:|---:|---:|---|---:|")
    for d in range(3, max_d + 1):
        for name, text in _parametric_families(d).items():
            spec = parse(text + "query chosen(t, go)\nquery power(t)\n")
            times, shown = [], ""
            for statement in spec.statements:
                start = time.perf_counter()
                found = answer(statement, spec)
                times.append(time.perf_counter() - start)
                shown = shown or found.summary
            before = "–"
            if d <= 4:
                saved = pa.breakpoints
                pa.breakpoints = _old_breakpoints  # type: ignore
                try:
                    start = time.perf_counter()
                    again = answer(spec.statements[0], spec)
                    before = f"{time.perf_counter() - start:.2f} s"
                finally:
                    pa.breakpoints = saved
                assert again.summary == shown
            print(f"| {name} | {d} | {times[0]:.2f} s | {times[1]:.2f} s | {shown} | {before} |",
                  flush=True)
    print()


def _random_parametric(rng: random.Random, outcomes: list[str], depth: int) -> str:
    """A random subtree whose chance nodes use p (seeded: the same trees in every run)."""
    r = rng.random()
    if depth == 0 or r < 0.3:
        return rng.choice(outcomes)
    if r < 0.65:
        return "choice { " + ", ".join(f"x{j}: {_random_parametric(rng, outcomes, depth - 1)}"
                                       for j in range(rng.randint(2, 3))) + " }"
    weights = rng.choice([("p", "1 - p"), ("1/2", "1/2"), ("p/2", "p/2", "1 - p"), ("1 - p", "p")])
    return "chance { " + ", ".join(f"{w}: {_random_parametric(rng, outcomes, depth - 1)}"
                                   for w in weights) + " }"


def part_swept(seeds: tuple[int, ...] = (1, 3, 8, 7, 10, 6)) -> None:
    """chosen(t, a1) and power(t) on random 4-outcome trees in p (2-4 first actions, depth
    3), breakpoints found by the sweep against trying every d + 1 rows (baseline, same run;
    skipped past 200,000 subsets, where it timed out at 60 s)."""
    from decisiontrees.analyses import parametric_agents as pa
    from decisiontrees.analyses.agents import lottery_points, relevant_outcomes
    from decisiontrees.checking.loader import parse
    from decisiontrees.questions.run import answer

    print("## exact answers in p on random 4-outcome trees: chosen(t, a1) + power(t), seconds\n")
    print("| seed | lotteries | row subsets | swept | every subset (baseline) | same answers |")
    print("|---:|---:|---:|---:|---:|---|")
    outcomes = ["o1", "o2", "o3", "o4"]
    kept = pa.EXHAUSTIVE_CANDIDATES
    for seed in seeds:
        rng = random.Random(seed)
        children = ", ".join(f"a{k}: {_random_parametric(rng, outcomes, 3)}"
                             for k in range(1, rng.randint(2, 4) + 1))
        spec = parse(f"param p in (0, 1)\noutcomes {', '.join(outcomes)}\n"
                     f"tree t = choice {{ {children} }}\nquery chosen(t, a1)\nquery power(t)\n")
        tree = spec.trees["t"]
        points = lottery_points(tree, relevant_outcomes([tree], outcomes))
        subsets = pa.candidate_count(sorted(points, key=str), 4)
        cells, answers = [], []
        for limit in (0, 10**12):
            if limit and subsets > 200_000:
                cells.append("–")
                continue
            pa.EXHAUSTIVE_CANDIDATES = limit
            start = time.perf_counter()
            answers.append([answer(statement, spec).summary for statement in spec.statements])
            cells.append(f"{time.perf_counter() - start:.2f} s")
        pa.EXHAUSTIVE_CANDIDATES = kept
        same = "yes" if len(answers) == 2 and answers[0] == answers[1] else \
            ("–" if len(answers) == 1 else "NO")
        print(f"| {seed} | {len(points)} | {subsets:,} | {cells[0]} | {cells[1]} | {same} |",
              flush=True)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", nargs="*", default=["exact", "orbits", "montecarlo"])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--max-d", type=int, default=8)
    arguments = parser.parse_args()
    print(f"# random agents — {time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}\n")
    sizes = range(3, arguments.max_d + 1)
    if "exact" in arguments.part:
        _table("exact U[0,1] choice probabilities", sizes, _probability)
    if "orbits" in arguments.part:
        _table("orbit analysis: convergence(second child, first child)", sizes, _strength)
    if "montecarlo" in arguments.part:
        part_montecarlo(arguments.samples)
    if "parametric" in arguments.part:
        part_parametric(min(arguments.max_d, 6))
    if "swept" in arguments.part:
        part_swept()
    if "ten" in arguments.part:
        part_ten()
    if "laws" in arguments.part:
        part_laws(min(arguments.max_d, 7))
    if "regions" in arguments.part:
        part_regions()
    if "cut" in arguments.part:
        part_cut(min(arguments.max_d, 7))
    if "signed" in arguments.part:
        part_signed(min(arguments.max_d, 7))


if __name__ == "__main__":
    main()
