"""`search`: the smallest trees with a property, complete within stated bounds.

The candidates come from decisiontrees.analyses.enumeration (each tree once up to reordering
children; each tuple of trees once up to renaming outcomes when the property is symmetric in
them), smallest first: total nodes, then depth. The property is a condition over the
questions of the language (``and``, ``or``, ``not``), each judged exactly as a claim is —
so every hit carries the same evidence a claim would. ``and``/``or`` stop at the first
conjunct that decides them, cheap questions being no different from the others: write the
cheap ones first. A candidate whose condition is unknown is counted; a search with unknowns
never claims to be complete.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from decisiontrees import limits
from decisiontrees.analyses.enumeration import (
    Bounds,
    TooManyTrees,
    least_tuple,
    renamed_forms,
    trees,
)
from decisiontrees.errors import RefusedError, SolverFailed, TimedOut
from decisiontrees.model.nodes import Chance, Choice, Leaf, Node
from decisiontrees.model.spec import OtherAnswer, Question, Spec, Statement, TreeArg
from decisiontrees.questions.base import JSON, Answer, Context, Evidence, Status, count_text

MAX_TUPLES = 10**7


@dataclass(frozen=True)
class Condition:
    """``and``/``or``/``not`` over conditions, or one claim (``statement``)."""

    word: str  # "and", "or", "not", "claim"
    parts: tuple[Condition, ...] = ()
    statement: Statement | None = None
    ordered: bool = False  # the claim names actions or plans: the order of children matters

    def in_order(self) -> bool:
        """Whether some claim of the condition can tell arrangements of children apart."""
        return self.ordered or any(part.in_order() for part in self.parts)

    def text(self) -> str:
        if self.statement is not None:
            return self.statement.text.removeprefix("claim ")
        if self.word == "not":
            return f"not ({self.parts[0].text()})"
        return f" {self.word} ".join(
            part.text() if part.word in ("claim", "not") else f"({part.text()})"
            for part in self.parts)


@dataclass(frozen=True)
class SearchQuestion(Question):
    """A search: tree variables, the condition, the bounds, how many hits to report."""

    name: str
    variables: tuple[str, ...]
    condition: Condition
    bounds: Bounds
    symmetric: bool  # the condition names no outcome: renamings need not be examined
    hits: int | None  # None: every hit; 0: only count
    workers: int = 1  # processes examining candidates
    swappable: bool = False  # two trees, and exchanging them cannot change the condition


@dataclass(frozen=True)
class Hit:
    trees: tuple[tuple[str, str], ...]  # each variable and its tree in the spec language
    lines: tuple[str, ...]  # the evidence of each claim of the condition


@dataclass(frozen=True)
class SearchEvidence(Evidence):
    question: SearchQuestion
    hits: tuple[Hit, ...]
    found: int
    examined: int
    generated: int  # candidate tuples before renamings were set aside
    unknown: int
    complete: bool
    seconds: float
    resumed: tuple[str, int] | None = None  # (checkpoint file, candidates taken from it)
    unsaved: str | None = None  # why progress could not be saved to the checkpoint file
    symmetric_condition: bool = False  # renamings could have been set aside (see _renamings)
    ignored: str | None = None  # why the checkpoint's progress for this search was not used

    def lines(self) -> tuple[str, ...]:
        bounds = self.question.bounds
        shown = [f"bounds: each tree at most {bounds.nodes} nodes"
                 + (f", depth {bounds.depth}" if bounds.depth is not None else "")
                 + f", branching {bounds.branching}, kinds {', '.join(sorted(bounds.kinds))}, "
                 f"probabilities {', '.join(str(p) for p in bounds.probabilities)}, outcomes "
                 f"{', '.join(bounds.outcomes)}"
                 + ("; children in every order (the condition names actions or plans)"
                    if bounds.ordered else ""),
                 f"examined {count_text(self.examined)} candidates of {count_text(self.generated)}"
                 + self._reduction() + f", smallest first, in {self.seconds:.1f} s"]
        if self.resumed is not None:
            path, taken = self.resumed
            shown.append(f"resumed from the checkpoint {path}: {count_text(taken)} of these "
                         "candidates were examined by an earlier run and are taken on the "
                         "file's word, not examined again")
        if self._renamings():
            shown.append(self._renamings())
        if self.ignored is not None:
            shown.append(f"the checkpoint's progress for this search was not used, since "
                         f"{self.ignored}: started afresh")
        if self.unsaved is not None:
            shown.append(f"progress was not saved: {self.unsaved}")
        if self.unknown:
            shown.append(f"{self.unknown} candidates undecided (unknown): not complete")
        elif self.complete:
            shown.append(f"complete within the bounds: {self.found} hit"
                         f"{'s' if self.found != 1 else ''}")
        for number, hit in enumerate(self.hits, start=1):
            shown.append(f"hit {number}:")
            shown += [f"  tree {name} = {text}" for name, text in hit.trees]
            shown += [f"  {line}" for line in hit.lines]
        return tuple(shown)

    def _reduction(self) -> str:
        ways = (["rename outcomes of"] if self.question.symmetric else []) + \
            (["exchange the two trees of"] if self.question.swappable else [])
        return f" (the others {' or '.join(ways)} one examined)" if ways else ""

    def _renamings(self) -> str:
        """Why renamings were not set aside although the condition allows it."""
        if self.question.symmetric or not self.symmetric_condition:
            return ""
        count = math.factorial(len(self.question.bounds.outcomes))
        return (f"renamings of the outcomes were not set aside: {count:,} per tree cost more "
                "than examining the candidates they would save")

    def to_json(self) -> dict[str, JSON]:
        return {"examined": self.examined, "generated": self.generated, "found": self.found,
                "unknown": self.unknown, "complete": self.complete,
                "hits": [dict(hit.trees) for hit in self.hits],
                **({"resumed": {"checkpoint": self.resumed[0], "examined": self.resumed[1]}}
                   if self.resumed is not None else {}),
                **({"checkpoint_ignored": self.ignored} if self.ignored is not None else {})}


def tree_text(node: Node) -> str:
    """The tree in the spec language, on one line."""
    if isinstance(node, Leaf):
        return node.outcome
    if isinstance(node, Choice):
        return "choice { " + ", ".join(f"{a}: {tree_text(c)}" for a, c in
                                       zip(node.actions, node.children)) + " }"
    assert isinstance(node, Chance)
    return "chance { " + ", ".join(f"{p}: {tree_text(c)}" for p, c in
                                   zip(node.probabilities, node.children)) + " }"


RENAMING_WORK = 2_000_000  # candidates × renamings of the outcomes, past which none are set aside


def run_search(question: SearchQuestion, context: Context,
               judge: Any) -> tuple[Answer, SearchEvidence]:
    """Examine candidates smallest first; ``judge(statement, spec)`` answers and judges one
    claim (run.answer_and_judge)."""
    started = time.monotonic()
    arity = len(question.variables)
    most = int(MAX_TUPLES ** (1 / arity) + 1e-9)  # trees whose tuples stay within MAX_TUPLES
    try:
        candidates = trees(question.bounds, limit=most)
    except TooManyTrees:  # refused before the rest are made (they took minutes and a GB)
        raise RefusedError(f"more than {most:,} trees within the bounds give more than "
                           f"{count_text(MAX_TUPLES)} candidates; tighten nodes, branching or "
                           "outcomes") from None
    if len(candidates) ** arity > MAX_TUPLES:
        raise RefusedError(f"{len(candidates)} trees within the bounds give "
                           f"{count_text(len(candidates) ** arity)} candidates, more than "
                           f"{count_text(MAX_TUPLES)}; tighten nodes, branching or outcomes")
    renamings = math.factorial(len(question.bounds.outcomes))
    symmetric_condition = question.symmetric
    if question.symmetric and len(candidates) * renamings > RENAMING_WORK:
        # each candidate's form under every renaming: 9 outcomes made a 3-node search time out
        question = dataclasses.replace(question, symmetric=False)
    forms = renamed_forms(candidates, question.bounds.outcomes) if question.symmetric else []
    combos = _ordered_tuples(candidates, arity)
    hits: list[Hit] = []
    found = examined = unknown = 0
    complete, stopped, interrupted = True, False, False
    wanted = question.hits
    chunks = [(start, min(start + CHUNK, len(combos))) for start in range(0, len(combos), CHUNK)]
    workers = question.workers if len(combos) >= PARALLEL_FROM else 1
    saved = Checkpoint.open(question, chunks)
    if saved is not None and saved.next_chunk and saved.examined != sum(
            _examinable(question, forms, combos[index])
            for index in range(chunks[saved.next_chunk - 1][1])):
        # how many candidates those chunks hold once renamings are set aside is fixed
        saved = dataclasses.replace(saved, next_chunk=0, examined=0, found=0, unknown=0,
                                    hits=(), ignored="its count of candidates examined is "
                                    "not the number those candidates hold")
    if saved is not None and saved.hits:
        hits_again = _recheck(saved.hits, question, candidates, context.spec, judge)
        saved = dataclasses.replace(saved, hits=hits_again) if hits_again is not None else \
            dataclasses.replace(saved, next_chunk=0, examined=0, found=0, unknown=0, hits=(),
                                ignored="a hit saved in it does not hold")
    resumed = (saved.path, saved.examined) if saved is not None and saved.next_chunk else None
    if saved is not None:
        examined, found, unknown = saved.examined, saved.found, saved.unknown
        hits = list(saved.hits)
    first_chunk = saved.next_chunk if saved is not None else 0
    stream = _chunk_results(question, context.spec, judge, (candidates, forms, combos),
                            chunks[first_chunk:], workers)
    last_report = time.monotonic()
    finished = first_chunk  # chunks fully examined: what a checkpoint may record
    try:
        for done, (seen, results) in enumerate(stream, start=first_chunk + 1):
            finished = done
            examined += seen
            for verdict, trees_found, lines in results:
                if verdict is None:
                    unknown += 1
                    continue
                found += 1
                if wanted is None or len(hits) < wanted:
                    hits.append(Hit(trees_found, lines))
            now = time.monotonic()
            if saved is not None and now - saved.written > CHECKPOINT_SECONDS:
                saved.save(done, examined, found, unknown, hits)
            if sys.stderr.isatty() and now - last_report > 0.5:
                last_report = now
                rate = (done - first_chunk) * CHUNK / max(now - started, 1e-9)
                left = (len(combos) - done * CHUNK) / max(rate, 1e-9)
                print(f"\r  search {question.name}: {min(done * CHUNK, len(combos)):,}/"
                      f"{len(combos):,} candidates ({examined:,} examined;"
                      f" {rate:,.0f}/s, about {left:,.0f} s left), {found} found  ",
                      end="", file=sys.stderr, flush=True)
            if wanted is not None and wanted > 0 and len(hits) >= wanted:
                # the hits asked for are found; complete all the same after the last chunk
                complete, stopped = done == len(chunks), True
                break
        else:
            if saved is not None:
                saved.save(len(chunks), examined, found, unknown, hits)
    except (TimedOut, KeyboardInterrupt) as stop:
        complete, interrupted = False, isinstance(stop, KeyboardInterrupt)
        if saved is not None:
            saved.save(finished, examined, found, unknown, hits)
    finally:
        stream.close()  # stops the workers
    if sys.stderr.isatty():
        print(file=sys.stderr)
    evidence = SearchEvidence(question, tuple(hits), found, examined, len(combos), unknown,
                              complete and unknown == 0, time.monotonic() - started, resumed,
                              saved.problem if saved is not None else None, symmetric_condition,
                              saved.ignored if saved is not None else None)
    if found:
        first = ", ".join(f"{name} = {text}" for name, text in hits[0].trees) if hits else ""
        if wanted == 0:
            summary = f"{found} hits" + ("" if evidence.complete else " (so far)")
        elif stopped and found == 1:
            summary = f"found: {first}" if len(first) <= 120 else "found (see hit 1)"
        else:
            shown = f"{len(hits)} shown" if len(hits) < found else ""  # hits = N asks for N
            notes = [n for n in ("" if evidence.complete else "stopped early", shown) if n]
            summary = f"found {found} hit{'s' if found != 1 else ''}" + (
                f" ({', '.join(notes)})" if notes else "")
        return Answer(summary, evidence.to_json(), evidence, comparable=True), evidence
    if evidence.complete:
        taken = "" if resumed is None else \
            f"; {count_text(resumed[1])} candidates on the word of the checkpoint {resumed[0]}"
        return Answer(f"none within the bounds (complete{taken})", evidence.to_json(), evidence,
                      comparable=False), evidence
    why = "interrupted" if interrupted else "time ran out" if unknown == 0 else \
        f"{unknown} candidates undecided"
    return Answer(f"unknown: none found in {examined} candidates examined, but the search is "
                  f"not complete ({why})", evidence.to_json(), evidence,
                  status=Status.UNKNOWN), evidence


CHECKPOINT_SECONDS = 5.0
CHECKPOINT: ContextVar[str | None] = ContextVar("search_checkpoint", default=None)
# everything the searches' conditions may name, written out by whoever sets CHECKPOINT (the
# API, from the JSON export): a checkpoint of a search over other definitions is not reused
DEFINITIONS: ContextVar[str] = ContextVar("search_definitions", default="")
SCHEDULER: ContextVar[str | None] = ContextVar("search_scheduler", default=None)
CLUSTER_HINT = "--scheduler needs Dask: pip install 'decisiontrees[cluster]'"


@dataclass
class Checkpoint:
    """Where a search has got to, saved to a file so that a stopped search resumes there.
    The file names the search it belongs to (its text and bounds): another search starts
    afresh."""

    path: str
    name: str
    fingerprint: str
    next_chunk: int = 0
    examined: int = 0
    found: int = 0
    unknown: int = 0
    hits: tuple[Hit, ...] = ()
    written: float = 0.0
    problem: str | None = None  # why the file could not be written (then it is not tried again)
    ignored: str | None = None  # why the progress the file holds for this search was not used

    @classmethod
    def open(cls, question: SearchQuestion, chunks: list[tuple[int, int]]) -> Checkpoint | None:
        """The saved progress of this search (a fresh start when the file has none, names
        another search or does not add up)."""
        path = CHECKPOINT.get()
        if path is None:
            return None
        total = chunks[-1][1] if chunks else 0
        fingerprint = hashlib.sha256(repr(_stable((
            question.name, question.condition.text(), question.bounds, question.variables,
            question.hits, question.symmetric, question.swappable, total, CHUNK,
            DEFINITIONS.get()))).encode()).hexdigest()
        mine = cls(path, question.name, fingerprint, written=time.monotonic())
        if not os.path.isfile(path):  # opening a named pipe would wait for a writer
            return mine
        try:
            with open(path, encoding="utf-8") as handle, limits.shallow_json():
                document = json.load(handle, parse_int=_count)
        except (OSError, ValueError, RecursionError):
            return mine
        entry = searches_in(document).get(question.name)
        if entry is None:
            return mine
        if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint:
            return dataclasses.replace(mine, ignored="it was saved by this search over other "
                                       "bounds, settings or definitions")
        unusable = dataclasses.replace(mine, ignored="its counts do not add up")
        try:
            hits = tuple(Hit(tuple((str(k), str(v)) for k, v in hit["trees"].items()),
                             tuple(str(line) for line in hit["lines"]))
                         for hit in entry["hits"])
            saved = cls(path, question.name, fingerprint, int(entry["next_chunk"]),
                        int(entry["examined"]),
                        int(entry["found"]), int(entry["unknown"]), hits, time.monotonic())
        except (KeyError, TypeError, ValueError, AttributeError):
            return unusable
        done = chunks[saved.next_chunk - 1][1] if 0 < saved.next_chunk <= len(chunks) else 0
        counts = (0 <= saved.next_chunk <= len(chunks) and 0 <= saved.examined <= done
                  and (saved.examined > 0) == (saved.next_chunk > 0)
                  and 0 <= saved.found + saved.unknown <= saved.examined
                  and len(saved.hits) <= saved.found)
        return saved if counts else unusable

    def save(self, next_chunk: int, examined: int, found: int, unknown: int,
             hits: list[Hit]) -> None:
        self.next_chunk, self.examined, self.found, self.unknown = \
            next_chunk, examined, found, unknown
        self.hits, self.written = tuple(hits), time.monotonic()
        if self.problem is not None:
            return
        try:
            with open(self.path, encoding="utf-8") as handle, limits.shallow_json():
                searches = searches_in(json.load(handle, parse_int=_count))
        except (OSError, ValueError, RecursionError):
            searches = {}
        searches[self.name] = {
            "fingerprint": self.fingerprint, "next_chunk": next_chunk, "examined": examined,
            "found": found, "unknown": unknown,
            "hits": [{"trees": dict(hit.trees), "lines": list(hit.lines)} for hit in hits]}
        temporary = f"{self.path}.tmp"
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump({"format": CHECKPOINT_FORMAT, "searches": searches}, handle, indent=1)
            os.replace(temporary, self.path)
        except OSError as error:  # the search goes on; its answer says progress was not saved
            self.problem = f"{error.strerror or error} ({self.path})"


CHECKPOINT_FORMAT = "decisiontrees-search-checkpoint"


def searches_in(document: Any) -> dict[str, Any]:
    """The saved searches of a checkpoint file's JSON, by name (files written before the
    format was named hold the searches at the top level); empty for anything else."""
    if not isinstance(document, dict):
        return {}
    if document.get("format") == CHECKPOINT_FORMAT:
        searches = document.get("searches")
        return dict(searches) if isinstance(searches, dict) else {}
    if document and all(isinstance(v, dict) and "fingerprint" in v for v in document.values()):
        return dict(document)
    return {}


MAX_CHECKPOINT_BYTES = 64 * 2**20  # read to see whether a file is a checkpoint


def checkpoint_problem(path: str) -> str | None:
    """Why a search cannot save its progress to ``path`` (checked before it starts, not when
    it first saves, minutes later), or None. A file that exists must be a checkpoint: a
    search never overwrites anything else."""
    folder = os.path.dirname(path) or "."
    if os.path.isdir(path):
        return "it is a folder"
    if not os.path.isdir(folder):
        return f"no folder {folder!r}"
    if os.path.isdir(f"{path}.tmp"):
        return f"{path}.tmp, where it is written first, is a folder"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder!r} cannot be written"
    if not os.path.exists(path):
        return None
    if not os.path.isfile(path):  # a named pipe, a device: opening one may wait forever
        return "it is not a regular file"
    try:
        with open(path, encoding="utf-8") as handle, limits.shallow_json():
            ours = is_checkpoint(json.loads(handle.read(MAX_CHECKPOINT_BYTES + 1),
                                            parse_int=_count))
    except (OSError, ValueError, RecursionError):
        ours = False
    return None if ours else "the file exists and is not a search checkpoint; name a new file"


def is_checkpoint(document: Any) -> bool:
    """Whether a file's JSON is a search checkpoint, which a search may rewrite."""
    return isinstance(document, dict) and (document.get("format") == CHECKPOINT_FORMAT
                                           or bool(searches_in(document)))


def _count(text: str) -> int:
    """A count in a checkpoint file (a long integer there is not one of ours: converting
    millions of digits would take minutes)."""
    if len(text) > 30:
        raise ValueError("not a count")
    return int(text)


def _stable(value: Any) -> Any:
    """``value`` with its sets sorted, so its repr is the same in every run (a set's order
    depends on the process's hash seed)."""
    if isinstance(value, (set, frozenset)):
        return ("set", sorted((_stable(v) for v in value), key=repr))
    if isinstance(value, (tuple, list)):
        return tuple(_stable(v) for v in value)
    if isinstance(value, dict):
        return ("dict", sorted(((_stable(k), _stable(v)) for k, v in value.items()), key=repr))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                tuple((f.name, _stable(getattr(value, f.name))) for f in dataclasses.fields(value)))
    return value


CHUNK = 64  # candidates per unit of work: small enough to stop soon after a first hit
PARALLEL_FROM = 2_000  # fewer candidates are examined here, without starting processes
_JOB: tuple[Any, ...] = ()  # what forked workers examine (set before the pool starts)

ChunkResult = tuple[int, list[tuple[bool | None, tuple[tuple[str, str], ...], tuple[str, ...]]]]


def _chunk_results(question: SearchQuestion, spec: Spec, judge: Any, space: tuple[Any, ...],
                   chunks: list[tuple[int, int]], workers: int) -> Any:
    """For each chunk in order: how many candidates were examined, and the hits and
    unknowns among them. With several workers, forked processes examine the chunks and the
    results still come in order (so the first hit is the smallest)."""
    global _JOB
    _JOB = (question, spec, judge, *space)
    scheduler = SCHEDULER.get()
    if scheduler is not None:
        yield from _on_cluster(scheduler, question, spec, judge, chunks)
        return
    if workers <= 1:
        for chunk in chunks:
            yield _examine(chunk)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.imap(_examine_in_worker, chunks)
        pool.terminate()


def _on_cluster(address: str, question: SearchQuestion, spec: Spec, judge: Any,
                chunks: list[tuple[int, int]]) -> Any:
    """The chunks examined by a Dask cluster's workers (which import decisiontrees and
    rebuild the candidates from the bounds), results taken in order."""
    try:
        import distributed
    except ImportError:
        raise RefusedError(CLUSTER_HINT) from None
    client_class: Any = distributed.Client  # untyped
    count = len(chunks)
    try:
        client = client_class(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as problem:
        raise SolverFailed(f"cannot reach the Dask scheduler at {address}: {problem}") from None
    with client:
        futures = client.map(_examine_on_worker, [question] * count, [spec] * count,
                             [judge] * count, chunks, pure=False)
        try:
            for future in futures:
                while True:
                    limits.check("searching on the cluster")
                    try:
                        yield future.result(timeout=1)
                        break
                    except TimeoutError:
                        continue
        finally:
            client.cancel(futures)


_WORKER_SPACES: dict[str, tuple[Any, ...]] = {}


def _examine_on_worker(question: SearchQuestion, spec: Spec, judge: Any,
                       chunk: tuple[int, int]) -> ChunkResult:
    """A chunk examined on a cluster worker: the candidates are rebuilt once per search."""
    global _JOB
    key = repr((question.bounds, question.variables, question.symmetric, question.swappable))
    if key not in _WORKER_SPACES:
        candidates = trees(question.bounds)
        forms = renamed_forms(candidates, question.bounds.outcomes) if question.symmetric \
            else []
        combos = _ordered_tuples(candidates, len(question.variables))
        _WORKER_SPACES.clear()
        _WORKER_SPACES[key] = (candidates, forms, combos)
    _JOB = (question, spec, judge, *_WORKER_SPACES[key])
    return _examine(chunk)


def _ordered_tuples(candidates: list[Any], arity: int) -> list[tuple[int, ...]]:
    """Every tuple of candidates (by index), smallest first: total nodes, then depth."""
    return sorted(itertools.product(range(len(candidates)), repeat=arity),
                  key=lambda c: (sum(candidates[i].size for i in c),
                                 max(candidates[i].depth for i in c)))


_PARENT = 0


def _watch_parent(parent: int) -> None:
    global _PARENT
    _PARENT = parent
    limits.die_with_parent()  # killed with the search (a timed-out one left them running)


def _examine_in_worker(chunk: tuple[int, int]) -> ChunkResult:
    return limits.in_worker(_examine, chunk)


def _examinable(question: SearchQuestion, forms: Any, combo: tuple[int, ...]) -> bool:
    """Whether a tuple of candidates is examined: not set aside as a renaming of the
    outcomes, or an exchange of the two trees, of one that is."""
    if question.symmetric:
        return bool(least_tuple(combo, forms, question.swappable))
    return not (question.swappable and combo[0] > combo[1])


def _examine(chunk: tuple[int, int]) -> ChunkResult:
    question, spec, judge, candidates, forms, combos = _JOB
    results: ChunkResult = (0, [])
    seen = 0
    found = results[1]
    for index in range(*chunk):
        if _PARENT and os.getppid() != _PARENT:
            os._exit(0)  # the search was stopped (its process killed): stop too
        if not _examinable(question, forms, combos[index]):
            continue
        combo = [candidates[i] for i in combos[index]]
        limits.check("searching")
        binding = {v: c.node for v, c in zip(question.variables, combo)}
        verdict, lines = _holds(question.condition, binding, spec, judge)
        # a claim cut short by the search's deadline is unknown for that reason only: the
        # candidate is not counted, and the search stops (a checkpoint resumes here)
        limits.check("searching")
        seen += 1
        if verdict is None or verdict is True:
            found.append((verdict, tuple((v, tree_text(c.node))
                                         for v, c in zip(question.variables, combo)),
                          tuple(lines)))
    return seen, found


class _NotApplicable:
    """The value of a condition about trees outside a question's domain (``chosen(t, a1)``
    of a tree that starts with chance): never a hit, and not an unknown either."""

    def __repr__(self) -> str:
        return "not applicable"


NOT_APPLICABLE = _NotApplicable()
Truth = bool | None | _NotApplicable  # None: unknown


def _recheck(hits: tuple[Hit, ...], question: SearchQuestion, candidates: list[Any],
             spec: Spec, judge: Any) -> tuple[Hit, ...] | None:
    """The hits a checkpoint names, each a candidate within the bounds whose condition is
    judged again here (with its evidence written afresh) and none named twice; None if any
    is not, and then the checkpoint is ignored. The file's counts stay its word; its hits
    do not."""
    by_text = {tree_text(c.node): c.node for c in candidates}
    if len({hit.trees for hit in hits}) < len(hits):
        return None
    again = []
    for hit in hits:
        names = tuple(name for name, _ in hit.trees)
        nodes = [by_text.get(text) for _, text in hit.trees]
        if names != tuple(question.variables) or any(node is None for node in nodes):
            return None
        binding = {name: node for name, node in zip(names, nodes) if node is not None}
        verdict, lines = _holds(question.condition, binding, spec, judge)
        if verdict is not True:
            return None
        again.append(Hit(hit.trees, tuple(lines)))
    return tuple(again)


def _holds(condition: Condition, binding: dict[str, Node], spec: Spec, judge: Any
           ) -> tuple[Truth, list[str]]:
    """True, False, None (unknown) or NOT_APPLICABLE, with the evidence lines of the claims
    that decided it. A question that does not apply makes its claim NOT_APPLICABLE, and so
    its negation (a leaf is no hit of ``not tie(t) >= 0``); ``and`` is False with any False
    part, ``or`` True with any True part, as in Kleene's logic."""
    if condition.statement is not None:
        statement = _bound(condition.statement, binding)
        status, shown = judge(statement, spec)
        mark: Truth = NOT_APPLICABLE if status is None else \
            {Status.PASS: True, Status.FAIL: False}.get(status)
        word = "does not apply" if isinstance(mark, _NotApplicable) else \
            {True: "holds", False: "fails", None: "unknown"}[mark]
        return mark, [f"{condition.statement.text.removeprefix('claim ')}: {word}",
                      *(f"  {line}" for line in shown)]
    if condition.word == "not":
        inner, shown_inner = _holds(condition.parts[0], binding, spec, judge)
        return (inner if inner is None or inner is NOT_APPLICABLE else not inner), shown_inner
    stop = condition.word == "or"  # `or` stops at the first True, `and` at the first False
    lines: list[str] = []
    values: list[Truth] = []
    for part in condition.parts:
        value, more = _holds(part, binding, spec, judge)
        lines += more
        if value is stop:
            return stop, lines
        values.append(value)
    if stop and None in values:  # `or`: an unknown part could still be True
        return None, lines
    if NOT_APPLICABLE in values:  # no part can make it a hit
        return NOT_APPLICABLE, lines
    return (None if None in values else not stop), lines


def _bound(statement: Statement, binding: dict[str, Node]) -> Statement:
    """The statement about the candidate trees."""
    question = _bound_question(statement.question, binding)
    expected = statement.expected
    if isinstance(expected, OtherAnswer):
        expected = OtherAnswer(expected.name, _bound_question(expected.question, binding),
                               expected.text)
    return dataclasses.replace(statement, question=question, expected=expected)


def _bound_question(question: Question, binding: dict[str, Node]) -> Question:
    changes = {}
    for field in dataclasses.fields(question):
        value = getattr(question, field.name)
        if isinstance(value, TreeArg) and value.name in binding:
            changes[field.name] = TreeArg(value.name, binding[value.name])
    return dataclasses.replace(question, **changes) if changes else question
