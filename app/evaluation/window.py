"""Model > Evaluate...: how good a model is on the MNIST test set, and which digits it gets wrong.

Beside MNIST, a "Your samples" strip shows how the model reads the person's own labelled drawings,
counting only the ones it never trained on (see :func:`training.user_eval.user_report`).

The window opens at once and evaluates in a worker thread (loading the test set and predicting 10,000
digits takes about a second), then fills in: the accuracy, a per-class table, the confusion matrix as a
clickable heat map and a gallery of the mistakes. Each part is a small widget owning one thing; the
numbers all come from :func:`training.evaluate.evaluate`.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QThread,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QLinearGradient,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.widgets.heatmap import blend, digit_pixmap, readable_text_colour
from app.workers.thread_job import ThreadJob
from training.evaluate import Evaluation, evaluate
from training.user_eval import UserReport, UserSamples, load_user_samples, user_report

if TYPE_CHECKING:
    from PySide6.QtCore import (
        QPersistentModelIndex,
    )
    from PySide6.QtGui import (
        QFontMetrics,
        QMouseEvent,
        QPaintEvent,
    )
    from PySide6.QtWidgets import (
        QStyleOptionViewItem,
    )

log = logging.getLogger(__name__)

TestData = tuple[np.ndarray, np.ndarray]
CORRECT = QColor(46, 125, 50)  # diagonal cells: green, darker the higher the recall
CORRECT_LIGHT = QColor(232, 245, 233)
WRONG = QColor(198, 40, 40)  # off-diagonal cells: red, darker the more often that confusion happens


def mnist_test_set(data_dir: str | Path | None = None, download: bool = False) -> Callable[[], TestData]:
    """A loader for the MNIST test images and labels, to hand to :class:`EvaluationWindow`."""

    def load() -> TestData:
        from training.data import load_mnist

        _, _, X_test, y_test = load_mnist(data_dir, download=download)
        return X_test, y_test

    return load


def format_confidence(p: float) -> str:
    """A probability as a percentage that never overstates: 0.9996 is "99.9%", not "100%"."""
    if p >= 0.99:
        return f"{math.floor(p * 1000) / 10:.1f}%"
    return f"{math.floor(p * 100):.0f}%"


def _error_message(exc: BaseException) -> str:
    from training.data import DATA_ENV_VAR, MnistNotFoundError

    if isinstance(exc, MnistNotFoundError):
        return (
            f"{exc} (In the app: Model > Retrain… lets you choose a folder, or set {DATA_ENV_VAR} "
            "before starting it.)"
        )
    return f"{exc}" if str(exc) else type(exc).__name__


# ------------------------------------------------------------------------------- background work


class EvaluationWorker(QObject):
    """Loads the test data and evaluates the model, in a worker thread; emits one of two signals.

    Then, whatever MNIST gave, the user's samples are read and measured: ``userDone(UserReport)`` or
    ``userFailed(message)``.
    """

    done = Signal(object, object)  # Evaluation, images (n, 784) of the given test set
    failed = Signal(str)
    userDone = Signal(object)  # training.user_eval.UserReport
    userFailed = Signal(str)

    def __init__(
        self,
        estimator: Any,
        test_data: Callable[[], TestData],
        user_samples: Callable[[], UserSamples] | None = None,
    ) -> None:
        super().__init__()
        self.estimator = estimator
        self.test_data = test_data
        self.user_samples = user_samples

    @Slot()
    def run(self) -> None:
        try:
            try:
                X, y = self.test_data()
                evaluation = evaluate(self.estimator, X, y)
            except Exception as exc:  # shown in the window; the app keeps running
                log.exception("evaluation failed")
                self.failed.emit(_error_message(exc))
            else:
                self.done.emit(evaluation, X)
            if self.user_samples is not None:
                try:
                    report = user_report(self.estimator, self.user_samples())
                except Exception as exc:
                    log.exception("evaluating the user's samples failed")
                    self.userFailed.emit(_error_message(exc))
                else:
                    self.userDone.emit(report)
        finally:
            thread = QThread.currentThread()
            thread.quit()


class EvaluationJob(ThreadJob):
    """Owns the thread of one evaluation; ``done`` and ``failed`` arrive on the GUI thread."""

    done = Signal(object, object)  # Evaluation, the test images
    failed = Signal(str)
    userDone = Signal(object)
    userFailed = Signal(str)

    def __init__(
        self,
        estimator: Any,
        test_data: Callable[[], TestData],
        user_samples: Callable[[], UserSamples] | None = None,
    ) -> None:
        super().__init__()
        self._worker = EvaluationWorker(estimator, test_data, user_samples)
        self._thread_for(self._worker, "digit-canvas-evaluation")
        self._worker.done.connect(self.done)
        self._worker.failed.connect(self.failed)
        self._worker.userDone.connect(self.userDone)
        self._worker.userFailed.connect(self.userFailed)

    def start(self) -> None:
        self._start_thread()


# ------------------------------------------------------------------------------------- widgets


class ConfusionMatrixView(QWidget):
    """The confusion matrix as a heat map with the count in every cell; click a cell to pick it.

    Rows are the true digit, columns what the model read. Correct cells (the diagonal) are green by
    recall; mistakes are red, scaled to the most frequent confusion so rare ones still show.
    """

    cellClicked = Signal(int, int)  # true label, predicted label

    LEFT, TOP, RIGHT, BOTTOM = 52, 46, 12, 44

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionMatrix")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(280, 300)
        self.matrix = np.zeros((0, 0), dtype=int)
        self.classes: list[int] = []
        self.selected: tuple[int, int] | None = None  # (row, column)
        self._hover: tuple[int, int] | None = None

    def sizeHint(self) -> QSize:
        return QSize(480, 500)

    def set_matrix(self, matrix: np.ndarray, classes: list[int] | np.ndarray) -> None:
        self.matrix = np.asarray(matrix, dtype=int)
        self.classes = [int(c) for c in classes]
        self.selected = None
        self.update()

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

    def cell_colour(self, row: int, column: int) -> QColor:
        count = int(self.matrix[row, column])
        if row == column:
            total = max(int(self.matrix[row].sum()), 1)
            return blend(CORRECT_LIGHT, CORRECT, count / total)
        off = self.matrix.copy()
        np.fill_diagonal(off, 0)
        worst = max(int(off.max()), 1)
        return blend(QColor(Qt.GlobalColor.white), WRONG, math.sqrt(count / worst))

    # painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(self.rect(), self.palette().base())
        k = len(self.classes)
        if k == 0:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Evaluating…")
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
                    painter.setPen(QColor(190, 190, 190))
                else:
                    painter.setPen(readable_text_colour(colour))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{count:,}")
        grid = QPen(QColor(225, 225, 225))
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
            painter.setPen(QPen(QColor(30, 30, 30, 140), 2))
            painter.drawRect(self.cell_rect(*self._hover).adjusted(1, 1, -1, -1))
        if self.selected is not None:
            painter.setPen(QPen(QColor(20, 20, 20), 3))
            painter.drawRect(self.cell_rect(*self.selected).adjusted(1, 1, -2, -2))

        self._paint_legend(painter, first.left(), last.bottom() + 14, last.right() - first.left())
        painter.end()

    def _paint_legend(self, painter: QPainter, x: int, y: int, width: int) -> None:
        """Two keys: the green of correct reads and the white-to-red scale of mistakes."""
        off = self.matrix.copy()
        np.fill_diagonal(off, 0)
        worst = int(off.max())
        font = QFont(self.font())
        font.setPixelSize(11)
        painter.setFont(font)
        painter.setPen(self.palette().text().color())
        painter.fillRect(QRect(x, y + 3, 12, 12), CORRECT)
        painter.drawText(QRect(x + 16, y, 120, 18), Qt.AlignmentFlag.AlignVCenter, "correct (by recall)")
        bar_x = x + max(width // 2, 140)
        bar_w = max(width - (bar_x - x) - 40, 40)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRect(bar_x - 64, y, 60, 18), right, "mistakes 0")
        gradient = QLinearGradient(bar_x, 0, bar_x + bar_w, 0)
        for t in np.linspace(0.0, 1.0, 9):
            gradient.setColorAt(float(t), blend(QColor(Qt.GlobalColor.white), WRONG, math.sqrt(t)))
        painter.fillRect(QRectF(bar_x, y + 3, bar_w, 12), gradient)
        painter.setPen(QColor(200, 200, 200))
        painter.drawRect(QRectF(bar_x, y + 3, bar_w, 12))
        painter.setPen(self.palette().text().color())
        painter.drawText(QRect(bar_x + bar_w + 4, y, 40, 18), Qt.AlignmentFlag.AlignVCenter, f"{worst:,}")

    # mouse

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if cell != self._hover:
            self._hover = cell
            self.update()
        if cell is not None:
            i, j = cell
            count = int(self.matrix[i, j])
            total = max(int(self.matrix[i].sum()), 1)
            t, p = self.classes[i], self.classes[j]
            what = f"{t} read correctly" if i == j else f"true {t} read as {p}"
            tip = f"{what}: {count:,} test digits ({count / total:.1%} of the {t}s). Click to see them."
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
        self.selected = cell
        self.update()
        self.cellClicked.emit(self.classes[cell[0]], self.classes[cell[1]])


class DigitGalleryModel(QAbstractListModel):
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
        confidence = format_confidence(float(ev.confidence[k]))
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


class DigitDelegate(QStyledItemDelegate):
    """Paints a thumbnail with its caption centred under it, the whole caption always visible."""

    PAD = 6

    def __init__(self, icon: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = icon

    def cell_size(self, metrics: QFontMetrics) -> QSize:
        width = metrics.horizontalAdvance("true 8 · read 8 · 99.9%") + 2 * self.PAD
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
            painter.setPen(QColor(215, 215, 215))
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
    """A grid of digit thumbnails with their captions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(56, 56))
        self.delegate = DigitDelegate(56, self)
        self.setItemDelegate(self.delegate)
        self.setGridSize(self.delegate.cell_size(self.fontMetrics()))
        self.setMouseTracking(True)
        self.setSpacing(0)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.gallery_model = DigitGalleryModel(self)
        self.setModel(self.gallery_model)


class PerClassTable(QTableWidget):
    """Precision, recall, F1 and support of every class; exact values are in ``Qt.UserRole``."""

    COLUMNS = ("Digit", "Precision", "Recall", "F1", "Support")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("perClassTable")
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


def _samples(n: int | None) -> str:
    return f"{n} sample{'' if n == 1 else 's'}"


def describe_user_report(report: UserReport) -> tuple[str, str]:
    """The "Your handwriting" headline and detail line for a report (plain text)."""
    if report.n_all == 0:
        return (
            "Your handwriting: no samples yet",
            "Press a digit key on the canvas (or click a class bar) to save a drawing with its label. "
            "After retraining with them, this shows how well the model reads your hand.",
        )
    if report.n_samples == 0:
        return (
            "Your handwriting: none of your samples are digits this model knows",
            f"You have {_samples(report.n_all)}; the 0-vs-1 model reads only 0s and 1s.",
        )
    details = []
    if report.n_unseen and report.n_trained == 0:
        headline = (
            f"Your handwriting: {report.unseen_accuracy:.0%} of your {_samples(report.n_unseen)} read "
            "correctly (this model never trained on them)"
        )
        details.append("Retrain with them (Model > Retrain…) to teach it your hand.")
    elif report.n_unseen:
        headline = (
            f"Your handwriting: {report.unseen_accuracy:.0%} of the {_samples(report.n_unseen)} this model "
            "never trained on read correctly"
        )
    else:
        headline = (
            f"Your handwriting: this model trained on all {_samples(report.n_trained)}, so none are left "
            "to test it"
        )
    if report.cv_accuracy is not None:
        details.append(
            f"Cross-validated when it was trained: {report.cv_accuracy:.0%} ({report.cv_folds} folds, "
            f"{_samples(report.n_cv)})."
        )
    if report.n_trained:
        details.append(f"On the {_samples(report.n_trained)} it trained on: {report.trained_accuracy:.0%}.")
    return headline, " ".join(details)


class UserSamplesStrip(QFrame):
    """One card under the MNIST headline: how the model reads the person's own samples."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userSamples")
        self.setStyleSheet(
            "QFrame#userSamples { background: palette(base); border: 1px solid palette(midlight);"
            " border-radius: 8px; }"
        )
        self.headline = QLabel("Your handwriting: reading your samples…")
        self.headline.setObjectName("userSamplesHeadline")
        bold = QFont(self.headline.font())
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        bold.setBold(True)
        self.headline.setFont(bold)
        self.headline.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setObjectName("userSamplesDetail")
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: palette(dark);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)

    def set_report(self, report: UserReport) -> None:
        headline, detail = describe_user_report(report)
        self.headline.setText(headline)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))

    def set_failure(self, message: str) -> None:
        self.headline.setText("Your handwriting: your samples could not be read")
        self.detail.setText(message)


class EvaluationWindow(QWidget):
    """How a model does on the MNIST test set: accuracy, per-class table, confusion matrix, mistakes.

    ``test_data()`` returns ``(X_test, y_test)`` and runs in a worker thread, as does the evaluation,
    so the window (and the app) never blocks. ``evaluated`` fires when the numbers are in, ``failed``
    with a message otherwise. ``evaluation`` holds the :class:`training.evaluate.Evaluation`.
    """

    evaluated = Signal(object)
    failed = Signal(str)
    userEvaluated = Signal(object)  # training.user_eval.UserReport

    def __init__(
        self,
        estimator: Any,
        test_data: Callable[[], TestData] | None = None,
        parent: QWidget | None = None,
        *,
        title: str | None = None,
        start: bool = True,
        user_samples: Callable[[], UserSamples] | None = load_user_samples,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)  # a window of its own, owned by the parent
        self.setObjectName("evaluationWindow")
        self.estimator = estimator
        self.test_data = test_data if test_data is not None else mnist_test_set()
        self.user_samples = user_samples
        self.user_report: UserReport | None = None
        self.evaluation: Evaluation | None = None
        self.images: np.ndarray | None = None
        meta = getattr(estimator, "metadata_", {}) or {}
        self.model_title = title or meta.get("label") or type(estimator).__name__
        features = getattr(estimator, "features_", None)
        self.model_features = features.describe() if features is not None else "pixels"
        self.setWindowTitle(f"Evaluation: {self.model_title}")
        self.resize(1080, 820)

        self.headline = QLabel("Evaluating on the MNIST test set…")
        self.headline.setObjectName("accuracyLabel")
        big = QFont(self.headline.font())
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        self.headline.setFont(big)
        self.details = QLabel(f"{html.escape(self.model_title)} · features: {self.model_features}")
        self.details.setObjectName("detailsLabel")
        self.details.setStyleSheet("color: palette(dark);")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)

        self.matrix = ConfusionMatrixView()
        self.table = PerClassTable()
        self.gallery = DigitGallery()
        self.gallery.setObjectName("misclassifiedGallery")
        self.gallery_title = QLabel("")
        self.gallery_title.setObjectName("galleryTitle")
        bold = QFont(self.gallery_title.font())
        bold.setBold(True)
        self.gallery_title.setFont(bold)
        self.show_all = QPushButton("Show all mistakes")
        self.show_all.setObjectName("showAllMistakes")
        self.show_all.setVisible(False)

        matrix_box = QWidget()
        matrix_layout = QVBoxLayout(matrix_box)
        matrix_layout.setContentsMargins(0, 0, 0, 0)
        matrix_layout.addWidget(self._caption("Confusion matrix (click a cell to see those digits)"))
        matrix_layout.addWidget(self.matrix, 1)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self._caption("Per digit"))
        table_layout.addWidget(self.table, 1)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(matrix_box)
        top.addWidget(table_box)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        top.setSizes([600, 460])
        top.setChildrenCollapsible(False)

        gallery_box = QWidget()
        gallery_layout = QVBoxLayout(gallery_box)
        gallery_layout.setContentsMargins(0, 0, 0, 0)
        gallery_header = QHBoxLayout()
        gallery_header.addWidget(self.gallery_title, 1)
        gallery_header.addWidget(self.show_all)
        gallery_layout.addLayout(gallery_header)
        gallery_layout.addWidget(self.gallery, 1)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(gallery_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([500, 250])
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.details)
        layout.addWidget(self.busy)
        self.user_strip = UserSamplesStrip()
        self.user_strip.setVisible(user_samples is not None)
        layout.addWidget(self.user_strip)
        layout.addWidget(split, 1)

        self.matrix.cellClicked.connect(self.show_cell)
        self.show_all.clicked.connect(self.show_mistakes)
        self._job: EvaluationJob | None = None
        if start:
            self.start()

    @staticmethod
    def _caption(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("color: palette(dark); font-weight: 600;")
        return label

    def start(self) -> None:
        """Evaluate (again) in a worker thread."""
        self.busy.setVisible(True)
        self._job = EvaluationJob(self.estimator, self.test_data, self.user_samples)
        self._job.done.connect(self._on_done)
        self._job.failed.connect(self._on_failed)
        self._job.userDone.connect(self._on_user_done)
        self._job.userFailed.connect(self.user_strip.set_failure)
        self._job.start()

    def is_running(self) -> bool:
        return self._job is not None and self.evaluation is None and not self.busy.isHidden()

    @Slot(object, object)
    def _on_done(self, evaluation: Evaluation, images: np.ndarray) -> None:
        self.evaluation = evaluation
        self.images = images
        self.busy.setVisible(False)
        ev = evaluation
        n = len(ev.labels)
        errors = int((ev.predicted != ev.labels).sum())
        what = "test digits" if len(ev.classes) > 2 else f"test {'s and '.join(map(str, ev.classes))}s"
        self.headline.setText(f"{ev.accuracy:.2%} of {n:,} MNIST {what} read correctly")
        self.details.setText(
            f"{errors:,} mistakes · {html.escape(self.model_title)} · features: {self.model_features} · "
            f"evaluated in {ev.seconds:.1f} s"
        )
        self.matrix.set_matrix(ev.confusion, ev.classes)
        self.table.set_evaluation(ev)
        self.show_mistakes()
        self.evaluated.emit(ev)

    @Slot(object)
    def _on_user_done(self, report: UserReport) -> None:
        self.user_report = report
        self.user_strip.set_report(report)
        self.userEvaluated.emit(report)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.busy.setVisible(False)
        self.headline.setText("Could not evaluate the model")
        self.details.setText(message)
        self.details.setWordWrap(True)
        self.failed.emit(message)

    @Slot()
    def show_mistakes(self) -> None:
        """Fill the gallery with every misclassified digit, most confident mistakes first."""
        if self.evaluation is None or self.images is None:
            return
        rows = self.evaluation.misclassified
        self.matrix.select(None)
        self.gallery.gallery_model.set_digits(self.evaluation, self.images, rows)
        self.gallery_title.setText(f"Misclassified test digits ({len(rows):,}), most confident first")
        self.show_all.setVisible(False)

    @Slot(int, int)
    def show_cell(self, true_label: int, predicted_label: int) -> None:
        """Fill the gallery with the test digits of one confusion-matrix cell."""
        ev = self.evaluation
        if ev is None or self.images is None:
            return
        rows = np.flatnonzero((ev.labels == true_label) & (ev.predicted == predicted_label))
        rows = rows[np.argsort(-ev.confidence[rows], kind="stable")]
        self.matrix.select(true_label, predicted_label)
        self.gallery.gallery_model.set_digits(ev, self.images, rows)
        if true_label == predicted_label:
            title = f"{true_label} read correctly: {len(rows):,} test digits, most confident first"
        else:
            title = f"True {true_label} read as {predicted_label}: {len(rows):,} test digits"
        self.gallery_title.setText(title)
        self.gallery.scrollToTop()
        self.show_all.setVisible(True)
