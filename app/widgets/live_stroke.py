"""The picture the model reads while a stroke goes down, drawn a few points at a time.

Qt strokes a polyline in time that grows with its length, and the model reads the drawing many times a
second while the pen moves: redrawing the whole stroke in progress for every reading made a long
stroke the slowest part of a prediction. This layer keeps the stroke so far on its own, on white, and
draws only the points added since the last reading, from the last point already drawn (so the pieces
join under a round cap), keeping the darker of the two pixels: the union of the pieces is the stroke.
Where it changed, the stroke is laid over the committed drawing as Qt lays black ink over it. Only
anti-aliased edge pixels where two pieces meet can differ from one polyline, and the finished stroke
is drawn whole when the pen lifts.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from app.widgets.qimages import gray_view
from app.widgets.strokes import Stroke, draw_stroke

_EDGE = 2.0  # pixels beyond half the pen width that anti-aliasing may touch


class LiveStrokeLayer:
    """``picture(base, points, width)``: ``base`` (grey, white paper) with the stroke ``points`` on it.

    Successive calls for the same ``base`` image and the same growing ``points`` list draw only what
    was added; anything else (a new stroke, a new base, a new width, points taken away) starts again.
    """

    def __init__(self) -> None:
        self._picture: QImage | None = None  # the base with the stroke on it
        self._stroke: QImage | None = None  # the stroke alone, on white
        self._scratch: QImage | None = None  # where each new piece is drawn, white elsewhere
        self._key: tuple[object, object, float] | None = None
        self._drawn = 0

    def reset(self) -> None:
        """Let go of the pictures kept for the stroke (it has been committed or dropped)."""
        self._picture = self._stroke = None
        self._key, self._drawn = None, 0

    def picture(self, base: QImage, points: list[tuple[float, float]], width: float) -> QImage:
        """A copy of the base with the stroke drawn on it (the caller may keep or change it)."""
        key = (base, points, width)
        if (
            self._picture is None
            or self._key is None
            or self._key[0] is not base
            or self._key[1] is not points
            or self._key[2] != width
            or self._drawn > len(points)
        ):
            self._picture, self._key, self._drawn = base.copy(), key, 0
            self._stroke = QImage(base.width(), base.height(), QImage.Format.Format_Grayscale8)
            self._stroke.fill(255)
        if self._drawn < len(points):
            piece = points[max(self._drawn - 1, 0) :]
            self._add(base, Stroke(tuple(piece), width))
            self._drawn = len(points)
        return self._picture.copy()

    def _add(self, base: QImage, stroke: Stroke) -> None:
        picture, alone = self._picture, self._stroke
        assert picture is not None and alone is not None
        size_w, size_h = picture.width(), picture.height()
        if self._scratch is None or self._scratch.size() != picture.size():
            self._scratch = QImage(size_w, size_h, QImage.Format.Format_Grayscale8)
            self._scratch.fill(255)
        xs = [p[0] for p in stroke.points]
        ys = [p[1] for p in stroke.points]
        reach = stroke.width / 2 + _EDGE
        left, top = max(int(min(xs) - reach), 0), max(int(min(ys) - reach), 0)
        right, bottom = min(int(max(xs) + reach) + 1, size_w), min(int(max(ys) + reach) + 1, size_h)
        if left >= right or top >= bottom:
            return
        painter = QPainter(self._scratch)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(QRectF(left, top, right - left, bottom - top))
        draw_stroke(painter, stroke)
        painter.end()
        box = (slice(top, bottom), slice(left, right))
        piece = gray_view(self._scratch, writable=True)[box]
        ink = gray_view(alone, writable=True)[box]
        np.minimum(ink, piece, out=ink)  # the union of the pieces
        piece.fill(255)  # white again for the next piece
        # Black ink of coverage c over a pixel leaves it at base * (1 - c), as Qt paints it.
        under = gray_view(base)[box].astype(np.uint16)
        gray_view(picture, writable=True)[box] = (under * ink + 127) // 255
