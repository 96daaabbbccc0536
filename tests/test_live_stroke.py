"""The stroke in progress is drawn a few points at a time for the model (app.widgets.live_stroke):
what the model reads mid-stroke must be the stroke, and what it reads once the pen lifts exactly the
stroke drawn whole."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from windows import new_canvas

from app.testing.replay import mouse_path, place_strokes
from app.widgets.canvas import DrawingCanvas
from app.widgets.qimages import qimage_to_gray
from app.widgets.strokes import Stroke, draw_stroke
from model.preprocess import canvas_to_mnist
from model.store import bundled_model_path, load_model

pytestmark = pytest.mark.gui

EVERY = 3  # mouse moves between two readings, as the throttled predictor sees a quick pen


@pytest.fixture
def canvas(qtbot) -> DrawingCanvas:
    return new_canvas(qtbot, 500)


def whole(canvas: DrawingCanvas) -> np.ndarray:
    """The committed drawing with the stroke in progress drawn as one polyline."""
    image = canvas._doc_cache.copy()
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw_stroke(painter, Stroke(tuple(canvas._current), canvas.brush_width()))
    painter.end()
    return qimage_to_gray(image)


def test_mid_stroke_pictures_are_the_stroke_and_the_lifted_pen_gives_it_exactly(canvas, uji_dir) -> None:
    from training.uji import load_uji_digits

    model = load_model("ovr", bundled_model_path("ovr"))
    fresh = DrawingCanvas()
    shares, inputs, gaps, agree, readings = [], [], [], 0, 0
    for sample in load_uji_digits(uji_dir)[::8]:
        canvas.clear()
        for stroke in place_strokes(canvas, sample.strokes, 0.2, 0.2, 0.6):
            path = mouse_path(stroke)
            QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[0])
            for i, point in enumerate(path[1:], start=1):
                QTest.mouseMove(canvas, point)
                if i % EVERY:
                    continue
                live, drawn = qimage_to_gray(canvas.qimage()), whole(canvas)
                differ = np.abs(live.astype(int) - drawn.astype(int)) > 2
                shares.append(differ.sum() / max(int((drawn < 255).sum()), 1))
                a, b = canvas_to_mnist(_pil(live)), canvas_to_mnist(_pil(drawn))
                if a is not None and b is not None:
                    inputs.append(float(np.abs(a - b).mean()))
                    readings += 1
                    pa, pb = model.predict_proba(np.stack([a, b]))
                    agree += int(pa.argmax() == pb.argmax())
                    gaps.append(float(np.abs(pa - pb).max()))
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[-1])
        fresh.clear()
        for stroke in canvas.strokes():
            fresh.add_stroke(stroke.points, stroke.width)
        np.testing.assert_array_equal(qimage_to_gray(canvas.qimage()), qimage_to_gray(fresh.qimage()))
    print(
        f"\nlive stroke: {len(shares)} mid-stroke pictures; ink pixels off by more than 2 levels: median "
        f"{np.median(shares):.2%}, most {max(shares):.2%}; 28x28 input mean difference median "
        f"{np.median(inputs):.4f}; readings agree {agree}/{readings}; "
        f"probabilities differ by at most {np.median(gaps):.4f} (median), {np.percentile(gaps, 99):.3f} (p99)"
    )
    assert np.median(shares) < 0.01 and max(shares) < 0.1
    assert np.median(inputs) < 0.002
    assert np.median(gaps) < 1e-3 and np.percentile(gaps, 99) < 0.1
    assert agree >= 0.98 * readings  # a half-drawn digit is often a close call between two classes


def _pil(gray: np.ndarray) -> Image.Image:
    return Image.fromarray(gray, mode="L")


def _off(canvas: DrawingCanvas) -> float:
    """The share of the drawing's ink pixels where the live picture and the whole stroke differ."""
    live, drawn = qimage_to_gray(canvas.qimage()).astype(int), whole(canvas).astype(int)
    return float((np.abs(live - drawn) > 2).sum() / max(int((drawn < 255).sum()), 1))


def _drag(canvas: DrawingCanvas, points: list[tuple[int, int]]) -> None:
    """Moves with the button held, a reading after each, as the throttled predictor takes them."""
    for x, y in points:
        QTest.mouseMove(canvas, _point(x, y))
        canvas.qimage()


def test_undo_a_new_width_or_a_crossing_mid_stroke_keep_the_live_picture_right(canvas) -> None:
    press = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(canvas, *press, _point(250, 250))
    _drag(canvas, [(250 + dx, 250 + dx // 3) for dx in range(0, 120, 6)])
    canvas.undo()  # drops the stroke in progress
    assert (qimage_to_gray(canvas.qimage()) == 255).all()
    # A longer stroke than the one undone, so a layer that kept the old one would show through.
    QTest.mousePress(canvas, *press, _point(60, 60))
    _drag(canvas, [(60 + dx, 60 + (dx * dx) // 200) for dx in range(0, 300, 5)])
    assert _off(canvas) < 0.02
    canvas.set_brush_width(canvas.brush_width() * 2)  # a new width mid-stroke: drawn again, whole
    np.testing.assert_array_equal(qimage_to_gray(canvas.qimage()), whole(canvas))
    QTest.mouseRelease(canvas, *press, _point(355, 500))
    # A stroke across that one: its ink lies over the grey edges of the first as Qt's would.
    QTest.mousePress(canvas, *press, _point(200, 20))
    _drag(canvas, [(200 - dy // 4, 20 + dy) for dy in range(0, 440, 5)])
    assert _off(canvas) < 0.02
    canvas.clear()
    assert (qimage_to_gray(canvas.qimage()) == 255).all()


def _point(x: int, y: int) -> QPoint:
    return QPoint(x, y)
