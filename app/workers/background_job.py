"""The life cycle every background job shares: stay alive while the thread runs, end before exit.

Qt aborts the process when a running ``QThread`` is destroyed. So a job whose window was closed must
stay referenced until its thread ends, the app's quit must stop it, and Python's exit must wait for
it. :class:`ThreadJob` does all three for the retrain and evaluation jobs.
"""

from __future__ import annotations

import atexit
import contextlib

from PySide6.QtCore import QCoreApplication, QObject, QThread, Slot

_LIVE: set[ThreadJob] = set()  # jobs whose thread may still be running


class ThreadJob(QObject):
    """Base of a QObject that owns one worker thread.

    Subclasses make the thread with :meth:`_thread_for` (it runs the worker's ``run``) and start it
    with :meth:`_start_thread`. Once it has ended, the job is released and :meth:`_thread_ended` runs
    on the GUI thread. Override :meth:`stop` if quitting should do more than wait (a training job
    cancels first).
    """

    _thread: QThread | None = None

    def wait(self, msecs: int = 10000) -> bool:
        """Block until the thread has stopped; True if it did within ``msecs`` (or never started)."""
        return True if self._thread is None else self._thread.wait(msecs)

    def stop(self, msecs: int = 10000) -> bool:
        """End the job for the app's quit or Python's exit; by default, wait for it."""
        return self.wait(msecs)

    def _thread_for(self, worker: QObject, name: str) -> None:
        """Make the job's thread, named ``name``; it runs ``worker.run()`` when started."""
        thread = QThread()
        thread.setObjectName(name)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread

    def _start_thread(self) -> None:
        """Start the thread made by :meth:`_thread_for`."""
        if self._thread is None:
            raise RuntimeError("_thread_for() makes the thread before _start_thread() starts it")
        _LIVE.add(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        self._thread.start(QThread.Priority.LowPriority)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is not None:
            self._thread.wait()  # finished is sent just before the thread ends; let it end first
        self._release()
        self._thread_ended()

    def _thread_ended(self) -> None:
        """Runs once the thread has stopped and the job is released (for reporting how it ended)."""

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

    ``QThread.LowPriority`` does nothing under Linux's default scheduler. On a 2-core machine a
    retrain keeps both cores busy with its own threads; at a higher nice value they yield to the GUI
    thread whenever it has work, so drawing stays smooth. Elsewhere this does nothing.
    """
    import os
    import threading

    setpriority = getattr(os, "setpriority", None)
    if setpriority is None or not hasattr(threading, "get_native_id"):
        return
    try:
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, BACKGROUND_NICENESS))
    except OSError:  # not allowed or not per-thread here: the work still runs, at normal priority
        pass
