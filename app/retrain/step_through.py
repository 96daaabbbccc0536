"""Model > Step through gradient descent…: the from-scratch training of the 0-vs-1 model, a step at a time.

This is the descent :meth:`model.binary.BinaryLogisticRegression.fit` runs (the same object takes the
same steps), shown one step per click or as a slow play: the loss, the gradient's norm and its
largest entry (which the stopping rule compares with the tolerance), the step size and the test
accuracy after each step, the loss curve, and the 28x28 weights as they form.
MNIST's zeros and ones are loaded in a worker (with progress; closing the window stops it); one step
on its 12,665 pictures is a pair of matrix-vector products, so it runs on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.text.numbers import RESULT_DIGITS, percent
from app.widgets.actions import add_close_keys
from app.widgets.headings import heading
from app.widgets.heatmap import WeightsPicture
from app.widgets.line_plot import LinePlot
from app.workers.background_job import BackgroundJob
from training.loaders import ZeroOneData

PLAY_INTERVAL_MS = 120  # a step every so often while playing: slow enough to watch
WEIGHTS_SIDE = 224


class StepThroughWindow(QWidget):
    """The binary model's gradient descent, step by step: Step, Play / Pause, Start again."""

    def __init__(
        self,
        data: Callable[..., ZeroOneData],
        params: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("stepThroughWindow")
        self.setWindowTitle("Step through gradient descent (0 vs 1)")
        add_close_keys(self)
        self.params = dict(params or {})
        self.descent: Any = None
        self._data: ZeroOneData | None = None
        self.history: list[Any] = []  # (step, test accuracy) after each step

        self.headline = heading("Loading MNIST's zeros and ones…", "stepHeadline", 1.3)
        self.explainer = QLabel(
            "Each step moves the 784 weights against the gradient of the regularised logistic loss, by "
            "the step size 1/L (L bounds the loss's curvature), with Nesterov momentum. Red weights say "
            "1 where there is ink, blue ones say 0."
        )
        self.explainer.setWordWrap(True)
        self.loading = QProgressBar()
        self.loading.setObjectName("stepLoading")
        self.loading.setRange(0, 0)  # busy until the first report with a fraction
        self.loading.setMaximumHeight(6)
        self.loading.setTextVisible(False)
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        for row, (key, title) in enumerate(
            (
                ("step", "Step"),
                ("loss", "Loss"),
                ("gradient", "Gradient norm (L2)"),
                ("gradient_max", "Largest gradient entry"),
                ("size", "Step size"),
                ("accuracy", "Test accuracy (0s and 1s)"),
            )
        ):
            name = QLabel(title)
            value = QLabel("–")
            value.setObjectName(f"step_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setAccessibleName(title)
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        self.step_button = QPushButton("&Next step")
        self.step_button.setObjectName("stepButton")
        self.step_button.setShortcut(QKeySequence(Qt.Key.Key_N))  # Space would click the focused button
        self.step_button.setToolTip("Take one gradient step (N for next)")
        self.play_button = QPushButton("Play")
        self.play_button.setObjectName("playButton")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Take a step every fraction of a second until the descent converges")
        self.reset_button = QPushButton("Start again")
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip("Forget the steps taken and start again from zero weights")
        buttons = QHBoxLayout()
        for button in (self.step_button, self.play_button, self.reset_button):
            buttons.addWidget(button)
            button.setEnabled(False)
        buttons.addStretch(1)
        self.plot = LinePlot("step", "loss", log_y=True)
        self.plot.setObjectName("descentLoss")
        self.plot.set_series(["loss"])
        # The axis keeps the room it first gives the tick values. While MNIST loads the plot is empty,
        # without ticks, and pyqtgraph shrank that room to nothing, then to the values' exact height:
        # the title "step" touched them (the retrain dialog's plot is hidden until it has points).
        self.plot.plot_item.getAxis("bottom").setStyle(autoReduceTextSpace=False)
        self.weights = WeightsPicture(WEIGHTS_SIDE)
        self.weights.setObjectName("descentWeights")
        self.weights.setFixedSize(WEIGHTS_SIDE, WEIGHTS_SIDE)
        self.weights.setAccessibleName("The weights after the last step")

        left = QVBoxLayout()
        left.addLayout(grid)
        left.addLayout(buttons)
        left.addWidget(self.plot, 1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(self.weights, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.loading)
        layout.addWidget(self.explainer)
        layout.addLayout(body, 1)
        self.resize(760, 480)

        self._timer = QTimer(self)
        self._timer.setInterval(PLAY_INTERVAL_MS)
        self._timer.timeout.connect(self.step)
        self.step_button.clicked.connect(self.step)
        self.play_button.toggled.connect(self.play)
        self.reset_button.clicked.connect(self.reset)
        self._job = BackgroundJob("digit-canvas-step-data", self)
        self._job.reported.connect(self._on_progress)
        self._job.done.connect(self._loaded)
        self._job.failed.connect(self._failed)
        self._job.start_with_progress(data)

    def is_ready(self) -> bool:
        return self.descent is not None

    def _on_progress(self, progress: Any) -> None:
        """Show how loading (or downloading) MNIST goes, in the headline and the bar under it."""
        message = getattr(progress, "message", "")
        if message:
            self.headline.setText(f"Loading MNIST's zeros and ones… {message}")
        fraction = getattr(progress, "fraction", None)
        if fraction is not None:
            self.loading.setRange(0, 1000)
            self.loading.setValue(round(1000 * fraction))

    def _loaded(self, data: ZeroOneData) -> None:
        self._data = data
        self.loading.hide()
        self.reset()

    def _failed(self, message: str) -> None:
        self.loading.hide()
        self.headline.setText("Could not load MNIST's zeros and ones")
        self.explainer.setText(message)

    def reset(self) -> None:
        """Start the descent again from zero weights."""
        if self._data is None:
            return
        from model.binary import BinaryLogisticRegression

        self.play_button.setChecked(False)
        X, y, _, _ = self._data
        self.descent = BinaryLogisticRegression(**self.params).descent(X, y)
        self.history = []
        self.plot.set_series(["loss"])
        self.headline.setText(f"Ready: {len(y):,} training pictures of 0 and 1, all weights zero")
        for value in self.values.values():
            value.setText("–")
        self.values["size"].setText(f"{self.descent.step_size:.4g}")
        self._draw_weights(np.zeros(784))
        for button in (self.step_button, self.play_button, self.reset_button):
            button.setEnabled(True)
        self.step_button.setFocus()  # Space or Enter steps at once; N steps from anywhere in the window

    def play(self, on: bool) -> None:
        """Step on a timer (``on``) or stop."""
        self.play_button.setText("Pause" if on else "Play")
        if on and self.descent is not None:
            self._timer.start()
        else:
            self._timer.stop()

    def step(self) -> Any:
        """Take one step and show where it led; returns the :class:`model.binary.DescentStep`."""
        if self.descent is None or self._data is None:
            return None
        step = self.descent.step()
        _, _, X_test, y_test = self._data
        accuracy = float(((X_test @ step.coef + step.intercept > 0) == (y_test == 1)).mean())
        self.history.append((step, accuracy))
        self.values["step"].setText(f"{step.iteration}")
        self.values["loss"].setText(f"{step.loss:.5f}")
        self.values["gradient"].setText(f"{step.gradient_norm:.2e}")
        self.values["gradient_max"].setText(f"{step.gradient_max:.2e}")
        self.values["size"].setText(
            f"{step.step_size:.4g}" + (" (momentum restarted)" if step.restarted else "")
        )
        self.values["accuracy"].setText(percent(accuracy, RESULT_DIGITS))
        self.plot.append(step.iteration, [step.loss])
        self._draw_weights(step.coef)
        if step.converged:
            self.headline.setText(
                f"Converged after {step.iteration} steps: the largest gradient entry is below the tolerance"
            )
            self.play_button.setChecked(False)
        else:
            self.headline.setText(f"Step {step.iteration}: test accuracy {percent(accuracy, RESULT_DIGITS)}")
        return step

    def _draw_weights(self, coef: np.ndarray) -> None:
        self.weights.set_weights(coef)

    def closeEvent(self, event: Any) -> None:
        self._timer.stop()
        self._job.cancel_and_wait(5000)  # loading looks at the job's cancel flag as it goes
        super().closeEvent(event)
