"""The one way the app runs slow work: a plain function in a worker thread, its outcome as signals.

Opening a picture, evaluating a model, retraining and exporting samples are all plain functions; a
:class:`BackgroundJob` runs one in its own ``QThread`` and reports on the GUI thread. It also keeps
the life cycle right: Qt aborts the process when a running ``QThread`` is destroyed, so a job whose
window was closed stays referenced until its thread ends, the app's quit cancels and waits for it,
and Python's exit waits for it too.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

from app.text.errors import clause
from training.progress import Cancelled

log = logging.getLogger("digit_canvas.jobs")

Work = Callable[[], Any]
_LIVE: set[BackgroundJob] = set()  # jobs whose thread may still be running


class _Runner(QThread):
    """Calls the work once and keeps how it ended; the job reads that when the thread has finished."""

    def __init__(self, work: Work, describe: Callable[[BaseException], str]) -> None:
        super().__init__()
        self._work = work
        self._describe = describe
        self.outcome: tuple[str, Any] = ("failed", "The work stopped without a result.")

    def run(self) -> None:
        try:
            self.outcome = ("done", self._work())
        except Cancelled:
            self.outcome = ("cancelled", None)
        except Exception as exc:  # every failure becomes a sentence; the app keeps running
            self.outcome = ("failed", self._describe(exc))


class BackgroundJob(QObject):
    """Runs one function in a thread of its own (once); every signal arrives on the GUI thread.

    ``reported(value)`` carries what the work passes to :meth:`report` while it runs. At the end,
    after the thread has stopped (so a receiver may start another job or quit), exactly one of
    ``done(result)``, ``failed(message)`` and ``cancelled()`` fires, then ``stopped()``. ``describe``
    turns the exception the work raised into that message; the work raises
    :class:`training.progress.Cancelled` to say it stopped because :attr:`cancel_event` was set.
    """

    reported = Signal(object)
    done = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    stopped = Signal()
    _relay = Signal(object)  # from the worker thread to the GUI thread

    def __init__(
        self,
        name: str,
        parent: QObject | None = None,
        *,
        describe: Callable[[BaseException], str] = clause,
        low_priority: bool = False,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.cancel_event = threading.Event()
        self._describe = describe
        self._low_priority = low_priority
        self._runner: _Runner | None = None
        self._ended = False
        self._started_at: float | None = None
        self._relay.connect(self._forward, Qt.ConnectionType.QueuedConnection)

    # -------------------------------------------------------------------------------------- control

    def start(self, work: Work) -> None:
        """Run ``work()`` in a new thread; a job runs once, make another to run again."""
        if self._runner is not None:
            raise RuntimeError("a BackgroundJob runs once; create a new one to run again")
        task = work
        if self._low_priority:

            def task() -> Any:
                run_in_background_priority()
                return work()

        self._runner = _Runner(task, self._describe)
        self._runner.setObjectName(self.name)
        self._runner.finished.connect(self._on_thread_finished)
        _LIVE.add(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        self._started_at = time.perf_counter()
        self._runner.start(QThread.Priority.LowPriority)

    def start_with_progress(self, work: Callable[..., Any]) -> None:
        """Run ``work(progress=..., cancel=...)``: its reports become ``reported``, and it stops when asked.

        ``progress`` is :meth:`report` and ``cancel`` is :attr:`cancel_event`, the flag that
        :meth:`cancel`, closing a window and quitting the app all set: the work looks at it (or
        hands both to :func:`training.data.load_mnist` and the like) and raises
        :class:`training.progress.Cancelled`.
        """
        self.start(lambda: work(progress=self.report, cancel=self.cancel_event))

    def report(self, value: Any) -> None:
        """Pass ``value`` to the GUI thread as ``reported(value)``; the work calls this from its thread."""
        self._relay.emit(value)

    def cancel(self) -> None:
        """Ask the work to stop at its next look at :attr:`cancel_event`."""
        self.cancel_event.set()

    @property
    def cancel_requested(self) -> bool:
        return self.cancel_event.is_set()

    def wait(self, msecs: int = 10000) -> bool:
        """Block until the thread has stopped; True if it did within ``msecs`` (or never started)."""
        return True if self._runner is None else self._runner.wait(msecs)

    def cancel_and_wait(self, msecs: int = 10000) -> bool:
        """Cancel and block until the thread has stopped (for quitting the app)."""
        self.cancel()
        return self.wait(msecs)

    def stop(self, msecs: int = 10000) -> bool:
        """End the job for the app's quit or Python's exit: cancel it and wait."""
        return self.cancel_and_wait(msecs)

    def is_running(self) -> bool:
        """True from :meth:`start` until the end has been delivered."""
        return self._runner is not None and not self._ended and not self._runner.isFinished()

    @property
    def elapsed(self) -> float:
        return 0.0 if self._started_at is None else time.perf_counter() - self._started_at

    # ------------------------------------------------------------------------------------- outcome

    @Slot(object)
    def _forward(self, value: Any) -> None:
        self.reported.emit(value)

    @Slot()
    def _on_thread_finished(self) -> None:
        runner = self._runner
        if runner is None or self._ended:
            return
        runner.wait()  # finished is sent just before the thread ends; let it end first
        self._ended = True
        self._release()
        kind, payload = runner.outcome
        if kind == "done":
            self.done.emit(payload)
        elif kind == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(payload)
        self.stopped.emit()

    def _release(self) -> None:
        _LIVE.discard(self)
        app = QCoreApplication.instance()
        if app is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                app.aboutToQuit.disconnect(self.stop)


@atexit.register
def _stop_live_jobs() -> None:
    """Stop and wait for running jobs before Python tears down."""
    for job in list(_LIVE):
        job.stop(10000)


BACKGROUND_NICENESS = 10  # how far below the GUI thread slow work runs (Linux: a thread's own nice value)


def run_in_background_priority() -> None:
    """Lower the calling worker thread's CPU priority, and that of the threads it starts.

    ``QThread.LowPriority`` does nothing under Linux's default scheduler. A retrain keeps every core
    busy with its own threads; at a higher nice value they yield to the GUI thread whenever it has
    work, so drawing stays smooth. Elsewhere this does nothing.
    """
    import os

    setpriority = getattr(os, "setpriority", None)
    if setpriority is None or not hasattr(threading, "get_native_id"):
        return
    try:
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, BACKGROUND_NICENESS))
    except OSError:  # not allowed or not per-thread here: the work still runs, at normal priority
        pass
