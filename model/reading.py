"""What the window says about a drawing: a digit, "not sure" between two, or "not a digit".

A classifier always has a top class; a person wants to hear when that answer means little. Two cases:
the drawing looks like no digit at all (the one-vs-rest model's rejection, see
:meth:`model.ovr.OneVsRestLogisticRegression.predict_proba_and_not_digit`), or two digits are nearly
as likely as each other. Both are decided here, once, for the window, the tests and the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from model.ovr import normalised

__all__ = ["NOT_SURE_GAP", "Reading", "Verdict", "read_drawings"]

Verdict = Literal["digit", "not sure", "not a digit"]
# Two digits are "close" when their probabilities differ by less than this: 0.55 against 0.35 is a
# doubt worth saying out loud, 0.6 against 0.3 a best guess.
NOT_SURE_GAP = 0.25


@dataclass(frozen=True)
class Reading:
    """One drawing's probabilities (in the order of ``classes``) and whether it looked like no digit."""

    classes: tuple[int, ...]
    probabilities: np.ndarray
    not_a_digit: bool = False
    # Each class's own probability, not normalised across classes (one-vs-rest models): how much the
    # drawing looks like that digit on its own. ``None`` when the model has no such thing.
    own: np.ndarray | None = None

    @property
    def order(self) -> np.ndarray:
        """Class indices from the most likely down."""
        return np.argsort(-self.probabilities, kind="stable")

    @property
    def digit(self) -> int:
        """The most likely digit (the model's answer, whatever the verdict)."""
        return self.classes[int(self.order[0])]

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.order[0]])

    @property
    def runner_up(self) -> int | None:
        return self.classes[int(self.order[1])] if len(self.classes) > 1 else None

    @property
    def verdict(self) -> Verdict:
        if self.not_a_digit:
            return "not a digit"
        if len(self.classes) > 1:
            first, second = self.probabilities[self.order[:2]]
            if first - second < NOT_SURE_GAP:
                return "not sure"
        return "digit"


def read_drawings(model: Any, X: np.ndarray) -> list[Reading]:
    """A :class:`Reading` of each image in ``X`` (n, 784), from one pass through the model.

    Models that cannot reject (the binary model, or one-vs-rest models fitted without negatives)
    never answer "not a digit".
    """
    classes = tuple(int(c) for c in model.classes_)
    own_and_rejected = getattr(model, "own_proba_and_not_digit", None)
    if own_and_rejected is not None:
        own, rejected = own_and_rejected(X)
        own = np.asarray(own, dtype=np.float64)
        proba = normalised(own)
        return [Reading(classes, p, bool(r), o) for p, r, o in zip(proba, rejected, own, strict=True)]
    both = getattr(model, "predict_proba_and_not_digit", None)
    if both is not None:
        proba, rejected = both(X)
    else:
        proba = model.predict_proba(X)
        rejected = np.zeros(len(proba), dtype=bool)
    proba = np.asarray(proba, dtype=np.float64)
    return [Reading(classes, p, bool(r)) for p, r in zip(proba, rejected, strict=True)]
