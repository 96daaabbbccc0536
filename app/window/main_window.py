"""The main window: a thin composition of small widgets that talk through signals.

Data flow::

    canvas.changed ──> predictor.request() ──(≤ 60 Hz)──> predictor.predicted(reading, image28)
    canvas.strokeFinished ──> predictor.flush()            ├─> bars, prediction, preview
                                                           predictor.cleared() ─> hint
    model switch (toolbar combo / Model menu) ──> library.get(kind) ──> predictor.set_model()
    predictor.modelChanged ──> bar classes, 0/1 note, status bar

The window knows none of its controllers. They extend it only through :meth:`MainWindow.add_actions`,
:meth:`~MainWindow.add_menu`, :meth:`~MainWindow.add_tool_widget`, :meth:`~MainWindow.add_panel` and
:meth:`~MainWindow.set_model_filter`; :func:`app.window.assembly.build_main_window` puts them together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
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
from app.text.labels import label
from app.widgets import icons
from app.widgets.actions import action_name, make_action
from app.widgets.banner import MessageBanner
from app.widgets.canvas import DEFAULT_BRUSH, MAX_BRUSH, MIN_BRUSH, DrawingCanvas
from app.window.about import APP_NAME, about_text
from app.window.model_library import ModelLibrary, describe
from app.window.picture_files import FILE_FILTER
from app.window.predictor import Predictor
from app.window.reading_panel import ReadingPanel

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
    from PySide6.QtWidgets import QMenu

    from model.reading import Reading


class MainWindow(QMainWindow):
    """Drawing canvas on the left; prediction, model input and class probabilities on the right.

    ``labelRequested(int)`` fires when a digit key is pressed on the canvas or a class bar is
    clicked. ``pictureOpened(bool)`` fires when a picture file opened with :meth:`open_image_file`
    is on the canvas (True) or was refused with a message (False). ``warmedUp()`` fires at the end
    of :meth:`warm_up`, for what else should start once the window shows.
    """

    labelRequested = Signal(int)
    pictureOpened = Signal(bool)
    warmedUp = Signal()

    def __init__(self, library: ModelLibrary | None = None) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.models = library if library is not None else ModelLibrary(self)
        self._kind: str | None = None
        self._picture_job: Any = None
        self._model_filter: Callable[[Any], Any] = lambda estimator: estimator

        self.canvas = DrawingCanvas()
        self.predictor = Predictor(self)
        self.predictor.set_source(lambda: None if self.canvas.is_empty() else self.canvas.image())
        caption_font = self.font()
        caption_font.setBold(True)
        self.panel = ReadingPanel(caption_font)
        self.bars = self.panel.bars
        self.prediction_view = self.panel.prediction_view
        self.preview = self.panel.preview
        self.model_note = self.panel.model_note
        self.banner = MessageBanner()
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
        self.resize(1000, 680)
        self.canvas.setFocus()

    # ------------------------------------------------------------------------------------ public API

    def action(self, name: str) -> QAction:
        """A named action: open, save, quit, undo, redo, clear, about, model:<kind>, and those added."""
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
        self.predictor.set_model(self._model_filter(estimator))
        if estimator is None:
            self.bars.set_classes(model_api.KINDS[kind]["classes"])
            self.model_status.setText(f"{label(kind)}: not available")
            self.model_note.setVisible(kind == "binary")

    def reload_model(self) -> None:
        """Read with the current model again, through the model filter (after what it does changed)."""
        if self._kind is not None:
            self.set_model_kind(self._kind)

    def warm_up(self) -> None:
        """Prepare what reading the first stroke needs; the app calls this after the first paint."""
        self.predictor.warm_up()
        self.warmedUp.emit()

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
        self.show_status(f"Saved {path}", 5000)
        return True

    def show_message(self, text: str, level: str = "info") -> None:
        """A message in the banner above the canvas; level info, warning or error."""
        self.banner.show_message(text, level)

    def hide_message(self, text: str) -> None:
        """Take ``text`` out of the banner, unless another message has replaced it meanwhile."""
        if self.banner.text() == text:
            self.banner.hide()

    def show_status(self, text: str, msecs: int = 0) -> None:
        """A line in the status bar for ``msecs`` (0: until the next one)."""
        self.statusBar().showMessage(text, msecs)

    # -------------------------------------------------------------------------------- extension points

    def add_actions(self, menu: str, actions: Sequence[QAction], *, separator: bool = True) -> None:
        """Append ``actions`` to one of :attr:`menus`; their shortcuts work anywhere in the window.

        Each becomes :meth:`action` ``(name)`` under the name :func:`app.widgets.actions.make_action`
        gave it.
        """
        target = self.menus[menu]
        if separator:
            target.addSeparator()
        target.addActions(list(actions))
        for act in actions:
            self._register(act)

    def add_menu(self, name: str, menu: QMenu, *, before: str | None = "help") -> None:
        """Put ``menu`` in the menu bar (before the menu ``before``, else last) as :attr:`menus` [name]."""
        ahead = self.menus.get(before) if before is not None else None
        if ahead is not None:
            self.menuBar().insertMenu(ahead.menuAction(), menu)
        else:
            self.menuBar().addMenu(menu)
        self.menus[name] = menu
        for act in menu.actions():
            if act.objectName().startswith("action:"):
                self._register(act)

    def add_tool_widget(self, widget: QWidget, *, after: str = "clear") -> None:
        """Put ``widget`` in the toolbar, after a separator that follows the action ``after``."""
        actions = self.toolbar.actions()
        anchor = self._actions.get(after)
        position = actions.index(anchor) + 1 if anchor in actions else len(actions)
        if position < len(actions):
            before = actions[position]
            self.toolbar.insertSeparator(before)
            self.toolbar.insertWidget(before, widget)
        else:
            self.toolbar.addSeparator()
            self.toolbar.addWidget(widget)

    def add_panel(self, widget: QWidget) -> None:
        """Put ``widget`` below the probability bars, in their card."""
        self.panel.add_below_bars(widget)

    def set_model_filter(self, model_filter: Callable[[Any], Any]) -> None:
        """Read with ``model_filter(model)`` instead of the library's model (``None`` stays ``None``)."""
        self._model_filter = model_filter

    def _register(self, act: QAction) -> None:
        self.addAction(act)  # shortcuts work even when the menu bar is hidden (macOS full screen)
        self._actions[action_name(act)] = act

    # ------------------------------------------------------------------------------------- building

    def _add_action(
        self, name: str, text: str, slot: Any, shortcuts: Sequence[Any] = (), **kw: Any
    ) -> QAction:
        act = make_action(self, name, text, slot, shortcuts, **kw)
        self._register(act)
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
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.canvas, 1)
        body.addWidget(self.panel)

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
        self.show_status(f"Opened {path.name}", 5000)
        self.pictureOpened.emit(True)

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
