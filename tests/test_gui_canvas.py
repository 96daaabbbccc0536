"""The drawing canvas on its own: strokes from real mouse, pen and key events, undo/redo, export."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QMouseEvent, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from windows import new_canvas

from app.testing.replay import draw_with_mouse
from app.widgets.canvas import (
    DEFAULT_BRUSH,
    DOC_SIZE,
    HISTORY_LIMIT,
    DrawingCanvas,
)
from app.widgets.qimages import pil_to_qimage as _pil_to_qimage
from app.widgets.qimages import qimage_to_pil as _qimage_to_pil

pytestmark = pytest.mark.gui


@pytest.fixture
def canvas(qtbot) -> DrawingCanvas:
    return new_canvas(qtbot, 400)


def ink(image: Image.Image) -> np.ndarray:
    return 1.0 - np.asarray(image, dtype=np.float64) / 255.0


def test_starts_empty_and_exports_white(canvas: DrawingCanvas) -> None:
    assert canvas.is_empty()
    image = canvas.image()
    assert image.mode == "L" and image.size == (DOC_SIZE, DOC_SIZE)
    assert ink(image).max() == 0.0
    assert not canvas.can_undo() and not canvas.can_redo()
    assert canvas.brush_width() == DEFAULT_BRUSH


def test_fast_mouse_move_draws_a_continuous_line(canvas: DrawingCanvas, qtbot) -> None:
    """One big jump between two mouse events still leaves a solid line, with round ends."""
    changes = []
    canvas.changed.connect(lambda: changes.append(1))
    draw_with_mouse(canvas, [np.array([[50.0, 50.0], [350.0, 350.0]])])
    arr = ink(canvas.image())
    diagonal = [arr[int(t), int(t)] for t in np.linspace(52, 348, 60)]
    assert min(diagonal) > 0.95
    assert arr[50 - 6, 50 - 6] > 0.3  # the round cap reaches past the end point
    assert arr[10, 390] == 0.0
    assert len(canvas.strokes()) == 1 and len(canvas.strokes()[0].points) == 2
    assert len(changes) >= 2  # press and move both report a change (for live predictions)


def test_strokes_are_anti_aliased(canvas: DrawingCanvas) -> None:
    draw_with_mouse(canvas, [np.array([[60.0, 80.0], [330.0, 200.0]])])
    values = np.unique(np.asarray(canvas.image()))
    assert len(values) > 10  # grey edge pixels, not just black and white


def test_a_tap_leaves_a_round_dot(canvas: DrawingCanvas) -> None:
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(200, 200))
    arr = ink(canvas.image())
    assert arr[200, 200] > 0.9
    r = DEFAULT_BRUSH / 2
    assert arr[200, round(200 + r + 3)] == 0.0
    assert arr[round(200 + 0.6 * r), round(200 + 0.6 * r)] > 0.5  # round, not a square corner


def _mouse(kind, x: float, y: float, buttons) -> QMouseEvent:
    pos = QPointF(x, y)
    return QMouseEvent(kind, pos, pos, Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier)


def test_quick_second_stroke_is_not_lost_or_doubled_by_a_double_click(canvas: DrawingCanvas) -> None:
    """Qt reports a quick second press as press + double-click (the second bar of a 4, a dot on an i)."""
    held, up = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    sequence = [
        _mouse(QEvent.Type.MouseButtonPress, 100, 100, held),
        _mouse(QEvent.Type.MouseButtonRelease, 100, 100, up),
        _mouse(QEvent.Type.MouseButtonPress, 102, 101, held),
        _mouse(QEvent.Type.MouseButtonDblClick, 102, 101, held),
        _mouse(QEvent.Type.MouseMove, 160, 170, held),
        _mouse(QEvent.Type.MouseButtonRelease, 160, 170, up),
    ]
    for event in sequence:
        QApplication.sendEvent(canvas, event)
    assert len(canvas.strokes()) == 2
    assert len(canvas.strokes()[1].points) == 2
    # Some platforms send the double-click without the second press: it still starts a stroke.
    for event in (
        _mouse(QEvent.Type.MouseButtonDblClick, 300, 300, held),
        _mouse(QEvent.Type.MouseButtonRelease, 300, 300, up),
    ):
        QApplication.sendEvent(canvas, event)
    assert len(canvas.strokes()) == 3


def test_export_does_not_depend_on_widget_size(canvas: DrawingCanvas, qtbot) -> None:
    """Strokes live in document units: a bigger window or a high-DPI screen shows the same drawing."""
    stroke = np.array([[0.3, 0.2], [0.7, 0.25], [0.45, 0.85]])
    images = []
    for side in (300, 640):
        canvas.resize(side, side)
        canvas.clear()
        rect = canvas.paper_rect()
        draw_with_mouse(canvas, [rect.left() + stroke * rect.width()])
        images.append(ink(canvas.image()))
    assert images[0].shape == images[1].shape == (DOC_SIZE, DOC_SIZE)
    assert np.abs(images[0] - images[1]).mean() < 0.01


def test_oblong_widget_keeps_a_square_sheet(canvas: DrawingCanvas) -> None:
    canvas.resize(600, 300)
    rect = canvas.paper_rect()
    assert rect.width() == rect.height() == 300
    assert rect.left() == 150
    x, y = canvas.map_to_document(QPointF(rect.center()))
    assert (x, y) == pytest.approx((DOC_SIZE / 2, DOC_SIZE / 2))


def test_undo_redo_per_stroke(canvas: DrawingCanvas) -> None:
    first = np.array([[80.0, 80.0], [300.0, 80.0]])
    second = np.array([[200.0, 80.0], [200.0, 320.0]])
    draw_with_mouse(canvas, [first, second])
    assert len(canvas.strokes()) == 2
    canvas.undo()
    assert len(canvas.strokes()) == 1
    canvas.undo()
    assert canvas.is_empty() and not canvas.can_undo()
    canvas.undo()  # nothing left: harmless
    canvas.redo()
    canvas.redo()
    assert len(canvas.strokes()) == 2 and not canvas.can_redo()
    canvas.undo()
    draw_with_mouse(canvas, [first])  # a new stroke forgets what could be redone
    assert not canvas.can_redo()


def test_clear_is_undoable(canvas: DrawingCanvas) -> None:
    draw_with_mouse(canvas, [np.array([[80.0, 80.0], [300.0, 300.0]])])
    canvas.clear()
    assert canvas.is_empty()
    canvas.undo()
    assert len(canvas.strokes()) == 1


def test_history_is_bounded(canvas: DrawingCanvas) -> None:
    for i in range(HISTORY_LIMIT + 30):
        canvas.add_stroke([(10 + i % 300, 10), (10 + i % 300, 30)])
    undone = 0
    while canvas.can_undo():
        canvas.undo()
        undone += 1
    assert undone == HISTORY_LIMIT
    assert len(canvas.strokes()) == 30  # older strokes stay; memory stays bounded


def test_undo_while_drawing_drops_the_stroke_in_progress(canvas: DrawingCanvas) -> None:
    draw_with_mouse(canvas, [np.array([[80.0, 80.0], [300.0, 80.0]])])
    draw_with_mouse(canvas, [np.array([[100.0, 200.0], [300.0, 220.0]])], release=False)
    assert canvas.is_drawing()
    canvas.undo()
    assert not canvas.is_drawing() and len(canvas.strokes()) == 1
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(300, 220))
    assert len(canvas.strokes()) == 1


def test_stroke_in_progress_is_part_of_the_export(canvas: DrawingCanvas) -> None:
    """Live predictions read the stroke while it is being drawn."""
    draw_with_mouse(canvas, [np.array([[100.0, 200.0], [300.0, 200.0]])], release=False)
    assert not canvas.is_empty()
    assert ink(canvas.image())[200, 200] > 0.9
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(300, 200))


def test_brush_width(canvas: DrawingCanvas) -> None:
    canvas.set_brush_width(40)
    draw_with_mouse(canvas, [np.array([[50.0, 200.0], [350.0, 200.0]])])
    column = ink(canvas.image())[:, 200]
    assert 36 <= (column > 0.5).sum() <= 44
    canvas.set_brush_width(1000)
    assert canvas.brush_width() == 60.0


def test_right_button_does_not_draw(canvas: DrawingCanvas) -> None:
    QTest.mousePress(canvas, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, QPoint(100, 100))
    QTest.mouseMove(canvas, QPoint(200, 200))
    QTest.mouseRelease(canvas, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, QPoint(200, 200))
    assert canvas.is_empty()


def _pen() -> QPointingDevice:
    return QPointingDevice(
        "test pen",
        4242,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        3,
    )


def _tablet(kind, pen: QPointingDevice, x: float, y: float, buttons) -> QTabletEvent:
    pos = QPointF(x, y)
    button = Qt.MouseButton.LeftButton
    return QTabletEvent(
        kind, pen, pos, pos, 0.6, 0.0, 0.0, 0.0, 0.0, 0.0, Qt.KeyboardModifier.NoModifier, button, buttons
    )


def test_pen_tablet_draws(canvas: DrawingCanvas) -> None:
    pen = _pen()
    held = Qt.MouseButton.LeftButton
    events = [_tablet(QTabletEvent.Type.TabletPress, pen, 80, 80, held)]
    events += [
        _tablet(QTabletEvent.Type.TabletMove, pen, 80 + 20 * i, 80 + 15 * i, held) for i in range(1, 12)
    ]
    events.append(_tablet(QTabletEvent.Type.TabletRelease, pen, 300, 245, Qt.MouseButton.NoButton))
    for event in events:
        QApplication.sendEvent(canvas, event)
        assert event.isAccepted()  # so Qt does not also synthesise mouse events
    assert len(canvas.strokes()) == 1
    assert len(canvas.strokes()[0].points) == 12
    assert ink(canvas.image())[160, 187] > 0.5
    # A hovering pen (no press) draws nothing.
    QApplication.sendEvent(
        canvas, _tablet(QTabletEvent.Type.TabletMove, pen, 20, 300, Qt.MouseButton.NoButton)
    )
    assert len(canvas.strokes()) == 1


def test_digit_keys_are_reported(canvas: DrawingCanvas, qtbot) -> None:
    canvas.setFocus()
    with qtbot.waitSignal(canvas.digitKeyPressed, timeout=1000) as blocker:
        QTest.keyClick(canvas, Qt.Key.Key_7)
    assert blocker.args == [7]
    with qtbot.waitSignal(canvas.digitKeyPressed, timeout=1000) as blocker:
        QTest.keyClick(canvas, Qt.Key.Key_0, Qt.KeyboardModifier.KeypadModifier)
    assert blocker.args == [0]
    with qtbot.assertNotEmitted(canvas.digitKeyPressed):
        QTest.keyClick(canvas, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(canvas, Qt.Key.Key_A)


def test_picture_is_shown_fitted_and_undoable(canvas: DrawingCanvas) -> None:
    picture = Image.new("L", (200, 100), 255)
    picture.paste(0, (90, 40, 110, 60))  # a black square in the middle
    canvas.set_picture(picture)
    arr = ink(canvas.image())
    assert arr[200, 200] > 0.9  # the picture fills the width, centred
    assert arr[60, 200] == 0.0
    canvas.undo()
    assert canvas.is_empty()


@pytest.mark.parametrize("size", [28, 401, 403])
def test_image_conversion_handles_row_padding(size: int) -> None:
    """QImage rows are padded to 4 bytes; the conversion must not shear odd widths."""
    rng = np.random.default_rng(size)
    pixels = rng.integers(0, 256, (size + 3, size), dtype=np.uint8)
    back = _qimage_to_pil(_pil_to_qimage(Image.fromarray(pixels)))
    assert np.array_equal(np.asarray(back), pixels)


def test_the_picture_the_model_reads_is_the_same_drawn_stroke_by_stroke_or_at_once(qtbot) -> None:
    """image() keeps the finished strokes rendered and adds each new one; the pixels must not differ
    from drawing the whole drawing afresh."""
    from app.widgets.canvas import DrawingCanvas

    live = DrawingCanvas()
    qtbot.addWidget(live)
    live.resize(300, 300)
    live.show()
    qtbot.waitExposed(live)
    rng = np.random.default_rng(4)
    strokes = [rng.uniform(40, 260, size=(int(rng.integers(2, 9)), 2)) for _ in range(25)]
    for stroke in strokes:
        path = [QPoint(round(x), round(y)) for x, y in stroke]
        QTest.mousePress(live, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[0])
        for point in path[1:]:
            QTest.mouseMove(live, point)
        live.image()  # read mid-stroke, as the predictor does
        QTest.mouseRelease(live, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[-1])
        live.image()
    fresh = DrawingCanvas()
    qtbot.addWidget(fresh)
    for stroke in live.strokes():
        fresh.add_stroke(stroke.points, stroke.width)
    assert np.array_equal(np.asarray(live.image()), np.asarray(fresh.image()))
    live.undo()
    fresh.undo()
    assert np.array_equal(np.asarray(live.image()), np.asarray(fresh.image()))
