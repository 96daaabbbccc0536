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

from PySide6.QtCore import Signal
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

import model as model_api
from app.text.labels import label
from app.widgets import icons
from app.widgets.actions import action_name, make_action
from app.widgets.banner import MessageBanner
from app.widgets.canvas import DrawingCanvas
from app.widgets.window_keys import WindowKeysFirst
from app.window.about import APP_NAME, about_text
from app.window.model_library import ModelLibrary, describe
from app.window.picture_opener import PictureOpener
from app.window.predictor import Predictor
from app.window.reading_panel import ReadingPanel
from app.window.toolbar import MainToolbar
from app.window.window_actions import ACTIONS, MENUS, TOOLBAR, icon_for

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
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
        self.models = library if library is not None else ModelLibrary(self)
        self._kind: str | None = None
        self._model_filter: Callable[[Any], Any] = lambda estimator: estimator
        self._bar_filter: Callable[[int], bool] = lambda digit: False
        self._close_guards: list[Callable[[], bool]] = []
        self._said: dict[str, str] = {}  # the last banner message about each thing (show_message's about)

        self.canvas = DrawingCanvas()
        self.predictor = Predictor(self)
        self.predictor.set_source(lambda: None if self.canvas.is_empty() else self.canvas.image())
        self.pictures = PictureOpener(self)  # File > Open image, drops
        self.pictures.opened.connect(self.pictureOpened)
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
        """Open the picture in ``path`` onto the canvas, decoded in a worker (:class:`PictureOpener`)."""
        self.pictures.open(path)

    def is_opening_picture(self) -> bool:
        """True while a picture file is being decoded in the background."""
        return self.pictures.is_busy()

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

    def show_message(self, text: str, level: str = "info", about: str | None = None) -> None:
        """A message in the banner above the canvas; level info, warning or error.

        ``about`` names what the message is about (a refused picture, say), so that
        :meth:`withdraw_message` can take it away once it no longer holds.
        """
        self.banner.show_message(text, level)
        if about is not None:
            self._said[about] = text

    def withdraw_message(self, about: str) -> None:
        """The last message about ``about`` no longer holds: out of the banner, if it is still there."""
        text = self._said.pop(about, None)
        if text is not None:
            self.hide_message(text)

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

    def set_bar_click_filter(self, bar_filter: Callable[[int], bool]) -> None:
        """Let ``bar_filter(digit)`` take a click on a class's bar first; it returns True if it did.

        Otherwise the click asks to teach that digit (``labelRequested``).
        """
        self._bar_filter = bar_filter

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
        for spec in ACTIONS:
            act = self._add_action(
                spec.name,
                spec.text.format(app=APP_NAME),
                getattr(self, spec.slot),
                spec.shortcuts,
                icon=icon_for(spec),
                tip=spec.tip,
            )
            if spec.icon_text:
                act.setIconText(spec.icon_text)  # short toolbar labels; the menus keep the full text
        group = QActionGroup(self)
        group.setExclusive(True)
        for number, kind in enumerate(self.models.kinds(), start=1):
            act = self._add_action(
                f"model:{kind}",
                label(kind),
                lambda _=False, k=kind: self.set_model_kind(k),
                [f"Ctrl+{number}"],
            )
            act.setCheckable(True)
            group.addAction(act)

    def _build_menus(self) -> None:
        for name, title, entries in MENUS:
            menu = self.menuBar().addMenu(title)
            for entry in entries:
                if entry is None:
                    menu.addSeparator()
                elif entry == "models":
                    menu.addActions([self.action(f"model:{k}") for k in self.models.kinds()])
                else:
                    menu.addAction(self.action(entry))
            self.menus[name] = menu

    def _build_toolbar(self) -> None:
        self.toolbar = MainToolbar([None if e is None else self.action(e) for e in TOOLBAR], self)
        self.addToolBar(self.toolbar)
        self.brush_width = self.toolbar.brush_width
        for field in (self.brush_width, self.brush_width.lineEdit()):  # the box, or its text, has the focus
            WindowKeysFirst(self, field)  # Ctrl+Z there undoes the stroke, not the typing
        self.model_selector = self.toolbar.model_selector
        for kind in self.models.kinds():
            self.model_selector.addItem(label(kind), kind)

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
        self.setCentralWidget(central)  # no style sheet: under one, widgets miss palette changes
        # A normal status-bar widget, not a permanent one: a message takes the whole bar while it is
        # shown (the model line beside it cut it off mid-word) and the model line comes back after.
        self.statusBar().addWidget(self.model_status, 1)
        self.statusBar().setSizeGripEnabled(True)

    def _connect(self) -> None:
        self.canvas.changed.connect(self.predictor.request)
        self.canvas.strokeFinished.connect(self.predictor.flush)
        self.canvas.historyChanged.connect(self._update_actions)
        self.canvas.digitKeyPressed.connect(self.labelRequested)
        self.bars.classClicked.connect(self._bar_clicked)
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

    def _bar_clicked(self, digit: int) -> None:
        if not self._bar_filter(digit):
            self.labelRequested.emit(digit)

    def _show_prediction(self, reading: Reading, image28: np.ndarray) -> None:
        self.panel.show_reading(reading, image28, self.predictor.last_duration_ms)

    def _show_nothing(self) -> None:
        no_model = self.predictor.model() is None and not self.canvas.is_empty()
        self.panel.show_nothing("No model loaded" if no_model else None)

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
        self.pictures.ask_and_open()

    def _save_dialog(self) -> None:
        from app.window.picture_files import ask_drawing_path

        path = ask_drawing_path(self)
        if path:
            self.save_drawing(path)

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox  # dialogs are imported when first shown (start-up)

        QMessageBox.about(self, f"About {APP_NAME}", about_text())

    # ------------------------------------------------------------------------------------ Qt events

    def showEvent(self, event: QShowEvent) -> None:
        self.predictor.blockSignals(False)
        super().showEvent(event)

    def add_close_guard(self, may_close: Callable[[], bool]) -> None:
        """Ask ``may_close()`` before the window closes; ``False`` keeps it open (a retrain asks first)."""
        self._close_guards.append(may_close)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not all(may_close() for may_close in self._close_guards):
            event.ignore()
            return
        self.predictor.blockSignals(True)  # no prediction lands on half-destroyed widgets
        super().closeEvent(event)
