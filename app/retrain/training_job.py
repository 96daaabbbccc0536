"""Retraining off the GUI thread: a worker that runs ``training.train_model`` and reports through signals.

The window must stay usable while a model trains, so the work runs in a ``QThread``. A thread is enough
here (measured: the Qt event loop never stalls more than a few tens of milliseconds) because the heavy
numpy and BLAS calls release the GIL and Python's switch interval hands it back every 5 ms. A thread
also shares the already-loaded MNIST arrays instead of copying 220 MB into a child process.

Saving is the commit point of the whole job: every requested model is trained and evaluated first and
only then are they saved, one after the other, so cancelling or failing at any moment before that
leaves the previous models in use and on disk, byte for byte.

:class:`TrainingJob` is what a window uses: build a :class:`TrainingRequest`, connect the signals,
``start()``, and ``cancel()`` whenever the person asks.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.workers.thread_job import ThreadJob, run_in_background_priority
from model.paths import user_model_dir
from model.store import KINDS, ModelFileError, check_kind, load_model
from training.data import (
    DATA_ENV_VAR,
    MNIST_FILES,
    MnistDataError,
    MnistNotFoundError,
    candidate_dirs,
    find_file,
    load_mnist,
)
from training.progress import Cancelled, Progress
from training.samples import SampleStore
from training.train import CROSS_VALIDATION_SPAN, TrainResult, make_estimator, save_to, train_model
from training.user_eval import UserSamples, load_user_samples, should_cross_validate
from training.user_eval import accuracy as user_accuracy

log = logging.getLogger(__name__)

MnistArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

SHORT_LABELS = {"ovr": "One-vs-rest", "binary": "Binary 0-vs-1"}
# Relative cost of each kind on full MNIST (measured: about 3.5 s and 11 s), to share the progress bar.
_KIND_COST = {"binary": 1.0, "ovr": 3.0}
_LOAD_SHARE = 0.08  # of the bar, when MNIST still has to be read from disk
_SAVE_SHARE = 0.02
_MIN_INTERVAL = 1.0 / 30.0  # progress signals per second at most, so the GUI thread never floods


@dataclass
class TrainingRequest:
    """What to train and on which data: everything the retrain dialog collects, and nothing Qt.

    ``params`` maps a kind to its hyper-parameters (missing ones take ``DEFAULT_PARAMS``). ``data_dir``
    is the MNIST folder (``None``: ``$DIGIT_CANVAS_DATA``, then the cache). ``mnist`` passes arrays that
    are already loaded, and ``max_train`` keeps only the first N training images. ``include_samples``
    adds the user's own labelled drawings from ``samples_folder`` (``None``: the user's data folder),
    read in the worker thread; part of them is held out to measure the new model on.
    """

    kinds: tuple[str, ...]
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_dir: str | Path | None = None
    download: bool = False
    mnist: MnistArrays | None = None
    max_train: int | None = None
    include_samples: bool = False
    samples_folder: str | Path | None = None

    def __post_init__(self) -> None:
        if not self.kinds:
            raise ValueError("choose at least one model to train")
        self.kinds = tuple(check_kind(k) for k in self.kinds)


@dataclass
class RetrainResult(TrainResult):
    """A :class:`training.train.TrainResult` plus what it replaced, for the "new vs previous" summary."""

    previous_accuracy: float | None = None
    previous_path: str | None = None
    # The replaced model on the user's samples it never trained on: the held-out ones, and all of them.
    previous_user_heldout: float | None = None
    previous_user_all: float | None = None
    n_previous_user_all: int = 0

    @property
    def user_heldout(self) -> float | None:
        """The new model on the user's held-out samples (None when none were held out)."""
        value = self.metadata.get("user_heldout_accuracy")
        return float(value) if isinstance(value, int | float) else None

    @property
    def user_cv(self) -> float | None:
        value = self.metadata.get("user_cv_accuracy")
        return float(value) if isinstance(value, int | float) else None

    @property
    def accuracy(self) -> float:
        return float(self.evaluation.accuracy)

    @property
    def label(self) -> str:
        return SHORT_LABELS.get(self.kind, KINDS[self.kind]["label"])


def summary_line(result: RetrainResult) -> str:
    """One sentence comparing the new model with the one it replaced, e.g. for a status bar."""
    previous = "n/a" if result.previous_accuracy is None else f"{result.previous_accuracy:.2%}"
    seconds = f"{result.seconds:.1f} s" if result.seconds < 10 else f"{result.seconds:.0f} s"
    return f"{result.label}: new {result.accuracy:.2%} vs previous {previous} MNIST test accuracy, {seconds}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def user_summary(result: RetrainResult) -> str:
    """How the new model reads the user's own samples it did not train on, "" when none were included.

    E.g. "Your samples: before 40% → after 100% (held out, n=5); cross-validated 95% (5 folds, n=26;
    the previous model read 50%)".
    """
    meta = result.metadata
    if "user_train_ids" not in meta:
        return ""
    n_held = int(meta.get("n_user_heldout") or 0)
    parts = []
    if n_held:
        parts.append(
            f"before {_percent(result.previous_user_heldout)} → after {_percent(result.user_heldout)} "
            f"(held out, n={n_held})"
        )
    if result.user_cv is not None:
        before = ""
        if result.previous_user_all is not None:
            before = f"; the previous model read {_percent(result.previous_user_all)}"
        parts.append(
            f"cross-validated {_percent(result.user_cv)} ({meta.get('user_cv_folds')} folds, "
            f"n={meta.get('n_user_cv')}{before})"
        )
    if not parts:
        if not meta.get("user_train_ids"):
            return "Your samples: none of them are digits this model knows."
        return "Your samples: trained on all of them; none were kept aside to test on."
    return "Your samples: " + "; ".join(parts)


def previous_model(kind: str) -> Any | None:
    """The model in use for ``kind`` (``None`` when it cannot be read)."""
    try:
        return load_model(kind)
    except (ModelFileError, OSError) as exc:
        log.warning("could not read the current %s model: %s", kind, exc)
        return None


def user_figures_before(
    estimator: Any | None, samples: UserSamples, held_out_ids: list[str]
) -> dict[str, Any]:
    """How the replaced model read the user's samples it never trained on, for "before -> after".

    A model saved with the user's samples lists their ids; those are left out, so the "before" figure
    is never flattered by samples the old model learned.
    """
    if estimator is None or len(samples) == 0:
        return {}
    seen = (getattr(estimator, "metadata_", {}) or {}).get("user_train_ids") or []
    unseen = samples.of_classes([int(c) for c in estimator.classes_]).without(seen)
    heldout = unseen.only(held_out_ids)
    return {
        "previous_user_heldout": user_accuracy(estimator, heldout),
        "previous_user_all": user_accuracy(estimator, unseen),
        "n_previous_user_all": len(unseen),
    }


def expected_iterations(kind: str, params: dict[str, Any] | None, previous: dict[str, Any]) -> int:
    """How many iterations training will probably take, for the progress bar and the time estimate.

    The optimisers stop at a tolerance long before ``max_iter`` (the bundled one-vs-rest model needs
    26 of 200), so counting to ``max_iter`` would make the estimate ten times too long. When the
    current model was trained with the same settings (apart from ``max_iter``), its iteration count
    is the best guess; otherwise ``max_iter`` is.
    """
    new = make_estimator(kind, params).get_params()
    max_iter = int(new["max_iter"])
    old = previous.get("params") or {}
    n_iter = previous.get("n_iter")
    same = all(old.get(k) == v for k, v in new.items() if k != "max_iter")
    if same and isinstance(n_iter, int) and n_iter > 0:
        return max(1, min(max_iter, n_iter))
    return max_iter


class _KindProgress:
    """Turns ``train_model``'s reports for one kind into a 0..1 share of that kind's work.

    Preparing the features, iterating and evaluating get fixed slices; iterations count against
    :func:`expected_iterations`, never going past the end of their slice.
    """

    FEATURES, ITERATIONS = 0.15, 0.70

    def __init__(self, expected: int, cross_validates: bool = False) -> None:
        self.expected = max(1, expected)
        self.last = 0.0
        # With a cross-validation of the user's samples, the real fit gets half the iteration slice.
        self.iterations = self.ITERATIONS / 2 if cross_validates else self.ITERATIONS

    def fraction(self, p: Progress) -> float | None:
        if p.stage == "training" and p.iteration is not None:
            f = self.FEATURES + self.iterations * min(p.iteration / self.expected, 1.0)
        elif p.stage == "training":
            f = 0.0
        elif p.stage == "evaluating":
            f = self.FEATURES + self.iterations
        elif p.stage == "cross-validating" and p.fraction is not None:
            start, end = CROSS_VALIDATION_SPAN
            within = min(max((p.fraction - start) / (end - start), 0.0), 1.0)
            f = self.FEATURES + self.iterations + (self.ITERATIONS - self.iterations) * within
        elif p.stage in ("saving", "done"):
            f = 1.0
        else:
            return None
        self.last = max(self.last, f)  # never run the bar backwards
        return self.last


def describe_failure(exc: BaseException, request: TrainingRequest) -> str:
    """A one- or two-sentence message for a failed job: what happened and what the person can do."""
    files = ", ".join(MNIST_FILES)
    fix = (
        f"set the environment variable {DATA_ENV_VAR} to such a folder, or choose “Download from the "
        "internet”."
    )
    if isinstance(exc, MnistNotFoundError):
        explicit = request.data_dir is not None and str(request.data_dir) != ""
        if explicit:
            folder = Path(request.data_dir).expanduser()  # type: ignore[arg-type]
            missing = [n for n in MNIST_FILES if find_file(folder, n.removesuffix(".gz")) is None]
            if not folder.is_dir():
                problem = "does not exist"
            elif len(missing) == len(MNIST_FILES):
                problem = f"has none of the four MNIST files ({files}, gzipped or not)"
            else:
                problem = "lacks " + ", ".join(missing) if missing else "has unreadable MNIST files"
            return (
                f"No MNIST data: the folder {folder} {problem}. Choose a folder that has them under "
                f"Data, {fix}"
            )
        looked = " and ".join(str(f) for f in candidate_dirs(None))
        cause = exc.__cause__
        if request.download and cause is not None:
            return (
                f"MNIST was not found in {looked} and downloading it failed ({cause}). Check the "
                f"internet connection, or choose a folder that holds the four MNIST files ({files})."
            )
        return (
            f"No MNIST data was found; looked in {looked}. Choose a folder that holds the four MNIST "
            f"files ({files}) under Data, {fix}"
        )
    if isinstance(exc, MnistDataError):
        return f"{exc} Choose another MNIST folder or download a fresh copy."
    if isinstance(exc, MemoryError):
        return "Training ran out of memory. Train on fewer images or with fewer principal components."
    if isinstance(exc, OSError):
        return (
            f"The model could not be saved ({exc}). Check that {user_model_dir()} is writable and that "
            "the disk has free space."
        )
    if isinstance(exc, ValueError):
        return f"The settings were rejected: {exc}. Adjust them and train again."
    return f"Training failed unexpectedly ({type(exc).__name__}: {exc}). Please report this."


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


class TrainingWorker(QObject):
    """Runs one :class:`TrainingRequest` when :meth:`run` is called; lives in a worker thread.

    Emits exactly one of ``finished``, ``failed`` or ``cancelled`` at the end. ``remaining`` in
    ``progress`` is an estimate in seconds, -1 while there is too little to go on.
    """

    progress = Signal(str, str, float, float, float)  # stage, message, fraction, elapsed, remaining
    finished = Signal(list)  # list[RetrainResult], in the order of request.kinds
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, request: TrainingRequest, cancel: threading.Event | None = None) -> None:
        super().__init__()
        self.request = request
        self.cancel_event = cancel if cancel is not None else threading.Event()
        self._throttle = _Throttle()
        self._start = 0.0

    @Slot()
    def run(self) -> None:
        run_in_background_priority()  # its threads (the trainer's too) yield to the GUI thread
        self._start = time.perf_counter()
        try:
            results = self._train_all()
        except Cancelled:
            self.cancelled.emit()
        except MnistDataError as exc:  # the person can fix this; the message says how
            log.warning("retraining failed: %s", exc)
            self.failed.emit(describe_failure(exc, self.request))
        except Exception as exc:  # every failure becomes a message; the previous model stays
            log.exception("retraining failed")
            self.failed.emit(describe_failure(exc, self.request))
        else:
            self.finished.emit(results)

    # ------------------------------------------------------------------------------------------ work

    def _train_all(self) -> list[RetrainResult]:
        req = self.request
        self._check()
        old_models = {kind: previous_model(kind) for kind in req.kinds}
        previous = {k: {} if m is None else dict(m.metadata_) for k, m in old_models.items()}
        user: UserSamples | None = None
        if req.include_samples:
            self._emit("loading data", "Reading your samples…", 0.0)
            user = load_user_samples(SampleStore(req.samples_folder))
        mnist = req.mnist
        load_share = 0.0 if mnist is not None else _LOAD_SHARE
        if mnist is None:
            self._emit("loading data", "Loading MNIST…", 0.0)
            mnist = load_mnist(
                req.data_dir,
                download=req.download,
                progress=lambda p: self._relay(p, 0.0, load_share),
                cancel=self.cancel_event,
            )
        total_cost = sum(_KIND_COST[k] for k in req.kinds)
        span = 1.0 - load_share - _SAVE_SHARE
        start = load_share
        trained: list[TrainResult] = []
        for kind in req.kinds:
            share = span * _KIND_COST[kind] / total_cost
            cv = user is not None and should_cross_validate(user.of_classes(KINDS[kind]["classes"]))
            tracker = _KindProgress(expected_iterations(kind, req.params.get(kind), previous[kind]), cv)
            trained.append(
                train_model(
                    kind,
                    params=req.params.get(kind),
                    mnist=mnist,
                    max_train=req.max_train,
                    user_samples=user,
                    cross_validate=cv,  # decided once, here, so the progress estimate agrees
                    save=False,
                    progress=lambda p, s=start, w=share, t=tracker: self._relay(p, s, w, t),
                    cancel=self.cancel_event,
                )
            )
            start += share
        self._check()  # the last moment a cancel is honoured: saving is the commit point
        results: list[RetrainResult] = []
        for result in trained:
            label = SHORT_LABELS[result.kind]
            self._emit("saving", f"Saving the {label} model…", start, force=True)
            path = save_to(result.kind, result.estimator, result.metadata, None)
            values = {f.name: getattr(result, f.name) for f in fields(TrainResult)}
            values["path"] = path
            old = previous[result.kind]
            acc = old.get("test_accuracy")
            before = {}
            if user is not None:
                held = list(result.metadata.get("user_heldout_ids") or [])
                before = user_figures_before(old_models[result.kind], user, held)
            results.append(
                RetrainResult(
                    **values,
                    previous_accuracy=float(acc) if isinstance(acc, int | float) else None,
                    previous_path=old.get("path"),
                    **before,
                )
            )
        self._emit("done", "Done", 1.0, force=True)
        return results

    def _check(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled("cancelled by the user")

    def _relay(self, p: Progress, start: float, share: float, tracker: _KindProgress | None = None) -> None:
        """Map a stage's own progress onto the job's bar (``tracker`` for one model's training)."""
        if tracker is not None and p.stage in ("loading data", "done"):
            return  # the data is already loaded; one model being done is not the job being done
        fraction = p.fraction if tracker is None else tracker.fraction(p)
        overall = start if fraction is None else start + share * fraction
        self._emit(_stage_name(p.stage), p.message, overall)

    def _emit(self, stage: str, message: str, fraction: float, force: bool = False) -> None:
        if not self._throttle.allow(stage, force):
            return
        elapsed = time.perf_counter() - self._start
        remaining = -1.0
        if 0.05 <= fraction < 1.0 and elapsed >= 1.0:
            remaining = elapsed * (1.0 - fraction) / fraction
        elif fraction >= 1.0:
            remaining = 0.0
        self.progress.emit(stage, message, float(fraction), elapsed, remaining)


class TrainingJob(ThreadJob):
    """Owns a worker thread for one training request: start it, cancel it, hear how it ended.

    The end signals (``finished``, ``failed``, ``cancelled``) arrive after the thread has stopped,
    so a receiver may start another job or quit straight away.
    """

    progress = Signal(str, str, float, float, float)  # stage, message, fraction, elapsed, remaining
    finished = Signal(list)  # list[RetrainResult]
    failed = Signal(str)
    cancelled = Signal()
    stopped = Signal()  # after any of the three above

    def __init__(self, request: TrainingRequest, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self._cancel = threading.Event()
        self._worker: TrainingWorker | None = None
        self._outcome: tuple[str, Any] | None = None
        self._started_at: float | None = None
        self._cancel_requested_at: float | None = None

    # -------------------------------------------------------------------------------------- control

    def start(self) -> None:
        """Start training in a new thread (once per job)."""
        if self._thread is not None:
            raise RuntimeError("a TrainingJob runs once; create a new one to train again")
        self._worker = TrainingWorker(self.request, self._cancel)
        self._thread_for(self._worker, "digit-canvas-training")
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        # quit() directly from the worker thread, not queued to the GUI thread: its event loop then
        # ends as soon as run() returns, even when the GUI's loop is no longer running (app exit).
        for end in (self._worker.finished, self._worker.failed, self._worker.cancelled):
            end.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._started_at = time.perf_counter()
        self._start_thread()

    def cancel(self) -> None:
        """Ask the worker to stop at its next check (within about a second); nothing is saved."""
        if self._cancel_requested_at is None:
            self._cancel_requested_at = time.perf_counter()
        self._cancel.set()

    def cancel_and_wait(self, msecs: int = 10000) -> bool:
        """Cancel and block until the thread has stopped (for quitting the app)."""
        self.cancel()
        return self.wait(msecs)

    def stop(self, msecs: int = 10000) -> bool:
        """Quitting the app cancels a running training and waits for it."""
        return self.cancel_and_wait(msecs)

    def is_running(self) -> bool:
        """True from ``start()`` until the thread has stopped (or its end has been delivered)."""
        return self._thread is not None and self._outcome is None and not self._thread.isFinished()

    @property
    def elapsed(self) -> float:
        return 0.0 if self._started_at is None else time.perf_counter() - self._started_at

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    # ------------------------------------------------------------------------------------- outcome

    @Slot(list)
    def _on_finished(self, results: list) -> None:
        self._outcome = ("finished", results)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._outcome = ("failed", message)

    @Slot()
    def _on_cancelled(self) -> None:
        self._outcome = ("cancelled", None)

    def _thread_ended(self) -> None:
        outcome = self._outcome or ("failed", "Training stopped without a result.")
        if self._outcome is None:
            self._outcome = outcome
        kind, payload = outcome
        if kind == "finished":
            self.finished.emit(payload)
        elif kind == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(payload)
        self.stopped.emit()
