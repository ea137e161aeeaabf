"""Where the project's files are, for tests (which may run against an installed wheel)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
