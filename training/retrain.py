"""Retraining as one transaction: train every model asked for, then save them all, or none.

``digit-canvas-train`` runs :func:`retrain`; the retrain dialog runs its two halves apart, :func:`train_all`
in a child process and :func:`put_in_use` once the person has answered any question. Saving is the
commit point of the whole run: every requested model is trained and evaluated first, each is
compared with the model it would replace, and only then are they saved, one after the other. A cancel,
a failure or a refused model at any moment before that leaves the previous models in use and on disk,
byte for byte.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from model.store import KINDS, ModelFileError, check_kind, load_model
from training.data import load_mnist
from training.progress import CancelFlag, Cancelled, Progress
from training.samples import SampleStore
from training.train import CROSS_VALIDATION_SPAN, TrainResult, make_estimator, save_to, train_model
from training.user_eval import UserSamples, load_user_samples, should_cross_validate
from training.user_eval import accuracy as user_accuracy

log = logging.getLogger(__name__)

MnistArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
# Each stage's own report and the share of the whole run done (None: the report moves no bar).
RetrainProgress = Callable[[Progress, float | None], None]

# Relative cost of each kind on full MNIST, to share one progress bar between them.
_KIND_COST = {"binary": 1.0, "ovr": 3.0}
_LOAD_SHARE = 0.08  # of the bar, when MNIST still has to be read from disk
_SAVE_SHARE = 0.02


@dataclass
class RetrainRequest:
    """What to train and on which data: everything the retrain dialog or the command collects.

    ``params`` maps a kind to its hyper-parameters (missing ones take ``DEFAULT_PARAMS``). ``data_dir``
    is the MNIST folder (``None``: ``$DIGIT_CANVAS_DATA``, then the cache). ``mnist`` passes arrays that
    are already loaded, and ``max_train`` keeps only the first N training images. ``include_samples``
    adds the user's own labelled drawings from ``samples_folder`` (``None``: the user's data folder),
    or ``user_samples`` when they are already read; part of them is held out to measure the new model
    on. ``out_dir`` saves in the bundled-models layout instead of the user's model folder.
    ``max_drop`` refuses, for every model, a new one that reads the test set more than this much worse
    than the one it replaces (``None``: never refused).
    """

    kinds: tuple[str, ...]
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_dir: str | Path | None = None
    download: bool = False
    mnist: MnistArrays | None = None
    max_train: int | None = None
    include_samples: bool = False
    samples_folder: str | Path | None = None
    user_samples: UserSamples | None = None
    out_dir: str | Path | None = None
    max_drop: float | None = None

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


class WorseModel(ValueError):
    """A new model read the test set much worse than the one it would replace; nothing was saved.

    ``drops`` lists ``(kind, new accuracy, previous accuracy)`` for every model refused.
    """

    def __init__(self, drops: list[tuple[str, float, float]]) -> None:
        self.drops = drops
        super().__init__("; ".join(f"{k}: {new:.2%} against {old:.2%}" for k, new, old in drops))


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

    The optimisers stop at a tolerance long before ``max_iter``, so counting to ``max_iter`` would make
    the estimate far too long. When the current model was trained with the same settings (apart from
    ``max_iter``), its iteration count is the best guess; otherwise ``max_iter`` is.
    """
    new = make_estimator(kind, params).get_params()
    max_iter = int(new["max_iter"])
    old = previous.get("params") or {}
    n_iter = previous.get("n_iter")
    same = all(old.get(k) == v for k, v in new.items() if k != "max_iter")
    if same and isinstance(n_iter, int) and n_iter > 0:
        return max(1, min(max_iter, n_iter))
    return max_iter


class KindProgress:
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


def retrain(
    request: RetrainRequest, progress: RetrainProgress | None = None, cancel: CancelFlag | None = None
) -> list[RetrainResult]:
    """Train every kind of ``request``, then save them all; the results in the order of its kinds.

    Raises :class:`training.progress.Cancelled` (nothing saved) when ``cancel`` is set before the
    saving starts, :class:`WorseModel` (nothing saved) when ``request.max_drop`` refuses a model, and
    whatever loading or training raised.
    """
    trained = train_all(request, progress, cancel)  # its last check is the last moment a cancel counts
    drops = worse_than_before(trained, request.max_drop)
    if drops:
        raise WorseModel(drops)
    return put_in_use(trained, request.out_dir, progress)


def train_all(
    request: RetrainRequest, progress: RetrainProgress | None = None, cancel: CancelFlag | None = None
) -> list[RetrainResult]:
    """Train and evaluate every kind of ``request`` without saving anything (each result's ``path`` is
    ``None``): the first half of :func:`retrain`, for a caller that asks someone before it saves.

    The progress it reports stops short of the share left for saving (:func:`put_in_use`). Raises
    :class:`training.progress.Cancelled` when ``cancel`` is set, and whatever loading or training raised.
    """
    say = progress if progress is not None else (lambda p, overall: None)

    def check() -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled("cancelled by the user")

    check()
    old_models = {kind: previous_model(kind) for kind in request.kinds}
    previous = {k: {} if m is None else dict(m.metadata_) for k, m in old_models.items()}
    user = request.user_samples
    if user is None and request.include_samples:
        say(Progress("loading data", "Reading your samples…"), 0.0)
        user = load_user_samples(SampleStore(request.samples_folder))
    mnist = request.mnist
    load_share = 0.0 if mnist is not None else _LOAD_SHARE
    if mnist is None:
        say(Progress("loading data", "Loading MNIST…"), 0.0)
        mnist = load_mnist(
            request.data_dir,
            download=request.download,
            progress=lambda p: say(p, load_share * (p.fraction or 0.0)),
            cancel=cancel,
        )
    total_cost = sum(_KIND_COST[k] for k in request.kinds)
    span = 1.0 - load_share - _SAVE_SHARE
    start = load_share
    results: list[RetrainResult] = []
    for kind in request.kinds:
        share = span * _KIND_COST[kind] / total_cost
        cv = user is not None and should_cross_validate(user.of_classes(KINDS[kind]["classes"]))
        tracker = KindProgress(expected_iterations(kind, request.params.get(kind), previous[kind]), cv)

        def relay(
            p: Progress, s: float = start, w: float = share, t: KindProgress = tracker, kind: str = kind
        ) -> None:
            p = replace(p, kind=kind)
            if p.stage in ("loading data", "done"):  # the data is loaded; one model done is not the run
                say(p, None)
                return
            fraction = t.fraction(p)
            say(p, s if fraction is None else s + w * fraction)

        result = train_model(
            kind,
            params=request.params.get(kind),
            mnist=mnist,
            max_train=request.max_train,
            user_samples=user,
            cross_validate=cv,  # decided once, here, so the progress estimate agrees
            save=False,
            progress=relay,
            cancel=cancel,
        )
        start += share
        old = previous[kind]
        acc = old.get("test_accuracy")
        before = {}
        if user is not None:
            held = list(result.metadata.get("user_heldout_ids") or [])
            before = user_figures_before(old_models[kind], user, held)
        results.append(
            RetrainResult(
                **{f.name: getattr(result, f.name) for f in fields(TrainResult)},
                previous_accuracy=float(acc) if isinstance(acc, int | float) else None,
                previous_path=old.get("path"),
                **before,
            )
        )
    check()
    return results


def put_in_use(
    results: list[RetrainResult], out_dir: str | Path | None = None, progress: RetrainProgress | None = None
) -> list[RetrainResult]:
    """Save each trained model as the user's current one (or into ``out_dir`` in the bundled-models
    layout), in order: the commit point. The results again, each with the ``path`` it was saved to."""
    say = progress if progress is not None else (lambda p, overall: None)
    saved = []
    for result in results:
        label = KINDS[result.kind]["label"]
        say(Progress("saving", f"Saving the {label} model…"), 1.0 - _SAVE_SHARE)
        saved.append(replace(result, path=save_to(result.kind, result.estimator, result.metadata, out_dir)))
    say(Progress("done", "Done", 1.0), 1.0)
    return saved


def worse_than_before(
    results: Iterable[RetrainResult], max_drop: float | None
) -> list[tuple[str, float, float]]:
    """``(kind, new accuracy, previous accuracy)`` of each new model that reads the test set more than
    ``max_drop`` worse than the one it would replace (none without ``max_drop``, or where the previous
    accuracy is unknown): the models :func:`retrain` refuses and the retrain dialog asks about."""
    if max_drop is None:
        return []
    return [
        (r.kind, r.accuracy, r.previous_accuracy)
        for r in results
        if r.previous_accuracy is not None and r.accuracy < r.previous_accuracy - max_drop
    ]
