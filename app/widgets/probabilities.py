"""One bar per class with its probability, the most likely class highlighted.

Painted as a single widget (not ten progress bars) so sixty updates a second stay cheap and the rows
line up exactly. Clicking a row emits ``classClicked(digit)``; the window teaches the drawing as that
digit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.text.numbers import LIVE_DIGITS, percent

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent, QPaintEvent

ROW_MIN = 22  # pixels per class row at least
ROW_MAX = 40
GAP = 6


class ProbabilityBars(QWidget):
    """Probabilities of each class as labelled horizontal bars."""

    classClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probabilities")
        self.setAccessibleName("Class probabilities")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self._classes: list[int] = list(range(10))
        self._probs: np.ndarray | None = None
        self._hover: int | None = None
        self._update_text()

    # ------------------------------------------------------------------------------------ public API

    def classes(self) -> list[int]:
        return list(self._classes)

    def set_classes(self, classes: Sequence[int]) -> None:
        """Show one row per class; any shown probabilities are cleared (they belonged to other classes)."""
        self._classes = [int(c) for c in classes]
        self._probs = None
        self._hover = None
        self.updateGeometry()
        self._update_text()
        self.update()

    def set_probabilities(self, probabilities: Sequence[float] | np.ndarray | None) -> None:
        """Probabilities in the order of :meth:`classes`, or ``None`` for an empty drawing."""
        if probabilities is None:
            self._probs = None
        else:
            probs = np.asarray(probabilities, dtype=np.float64).ravel()
            if len(probs) != len(self._classes):
                raise ValueError(f"expected {len(self._classes)} probabilities, got {len(probs)}")
            self._probs = probs
        self._update_text()
        self.update()

    def probabilities(self) -> dict[int, float] | None:
        if self._probs is None:
            return None
        return {c: float(p) for c, p in zip(self._classes, self._probs, strict=True)}

    def top_class(self) -> int | None:
        if self._probs is None:
            return None
        return self._classes[int(np.argmax(self._probs))]

    def row_rect(self, index: int) -> QRectF:
        """Where the row of the ``index``-th class is, in widget coordinates (tests click it)."""
        height = self._row_height()
        return QRectF(0, index * (height + GAP), self.width(), height)

    def sizeHint(self) -> QSize:
        return QSize(260, self._rows_height(28))

    def minimumSizeHint(self) -> QSize:
        return QSize(180, self._rows_height(ROW_MIN))

    # ------------------------------------------------------------------------------------- internals

    def _rows_height(self, row: float) -> int:
        n = len(self._classes)
        return int(n * row + max(n - 1, 0) * GAP)

    def _row_height(self) -> float:
        n = max(len(self._classes), 1)
        return float(min(max((self.height() - (n - 1) * GAP) / n, ROW_MIN), ROW_MAX))

    def _row_at(self, y: float) -> int | None:
        for i in range(len(self._classes)):
            if self.row_rect(i).adjusted(0, -GAP / 2, 0, GAP / 2).contains(self.row_rect(i).center().x(), y):
                return i
        return None

    def _update_text(self) -> None:
        """Keep the accessible description and tooltip in words (screen readers cannot see bars)."""
        if self._probs is None:
            text = "No drawing yet."
        else:
            order = np.argsort(-self._probs)[:3]
            text = ", ".join(f"{self._classes[i]}: {percent(self._probs[i], 0)}" for i in order)  # spoken
        self.setAccessibleDescription(text)
        self.setToolTip(f"{text}\nClick a row to teach the model that this drawing is that digit.")

    # -------------------------------------------------------------------------------------- Qt events

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        accent = palette.color(QPalette.ColorRole.Highlight)
        track = _mix(palette.color(QPalette.ColorRole.Window), text, 0.08)
        other = _mix(accent, palette.color(QPalette.ColorRole.Window), 0.55)
        top = None if self._probs is None else int(np.argmax(self._probs))

        height = self._row_height()
        base = QFont(self.font())
        label_font = QFont(base)
        label_font.setPointSizeF(max(base.pointSizeF(), 9.0) * min(height / 22, 1.5))
        label_font.setBold(True)
        value_font = QFont(base)
        label_w = height * 1.1
        value_w = painter.fontMetrics().horizontalAdvance("100.0%") + 10

        for i, cls in enumerate(self._classes):
            row = self.row_rect(i)
            is_top = i == top
            if self._hover == i:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(_mix(palette.color(QPalette.ColorRole.Window), accent, 0.10))
                painter.drawRoundedRect(row.adjusted(-2, -2, 2, 2), 6, 6)
            # The digit.
            painter.setFont(label_font)
            painter.setPen(accent if is_top else text)
            painter.drawText(
                QRectF(row.left(), row.top(), label_w, height), Qt.AlignmentFlag.AlignCenter, str(cls)
            )
            # The bar.
            bar = QRectF(row.left() + label_w + 4, row.top() + height * 0.2, 0, height * 0.6)
            bar.setRight(row.right() - value_w)
            radius = bar.height() / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, radius, radius)
            if self._probs is not None:
                p = float(np.clip(self._probs[i], 0.0, 1.0))
                fill = QRectF(bar)
                fill.setWidth(max(bar.width() * p, bar.height() if p >= 0.005 else 0.0))
                if fill.width() > 0:
                    painter.setBrush(accent if is_top else other)
                    painter.drawRoundedRect(fill, radius, radius)
            # The number.
            value_font.setBold(is_top)
            painter.setFont(value_font)
            painter.setPen(text if self._probs is not None else muted)
            value = "–" if self._probs is None else percent(float(self._probs[i]), LIVE_DIGITS)
            painter.drawText(
                QRectF(row.right() - value_w, row.top(), value_w, height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                value,
            )
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self._row_at(event.position().y())
        if row != self._hover:
            self._hover = row
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if row is not None else Qt.CursorShape.ArrowCursor
            )
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            row = self._row_at(event.position().y())
            if row is not None:
                self.classClicked.emit(self._classes[row])
                event.accept()
                return
        super().mouseReleaseEvent(event)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )
