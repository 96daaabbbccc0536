"""Train a model end to end: load MNIST, fit, evaluate on the test set, save atomically.

One function serves the training command and the GUI's retrain dialog, so both behave the same. It
reports each stage through a progress callback and stops at the next check when the cancel flag is
set; nothing is saved unless the whole job finished, so a cancelled or failed run leaves the previous
model in use and on disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.binary import BinaryLogisticRegression
from model.ovr import OneVsRestLogisticRegression
from model.store import KINDS, build_metadata, check_kind, dump_model_file, save_model
from training.evaluate import Evaluation, evaluate
from training.progress import CancelFlag, Progress, ProgressCallback, Reporter
from training.samples import auto_weight
from training.user_eval import UserSamples, should_cross_validate, split
from training.user_eval import accuracy as user_accuracy

DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "binary": {"alpha": 1e-4, "max_iter": 50},
    "ovr": {
        "alpha": 1e-4,
        # At tol 1e-4 the iterations past about 45 move neither MNIST's test accuracy nor the pen
        # digits' (measured in benchmarks/README.md), so the retrain stops there.
        "max_iter": 45,
        "tol": 1e-4,
        "deskew": True,
        "n_components": 40,
        "degree": 2,
        "orientations": 8,
        "not_digit_rate": 0.002,
    },
}
# What the one-vs-rest model learns from besides MNIST's digits, all of it made from them: marked copies
# of each 1, 7 and 9 in the forms much of the world writes (training.continental), open 4s, and pictures
# that are no digit (training.negatives), as a share of the MNIST training digits.
CONTINENTAL_COPIES = 2
OPEN_FOUR_SHARE = 0.75  # and short-stemmed copies of three 4s in four (training.open_fours)
NOT_DIGIT_SHARE = 0.4
# Shares of the progress bar given to each stage (training dominates).
_LOAD, _TRAIN, _EVAL = 0.10, 0.80, 0.07
# Where the cross-validation of the user's samples runs on the bar, when there is one: the second half of
# the training share (the k fits on a part of MNIST take about as long as the real one).
CROSS_VALIDATION_SPAN = (_LOAD + _TRAIN / 2, _LOAD + _TRAIN)


@dataclass
class TrainResult:
    kind: str
    estimator: Any
    metadata: dict[str, Any]
    evaluation: Evaluation
    path: Path | None
    seconds: float


MnistArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def make_estimator(kind: str, params: dict[str, Any] | None = None) -> Any:
    """A fresh estimator of ``kind`` with the default hyper-parameters updated by ``params``."""
    merged = {**DEFAULT_PARAMS[check_kind(kind)], **(params or {})}
    cls = BinaryLogisticRegression if kind == "binary" else OneVsRestLogisticRegression
    return cls(**merged)


def made_up_digits(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The digits the one-vs-rest model learns from besides ``X``, all drawn from ``X``'s own: the
    continental 1s, 7s and 9s and the open 4s, in 8-bit greys as MNIST's are (so they can be kept in
    the cache, see :mod:`training.made_up_cache`, and read back exactly)."""
    from training.continental import continental_forms
    from training.open_fours import open_fours

    X_cont, y_cont = continental_forms(X, y, per_digit=CONTINENTAL_COPIES)
    X_open, y_open = open_fours(X, y, share=OPEN_FOUR_SHARE)
    images = np.concatenate([X_cont, X_open])
    np.multiply(images, 255, out=images)
    np.round(images, out=images)
    images /= np.float32(255)
    return images, np.concatenate([y_cont, y_open])


def cached_made_up_digits(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`made_up_digits`, read from the cache folder when the last retrain drew the same ones."""
    from training.made_up_cache import cached_made_up_digits as cached

    return cached(X, y, made_up_digits, settings=(CONTINENTAL_COPIES, OPEN_FOUR_SHARE))


def select_kind_data(kind: str, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The images a model of ``kind`` learns from: digits 0 and 1 only for the binary model."""
    if kind == "binary":
        mask = np.isin(y, KINDS["binary"]["classes"])
        return X[mask], y[mask]
    return X, y


def train_model(
    kind: str,
    *,
    params: dict[str, Any] | None = None,
    data_dir: str | Path | None = None,
    download: bool = True,
    mnist: MnistArrays | None = None,
    max_train: int | None = None,
    extra: tuple[np.ndarray, np.ndarray, float] | None = None,
    user_samples: UserSamples | None = None,
    cross_validate: bool | None = None,
    augment: bool = True,
    out_dir: str | Path | None = None,
    save: bool = True,
    progress: ProgressCallback | None = None,
    cancel: CancelFlag | None = None,
) -> TrainResult:
    """Train, evaluate and save a model of ``kind`` (``"binary"`` or ``"ovr"``).

    ``mnist`` passes already loaded arrays (else they are loaded from ``data_dir``, the environment or
    the cache, downloading if allowed). ``max_train`` trains on the first N training images (quick
    experiments). ``extra = (X, y, weight)`` adds the user's own labelled drawings, each counting
    ``weight`` times. ``user_samples`` does the same with the samples' ids known: every fifth sample of
    each digit is held out (:func:`training.user_eval.split`), the rest is weighted in by
    :func:`training.samples.auto_weight` against the MNIST images this kind learns from, and the
    metadata records which samples trained, which were held out and the accuracy on those; with few
    held out (or ``cross_validate=True``) a k-fold cross-validated accuracy on all of them is added.
    ``augment`` (one-vs-rest only) adds the made-up digits (:func:`made_up_digits`) and the pictures
    that are no digit, so the model reads more hands and can answer "not a digit".
    ``out_dir`` writes ``<kind>.joblib`` and ``digests.json`` there (the layout of the
    bundled models) instead of the user's model folder. Raises :class:`training.progress.Cancelled`
    when cancelled; nothing is written then.
    """
    check_kind(kind)
    if extra is not None and user_samples is not None:
        raise ValueError("pass the user's samples as extra or as user_samples, not both")
    reporter = Reporter(progress, cancel)
    if mnist is None:
        reporter.report("loading data", "Loading MNIST…", 0.0)
        from training.data import load_mnist

        def data_progress(p: Progress) -> None:  # downloads report inside the loading share of the bar
            frac = None if p.fraction is None else _LOAD * p.fraction
            reporter.report(p.stage, p.message, frac)

        mnist = load_mnist(data_dir, download=download, progress=data_progress, cancel=cancel)
    X_train, y_train, X_test, y_test = mnist
    if max_train is not None:
        X_train, y_train = X_train[:max_train], y_train[:max_train]
    X_mnist, y_mnist = select_kind_data(kind, X_train, y_train)
    # What the model learns from, in order: MNIST's digits, the made-up ones, the user's. They are put
    # together once, below: each copy of hundreds of MB costs seconds on memory the process never used.
    X_parts, y_parts = [X_mnist], [y_mnist]
    fit_kwargs: dict[str, Any] = {}
    data_meta: dict[str, Any] = {}
    n_made_up = 0
    if augment and kind == "ovr":
        reporter.report("preparing", "Drawing made-up digits and pictures that are no digit…", _LOAD)
        from training.negatives import not_digits

        X_cont, y_cont = cached_made_up_digits(X_mnist, y_mnist)
        reporter.check()
        fit_kwargs["negatives"] = not_digits(X_mnist, y_mnist, round(NOT_DIGIT_SHARE * len(y_mnist)))
        reporter.check()
        X_parts.append(X_cont)
        y_parts.append(y_cont)
        del X_cont  # X_parts keeps it until it is copied into X_fit
        n_made_up = len(y_cont)
        data_meta = {"n_made_up_digits": n_made_up, "n_not_digits": len(fit_kwargs["negatives"])}
    user_meta: dict[str, Any] = {}
    held_out = None
    kind_samples = None
    if user_samples is not None:
        kind_samples = user_samples.of_classes(KINDS[kind]["classes"])
        to_train, held_out = split(kind_samples)
        if len(to_train):
            extra = (to_train.X, to_train.y, auto_weight(len(to_train), len(y_mnist)))
        user_meta = {"user_train_ids": list(to_train.ids), "user_heldout_ids": list(held_out.ids)}
    if cross_validate is None:
        cross_validate = kind_samples is not None and should_cross_validate(kind_samples)
    cross_validate = bool(cross_validate and kind_samples is not None and len(kind_samples) >= 2)
    train_share = CROSS_VALIDATION_SPAN[0] - _LOAD if cross_validate else _TRAIN
    weights = None
    n_extra = 0
    if extra is not None and len(extra[0]):
        X_extra, y_extra = select_kind_data(kind, np.asarray(extra[0]), np.asarray(extra[1]))
        n_extra = len(y_extra)
        if n_extra:
            X_parts.append(X_extra.astype(np.float32, copy=False))
            y_parts.append(y_extra)
            user_meta["user_sample_weight"] = float(extra[2])
    X_fit = X_parts[0] if len(X_parts) == 1 else np.concatenate(X_parts)
    y_fit = y_parts[0] if len(y_parts) == 1 else np.concatenate(y_parts)
    del X_parts  # the made-up digits are copied into X_fit
    if n_extra:
        weights = np.concatenate([np.ones(len(y_fit) - n_extra), np.full(n_extra, float(extra[2]))])
    if "negatives" in fit_kwargs:
        # MNIST's digits and the user's set the rejection's threshold; the made-up forms do not.
        real = np.ones(len(y_fit), dtype=bool)
        real[len(y_mnist) : len(y_mnist) + n_made_up] = False
        fit_kwargs["real"] = real
    estimator = make_estimator(kind, params)
    max_iter = int(estimator.max_iter)
    label = KINDS[kind]["label"]
    reporter.report("training", f"Training {label} on {len(y_fit):,} images…", _LOAD)

    def on_iteration(iteration: int, loss: Any, coef: Any = None) -> None:
        if loss is None:  # the feature map is still being prepared
            reporter.report("training", f"Training {label}: preparing features…", _LOAD)
            return
        losses = np.atleast_1d(loss)
        mean_loss = float(np.mean(losses))
        reporter.report(
            "training",
            f"Training {label}: iteration {iteration}/{max_iter}, loss {mean_loss:.4f}",
            _LOAD + train_share * min(iteration / max_iter, 1.0),
            iteration=iteration,
            loss=mean_loss,
            losses=tuple(float(v) for v in losses),
            weights=coef,
        )

    if kind == "binary":  # each step with its weights, so the dialog can draw them as they change
        fit_kwargs["on_step"] = lambda step: on_iteration(step.iteration, step.loss, step.coef)
        callback = None
    else:
        callback = on_iteration
    estimator.fit(X_fit, y_fit, sample_weight=weights, callback=callback, **fit_kwargs)
    del X_fit, fit_kwargs  # the training pictures (hundreds of MB) are not needed from here on
    reporter.report("evaluating", "Evaluating on the MNIST test set…", _LOAD + train_share)
    evaluation = evaluate(estimator, X_test, y_test)
    reporter.check()
    if held_out is not None:
        user_meta["n_user_heldout"] = len(held_out)
        user_meta["user_heldout_accuracy"] = user_accuracy(estimator, held_out)
    if cross_validate and kind_samples is not None:
        user_meta.update(_cross_validate(kind, params, kind_samples, X_mnist, y_mnist, reporter))
    metadata = build_metadata(
        kind,
        estimator,
        n_train=len(y_mnist) + n_extra,  # the made-up pictures are counted apart (data_meta)
        n_user_samples=n_extra,
        test_accuracy=evaluation.accuracy,
        n_test=len(evaluation.labels),
        n_iter=int(estimator.n_iter_),
        train_seconds=round(reporter.elapsed, 2),
        **data_meta,
        **user_meta,
    )
    path = None
    if save:
        reporter.report("saving", "Saving the model…", _LOAD + _TRAIN + _EVAL)
        path = save_to(kind, estimator, metadata, out_dir)
    reporter.report("done", f"{label}: test accuracy {evaluation.accuracy:.2%}", 1.0)
    return TrainResult(kind, estimator, metadata, evaluation, path, reporter.elapsed)


def _cross_validate(
    kind: str,
    params: dict[str, Any] | None,
    samples: UserSamples,
    X_mnist: np.ndarray,
    y_mnist: np.ndarray,
    reporter: Reporter,
) -> dict[str, Any]:
    """The k-fold figure on the user's samples, reported as the "cross-validating" stage."""
    from training.user_eval import cross_validate

    start, end = CROSS_VALIDATION_SPAN
    share = end - start
    label = KINDS[kind]["label"]

    def on_progress(fraction: float, message: str) -> None:
        reporter.report(
            "cross-validating", f"{label}: checking on your samples, {message}…", start + share * fraction
        )

    on_progress(0.0, "starting")
    cv = cross_validate(lambda: make_estimator(kind, params), samples, X_mnist, y_mnist, progress=on_progress)
    if cv is None:
        return {}
    return {
        "user_cv_accuracy": cv.accuracy,
        "user_cv_folds": cv.folds,
        "n_user_cv": cv.n_samples,
        "user_cv_mnist": cv.n_mnist,
    }


def save_to(kind: str, estimator: Any, metadata: dict[str, Any], out_dir: str | Path | None) -> Path:
    """Save into the user's model folder, or into ``out_dir`` in the bundled-models layout."""
    if out_dir is None:
        return save_model(kind, estimator, metadata)
    from model.store import BUNDLED_DIGESTS, atomic_write_bytes

    out = Path(out_dir)
    path = out / KINDS[kind]["file"]
    digest = dump_model_file(path, estimator, metadata)
    digests_path = out / BUNDLED_DIGESTS
    try:
        digests = json.loads(digests_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        digests = {}
    digests[path.name] = digest
    atomic_write_bytes(digests_path, (json.dumps(digests, indent=2, sort_keys=True) + "\n").encode())
    return path
