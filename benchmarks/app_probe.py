"""Start-up probe from outside the app, used until the app implements ``DIGIT_CANVAS_STARTUP_PROBE``.

Runs the app's own ``app.main.main()`` with an application-wide event filter that prints the probe
line right after the main window's first paint, then quits. The window loads its model synchronously
before it is shown, so the first paint is also the first paint with a model loaded.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

PROBE = "DIGIT_CANVAS_STARTUP_PROBE"


class FirstWindowPaint(QObject):
    """Reports once, after the first paint event of any widget inside a main window."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.app = app
        self.window: QMainWindow | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.window is None and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            top = watched.window()
            if isinstance(top, QMainWindow):
                self.window = top
                QTimer.singleShot(0, self.report)  # runs once this paint cycle has finished
        return False

    def report(self) -> None:
        kind = getattr(self.window, "model_kind", lambda: None)()
        print(f"{PROBE} first_paint={time.time():.6f} model={kind}", flush=True)
        self.app.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    probe = FirstWindowPaint(app)
    app.installEventFilter(probe)
    from app.main import main as app_main

    return app_main([])


if __name__ == "__main__":
    sys.exit(main())
