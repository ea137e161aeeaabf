"""Files to a checked :class:`Spec`: includes, names, probabilities, utilities, statements.

One pass reports every problem it can find (each with a place and, where it helps, a hint)
and raises :class:`SpecError` with all of them; otherwise it returns the immutable model.
The passes, in order: declare every name; outcomes and parameters; trees; utility
functions; classes; distributions; statements.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType

from decisiontrees.analyses import mdp as mdp_analysis
from decisiontrees.checking.classes import ClassBuilder
from decisiontrees.checking.declarations import Declarations
from decisiontrees.checking.laws import check_distribution
from decisiontrees.checking.mappings import MappingChecker
from decisiontrees.checking.mdps import MDPBuilder
from decisiontrees.checking.searches import SearchChecker
from decisiontrees.checking.sources import Sources
from decisiontrees.checking.statements import StatementChecker
from decisiontrees.checking.trees import TreeBuilder
from decisiontrees.errors import ArgumentError, Diagnostic, Span, SpecError
from decisiontrees.formats.importing import Imported, import_file
from decisiontrees.language.diagnostics import Reporter, suggest
from decisiontrees.language.files import read_text
from decisiontrees.language.parser import collector_paused
from decisiontrees.language.syntax import (
    Claim,
    DistributionDecl,
    Module,
    OutcomesDecl,
    ParamDecl,
    Query,
    Search,
    UtilityDecl,
)
from decisiontrees.model.nodes import Parameter
from decisiontrees.model.spec import Spec, Statement
from decisiontrees.model.symbols import substitute


def load(*paths: str | os.PathLike[str], parameters: Mapping[str, Fraction] | None = None,
         undeclared_ok: bool = False) -> Spec:
    """Load and check spec files (with their includes) as one spec.

    Statements are taken from the named files, not from files they include. ``parameters``
    fixes declared parameters as if their domain were that one value (a statement's own
    ``p = …`` still wins); a value outside the domain raises ArgumentError, and so does an
    undeclared name unless ``undeclared_ok`` (for one value given to many files). A single
    ``.json`` path is read as a JSON spec (docs/spec.schema.json) or a SilverDecisions file,
    a single ``.efg`` path as a one-player Gambit game (see decisiontrees.formats.importing).
    """
    if not paths or not all(isinstance(p, (str, os.PathLike)) for p in paths):
        raise ArgumentError("load(): give one or more paths of spec files")
    if len(paths) == 1:
        imported = import_file(paths[0])
        if imported is not None:
            try:
                return parse(imported.text, imported.text_path, imported=True,
                             parameters=parameters, undeclared_ok=undeclared_ok)
            except SpecError as error:
                raise SpecError([imported.locate(d) for d in error.diagnostics]) from None
    reporter = Reporter()
    first = os.fspath(paths[0]) if paths else "."
    sources = Sources(reporter, [], root=os.path.dirname(os.path.abspath(first)))
    roots: list[Module] = []
    with collector_paused():
        for path in paths:
            module = sources.load_file(os.fspath(path), None, ())
            if module is not None:
                roots.append(module)
        reporter.raise_if_any()
        return check_modules(reporter, sources.modules, roots,
                             os.fspath(paths[0]) if paths else "", parameters, undeclared_ok)


def parse(text: str, path: str = "<string>", imported: bool = False,
          parameters: Mapping[str, Fraction] | None = None, undeclared_ok: bool = False) -> Spec:
    """Check spec text given as a string; includes are found relative to the folder of ``path``
    (and must stay inside it). Text ``imported`` from another tool's file includes nothing.
    ``parameters`` as for :func:`load`."""
    if not isinstance(text, str) or not isinstance(path, str):
        raise ArgumentError("parse(): text and path are strings (for a file, load(path))")
    reporter = Reporter()
    sources = Sources(reporter, [], root=os.path.dirname(os.path.abspath(path)),
                      allow_includes=not imported)
    with collector_paused():
        module = sources.parse_text(text, path, ())
        reporter.raise_if_any()
        assert module is not None
        return check_modules(reporter, sources.modules, [module], path, parameters,
                             undeclared_ok)


def check_modules(reporter: Reporter, modules: list[Module], roots: list[Module], path: str,
                  parameters: Mapping[str, Fraction] | None = None,
                  undeclared_ok: bool = False) -> Spec:
    """The spec that parsed ``modules`` declare, with the statements of ``roots`` and the
    ``parameters`` fixed; raises SpecError with every problem found."""
    names = Declarations(reporter)
    items = [item for module in modules for item in module.items]
    for item in items:
        names.declare_item(item)
    names.declare_states()
    for item in items:
        if isinstance(item, OutcomesDecl):
            names.check_outcomes(item)
        elif isinstance(item, ParamDecl):
            names.check_parameter(item)
    trees = TreeBuilder(names)
    trees.build_all()
    mdps = MDPBuilder(names, trees)
    for name in names.mdp_syntax:
        mdps.build(name)
    mappings = MappingChecker(names)
    for item in items:
        if isinstance(item, UtilityDecl):
            names.utilities[item.name] = mappings.utility_mapping(item.mapping)
    classes = ClassBuilder(names)
    for name in names.class_syntax:
        classes.build_class(name)
    for item in items:
        if isinstance(item, DistributionDecl) and names.is_declaration(item.name, item.name_span):
            names.distributions[item.name] = check_distribution(reporter, item.law)
    # Fixed values are checked against good declarations; with errors, SpecError follows anyway.
    fixed = fixed_parameters(names.parameters, parameters or {}, path, undeclared_ok) \
        if reporter.count == 0 else {}
    checker = StatementChecker(names, trees, fixed)
    searches = SearchChecker(checker)
    statements = [searches.check(item) if isinstance(item, Search) else checker.check(item)
                  for module in roots for item in module.items
                  if isinstance(item, (Query, Claim, Search))]
    reporter.raise_if_any()
    declared = {name: k for k, name in enumerate(names.tree_syntax)}
    return Spec(
        path=path,
        outcomes=tuple(names.outcomes),
        features=MappingProxyType(dict(names.outcomes)),
        parameters=MappingProxyType({k: v for k, v in names.parameters.items()
                                     if k not in fixed}),
        # in the order declared (built dependencies first): the first tree is the file's first
        trees=MappingProxyType({k: substitute(v, fixed) if fixed else v
                                for k, v in sorted(names.trees.items(),
                                                   key=lambda item: declared.get(item[0], 0))
                                if v is not None}),
        utilities=MappingProxyType({k: v for k, v in names.utilities.items() if v is not None}),
        classes=MappingProxyType({k: v for k, v in names.classes.items() if v is not None}),
        distributions=MappingProxyType({k: v for k, v in names.distributions.items()
                                        if v is not None}),
        statements=tuple(s for s in statements if s is not None),
        files=tuple(m.path for m in modules),
        fixed=MappingProxyType(fixed),
        mdps=MappingProxyType({k: v.substitute(fixed) for k, v in names.mdps.items()
                               if v is not None}),
        state_tree=mdp_analysis.state_tree,
    )


def fixed_parameters(declared: Mapping[str, Parameter], given: Mapping[str, Fraction],
                     path: str, undeclared_ok: bool = False) -> dict[str, Fraction]:
    """``given`` checked against the declared parameters and their domains (names not
    declared are dropped when ``undeclared_ok``)."""
    if undeclared_ok:
        given = {name: value for name, value in given.items() if name in declared}
    for name, value in given.items():
        if name not in declared:
            known = ", ".join(declared) if declared else "none"
            hint = suggest(name, declared)
            raise ArgumentError(f"--param {name}={value}: `{name}` is not a parameter of "
                                f"{path or 'the spec'} (declared: {known})"
                                + (f"; {hint}" if hint else ""))
        if not declared[name].contains(Fraction(value)):
            raise ArgumentError(f"--param {name}={value}: outside the domain {declared[name]}")
    return {name: Fraction(value) for name, value in given.items()}


QUESTION_PATH = "<question>"
MAX_QUESTION_LENGTH = 10_000


def load_question(path: str | os.PathLike[str], question: str,
                  parameters: Mapping[str, Fraction] | None = None) -> tuple[Spec, Statement]:
    """The spec of ``path`` and ``question`` (one call, like ``power(t)``) checked against it,
    as a query. Problems in the question are placed in it (``<question>:1:col``)."""
    question = question.strip()
    if not question or "\n" in question or len(question) > MAX_QUESTION_LENGTH:
        raise ArgumentError("a question is one call on one line, like `power(t)`")
    path = os.fspath(path)
    imported = import_file(path)
    text = imported.text if imported is not None else read_text(path)
    text_path = imported.text_path if imported is not None else path
    text = text if text.endswith("\n") or not text else text + "\n"
    asked = f"query {question}"
    last = text.count("\n") + 1
    try:
        spec = parse(text + asked + "\n", text_path, imported=imported is not None,
                     parameters=parameters)
    except SpecError as error:
        raise SpecError([_placed_in_question(d, last, asked, imported)
                         for d in error.diagnostics]) from None
    asked_here = [s for s in spec.statements if s.span.line == last]
    if len(asked_here) != 1 or asked_here[0].text != asked:
        raise ArgumentError(f"`{question}` is not one question: write one call, like `power(t)`")
    return spec, asked_here[0]


def _placed_in_question(diagnostic: Diagnostic, last: int, asked: str,
                        imported: Imported | None) -> Diagnostic:
    span = diagnostic.span
    if span.line < last:
        return imported.locate(diagnostic) if imported is not None else diagnostic
    shift = len("query ")
    start = max(1, span.column - shift)
    end = max(start + 1, span.end_column - shift) if span.end_line == span.line else start + 1
    return Diagnostic(Span(QUESTION_PATH, 1, start, 1, end), diagnostic.message,
                      diagnostic.hint, asked[shift:], 0)
