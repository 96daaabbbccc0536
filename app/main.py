"""Start Digit Canvas: ``digit-canvas [IMAGE]`` or ``python -m app [IMAGE]``."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window (with IMAGE on the canvas if one is given) and run until it is closed."""
    from PySide6.QtWidgets import QApplication

    from app.error_reporting import ErrorReporter, setup_logging
    from app.main_window import APP_NAME, MainWindow

    args = list(sys.argv if argv is None else [sys.argv[0], *argv])
    app = QApplication.instance() or QApplication(args)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("digit-canvas")
    setup_logging()  # problems found while the window starts (a broken model) go to the log too
    window = MainWindow()
    reporter = ErrorReporter(window).install()  # a bug shows a dialog and a log entry, not a crash
    window.show()
    files = [a for a in app.arguments()[1:] if not a.startswith("-")]
    if files:
        window.open_image_file(files[0])
    try:
        return app.exec()
    finally:
        reporter.uninstall()


if __name__ == "__main__":
    raise SystemExit(main())
