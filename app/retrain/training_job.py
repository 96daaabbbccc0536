"""A retrain off the GUI thread: :mod:`training.retrain`'s two halves in a :class:`BackgroundJob`.

The window must stay usable while a model trains, so the work runs in a child process
(:mod:`training.child_process`), watched from a worker thread: in a thread of the window's own
process, the numpy calls that hold the interpreter lock made drawing stutter. All the training is in
:mod:`training.retrain`; this module turns its progress into the dialog's bar, elapsed and remaining
time, and its exceptions into sentences.

The child trains and evaluates but saves nothing (:func:`training.retrain.train_all`); its models come
back to the worker thread, which saves them as the user's models (:func:`training.retrain.put_in_use`). A new
model clearly less accurate than the one it would replace (``RetrainRequest.max_drop``) is saved only
once the person has said so (``worse``, answered by :meth:`TrainingJob.answer_worse`).
"""

from __future__ import annotations

import logging
import queue
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from app.retrain.failure import retrain_failure
from app.workers.background_job import BACKGROUND_NICENESS, BackgroundJob
from training.child_process import run_in_child
from training.data import MnistDataError
from training.progress import Cancelled
from training.retrain import RetrainRequest, RetrainResult, put_in_use, train_all, worse_than_before

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from training.progress import Progress

log = logging.getLogger(__name__)

_MIN_INTERVAL = 1.0 / 30.0  # progress reports per second at most, so the GUI thread never floods


class TrainingJob(BackgroundJob):
    """Runs one :class:`training.retrain.RetrainRequest`: start it, cancel it, hear how it ended.

    ``progress(stage, message, fraction, elapsed, remaining)`` follows the run, ``remaining`` an
    estimate in seconds (-1 while there is too little to go on). ``curve(kind, iteration, losses,
    weights)`` comes after every iteration: each problem's loss, and the binary model's weights.
    ``worse(drops)`` says, before anything is saved, that new models read MNIST's test set more than
    ``request.max_drop`` worse than the ones they would replace (``(kind, new accuracy, previous
    accuracy)`` each); the job then waits for :meth:`answer_worse` (or a cancel). The end signals
    (``finished`` with the saved :class:`training.retrain.RetrainResult` list, ``kept`` with the
    results of models not saved because the person kept the current ones, ``failed`` with a sentence,
    ``cancelled``) arrive after the thread has stopped, then ``stopped``.
    """

    progress = Signal(str, str, float, float, float)  # stage, message, fraction, elapsed, remaining
    curve = Signal(str, int, object, object)  # kind, iteration, losses per problem, binary weights
    worse = Signal(list)  # [(kind, new accuracy, previous accuracy)]: answer with answer_worse()
    finished = Signal(list)
    kept = Signal(list)

    def __init__(self, request: RetrainRequest, parent: QObject | None = None) -> None:
        super().__init__(
            "digit-canvas-training",
            parent,
            describe=lambda exc: describe_failure(exc, request),
            low_priority=True,  # the child process is born with this thread's lower priority
        )
        self.request = request
        self._throttle = _Throttle()
        self._answers: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self.reported.connect(self._dispatch)
        self.done.connect(self._on_done)

    def answer_worse(self, use: bool) -> None:
        """The answer to ``worse``: put the new models in use anyway (``True``) or keep the current ones."""
        self._answers.put(bool(use))

    def start(self) -> None:  # type: ignore[override]
        """Start training in a new thread (once per job)."""
        began = time.perf_counter()

        def report(p: Progress, overall: float | None) -> None:
            if p.losses is not None and p.iteration is not None and p.kind is not None:
                self.report(("curve", p.kind, p.iteration, p.losses, p.weights))  # every iteration
            if overall is None:
                return
            stage = _stage_name(p.stage)
            if not self._throttle.allow(stage, force=p.stage in ("saving", "done")):
                return
            elapsed = time.perf_counter() - began
            remaining = -1.0
            if 0.05 <= overall < 1.0 and elapsed >= 1.0:
                remaining = elapsed * (1.0 - overall) / overall
            elif overall >= 1.0:
                remaining = 0.0
            self.report((stage, p.message, float(overall), elapsed, remaining))

        def work() -> tuple[bool, list[RetrainResult]]:
            results = run_in_child(
                train_all,  # trains and evaluates; nothing is saved or refused in the child
                self.request,
                report=report,
                cancel=self.cancel_event,
                niceness=BACKGROUND_NICENESS,  # its threads yield a core to the window's
                name="digit-canvas-training",
            )
            drops = worse_than_before(results, self.request.max_drop)
            if drops:
                self.report(("worse", drops))
                if not self._wait_for_answer():
                    return False, list(results)
            if self.cancel_event.is_set():  # the last moment a cancel is honoured, as in retrain()
                raise Cancelled("cancelled by the user")
            return True, put_in_use(results, self.request.out_dir, report)

        super().start(work)

    def _wait_for_answer(self) -> bool:
        while True:
            try:
                return self._answers.get(timeout=0.05)
            except queue.Empty:
                if self.cancel_event.is_set():  # closing the dialog or quitting the app while it asks
                    raise Cancelled("cancelled while asked about a less accurate model") from None

    def _dispatch(self, step: tuple) -> None:
        if step[0] == "curve":
            self.curve.emit(*step[1:])
        elif step[0] == "worse":
            self.worse.emit(list(step[1]))
        else:
            self.progress.emit(*step)

    def _on_done(self, outcome: tuple[bool, list[RetrainResult]]) -> None:
        saved, results = outcome
        (self.finished if saved else self.kept).emit(list(results))


class _Throttle:
    """Lets a progress report through at most every ``interval`` seconds, except stage changes."""

    def __init__(self, interval: float = _MIN_INTERVAL) -> None:
        self.interval = interval
        self.last_time = -1e9
        self.last_stage = ""

    def allow(self, stage: str, force: bool = False) -> bool:
        now = time.perf_counter()
        if force or stage != self.last_stage or now - self.last_time >= self.interval:
            self.last_time, self.last_stage = now, stage
            return True
        return False


def _stage_name(stage: str) -> str:
    """train_model, load_mnist and the downloader name stages slightly differently; show one set."""
    if stage.startswith("download"):
        return "downloading"
    if stage.startswith("load"):
        return "loading data"
    return stage


def describe_failure(exc: BaseException, request: RetrainRequest) -> str:
    """Log a failed run and say it in the Retrain dialog's words (:mod:`app.retrain.failure`)."""
    if isinstance(exc, MnistDataError):  # the person can fix this; the message says how
        log.warning("retraining failed: %s", exc)
    else:
        log.exception("retraining failed")
    return retrain_failure(exc, data_dir=request.data_dir, download=request.download)
