"""Opening a picture file in a worker thread, so a large or slow file never freezes the window.

Decoding a picture near the budget of :mod:`model.pictures` takes a second or two; on the GUI thread
that froze drawing, the bars and even the window's repaint. :class:`PictureJob` runs
:func:`app.window.picture_files.load_digit_picture` in its own thread and reports on the GUI thread.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.window.picture_files import ImageOpenError, load_digit_picture
from app.workers.thread_job import ThreadJob

log = logging.getLogger("digit_canvas.images")


class _PictureWorker(QObject):
    result = Signal(object, str)  # the picture or None, and the one-sentence message if None

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    @Slot()
    def run(self) -> None:
        try:
            try:
                self.result.emit(load_digit_picture(self.path), "")
            except ImageOpenError as exc:
                self.result.emit(None, str(exc))
            except Exception as exc:  # whatever a strange file does, the app keeps running
                log.warning("Picture %s could not be opened", self.path, exc_info=True)
                self.result.emit(None, f"{self.path.name} could not be opened ({type(exc).__name__}).")
        finally:
            QThread.currentThread().quit()


class PictureJob(ThreadJob):
    """Owns the thread that opens one picture; ``done(picture, message)`` arrives on the GUI thread.

    ``picture`` is a dark-on-white ``L`` image, or ``None`` with ``message`` saying why in one sentence.
    """

    done = Signal(object, str)

    def __init__(self, path: str | Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._result: tuple[object, str] = (None, f"{self.path.name} could not be opened.")
        self._worker = _PictureWorker(self.path)
        self._worker.result.connect(self._keep)
        self._thread_for(self._worker, "digit-canvas-picture")

    def start(self) -> None:
        self._start_thread()

    @Slot(object, str)
    def _keep(self, picture: object, message: str) -> None:
        self._result = (picture, message)

    def _thread_ended(self) -> None:
        self.done.emit(*self._result)
