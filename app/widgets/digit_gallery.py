"""A grid of digit thumbnails with their captions: the evaluation's test digits, the person's samples."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate

from app.widgets import colours

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
    from PySide6.QtGui import QFontMetrics, QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem, QWidget


class DigitDelegate(QStyledItemDelegate):
    """Paints a thumbnail with its caption centred under it, the whole caption always visible."""

    PAD = 6

    def __init__(self, icon: int, widest_caption: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = icon
        self.widest_caption = widest_caption  # every cell is wide enough for this caption

    def cell_size(self, metrics: QFontMetrics) -> QSize:
        width = metrics.horizontalAdvance(self.widest_caption) + 2 * self.PAD
        return QSize(max(width, self.icon + 2 * self.PAD), self.icon + metrics.height() + 3 * self.PAD)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return self.cell_size(option.fontMetrics)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        rect = option.rect.adjusted(2, 2, -2, -2)
        palette = option.palette
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, palette.highlight())
            text_colour = palette.highlightedText().color()
        else:
            if option.state & QStyle.StateFlag.State_MouseOver:
                painter.fillRect(rect, palette.alternateBase())
            text_colour = palette.text().color()
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap):
            x = rect.left() + (rect.width() - pixmap.width()) // 2
            painter.drawPixmap(x, rect.top() + self.PAD, pixmap)
            painter.setPen(colours.colour("frame", palette))
            painter.drawRect(x - 1, rect.top() + self.PAD - 1, pixmap.width() + 1, pixmap.height() + 1)
        caption = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        text_rect = QRect(
            rect.left(), rect.top() + 2 * self.PAD + self.icon, rect.width(), option.fontMetrics.height()
        )
        painter.setPen(text_colour)
        elided = option.fontMetrics.elidedText(caption, Qt.TextElideMode.ElideRight, text_rect.width())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, elided)
        painter.restore()


class DigitGallery(QListView):
    """A grid of digit thumbnails with their captions, painted by ``delegate``, for any list model."""

    def __init__(
        self,
        delegate: DigitDelegate,
        *,
        multiple: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """``multiple`` lets the person select several thumbnails at once (to delete them together)."""
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(delegate.icon, delegate.icon))
        delegate.setParent(self)
        self.delegate = delegate
        self.setItemDelegate(delegate)
        self.setGridSize(delegate.cell_size(self.fontMetrics()))
        self.setMouseTracking(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        mode = QAbstractItemView.SelectionMode
        self.setSelectionMode(mode.ExtendedSelection if multiple else mode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
