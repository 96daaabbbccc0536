"""Model > Open model file…: use a model file from anywhere, only with the person's consent.

joblib files are pickles, and other programs' unpickling runs any code hidden in one; the app's
reader runs none (``model.joblib_reader``), but a file from a stranger can still hold a model made to
misread. So a file is loaded straight away only if the app wrote it itself (a bundled model or one in
the user's model folder) and it still matches the SHA-256 recorded when it was saved; a recorded file
that no longer matches is refused outright, because it was changed behind the app's back. Any other
file is loaded only after the person confirms a warning whose default answer is No.

The file does not say which kind of model it holds until it is read, so it is loaded as the kind in
use and, if it turns out to hold the other kind, as that one (:class:`model.store.WrongKindError`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.text.errors import one_line, typed_clause
from app.widgets.actions import make_action
from app.window.model_library import ModelLibrary
from model.store import KINDS, ModelFileError, WrongKindError, load_model, recorded_digest

log = logging.getLogger("digit_canvas.model_files")

MODEL_FILE_FILTER = "Digit Canvas models (*.joblib);;All files (*)"

Confirm = Callable[[QWidget | None, Path], bool]


class OpenedModel(NamedTuple):
    kind: str
    estimator: Any
    path: Path


def untrusted_warning(name: str) -> str:
    """The question asked before loading a file the app did not write."""
    return (
        f"A model file from elsewhere cannot run code here, but it may have been trained to misread. "
        f"Only open files from people you trust. Load {name}?"
    )


def confirm_untrusted(parent: QWidget | None, path: Path) -> bool:
    """Ask before using a model file from elsewhere; Enter, Esc and closing the box all mean No."""
    from PySide6.QtWidgets import QMessageBox  # dialogs are imported when first shown (start-up)

    box = QMessageBox(parent)
    box.setObjectName("untrustedModelDialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Open a model file from elsewhere?")
    box.setText(untrusted_warning(path.name))
    box.setInformativeText(
        f"{path}\n\nThe app opens without asking only its bundled models and the models it saved itself."
    )
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    box.exec()
    return box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)


def is_recorded(path: Path) -> bool:
    """True if the app wrote ``path`` itself and recorded its digest (loadable without asking)."""
    return recorded_digest(path) is not None


def load_model_file(path: Path, preferred_kind: str | None, *, trusted: bool) -> OpenedModel:
    """Load ``path`` as ``preferred_kind`` or, if the file holds the other kind, as that one.

    Raises :class:`model.ModelFileError` with a one-sentence reason for anything else.
    """
    kind = preferred_kind if preferred_kind in KINDS else next(iter(KINDS))
    try:
        estimator = load_model(kind, path, trusted=trusted)
    except WrongKindError as exc:
        if exc.found not in KINDS:
            raise
        kind = str(exc.found)
        estimator = load_model(kind, path, trusted=trusted)
    return OpenedModel(kind, estimator, path)


class ModelFileOpener(QObject):
    """Opens model files for a window: file dialog, trust decision, loading, and the library swap.

    ``opened(kind)`` fires after the model was put in the library (the window switches to ``kind``);
    ``failed(message)`` carries one sentence when the file was refused or could not be loaded. A
    person answering No to the warning is neither: nothing happens.
    """

    opened = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        library: ModelLibrary,
        parent: QWidget,
        active_kind: Callable[[], str | None] = lambda: None,
        confirm: Confirm = confirm_untrusted,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self._parent = parent
        self._active_kind = active_kind
        self.confirm = confirm  # replaceable, e.g. by a test or a policy that never trusts
        self.last_dir = Path.home()
        self.action = make_action(
            self,
            "open_model",
            "Open model &file…",
            self.choose,
            tip="Use a model file (.joblib) from elsewhere; files the app did not save ask for confirmation",
        )

    def choose(self) -> None:
        """Ask for a file with a file dialog and open it."""
        from PySide6.QtWidgets import QFileDialog  # dialogs are imported when first shown (start-up)

        path, _ = QFileDialog.getOpenFileName(
            self._parent, "Open model file", str(self.last_dir), MODEL_FILE_FILTER
        )
        if path:
            self.last_dir = Path(path).parent
            self.open_file(path)

    def open_file(self, path: str | Path) -> bool:
        """Load the model in ``path`` and make it the active one; returns whether it was."""
        path = Path(path)
        try:
            if not path.is_file():
                raise ModelFileError(f"Model file {path.name} does not exist or is not a file.")
            trusted = False
            if not is_recorded(path):  # a recorded file is checked against its digest instead
                if not self.confirm(self._parent, path):
                    return False
                trusted = True
            opened = load_model_file(path, self._active_kind(), trusted=trusted)
        except ModelFileError as exc:
            self.failed.emit(one_line(str(exc)))
            return False
        except Exception as exc:  # whatever a strange file does, the app keeps running
            log.warning("Model file %s could not be opened", path, exc_info=True)
            self.failed.emit(f"Model file {path.name} could not be opened ({typed_clause(exc)}).")
            return False
        self._library.set(opened.kind, opened.estimator)
        self.opened.emit(opened.kind)
        return True
