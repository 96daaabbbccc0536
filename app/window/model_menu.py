"""Model > Retrain…, Reset to bundled models, Evaluate…, Show weights.

This controller owns the retrain dialog and the evaluation and weights windows, offers their actions
for the Model menu, and swaps newly trained or reset models into the window through its model library,
so predictions switch live. It also answers where MNIST comes from: the folder found or chosen last,
else a question (Download / Choose folder… / Cancel), and after a failed evaluation the window's own
Try again and Choose folder… buttons; Show weights' window has the same two for its second set of
maps. A remembered folder whose files fail their checks is forgotten, so the next Evaluate or Show
weights asks again instead of failing the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot

from app.text.labels import label
from app.widgets.actions import make_action
from app.window.settings import AppSettings
from model.store import reset_to_bundled, user_model_path

if TYPE_CHECKING:  # the windows are imported when first opened: they pull in scikit-learn (slow start)
    from collections.abc import Callable

    from PySide6.QtWidgets import QWidget

    from app.evaluation.window import EvaluationWindow
    from app.retrain.dialog import RetrainDialog
    from app.retrain.step_through import StepThroughWindow
    from app.weights.window import WeightsWindow
    from app.window.host import WindowHost


class ModelMenu(QObject):
    """The retrain, reset, evaluate and weights actions, in two groups for the Model menu."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window.window())
        self.window = window
        self.dialog: RetrainDialog | None = None
        self.windows: list[QWidget] = []  # open evaluation / weights windows, kept alive
        self.evaluations: list[EvaluationWindow] = []  # every evaluation window opened (tests look)
        self.mnist_question: Any = None  # the "MNIST is needed" question, while it is asked
        self.broken_folder: Path | None = None  # a remembered MNIST folder forgotten for its damaged files
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
        self.step_action = make_action(
            self,
            "step_through",
            "&Step through gradient descent…",
            self.step_through,
            tip="Train the 0-vs-1 model one gradient step at a time and watch its weights form",
        )
        self.training_actions = [self.retrain_action, self.step_action, self.reset_action]
        window.add_close_guard(self.may_close)
        self.view_actions = [self.evaluate_action, self.weights_action]
        self._update_reset()

    # ------------------------------------------------------------------------------------- retrain

    @Slot()
    def open_retrain(self) -> RetrainDialog:
        """Show the retrain dialog (not modal: drawing goes on while a model trains)."""
        if self.dialog is None:
            from app.retrain.dialog import RetrainDialog

            self.dialog = RetrainDialog(self.window.window())
            remembered = AppSettings().mnist_dir()
            if self.dialog.data_box.found_dir is None and remembered is not None:
                self.dialog.data_box.set_folder(remembered)  # the folder chosen last time
            # A folder chosen here is remembered at once: Evaluate and the next retrain use it,
            # trained with or not.
            self.dialog.data_box.folderChosen.connect(self._remember_mnist_dir)
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

    def may_close(self) -> bool:
        """Whether the main window may close now. A running retrain asks first, as its own dialog
        does (:meth:`RetrainDialog.stop_then`): if the person agrees it is cancelled and the window
        closes once it has stopped, so no training thread or child process is left behind and nothing
        half-trained is saved; one that is already saving finishes first."""
        return self.dialog is None or self.dialog.stop_then(self.window.window().close)

    @Slot(Path)
    def _remember_mnist_dir(self, folder: Path) -> None:
        AppSettings().set_mnist_dir(folder)
        self.broken_folder = None

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
        """Evaluate the model in use on MNIST's test digits; without MNIST, offer to fetch it first.

        Returns the evaluation window, or ``None`` when MNIST has to be downloaded or chosen first
        (the question is :attr:`mnist_question`; its answer opens the window).
        """
        in_use = self._model_in_use("No model is loaded to evaluate.")
        if in_use is None:
            return None
        from app.evaluation.mnist_source import loader_for

        folder = self.mnist_dir()
        if folder is None:
            self._ask_for_mnist(
                "Evaluating needs MNIST's 10,000 test digits",
                lambda data_dir, download: self._open_evaluation(in_use, loader_for(data_dir, download)),
            )
            return None
        return self._open_evaluation(in_use, loader_for(folder, False))

    @Slot()
    def step_through(self) -> StepThroughWindow | None:
        """Open the step-by-step gradient descent of the 0-vs-1 model (asks for MNIST if it is missing)."""
        folder = self.mnist_dir()
        if folder is None:
            self._ask_for_mnist("Stepping through training needs MNIST's zeros and ones", self._open_steps)
            return None
        return self._open_steps(folder, False)

    def _open_steps(self, data_dir: Path | None, download: bool) -> StepThroughWindow:
        from app.retrain.step_through import StepThroughWindow
        from training.loaders import mnist_zeros_and_ones

        view = StepThroughWindow(mnist_zeros_and_ones(data_dir, download), parent=self.window.window())
        self._keep(view)
        return view

    def mnist_dir(self) -> Path | None:
        """Where MNIST is: found (environment, cache, usual places) or the folder chosen last."""
        from training.data import MnistDataError, find_mnist_dir

        try:
            found = find_mnist_dir()
        except MnistDataError:
            found = None
        return found or AppSettings().mnist_dir()

    def _open_evaluation(self, in_use: tuple[Any, str], test_data: Any) -> EvaluationWindow:
        from app.evaluation.window import EvaluationWindow

        estimator, name = in_use
        view = EvaluationWindow(estimator, test_data, self.window.window(), title=name)
        self._offer_mnist_ways(view)
        self._keep(view)
        self.evaluations.append(view)
        return view

    def _offer_mnist_ways(self, view: EvaluationWindow | WeightsWindow) -> None:
        """Answer a window's own Download / Try again and Choose folder…, and forget a remembered
        folder its failure found damaged (the evaluation window, and Show weights' second maps)."""
        view.downloadRequested.connect(lambda: self._download_for(view))
        view.folderRequested.connect(lambda: self._choose_folder_for(view))
        view.failed.connect(lambda _message: self._forget_if_broken(view))

    def _download_for(self, view: EvaluationWindow | WeightsWindow) -> None:
        """The window's Try again (or Download): start again on MNIST downloaded, as the question does."""
        from app.evaluation.mnist_source import downloaded_test_set

        view.restart(downloaded_test_set())

    def _choose_folder_for(self, view: EvaluationWindow | WeightsWindow) -> None:
        """The window's Choose folder…: start again on the folder chosen; a folder without MNIST is
        refused in the window, whose buttons stay."""
        from app.evaluation.mnist_source import loader_for

        folder = self.choose_mnist_folder(view, view.show_refusal)
        if folder is not None:
            view.restart(loader_for(folder, False))

    def _forget_if_broken(self, view: EvaluationWindow | WeightsWindow) -> None:
        """A remembered folder whose files failed their checks is no longer offered as MNIST's."""
        broken = view.failure.folder if view.failure is not None else None
        if broken is None:
            return
        settings = AppSettings()
        remembered = settings.mnist_dir()
        if remembered is not None and _same_folder(remembered, broken):
            settings.forget_mnist_dir()
            self.broken_folder = broken

    def _ask_for_mnist(self, need: str, then: Any) -> None:
        """Say that MNIST is needed (``need``) and, once downloaded or found, call ``then(dir, download)``."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self.window.window())
        box.setObjectName("mnistQuestion")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("MNIST is needed")
        if self.broken_folder is not None:
            box.setText(f"{need}, and the MNIST files in {self.broken_folder} are damaged or unreadable.")
        else:
            box.setText(f"{need}, which are not on this computer yet.")
        box.setInformativeText(
            "Download MNIST (about 11 MB, kept for next time and for retraining), or choose the folder "
            "that holds its four files."
        )
        download = box.addButton("Download", QMessageBox.ButtonRole.AcceptRole)
        download.setObjectName("downloadMnist")
        download.setToolTip("Download MNIST now, with progress and Cancel")
        choose = box.addButton("Choose folder…", QMessageBox.ButtonRole.ActionRole)
        choose.setObjectName("chooseMnist")
        choose.setToolTip("Choose a folder that already holds MNIST's four files")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(download)

        def answered(button: Any) -> None:
            if button is download:
                then(None, True)
            elif button is choose:
                folder = self.choose_mnist_folder()
                if folder is not None:
                    then(folder, False)

        box.buttonClicked.connect(answered)
        self.mnist_question = box
        box.open()

    def choose_mnist_folder(
        self, parent: QWidget | None = None, refuse: Callable[[str], None] | None = None
    ) -> Path | None:
        """Ask for the MNIST folder (over ``parent``, default the main window) and remember it.

        A folder without the four files is refused in one sentence, said by ``refuse`` (default: the
        main window's message strip).
        """
        from PySide6.QtWidgets import QFileDialog

        from training.mnist_files import MNIST_FILES, missing_files

        chosen = QFileDialog.getExistingDirectory(
            parent if parent is not None else self.window.window(),
            "Choose the MNIST folder",
            str(Path.home()),
        )
        if not chosen:
            return None
        folder = Path(chosen)
        missing = missing_files(folder)
        if missing:
            if len(missing) == len(MNIST_FILES):
                message = f"{folder} lacks all four MNIST files; choose the folder that holds them."
            else:
                message = (
                    f"{folder} lacks {', '.join(missing)}; choose the folder that holds MNIST's four files."
                )
            if refuse is not None:
                refuse(message)
            else:
                self.window.show_message(message, "warning")
            return None
        self._remember_mnist_dir(folder)
        return folder

    @Slot()
    def show_weights(self) -> WeightsWindow | None:
        in_use = self._model_in_use("No model is loaded.")
        if in_use is None:
            return None
        from app.weights.window import WeightsWindow
        from training.loaders import mnist_test_set

        estimator, name = in_use
        folder = self.mnist_dir()
        test_data = None if folder is None else mnist_test_set(folder)
        view = WeightsWindow(estimator, self.window.window(), title=name, test_data=test_data)
        self._offer_mnist_ways(view)
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


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b
