"""Model > Evaluate...: how good a model is on the MNIST test set, and which digits it gets wrong.

Beside MNIST, a "Your samples" strip shows how the model reads the person's own labelled drawings,
counting only the ones it never trained on (see :func:`training.user_eval.user_report`).

The window opens at once and evaluates in a worker thread, then fills in: the accuracy, a per-class
table, the confusion matrix as a clickable heat map and a gallery of the mistakes. Each part is a small
widget owning one thing; the numbers all come from :func:`training.evaluate.evaluate`. When MNIST cannot
be had (the download failed, a folder's files are damaged), the window says so in one sentence and
offers to download it or choose a folder, then evaluates again in place (:meth:`restart`).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.evaluation.confusion_matrix import ConfusionMatrixView
from app.evaluation.digits_model import WIDEST_CAPTION, TestDigitsModel
from app.evaluation.failure import Failure, describe_failure, samples_failure
from app.evaluation.failure_panel import FailurePanel
from app.evaluation.per_class_table import PerClassTable
from app.evaluation.user_strip import UserSamplesStrip
from app.text.errors import typed_clause
from app.text.numbers import RESULT_DIGITS, format_seconds, percent
from app.widgets.actions import add_close_keys
from app.widgets.digit_gallery import DigitDelegate, DigitGallery
from app.widgets.headings import heading
from app.widgets.reliability_diagram import ReliabilityDiagram
from app.workers.background_job import BackgroundJob
from training.evaluate import Evaluation, evaluate_everything
from training.loaders import TestData, mnist_test_set
from training.user_eval import UserReport, UserSamples, load_user_samples

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

log = logging.getLogger(__name__)

RELIABILITY_MINIMUM = 240  # pixels: the diagram's square, its axis labels and their titles fit


def _sentence(exc: BaseException) -> str:
    """What the window says when its work itself broke (not the evaluation it runs): the failure's
    sentence, with the exception's type and first clause when it is not about MNIST (logged too)."""
    failure = describe_failure(exc)
    if failure.offers_data:
        return failure.sentence
    log.error("the evaluation's worker failed", exc_info=exc)
    return f"{failure.sentence.rstrip('.')} ({typed_clause(exc)})."


class EvaluationWindow(QWidget):
    """How a model does on the MNIST test set: accuracy, per-class table, confusion matrix, mistakes.

    ``test_data()`` returns ``(X_test, y_test)`` and runs in a worker thread, as does the evaluation,
    so the window (and the app) never blocks. ``evaluated`` fires when the numbers are in, ``failed``
    otherwise, with the sentence the window shows (:attr:`failure`, its details folded away).
    ``evaluation`` holds the :class:`training.evaluate.Evaluation`. After a failure MNIST could fix,
    ``downloadRequested`` and ``folderRequested`` say which the person clicked; the owner answers with
    :meth:`restart`.
    ``title`` is the model's name alone (default: its metadata label): the window adds "Evaluation: " to
    its title and says the name in its details line.
    """

    evaluated = Signal(object)
    failed = Signal(str)
    userEvaluated = Signal(object)  # training.user_eval.UserReport
    downloadRequested = Signal()  # Try again / Download, after a failure
    folderRequested = Signal()  # Choose folder…, after a failure

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
        self.failure: Failure | None = None
        self.images: np.ndarray | None = None
        self._downloading = False  # MNIST is (or was, when it failed) downloading
        self._user_heard = False  # the worker said how the person's samples read
        meta = getattr(estimator, "metadata_", {}) or {}
        self.model_title = title or meta.get("label") or type(estimator).__name__
        features = getattr(estimator, "features_", None)
        self.model_features = features.describe() if features is not None else "pixels"
        self.setWindowTitle(f"Evaluation: {self.model_title}")
        add_close_keys(self)
        self.resize(1080, 820)

        self.headline = heading("Evaluating on the MNIST test set…", "accuracyLabel", 1.6)
        self.details = QLabel(self._model_line())
        self.details.setObjectName("detailsLabel")
        self.details.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelEvaluation")
        self.cancel_button.setToolTip("Stop downloading MNIST")
        self.cancel_button.hide()
        self.failure_panel = FailurePanel()

        self.matrix = ConfusionMatrixView()
        self.table = PerClassTable()
        self.gallery = DigitGallery(DigitDelegate(56, WIDEST_CAPTION))
        self.gallery.setSpacing(0)
        self.gallery.gallery_model = TestDigitsModel(self.gallery)
        self.gallery.setModel(self.gallery.gallery_model)
        self.gallery.setObjectName("misclassifiedGallery")
        self.gallery.setAccessibleName("Test digits")
        self.gallery.setAccessibleDescription(
            "The test digits of the chosen confusion-matrix cell (at first every mistake), each with "
            "its true and predicted digit and the model's confidence"
        )
        self.gallery_title = heading("", "galleryTitle")
        self.show_all = QPushButton("Show all mistakes")
        self.show_all.setObjectName("showAllMistakes")
        self.show_all.setVisible(False)

        matrix_box = _stacked(
            self._caption("Confusion matrix (click a cell to see those digits)"), self.matrix
        )
        table_box = _stacked(self._caption("Per digit"), self.table)
        self.reliability = ReliabilityDiagram()
        self.reliability.setObjectName("reliabilityDiagram")
        self.reliability.clear("Evaluating…")
        self.calibration_note = QLabel("")
        self.calibration_note.setObjectName("calibrationNote")
        self.calibration_note.setWordWrap(True)
        calibration = QWidget()
        # The note goes beside the square diagram, in the room its square leaves, so the diagram's
        # axis labels never run into the note's lines however the splitters share the height.
        calibration_layout = QHBoxLayout(calibration)
        calibration_layout.setContentsMargins(0, 0, 0, 0)
        self.reliability.setMinimumSize(RELIABILITY_MINIMUM, RELIABILITY_MINIMUM)
        calibration_layout.addWidget(self.reliability, 3)
        self.calibration_note.setMinimumWidth(160)
        calibration_layout.addWidget(self.calibration_note, 2, Qt.AlignmentFlag.AlignTop)
        calibration_box = _stacked(
            self._caption("Calibration: is it right as often as it is sure?"), calibration
        )
        right = _split(Qt.Orientation.Vertical, table_box, calibration_box, [260, 300])
        top = _split(Qt.Orientation.Horizontal, matrix_box, right, [600, 460])

        gallery_header = QHBoxLayout()
        gallery_header.addWidget(self.gallery_title, 1)
        gallery_header.addWidget(self.show_all)
        gallery_box = _stacked(gallery_header, self.gallery)

        split = _split(Qt.Orientation.Vertical, top, gallery_box, [500, 250])

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.details)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy, 1)
        busy_row.addWidget(self.cancel_button)
        layout.addLayout(busy_row)
        layout.addWidget(self.failure_panel)
        self.user_strip = UserSamplesStrip()
        self.user_strip.setVisible(user_samples is not None)
        layout.addWidget(self.user_strip)
        layout.addWidget(split, 1)

        self.matrix.cellClicked.connect(self.show_cell)
        self.show_all.clicked.connect(self.show_mistakes)
        self.cancel_button.clicked.connect(self.cancel)
        self.failure_panel.downloadRequested.connect(self.downloadRequested)
        self.failure_panel.folderRequested.connect(self.folderRequested)
        self._job: BackgroundJob | None = None
        if start:
            self.start()

    @staticmethod
    def _caption(text: str) -> QLabel:
        label = QLabel(text)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = label.font()
        font.setWeight(QFont.Weight.DemiBold)
        label.setFont(font)
        return label

    def _model_line(self) -> str:
        return f"{html.escape(self.model_title)} · features: {self.model_features}"

    def start(self) -> None:
        """Evaluate in a worker thread."""
        self.failure = None
        self.failure_panel.hide()
        self._downloading = self._user_heard = False
        self.headline.setText("Evaluating on the MNIST test set…")
        self.details.setText(self._model_line())
        self.busy.setVisible(True)
        self.busy.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.matrix.set_placeholder("Evaluating…")
        self.reliability.clear("Evaluating…")
        if self.user_samples is not None:
            self.user_strip.set_reading()
        self._job = BackgroundJob("digit-canvas-evaluation", describe=_sentence)
        self._job.reported.connect(self._on_reported)
        self._job.failed.connect(self._on_failed)
        self._job.stopped.connect(self._on_stopped)
        estimator, test_data, user_samples = self.estimator, self.test_data, self.user_samples
        self._job.start_with_progress(
            lambda progress, cancel: evaluate_everything(estimator, test_data, user_samples, progress, cancel)
        )

    def restart(self, test_data: Callable[..., TestData]) -> None:
        """Evaluate again after a failure, on ``test_data`` (MNIST downloaded, or another folder)."""
        if self._job is not None:  # what the failed job still reports is no longer this window's
            self._job.reported.disconnect(self._on_reported)
            self._job.failed.disconnect(self._on_failed)
            self._job.stopped.disconnect(self._on_stopped)
            self._job.cancel()
        self.test_data = test_data
        self.start()

    def show_refusal(self, message: str) -> None:
        """Say why a folder the person chose cannot be used, keeping the ways on (after a failure)."""
        if self.failure is not None:
            self.failure = Failure(message, offers_data=True, after_download=self.failure.after_download)
            self.failure_panel.show_failure(self.failure)

    def cancel(self) -> None:
        """Stop downloading MNIST (the evaluation itself takes a second or two and is not cut short).

        This sets the job's own cancel flag, the one the app's quit sets too.
        """
        if self._job is not None:
            self._job.cancel()
        self.cancel_button.setEnabled(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        """A closed window has no one to show the numbers to: stop a download or what is left."""
        if self._job is not None and self._job.is_running():
            self._job.cancel()  # the job keeps itself alive until its thread ends
        super().closeEvent(event)

    def is_running(self) -> bool:
        return self._job is not None and self.evaluation is None and not self.busy.isHidden()

    @Slot(object)
    def _on_reported(self, part: tuple[str, Any]) -> None:
        kind, payload = part
        if kind == "progress":
            self._on_progress(payload)
        elif kind == "done":
            self._on_done(*payload)
        elif kind == "failed":
            self._fail(describe_failure(payload, self._downloading))
        elif kind == "user done":
            self._on_user_done(payload)
        else:
            self._user_heard = True
            self.user_strip.set_failure(samples_failure(payload))

    def _on_progress(self, progress: Any) -> None:
        if progress.stage != "downloading":
            return
        self._downloading = True
        self.cancel_button.show()
        self.headline.setText("Downloading MNIST to evaluate the model…")
        self.details.setText(progress.message)
        if progress.fraction is not None:
            self.busy.setRange(0, 1000)
            self.busy.setValue(round(1000 * progress.fraction))

    def _on_done(self, evaluation: Evaluation, images: np.ndarray) -> None:
        self.evaluation = evaluation
        self.images = images
        self.busy.setVisible(False)
        self.cancel_button.hide()
        ev = evaluation
        n = len(ev.labels)
        errors = int((ev.predicted != ev.labels).sum())
        what = "test digits" if len(ev.classes) > 2 else f"test {'s and '.join(map(str, ev.classes))}s"
        self.headline.setText(f"{percent(ev.accuracy, RESULT_DIGITS)} of {n:,} MNIST {what} read correctly")
        self.details.setText(
            f"{errors:,} mistakes · {html.escape(self.model_title)} · features: {self.model_features} · "
            f"evaluated in {format_seconds(ev.seconds)}"
        )
        self.matrix.set_matrix(ev.confusion, ev.classes)
        self.table.set_evaluation(ev)
        self.reliability.set_reliability(*ev.reliability())
        self.calibration_note.setText(
            self.reliability.summary() + " Bars: the share read right among the digits answered with "
            "that confidence; orange: the gap to the diagonal, where a calibrated model's bars end (brown "
            "where it lies over a bar: the model was right more often than it was sure)."
        )
        self.show_mistakes()
        self.evaluated.emit(ev)

    def _on_user_done(self, report: UserReport) -> None:
        self._user_heard = True
        self.user_report = report
        self.user_strip.set_report(report)
        self.userEvaluated.emit(report)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        """The work itself broke (not the evaluation it runs): only its message is known."""
        self._fail(Failure(message))

    def _fail(self, failure: Failure) -> None:
        self.busy.setVisible(False)
        self.cancel_button.hide()
        self.headline.setText("Could not evaluate the model")
        self.details.setText(self._model_line())  # not the download's last progress
        self.matrix.set_placeholder("")  # nothing is going on any more
        self.gallery_title.setText("")
        self.reliability.clear("")
        self.calibration_note.setText("")
        self.failure = failure
        self.failure_panel.show_failure(failure)
        self.failed.emit(failure.sentence)

    @Slot()
    def _on_stopped(self) -> None:
        if not self._user_heard:  # cancelled before the person's samples were read: say nothing of them
            self.user_strip.setVisible(False)

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


def _stacked(head: QWidget | QHBoxLayout, body: QWidget) -> QWidget:
    """``head`` over ``body``, without margins; ``body`` takes the height left."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    if isinstance(head, QWidget):
        layout.addWidget(head)
    else:
        layout.addLayout(head)
    layout.addWidget(body, 1)
    return box


def _split(orientation: Qt.Orientation, first: QWidget, second: QWidget, sizes: list[int]) -> QSplitter:
    """``first`` and ``second`` side by side (or one over the other), sharing space 3 to 2."""
    splitter = QSplitter(orientation)
    splitter.addWidget(first)
    splitter.addWidget(second)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes(sizes)
    splitter.setChildrenCollapsible(False)
    return splitter
