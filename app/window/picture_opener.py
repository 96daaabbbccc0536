"""File > Open image, a drop or the command line: a picture decoded off the GUI thread, then drawn on.

The opener owns all three ways in: :meth:`PictureOpener.ask_and_open` is File > Open image's dialog,
and it watches the window for files dragged onto it (an event filter, so the window holds no drop
handling of its own).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal

if TYPE_CHECKING:
    from PySide6.QtCore import QUrl

    from app.window.host import WindowHost

_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def dropped_file(urls: list[QUrl]) -> str | None:
    """The first local file among dragged ``urls``, or ``None`` when there is none to open."""
    for url in urls:
        if url.isLocalFile() and Path(url.toLocalFile()).is_file():
            return url.toLocalFile()
    return None


class PictureOpener(QObject):
    """Opens picture files onto the window's canvas; of several opened in quick succession, the last wins.

    The status bar says the file is opening meanwhile and the window stays usable; problems are shown in
    the banner. ``opened(bool)`` says whether the picture is on the canvas (True) or was refused (False).
    """

    opened = Signal(bool)

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window.window())
        self._window = window
        self._job: Any = None
        self._target = window.window()
        self._target.setAcceptDrops(True)
        self._target.installEventFilter(self)

    def ask_and_open(self) -> None:
        """File > Open image…: ask for a picture file and open it."""
        from PySide6.QtWidgets import QFileDialog  # dialogs are imported when first shown (start-up)

        from app.window.picture_files import FILE_FILTER

        path, _ = QFileDialog.getOpenFileName(
            self._window.window(), "Open image", str(Path.home()), FILE_FILTER
        )
        if path:
            self.open(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Take a file dragged onto the window: accepted while it hovers, opened when dropped."""
        if event.type() not in _DRAG_EVENTS or watched is not self._target:
            return False
        path = dropped_file(event.mimeData().urls())  # type: ignore[attr-defined]
        if path is None:
            event.ignore()
            return True
        event.acceptProposedAction()  # type: ignore[attr-defined]
        if event.type() == QEvent.Type.Drop:
            self.open(path)
        return True

    def open(self, path: str | Path) -> None:
        """Start decoding ``path`` in a worker; it goes on the canvas when it is decoded."""
        # With Pillow, on first use: not needed at start-up.
        from app.window.picture_files import load_digit_picture, opening_failure
        from app.workers.background_job import BackgroundJob

        path = Path(path)
        job = BackgroundJob("digit-canvas-picture", self, describe=lambda exc: opening_failure(path, exc))
        self._job = job
        job.done.connect(lambda picture, job=job: self._done(job, path, picture, ""))
        job.failed.connect(lambda message, job=job: self._done(job, path, None, message))
        job.stopped.connect(job.deleteLater)  # its thread has ended by then; a window opens many pictures
        self._window.show_status(f"Opening {path.name}…")
        self._window.canvas.setCursor(Qt.CursorShape.BusyCursor)
        job.start(lambda: load_digit_picture(path))

    def is_busy(self) -> bool:
        """True while a picture file is being decoded in the background."""
        return self._job is not None

    def _done(self, job: Any, path: Path, picture: Any, message: str) -> None:
        if job is not self._job:  # a later file was opened meanwhile: it wins
            return
        self._job = None
        window = self._window
        window.canvas.unsetCursor()
        if picture is None:
            window.show_status("")
            window.show_message(message, "warning", about="picture")
            self.opened.emit(False)
            return
        window.withdraw_message("picture")  # the last file's refusal is stale once another file opens
        window.canvas.set_picture(picture)
        window.predictor.flush()
        window.show_status(f"Opened {path.name}", 5000)
        self.opened.emit(True)
