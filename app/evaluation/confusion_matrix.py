"""The confusion matrix as a clickable heat map, with the count in every cell.

The keyboard reaches every cell too: Tab to the matrix, the arrow keys (Home, End, Page Up, Page Down)
move a focus ring from cell to cell, and Enter or Space does what a click does. The cell under the ring
is told to screen readers (the accessible description, and an announcement as the ring moves).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QFont,
    QFontMetrics,
    QLinearGradient,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.text.numbers import RESULT_DIGITS, percent
from app.widgets import colours
from app.widgets.focus_ring import paint_focus_ring
from app.widgets.heatmap import blend, readable_text_colour

if TYPE_CHECKING:
    from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QMouseEvent, QPaintEvent

HOW = "Rows are the true digit, columns what the model read. Arrow keys move, Enter shows those test digits."

# Diagonal cells are blue, stronger the higher the recall; off-diagonal cells vermillion, stronger the
# more often that confusion happens (a colour-blind-safe pair). Both scales start at the background's
# shade (white, or near-black in a dark scheme): see app.widgets.colours ("correct_low" ... "wrong_high").


class ConfusionMatrixView(QWidget):
    """The confusion matrix as a heat map with the count in every cell; click a cell to pick it.

    Rows are the true digit, columns what the model read. Correct cells (the diagonal) are green by
    recall; mistakes are vermillion, scaled to the most frequent confusion so rare ones still show.
    """

    cellClicked = Signal(int, int)  # true label, predicted label

    LEFT, TOP, RIGHT, BOTTOM = 52, 46, 12, 44

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionMatrix")
        self.setAccessibleName("Confusion matrix")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(280, 300)
        self.matrix = np.zeros((0, 0), dtype=int)
        self.classes: list[int] = []
        self.selected: tuple[int, int] | None = None  # (row, column)
        self._hover: tuple[int, int] | None = None
        self.cursor_cell: tuple[int, int] | None = None  # (row, column) the keys act on
        self.placeholder = "Evaluating…"  # shown while there is no matrix
        self._describe()
        self.legend_items: list[QRect] = []  # where the two keys were last painted (tests look)

    def sizeHint(self) -> QSize:
        return QSize(480, 500)

    def set_matrix(self, matrix: np.ndarray, classes: list[int] | np.ndarray) -> None:
        self.matrix = np.asarray(matrix, dtype=int)
        self.classes = [int(c) for c in classes]
        self.selected = None
        self.cursor_cell = (0, 0) if self.classes else None
        self._describe()
        self.update()

    def set_placeholder(self, text: str) -> None:
        """What the empty matrix says ("Evaluating…" while work goes on, nothing after a failure)."""
        self.placeholder = text
        self._describe()
        self.update()

    def cell_text(self, row: int, column: int) -> str:
        """One cell in words, as its tooltip and a screen reader say it."""
        count = int(self.matrix[row, column])
        total = max(int(self.matrix[row].sum()), 1)
        t, p = self.classes[row], self.classes[column]
        what = f"{t} read correctly" if row == column else f"true {t} read as {p}"
        return f"{what}: {count:,} test digits ({percent(count / total, RESULT_DIGITS)} of the {t}s)"

    def _describe(self) -> None:
        if not self.classes:
            self.setAccessibleDescription(self.placeholder or "No evaluation to show.")
        elif self.cursor_cell is None:
            self.setAccessibleDescription(HOW)
        else:
            self.setAccessibleDescription(f"{self.cell_text(*self.cursor_cell)}. {HOW}")

    def select(self, true_label: int | None, predicted_label: int | None = None) -> None:
        """Outline one cell (by labels), or none."""
        if true_label is None or predicted_label is None:
            self.selected = None
        else:
            self.selected = (self.classes.index(true_label), self.classes.index(predicted_label))
        self.update()

    # geometry

    def _cell_size(self) -> float:
        k = max(len(self.classes), 1)
        width = self.width() - self.LEFT - self.RIGHT
        height = self.height() - self.TOP - self.BOTTOM
        return max(min(width, height) / k, 4.0)

    def _origin(self) -> QPoint:
        k = max(len(self.classes), 1)
        size = self._cell_size() * k
        extra = self.width() - self.LEFT - self.RIGHT - size
        return QPoint(self.LEFT + int(max(extra, 0) / 2), self.TOP)

    def cell_rect(self, row: int, column: int) -> QRect:
        """The rectangle of a cell in widget coordinates (row: true class, column: predicted)."""
        s = self._cell_size()
        o = self._origin()
        x0, y0 = o.x() + column * s, o.y() + row * s
        return QRect(round(x0), round(y0), round(x0 + s) - round(x0), round(y0 + s) - round(y0))

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        k = len(self.classes)
        if k == 0:
            return None
        s = self._cell_size()
        o = self._origin()
        column = math.floor((pos.x() - o.x()) / s)
        row = math.floor((pos.y() - o.y()) / s)
        if 0 <= row < k and 0 <= column < k:
            return row, column
        return None

    def _colour(self, name: str) -> QColor:
        return colours.colour(name, self.palette())

    def cell_colour(self, row: int, column: int) -> QColor:
        count = int(self.matrix[row, column])
        if row == column:
            total = max(int(self.matrix[row].sum()), 1)
            return blend(self._colour("correct_low"), self._colour("correct_high"), count / total)
        off = self.matrix.copy()
        np.fill_diagonal(off, 0)
        worst = max(int(off.max()), 1)
        return blend(self._colour("wrong_low"), self._colour("wrong_high"), math.sqrt(count / worst))

    # painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(self.rect(), self.palette().base())
        k = len(self.classes)
        if k == 0:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            return
        s = self._cell_size()
        text_colour = self.palette().text().color()
        cell_font = QFont(self.font())
        cell_font.setPixelSize(max(8, int(s * (0.30 if k > 2 else 0.16))))
        label_font = QFont(self.font())
        label_font.setPixelSize(max(9, min(16, int(s * 0.34))))
        label_font.setBold(True)
        title_font = QFont(self.font())
        title_font.setPixelSize(13)

        for i in range(k):
            for j in range(k):
                rect = self.cell_rect(i, j)
                colour = self.cell_colour(i, j)
                painter.fillRect(rect, colour)
                count = int(self.matrix[i, j])
                painter.setFont(cell_font)
                if count == 0:
                    painter.setPen(self._colour("empty_count"))
                else:
                    painter.setPen(readable_text_colour(colour))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{count:,}")
        grid = QPen(self._colour("grid"))
        painter.setPen(grid)
        first, last = self.cell_rect(0, 0), self.cell_rect(k - 1, k - 1)
        for n in range(k + 1):
            x = first.left() + round(n * s)
            y = first.top() + round(n * s)
            painter.drawLine(x, first.top(), x, last.bottom() + 1)
            painter.drawLine(first.left(), y, last.right() + 1, y)

        # class labels and axis titles
        painter.setPen(text_colour)
        painter.setFont(label_font)
        for n, c in enumerate(self.classes):
            column_rect = self.cell_rect(0, n)
            painter.drawText(
                QRect(column_rect.left(), self.TOP - 22, column_rect.width(), 20),
                Qt.AlignmentFlag.AlignCenter,
                str(c),
            )
            row_rect = self.cell_rect(n, 0)
            painter.drawText(
                QRect(row_rect.left() - 24, row_rect.top(), 20, row_rect.height()),
                Qt.AlignmentFlag.AlignCenter,
                str(c),
            )
        painter.setFont(title_font)
        painter.setPen(self.palette().placeholderText().color())
        painter.drawText(
            QRect(first.left(), 2, last.right() - first.left(), 18),
            Qt.AlignmentFlag.AlignCenter,
            "predicted →",
        )
        painter.save()
        painter.translate(first.left() - 38, (first.top() + last.bottom()) / 2)
        painter.rotate(-90)
        painter.drawText(QRect(-60, -8, 120, 18), Qt.AlignmentFlag.AlignCenter, "← true")
        painter.restore()

        # highlight hover and selection
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self._hover is not None:
            hover = self._colour("outline")
            hover.setAlpha(140)
            painter.setPen(QPen(hover, 2))
            painter.drawRect(self.cell_rect(*self._hover).adjusted(1, 1, -1, -1))
        if self.selected is not None:
            painter.setPen(QPen(self._colour("outline"), 3))
            painter.drawRect(self.cell_rect(*self.selected).adjusted(1, 1, -2, -2))
        if self.hasFocus() and self.cursor_cell is not None:
            paint_focus_ring(
                painter, self.cell_rect(*self.cursor_cell).adjusted(-2, -2, 2, 2), self.palette()
            )

        self._paint_legend(painter, first.left(), last.bottom() + 14, last.right() - first.left())
        painter.end()

    def _paint_legend(self, painter: QPainter, x: int, y: int, width: int) -> None:
        """Two keys side by side: the blue of correct reads, and the background-to-vermillion scale of
        mistakes from 0 to the most frequent one; each text is measured, so the two never run together."""
        off = self.matrix.copy()
        np.fill_diagonal(off, 0)
        worst = int(off.max())
        font = QFont(self.font())
        font.setPixelSize(11)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        gap = 6  # between a swatch or bar and its text
        middle = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        correct, mistakes, high_text = "correct (by recall)", "mistakes 0", f"{worst:,}"
        correct_w = 12 + gap + metrics.horizontalAdvance(correct)
        label_w, high_w = metrics.horizontalAdvance(mistakes), metrics.horizontalAdvance(high_text)
        fixed = correct_w + 3 * gap + label_w + gap + gap + high_w  # all but the bar
        room = self.width() - 8  # the legend may reach into the margins, never past the widget
        bar_w = max(min(width - fixed, room - fixed), 24)
        x = max(4, min(x, self.width() - 4 - (fixed + bar_w)))
        painter.setPen(self.palette().text().color())
        painter.fillRect(QRect(x, y + 3, 12, 12), self._colour("correct_high"))
        painter.drawText(QRect(x + 12 + gap, y, correct_w - 12 - gap + 2, 18), middle, correct)
        start = x + correct_w + 3 * gap
        bar_x = start + label_w + gap
        painter.drawText(QRect(start, y, label_w + 2, 18), middle, mistakes)
        gradient = QLinearGradient(bar_x, 0, bar_x + bar_w, 0)
        low, high = self._colour("wrong_low"), self._colour("wrong_high")
        for t in np.linspace(0.0, 1.0, 9):
            gradient.setColorAt(float(t), blend(low, high, math.sqrt(t)))
        painter.fillRect(QRectF(bar_x, y + 3, bar_w, 12), gradient)
        painter.setPen(self._colour("frame"))
        painter.drawRect(QRectF(bar_x, y + 3, bar_w, 12))
        painter.setPen(self.palette().text().color())
        painter.drawText(QRect(bar_x + bar_w + gap, y, high_w + 2, 18), middle, high_text)
        self.legend_items = [
            QRect(x, y, correct_w, 18),
            QRect(start, y, bar_x + bar_w + gap + high_w - start, 18),
        ]

    # mouse

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if cell != self._hover:
            self._hover = cell
            self.update()
        if cell is not None:
            tip = f"{self.cell_text(*cell)}. Click to see them."
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)

    def leaveEvent(self, event: Any) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if cell is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.cursor_cell = cell
        self._describe()
        self._pick(cell)

    def _pick(self, cell: tuple[int, int]) -> None:
        self.selected = cell
        self.update()
        self.cellClicked.emit(self.classes[cell[0]], self.classes[cell[1]])

    # keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:
        k = len(self.classes)
        if k == 0 or self.cursor_cell is None or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            super().keyPressEvent(event)
            return
        key = Qt.Key(event.key())
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_Select):
            self._pick(self.cursor_cell)
            event.accept()
            return
        row, column = self.cursor_cell
        moves = {
            Qt.Key.Key_Left: (row, column - 1),
            Qt.Key.Key_Right: (row, column + 1),
            Qt.Key.Key_Up: (row - 1, column),
            Qt.Key.Key_Down: (row + 1, column),
            Qt.Key.Key_Home: (row, 0),
            Qt.Key.Key_End: (row, k - 1),
            Qt.Key.Key_PageUp: (0, column),
            Qt.Key.Key_PageDown: (k - 1, column),
        }
        if key not in moves:
            super().keyPressEvent(event)
            return
        row, column = moves[key]
        self.move_cursor(min(max(row, 0), k - 1), min(max(column, 0), k - 1))
        event.accept()

    def move_cursor(self, row: int, column: int) -> None:
        """Put the focus ring on a cell and tell a screen reader which cell it is."""
        if (row, column) == self.cursor_cell:
            return
        self.cursor_cell = (row, column)
        self._describe()
        self.update()
        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self, self.cell_text(row, column)))

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self.selected is not None:
            self.cursor_cell = self.selected
            self._describe()
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)
