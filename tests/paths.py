"""Where the project's files are, for tests (which may run against an installed wheel)."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def benchmark_relations() -> ModuleType:
    """benchmarks/relations.py, for its tree generators. Loading it raises the recursion
    limit for the benchmark's deep trees: restored, so the tests after are not affected."""
    spec = importlib.util.spec_from_file_location("bench_relations",
                                                  ROOT / "benchmarks" / "relations.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    limit = sys.getrecursionlimit()
    try:
        spec.loader.exec_module(bench)
    finally:
        sys.setrecursionlimit(limit)
    return bench
