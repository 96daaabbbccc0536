"""A reliability diagram: how often the model was right against how sure it said it was.

One bar per confidence bin, as high as the share of answers in that bin that were right; the diagonal
is where a calibrated model's bars would end. Gaps above the diagonal mean the model was surer than it
was right. The expected calibration error is written in the corner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.text.numbers import RESULT_DIGITS, percent
from app.widgets import colours

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

MARGIN = 52


class ReliabilityDiagram(QWidget):
    """Bars of accuracy per confidence bin, the diagonal, and the calibration error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edges: np.ndarray | None = None
        self._accuracy = self._confidence = self._counts = None
        self._ece: float | None = None
        self._empty_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 200)
        self.setAccessibleName("Reliability diagram")

    def set_reliability(
        self, edges: np.ndarray, confidence: np.ndarray, accuracy: np.ndarray, counts: np.ndarray, ece: float
    ) -> None:
        """Show one reliability (see :class:`training.calibration.Reliability`)."""
        self._edges = np.asarray(edges, dtype=np.float64)
        self._accuracy = np.asarray(accuracy, dtype=np.float64)
        self._confidence = np.asarray(confidence, dtype=np.float64)
        self._counts = np.asarray(counts)
        self._ece = float(ece)
        self.setAccessibleDescription(self.summary())
        self.setToolTip(self.summary())
        self.update()

    def clear(self, text: str = "") -> None:
        """Show no diagram, with ``text`` in its place (say, "Evaluating…" while work is going on)."""
        self._edges = None
        self._ece = None
        self._empty_text = text
        self.setToolTip("")
        self.update()

    def summary(self) -> str:
        """One sentence saying what the diagram shows."""
        if self._ece is None:
            return "No evaluation yet."
        filled = self._counts > 0
        gap = float((self._counts[filled] / self._counts.sum()) @ (self._confidence - self._accuracy)[filled])
        leaning = "surer than it is right" if gap > 0 else "less sure than it is right"
        ece, by = percent(self._ece, RESULT_DIGITS), percent(abs(gap), RESULT_DIGITS)
        return f"Calibration error {ece}: on average the model is {leaning} by {by}."

    def sizeHint(self) -> QSize:
        return QSize(280, 280)

    def plot_rect(self) -> QRectF:
        side = max(10.0, min(self.width() - MARGIN - 12, self.height() - 10 - 36))
        return QRectF(MARGIN, 10, side, side)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        area = self.plot_rect()
        faint = QColor(text)
        faint.setAlpha(60)
        painter.setPen(QPen(faint, 1))
        painter.drawRect(area)
        font = painter.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        painter.setPen(text)
        painter.drawText(
            QRectF(area.left(), area.bottom() + 17, area.width(), 16),
            Qt.AlignmentFlag.AlignCenter,
            "confidence",
        )
        painter.save()
        painter.translate(area.left() - 40, area.center().y())
        painter.rotate(-90)
        painter.drawText(QRectF(-60, -8, 120, 16), Qt.AlignmentFlag.AlignCenter, "share right")
        painter.restore()
        for share in (0.0, 0.5, 1.0):
            label = percent(share, 0)
            x = area.left() + share * area.width()
            y = area.bottom() - share * area.height()
            painter.drawText(QRectF(x - 20, area.bottom() + 2, 40, 14), Qt.AlignmentFlag.AlignHCenter, label)
            painter.drawText(
                QRectF(area.left() - 34, y - 7, 31, 14),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        if self._edges is None:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self._empty_text)
            return
        bar = palette.color(QPalette.ColorRole.Highlight)
        bar.setAlpha(170)
        gap_colour = colours.colour("calibration_gap", palette)
        gap_colour.setAlpha(110)
        for i, (lo, hi) in enumerate(zip(self._edges[:-1], self._edges[1:], strict=True)):
            if self._counts[i] == 0:
                continue
            left = area.left() + lo * area.width()
            width = (hi - lo) * area.width()
            top = area.bottom() - self._accuracy[i] * area.height()
            painter.fillRect(QRectF(left + 1, top, width - 2, area.bottom() - top), bar)
            expected = area.bottom() - self._confidence[i] * area.height()
            painter.fillRect(QRectF(left + 1, min(top, expected), width - 2, abs(expected - top)), gap_colour)
        painter.setPen(QPen(text, 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(area.left(), area.bottom()), QPointF(area.right(), area.top()))
        painter.setPen(text)
        painter.drawText(
            area.adjusted(6, 4, -6, -4),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            f"ECE {percent(self._ece, RESULT_DIGITS)}",
        )
