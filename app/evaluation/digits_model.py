"""The test digits the gallery shows: a chosen set of rows of an evaluation, captioned, drawn lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt

from app.text.numbers import RESULT_DIGITS, percent
from app.widgets.heatmap import digit_pixmap

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QPersistentModelIndex
    from PySide6.QtGui import QPixmap

    from training.evaluate import Evaluation

WIDEST_CAPTION = "true 8 · read 8 · >99.99%"  # the gallery's cells are sized for this


class TestDigitsModel(QAbstractListModel):
    """Test digits with captions; thumbnails are drawn only when the view shows them."""

    INDEX_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._images: np.ndarray | None = None
        self._rows: np.ndarray = np.zeros(0, dtype=int)  # positions in the evaluation's arrays
        self._evaluation: Evaluation | None = None
        self._pixmaps: dict[int, QPixmap] = {}

    def set_digits(self, evaluation: Evaluation, images: np.ndarray, rows: np.ndarray) -> None:
        """Show ``rows`` (positions in ``evaluation.labels``); ``images`` is the given test set."""
        self.beginResetModel()
        self._evaluation = evaluation
        self._images = images
        self._rows = np.asarray(rows, dtype=int)
        self._pixmaps.clear()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def caption(self, row: int) -> str:
        ev = self._evaluation
        assert ev is not None
        k = int(self._rows[row])
        confidence = percent(float(ev.confidence[k]), RESULT_DIGITS)  # as the rest of the window
        return f"true {int(ev.labels[k])} · read {int(ev.predicted[k])} · {confidence}"

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or self._evaluation is None or self._images is None:
            return None
        row = index.row()
        k = int(self._rows[row])
        if role == Qt.ItemDataRole.DisplayRole:
            return self.caption(row)
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self._pixmaps.get(row)
            if pixmap is None:
                position = k if self._evaluation.index is None else int(self._evaluation.index[k])
                pixmap = digit_pixmap(self._images[position], 56)
                self._pixmaps[row] = pixmap
            return pixmap
        if role == Qt.ItemDataRole.ToolTipRole:
            position = k if self._evaluation.index is None else int(self._evaluation.index[k])
            return f"{self.caption(row)} (test image #{position})"
        if role == self.INDEX_ROLE:
            return k
        return None
