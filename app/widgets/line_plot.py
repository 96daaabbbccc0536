"""A small live line plot: one curve per series, drawn as the points arrive.

Painted by hand rather than with a plotting library: the one made for live Qt plots (pyqtgraph) takes
about half a second to import, which the retrain dialog would spend on the GUI thread each time it
opens. This draws the few hundred points of a training run in well under a millisecond.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.widgets import colours

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

# Ten distinguishable colours (Tableau 10, which stays apart for the common colour-vision deficiencies
# better than a rainbow) and a dark grey for an eleventh ("no digit"), then repeated. On a dark scheme
# the grey is a light one (series_colour).
SERIES_COLOURS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#333333",
)  # fmt: skip
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 52, 12, 10, 26


def series_colour(index: int, palette: QPalette | None = None) -> QColor:
    """The pen of series ``index`` on ``palette`` (the grey one lightened on a dark scheme)."""
    position = index % len(SERIES_COLOURS)
    if position == len(SERIES_COLOURS) - 1:
        return colours.colour("series_extra", palette)
    return QColor(SERIES_COLOURS[position])


class LinePlot(QWidget):
    """Curves of ``y`` against ``x`` for named series; ``log_y`` draws y on a logarithmic axis."""

    def __init__(
        self, x_label: str = "", y_label: str = "", log_y: bool = False, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.x_label, self.y_label, self.log_y = x_label, y_label, log_y
        self._names: list[str] = []
        self._x: list[float] = []
        self._y: list[np.ndarray] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(220, 140)
        self.setAccessibleName(y_label or "plot")

    def set_series(self, names: Sequence[str]) -> None:
        """Start again with these series (no points)."""
        self._names = [str(n) for n in names]
        self.clear()

    def series(self) -> list[str]:
        return list(self._names)

    def clear(self) -> None:
        self._x, self._y = [], []
        self.update()

    def append(self, x: float, values: Sequence[float] | np.ndarray) -> None:
        """Add one point to every series (``values`` in the order of the series)."""
        values = np.atleast_1d(np.asarray(values, dtype=np.float64))
        if len(values) != len(self._names):
            raise ValueError(f"expected {len(self._names)} values, one per series, got {len(values)}")
        self._x.append(float(x))
        self._y.append(values)
        self.update()

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """The x values (n,) and the y values (n, series) drawn so far."""
        if not self._x:
            return np.zeros(0), np.zeros((0, len(self._names)))
        return np.asarray(self._x), np.vstack(self._y)

    def sizeHint(self) -> QSize:
        return QSize(360, 200)

    def plot_rect(self) -> QRectF:
        return QRectF(self.rect()).adjusted(MARGIN_LEFT, MARGIN_TOP, -MARGIN_RIGHT, -MARGIN_BOTTOM)

    def _ranges(self) -> tuple[float, float, float, float] | None:
        x, y = self.points()
        y = self._transform(y)
        finite = np.isfinite(y)
        if not len(x) or not finite.any():
            return None
        x0, x1 = float(x.min()), float(x.max())
        y0, y1 = float(y[finite].min()), float(y[finite].max())
        if x1 == x0:
            x1 = x0 + 1
        if y1 == y0:
            y0, y1 = y0 - 0.5, y1 + 0.5
        return x0, x1, y0, y1

    def _transform(self, y: np.ndarray) -> np.ndarray:
        if not self.log_y:
            return y
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(40)
        area = self.plot_rect()
        painter.setPen(QPen(grid, 1))
        painter.drawRect(area)
        ranges = self._ranges()
        painter.setPen(text)
        font = painter.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        if self.x_label:
            painter.drawText(
                QRectF(area.left(), area.bottom() + 10, area.width(), 16),
                Qt.AlignmentFlag.AlignCenter,
                self.x_label,
            )
        if ranges is None:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "Waiting for the first iteration…")
            return
        x0, x1, y0, y1 = ranges

        def to_widget(x: float, y: float) -> QPointF:
            return QPointF(
                area.left() + (x - x0) / (x1 - x0) * area.width(),
                area.bottom() - (y - y0) / (y1 - y0) * area.height(),
            )

        for value in _ticks(y0, y1):
            point = to_widget(x0, value)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(area.left(), point.y()), QPointF(area.right(), point.y()))
            painter.setPen(text)
            label = _format(10**value if self.log_y else value)
            painter.drawText(
                QRectF(0, point.y() - 8, MARGIN_LEFT - 4, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        painter.drawText(
            QRectF(area.left(), area.bottom() + 1, 60, 12), Qt.AlignmentFlag.AlignLeft, _format(x0)
        )
        painter.drawText(
            QRectF(area.right() - 60, area.bottom() + 1, 60, 12), Qt.AlignmentFlag.AlignRight, _format(x1)
        )
        x, y = self.points()
        y = self._transform(y)
        painter.setClipRect(area)
        for s in range(y.shape[1]):
            path = QPainterPath()
            started = False
            for xi, yi in zip(x, y[:, s], strict=True):
                if not math.isfinite(yi):
                    started = False
                    continue
                point = to_widget(xi, yi)
                if started:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    started = True
            painter.setPen(QPen(series_colour(s, palette), 1.6))
            painter.drawPath(path)
        painter.setClipping(False)
        self._draw_legend(painter, area)

    def _draw_legend(self, painter: QPainter, area: QRectF) -> None:
        if len(self._names) < 2:
            return
        metrics = painter.fontMetrics()
        x = area.right() - 6
        y = area.top() + 4
        for s, name in reversed(list(enumerate(self._names))):
            width = metrics.horizontalAdvance(name)
            x -= width + 16
            painter.setPen(QPen(series_colour(s, self.palette()), 3))
            painter.drawLine(QPointF(x, y + 7), QPointF(x + 9, y + 7))
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(QPointF(x + 12, y + 11), name)


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round values between ``low`` and ``high``."""
    span = high - low
    step = 10 ** math.floor(math.log10(span / count)) if span > 0 else 1.0
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= count:
            step *= factor
            break
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def _format(value: float) -> str:
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1000:
        return str(int(value))
    magnitude = abs(value)
    if magnitude >= 1000 or magnitude < 0.01:
        return f"{value:.0e}"
    if magnitude >= 10:
        return f"{value:.0f}"
    return f"{value:.2g}" if magnitude < 1 else f"{value:.1f}"
