"""Every statement is bounded in time and memory; a bug is an internal error, never a traceback."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from decisiontrees import parse, run
from decisiontrees.cli import main
from decisiontrees.questions import relations as relation_questions

# A Monte Carlo estimate from 10^8 samples of 9 outcomes takes far longer than these limits
# (exact POWER of a choice among outcomes is now instant: order statistics)
SLOW = "outcomes " + ", ".join(f"o{k}" for k in range(9)) + \
    "\ntree run = choice { " + ", ".join(f"o{k}" for k in range(9)) + " }\n"
LOTS = "samples = 100000000"


def test_a_statement_past_its_own_timeout_is_unknown():
    (result,) = run(parse(SLOW + f"claim power(run, {LOTS}, timeout = 1/2) == 9/10\n"))
    assert result.status == "unknown"
    assert "timed out after 0.5 s" in result.lines()[0]


def test_the_run_timeout_bounds_every_statement_and_the_statement_can_override_it():
    spec = parse(SLOW + f"query power(run, {LOTS})\n"
                 "claim value(run, {o1: 1, *: 0}, timeout = 30) == 1\n")
    slow, fast = run(spec, timeout_seconds=0.5)
    assert slow.status == "unknown" and "timed out" in slow.lines()[0]
    assert fast.status == "pass"


def test_running_out_of_memory_is_unknown_with_the_reason(monkeypatch):
    def greedy(self, question, context):
        return bytearray(2**30)  # one request far over the limit

    monkeypatch.setattr(relation_questions.Relation, "answer", greedy)
    spec = parse("outcomes a, b\ntree t = choice { a, b }\nclaim dominates(t, a)\n")
    (result,) = run(spec, memory_bytes=64 * 2**20)
    assert result.status == "unknown"
    assert "ran out of memory (limit 0.0625 GB" in result.lines()[0]


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_timeouts_must_be_positive_numbers(value, capsys, write):
    folder = write({"t.dtree": "outcomes a\ntree t = a\nquery strategies(t)\n"})
    with pytest.raises(SystemExit) as stop:
        main(["check", str(folder / "t.dtree"), "--timeout", value])
    assert stop.value.code == 2
    assert "--timeout" in capsys.readouterr().err


def test_fractions_of_a_second_are_a_timeout(write):
    folder = write({"t.dtree": "outcomes a\ntree t = a\nclaim strategies(t) == 1\n"})
    assert main(["check", str(folder / "t.dtree"), "--timeout", "0.25"]) == 0
    assert main(["check", str(folder / "t.dtree"), "--timeout", "1/4"]) == 0


def test_a_timeout_option_must_be_a_positive_number(write, capsys):
    folder = write({"t.dtree": "outcomes a\ntree t = a\nclaim strategies(t, timeout = 0) == 1\n"})
    assert main(["check", str(folder / "t.dtree")]) == 2
    assert "`timeout` must be a number of seconds from 0.001" in capsys.readouterr().out
    # 1e-1000 was 0.0 as a float, which meant "not given": --timeout took its place
    (folder / "t.dtree").write_text("outcomes a\ntree t = a\n"
                                    "claim strategies(t, timeout = 1e-1000) == 1\n")
    assert main(["check", str(folder / "t.dtree")]) == 2
    assert "`timeout` must be a number of seconds from 0.001" in capsys.readouterr().out


def test_an_internal_error_is_exit_3_with_a_request_to_report_it(write, capsys, monkeypatch):
    def broken(self, question, context):
        raise RuntimeError("a bug")

    monkeypatch.setattr(relation_questions.Relation, "answer", broken)
    folder = write({"t.dtree": "outcomes a, b\ntree t = choice { a, b }\nclaim dominates(t, a)\n"})
    assert main(["check", str(folder / "t.dtree")]) == 3
    err = capsys.readouterr().err
    assert "internal error: please report" in err and "Traceback" not in err
    assert "--debug" in err
    assert main(["check", str(folder / "t.dtree"), "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err


# -- work spread over worker processes --------------------------------------------------------


def _slow_square(x: int) -> int:
    import time

    time.sleep(0.01 * (x % 3))  # finish out of order
    return x * x


def _fails_on(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def _sleeps(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


@pytest.mark.parametrize("count", [1, 2, 3])
@pytest.mark.parametrize("costs", [None, [(7 * x) % 12 for x in range(12)]])
def test_parallel_map_keeps_the_order_of_the_calls(count, costs):
    """Also when predicted costs make the workers take the calls in another order."""
    from decisiontrees import limits

    with limits.workers(count):
        assert limits.parallel_map(_slow_square, [(x,) for x in range(12)], "", costs) == \
            [x * x for x in range(12)]


def test_an_error_in_a_worker_is_raised_in_the_caller():
    from decisiontrees import limits

    with limits.workers(2), pytest.raises(ValueError, match="three"):
        limits.parallel_map(_fails_on, [(x,) for x in range(6)])


def test_waiting_for_workers_keeps_the_deadline():
    from decisiontrees import limits
    from decisiontrees.errors import TimedOut

    with limits.workers(2), limits.deadline(0.5), pytest.raises(TimedOut, match="waiting"):
        limits.parallel_map(_sleeps, [(30.0,), (30.0,)], "waiting")


def test_a_statement_can_spread_its_regions_over_workers_with_the_same_answers(write, capsys):
    """`check --workers 2` prints what `check` does; a bad count is a usage error."""
    tree = ("outcomes a, b, c, d\ntree t = choice { x: chance { 1/2: a, 1/2: choice { b, c } },"
            " y: chance { 1/3: d, 2/3: choice { a, chance { 1/4: b, 3/4: c } } },"
            " z: chance { 1/5: c, 4/5: d } }\n"
            "distribution lean = beta(2, 3)\n"
            "query chosen(t, x)\nquery prefers(t, a, lean)\nquery power(t, lean)\n")
    folder = write({"t.dtree": tree})
    assert main(["check", str(folder / "t.dtree")]) == 0
    serial = capsys.readouterr().out
    assert main(["check", str(folder / "t.dtree"), "--workers", "2"]) == 0
    assert capsys.readouterr().out == serial
    with pytest.raises(SystemExit) as stop:
        main(["check", str(folder / "t.dtree"), "--workers", "0"])
    assert stop.value.code == 2
    assert "--workers" in capsys.readouterr().err


def _nested(count: int) -> list[int]:
    from decisiontrees import limits

    return limits.parallel_map(_slow_square, [(x,) for x in range(count)])


def test_workers_inside_workers_work_serially():
    """A pool's workers are daemons and may not fork: nested maps run in the worker."""
    from decisiontrees import limits

    with limits.workers(2):
        assert limits.parallel_map(_nested, [(3,), (4,)]) == [[0, 1, 4], [0, 1, 4, 9]]


class _Terminal:
    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_long_work_shows_its_progress_on_a_terminal_and_erases_it(monkeypatch):
    from decisiontrees import limits

    terminal = _Terminal()
    monkeypatch.setattr(limits.sys, "stderr", terminal)
    shown = limits.Progress("integrating", 10)
    shown.update(1)
    assert terminal.text == ""  # under a second: quick answers print nothing
    shown.started -= 2
    shown.last -= 2
    shown.update(3)
    assert "integrating: 3/10" in terminal.text
    shown.close()
    assert terminal.text.endswith("\r")
    quiet = _Terminal()
    monkeypatch.setattr(limits.sys, "stderr", quiet)
    quiet.isatty = lambda: False  # type: ignore[method-assign]
    late = limits.Progress("integrating", 10)
    late.started -= 2
    late.last -= 2
    late.update(5)
    assert quiet.text == ""  # not a terminal: nothing


def test_the_longest_timeouts_allowed_run_and_longer_ones_are_refused(write, capsys):
    """Waiting 2^31 ms or more in one call overflowed: --timeout 2147483, or a statement's
    own `timeout = 10000000` (the documented maximum), was an internal error (review)."""
    folder = write({"t.dtree": "outcomes a, b\ntree t = choice { a, b }\n"
                               "claim strategies(t, timeout = 10000000) == 2\n"})
    assert main(["check", str(folder / "t.dtree"), "--timeout", "2147483"]) == 0
    with pytest.raises(SystemExit) as stop:
        main(["check", str(folder / "t.dtree"), "--timeout", "20000000"])
    assert stop.value.code == 2 and "at most 10,000,000" in capsys.readouterr().err


@pytest.mark.parametrize("limits", [{"timeout_seconds": 0}, {"timeout_seconds": float("nan")},
                                    {"timeout_seconds": float("inf")}, {"memory_bytes": -5},
                                    {"memory_bytes": 1.5}])
def test_limits_given_to_the_python_api_are_checked(limits):
    """0 fell back to the default timeout, NaN and infinity raised raw errors, a negative
    memory limit was ignored (review)."""
    from decisiontrees import ArgumentError

    spec = parse("outcomes a\ntree t = a\nclaim strategies(t) == 1\n")
    with pytest.raises(ArgumentError):
        run(spec, **limits)


def test_pool_workers_leave_ctrl_c_to_their_parent_and_die_with_it():
    """A worker's own KeyboardInterrupt printed a traceback; a worker outlived a search that
    was stopped (review)."""
    import ctypes
    import multiprocessing
    import signal

    from decisiontrees import limits

    def probe(sender):
        limits.die_with_parent()
        found = ctypes.c_int(0)
        ctypes.CDLL(None).prctl(2, ctypes.byref(found))  # PR_GET_PDEATHSIG
        sender.send((signal.getsignal(signal.SIGINT) == signal.SIG_IGN, found.value))

    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=probe, args=(sender,))
    child.start()
    assert receiver.recv() == (True, int(signal.SIGKILL))
    child.join()


def test_the_command_lines_timeout_caps_a_statements_own():
    """`timeout = 20` in a statement ran 22.6 s under `--timeout 2`: an imported file could
    set 10^7 s and the user had no way to cap it (review)."""
    from decisiontrees.questions.run import RunLimits

    def statement(seconds):
        return dataclasses.replace(next(iter(parse(
            "outcomes a\ntree t = a\nclaim strategies(t) == 1\n").statements)),
            timeout_seconds=seconds)

    assert RunLimits(2.0).seconds_for(statement(20.0)) == 2.0
    assert RunLimits(30.0).seconds_for(statement(20.0)) == 20.0
    assert RunLimits(None).seconds_for(statement(20.0)) == 20.0
    assert RunLimits(2.0).seconds_for(statement(None)) == 2.0


def _random_agent_calls():
    import random
    from fractions import Fraction

    import decisiontrees as dt

    outcomes = [f"o{i}" for i in range(6)]
    rng = random.Random(3)
    children = {}
    for k in range(8):
        weights = [rng.randint(1, 9) for _ in outcomes]
        children[f"a{k}"] = dt.chance([(Fraction(w, sum(weights)), o)
                                       for w, o in zip(weights, outcomes)])
    tree = dt.choice(children)
    beta = dt.Distribution("beta", (Fraction(2), Fraction(2)))
    return [
        lambda seconds: dt.power(tree, beta, timeout=seconds),
        lambda seconds: dt.choice_probabilities(tree, beta, timeout=seconds),
        lambda seconds: dt.prefers(children["a0"], tree, beta, timeout=seconds),
        lambda seconds: dt.rule_choice(tree, dt.DecisionRule("best_of", Fraction(2)), beta,
                                       timeout=seconds),
        lambda seconds: dt.distribution_dependent(children["a0"], tree, timeout=seconds),
    ]


@pytest.mark.parametrize("index", range(5))
def test_random_agent_functions_take_a_timeout(index):
    """power, prefers, choice_probabilities, rule_choice, distribution_dependent, farsighted
    and mdp_power took no timeout: one ran 120 s and 1.4 GB before it was killed (review)."""
    import decisiontrees as dt

    call = _random_agent_calls()[index]
    with pytest.raises(dt.TimedOut, match="timed out after 0.001 s"):
        call(0.001)
    with pytest.raises(dt.ArgumentError, match="timeout must be a number of seconds"):
        call(float("inf"))


def test_an_inner_deadline_never_extends_an_outer_one():
    import time

    from decisiontrees import limits

    with limits.deadline(0.001):
        with limits.deadline(60):
            time.sleep(0.01)
            with pytest.raises(limits.TimedOut, match="after 0.001 s"):
                limits.check()


def _soon(condition: Any, seconds: float = 120.0) -> None:
    """Wait for ``condition()``; a generous bound turns a hang into a failure (it is no
    timing assertion: the condition holds at once on any machine that runs at all)."""
    import time

    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "still waiting"


def _count_to(counter: Any, end: int) -> int:
    while counter.value < end:
        counter.value += 1  # no lock: a paused child would hold it
    return int(counter.value)


def _exits() -> None:
    import os

    os._exit(7)


def test_a_background_computation_paused_makes_no_progress_and_resumed_finishes():
    """:class:`limits.Background` shares one core by pausing: while paused, the counter it
    drives stands still (read twice, a while apart); resumed, it ends with its value."""
    import multiprocessing
    import time

    from decisiontrees import limits

    counter = multiprocessing.get_context("fork").RawValue("q", 0)
    end = 10**12  # never reached while the test looks
    background = limits.Background(_count_to, counter, end)
    try:
        _soon(lambda: counter.value > 0 or background.wait(0.01))  # started
        background.pause()
        time.sleep(0.05)  # a stop is delivered on the child's next step
        stopped = counter.value
        time.sleep(0.2)
        assert counter.value == stopped
        _soon(lambda: background.wait(0.01) or counter.value != stopped)  # resumed: it moves
    finally:
        background.stop()
    counter.value = 0
    finished = limits.Background(_count_to, counter, 1000)
    finished.pause()
    _soon(lambda: finished.wait(0.1))
    assert finished.result() == 1000


def test_a_background_computation_is_killed_by_stop_also_when_paused():
    import multiprocessing

    from decisiontrees import limits

    counter = multiprocessing.get_context("fork").RawValue("q", 0)
    background = limits.Background(_count_to, counter, 10**12)
    background.pause()
    background.stop()
    assert not background._process.is_alive()
    assert background._process.exitcode is not None


@pytest.mark.parametrize("work, arguments, message", [
    (_fails_on, (3,), "a background computation failed"),
    (_exits, (), r"ended without a result \(exit 7\)"),
])
def test_a_background_computation_that_fails_raises_an_internal_error(work, arguments, message):
    from decisiontrees import limits
    from decisiontrees.errors import InternalError

    background = limits.Background(work, *arguments)
    _soon(lambda: background.wait(0.1))
    with pytest.raises(InternalError, match=message) as raised:
        background.result()
    if work is _fails_on:
        assert "ValueError: three" in raised.value.details


def _runs_out_of_memory() -> None:
    raise MemoryError


def test_a_background_computation_out_of_memory_says_so():
    """As in this process: the statement is then out of memory, not an internal error."""
    from decisiontrees import limits

    background = limits.Background(_runs_out_of_memory)
    _soon(lambda: background.wait(0.1))
    with pytest.raises(MemoryError, match="ran out of memory"):
        background.result()
