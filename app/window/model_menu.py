"""Model > Retrain…, Reset to bundled models, Evaluate…, Show weights.

This controller owns the retrain dialog and the evaluation and weights windows, offers their actions
for the Model menu, and swaps newly trained or reset models into the window through its model library,
so predictions switch live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot

from app.text.labels import label
from app.widgets.actions import make_action
from model.store import reset_to_bundled, user_model_path

if TYPE_CHECKING:  # the windows are imported when first opened: they pull in scikit-learn (slow start)
    from PySide6.QtWidgets import QWidget

    from app.evaluation.window import EvaluationWindow
    from app.retrain.dialog import RetrainDialog
    from app.weights.window import WeightsWindow
    from app.window.host import WindowHost


class ModelMenu(QObject):
    """The retrain, reset, evaluate and weights actions, in two groups for the Model menu."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window.window())
        self.window = window
        self.dialog: RetrainDialog | None = None
        self.windows: list[QWidget] = []  # open evaluation / weights windows, kept alive
        self.retrain_action = make_action(
            self,
            "retrain",
            "&Retrain…",
            self.open_retrain,
            ["Ctrl+R"],
            tip="Train the models again, in the background",
        )
        self.reset_action = make_action(
            self, "reset", "Reset to &bundled models", self.reset, tip="Forget your trained models"
        )
        self.evaluate_action = make_action(
            self,
            "evaluate",
            "&Evaluate…",
            self.evaluate,
            tip="Accuracy, confusion matrix and mistakes on MNIST test",
        )
        self.weights_action = make_action(
            self, "weights", "Show &weights", self.show_weights, tip="What each class's weights look for"
        )
        self.training_actions = [self.retrain_action, self.reset_action]
        self.view_actions = [self.evaluate_action, self.weights_action]
        self._update_reset()

    # ------------------------------------------------------------------------------------- retrain

    @Slot()
    def open_retrain(self) -> RetrainDialog:
        """Show the retrain dialog (not modal: drawing goes on while a model trains)."""
        if self.dialog is None:
            from app.retrain.dialog import RetrainDialog

            self.dialog = RetrainDialog(self.window.window())
            self.dialog.modelTrained.connect(self._model_trained)
            self.dialog.trainingStarted.connect(self._update_reset)
            self.dialog.trainingStopped.connect(self._training_stopped)
        if not self.dialog.is_training():  # offer the model in use
            binary = self.window.model_kind() == "binary"
            (self.dialog.model_binary if binary else self.dialog.model_ovr).setChecked(True)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    @Slot(str)
    def _model_trained(self, kind: str) -> None:
        self.window.models.reload(kind)

    @Slot(str)
    def _training_stopped(self, outcome: str) -> None:
        self._update_reset()
        if outcome == "finished" and self.dialog is not None:
            from app.retrain.summary import summary_line

            lines = [summary_line(r) for r in self.dialog.results]
            self.window.show_status("; ".join(lines), 15000)

    # --------------------------------------------------------------------------------------- reset

    @Slot()
    def reset(self) -> bool:
        """Go back to the bundled models after asking; the user's model files are deleted."""
        if self.dialog is not None and self.dialog.is_training():
            return False
        if not self.confirm_reset():
            return False
        reset_to_bundled()
        for kind in self.window.models.kinds():
            self.window.models.reload(kind)
        self.window.show_status("Now using the bundled models.", 8000)
        self._update_reset()
        return True

    def confirm_reset(self) -> bool:
        """Ask before deleting the user's trained models (tests replace this)."""
        from PySide6.QtWidgets import QMessageBox  # dialogs are imported when first shown (start-up)

        answer = QMessageBox.question(
            self.window.window(),
            "Reset to bundled models?",
            "Your trained models will be deleted and the models that came with the app used again.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def _update_reset(self) -> None:
        training = self.dialog is not None and self.dialog.is_training()
        has_own = any(user_model_path(k) is not None for k in self.window.models.kinds())
        self.reset_action.setEnabled(has_own and not training)
        self.reset_action.setToolTip(
            "A model is training" if training else ("" if has_own else "You are using the bundled models")
        )

    # ------------------------------------------------------------------------------- show windows

    @Slot()
    def evaluate(self) -> EvaluationWindow | None:
        in_use = self._model_in_use("No model is loaded to evaluate.")
        if in_use is None:
            return None
        from app.evaluation.window import EvaluationWindow, mnist_test_set

        estimator, name = in_use
        view = EvaluationWindow(estimator, mnist_test_set(), self.window.window(), title=f"Evaluate: {name}")
        self._keep(view)
        return view

    @Slot()
    def show_weights(self) -> WeightsWindow | None:
        in_use = self._model_in_use("No model is loaded.")
        if in_use is None:
            return None
        from app.weights.window import WeightsWindow

        estimator, name = in_use
        view = WeightsWindow(estimator, self.window.window(), title=f"Weights: {name}")
        self._keep(view)
        return view

    def _model_in_use(self, missing: str) -> tuple[Any, str] | None:
        """The model reading the drawing and its name, or ``None`` after saying ``missing``."""
        estimator = self.window.predictor.model()
        if estimator is None:
            self.window.show_message(missing, "warning")
            return None
        return estimator, label(self.window.model_kind() or "ovr")

    def _keep(self, view: QWidget) -> None:
        self.windows = [w for w in self.windows if w.isVisible()]
        self.windows.append(view)
        view.show()
        view.raise_()
