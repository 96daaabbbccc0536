"""View > What the model sees: every step from the drawing to the 28x28 input, live, beside MNIST."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from windows import new_window

from app.inputs.window import measure
from app.testing.replay import draw_placed

SEVEN = [np.array([[110, 90], [290, 90], [170, 330]], float)]
SMALL_ONE = [np.array([[60, 40], [70, 110]], float)]  # small, in a corner

pytestmark = pytest.mark.gui


def test_the_steps_follow_the_drawing_and_compare_with_mnist(qtbot):
    window = new_window(qtbot, kind="ovr")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.canvas.setFocus()
    QTest.keyClick(
        window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    view = window.input_viewer.view
    assert view is not None and view.isVisible()
    assert "Draw a digit" in view.headline.text()
    assert "MNIST's digits: 20 px tall" in view.comparison.text()
    draw_placed(window.canvas, SEVEN)
    window.predictor.flush()
    traced = view.traced
    assert traced is not None and [s.name for s in traced.steps] == ["ink", "crop", "stroke", "box", "centre"]
    np.testing.assert_array_equal(traced.digit, window.preview.pixels().reshape(-1))  # what the model read
    for (_, picture, note), step in zip(view.tiles, traced.steps, strict=False):
        assert not picture.pixmap().isNull() and note.text() == step.note
    assert "slant straightened" in view.tiles[-1][2].text()
    height, width, stroke = measure(traced.digit)
    assert f"{height} px tall, {width} px wide, strokes {stroke:.1f} px" in view.comparison.text()
    assert max(height, width) in (19, 20, 21)  # fitted into MNIST's box
    # A new drawing replaces the steps at once.
    window.canvas.clear()
    draw_placed(window.canvas, SMALL_ONE, placement="small")
    window.predictor.flush()
    assert view.traced is not traced
    _, deskewed_tile, _ = view.tiles[-1]
    assert not deskewed_tile.pixmap().isNull()


def test_the_binary_model_is_said_to_read_plain_pixels(qtbot):
    window = new_window(qtbot, kind="binary")
    window.action("model_input").trigger()
    draw_placed(window.canvas, SEVEN)
    window.predictor.flush()
    assert "without deskewing" in window.input_viewer.view.tiles[-1][2].text()
    window.canvas.clear()
    window.predictor.flush()
    qtbot.waitUntil(lambda: window.input_viewer.view.traced is None, timeout=2000)


def _laid_out_inside(view) -> None:
    """Every widget of ``view`` lies inside it, and each step's note lies below its picture, tall
    enough for all of its lines."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QWidget

    def frame(widget) -> QRect:
        return QRect(widget.mapTo(view, widget.rect().topLeft()), widget.size())

    for title, picture, note in view.tiles:
        assert not frame(note).intersects(frame(picture)), (note.text(), frame(note), frame(picture))
        assert frame(title).bottom() < frame(picture).top()
        assert note.height() >= note.heightForWidth(note.width()), note.text()
    for widget in view.findChildren(QWidget):
        if widget.isVisibleTo(view):
            assert view.rect().contains(frame(widget)), (
                widget.objectName() or widget.accessibleName(),
                view.size(),
            )
    assert view.rect().contains(frame(view.mean))


def test_the_view_opens_and_shrinks_without_hiding_a_note_or_the_mean_digit(qtbot):
    window = new_window(qtbot, kind="ovr")
    draw_placed(window.canvas, SEVEN)
    window.predictor.flush()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    QTest.keyClick(
        window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    view = window.input_viewer.view
    assert view is not None
    qtbot.waitExposed(view)
    window.predictor.flush()
    qtbot.waitUntil(lambda: view.traced is not None, timeout=2000)
    QTest.qWait(50)  # the layout settles on the notes' texts
    assert all(note.text() for _, _, note in view.tiles)
    _laid_out_inside(view)  # at the size it opens with
    view.resize(200, 100)  # the user makes it as small as it goes
    qtbot.waitUntil(lambda: view.size() == view.minimumSize(), timeout=2000)
    QTest.qWait(50)
    _laid_out_inside(view)
