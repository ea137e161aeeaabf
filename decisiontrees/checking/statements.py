"""Queries and claims: the question's family from the registry, its arguments and options
checked against the family's signature, and a claim's comparison against its answer's shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from decisiontrees.analyses import mdp as mdp_analysis
from decisiontrees.checking.arithmetic import evaluate, is_expression
from decisiontrees.checking.declarations import KIND_NAMES, Declarations
from decisiontrees.checking.laws import check_distribution
from decisiontrees.checking.mappings import MappingChecker
from decisiontrees.checking.trees import TreeBuilder
from decisiontrees.errors import RefusedError, TooManyLotteries
from decisiontrees.language.diagnostics import suggest
from decisiontrees.language.syntax import (
    Argument,
    Call,
    ChanceNode,
    ChoiceNode,
    Claim,
    Keyword,
    MappingLit,
    Query,
    Ref,
    SetLit,
    UniformNode,
    Value,
    Var,
)
from decisiontrees.limits import MAX_TIMEOUT_SECONDS
from decisiontrees.model.laws import LAWS
from decisiontrees.model.nodes import is_symbolic, leaf
from decisiontrees.model.rules import (
    CLASS_RULES,
    OPTIMAL,
    PARAMETERS,
    RULE_EXAMPLES,
    RULES,
    DecisionRule,
    rule_problem,
)
from decisiontrees.model.spec import (
    OtherAnswer,
    Question,
    Statement,
    StatementKind,
    TreeArg,
    UtilityArg,
)
from decisiontrees.model.symbols import free_parameters, substitute
from decisiontrees.questions.base import Arguments, Family, Kind, Shape, unlisted_state
from decisiontrees.questions.registry import QUESTIONS

_KIND_TEXT = {Kind.TREE: "a tree", Kind.OTHER: "a tree", Kind.UTILITY: "a utility function",
              Kind.LOTTERY: "a lottery", Kind.CLASS: "a utility class",
              Kind.DISTRIBUTION: "a distribution", Kind.ACTION: "an action"}
COMMON_OPTIONS = frozenset({"timeout"})  # every question accepts these
MAX_SAMPLES = 10**8


class StatementChecker:
    """Checks statements once every declaration is checked."""

    def __init__(self, names: Declarations, trees: TreeBuilder,
                 fixed: Mapping[str, Fraction] | None = None) -> None:
        self.names = names
        self.fixed = dict(fixed or {})  # parameter values given from outside (--param)
        self.reporter = names.reporter
        self.trees = trees
        self.mappings = MappingChecker(names)
        self.mdp_trees: dict[tuple[str, str, tuple[tuple[str, Fraction], ...]], TreeArg] = {}
        self.options: dict[str, Callable[[Keyword], Any]] = {
            "samples": self.samples, "seed": self.whole_number, "limit": self.whole_number,
            "timeout": self.seconds, "fixing": self.outcome_set, "within": self.feature_name,
            "over": self.outcome_set, "rule": self.rule, "width": self.width,
        }

    def check(self, item: Query | Claim) -> Statement | None:
        call = item.call
        checked = self.question(call)
        if checked is None:
            return None
        family, question, arguments = checked
        op, expected = None, None
        if isinstance(item, Claim):
            op = item.op
            if not self.claim_form(item, family):
                return None
            if isinstance(item.expected, Call):
                expected = self.other_answer(item.expected, family)
                if expected is None:
                    return None
            elif item.expected is not None:
                expected = self.expected_value(item.expected, family)
                if expected is None:
                    return None
        kind = StatementKind.QUERY if isinstance(item, Query) else StatementKind.CLAIM
        negated = isinstance(item, Claim) and item.negated
        timeout = arguments.options.get("timeout")
        return Statement(kind, call.name, question, negated, op, expected,
                         self.reporter.text_at(item.span), item.span,
                         float(timeout) if timeout is not None else None)

    def question(self, call: Call) -> tuple[Family, Question, Arguments] | None:
        """The question a call asks, checked, with its family and arguments."""
        family = QUESTIONS.get(call.name)
        if family is None:
            hint = suggest(call.name, QUESTIONS) or "the questions are " + ", ".join(sorted(QUESTIONS))
            self.reporter.error(call.name_span, f"unknown question `{call.name}`", hint)
            return None
        arguments = self.arguments(call, family)
        if arguments is None:
            return None
        question = family.make(arguments)
        # a state whose policies were not listed has only a placeholder tree: checks of the
        # tree's shape would be false; the answer refuses, or solves the mdp itself
        problems = family.problems(question) if unlisted_state(question) is None else []
        for message, problem_hint in problems:
            self.reporter.error(call.span, message, problem_hint)
        if problems:
            return None
        return family, question, arguments

    def other_answer(self, call: Call, family: Family) -> OtherAnswer | None:
        """The right side of ``claim q1(…) op q2(…)``: a question whose answer compares with
        the left one's (numbers with numbers, sets with sets)."""
        checked = self.question(call)
        if checked is None:
            return None
        other, question, arguments = checked
        if "timeout" in arguments.options:
            self.reporter.error(call.span, "the claim's time limit is set on its left side",
                                f"move `timeout = …` into {family.name}(…)")
            return None
        kinds = {Shape.NUMBER: "a number", Shape.SET: "a set of plans", Shape.OUTCOMES: "a set of outcomes",
                 Shape.WORD: "a word", Shape.BOOL: "yes or no", Shape.LISTING: "a listing"}
        left, right = family.signature.shape, other.signature.shape
        if kinds[left] != kinds[right] or left in (Shape.WORD, Shape.BOOL, Shape.LISTING):
            self.reporter.error(call.span, f"{call.name}() answers {kinds[right]}; it cannot be "
                                f"compared with {family.name}(), which answers "
                                f"{kinds[left]}",
                                "compare two numbers (value, power, prefers, …) or two sets")
            return None
        return OtherAnswer(call.name, question, self.reporter.text_at(call.span))

    # -- arguments and options

    def arguments(self, call: Call, family: Family) -> Arguments | None:
        signature = family.signature
        positional = [a for a in call.arguments if not isinstance(a, Keyword)]
        keywords = [a for a in call.arguments if isinstance(a, Keyword)]
        least, most = len(signature.arguments), len(signature.arguments) + len(signature.optional)
        if not least <= len(positional) <= most:
            wanted = ", ".join([str(k) for k in signature.arguments]
                               + [f"[{k}]" for k in signature.optional])
            count = f"{least}" if least == most else f"{least} to {most}"
            self.reporter.error(call.span, f"{call.name}() takes {count} "
                                f"argument{'s' if most != 1 else ''} ({wanted}), got {len(positional)}")
            return None
        errors_before = self.reporter.count
        values: dict[Kind, Any] = {}
        for kind, value in zip(signature.arguments + signature.optional, positional):
            values[kind] = self.argument(kind, value, call.name)
        options: dict[str, Any] = {}
        assignment: dict[str, Fraction] = {}
        given: set[str] = set()
        for keyword in keywords:
            if keyword.name in given and keyword.name in self.options:
                # the last would win silently: a claim checked under another rule or limit
                self.reporter.error(keyword.span, f"`{keyword.name}` is given twice",
                                    "give each option once")
                continue
            given.add(keyword.name)
            self.keyword(keyword, call, family, options, assignment)
        # An argument can be None without a new diagnostic: a tree already reported as broken.
        if self.reporter.count > errors_before or None in values.values():
            return None
        # A claim about a parametric value without parameter values is a claim for all of them.
        for kind in (Kind.TREE, Kind.OTHER):
            if kind in values:
                values[kind] = self.instantiate(values[kind], assignment,
                                                signature.symbolic_ok, call,
                                                "parameters" in signature.options)
                if values[kind] is None:
                    return None
        return Arguments(
            tree=values[Kind.TREE], other=values.get(Kind.OTHER), utility=values.get(Kind.UTILITY),
            lottery=values.get(Kind.LOTTERY), utility_class=values.get(Kind.CLASS),
            distribution=values.get(Kind.DISTRIBUTION), action=values.get(Kind.ACTION),
            options=MappingProxyType(options), assignment=MappingProxyType(assignment))

    def keyword(self, keyword: Keyword, call: Call, family: Family, options: dict[str, Any],
                assignment: dict[str, Fraction]) -> None:
        accepted = family.signature.options | COMMON_OPTIONS
        if keyword.name in accepted and keyword.name in self.options:
            checked = self.options[keyword.name](keyword)
            if checked is not None:
                options[keyword.name] = checked
            return
        if keyword.name in self.names.parameters and "parameters" in accepted:
            if not is_expression(keyword.value):
                self.reporter.error(keyword.value.span, f"`{keyword.name}` is a parameter: give "
                                    "it a number", f"e.g. `{keyword.name} = 1/2`")
                return
            number = evaluate(keyword.value, self.reporter, what="a number")
            parameter = self.names.parameters[keyword.name]
            if number is None:
                return
            if not parameter.contains(number):
                self.reporter.error(keyword.value.span, f"{keyword.name} = {number} is outside "
                                    f"its domain ({parameter})")
            elif keyword.name in assignment:
                self.reporter.error(keyword.span, f"`{keyword.name}` is given twice")
            else:
                assignment[keyword.name] = number
            return
        names = sorted(o for o in accepted if o != "parameters")
        if "parameters" in accepted and self.names.kind(keyword.name) is None \
                and keyword.name not in self.options:
            declared = sorted(self.names.parameters)
            hint = suggest(keyword.name, declared) or (
                f"the declared parameters are {', '.join(declared)}" if declared else
                f"declare it: `param {keyword.name} in [0, 1]`")
            self.reporter.error(keyword.span, f"`{keyword.name}` is not a declared parameter; "
                                f"{call.name}() takes values for parameters and the options "
                                f"{', '.join(names)}", hint)
            return
        if "parameters" in accepted:
            names.append("parameter values")
        hint = ("it accepts " + ", ".join(names)) if names else "it takes no options"
        self.reporter.error(keyword.span, f"{call.name}() has no option `{keyword.name}`", hint)

    def whole_number(self, keyword: Keyword) -> int | None:
        number = evaluate(keyword.value, self.reporter, what="a whole number") \
            if is_expression(keyword.value) else None
        if number is None or number.denominator != 1 or not 1 <= number < 2**63:
            self.reporter.error(keyword.value.span, f"`{keyword.name}` must be a positive whole "
                                "number (below 2^63)")
            return None
        return int(number)

    def samples(self, keyword: Keyword) -> int | None:
        number = self.whole_number(keyword)
        if number is not None and number > MAX_SAMPLES:
            self.reporter.error(keyword.value.span, f"at most {MAX_SAMPLES:,} samples",
                                "the interval shrinks with the square root of the samples")
            return None
        return number

    def seconds(self, keyword: Keyword) -> Fraction | None:
        number = evaluate(keyword.value, self.reporter, what="a number of seconds") \
            if is_expression(keyword.value) else None
        # at least a millisecond: a shorter one (1e-1000) was 0.0 as a float, and 0 means
        # "not given", so the command line's limit silently took its place
        if number is None or not Fraction(1, 1000) <= number <= MAX_TIMEOUT_SECONDS:
            self.reporter.error(keyword.value.span, "`timeout` must be a number of seconds "
                                f"from 0.001 to {MAX_TIMEOUT_SECONDS:,}",
                                "e.g. `timeout = 10` or `timeout = 1/2`")
            return None
        return number

    def rule(self, keyword: Keyword) -> DecisionRule | str | None:
        """``optimal``, or a rule with its parameter: ``boltzmann(T)``, ``satisficer(θ)``,
        ``best_of(k)``, ``best_of_distinct(k)``, ``quantilizer(q)``; or the name of a rule
        for choice under a class (the family checks which kind it takes)."""
        value = keyword.value
        shapes = "optimal, boltzmann(T), satisficer(θ), best_of(k), best_of_distinct(k), " \
            "quantilizer(q); under a class: " + ", ".join(CLASS_RULES)
        if isinstance(value, Var) and value.name == "optimal":
            return OPTIMAL
        if isinstance(value, Var) and value.name in CLASS_RULES:
            return value.name
        name = value.name if isinstance(value, (Var, Call)) else None
        if name not in RULES:
            hint = suggest(name, [*RULES, *CLASS_RULES]) if name else None
            self.reporter.error(value.span, "`rule` takes a decision rule", hint or
                                f"the rules are {shapes}")
            return None
        assert isinstance(value, (Var, Call))
        arguments = value.arguments if isinstance(value, Call) else ()
        symbol = PARAMETERS[name]
        if symbol is None:
            if arguments:
                self.reporter.error(value.span, f"`{name}` takes no parameter", f"write `{name}`")
                return None
            return OPTIMAL
        number = evaluate(arguments[0], self.reporter, what="a number") \
            if len(arguments) == 1 and is_expression(arguments[0]) else None
        if number is None:
            if not (len(arguments) == 1 and is_expression(arguments[0])):
                self.reporter.error(value.span, f"{name}() takes one number, {symbol}",
                                    f"e.g. `rule = {name}({RULE_EXAMPLES[name]})`")
            return None
        rule = DecisionRule(name, number)
        problem = rule_problem(rule)
        if problem:
            self.reporter.error(arguments[0].span, problem,
                                f"e.g. `rule = {name}({RULE_EXAMPLES[name]})`")
            return None
        return rule

    def width(self, keyword: Keyword) -> Fraction | None:
        number = evaluate(keyword.value, self.reporter, what="a number") \
            if is_expression(keyword.value) else None
        if number is None or not Fraction(1, 10**12) <= number < 1:
            self.reporter.error(keyword.value.span, "`width` is the largest width of a certified "
                                "interval: a number in [1e-12, 1)", "e.g. `width = 1/10000`")
            return None
        return number

    def outcome_set(self, keyword: Keyword) -> frozenset[str] | None:
        value = keyword.value
        if isinstance(value, MappingLit) and not value.entries:
            return frozenset()
        if not isinstance(value, SetLit):
            self.reporter.error(value.span, f"`{keyword.name}` takes a set of outcomes, like {{off}}")
            return None
        if not all(self.names.outcome_key(m.name, m.span) for m in value.members):
            return None
        return frozenset(m.name for m in value.members)

    def feature_name(self, keyword: Keyword) -> str | None:
        features = self.names.features()
        value = keyword.value
        if isinstance(value, Var) and value.name in features:
            return value.name
        hint = suggest(value.name, features) if isinstance(value, Var) else None
        self.reporter.error(value.span, "`within` takes the name of an outcome feature: outcomes "
                            "with equal values of it are of one kind",
                            hint or "declare one, e.g. `outcomes off { alive: 0 }, o1 { alive: 1 }`")
        return None

    def argument(self, kind: Kind, value: Argument, question: str) -> Any:
        if isinstance(value, Call):
            if kind == Kind.DISTRIBUTION and (value.name in LAWS or value.name not in QUESTIONS):
                return check_distribution(self.reporter, value)
            hint = "to compare two answers, write `claim q1(…) >= q2(…)`" \
                if value.name in QUESTIONS else None
            self.reporter.error(value.span, f"{question}() expects {_KIND_TEXT[kind]} here, "
                                f"not `{value.name}(…)`", hint)
            return None
        if isinstance(value, (ChoiceNode, ChanceNode, UniformNode)):
            if kind in (Kind.TREE, Kind.OTHER):
                node = self.trees.build_node(value)
                name = " ".join(self.reporter.text_at(value.span).split())
                return None if node is None else TreeArg(name, node)
            self.reporter.error(value.span, f"{question}() expects {_KIND_TEXT[kind]} here, "
                                "not a tree")
            return None
        assert not isinstance(value, Keyword)
        if kind == Kind.CLASS:
            if isinstance(value, Var) and self.names.kind(value.name) == "class":
                return self.names.classes.get(value.name)
            hint = suggest(value.name, self.names.names("class")) if isinstance(value, Var) else None
            self.reporter.error(value.span, f"{question}() expects the name of a utility class here",
                                hint or "declare one: `class ordered = {a > b}`")
            return None
        if kind in (Kind.TREE, Kind.OTHER):
            if not isinstance(value, Var):
                self.reporter.error(value.span, f"{question}() expects the name of a tree here")
                return None
            if "." in value.name:
                return self.mdp_state(value)
            node = self.trees.resolve_ref(Ref(value.name, value.span))
            return None if node is None else TreeArg(value.name, node)
        if kind == Kind.UTILITY:
            return self.utility(value, question)
        if kind == Kind.DISTRIBUTION:
            if isinstance(value, Var) and self.names.kind(value.name) == "distribution":
                return self.names.distributions.get(value.name)
            names = self.names.names("distribution")
            hint = suggest(value.name, names) if isinstance(value, Var) else None
            self.reporter.error(value.span, f"{question}() expects the name of a distribution "
                                "here", hint or "declare one: `distribution d = power(2)`")
            return None
        if kind == Kind.ACTION:
            if isinstance(value, Var):
                return value.name
            self.reporter.error(value.span, f"{question}() expects the action of the tree's "
                                "first choice here")
            return None
        assert kind == Kind.LOTTERY
        if not isinstance(value, MappingLit):
            self.reporter.error(value.span, f"{question}() expects a lottery here, "
                                "like `{o1: 1/2, o2: 1/2}`")
            return None
        return self.mappings.lottery_mapping(value)

    def mdp_state(self, value: Var) -> TreeArg | None:
        """``m.s``: a state of an mdp. Its tree is built once parameter values are known."""
        name, state = value.name.split(".", 1)
        kind = self.names.kind(name)
        if kind != "mdp":
            what = f"`{name}` is {KIND_NAMES[kind]}, not an mdp" if kind is not None \
                else f"unknown mdp `{name}`"
            hint = suggest(name, self.names.names("mdp")) or "declare one: `mdp m { … }`"
            self.reporter.error(value.span, what, hint)
            return None
        mdp = self.names.mdps.get(name)
        if mdp is None:
            return None  # its problems are reported
        if state not in mdp.states:
            hint = suggest(state, mdp.states) or "its states are " + ", ".join(mdp.states)
            self.reporter.error(value.span, f"mdp `{name}` has no state `{state}`", hint)
            return None
        return TreeArg(value.name, leaf(state), mdp, state)

    def mdp_tree(self, tree: TreeArg, assignment: Mapping[str, Fraction], call: Call
                 ) -> TreeArg | None:
        """The tree of an mdp's state, with the parameter values given so far substituted
        first (numeric policies are solved in rationals, far faster than in sympy)."""
        assert tree.mdp is not None and tree.state is not None
        values = {**self.fixed, **assignment}
        key = (tree.mdp.name, tree.state, tuple(sorted(values.items())))
        if key not in self.mdp_trees:
            mdp = tree.mdp.substitute(values)
            try:
                node = mdp_analysis.state_tree(mdp, tree.state)
            except TooManyLotteries as problem:
                # values and refutations of dominance are still found by solving the mdp
                self.mdp_trees[key] = TreeArg(tree.name, leaf(tree.state), mdp, tree.state,
                                              unlisted=str(problem))
                return self.mdp_trees[key]
            except RefusedError as problem:
                self.reporter.error(call.span, f"refused: {problem}",
                                    "ask about a state with fewer reachable choices, or give the "
                                    "mdp a finite horizon")
                return None
            self.mdp_trees[key] = TreeArg(tree.name, node, mdp, tree.state)
        return self.mdp_trees[key]

    def utility(self, value: Value, question: str) -> UtilityArg | None:
        if isinstance(value, MappingLit):
            values = self.mappings.utility_mapping(value)
            return None if values is None else UtilityArg(None, values)
        kind = self.names.kind(value.name) if isinstance(value, Var) else None
        if isinstance(value, Var) and kind == "utility":
            known = self.names.utilities.get(value.name)
            return None if known is None else UtilityArg(value.name, known)
        if isinstance(value, Var) and kind is not None:
            self.reporter.error(value.span, f"`{value.name}` is {KIND_NAMES[kind]}, not a utility "
                                "function")
            return None
        hint = suggest(value.name, self.names.names("utility")) if isinstance(value, Var) else None
        what = f"unknown utility function `{value.name}`" if isinstance(value, Var) else \
            f"{question}() expects a utility function here: a name or `{{o1: 1, *: 0}}`"
        self.reporter.error(value.span, what, hint)
        return None

    def instantiate(self, tree: TreeArg, assignment: Mapping[str, Fraction], symbolic_ok: bool,
                    call: Call, takes_values: bool = True) -> TreeArg | None:
        if tree.mdp is not None:
            built = self.mdp_tree(tree, assignment, call)
            if built is None:
                return None
            tree = built
        outside = {k: v for k, v in self.fixed.items() if k not in assignment}
        if outside and is_symbolic(tree.node):
            tree = TreeArg(tree.name, substitute(tree.node, outside), tree.mdp, tree.state)
        if not is_symbolic(tree.node):
            return tree
        needed = free_parameters(tree.node)
        missing = sorted(needed - set(assignment))
        if not missing:
            return TreeArg(tree.name, substitute(tree.node, assignment), tree.mdp, tree.state)
        if symbolic_ok:  # the values given are used; the question answers in the others
            return TreeArg(tree.name, substitute(tree.node, assignment) if assignment
                           else tree.node, tree.mdp, tree.state)
        example = ", ".join(f"{name} = 1/2" for name in missing)
        hint = f"e.g. {call.name}(…, {example})" if takes_values else \
            "fix them for the whole file: " + " ".join(f"--param {name}=1/2" for name in missing)
        self.reporter.error(call.span, f"`{tree.name}` has parameters {', '.join(missing)}; "
                            f"{call.name}() needs their values", hint)
        return None

    # -- claims

    def claim_form(self, item: Claim, family: Family) -> bool:
        shape = family.signature.shape
        name = item.call.name
        if shape == Shape.LISTING:
            self.reporter.error(item.call.name_span, f"{name}() can only be queried",
                                f"write `query {name}(…)`")
            return False
        if shape == Shape.BOOL and item.op is not None:
            self.reporter.error(item.span, f"{name}() is a yes/no claim; it takes no comparison",
                                f"write `claim {name}(…)` or `claim not {name}(…)`")
            return False
        is_set = shape in (Shape.SET, Shape.OUTCOMES, Shape.WORD)
        if shape != Shape.BOOL and item.op is None:
            example = "== {o1, o2}" if is_set else "== 1"
            self.reporter.error(item.span, f"a claim about {name}() needs a comparison",
                                f"e.g. `claim {name}(…) {example}`")
            return False
        if is_set and item.op not in ("==", "!="):
            self.reporter.error(item.span, f"{name}() is a set; compare it with == or !=")
            return False
        return True

    def expected_value(self, value: Value, family: Family) -> Any:
        shape, words = family.signature.shape, family.signature.words
        if shape == Shape.WORD:
            if isinstance(value, Var) and value.name in words:
                return value.name
            what = "how the trees compare" if "incomparable" in words else "a convergence strength"
            self.reporter.error(value.span, f"expected {what}", "one of " + ", ".join(words))
            return None
        if shape == Shape.NUMBER:
            if not is_expression(value):
                self.reporter.error(value.span, "expected a number here")
                return None
            return evaluate(value, self.reporter, what="a number")
        if isinstance(value, MappingLit) and not value.entries:
            return frozenset()
        if not isinstance(value, SetLit):
            self.reporter.error(value.span, "expected a set here, like `{o1, o2}`")
            return None
        if shape == Shape.OUTCOMES:
            ok = [m for m in value.members if m.quoted or self.names.outcome_key(m.name, m.span)]
            if len(ok) != len(value.members):
                return None
        return frozenset(" ".join(m.name.split()) for m in value.members)
