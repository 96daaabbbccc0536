"""The floor that Qt itself costs: a bare PySide6 window with one label, timed to its first paint.

Prints the same probe line the app prints under ``DIGIT_CANVAS_STARTUP_PROBE=1``, then exits, so the
start-up row measures both programs in exactly the same way. ``--numpy`` imports numpy first: the
floor of any window that holds a numpy model, shown beside the issue's comparison for reference.
"""

from __future__ import annotations

import sys
import time

if "--numpy" in sys.argv:  # before Qt, as the app does: PySide6 inspects modules imported after it
    import numpy  # noqa: F401

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel

PROBE = "DIGIT_CANVAS_STARTUP_PROBE"


class FirstPaint(QObject):
    """Reports once, right after the watched widget's first paint event has been handled."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.app = app
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            QTimer.singleShot(0, self.report)  # runs once this paint has finished
        return False

    def report(self) -> None:
        print(f"{PROBE} first_paint={time.time():.6f} model=none", flush=True)
        self.app.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    label = QLabel("Digit Canvas")
    probe = FirstPaint(app)
    label.installEventFilter(probe)
    label.resize(320, 120)
    label.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
