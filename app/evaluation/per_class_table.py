"""Precision, recall, F1 and support of every digit, the hardest one marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableWidget, QTableWidgetItem

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from training.evaluate import Evaluation


class PerClassTable(QTableWidget):
    """Precision, recall, F1 and support of every class; exact values are in ``Qt.UserRole``."""

    COLUMNS = ("Digit", "Precision", "Recall", "F1", "Support")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("perClassTable")
        self.setAccessibleName("Precision, recall and F1 of each digit")
        self.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def set_evaluation(self, ev: Evaluation) -> None:
        self.setRowCount(len(ev.classes))
        worst = int(np.argmin(ev.f1)) if len(ev.f1) else -1
        for i, c in enumerate(ev.classes):
            values: list[tuple[str, Any]] = [
                (str(int(c)), int(c)),
                (f"{ev.precision[i]:.2%}", float(ev.precision[i])),
                (f"{ev.recall[i]:.2%}", float(ev.recall[i])),
                (f"{ev.f1[i]:.2%}", float(ev.f1[i])),
                (f"{int(ev.support[i]):,}", int(ev.support[i])),
            ]
            for column, (text, value) in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, value)
                align = Qt.AlignmentFlag.AlignCenter if column == 0 else Qt.AlignmentFlag.AlignRight
                item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
                if i == worst and len(ev.classes) > 2:
                    item.setToolTip("the hardest digit for this model (lowest F1)")
                    item.setBackground(QColor(255, 236, 209))
                self.setItem(i, column, item)
