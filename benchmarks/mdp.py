"""MDP benchmarks (issue 16), each against a float baseline or as the issue's target.

    python benchmarks/mdp.py [--part power dominance region] [--states 6] [--samples 20000]

Parts (targets from the issue):
  power      exact Turner POWER at every state of a ring of ``--states`` states (actions
             `next`, `stay`, and at every third state `jump` to the opposite state with
             probability 1/2), against float value-iteration Monte Carlo in the same run;
             target: 10 states in 10 s
  dominance  dominates(line.s0, line.s1) on a 1,000-state chain (`next`, `stay`); target 10 s
  region     region(line.s0, line.s1, r) in a parametric discount on a 20-state chain;
             target 30 s
  solve      value(m.s0, r) on random mdps (3 actions, each to 2 random states) of 14 to
             400 states, far past the 20,000 policies that can be listed: exact policy
             iteration against float value iteration in the same run
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import decisiontrees as dt  # noqa: E402
from decisiontrees.analyses import mdp as analysis  # noqa: E402
from decisiontrees.analyses import occupancy  # noqa: E402


def ring(n: int, gamma: Fraction) -> str:
    lines = ["mdp ring {", f"    gamma = {gamma}", "    start = s0"]
    for i in range(n):
        actions = [f"next: s{(i + 1) % n}", f"stay: s{i}"]
        if i % 3 == 0 and n > 2:
            actions.append(f"jump: chance {{ 1/2: s{(i + n // 2) % n}, 1/2: s{i} }}")
        lines.append(f"    s{i}: choice {{ {', '.join(actions)} }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def monte_carlo(mdp, samples: int, seed: int) -> tuple[dict[str, float], float]:
    """Turner's POWER at every state by float value iteration on sampled rewards."""
    import numpy as np

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    index = {s: i for i, s in enumerate(mdp.states)}
    rewards = rng.random((samples, len(mdp.states)))
    values = np.zeros_like(rewards)
    g = float(mdp.gamma)
    for _ in range(int(np.log(1e-9) / np.log(g)) + 1):
        best = np.full_like(rewards, -np.inf)
        for s in mdp.states:
            for _, transition in mdp.actions[s]:
                expected = sum(float(p) * values[:, index[t]] for p, t in transition)
                best[:, index[s]] = np.maximum(best[:, index[s]], expected)
        values = rewards + g * best
    power = {s: float(((1 - g) / g * (values[:, index[s]] - rewards[:, index[s]])).mean())
             for s in mdp.states}
    return power, time.perf_counter() - started


def chain(n: int, gamma: str) -> str:
    lines = ["param g in (0, 1)", "mdp line {", f"    gamma = {gamma}", "    start = s0"]
    for i in range(n):
        following = f"s{i + 1}" if i + 1 < n else f"s{i}"
        lines.append(f"    s{i}: choice {{ next: {following}, stay: s{i} }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def random_mdp(n: int, seed: int) -> str:
    import random

    generator = random.Random(seed)
    lines = ["mdp big {", "    gamma = 9/10", "    start = s0"]
    for i in range(n):
        actions = []
        for a in range(3):
            first, second = generator.sample(range(n), 2)
            actions.append(f"a{a}: chance {{ 1/3: s{first}, 2/3: s{second} }}")
        lines.append(f"    s{i}: choice {{ {', '.join(actions)} }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def float_value_iteration(mdp, reward: dict[str, Fraction]) -> tuple[float, float]:
    """(1 − γ)V*(s0) by float value iteration to 1e-9, and its seconds."""
    import numpy as np

    started = time.perf_counter()
    index = {s: i for i, s in enumerate(mdp.states)}
    n, g = len(mdp.states), float(mdp.gamma)
    matrices = []
    for k in range(3):
        matrix = np.zeros((n, n))
        for s in mdp.states:
            for p, t in mdp.actions[s][k][1]:
                matrix[index[s], index[t]] += float(p)
        matrices.append(matrix)
    r = np.array([float(reward.get(s, 0)) for s in mdp.states])
    values = np.zeros(n)
    for _ in range(int(np.log(1e-9) / np.log(g)) + 1):
        values = r + g * np.max([m @ values for m in matrices], axis=0)
    return (1 - g) * values[0], time.perf_counter() - started


def solve_part() -> None:
    print("# value(big.s0, r) on random mdps, 3 actions per state, γ = 9/10")
    print("| states | exact policy iteration | rounds | float value iteration (1e-9) | "
          "difference |")
    print("|---:|---:|---:|---:|---:|")
    for n in (14, 50, 100, 200, 400):
        reward = {f"s{k}": Fraction(k % 7, 6) for k in range(n)}
        spec = dt.parse(random_mdp(n, seed=n))
        mdp = spec.mdps["big"]
        started = time.perf_counter()
        found = occupancy.optimal_policy(mdp, "s0", reward)
        exact = time.perf_counter() - started
        estimate, seconds = float_value_iteration(mdp, reward)
        print(f"| {n} | {exact:.2f} s | {found.rounds} | {seconds:.3f} s | "
              f"{abs(float(found.value) - estimate):.1e} |", flush=True)


def timed_statement(text: str) -> None:
    started = time.perf_counter()
    spec = dt.parse(text)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    (result,) = dt.run(spec, isolate=False)
    print(f"  load and build the trees {loaded:.2f} s, answer {time.perf_counter() - started:.2f} s: "
          f"{result.statement.text} = {result.answer.summary[:120]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", nargs="*", default=["power", "dominance", "region"])
    parser.add_argument("--states", type=int, default=6)
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    if "solve" in arguments.part:
        solve_part()
    if "dominance" in arguments.part:
        print("# dominance on a 1,000-state chain, γ = 9/10")
        timed_statement(chain(1000, "9/10") + "query dominates(line.s0, line.s1)\n")
    if "region" in arguments.part:
        print("# the γ-region of a comparison on a 20-state chain, γ = g in (0, 1)")
        timed_statement(chain(20, "g") + "query region(line.s0, line.s1, {s0: 1/2, s19: 1, *: 0})\n")
    if "power" not in arguments.part:
        return
    spec = dt.parse(ring(arguments.states, Fraction(9, 10)))
    mdp = spec.mdps["ring"]
    print(f"# {platform.python_implementation()} {platform.python_version()}, "
          f"{arguments.states} states, γ = 9/10")
    started = time.perf_counter()
    exact = {}
    for s in mdp.states:
        one = time.perf_counter()
        policies = len(analysis.policies(mdp, s))
        exact[s] = dt.mdp_power(mdp, s).power.value
        print(f"{s}: POWER = {float(exact[s]):.6f} exact ({policies} policies, "
              f"{time.perf_counter() - one:.2f} s)")
    total = time.perf_counter() - started
    print(f"exact POWER at every state: {total:.2f} s")
    started = time.perf_counter()
    parallel = dt.mdp_powers(mdp, workers=2, timeout=3600)
    assert all(parallel[s].power.value == exact[s] for s in mdp.states)
    print(f"the same with dt.mdp_powers(workers=2): {time.perf_counter() - started:.2f} s")
    estimate, seconds = monte_carlo(mdp, arguments.samples, arguments.seed)
    worst = max(abs(float(exact[s]) - estimate[s]) for s in mdp.states)
    print(f"float value-iteration Monte Carlo, {arguments.samples} samples: {seconds:.2f} s; "
          f"largest difference from exact {worst:.4f}")


if __name__ == "__main__":
    main()
