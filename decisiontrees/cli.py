"""The `decisiontrees` command: a thin layer over the Python API.

Exit codes: 0 every claim holds, 1 a claim failed (or could not be decided), 2 invalid input,
3 an internal error (a bug: the message asks for a report; --debug shows the traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from fractions import Fraction

from decisiontrees import limits
from decisiontrees.api import (
    MAX_SWEEP_POINTS,
    certificates,
    check_paths,
    hit_explanations,
    mdp_powers,
    mdp_state_tree,
    plot_answer,
    search_file,
    spec_files,
    sweep,
    verify_certificates,
    write_report,
)
from decisiontrees.checking.loader import load, parse
from decisiontrees.checking.statements import MAX_SAMPLES
from decisiontrees.errors import (
    ArgumentError,
    CrossCheckFailed,
    DecisionTreesError,
    InternalError,
    SolverFailed,
    SpecError,
    TimedOut,
    Undecided,
    visible,
)
from decisiontrees.evidence.verify import DEFAULT_SECONDS as VERIFY_SECONDS
from decisiontrees.evidence.verify import Failure, shown
from decisiontrees.formats.gambit import to_efg
from decisiontrees.formats.importing import imported_text
from decisiontrees.formats.json_spec import export, to_spec_text
from decisiontrees.language.formatter import format_file, format_text
from decisiontrees.language.numbers import exact_number
from decisiontrees.model.nodes import Node, postorder
from decisiontrees.model.spec import Spec
from decisiontrees.questions.base import Status
from decisiontrees.questions.search import checkpoint_problem
from decisiontrees.render.dot import GRAPHVIZ_SECONDS, to_dot, write
from decisiontrees.render.explain import explain
from decisiontrees.render.mdp_dot import mdp_to_dot
from decisiontrees.render.outline import outline
from decisiontrees.render.plot import sweep_table
from decisiontrees.render.tikz import to_tikz
from decisiontrees.report import (
    EXIT_CLAIM_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    REPORT_FORMATS,
    as_json,
    exit_code,
    render_latex,
    render_text,
    summary_line,
)


def main(argv: Sequence[str] | None = None) -> int:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    # Exact answers may have thousands of digits; inputs are bounded by our own limits
    # (language/syntax.py), so Python's guard on converting long integers is not needed here.
    sys.set_int_max_str_digits(0)
    parser = _parser()
    arguments = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = arguments.run  # set by each subcommand's parser
    try:
        return run(arguments)
    except SpecError as error:
        print(str(error), file=sys.stderr)
        return EXIT_INVALID
    except InternalError as error:
        return _internal_error(error, error.details, arguments.debug)
    except (TimedOut, SolverFailed, CrossCheckFailed, Undecided, MemoryError) as error:
        # a limit reached or an engine that could not answer: nothing wrong with the input
        reason = str(error) or ("out of memory" if isinstance(error, MemoryError) else
                                "the work could not be finished")
        print(f"unknown: {visible(reason)}", file=sys.stderr)
        return EXIT_CLAIM_FAILED
    except DecisionTreesError as error:
        print(f"error: {visible(str(error))}", file=sys.stderr)
        return EXIT_INVALID
    except RecursionError:
        print("error: the input is nested too deeply; split deep trees into named parts",
              file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        return 0
    except OSError as error:  # a file the user named cannot be written (a missing folder, a full disk)
        named = f" {error.filename}" if error.filename else ""
        print(f"error: cannot write{named}: {error.strerror or error}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 -- every bug ends here, not in a traceback
        return _internal_error(error, traceback.format_exc(), arguments.debug)


def _internal_error(error: Exception, details: str, debug: bool) -> int:
    print(f"internal error: please report it with the input that caused it ({error})",
          file=sys.stderr)
    print(details if debug else "run again with --debug for the traceback", file=sys.stderr)
    return EXIT_INTERNAL


def _positive_seconds(text: str) -> float:
    seconds = exact_number(text.strip())
    if seconds is None:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text[:40]!r}")
    if not 0 < seconds <= limits.MAX_TIMEOUT_SECONDS or float(seconds) == 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds, like 10 or 0.5, "
                                         f"at most {limits.MAX_TIMEOUT_SECONDS:,}")
    return float(seconds)


def _checkpoint_file(text: str) -> str:
    """A file a search can save its progress to (checked before it starts, not when it
    first saves, minutes later)."""
    problem = checkpoint_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"cannot save progress to {text!r}: {problem}")
    return text


def _sample_count(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_SAMPLES:
        raise argparse.ArgumentTypeError(f"must be a whole number of samples from 1 to "
                                         f"{MAX_SAMPLES:,}")
    return int(text)


def _worker_count(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 1024:
        raise argparse.ArgumentTypeError("must be a whole number of processes from 1 to 1024, "
                                         "like 2")
    return int(text)


def _positive_gigabytes(text: str) -> int:
    gigabytes = exact_number(text.strip())
    if gigabytes is None:
        raise argparse.ArgumentTypeError(f"not a number of gigabytes: {text[:40]!r}")
    if not 0 < gigabytes <= 1024 or int(gigabytes * 2**30) == 0:  # at least a byte
        raise argparse.ArgumentTypeError("must be a positive number of gigabytes, like 4 or 1/2")
    return int(gigabytes * 2**30)


def _dpi(text: str) -> int:
    if not text.isdigit() or not 10 <= int(text) <= 2400:
        raise argparse.ArgumentTypeError("a whole number of dots per inch from 10 to 2400")
    return int(text)


def _parameter_value(text: str) -> tuple[str, Fraction]:
    """``NAME=VALUE`` with an exact value (``p=1/2``, ``q=0.25``)."""
    name, equals, value = text.partition("=")
    number = exact_number(value.strip())
    if not equals or not name.strip().isidentifier() or number is None:
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE with an exact number, like p=1/2, not {text[:40]!r}")
    return name.strip(), number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="decisiontrees",
        description="Check claims about decision trees exactly.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="show the traceback of an internal error")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    fixing = argparse.ArgumentParser(add_help=False)
    fixing.add_argument("--param", dest="parameters", action="append", default=[],
                        type=_parameter_value, metavar="NAME=VALUE",
                        help="fix a declared parameter, e.g. --param p=1/2 (repeatable)")
    check = commands.add_parser("check", parents=[common, fixing],
                                help="run every query and claim in spec files")
    check.add_argument("paths", nargs="+", metavar="PATH", help=".dtree files or folders")
    output_format = check.add_mutually_exclusive_group()
    output_format.add_argument("--json", action="store_true", help="print results as JSON")
    output_format.add_argument("--latex", action="store_true",
                               help="print results as LaTeX tables, for papers")
    check.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                       help="time for each statement (default "
                            f"{limits.DEFAULT_TIMEOUT_SECONDS:g}, or a statement's own timeout, "
                            "which this caps); past it the answer is unknown")
    check.add_argument("--memory", type=_positive_gigabytes, metavar="GB",
                       default=limits.DEFAULT_MEMORY_BYTES,
                       help="memory for each statement, in GB (default "
                            f"{limits.DEFAULT_MEMORY_BYTES / 2**30:g}); past it the answer is unknown")
    check.add_argument("--workers", type=_worker_count, default=1, metavar="N",
                       help="exact random-agent answers integrate their regions in N "
                            "processes, and P3/P4's integer program runs beside the search "
                            "for σ with 2 or more (default 1)")
    check.add_argument("--certificate", metavar="FILE",
                       help="save the certificates of relation verdicts for `decisiontrees verify`")
    check.add_argument("--explain", action="store_true",
                       help="list, for a failed P3/P4, how each permutation was ruled out")
    check.set_defaults(run=_check)

    render = commands.add_parser("render", parents=[common, fixing],
                                 help="draw a tree (Graphviz: svg, pdf, png or dot)")
    render.add_argument("file", metavar="FILE")
    render.add_argument("tree", nargs="?", metavar="TREE", help="default: the file's first tree")
    render.add_argument("-o", "--output", metavar="OUT",
                        help="OUT.svg, OUT.pdf, OUT.png, OUT.dot, or OUT.tex (LaTeX, plain TikZ)")
    render.add_argument("--to", choices=("svg", "pdf", "png", "dot", "tikz"),
                        help="the format (default: from OUT's suffix); dot and tikz without -o "
                             "print to standard output")
    render.add_argument("--utility", metavar="NAME",
                        help="show utilities and values, and draw optimal actions bold")
    render.add_argument("--unfold", action="store_true",
                        help="draw shared subtrees at every place they occur")
    render.add_argument("--explain", nargs=2, metavar=("LEFT", "RIGHT"),
                        help="draw LEFT and RIGHT side by side under the witness utility "
                             "function that shows LEFT does not dominate RIGHT (or the reverse)")
    render.add_argument("--picture", action="store_true",
                        help="with .tex: only the tikzpicture, to \\input into a paper that "
                        "loads tikz (default: a whole document)")
    render.add_argument("--dpi", type=_dpi, metavar="N",
                        help="resolution of PNG output (default 96)")
    render.add_argument("--class", dest="utility_class", metavar="CLASS",
                        help="with --explain: the utility class (default [0,1]^O)")
    render.add_argument("--power", action="store_true",
                        help="an mdp: show Turner's POWER at each state (exact under U[0,1], "
                        "or estimated with --samples)")
    render.add_argument("--samples", type=_sample_count, metavar="N",
                        help="with --power: a Monte Carlo estimate from N samples (seed 0)")
    render.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                        help="with --power: for all states together (default 60); "
                             "otherwise Graphviz's time (default 300)")
    render.add_argument("--workers", type=_worker_count, default=1, metavar="N",
                        help="with --power: states computed in N processes (default 1)")
    render.set_defaults(run=_render)

    export = commands.add_parser("export", parents=[common, fixing],
                                 help="write a spec as JSON, or a tree as a Gambit .efg")
    export.add_argument("file", metavar="FILE")
    export.add_argument("tree", nargs="?", metavar="TREE", help="--efg: the tree (default: first)")
    formats = export.add_mutually_exclusive_group(required=True)
    formats.add_argument("--json", action="store_true", help="the spec as JSON (docs/spec.schema.json)")
    formats.add_argument("--efg", action="store_true", help="one tree as a one-player Gambit game")
    export.add_argument("--utility", metavar="NAME", help="--efg: payoffs from this utility function")
    export.add_argument("-o", "--output", metavar="OUT", help="default: standard output")
    export.set_defaults(run=_export)

    importer = commands.add_parser("import", parents=[common],
                                   help="turn a JSON spec, a Gambit .efg, a SilverDecisions "
                                   "file or a POWERplay .gv into spec text")
    importer.add_argument("file", metavar="FILE")
    importer.add_argument("-o", "--output", metavar="OUT", help="default: standard output")
    importer.set_defaults(run=_import)

    verify = commands.add_parser("verify", parents=[common],
                                 help="re-check saved certificates without a solver")
    verify.add_argument("files", nargs="+", metavar="FILE",
                        help="[SPEC ...] CERTIFICATES: the spec files or folders whose claims the "
                             "certificates are about (default: those the file names), then the "
                             "certificate file")
    verify.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                        default=VERIFY_SECONDS,
                        help=f"time for the whole file (default {VERIFY_SECONDS:g}); past it the "
                             "file is NOT VERIFIED")
    verify.add_argument("--allow-uncertified", action="store_true",
                        help="exit 0 when every certificate checks and every certified claim "
                             "holds, although some claims have no certificate (by default "
                             "only a file that certifies every claim exits 0)")
    verify.set_defaults(run=_verify)

    show = commands.add_parser("show", parents=[common, fixing],
                               help="print a tree as an indented outline")
    show.add_argument("file", metavar="FILE")
    show.add_argument("tree", nargs="?", metavar="TREE", help="default: every tree")
    show.set_defaults(run=_show)

    plotting = commands.add_parser("plot", parents=[common, fixing],
                                   help="draw an exact answer against its parameter, or tabulate "
                                   "any answer over a grid of values (--sweep)")
    plotting.add_argument("file", metavar="FILE")
    plotting.add_argument("question", metavar="QUESTION",
                          help="one question as in a spec, e.g. 'chosen(t, run)'")
    plotting.add_argument("-o", "--output", metavar="OUT",
                          help="OUT.svg, .png, .pdf or .pgf (for LaTeX)")
    plotting.add_argument("--sweep", type=_grid, metavar="NAME=START:STOP:STEP",
                          help="answer at each value, e.g. p=0:1:1/10; prints CSV (or --json)")
    plotting.add_argument("--json", action="store_true", help="with --sweep: JSON, not CSV")
    plotting.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                          help="time for each answer (default "
                          f"{limits.DEFAULT_TIMEOUT_SECONDS:g})")
    plotting.add_argument("--dpi", type=_dpi, metavar="N", help="resolution of PNG output")
    plotting.set_defaults(run=_plot)

    searching = commands.add_parser("search", parents=[common],
                                    help="run the search statements of a spec file")
    searching.add_argument("file", metavar="FILE")
    searching.add_argument("--checkpoint", metavar="FILE", type=_checkpoint_file,
                           help="save progress there; a stopped search resumes from it")
    searching.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                           help=f"time for each search (default {limits.DEFAULT_TIMEOUT_SECONDS:g}; "
                                "caps a search's own timeout)")
    searching.add_argument("--memory", type=_positive_gigabytes, metavar="GB",
                           default=limits.DEFAULT_MEMORY_BYTES,
                           help="memory for each search, in GB (default "
                                f"{limits.DEFAULT_MEMORY_BYTES / 2**30:g})")
    searching.add_argument("--json", action="store_true", help="print results as JSON")
    searching.add_argument("--scheduler", metavar="ADDRESS",
                           help="a Dask scheduler (tcp://host:8786) whose workers examine the "
                           "candidates; needs pip install 'decisiontrees[cluster]'")
    searching.add_argument("--figures", metavar="DIR",
                           help="also draw each hit of a two-tree search as `render --explain` "
                           "does, into DIR/<search>-<k>.<format>")
    searching.add_argument("--to", choices=("svg", "pdf", "png", "dot", "tex"), default="svg",
                           help="with --figures: the format (default svg)")
    searching.set_defaults(run=_search)

    reporting = commands.add_parser("report", parents=[common],
                                    help="check spec files and write up their results for a "
                                    "paper's readers")
    reporting.add_argument("paths", nargs="+", metavar="PATH", help=".dtree files or folders")
    reporting.add_argument("--to", choices=REPORT_FORMATS, default="markdown",
                           help="the format (default markdown)")
    reporting.add_argument("-o", "--output", metavar="FILE",
                           help="write the report there (default: print it)")
    reporting.add_argument("--no-times", dest="times", action="store_false",
                           help="leave out how long each file took (a report that does not "
                           "change from run to run)")
    reporting.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                           help=f"time for each statement (default {limits.DEFAULT_TIMEOUT_SECONDS:g}; "
                                "caps a statement's own timeout)")
    reporting.add_argument("--memory", type=_positive_gigabytes, metavar="GB",
                           default=limits.DEFAULT_MEMORY_BYTES,
                           help="memory for each statement, in GB")
    reporting.add_argument("--workers", type=_worker_count, default=1, metavar="N",
                           help="exact random-agent answers integrate their regions in N "
                                "processes, and P3/P4's integer program runs beside the "
                                "search for σ with 2 or more (default 1)")
    reporting.add_argument("--figures", metavar="DIR",
                           help="draw a figure per file where one helps (the first comparison "
                           "of two named trees, explained; else the first tree) as SVG into DIR "
                           "beside the report, and link it (Markdown and HTML)")
    reporting.set_defaults(run=_report)

    fmt = commands.add_parser("fmt", parents=[common],
                              help="rewrite spec files in the canonical layout")
    fmt.add_argument("paths", nargs="+", metavar="PATH", help=".dtree files or folders")
    fmt.add_argument("--check", action="store_true",
                     help="change nothing; exit 1 if a file is not formatted")
    fmt.set_defaults(run=_fmt)
    return parser


def _fixed(arguments: argparse.Namespace) -> dict[str, Fraction]:
    """The ``--param`` values; a name given twice is an argument error."""
    fixed: dict[str, Fraction] = {}
    for name, value in arguments.parameters:
        if name in fixed:
            raise ArgumentError(f"--param {name} is given twice")
        fixed[name] = value
    return fixed


def _load(arguments: argparse.Namespace) -> Spec:
    return load(arguments.file, parameters=_fixed(arguments))


def _check(arguments: argparse.Namespace) -> int:
    fixed = _fixed(arguments)
    if fixed and arguments.certificate:
        raise ArgumentError("--certificate with --param: a certificate is checked against the "
                            "spec as written; give the values in the statements instead "
                            "(`claim dominates(t, s, p = 1/2)`)")
    reports = check_paths(arguments.paths, arguments.timeout, arguments.memory, fixed,
                          arguments.workers)
    if arguments.json:
        print(json.dumps(as_json(reports), indent=2))
    elif arguments.latex:
        print(render_latex(reports))
        for report in reports:  # the tables hold valid files; the problems go to stderr
            for diagnostic in report.diagnostics:
                print(diagnostic.render(), file=sys.stderr)
    else:
        print(render_text(reports, explain=arguments.explain), file=sys.stdout)
    if arguments.certificate:
        with open(arguments.certificate, "w", encoding="utf-8") as handle:
            json.dump(certificates(reports), handle, indent=1)
    return exit_code(reports)


def _report(arguments: argparse.Namespace) -> int:
    draw_into = None
    if arguments.figures is not None:  # a folder beside the report, linked relative to it
        base = os.path.dirname(arguments.output) if arguments.output else "."
        draw_into = os.path.join(base, arguments.figures)
    text, reports = write_report(arguments.paths, arguments.to, arguments.timeout,
                                 arguments.memory, arguments.times, arguments.figures, draw_into,
                                 arguments.workers)
    if arguments.output:
        with open(arguments.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"wrote {arguments.output}: {summary_line([r.file for r in reports])}")
    else:
        sys.stdout.write(text)
    for report in reports:  # the report shows invalid files briefly; the details go to stderr
        for diagnostic in report.file.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
    return exit_code([r.file for r in reports])


def _render(arguments: argparse.Namespace) -> int:
    spec = _load(arguments)
    if arguments.explain:
        return _render_explanation(spec, arguments)
    name = arguments.tree or next(iter(spec.trees), None)
    if name is None:
        print(f"error: render: {arguments.file} declares no tree", file=sys.stderr)
        return EXIT_INVALID
    if name in spec.mdps:
        return _render_mdp(spec, name, arguments)
    tree = _drawable(name, _named_tree(spec, name), MAX_DRAWN_NODES, unfold=arguments.unfold)
    utility = spec.utility(arguments.utility) if arguments.utility else None
    fmt = _render_format(arguments)
    if fmt is None:
        return EXIT_INVALID
    if fmt == "tikz":
        _emit(to_tikz(tree, utility, spec.parameters, document=not arguments.picture),
              arguments.output)
        return 0
    dot_text = to_dot(tree, name, utility, arguments.unfold, spec.parameters)
    if fmt == "dot" and arguments.output is None:
        _emit(dot_text, None)
        return 0
    written = write(dot_text, arguments.output or f"{name}.{fmt}", fmt, arguments.dpi,
                    arguments.timeout or GRAPHVIZ_SECONDS)
    print(f"wrote {written}")
    return 0


def _render_mdp(spec: Spec, name: str, arguments: argparse.Namespace) -> int:
    """An MDP's states and actions; with --utility (a reward per state), values and optimal
    actions; with --power, each state's POWER."""
    reward = spec.utility(arguments.utility) if arguments.utility else None
    fmt = _render_format(arguments)
    if fmt is None:
        return EXIT_INVALID
    if fmt == "tikz":
        print("error: render: an mdp is drawn with Graphviz (svg, pdf, png, dot)",
              file=sys.stderr)
        return EXIT_INVALID
    mdp = spec.mdps[name].substitute(_fixed(arguments))
    powers = None
    if arguments.power:
        found = mdp_powers(mdp, samples=arguments.samples, timeout=arguments.timeout,
                           workers=arguments.workers,
                           progress=lambda text: print(text, file=sys.stderr, flush=True))
        powers = {state: str(answer.power) for state, answer in found.items()}
    how = "exact, i.i.d. U[0,1] rewards" if arguments.samples is None else \
        f"i.i.d. U[0,1] rewards, Monte Carlo: {arguments.samples:,} samples, seed 0, 95% interval"
    dot_text = mdp_to_dot(mdp, reward, powers, how)
    if fmt == "dot" and arguments.output is None:
        _emit(dot_text, None)
        return 0
    print(f"wrote {write(dot_text, arguments.output or f'{name}.{fmt}', fmt, arguments.dpi)}")
    return 0


def _render_format(arguments: argparse.Namespace) -> str | None:
    """``--to``, else the output's suffix (``.tex`` is TikZ); None after saying what is missing."""
    if arguments.to:
        chosen: str = arguments.to
        return chosen
    if arguments.output is None:
        print("error: render: give -o OUT.svg (or .pdf, .png, .dot, .tex) or --to FORMAT",
              file=sys.stderr)
        return None
    suffix = arguments.output.rsplit(".", 1)[-1].lower() if "." in arguments.output else ""
    return "tikz" if suffix == "tex" else suffix


def _render_explanation(spec: Spec, arguments: argparse.Namespace) -> int:
    left_name, right_name = arguments.explain
    figure = explain(spec, left_name, right_name, arguments.utility_class)
    fmt = _render_format(arguments)
    if fmt is None:
        return EXIT_INVALID
    if fmt == "tikz":
        _emit(figure.tikz(document=not arguments.picture), arguments.output)
        return 0
    if fmt == "dot" and arguments.output is None:
        _emit(figure.dot(), None)
        return 0
    output = arguments.output or f"{left_name}-{right_name}.{fmt}"
    print(f"wrote {write(figure.dot(), output, fmt, arguments.dpi)}")
    return 0


def _export(arguments: argparse.Namespace) -> int:
    spec = _load(arguments)
    if arguments.json:
        document = export(spec)
        if spec.fixed:
            _loads_again(document)
        _emit(json.dumps(document, indent=1) + "\n", arguments.output)
        return 0
    name = arguments.tree or next(iter(spec.trees), None)
    tree = _named_tree(spec, name) if name else None
    utility = spec.utility(arguments.utility) if arguments.utility else None
    if tree is None or name is None:  # no name, no tree
        print(f"error: export: {arguments.file} declares no tree", file=sys.stderr)
        return EXIT_INVALID
    if utility is None:
        print("note: export --efg without --utility writes every payoff as 0", file=sys.stderr)
    _emit(to_efg(tree, name, utility), arguments.output)
    return 0


def _loads_again(document: dict[str, object]) -> None:
    """With --param the trees take the values and the parameters are not declared, but
    statements are copied as written: one that names a fixed parameter would not load."""
    try:
        parse(to_spec_text(document), "<export>", imported=True)
    except SpecError as error:
        raise ArgumentError(
            "export --json with --param: a statement names a parameter that --param fixes, "
            f"so the exported spec would not load ({error.diagnostics[0].message}); export "
            "without --param (the JSON keeps the parameter) or without that statement") from None


def _import(arguments: argparse.Namespace) -> int:

    load(arguments.file)  # every check of a spec file, with diagnostics
    text = imported_text(arguments.file)
    if text is None:
        print(f"error: import: {arguments.file} is not a .json, .efg or .gv file", file=sys.stderr)
        return EXIT_INVALID
    _emit(format_text(text, arguments.file), arguments.output)
    return 0


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {output}")


def _verify(arguments: argparse.Namespace) -> int:
    *specs, certificates_path = arguments.files
    try:
        summary = verify_certificates(certificates_path, specs, arguments.timeout)
    except Failure as failure:
        print(f"NOT VERIFIED: {shown(str(failure), 1000)}")
        return EXIT_CLAIM_FAILED
    except MemoryError:  # a file that passes every count yet needs more memory than there is
        print("NOT VERIFIED: the check ran out of memory")
        return EXIT_CLAIM_FAILED
    print(summary.text())
    if summary.failing_claims or summary.unsettled or \
            (summary.uncertified and not arguments.allow_uncertified):
        return EXIT_CLAIM_FAILED
    return EXIT_OK


def _named_tree(spec: Spec, name: str) -> Node:
    """A tree, an outcome's leaf, or ``m.s``: state ``s`` of mdp ``m`` as its tree."""
    mdp_name, _, state = name.partition(".")
    if state and mdp_name in spec.mdps:
        return mdp_state_tree(spec.mdps[mdp_name], state)
    return spec.tree(name)


MAX_DRAWN_NODES = 10_000  # a diagram (Graphviz lays out no more in reasonable time)
MAX_OUTLINE_NODES = 200_000  # an outline: lines, and how deep they are indented
MAX_OUTLINE_DEPTH = 1_000


def _drawable(name: str, tree: Node, nodes: int, depth: int | None = None,
              unfold: bool = False) -> Node:
    """``tree`` if drawing it stays within ``nodes`` nodes (and ``depth`` levels); else an
    ArgumentError saying so (a 10,000-step mdp horizon gave 4 GB outlines)."""
    deepest: dict[int, int] = {}  # one pass: every node's height, and so their number
    unfolded: dict[int, int] = {}
    for node in postorder(tree):
        deepest[id(node)] = 1 + max((deepest[id(c)] for c in node.children), default=0)
        unfolded[id(node)] = 1 + sum(unfolded[id(c)] for c in node.children)
    count, levels = unfolded[id(tree)] if unfold else len(deepest), deepest[id(tree)]
    if count > nodes or (depth is not None and levels > depth):
        size = f"{count:,} nodes" if count < 10**12 else "more than 10^12 nodes"
        raise ArgumentError(f"{name} has {size} and {levels:,} levels to draw; this draws at "
                            f"most {nodes:,} nodes" + (f" and {depth:,} levels" if depth else "")
                            + " (draw a smaller part, e.g. a shorter horizon)")
    return tree


def _show(arguments: argparse.Namespace) -> int:
    spec = _load(arguments)
    names = [arguments.tree] if arguments.tree else list(spec.trees)
    called = {id(node): name for name, node in reversed(list(spec.trees.items()))}
    blocks = [outline(name, _drawable(name, _named_tree(spec, name), MAX_OUTLINE_NODES,
                                      MAX_OUTLINE_DEPTH), called) for name in names]
    print("\n\n".join(blocks))
    return 0


def _plot(arguments: argparse.Namespace) -> int:
    fixed = _fixed(arguments)
    if arguments.sweep is None:
        output = arguments.output
        if output is None:
            print("error: plot: give -o OUT.svg (or .png, .pdf, .pgf), or --sweep", file=sys.stderr)
            return EXIT_INVALID
        written = plot_answer(arguments.file, arguments.question, output, fixed,
                              arguments.timeout, arguments.dpi)
        print(f"wrote {written}")
        return 0
    name, values = arguments.sweep
    if name in fixed:
        raise ArgumentError(f"--sweep {name} and --param {name}: give the parameter one or the other")
    rows = []
    undecided = False
    for value, result in sweep(arguments.file, arguments.question, name, values,
                               arguments.timeout, fixed):
        summary = result.answer.summary
        if result.status in (Status.UNKNOWN, Status.REFUSED):
            undecided = True  # the row says why, as `check` does
            reason = result.lines()[:1]
            summary = reason[0] if reason and reason[0].startswith(summary) else \
                "; ".join([summary, *reason])
        rows.append((value, str(result.status), summary, result.answer.value))
    if arguments.json:
        table = [{name: str(v), "status": st, "answer": summary, "exact": exact}
                 for v, st, summary, exact in rows]
        text = json.dumps(table, indent=1) + "\n"
    else:
        text = sweep_table(rows, name)
    _emit(text, arguments.output)
    return EXIT_CLAIM_FAILED if undecided else 0


def _grid(text: str) -> tuple[str, list[Fraction]]:
    """``NAME=START:STOP:STEP`` with exact numbers: START, START + STEP, …, up to STOP."""
    name, equals, spec = text.partition("=")
    parts = [exact_number(part.strip()) for part in spec.split(":")]
    if not equals or not name.strip().isidentifier() or len(parts) != 3 or None in parts:
        raise argparse.ArgumentTypeError(f"expected NAME=START:STOP:STEP, like p=0:1:1/10, "
                                         f"not {text[:40]!r}")
    start, stop, step = (p for p in parts if p is not None)
    if step <= 0 or stop < start or (stop - start) / step > MAX_SWEEP_POINTS:
        raise argparse.ArgumentTypeError(f"need STEP > 0, START <= STOP and at most "
                                         f"{MAX_SWEEP_POINTS} values")
    count = int((stop - start) / step)
    return name.strip(), [start + k * step for k in range(count + 1)]


def _search(arguments: argparse.Namespace) -> int:
    reports = [search_file(arguments.file, arguments.checkpoint, arguments.timeout,
                           arguments.memory, scheduler=arguments.scheduler)]
    if arguments.json:
        print(json.dumps(as_json(reports), indent=2))
    else:
        print(render_text(reports))
    if arguments.figures and reports[0].valid:
        os.makedirs(arguments.figures, exist_ok=True)
        for name, figure in hit_explanations(arguments.file, reports[0]):
            output = os.path.join(arguments.figures, f"{name}.{arguments.to}")
            if isinstance(figure, str):
                print(f"{name}: no figure ({figure})", file=sys.stderr)
            elif arguments.to == "tex":
                _emit(figure.tikz(), output)
            else:
                print(f"wrote {write(figure.dot(), output, arguments.to)}", file=sys.stderr)
    return exit_code(reports)


def _fmt(arguments: argparse.Namespace) -> int:
    unformatted = []
    files = spec_files(arguments.paths)
    if not files:  # `fmt --check` on the wrong folder must not pass in CI
        print(f"error: fmt: no .dtree files found in {', '.join(arguments.paths)}",
              file=sys.stderr)
        return EXIT_INVALID
    for path in files:
        original, formatted = format_file(path)
        if original == formatted:
            continue
        unformatted.append(path)
        if not arguments.check:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(formatted)
    if arguments.check:
        for path in unformatted:
            print(f"would reformat {path}")
        return 1 if unformatted else 0
    for path in unformatted:
        print(f"reformatted {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
