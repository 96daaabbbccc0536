"""Quitting the app or closing a window reaches the work running behind it: every secondary window's
slow work runs in a BackgroundJob and looks at that job's own cancel flag, the one the quit sets.

The work here waits on the flag it was given (for at most a minute), so a window that kept a flag of
its own, or passed none, leaves the job running and the test fails on what it sees, not on a clock.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication

from app.evaluation.window import EvaluationWindow
from app.retrain.step_through import StepThroughWindow
from app.weights.window import MEAN_PER_CLASS, WeightsWindow
from model.store import bundled_model_path, load_model
from training.progress import Cancelled, Progress

pytestmark = pytest.mark.gui

PATIENCE = 60.0  # seconds the fake work waits for the cancel before giving up on it


class WaitsToBeStopped:
    """Stands in for a slow loader: reports ``report``, then waits until it is told to stop."""

    reports_progress = True

    def __init__(self, report: Progress) -> None:
        self.report = report
        self.started = threading.Event()
        self.saw_cancel: list[bool] = []

    def __call__(self, progress=None, cancel=None):
        if progress is not None:
            progress(self.report)
        self.started.set()
        stopped = cancel is not None and cancel.wait(PATIENCE)
        self.saw_cancel.append(bool(stopped))
        raise Cancelled("cancelled by the user") if stopped else RuntimeError("never told to stop")


def slow_download() -> WaitsToBeStopped:
    """MNIST's loader: reports a download, then waits to be stopped."""
    return WaitsToBeStopped(Progress("downloading", "t10k-images: 1.0 of 9.9 MB", 0.1))


def _evaluation_window(qtbot, loader) -> EvaluationWindow:
    view = EvaluationWindow(load_model("ovr", bundled_model_path("ovr")), loader, user_samples=None)
    qtbot.addWidget(view)
    view.show()
    assert loader.started.wait(10)
    return view


def test_quitting_during_the_evaluation_download_stops_it(qtbot) -> None:
    loader = slow_download()
    view = _evaluation_window(qtbot, loader)
    QCoreApplication.instance().aboutToQuit.emit()  # what QApplication.quit() sends before it returns
    assert loader.saw_cancel == [True]
    assert not view._job.is_running()


def test_closing_the_evaluation_window_stops_its_download(qtbot) -> None:
    loader = slow_download()
    view = _evaluation_window(qtbot, loader)
    with qtbot.waitSignal(view._job.stopped, timeout=int(PATIENCE * 1000)):
        view.close()
    assert loader.saw_cancel == [True]
    assert view.evaluation is None


def test_the_cancel_button_uses_the_jobs_own_flag(qtbot) -> None:
    loader = slow_download()
    view = _evaluation_window(qtbot, loader)
    qtbot.waitUntil(view.cancel_button.isVisible, timeout=5000)
    with qtbot.waitSignal(view.failed, timeout=int(PATIENCE * 1000)) as failed:
        view.cancel_button.click()
    assert "cancelled" in failed.args[0]
    assert view._job.cancel_requested and loader.saw_cancel == [True]


def test_closing_show_weights_stops_the_averaging_within_a_digit(qtbot, monkeypatch) -> None:
    import model.explain

    explained: list[int] = []
    real = model.explain.explain
    monkeypatch.setattr(model.explain, "explain", lambda *a, **k: explained.append(1) or real(*a, **k))
    rng = np.random.default_rng(0)
    X = (rng.random((10 * MEAN_PER_CLASS, 784)) * (rng.random((10 * MEAN_PER_CLASS, 784)) > 0.8)).astype(
        np.float32
    )
    y = np.repeat(np.arange(10), MEAN_PER_CLASS)
    view = WeightsWindow(load_model("ovr", bundled_model_path("ovr")), test_data=lambda: (X, y))
    qtbot.addWidget(view)
    view.show()
    cancelled, done = [], []
    view._job.cancelled.connect(lambda: cancelled.append(True))
    view._job.done.connect(done.append)
    qtbot.waitUntil(lambda: "of 2,000" in view.mean_note.text(), timeout=30000)  # it reports as it goes
    view.close()
    qtbot.waitUntil(lambda: bool(cancelled or done), timeout=int(PATIENCE * 1000))
    assert cancelled == [True] and done == []
    assert not view._job.is_running() and len(explained) < len(y)
    assert view.mean_maps == []


def slow_zeros_and_ones() -> WaitsToBeStopped:
    """MNIST's zeros and ones: reports reading a file, then waits to be stopped."""
    return WaitsToBeStopped(Progress("loading", "Reading train-images-idx3-ubyte.gz", 0.4))


def test_step_through_shows_its_loading_and_closing_stops_it(qtbot) -> None:
    data = slow_zeros_and_ones()
    view = StepThroughWindow(data)
    qtbot.addWidget(view)
    view.show()
    assert data.started.wait(10)
    qtbot.waitUntil(lambda: "Reading train-images" in view.headline.text(), timeout=5000)
    assert view.loading.value() == 400 and view.loading.maximum() == 1000
    view.close()
    assert data.saw_cancel == [True]
    assert not view._job.is_running() and not view.is_ready()


def test_quitting_while_step_through_loads_stops_it(qtbot) -> None:
    data = slow_zeros_and_ones()
    view = StepThroughWindow(data)
    qtbot.addWidget(view)
    assert data.started.wait(10)
    QCoreApplication.instance().aboutToQuit.emit()
    assert data.saw_cancel == [True] and not view._job.is_running()
