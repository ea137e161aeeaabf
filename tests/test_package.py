"""What the installed package ships, and which modules stay free of the solvers."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from paths import ROOT

import decisiontrees


def test_grammar_is_the_one_in_grammar_folder():
    from decisiontrees.language.parser import grammar_text

    assert grammar_text() == (ROOT / "grammar" / "decisiontrees.lark").read_text(encoding="utf-8")


FROM_CHECKOUT = Path(decisiontrees.__file__).resolve().parent.parent == ROOT


@pytest.mark.skipif(FROM_CHECKOUT and not os.environ.get("CI"),
                    reason="running from the checkout, not an installed wheel")
def test_ci_tests_the_installed_wheel_which_carries_the_grammar():
    assert not FROM_CHECKOUT, "CI must import decisiontrees from the installed wheel"
    assert resources.files("decisiontrees").joinpath("decisiontrees.lark").is_file()


def run_python(code: str) -> None:
    """Run ``code`` in a fresh interpreter that imports the same decisiontrees as this one."""
    package_parent = str(Path(decisiontrees.__file__).resolve().parent.parent)
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {package_parent!r}); {code}"],
                   check=True, cwd=ROOT)


def test_certificate_checker_imports_neither_z3_nor_sympy():
    run_python("import decisiontrees.evidence.checks; "
               "bad = [m for m in ('z3', 'sympy') if m in sys.modules]; assert not bad, bad")


def test_the_standalone_verifier_loads_nothing_else():
    """The trusted checker stands alone: no other package module, no lark, z3 or sympy."""
    run_python("import decisiontrees.evidence.verify; "
               "ours = sorted(m for m in sys.modules if m.startswith('decisiontrees')); "
               "assert ours == ['decisiontrees', 'decisiontrees.evidence', "
               "'decisiontrees.evidence.verify'], ours; "
               "bad = [m for m in ('lark', 'z3', 'sympy', 'numpy') if m in sys.modules]; "
               "assert not bad, bad")


def test_numeric_specs_do_not_import_sympy():
    run_python("import decisiontrees as dt; dt.run(dt.load('examples/shutdown.dtree')); "
               "assert 'sympy' not in sys.modules")


def test_docstring_examples_run():
    import doctest

    import decisiontrees.analyses.membership
    import decisiontrees.analyses.plans
    import decisiontrees.api
    import decisiontrees.model.nodes
    import decisiontrees.render.outline

    for module in (decisiontrees, decisiontrees.model.nodes, decisiontrees.analyses.plans,
                   decisiontrees.analyses.membership, decisiontrees.render.outline,
                   decisiontrees.api):
        failures, _ = doctest.testmod(module)
        assert failures == 0, module.__name__


def test_fast_lexer_agrees_with_larks_lexer_on_the_examples():
    from lark import Lark
    from paths import EXAMPLES

    from decisiontrees.language.parser import _Lexer, grammar_text, parser

    reference = Lark(grammar_text(), parser="lalr", lexer="basic")
    ours = _Lexer(parser().lexer_conf)
    for path in sorted(EXAMPLES.glob("*.dtree")):
        text = path.read_text(encoding="utf-8")
        expected = [(t.type, str(t), t.line, t.column, t.end_column) for t in reference.lex(text)]
        got = [(t.type, str(t), t.line, t.column, t.end_column) for t in ours.lex(text)]
        assert got == expected, path.name


# Layers from the bottom up (docs/contributing.md): a module imports only from its own layer
# and the layers listed before it.
LAYERS = ["errors", "limits", "language", "model", "evidence", "solvers", "analyses", "questions",
          "formats", "checking", "render", "report", "notebook", "api", "cli", "__main__"]


def _first_party_imports() -> dict[str, list[tuple[str, bool]]]:
    """module -> [(imported first-party module, at module level?)], from the sources."""
    import ast

    root = Path(decisiontrees.__file__).resolve().parent
    found: dict[str, list[tuple[str, bool]]] = {}
    for path in sorted(root.rglob("*.py")):
        name = ".".join(("decisiontrees",) + path.relative_to(root).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(node) for statement in tree.body if isinstance(statement, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(statement.test)
                       for node in ast.walk(statement)}
        top = {id(statement) for statement in tree.body}
        imports = []
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.startswith("decisiontrees"):
                imports.append((node.module, id(node) in top))
            elif isinstance(node, ast.Import):
                imports += [(a.name, id(node) in top) for a in node.names
                            if a.name.startswith("decisiontrees")]
        found[name] = imports
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 else len(LAYERS)


def test_imports_follow_the_layers_and_sit_at_the_top_of_modules():
    problems = []
    for module, imports in _first_party_imports().items():
        for target, at_top in imports:
            if not at_top:
                problems.append(f"{module} imports {target} inside a function")
            elif target != "decisiontrees" and _layer(target) > _layer(module):
                problems.append(f"{module} (layer {module.split('.')[1]}) imports {target}, "
                                "a layer above it")
    assert not problems, "\n".join(problems)
