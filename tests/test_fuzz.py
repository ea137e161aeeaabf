"""Truncated and mutated example files never produce a traceback.

No wall-clock deadline: a timed unit test fails on a busy machine. The work is bounded
instead (a small per-statement timeout); speed is measured in benchmarks/."""

from __future__ import annotations

import pytest
from fuzzing import cases, write_case
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import EXAMPLES

from decisiontrees.api import check_file
from decisiontrees.checking.loader import parse

SOURCES = {p.name: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.dtree"))}
PIECES = ["{", "}", "(", ")", ",", ":", "=", "==", "/", "-", "*", "#", '"', "\n", " ", "0", "1/2",
          "1.5.", "choice", "chance", "uniform", "tree", "claim", "query", "not", "p", "a", "x y",
          "\xff", "\t", "include", "param", "in", "[", "]", "{}", "ö", "\x00"]

for _example in sorted(EXAMPLES.glob("*.dtree")):  # load z3 and sympy before the timed examples
    check_file(str(_example))


@st.composite
def mutated(draw) -> str:
    text = SOURCES[draw(st.sampled_from(sorted(SOURCES)))]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "delete", "insert", "duplicate"]))
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 40)))
        if kind == "truncate":
            text = text[:a]
        elif kind == "delete":
            text = text[:a] + text[b:]
        elif kind == "insert":
            text = text[:a] + draw(st.sampled_from(PIECES)) + text[a:]
        else:
            text = text[:b] + text[a:b] + text[b:]
    return text


@settings(deadline=None, max_examples=300)
@given(mutated())
def test_mutated_examples_give_results_or_diagnostics(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "m.dtree"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    report = check_file(str(path), timeout_seconds=2)
    for diagnostic in report.diagnostics:
        rendered = diagnostic.render()
        assert rendered.startswith(f"{path}:{diagnostic.span.line}:{diagnostic.span.column}: error: ")


@settings(deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join))
def test_random_token_soup_never_raises_anything_but_spec_errors(text):
    from decisiontrees import SpecError

    try:
        parse(text, "soup.dtree")
    except SpecError as error:
        assert error.diagnostics


@pytest.mark.parametrize("number", range(4))
def test_fuzzed_files_in_every_format_give_results_or_located_errors(tmp_path, number):
    """A bounded share of scripts/fuzz.py's run: 30 files per format (the script runs 10,000)."""
    for fmt, name, data in list(cases(120, seed=0))[number * 30:(number + 1) * 30]:
        path = write_case(tmp_path, name, data)
        report = check_file(str(path), timeout_seconds=2)  # an internal error would raise
        for diagnostic in report.diagnostics:
            assert diagnostic.render().startswith(f"{path}:") or \
                diagnostic.span.path.startswith(str(path)), (fmt, diagnostic)
