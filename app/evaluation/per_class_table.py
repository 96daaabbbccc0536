"""Precision, recall, F1 and support of every digit, the hardest one marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableWidget, QTableWidgetItem

from app.text.numbers import RESULT_DIGITS, percent
from app.widgets import colours

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QWidget

    from training.evaluate import Evaluation


class PerClassTable(QTableWidget):
    """Precision, recall, F1 and support of every class; exact values are in ``Qt.UserRole``."""

    COLUMNS = ("Digit", "Precision", "Recall", "F1", "Support")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("perClassTable")
        self.setAccessibleName("Precision, recall and F1 of each digit")
        self.setAccessibleDescription(
            "One row per digit: precision, recall, F1 and how many test digits it has"
        )
        self.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab goes on to the next control; arrow keys move in the table
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._worst = -1  # the row marked as the hardest digit, -1 for none

    def set_evaluation(self, ev: Evaluation) -> None:
        self.setRowCount(len(ev.classes))
        worst = int(np.argmin(ev.f1)) if len(ev.f1) and len(ev.classes) > 2 else -1
        self._worst = worst
        for i, c in enumerate(ev.classes):
            values: list[tuple[str, Any]] = [
                (str(int(c)), int(c)),
                (percent(ev.precision[i], RESULT_DIGITS), float(ev.precision[i])),
                (percent(ev.recall[i], RESULT_DIGITS), float(ev.recall[i])),
                (percent(ev.f1[i], RESULT_DIGITS), float(ev.f1[i])),
                (f"{int(ev.support[i]):,}", int(ev.support[i])),
            ]
            for column, (text, value) in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, value)
                align = Qt.AlignmentFlag.AlignCenter if column == 0 else Qt.AlignmentFlag.AlignRight
                item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
                if i == worst:
                    item.setToolTip("the hardest digit for this model (lowest F1)")
                self.setItem(i, column, item)
        self._mark_worst()

    def _mark_worst(self) -> None:
        """The hardest digit's row in an amber of the current scheme (light or dark)."""
        if not 0 <= self._worst < self.rowCount():
            return
        background = colours.colour("hard_row", self.palette())
        text = self.palette().color(QPalette.ColorRole.Text)
        for column in range(self.columnCount()):
            item = self.item(self._worst, column)
            if item is not None and item.background().color() != background:
                item.setBackground(background)
                item.setForeground(text)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if colours.is_palette_event(event):
            self._mark_worst()
