"""View > Why this digit?: the answer's parts over the drawing, live, and 'why A rather than B'."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from painted_alpha import painted_alpha
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from windows import new_window

from app.testing.replay import draw_placed, draw_with_mouse
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
    x = window.preview.pixels().reshape(-1)  # what the model read, as the window shows it
    assert e.total == pytest.approx(
        _score(model, x, e.label) - _score(model, np.zeros(784), e.label), abs=1e-3
    )
    assert e.parts.sum() == pytest.approx(e.total, abs=1e-6)
    assert (e.parts.reshape(-1)[x == 0] == 0).all()  # every part lies on ink, none on the paper
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
    # What is painted is A's parts minus B's, over the drawing the model read.
    from model.explain import explain

    x = window.preview.pixels().reshape(-1)
    model = window.predictor.model()
    expected = explain(model, x, answer).parts - explain(model, x, other).parts
    np.testing.assert_allclose(explainer.layer.parts(), expected, atol=1e-6)
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
    model = win.predictor.model()
    x = win.preview.pixels().reshape(-1)
    # One score for the second class (log-odds of a 1): the 0's parts are its negation, w_i * x_i.
    sign = 1.0 if e.label == model.classes_[1] else -1.0
    expected = sign * float(np.ravel(model.decision_function(x[None]))[0])
    assert e.score == pytest.approx(expected, abs=1e-6)
    np.testing.assert_allclose(e.parts.reshape(-1), sign * np.ravel(model.coef_) * x, atol=1e-9)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_Delete)  # Edit > Clear
    assert win.canvas.is_empty()
    qtbot.waitUntil(lambda: win.explainer.last() is None, timeout=2000)
    assert win.explainer.layer.parts() is None and "Draw a digit" in win.explainer.caption.text()


def test_a_scribble_answered_not_a_digit_is_not_explained_as_a_digit(qtbot, window):
    window.action("explain").trigger()
    scribble = [
        np.array([[90, 80], [310, 320]], float),
        np.array([[310, 80], [90, 320]], float),
        np.array([[90, 320], [310, 320]], float),
    ]
    draw_placed(window.canvas, scribble)
    window.predictor.flush()
    assert window.prediction_view.verdict() == "not a digit"
    text = window.explainer.caption.text()
    closest = window.explainer.last().label
    assert "no digit" in text and f"closest digit is {closest}" in text
    assert not text.startswith("Why")


def _document_to_widget(canvas, stroke: np.ndarray) -> np.ndarray:
    return np.array([[p.x(), p.y()] for p in (canvas.map_from_document(*point) for point in stroke)])


def _stroke_pixels(window, stroke: np.ndarray) -> np.ndarray:
    """The model-input pixels (flat indices) a stroke in document units passes over."""
    from app.widgets.canvas import DOC_SIZE

    frame, picture = window.predictor.last_frame, window.predictor.last_picture
    per_pixel = DOC_SIZE / picture.width
    points = np.concatenate([np.linspace(a, b, 60) for a, b in itertools.pairwise(stroke)])
    col = (points[:, 0] / per_pixel) * frame.scale_x + frame.shift_x
    row = (points[:, 1] / per_pixel) * frame.scale_y + frame.shift_y
    inside = (col >= 0) & (col < 28) & (row >= 0) & (row < 28)
    return np.unique(row[inside].astype(int) * 28 + col[inside].astype(int))


def test_erasing_the_stroke_that_counted_most_lowers_the_score_most(qtbot, window):
    """A crossed 7 of three strokes: erasing the stroke the overlay says counted most for the answer
    lowers the answer's score, and by more than erasing the stroke that counted least."""
    strokes = [
        np.array([[120, 90], [290, 90]], float),  # the top bar
        np.array([[290, 90], [180, 340]], float),  # the stem
        np.array([[170, 220], [290, 220]], float),  # the crossbar
    ]
    window.action("explain").trigger()
    canvas = window.canvas
    draw_with_mouse(canvas, [_document_to_widget(canvas, s) for s in strokes])
    window.predictor.flush()
    e = window.explainer.last()
    model = window.predictor.model()
    answer = e.label
    before = _score(model, window.preview.pixels().reshape(-1), answer)
    shares = [float(e.parts.reshape(-1)[_stroke_pixels(window, s)].sum()) for s in strokes]
    most, least = int(np.argmax(shares)), int(np.argmin(shares))
    assert most != least

    def score_without(index: int) -> float:
        canvas.setFocus()
        QTest.keyClick(canvas, Qt.Key.Key_Delete)  # Edit > Clear
        kept = [s for i, s in enumerate(strokes) if i != index]
        draw_with_mouse(canvas, [_document_to_widget(canvas, s) for s in kept])
        window.predictor.flush()
        return _score(model, window.preview.pixels().reshape(-1), answer)

    # In the model's own frame (the other strokes stay where they were): the stroke that counted most
    # for the answer takes more of its score with it than the one that counted least.
    x = window.preview.pixels().reshape(-1)

    def erased(index: int) -> float:
        kept = x.copy()
        kept[_stroke_pixels(window, strokes[index])] = 0.0
        return before - _score(model, kept, answer)

    in_frame = erased(most), erased(least)
    # Through the window: redrawn without it, the digit is cropped and centred again.
    redrawn = before - score_without(most)
    print(
        f"\nstroke shares {np.round(shares, 2)}; score change erasing the most {-in_frame[0]:+.2f}, the "
        f"least {-in_frame[1]:+.2f} (in the frame); redrawn without the most {-redrawn:+.2f}"
    )
    assert in_frame[0] > in_frame[1]
    assert redrawn > 0


def test_the_caption_follows_the_verdict():
    from types import SimpleNamespace

    from app.window.explainer import caption

    e = SimpleNamespace(label=4, versus=None, total=3.2)
    assert caption(e).startswith("Why 4: orange ink counted for 4")
    doubt = caption(e, "not sure", 9)
    assert doubt.startswith("Not sure: 4 or 9. Why 4") and "Click 9's bar" in doubt
    assert caption(e, "not a digit", 9).startswith("It looks like no digit")
    versus = caption(SimpleNamespace(label=4, versus=9, total=1.0), "not sure", 9)
    assert versus.startswith("Why 4 rather than 9")


def test_the_bars_stay_put_while_the_text_under_them_changes(qtbot, window):
    """Toggling the view and clicking a second bar change the caption under the bars, not the bars:
    a row that moved under the pointer would take the next click somewhere else."""
    bars = window.bars

    def rows() -> list:
        return [bars.mapTo(window, bars.row_rect(i).topLeft().toPoint()) for i in range(len(bars.classes()))]

    draw_placed(window.canvas, SEVEN)
    window.predictor.flush()
    before = rows()
    window.action("explain").trigger()
    window.predictor.flush()
    assert rows() == before
    answer = window.explainer.last().label
    other = next(c for c in bars.classes() if c != answer)
    row = bars.classes().index(other)
    QTest.mouseClick(bars, Qt.MouseButton.LeftButton, pos=bars.row_rect(row).center().toPoint())
    assert window.explainer.versus() == other
    assert rows() == before


def _alpha_at(layer, point) -> int:
    """The opacity the layer paints at widget ``point`` (0 outside the layer)."""
    alpha, x, y = painted_alpha(layer), round(point.x()), round(point.y())
    return int(alpha[y, x]) if 0 <= y < alpha.shape[0] and 0 <= x < alpha.shape[1] else 0


def test_the_colours_stay_on_the_strokes_when_the_window_is_resized(qtbot, window):
    """The colours lie on the ink, and still do after the canvas grows with no new reading."""
    window.explainer.set_on(True)
    draw_placed(window.canvas, SEVEN)
    window.predictor.flush()
    layer, canvas = window.explainer.layer, window.canvas
    (left, top), (right, _), (_, foot_y) = canvas.strokes()[0].points  # as placed on the canvas
    bar_middle, paper = ((left + right) / 2, top), (left, foot_y)  # on the 7's top bar; paper, far off
    for size in ((1000, 680), (1400, 950)):
        window.resize(*size)
        qtbot.waitUntil(lambda size=size: window.width() == size[0])
        qtbot.wait(50)
        count = window.predictor.count
        assert _alpha_at(layer, canvas.map_from_document(*bar_middle)) > 0, size
        assert _alpha_at(layer, canvas.map_from_document(*paper)) == 0, size
    assert window.predictor.count == count  # the last resize brought no new reading
