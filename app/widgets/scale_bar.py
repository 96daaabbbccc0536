"""The key of a diverging heat map: against on the left, nothing in the middle, for on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter
from PySide6.QtWidgets import QWidget

from app.widgets import colours
from app.widgets.heatmap import heat_ends

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent


class ScaleBar(QWidget):
    """The key: blue is evidence against the class, white (near-black when dark) none, red for it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(34)
        self.setAccessibleName("Colour key")
        self.setAccessibleDescription(
            "Blue: ink here counts against the digit; white: not at all; red: for it"
        )
        self.setMinimumWidth(320)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        width = min(self.width() - 20, 420)
        x0 = (self.width() - width) // 2
        gradient = QLinearGradient(x0, 0, x0 + width, 0)
        negative, zero, positive = heat_ends(self.palette())
        gradient.setColorAt(0.0, QColor(*negative))
        gradient.setColorAt(0.5, QColor(*zero))
        gradient.setColorAt(1.0, QColor(*positive))
        painter.fillRect(QRect(x0, 2, width, 12), gradient)
        painter.setPen(colours.colour("frame", self.palette()))
        painter.drawRect(QRect(x0, 2, width - 1, 12))
        font = QFont(self.font())
        font.setPixelSize(11)
        painter.setFont(font)
        painter.setPen(self.palette().text().color())
        y = 16
        painter.drawText(QRect(x0, y, width // 3, 16), Qt.AlignmentFlag.AlignLeft, "ink here: against")
        painter.drawText(QRect(x0 + width // 3, y, width // 3, 16), Qt.AlignmentFlag.AlignHCenter, "0")
        painter.drawText(QRect(x0 + 2 * width // 3, y, width // 3, 16), Qt.AlignmentFlag.AlignRight, "for")
        painter.end()
