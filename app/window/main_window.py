"""The main window: a thin composition of small widgets that talk through signals.

Data flow::

    canvas.changed ──> predictor.request() ──(≤ 60 Hz)──> predictor.predicted(reading, image28)
    canvas.strokeFinished ──> predictor.flush()            ├─> bars, prediction, preview
                                                           predictor.cleared() ─> hint
    model switch (toolbar combo / Model menu) ──> library.get(kind) ──> predictor.set_model()
    predictor.modelChanged ──> bar classes, 0/1 note, status bar

Later features hook in here: add actions to ``window.menus["model"]`` (or any menu), read the drawing
with ``window.canvas.image()``, the active model with ``window.predictor.model()``, swap a model live with
``window.predictor.set_model(estimator)`` or ``window.models.set(kind, estimator)``, and label drawings
from ``window.labelRequested(int)`` (a digit key on the canvas or a click on a class bar).
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSpinBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

import model as model_api
from app.widgets import icons
from app.widgets.banner import MessageBanner
from app.widgets.canvas import DEFAULT_BRUSH, MAX_BRUSH, MIN_BRUSH, DrawingCanvas
from app.widgets.prediction import PredictionView
from app.widgets.preview import PreviewView
from app.widgets.probabilities import ProbabilityBars
from app.window.model_files import ModelFileOpener
from app.window.model_library import ModelLibrary, describe, label
from app.window.model_menu import ModelMenu
from app.window.personal import Personaliser
from app.window.picture_files import FILE_FILTER
from app.window.predictor import Predictor
from app.window.settings import WindowSettings
from app.window.teach import Teacher

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import (
        QCloseEvent,
        QDragEnterEvent,
        QDropEvent,
        QShowEvent,
    )
    from PySide6.QtWidgets import (
        QMenu,
    )

    from model.reading import Reading

APP_NAME = "Digit Canvas"
BINARY_NOTE = "This model knows only 0 and 1: whatever you draw, it answers one of the two."
PANEL_WIDTH = 310


class MainWindow(QMainWindow):
    """Drawing canvas on the left; prediction, model input and class probabilities on the right.

    ``labelRequested(int)`` fires when a digit key is pressed on the canvas or a class bar is clicked,
    for a later "teach" feature. ``pictureOpened(bool)`` fires when a picture file opened with
    :meth:`open_image_file` is on the canvas (True) or was refused with a message (False).
    """

    labelRequested = Signal(int)
    pictureOpened = Signal(bool)

    def __init__(self, library: ModelLibrary | None = None, kind: str | None = None) -> None:
        """``kind`` is the model to start with; ``None`` means the one chosen last (settings)."""
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.models = library if library is not None else ModelLibrary(self)
        self._kind: str | None = None
        self._picture_job: Any = None
        self.model_files = ModelFileOpener(self.models, self, self.model_kind)

        self.canvas = DrawingCanvas()
        self.predictor = Predictor(self)
        self.predictor.set_source(lambda: None if self.canvas.is_empty() else self.canvas.image())
        self.bars = ProbabilityBars()
        self.prediction_view = PredictionView()
        self.preview = PreviewView()
        self.banner = MessageBanner()
        self.model_note = QLabel(BINARY_NOTE)
        self.model_note.setObjectName("modelNote")
        self.model_note.setWordWrap(True)
        self.model_note.hide()
        self.model_status = QLabel()
        self.model_status.setObjectName("modelStatus")
        self.model_selector = QComboBox()
        self.model_selector.setObjectName("modelSelector")
        self.model_selector.setAccessibleName("Model")
        self.model_selector.setToolTip("Which model reads the drawing")
        self.brush_width = QSpinBox()
        self.brush_width.setObjectName("brushWidth")

        self._actions: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_layout()
        self._connect()
        self.model_menu = ModelMenu(self)  # Retrain…, Reset, Evaluate…, Show weights
        self.teacher = Teacher(self)  # Teach, Samples menu: the user's labelled drawings
        self.personal = Personaliser(lambda: self.teacher.store, self)  # taught drawings count at once
        self.teacher.sampleAdded.connect(self.personal.add)
        self.teacher.samplesChanged.connect(self.personal.refresh)
        self.personal.changed.connect(self._personal_changed)
        self.personal.failed.connect(lambda message: self.show_message(message, "warning"))
        self.resize(1000, 680)
        self.settings = WindowSettings(self)  # brush width and geometry now, the model kind just below
        self.set_model_kind(kind or self.settings.model_kind())
        self.canvas.setFocus()

    # ------------------------------------------------------------------------------------ public API

    def action(self, name: str) -> QAction:
        """A named action: open, save, quit, undo, redo, clear, about, model:ovr, model:binary, open_model."""
        return self._actions[name]

    def model_kind(self) -> str | None:
        return self._kind

    def set_model_kind(self, kind: str) -> None:
        """Switch to the model of ``kind`` ("ovr" or "binary"); a failure is shown, never raised."""
        try:
            estimator = self.models.get(kind)
        except model_api.ModelFileError as exc:
            self.show_message(f"{exc} No {label(kind)} model is available.", "error")
            estimator = None
        self._kind = kind
        self._sync_switch(kind)
        self.predictor.set_model(self.personal.apply(estimator))
        if estimator is None:
            self.bars.set_classes(model_api.KINDS[kind]["classes"])
            self.model_status.setText(f"{label(kind)}: not available")
            self.model_note.setVisible(kind == "binary")

    def warm_up(self) -> None:
        """Prepare what reading the first stroke needs; the app calls this after the first paint."""
        self.predictor.warm_up()
        self.personal.start()

    def open_image_file(self, path: str | Path) -> None:
        """Start opening the picture in ``path`` in a worker; it goes on the canvas when it is decoded.

        The status bar says the file is opening meanwhile and the window stays usable; problems are
        shown in the banner. ``pictureOpened(bool)`` reports the outcome; of several files opened in
        quick succession, only the last one is used.
        """
        # With Pillow, on first use: not needed at start-up.
        from app.window.picture_files import load_digit_picture, opening_failure
        from app.workers.background_job import BackgroundJob

        path = Path(path)
        job = BackgroundJob("digit-canvas-picture", self, describe=lambda exc: opening_failure(path, exc))
        self._picture_job = job
        job.done.connect(lambda picture, job=job: self._picture_done(job, path, picture, ""))
        job.failed.connect(lambda message, job=job: self._picture_done(job, path, None, message))
        job.stopped.connect(job.deleteLater)  # its thread has ended by then; a window opens many pictures
        self.statusBar().showMessage(f"Opening {path.name}…")
        self.canvas.setCursor(Qt.CursorShape.BusyCursor)
        job.start(lambda: load_digit_picture(path))

    def _picture_done(self, job: Any, path: Path, picture: Any, message: str) -> None:
        if job is not self._picture_job:  # a later file was opened meanwhile: it wins
            return
        self._picture_job = None
        self.canvas.unsetCursor()
        if picture is None:
            self.statusBar().clearMessage()
            self.show_message(message, "warning")
            self.pictureOpened.emit(False)
            return
        self.canvas.set_picture(picture)
        self.predictor.flush()
        self.statusBar().showMessage(f"Opened {path.name}", 5000)
        self.pictureOpened.emit(True)

    def is_opening_picture(self) -> bool:
        """True while a picture file is being decoded in the background."""
        return self._picture_job is not None

    def save_drawing(self, path: str | Path) -> bool:
        """Save the drawing as a PNG (dark on white, the canvas's fixed size); problems are shown."""
        path = Path(path)
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        try:
            self.canvas.image().save(path, "PNG")
        except (OSError, ValueError) as exc:
            self.show_message(f"The drawing could not be saved to {path.name} ({exc}).", "error")
            return False
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def show_message(self, text: str, level: str = "info") -> None:
        self.banner.show_message(text, level)

    # ------------------------------------------------------------------------------------- building

    def _add_action(
        self, name: str, text: str, slot: Any, shortcuts: list[Any] | None = None, **kw: Any
    ) -> QAction:
        act = QAction(text, self)
        act.setObjectName(f"action:{name}")
        if shortcuts:
            act.setShortcuts([QKeySequence(s) for s in shortcuts])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if "icon" in kw:
            act.setIcon(kw["icon"])
        if "tip" in kw:
            act.setToolTip(kw["tip"])
            act.setStatusTip(kw["tip"])
        act.triggered.connect(slot)
        self.addAction(act)  # shortcuts work even when the menu bar is hidden (macOS full screen)
        self._actions[name] = act
        return act

    def _build_actions(self) -> None:
        add = self._add_action
        add(
            "open",
            "&Open image…",
            self._open_dialog,
            [QKeySequence.StandardKey.Open],
            icon=icons.open_icon(),
            tip="Classify a picture of a digit (you can also drop an image file on the window)",
        )
        add(
            "save",
            "&Save drawing as PNG…",
            self._save_dialog,
            [QKeySequence.StandardKey.Save],
            icon=icons.save_icon(),
            tip="Save the drawing as a PNG image",
        )
        add("quit", "&Quit", self.close, [QKeySequence.StandardKey.Quit])
        add(
            "undo",
            "&Undo",
            self._undo,
            [QKeySequence.StandardKey.Undo],
            icon=icons.undo_icon(),
            tip="Take back the last stroke (Ctrl+Z)",
        )
        add(
            "redo",
            "&Redo",
            self._redo,
            ["Ctrl+Shift+Z", "Ctrl+Y"],
            icon=icons.redo_icon(),
            tip="Put the stroke back (Ctrl+Shift+Z)",
        )
        add(
            "clear",
            "&Clear",
            self._clear,
            [Qt.Key.Key_Escape, Qt.Key.Key_Delete],
            icon=icons.clear_icon(),
            tip="Clear the canvas (Esc or Delete)",
        )
        add("about", f"&About {APP_NAME}", self._about)
        add(
            "open_model",
            "Open model &file…",
            self.model_files.choose,
            tip="Use a model file (.joblib) from elsewhere; files the app did not save ask for confirmation",
        )
        group = QActionGroup(self)
        group.setExclusive(True)
        for number, kind in enumerate(self.models.kinds(), start=1):
            act = add(
                f"model:{kind}",
                label(kind),
                lambda _=False, k=kind: self.set_model_kind(k),
                [f"Ctrl+{number}"],
            )
            act.setCheckable(True)
            group.addAction(act)
            self.model_selector.addItem(label(kind), kind)

        # Short toolbar labels; the menus keep the full text.
        self.action("open").setIconText("Open")
        self.action("save").setIconText("Save")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.action("open"), self.action("save")])
        file_menu.addSeparator()
        file_menu.addAction(self.action("quit"))
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.action("undo"), self.action("redo")])
        edit_menu.addSeparator()
        edit_menu.addAction(self.action("clear"))
        model_menu = bar.addMenu("&Model")
        model_menu.addActions([self.action(f"model:{k}") for k in self.models.kinds()])
        model_menu.addSeparator()
        model_menu.addAction(self.action("open_model"))
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.action("about"))
        self.menus = {"file": file_menu, "edit": edit_menu, "model": model_menu, "help": help_menu}

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.action("open"), self.action("save")])
        toolbar.addSeparator()
        toolbar.addActions([self.action("undo"), self.action("redo"), self.action("clear")])
        toolbar.addSeparator()
        brush_label = QLabel(" Brush ")
        brush_label.setBuddy(self.brush_width)
        self.brush_width.setRange(int(MIN_BRUSH), int(MAX_BRUSH))
        self.brush_width.setValue(round(DEFAULT_BRUSH))
        self.brush_width.setSuffix(" px")
        self.brush_width.setAccessibleName("Brush width")
        self.brush_width.setToolTip(
            "Brush width. The model sees the same stroke thickness whatever you choose."
        )
        toolbar.addWidget(brush_label)
        toolbar.addWidget(self.brush_width)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        model_label = QLabel("Model ")
        model_label.setBuddy(self.model_selector)
        toolbar.addWidget(model_label)
        self.model_selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        toolbar.addWidget(self.model_selector)
        self.toolbar = toolbar
        self.addToolBar(toolbar)

    def _build_layout(self) -> None:
        caption_font = self.font()
        caption_font.setBold(True)

        def caption(text: str) -> QLabel:
            lab = QLabel(text)
            lab.setFont(caption_font)
            return lab

        answer = QFrame()
        answer.setObjectName("card")
        top = QHBoxLayout(answer)
        top.setContentsMargins(14, 10, 14, 12)
        top.setSpacing(12)
        top.addWidget(self.prediction_view, 1, Qt.AlignmentFlag.AlignVCenter)
        seen = QVBoxLayout()
        seen.setSpacing(4)
        seen_caption = QLabel("Model input")
        seen_caption.setObjectName("previewCaption")
        seen_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        seen.addWidget(seen_caption)
        seen.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        top.addLayout(seen)

        self.model_note.setContentsMargins(10, 6, 10, 6)
        self.model_note.setStyleSheet(
            "QLabel#modelNote { background: #fff4d6; color: #5c4300; border: 1px solid #e8c765;"
            " border-radius: 6px; }"
        )

        probs_card = QFrame()
        probs_card.setObjectName("card")
        probs = QVBoxLayout(probs_card)
        probs.setContentsMargins(12, 10, 14, 12)
        probs.setSpacing(8)
        probs.addWidget(caption("Probability of each digit"))
        probs.addWidget(self.bars, 1)

        panel = QWidget()
        panel.setObjectName("sidePanel")
        panel.setFixedWidth(PANEL_WIDTH)
        side = QVBoxLayout(panel)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(10)
        side.addWidget(answer)
        side.addWidget(self.model_note)
        side.addWidget(probs_card, 1)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.canvas, 1)
        body.addWidget(panel)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(14, 10, 14, 10)
        outer.setSpacing(8)
        outer.addWidget(self.banner)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)
        central.setStyleSheet(
            "QFrame#card { background: palette(base); border: 1px solid palette(midlight);"
            " border-radius: 10px; }"
            " QLabel#previewCaption { color: palette(placeholder-text); }"
        )
        self.statusBar().addPermanentWidget(self.model_status)
        self.statusBar().setSizeGripEnabled(True)

    def _connect(self) -> None:
        self.canvas.changed.connect(self.predictor.request)
        self.canvas.strokeFinished.connect(self.predictor.flush)
        self.canvas.historyChanged.connect(self._update_actions)
        self.canvas.digitKeyPressed.connect(self.labelRequested)
        self.bars.classClicked.connect(self.labelRequested)
        self.predictor.predicted.connect(self._show_prediction)
        self.predictor.cleared.connect(self._show_nothing)
        self.predictor.modelChanged.connect(self._model_changed)
        self.predictor.failed.connect(lambda message: self.show_message(message, "error"))
        self.models.warning.connect(lambda message: self.show_message(message, "warning"))
        self.models.modelReplaced.connect(self._model_replaced)

        self.model_files.opened.connect(self.set_model_kind)
        self.model_files.failed.connect(lambda message: self.show_message(message, "error"))
        self.model_selector.currentIndexChanged.connect(
            lambda index: self.set_model_kind(self.model_selector.itemData(index))
        )
        self.brush_width.valueChanged.connect(lambda value: self.canvas.set_brush_width(float(value)))
        self._update_actions()

    # ------------------------------------------------------------------------------------ reactions

    def _show_prediction(self, reading: Reading, image28: np.ndarray) -> None:
        if list(reading.classes) != list(self.bars.classes()):  # a stale answer from a swapped-out model
            return
        self.bars.set_probabilities(reading.probabilities)
        self.prediction_view.show_reading(reading)
        self.prediction_view.setToolTip(f"Read in {self.predictor.last_duration_ms:.1f} ms")
        self.preview.set_pixels(image28)

    def _show_nothing(self) -> None:
        self.bars.set_probabilities(None)
        if self.predictor.model() is None and not self.canvas.is_empty():
            self.prediction_view.show_hint("No model loaded")
        else:
            self.prediction_view.show_hint()
        self.preview.set_pixels(None)

    def _model_changed(self, estimator: Any) -> None:
        if estimator is None:
            return
        classes = [int(c) for c in estimator.classes_]
        meta = getattr(estimator, "metadata_", {}) or {}
        kind = meta.get("kind") or ("binary" if classes == [0, 1] else "ovr")
        if kind in model_api.KINDS and kind != self._kind:
            self._kind = kind
            self._sync_switch(kind)
        self.bars.set_classes(classes)
        self.model_note.setVisible(len(classes) == 2)
        self.model_status.setText(describe(estimator))
        self.model_status.setToolTip(str(meta.get("path", "")))

    def _personal_changed(self) -> None:
        """Taught drawings came or went: read with the model corrected by the ones there are now."""
        if self._kind is not None:
            self.set_model_kind(self._kind)

    def _model_replaced(self, kind: str) -> None:
        if kind == self._kind:
            self.set_model_kind(kind)

    def _sync_switch(self, kind: str) -> None:
        index = self.model_selector.findData(kind)
        if index >= 0 and index != self.model_selector.currentIndex():
            self.model_selector.blockSignals(True)
            self.model_selector.setCurrentIndex(index)
            self.model_selector.blockSignals(False)
        act = self._actions.get(f"model:{kind}")
        if act is not None and not act.isChecked():
            act.setChecked(True)

    def _update_actions(self) -> None:
        self.action("undo").setEnabled(self.canvas.can_undo())
        self.action("redo").setEnabled(self.canvas.can_redo())
        self.action("save").setEnabled(not self.canvas.is_empty())

    def _undo(self) -> None:
        self.canvas.undo()
        self.predictor.flush()

    def _redo(self) -> None:
        self.canvas.redo()
        self.predictor.flush()

    def _clear(self) -> None:
        self.canvas.clear()
        self.predictor.flush()

    # -------------------------------------------------------------------------------------- dialogs

    def _open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # dialogs are imported when first shown (start-up)

        path, _ = QFileDialog.getOpenFileName(self, "Open image", str(Path.home()), FILE_FILTER)
        if path:
            self.open_image_file(path)

    def _save_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # dialogs are imported when first shown (start-up)

        path, _ = QFileDialog.getSaveFileName(
            self, "Save drawing as PNG", str(Path.home() / "digit.png"), "PNG image (*.png)"
        )
        if path:
            self.save_drawing(path)

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox  # dialogs are imported when first shown (start-up)

        QMessageBox.about(self, f"About {APP_NAME}", about_text())

    # ------------------------------------------------------------------------------------ Qt events

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event.mimeData().urls()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if _dropped_file(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event.mimeData().urls())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_image_file(path)

    def showEvent(self, event: QShowEvent) -> None:
        self.predictor.blockSignals(False)
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.predictor.blockSignals(True)  # no prediction lands on half-destroyed widgets
        super().closeEvent(event)


def _dropped_file(urls: list[QUrl]) -> str | None:
    for url in urls:
        if url.isLocalFile() and Path(url.toLocalFile()).is_file():
            return url.toLocalFile()
    return None


def versions() -> dict[str, str]:
    """The versions a bug report needs: the app, Python, Qt and the numeric libraries."""
    import PIL
    import PySide6
    from PySide6.QtCore import qVersion

    from model.store import library_versions

    found = library_versions()
    return {
        APP_NAME: found.get("digit-canvas", "unknown"),
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "NumPy": found.get("numpy", "?"),
        "scikit-learn": found.get("scikit-learn", "?"),
        "Pillow": PIL.__version__,
        "joblib": found.get("joblib", "?"),
    }


def about_text() -> str:
    rows = "".join(f"<tr><td>{k}</td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in versions().items())
    return (
        f"<h3>{APP_NAME}</h3>"
        "<p>Draw a digit and watch logistic-regression models trained on MNIST read it live.</p>"
        f"<table>{rows}</table>"
        f"<p>{platform.system()} {platform.release()}</p>"
    )
