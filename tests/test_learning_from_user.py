"""Teaching the model a person's hand: pendigits writers' drawings as "the user's" samples.

The six writers the bundled model reads worst each put their first drawing of every digit into the
sample store, as the app saves it; the model is retrained with them; their other drawings, never
trained on, must be read better than before, while the MNIST test accuracy stays within half a point.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import load_model
from model.preprocess import canvas_to_mnist
from training import train_model
from training.evaluate import evaluate
from training.pendigits import load_pendigits
from training.samples import SampleStore
from training.uji import render_strokes

pytestmark = [pytest.mark.mnist, pytest.mark.slow]

N_WRITERS = 6


def _drawings(pendigits_dir):
    """Every pendigits digit drawn as on a 400 px canvas, with its writer and its label."""
    digits = load_pendigits(pendigits_dir)
    pictures = [render_strokes(s.strokes, 400, 18, box=(100, 60, 200, 280)) for s in digits]
    return digits, pictures


def test_retraining_on_the_users_samples_reads_their_hand_better(mnist, pendigits_dir):
    digits, pictures = _drawings(pendigits_dir)
    labels = np.array([s.digit for s in digits])
    writers = np.array([s.writer for s in digits])
    images = np.stack([canvas_to_mnist(p) for p in pictures])
    before = load_model("ovr")
    right = before.predict(images) == labels
    worst = sorted(set(writers), key=lambda w: right[writers == w].mean())[:N_WRITERS]
    first = np.zeros(len(digits), dtype=bool)
    for writer in worst:
        for digit in range(10):
            first[np.flatnonzero((writers == writer) & (labels == digit))[0]] = True
    store = SampleStore()
    for i in np.flatnonzero(first):
        store.add(int(labels[i]), images[i], pictures[i])
    X_user, y_user, weight = store.for_training(len(mnist[1]))
    assert len(y_user) == N_WRITERS * 10

    held_out = np.isin(writers, worst) & ~first
    before_user = float(right[held_out].mean())
    before_mnist = evaluate(before, mnist[2], mnist[3]).accuracy

    result = train_model("ovr", mnist=mnist, extra=(X_user, y_user, weight))
    after = load_model("ovr")
    assert after.metadata_["n_user_samples"] == len(y_user)
    after_user = float((after.predict(images[held_out]) == labels[held_out]).mean())
    after_mnist = result.evaluation.accuracy
    print(
        f"other drawings of the {N_WRITERS} writers read worst ({', '.join(worst)}): "
        f"{before_user:.1%} -> {after_user:.1%}; "
        f"MNIST test: {before_mnist:.2%} -> {after_mnist:.2%} (sample weight {weight:.0f})"
    )
    assert after_user > before_user
    assert abs(after_mnist - before_mnist) <= 0.005
