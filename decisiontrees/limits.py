"""Limits on work: a deadline for the statement being answered, and an isolated run.

Two mechanisms bound every question:

- a **deadline**, set for the statement being answered and checked cooperatively: loops of
  the engines call :func:`check`, and solver calls never get more than :func:`remaining_ms`;
- an **isolated run** (:func:`run_isolated`): on systems with ``fork`` the statement runs in
  a child process with a memory cap, and the parent stops it when the deadline has passed by
  a grace period. This bounds what cannot stop itself (a long Normaliz or sympy call).

A statement that runs out of time is answered ``unknown`` with the reason; one that runs
out of memory too. Work made of independent pieces may also spread over forked worker
processes (:func:`workers`, :func:`parallel_map`), each bound by the same deadline and cap,
and one computation may run beside the work in hand (:class:`Background`), on a core of its
own or paused and resumed to share one. Nothing here knows about questions.
"""

from __future__ import annotations

import copyreg
import io
import multiprocessing
import os
import pickle
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from decisiontrees.errors import InternalError, TimedOut

DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MEMORY_BYTES = 4 * 2**30  # for the answer to one statement, beyond what is loaded
GRACE_SECONDS = 2.0  # how long a run past its deadline may take to stop by itself
MAX_TIMEOUT_SECONDS = 10**7  # about four months: more is no limit at all

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("deadline", default=None)

T = TypeVar("T")


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Work inside the block must end within ``seconds`` (checked by :func:`check`), and
    within any deadline around it: an inner limit only ever shortens an outer one."""
    end, outer = time.monotonic() + seconds, _DEADLINE.get()
    token = _DEADLINE.set(outer if outer is not None and outer[0] <= end else (end, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check(doing: str = "") -> None:
    """Raise :class:`TimedOut` if the current deadline has passed."""
    current = _DEADLINE.get()
    if current is not None and time.monotonic() > current[0]:
        raise TimedOut(f"timed out after {current[1]:g} s" + (f" while {doing}" if doing else ""))


def remaining_ms(requested_ms: int | None = None) -> int:
    """Milliseconds a solver call may take: what is left of the deadline (at least 1), and
    no more than ``requested_ms``."""
    current = _DEADLINE.get()
    left = None if current is None else max(1, int((current[0] - time.monotonic()) * 1000))
    if requested_ms is None:
        return left if left is not None else int(DEFAULT_TIMEOUT_SECONDS * 1000)
    return requested_ms if left is None else min(requested_ms, left)


_WORKERS: ContextVar[int] = ContextVar("workers", default=1)


@contextmanager
def workers(count: int) -> Iterator[None]:
    """Independent pieces of work inside the block may run in ``count`` forked processes
    (:func:`parallel_map`); 1 runs everything here."""
    token = _WORKERS.set(count)
    try:
        yield
    finally:
        _WORKERS.reset(token)


def parallel_map(function: Callable[..., T], calls: Sequence[tuple[Any, ...]],
                 doing: str = "", costs: Sequence[float] | None = None) -> list[T]:
    """``[function(*arguments) for arguments in calls]``, in up to :func:`workers` forked
    processes when there are several calls, the platform forks and this process is not itself
    a pool's worker (in order either way).
    ``function`` must be a module-level function; an exception in a call is raised here,
    and the deadline is checked while waiting. With predicted ``costs`` (one per call), the
    workers take the costliest calls first, so that no long call starts last."""
    count = min(_WORKERS.get(), len(calls))
    shown = Progress(doing, len(calls))
    try:
        # a pool's own workers are daemons, which may not start processes: they work serially
        if count <= 1 or not can_start_processes():
            results = []
            for arguments in calls:
                check(doing)
                results.append(function(*arguments))
                shown.update(len(results))
            return results
        found: dict[int, T] = {}
        context = multiprocessing.get_context("fork")
        with context.Pool(count, initializer=die_with_parent) as pool:
            order = sorted(range(len(calls)), key=lambda k: -costs[k]) if costs is not None \
                else range(len(calls))
            pending = pool.imap_unordered(_call, [(k, function, calls[k]) for k in order])
            while len(found) < len(calls):  # wait in slices, so the deadline is checked here
                check(doing)
                try:
                    index, result = pending.next(timeout=0.25)
                except multiprocessing.TimeoutError:
                    continue
                found[index] = result
                shown.update(len(found))
            pool.terminate()
        return [found[k] for k in range(len(calls))]
    finally:
        shown.close()


class Progress:
    """``doing: k/n`` on standard error when it is a terminal, once work has taken a second
    (quick answers print nothing), at most twice a second, erased when the work ends."""

    def __init__(self, doing: str, total: int) -> None:
        self.doing, self.total = doing or "working", total
        self.started = self.last = time.monotonic()
        self.width = 0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self.started < 1 or now - self.last < 0.5 or not sys.stderr.isatty():
            return
        self.last = now
        text = f"  {self.doing}: {done}/{self.total}"
        print("\r" + text.ljust(self.width), end="", file=sys.stderr, flush=True)
        self.width = max(self.width, len(text))

    def close(self) -> None:
        if self.width:
            print("\r" + " " * self.width + "\r", end="", file=sys.stderr, flush=True)


def die_with_parent() -> None:
    """A worker stops when the process that started it is killed (a statement stopped past
    its deadline), where Linux's prctl allows it: one long solver call cannot look. It also
    leaves Ctrl-C to that process, which stops it (a worker's own KeyboardInterrupt printed
    a traceback). Every pool's workers call it when they start."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


JSON_RECURSION = 2_000  # frames json's C scanner may take on a file of ours


@contextmanager
def shallow_json() -> Iterator[None]:
    """Parse an untrusted JSON file under a recursion limit the C stack can take. With the
    limit raised (the CLI raises it to 20,000 for deep trees; a caller may raise it further),
    a file nested 100,000 deep crashed the process in json's C scanner instead of raising
    RecursionError. (evidence/verify.py has its own copy: it imports nothing of ours.)"""
    before = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(min(before, JSON_RECURSION))
    except RecursionError:  # already deeper than that: keep the limit as it is
        pass
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def _call(job: tuple[int, Callable[..., Any], tuple[Any, ...]]) -> tuple[int, Any]:
    index, function, arguments = job
    return index, in_worker(function, *arguments)


def in_worker(function: Callable[..., T], *arguments: Any) -> T:
    """``function(*arguments)`` as a pool worker's job. Ctrl-C can reach a worker although
    :func:`die_with_parent` ignores it: PyNormaliz installs its own handler for the length of
    a computation. The process that started the worker is stopping too, so the worker ends
    at once and quietly (it printed "Process ForkPoolWorker-…" and a traceback)."""
    try:
        return function(*arguments)
    except KeyboardInterrupt:
        os._exit(130)


@dataclass(frozen=True)
class Stopped:
    """An isolated run that gave no result: ``reason`` says why (time, memory, a crash)."""

    reason: str
    internal: str | None = None  # a traceback, when our own code failed


def can_isolate() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def run_isolated(work: Callable[[], T], seconds: float, memory_bytes: int) -> T | Stopped:
    """``work()`` in a forked child with at most ``memory_bytes`` more address space, stopped
    ``GRACE_SECONDS`` after ``seconds``. Without fork it runs here, bounded by the deadline."""
    if not can_isolate():
        with deadline(seconds):
            return work()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # not a daemon: a statement may start processes of its own (a search's workers, which
    # stop when this child is gone); the child is always killed below
    child = context.Process(target=_child, args=(sender, work, seconds, memory_bytes),
                            daemon=False)
    child.start()
    sender.close()
    try:
        if not _wait(receiver, child, seconds + GRACE_SECONDS):
            return Stopped(f"timed out after {seconds:g} s (stopped)")
        try:
            kind, payload = pickle.loads(receiver.recv_bytes())
        except (EOFError, OSError):
            child.join(1)
            code = child.exitcode
            return Stopped("the computation ran out of memory or crashed "
                           f"(exit {code}; memory limit {memory_bytes / 2**30:g} GB)")
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "ok":
        result: T = payload
        return result
    if kind == "memory":
        return Stopped(f"ran out of memory (limit {memory_bytes / 2**30:g} GB for one statement)")
    if kind == "timeout":
        return Stopped(str(payload))
    return Stopped("an internal error", internal=str(payload))


def _wait(receiver: Any, child: Any, seconds: float) -> bool:
    """Whether the child's message came within ``seconds``; waited for in slices (one wait
    of 2^31 ms or more overflows). On Ctrl-C the child, which got it too, has a moment to
    finish (a search saves its checkpoint) before the interrupt goes on."""
    until = time.monotonic() + seconds
    try:
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return False
            if receiver.poll(min(left, 3600.0)):
                return True
    except KeyboardInterrupt:
        child.join(GRACE_SECONDS)
        raise


def _child(sender: Any, work: Callable[[], Any], seconds: float, memory_bytes: int) -> None:
    die_with_parent()  # killed with the command that started it (SIGTERM left it running)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C still stops the work
    _cap_memory(memory_bytes)
    try:
        with deadline(seconds):
            message: tuple[str, Any] = ("ok", work())
    except MemoryError:
        message = ("memory", None)
    except TimedOut as stop:
        message = ("timeout", str(stop))
    except BaseException:  # noqa: BLE001 -- reported to the parent as an internal error
        message = ("error", traceback.format_exc())
    try:
        sender.send_bytes(_dumps(message))
    except MemoryError:
        sender.send_bytes(_dumps(("memory", None)))
    except Exception:  # noqa: BLE001 -- a result that cannot be sent back is our bug
        sender.send_bytes(_dumps(("error", traceback.format_exc())))
    finally:
        sender.close()
        os._exit(0)  # no atexit handlers or finalizers of the parent's objects


def can_start_processes() -> bool:
    """Whether this process may fork helpers: the platform forks and this is not a pool's
    worker (a daemon, which may not start processes)."""
    return can_isolate() and not multiprocessing.current_process().daemon


def worker_count() -> int:
    """How many processes the work in hand may keep busy (:func:`workers`)."""
    return _WORKERS.get()


class Background:
    """``function(*arguments)`` computed in a forked process beside this one, to be waited
    for in slices: :meth:`wait` lets it run, :meth:`pause` stops it where it is (so that the
    two processes share one core, each in turn), and :meth:`stop` kills it — as does the end
    of this process. Only where :func:`can_start_processes`. The function must end by
    itself (give it a time limit): nothing here sets one."""

    def __init__(self, function: Callable[..., Any], *arguments: Any) -> None:
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_background, args=(sender, function, arguments),
                                        daemon=True)
        try:
            self._process.start()
        except BaseException:
            self._receiver.close()
            raise
        finally:
            sender.close()
        self._paused = False

    def wait(self, seconds: float) -> bool:
        """Whether the result is ready, letting the computation run for up to ``seconds``
        (0: only look)."""
        if self._paused:
            os.kill(self._process.pid, signal.SIGCONT)  # type: ignore[arg-type]
            self._paused = False
        return bool(self._receiver.poll(max(0.0, seconds)))

    def pause(self) -> None:
        """Stop the computation where it is until the next :meth:`wait`."""
        if not self._paused and self._process.is_alive():
            os.kill(self._process.pid, signal.SIGSTOP)  # type: ignore[arg-type]
            self._paused = True

    def result(self) -> Any:
        """The function's value, once :meth:`wait` said it is ready. Raises
        :class:`MemoryError` if it ran out of memory, :class:`InternalError` if it raised
        anything else or the process died without a result (killed)."""
        try:
            kind, payload = pickle.loads(self._receiver.recv_bytes())
        except (EOFError, OSError) as lost:
            self._process.join(GRACE_SECONDS)  # it is ending: its exit code says how
            code = self._process.exitcode
            self.stop()
            raise InternalError(f"a background computation ended without a result "
                                f"(exit {code})") from lost
        self.stop()
        if kind == "memory":
            raise MemoryError("a background computation ran out of memory")
        if kind != "ok":
            raise InternalError("a background computation failed", details=str(payload))
        return payload

    def stop(self) -> None:
        """Kill the computation (a paused one too) and free its process."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receiver.close()


def _background(sender: Any, function: Callable[..., Any], arguments: tuple[Any, ...]) -> None:
    die_with_parent()
    try:
        message: tuple[str, Any] = ("ok", function(*arguments))
    except MemoryError:
        message = ("memory", None)
    except BaseException:  # noqa: BLE001 -- reported to the parent, which raises it
        message = ("error", traceback.format_exc())
    try:
        sender.send_bytes(_dumps(message))
    except Exception:  # noqa: BLE001 -- a result that cannot be sent back is our bug
        sender.send_bytes(_dumps(("error", traceback.format_exc())))
    finally:
        sender.close()
        os._exit(0)  # no atexit handlers or finalizers of the parent's objects


class _Pickler(pickle.Pickler):
    """Pickles read-only mappings too (utilities and lotteries are ``MappingProxyType``
    views, which the standard pickler refuses); they come back as such views."""

    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[MappingProxyType] = lambda view: (read_only, (dict(view),))


def read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    """A read-only view of ``mapping`` (how :class:`_Pickler` rebuilds one)."""
    return MappingProxyType(mapping)


def _dumps(message: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, pickle.HIGHEST_PROTOCOL).dump(message)
    return buffer.getvalue()


def _cap_memory(memory_bytes: int) -> None:
    """Allow the address space to grow by ``memory_bytes`` beyond what it is now."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        current = 0
    limit = current + memory_bytes
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass  # a hard limit already lower than ours: it stays
