"""Counterexample search: the enumerator against known counts and an independent brute force,
and searches that find the literature's examples or prove that none exist within bounds."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import pytest

from decisiontrees import SpecError, parse, run
from decisiontrees.analyses.enumeration import (
    Bounds,
    canonical_pair,
    least_tuple,
    renamed_forms,
    renamed_key,
    shapes,
    trees,
)
from decisiontrees.errors import ArgumentError
from decisiontrees.language.formatter import format_text
from decisiontrees.questions.search import tree_text

A000081 = [1, 1, 2, 4, 9, 20, 48, 115, 286, 719]


def test_unlabelled_shapes_follow_the_known_sequence():
    assert [len(shapes(n)) for n in range(1, 11)] == A000081


def _brute_force(outcomes, nodes, branching, probabilities, ordered=False):
    """Every labelled tree as an *ordered* tree (children in every order, repeats allowed),
    then (unless ``ordered``) reduced by sorting children: the canonical classes, counted
    independently. Equal children are kept (two equal alternatives change `tie`, `chosen`
    and `plans`)."""
    arrange = (lambda items: tuple(items)) if ordered else \
        (lambda items: tuple(sorted(items, key=repr)))
    by_size = {1: {("o", o) for o in outcomes}}
    vectors = [v for k in range(2, branching + 1)
               for v in itertools.product(probabilities, repeat=k) if sum(v) == 1]
    for size in range(2, nodes + 1):
        found = set()
        for k in range(2, branching + 1):
            for sizes in itertools.product(range(1, size), repeat=k):
                if sum(sizes) != size - 1:
                    continue
                for children in itertools.product(*(sorted(by_size[s], key=repr) for s in sizes)):
                    found.add(("choice", arrange(children)))
                    for vector in vectors:
                        if len(vector) == k:
                            found.add(("chance", arrange(zip(vector, children))))
        by_size[size] = found
    return sum(len(v) for v in by_size.values())


@pytest.mark.parametrize("outcomes, nodes, branching, probabilities", [
    (("a", "b"), 5, 2, (Fraction(1, 2),)),
    (("a", "b", "c"), 5, 2, (Fraction(1, 2),)),
    (("a", "b"), 4, 3, (Fraction(1, 3), Fraction(2, 3))),
    (("a", "b", "c"), 4, 3, (Fraction(1, 2), Fraction(1, 4))),
])
@pytest.mark.parametrize("ordered", [False, True])
def test_labelled_trees_are_generated_once_each(outcomes, nodes, branching, probabilities,
                                                ordered):
    generated = trees(Bounds(outcomes, nodes, None, branching, frozenset({"choice", "chance"}),
                             probabilities, ordered))
    assert len({repr(c.key) for c in generated}) == len(generated)  # no duplicates
    assert len(generated) == _brute_force(outcomes, nodes, branching, probabilities, ordered)
    sizes = [(c.size, c.depth) for c in generated]
    assert sizes == sorted(sizes)  # smallest first
    if ordered:  # and the trees are the ordered ones: no two alike, action by action
        assert len({tree_text(c.node) for c in generated}) == len(generated)


def test_a_condition_naming_actions_or_plans_sees_every_order_of_children():
    """Each tree was generated once up to reordering children, so `a1` was always the child
    first in the generator's order: `chosen(t, a1) > 1/2` passed `expect none` although
    `choice { a1: choice { a, b }, a2: c }` is a hit (review)."""
    spec = parse("outcomes a, b, c\n"
                 "search first(t) where chosen(t, a1) > 1/2 with nodes = 5 expect none\n"
                 "search second(t) where optimal(t, {a: 1, *: 0}) == {a2} with nodes = 3\n"
                 "search neutral(t) where strategies(t) == 2 with nodes = 3, hits = count\n")
    first, second, neutral = run(spec)
    assert first.status == "fail" and "children in every order" in " ".join(first.lines())
    assert "  tree t = choice { a1: b, a2: a }" in second.lines()
    assert "children in every order" not in " ".join(neutral.lines())


def test_one_representative_per_renaming_of_outcomes():
    outcomes = ("a", "b", "c")
    generated = trees(Bounds(outcomes, 3))
    pairs = list(itertools.product(generated, repeat=2))
    kept = [p for p in pairs if canonical_pair([c.key for c in p], outcomes)]
    classes = set()
    for left, right in pairs:
        classes.add(min(repr((renamed_key(left.key, dict(zip(outcomes, perm))),
                              renamed_key(right.key, dict(zip(outcomes, perm)))))
                        for perm in itertools.permutations(outcomes)))
    assert len(kept) == len(classes)
    forms = renamed_forms(generated, outcomes)
    index = {id(c): i for i, c in enumerate(generated)}
    least = [p for p in pairs if least_tuple([index[id(c)] for c in p], forms)]
    assert len(least) == len(classes)


SEARCHES = """
outcomes a, b, c
distribution rising = power(2)
distribution falling = beta(1, 2)
# docs/theory.md §8 example 5: P3 holds, yet the convergence is only weak
search p3_only_weak(t, s) where permuted_inclusion(t, s) and convergence(t, s) == weak
    with nodes = 5 expect found
# the preferred side flips between the densities 2x and 2(1 - x)
search flips(t, s) where prefers(t, s, rising) > 1/2 and prefers(t, s, falling) < 1/2
    with nodes = 5 expect found
# a theorem: P1 without equivalence is strict dominance
search p1_not_strict(t, s) where inclusion(t, s) and not strictly_dominates(t, s)
    with nodes = 5 expect none
"""


def test_searches_find_the_minimal_examples_and_prove_theorems_within_bounds():
    weak, flips, theorem = run(parse(SEARCHES))
    assert [r.status for r in (weak, flips, theorem)] == ["pass", "pass", "pass"]
    text = "\n".join(weak.lines())
    assert "tree t = chance { 1/2: a, 1/2: choice { a1: a, a2: b } }" in text
    assert "tree s = b" in text
    assert flips.answer.summary == "found: t = a, s = chance { 1/2: b, 1/2: c }"
    shown = "\n".join(theorem.lines())
    assert "complete within the bounds: 0 hits" in shown
    assert "examined 1346 candidates of 7569" in shown  # 87 trees each, equal children kept


def test_the_first_hit_is_minimal():
    """Every pair smaller than the first hit fails the condition (checked by asking for all
    hits and comparing sizes)."""
    first, every = run(parse("""
    outcomes a, b, c
    search one(t, s) where compare(t, s) == incomparable and dominates(t, a) with nodes = 3
    search all(t, s) where compare(t, s) == incomparable and dominates(t, a)
        with nodes = 3, hits = all
    """))
    assert first.answer.value["hits"][0] == every.answer.value["hits"][0]
    sizes = [sum(len(text.split()) for text in hit.values()) for hit in every.answer.value["hits"]]
    assert sizes[0] == min(sizes)


def test_symmetry_reduction_finds_what_the_full_space_finds():
    """`reachable(t) == {a}` names an outcome: no renamings are set aside, and the count of
    hits is the count over all pairs."""
    named, = run(parse("""
    outcomes a, b
    search named(t) where reachable(t) == {a} with nodes = 3, hits = count
    """))
    assert named.answer.summary == "3 hits"  # a, choice { a1: a, a2: a }, chance { 1/2: a, 1/2: a }
    assert "the others rename" not in "\n".join(named.lines())


@pytest.mark.parametrize("text, message", [
    ("search x(t) where dominates(t, t) with nodes = 99", "`nodes` is a whole number from 1 to 12"),
    ("search x(t) where dominates(t, t) with colour = 2", "a search has no setting `colour`"),
    ("search x(a) where dominates(a, a)", "`a` is already declared"),
    ("search x(t) where dominates(t, t) expect maybe", "write `expect found` or `expect none`"),
    ("search x(t) where power(t) with nodes = 2", "a claim about power() needs a comparison"),
    ("search x(t) where dominates(t, t) with probabilities = [3/2]", "strictly between 0 and 1"),
    ("search x(t, s) where strategies(t) == 2", "the tree variable `s` is not used"),
    ("search x(t) where strategies(t) == 2\nsearch x(s) where strategies(s) == 3",
     "a search named `x` is already declared on line 2"),
    ("search x(t) where strategies(t) == 2 with hits = many", "`all` or `count`"),
    # a set no chance node can use left the search "complete" over leaves and choices (review)
    ("search x(t) where dominates(t, t) with probabilities = [1/3], kinds = {chance}",
     "no 2 of the probabilities sum to 1 with 1/3 among them"),
    ("search x(t) where dominates(t, t) with probabilities = [2/5, 1/2], branching = 3",
     "no 2 to 3 of the probabilities sum to 1 with 2/5 among them"),
])
def test_bad_searches_are_located_errors(text, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse("outcomes a, b\n" + text + "\n")


def test_searches_are_formatted_and_stay_valid():
    text = ("outcomes a, b\nsearch  x( t,s ) where not(dominates(t,s) or power(t)>1/2)"
            " with nodes=3,probabilities=[1/2] expect none\n")
    formatted = format_text(text, "x.dtree")
    assert "search x(t, s) where not (dominates(t, s) or power(t) > 1/2)\n" \
        "    with nodes = 3, probabilities = [1/2] expect none\n" in formatted
    assert format_text(formatted, "x.dtree") == formatted
    parse(formatted)


def test_parallel_and_serial_searches_return_the_same_hits_in_the_same_order():
    text = """
    outcomes a, b, c
    search s(t, u) where strictly_dominates(t, u) and reachable(u) == reachable(t)
        with nodes = 5, hits = all, workers = {workers}
    """
    serial, = run(parse(text.replace("{workers}", "1")))
    parallel, = run(parse(text.replace("{workers}", "2")))
    assert serial.answer.value["hits"] == parallel.answer.value["hits"]
    assert len(serial.answer.value["hits"]) > 3


def test_a_stopped_search_resumes_from_its_checkpoint(write):
    """Out of time after 2 s each, the 7-node space is searched in pieces; the pieces add up
    to the whole search: the same count examined, and complete."""
    from decisiontrees.api import search_file

    folder = write({"s.dtree": "outcomes a, b\nsearch dom(t, s) where strictly_dominates(t, s)"
                               " and not inclusion(t, s) with nodes = 7, hits = count,"
                               " workers = 1\n"})
    checkpoint = str(folder / "progress.json")
    runs = []
    for _ in range(40):
        result, = search_file(str(folder / "s.dtree"), checkpoint, timeout_seconds=2).results
        runs.append(result)
        if result.status != "unknown":
            break
    assert len(runs) > 1 and runs[-1].answer.summary.startswith(
        "none within the bounds (complete; ")
    assert "on the word of the checkpoint" in runs[-1].answer.summary
    assert "examined 14522 candidates of 28900" in "\n".join(runs[-1].lines())
    assert all("not complete (time ran out)" in r.answer.summary for r in runs[:-1])


def test_a_search_on_a_dask_cluster_returns_what_a_local_search_returns(write):
    distributed = pytest.importorskip("distributed")
    from decisiontrees.api import search_file

    folder = write({"s.dtree": "outcomes a, b, c\nsearch s(t, u) where strictly_dominates(t, u)"
                               " and reachable(u) == reachable(t) with nodes = 5, hits = all\n"})
    local, = search_file(str(folder / "s.dtree")).results
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote, = search_file(str(folder / "s.dtree"), scheduler=cluster.scheduler_address,
                              timeout_seconds=120).results
    assert remote.status == local.status == "answer"
    assert remote.answer.value["hits"] == local.answer.value["hits"]
    assert remote.answer.value["examined"] == local.answer.value["examined"]


@pytest.mark.parametrize("swap", [False, True])
def test_one_representative_per_renaming_and_exchange_of_the_trees(swap):
    """The filter keeps exactly one tuple of each class, the classes computed here from the
    renamed forms directly (exchanging the two trees too, when the property allows it)."""
    outcomes = ("a", "b", "c")
    generated = trees(Bounds(outcomes, 3))
    forms = renamed_forms(generated, outcomes)
    by_form = {f[0]: i for i, f in enumerate(forms)}
    pairs = list(itertools.product(range(len(generated)), repeat=2))
    def members(i, j):
        found = {(by_form[forms[i][k]], by_form[forms[j][k]]) for k in range(len(forms[i]))}
        return frozenset(found | {(b, a) for a, b in found} if swap else found)

    classes = {members(i, j) for i, j in pairs}
    kept = [p for p in pairs if least_tuple(p, forms, swap)]
    assert len(kept) == len(classes)
    assert {members(*p) for p in kept} == classes  # one from each class


def test_a_search_symmetric_in_its_trees_examines_each_unordered_pair_once(tmp_path):
    from decisiontrees import load, run

    text = ("outcomes a, b, c\n"
            "search both(t, s) where incomparable(t, s) with nodes = 4, hits = count\n"
            "search one_way(t, s) where incomparable(t, s) and strategies(t) >= 1 "
            "with nodes = 4, hits = count\n")
    path = tmp_path / "s.dtree"
    path.write_text(text)
    both, one_way = run(load(path))
    assert both.answer.evidence.question.swappable
    assert not one_way.answer.evidence.question.swappable
    # a class of (t, s) under renamings holds one or two classes under renamings and
    # exchange (one when some renaming of (s, t) is (t, s))
    found, ordered = both.answer.evidence.found, one_way.answer.evidence.found
    assert ordered / 2 <= found < ordered
    assert both.answer.evidence.examined < one_way.answer.evidence.examined


def test_search_draws_each_hit_as_an_explanation_on_request(tmp_path, capsys):
    from decisiontrees.cli import main

    spec = tmp_path / "s.dtree"
    spec.write_text("outcomes a, b, c\n"
                    "search inc(t, s) where incomparable(t, s) with nodes = 3, hits = 2\n")
    figures = tmp_path / "figures"
    assert main(["search", str(spec), "--figures", str(figures), "--to", "dot"]) == 0
    drawn = sorted(p.name for p in figures.iterdir())
    assert drawn == ["inc-1.dot", "inc-2.dot"]
    text = (figures / "inc-1.dot").read_text()
    assert "incomparable" in text and "digraph" in text


def test_cheap_conjuncts_are_examined_first_without_changing_the_hits(tmp_path):
    from decisiontrees import load, run

    path = tmp_path / "s.dtree"
    path.write_text(
        "outcomes a, b, c\n"
        "search slow(t, s) where convergence(t, s) == strict and dominates(t, s) "
        "and not equivalent(t, s) with nodes = 4, hits = count\n"
        "search fast(t, s) where dominates(t, s) and not equivalent(t, s) "
        "and convergence(t, s) == strict with nodes = 4, hits = count\n")
    slow, fast = run(load(path))
    order = [p.statement.name if p.statement else p.parts[0].statement.name
             for p in slow.answer.evidence.question.condition.parts]
    assert order == ["dominates", "equivalent", "convergence"]
    assert slow.answer.evidence.found == fast.answer.evidence.found


def test_the_outcomes_setting_parses_although_outcomes_is_a_keyword(tmp_path):
    from decisiontrees import load, run

    path = tmp_path / "s.dtree"
    path.write_text("outcomes a, b, c, d\n"
                    "search inc(t, s) where incomparable(t, s) "
                    "with nodes = 3, outcomes = {a, b}, hits = all\n")
    (result,) = run(load(path))
    import re

    texts = [text for hit in result.answer.evidence.hits for _, text in hit.trees]
    used = {o for text in texts for o in re.findall(r"\b[a-d]\b", text)}
    assert texts and used == {"a", "b"}


@pytest.mark.parametrize("condition", ["value(x, u) == 1", "contains(x, {a: 1/2, b: 1/2})"])
def test_a_search_over_a_utility_or_a_lottery_answers_from_an_isolated_run(write, capsys,
                                                                             condition):
    """The answer carries the utility or lottery (read-only mappings), which the standard
    pickler refused on its way back from the statement's process."""
    from decisiontrees.cli import main

    folder = write({"s.dtree": "outcomes a, b, c\nutility u = {a: 1, *: 0}\n"
                               f"search s(x) where {condition} with nodes = 3\n"})
    assert main(["check", str(folder / "s.dtree")]) == 0
    assert "hit 1:" in capsys.readouterr().out


def test_a_resumed_search_says_what_it_took_from_its_checkpoint_and_refuses_bad_counts(tmp_path):
    """A checkpoint is the user's file: what a search takes from it is said in its answer,
    a record that does not add up is ignored, and the file is found again whatever the
    process's hash seed (sets in the search's bounds once made that vary)."""
    import json
    import os
    import subprocess
    import sys

    spec = tmp_path / "s.dtree"
    spec.write_text("outcomes a, b, c\nsearch two(t, s) where plans(t) == 2 and dominates(t, s)"
                    " with nodes = 5, hits = all\n")
    checkpoint = tmp_path / "progress.json"

    def search(seed: str) -> str:
        command = [sys.executable, "-m", "decisiontrees", "search", str(spec),
                   "--checkpoint", str(checkpoint)]
        return subprocess.run(command, capture_output=True, text=True, check=False,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout

    first = search("1")
    assert "found 124 hits" in first and "checkpoint" not in first
    document = json.loads(checkpoint.read_text())
    entry = document["searches"]["two"]
    entry["found"], entry["hits"] = 0, []  # a forged record that adds up
    checkpoint.write_text(json.dumps(document))
    second = search("2")
    assert "none within the bounds (complete; 1346 candidates on the word of the checkpoint" \
        in second
    assert "taken on the file's word, not examined again" in second
    entry["found"] = entry["examined"] + 1  # more found than examined: ignored
    checkpoint.write_text(json.dumps(document))
    assert "found 124 hits" in search("3")


def test_a_search_for_n_hits_says_how_many_it_shows():
    """The chunk holding the third hit held more: "found 10 hits (stopped early)" listed 3."""
    (result,) = run(parse("outcomes a, b, c\nsearch s(t) where reachable(t) == {a, b} "
                          "with nodes = 5, hits = 3\n"))
    assert result.answer.summary.endswith("(stopped early, 3 shown)")
    assert len(result.answer.evidence.hits) == 3


def test_trees_with_equal_children_are_candidates():
    """Equal alternatives and equal branches were never generated, so these searches said
    "none within the bounds (complete)" although the trees below exist (an independent
    review found them)."""
    tie, third = run(parse(
        "outcomes a, b\n"
        "search tie_possible(t) where tie(t) > 0 with nodes = 4 expect none\n"
        "search two_thirds(t) where contains(t, {a: 2/3, b: 1/3}) with nodes = 4, "
        "branching = 3, kinds = {chance}, probabilities = [1/3] expect none\n"))
    assert tie.status == third.status == "fail"
    assert tie.answer.summary == "found: t = choice { a1: a, a2: a }"
    assert third.answer.summary == "found: t = chance { 1/3: a, 1/3: a, 1/3: b }"


def test_a_question_that_does_not_apply_makes_no_hit_of_its_negation():
    """`not (tie(t) >= 0)` cannot hold, yet a leaf (where tie does not apply) was a hit:
    inapplicable claims counted as false. Now they are neither true nor false (Kleene):
    a leaf is no hit of the negation, and `or` with a true part still holds."""
    negated, either, both = run(parse(
        "outcomes a, b\n"
        "search refute(t) where not (tie(t) >= 0) with nodes = 3 expect none\n"
        "search either(t) where not (tie(t) >= 0) or contains(t, {a: 1}) with nodes = 3, "
        "hits = count\n"
        "search both(t) where tie(t) >= 0 and contains(t, {a: 1}) with nodes = 3, "
        "hits = count\n"))
    assert negated.status == "pass"
    assert "complete within the bounds: 0 hits" in "\n".join(negated.lines())
    # a, choice {a, a}, choice {a, b}, chance {a, a}: the leaf a holds by its second part
    assert either.answer.summary == "4 hits"
    assert both.answer.summary == "2 hits"  # choice {a, a} and choice {a, b}: tie applies


@pytest.mark.parametrize("forged", [{"t": "a"}, {"t": "a\nclaim x", "s": "b"},
                                    {"t": "b", "s": "b"}, "twice"])
def test_hits_in_a_checkpoint_are_judged_again(tmp_path, forged, capsys):
    """An edited hit crashed `--figures` (a one-tree hit of a two-tree search) and was
    printed as it stood; a hit that is no candidate, or does not hold, now makes the search
    ignore the file."""
    import json

    from decisiontrees.cli import main

    spec = tmp_path / "s.dtree"
    spec.write_text("outcomes a, b\nsearch d(t, s) where strictly_dominates(t, s) "
                    "with nodes = 3, hits = all\n")
    checkpoint = tmp_path / "progress.json"
    assert main(["search", str(spec), "--checkpoint", str(checkpoint)]) == 0
    document = json.loads(checkpoint.read_text())
    entry = document["searches"]["d"]
    assert entry["next_chunk"] == 1 and entry["examined"] >= 2  # one chunk: its count kept
    document["searches"]["d"]["found"], document["searches"]["d"]["unknown"] = 1, 0
    if forged == "twice":  # a real hit named twice
        first = document["searches"]["d"]["hits"][0]
        document["searches"]["d"]["hits"] = [first, {**first, "lines": ["\x1b[2Jforged"]}]
        document["searches"]["d"]["found"] = 2
    else:
        document["searches"]["d"]["hits"] = [{"trees": forged, "lines": ["\x1b[2Jforged"]}]
    checkpoint.write_text(json.dumps(document))
    capsys.readouterr()
    assert main(["search", str(spec), "--checkpoint", str(checkpoint), "--figures",
                 str(tmp_path / "figures"), "--to", "dot"]) == 0
    shown = capsys.readouterr().out
    assert "forged" not in shown and "claim x" not in shown
    assert "on the word of the checkpoint" not in shown  # started afresh, and says why
    assert "was not used, since a hit saved in it does not hold" in shown
    assert "tree t = " in shown


@pytest.mark.parametrize("change", ["examined", "fingerprint"])
def test_a_checkpoint_that_is_not_used_says_why(tmp_path, capsys, change):
    """Review: a checkpoint whose count of examined candidates was forged (5 where the
    bounds hold 13,034) was taken on its word, and one that was ignored said nothing."""
    import json

    from decisiontrees.cli import main

    spec = tmp_path / "s.dtree"
    spec.write_text("outcomes a, b\nsearch d(t, s) where strictly_dominates(t, s) "
                    "with nodes = 3, hits = all\n")
    checkpoint = tmp_path / "progress.json"
    assert main(["search", str(spec), "--checkpoint", str(checkpoint)]) == 0
    capsys.readouterr()
    document = json.loads(checkpoint.read_text())
    entry = document["searches"]["d"]
    if change == "examined":
        entry["examined"], entry["found"], entry["hits"] = entry["examined"] - 1, 0, []
        why = "its count of candidates examined is not the number those candidates hold"
    else:
        entry["fingerprint"] = "0" * 64
        why = "it was saved by this search over other bounds, settings or definitions"
    checkpoint.write_text(json.dumps(document))
    assert main(["search", str(spec), "--checkpoint", str(checkpoint)]) == 0
    shown = capsys.readouterr().out
    assert f"the checkpoint's progress for this search was not used, since {why}" in shown
    assert "on the word of the checkpoint" not in shown and "found 4 hits" in shown, shown


def test_a_checkpoint_that_is_a_named_pipe_is_refused(tmp_path, capsys):
    """Review: opening a FIFO waits for a writer, so the search hung past its --timeout."""
    import os

    from decisiontrees.cli import main

    spec = tmp_path / "s.dtree"
    spec.write_text("outcomes a, b\nsearch d(t) where tie(t) > 0 with nodes = 3\n")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(SystemExit) as stop:  # a usage error, as for a folder
        main(["search", str(spec), "--checkpoint", str(pipe)])
    assert stop.value.code == 2
    assert "it is not a regular file" in capsys.readouterr().err


def test_a_checkpoint_of_the_same_search_over_other_definitions_is_not_reused(write):
    """The fingerprint named the search's text and bounds only: after u changed, the old
    checkpoint's "none" was taken on its word (review)."""
    from decisiontrees.api import search_file

    search = "search over_one(t) where value(t, u) > 1 with nodes = 3 expect none\n"
    first = write({"a.dtree": "outcomes a, b, c\nutility u = {a: 0, b: 1, c: 1/2}\n" + search,
                   "b.dtree": "outcomes a, b, c\nutility u = {a: 0, b: 2, c: 1/2}\n" + search})
    checkpoint = str(first / "progress.json")
    (none,) = search_file(str(first / "a.dtree"), checkpoint).results
    assert none.status == "pass"
    (found,) = search_file(str(first / "b.dtree"), checkpoint).results
    assert found.status == "fail" and "checkpoint" not in found.answer.summary


def test_a_file_that_is_not_a_checkpoint_is_never_overwritten(write, capsys):
    """`--checkpoint cert.json` rewrote a certificate file (which then no longer verified),
    and a file holding `[]` was replaced outright (review). A file nested too deeply to read
    is refused the same way, without a crash."""
    from decisiontrees.api import search_file
    from decisiontrees.cli import main

    spec = "outcomes a, b\nsearch small(t) where strategies(t) == 2 with nodes = 3, hits = all\n"
    folder = write({"s.dtree": spec, "deep.json": "[" * 100_000 + "]" * 100_000,
                    "empty.json": "[]", "other.json": '{"format": "decisiontrees-certificates"}',
                    "text.json": "not json"})
    for name in ("deep.json", "empty.json", "other.json", "text.json"):
        before = (folder / name).read_text()
        with pytest.raises(ArgumentError, match="exists and is not a search checkpoint"):
            search_file(str(folder / "s.dtree"), str(folder / name))
        with pytest.raises(SystemExit) as stop:
            main(["search", "--checkpoint", str(folder / name), str(folder / "s.dtree")])
        assert stop.value.code == 2 and (folder / name).read_text() == before
    assert "is not a search checkpoint; name a new file" in capsys.readouterr().err
    # a checkpoint of the former layout (searches at the top level) is still one
    search_file(str(folder / "s.dtree"), str(folder / "new.json"))
    saved = json.loads((folder / "new.json").read_text())
    assert saved["format"] == "decisiontrees-search-checkpoint"
    (folder / "old.json").write_text(json.dumps(saved["searches"]))
    assert search_file(str(folder / "s.dtree"), str(folder / "old.json")).results


def test_a_checkpoint_that_cannot_be_written_leaves_the_search_its_answer(write, monkeypatch):
    """A checkpoint that failed to save (a full disk, say) ended the search in an internal
    error and lost its result (review): the search goes on and says progress was not saved."""
    from decisiontrees.api import search_file
    from decisiontrees.questions import search

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(search.os, "replace", full)
    folder = write({"s.dtree": "outcomes a, b\nsearch small(t) where strategies(t) == 2 "
                               "with nodes = 3, hits = all\n"})
    (result,) = search_file(str(folder / "s.dtree"), str(folder / "c.json")).results
    assert result.status == "answer" and result.answer.summary.startswith("found")
    assert any(line.startswith("progress was not saved: No space left on device")
               for line in result.lines())


def test_ctrl_c_stops_a_search_with_workers_quietly_and_saves_its_checkpoint(tmp_path):
    """Ctrl-C (SIGINT to the process group) printed the workers' tracebacks, and the child
    was killed before it saved where it had got to (review)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    spec = tmp_path / "s.dtree"
    spec.write_text("outcomes a, b, c\nsearch pp(t, s) where prefers(t, s) > 1/2 and "
                    "power(t) < power(s) with nodes = 7, hits = all, workers = 2\n")
    checkpoint = tmp_path / "progress.json"
    search = subprocess.Popen([sys.executable, "-m", "decisiontrees", "search", str(spec),
                               "--checkpoint", str(checkpoint), "--timeout", "600"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    waited = 0.0
    while not checkpoint.exists() and waited < 120:  # its first save: it is searching
        time.sleep(0.5)
        waited += 0.5
    saved = checkpoint.stat().st_mtime_ns
    time.sleep(1)
    os.killpg(search.pid, signal.SIGINT)
    out, err = search.communicate(timeout=60)
    assert search.returncode == 130 and err.strip() == "interrupted", err
    assert checkpoint.stat().st_mtime_ns > saved, "saved again when interrupted"


def test_a_space_of_too_many_trees_is_refused_before_the_rest_are_made():
    """The bound on candidates was checked after every tree was made: minutes and a GB for
    a space it then refused (review)."""
    from decisiontrees.analyses.enumeration import TooManyTrees

    bounds = Bounds(nodes=5, branching=2, probabilities=(Fraction(1, 2),),
                    outcomes=("a", "b", "c"))
    every = trees(bounds)
    assert [c.key for c in trees(bounds, limit=len(every))] == [c.key for c in every]
    with pytest.raises(TooManyTrees):
        trees(bounds, limit=len(every) - 1)
    (refused,) = run(parse("outcomes a, b, c, d\nsearch h(t, s) where dominates(t, s) "
                           "with nodes = 9\n"))
    assert refused.status == "refused" and "more than 3,162 trees" in refused.lines()[0]


def test_renamings_too_many_to_list_are_not_set_aside():
    """With 9 outcomes each candidate's form under all 362,880 renamings was computed: a
    3-node search timed out after 60 s, and 10 outcomes ran out of memory (review)."""
    spec = parse("outcomes a, b, c, d, e, f, g, h, i\n"
                 "search ren(t, s) where inclusion(t, s) with nodes = 3, hits = count\n"
                 "search few(t, s) where inclusion(t, s) with nodes = 3, hits = count, "
                 "outcomes = {a, b, c}\n")
    many, few = run(spec, timeout_seconds=60)
    # t = choice { x, y } (x ≠ y: 36 ways) over s = x or y, chance { x, y }, and chance or
    # choice { x, x }: 72 + 36 + 72 + 72 hits; over 3 outcomes 4, up to renaming
    assert many.status == "answer" and many.answer.summary.startswith("252 hits")
    assert any(line.startswith("renamings of the outcomes were not set aside: 362,880 per tree")
               for line in many.lines())
    assert few.answer.summary.startswith("4 hits")
    assert not any("not set aside" in line for line in few.lines())


def test_an_action_named_on_the_right_side_sees_every_order_and_may_not_apply():
    """`… < chosen(t, a1)` named its action only on the right side, so one order of children
    was searched and `expect none` passed (review); and a leaf candidate reached `chosen`
    through the right side, an internal error: the right side must apply too."""
    spec = parse("outcomes a, b, c\n"
                 "search right(t) where strategies(t) >= 2 and value(t, {a: 1/2, b: 1/2, c: 1/2})"
                 " < chosen(t, a1) with nodes = 5, kinds = {choice}, branching = 3 expect none\n"
                 "search leaves(t) where value(t, {*: 0}) < chosen(t, a2) with nodes = 3, "
                 "hits = count\n")
    right, leaves = run(spec)
    assert right.status == "fail" and "children in every order" in " ".join(right.lines())
    # 3 outcomes: choice { a1: x, a2: y } in all 9 orders has chosen(t, a2) > 0 (ties split);
    # the 3 leaves and the 9 chance nodes do not apply
    assert leaves.status == "answer" and leaves.answer.summary.startswith("9 hits")


def test_deeply_nested_json_is_refused_under_a_raised_recursion_limit(tmp_path):
    """With the recursion limit raised to 100,000 (a benchmark module imported by another
    test did so), reading a checkpoint nested 100,000 deep crashed the test run with a
    segmentation fault in json's C scanner. Run in a child, so a crash fails only this test."""
    import subprocess
    import sys

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    script = ("import sys; sys.setrecursionlimit(100_000)\n"
              "from decisiontrees.questions.search import checkpoint_problem\n"
              "from decisiontrees.evidence.verify import Failure, load_json\n"
              f"print(checkpoint_problem({str(deep)!r}))\n"
              "try:\n"
              f"    load_json({str(deep)!r})\n"
              "except Failure as failure:\n"
              "    print(failure)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "is not a search checkpoint" in done.stdout and "nested too deeply" in done.stdout
