"""One class's 28x28 weights as a heat map on a symmetric diverging scale, with its label and range.

Red is evidence for the class, blue evidence against, and the middle of the scale is the background
(white, or near-black in a dark scheme): ColorBrewer's colour-blind-safe map
(:func:`app.widgets.heatmap.diverging_rgb`). A tooltip names the pixel under the pointer and its weight.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.widgets import colours
from app.widgets.heatmap import diverging_rgb, heat_ends
from app.widgets.qimages import rgb_to_qimage

if TYPE_CHECKING:
    from PySide6.QtGui import QImage, QMouseEvent, QPaintEvent

SIDE = 28


def colour_limit(weights: np.ndarray, active: np.ndarray | None = None) -> float:
    """The symmetric colour-scale limit: the largest |w| among the pixels digits actually use.

    Scaling to a rarely inked border pixel's weight would wash every other pixel out to white;
    such pixels are drawn saturated instead.
    """
    magnitude = np.abs(np.asarray(weights, dtype=np.float64))
    if active is not None and active.any():
        magnitude = magnitude[active]
    return float(magnitude.max(initial=0.0))


class WeightMap(QWidget):
    """One class's 28x28 weights on a symmetric blue-white-red scale, with its label and range."""

    def __init__(
        self, label: str, weights: np.ndarray, active: np.ndarray | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("weightMap")
        self.label = label
        self.weights = np.asarray(weights, dtype=np.float64).reshape(SIDE, SIDE)
        self.vmax = colour_limit(self.weights, active)
        self.setAccessibleName(f"Weights of {label}")
        self.setAccessibleDescription(
            f"Red where ink counts for {label}, blue where against, colour scale ±{self.vmax:.3g}; "
            "point at a pixel for its weight"
        )
        self._images: dict[bool, QImage] = {}  # by "is the scheme dark?"
        self.setMouseTracking(True)
        self.setMinimumSize(112, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(168, 200)

    @property
    def image(self) -> QImage:
        """The map on the diverging scale of the current scheme (light or dark), made once for each."""
        dark = colours.is_dark(self.palette())
        if dark not in self._images:
            ends = heat_ends(self.palette())
            self._images[dark] = rgb_to_qimage(diverging_rgb(self.weights, self.vmax, ends))
        return self._images[dark]

    def _image_rect(self) -> QRect:
        title = self.fontMetrics().height() + 6
        footer = self.fontMetrics().height() + 4
        side = max(min(self.width(), self.height() - title - footer), SIDE)
        side -= side % SIDE  # whole screen pixels per weight keep the squares crisp
        x = (self.width() - side) // 2
        return QRect(x, title, side, side)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self._image_rect()
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setPixelSize(15)
        painter.setFont(title_font)
        painter.setPen(self.palette().text().color())
        painter.drawText(QRect(0, 0, self.width(), rect.top() - 2), Qt.AlignmentFlag.AlignCenter, self.label)
        painter.drawImage(rect, self.image)
        painter.setPen(colours.colour("frame", self.palette()))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        small = QFont(self.font())
        small.setPixelSize(11)
        painter.setFont(small)
        painter.setPen(self.palette().placeholderText().color())
        painter.drawText(
            QRect(0, rect.bottom() + 3, self.width(), self.height() - rect.bottom() - 3),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            f"scale ±{self.vmax:.3g}",
        )
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        rect = self._image_rect()
        pos = event.position().toPoint()
        if not rect.contains(pos):
            QToolTip.hideText()
            return
        column = (pos.x() - rect.left()) * SIDE // rect.width()
        row = (pos.y() - rect.top()) * SIDE // rect.height()
        value = self.weights[row, column]
        sign = "for" if value > 0 else "against"
        QToolTip.showText(
            event.globalPosition().toPoint(),
            f"pixel row {row}, column {column}: weight {value:+.4f} (ink here counts {sign} {self.label})",
            self,
        )

    def cell_centre(self, row: int, column: int) -> QPoint:
        """The centre of one weight's square, in this widget's coordinates."""
        rect = self._image_rect()
        step = rect.width() / SIDE
        return QPoint(int(rect.left() + (column + 0.5) * step), int(rect.top() + (row + 0.5) * step))
