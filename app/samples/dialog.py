"""Samples > My samples…: the drawings the person taught, by digit; delete, export and import them.

A gallery of the 28x28 pictures the model saw (the full drawing is in the tooltip), filtered by a tab
per digit with its count. Samples kept aside to test retrained models (every fifth of a digit, see
:mod:`training.user_eval`) carry a "test" badge, so a learner sees which drawings the model will never
train on. Export and import read and write hundreds of small files, so they run off the GUI thread.
The dialog only talks to :class:`training.samples.SampleStore`; it emits ``samplesEdited`` after a
delete or an import, and ``refresh()`` re-reads the store (the teach controller calls it when a
drawing is taught while the gallery is open).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
)

from app.samples.sample_list import THUMB, WIDEST_CAPTION, SampleDelegate, SampleListModel
from app.text.errors import reason
from app.widgets.cards import Note
from app.widgets.digit_gallery import DigitGallery
from app.widgets.headings import heading
from app.workers.background_job import BackgroundJob
from training.samples import LABELS_FILE, Sample, SampleStore
from training.user_eval import HOLDOUT_EVERY, held_out_ids

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )


class SamplesDialog(QDialog):
    """The gallery of the person's samples (not modal: teaching goes on while it is open).

    ``samplesEdited`` fires after a delete or an import; ``ioFinished(message)`` when an export or
    import has ended (with what the person reads in the dialog).
    """

    samplesEdited = Signal()
    ioFinished = Signal(str)

    def __init__(self, store: SampleStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My samples")
        self.setObjectName("samplesDialog")
        self.setAccessibleDescription(
            "The drawings you taught, by digit: select some and press Delete to forget them"
        )
        self.store = store if store is not None else SampleStore()
        self._all: list[Sample] = []
        self._held: set[str] = set()
        self._task: BackgroundJob | None = None
        self.resize(680, 540)

        self.title = heading("My samples", scale=1.4)
        self.summary = QLabel()
        self.summary.setObjectName("samplesSummary")
        self.summary.setWordWrap(True)
        self.summary.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.tabs = QTabBar()
        self.tabs.setObjectName("labelTabs")
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(False)
        self.tabs.setAccessibleName("Digit")
        self.tabs.setAccessibleDescription("Which digit's samples to show (left and right arrows)")
        self.tabs.addTab("All")
        for digit in range(10):
            self.tabs.addTab(str(digit))
        self.tabs.setTabToolTip(0, "Every sample, by digit")

        self.model = SampleListModel(self)
        self.delegate = SampleDelegate(THUMB, WIDEST_CAPTION)
        self.gallery = DigitGallery(self.delegate, multiple=True)
        self.gallery.setObjectName("samplesGallery")
        self.gallery.setAccessibleName("Your samples")
        self.gallery.setAccessibleDescription(
            "The drawings you taught, each with its digit; arrow keys move, Delete deletes the selected"
        )
        self.gallery.setModel(self.model)
        self.empty = QLabel()
        self.empty.setObjectName("samplesEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setMargin(30)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.gallery)
        self.stack.addWidget(self.empty)

        self.message = Note(level="plain", filled=False)
        self.message.setObjectName("samplesMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("deleteSamples")
        self.delete_button.setToolTip("Delete the selected samples (Delete key)")
        self.export_button = QPushButton("Export all…")
        self.export_button.setObjectName("exportSamples")
        self.export_button.setToolTip(f"Write every sample as PNG files plus {LABELS_FILE} into a folder")
        self.import_button = QPushButton("Import…")
        self.import_button.setObjectName("importSamples")
        self.import_button.setToolTip(f"Add the samples of a folder with a {LABELS_FILE} (as exported)")
        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.setToolTip("Close this window")
        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.tabs.currentChanged.connect(lambda _: self._show_filtered())
        self.gallery.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button.clicked.connect(self.choose_export)
        self.import_button.clicked.connect(self.choose_import)
        self.close_button.clicked.connect(self.close)
        self.refresh()

    # ------------------------------------------------------------------------------------- showing

    def label_filter(self) -> int | None:
        """The digit whose samples are shown, or ``None`` for all."""
        index = self.tabs.currentIndex()
        return None if index <= 0 else index - 1

    def set_label_filter(self, label: int | None) -> None:
        self.tabs.setCurrentIndex(0 if label is None else label + 1)

    def shown(self) -> list[Sample]:
        """The samples in the gallery, in order (tests and accessibility)."""
        return self.model.samples()

    @Slot()
    def refresh(self) -> None:
        """Read the store again: counts, tabs, the gallery and the held-out badges."""
        self._all = self.store.samples()
        labels = [s.label for s in self._all]
        self._held = held_out_ids(labels, [s.sample_id for s in self._all])
        counts = dict.fromkeys(range(10), 0)
        for label in labels:
            counts[label] += 1
        self.tabs.setTabText(0, f"All ({len(self._all)})")
        for digit in range(10):
            self.tabs.setTabText(digit + 1, f"{digit} ({counts[digit]})")
            self.tabs.setTabToolTip(digit + 1, f"{counts[digit]} sample{'s' if counts[digit] != 1 else ''}")
        # Every digit's tab stays in sight: the dialog is never narrower than the tabs.
        margins = self.layout().contentsMargins() if self.layout() is not None else None
        side = 0 if margins is None else margins.left() + margins.right()
        self.setMinimumWidth(self.tabs.sizeHint().width() + side)
        n = len(self._all)
        if n == 0:
            self.summary.setText("Samples are your own drawings with the digit they really are.")
        else:
            digits = sum(1 for c in counts.values() if c)
            if self._held:
                aside = (
                    f"the {len(self._held)} marked “test” (every {HOLDOUT_EVERY}th of a digit) are kept "
                    "aside to measure how well it learned."
                )
            else:
                aside = f"every {HOLDOUT_EVERY}th sample of a digit will be kept aside to measure it."
            self.summary.setText(
                f"{n} sample{'s' if n != 1 else ''} of {digits} digit{'s' if digits != 1 else ''}. "
                f"Retraining with them (Model > Retrain…) teaches the model your handwriting; {aside}"
            )
        self._show_filtered()

    def _show_filtered(self) -> None:
        label = self.label_filter()
        rows = [s for s in self._all if label is None or s.label == label]
        self.model.set_samples(rows, self._held)
        if rows:
            self.stack.setCurrentWidget(self.gallery)
        elif label is None:
            self.empty.setText(
                "No samples yet.\n\nDraw a digit on the canvas, then press its key, click its bar or use "
                "Teach to save it here."
            )
            self.stack.setCurrentWidget(self.empty)
        else:
            self.empty.setText(f"No samples of {label} yet.")
            self.stack.setCurrentWidget(self.empty)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self._task is not None
        self.delete_button.setEnabled(not busy and bool(self.gallery.selectionModel().selectedIndexes()))
        self.export_button.setEnabled(not busy and bool(self._all))
        self.import_button.setEnabled(not busy)

    def _say(self, text: str, level: str = "info") -> None:
        self.message.set_level({"info": "plain", "error": "error", "done": "success"}[level])
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------------------------------ deleting

    def selected(self) -> list[Sample]:
        rows = sorted({i.row() for i in self.gallery.selectionModel().selectedIndexes()})
        return [self.model.sample(r) for r in rows]

    def confirm_delete(self, samples: list[Sample]) -> bool:
        """Ask before deleting (tests replace this)."""
        n = len(samples)
        what = f"this {samples[0].label}" if n == 1 else f"these {n} samples"
        answer = QMessageBox.question(
            self,
            "Delete samples?",
            f"Delete {what}? The drawing{'s are' if n != 1 else ' is'} removed from your samples folder.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def delete_selected(self) -> int:
        """Delete the selected samples after confirmation; returns how many were deleted."""
        chosen = self.selected()
        if not chosen or not self.confirm_delete(chosen):
            return 0
        for sample in chosen:
            self.store.remove(sample)
        self._say(f"Deleted {len(chosen)} sample{'s' if len(chosen) != 1 else ''}.")
        self.refresh()
        self.samplesEdited.emit()
        return len(chosen)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected():
            self.delete_selected()
            return
        super().keyPressEvent(event)

    # ---------------------------------------------------------------------------- export / import

    @Slot()
    def choose_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export samples to a folder", str(Path.home()))
        if folder:
            self.export_to(folder)

    @Slot()
    def choose_import(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import samples from a folder", str(Path.home()))
        if folder:
            self.import_from(folder)

    def export_to(self, folder: str | Path) -> None:
        """Write every sample into ``folder`` in a worker thread; the outcome is shown and sent."""
        folder = Path(folder)
        self._run(
            lambda: self.store.export(folder),
            f"Exporting {len(self._all)} samples…",
            lambda n: (
                f"Exported {n} sample{'s' if n != 1 else ''} to {folder} (PNG files and {LABELS_FILE}).",
                False,
            ),
            lambda reason: f"Nothing was exported: {reason}.",
        )

    def import_from(self, folder: str | Path) -> None:
        """Add the samples listed in ``folder/labels.csv`` in a worker thread; all or nothing."""
        folder = Path(folder)
        self._run(
            lambda: self.store.import_folder(folder),
            f"Importing from {folder}…",
            lambda n: (f"Imported {n} sample{'s' if n != 1 else ''} from {folder}.", True),
            lambda reason: f"Nothing was imported: {reason}.",
        )

    def _run(
        self,
        work: Callable[[], int],
        busy: str,
        success: Callable[[int], tuple[str, bool]],
        failure: Callable[[str], str],
    ) -> None:
        if self._task is not None:
            return
        self._say(busy)
        task = BackgroundJob("digit-canvas-samples-io", self, describe=reason)

        def finished(text: str, level: str, edited: bool) -> None:
            self._task = None
            task.deleteLater()
            self._say(text, level)
            if edited:
                self.refresh()
                self.samplesEdited.emit()
            self._update_buttons()
            self.ioFinished.emit(text)

        def done(n: object) -> None:
            text, edited = success(int(n))  # type: ignore[call-overload]
            finished(text, "done", edited)

        task.done.connect(done)
        task.failed.connect(lambda message: finished(failure(message), "error", False))
        self._task = task
        self._update_buttons()
        task.start(work)
