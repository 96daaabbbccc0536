"""The samples the gallery shows: thumbnails read lazily from their files, a "test" badge on held-out ones."""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt, QUrl
from PySide6.QtGui import QFont, QPainter, QPen, QPixmap

from app.widgets import colours
from app.widgets.digit_gallery import DigitDelegate
from app.widgets.heatmap import digit_pixmap
from model.pictures import picture_size
from training.user_eval import HOLDOUT_EVERY

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QPersistentModelIndex
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyleOptionViewItem

    from training.samples import Sample

THUMB = 56
MAX_TOOLTIP_SIDE = 2048  # the app saves drawings at the canvas size; a larger file is not shown
SAMPLE_ROLE = Qt.ItemDataRole.UserRole + 1
HELD_OUT_ROLE = Qt.ItemDataRole.UserRole + 2
WIDEST_CAPTION = "8 · 28 Sep"  # the gallery's cells are sized for this


def _when(sample: Sample) -> datetime | None:
    try:
        return sample.created.astimezone()
    except OSError:  # deleted by hand meanwhile
        return None


def caption(sample: Sample, today: datetime | None = None) -> str:
    """The digit and when it was saved: the time today, the date before (the tooltip has both)."""
    when = _when(sample)
    if when is None:
        return str(sample.label)
    today = today or datetime.now().astimezone()
    stamp = f"{when:%H:%M}" if when.date() == today.date() else f"{when:%d %b}"
    return f"{sample.label} · {stamp}"


class SampleListModel(QAbstractListModel):
    """The samples shown, with thumbnails read lazily (and once) from their 28x28 PNG files."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Sample] = []
        self._held: set[str] = set()
        self._pixmaps: dict[str, QPixmap] = {}

    def set_samples(self, samples: list[Sample], held_out: set[str]) -> None:
        self.beginResetModel()
        self._rows = list(samples)
        self._held = set(held_out)
        keep = {s.sample_id for s in samples}
        self._pixmaps = {k: v for k, v in self._pixmaps.items() if k in keep}
        self.endResetModel()

    def sample(self, row: int) -> Sample:
        return self._rows[row]

    def samples(self) -> list[Sample]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        sample = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return caption(sample)
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self._pixmaps.get(sample.sample_id)
            if pixmap is None:
                try:
                    pixmap = digit_pixmap(sample.image().reshape(28, 28), THUMB)
                except (OSError, ValueError):
                    pixmap = QPixmap(THUMB, THUMB)
                    pixmap.fill(colours.colour("missing_picture"))
                self._pixmaps[sample.sample_id] = pixmap
            return pixmap
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(sample)
        if role == SAMPLE_ROLE:
            return sample
        if role == HELD_OUT_ROLE:
            return sample.sample_id in self._held
        return None

    def _tooltip(self, sample: Sample) -> str:
        when = _when(sample)
        head = f"<b>A {sample.label}</b>"
        lines = [f"{head}, saved {when:%Y-%m-%d %H:%M}" if when else head]
        if sample.sample_id in self._held:
            lines.append(
                f"Kept aside to test retrained models (every {HOLDOUT_EVERY}th {sample.label} is), "
                "never trained on."
            )
        size = None if sample.drawing_path is None else picture_size(sample.drawing_path)
        if size is not None and max(size) <= MAX_TOOLTIP_SIDE:  # Qt decodes it whole, on this thread
            url = QUrl.fromLocalFile(str(sample.drawing_path)).toString()
            lines.append(f'<img src="{html.escape(url)}" width="120" height="120">')
        return "<br>".join(lines)


class SampleDelegate(DigitDelegate):
    """The evaluation window's thumbnail-and-caption cell, plus a "test" badge on held-out samples."""

    def cell_size(self, metrics: QFontMetrics) -> QSize:
        width = max(metrics.horizontalAdvance(self.widest_caption) + 2 * self.PAD, self.icon + 4 * self.PAD)
        return QSize(width, self.icon + metrics.height() + 3 * self.PAD)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        if not index.data(HELD_OUT_ROLE):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(2, 2, -2, -2)
        left = rect.left() + (rect.width() - self.icon) // 2
        thumb = QRect(left, rect.top() + self.PAD, self.icon, self.icon)
        amber = colours.colour("held_out", option.palette)
        painter.setPen(QPen(amber, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(thumb.adjusted(-1, -1, 0, 0))
        font = QFont(option.font)
        font.setPixelSize(9)
        font.setBold(True)
        painter.setFont(font)
        badge = QRect(thumb.right() - 16, thumb.top() - 6, 26, 13)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(amber)
        painter.drawRoundedRect(badge, 6, 6)
        painter.setPen(colours.colour("held_out_text", option.palette))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "test")
        painter.restore()
