"""Model > Retrain...: choose a model, its hyper-parameters and the data, then train with live progress.

The dialog only collects settings into a :class:`training.retrain.RetrainRequest` and drives a
:class:`app.retrain.training_job.TrainingJob`; all model logic stays in ``training``. It emits
``modelTrained(kind)`` for every model saved, so the main window can load it and swap it in live.
A new model that reads MNIST's test set clearly worse than the one in use (by more than the command
line's ``WORSE_BY``, which makes ``python -m training`` refuse it without ``--force``) is put in use
only if the person says so; keeping the current one saves nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.retrain.curves_panel import CurvesPanel
from app.retrain.data_source import DataSourceBox
from app.retrain.params import BinaryParamsBox, OvrParamsBox
from app.retrain.progress_panel import ProgressPanel
from app.retrain.samples_box import SamplesBox
from app.retrain.summary import result_html
from app.retrain.training_job import TrainingJob
from app.text.labels import label, short_label
from app.text.numbers import RESULT_DIGITS, format_duration, percent
from app.widgets.colours import colour_name
from training.cli import WORSE_BY
from training.retrain import MnistArrays, RetrainRequest, RetrainResult
from training.samples import SampleStore

if TYPE_CHECKING:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QShowEvent
    from PySide6.QtWidgets import QLayout, QWidget

SECTION_GAP = 6  # pixels between the settings and the progress, besides the layout's own spacing

_STAGE_TITLES = {
    "loading data": "Loading data",
    "downloading": "Downloading MNIST",
    "training": "Training",
    "evaluating": "Evaluating",
    "cross-validating": "Checking on your samples",
    "saving": "Saving",
    "done": "Done",
}


class RetrainDialog(QDialog):
    """Collects the retrain settings, runs a :class:`TrainingJob` and shows how it went.

    ``modelTrained(kind)`` fires once per saved model (already the user's current model on disk);
    ``trainingStopped(outcome)`` fires with "finished", "kept" (the person kept the models in use
    rather than less accurate new ones; nothing was saved), "failed" or "cancelled".
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
        self._after_stop: list[Callable[[], None]] = []  # what waits for the running job to stop
        self._saving = False  # the job is saving: past the commit point, a cancel is not honoured
        self.worse_question: QMessageBox | None = None  # while it asks whether to use a worse model
        self._last_remaining = (-1.0, 0.0)  # (estimate, job.elapsed when it arrived)

        self.model_ovr = QRadioButton(label("ovr"))
        self.model_ovr.setObjectName("modelOvr")
        self.model_binary = QRadioButton(label("binary"))
        self.model_binary.setObjectName("modelBinary")
        self.model_both = QRadioButton("Both")
        self.model_both.setObjectName("modelBoth")
        self.model_ovr.setToolTip("Retrain the 10-class model that reads every digit")
        self.model_binary.setToolTip("Retrain the model that tells only 0 from 1")
        self.model_both.setToolTip("Retrain both models, one after the other")
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
        self.curves = CurvesPanel()
        self.curves.setVisible(False)  # until the first iteration

        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("trainButton")
        self.train_button.setDefault(True)
        self.train_button.setToolTip("Start training with these settings; drawing goes on meanwhile")
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.setToolTip("Close this dialog (asks first while a model trains)")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.close_button)

        # The settings scroll when the screen is too short for the whole dialog (a laptop's 768 pixels
        # once "Watch it learn" is shown); the progress, the curves and the buttons always show.
        settings = QWidget()
        settings_layout = QVBoxLayout(settings)
        settings_layout.setContentsMargins(0, 0, 0, 0)
        settings_layout.addWidget(model_box)
        settings_layout.addLayout(params_row)
        settings_layout.addWidget(self.data_box)
        settings_layout.addWidget(self.samples_box)
        self.settings_area = QScrollArea()
        self.settings_area.setObjectName("retrainSettings")
        self.settings_area.setAccessibleName("Retrain settings")
        self.settings_area.setAccessibleDescription("Which model, its parameters and where MNIST comes from")
        self.settings_area.setWidget(settings)
        self.settings_area.setWidgetResizable(True)
        self.settings_area.setFrameShape(QScrollArea.Shape.NoFrame)

        layout = QVBoxLayout(self)
        layout.addWidget(self.settings_area)
        # The settings end in whatever part of them the scrolling cuts off; a wider gap keeps the
        # "Progress" title from reading as one more of them.
        layout.addSpacing(SECTION_GAP)
        layout.addWidget(self.panel)
        layout.addWidget(self.curves)
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

    def request(self) -> RetrainRequest:
        """The settings as a plain training request (no Qt in it)."""
        kinds = self.kinds()
        params = {"ovr": self.ovr_box.params(), "binary": self.binary_box.params()}
        return RetrainRequest(
            kinds=kinds,
            params={k: params[k] for k in kinds},
            data_dir=self.data_box.data_dir(),
            download=self.data_box.download.isChecked(),
            mnist=self._mnist,
            max_train=self.data_box.max_train_value(),
            include_samples=self.samples_box.included(),
            samples_folder=self.samples_box.store.folder,
            max_drop=WORSE_BY,  # asked about here, where the command line refuses
        )

    def is_training(self) -> bool:
        return self.job is not None and self.job.is_running()

    def showEvent(self, event: QShowEvent) -> None:
        if not self.is_training():
            self.samples_box.refresh()
        self._fit_to_screen()
        super().showEvent(event)

    def _fit_to_screen(self) -> None:
        """Show the settings whole if the screen has room for the dialog, else as much as fits, and
        keep the whole dialog on the screen: grown downwards, its buttons would end up below it."""
        layout = self.layout()
        layout.activate()  # the size the layout wants now (the curves may have just appeared)
        area = self.settings_area
        content = area.widget().sizeHint()
        area.setMinimumWidth(content.width() + area.verticalScrollBar().sizeHint().width())
        screen = self.screen()
        if screen is None:
            area.setMinimumHeight(content.height())
            return
        room = screen.availableGeometry()
        available = room.height() - (self.frameGeometry().height() - self.height())
        width = max(self.width(), layout.totalMinimumSize().width())
        # The progress message and the weights' caption wrap, so the height the rest of the dialog
        # needs depends on the width; a layout's minimum size leaves that out, and the parts below the
        # settings then covered their end (the "Progress" title was drawn over them).
        rest = layout.totalHeightForWidth(width) - max(area.sizeHint().height(), area.minimumHeight())
        area.setMinimumHeight(max(120, min(content.height(), available - rest)))
        layout.activate()
        needed = _laid_out_height(layout, width)
        if self.height() > available or self.height() < needed:
            self.resize(width, min(needed, available))
        self._keep_on_screen(room)

    def _keep_on_screen(self, room: QRect) -> None:
        """Move the frame up or left into ``room`` where it sticks out; narrower only if it is wider."""
        if self.frameGeometry().width() > room.width():
            self.resize(room.width() - (self.frameGeometry().width() - self.width()), self.height())
        frame = self.frameGeometry()
        x = max(room.left(), min(frame.left(), room.right() + 1 - frame.width()))
        y = max(room.top(), min(frame.top(), room.bottom() + 1 - frame.height()))
        if (x, y) != (frame.left(), frame.top()):
            self.move(x, y)  # a window's position is its frame's

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
        self.job.curve.connect(self._on_curve)
        self.curves.clear()
        self.job.worse.connect(self._on_worse)
        self.job.finished.connect(self._on_finished)
        self.job.kept.connect(self._on_kept)
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
        if stage == "saving":  # the commit point: a cancel is no longer honoured, so it is not offered
            self.panel.cancel.setEnabled(False)
            self._saving = True
        self._last_remaining = (remaining, elapsed)
        self._update_times()

    def _on_curve(self, kind: str, iteration: int, losses: object, weights: object) -> None:
        self.curves.add_point(kind, iteration, losses, weights)
        if not self.curves.isVisible():
            self.curves.setVisible(True)
            QTimer.singleShot(0, self._fit_to_screen)  # once the layout has made room for the curves

    @Slot()
    def _update_times(self) -> None:
        if self.job is None:
            return
        elapsed = self.job.elapsed
        text = f"{format_duration(elapsed)} elapsed"
        estimate, at = self._last_remaining
        if self.is_training() and estimate >= 0 and self.worse_question is None:  # not while it waits
            left = max(estimate - (elapsed - at), 0.0)
            text += f" · about {format_duration(left)} left"
        self.panel.times.setText(text)

    @Slot(list)
    def _on_worse(self, drops: list) -> None:
        several = len(self.kinds()) > 1
        self.panel.stage.setText("Not in use yet")
        self.panel.message.setText(
            f"The new {'models are' if several else 'model is'} trained; "
            "a less accurate one is saved only if you say so."
        )
        self.ask_about_worse(drops)
        self._update_times()  # the time left is the person's to decide now

    def ask_about_worse(self, drops: list[tuple[str, float, float]]) -> None:
        """Ask, without blocking, whether to use new models that read fewer test digits (tests answer
        it by clicking); the answer goes to the job, which then saves them or keeps the current ones."""
        several = len(self.kinds()) > 1
        them = "them" if len(drops) > 1 else "it"
        lines = [
            f"The new {short_label(kind)} model reads {percent(new, RESULT_DIGITS)} of MNIST's test "
            f"digits, {100 * (before - new):.{RESULT_DIGITS}f} points fewer than the one in use "
            f"({percent(before, RESULT_DIGITS)})."
            for kind, new, before in drops
        ]
        title = "Use less accurate models?" if len(drops) > 1 else "Use a less accurate model?"
        text = " ".join([*lines, f"Use {them} anyway?"])
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("worseModelQuestion")
        box.setInformativeText(
            "If you keep the current ones, neither new model is saved."
            if several
            else "If you keep the current one, the new one is not saved."
        )
        use = box.addButton(f"Use {them} anyway", QMessageBox.ButtonRole.AcceptRole)
        use.setObjectName("useNewModel")
        keep = box.addButton(
            "Keep the current ones" if several else "Keep the current one", QMessageBox.ButtonRole.RejectRole
        )
        keep.setObjectName("keepCurrentModel")
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.finished.connect(lambda _: self._answer_worse(box, box.clickedButton() is use))
        self.worse_question = box
        box.open()  # modal to this dialog only: the main window goes on reading drawings

    def _answer_worse(self, box: QMessageBox, use: bool) -> None:
        if self.worse_question is box:
            self.worse_question = None
        box.deleteLater()
        self._last_remaining = (-1.0, 0.0)  # the estimate from before the question no longer holds
        if self.job is not None and self.job.is_running():
            what = "models" if len(self.kinds()) > 1 else "model"
            self.panel.message.setText(f"Saving the new {what}…" if use else f"Keeping the current {what}…")
            self.job.answer_worse(use)

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
        results = list(self.results)
        self.panel.result.set_html(lambda palette: "<br>".join(result_html(r, palette) for r in results))
        self._fit_result()
        for result in self.results:
            self.modelTrained.emit(result.kind)

    def _fit_result(self) -> None:
        """Grow the dialog if a long message needs more lines than there is room for, on the screen."""
        label = self.panel.result
        label.setMinimumHeight(max(48, label.heightForWidth(max(label.width(), 200))))
        QTimer.singleShot(0, self._fit_to_screen)  # once the layout has made room for it

    @Slot(list)
    def _on_kept(self, results: list) -> None:
        self.results = list(results)
        self.outcome = "kept"
        several = len(results) > 1
        self.panel.stage.setText("Kept the models in use" if several else "Kept the model in use")
        self.panel.bar.setValue(1000)
        self.panel.message.setText(
            "The new models were not saved; the ones in use stay."
            if several
            else "The new model was not saved; the one in use stays."
        )
        results = list(self.results)
        self.panel.result.set_html(lambda palette: "<br>".join(result_html(r, palette) for r in results))
        self._fit_result()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.outcome = "failed"
        self.panel.stage.setText("Failed")
        self.panel.message.setText("Nothing was saved; the previous model is still in use.")
        text = html.escape(message)
        self.panel.result.set_html(
            lambda palette: f'<span style="color:{colour_name("error_text", palette)}">{text}</span>'
        )
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
        if self.worse_question is not None:  # cancelled while it asked: there is nothing to answer
            self.worse_question.reject()
        self.train_button.setText("Train again" if self.outcome in ("finished", "kept") else "Train")
        self._update_enabled()
        self.trainingStopped.emit(self.outcome or "failed")
        waiting, self._after_stop, self._saving = self._after_stop, [], False
        for then in waiting:
            then()

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

    def stop_then(self, then: Callable[[], None]) -> bool:
        """Before closing: True if nothing is training, so the caller may close now.

        Otherwise False, and ``then`` runs once the job has stopped: after the person agreed to stop it
        (asked once; a second request while it stops just waits too), or, while it saves (the commit
        point, where a cancel is not honoured), once the saving is done, without asking.
        """
        if not self.is_training():
            return True
        if self._after_stop or self._saving:  # already on its way to the end
            self._after_stop.append(then)
            return False
        if not self.confirm_stop():
            return False
        if not self.is_training():  # it ended while the question was open
            return True
        self._after_stop.append(then)
        self.cancel_training()
        return False

    def reject(self) -> None:
        """Esc, the Close button and the window's close box all end here (QDialog routes them)."""
        if self.stop_then(self._close_now):
            super().reject()

    def _close_now(self) -> None:
        super().reject()


def _laid_out_height(layout: QLayout, width: int) -> int:
    """The least height at which the box ``layout`` places its items at ``width`` without overlap.

    A box layout gives an item that wraps its text the height it needs at that width even where this
    is more than its minimum; ``totalMinimumSize`` counts the minimum, so a window that size overlaps.
    """
    margins = layout.contentsMargins()
    inner = width - margins.left() - margins.right()
    total, shown = margins.top() + margins.bottom(), 0
    for item in (layout.itemAt(i) for i in range(layout.count())):
        if item.isEmpty():  # a hidden widget takes nothing, a spacer its size with no spacing around it
            total += 0 if item.widget() is not None else item.minimumSize().height()
            continue
        total += item.heightForWidth(inner) if item.hasHeightForWidth() else item.minimumSize().height()
        shown += 1
    return total + max(layout.spacing(), 0) * max(shown - 1, 0)
