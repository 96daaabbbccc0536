"""What an MNIST digit looks like, in numbers: the picture the model learned from, for comparison.

The "what the model sees" view sets the user's drawing, as the model receives it, beside MNIST's mean
digit and its typical height, width and stroke width. These come from the training set and are
shipped beside the bundled models (``assets/mnist-facts.json``, written by
``python -m training.mnist_facts``), so the view needs no data download; a test recomputes them from
MNIST so they cannot go stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import numpy as np

from model.preprocess import INK_THRESHOLD, estimate_stroke_width

__all__ = ["FACTS_FILE", "MnistFacts", "bundled_facts", "compute_facts", "ink_extent"]

FACTS_FILE = "mnist-facts.json"
_PERCENTILES = (5, 50, 95)
_STROKE_SAMPLE = 10  # every tenth training digit is enough for the stroke-width percentiles


class MnistFacts(NamedTuple):
    mean_digit: np.ndarray  # (28, 28) float in [0, 1]: the average training digit
    height: tuple[float, float, float]  # 5th, 50th and 95th percentile of the ink's height, in pixels
    width: tuple[float, float, float]
    stroke: tuple[float, float, float]  # stroke width, by model.preprocess.estimate_stroke_width
    n_digits: int

    def to_json(self) -> str:
        """The facts as JSON, the mean digit one row of 28 levels (0-255) per line."""
        rows = np.round(self.mean_digit * 255).astype(int).reshape(28, 28)
        digit = ",\n".join("    " + json.dumps(row.tolist()) for row in rows)
        stats = {"height": list(self.height), "width": list(self.width), "stroke": list(self.stroke)}
        head = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in stats.items())
        return f'{{\n{head},\n  "n_digits": {self.n_digits},\n  "mean_digit": [\n{digit}\n  ]\n}}'


def compute_facts(X: np.ndarray) -> MnistFacts:
    """The facts of MNIST-format digits ``X`` (n, 784) in [0, 1]."""
    images = np.asarray(X, dtype=np.float32).reshape(-1, 28, 28)
    height, width = ink_extent(images)
    strokes = [estimate_stroke_width(image) for image in images[::_STROKE_SAMPLE]]

    def spread(values: np.ndarray) -> tuple[float, float, float]:
        return tuple(round(float(v), 2) for v in np.percentile(values, _PERCENTILES))

    mean = np.round(images.mean(axis=0) * 255) / 255  # as stored: whole levels of 255
    return MnistFacts(mean, spread(height), spread(width), spread(strokes), len(images))


def ink_extent(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The height and width in pixels of the ink (above the ink threshold) of each 28x28 image; 0 if none."""
    ink = np.asarray(images).reshape(-1, 28, 28) > INK_THRESHOLD
    rows, cols = ink.any(axis=2), ink.any(axis=1)
    height = np.where(rows.any(axis=1), 28 - rows[:, ::-1].argmax(axis=1) - rows.argmax(axis=1), 0)
    width = np.where(cols.any(axis=1), 28 - cols[:, ::-1].argmax(axis=1) - cols.argmax(axis=1), 0)
    return height, width


def read_facts(path: Path) -> MnistFacts:
    """Facts from a JSON file written by :meth:`MnistFacts.to_json`; ``ValueError`` if it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        mean = np.asarray(data["mean_digit"], dtype=np.float64)
        if mean.shape != (28, 28) or not ((mean >= 0) & (mean <= 255)).all():
            raise ValueError("the mean digit must be 28 rows of 28 levels from 0 to 255")
        return MnistFacts(
            (mean / 255).reshape(28, 28),
            tuple(float(v) for v in data["height"]),
            tuple(float(v) for v in data["width"]),
            tuple(float(v) for v in data["stroke"]),
            int(data["n_digits"]),
        )
    except (OSError, KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} does not hold MNIST's facts ({exc})") from exc


def bundled_facts() -> MnistFacts:
    """The facts shipped with the app."""
    from model.paths import bundled_model_dir

    return read_facts(bundled_model_dir() / FACTS_FILE)
