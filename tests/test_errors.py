"""Golden tests: every kind of invalid input gets its exact message, place, caret and hint."""

from __future__ import annotations

import os

import pytest

from decisiontrees import SpecError, load

OUT = "outcomes a, b, staples\n"

# (name, files, expected rendering); the spec under test is always main.dtree.
CASES = [
    ("unclosed brace", {"main.dtree": OUT + "tree t = choice { a, b\n"}, """\
main.dtree:2:17: error: `{` is never closed
    tree t = choice { a, b
                    ^
hint: the file ends before the matching `}`"""),
    ("missing separator", {"main.dtree": OUT + "tree t = choice { a b }\n"}, """\
main.dtree:2:21: error: missing `,` before `b`
    tree t = choice { a b }
                        ^
hint: separate entries with commas"""),
    ("question without its keyword", {"main.dtree": OUT + "utility u = {a: 1, b: 0}\n"
                                                    "value(choice { a, b }, u)\n"}, """\
main.dtree:3:1: error: a question needs `query` or `claim` before `value`
    value(choice { a, b }, u)
    ^^^^^
hint: write `query value(…)` to see the answer, or `claim value(…) == …` to check it"""),
    ("misspelt statement keyword after a list", {"main.dtree": OUT + "parameter p in [0, 1]\n"}, """\
main.dtree:2:1: error: unknown statement `parameter`
    parameter p in [0, 1]
    ^^^^^^^^^
hint: did you mean `param`?"""),
    ("a word far from every keyword after a list is still a missing comma",
     {"main.dtree": OUT + "c\n"}, """\
main.dtree:2:1: error: missing `,` before `c`
    c
    ^
hint: separate entries with commas"""),
    ("missing separator before a call inside brackets",
     {"main.dtree": OUT + "query value(choice { a, b },\n  {a: 1, b: 0}\n  power(1))\n"}, """\
main.dtree:4:3: error: missing `,` before `power`
      power(1))
      ^^^^^
hint: separate entries with commas"""),
    ("bad number", {"main.dtree": OUT + "tree t = chance { 0.5.1: a, 1/2: b }\n"}, """\
main.dtree:2:19: error: bad number `0.5.1`
    tree t = chance { 0.5.1: a, 1/2: b }
                      ^^^^^
hint: write numbers as 3, 0.25 or 1/4"""),
    ("letters after digits", {"main.dtree": OUT + "utility u = {a: 0x10, b: 0}\n"}, """\
main.dtree:2:17: error: bad number `0x10`
    utility u = {a: 0x10, b: 0}
                    ^^^^
hint: write numbers in decimal digits: 3, 0.25, 1/4 or 1e3"""),
    ("unexpected token", {"main.dtree": OUT + "tree t = choice { a, b ]\n"}, """\
main.dtree:2:24: error: unexpected `]`; expected `,`, `:`, `}`
    tree t = choice { a, b ]
                           ^"""),
    ("single equals in a claim", {"main.dtree": OUT + "claim strategies(a) = 1\n"}, """\
main.dtree:2:21: error: unexpected `=`
    claim strategies(a) = 1
                        ^
hint: write `==` to compare"""),
    ("unknown name with suggestion", {"main.dtree": OUT + "tree t = choice { staplse, a }\n"}, """\
main.dtree:2:19: error: unknown outcome or tree `staplse`
    tree t = choice { staplse, a }
                      ^^^^^^^
hint: did you mean `staples`?"""),
    ("duplicate definition", {"main.dtree": OUT + "tree a = choice { b }\n"}, """\
main.dtree:2:6: error: `a` is defined twice
    tree a = choice { b }
         ^
hint: it is already an outcome, defined at main.dtree:1:10"""),
    ("probabilities do not sum to 1", {"main.dtree": OUT + "tree t = chance { 1/2: a, 1/3: b }\n"}, """\
main.dtree:2:10: error: probabilities sum to 5/6, not 1
    tree t = chance { 1/2: a, 1/3: b }
             ^^^^^^^^^^^^^^^^^^^^^^^^^
hint: the probabilities are 1/2, 1/3"""),
    ("negative probability", {"main.dtree": OUT + "tree t = chance { -1/2: a, 3/2: b }\n"}, """\
main.dtree:2:19: error: probability -1/2 is negative
    tree t = chance { -1/2: a, 3/2: b }
                      ^^^^
hint: probabilities are between 0 and 1"""),
    ("negative parametric probability",
     {"main.dtree": OUT + "param p in (0, 1)\ntree t = chance { 2*p: a, 1 - 2*p: b }\n"}, """\
main.dtree:3:27: error: probability 1 - 2*p is negative at p = 3/4 (it is -1/2)
    tree t = chance { 2*p: a, 1 - 2*p: b }
                              ^^^^^^^
hint: restrict the parameter's domain"""),
    ("empty choice", {"main.dtree": OUT + "tree t = choice { }\n"}, """\
main.dtree:2:10: error: empty choice node
    tree t = choice { }
             ^^^^^^^^^^
hint: a choice needs at least one option"""),
    ("empty chance", {"main.dtree": OUT + "tree t = chance {}\n"}, """\
main.dtree:2:10: error: empty chance node
    tree t = chance {}
             ^^^^^^^^^
hint: a chance node needs at least one branch"""),
    ("reference cycle", {"main.dtree": OUT + "tree t = choice { a, u }\ntree u = choice { t }\n"}, """\
main.dtree:3:19: error: reference cycle: t → u → t
    tree u = choice { t }
                      ^
hint: a tree cannot contain itself"""),
    ("include cycle", {
        "main.dtree": 'include "other.dtree"\n' + OUT,
        "other.dtree": 'include "main.dtree"\n',
    }, """\
other.dtree:1:1: error: include cycle: main.dtree → other.dtree → main.dtree
    include "main.dtree"
    ^^^^^^^^^^^^^^^^^^^^"""),
    ("missing include", {"main.dtree": 'include "comon.dtree"\n' + OUT, "common.dtree": "outcomes z\n"}, """\
main.dtree:1:1: error: cannot include "comon.dtree": No such file or directory
    include "comon.dtree"
    ^^^^^^^^^^^^^^^^^^^^^
hint: did you mean `common.dtree`?"""),
    ("utility misses outcomes", {"main.dtree": OUT + "utility u = {a: 1}\n"}, """\
main.dtree:2:13: error: the utility function misses `b`, `staples`
    utility u = {a: 1}
                ^^^^^^
hint: give every outcome a value, or add `*: 0` for the rest"""),
    ("utility invents an outcome", {"main.dtree": OUT + "utility u = {a: 1, stapels: 2, *: 0}\n"}, """\
main.dtree:2:20: error: unknown outcome `stapels`
    utility u = {a: 1, stapels: 2, *: 0}
                       ^^^^^^^^^^
hint: did you mean `staples`?"""),
    ("undeclared parameter", {"main.dtree": OUT + "tree t = chance { q: a, 1 - q: b }\n"}, """\
main.dtree:2:19: error: undeclared parameter `q`
    tree t = chance { q: a, 1 - q: b }
                      ^
hint: declare it: `param q in (0, 1)`"""),
    ("empty file", {"main.dtree": ""}, """\
main.dtree:1:1: error: the file is empty
hint: declare outcomes and trees; see docs/language.md"""),
    ("comments only", {"main.dtree": "# nothing here\n"}, """\
main.dtree:1:1: error: the file has no declarations or statements
    # nothing here
    ^
hint: declare outcomes and trees; see docs/language.md"""),
    ("not UTF-8", {"main.dtree": b"outcomes a\ntree t = choice { a, \xff }\n"}, """\
main.dtree:2:22: error: not valid UTF-8: byte 0xff cannot start a character
    tree t = choice { a, \ufffd }
                         ^
hint: save the file as UTF-8"""),
    ("not UTF-8 after a letter of two bytes",
     {"main.dtree": b"outcomes \xc3\xa4\ntree t = choice { \xc3\xa4, \xff }\n"}, """\
main.dtree:2:22: error: not valid UTF-8: byte 0xff cannot start a character
    tree t = choice { \u00e4, \ufffd }
                         ^
hint: save the file as UTF-8"""),
    ("keyword as a name", {"main.dtree": OUT + "tree choice = chance { 1: a }\n"}, """\
main.dtree:2:6: error: `choice` is a keyword, not a name
    tree choice = chance { 1: a }
         ^^^^^^
hint: choose another name"""),
    ("duplicate action", {"main.dtree": OUT + "tree t = choice { a, a }\n"}, """\
main.dtree:2:22: error: action `a` appears twice in this choice
    tree t = choice { a, a }
                         ^
hint: label the edges apart, e.g. `again: …`"""),
    ("unknown question", {"main.dtree": OUT + "query valeu(a, {*: 0})\n"}, """\
main.dtree:2:7: error: unknown question `valeu`
    query valeu(a, {*: 0})
          ^^^^^
hint: did you mean `value`?"""),
    ("lottery that does not sum to 1", {"main.dtree": OUT + "claim contains(a, {a: 1/2})\n"}, """\
main.dtree:2:19: error: the lottery's probabilities sum to 1/2, not 1
    claim contains(a, {a: 1/2})
                      ^^^^^^^^"""),
    ("parametric tree without values", {
        "main.dtree": OUT + "param p in (0, 1)\ntree t = chance { p: a, 1 - p: b }\n"
        "claim strictly_dominates(t, a)\n"}, """\
main.dtree:4:7: error: `t` has parameters p; strictly_dominates() needs their values
    claim strictly_dominates(t, a)
          ^^^^^^^^^^^^^^^^^^^^^^^^
hint: e.g. strictly_dominates(…, p = 1/2)"""),
    ("parameter value outside its domain", {
        "main.dtree": OUT + "param p in (0, 1)\ntree t = chance { p: a, 1 - p: b }\n"
        "query value(t, {*: 1}, p = 2)\n"}, """\
main.dtree:4:28: error: p = 2 is outside its domain (p in (0, 1))
    query value(t, {*: 1}, p = 2)
                               ^"""),
    ("claim without comparison", {"main.dtree": OUT + "claim value(a, {*: 1})\n"}, """\
main.dtree:2:1: error: a claim about value() needs a comparison
    claim value(a, {*: 1})
    ^^^^^^^^^^^^^^^^^^^^^^
hint: e.g. `claim value(…) == 1`"""),
    ("empty utility class", {"main.dtree": OUT + "class c = {a > b, b > a}\n"}, """\
main.dtree:2:7: error: the utility class `c` is empty
    class c = {a > b, b > a}
          ^
hint: these constraints conflict: `a > b` (2:12), `b > a` (2:19)"""),
    ("non-linear constraint", {"main.dtree": OUT + "class c = {a * b >= 0}\n"}, """\
main.dtree:2:12: error: a constraint must be linear
    class c = {a * b >= 0}
               ^^^^^
hint: multiply by numbers only"""),
    ("not-equal in a class", {"main.dtree": OUT + "class c = {a != b}\n"}, """\
main.dtree:2:12: error: `!=` cannot be part of a utility class
    class c = {a != b}
               ^^^^^^
hint: a class is convex: use <, <=, ==, >= or >"""),
    ("unknown feature", {"main.dtree": "outcomes a { resources: 1 }, b\n"
                                       "class c = features {resorces >= 0}\n"}, """\
main.dtree:2:21: error: `resorces` is not a feature
    class c = features {resorces >= 0}
                        ^^^^^^^^
hint: did you mean `resources`?"""),
    ("unknown class in a relation", {"main.dtree": OUT + "class ordered = {a >= b}\n"
                                                   "claim dominates(a, b, orderd)\n"}, """\
main.dtree:3:23: error: dominates() expects the name of a utility class here
    claim dominates(a, b, orderd)
                          ^^^^^^
hint: did you mean `ordered`?"""),
    ("compare needs a word", {"main.dtree": OUT + "claim compare(a, b) == better\n"}, """\
main.dtree:2:24: error: expected how the trees compare
    claim compare(a, b) == better
                           ^^^^^^
hint: one of dominates, dominated, equivalent, incomparable"""),
    ("division by zero", {"main.dtree": OUT + "tree t = chance { 1/0: a }\n"}, """\
main.dtree:2:21: error: division by zero
    tree t = chance { 1/0: a }
                        ^
hint: this divisor is 0"""),
    ("a mapping as a law's parameter", {"main.dtree": OUT + "distribution d = power({a: 1})\n"}, """\
main.dtree:2:24: error: a law's parameters are numbers
    distribution d = power({a: 1})
                           ^^^^^^"""),
    # the last one won silently: a claim checked under another rule than the one read first
    ("an option given twice", {"main.dtree": OUT + "tree t = choice { x: a, y: b }\n"
                                               "query chosen(t, x, rule = best_of(2), "
                                               "rule = best_of(3))\n"}, """\
main.dtree:3:39: error: `rule` is given twice
    query chosen(t, x, rule = best_of(2), rule = best_of(3))
                                          ^^^^^^^^^^^^^^^^^
hint: give each option once"""),
]


@pytest.mark.parametrize("files, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_is_reported_exactly(write, monkeypatch, files, expected):
    folder = write(files)
    monkeypatch.chdir(folder)
    with pytest.raises(SpecError) as raised:
        load("main.dtree")
    assert str(raised.value) == expected


def test_every_problem_of_a_file_is_reported_in_one_run(write, monkeypatch):
    monkeypatch.chdir(write({"main.dtree": OUT + (
        "tree t = choice { staplse, a }\n"
        "tree u = chance { 1/2: a, 1/3: b }\n"
        "utility v = {a: 1}\n"
    )}))
    with pytest.raises(SpecError) as raised:
        load("main.dtree")
    places = [(d.span.line, d.span.column) for d in raised.value.diagnostics]
    assert places == [(2, 19), (3, 10), (4, 13)]


def test_included_definitions_are_shared(write, monkeypatch):
    monkeypatch.chdir(write({
        "main.dtree": 'include "lib/common.dtree"\ntree t = choice { a, sub }\n'
                      "claim plans(t) == 3\n",
        "lib/common.dtree": "outcomes a, b, c\ntree sub = choice { b, c }\nclaim strategies(sub) == 9\n",
    }))
    spec = load("main.dtree")
    assert set(spec.trees) == {"t", "sub"}
    # statements of included files run when those files are checked, not when included
    assert [s.text for s in spec.statements] == ["claim plans(t) == 3"]
    assert spec.files == (os.path.join("lib", "common.dtree"), "main.dtree")


def test_a_probability_that_sympy_decides_alone_is_checked_without_the_solver():
    from decisiontrees import parse

    spec = parse("outcomes a, b\nparam p in (0, 1/2)\ntree t = chance { p*p: a, 1 - p*p: b }\n")
    assert "t" in spec.trees
    with pytest.raises(SpecError, match="probability -p\\*\\*2 - 1 is negative"):
        parse("outcomes a, b\nparam p in (0, 1/2)\ntree t = chance { -1 - p*p: a, 2 + p*p: b }\n")


def _api_misuses():
    from fractions import Fraction

    import decisiontrees as dt

    run = dt.choice({"o1": "o1", "o2": "o2"})
    off = dt.leaf("off")
    u = {"o1": 1, "o2": 0}
    return {
        "choice of a list": lambda: dt.choice(["a", "b"]),
        "choice of nothing": lambda: dt.choice({}),
        "a child that is no node": lambda: dt.choice({"a": 3}),
        "uniform of nothing": lambda: dt.uniform([]),
        "chance of a mapping": lambda: dt.chance({"a": "1/2"}),
        "chance with a float": lambda: dt.chance([(0.5, "a"), (0.5, "b")]),
        "a branch that is no pair": lambda: dt.chance([(Fraction(1), "a", "b")]),
        "leaf of a number": lambda: dt.leaf(1),
        "leaf of nothing": lambda: dt.leaf(""),
        "a class that is a string": lambda: dt.dominates(run, off, "nope"),
        "an endless timeout": lambda: dt.dominates(run, off, timeout=float("inf")),
        "parse of None": lambda: dt.parse(None),
        "parse of bytes": lambda: dt.parse(b"outcomes a"),
        "load of None": lambda: dt.load(None),
        "load of nothing": lambda: dt.load(),
        "check_paths of one string": lambda: dt.check_paths("examples"),
        "count_plans of None": lambda: dt.count_plans(None),
        "count_pure_strategies of text": lambda: dt.count_pure_strategies("x"),
        "plans of None": lambda: dt.plans(None),
        "plans up to 0": lambda: dt.plans(run, limit=0),
        "reachable_outcomes of a number": lambda: dt.reachable_outcomes(3),
        "an_optimal_plan without a utility": lambda: dt.an_optimal_plan(run, None),
        "optimal_plans up to 'x'": lambda: dt.optimal_plans(run, u, limit="x"),
        "optimal_plans up to -1": lambda: dt.optimal_plans(run, u, limit=-1),
        "an unknown scipy law": lambda: dt.power(run, dt.Distribution("scipy", ("__class__",))),
        "an unknown kind of law": lambda: dt.power(run, dt.Distribution("nope")),
        "a negative seed": lambda: dt.power(run, samples=10, seed=-1),
        "a seed that is text": lambda: dt.power(run, samples=10, seed="x"),
    }


@pytest.mark.parametrize("misuse", sorted(_api_misuses()))
def test_bad_arguments_to_the_api_are_argument_errors(misuse):
    """Each raised a raw AttributeError, TypeError, OverflowError or ValueError, or was
    accepted (check_paths("examples") read the letters as paths; load() gave an empty spec)
    (review). The README promises dt.ArgumentError naming the call."""
    import decisiontrees as dt

    with pytest.raises(dt.ArgumentError, match=r"^[a-z_]+\(\): "):
        _api_misuses()[misuse]()
