"""The command line, run in-process the way a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from paths import EXAMPLES, ROOT

from decisiontrees.cli import main
from decisiontrees.questions.registry import QUESTIONS

SCHEMA = json.loads((ROOT / "docs" / "check-output.schema.json").read_text())


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_example_passes(capsys):
    code, out, err = run_cli(capsys, "check", str(EXAMPLES))
    assert code == 0, out + err
    assert " 0 failed" in out.splitlines()[-1]
    assert "FAIL" not in out and "UNKNOWN" not in out


def test_shutdown_example_output_is_stable(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run_cli(capsys, "check", "examples/shutdown.dtree")
    assert code == 0
    expected = (ROOT / "tests" / "golden" / "shutdown.txt").read_text()
    assert out == expected


def test_the_schema_names_every_question_and_nothing_else():
    statement = SCHEMA["$defs"]["statement"]
    assert set(statement["properties"]["question"]["enum"]) == set(QUESTIONS) | {"search"}


def test_json_output_follows_the_schema(capsys):
    code, out, _ = run_cli(capsys, "check", "--json", str(EXAMPLES))
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == document["exit_code"] == 0
    statuses = {s["status"] for f in document["files"] for s in f["statements"]}
    assert statuses == {"pass", "answer"}


def test_a_failed_claim_exits_1_and_shows_its_evidence(capsys, write):
    folder = write({"f.dtree": "outcomes a, b\ntree t = choice { a, b }\n"
                                "claim value(t, {a: 1, b: 0}) == 1/2\n"
                                "claim contains(t, {a: 1/2, b: 1/2})\n"})
    code, out, _ = run_cli(capsys, "check", str(folder / "f.dtree"))
    assert code == 1
    assert "FAIL  claim value(t, {a: 1, b: 0}) == 1/2" in out
    assert "claimed == 1/2" in out
    assert "an optimal plan: a" in out
    assert "1 claims passed, 1 failed" in out


def test_invalid_input_exits_2_with_a_diagnostic_and_no_traceback(capsys, write):
    folder = write({"bad.dtree": "outcomes a\ntree t = choice { b }\n"})
    code, out, err = run_cli(capsys, "check", "--json", str(folder / "bad.dtree"))
    assert code == 2
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert document["files"][0]["diagnostics"][0]["line"] == 2
    code, out, err = run_cli(capsys, "check", str(folder / "bad.dtree"))
    assert code == 2
    assert "bad.dtree:2:19: error: unknown outcome or tree `b`" in out
    assert "Traceback" not in out + err


def test_invalid_files_do_not_hide_results_of_valid_ones(capsys, write):
    folder = write({"a.dtree": "outcomes a\nclaim strategies(a) == 1\n", "b.dtree": "outcomes\n"})
    code, out, _ = run_cli(capsys, "check", str(folder))
    assert code == 2
    assert "PASS  claim strategies(a) == 1" in out
    assert "b.dtree:1:9: error: unexpected end of file; expected a name" in out


def test_show_prints_an_outline(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run_cli(capsys, "show", "examples/shutdown.dtree", "shutdown")
    assert code == 0
    assert out == (
        "tree shutdown: choice\n  off: off\n  run: choice (tree run)\n    o1: o1\n    o2: o2\n    o3: o3\n"
    )


def test_show_marks_shared_subtrees(capsys, write):
    folder = write({"s.dtree": "outcomes a, b\ntree sub = choice { a, b }\n"
                               "tree t = uniform { sub, choice { x: sub, a } }\n"
                               "tree u = uniform { choice { b }, choice { y: choice { b } } }\n"})
    code, out, _ = run_cli(capsys, "show", str(folder / "s.dtree"), "t")
    assert code == 0
    assert "1/2: choice (tree sub)" in out and "x: sub (as above)" in out
    code, out, _ = run_cli(capsys, "show", str(folder / "s.dtree"), "u")
    assert "choice [shared #1]" in out and "y: choice (see #1)" in out


def test_show_unknown_tree_is_an_error(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, _, err = run_cli(capsys, "show", "examples/shutdown.dtree", "shutdwn")
    assert code == 2
    assert "did you mean `shutdown`?" in err


def test_fmt_check_and_rewrite(capsys, write):
    folder = write({"f.dtree": "outcomes a,b\ntree t=choice{a,b}\n"})
    path = str(folder / "f.dtree")
    assert run_cli(capsys, "fmt", "--check", path)[0] == 1
    assert run_cli(capsys, "fmt", path)[0] == 0
    assert Path(path).read_text() == "outcomes a, b\ntree t = choice { a, b }\n"
    assert run_cli(capsys, "fmt", "--check", path)[0] == 0


def test_fmt_refuses_a_file_with_a_syntax_error(capsys, write):
    folder = write({"f.dtree": "outcomes a,\ntree t = choice {a\n"})
    code, _, err = run_cli(capsys, "fmt", str(folder / "f.dtree"))
    assert code == 2
    assert "is never closed" in err


def test_examples_are_formatted(capsys):
    assert run_cli(capsys, "fmt", "--check", str(EXAMPLES)) == (0, "", "")


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"]])
def test_help(capsys, args):
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 0
    assert "decisiontrees" in capsys.readouterr().out


def test_the_installed_command_runs():
    result = subprocess.run([sys.executable, "-m", "decisiontrees", "check", str(EXAMPLES)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_very_deep_nesting_is_an_error_not_a_crash(capsys, write):
    depth = 30_000
    folder = write({"deep.dtree": "outcomes a\ntree t = " + "choice { x: " * depth + "a"
                    + " }" * depth + "\n"})
    for command in ("check", "fmt"):
        code, out, err = run_cli(capsys, command, str(folder / "deep.dtree"))
        assert code == 2, command
        assert "nested too deeply" in out + err
        assert "Traceback" not in out + err


@pytest.mark.parametrize("arguments, message", [
    (["check", "{spec}", "--certificate", "{missing}/c.json"], "cannot write"),
    (["check", "{spec}", "--certificate", "{folder}"], "cannot write"),
    (["export", "{spec}", "--json", "-o", "{missing}/s.json"], "cannot write"),
    (["render", "{spec}", "shutdown", "--to", "dot", "-o", "{missing}/s.dot"], "cannot write"),
    (["report", "{spec}", "-o", "{missing}/r.md"], "cannot write"),
])
def test_an_output_that_cannot_be_written_is_an_error_not_a_crash(tmp_path, capsys, arguments,
                                                                  message):
    spec = EXAMPLES / "shutdown.dtree"
    filled = [a.format(spec=spec, missing=tmp_path / "missing", folder=tmp_path)
              for a in arguments]
    assert main(filled) == 2
    assert f"error: {message}" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["folder", "missing/progress.json"])
def test_a_checkpoint_that_cannot_be_saved_is_refused_before_the_search(tmp_path, capsys, where):
    with pytest.raises(SystemExit) as stop:
        main(["search", str(EXAMPLES / "search.dtree"), "--checkpoint",
              str(tmp_path / where) if where != "folder" else str(tmp_path)])
    assert stop.value.code == 2 and "cannot save progress" in capsys.readouterr().err


@pytest.mark.parametrize("count", ["0", "-5", "1.5", "99999999999999999999"])
def test_render_refuses_sample_counts_past_the_documented_limit(capsys, count):
    with pytest.raises(SystemExit) as stop:
        main(["render", str(EXAMPLES / "mdp.dtree"), "--power", "--samples", count])
    assert stop.value.code == 2 and "from 1 to 100,000,000" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["show"], ["render", "--to", "dot"]])
def test_show_and_render_refuse_trees_too_large_to_draw(tmp_path, capsys, command):
    """A 3,000-step horizon unrolls to 18,000 nodes 6,000 levels deep: the outline alone ran
    to gigabytes at 10,000 steps."""
    path = tmp_path / "h.dtree"
    path.write_text("mdp m {\n gamma = 9/10\n horizon = 3000\n start = s0\n"
                    " s0: choice { a: s1, b: s0 }\n s1: choice { a: s0, b: s1 }\n}\n")
    assert main([command[0], str(path), "m.s0", *command[1:]]) == 2
    assert "m.s0 has 17,993 nodes and 5,999 levels to draw" in capsys.readouterr().err
