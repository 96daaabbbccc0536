"""Model > Retrain...: choose a model, its hyper-parameters and the data, then train with live progress.

The dialog only collects settings into a :class:`app.retrain.training_job.TrainingRequest` and drives a
:class:`app.retrain.training_job.TrainingJob`; all model logic stays in ``training``. It emits
``modelTrained(kind)`` for every model saved, so the main window can load it and swap it in live.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
)

from app.retrain.training_job import MnistArrays, RetrainResult, TrainingJob, TrainingRequest, user_summary
from model.binary import BinaryLogisticRegression
from model.features import MAX_QUADRATIC_COMPONENTS, feature_count
from model.paths import user_cache_dir
from training.data import DATA_ENV_VAR, MNIST_FILES, MnistDataError, candidate_dirs, find_file, find_mnist_dir
from training.samples import SampleStore, auto_weight
from training.train import DEFAULT_PARAMS
from training.user_eval import HOLDOUT_EVERY, holdout_mask

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent
    from PySide6.QtWidgets import (
        QWidget,
    )

N_MNIST_TRAIN = 60000
N_MNIST_ZEROS_AND_ONES = 12665  # 0s and 1s among the 60,000: what the binary model learns from
_STAGE_TITLES = {
    "loading data": "Loading data",
    "downloading": "Downloading MNIST",
    "training": "Training",
    "evaluating": "Evaluating",
    "cross-validating": "Checking on your samples",
    "saving": "Saving",
    "done": "Done",
}


def format_number(value: float) -> str:
    """Compact scientific text for small positive numbers: 0.0001 -> "1e-4", 0.00025 -> "2.5e-4"."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = f"{value / 10**exponent:.3g}"
    if mantissa == "10":
        mantissa, exponent = "1", exponent + 1
    if -2 <= exponent <= 2:
        return f"{value:.4g}"
    return f"{mantissa}e{exponent}"


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def format_seconds(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


class LogSpinBox(QDoubleSpinBox):
    """A spin box for scale parameters (regularisation, tolerance): steps along 1-2-5 per decade.

    Typing accepts any number in range, including scientific notation such as ``3e-5``.
    """

    _MANTISSAS = (1.0, 2.0, 5.0)

    def __init__(self, minimum: float, maximum: float, value: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(15)
        self.setRange(minimum, maximum)
        self.setValue(value)
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def textFromValue(self, value: float) -> str:
        return format_number(value)

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            # Allow what can still become a number while typing: "", "1e", "1e-", "2.".
            partial = stripped.lower().rstrip("-+").rstrip("e").rstrip(".")
            ok = stripped == "" or partial.replace(".", "", 1).isdigit() or partial == ""
            state = QValidator.State.Intermediate if ok else QValidator.State.Invalid
            return state, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def fixup(self, text: str) -> str:
        """An out-of-range number becomes the nearest end of the range, not the minimum."""
        try:
            value = float(text.strip())
        except ValueError:
            return format_number(self.value())
        if not math.isfinite(value):
            return format_number(self.value())
        return format_number(min(max(value, self.minimum()), self.maximum()))

    def stepBy(self, steps: int) -> None:
        ladder = [
            m * 10.0**e
            for e in range(math.floor(math.log10(self.minimum())), math.ceil(math.log10(self.maximum())) + 1)
            for m in self._MANTISSAS
        ]
        ladder = [v for v in ladder if self.minimum() <= v * (1 + 1e-9) and v <= self.maximum() * (1 + 1e-9)]
        current = self.value()
        below = [i for i, v in enumerate(ladder) if v <= current * (1 + 1e-9)]
        index = below[-1] if below else 0
        if steps < 0 and ladder[index] < current * (1 - 1e-9):
            index += 1  # between two rungs, stepping down lands on the lower one
        index = min(max(index + steps, 0), len(ladder) - 1)
        self.setValue(ladder[index])


class OvrParamsBox(QGroupBox):
    """Hyper-parameters of the one-vs-rest model, including its feature map."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("One-vs-rest (10 digits)", parent)
        d = DEFAULT_PARAMS["ovr"]
        self.alpha = LogSpinBox(1e-8, 10.0, d["alpha"])
        self.alpha.setObjectName("ovrAlpha")
        self.alpha.setToolTip("L2 regularisation strength: larger values give smoother, simpler weights")
        self.max_iter = QSpinBox()
        self.max_iter.setObjectName("ovrMaxIter")
        self.max_iter.setRange(1, 5000)
        self.max_iter.setValue(d["max_iter"])
        self.max_iter.setToolTip("L-BFGS iterations at most")
        self.tol = LogSpinBox(1e-8, 1.0, d["tol"])
        self.tol.setObjectName("ovrTol")
        self.tol.setToolTip("A class stops when its largest gradient entry falls below this")
        self.deskew = QCheckBox("Deskew (straighten slanted digits first)")
        self.deskew.setObjectName("ovrDeskew")
        self.deskew.setChecked(d["deskew"])
        self.components = QSpinBox()
        self.components.setObjectName("ovrComponents")
        self.components.setRange(0, 784)
        self.components.setSpecialValueText("none (all 784 pixels)")
        self.components.setValue(d["n_components"] or 0)
        self.components.setToolTip("Principal components to keep; none keeps every pixel")
        self.products = QCheckBox("Pairwise products (quadratic model)")
        self.products.setObjectName("ovrProducts")
        self.products.setChecked(d["degree"] == 2)
        self.directions = QCheckBox("Stroke directions (8 directions in each 4x4-pixel cell)")
        self.directions.setObjectName("ovrDirections")
        self.directions.setChecked(bool(d.get("orientations")))
        self.directions.setToolTip("Where strokes run which way: tells a crossbar, a flag or a hooked tail")
        self._orientations = int(d.get("orientations") or 8)
        self.hint = QLabel()
        self.hint.setObjectName("ovrHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")

        form = QFormLayout(self)
        form.addRow("Regularisation α", self.alpha)
        form.addRow("Max iterations", self.max_iter)
        form.addRow("Tolerance", self.tol)
        form.addRow("PCA components", self.components)
        form.addRow(self.deskew)
        form.addRow(self.products)
        form.addRow(self.directions)
        form.addRow(self.hint)
        for signal in (
            self.components.valueChanged,
            self.deskew.toggled,
            self.products.toggled,
            self.directions.toggled,
        ):
            signal.connect(self._update_hint)
        self._update_hint()

    def params(self) -> dict[str, Any]:
        components = self.components.value() or None
        return {
            "alpha": self.alpha.value(),
            "max_iter": self.max_iter.value(),
            "tol": self.tol.value(),
            "deskew": self.deskew.isChecked(),
            "n_components": components,
            "degree": 2 if self.products.isChecked() and self.products.isEnabled() else 1,
            "orientations": self._orientations if self.directions.isChecked() else 0,
        }

    @Slot()
    def _update_hint(self) -> None:
        n = self.components.value()
        too_many = n == 0 or n > MAX_QUADRATIC_COMPONENTS
        self.products.setEnabled(not too_many)
        features = 0
        if too_many:
            self.products.setToolTip(
                f"Pairwise products need {MAX_QUADRATIC_COMPONENTS} components or fewer "
                "(their number grows with the square)"
            )
            hint = f"Pairwise products need {MAX_QUADRATIC_COMPONENTS} PCA components or fewer."
        else:
            self.products.setToolTip("Products of every pair of components let a linear model bend")
            hint = ""
        p = self.params()
        features = feature_count(p["n_components"], p["degree"], p["orientations"])
        pixel_space = p["n_components"] is None and p["degree"] == 1 and not p["orientations"]
        parts = [f"{features:,} features per digit."]
        if hint:
            parts.append(hint)
        if pixel_space:
            parts.append(
                "Weights live in pixel space, so Model > Show weights can draw them "
                "(a larger α, such as 1e-2, gives smoother maps)."
            )
        self.hint.setText(" ".join(parts))


class BinaryParamsBox(QGroupBox):
    """Hyper-parameters of the from-scratch 0-vs-1 gradient-descent model."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Binary 0-vs-1", parent)
        d = {**BinaryLogisticRegression().get_params(), **DEFAULT_PARAMS["binary"]}
        self.alpha = LogSpinBox(1e-8, 10.0, d["alpha"])
        self.alpha.setObjectName("binaryAlpha")
        self.alpha.setToolTip("L2 regularisation strength")
        self.max_iter = QSpinBox()
        self.max_iter.setObjectName("binaryMaxIter")
        self.max_iter.setRange(1, 5000)
        self.max_iter.setValue(d["max_iter"])
        self.max_iter.setToolTip("Gradient steps at most")
        self.tol = LogSpinBox(1e-10, 1.0, d["tol"])
        self.tol.setObjectName("binaryTol")
        self.tol.setToolTip("Stop when the largest gradient entry falls below this")
        self.momentum = QCheckBox("Nesterov momentum (much faster descent)")
        self.momentum.setObjectName("binaryMomentum")
        self.momentum.setChecked(bool(d["momentum"]))
        form = QFormLayout(self)
        form.addRow("Regularisation α", self.alpha)
        form.addRow("Max iterations", self.max_iter)
        form.addRow("Tolerance", self.tol)
        form.addRow(self.momentum)

    def params(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha.value(),
            "max_iter": self.max_iter.value(),
            "tol": self.tol.value(),
            "momentum": self.momentum.isChecked(),
        }


class DataSourceBox(QGroupBox):
    """Where MNIST comes from: the folder found, a folder the person picks, or a download."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data", parent)
        try:
            self.found_dir: Path | None = find_mnist_dir()
        except MnistDataError:
            self.found_dir = None
        looked = ", ".join(str(p) for p in candidate_dirs(None))
        self.found = QRadioButton()
        self.found.setObjectName("sourceFound")
        if self.found_dir is not None:
            self.found.setText(f"MNIST folder found: {self.found_dir}")
        else:
            self.found.setText(f"MNIST folder found: none (set {DATA_ENV_VAR}, or choose one below)")
            self.found.setToolTip(f"Looked in {looked} (set {DATA_ENV_VAR} to add a folder)")
            self.found.setEnabled(False)
        self.folder = QRadioButton("Another folder:")
        self.folder.setObjectName("sourceFolder")
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("folderEdit")
        self.folder_edit.setPlaceholderText("a folder with the four MNIST files")
        self.browse = QToolButton()
        self.browse.setObjectName("browseButton")
        self.browse.setText("Browse…")
        self.folder_status = QLabel()
        self.folder_status.setObjectName("folderStatus")
        self.folder_status.setWordWrap(True)
        self.download = QRadioButton("Download from the internet (about 11 MB)")
        self.download.setToolTip(f"Saved into {user_cache_dir() / 'mnist'} and found there next time")
        self.download.setObjectName("sourceDownload")
        self.max_train = QSpinBox()
        self.max_train.setObjectName("maxTrain")
        self.max_train.setRange(100, N_MNIST_TRAIN)
        self.max_train.setSingleStep(5000)
        self.max_train.setValue(N_MNIST_TRAIN)
        self.max_train.setGroupSeparatorShown(True)
        self.max_train.setSuffix(" images")
        self.max_train.setToolTip("Train on the first N MNIST training images (fewer is faster)")

        self.group = QButtonGroup(self)
        for button in (self.found, self.folder, self.download):
            self.group.addButton(button)
        (self.found if self.found_dir is not None else self.download).setChecked(True)

        grid = QGridLayout(self)
        grid.addWidget(self.found, 0, 0, 1, 3)
        grid.addWidget(self.folder, 1, 0)
        grid.addWidget(self.folder_edit, 1, 1)
        grid.addWidget(self.browse, 1, 2)
        grid.addWidget(self.folder_status, 2, 1, 1, 2)
        grid.addWidget(self.download, 3, 0, 1, 3)
        grid.addWidget(QLabel("Train on"), 4, 0)
        grid.addWidget(self.max_train, 4, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)

        self.browse.clicked.connect(self._choose_folder)
        self.folder_edit.textChanged.connect(self._folder_edited)
        self.group.buttonToggled.connect(lambda *_: self.changed.emit())
        self._folder_edited("")

    def set_folder(self, folder: str | Path) -> None:
        """Select "another folder" and fill it in (what Browse… does, also handy for tests)."""
        self.folder_edit.setText(str(folder))
        self.folder.setChecked(True)

    def data_dir(self) -> Path | None:
        if self.found.isChecked():
            return self.found_dir
        if self.folder.isChecked():
            text = self.folder_edit.text().strip()
            return Path(text).expanduser() if text else None
        return None

    def is_ready(self) -> bool:
        return not (self.folder.isChecked() and not self.folder_edit.text().strip())

    def max_train_value(self) -> int | None:
        n = self.max_train.value()
        return None if n >= N_MNIST_TRAIN else n

    @Slot()
    def _choose_folder(self) -> None:
        start = self.folder_edit.text() or str(self.found_dir or Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Choose the MNIST folder", start)
        if folder:
            self.set_folder(folder)

    @Slot(str)
    def _folder_edited(self, text: str) -> None:
        if text.strip():
            self.folder.setChecked(True)
        state = self._folder_state(text.strip())
        self.folder_status.setText(state)
        self.folder_status.setVisible(bool(state))
        self.changed.emit()

    @staticmethod
    def _folder_state(text: str) -> str:
        if not text:
            return ""
        folder = Path(text).expanduser()
        if not folder.is_dir():
            return "✗ not a folder"
        missing = [n for n in MNIST_FILES if find_file(folder, n.removesuffix(".gz")) is None]
        if len(missing) == len(MNIST_FILES):
            return "✗ none of the four MNIST files is there"
        if missing:
            return f"✗ lacks {', '.join(missing)}"
        return "✓ all four MNIST files are there"


class SamplesBox(QGroupBox):
    """Whether to train on the user's own labelled drawings, and what that means in numbers.

    Counts come from the sample store's file names only (no image is read on the GUI thread); the
    images are read by the training worker. ``refresh()`` re-counts (on show and on activation, so
    samples taught while the dialog is open are included).
    """

    def __init__(self, store: SampleStore, parent: QWidget | None = None) -> None:
        super().__init__("Your handwriting", parent)
        self.store = store
        self.include = QCheckBox()
        self.include.setObjectName("includeSamples")
        self.note = QLabel()
        self.note.setObjectName("samplesNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.addWidget(self.include)
        layout.addWidget(self.note)
        self._labels: list[int] = []
        self._held: list[bool] = []
        self._kinds: tuple[str, ...] = ("ovr",)
        self._n_mnist = N_MNIST_TRAIN
        self._chosen: bool | None = None  # the person's own tick, once they made one
        self.include.clicked.connect(lambda checked: setattr(self, "_chosen", bool(checked)))

    def refresh(self) -> None:
        """Count the samples again (file names only)."""
        samples = self.store.samples()
        self._labels = [s.label for s in samples]
        self._held = holdout_mask(self._labels, [s.sample_id for s in samples]).tolist()
        self._update()

    def set_training(self, kinds: tuple[str, ...], max_train: int | None) -> None:
        """The models and MNIST size chosen, which decide how many samples count and how much."""
        self._kinds = kinds
        self._n_mnist = max_train or N_MNIST_TRAIN
        self._update()

    def included(self) -> bool:
        return self.counts()[0] > 0 and self.include.isChecked()

    def counts(self) -> tuple[int, int, float]:
        """``(samples, of which held out, weight of each trained sample)`` for the chosen model."""
        ovr = "ovr" in self._kinds
        keep = [ovr or label in (0, 1) for label in self._labels]
        n = sum(keep)
        held = sum(h for h, k in zip(self._held, keep, strict=True) if k)
        n_mnist = self._n_mnist if ovr else round(N_MNIST_ZEROS_AND_ONES * self._n_mnist / N_MNIST_TRAIN)
        return n, held, auto_weight(n - held, n_mnist)

    def _update(self) -> None:
        n, held, weight = self.counts()
        total = len(self._labels)
        binary_only = "ovr" not in self._kinds
        if total == 0:
            self.include.setText("Include my samples (none yet)")
            self.note.setText(
                "To add one, draw a digit and press its key on the canvas, or click its bar. "
                "Samples teach the model your handwriting."
            )
        elif n == 0:
            self.include.setText("Include my samples (none of them are 0s or 1s)")
            self.note.setText(
                "The 0-vs-1 model learns only from 0s and 1s; the 10-class model uses them all."
            )
        else:
            noun = "sample" if n == 1 else "samples"
            self.include.setText(f"Include my samples ({n} {noun}, each counts as {weight:.0f} MNIST digits)")
            every = f"every {HOLDOUT_EVERY}th of a digit"
            if held:
                kept = f"{held} of them ({every}) are kept aside to test the new model on."
            elif n >= 2:
                kept = f"None are kept aside yet ({every} is), so a cross-validation checks them."
            else:  # the worker cross-validates two or more (training.user_eval.needs_cross_validation)
                kept = (
                    f"It is not kept aside ({every} is), and one sample is too few to cross-validate: "
                    "teach another to see how the new model reads them."
                )
            only = " Only your 0s and 1s count for the 0-vs-1 model." if binary_only else ""
            self.note.setText(kept + only)
        self.include.setEnabled(n > 0)
        self.include.setChecked(n > 0 and (self._chosen if self._chosen is not None else True))
        self.include.setToolTip(
            "" if n else "Save drawings as samples first: a digit key on the canvas or a click on its bar"
        )


class ProgressPanel(QGroupBox):
    """Stage, bar, elapsed and remaining time, and the outcome of the last run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Progress", parent)
        self.stage = QLabel("Ready")
        self.stage.setObjectName("stageLabel")
        bold = QFont(self.stage.font())
        bold.setBold(True)
        self.stage.setFont(bold)
        self.message = QLabel("Choose the settings above and press Train.")
        self.message.setObjectName("messageLabel")
        self.message.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("progressBar")
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        self.times = QLabel("")
        self.times.setObjectName("timeLabel")
        self.times.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelButton")
        self.cancel.setEnabled(False)
        self.result = QLabel("")
        self.result.setObjectName("resultLabel")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setMinimumHeight(48)

        top = QHBoxLayout()
        top.addWidget(self.stage)
        top.addStretch(1)
        top.addWidget(self.times)
        bar_row = QHBoxLayout()
        bar_row.addWidget(self.bar, 1)
        bar_row.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(bar_row)
        layout.addWidget(self.result)


class RetrainDialog(QDialog):
    """Collects the retrain settings, runs a :class:`TrainingJob` and shows how it went.

    ``modelTrained(kind)`` fires once per saved model (already the user's current model on disk);
    ``trainingStopped(outcome)`` fires with "finished", "failed" or "cancelled".
    """

    modelTrained = Signal(str)
    trainingStarted = Signal()
    trainingStopped = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        mnist: MnistArrays | None = None,
        samples: SampleStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Retrain models")
        self.setObjectName("retrainDialog")
        self._mnist = mnist
        self.job: TrainingJob | None = None
        self.results: list[RetrainResult] = []
        self.outcome: str | None = None
        self._close_when_stopped = False
        self._last_remaining = (-1.0, 0.0)  # (estimate, job.elapsed when it arrived)

        self.model_ovr = QRadioButton("One-vs-rest (10 digits)")
        self.model_ovr.setObjectName("modelOvr")
        self.model_binary = QRadioButton("Binary 0-vs-1")
        self.model_binary.setObjectName("modelBinary")
        self.model_both = QRadioButton("Both")
        self.model_both.setObjectName("modelBoth")
        self.model_ovr.setChecked(True)
        self._model_group = QButtonGroup(self)
        model_row = QHBoxLayout()
        for button in (self.model_ovr, self.model_binary, self.model_both):
            self._model_group.addButton(button)
            model_row.addWidget(button)
        model_row.addStretch(1)
        model_box = QGroupBox("Model")
        model_box.setLayout(model_row)

        self.ovr_box = OvrParamsBox()
        self.binary_box = BinaryParamsBox()
        params_row = QHBoxLayout()
        params_row.addWidget(self.ovr_box, 3)
        params_row.addWidget(self.binary_box, 2)

        self.data_box = DataSourceBox()
        self.samples_box = SamplesBox(samples if samples is not None else SampleStore())
        self.panel = ProgressPanel()

        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("trainButton")
        self.train_button.setDefault(True)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(model_box)
        layout.addLayout(params_row)
        layout.addWidget(self.data_box)
        layout.addWidget(self.samples_box)
        layout.addWidget(self.panel)
        layout.addLayout(buttons)

        self._clock = QTimer(self)
        self._clock.setInterval(250)
        self._clock.timeout.connect(self._update_times)

        self._model_group.buttonToggled.connect(lambda *_: self._update_enabled())
        self.data_box.changed.connect(self._update_enabled)
        self.data_box.max_train.valueChanged.connect(self._update_enabled)
        self.train_button.clicked.connect(self.start_training)
        self.panel.cancel.clicked.connect(self.cancel_training)
        self.close_button.clicked.connect(self.reject)
        self._update_enabled()

    # ---------------------------------------------------------------------------------- settings

    def kinds(self) -> tuple[str, ...]:
        if self.model_both.isChecked():
            return ("binary", "ovr")
        return ("binary",) if self.model_binary.isChecked() else ("ovr",)

    def request(self) -> TrainingRequest:
        """The settings as a plain training request (no Qt in it)."""
        kinds = self.kinds()
        params = {"ovr": self.ovr_box.params(), "binary": self.binary_box.params()}
        return TrainingRequest(
            kinds=kinds,
            params={k: params[k] for k in kinds},
            data_dir=self.data_box.data_dir(),
            download=self.data_box.download.isChecked(),
            mnist=self._mnist,
            max_train=self.data_box.max_train_value(),
            include_samples=self.samples_box.included(),
            samples_folder=self.samples_box.store.folder,
        )

    def is_training(self) -> bool:
        return self.job is not None and self.job.is_running()

    def showEvent(self, event: QShowEvent) -> None:
        if not self.is_training():
            self.samples_box.refresh()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        """Coming back to the dialog after teaching more digits shows the new count."""
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and not self.is_training():
            self.samples_box.refresh()
        super().changeEvent(event)

    @Slot()
    def _update_enabled(self) -> None:
        running = self.is_training()
        kinds = self.kinds()
        for widget in (self.ovr_box, self.binary_box, self.data_box, self.samples_box):
            widget.setEnabled(not running)
        self.samples_box.set_training(kinds, self.data_box.max_train_value())
        if not running:
            self.ovr_box.setEnabled("ovr" in kinds)
            self.binary_box.setEnabled("binary" in kinds)
        for button in self._model_group.buttons():
            button.setEnabled(not running)
        self.train_button.setEnabled(not running and self.data_box.is_ready())
        self.panel.cancel.setEnabled(running and not (self.job and self.job.cancel_requested))

    # ------------------------------------------------------------------------------------ running

    @Slot()
    def start_training(self) -> None:
        """Start a job with the current settings (ignored while one is running)."""
        if self.is_training():
            return
        self.results = []
        self.outcome = None
        self.samples_box.refresh()  # samples taught since the dialog opened count too
        self.job = TrainingJob(self.request())
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.job.stopped.connect(self._on_stopped)
        self._last_remaining = (-1.0, 0.0)
        self.panel.stage.setText("Starting")
        self.panel.message.setText("Starting the training thread…")
        self.panel.result.setText("")
        self.panel.result.setMinimumHeight(48)
        self.panel.bar.setValue(0)
        self.panel.times.setText("0:00 elapsed")
        self.job.start()
        self._clock.start()
        self._update_enabled()
        self.trainingStarted.emit()

    @Slot()
    def cancel_training(self) -> None:
        """Ask the running job to stop; the end arrives as ``trainingStopped("cancelled")``."""
        if not self.is_training() or self.job is None:
            return
        self.job.cancel()
        self.panel.stage.setText("Cancelling")
        self.panel.message.setText("Stopping at the next check; nothing will be saved…")
        self._update_enabled()

    @Slot(str, str, float, float, float)
    def _on_progress(
        self, stage: str, message: str, fraction: float, elapsed: float, remaining: float
    ) -> None:
        if self.job is not None and self.job.cancel_requested:
            return
        self.panel.stage.setText(_STAGE_TITLES.get(stage, stage.capitalize()))
        self.panel.message.setText(message)
        self.panel.bar.setValue(round(1000 * min(max(fraction, 0.0), 1.0)))
        self._last_remaining = (remaining, elapsed)
        self._update_times()

    @Slot()
    def _update_times(self) -> None:
        if self.job is None:
            return
        elapsed = self.job.elapsed
        text = f"{format_duration(elapsed)} elapsed"
        estimate, at = self._last_remaining
        if self.is_training() and estimate >= 0:
            left = max(estimate - (elapsed - at), 0.0)
            text += f" · about {format_duration(left)} left"
        self.panel.times.setText(text)

    @Slot(list)
    def _on_finished(self, results: list) -> None:
        self.results = list(results)
        self.outcome = "finished"
        self.panel.stage.setText("Done")
        self.panel.bar.setValue(1000)
        self.panel.message.setText(
            "The new model is saved and in use."
            if len(results) == 1
            else "The new models are saved and in use."
        )
        self.panel.result.setText("<br>".join(self._result_html(r) for r in self.results))
        self._fit_result()
        for result in self.results:
            self.modelTrained.emit(result.kind)

    def _fit_result(self) -> None:
        """Grow the dialog if a long message needs more lines than there is room for."""
        label = self.panel.result
        label.setMinimumHeight(max(48, label.heightForWidth(max(label.width(), 200))))

    @staticmethod
    def _result_html(result: RetrainResult) -> str:
        new = result.accuracy
        prev = result.previous_accuracy
        if prev is None:
            previous, delta = "n/a", ""
        else:
            previous = f"{prev:.2%}"
            diff = 100 * (new - prev)
            colour = "#1a7f37" if diff > 0.005 else ("#b35900" if diff < -0.005 else "#555555")
            delta = f' <span style="color:{colour}">({diff:+.2f} points)</span>'
        text = (
            f"<b>{html.escape(result.label)}</b>: new <b>{new:.2%}</b> vs previous {previous} "
            f"MNIST test accuracy{delta}, {format_seconds(result.seconds)}"
        )
        mine = user_summary(result)
        if mine:
            text += f"<br>&nbsp;&nbsp;&nbsp;{html.escape(mine)}"
        return text

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.outcome = "failed"
        self.panel.stage.setText("Failed")
        self.panel.message.setText("Nothing was saved; the previous model is still in use.")
        self.panel.result.setText(f'<span style="color:#b3261e">{html.escape(message)}</span>')
        self._fit_result()

    @Slot()
    def _on_cancelled(self) -> None:
        self.outcome = "cancelled"
        self.panel.stage.setText("Cancelled")
        self.panel.message.setText("")
        self.panel.result.setText(
            "Training was cancelled. Nothing was saved; the previous model is still in use and on disk."
        )

    @Slot()
    def _on_stopped(self) -> None:
        self._clock.stop()
        self._update_times()
        self.train_button.setText("Train again" if self.outcome == "finished" else "Train")
        self._update_enabled()
        self.trainingStopped.emit(self.outcome or "failed")
        if self._close_when_stopped:
            self._close_when_stopped = False
            super().reject()

    # ------------------------------------------------------------------------------------ closing

    def confirm_stop(self) -> bool:
        """Ask whether to stop a running training before closing (tests replace this)."""
        answer = QMessageBox.question(
            self,
            "Stop training?",
            "A model is still training. Stop it and close? Nothing will be saved.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _stop_then_close(self) -> bool:
        """True if the dialog may close now; otherwise cancel (if confirmed) and close when stopped."""
        if not self.is_training():
            return True
        if self.confirm_stop():
            self._close_when_stopped = True
            self.cancel_training()
        return False

    def reject(self) -> None:
        """Esc, the Close button and the window's close box all end here (QDialog routes them)."""
        if self._stop_then_close():
            super().reject()
