"""SilverDecisions import, against the example and test files SilverDecisions ships."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from paths import ROOT

from decisiontrees import SpecError, load
from decisiontrees.analyses import plans as analysis
from decisiontrees.cli import main
from decisiontrees.formats.common import identifier
from decisiontrees.model.symbols import substitute

INTEROP = ROOT.parent / "shared" / "interop" / "silverdecisions"
needs_interop = pytest.mark.skipif(not INTEROP.is_dir(), reason="../shared/interop is absent")
ACCEPTED = ["differentrulesandflip_pass.json", "fliptest_pass.json", "payoffrules_pass.json",
            "rockefellerWithParams.json", "sample-tree.json", "variables_pass.json"]
REFUSED = {
    "badchance_fail.json": "sum to 1299/1000, not 1",
    "badx_fail_hard.json": "not valid JSON: Invalid control character",
    "malformed_json_fail_hard.json": "not valid JSON",
    "not_silverdecisions_file_fail_hard.json": "invalid JSON spec",
    "notjson_fail_hard.json": "not valid JSON",
    "probabilityinchancenode_fail.json": "sum to x, not 1",
}


def _mixed_number(text: str | int | list) -> Fraction:
    """SilverDecisions writes values like "1 3704647/4042689" (= 1 + 3704647/4042689)."""
    if isinstance(text, list):
        (text,) = text
    whole, _, part = str(text).strip().rpartition(" ")
    sign = -1 if whole.startswith("-") else 1
    return Fraction(whole or 0) + sign * Fraction(part)


def _tree_names(data: dict) -> list[str]:
    names: list[str] = []
    for position, root in enumerate(data["trees"], start=1):
        names.append(identifier(root.get("name") or "", f"tree_{position}"))
    return names


@needs_interop
@pytest.mark.parametrize("name", ACCEPTED)
def test_files_import_with_silverdecisions_own_expected_values(name):
    """Root values and optimal first moves match SilverDecisions' stored results.

    Random variables become parameters; SilverDecisions computed with one draw, stored in
    expressionScope, so the comparison substitutes that draw (and allows its rounding).
    """
    spec = load(INTEROP / name)
    document = json.loads((INTEROP / name).read_text())
    data = document.get("data", document)
    draws = {k: Fraction(repr(v)) for k, v in data.get("expressionScope", {}).items()
             if k in spec.parameters}
    utility = next(iter(spec.utilities.values()))
    for tree_name, root in zip(_tree_names(data), data["trees"]):
        tree = substitute(spec.trees[tree_name], draws) if draws else spec.trees[tree_name]
        stored = root["computed"]["expected-value-maximization"]
        value = analysis.value(tree, utility)
        assert float(value) == pytest.approx(float(_mixed_number(stored["payoff"])), rel=1e-9,
                                             abs=1e-9)
        if root["type"] != "decision":
            continue
        best = analysis.optimal_actions(tree, analysis.node_values(tree, utility))
        marked = [k for k, edge in enumerate(root["childEdges"])
                  if edge["computed"]["expected-value-maximization"].get("optimal")]
        assert list(best) == marked


@needs_interop
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_files_silverdecisions_rejects_are_refused_with_the_reason(name, capsys):
    with pytest.raises(SpecError, match=REFUSED[name]):
        load(INTEROP / name)
    assert main(["check", str(INTEROP / name)]) == 2
    error = capsys.readouterr().out
    assert "Traceback" not in error and f"{name}:" in error


@needs_interop
def test_a_refusal_points_at_the_chance_node_in_the_file(capsys):
    assert main(["check", str(INTEROP / "badchance_fail.json")]) == 2
    first = capsys.readouterr().out.splitlines()[0]
    line = int(first.split(":")[1])
    text = (INTEROP / "badchance_fail.json").read_text().splitlines()
    assert '"childEdges"' in text[line - 1]
    assert '"0.999"' in "\n".join(text[line:line + 60])


def test_random_variables_become_parameters_and_hash_is_the_remainder(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({
        "SilverDecisions": "0.8.0", "code": "p = random(0.2, 0.6)\nprize = 2^3 # comment",
        "trees": [{"type": "decision", "name": "bet", "code": "", "childEdges": [
            {"name": "take", "payoff": "-1", "childNode": {"type": "chance", "childEdges": [
                {"name": "win", "probability": "p/2", "payoff": "prize",
                 "childNode": {"type": "terminal"}},
                {"name": "lose", "probability": "#", "payoff": 0,
                 "childNode": {"type": "terminal"}}]}},
            {"name": "leave", "payoff": "abs(-0.5)", "childNode": {"type": "terminal"}}]}]}))
    spec = load(path)
    parameter = spec.parameters["p"]
    assert (parameter.low, parameter.high) == (Fraction(1, 5), Fraction(3, 5))
    assert dict(spec.utilities["payoff"]) == {"take_win": 7, "take_lose": -1,
                                              "leave": Fraction(1, 2)}
    tree = substitute(spec.trees["bet"], {"p": Fraction(1, 2)})
    assert analysis.value(tree, spec.utilities["payoff"]) == Fraction(1, 4) * 7 - Fraction(3, 4)


@pytest.mark.parametrize("expression, message", [
    ("eval(1)", "eval() is not supported"),
    ("2 +", "expected more"),
    ("1/0", "division by zero"),
    ("q", "unknown variable `q`"),
    ("random()", "variable's definition"),
    ("min()", "min() takes 1 or more arguments, not 0"),  # a raw TypeError, exit 3 (review)
    ("abs(1, 2)", "abs() takes 1 argument, not 2"),
    ("floor()", "floor() takes 1 argument, not 0"),
    ("pow(2)", "pow() takes 2 arguments, not 1"),
    ("tan(1, 2)", "tan() takes 1 argument, not 2"),
])
def test_expressions_outside_the_supported_dialect_are_refused(tmp_path, expression, message):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({
        "SilverDecisions": "0.8.0",
        "trees": [{"type": "decision", "childEdges": [
            {"name": "a", "payoff": expression, "childNode": {"type": "terminal"}}]}]}))
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(path)


def test_irrational_values_are_rounded_and_the_spec_says_so(tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({
        "SilverDecisions": "0.8.0",
        "trees": [{"type": "chance", "childEdges": [
            {"probability": "sin(1/2)", "payoff": "exp(1)", "childNode": {"type": "terminal"}},
            {"probability": "1 - sin(1/2)", "payoff": "sqrt(4)",
             "childNode": {"type": "terminal"}}]}]}))
    spec = load(path)
    assert spec.utilities["payoff"]["end_2"] == 2  # sqrt(4) is exact
    assert spec.utilities["payoff"]["end"] == Fraction("2.7182818284590452354")
    assert main(["import", str(path)]) == 0
    assert "# exp(1) is irrational; imported as 2.7182818284590452354" in capsys.readouterr().out


def test_variables_the_language_must_rename_stay_apart(tmp_path):
    """`_x` is not a name in the spec language: renamed, it must not become `x` (then
    x * _x read x * x)."""
    path = tmp_path / "t.json"
    path.write_text(json.dumps({
        "SilverDecisions": "0.7.0", "code": "x = random(0, 1)\n_x = random(0, 1/2)",
        "trees": [{"type": "chance", "childEdges": [
            {"name": "a", "probability": "x * _x", "payoff": 1, "childNode": {"type": "terminal"}},
            {"name": "b", "probability": "#", "payoff": 0, "childNode": {"type": "terminal"}}]}]}))
    spec = load(path)
    assert sorted(spec.parameters) == ["x", "x_2"]
    assert spec.parameters["x_2"].high == Fraction(1, 2)
    tree = substitute(spec.trees["tree_1"], {"x": Fraction(1, 2), "x_2": Fraction(1, 3)})
    assert analysis.value(tree, spec.utilities["payoff"]) == Fraction(1, 6)


def test_a_remainder_too_large_to_import_exactly_is_refused(tmp_path):
    """1 - Σ x_i/(1 + x_i) over 60 variables has 2^60 terms: the import ran for minutes."""
    count = 60
    path = tmp_path / "t.json"
    path.write_text(json.dumps({
        "SilverDecisions": "0.7.0",
        "code": "\n".join(f"x{k} = random(0, 1/1000)" for k in range(count)),
        "trees": [{"type": "chance", "childEdges": [
            {"name": f"e{k}", "probability": f"x{k}/(1+x{k})", "payoff": 0,
             "childNode": {"type": "terminal", "name": f"o{k}"}} for k in range(count)] + [
            {"name": "rest", "probability": "#", "payoff": 0,
             "childNode": {"type": "terminal", "name": "rest"}}]}]}))
    with pytest.raises(SpecError, match="too large to import exactly"):
        load(path)


def test_a_terminal_called_payoff_imports(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"SilverDecisions": "0.7.0", "trees": [{
        "type": "decision", "name": "payoff", "childEdges": [
            {"name": "x", "payoff": 1, "childNode": {"type": "terminal", "name": "payoff"}},
            {"name": "y", "payoff": 0, "childNode": {"type": "terminal", "name": "b"}}]}]}))
    spec = load(path)
    assert set(spec.trees) == {"payoff"} and set(spec.outcomes) == {"payoff_2", "b"}
    assert dict(spec.utilities["payoff_3"]) == {"payoff_2": 1, "b": 0}


def test_payoffs_summed_along_a_path_stay_bounded(tmp_path):
    """Each payoff passed its own bound, but their sum along a path had 6,200 digits and
    the API raised a raw ValueError writing it (an independent review)."""
    path = tmp_path / "t.json"
    path.write_text(json.dumps({
        "SilverDecisions": "0.8.0",
        "trees": [{"type": "decision", "childEdges": [
            {"name": "a", "payoff": "1/3^6000", "childNode": {"type": "decision", "childEdges": [
                {"name": "b", "payoff": "1/7^4000", "childNode": {"type": "terminal"}}]}}]}]}))
    with pytest.raises(SpecError, match="the payoffs summed along this path: the number is too "
                                        "large to be exact here"):
        load(path)


def test_json_numbers_are_exactly_what_is_written(tmp_path):
    """Numbers written as JSON numbers went through binary floats: two probabilities that sum
    to exactly 1 were refused with a sum the file does not hold (review)."""
    path = tmp_path / "t.json"
    path.write_text('{"SilverDecisions": "0.8.0", "trees": [{"type": "chance", "childEdges": ['
                    '{"name": "a", "probability": 0.1234567890123456789, "payoff": '
                    '12345678901234567.5, "childNode": {"type": "terminal", "name": "A"}},'
                    '{"name": "b", "probability": 0.8765432109876543211, "payoff": 3e-1, '
                    '"childNode": {"type": "terminal", "name": "B"}}]}]}')
    spec = load(path)
    assert spec.trees["tree_1"].probabilities == (Fraction(1234567890123456789, 10**19),
                                                  Fraction(8765432109876543211, 10**19))
    assert dict(spec.utilities["payoff"]) == {"A": Fraction(24691357802469135, 2),
                                              "B": Fraction(3, 10)}


def test_deep_trees_load_through_the_python_api(tmp_path):
    """The decoder that records positions recursed three frames per level: the API raised
    a raw RecursionError on a chain 150 deep, which the CLI read (review)."""
    node: dict = {"type": "terminal", "name": "end"}
    for _ in range(300):
        node = {"type": "decision", "childEdges": [{"name": "go", "childNode": node}]}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"SilverDecisions": "0.8.0", "trees": [node]}))
    assert load(path).outcomes == ("end",)


def test_parameter_bounds_past_a_literal_read_back(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"SilverDecisions": "0.8.0", "code": "x = random(0, 10^1500)",
                                "trees": [{"type": "chance", "childEdges": [
                                    {"name": "a", "probability": "x / 10^1500",
                                     "childNode": {"type": "terminal", "name": "A"}},
                                    {"name": "b", "probability": "#",
                                     "childNode": {"type": "terminal", "name": "B"}}]}]}))
    high = load(path).parameters["x"].high
    assert high == 10**1500


def test_an_unnamed_edge_beside_one_named_like_its_position_gets_a_free_label(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"SilverDecisions": "0.8.0", "trees": [{
        "type": "decision", "name": "root", "childEdges": [
            {"name": "#2", "payoff": "1", "childNode": {"type": "terminal", "name": "A"}},
            {"name": "", "payoff": "2", "childNode": {"type": "terminal", "name": "B"}}]}]}))
    assert load(path).trees["root"].actions == ("#2", "#2_2")


@pytest.mark.parametrize("code, probability", [
    ("x = random(0,1)", "(((x+1)^64)^64)^64/2"),
    ("x = random(0,1)\ny = (x+1)^64\nz = y^64\nw = z^64", "w/(w+1)"),
    ("x = random(0,1)", "((x+1)^10)^11/(2^2000)"),
])
def test_nested_powers_are_refused_before_they_are_expanded(tmp_path, code, probability):
    """Every exponent was at most 64, but ((x + 1)^64)^64)^64 has degree 262,144: checking
    it against the bounds expanded it, past 3.6 GB and a minute (review)."""
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"SilverDecisions": "0.7.0", "code": code, "trees": [{
        "type": "chance", "name": "t", "childEdges": [
            {"name": "e0", "probability": probability,
             "childNode": {"type": "terminal", "name": "end0"}},
            {"name": "e1", "probability": "#", "childNode": {"type": "terminal", "name": "end1"}}]}]}))
    with pytest.raises(SpecError, match=r"the power has degree \d+: too large to import exactly"):
        load(path)


@pytest.mark.parametrize("names, actions", [
    (["a", "a", "#2"], ("a", "a_2", "#2")),  # was `a, #2, #3`: the file's `#2` was lost
    (['go"fast', "go'fast", "a  b"], ("go'fast_2", "go'fast", "a b")),  # cleaned last
])
def test_every_label_the_file_gives_names_its_own_edge(tmp_path, names, actions):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"SilverDecisions": "0.8.0", "trees": [{
        "type": "decision", "name": "root", "childEdges": [
            {"name": name, "payoff": str(k), "childNode": {"type": "terminal", "name": f"T{k}"}}
            for k, name in enumerate(names)]}]}))
    assert load(path).trees["root"].actions == actions


def test_a_refusal_points_at_the_edges_own_key_not_a_computed_one(tmp_path):
    """Edges store ``"computed": {"probability": …}`` before their own ``probability``."""
    edge = '{{"computed": {{"probability": 1}}, "name": "{0}", "probability": "{1}", ' \
           '"childNode": {{"type": "terminal", "name": "{0}"}}}}'
    path = tmp_path / "t.json"
    path.write_text('{"SilverDecisions": "0.8.0", "trees": [{"type": "chance", "name": "r",\n'
                    '"childEdges": [\n' + edge.format("A", "1/2") + ",\n"
                    + edge.format("B", "7/10 +* 1") + "]}]}\n")
    with pytest.raises(SpecError, match=r"t.json:4:\d+: error: .*unexpected `\*`") as raised:
        load(path)
    assert raised.value.diagnostics[0].span.column == path.read_text().splitlines()[3].index(
        '"probability": "7') + 1


@needs_interop
@pytest.mark.parametrize("name", ["differentrulesandflip_pass.json", "payoffrules_pass.json"])
def test_a_minimising_rule_gets_negated_utilities_that_pick_as_silverdecisions(name):
    document = json.loads((INTEROP / name).read_text())
    data = document.get("data", document)
    rule = document.get("rule") or data.get("rule")
    spec = load(INTEROP / name)
    negated = [u for u in spec.utilities if u.endswith("_negated")]
    assert bool(negated) == rule.startswith("mini-")
    for utility_name in negated:
        payoffs = spec.utilities[utility_name.removesuffix("_negated")]
        assert spec.utilities[utility_name] == {o: -v for o, v in payoffs.items()}
    utility = spec.utilities[negated[0]] if negated else {
        o: -v for o, v in next(iter(spec.utilities.values())).items()}
    for tree_name, root in zip(_tree_names(data), data["trees"]):
        if root["type"] != "decision":
            continue
        tree = spec.trees[tree_name]
        best = analysis.optimal_actions(tree, analysis.node_values(tree, utility))
        marked = [k for k, edge in enumerate(root["childEdges"])
                  if edge["computed"]["expected-value-minimization"].get("optimal")]
        assert list(best) == marked
