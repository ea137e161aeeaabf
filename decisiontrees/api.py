"""The public Python API: every question of the language as a function, and checking files.

The CLI is a thin layer over these functions, so both give the same answers. Functions
validate their arguments and raise :class:`ArgumentError` naming the call and the argument.
Trees are model nodes (``choice``, ``chance``, ``uniform``, ``leaf`` or ``spec.tree(name)``);
utility functions and lotteries are mappings from outcomes to exact numbers (ints, Fractions
or strings such as ``"1/2"``).

>>> import decisiontrees as dt
>>> run = dt.choice({"o1": "o1", "o2": "o2"})
>>> dt.dominates(run, dt.leaf("o1")).holds
True
>>> dt.convergence(run, dt.leaf("off")).level
'strict'
>>> dt.power(run).power.value
Fraction(2, 3)
"""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from fractions import Fraction
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses import agents, choice_sets, orbits, permutations, relations, rules
from decisiontrees.analyses import mdp as mdp_analysis
from decisiontrees.analyses import plans as plan_analysis
from decisiontrees.analyses.agents import ChoiceAnswer, PairAnswer, PowerAnswer, Sampling
from decisiontrees.analyses.choice_sets import ClassChoice
from decisiontrees.analyses.membership import Membership
from decisiontrees.analyses.membership import contains as _contains
from decisiontrees.analyses.orbits import Share, Strength
from decisiontrees.analyses.parametric_agents import PiecewiseAnswer
from decisiontrees.analyses.permutations import PermutationGroup
from decisiontrees.analyses.relations import Verdict
from decisiontrees.analyses.rules import RuleChoice
from decisiontrees.checking.loader import load, load_question, parse
from decisiontrees.checking.statements import MAX_SAMPLES
from decisiontrees.errors import (
    ArgumentError,
    DecisionTreesError,
    Diagnostic,
    Span,
    SpecError,
    Undecided,
)
from decisiontrees.evidence.verify import (
    CLAIMS_FORMAT,
    Failure,
    Summary,
    load_json,
    read_claims,
    remaining,
    shown,
)
from decisiontrees.evidence.verify import DEFAULT_SECONDS as VERIFY_SECONDS
from decisiontrees.evidence.verify import FORMAT as CERTIFICATE_FORMAT
from decisiontrees.evidence.verify import VERSION as CERTIFICATE_VERSION
from decisiontrees.evidence.verify import check as check_certificates
from decisiontrees.formats.json_spec import export
from decisiontrees.language.files import Unreadable, read_bytes
from decisiontrees.language.syntax import EXTENSION
from decisiontrees.model.arguments import (
    number_mapping,
    numeric_tree,
    tree_argument,
)
from decisiontrees.model.classes import UtilityClass
from decisiontrees.model.laws import LAWS, UNIFORM, Distribution, law_problem, scipy_law
from decisiontrees.model.mdp import MDP
from decisiontrees.model.nodes import Choice, Node, is_symbolic, outcomes_of
from decisiontrees.model.rules import CLASS_RULES, DecisionRule, rule_problem
from decisiontrees.model.spec import Spec, StatementKind, TreeArg
from decisiontrees.questions.base import Status
from decisiontrees.questions.relations import certifiable, claim_document
from decisiontrees.questions.run import Result, RunLimits, run, run_statement
from decisiontrees.questions.search import (
    CHECKPOINT,
    CLUSTER_HINT,
    DEFINITIONS,
    SCHEDULER,
    SearchEvidence,
    checkpoint_problem,
)
from decisiontrees.render.dot import to_dot
from decisiontrees.render.dot import write as draw_dot
from decisiontrees.render.explain import Explanation, explain
from decisiontrees.render.plot import plot as draw_plot
from decisiontrees.report import REPORT_FORMATS, FileReport, ResultReport, leading_comment, render_report

# ---------------------------------------------------------------- checking files


def spec_files(paths: Iterable[str]) -> list[str]:
    """The named files, and the spec files found (recursively, sorted) in named folders."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in sorted(os.walk(path)):
                found.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith(EXTENSION))
        else:
            found.append(path)
    return found


def check_file(path: str, timeout_seconds: float | None = None,
               memory_bytes: int = limits.DEFAULT_MEMORY_BYTES,
               parameters: Mapping[str, Fraction] | None = None,
               undeclared_ok: bool = False, workers: int = 1) -> FileReport:
    """Load one spec file and answer its statements; an invalid file reports its diagnostics.
    Each statement may take ``timeout_seconds`` (unless it sets its own) and ``memory_bytes``;
    ``parameters`` fixes parameter values as :func:`decisiontrees.load` does; ``workers`` > 1
    lets an exact random-agent answer integrate its regions in that many forked processes,
    and P3/P4's integer program run beside the search for ``σ``."""
    with _workers("check_file", workers):
        try:
            spec = load(path, parameters=parameters, undeclared_ok=undeclared_ok)
        except SpecError as error:
            return FileReport(path, diagnostics=error.diagnostics)
        return FileReport(path, results=run(spec, timeout_seconds, memory_bytes=memory_bytes),
                          fixed=spec.fixed)


def check_paths(paths: Iterable[str], timeout_seconds: float | None = None,
                memory_bytes: int = limits.DEFAULT_MEMORY_BYTES,
                parameters: Mapping[str, Fraction] | None = None,
                workers: int = 1) -> list[FileReport]:
    """:func:`check_file` for every spec file named or found in a named folder. With several
    files, ``parameters`` apply to the files that declare them; a name that no valid file
    declares raises ArgumentError."""
    if isinstance(paths, (str, os.PathLike)):
        raise ArgumentError("check_paths(): paths is a list of files and folders (for one file, "
                            "check_file(path))")
    paths = list(paths)
    files = spec_files(paths)
    if not files:
        where = ", ".join(paths) or "."
        return [FileReport(where, diagnostics=(Diagnostic(
            Span(where, 1, 1, 1, 1), f"no {EXTENSION} files found", None),))]
    reports = []
    for number, path in enumerate(files, start=1):
        if len(files) > 1 and sys.stderr.isatty():
            print(f"[{number}/{len(files)}] {path}", file=sys.stderr, end="\r", flush=True)
        reports.append(check_file(path, timeout_seconds, memory_bytes, parameters,
                                  undeclared_ok=len(files) > 1, workers=workers))
    if parameters and len(files) > 1 and all(r.valid for r in reports):
        used = {name for r in reports for name in r.fixed}
        unused = sorted(set(parameters) - used)
        if unused:
            raise ArgumentError(f"--param {unused[0]}: no file declares a parameter "
                                f"`{unused[0]}`")
    return reports


def report_paths(paths: Iterable[str], timeout_seconds: float | None = None,
                 memory_bytes: int = limits.DEFAULT_MEMORY_BYTES,
                 times: bool = True, figures: str | None = None,
                 draw_into: str | None = None, workers: int = 1) -> list[ResultReport]:
    """Check every spec file named or found in a named folder (as :func:`check_paths`) and
    keep, for each, its leading comment (source, what is formalised) and, with ``times``, the
    seconds checking it took. With ``figures`` (a folder as the write-up links it), each file
    gets a figure where one helps — the explanation of its first comparison of two named
    trees, else its first tree without parameters — drawn as SVG into ``draw_into`` when
    that is given.
    ``render_report`` writes them up."""
    paths = list(paths)
    files = spec_files(paths)
    if not files:
        return [ResultReport(report) for report in check_paths(paths)]
    reports = []
    drawn: set[str] = set()  # figure files, one per spec file even when names repeat
    for number, path in enumerate(files, start=1):
        if len(files) > 1 and sys.stderr.isatty():
            print(f"[{number}/{len(files)}] {path}", file=sys.stderr, end="\r", flush=True)
        started = time.monotonic()
        report = check_file(path, timeout_seconds, memory_bytes, workers=workers)
        seconds = time.monotonic() - started
        found = _figure(path, report) if figures is not None and report.valid else None
        link = caption = None
        if found is not None and figures is not None:
            caption, dot_text = found
            stem = os.path.splitext(os.path.basename(path))[0]
            name = next(f"{stem}{suffix}.svg" for suffix in
                        ("", *(f"-{k}" for k in range(2, len(files) + 2)))
                        if f"{stem}{suffix}.svg" not in drawn)  # a/x.dtree and b/x.dtree
            drawn.add(name)
            link = f"{figures.rstrip('/')}/{name}"
            if draw_into is not None:
                os.makedirs(draw_into, exist_ok=True)
                draw_dot(dot_text, os.path.join(draw_into, name), "svg")
        reports.append(ResultReport(report, _header(path), seconds if times else None, link,
                                    caption or ""))
    return reports


FIGURE_RELATIONS = ("dominates", "strictly_dominates", "compare", "equivalent", "incomparable",
                    "inclusion", "interiority")


def _figure(path: str, report: FileReport) -> tuple[str, str] | None:
    """A caption and DOT text: how the first two named trees a statement compares relate
    (render --explain) in the class the statement names, or else the file's first tree
    without parameters; None when it has neither."""
    spec = load(path)
    for result in report.results:
        question = result.statement.question
        tree, other = getattr(question, "tree", None), getattr(question, "other", None)
        if result.statement.name not in FIGURE_RELATIONS or not isinstance(tree, TreeArg) \
                or not isinstance(other, TreeArg) or tree.name not in spec.trees \
                or other.name not in spec.trees:
            continue
        utility_class = getattr(question, "utility_class", None)
        if utility_class is not None and spec.classes.get(utility_class.name) != utility_class:
            continue  # a class written in the statement: the figure could not show it
        if getattr(question, "fixing", None) or getattr(question, "within", None):
            continue  # a permuted relation: the figure would show plain dominance
        try:
            figure = explain(spec, tree.name, other.name,
                             utility_class.name if utility_class is not None else None)
        except DecisionTreesError:
            continue
        return figure.title, figure.dot()
    for name, node in spec.trees.items():
        if not is_symbolic(node):
            return f"tree {name}", to_dot(node, name)
    return None


def write_report(paths: Iterable[str], to: str = "markdown",
                 timeout_seconds: float | None = None,
                 memory_bytes: int = limits.DEFAULT_MEMORY_BYTES,
                 times: bool = True, figures: str | None = None,
                 draw_into: str | None = None, workers: int = 1
                 ) -> tuple[str, list[ResultReport]]:
    """The write-up of the spec files in ``paths`` in ``to`` (markdown, latex or html), and
    the reports it was made from (for their verdicts); ``figures`` and ``draw_into`` as for
    :func:`report_paths` (figures are linked from Markdown and HTML)."""
    if to not in REPORT_FORMATS:
        raise ArgumentError(f"write_report(): to must be one of {', '.join(REPORT_FORMATS)}, "
                            f"not {to!r}")
    reports = report_paths(paths, timeout_seconds, memory_bytes, times, figures, draw_into,
                           workers)
    return render_report(reports, to), reports


def _header(path: str) -> tuple[str, ...]:
    """The file's leading comment (after a byte-order mark, as the loader reads it); nothing
    if it cannot be read (checking it says why)."""
    try:
        text = read_bytes(path).decode("utf-8", errors="replace")
    except Unreadable:
        return ()
    return leading_comment(text.removeprefix("\ufeff"))


def search_file(path: str, checkpoint: str | None = None,
                timeout_seconds: float | None = None,
                memory_bytes: int = limits.DEFAULT_MEMORY_BYTES,
                scheduler: str | None = None) -> FileReport:
    """Run the `search` statements of a spec file (and nothing else). With ``checkpoint``,
    progress is saved to that file as it goes, and a search stopped before (interrupted or out
    of time) resumes where it was. With ``scheduler`` (a Dask scheduler's address), the
    candidates are examined by that cluster's workers: the same hits in the same order."""
    try:
        spec = load(path)
    except SpecError as error:
        return FileReport(path, diagnostics=error.diagnostics)
    searches = tuple(s for s in spec.statements if s.name == "search")
    problem = checkpoint_problem(checkpoint) if checkpoint is not None else None
    if problem is not None:
        raise ArgumentError(f"search: cannot save progress to {checkpoint!r}: {problem}")
    if scheduler is not None and importlib.util.find_spec("distributed") is None:
        raise ArgumentError(CLUSTER_HINT)
    if not searches:
        raise ArgumentError(f"search: {path} has no `search` statement")
    token, cluster = CHECKPOINT.set(checkpoint), SCHEDULER.set(scheduler)
    named = DEFINITIONS.set(_definitions(spec) if checkpoint is not None else "")
    try:
        return FileReport(path, results=run(replace(spec, statements=searches),
                                            timeout_seconds, memory_bytes=memory_bytes))
    finally:
        CHECKPOINT.reset(token)
        SCHEDULER.reset(cluster)
        DEFINITIONS.reset(named)


def _definitions(spec: Spec) -> str:
    """Everything a search's condition may name (trees, utilities, classes, laws, outcomes,
    parameters and their fixed values), as the JSON export writes it."""
    document = export(spec)
    document.pop("statements", None)
    document["fixed"] = {name: str(value) for name, value in spec.fixed.items()}
    return json.dumps(document, sort_keys=True)


def hit_explanations(path: str, report: FileReport) -> list[tuple[str, Explanation | str]]:
    """For each hit of each two-tree search in ``report`` (from :func:`search_file`), the
    explanation figure of how its two trees compare (as ``render --explain`` draws it), or
    why there is none; named ``<search>-<k>``."""
    spec = load(path)
    found: list[tuple[str, Explanation | str]] = []
    for result in report.results:
        evidence = result.answer.evidence
        if not isinstance(evidence, SearchEvidence) or len(evidence.question.variables) != 2:
            continue
        for number, hit in enumerate(evidence.hits, start=1):
            name = f"{evidence.question.name}-{number}"
            (left, _), (right, _) = hit.trees
            text = "outcomes " + ", ".join(spec.outcomes) + "\n" + "".join(
                f"tree {variable} = {tree}\n" for variable, tree in hit.trees)
            try:
                found.append((name, explain(parse(text), left, right)))
            except DecisionTreesError as problem:
                found.append((name, str(problem)))
    return found


def ask(path: str, question: str, parameters: Mapping[str, Fraction] | None = None,
        timeout_seconds: float | None = None,
        memory_bytes: int = limits.DEFAULT_MEMORY_BYTES) -> Result:
    """Answer one question, written as in a spec (``"power(t)"``), about the spec in
    ``path``, with the limits of a statement; ``parameters`` fixes parameter values."""
    spec, statement = load_question(path, question, parameters)
    return run_statement(statement, spec, RunLimits(timeout_seconds, memory_bytes))


MAX_SWEEP_POINTS = 10_000


def sweep(path: str, question: str, parameter: str, values: Iterable[Fraction],
          timeout_seconds: float | None = None,
          parameters: Mapping[str, Fraction] | None = None) -> list[tuple[Fraction, Result]]:
    """``question`` answered at each value of ``parameter`` (at most MAX_SWEEP_POINTS), the
    other ``parameters`` fixed as :func:`ask` fixes them."""
    grid = list(values)
    if len(grid) > MAX_SWEEP_POINTS:
        raise ArgumentError(f"sweep(): {len(grid)} values, more than {MAX_SWEEP_POINTS}")
    if parameters and parameter in parameters:
        raise ArgumentError(f"sweep(): `{parameter}` is both swept and fixed")
    rows = []
    for value in grid:
        try:
            rows.append((value, ask(path, question, {**(parameters or {}), parameter: value},
                                    timeout_seconds)))
        except ArgumentError as error:  # name the sweep, not a --param the user did not give
            raise ArgumentError(str(error).replace(f"--param {parameter}=",
                                                   f"--sweep {parameter}: the value ")) from None
    return rows


def plot_answer(path: str, question: str, output: str,
                parameters: Mapping[str, Fraction] | None = None,
                timeout_seconds: float | None = None, dpi: int | None = None) -> str:
    """Draw the exact answer to ``question`` against the one parameter it depends on (see
    decisiontrees.render.plot); returns the file written. Raises ArgumentError when the
    answer is not an exact function of one parameter, with the reason."""
    spec, statement = load_question(path, question, parameters)
    result = run_statement(statement, spec, RunLimits(timeout_seconds))
    if result.status != Status.ANSWER or not result.answer.exact:
        reason = "; ".join(result.lines()[:2]) or result.answer.summary
        problem = f"plot: `{question}` has no exact answer to draw ({reason})"
        if result.status in (Status.UNKNOWN, Status.REFUSED):
            raise Undecided(problem)  # a limit reached: nothing wrong with the question
        raise ArgumentError(problem)
    answer = result.answer.comparable
    if isinstance(answer, PiecewiseAnswer):
        name = answer.parameter
    else:
        names = sorted(s.name for s in getattr(answer, "free_symbols", ()))
        if len(names) != 1:
            raise ArgumentError(f"plot: the answer to `{question}` is "
                                + ("a number" if not names else
                                   f"a function of {', '.join(names)}")
                                + "; a plot needs a function of one parameter (give the others "
                                  "values with --param)")
        name = names[0]
    return draw_plot(answer, spec.parameters[name], f"{question} = {result.answer.summary}"
                     if len(result.answer.summary) < 80 else question, output, dpi)


def certificates(reports: Iterable[FileReport]) -> dict[str, Any]:
    """Every certificate of the reports, in the format `decisiontrees verify` reads: for each
    certifiable claim (docs/certificates.md), its certificate or the reason it has none."""
    reports = list(reports)
    found: list[dict[str, Any]] = []
    uncertified: list[dict[str, Any]] = []
    uncovered: list[dict[str, Any]] = []  # claims no certificate can cover: the run's status
    for report in reports:
        for result in report.results:
            statement = result.statement
            claim = {"file": statement.span.path, "line": statement.span.line,
                     "text": statement.text}
            if not certifiable(statement):
                if statement.kind == StatementKind.CLAIM:
                    uncovered.append({"claim": claim, "status": str(result.status)})
                continue
            if result.answer.certificate is not None:
                found.append({"claim": claim, **result.answer.certificate})
            else:
                reason = (result.lines() or (result.answer.summary,))[0]
                uncertified.append({"claim": claim, "status": str(result.status),
                                    "reason": reason[:500]})
    return {"format": CERTIFICATE_FORMAT, "version": CERTIFICATE_VERSION,
            "specs": [report.path for report in reports if report.valid],
            "certificates": found, "uncertified": uncertified, "uncovered": uncovered,
            "invalid": [report.path for report in reports if not report.valid]}


def claims(specs: Iterable[Spec]) -> dict[str, Any]:
    """What the specs claim, in the form `verify` binds certificates to: each certifiable
    statement's place, relation, trees, class and permutation group; and the place of every
    other claim (the certificate file records the check run's status of those)."""
    specs = list(specs)
    return {"format": CLAIMS_FORMAT, "version": CERTIFICATE_VERSION,
            "claims": [claim_document(statement, spec) for spec in specs
                       for statement in spec.statements if certifiable(statement)],
            "others": [{"file": statement.span.path, "line": statement.span.line,
                        "text": statement.text} for spec in specs
                       for statement in spec.statements
                       if statement.kind == StatementKind.CLAIM and not certifiable(statement)]}


def verify_certificates(certificate_path: str, spec_paths: Sequence[str] = (),
                        timeout: float | None = VERIFY_SECONDS) -> Summary:
    """Check a certificate file against the claims of the specs (by default the spec files the
    certificate file names) within ``timeout`` seconds. Raises verify.Failure saying why it
    does not check (or that time ran out), SpecError if a spec is invalid."""
    started = time.monotonic()
    document = load_json(certificate_path, timeout)  # reading counts towards the time limit
    if not spec_paths:
        named = document.get("specs") if isinstance(document, dict) else None
        if not isinstance(named, list) or not all(isinstance(p, str) for p in named) or not named:
            raise Failure("the certificate file names no spec; give it: "
                          "decisiontrees verify SPEC CERTIFICATES")
        # the file's own word on which spec it is for: only files below the folder verify
        # runs in (a path elsewhere could point at any file on the machine)
        if any("\0" in p for p in named):
            raise Failure("the certificate file names a spec path holding a NUL character")
        if any(0xD800 <= ord(c) < 0xE000 for p in named for c in p):  # JSON's "\ud800"
            raise Failure("the certificate file names a spec path holding a lone surrogate, "
                          "which no file name can hold")
        here = os.path.realpath(os.getcwd())
        outside = [p for p in named
                   if os.path.commonpath([here, os.path.realpath(p)]) != here]
        if outside:
            raise Failure(f"the certificate file names the spec {shown(outside[0])}, outside this "
                          "folder; give the spec: decisiontrees verify SPEC CERTIFICATES")
        spec_paths = named
    missing = [p for p in spec_paths if not os.path.exists(p)]
    if missing:
        raise Failure(f"cannot read the spec {shown(missing[0])}; give it: decisiontrees verify "
                      "SPEC CERTIFICATES")
    files = spec_files(spec_paths)
    specs = [load(path) for path in files]
    summary = check_certificates(document, read_claims(claims(specs)),
                                 remaining(timeout, started), timeout)
    summary.against = tuple(files)
    return summary


# ---------------------------------------------------------------- argument checks


def _outcomes(call: str, trees: Sequence[Node], outcomes: Iterable[str] | None) -> tuple[str, ...]:
    """The outcome set O: the given one (which must cover the trees), else the trees' own."""
    mentioned = dict.fromkeys(o for t in trees for o in sorted(set(outcomes_of(t))))
    if outcomes is None:
        return tuple(mentioned)
    given = tuple(dict.fromkeys(outcomes))
    missing = [o for o in mentioned if o not in given]
    if missing:
        raise ArgumentError(f"{call}(): outcomes must include every outcome of the trees; "
                            "missing " + ", ".join(f"`{o}`" for o in missing))
    return given


def _utility_class(call: str, utility_class: Any) -> UtilityClass | None:
    if utility_class is not None and not isinstance(utility_class, UtilityClass):
        raise ArgumentError(f"{call}(): utility_class must be a UtilityClass or None, not "
                            f"{type(utility_class).__name__}")
    return utility_class


@contextmanager
def _bounded(call: str, seconds: float | None) -> Iterator[int]:
    """The call's deadline (raising TimedOut when it passes); yields the solver budget in ms."""
    if seconds is None:
        seconds = limits.DEFAULT_TIMEOUT_SECONDS
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float, Fraction)) \
            or not 0 < seconds <= limits.MAX_TIMEOUT_SECONDS or float(seconds) == 0:
        raise ArgumentError(f"{call}(): timeout must be a number of seconds above 0 and at most "
                            f"{limits.MAX_TIMEOUT_SECONDS:,}")
    with limits.deadline(float(seconds)):
        yield limits.remaining_ms()


def _law(call: str, law: Any) -> Distribution:
    if not isinstance(law, Distribution):
        raise ArgumentError(f"{call}(): law must be a Distribution (e.g. decisiontrees.UNIFORM)")
    if law.kind not in LAWS:
        raise ArgumentError(f"{call}(): a Distribution's kind is one of {', '.join(LAWS)}, not "
                            f"{law.kind!r}")
    problem = law_problem(law)
    if problem:
        raise ArgumentError(f"{call}(): {problem}")
    if law.kind == "scipy":
        try:  # the name and parameters, before any work
            name = law.arguments[0] if law.arguments else None
            if not isinstance(name, str):
                raise ValueError("the first argument names a scipy.stats distribution")
            scipy_law(name, law.arguments[1:], dict(law.keywords))
        except ValueError as problem:
            raise ArgumentError(f"{call}(): {problem}") from None
    return law


# ---------------------------------------------------------------- one tree


def value(tree: Node, utility: Mapping[str, Any]) -> Any:
    """``V_u(tree)`` by backward induction (a sympy expression when the tree has parameters).

    >>> from decisiontrees import choice, uniform
    >>> value(choice({"a": "x", "b": uniform(["x", "y"])}), {"x": 0, "y": 1})
    Fraction(1, 2)
    """
    node = tree_argument("value", "tree", tree)
    return plan_analysis.value(node, number_mapping("value", "utility", utility, outcomes_of(node)))


def count_plans(tree: Node, utility: Mapping[str, Any] | None = None) -> int:
    """The number of plans, or of optimal plans under ``utility``; nothing is enumerated
    (TooManyToCount past 2^MAX_COUNT_BITS)."""
    if utility is None:
        return plan_analysis.count_plans(tree_argument("count_plans", "tree", tree))
    node = numeric_tree("count_plans", "tree", tree)
    return plan_analysis.count_plans(node, number_mapping("count_plans", "utility", utility,
                                                          outcomes_of(node)))


def count_pure_strategies(tree: Node) -> int:
    """The normal-form count: one action at every choice node of the unfolded tree."""
    return plan_analysis.count_pure_strategies(tree_argument("count_pure_strategies", "tree",
                                                             tree))


def plans(tree: Node, limit: int = plan_analysis.DEFAULT_LIMIT,
          utility: Mapping[str, Any] | None = None) -> tuple[plan_analysis.PlannedLottery, ...]:
    """Every plan (every optimal plan under ``utility``) with its lottery, at most ``limit``."""
    node = tree_argument("plans", "tree", tree)
    _limit("plans", limit)
    if utility is None:
        return plan_analysis.plans(node, limit)
    node = numeric_tree("plans", "tree", tree)
    return plan_analysis.plans(node, limit, number_mapping("plans", "utility", utility,
                                                           outcomes_of(node)))


def reachable_outcomes(tree: Node) -> frozenset[str]:
    """Outcomes some plan reaches with positive probability."""
    return plan_analysis.reachable_outcomes(tree_argument("reachable_outcomes", "tree", tree))


def an_optimal_plan(tree: Node, utility: Mapping[str, Any]) -> plan_analysis.Plan:
    """One optimal plan (the first optimal action everywhere), without enumerating."""
    node = numeric_tree("an_optimal_plan", "tree", tree)
    return plan_analysis.an_optimal_plan(node, number_mapping("an_optimal_plan", "utility",
                                                              utility, outcomes_of(node)))


def _limit(call: str, limit: Any) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ArgumentError(f"{call}(): limit must be a positive whole number, not "
                            f"{limit!r:.40}")


def optimal_plans(tree: Node, utility: Mapping[str, Any], limit: int = plan_analysis.DEFAULT_LIMIT
                  ) -> tuple[plan_analysis.PlannedLottery, ...]:
    """Every plan optimal at every choice node under ``utility``, with its lottery."""
    node = numeric_tree("optimal_plans", "tree", tree)
    _limit("optimal_plans", limit)
    return plan_analysis.optimal_plans(node, number_mapping("optimal_plans", "utility", utility,
                                                    outcomes_of(node)), limit)


def contains(tree: Node, lottery: Mapping[str, Any], timeout: float | None = None) -> Membership:
    """Whether ``lottery`` lies in the tree's lottery set, with a flow or a separating ``u``."""
    node = numeric_tree("contains", "tree", tree)
    exact = number_mapping("contains", "lottery", lottery, ())
    if any(q < 0 for q in exact.values()) or sum(exact.values()) != 1:
        raise ArgumentError("contains(): lottery must be non-negative and sum to 1")
    with _bounded("contains", timeout) as timeout_ms:
        return _contains(node, exact, None, timeout_ms)


# ---------------------------------------------------------------- relations (theory §3–4)


def dominates(left: Node, right: Node, utility_class: UtilityClass | None = None, *,
              outcomes: Iterable[str] | None = None, timeout: float | None = None) -> Verdict:
    """Whether ``V_u(left) >= V_u(right)`` for every ``u`` in the class ([0,1]^O by default).
    ``timeout`` (seconds, default 60) bounds the call: past it, TimedOut. It is checked
    between steps, so one long solver step may run on past it; ``run`` (and ``check``)
    answer in a child process that is stopped on time."""
    pair = (numeric_tree("dominates", "left", left), numeric_tree("dominates", "right", right))
    with _bounded("dominates", timeout) as timeout_ms:
        return relations.dominates(*pair, _utility_class("dominates", utility_class), timeout_ms,
                                   _outcomes("dominates", pair, outcomes))


def strictly_dominates(left: Node, right: Node, utility_class: UtilityClass | None = None, *,
                       outcomes: Iterable[str] | None = None, timeout: float | None = None
                       ) -> Verdict:
    """Dominance, and ``V_u(left) > V_u(right)`` for some ``u`` in the class."""
    call = "strictly_dominates"
    pair = (numeric_tree(call, "left", left), numeric_tree(call, "right", right))
    with _bounded(call, timeout) as timeout_ms:
        return relations.strictly_dominates(*pair, _utility_class(call, utility_class), timeout_ms,
                                            _outcomes(call, pair, outcomes))


def compare(left: Node, right: Node, utility_class: UtilityClass | None = None, *,
            outcomes: Iterable[str] | None = None, timeout: float | None = None
            ) -> tuple[str | None, Verdict, Verdict]:
    """``dominates``, ``dominated``, ``equivalent`` or ``incomparable`` (None if undecided),
    with the verdicts of both directions."""
    pair = (numeric_tree("compare", "left", left), numeric_tree("compare", "right", right))
    with _bounded("compare", timeout) as timeout_ms:
        return relations.compare(*pair, _utility_class("compare", utility_class), timeout_ms,
                                 _outcomes("compare", pair, outcomes))


def inclusion(left: Node, right: Node, *, outcomes: Iterable[str] | None = None,
              timeout: float | None = None) -> Verdict:
    """Tarsney's P1: ``L(right) ⊊ L(left)``."""
    pair = (numeric_tree("inclusion", "left", left), numeric_tree("inclusion", "right", right))
    with _bounded("inclusion", timeout) as timeout_ms:
        return relations.inclusion(*pair, _outcomes("inclusion", pair, outcomes), timeout_ms)


def interiority(left: Node, right: Node, *, outcomes: Iterable[str] | None = None,
                timeout: float | None = None) -> Verdict:
    """Tarsney's P2: ``L(right)`` inside the relative interior of ``L(left)``."""
    pair = (numeric_tree("interiority", "left", left), numeric_tree("interiority", "right", right))
    with _bounded("interiority", timeout) as timeout_ms:
        return relations.interiority(*pair, _outcomes("interiority", pair, outcomes),
                                     timeout_ms)


def permuted_inclusion(left: Node, right: Node, *, outcomes: Iterable[str] | None = None,
                       fixing: Iterable[str] = (), kinds: Mapping[str, str] | None = None,
                       timeout: float | None = None, workers: int = 1) -> Verdict:
    """Tarsney's P3: some allowed ``σ`` with ``σ·L(right) ⊊ L(left)``. ``fixing`` names
    outcomes σ must fix; ``kinds`` maps outcomes to kinds σ must keep; ``workers`` > 1
    lets the integer program's solver run beside the search for ``σ`` (else they take
    turns on one core)."""
    return _permuted("permuted_inclusion", "inclusion", left, right, outcomes, fixing, kinds,
                     timeout, workers)


def permuted_interiority(left: Node, right: Node, *, outcomes: Iterable[str] | None = None,
                         fixing: Iterable[str] = (), kinds: Mapping[str, str] | None = None,
                         timeout: float | None = None, workers: int = 1) -> Verdict:
    """Tarsney's P4: some allowed ``σ`` with ``σ·L(right)`` inside the interior of ``L(left)``
    (the arguments as in :func:`permuted_inclusion`)."""
    return _permuted("permuted_interiority", "interiority", left, right, outcomes, fixing, kinds,
                     timeout, workers)


def _permuted(call: str, relation: str, left: Node, right: Node, outcomes: Iterable[str] | None,
              fixing: Iterable[str], kinds: Mapping[str, str] | None, timeout: float | None,
              workers: int) -> Verdict:
    pair = (numeric_tree(call, "left", left), numeric_tree(call, "right", right))
    names = _outcomes(call, pair, outcomes)
    fixed = frozenset(fixing)
    unknown = sorted(fixed - set(names))
    if unknown:
        raise ArgumentError(f"{call}(): fixing names outcomes that are not in O: "
                            + ", ".join(unknown))
    group = PermutationGroup(fixed, dict(kinds or {}))
    with _bounded(call, timeout) as timeout_ms, _workers(call, workers):
        return permutations.permuted(relation, *pair, names, group, timeout_ms)


# ---------------------------------------------------------------- random agents (§5–6)


def _sampling(call: str, samples: int | None, seed: int) -> Sampling | None:
    if samples is None:
        return None
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise ArgumentError(f"{call}(): samples must be a whole number from 1 to {MAX_SAMPLES:,}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ArgumentError(f"{call}(): seed must be a whole number from 0 to 2^63 − 1")
    return Sampling(samples, seed)


def _worker_count(call: str, count: Any) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ArgumentError(f"{call}(): workers must be a whole number >= 1")
    return count


@contextmanager
def _workers(call: str, count: Any) -> Iterator[None]:
    """Exact answers integrate over their regions in ``count`` forked processes; P3/P4's
    integer program runs beside the search with two or more."""
    with limits.workers(_worker_count(call, count)):
        yield


def choice_probabilities(tree: Node, law: Distribution = UNIFORM, *,
                         outcomes: Iterable[str] | None = None, samples: int | None = None,
                         seed: int = 0, workers: int = 1, timeout: float | None = None
                         ) -> ChoiceAnswer:
    """How often a random agent takes each first action of ``tree`` (ties split equally), and
    how often it ties: `choices`, `chosen` and `tie` in the language. ``workers`` > 1
    integrates the optimality regions of an exact answer in that many forked processes;
    ``timeout`` as for :func:`dominates`."""
    node = numeric_tree("choice_probabilities", "tree", tree)
    if not isinstance(node, Choice):
        raise ArgumentError("choice_probabilities(): tree must start with a choice")
    names = _outcomes("choice_probabilities", [node], outcomes)
    with _bounded("choice_probabilities", timeout), _workers("choice_probabilities", workers):
        return agents.choice_probabilities(node.children, names,
                                           _law("choice_probabilities", law),
                                           _sampling("choice_probabilities", samples, seed))


def prefers(left: Node, right: Node, law: Distribution = UNIFORM, *,
            outcomes: Iterable[str] | None = None, samples: int | None = None,
            seed: int = 0, workers: int = 1, timeout: float | None = None) -> PairAnswer:
    """``P[V(left) > V(right)]``, with the tie and reverse probabilities (``workers`` and
    ``timeout`` as in :func:`choice_probabilities`)."""
    pair = (numeric_tree("prefers", "left", left), numeric_tree("prefers", "right", right))
    with _bounded("prefers", timeout), _workers("prefers", workers):
        return agents.prefer_probability(*pair, _outcomes("prefers", pair, outcomes),
                                         _law("prefers", law),
                                         _sampling("prefers", samples, seed))


def power(tree: Node, law: Distribution = UNIFORM, *, outcomes: Iterable[str] | None = None,
          samples: int | None = None, seed: int = 0, workers: int = 1,
          timeout: float | None = None) -> PowerAnswer:
    """POWER: the expected optimal value ``E[V_u(tree)]`` (``workers`` and ``timeout`` as in
    :func:`choice_probabilities`)."""
    node = numeric_tree("power", "tree", tree)
    with _bounded("power", timeout), _workers("power", workers):
        return agents.power(node, _outcomes("power", [node], outcomes), _law("power", law),
                            _sampling("power", samples, seed))


# ---------------------------------------------------------------- Markov decision processes


def _mdp_state(call: str, mdp: Any, state: Any) -> tuple[MDP, str]:
    if not isinstance(mdp, MDP):
        raise ArgumentError(f"{call}(): mdp must be an MDP, like spec.mdps['m'], not "
                            f"{type(mdp).__name__}")
    if not isinstance(state, str) or state not in mdp.states:
        raise ArgumentError(f"{call}(): mdp `{mdp.name}` has no state {state!r}; its states are "
                            + ", ".join(mdp.states))
    return mdp, state


def mdp_state_tree(mdp: MDP, state: str) -> Node:
    """The tree whose lotteries are the normalised discounted visit distributions from
    ``state`` (what ``m.s`` names in a spec); raises TooManyLotteries past the policy limit."""
    checked, name = _mdp_state("mdp_state_tree", mdp, state)
    return mdp_analysis.state_tree(checked, name)


def mdp_limit_tree(mdp: MDP, state: str) -> Node:
    """The tree of ``state``'s recurrent state distributions (the limit γ → 1 of its visit
    distributions): the long-run visit shares of each deterministic stationary policy."""
    checked, name = _mdp_state("mdp_limit_tree", mdp, state)
    if checked.horizon is not None:
        raise ArgumentError(f"mdp_limit_tree(): mdp `{checked.name}` has a finite horizon")
    if not checked.numeric_transitions():
        raise ArgumentError("mdp_limit_tree(): the transition probabilities have parameters; "
                            "give them values first (MDP.substitute)")
    return mdp_analysis.limit_tree(checked, name)


def farsighted(mdp: MDP, state: str, law: Distribution = UNIFORM, *,
               samples: int | None = None, seed: int = 0, timeout: float | None = None
               ) -> ChoiceAnswer:
    """How often a farsighted (γ → 1, average-optimal) random agent takes each first action
    at ``state``: `farsighted(m.s, a)` in the language, for every ``a`` at once (``timeout``
    as for :func:`dominates`)."""
    with _bounded("farsighted", timeout):
        node = mdp_limit_tree(mdp, state)
        assert isinstance(node, Choice)
        return agents.choice_probabilities(node.children, tuple(mdp.states),
                                           _law("farsighted", law),
                                           _sampling("farsighted", samples, seed))


def mdp_power(mdp: MDP, state: str, law: Distribution = UNIFORM, *, samples: int | None = None,
              seed: int = 0, timeout: float | None = None) -> PowerAnswer:
    """Turner's POWER of ``state``: ``(1 − γ)/γ · E[V*(s) − R(s)]`` for i.i.d. state rewards,
    the POWER of the visit distributions from the next step (``timeout`` as for
    :func:`dominates`)."""
    checked, name = _mdp_state("mdp_power", mdp, state)
    with _bounded("mdp_power", timeout):
        successor = mdp_analysis.successor_tree(checked, name)
        if successor is None:
            raise ArgumentError("mdp_power(): a horizon of one step has no next step")
        node = numeric_tree("mdp_power", "mdp", successor)
        return agents.power(node, tuple(checked.states), _law("mdp_power", law),
                            _sampling("mdp_power", samples, seed))


def mdp_powers(mdp: MDP, law: Distribution = UNIFORM, *, samples: int | None = None,
               seed: int = 0, timeout: float | None = None, workers: int = 1,
               progress: Callable[[str], None] | None = None) -> dict[str, PowerAnswer]:
    """Turner's POWER at every state of ``mdp`` (states with no next step left out), within
    ``timeout`` seconds for all of them (TimedOut when it passes); ``workers`` > 1 computes
    states in that many forked processes (where the platform forks); ``progress`` is told
    each state as its work starts (in order of the states, whoever computes it)."""
    workers = _worker_count("mdp_powers", workers)
    states = list(mdp.states) if mdp.horizon != 1 else []  # one step: no next step
    global _POWER_JOB
    _POWER_JOB = (mdp, law, samples, seed)
    found: dict[str, PowerAnswer] = {}
    with _bounded("mdp_powers", timeout):
        if workers == 1 or len(states) < 2 or not limits.can_isolate():
            for k, state in enumerate(states, 1):
                if progress is not None:
                    progress(f"POWER of {state} ({k} of {len(states)})")
                found[state] = _power_of_state(state)
            return found
        with multiprocessing.get_context("fork").Pool(
                min(workers, len(states)), initializer=limits.die_with_parent) as pool:
            pending = pool.imap(_power_of_state_in_worker, states)
            for k, state in enumerate(states, 1):
                if progress is not None:
                    progress(f"POWER of {state} ({k} of {len(states)})")
                while True:  # wait in slices, so the deadline is still checked here
                    limits.check("computing POWER in worker processes")
                    try:
                        found[state] = pending.next(timeout=0.5)
                        break
                    except multiprocessing.TimeoutError:
                        continue
            pool.terminate()
    return found


_POWER_JOB: tuple[Any, ...] = ()


def _power_of_state_in_worker(state: str) -> PowerAnswer:
    return limits.in_worker(_power_of_state, state)


def _power_of_state(state: str) -> PowerAnswer:
    mdp, law, samples, seed = _POWER_JOB
    # bounded by mdp_powers' own deadline alone (an inner one only shortens it)
    return mdp_power(mdp, state, law, samples=samples, seed=seed,
                     timeout=limits.MAX_TIMEOUT_SECONDS)


# ---------------------------------------------------------------- orbits (§5)


def convergence(left: Node, right: Node, *, outcomes: Iterable[str] | None = None,
                timeout: float | None = None) -> Strength:
    """How strongly ``left`` is a convergent instrumental goal over ``right`` (none, weak,
    strict, absolute) for every admissible distribution; ``level`` None when undecided.
    Orbits permute O: ``outcomes`` when given, else only the outcomes the trees reach. A
    spec's ``check`` permutes every declared outcome, so pass ``outcomes=spec.outcomes`` for
    its answer (an unreached outcome can change orbit shares)."""
    pair = (numeric_tree("convergence", "left", left), numeric_tree("convergence", "right", right))
    with _bounded("convergence", timeout) as timeout_ms:
        return orbits.convergence(*pair, _outcomes("convergence", pair, outcomes), timeout_ms)


def distribution_dependent(left: Node, right: Node, *, outcomes: Iterable[str] | None = None,
                           timeout: float | None = None) -> orbits.Dependence:
    """Tarsney's Proposition 5: ``dependent`` True with an orbit preferring each side, False
    when one tree is a convergent goal over the other (``reasons``), None when undecided —
    ``check``'s yes, no and unknown. O as for :func:`convergence` (pass
    ``outcomes=spec.outcomes`` for a spec's answer)."""
    call = "distribution_dependent"
    pair = (numeric_tree(call, "left", left), numeric_tree(call, "right", right))
    with _bounded(call, timeout) as timeout_ms:
        return orbits.distribution_dependent(*pair, _outcomes(call, pair, outcomes), timeout_ms)


def orbit_share(left: Node, right: Node, *, outcomes: Iterable[str] | None = None,
                timeout: float | None = None) -> Share:
    """Bounds on the smallest share of a generic orbit that weakly prefers ``left``; O as
    for :func:`convergence` (pass ``outcomes=spec.outcomes`` for a spec's answer)."""
    pair = (numeric_tree("orbit_share", "left", left), numeric_tree("orbit_share", "right", right))
    with _bounded("orbit_share", timeout) as timeout_ms:
        return orbits.orbit_share(*pair, _outcomes("orbit_share", pair, outcomes), timeout_ms)


# ---------------------------------------------------------------- decision rules


def rule_choice(tree: Node, rule: DecisionRule, law: Distribution = UNIFORM, *,
                outcomes: Iterable[str] | None = None, samples: int | None = None,
                seed: int = 0, width: Fraction = rules.DEFAULT_WIDTH,
                timeout: float | None = None) -> RuleChoice:
    """How often an agent following ``rule`` takes each first action of ``tree``: exact,
    a certified interval (Boltzmann under U[0,1]) or an estimate. ``rule = best_of(2)`` etc.
    in the language (``timeout`` as for :func:`dominates`).

        >>> import decisiontrees as dt
        >>> from fractions import Fraction
        >>> tree = dt.choice({"off": "off", "run": dt.choice({"o1": "o1", "o2": "o2"})})
        >>> found = dt.rule_choice(tree, dt.DecisionRule("best_of", Fraction(2)))
        >>> [str(p) for p in found.chosen]
        ['1/3', '2/3']
    """
    node = numeric_tree("rule_choice", "tree", tree)
    if not isinstance(node, Choice):
        raise ArgumentError("rule_choice(): tree must start with a choice")
    if not isinstance(rule, DecisionRule):
        raise ArgumentError("rule_choice(): rule must be a DecisionRule, e.g. "
                            "DecisionRule('best_of', Fraction(2))")
    problem = rule_problem(rule)
    if problem is not None:
        raise ArgumentError(f"rule_choice(): {problem}")
    if not isinstance(width, Fraction) or not 0 < width < 1:
        raise ArgumentError("rule_choice(): width must be a Fraction in (0, 1)")
    names = _outcomes("rule_choice", [node], outcomes)
    with _bounded("rule_choice", timeout):
        return rules.rule_choice(node.children, names, rule, _law("rule_choice", law),
                                 _sampling("rule_choice", samples, seed), width)


def admissible(tree: Node, utility_class: UtilityClass, rule: str = "maximality", *,
               timeout: float | None = None, limit: int = plan_analysis.DEFAULT_LIMIT) -> ClassChoice:
    """The first actions (and plans) of ``tree`` that ``rule`` allows when the utility is only
    known to lie in ``utility_class``: maximality, e_admissibility, interval_dominance or
    gamma_maximin, on the normal form."""
    node = numeric_tree("admissible", "tree", tree)
    if not isinstance(node, Choice):
        raise ArgumentError("admissible(): tree must start with a choice")
    if not isinstance(utility_class, UtilityClass):
        raise ArgumentError("admissible(): utility_class must be a UtilityClass")
    if rule not in CLASS_RULES:
        raise ArgumentError(f"admissible(): rule must be one of {', '.join(CLASS_RULES)}")
    with _bounded("admissible", timeout) as timeout_ms:
        return choice_sets.choose(node, utility_class, rule, timeout_ms, limit)
