"""Start-up: what waits for the window's first paint, and the start-up benchmark's hook.

Showing the window quickly is what makes the app feel fast, so anything not needed to draw it
(Pillow and the preprocessing, for example) is imported right after the first paint instead of
before it: :class:`FirstPaint` says when that is.

With ``DIGIT_CANVAS_STARTUP_PROBE=1`` the app also prints one line to stdout right after that first
paint, with a model loaded, and quits with status 0 (``benchmarks/startup.py`` reads it)::

    DIGIT_CANVAS_STARTUP_PROBE first_paint=<time.time() with 6 decimals> model=<ovr|binary>
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from app.boot.session import prepare

prepare()  # before Qt, as everywhere in the app (see app.boot.session)

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal  # noqa: E402

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QWidget

VARIABLE = "DIGIT_CANVAS_STARTUP_PROBE"


class FirstPaint(QObject):
    """Emits ``painted()`` once, after ``widget``'s first paint event has been handled."""

    painted = Signal()

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self.painted.emit)  # runs once this paint cycle has finished
        return False


def report_and_quit(window: QMainWindow) -> None:
    """Print the probe line for ``window`` and leave the event loop."""
    kind = getattr(window, "model_kind", lambda: None)()
    print(f"{VARIABLE} first_paint={time.time():.6f} model={kind}", flush=True)
    QCoreApplication.quit()


def probe_requested() -> bool:
    return os.environ.get(VARIABLE) == "1"
