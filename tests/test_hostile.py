"""Hostile inputs from the audit: each gets a located error (exit 2), a bounded answer, or an
honest refusal — never a traceback, never unbounded work, never injected spec text."""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from fractions import Fraction

import pytest
from paths import EXAMPLES

from decisiontrees import SpecError, load, parse, run
from decisiontrees.cli import main
from decisiontrees.language.syntax import LINE_BREAKS


def check(capsys, *arguments):
    """Run the CLI; its exit code and everything it printed (there is never a traceback)."""
    code = main(["check", *arguments])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def sd_file(tmp_path, edges=None, code="", rule="expected-value-maximization", version="0.5.2",
            payoff="0"):
    """A minimal SilverDecisions file: one decision between two terminals."""
    terminal = {"type": "terminal", "name": "end", "childEdges": []}
    document = {"SilverDecisions": version, "rule": rule, "data": {"code": code, "trees": [{
        "type": "decision", "name": "pick",
        "childEdges": edges if edges is not None else [
            {"name": "left", "payoff": payoff, "childNode": dict(terminal)},
            {"name": "right", "payoff": "1", "childNode": dict(terminal)}]}]}}
    path = tmp_path / "sd.json"
    path.write_text(json.dumps(document))
    return path


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("number", ["1" * 5000, "0." + "0" * 5000 + "1", "1e999999999", "2e1001"])
def test_numbers_too_large_to_be_exact_are_located_errors(capsys, write, number):
    folder = write({"n.dtree": f"outcomes a\nutility u = {{a: {number}}}\n"})
    code, out = check(capsys, str(folder / "n.dtree"))
    assert code == 2 and "n.dtree:2:17: error: number too large to be exact" in out


def test_computed_numbers_stay_bounded(capsys, write):
    huge = "*".join(["(10/3)"] * 5000)
    folder = write({"n.dtree": f"outcomes a\nutility u = {{a: {huge}}}\n"})
    code, out = check(capsys, str(folder / "n.dtree"))
    assert code == 2 and "too large to be exact here" in out


def test_exact_answers_of_thousands_of_digits_are_printed(capsys, write):
    """A chain 9,100 chance nodes deep has value 3^-9100 (4,342 digits)."""
    lines = ["outcomes a, b", "tree t0 = a"]
    lines += [f"tree t{k} = chance {{ 1/3: t{k - 1}, 2/3: b }}" for k in range(1, 9101)]
    folder = write({"deep.dtree": "\n".join(lines + ["query value(t9100, {a: 1, b: 0})\n"])})
    code, out = check(capsys, str(folder / "deep.dtree"))
    assert code == 0 and "≈ " in out and "10^-4342" in out
    code = main(["check", str(folder / "deep.dtree"), "--json"])
    document = json.loads(capsys.readouterr().out)
    value = document["files"][0]["statements"][0]["answer"]
    assert value == "1/" + str(3**9100)


def test_scientific_notation_is_exact(capsys, write):
    folder = write({"s.dtree": "outcomes a, b\ntree t = chance { 1.5e-1: a, 8.5e-1: b }\n"
                               "claim value(t, {a: 1e3, b: 0}) == 150\n"})
    assert check(capsys, str(folder / "s.dtree"))[0] == 0


# ---------------------------------------------------------------- line breaks and text


def test_a_form_feed_between_tokens_does_not_move_the_error(capsys, write):
    # Python counts it as a line break, the grammar as white space; inside a comment it is an
    # error (test_characters_shown_as_line_breaks_in_labels_and_comments_are_located_errors),
    # and so is a lone carriage return (test_a_lone_carriage_return_is_a_located_error)
    text = "outcomes a,\x0cb # a comment\nclass c = {a > zz}\n"
    folder = write({"l.dtree": text.encode("utf-8")})
    code, out = check(capsys, str(folder / "l.dtree"))
    assert code == 2 and "l.dtree:2:16: error: `zz` is not an outcome" in out
    assert "class c = {a > zz}" in out


def test_a_long_line_with_many_problems_gives_bounded_diagnostics(capsys, write):
    entries = ", ".join(["a: 1"] * 50_000)
    folder = write({"d.dtree": f"outcomes a\nutility u = {{{entries}}}\n"})
    code, out = check(capsys, str(folder / "d.dtree"))
    assert code == 2 and "more problems (the first 100 are shown)" in out
    assert len(out) < 100_000  # each diagnostic shows a window of the 300 KB line


def test_fmt_of_a_file_that_is_not_utf8_is_a_located_error(capsys, write):
    folder = write({"x.dtree": b"outcomes a\n\xff\n"})
    assert main(["fmt", str(folder / "x.dtree")]) == 2
    assert "x.dtree:2:1: error: not valid UTF-8" in capsys.readouterr().err


def test_a_flat_sum_of_100000_terms_is_evaluated(capsys, write):
    folder = write({"f.dtree": "outcomes a\nclaim value(a, {a: " + "+".join(["1"] * 100_000)
                               + "}) == 100000\n"})
    assert check(capsys, str(folder / "f.dtree"))[0] == 0


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_devices_and_fifos_are_refused_before_reading(capsys, write, target):
    folder = write({"s.dtree": "outcomes a\n"})
    if target == "fifo":
        target = str(folder / "pipe.dtree")
        os.mkfifo(target)
    code, out = check(capsys, target)
    assert code == 2 and "not a regular file" in out


@pytest.mark.parametrize("include, message", [
    ('"/dev/zero"', "include paths are relative"),
    ('"/etc/passwd"', "include paths are relative"),
    ('"../outside.dtree"', "outside the folder"),
    ('"notes.txt"', "only .dtree files"),
])
def test_includes_stay_inside_the_spec_folder(capsys, write, include, message):
    folder = write({"inner/main.dtree": f"include {include}\noutcomes a\n",
                    "outside.dtree": "outcomes b\n", "inner/notes.txt": "outcomes c\n"})
    code, out = check(capsys, str(folder / "inner" / "main.dtree"))
    assert code == 2 and message in out


def test_json_nested_too_deeply_is_a_located_error(capsys, write):
    folder = write({"deep.json": "[" * 100_000 + "]" * 100_000})
    code, out = check(capsys, str(folder / "deep.json"))
    assert code == 2 and "deep.json:1:1001: error: JSON nested more than 1000 levels" in out


@pytest.mark.parametrize("document, where", [
    ({"format": "decisiontrees-spec", "version": 1, "outcomes": 2}, "outcomes"),
    ({"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}],
      "trees": {"t": {"nodes": [{"chance": [{"probability": "1 } include \"/dev/zero\" #",
                                             "child": 1}]}, {"leaf": "a"}]}}}, "trees.t.nodes[0]"),
    ({"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}],
      "statements": ["query reachable(a) include \"/dev/zero\""]}, "statements[0]"),
    ({"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}],
      "classes": {"c": "{a > 0} claim reachable(a) == {a}"}}, "classes.c"),
    # a line break inside a number moved every later problem to the wrong line
    ({"format": "decisiontrees-spec", "version": 1,
      "outcomes": [{"name": "a", "features": {"r": "1\n\n\n"}}]}, "outcomes[0]"),
    ({"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}],
      "trees": {"t": {"nodes": [{"chance": [{"probability": "1\u2028", "child": 1}]},
                                {"leaf": "a"}]}}}, "trees.t.nodes[0]"),
])
def test_json_specs_with_wrong_types_or_smuggled_text_are_refused(capsys, write, document, where):
    folder = write({"s.json": json.dumps(document)})
    code, out = check(capsys, str(folder / "s.json"))
    assert code == 2 and f"invalid JSON spec: {where}" in out


def test_problems_in_a_json_specs_text_are_placed_in_the_json_file(capsys, write):
    document = {"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}, {"name": "b"}],
                "trees": {"t": {"nodes": [{"chance": [{"probability": "1/2", "child": 1},
                                                      {"probability": "1/3", "child": 2}]},
                                          {"leaf": "a"}, {"leaf": "b"}]}}}
    folder = write({"s.json": json.dumps(document, indent=1)})
    code, out = check(capsys, str(folder / "s.json"))
    assert code == 2 and "s.json:" in out and "trees.t.nodes[0]: probabilities sum to 5/6" in out
    assert "(as spec text)" not in out


# ---------------------------------------------------------------- other tools' files


@pytest.mark.parametrize("number", ["1e999999999", "1" * 5000])
def test_gambit_numbers_are_bounded(capsys, write, number):
    game = (f'EFG 2 R "g" {{ "P" }}\nc "" 1 "" {{ "a" {number} "b" 0 }} 0\n'
            't "" 1 "x" { 1 }\nt "" 2 "y" { 0 }\n')
    folder = write({"g.efg": game})
    code, out = check(capsys, str(folder / "g.efg"))
    assert code == 2 and "g.efg:2:" in out


def test_export_efg_of_a_parametric_tree_is_refused_with_the_reason(capsys):
    assert main(["export", str(EXAMPLES / "power_chance.dtree"), "grab", "--efg"]) == 2
    assert "has parameters" in capsys.readouterr().err


@pytest.mark.parametrize("edges, payoff, code, message", [
    (7, "0", "", "childEdges must be a list"),
    (None, 1e999, "", "is not a number"),
    (None, "10^10^10", "", "too large"),
    (None, "9^9^9", "", "too large"),
    (None, "exp(10^9)", "", "is not computed here"),
    (None, "x", "x = 2\n" + "x = x * x\n" * 40, "too large"),
    (None, "1e999999999", "", "too large"),
])
def test_silverdecisions_values_are_bounded(capsys, tmp_path, edges, payoff, code, message):
    path = sd_file(tmp_path, edges=edges, payoff=payoff, code=code)
    code_, out = check(capsys, str(path))
    assert code_ == 2 and message in out, out


def test_silverdecisions_nan_payoff_is_refused(capsys, tmp_path):
    path = tmp_path / "sd.json"
    path.write_text(sd_file(tmp_path).read_text().replace('"payoff": "0"', '"payoff": NaN'))
    code, out = check(capsys, str(path))
    assert code == 2 and "is not a number" in out


def test_silverdecisions_text_cannot_inject_spec_text(capsys, tmp_path):
    path = sd_file(tmp_path, rule='x\ninclude "/etc/passwd" #',
                   version='1\nclaim strategies(tree_1) == 99 #')
    spec = load(str(path))
    assert spec.statements == ()
    code, out = check(capsys, str(path))
    assert code == 0 and "passwd" not in out.replace("include \"/etc/passwd\" #", "")


def test_scipy_parameters_too_large_for_floats_are_refused(capsys, write):
    folder = write({"s.dtree": "outcomes a\ndistribution d = scipy(norm, 1" + "0" * 400 + ")\n"})
    code, out = check(capsys, str(folder / "s.dtree"))
    assert code == 2 and "too large for a float" in out


# ---------------------------------------------------------------- bounded work


def test_strategies_of_a_doubly_exponential_tree_are_answered_in_log_form():
    lines = ["outcomes a, b", "tree t0 = choice { a, b }"]
    lines += [f"tree t{i} = chance {{ 1/2: t{i - 1}, 1/2: t{i - 1} }}" for i in range(1, 61)]
    results = run(parse("\n".join(lines + ["query strategies(t60)", "query plans(t60)",
                                           "claim strategies(t60) > 1000", "query lotteries(t60)\n"])))
    assert [r.status for r in results] == ["answer", "answer", "pass", "refused"]
    assert results[0].answer.summary.startswith("≈ 10^(3.47e+17)")


def test_export_efg_does_not_unfold_without_bound(capsys, write):
    lines = ["outcomes a, b", "tree t0 = choice { a, b }"]
    lines += [f"tree t{i} = chance {{ 1/2: t{i - 1}, 1/2: t{i - 1} }}" for i in range(1, 61)]
    folder = write({"t.dtree": "\n".join(lines) + "\n"})
    assert main(["export", str(folder / "t.dtree"), "t60", "--efg"]) == 2
    assert "more than 1000000 nodes" in capsys.readouterr().err


def test_a_choice_over_many_outcomes_is_checked_in_linear_time(capsys, write):
    names = [f"o{k}" for k in range(30_000)]
    folder = write({"w.dtree": f"outcomes {', '.join(names)}\ntree t = choice {{ {', '.join(names)} }}\n"
                               "claim plans(t) == 30000\n"})
    assert check(capsys, str(folder / "w.dtree"))[0] == 0


def test_samples_are_capped(capsys, write):
    folder = write({"s.dtree": "outcomes a, b\ntree t = choice { a, b }\n"
                               "query power(t, samples = 1000000000000)\n"})
    code, out = check(capsys, str(folder / "s.dtree"))
    assert code == 2 and "at most 100,000,000 samples" in out


def test_orbits_refuse_many_outcomes_before_integrating(capsys, write):
    names = [f"o{k}" for k in range(20)]
    folder = write({"c.dtree": f"outcomes off, {', '.join(names)}\ntree t = choice {{ {', '.join(names)} }}\n"
                               "query convergence(t, off)\n"})
    code, out = check(capsys, str(folder / "c.dtree"), "--timeout", "20")
    assert code == 0 and ("REFUSED" in out or "UNKNOWN" in out or "= " in out)
    assert "timed out" not in out


def test_invalid_specs_with_latex_output_show_their_diagnostics(capsys, write):
    folder = write({"bad.dtree": "outcomes a\ntree t = choice { b }\n"})
    assert main(["check", str(folder / "bad.dtree"), "--latex"]) == 2
    assert "bad.dtree:2:19: error: unknown outcome or tree `b`" in capsys.readouterr().err


def test_a_spec_error_is_an_exception_of_the_api_too():
    with pytest.raises(SpecError):
        parse("outcomes a\nutility u = {a: " + "9" * 2000 + "}\n")


@pytest.mark.parametrize("query, column, message", [
    ("value(t, u, timeout = 1e1000)", 29, "`timeout` must be a number of seconds from 0.001"),
    ("chosen(t, a, rule = boltzmann(1e-1000))", 37, "temperature T must be between"),
    ("chosen(t, a, rule = boltzmann(1e13))", 37, "temperature T must be between"),
    ("chosen(t, a, power(1e1000))", 20, "parameters of power() must be between"),
    ("chosen(t, a, power(1/10000000))", 20, "parameters of power() must be between"),
    ("chosen(t, a, beta(1e1000, 1))", 20, "parameters of beta() must be between"),
])
def test_huge_and_tiny_settings_are_located_errors(capsys, write, query, column, message):
    """Each was an internal error (a float overflow, a factorial too large, a logarithm of 0)."""
    folder = write({"o.dtree": "outcomes a, b\ntree t = choice { a, b }\nutility u = {a: 1, b: 0}\n"
                               f"query {query}\n"})
    code, out = check(capsys, str(folder / "o.dtree"))
    assert code == 2 and f"o.dtree:4:{column}: error: " in out and message in out, out


def test_the_python_api_checks_a_laws_parameters_as_the_language_does():
    from decisiontrees import ArgumentError, choice, choice_probabilities, leaf
    from decisiontrees.model.laws import Distribution

    tree = choice({"a": leaf("a"), "x": choice({"b": leaf("b"), "c": leaf("c")})})
    with pytest.raises(ArgumentError, match="parameters of beta.. must be between"):
        choice_probabilities(tree, Distribution("beta", (Fraction(10**7), Fraction(1))))
    with pytest.raises(ArgumentError, match="must be positive"):
        choice_probabilities(tree, Distribution("power", (Fraction(-1),)))


def test_json_integers_of_millions_of_digits_are_refused_not_converted(capsys, write):
    """The CLI lifts Python's bound on converting long integers (to print long exact answers);
    a JSON file's integers keep a bound, so a 5-million-digit one is refused at once instead
    of being converted for minutes."""
    digits = "1" * 5_000_000
    folder = write({"s.json": '{"format": "decisiontrees-spec", "version": ' + digits + "}",
                    "c.json": '{"format": "decisiontrees-certificates", "version": ' + digits
                              + "}"})
    code, out = check(capsys, str(folder / "s.json"))
    assert code == 2 and "an integer of 5,000,000 digits (at most 4,300)" in out
    assert main(["verify", str(folder / "c.json")]) == 1
    printed = capsys.readouterr()
    assert "cannot read" in printed.out + printed.err and "Exceeds the limit" in printed.out + printed.err


def test_a_markdown_report_keeps_html_and_links_from_labels_as_text(write, capsys):
    folder = write({"e.dtree": "# <script>alert(1)</script> [l](javascript:alert(1)) a <= b\n"
                               'outcomes a, b\ntree t = choice { "<img src=x": a, b }\n'
                               "utility u = {a: 1, b: 0}\nquery optimal(t, u)\n"})
    assert main(["report", str(folder / "e.dtree"), "-o", str(folder / "e.md")]) == 0
    text = (folder / "e.md").read_text()
    # a tag needs a "<" that Markdown reads as one: none is left unescaped
    assert not re.search(r"(?<![\\&])<(script|img)", text) and "[l](javascript" not in text
    assert "&lt;script>" in text and "\\<img src=x" in text and "a <= b" in text


def test_parametric_arithmetic_that_keeps_growing_is_a_located_error(capsys, write):
    """A product of 150 factors (p + 1) took minutes to expand at load, outside any deadline."""
    product = "*".join(["(p + 1)"] * 150)
    folder = write({"g.dtree": f"param p in (0, 1)\noutcomes a, b\n"
                               f"tree t = chance {{ 1/2 + 0*({product}): a, 1/2: b }}\n"})
    code, out = check(capsys, str(folder / "g.dtree"))
    assert code == 2 and "g.dtree:3:" in out and "too large here (degree over 100" in out


def test_a_loads_solver_checks_share_one_budget(capsys, write, monkeypatch):
    """Each parametric probability's non-negativity check may take 10 s; a file of many
    took minutes before any statement's deadline applied."""
    from decisiontrees.checking import trees

    monkeypatch.setattr(trees, "LOAD_SOLVER_MS", 0)
    folder = write({"z.dtree": "param p in (0, 1)\noutcomes a, b\n"
                               "tree t = chance { p*p: a, 1 - p*p: b }\n"})
    code, out = check(capsys, str(folder / "z.dtree"))
    assert code == 2 and "a load may spend on such checks are used up" in out


@pytest.mark.parametrize("char", ["\x1b", "\r", "\x07", "\t", "\x9b", "\x00"])
def test_control_characters_in_quoted_labels_are_located_errors(capsys, write, char):
    """A label held raw escape codes: `check` and `show` sent them to the terminal (a file
    could fake its own output) and the SVG was not well-formed XML."""
    folder = write({"c.dtree": f'outcomes o1, o2\ntree t = choice {{ "ok{char}[2J": o1, o2 }}\n'})
    assert main(["check", str(folder / "c.dtree")]) == 2
    shown = capsys.readouterr().out
    assert f"c.dtree:2:22: error: control character U+{ord(char):04X} in a quoted label" in shown
    assert char not in shown


def test_labels_made_through_the_api_are_drawn_without_control_characters():
    """The API refuses such labels (next test); the drawings escape them all the same."""
    from decisiontrees.model.nodes import leaf, make_choice
    from decisiontrees.render.dot import to_dot
    from decisiontrees.render.tikz import to_tikz

    tree = make_choice(("a\x1b[2Jb", "c\x07"), (leaf("o1"), leaf("o2")))
    for text in (to_dot(tree, "t"), to_tikz(tree)):
        assert not any(ord(c) < 32 and c != "\n" for c in text), text


BIDI = ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
        "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("char", BIDI)
def test_bidirectional_controls_in_labels_and_comments_are_located_errors(capsys, write, char):
    """A right-to-left override in a label or a comment reorders the rest of the line as it
    is displayed ("Trojan Source"): `# x ‮ }` can show a line that parses otherwise."""
    folder = write({"b.dtree": f'outcomes o1, o2\ntree t = choice {{ "ok{char}x": o1, o2 }}\n',
                    "c.dtree": f'outcomes o1, o2 # see {char} below\ntree t = choice {{ o1 }}\n'})
    assert main(["check", str(folder / "b.dtree")]) == 2
    shown = capsys.readouterr().out
    assert (f"b.dtree:2:22: error: bidirectional control U+{ord(char):04X} in a quoted label"
            in shown), shown
    assert "reorders how the rest of the line is displayed" in shown and char not in shown
    assert main(["check", str(folder / "c.dtree")]) == 2
    shown = capsys.readouterr().out
    assert f"c.dtree:1:23: error: bidirectional control U+{ord(char):04X}" in shown, shown
    assert char not in shown


@pytest.mark.parametrize("char", sorted(LINE_BREAKS))
def test_characters_shown_as_line_breaks_in_labels_and_comments_are_located_errors(
        capsys, write, char, tmp_path):
    """Review: `claim value(t, u) == 1  # fine<U+2028>claim value(t, u) == 0` passed, and an
    editor shows the second claim on a line of its own though it is comment text; a label
    could hold one too, and the Gambit and JSON importers passed them through."""
    folder = write({
        "c.dtree": f"outcomes a, b\ntree t = choice {{ a, b }}\nutility u = {{a: 1, *: 0}}\n"
                   f"claim value(t, u) == 1  # fine{char}claim value(t, u) == 0\n",
        "b.dtree": f'outcomes a, b\ntree t = choice {{ "x{char}y": a, b }}\n'})
    assert main(["check", str(folder / "c.dtree")]) == 2
    shown = capsys.readouterr().out
    assert "c.dtree:4:31: error: " in shown and f"U+{ord(char):04X}" in shown, shown
    assert "line break" in shown and char not in shown
    assert main(["check", str(folder / "b.dtree")]) == 2
    shown = capsys.readouterr().out
    assert "b.dtree:2:21: error: " in shown and f"U+{ord(char):04X} in a quoted label" in \
        shown and "line break" in shown, shown
    path = tmp_path / "g.efg"
    path.write_text(f'EFG 2 R "t" {{ "P" }}\n""\np "" 1 1 "" {{ "x{char}claim" "c" }} 0\n'
                    't "" 1 "" { 1 }\nt "" 2 "" { 0 }\n', encoding="utf-8")
    assert load(path).trees["t"].actions == ("x claim", "c")
    from decisiontrees.evidence import verify

    assert verify.shown(f"a{char}b") == "a?b"


def test_the_grammar_refuses_in_labels_and_comments_exactly_what_the_api_refuses():
    """The grammar's STRING and COMMENT spell out the characters language.syntax refuses:
    the two lists cannot drift apart."""
    from decisiontrees.language.parser import parser
    from decisiontrees.language.syntax import LINE_BREAKS, unprintable

    patterns = {t.name: re.compile(t.pattern.value) for t in parser().terminals
                if t.name in ("STRING", "COMMENT")}
    for code in range(0x3000):
        char = chr(code)
        if char in '"\n\r':  # a comment ends at either line break
            continue
        admitted = patterns["STRING"].fullmatch(f'"{char}"') is not None
        assert admitted == (not unprintable(char)), hex(code)
        in_comment = patterns["COMMENT"].fullmatch(f"#{char}") is not None
        assert in_comment == (char not in LINE_BREAKS and (
            not unprintable(char) or unicodedata.category(char) == "Cc")), \
            hex(code)  # a comment runs to the line's end: it may hold other controls


@pytest.mark.parametrize("char", ["\x1b", "\u202e", "\u2067"])
def test_the_api_refuses_labels_the_language_refuses(char):
    from decisiontrees.model.nodes import choice

    with pytest.raises(ValueError, match="bidirectional controls"):
        choice({f"a{char}b": "o1"})


def test_imported_labels_and_certificate_text_lose_their_bidirectional_controls(tmp_path):
    from decisiontrees.evidence import verify
    from decisiontrees.language.syntax import BIDI_CONTROLS

    assert verify._BIDI_CONTROLS == BIDI_CONTROLS  # the checker's own copy of the set
    assert verify.shown("name\u202e}\u2066x") == "name?}?x"
    path = tmp_path / "g.efg"
    path.write_text('EFG 2 R "t" { "P" }\n"note \u202e here"\n'
                    'p "" 1 1 "" { "up\u202e" "b" } 0\nt "" 1 "x" { 1 }\nt "" 2 "y" { 2 }\n',
                    encoding="utf-8")
    assert load(path).trees["t"].actions == ("up ", "b")
    from decisiontrees.formats.gambit import efg_to_spec_text

    text = efg_to_spec_text(path.read_text(encoding="utf-8"), str(path))
    assert not BIDI_CONTROLS & set(text)
    spec = tmp_path / "s.dtree"
    spec.write_text('outcomes x, y\ntree t = choice { up: x, b: y }\n')
    json_path = tmp_path / "s.json"
    assert main(["export", str(spec), "--json", "-o", str(json_path)]) == 0
    document = json_path.read_text(encoding="utf-8")
    assert document.count('"up"') == 1
    json_path.write_text(document.replace('"up"', '"up\u202e"'), encoding="utf-8")
    with pytest.raises(SpecError, match="bidirectional controls"):
        load(json_path)


def test_a_label_with_backticks_stays_inside_its_code_span(write):
    """A label holding two backticks closed the two-backtick fence of its statement's code
    span, and the HTML after it was rendered (an independent review, with cmark-gfm)."""
    import re

    folder = write({"b.dtree": 'outcomes o1, o2\nquery value(choice { "x``<img src=x '
                               'onerror=alert(1) ``y": o1, o2 }, {o1: 1, *: 0})\n'})
    assert main(["report", str(folder / "b.dtree"), "-o", str(folder / "b.md")]) == 0
    (row,) = [line for line in (folder / "b.md").read_text().splitlines() if "onerror" in line]
    # CommonMark: a span opened by n backticks closes at the next run of exactly n
    opening = re.search(r"`+", row)
    assert opening is not None
    closing = re.compile(rf"(?<!`)`{{{len(opening.group())}}}(?!`)")
    end = closing.search(row, opening.end())
    assert end is not None and end.start() > row.index("onerror"), row


def test_a_label_holding_the_plan_separator_is_refused(capsys, write):
    """Plans are written `a > b`: with a label "a > b" two different plans read alike, and
    `optimal(t, u) == optimal(t, w)` passed between sets of two plans and one (an
    independent review)."""
    folder = write({"p.dtree": 'outcomes o1, o2, o3\n'
                               'tree t = choice { "a > b": o1, a: choice { b: o2, c: o3 } }\n'
                               "utility u = {o1: 1, o2: 1, o3: 0}\n"
                               "utility w = {o1: 0, o2: 1, o3: 0}\n"
                               "claim optimal(t, u) == optimal(t, w)\n",
                    "m.dtree": 'mdp m { gamma = 1/2 start = s s: choice { "x>y": s, z: s } }\n'})
    assert main(["check", str(folder / "p.dtree")]) == 2
    out = capsys.readouterr().out
    assert "p.dtree:2:19: error: the action `a > b` holds `>`" in out
    assert main(["check", str(folder / "m.dtree")]) == 2
    assert "the action `x>y` holds `>`" in capsys.readouterr().out
    from decisiontrees.formats.common import label
    assert label("a > b") == "a › b"  # what an importer makes of such a label


def test_json_specs_with_repeated_keys_or_lone_surrogates_are_located_errors(capsys, write):
    """A repeated "statements" key dropped the first list and its claim without a word; a
    lone surrogate in a statement ended in an internal error (an independent review)."""
    head = ('{"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}, '
            '{"name": "b"}],\n')
    repeated = head + ('"statements": ["claim strategies(a) == 2"],\n'
                       '"statements": ["claim strategies(a) == 1"]}\n')
    surrogate = head + '"statements": ["query plans(a) # \\ud800"]}\n'
    folder = write({"r.json": repeated, "s.json": surrogate})
    assert main(["check", str(folder / "r.json")]) == 2
    assert 'r.json:3:1: error: the key "statements" appears twice in one object' in \
        capsys.readouterr().out
    assert main(["import", str(folder / "s.json")]) == 2
    assert "s.json:2:34: error: a string holds half of a UTF-16 surrogate pair" in \
        capsys.readouterr().err


def test_a_chain_of_thousands_of_named_trees_loads(write, capsys):
    """Each name went one level deeper in the builder, so 3,330 chained trees were 'nested
    too deeply' — with the hint to split deep trees into named parts, which they were."""
    count = 6000
    lines = ["outcomes a, b"] + [f"tree t{k} = choice {{ x: t{k + 1}, y: b }}"
                                 for k in range(count)]
    lines += [f"tree t{count} = a", "utility u = {a: 1, b: 0}", "claim value(t0, u) == 1"]
    folder = write({"c.dtree": "\n".join(lines) + "\n"})
    assert main(["check", str(folder / "c.dtree")]) == 0


@pytest.mark.parametrize("bad, message", [
    (0.6, "the float 0.6; give an exact number, e.g. Fraction('0.6')"),
    (float("inf"), "the float inf; give an exact number"),
    ("1e999999", "not an exact number of at most 1000 digits"),
    (10**5000, "too large to be exact here"),
    (True, "True, not a number"),
], ids=["float", "inf", "huge-text", "huge-int", "bool"])
def test_the_api_takes_exact_numbers_only(bad, message):
    """A float utility 0.6 meant 5404319552844595/9007199254740992 where the same spec text
    means 3/5, and inf or a 5,000-digit integer raised raw errors (an independent review)."""
    import decisiontrees as dt

    tree = dt.choice({"a": "off", "b": "o1"})
    assert dt.value(tree, {"off": "0.6", "o1": 0}) == Fraction(3, 5)
    with pytest.raises(dt.ArgumentError) as refused:
        dt.value(tree, {"off": bad, "o1": 0})
    assert message in str(refused.value)


def test_labels_are_not_empty_and_the_api_refuses_the_plan_separator(capsys, write):
    """An empty label made a plan print as "(no choices)"; `choice()` in the API took `>`;
    `"version": true` passed for 1 (an independent review)."""
    import json as json_module

    import decisiontrees as dt

    folder = write({"e.dtree": 'outcomes a, b\ntree t = choice { "": a, b }\n',
                    "v.json": json_module.dumps({"format": "decisiontrees-spec", "version": True,
                                                 "outcomes": [{"name": "a"}]})})
    assert main(["check", str(folder / "e.dtree")]) == 2
    assert "e.dtree:2:19: error: an empty label" in capsys.readouterr().out
    assert main(["check", str(folder / "v.json")]) == 2
    for bad in ("a > b", ""):
        with pytest.raises(ValueError, match="separates the steps of a plan"):
            dt.choice({bad: "a", "b": "b"})


def test_a_markdown_statement_keeps_its_backslashes(write):
    folder = write({"m.dtree": 'outcomes a, b\nquery value(choice { "x\\\\y": a, b }, '
                               '{a: 1, *: 0})\n'})
    assert main(["report", str(folder / "m.dtree"), "-o", str(folder / "m.md")]) == 0
    row = [line for line in (folder / "m.md").read_text().splitlines() if "query value" in line]
    assert row and '"x\\\\y"' in row[0] and '"x\\\\\\\\y"' not in row[0]


def test_a_lone_carriage_return_is_a_located_error(capsys, write):
    """With classic Mac line ends (CR alone) a comment ran to the end of the file: a false
    claim after it vanished and check passed (review). CRLF files still read."""
    folder = write({"mac.dtree": "outcomes a, b\rtree t = choice { a, b }   # the tree\r"
                                 "claim strategies(t) == 99\r",
                    "dos.dtree": "outcomes a, b\r\ntree t = choice { a, b }   # the tree\r\n"
                                 "claim strategies(t) == 99\r\n"})
    assert main(["check", str(folder / "mac.dtree")]) == 2
    shown = capsys.readouterr().out
    assert "mac.dtree:1:14: error: a carriage return without a line feed" in shown, shown
    assert main(["check", str(folder / "dos.dtree")]) == 1  # the claim is read, and fails
    assert "1 failed" in capsys.readouterr().out


def test_a_lone_carriage_return_after_a_number_is_not_a_bad_number(capsys, write):
    """`b: 0.5\r}` was reported as the bad number `0.5`, and `section 6.\r` in a comment as
    the bad number `6.` (review)."""
    folder = write({"n.dtree": "outcomes a, b\ntree t = chance { 0.5: a, 0.5: b }\n"
                               "utility u = { a: 1, b: 0.5\r}\n",
                    "m.dtree": "# section 6.\routcomes a, b\r"})
    assert main(["check", str(folder / "n.dtree")]) == 2
    assert "n.dtree:3:27: error: a carriage return without a line feed" in \
        capsys.readouterr().out
    assert main(["check", str(folder / "m.dtree")]) == 2
    assert "m.dtree:1:13: error: a carriage return without a line feed" in \
        capsys.readouterr().out


@pytest.mark.parametrize("header", [
    "``<img src=x onerror=alert(1)>`",  # the span regex began inside a run of two
    "a ` b\n# `<img src=x>` c",  # a reader pairs backticks over the whole paragraph
    "a \\`<img src=x>` b",  # a backslash escapes the first backtick
    "see [the paper][p].\n#\n# [p]: https://evil.example/",  # a reference link
    "`[click](https://evil.example)` and `![x](https://evil.example/t.png)`",  # Markdown is
    "`` a`b `` then `` c`d ``",  # read inside raw <code> too: links, images, backticks
    "`a\\` x",  # a backslash before </code>
])
def test_a_markdown_header_lets_no_tag_or_link_out_however_its_backticks_pair(write, header):
    folder = write({"e.dtree": f"# {header}\noutcomes a, b\ntree t = choice {{ a, b }}\n"})
    assert main(["report", str(folder / "e.dtree"), "--no-times", "-o",
                 str(folder / "e.md")]) == 0
    text = (folder / "e.md").read_text()
    header_lines = text.split("## ", 1)[1].split("**", 1)[0]
    outside_code = re.sub(r"<code>[^<]*</code>", "", header_lines)
    assert not re.search(r"<(?!code>|/code>)[A-Za-z/!?]", outside_code)
    assert "`" not in outside_code and "[" not in outside_code  # nothing can open a span/link
    for code in re.findall(r"<code>([^<]*)</code>", header_lines):
        assert not re.search(r"[^\w\s&#;]", code)  # all punctuation as references


def test_a_markdown_header_stays_one_paragraph_of_text(write):
    """Review: a header could forge the report's own structure — a heading, and a table in
    which the file's claim FAILs, above the real result. Each line now starts as text and
    no `|` is left for a table."""
    forged = ["| line | statement | verdict |", "|---|---|---|", "| 7 | `claim x` | FAIL |",
              "# evil.dtree", "- # heading in a list", "1. > quote in a list", "2) - | a |",
              "---", "***", "_ _ _", "===", "-", "~~~", "> quote", "  ## indented",
              "- a list item stays one", "*kept emphasis*"]
    folder = write({"e.dtree": "".join(f"# {line}\n" for line in forged)
                    + "outcomes a, b\ntree t = choice { a, b }\n"})
    assert main(["report", str(folder / "e.dtree"), "--no-times", "-o",
                 str(folder / "e.md")]) == 0
    text = (folder / "e.md").read_text()
    header = text.split("\n## ", 1)[1].split("\n\n")[1].splitlines()
    assert len(header) == len(forged), header
    for line in header:
        rest = re.sub(r"^\s*(([-+*]|\d+[.)])\s+)*", "", line)  # list items may stay
        assert "|" not in line and rest and not re.match(
            r"([#>~|]|([-*_])(\s*\2){2,}\s*$|[=-]+\s*$)", rest), line
    assert header[-2:] == ["- a list item stays one", "*kept emphasis*"]


def test_a_markdown_heading_shows_a_file_name_as_text(tmp_path):
    folder = tmp_path / "<img src=x onerror=alert(2)>"
    folder.mkdir()
    (folder / "e.dtree").write_text("outcomes a\ntree t = choice { a }\n")
    assert main(["report", str(folder / "e.dtree"), "--no-times", "-o",
                 str(tmp_path / "e.md")]) == 0
    heading = next(line for line in (tmp_path / "e.md").read_text().splitlines()
                   if line.startswith("## "))
    assert not re.search(r"(?<!\\)<img", heading) and "\\<img src=x onerror=alert(2)>" in heading


def test_graphviz_draws_entities_in_labels_as_written(tmp_path):
    """Graphviz reads ``&…;`` in a label as an entity: ``x&lt;y`` was drawn as ``x<y`` and
    ``&#x202E;`` as a bidi control the language refuses."""
    from decisiontrees.render.dot import svg, to_dot

    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    tree = parse('outcomes a, b, c\n'
                 'tree t = choice { "stop&#x202E;og": a, "x<y": b, "x&lt;y": c }\n').trees["t"]
    drawn = svg(to_dot(tree, "t"))
    assert drawn is not None and "\u202e" not in drawn
    assert "stop&amp;#x202E;og" in drawn and "x&lt;y" in drawn and "x&amp;lt;y" in drawn


def test_a_label_longer_than_graphviz_reads_is_refused_by_render(write, capsys):
    folder = write({"l.dtree": f'outcomes a, b\ntree t = choice {{ "{"x" * 17_000}": a, b }}\n'})
    assert main(["render", str(folder / "l.dtree"), "-o", str(folder / "l.svg")]) == 2
    err = capsys.readouterr().err
    assert "a label of 17,000 characters is longer than Graphviz can read" in err
    assert "Traceback" not in err


def test_work_that_runs_out_of_time_outside_check_is_unknown_not_invalid(capsys):
    """Review: `render --power --timeout 0.001` exited 2, the code for invalid input."""
    path = str(EXAMPLES / "mdp.dtree")
    name = next(line.split()[1] for line in open(path, encoding="utf-8")
                if line.startswith("mdp "))
    assert main(["render", path, name, "--power", "--timeout", "0.001", "--to", "dot"]) == 1
    assert "unknown: timed out after 0.001 s" in capsys.readouterr().err


def test_fmt_of_a_folder_without_spec_files_is_an_error(capsys, tmp_path):
    """Review: `fmt --check` on the wrong folder passed silently (a CI step that checks
    nothing); `check` on it was already an error."""
    assert main(["fmt", "--check", str(tmp_path)]) == 2
    assert "no .dtree files found" in capsys.readouterr().err


def test_a_long_cycle_of_named_trees_is_reported_as_a_cycle(capsys, tmp_path):
    """Review: a cycle through 20,001 trees was reported as trees nested too deeply, with a
    hint to do what the file already did; the cycle is found before any tree is built."""
    count = 20_000
    lines = ["outcomes o1, o2", *(f"tree t{i} = choice {{ a: t{i + 1}, b: o2 }}"
                                  for i in range(count)), f"tree t{count} = choice {{ a: t0 }}"]
    path = tmp_path / "cycle.dtree"
    path.write_text("\n".join(lines) + "\n")
    assert main(["check", str(path)]) == 2
    shown = capsys.readouterr().out
    assert f"cycle.dtree:{count + 2}:27: error: reference cycle: t0 → t1 → t2 → t3 → t4 → " \
           f"… ({count - 5} more) → t{count} → t0" in shown, shown[:500]
    assert "nested too deeply" not in shown and len(shown) < 2_000


def test_running_out_of_memory_outside_check_says_so(capsys, write, monkeypatch):
    """Review: `unknown: ` was printed with no reason (a MemoryError has no message)."""
    from decisiontrees import cli

    def exhausted(arguments):
        raise MemoryError()

    monkeypatch.setattr(cli, "_show", exhausted)
    folder = write({"s.dtree": "outcomes a, b\ntree t = choice { a, b }\n"})
    assert main(["show", str(folder / "s.dtree")]) == 1
    assert "unknown: out of memory" in capsys.readouterr().err


@pytest.mark.parametrize("name, text", [
    ("j.json", '{"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}], '
               '"x\\u2028claim FAKE: passed\\u001b[2K": 1}'),
    ("u.json", '{"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}], '
               '"utilities": {"u\\u2028claim FAKE: passed": 5}}'),
    ("g.efg", 'EFG 2 R "t" { "P1" }\n""\n\np "" 1 1 "" { "a" "c" } 0\n'
              't "" 1 "O1" { "1\u2028claim FAKE: passed" }\nt "" 2 "O2" { 0 }\n'),
    ("e.efg", 'EFG 2 R "t" { "P1" }\n""\n\np "" 1 1 "" { "a" "c" } 0\n'
              't "" 1 "O1" { 1 x\x1b[2K }\nt "" 2 "O2" { 0 }\n'),
    ("s.json", '{"SilverDecisions": "0.8.0", "trees": [{"type": "decision", "childEdges": ['
               '{"name": "x", "payoff": "1 +\\u2028claim FAKE: passed", "childNode": '
               '{"type": "terminal", "name": "a"}}, {"name": "y", "payoff": 0, "childNode": '
               '{"type": "terminal", "name": "b"}}]}]}'),
])
def test_text_quoted_from_an_imported_file_in_an_error_cannot_start_a_line(
        capsys, tmp_path, name, text):
    """Review: importers' messages quoted the file's text raw, so a line separator or a
    terminal's escape code in it reached the terminal (a fake `claim … passed` line)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert main(["import", str(path)]) == 2
    shown = capsys.readouterr().err
    assert "\u2028" not in shown and "\x1b" not in shown, shown
    assert not any(line.startswith("claim") for line in shown.splitlines()), shown
