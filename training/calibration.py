"""Is a model as sure as it is right? The reliability diagram and the expected calibration error.

The test digits are put in bins by the probability the model gave its answer; in each bin the share it
got right is compared with how sure it was. A calibrated model that says 90% is right 90% of the time.
The expected calibration error (ECE) is the gap between the two, averaged over the bins weighted by
how many digits each holds (Guo et al., 2017, with equal-width bins).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Reliability", "reliability"]


class Reliability(NamedTuple):
    edges: np.ndarray  # (bins + 1,) confidence bin edges from 0 to 1
    confidence: np.ndarray  # (bins,) mean confidence in each bin (NaN where empty)
    accuracy: np.ndarray  # (bins,) share right in each bin (NaN where empty)
    counts: np.ndarray  # (bins,) digits in each bin
    ece: float  # expected calibration error, 0 = perfectly calibrated

    @property
    def overconfident(self) -> bool:
        """Whether the model is, on average, surer than it is right."""
        filled = self.counts > 0
        weights = self.counts[filled] / self.counts.sum()
        return bool(weights @ (self.confidence[filled] - self.accuracy[filled]) > 0)


def reliability(confidence: object, correct: object, bins: int = 10) -> Reliability:
    """The reliability of answers given with ``confidence`` (in [0, 1]) that were ``correct`` or not."""
    p = np.asarray(confidence, dtype=np.float64).ravel()
    right = np.asarray(correct, dtype=bool).ravel()
    if p.shape != right.shape:
        raise ValueError(f"confidence and correct must have the same length, got {p.shape} and {right.shape}")
    if not len(p):
        raise ValueError("reliability needs at least one answer")
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    if not np.isfinite(p).all() or p.min() < 0 or p.max() > 1:
        raise ValueError("confidence must hold probabilities in [0, 1]")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)  # 1.0 goes in the last bin
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(which, p, minlength=bins) / counts
        accuracy = np.bincount(which, right.astype(np.float64), minlength=bins) / counts
    filled = counts > 0
    ece = float((counts[filled] / len(p)) @ np.abs(accuracy[filled] - mean_confidence[filled]))
    return Reliability(edges, mean_confidence, accuracy, counts, ece)
