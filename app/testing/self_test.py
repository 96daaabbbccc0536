"""``digit-canvas --self-test``: the app checks itself as a person would, for a bundle's smoke test.

It opens the main window (offscreen unless ``QT_QPA_PLATFORM`` says otherwise), waits for its first
paint, draws a few digits on the canvas with real mouse events (:mod:`app.testing.replay`) and checks
that the window reads each one. It draws the retrain dialog's loss plot and the evaluation window's
reliability diagram with pyqtgraph (a bundle that left out a part of it, or a Qt module it needs, fails
here rather than when someone opens a plot). Then it starts the kind of
background process a retrain runs in and waits for its answer (in a bundle, that process is the
executable started again). It runs on a fresh,
temporary data folder, so the bundled models are the ones checked and a person's own models, samples
and settings are neither used nor touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QMainWindow

    from training.progress import CancelFlag

TIMEOUT_MS = 60_000  # a first paint slower than this means the window is broken, not slow


def _ellipse(cx: float, cy: float, rx: float, ry: float, turns: float = 1.0) -> np.ndarray:
    t = np.linspace(0.0, 2.0 * np.pi * turns, int(48 * turns))
    return np.column_stack([cx + rx * np.sin(t), cy - ry * np.cos(t)])


# Each digit as a person draws it with the mouse: strokes of (x, y) points, y down, in any units
# (draw_placed fits them into two thirds of the sheet).
DIGITS: dict[str, list[np.ndarray]] = {
    "0": [_ellipse(5.0, 6.0, 3.2, 5.5)],
    "1": [np.array([[5.0, 0.0], [5.0, 12.0]])],
    "7": [np.array([[0.0, 0.0], [8.0, 0.0], [3.0, 12.0]])],
    "4": [np.array([[6.0, 0.0], [0.0, 7.5], [8.0, 7.5]]), np.array([[6.0, 3.0], [6.0, 12.0]])],
}


def run_self_test(qt_args: Sequence[str] = ()) -> int:
    """Run the check; 0 when every digit was read right, else 1 with one line on stderr saying why."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    previous_home = os.environ.get("DIGIT_CANVAS_HOME")
    with tempfile.TemporaryDirectory(prefix="digit-canvas-self-test-") as home:
        os.environ["DIGIT_CANVAS_HOME"] = home
        try:
            problem = _open_window_and_draw(qt_args) or check_plots() or check_child_process()
        except Exception as exc:  # whatever broke, the smoke test reports it in one line
            problem = f"{type(exc).__name__}: {exc}"
        finally:
            if previous_home is None:
                del os.environ["DIGIT_CANVAS_HOME"]
            else:
                os.environ["DIGIT_CANVAS_HOME"] = previous_home
    if problem:
        print(f"digit-canvas self-test failed: {problem}", file=sys.stderr, flush=True)
        return 1
    print(
        f"digit-canvas self-test passed: the window read {', '.join(DIGITS)} right, the plots drew, and "
        "a retrain's background process started and answered",
        flush=True,
    )
    return 0


def _open_window_and_draw(qt_args: Sequence[str]) -> str | None:
    """The problem found, or None."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.boot.startup import FirstPaint
    from app.window.assembly import build_main_window

    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    window = build_main_window(kind="ovr")
    outcome: list[str | None] = []

    def finish(problem: str | None) -> None:
        if not outcome:
            outcome.append(problem)
            app.quit()

    def painted() -> None:
        try:
            finish(read_digits(window))
        except Exception as exc:
            finish(f"{type(exc).__name__} while drawing: {exc}")

    first_paint = FirstPaint(window)
    first_paint.painted.connect(painted)
    timer = QTimer(singleShot=True, interval=TIMEOUT_MS)
    timer.timeout.connect(lambda: finish(f"the window did not paint within {TIMEOUT_MS // 1000} s"))
    timer.start()
    window.show()
    app.exec()
    timer.stop()
    window.close()
    return outcome[0] if outcome else "the event loop ended before the check ran"


def read_digits(window: QMainWindow) -> str | None:
    """Draw each of :data:`DIGITS` on ``window``'s canvas; the first one read wrong, or None."""
    from PySide6.QtWidgets import QLabel

    from app.testing.replay import draw_placed

    if window.predictor.model() is None:
        return "no model was loaded (are assets/*.joblib and digests.json in the bundle?)"
    label = window.findChild(QLabel, "predictionDigit")
    for digit, strokes in DIGITS.items():
        window.action("clear").trigger()
        draw_placed(window.canvas, strokes)
        if label.text() != digit:
            return f"the {digit} drawn on the canvas was read as {label.text()!r}"
    return None


def check_plots() -> str | None:
    """Draw a loss plot and a reliability diagram as the retrain and evaluation windows do; the problem,
    or None."""
    from app.widgets.line_plot import LinePlot
    from app.widgets.reliability_diagram import ReliabilityDiagram

    plot, diagram = LinePlot("iteration", "loss", log_y=True), ReliabilityDiagram()
    plot.set_series(["0", "1"])
    losses = np.outer([0.7, 0.5], 1 / np.arange(1, 6))
    for iteration, values in enumerate(losses.T, start=1):
        plot.append(iteration, values)
    plot.flush()
    drawn = [curve.getData()[1] for curve in plot.curves()]
    if not np.allclose(drawn, np.log10(losses)):  # a log axis draws the logarithms
        return f"the loss plot drew {drawn!r} for two curves of five points"
    edges = np.linspace(0.0, 1.0, 11)
    accuracy = np.linspace(0.05, 0.95, 10)
    diagram.set_reliability(edges, accuracy + 0.02, accuracy, np.full(10, 100), 0.02)
    if not np.allclose(diagram.bars.opts["height"], accuracy):
        return f"the reliability diagram drew bars of {diagram.bars.opts['height']!r}"
    for widget in (plot, diagram):
        widget.resize(320, 240)
        if widget.grab().isNull():
            return f"{type(widget).__name__} could not be painted"
    return None


def check_child_process() -> str | None:
    """Start a child process as a retrain does and wait for its report and answer; the problem, or None."""
    from training.child_process import run_in_child

    reports: list[tuple] = []
    answer = run_in_child(_child_answer, os.getpid(), report=lambda *values: reports.append(values))
    if reports != [("started",)] or not isinstance(answer, int) or answer == os.getpid():
        return f"the background process answered {answer!r} after reporting {reports!r}"
    return None


# What a retrain imports only once it runs (inside functions), so a bundle that left one out would
# fail only when someone retrains: the child imports them all before it answers.
RETRAIN_MODULES = (
    "training.retrain",
    "training.continental",
    "training.negatives",
    "training.download",
    "training.user_eval",
    "model.lbfgs",
    "joblib",
    "filelock",
)


def _child_answer(parent: int, report: Callable[..., None], cancel: CancelFlag) -> int:
    """Runs in the child: says it started, imports what a retrain needs, answers with its process id."""
    import importlib

    report("started")
    for name in RETRAIN_MODULES:
        importlib.import_module(name)
    return os.getpid() if os.getppid() == parent else -1
