"""The main window, driven as a person would: mouse strokes, shortcuts, menus, dialogs, drops."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from broken_models import plant_user_model
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLabel, QMessageBox, QWidget

from app.testing.replay import draw_with_mouse, mouse_path, place_strokes, release_mouse
from app.window.assembly import build_main_window
from app.window.main_window import MainWindow
from app.window.reading_panel import BINARY_NOTE
from model.preprocess import canvas_to_mnist
from training.uji import render_strokes

pytestmark = pytest.mark.gui

# Hand-made digits (strokes in any units; they are placed on the sheet like handwriting).
SEVEN = [np.array([[120, 80], [290, 80], [180, 330]], float)]
ONE = [np.array([[200, 70], [200, 330]], float)]
FOUR = [np.array([[230, 60], [110, 250], [290, 250]], float), np.array([[240, 150], [240, 340]], float)]
_t = np.linspace(0, 2 * np.pi, 60)
ZERO = [np.c_[200 + 80 * np.cos(_t), 200 + 120 * np.sin(_t)]]


def shown_digit(win: QWidget) -> str:
    """The big digit as the window shows it (the label's text)."""
    return win.findChild(QLabel, "predictionDigit").text()


def draw(win: MainWindow, strokes, placement=(0.175, 0.175, 0.65), release: bool = True) -> None:
    draw_with_mouse(win.canvas, place_strokes(win.canvas, strokes, *placement), release=release)


def test_widgets_have_object_names(window: MainWindow) -> None:
    for name in ("canvas", "probabilities", "prediction", "preview", "modelSelector"):
        assert window.findChild(QWidget, name) is not None, name
    assert isinstance(window.findChild(QComboBox, "modelSelector"), QComboBox)


def test_empty_canvas_shows_the_hint_and_no_prediction(window: MainWindow) -> None:
    assert shown_digit(window) == "Draw a digit"
    assert window.prediction_view.digit() is None
    assert window.findChild(QLabel, "predictionConfidence").text() == ""
    assert window.bars.probabilities() is None
    assert window.preview.pixels() is None
    assert not window.action("undo").isEnabled() and not window.action("save").isEnabled()


def test_status_bar_names_model_accuracy_and_training_time(window: MainWindow) -> None:
    text = window.findChild(QLabel, "modelStatus").text()
    assert "One-vs-rest (10 digits)" in text
    meta = window.predictor.model().metadata_
    assert f"{meta['test_accuracy']:.1%}" in text  # 98.7%
    assert "trained 20" in text
    assert window.findChild(QLabel, "modelStatus").isVisible()


def test_a_status_message_gets_the_whole_bar_and_the_model_line_comes_back(window: MainWindow, qtbot) -> None:
    line = window.findChild(QLabel, "modelStatus")
    window.resize(700, window.height())
    qtbot.waitUntil(lambda: window.width() <= 760)
    window.show_status("Now using the bundled model; your own model files were deleted")
    assert not line.isVisible()  # before, it stayed and cut the message off mid-word
    window.show_status("")
    qtbot.waitUntil(line.isVisible)


def test_drawing_updates_the_prediction_live_while_the_button_is_held(window: MainWindow, qtbot) -> None:
    strokes = place_strokes(window.canvas, SEVEN, 0.175, 0.175, 0.65)
    path = mouse_path(strokes[0])
    QTest.mousePress(window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[0])
    QTest.mouseMove(window.canvas, path[1])  # the top bar of the 7
    qtbot.waitUntil(lambda: window.prediction_view.digit() is not None, timeout=2000)
    assert window.canvas.is_drawing()  # still pressed: the answer came while drawing
    first = window.bars.probabilities()
    assert first is not None and sum(first.values()) == pytest.approx(1.0, abs=1e-6)
    assert window.preview.pixels() is not None
    count = window.predictor.count
    QTest.mouseMove(window.canvas, path[2])  # down stroke, button still held
    qtbot.waitUntil(lambda: window.predictor.count > count, timeout=2000)
    assert window.canvas.is_drawing()
    assert shown_digit(window) == "7"
    release_mouse(window.canvas, path[2])
    assert shown_digit(window) == "7"  # the final answer is there as soon as the pen lifts
    assert window.bars.top_class() == 7
    confidence = window.findChild(QLabel, "predictionConfidence").text()
    assert confidence.endswith("% sure")
    assert window.bars.probabilities()[7] == max(window.bars.probabilities().values())


def test_live_updates_are_throttled_and_never_block_drawing(window: MainWindow, qtbot) -> None:
    """A burst of mouse moves gives at most ~60 predictions a second and every move is drawn."""
    strokes = place_strokes(window.canvas, ZERO, 0.175, 0.175, 0.65)
    path = mouse_path(np.repeat(strokes[0], 4, axis=0) + np.arange(len(strokes[0]) * 4)[:, None] % 2)
    start = time.perf_counter()
    QTest.mousePress(window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[0])
    for i, point in enumerate(path[1:]):
        QTest.mouseMove(window.canvas, point)
        if i % 8 == 0:
            QTest.qWait(2)  # let the event loop (and the throttle timer) run, as between real events
    moves_seconds = time.perf_counter() - start
    release_mouse(window.canvas, path[-1])
    assert len(window.canvas.strokes()[0].points) >= len(path) - 1
    assert 1 <= window.predictor.count <= moves_seconds * 60 + 3
    assert window.predictor.last_duration_ms < 50
    assert shown_digit(window) == "0"


def test_clear_with_escape_delete_and_the_toolbar_button(window: MainWindow, qtbot) -> None:
    clear_button = window.toolbar.widgetForAction(window.action("clear"))
    clears = [
        lambda: QTest.keyClick(window.canvas, Qt.Key.Key_Escape),
        lambda: QTest.keyClick(window.canvas, Qt.Key.Key_Delete),
        lambda: qtbot.mouseClick(clear_button, Qt.MouseButton.LeftButton),
    ]
    for clear in clears:
        draw(window, ONE)
        assert shown_digit(window) == "1"
        window.canvas.setFocus()
        clear()
        assert window.canvas.is_empty()
        assert shown_digit(window) == "Draw a digit"
        assert window.bars.probabilities() is None and window.preview.pixels() is None


def test_undo_and_redo_with_shortcuts(window: MainWindow) -> None:
    draw(window, FOUR)
    assert shown_digit(window) == "4"
    assert len(window.canvas.strokes()) == 2
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes()) == 1
    assert window.action("redo").isEnabled()
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, shift_ctrl)
    assert len(window.canvas.strokes()) == 2
    assert shown_digit(window) == "4"
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.canvas.is_empty() and shown_digit(window) == "Draw a digit"
    assert not window.action("undo").isEnabled()
    QTest.keyClick(window.canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes()) == 1


def test_the_window_s_ctrl_keys_work_with_the_focus_in_the_brush_box(window: MainWindow, qtbot) -> None:
    """Ctrl+Z, Ctrl+Shift+Z and Ctrl+E act on the drawing from the brush-width box too ("anywhere in
    the main window"); the box keeps its clipboard keys."""
    draw(window, FOUR)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.brush_width.setFocus()
    field = window.focusWidget()
    assert field in (window.brush_width, window.brush_width.lineEdit())
    QTest.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes()) == 1
    QTest.keyClick(
        field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert len(window.canvas.strokes()) == 2
    QTest.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.explainer.is_on()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # the box's own: select all
    assert window.brush_width.lineEdit().selectedText() == window.brush_width.cleanText()
    QTest.keyClick(field, Qt.Key.Key_2)
    QTest.keyClick(field, Qt.Key.Key_0)
    assert window.brush_width.text().startswith("20")  # typing still goes to the box


def test_switching_to_the_binary_model_shows_two_bars_and_the_note(window: MainWindow, qtbot) -> None:
    draw(window, ONE)
    selector = window.findChild(QComboBox, "modelSelector")
    selector.setCurrentIndex(selector.findData("binary"))
    assert window.bars.classes() == [0, 1]
    note = window.findChild(QLabel, "modelNote")
    assert note.isVisible() and note.text() == BINARY_NOTE and "only 0 and 1" in note.text()
    assert "Binary 0-vs-1" in window.findChild(QLabel, "modelStatus").text()
    assert window.action("model:binary").isChecked()
    # The drawing is read again by the new model at once.
    assert shown_digit(window) == "1"
    assert set(window.bars.probabilities()) == {0, 1}
    # And back through the Model menu.
    window.action("model:ovr").trigger()
    assert window.bars.classes() == list(range(10))
    assert not note.isVisible()
    assert selector.currentData() == "ovr"
    assert shown_digit(window) == "1"


def test_model_menu_lists_both_models(window: MainWindow) -> None:
    texts = [a.text() for a in window.menus["model"].actions()]
    assert texts[:2] == ["One-vs-rest (10 digits)", "Binary 0-vs-1"]  # other model actions follow
    window.action("model:binary").trigger()
    selector = window.findChild(QComboBox, "modelSelector")
    assert selector.currentData() == "binary"
    assert len(window.bars.classes()) == 2


def _picture(tmp_path: Path, name: str, light_on_dark: bool, size=(300, 420), mode="L") -> Path:
    """A "7" as a person might photograph or export it: dark on light or light on dark, any size."""
    image = render_strokes(SEVEN, 400, 20).resize(size)
    if light_on_dark:
        image = Image.eval(image, lambda v: 255 - v)
    path = tmp_path / name
    image.convert(mode).save(path)
    return path


@pytest.mark.parametrize("light_on_dark", [False, True])
def test_open_image_classifies_a_picture(
    qtbot, window: MainWindow, tmp_path, monkeypatch, light_on_dark
) -> None:
    path = _picture(tmp_path, "seven.png", light_on_dark, mode="RGB")
    calls = []

    def fake_open(*args, **kwargs):
        calls.append(args)
        return str(path), "Images"

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_open))
    with qtbot.waitSignal(window.pictureOpened, timeout=10000):
        window.action("open").trigger()
        assert window.is_opening_picture() and "Opening seven.png" in window.statusBar().currentMessage()
    assert calls
    assert shown_digit(window) == "7"
    assert "Opened seven.png" in window.statusBar().currentMessage()
    # The canvas shows the picture as dark ink on white, whatever the file's colours.
    canvas = np.asarray(window.canvas.image())
    assert canvas[0, 0] == 255 and canvas.min() < 30
    window.action("undo").trigger()
    assert shown_digit(window) == "Draw a digit"


def test_opening_a_bad_file_explains_and_keeps_running(
    qtbot, window: MainWindow, tmp_path, monkeypatch
) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    for path, words in (
        (bad, "not an image"),
        (blank, "no digit"),
        (tmp_path / "gone.png", "does not exist"),
    ):
        monkeypatch.setattr(
            QFileDialog, "getOpenFileName", staticmethod(lambda *a, p=path, **k: (str(p), ""))
        )
        with qtbot.waitSignal(window.pictureOpened, timeout=10000):
            window.action("open").trigger()
        assert words in window.banner.text()
    assert window.canvas.is_empty()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    window.action("open").trigger()  # cancelled dialog: nothing happens
    good = tmp_path / "seven.png"
    render_strokes([np.array([(120.0, 80.0), (290.0, 80.0), (180.0, 330.0)])], size=400, pen_width=16).save(
        good
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(good), "")))
    with qtbot.waitSignal(window.pictureOpened, timeout=10000):
        window.action("open").trigger()
    assert not window.banner.isVisible()  # the last file's refusal no longer holds


def _drag_data(path: Path) -> QMimeData:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    return data


def test_drag_and_drop_an_image_file(qtbot, window: MainWindow, tmp_path) -> None:
    path = _picture(tmp_path, "dropped.jpg", light_on_dark=True, size=(900, 700))
    data = _drag_data(path)
    centre = QPoint(window.width() // 2, window.height() // 2)
    enter = QDragEnterEvent(  # QPoint: the constructor every PySide6 6.x has
        centre, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.pictureOpened, timeout=10000):
        QApplication.sendEvent(window, drop)
    assert drop.isAccepted()
    assert shown_digit(window) == "7"


def test_dragging_something_that_is_not_a_file_is_refused(window: MainWindow) -> None:
    data = QMimeData()
    data.setText("7")
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_save_drawing_as_png(window: MainWindow, tmp_path, monkeypatch) -> None:
    draw(window, FOUR)
    target = tmp_path / "my four"  # no suffix: .png is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "PNG")))
    assert window.action("save").isEnabled()
    window.action("save").trigger()
    saved = tmp_path / "my four.png"
    assert saved.is_file()
    with Image.open(saved) as image:
        assert image.format == "PNG" and image.mode == "L" and image.size == (400, 400)
        pixels = canvas_to_mnist(image)
    assert pixels is not None
    assert np.allclose(pixels.reshape(28, 28), window.preview.pixels(), atol=1e-6)  # what the model saw
    # An unwritable place is explained, not a crash.
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "no" / "x.png"), ""))
    )
    window.action("save").trigger()
    assert "could not be saved" in window.banner.text()


def test_about_shows_the_versions(window: MainWindow, monkeypatch) -> None:
    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: shown.append(text)))
    window.action("about").trigger()
    assert len(shown) == 1
    import PySide6
    import sklearn

    for word in ("Python", "Qt", "NumPy", "scikit-learn", "Pillow", PySide6.__version__, sklearn.__version__):
        assert word in shown[0]
    assert [a.text() for a in window.menus["help"].actions()] == ["&About Digit Canvas"]


def test_file_menu_and_quit(window: MainWindow) -> None:
    texts = [a.text() for a in window.menus["file"].actions() if not a.isSeparator()]
    assert texts == ["&Open image…", "&Save drawing as PNG…", "&Quit"]
    window.action("quit").trigger()
    assert not window.isVisible()


def test_digit_keys_and_bar_clicks_request_a_label(window: MainWindow, qtbot) -> None:
    """The hook for the later "teach" feature: nothing is saved yet, a signal carries the digit."""
    window.canvas.setFocus()
    with qtbot.waitSignal(window.labelRequested, timeout=1000) as blocker:
        QTest.keyClick(window.canvas, Qt.Key.Key_5)
    assert blocker.args == [5]
    row = window.bars.row_rect(3).center().toPoint()
    with qtbot.waitSignal(window.labelRequested, timeout=1000) as blocker:
        qtbot.mouseClick(window.bars, Qt.MouseButton.LeftButton, pos=row)
    assert blocker.args == [3]


def test_brush_width_control(window: MainWindow) -> None:
    spin = window.brush_width
    spin.setValue(30)
    assert window.canvas.brush_width() == 30.0


def test_a_corrupt_user_model_falls_back_to_the_bundled_one(qtbot, isolated_home) -> None:
    plant_user_model("ovr", b"\x80\x04 this is not a pickle at all")
    win = build_main_window()
    qtbot.addWidget(win)
    win.show()
    message = win.banner.text()
    assert "could not be loaded" in message and "bundled" in message
    assert message.count(".") >= 1 and "\n" not in message
    assert "bundled model" in win.findChild(QLabel, "modelStatus").text()
    draw(win, SEVEN)
    assert shown_digit(win) == "7"


def test_a_model_that_fails_to_predict_does_not_crash_the_window(window: MainWindow) -> None:
    class Broken:
        def __init__(self) -> None:
            self.classes_ = np.arange(10)
            self.metadata_ = {"kind": "ovr", "label": "Broken"}

        def predict_proba(self, X):
            raise FloatingPointError("weights are NaN")

    window.predictor.set_model(Broken())
    draw(window, SEVEN)
    assert shown_digit(window) == "Draw a digit"
    assert "could not read the drawing" in window.banner.text()
