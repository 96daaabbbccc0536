"""How well a model reads the user's own handwriting, measured only on drawings it never trained on.

A model is always right about the samples it learned from, so a figure on those would flatter it. Part
of the user's samples is therefore kept aside when retraining: within each digit, in the order they
were saved, every fifth sample (the 5th, 10th, ...) is held out. The rule is a pure function of the
sample ids, so the same samples stay held out when more are added, and the first four of each digit
always train. The ids of both parts go into the model's metadata, so any later evaluation knows which
samples a model has seen.

With few samples the held-out part is too small to say much (three drawings give 0, 33, 67 or 100%).
Then a k-fold cross-validation over all the user's samples adds a steadier figure: k models, each
trained without one fold and tested on it. To keep that to seconds rather than minutes, each fold
trains on a subset of MNIST, with the user's samples weighted to the same share of the data as in the
real training.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from training.samples import SampleStore, auto_weight

HOLDOUT_EVERY = 5  # every fifth sample of a digit is held out
CV_FOLDS = 5
FEW_HELD_OUT = 50  # below this many held-out samples (or FEW_PER_CLASS of a digit), cross-validate too
FEW_PER_CLASS = 10
CV_MNIST = 10000  # MNIST training images per cross-validation fold


@dataclass(frozen=True)
class UserSamples:
    """The user's labelled drawings as arrays, with the id of each (the sample store's file stem)."""

    X: np.ndarray  # (n, 784) float32 in [0, 1], white on black
    y: np.ndarray  # (n,) int64 digits
    ids: tuple[str, ...]

    def __post_init__(self) -> None:
        if not (len(self.X) == len(self.y) == len(self.ids)):
            raise ValueError("X, y and ids must have the same length")

    def __len__(self) -> int:
        return len(self.y)

    @classmethod
    def empty(cls) -> UserSamples:
        return cls(np.zeros((0, 784), dtype=np.float32), np.zeros(0, dtype=np.int64), ())

    def subset(self, selection: np.ndarray) -> UserSamples:
        """The samples picked by a boolean mask or an index array."""
        index = np.flatnonzero(selection) if np.asarray(selection).dtype == bool else np.asarray(selection)
        return UserSamples(self.X[index], self.y[index], tuple(self.ids[i] for i in index))

    def of_classes(self, classes: Sequence[int]) -> UserSamples:
        """Only the digits a model knows (0 and 1 for the binary model)."""
        return self.subset(np.isin(self.y, np.asarray(classes)))

    def without(self, ids: Iterable[str]) -> UserSamples:
        """The samples whose ids are not in ``ids`` (e.g. the ones a model never trained on)."""
        return self.subset(~self._has_id(ids))

    def only(self, ids: Iterable[str]) -> UserSamples:
        """The samples whose ids are in ``ids`` (e.g. the ones kept aside for testing)."""
        return self.subset(self._has_id(ids))

    def _has_id(self, ids: Iterable[str]) -> np.ndarray:
        wanted = set(ids)
        return np.array([i in wanted for i in self.ids], dtype=bool)


def load_user_samples(store: SampleStore | None = None) -> UserSamples:
    """Read every sample in the store (unreadable files are skipped, as in :meth:`SampleStore.arrays`)."""
    store = store if store is not None else SampleStore()
    return UserSamples(*store.arrays_with_ids())


def _positions(labels: Sequence[int] | np.ndarray, ids: Sequence[str]) -> np.ndarray:
    """Each sample's position among the samples of its digit, in id order (ids start with the time)."""
    labels = np.asarray(labels)
    positions = np.zeros(len(labels), dtype=int)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        order = sorted(members, key=lambda i: ids[i])
        positions[order] = np.arange(len(order))
    return positions


def holdout_mask(
    labels: Sequence[int] | np.ndarray, ids: Sequence[str], every: int = HOLDOUT_EVERY
) -> np.ndarray:
    """True for the samples kept aside for testing: the ``every``-th, ``2 * every``-th, ... of each digit.

    Deterministic and stable: a sample's place depends only on the older samples of its digit.
    """
    if len(labels) != len(ids):
        raise ValueError("labels and ids must have the same length")
    if every < 2:
        raise ValueError(f"every must be at least 2, got {every}")
    return (_positions(labels, ids) + 1) % every == 0


def held_out_ids(labels: Sequence[int], ids: Sequence[str], every: int = HOLDOUT_EVERY) -> set[str]:
    """The ids :func:`holdout_mask` keeps aside, for code that holds samples by id (the gallery)."""
    return {i for i, held in zip(ids, holdout_mask(labels, ids, every), strict=True) if held}


def split(samples: UserSamples, every: int = HOLDOUT_EVERY) -> tuple[UserSamples, UserSamples]:
    """``(to train on, held out)`` by :func:`holdout_mask`."""
    held = holdout_mask(samples.y, samples.ids, every)
    return samples.subset(~held), samples.subset(held)


def fold_numbers(labels: Sequence[int] | np.ndarray, ids: Sequence[str], k: int) -> np.ndarray:
    """The cross-validation fold (0..k-1) of each sample, stratified by digit and deterministic.

    Samples are dealt out in turn, digit by digit and oldest first, so each digit's samples spread over
    the folds and, with at least ``k`` samples, no fold is empty.
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    labels = np.asarray(labels, dtype=int)
    positions = _positions(labels, ids)
    order = np.lexsort((positions, labels))
    folds = np.empty(len(labels), dtype=int)
    folds[order] = np.arange(len(labels)) % k
    return folds


def needs_cross_validation(held_out: UserSamples, samples: UserSamples) -> bool:
    """True when the held-out part is too small to trust alone: under 50 samples, or under 10 of a digit."""
    if len(samples) < 2:
        return False
    if len(held_out) < FEW_HELD_OUT:
        return True
    counts = [int((held_out.y == label).sum()) for label in np.unique(samples.y)]
    return min(counts) < FEW_PER_CLASS


def should_cross_validate(samples: UserSamples) -> bool:
    """Whether retraining on ``samples`` (already only the model's digits) adds a cross-validation."""
    _, held_out = split(samples)
    return needs_cross_validation(held_out, samples)


def accuracy(estimator: Any, samples: UserSamples) -> float | None:
    """The share of ``samples`` (of the classes the estimator knows) it reads right; ``None`` if none."""
    known = samples.of_classes([int(c) for c in estimator.classes_])
    if len(known) == 0:
        return None
    return float((np.asarray(estimator.predict(known.X)) == known.y).mean())


@dataclass(frozen=True)
class CrossValidation:
    accuracy: float
    n_samples: int
    folds: int
    n_mnist: int  # MNIST training images each fold learned from


def cross_validate(
    make: Callable[[], Any],
    samples: UserSamples,
    mnist_X: np.ndarray,
    mnist_y: np.ndarray,
    *,
    k: int = CV_FOLDS,
    n_mnist: int = CV_MNIST,
    progress: Callable[[float, str], None] | None = None,
) -> CrossValidation | None:
    """k-fold accuracy on the user's samples of models trained on MNIST plus the other folds.

    ``make()`` returns a fresh estimator (same hyper-parameters as the real one); ``mnist_X, mnist_y``
    are the MNIST images that model learns from, of which the first ``n_mnist`` are used per fold, with
    the user's samples weighted as :func:`training.samples.auto_weight` says for that many.
    ``progress(fraction, message)`` runs after every iteration of every fold and may raise (e.g.
    :class:`training.progress.Cancelled`) to stop. ``None`` when there are fewer than two samples.
    """
    k = min(k, len(samples))
    if k < 2:
        return None
    X_m, y_m = mnist_X[:n_mnist], mnist_y[:n_mnist]
    folds = fold_numbers(samples.y, samples.ids, k)
    correct = 0
    expected = 30  # iterations per fold, re-estimated from the fold before, for a smooth bar
    for fold in range(k):
        test = folds == fold
        train = samples.subset(~test)
        weight = auto_weight(len(train), len(y_m))
        X = np.concatenate([X_m, train.X.astype(np.float32)])
        y = np.concatenate([y_m, train.y])
        w = np.concatenate([np.ones(len(y_m)), np.full(len(train), weight)])

        def on_iteration(iteration: int, loss: Any, fold: int = fold, expected: int = expected) -> None:
            if progress is not None:
                within = 0.0 if loss is None else min(iteration / expected, 0.95)
                progress((fold + within) / k, f"fold {fold + 1} of {k}, iteration {iteration}")

        estimator = make().fit(X, y, sample_weight=w, callback=on_iteration)
        expected = max(int(getattr(estimator, "n_iter_", expected)), 1)
        correct += int((np.asarray(estimator.predict(samples.X[test])) == samples.y[test]).sum())
        if progress is not None:
            progress((fold + 1) / k, f"fold {fold + 1} of {k} done")
    return CrossValidation(correct / len(samples), len(samples), k, len(y_m))


@dataclass(frozen=True)
class UserReport:
    """How a model reads the user's samples, split by whether it trained on them (for Evaluate…).

    ``unseen``: samples of its digits it never trained on (held out when it was trained, added since, or
    all of them for a model trained without them); ``trained``: the ones it learned from, which it
    should read right (a low figure there means the samples fight MNIST or each other). The
    cross-validated figure is the one recorded when the model was trained, if any.
    """

    n_all: int  # all of the user's samples
    n_samples: int  # the user's samples of the model's digits
    n_unseen: int
    unseen_accuracy: float | None
    n_trained: int
    trained_accuracy: float | None
    cv_accuracy: float | None = None
    cv_folds: int | None = None
    n_cv: int | None = None


def user_report(estimator: Any, samples: UserSamples) -> UserReport:
    """Accuracy on the samples ``estimator`` never trained on (by the ids in its metadata) and on the rest."""
    meta = getattr(estimator, "metadata_", {}) or {}
    known = samples.of_classes([int(c) for c in estimator.classes_])
    trained_ids = meta.get("user_train_ids") or []
    unseen, trained = known.without(trained_ids), known.only(trained_ids)
    cv = meta.get("user_cv_accuracy")
    return UserReport(
        n_all=len(samples),
        n_samples=len(known),
        n_unseen=len(unseen),
        unseen_accuracy=accuracy(estimator, unseen),
        n_trained=len(trained),
        trained_accuracy=accuracy(estimator, trained),
        cv_accuracy=float(cv) if isinstance(cv, int | float) else None,
        cv_folds=meta.get("user_cv_folds"),
        n_cv=meta.get("n_user_cv"),
    )
