"""The README's tutorial is run as written and must print exactly what the README shows."""

from __future__ import annotations

import re

from paths import ROOT

from decisiontrees.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def block_after(marker: str) -> str:
    start = README.index(marker)
    match = re.compile(r"```[a-z]*\n(.*?)```", re.S).search(README, start)
    assert match is not None
    return match.group(1)


def console_output(command: str) -> str:
    """What the README shows after ``$ command``, up to the end of that console block."""
    start = README.index(f"$ {command}\n") + len(f"$ {command}\n")
    return README[start:README.index("```", start)]


def test_tutorial_output_is_what_the_readme_shows(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shutdown.dtree").write_text(block_after("Save this as `shutdown.dtree`"))
    code = main(["check", "shutdown.dtree"])
    assert capsys.readouterr().out == console_output("decisiontrees check shutdown.dtree")
    assert code == 0


def test_error_example_is_what_the_readme_shows(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.dtree").write_text(
        "outcomes off, o1\n\ntree run = choice { o1 }\ntree t = choice { of, run }\n")
    code = main(["check", "broken.dtree"])
    shown = console_output("decisiontrees check broken.dtree")
    assert capsys.readouterr().out.startswith(shown)
    assert code == 2


def test_python_example_in_readme_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shutdown.dtree").write_text(block_after("Save this as `shutdown.dtree`"))
    namespace: dict[str, object] = {}
    exec(block_after("From Python"), namespace)  # the README's own code, not user input


def test_code_blocks_in_the_language_reference_are_valid():
    """Every spec block of docs/language.md (but the include example) is a valid spec."""
    from decisiontrees import parse, run

    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```\n(.*?)```", text, re.S) if not b.startswith("include")]
    assert len(blocks) >= 6
    for block in blocks:
        results = run(parse(block, "block.dtree"))
        assert all(r.status in ("pass", "answer") for r in results), block


def test_comparing_trees_example_runs_and_verifies(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "power.dtree").write_text(block_after("Save this as `power.dtree`"))
    marker = README.index("decisiontrees check power.dtree --certificate")
    commands = README[marker:README.index("```", marker)].strip().splitlines()
    for line in commands:
        args = line.split("#")[0].split()[1:]
        assert main(args) == 0, line
    last = capsys.readouterr().out.strip().splitlines()[-3:]
    assert last[0].startswith("VERIFIED: 3 certificates, each bound to its claim"), last
    assert last[1] == "  checked against: power.dtree", last
    assert last[2].startswith("  not covered: 1 claim of other kinds"), last  # compare(…)


def test_python_api_examples_in_readme_give_the_values_shown():
    """Each line `expression   # value` of the README's API block evaluates to that value."""
    namespace: dict[str, object] = {}
    block = block_after("## Python API")
    checked = 0
    for line in block.splitlines():
        code, _, shown = line.partition("#")
        if not code.strip():
            continue
        if not shown.strip() or "=" in code.split("(")[0]:
            exec(code, namespace)  # the README's own code, not user input
            continue
        assert repr(eval(code, namespace)) == shown.strip(), line  # the README's own code
        checked += 1
    assert checked >= 5
