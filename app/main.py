"""Start Digit Canvas: ``digit-canvas [IMAGE]`` or ``python -m app [IMAGE]``."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.boot.session import prepare

prepare()  # before any Qt: numpy first, then Qt and its refcount guard (see app.boot.session)

RESUME_COLLECTION_MS = 5000  # garbage collection resumes by then even if the window has not painted


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window (with IMAGE on the canvas if one is given) and run until it is closed."""
    from app.boot import gc_pause

    gc_pause.pause()  # until the first paint (start-up makes only long-lived objects)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.boot.error_reporting import ErrorReporter, hold_early_records, setup_logging
    from app.boot.startup import FirstPaint, probe_requested, report_and_quit
    from app.window.about import APP_NAME
    from app.window.assembly import build_main_window

    args = list(sys.argv if argv is None else [sys.argv[0], *argv])
    app = QApplication.instance() or QApplication(args)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("io.github.digitcanvas.DigitCanvas")  # app.launcher.desktop_entry.APP_ID
    hold_early_records()  # problems found while the window starts (a broken model) reach the log too
    window = build_main_window()
    # A bug shows a dialog and a log entry, not a crash. The log file opens after the first paint.
    reporter = ErrorReporter(window, open_log=False).install()
    first_paint = FirstPaint(window)
    if probe_requested():  # DIGIT_CANVAS_STARTUP_PROBE=1: the start-up benchmark's hook
        first_paint.painted.connect(lambda: report_and_quit(window))
    first_paint.painted.connect(gc_pause.resume)
    QTimer.singleShot(RESUME_COLLECTION_MS, gc_pause.resume)  # a window started minimised paints late
    first_paint.painted.connect(setup_logging)
    first_paint.painted.connect(window.warm_up)  # what the first stroke needs, once the window shows
    window.show()
    files = [a for a in app.arguments()[1:] if not a.startswith("-")]
    if files:
        window.open_image_file(files[0])
    try:
        return app.exec()
    finally:
        setup_logging()  # a window that was never painted (started minimised) still writes its log
        reporter.uninstall()


if __name__ == "__main__":
    raise SystemExit(main())
