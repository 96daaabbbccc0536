"""Model > Show weights: what each class looks for, drawn as 28x28 maps.

Red pixels are evidence for the class, blue pixels evidence against, white means "does not matter"
(in a dark scheme the middle of the scale is the near-black of the background instead).
A model on pixels shows its weights themselves. The one-vs-rest model reads features (deskew, principal
components, their products, stroke directions), so it shows two honest pictures instead, each said for
what it is: the weights of its components alone mapped back into the pixels of the deskewed digit (the
straight-line part of what it looks for), and, when MNIST's test digits are at hand, where ink counted
for each digit on average over its own test digits (:func:`model.explain.mean_explanations`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.widgets.actions import add_close_keys
from app.widgets.headings import heading
from app.widgets.scale_bar import ScaleBar
from app.widgets.weight_map import SIDE, WeightMap

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtCore import QPoint

    from app.evaluation.failure import Failure
    from training.progress import CancelFlag

MEAN_PER_CLASS = 200  # test digits per class averaged for the mean explanations
REPORT_EVERY = 50  # explained digits between two progress reports
ACTIVE_PIXEL_STD = 0.1  # pixels whose ink varies less than this over the training digits are "rarely used"


@dataclass
class WeightMaps:
    """Per-class pixel weights, or the reason there are none."""

    labels: list[str]
    maps: list[np.ndarray]  # each (28, 28)
    note: str = ""  # shown above the maps
    explanation: str = ""  # set instead of maps when the weights are not in pixel space
    active: np.ndarray | None = None  # (28, 28) bool: pixels the training digits really use


def weight_maps(estimator: Any) -> WeightMaps:
    """The pixel weights of ``estimator`` per class, or an explanation of why it has none."""
    classes = [int(c) for c in getattr(estimator, "classes_", [])]
    pixel_weights = getattr(estimator, "pixel_weights", None)
    if callable(pixel_weights):  # one-vs-rest: weights exist per pixel only without a feature map
        weights = pixel_weights()
        if weights is None:
            from model.explain import linear_pictures

            pictures = linear_pictures(estimator)
            if pictures is None:
                return WeightMaps([], [], explanation="This model has no per-pixel weights to draw.")
            return WeightMaps(
                [str(c) for c in classes],
                [np.asarray(p, dtype=np.float64) for p in pictures],
                note=(
                    "The straight-line part of each digit's score: its weights on the principal components "
                    "alone, mapped back into the pixels of the deskewed digit (the pairwise products and "
                    "stroke directions add the rest)."
                ),
            )
        scale = getattr(estimator.features_, "scale_", None)
        active = None
        if scale is not None and np.size(scale) == SIDE * SIDE:
            # Features are standardised, so a pixel that is almost never inked (tiny spread) can carry
            # a huge raw weight that hardly ever matters; the colour scale ignores those pixels.
            active = np.asarray(scale).reshape(SIDE, SIDE) > ACTIVE_PIXEL_STD
        return WeightMaps(
            [str(c) for c in classes],
            [np.asarray(w, dtype=np.float64) for w in weights],
            note=(
                "Each map is one digit's logistic regression against all the others. Pixels at the "
                "border that the training digits almost never ink are drawn at full strength."
            ),
            active=active,
        )
    coef = np.asarray(getattr(estimator, "coef_", np.zeros((0, 0))), dtype=np.float64)
    if coef.ndim != 2 or coef.shape[1] != SIDE * SIDE:
        return WeightMaps([], [], explanation="This model has no per-pixel weights to draw.")
    if coef.shape[0] == 1 and len(classes) == 2:
        # A binary model has one weight vector w: p(second) = sigmoid(w.x + b), p(first) uses -w.
        w = coef[0].reshape(SIDE, SIDE)
        return WeightMaps(
            [str(classes[0]), str(classes[1])],
            [-w, w],
            note=(
                f"A binary model has a single weight vector: the map for {classes[1]} is w, the map for "
                f"{classes[0]} is −w, so the two are mirror images."
            ),
        )
    return WeightMaps([str(c) for c in classes], [row.reshape(SIDE, SIDE) for row in coef])


def average_explanations(
    estimator: Any, test_data: Any, progress: Callable[[Any], None], cancel: CancelFlag
) -> np.ndarray:
    """:func:`model.explain.mean_explanations` on MNIST's test digits, reporting and stopping when asked.

    ``progress`` receives the loader's :class:`training.progress.Progress` while MNIST loads, then
    ``(explained, of)`` every :data:`REPORT_EVERY` digits; once ``cancel`` is set the work raises
    :class:`training.progress.Cancelled` within one digit's explanation.
    """
    from model.explain import mean_explanations
    from training.progress import Cancelled

    if getattr(test_data, "reports_progress", False):
        X, y = test_data(progress=progress, cancel=cancel)
    else:
        X, y = test_data()

    def each(done: int, total: int) -> None:
        if cancel.is_set():
            raise Cancelled("cancelled by the user")
        if done % REPORT_EVERY == 0 or done == total:
            progress((done, total))

    return mean_explanations(estimator, X, y, per_class=MEAN_PER_CLASS, progress=each)


def _failure(exc: BaseException, downloading: bool) -> Failure:
    """Why the averaging could not be done: MNIST's failures in the evaluation window's words."""
    from app.evaluation.failure import Failure, describe_failure
    from app.text.errors import typed_clause

    failure = describe_failure(exc, downloading)
    if failure.offers_data:
        return failure
    return Failure(f"Could not average the explanations ({typed_clause(exc)}); please report this.")


def _plain(message: str) -> Failure:
    """A failure known only by its sentence (the worker broke before it could say more)."""
    from app.evaluation.failure import Failure

    return Failure(message)


class WeightsWindow(QWidget):
    """The learned weights of a model, one heat map per class, or why they cannot be shown.

    For a model on a feature map, a second set of maps averages its explanations over MNIST's test
    digits. Without them, or after a failure (``failed``, :attr:`failure`), the window offers Download
    and Choose folder… (``downloadRequested``, ``folderRequested``); the owner answers with
    :meth:`restart` or :meth:`show_refusal`, as it answers the evaluation window.
    """

    downloadRequested = Signal()
    folderRequested = Signal()
    failed = Signal(str)  # the averaging failed: the sentence shown; :attr:`failure` holds the rest

    def __init__(
        self,
        estimator: Any,
        parent: QWidget | None = None,
        *,
        title: str | None = None,
        test_data: Any = None,
    ) -> None:
        """``title`` is the model's name alone (the window adds "Weights: " and "What … looks for"; default:
        its metadata label). ``test_data()`` (run in a worker) returns MNIST's test ``(X, y)`` for the mean
        explanations."""
        super().__init__(parent, Qt.WindowType.Window)  # a window of its own, owned by the parent
        self.setObjectName("weightsWindow")
        meta = getattr(estimator, "metadata_", {}) or {}
        self.model_title = title or meta.get("label") or type(estimator).__name__
        self.setWindowTitle(f"Weights: {self.model_title}")
        add_close_keys(self)
        self.result = weight_maps(estimator)
        self.maps: list[WeightMap] = []

        layout = QVBoxLayout(self)
        self.heading = heading(f"What {html.escape(self.model_title)} looks for", "weightsHeading", 1.4)
        layout.addWidget(self.heading)

        if self.result.explanation:
            self.explanation = QLabel(self.result.explanation)
            self.explanation.setObjectName("weightsExplanation")
            self.explanation.setWordWrap(True)
            self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.explanation.setMinimumWidth(460)
            layout.addWidget(self.explanation)
            layout.addStretch(1)
            self.resize(560, 300)
            return

        self.explanation = None
        if self.result.note:
            note = QLabel(self.result.note)
            note.setObjectName("weightsNote")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addWidget(ScaleBar())
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setSpacing(10)
        columns = 5 if len(self.result.maps) > 4 else len(self.result.maps)
        for n, (label, weights) in enumerate(zip(self.result.labels, self.result.maps, strict=True)):
            heat = WeightMap(label, weights, self.result.active)
            self.maps.append(heat)
            grid.addWidget(heat, n // columns, n % columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setAccessibleName("Weight maps")
        scroll.setAccessibleDescription("One map per digit; arrow keys scroll")
        scroll.setWidget(grid_host)
        layout.addWidget(scroll, 1)
        rows = (len(self.maps) + columns - 1) // columns
        self.mean_maps: list[WeightMap] = []
        self.mean_note: QLabel | None = None
        self._job: Any = None
        self.failure: Failure | None = None
        if getattr(estimator, "features_", None) is not None and not getattr(
            estimator.features_, "in_pixel_space", True
        ):
            rows += self._add_mean_explanations(layout, estimator, test_data, columns)
        self.resize(max(180 * columns + 40, 420), 110 + 210 * rows)

    def _add_mean_explanations(
        self, layout: QVBoxLayout, estimator: Any, test_data: Any, columns: int
    ) -> int:
        """A second set of maps: where ink counted for each digit on its own test digits."""
        self.mean_note = QLabel()
        self.mean_note.setObjectName("meanExplanationNote")
        self.mean_note.setWordWrap(True)
        layout.addWidget(self.mean_note)
        self._mean_grid = QGridLayout()
        self._mean_grid.setSpacing(10)
        self._mean_columns = columns
        layout.addLayout(self._mean_grid, 1)
        self.mean_ways = QWidget()  # Download / Choose folder…, while MNIST's test digits are missing
        ways = QHBoxLayout(self.mean_ways)
        ways.setContentsMargins(0, 0, 0, 0)
        download = QPushButton("Download MNIST")
        download.setObjectName("downloadMeans")
        download.setToolTip("Download MNIST (about 11 MB, kept for next time), with progress and Cancel")
        download.clicked.connect(self.downloadRequested)
        choose = QPushButton("Choose folder…")
        choose.setObjectName("chooseMeansFolder")
        choose.setToolTip("Choose a folder that already holds MNIST's four files")
        choose.clicked.connect(self.folderRequested)
        self.mean_cancel = QPushButton("Cancel")
        self.mean_cancel.setObjectName("cancelMeans")
        self.mean_cancel.setToolTip("Stop downloading MNIST")
        self.mean_cancel.clicked.connect(self._cancel_means)
        for button in (download, choose):
            ways.addWidget(button)
        ways.addStretch(1)
        layout.addWidget(self.mean_ways)
        layout.addWidget(self.mean_cancel, 0, Qt.AlignmentFlag.AlignLeft)
        self.mean_cancel.hide()
        self._estimator = estimator
        if test_data is None:
            self._offer_ways(
                "Where ink counts for each digit on real digits needs MNIST's test digits, which are not "
                "on this computer yet: download them, or choose the folder that holds them."
            )
        else:
            self.restart(test_data)
        return 1

    def restart(self, test_data: Any) -> None:
        """Average the explanations over the test digits ``test_data()`` gives (MNIST downloaded, or
        read from a folder), in a worker; the way buttons hide until it fails or is cancelled."""
        from app.workers.background_job import BackgroundJob
        from training.progress import Cancelled

        if self._job is not None:  # what an earlier job still says is no longer this window's
            for signal in (self._job.reported, self._job.done, self._job.failed, self._job.cancelled):
                signal.disconnect()
            self._job.cancel()
        self.mean_ways.hide()
        self.failure = None
        self.mean_note.setText(f"Averaging the explanations of {MEAN_PER_CLASS} test digits of each digit…")
        found: list[Failure] = []  # filled in the worker thread, read once it has ended
        downloading = getattr(test_data, "downloads", False)  # a failure then says the download failed

        def describe(exc: BaseException) -> str:
            found.append(_failure(exc, downloading))
            return found[-1].sentence

        self._job = job = BackgroundJob("digit-canvas-mean-explanations", self, describe=describe)
        job.reported.connect(self._on_progress)
        job.done.connect(self._show_means)
        job.failed.connect(lambda message: self._fail(found[-1] if found else _plain(message)))
        job.cancelled.connect(lambda: self._fail(_failure(Cancelled(), downloading)))
        estimator = self._estimator
        job.start_with_progress(
            lambda progress, cancel: average_explanations(estimator, test_data, progress, cancel)
        )

    def show_refusal(self, message: str) -> None:
        """Say why a folder the person chose cannot be used; the way buttons stay."""
        self._offer_ways(message)

    def _fail(self, failure: Failure) -> None:
        self.failure = failure
        self._offer_ways(failure.sentence)
        self.failed.emit(failure.sentence)

    def _offer_ways(self, message: str) -> None:
        self.mean_cancel.hide()
        self.mean_note.setText(message)
        self.mean_ways.show()

    def _cancel_means(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _on_progress(self, value: Any) -> None:
        if isinstance(value, tuple):  # (explained, of), from the averaging
            self.mean_cancel.hide()  # the download is over; what is left takes a moment
            done, total = value
            self.mean_note.setText(
                f"Averaging the explanations of {MEAN_PER_CLASS} test digits of each digit… "
                f"{done:,} of {total:,}"
            )
        elif getattr(value, "stage", "") == "downloading":
            self.mean_cancel.show()
            self.mean_note.setText(f"Downloading MNIST's test digits… {value.message}")

    def _show_means(self, means: np.ndarray) -> None:
        self.mean_cancel.hide()
        self.mean_note.setText(
            f"Where ink counted for each digit, on average over {MEAN_PER_CLASS} of its MNIST test digits "
            "(each the digit's explanation, as View > Why this digit? shows it, on the drawn frame)."
        )
        for n, (label, parts) in enumerate(zip(self.result.labels, means, strict=True)):
            heat = WeightMap(label, parts)
            heat.setObjectName("meanExplanationMap")
            heat.setAccessibleName(f"Where ink counted for {label}")
            heat.setAccessibleDescription(
                f"Red where ink counted for {label} on average over its test digits, blue where against"
            )
            self.mean_maps.append(heat)
            self._mean_grid.addWidget(heat, n // self._mean_columns, n % self._mean_columns)

    def closeEvent(self, event: Any) -> None:
        if self._job is not None:  # a download may be waiting on the network: stop it without waiting
            self._job.cancel()  # the job keeps itself alive until its thread ends
        super().closeEvent(event)

    def heat_maps(self) -> list[WeightMap]:
        return list(self.maps)

    def cell_at(self, widget: WeightMap, row: int, column: int) -> QPoint:
        """The centre of one weight's square in ``widget`` (for tests and tooltips)."""
        return widget.cell_centre(row, column)
