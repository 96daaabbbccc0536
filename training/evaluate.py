"""How good is a model: accuracy, per-class scores, the confusion matrix and the digits it gets wrong."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from training.calibration import Reliability
    from training.progress import CancelFlag
    from training.user_eval import UserSamples

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    """The test-set results of one model."""

    classes: np.ndarray
    labels: np.ndarray  # true labels of the evaluated images
    predicted: np.ndarray
    confidence: np.ndarray  # the probability of the predicted class
    accuracy: float
    confusion: np.ndarray  # rows: true class, columns: predicted class
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    index: np.ndarray | None = None  # positions of the evaluated images in the given test set
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def misclassified(self) -> np.ndarray:
        """Indices of the wrongly read images, most confident mistakes first."""
        wrong = np.flatnonzero(self.predicted != self.labels)
        return wrong[np.argsort(-self.confidence[wrong], kind="stable")]

    def reliability(self, bins: int = 10) -> Reliability:
        """The reliability diagram and calibration error of the confidences (:mod:`training.calibration`)."""
        from training.calibration import reliability

        return reliability(self.confidence, self.predicted == self.labels, bins)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "n_samples": len(self.labels),
            "n_errors": int((self.predicted != self.labels).sum()),
            "classes": [int(c) for c in self.classes],
            "per_class": {
                str(int(c)): {
                    "precision": float(self.precision[i]),
                    "recall": float(self.recall[i]),
                    "f1": float(self.f1[i]),
                    "support": int(self.support[i]),
                }
                for i, c in enumerate(self.classes)
            },
            "confusion_matrix": self.confusion.tolist(),
            "seconds": self.seconds,
            **self.extra,
        }


def confusion_counts(y: np.ndarray, predicted: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Counts of (true, predicted) pairs; rows are true classes, columns predicted, both in ``classes``."""
    k = len(classes)
    true_idx = np.searchsorted(classes, y)
    pred_idx = np.searchsorted(classes, predicted)
    return np.bincount(true_idx * k + pred_idx, minlength=k * k).reshape(k, k)


def scores_from_confusion(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall, F1 and support, 0 where undefined (scikit-learn's zero_division=0).

    Computed here rather than with ``sklearn.metrics`` because importing that in a worker thread
    pulls in SciPy, whose garbage-collection passes hold the interpreter long enough to stall the GUI.
    """
    hits = np.diag(confusion).astype(np.float64)
    support = confusion.sum(axis=1)
    predicted = confusion.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, hits / predicted, 0.0)
        recall = np.where(support > 0, hits / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return precision, recall, f1, support


def evaluate(estimator: Any, X: np.ndarray, y: np.ndarray, batch_size: int = 5000) -> Evaluation:
    """Evaluate ``estimator`` on images ``X`` with labels ``y`` (only the classes it knows)."""
    start = time.perf_counter()
    classes = np.asarray(estimator.classes_)
    y = np.asarray(y)
    index = np.flatnonzero(np.isin(y, classes))
    X, y = X[index], y[index]
    if len(y) == 0:
        raise ValueError(f"no test images of the classes {classes.tolist()} to evaluate on")
    proba = np.concatenate(
        [estimator.predict_proba(X[i : i + batch_size]) for i in range(0, len(X), batch_size)]
    )
    best = proba.argmax(axis=1)
    predicted = classes[best]
    confidence = proba[np.arange(len(proba)), best]
    confusion = confusion_counts(y, predicted, classes)
    precision, recall, f1, support = scores_from_confusion(confusion)
    return Evaluation(
        classes=classes,
        labels=y,
        predicted=predicted,
        confidence=confidence,
        accuracy=float((predicted == y).mean()),
        confusion=confusion,
        precision=precision,
        recall=recall,
        f1=f1,
        support=support,
        index=index,
        seconds=time.perf_counter() - start,
    )


def evaluate_everything(
    estimator: Any,
    test_data: Callable[..., tuple[np.ndarray, np.ndarray]],
    user_samples: Callable[[], UserSamples] | None,
    report: Callable[[tuple[str, Any]], None],
    cancel: CancelFlag | None = None,
) -> None:
    """Evaluate on the test set, then on the user's samples, reporting each part as it is ready.

    What the Evaluate window runs in its worker thread. ``report`` receives ``("done", (evaluation,
    images))`` or ``("failed", exception)``, then, whatever the test set gave, ``("user done",
    UserReport)`` or ``("user failed", exception)``; the window words the exceptions. While MNIST
    downloads, ``("progress", Progress)`` comes first (when ``test_data.reports_progress``).
    ``cancel`` stops the download and skips what has not begun: the test set's part then fails with
    :class:`training.progress.Cancelled`, and the work raises it instead of going on.
    """
    from training.mnist_files import MnistDataError
    from training.progress import Cancelled
    from training.user_eval import user_report

    def check() -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled("cancelled by the user")

    try:
        if getattr(test_data, "reports_progress", False):
            X, y = test_data(progress=lambda p: report(("progress", p)), cancel=cancel)
        else:
            X, y = test_data()
        check()
        evaluation = evaluate(estimator, X, y)
    except Exception as exc:  # shown in the window; the app keeps running
        if isinstance(exc, MnistDataError):  # no MNIST, or damaged files: the window says what to do
            log.warning("evaluation failed: %s", exc)
        elif not isinstance(exc, Cancelled):
            log.exception("evaluation failed")
        report(("failed", exc))
    else:
        report(("done", (evaluation, X)))
    if user_samples is not None:
        check()
        try:
            mine = user_report(estimator, user_samples())
        except Exception as exc:
            log.exception("evaluating the user's samples failed")
            report(("user failed", exc))
        else:
            report(("user done", mine))
