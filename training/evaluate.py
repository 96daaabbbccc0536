"""How good is a model: accuracy, per-class scores, the confusion matrix and the digits it gets wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


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


def evaluate(estimator: Any, X: np.ndarray, y: np.ndarray, batch_size: int = 5000) -> Evaluation:
    """Evaluate ``estimator`` on images ``X`` with labels ``y`` (only the classes it knows)."""
    import time

    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

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
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predicted, labels=classes, zero_division=0
    )
    return Evaluation(
        classes=classes,
        labels=y,
        predicted=predicted,
        confidence=confidence,
        accuracy=float((predicted == y).mean()),
        confusion=confusion_matrix(y, predicted, labels=classes),
        precision=precision,
        recall=recall,
        f1=f1,
        support=support,
        index=index,
        seconds=time.perf_counter() - start,
    )
