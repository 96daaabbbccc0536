"""One bar per class with its probability, the most likely class highlighted.

Painted as a single widget (not ten progress bars) so sixty updates a second stay cheap and the rows
line up exactly. Clicking a row emits ``classClicked(digit)``; the window teaches the drawing as that
digit (or, with "Why this digit?" on, compares the answer with it). The keyboard does the same: Tab to
the bars, Up and Down (Home, End, or a digit key) move a focus ring from row to row, and Enter or
Space is a click on that row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.text.numbers import LIVE_DIGITS, percent
from app.widgets.focus_ring import paint_focus_ring

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent, QPaintEvent

ROW_MIN = 22  # pixels per class row at least
ROW_MAX = 40
ROW_HINT = 25  # pixels per row when there is room: the room left takes five lines of caption below
GAP = 6
HOW = (
    "Click a row, or choose it with the arrow keys and press Enter: this drawing is that digit "
    "(with View > Why this digit? on: why not that digit?)."
)


class ProbabilityBars(QWidget):
    """Probabilities of each class as labelled horizontal bars."""

    classClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probabilities")
        self.setAccessibleName("Class probabilities")
        # Tab reaches the bars, a click does not take the focus: the canvas keeps it, so a digit key
        # after clicking a bar still teaches.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        # Rows of the hint's height when there is room, down to ROW_MIN when there is not.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMouseTracking(True)
        self._classes: list[int] = list(range(10))
        self._probs: np.ndarray | None = None
        self._hover: int | None = None
        self._cursor: int | None = None  # the row the keys act on
        self._update_text()

    # ------------------------------------------------------------------------------------ public API

    def classes(self) -> list[int]:
        return list(self._classes)

    def set_classes(self, classes: Sequence[int]) -> None:
        """Show one row per class; any shown probabilities are cleared (they belonged to other classes)."""
        self._classes = [int(c) for c in classes]
        self._probs = None
        self._hover = None
        self._cursor = None
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

    def cursor_class(self) -> int | None:
        """The class of the row the keys act on (shown by the focus ring), or ``None`` before any."""
        return None if self._cursor is None else self._classes[self._cursor]

    def row_rect(self, index: int) -> QRectF:
        """Where the row of the ``index``-th class is, in widget coordinates (tests click it)."""
        height = self._row_height()
        return QRectF(0, index * (height + GAP), self.width(), height)

    def sizeHint(self) -> QSize:
        return QSize(260, self._rows_height(ROW_HINT))

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
        row = "" if self._cursor is None else f"Row {self._row_text(self._cursor)}. "
        self.setAccessibleDescription(f"{row}{text} {HOW}")
        self.setToolTip(f"{text}\n{HOW}\nWith no view on, that teaches the model this drawing.")

    def _row_text(self, index: int) -> str:
        value = "no drawing" if self._probs is None else percent(float(self._probs[index]), LIVE_DIGITS)
        return f"{self._classes[index]}: {value}"

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
        widest = QFont(value_font)
        widest.setBold(True)  # the top row's number is bold, and ">99.9%" is the widest it can be
        value_w = max(QFontMetrics(widest).horizontalAdvance(t) for t in (">99.9%", "100.0%")) + 10

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
                QRectF(row.right() - value_w, row.top(), value_w - 6, height),  # clear of the ring
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                value,
            )
        if self.hasFocus() and self._cursor is not None and self._cursor < len(self._classes):
            ring = self.row_rect(self._cursor).adjusted(0, -GAP / 2 + 0.5, 0, GAP / 2 - 0.5)
            paint_focus_ring(painter, ring, palette, radius=6.0)
        painter.end()

    # ------------------------------------------------------------------------------------- keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:
        n = len(self._classes)
        key = event.key()
        if n == 0 or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            super().keyPressEvent(event)
            return
        at = self._cursor if self._cursor is not None else 0
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_Select):
            self.move_cursor(at)
            self.classClicked.emit(self._classes[at])
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Left):
            self.move_cursor(max(at - 1, 0))
        elif key in (Qt.Key.Key_Down, Qt.Key.Key_Right):
            self.move_cursor(min(at + 1, n - 1))
        elif key in (Qt.Key.Key_Home, Qt.Key.Key_PageUp):
            self.move_cursor(0)
        elif key in (Qt.Key.Key_End, Qt.Key.Key_PageDown):
            self.move_cursor(n - 1)
        elif Qt.Key.Key_0 <= key <= Qt.Key.Key_9 and int(key - Qt.Key.Key_0) in self._classes:
            self.move_cursor(self._classes.index(int(key - Qt.Key.Key_0)))
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def move_cursor(self, index: int) -> None:
        """Put the focus ring on the ``index``-th row and tell a screen reader which it is."""
        if index == self._cursor:
            return
        self._cursor = index
        self._update_text()
        self.update()
        from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent  # see PredictionView

        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self, self._row_text(index)))

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self._cursor is None and self._classes:
            top = self.top_class()
            self._cursor = self._classes.index(top) if top is not None else 0
            self._update_text()
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

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
                self._cursor = row
                self._update_text()
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
