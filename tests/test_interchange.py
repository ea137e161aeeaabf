"""Specs as JSON: exports follow the schema and import back to the same model."""

from __future__ import annotations

import json
from fractions import Fraction

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from paths import EXAMPLES, ROOT

from decisiontrees import SpecError, load, run
from decisiontrees.cli import main
from decisiontrees.formats.json_spec import export, to_spec_text

SCHEMA = json.loads((ROOT / "docs" / "spec.schema.json").read_text())
FILES = sorted(EXAMPLES.glob("*.dtree"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_export_follows_the_schema_and_imports_to_the_same_model(path, tmp_path):
    spec = load(path)
    document = export(spec)
    jsonschema.validate(document, SCHEMA)
    target = tmp_path / "spec.json"
    target.write_text(json.dumps(document))
    again = load(target)
    assert all(again.trees[name] is tree for name, tree in spec.trees.items())
    assert set(again.trees) == set(spec.trees), "an import adds no helper trees where names exist"
    assert dict(again.utilities) == dict(spec.utilities)
    assert [r.status for r in run(again)] == [r.status for r in run(spec)]


def test_shared_named_trees_keep_their_names_through_json_and_in_show(write, capsys):
    folder = write({"s.dtree": "outcomes off, o1, o2\ntree agent = choice { a: o1, b: o2 }\n"
                               "tree top = choice { x: agent, y: chance { 1/2: agent, 1/2: off } }\n"
                               "tree pair = uniform { chance { 1/3: o1, 2/3: o2 }, "
                               "choice { chance { 1/3: o1, 2/3: o2 } } }\n"})
    exported = folder / "s.json"
    assert main(["export", str(folder / "s.dtree"), "--json", "-o", str(exported)]) == 0
    capsys.readouterr()
    assert main(["import", str(exported)]) == 0
    text = capsys.readouterr().out
    assert "tree top = choice { x: agent, y: chance { 1/2: agent, 1/2: off } }" in text
    # the unnamed shared chance node of `pair` is written out twice, as the user wrote it: a
    # helper tree would be a tree the spec did not have (it became the file's first tree)
    assert "__" not in text and text.count("chance { 1/3: o1, 2/3: o2 }") == 2
    assert list(load(exported).trees) == ["agent", "top", "pair"]
    assert main(["show", str(folder / "s.dtree"), "top"]) == 0
    shown = capsys.readouterr().out
    assert "x: choice (tree agent)" in shown and "1/2: agent (as above)" in shown
    assert "shared" not in shown


def test_cli_export_import_and_check(tmp_path, capsys):
    exported = tmp_path / "shutdown.json"
    assert main(["export", str(EXAMPLES / "shutdown.dtree"), "--json", "-o", str(exported)]) == 0
    assert main(["check", str(exported)]) == 0
    imported = tmp_path / "back.dtree"
    assert main(["import", str(exported), "-o", str(imported)]) == 0
    assert main(["fmt", "--check", str(imported)]) == 0
    assert main(["check", str(imported)]) == 0


BAD = [
    ({"format": "other", "version": 1, "outcomes": []}, "expected format decisiontrees-spec"),
    ({"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a b"}]}, "is not a name"),
    ({"format": "decisiontrees-spec", "version": 1, "outcomes": [], "extra": 1}, "unknown field `extra`"),
    ({"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}],
      "trees": {"t": {"nodes": [{"chance": [{"probability": 0.5, "child": 1}]}, {"leaf": "a"}]}}},
     "probabilities are strings"),
    ({"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}],
      "trees": {"t": {"nodes": [{"choice": [{"action": "x", "child": 0}]}]}}}, "children are later nodes"),
    *(({"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}],
        "trees": {"s": {"nodes": [{"leaf": "a"}]}, "t": {"nodes": nodes}}},
       "names another tree of the document") for nodes in (
        [{"choice": [{"action": "x", "child": 1}]}, {"tree": "t"}],  # itself
        [{"choice": [{"action": "x", "child": 1}]}, {"tree": "u"}],  # no such tree
        [{"tree": "s"}],  # the root
        [{"choice": [{"action": "x", "child": 1}]}, {"tree": ["s"]}])),
]


@pytest.mark.parametrize("document, message", BAD, ids=[m for _, m in BAD])
def test_malformed_documents_are_refused_with_the_reason(document, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        to_spec_text(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SpecError, match="invalid JSON spec"):
        load(path)


def test_trees_built_from_named_trees_refer_to_them_in_json(tmp_path):
    """Review: every tree's nodes held a full copy of each tree it uses, so a chain of 2,500
    trees, each using the one before, exported 495 MB in 71 s. A subtree that is a named
    tree is now `{"tree": name}`: each node is written once, and the import is the same."""
    count = 300
    text = "outcomes a, b\ntree t0 = choice { a, b }\n" + "".join(
        f"tree t{i} = choice {{ b, t{i - 1} }}\n" for i in range(1, count))
    source = tmp_path / "chain.dtree"
    source.write_text(text)
    spec = load(source)
    document = export(spec)
    jsonschema.validate(document, SCHEMA)
    assert sum(len(tree["nodes"]) for tree in document["trees"].values()) == 3 * count
    assert document["trees"]["t2"]["nodes"] == [
        {"choice": [{"action": "b", "child": 2}, {"action": "t1", "child": 1}]}, {"tree": "t1"},
        {"leaf": "b"}]
    target = tmp_path / "chain.json"
    target.write_text(json.dumps(document))
    again = load(target)
    assert all(again.trees[name] is tree for name, tree in spec.trees.items())
    assert export(again) == document


def test_meaning_errors_in_json_specs_are_reported_like_spec_errors(tmp_path):
    document = {"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}],
                "trees": {"t": {"nodes": [{"chance": [{"probability": "1/2", "child": 1}]},
                                          {"leaf": "a"}]}}}
    path = tmp_path / "half.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SpecError, match="probabilities sum to 1/2, not 1"):
        load(path)


def test_classes_written_over_several_lines_with_comments_export(tmp_path):
    spec_path = tmp_path / "c.dtree"
    spec_path.write_text("outcomes a, b, c\nclass ordered = {\n    a >= b,  # a first\n    b >= c,\n}\n"
                         "claim dominates(a, c, ordered)\n")
    document = export(load(spec_path))
    assert document["classes"]["ordered"] == "{ a >= b, b >= c, }"
    target = tmp_path / "c.json"
    target.write_text(json.dumps(document))
    assert [r.status for r in run(load(target))] == ["pass"]


def _sympy_expressions():
    import sympy
    from hypothesis import strategies as st

    p, q = sympy.Symbol("p", real=True), sympy.Symbol("q", real=True)
    leaves = st.one_of(st.sampled_from([p, q]),
                       st.fractions(min_value=-5, max_value=5, max_denominator=7)
                       .map(lambda f: sympy.Rational(f.numerator, f.denominator)))

    def grow(children):
        pairs = st.tuples(children, children)
        return st.one_of(pairs.map(lambda a: a[0] + a[1]), pairs.map(lambda a: a[0] - a[1]),
                         pairs.map(lambda a: a[0] * a[1]),
                         pairs.map(lambda a: a[0] / a[1] if a[1] != 0 else a[0]),
                         st.tuples(children, st.integers(-3, 3).filter(bool))
                         .map(lambda a: a[0] ** a[1] if a[0] != 0 else a[0]),
                         children.map(lambda a: -a))

    return st.recursive(leaves, grow, max_leaves=8)


@given(_sympy_expressions())
def test_parameter_expressions_are_written_so_that_they_read_back_the_same(value):
    """The exporters write parameter expressions in a language without powers: h/g**2 was
    once written h/g*g."""
    import sympy

    from decisiontrees.checking.arithmetic import evaluate
    from decisiontrees.formats.json_spec import spec_number
    from decisiontrees.language.diagnostics import Reporter
    from decisiontrees.language.parser import parse_module
    from decisiontrees.model.nodes import Parameter

    if value.has(sympy.zoo, sympy.nan):
        return
    text = spec_number(value)
    reporter = Reporter()
    module = parse_module(f"mdp m {{ gamma = {text} start = s s: absorbing }}", "<t>", reporter)
    assert module is not None, text
    (setting,) = [s for s in module.items[0].settings if s.name == "gamma"]
    domain = {name: Parameter(name, Fraction(0), Fraction(1), True, True) for name in ("p", "q")}
    back = evaluate(setting.value, reporter, domain)
    assert back is not None, text
    assert sympy.simplify(sympy.sympify(back) - value) == 0, (value, text)


@given(st.integers(-10**3900, 10**3900), st.integers(1, 10**3900), st.integers(0, 1500))
def test_exact_numbers_are_written_so_that_they_read_back_the_same(top, bottom, zeros):
    """An imported or computed number past a literal's 1,000 digits was written as one
    literal, and the importer's own output then failed to parse (a Gambit payoff 1e1000)."""
    from decisiontrees.checking.arithmetic import evaluate
    from decisiontrees.language.diagnostics import Reporter
    from decisiontrees.language.numbers import number_text
    from decisiontrees.language.parser import parse_module
    from decisiontrees.language.syntax import MAX_VALUE_BITS

    value = Fraction(top * 10**zeros, bottom)
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_VALUE_BITS:
        return  # past the language's arithmetic bound (4,000 digits), as any spec number is
    text = number_text(value)
    reporter = Reporter()
    module = parse_module(f"mdp m {{ gamma = {text} start = s s: absorbing }}", "<t>", reporter)
    assert module is not None and reporter.count == 0, text[:200]
    (setting,) = [s for s in module.items[0].settings if s.name == "gamma"]
    assert evaluate(setting.value, reporter, {}) == value
    if len(str(value.numerator)) <= 1000 and value.denominator < 10**1000:
        assert text == str(value)  # small numbers read as they always did


def test_a_comment_inside_a_statement_does_not_swallow_its_next_lines(tmp_path):
    spec_path = tmp_path / "c.dtree"
    spec_path.write_text('outcomes a, b\ntree t = choice { "x # y": a, b }\nutility u = {a: 1, b: 0}\n'
                         "claim value(t, u) == 1 # the value is\n    + 1\n")
    spec = load(spec_path)
    assert spec.statements[0].text.endswith("value(t, u) == 1 + 1")
    target = tmp_path / "c.json"
    target.write_text(json.dumps(export(spec)))
    assert [r.status for r in run(spec)] == [r.status for r in run(load(target))] == ["fail"]


@given(st.lists(st.sampled_from(["a", "a_2", "a_3", "b", "b_2", "x_2_2", "x", "x_2"]),
                max_size=40),
       st.sets(st.sampled_from(["a", "a_2", "a_4", "b_3", "x_2", "gamma"])))
def test_imported_names_are_the_first_free_of_base_base_2_base_3(bases, taken):
    """UniqueNames gives what the plain search for the first free suffix gives (it only
    remembers where each base got to, so 60,000 equal titles take linear time)."""
    from decisiontrees.formats.common import UniqueNames

    fresh, seen = UniqueNames(taken), set(taken)
    for base in bases:
        expected, suffix = base, 2
        while expected in seen:
            expected, suffix = f"{base}_{suffix}", suffix + 1
        seen.add(expected)
        assert fresh(base) == expected


def test_a_game_with_thousands_of_equally_named_outcomes_imports(tmp_path):
    leaves = " ".join(f't "" {k} "same" {{ {k} }}' for k in range(1, 3001))
    moves = " ".join(f'"m{k}"' for k in range(1, 3001))
    path = tmp_path / "wide.efg"
    path.write_text(f'EFG 2 R "wide" {{ "P" }}\np "" 1 1 "" {{ {moves} }} 0\n{leaves}\n')
    spec = load(path)
    assert len(spec.outcomes) == 3000 and "same_3000" in spec.outcomes


def test_numbers_past_a_literal_survive_json_export(tmp_path):
    """Utilities, features and parameter bounds past 1,000 digits were exported as one
    literal, which the importer then refused (an independent review)."""
    spec_path = tmp_path / "b.dtree"
    spec_path.write_text("outcomes a, b\nparam p in (0, 1e1000 + 1)\n"
                         "utility u = {a: 1e1000 + 1, b: -1/(3e1000 + 7)}\nquery value(a, u)\n")
    spec = load(spec_path)
    target = tmp_path / "b.json"
    target.write_text(json.dumps(export(spec)))
    again = load(target)
    assert dict(again.utilities["u"]) == dict(spec.utilities["u"])
    assert again.parameters["p"].high == 10**1000 + 1


def test_helper_trees_of_an_import_are_named_apart_from_the_documents_names(tmp_path):
    """A shared subtree became the helper tree `t__1`, which an outcome of that name met:
    the file was refused in spec text the user never sees (an independent review)."""
    path = tmp_path / "c.json"
    levels = 16  # 2^16 nodes written out: shared subtrees need helper trees
    path.write_text(json.dumps({
        "format": "decisiontrees-spec", "version": 1,
        "outcomes": [{"name": "a"}, {"name": "b"}, {"name": "t__1"}],
        "trees": {"t": {"nodes": [
            *({"choice": [{"action": "x", "child": k + 1}, {"action": "y", "child": k + 1}]}
              for k in range(levels)),
            {"chance": [{"probability": "1/2", "child": levels + 1},
                        {"probability": "1/2", "child": levels + 2}]},
            {"leaf": "a"}, {"leaf": "t__1"}]}},
        "statements": ["claim reachable(t) == {a, t__1}", "claim strategies(t) > 1"]}))
    spec = load(path)
    assert "t__1" in spec.outcomes and "t__1_2" in spec.trees
    assert next(iter(spec.trees)) == "t", "helpers come after the trees of the document"
    assert [r.status for r in run(spec)] == ["pass", "pass"]


def test_trees_keep_the_order_they_are_declared_in(tmp_path):
    """The loader built trees dependencies first, so a tree using one declared after it was
    not the first tree (the one export --efg and drawing take by default)."""
    path = tmp_path / "o.dtree"
    path.write_text("outcomes a, b\ntree top = choice { x: later, y: a }\n"
                    "tree later = chance { 1/2: a, 1/2: b }\n")
    assert list(load(path).trees) == ["top", "later"]
    target = tmp_path / "o.json"
    target.write_text(json.dumps(export(load(path))))
    assert list(load(target).trees) == ["top", "later"]


def test_a_problem_in_a_probability_is_placed_at_its_chance_node(tmp_path, capsys):
    """It was placed at the child the probability leads to (an independent review)."""
    from decisiontrees.cli import main as cli

    path = tmp_path / "p.json"
    path.write_text('{"format": "decisiontrees-spec", "version": 1, "outcomes": [{"name": "a"}, '
                    '{"name": "b"}],\n"trees": {"t": {"nodes": [\n'
                    '{"chance": [{"probability": "1/(1-1)", "child": 1}, '
                    '{"probability": "1/2", "child": 2}]},\n{"leaf": "a"},\n{"leaf": "b"}]}}}\n')
    assert cli(["check", str(path)]) == 2
    assert "p.json:3:1: error: trees.t.nodes[0]: division by zero" in capsys.readouterr().out


def test_export_with_param_refuses_statements_that_name_the_fixed_parameter(tmp_path, capsys):
    """--param substitutes the value into the trees and drops the declaration; a statement
    that sets the parameter itself would not load from the JSON, so the export says so."""
    spec = tmp_path / "sw.dtree"
    body = ("param p in [0, 1]\noutcomes a, b, c\n"
            "tree t = choice { go: chance { p: a, 1 - p: b }, stay: c }\n"
            "utility u = {a: 1, b: 0, c: 1/2}\nquery value(t, u)\n")
    spec.write_text(body + "query value(t, u, p = 3/4)\n")
    out = tmp_path / "x.json"
    assert main(["export", str(spec), "--json", "--param", "p=1/3", "-o", str(out)]) == 2
    assert "names a parameter that --param fixes" in capsys.readouterr().err
    assert not out.exists()
    spec.write_text(body)  # without that statement the export loads, with p = 3/4 inside
    assert main(["export", str(spec), "--json", "--param", "p=3/4", "-o", str(out)]) == 0
    [result] = run(load(str(out)))
    assert result.answer.comparable == Fraction(3, 4)


def test_labels_with_a_non_breaking_space_survive_json_and_drawing(tmp_path):
    """The grammar admits any character but control characters in a quoted label; export,
    import and the diagram keep such a label as it is."""
    spec = tmp_path / "nbsp.dtree"
    spec.write_text('outcomes a, b\ntree t = choice { "shut\u00a0down": a, b }\n'
                    'query lotteries(t)\n', encoding="utf-8")
    out = tmp_path / "nbsp.json"
    assert main(["export", str(spec), "--json", "-o", str(out)]) == 0
    assert "shut\u00a0down" in to_spec_text(json.loads(out.read_text(encoding="utf-8")))
    assert load(str(out)).trees["t"].actions == ("shut\u00a0down", "b")
    from decisiontrees.render.dot import to_dot

    assert "shut\u00a0down" in to_dot(load(str(spec)).trees["t"], "t")


def test_long_labels_survive_json_and_gambit_round_trips(tmp_path):
    """Labels were cut at 200 characters: a JSON spec holding a longer one (valid in the
    language) was refused, and .efg round trips shortened it (review)."""
    long = "step " * 60
    path = tmp_path / "l.dtree"
    path.write_text(f'outcomes a, b\ntree t = choice {{ "{long}": a, "{long}x": b }}\n')
    spec = load(path)
    for suffix, command in ((".json", "--json"), (".efg", "--efg")):
        target = tmp_path / f"l{suffix}"
        assert main(["export", str(path), command, "-o", str(target)]) == 0
        assert load(target).trees["t"].actions == spec.trees["t"].actions
