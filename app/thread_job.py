"""The life cycle every background job shares: stay alive while the thread runs, end before exit.

Qt aborts the process when a running ``QThread`` is destroyed. So a job whose window was closed must
stay referenced until its thread ends, the app's quit must stop it, and Python's exit must wait for
it. :class:`ThreadJob` does all three for the retrain and evaluation jobs.
"""

from __future__ import annotations

import atexit
import contextlib

from PySide6.QtCore import QCoreApplication, QObject, QThread

_LIVE: set[ThreadJob] = set()  # jobs whose thread may still be running


class ThreadJob(QObject):
    """Base of a QObject that owns one worker thread.

    Subclasses call :meth:`_start_thread` to start it and :meth:`_release` when it has finished, and
    override :meth:`stop` if quitting should do more than wait (a training job cancels first).
    """

    def wait(self, msecs: int = 10000) -> bool:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def stop(self, msecs: int = 10000) -> bool:
        """End the job for the app's quit or Python's exit; by default, wait for it."""
        return self.wait(msecs)

    def _start_thread(self, thread: QThread) -> None:
        _LIVE.add(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        thread.start(QThread.Priority.LowPriority)

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
