"""Unexpected errors: logged to a file in the user's data folder and shown in a dialog, never a crash.

A desktop app that vanishes on a bug loses the user's drawing and their trust. Every exception that
reaches the top of the event loop (or of a worker thread) is written with its traceback to
``<user data>/logs/digit-canvas.log`` and shown once in a dialog with the details; the app keeps
running. A burst of identical errors shows one dialog, not a hundred.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from app.boot.session import prepare

prepare()  # before Qt, as everywhere in the app (see app.boot.session)

from PySide6.QtCore import QObject, Qt, Signal, Slot  # noqa: E402

from model.paths import user_data_dir  # noqa: E402

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QWidget

LOGGER_NAME = "digit_canvas"


def log_file_path() -> Path:
    return user_data_dir() / "logs" / "digit-canvas.log"


class EarlyRecords(logging.Handler):
    """Holds the records logged before the log file is opened; :func:`setup_logging` writes them.

    The app opens its log file right after the window's first paint, because importing
    ``logging.handlers`` is a noticeable part of start-up. Nothing logged before that (a broken model
    found while the window starts) is lost.
    """

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def hold_early_records() -> logging.Logger:
    """Keep the app's log records in memory until :func:`setup_logging` opens the file."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(h, EarlyRecords) for h in logger.handlers):
        logger.addHandler(EarlyRecords())
    logger.setLevel(logging.INFO)
    return logger


def setup_logging() -> logging.Logger:
    """Send the app's log to a rotating file in the user's data folder (idempotent).

    Records held by :func:`hold_early_records` are written to the file first.
    """
    from logging.handlers import RotatingFileHandler

    logger = logging.getLogger(LOGGER_NAME)
    early = [h for h in logger.handlers if isinstance(h, EarlyRecords)]
    for held in early:
        logger.removeHandler(held)
    path = log_file_path()
    current = [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]
    handler = next((h for h in current if Path(h.baseFilename) == path), None)
    if handler is None:
        for old in current:  # a previous folder (tests switch DIGIT_CANVAS_HOME)
            logger.removeHandler(old)
            old.close()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        except OSError:
            return logger  # an unwritable folder must not stop the app; the dialog still shows errors
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    for held in early:
        for record in held.records:
            handler.handle(record)
    return logger


class ErrorReporter(QObject):
    """Installs itself as ``sys.excepthook`` and ``threading.excepthook`` while it lives.

    Exceptions from any thread are marshalled to the GUI thread through a queued signal, so the
    dialog is always created on the right thread.
    """

    errorReported = Signal(str, str)  # summary, details (traceback)

    def __init__(self, parent_widget: QWidget | None = None, *, open_log: bool = True) -> None:
        """``open_log=False`` leaves opening the log file to a later :func:`setup_logging` call."""
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._dialog: QMessageBox | None = None
        self._suppressed = 0
        self._previous_hooks = (sys.excepthook, threading.excepthook)
        self.logger = setup_logging() if open_log else hold_early_records()
        self.errorReported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> ErrorReporter:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        return self

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous_hooks

    def report(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """Log an exception and ask the GUI thread to show it."""
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        self.logger.error("Unexpected error\n%s", details)
        for handler in self.logger.handlers:
            handler.flush()
        summary = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
        self.errorReported.emit(summary, details)

    def _excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hooks[0](exc_type, exc, tb)
            return
        self.report(exc_type, exc, tb)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.report(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        from PySide6.QtWidgets import QMessageBox  # dialogs are imported when first shown (start-up)

        if self._dialog is not None and self._dialog.isVisible():
            self._suppressed += 1
            self._dialog.setInformativeText(
                f"{summary}\n\n{self._suppressed} more error(s) happened since; all are in the log:\n"
                f"{log_file_path()}"
            )
            return
        self._suppressed = 0
        dialog = QMessageBox(self._parent_widget)
        dialog.setObjectName("errorDialog")
        dialog.setIcon(QMessageBox.Icon.Warning)
        dialog.setWindowTitle("Something went wrong")
        dialog.setText(
            "Digit Canvas hit an unexpected error. Your drawing and models are safe and the app keeps "
            "running."
        )
        dialog.setInformativeText(f"{summary}\n\nDetails were written to:\n{log_file_path()}")
        dialog.setDetailedText(details)
        dialog.setStandardButtons(QMessageBox.StandardButton.Ok)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._forget_dialog)
        self._dialog = dialog
        dialog.open()

    @Slot()
    def _forget_dialog(self) -> None:
        self._dialog = None

    @property
    def dialog(self) -> QMessageBox | None:
        """The error dialog currently shown, if any (for tests and accessibility tools)."""
        return self._dialog
