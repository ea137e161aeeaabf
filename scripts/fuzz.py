"""Fuzz the command line with files in every format it reads; count tracebacks, hangs and
memory blow-ups. The result and this command go in docs/reliability.md.

    .venv/bin/python scripts/fuzz.py [--count 10000] [--seed 0] [--jobs 2]

Each input runs `decisiontrees check FILE --timeout 5` in a forked child (the package is
imported once); a run that is still going after 10 s is a hang and is killed. The child's
peak resident memory comes from wait4. A traceback is exit code 3 or the word "Traceback" in
the output.
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from fuzzing import cases  # noqa: E402

from decisiontrees.cli import main  # noqa: E402

HANG_SECONDS = 10
MEMORY_LIMIT_KB = 4 * 2**20


def run_one(path: Path, output: Path) -> tuple[int | None, float, int, str]:
    """(exit code or None for a hang, seconds, peak KB, output)."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        with open(output, "w", encoding="utf-8") as sink:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            try:
                code = main(["check", str(path), "--timeout", "5"])
            except BaseException:  # noqa: BLE001 -- an escape from main is itself a finding
                import traceback

                traceback.print_exc()
                code = 99
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    code: int | None = None
    peak = 0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss
            break
        if time.monotonic() - started > HANG_SECONDS:
            os.kill(pid, signal.SIGKILL)
            _, _, usage = os.wait4(pid, 0)
            peak = usage.ru_maxrss
            break
        time.sleep(0.005)
    text = output.read_text(encoding="utf-8", errors="replace")
    return code, time.monotonic() - started, peak, text


def main_script() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    exits: collections.Counter[str] = collections.Counter()
    by_format: collections.Counter[str] = collections.Counter()
    findings: list[str] = []
    slowest = 0.0
    heaviest = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        for n, (fmt, name, data) in enumerate(cases(arguments.count, arguments.seed)):
            case = Path(folder) / f"{n}"
            case.mkdir()
            path = case / name
            path.write_bytes(data)
            code, seconds, peak, text = run_one(path, case / "out.txt")
            by_format[fmt] += 1
            exits["hang" if code is None else str(code)] += 1
            slowest, heaviest = max(slowest, seconds), max(heaviest, peak)
            if code is None or code not in (0, 1, 2) or "Traceback" in text or \
                    peak > MEMORY_LIMIT_KB:
                kept = Path(tempfile.gettempdir()) / f"fuzz-finding-{n}-{name}"
                kept.write_bytes(data)
                findings.append(f"{kept}: exit {code}, {seconds:.1f} s, {peak // 1024} MB: "
                                f"{text.strip().splitlines()[-1:] if text.strip() else ''}")
            if sys.stderr.isatty() and n % 50 == 0:
                print(f"\r{n}/{arguments.count}", end="", file=sys.stderr, flush=True)
    print(f"# {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"inputs: {sum(by_format.values())} ({dict(by_format)}), seed {arguments.seed}, "
          f"{time.monotonic() - started:.0f} s")
    print(f"exit codes: {dict(sorted(exits.items()))}")
    print(f"slowest run {slowest:.1f} s, largest peak memory {heaviest // 1024} MB")
    print(f"findings (traceback, hang over {HANG_SECONDS} s, over 4 GB): {len(findings)}")
    for finding in findings:
        print("  " + finding)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main_script())
