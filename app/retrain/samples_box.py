"""Whether a retrain includes the person's own samples, and what that means in numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QVBoxLayout

from training.mnist_files import N_TRAIN, N_TRAIN_ZEROS_AND_ONES
from training.samples import SampleStore, auto_weight
from training.user_eval import HOLDOUT_EVERY, holdout_mask

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


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
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.include)
        layout.addWidget(self.note)
        self._labels: list[int] = []
        self._held: list[bool] = []
        self._kinds: tuple[str, ...] = ("ovr",)
        self._n_mnist = N_TRAIN
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
        self._n_mnist = max_train or N_TRAIN
        self._update()

    def included(self) -> bool:
        return self.counts()[0] > 0 and self.include.isChecked()

    def counts(self) -> tuple[int, int, float]:
        """``(samples, of which held out, weight of each trained sample)`` for the chosen model."""
        ovr = "ovr" in self._kinds
        keep = [ovr or label in (0, 1) for label in self._labels]
        n = sum(keep)
        held = sum(h for h, k in zip(self._held, keep, strict=True) if k)
        n_mnist = self._n_mnist if ovr else round(N_TRAIN_ZEROS_AND_ONES * self._n_mnist / N_TRAIN)
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
            "Train on your samples too, weighted to count next to MNIST's digits; the note below says more"
            if n
            else "Save drawings as samples first: a digit key on the canvas or a click on its bar"
        )
