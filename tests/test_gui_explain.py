"""View > Why this digit?: the answer's parts over the drawing, live, and 'why A rather than B'."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from windows import new_window

from app.testing.replay import draw_placed
from app.window.explainer import Explainer

# A "7" and a "4" as strokes in document units (the canvas is 400 wide): no data files needed.
SEVEN = [np.array([[110, 90], [290, 90], [170, 330]], float)]
FOUR = [np.array([[230, 60], [110, 250], [290, 250]], float), np.array([[240, 150], [240, 340]], float)]


@pytest.fixture
def window(qtbot):
    win = new_window(qtbot, kind="ovr")
    win.resize(1000, 680)
    return win


def _score(model, x, label) -> float:
    return float(model.decision_function(x[None])[0][list(model.classes_).index(label)])


def test_the_explanation_follows_the_drawing_and_adds_up(qtbot, window):
    explainer: Explainer = window.explainer
    assert not explainer.is_on() and not explainer.layer.isVisible()
    window.canvas.setFocus()
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # the action's shortcut
    assert explainer.is_on() and window.action("explain").isChecked()
    assert "Draw a digit" in explainer.caption.text()
    draw_placed(window.canvas, SEVEN)
    window.predictor.flush()
    e = explainer.last()
    assert e is not None and e.label == window.prediction_view.digit()
    assert explainer.layer.isVisible() and explainer.layer.parts() is not None
    model = window.predictor.model()
    x = window.preview.pixels().reshape(-1) if hasattr(window.preview, "pixels") else None
    if x is not None:
        assert e.total == pytest.approx(
            _score(model, x, e.label) - _score(model, np.zeros(784), e.label), abs=1e-3
        )
    assert f"Why {e.label}" in explainer.caption.text()
    # The 28x28 frame lies over the strokes on the canvas.
    target = explainer.layer.target_rect()
    paper = window.canvas.paper_rect()
    assert paper.contains(target.center())
    for point in SEVEN[0]:
        assert target.adjusted(-20, -20, 20, 20).contains(window.canvas.map_from_document(*point))
    # A new stroke is explained again, at once.
    before = explainer.last()
    draw_placed(window.canvas, FOUR)  # placed in the same box: now the drawing is different
    window.predictor.flush()
    assert explainer.last() is not before


def test_clicking_another_bar_asks_why_not_that_one_and_teaches_nothing(qtbot, window):
    explainer: Explainer = window.explainer
    taught = []
    window.labelRequested.connect(taught.append)
    window.action("explain").trigger()
    draw_placed(window.canvas, SEVEN)
    window.predictor.flush()
    answer = explainer.last().label
    other = next(c for c in window.bars.classes() if c != answer)
    row = window.bars.classes().index(other)
    QTest.mouseClick(window.bars, Qt.MouseButton.LeftButton, pos=window.bars.row_rect(row).center().toPoint())
    assert explainer.versus() == other and explainer.last().versus == other
    assert f"rather than {other}" in explainer.caption.text()
    assert taught == []
    QTest.mouseClick(window.bars, Qt.MouseButton.LeftButton, pos=window.bars.row_rect(row).center().toPoint())
    assert explainer.versus() is None and explainer.last().versus is None
    # With the view off, a click on a bar teaches again.
    window.action("explain").trigger()
    assert not explainer.is_on() and explainer.layer.parts() is None
    QTest.mouseClick(window.bars, Qt.MouseButton.LeftButton, pos=window.bars.row_rect(row).center().toPoint())
    assert taught == [other]


def test_the_binary_model_is_explained_too_and_clearing_clears_it(qtbot):
    win = new_window(qtbot, kind="binary")
    win.action("explain").trigger()
    draw_placed(win.canvas, [np.array([[200, 60], [200, 340]], float)])  # a 1
    win.predictor.flush()
    e = win.explainer.last()
    assert e is not None and e.label in (0, 1)
    assert e.total + e.blank == pytest.approx(e.score)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Delete)  # Edit > Clear
    assert win.canvas.is_empty()
    qtbot.waitUntil(lambda: win.explainer.last() is None, timeout=2000)
    assert win.explainer.layer.parts() is None and "Draw a digit" in win.explainer.caption.text()
