"""Gambit .efg import and export, against Gambit's own one-player files."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from paths import EXAMPLES, ROOT

from decisiontrees import SpecError, load
from decisiontrees.analyses import plans as analysis
from decisiontrees.cli import main
from decisiontrees.formats.gambit import to_efg

INTEROP = ROOT.parent / "shared" / "interop" / "gambit"
needs_interop = pytest.mark.skipif(not INTEROP.is_dir(), reason="../shared/interop is absent")

ACCEPTED = {
    # file: (optimal value of player 1's payoff, number of plans)
    "chance_root_3_moves_only_one_nonzero_prob.efg": (Fraction(1), 2),
    "chance_root_5_moves_no_nonterm_player_nodes.efg": (Fraction(2), 1),
    "perfect_recall.efg": (Fraction(0), 1),
    "reduction_one_player_generic_payoffs.efg": (Fraction(5), 5),
}
REFUSED = ["fig1.efg", "noPR-AM-driver-one-player.efg", "not_perfect_recall.efg"]


@needs_interop
@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_gambit_files_import_with_their_payoffs(name):
    spec = load(INTEROP / name)
    (tree,) = spec.trees.values()
    value, plans = ACCEPTED[name]
    assert analysis.value(tree, spec.utilities["payoff"]) == value
    assert analysis.count_plans(tree) == plans


@needs_interop
@pytest.mark.parametrize("name", REFUSED)
def test_files_with_imperfect_information_are_refused_with_the_reason(name):
    with pytest.raises(SpecError, match="perfect information"):
        load(INTEROP / name)


@needs_interop
@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_gambit_files_round_trip(name, tmp_path):
    spec = load(INTEROP / name)
    (tree,) = spec.trees.values()
    path = tmp_path / "again.efg"
    path.write_text(to_efg(tree, "again", spec.utilities["payoff"]))
    again = load(path)
    (tree_again,) = again.trees.values()
    assert tree_again is tree
    assert dict(again.utilities["payoff"]) == dict(spec.utilities["payoff"])


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.dtree")), ids=lambda p: p.name)
def test_example_trees_survive_export_and_import(path, tmp_path):
    spec = load(path)
    for name, tree in spec.trees.items():
        if any(not isinstance(p, Fraction) for n in analysis.postorder(tree)
               for p in getattr(n, "probabilities", ())):
            continue  # parametric: Gambit needs numbers
        target = tmp_path / f"{name}.efg"
        target.write_text(to_efg(tree, name))
        (again,) = load(target).trees.values()
        assert again is tree, name


def test_cli_export_and_import(tmp_path, capsys):
    output = tmp_path / "candy.efg"
    assert main(["export", str(EXAMPLES / "candy.dtree"), "candy_or_wait", "--efg",
                 "--utility", "hug_first", "-o", str(output)]) == 0
    assert main(["check", str(output)]) == 0
    imported = tmp_path / "candy.dtree"
    assert main(["import", str(output), "-o", str(imported)]) == 0
    text = Path(imported).read_text()
    assert "utility payoff = {candy: 2, chocolate: 1, hug: 3}" in text


def test_refusals_point_at_the_line(tmp_path):
    path = tmp_path / "two.efg"
    path.write_text('EFG 2 R "two players" { "A" "B" }\n""\np "" 2 1 "" { "x" } 0\nt "" 0\n')
    with pytest.raises(SpecError) as raised:
        load(path)
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.span.line == 1
    assert "2 players: only one-player games are decision trees" in diagnostic.message


def test_labels_with_backslashes_survive_export_and_import(tmp_path):
    """A label ending in a backslash escaped the closing quote of its .efg string."""
    labels = ("x" + BACKSLASH, "a" + BACKSLASH + "b", BACKSLASH, BACKSLASH * 2)
    spec_path = tmp_path / "b.dtree"
    spec_path.write_text("outcomes o1, o2, o3, o4\ntree g = choice { " + ", ".join(
        f'"{label}": o{k}' for k, label in enumerate(labels, start=1)) + " }\n"
        "utility u = {o1: 1, o2: 2, o3: 3, o4: 4}\n")
    spec = load(spec_path)
    path = tmp_path / "b.efg"
    path.write_text(to_efg(spec.trees["g"], "g", spec.utilities["u"]))
    assert load(path).trees["g"].actions == spec.trees["g"].actions == labels


BACKSLASH = chr(92)


def test_names_the_importer_makes_up_do_not_collide_with_the_games(tmp_path):
    """An outcome called `payoff` met the utility's name, and an unlabelled move (#2) an
    explicit label "#2": valid games that did not import."""
    path = tmp_path / "g.efg"
    path.write_text('EFG 2 R "g" { "Player 1" }\n""\n\np "" 1 1 "" { "#2" "" } 0\n'
                    't "" 1 "payoff" { 1 }\nt "" 2 "g" { 2 }\n')
    spec = load(path)
    assert set(spec.outcomes) == {"payoff", "g"} and spec.trees["g_2"].actions == ("#2", "#2_2")
    assert dict(spec.utilities["payoff_2"]) == {"payoff": 1, "g": 2}


@pytest.mark.parametrize("node, message", [('p "" 1 1 "" { } 0', "a decision node without moves"),
                                           ('c "" 1 "" { } 0', "a chance node without branches")])
def test_a_node_without_moves_is_refused_in_the_gambit_file(tmp_path, node, message):
    """It was reported against the generated spec text (`tree` is a keyword, not a name)."""
    path = tmp_path / "e.efg"
    path.write_text(f'EFG 2 R "g" {{ "P1" }}\n""\n\n{node}\n')
    with pytest.raises(SpecError, match=f"e.efg:4:1: error: cannot import this Gambit file: "
                                        f"{message}"):
        load(path)


def test_numbers_at_the_literal_bound_import(tmp_path):
    """1e1000 is a valid number in both languages; the importer wrote it out as 1,001 digits,
    which its own spec text then refused."""
    path = tmp_path / "big.efg"
    path.write_text('EFG 2 R "g" { "P1" }\n""\np "" 1 1 "" { "a" "b" } 0\n'
                    't "" 1 "o1" { 1e1000 }\nc "" 1 "" { "x" 1e-1000 "y" .' + "9" * 1000 +
                    ' } 0\nt "" 2 "o2" { 0 }\nt "" 3 "o3" { -7e1000/3 }\n')
    spec = load(path)
    assert dict(spec.utilities["payoff"]) == {"o1": 10**1000, "o2": 0,
                                              "o3": Fraction(-7 * 10**1000, 3)}
    assert spec.trees["g"].children[1].probabilities == (Fraction(1, 10**1000),
                                                          1 - Fraction(1, 10**1000))


@pytest.mark.parametrize("branches", ['"x" 1/3 "y" 1/3', '"x" 3/2 "y" -1/2',
                                      '"x" 1e-1000 "y" 1'])
def test_chance_nodes_that_are_not_distributions_are_refused_in_the_gambit_file(tmp_path,
                                                                               branches, capsys):
    """They were refused in the generated spec text, with every digit of the sum."""
    path = tmp_path / "c.efg"
    path.write_text(f'EFG 2 R "g" {{ "P1" }}\n""\nc "" 1 "" {{ {branches} }} 0\n'
                    't "" 1 "a" {{ 1 }}\nt "" 2 "b" {{ 0 }}\n')
    assert main(["import", str(path)]) == 2
    shown = capsys.readouterr().err
    assert "c.efg:3:1: error: cannot import this Gambit file: the probabilities" in shown
    assert "not a distribution" in shown and max(len(line) for line in shown.splitlines()) < 400


HEAD = 'EFG 2 R "g" { "P1" }\n""\n'


@pytest.mark.parametrize("body, place, message", [
    ('p "" 1 1 "" { "a" "b" } 0\nt "" 1 "o1" { 1 }\nt "" 1 "o1" { 5 }\n', "5:13",
     "outcome 1 is defined again with another payoff (5, was 1)"),
    ('p "" 1 1 "" { "a" "b" } 0\nt "" 1 "x" { 1 }\nt "" 7\n', "5:6",
     "outcome 7 is used before it is defined"),
    ('p "" 1 1 "" { "a" "b" } 0\nt "" 1 "x" { 1 2 }\nt "" 2 "y" { 3 }\n', "4:12",
     "2 payoffs for outcome 1"),
    ('p "" 1 1 "" { "a" "b" } 0\nc "" 1 "" { "x" 1/3 "y" 2/3 } 0\nt "" 1 "o1" { 1 }\n'
     't "" 2 "o2" { 2 }\nc "" 1 "" { "x" 1/2 "y" 1/2 } 0\nt "" 3 "o3" { 3 }\nt "" 4 "o4" { 4 }\n',
     "7:1", "chance information set 1 has other probabilities at line 4"),
])
def test_files_gambit_itself_refuses_are_refused_not_reinterpreted(tmp_path, body, place,
                                                                    message):
    """Each of these was imported with a meaning of its own (the last payoff kept, payoff 0,
    the second payoff dropped, each node's own probabilities); pygambit refuses them."""
    path = tmp_path / "g.efg"
    path.write_text(HEAD + body)
    with pytest.raises(SpecError, match=f"g.efg:{place}: error: cannot import this Gambit "
                                        f"file: {re.escape(message)}"):
        load(path)


def test_a_chance_information_set_written_again_in_short_form_keeps_its_moves(tmp_path):
    path = tmp_path / "g.efg"
    path.write_text(HEAD + 'p "" 1 1 "" { "a" "b" } 0\nc "" 1 "" { "x" 1/3 "y" 2/3 } 0\n'
                    't "" 1 "o1" { 1 }\nt "" 2 "o2" { 2 }\nc "" 1 0\nt "" 3 "o3" { 3 }\n'
                    't "" 4 "o4" { 4 }\n')
    spec = load(path)
    second = spec.trees["g"].children[1]
    assert second.probabilities == (Fraction(1, 3), Fraction(2, 3))
    assert [c.outcome for c in second.children] == ["o3", "o4"]


def test_a_blank_move_label_is_an_unnamed_move(tmp_path):
    path = tmp_path / "g.efg"
    path.write_text(HEAD + 'p "" 1 1 "" { "   " "b" } 0\nt "" 1 "x" { 1 }\nt "" 2 "y" { 2 }\n')
    assert load(path).trees["g"].actions == ("#1", "b")


@pytest.mark.parametrize("body, place, message", [
    ('"a long\ncomment" p "" 2 1 "" { "a" "b" } 0\n', "3:10", "player 2 moves here"),
    ('\np "" 1 1 "" { "a" "b" } 0\nt "" 1 "x" { 1 }\nt "" 2 "y { 2 }\n', "5:8",
     "a string that is never closed"),
])
def test_problems_after_a_string_over_lines_are_placed_where_they_are(tmp_path, body, place,
                                                                       message):
    """The column kept counting from the line where the string began; an unclosed string
    was reported at 1:1 (review)."""
    path = tmp_path / "g.efg"
    path.write_text('EFG 2 R "t" { "P" }\n' + body)
    with pytest.raises(SpecError, match=f"g.efg:{place}: error: cannot import this Gambit file: "
                                        f"{message}"):
        load(path)


def test_a_normal_form_game_is_refused_with_a_hint(tmp_path, capsys):
    path = tmp_path / "g.nfg"
    path.write_text('NFG 1 R "x" { "P1" "P2" } { 2 2 }\n\n1 1 0 2 2 0 3 3\n')
    assert main(["import", str(path)]) == 2
    shown = capsys.readouterr().err
    assert "g.nfg:1:1: error: a Gambit normal-form game (.nfg) has no tree to import" in shown
    assert "save the game from Gambit as .efg" in shown


@pytest.mark.parametrize("moves, labels", [
    ('"a" "a" "a_2"', ("a", "a_3", "a_2")),  # the third move is the file's own `a_2`
    ('"" "#1"', ("#1_2", "#1")),
    ('"\x01" "b"', ("#1", "b")),  # only control characters: unnamed, not an empty label
    ('"x" "\x01x"', ("x", " x")),
    ('"a\\"b" "a\'b"', ("a'b_2", "a'b")),  # cleaning `a"b` must not take the file's `a'b`
])
def test_every_label_the_file_gives_names_its_own_move(tmp_path, moves, labels):
    path = tmp_path / "g.efg"
    leaves = "".join(f't "" {k} "o{k}" {{ {k} }}\n' for k in range(1, len(labels) + 1))
    path.write_text(HEAD + f'p "" 1 1 "" {{ {moves} }} 0\n' + leaves)
    assert load(path).trees["g"].actions == labels


@pytest.mark.parametrize("body", [
    'p "" 1 1 "" { "a" "b" } 0 "bonus" { 7 }\nt "" 0\nt "" 1 "y" { 1 }\n',
    'p "" 1 1 "" { "a" "b" } 0\nt "" 0\nt "" 0 "x" { 7 }\n',
])
def test_the_null_outcome_cannot_carry_a_payoff(tmp_path, body):
    """Outcome 0 is Gambit's null outcome; with a name and payoff it was stored as outcome 0
    and given to every node without an outcome (a payoff at the root moved to a leaf)."""
    path = tmp_path / "g.efg"
    path.write_text(HEAD + body)
    with pytest.raises(SpecError, match="outcome 0 is the null outcome"):
        load(path)
