"""What the canvas holds: strokes as vectors in document units, and how one is drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen, QPolygonF

if TYPE_CHECKING:
    from PySide6.QtGui import QImage, QPainter

DOC_SIZE = 400  # the canvas is a DOC_SIZE x DOC_SIZE document; image() renders it at this size
INK = QColor(0, 0, 0)


class Stroke(NamedTuple):
    """One pen-down to pen-up line: points in document units, and the brush width it was drawn with."""

    points: tuple[tuple[float, float], ...]
    width: float


class CanvasState(NamedTuple):
    """Everything on the canvas: an optional opened picture under the strokes."""

    strokes: tuple[Stroke, ...] = ()
    picture: QImage | None = None

    @property
    def empty(self) -> bool:
        return not self.strokes and self.picture is None


def draw_stroke(painter: QPainter, stroke: Stroke) -> None:
    """Round caps and joins, so a fast stroke has no gaps; a tap leaves a dot."""
    pen = QPen(INK, stroke.width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    points = stroke.points
    if len(points) == 1:
        painter.drawPoint(QPointF(*points[0]))  # a tap leaves a round dot
    else:
        painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in points]))


def fit_picture(width: int, height: int) -> QRectF:
    """The rectangle, in document units, in which a picture of this size is shown (centred, aspect kept)."""
    scale = DOC_SIZE / max(width, height, 1)
    w, h = width * scale, height * scale
    return QRectF((DOC_SIZE - w) / 2, (DOC_SIZE - h) / 2, w, h)
