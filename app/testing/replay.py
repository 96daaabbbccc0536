"""Drawing on the real canvas with real mouse events, as a person would (tests, screenshots, demos).

Pen trajectories (for example from :mod:`training.uji`) are scaled and placed on the canvas the way a
person writes a digit — a given height, somewhere on the sheet — and sent as press, moves with the
button held, and release, through Qt's own event delivery, so the canvas's event handlers, the
throttled predictor and the widgets all run exactly as they do for a person.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.widgets.canvas import DrawingCanvas

# Where on the sheet a digit goes, as (left, top, size) fractions of the sheet: the digit's bounding
# box is fitted into that square, keeping its aspect ratio.
PLACEMENTS: dict[str, tuple[float, float, float]] = {
    "normal": (0.175, 0.175, 0.65),  # two thirds of the height, centred
    "small": (0.06, 0.06, 0.27),  # a quarter of the height, top-left corner
    "off-centre": (0.66, 0.64, 0.28),  # small, bottom-right corner
}


def place_strokes(
    canvas: DrawingCanvas, strokes: Sequence[np.ndarray], left: float, top: float, size: float
) -> list[np.ndarray]:
    """Strokes in widget pixels: the character's bounding box fitted into a square of the sheet.

    ``left``, ``top`` and ``size`` are fractions of the sheet's side; the aspect ratio is kept and the
    character is centred in that square.
    """
    rect = canvas.paper_rect()
    side = rect.width()
    pts = np.concatenate([np.asarray(s, dtype=np.float64) for s in strokes])
    lo = pts.min(axis=0)
    span = np.maximum(pts.max(axis=0) - lo, 1e-9)
    box = size * side
    scale = box / span.max()
    offset = np.array(
        [
            rect.left() + left * side + (box - span[0] * scale) / 2,
            rect.top() + top * side + (box - span[1] * scale) / 2,
        ]
    )
    return [(np.asarray(s, dtype=np.float64) - lo) * scale + offset for s in strokes]


def mouse_path(stroke: np.ndarray) -> list[QPoint]:
    """Integer mouse positions along a stroke, without repeats (a mouse reports whole pixels)."""
    points: list[QPoint] = []
    for x, y in np.asarray(stroke, dtype=np.float64):
        point = QPoint(round(x), round(y))
        if not points or point != points[-1]:
            points.append(point)
    return points


def draw_with_mouse(canvas: DrawingCanvas, strokes: Sequence[np.ndarray], release: bool = True) -> None:
    """Draw strokes given in widget pixels with the left button: press, moves (button held), release.

    With ``release=False`` the last stroke stays pressed (to look at live predictions mid-stroke); call
    :func:`release_mouse` to finish it.
    """
    for index, stroke in enumerate(strokes):
        path = mouse_path(stroke)
        if not path:
            continue
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[0])
        for point in path[1:]:
            QTest.mouseMove(canvas, point)
        if release or index < len(strokes) - 1:
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[-1])


def press_mouse(canvas: DrawingCanvas, at: QPoint) -> None:
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def release_mouse(canvas: DrawingCanvas, at: QPoint) -> None:
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def draw_placed(canvas: DrawingCanvas, strokes: Sequence[np.ndarray], placement: str = "normal") -> None:
    """Draw pen strokes (any units) at one of :data:`PLACEMENTS` with real mouse events."""
    draw_with_mouse(canvas, place_strokes(canvas, strokes, *PLACEMENTS[placement]))
