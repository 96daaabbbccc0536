"""Toolbar and window icons drawn with QPainter, so nothing is downloaded or shipped as files.

Each icon is a few strokes on a 24x24 grid, drawn at the size it is shown so it is sharp on any screen.
The desktop's theme icons are not used: the theme has no icon for a model or for teaching, so a toolbar
mixing the two sets looked patched together, and looking them up slowed start-up on X11.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

Draw = Callable[[QPainter], None]
SIZES = (16, 24, 32, 48, 64, 128)  # offered as available; any other size is drawn on request


class PaintedIconEngine(QIconEngine):
    """Draws an icon from its drawing function on a 24x24 grid at whatever size Qt asks for, when asked.

    Nothing is rendered until the icon is first shown, and each size is drawn for itself (sharp on any
    screen). Disabled icons are drawn faded. Rendered pixmaps are kept, one per size, mode and ink
    colour (so a new scheme draws them again in its ink).
    """

    def __init__(self, draw: Draw) -> None:
        super().__init__()
        self._draw = draw
        self._pixmaps: dict[tuple[int, int, float, QIcon.Mode, int], QPixmap] = {}

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.topLeft())
        painter.scale(rect.width() / 24, rect.height() / 24)
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.35)
        self._draw(painter)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        key = (size.width(), size.height(), scale, mode, _ink().rgba())  # drawn again in a new scheme
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = QPixmap(round(size.width() * scale), round(size.height() * scale))
            pixmap.setDevicePixelRatio(scale)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
            painter.end()
            self._pixmaps[key] = pixmap
        return pixmap

    def availableSizes(
        self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off
    ) -> list[QSize]:
        """Any size can be drawn; these are offered to platforms that pick from a list (window icons)."""
        return [QSize(side, side) for side in SIZES]

    def clone(self) -> PaintedIconEngine:
        return PaintedIconEngine(self._draw)


def make_icon(draw: Draw) -> QIcon:
    """An icon from a drawing function on a 24x24 grid."""
    return QIcon(PaintedIconEngine(draw))


def _ink() -> QColor:
    app = QGuiApplication.instance()
    if app is None:
        return QColor(60, 60, 60)
    return QGuiApplication.palette().color(QPalette.ColorRole.WindowText)


def _pen(color: QColor | None = None, width: float = 2.0) -> QPen:
    return QPen(
        color or _ink(), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
    )


def _arrow(painter: QPainter, mirrored: bool) -> None:
    painter.save()
    if mirrored:
        painter.translate(24, 0)
        painter.scale(-1, 1)
    painter.setPen(_pen())
    path = QPainterPath(QPointF(6, 9))
    path.lineTo(14, 9)
    path.cubicTo(QPointF(22, 9), QPointF(22, 20), QPointF(14, 20))
    path.lineTo(9, 20)
    painter.drawPath(path)
    head = QPainterPath(QPointF(10, 5))
    head.lineTo(6, 9)
    head.lineTo(10, 13)
    painter.drawPath(head)
    painter.restore()


def undo_icon() -> QIcon:
    return make_icon(lambda p: _arrow(p, False))


def redo_icon() -> QIcon:
    return make_icon(lambda p: _arrow(p, True))


def _clear(painter: QPainter) -> None:
    # An eraser: a tilted rounded block with a lighter tip, over a baseline.
    painter.save()
    painter.translate(12, 11)
    painter.rotate(-40)
    body = QRectF(-8, -4.5, 16, 9)
    painter.setPen(_pen(width=1.6))
    painter.setBrush(QColor(232, 93, 93))
    painter.drawRoundedRect(body, 2, 2)
    painter.setBrush(QColor(245, 245, 245))
    painter.drawRoundedRect(QRectF(-8, -4.5, 6, 9), 2, 2)
    painter.restore()
    painter.setPen(_pen(width=1.6))
    painter.drawLine(QPointF(4, 21), QPointF(20, 21))


def clear_icon() -> QIcon:
    return make_icon(_clear)


def _open(painter: QPainter) -> None:
    painter.setPen(_pen(width=1.6))
    painter.setBrush(QColor(240, 196, 90))
    back = QPainterPath(QPointF(3, 19))
    back.lineTo(3, 6)
    back.lineTo(9, 6)
    back.lineTo(11, 8)
    back.lineTo(19, 8)
    back.lineTo(19, 11)
    painter.drawPath(back)
    front = QPainterPath(QPointF(3, 19))
    front.lineTo(6.5, 11)
    front.lineTo(21.5, 11)
    front.lineTo(18, 19)
    front.closeSubpath()
    painter.setBrush(QColor(250, 214, 120))
    painter.drawPath(front)


def open_icon() -> QIcon:
    return make_icon(_open)


def _save(painter: QPainter) -> None:
    painter.setPen(_pen(width=1.6))
    painter.setBrush(QColor(88, 140, 220))
    painter.drawRoundedRect(QRectF(4, 4, 16, 16), 2, 2)
    painter.setBrush(QColor(250, 250, 250))
    painter.drawRect(QRectF(7.5, 4, 9, 6))
    painter.drawRect(QRectF(7, 13, 10, 7))


def save_icon() -> QIcon:
    return make_icon(_save)


def _model(painter: QPainter) -> None:
    # Three inputs feeding one unit: a tiny picture of a classifier.
    painter.setPen(_pen(width=1.4))
    for y in (5.0, 12.0, 19.0):
        painter.drawLine(QPointF(6, y), QPointF(18, 12))
    painter.setBrush(QColor(88, 140, 220))
    for y in (5.0, 12.0, 19.0):
        painter.drawEllipse(QPointF(5, y), 2.5, 2.5)
    painter.setBrush(QColor(232, 93, 93))
    painter.drawEllipse(QPointF(18.5, 12), 3.5, 3.5)


def model_icon() -> QIcon:
    return make_icon(_model)


def _teach(painter: QPainter) -> None:
    # A luggage tag with a small 7 on it: the drawing gets its label.
    painter.setPen(_pen(width=1.8))
    tag = QPainterPath(QPointF(3, 4))
    tag.lineTo(12, 4)
    tag.lineTo(21, 13)
    tag.lineTo(13, 21)
    tag.lineTo(3, 11)
    tag.closeSubpath()
    painter.drawPath(tag)
    painter.drawEllipse(QPointF(7, 8), 1.4, 1.4)
    painter.setPen(_pen(QColor(38, 99, 196), 1.8))
    seven = QPainterPath(QPointF(10.5, 11))
    seven.lineTo(15, 11)
    seven.lineTo(12, 17)
    painter.drawPath(seven)


def teach_icon() -> QIcon:
    return make_icon(_teach)


def _app(painter: QPainter) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(38, 99, 196))
    painter.drawRoundedRect(QRectF(1, 1, 22, 22), 5, 5)
    painter.setBrush(QColor(255, 255, 255))
    painter.drawRoundedRect(QRectF(4, 4, 16, 16), 2.5, 2.5)
    ink = QPen(
        QColor(20, 20, 20), 2.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
    )
    painter.setPen(ink)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(8, 8))  # a handwritten 7
    path.lineTo(16, 8)
    path.cubicTo(QPointF(13.5, 11), QPointF(12, 13.5), QPointF(11, 16.5))
    painter.drawPath(path)


def app_icon() -> QIcon:
    return make_icon(_app)
