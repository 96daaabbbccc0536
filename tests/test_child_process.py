"""The child process a retrain runs in: its answer, its reports, its failures and a cancel come back."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from training.child_process import ChildProcessFailed, run_in_child
from training.progress import Cancelled

# The functions below run in the spawned child, which imports this module by name to find them.


def counts_to(n: int, report, cancel) -> list[int]:
    for i in range(n):
        report(i, f"step {i}")
    return [os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)]


def fails_with_a_cause(report, cancel) -> None:
    try:
        raise OSError("network is unreachable")
    except OSError as exc:
        raise FileNotFoundError("no MNIST here") from exc


def waits_for_cancel(report, cancel) -> None:
    report("started")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if cancel.is_set():
            raise Cancelled("stopped")
        time.sleep(0.01)


def dies(report, cancel) -> None:
    report("about to die")
    os.kill(os.getpid(), signal.SIGKILL)


class _Unpicklable(Exception):
    def __init__(self, message: str, handle: object) -> None:
        super().__init__(message)
        self.handle = handle


def fails_unpicklably(report, cancel) -> None:
    raise _Unpicklable("holds a lock", threading.Lock())


def test_the_answer_and_every_report_come_back_in_order_from_another_process() -> None:
    seen: list[tuple] = []
    pid, nice = run_in_child(counts_to, 5, report=lambda *v: seen.append(v), niceness=7)
    assert pid != os.getpid()
    assert nice >= 7
    assert seen == [(i, f"step {i}") for i in range(5)]


def test_a_failure_is_raised_again_with_its_cause_and_the_childs_traceback() -> None:
    with pytest.raises(FileNotFoundError, match="no MNIST here") as caught:
        run_in_child(fails_with_a_cause)
    assert isinstance(caught.value.__cause__, OSError)
    assert "network is unreachable" in str(caught.value.__cause__)
    assert any("fails_with_a_cause" in note for note in caught.value.__notes__)


def test_an_exception_that_cannot_cross_becomes_a_plain_one_with_the_same_words() -> None:
    with pytest.raises(RuntimeError, match="_Unpicklable: holds a lock"):
        run_in_child(fails_unpicklably)


def test_cancel_reaches_the_child_and_comes_back_as_cancelled() -> None:
    cancel = threading.Event()
    seen: list[tuple] = []

    def report(*values) -> None:
        seen.append(values)
        cancel.set()  # as soon as the child is running

    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_in_child(waits_for_cancel, report=report, cancel=cancel)
    assert seen == [("started",)]
    assert time.monotonic() - started < 30


def test_a_child_killed_from_outside_is_a_failure_that_says_so() -> None:
    seen: list[tuple] = []
    with pytest.raises(ChildProcessFailed, match="killed by signal 9") as caught:
        run_in_child(dies, report=lambda *v: seen.append(v))
    assert caught.value.exitcode == -signal.SIGKILL
    assert seen == [("about to die",)]


def test_the_retrain_dialog_explains_a_killed_child_as_running_out_of_memory() -> None:
    from app.retrain.training_job import describe_failure
    from training.retrain import RetrainRequest

    message = describe_failure(ChildProcessFailed("killed", -signal.SIGKILL), RetrainRequest(kinds=("ovr",)))
    assert "memory" in message and message.endswith(".")
