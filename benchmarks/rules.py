"""Decision-rule benchmarks (issue 15), with a float Monte Carlo of the same answer as baseline.

    python benchmarks/rules.py [--max-d 6] [--width 1e-6]

Target: exact satisficer and best-of-k choice probabilities at 6 outcomes under 5 s each.
Boltzmann: certified intervals under U[0,1], asking for width 10^-6 at T = 1 and T = 1/10;
the table shows the width reached (the quadrature rule is capped at 50 million nodes).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from random_agents import families  # noqa: E402

from decisiontrees.analyses.agents import Sampling  # noqa: E402
from decisiontrees.analyses.rules import rule_choice  # noqa: E402
from decisiontrees.model.laws import UNIFORM  # noqa: E402
from decisiontrees.model.rules import DecisionRule  # noqa: E402

RULES = [DecisionRule("satisficer", Fraction(1, 2)), DecisionRule("best_of", Fraction(2)),
         DecisionRule("best_of_distinct", Fraction(3)), DecisionRule("quantilizer", Fraction(1, 4))]


def _time(*arguments):
    """Seconds for ``rule_choice(*arguments)``, and its answer."""
    start = time.perf_counter()
    found = rule_choice(*arguments)
    return time.perf_counter() - start, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-d", type=int, default=6)
    parser.add_argument("--width", type=float, default=1e-6)
    parser.add_argument("--samples", type=int, default=1_000_000)
    arguments = parser.parse_args()
    print(f"# decision rules — {time.strftime('%Y-%m-%d')}, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    sizes = range(3, arguments.max_d + 1)
    print("## exact shares of the second child (seconds; Monte Carlo baseline with "
          f"{arguments.samples:,} samples in the same run)\n")
    print("| example | rule | " + " | ".join(f"d = {d}" for d in sizes) + " |")
    print("|---|---|" + "---|" * len(sizes))
    for rule in RULES:
        rows: dict[str, list[str]] = {}
        for d in sizes:
            for name, (names, children) in families(d).items():
                exact_time, exact = _time(children, names, rule, UNIFORM)
                mc_time, sampled = _time(children, names, rule, UNIFORM,
                                         Sampling(arguments.samples, 1))
                value = exact.chosen[1].value
                error = abs(float(value) - float(sampled.chosen[1].value))
                assert error <= 5 * sampled.chosen[1].half_width / 1.96 + 1e-9, (name, rule, d)
                rows.setdefault(name, []).append(
                    f"{exact_time:.2f} s (MC {mc_time:.2f} s)")
        for name, cells in rows.items():
            print(f"| {name} | {rule} | " + " | ".join(cells) + " |")
    print()
    width = Fraction(arguments.width).limit_denominator(10**12)
    for temperature in (Fraction(1), Fraction(1, 10)):
        print(f"## Boltzmann T = {temperature}, certified interval asking for width "
              f"{arguments.width:g}\n")
        print("| example | " + " | ".join(f"d = {d}" for d in sizes) + " |")
        print("|---|" + "---|" * len(sizes))
        rows = {}
        for d in sizes:
            for name, (names, children) in families(d).items():
                elapsed, found = _time(children, names, DecisionRule("boltzmann", temperature),
                                       UNIFORM, None, width)
                assert found.intervals is not None
                low, high = found.intervals[1]
                rows.setdefault(name, []).append(
                    f"{elapsed:.1f} s, width {float(high - low):.1e}")
        for name, cells in rows.items():
            print(f"| {name} | " + " | ".join(cells) + " |")
        print()

if __name__ == "__main__":
    main()
