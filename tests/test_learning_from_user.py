"""Teaching the model a person's hand: UJI writers' digits as "the user's" samples.

Six writers' first attempt at each digit goes into the sample store, as the app saves it; the model is
retrained with them; their second attempts, never trained on, must be read better than before, while
the MNIST test accuracy stays within half a point.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import load_model
from model.preprocess import canvas_to_mnist
from training import train_model
from training.evaluate import evaluate
from training.samples import SampleStore
from training.uji import load_uji_digits, render_strokes

pytestmark = [pytest.mark.mnist, pytest.mark.slow]

WRITERS = ("w01", "w02", "w03", "w04", "w05", "w06")


def _drawings(uji_dir):
    """The writers' digits drawn as on a 400 px canvas, with which attempt (0 or 1) each is."""
    digits = [s for s in load_uji_digits(uji_dir) if s.writer in WRITERS]
    attempt, seen = [], {}
    for s in digits:
        key = (s.writer, s.digit)
        attempt.append(seen.get(key, 0))
        seen[key] = attempt[-1] + 1
    pictures = [render_strokes(s.strokes, 400, 18, box=(100, 60, 200, 280)) for s in digits]
    return digits, np.array(attempt), pictures


def test_retraining_on_the_users_samples_reads_their_hand_better(mnist, uji_dir):
    digits, attempt, pictures = _drawings(uji_dir)
    labels = np.array([s.digit for s in digits])
    images = np.stack([canvas_to_mnist(p) for p in pictures])
    store = SampleStore()
    for i in np.flatnonzero(attempt == 0):
        store.add(int(labels[i]), images[i], pictures[i])
    X_user, y_user, weight = store.for_training(len(mnist[1]))
    assert len(y_user) == len(WRITERS) * 10

    held_out = attempt == 1
    before = load_model("ovr")
    before_user = float((before.predict(images[held_out]) == labels[held_out]).mean())
    before_mnist = evaluate(before, mnist[2], mnist[3]).accuracy

    result = train_model("ovr", mnist=mnist, extra=(X_user, y_user, weight))
    after = load_model("ovr")
    assert after.metadata_["n_user_samples"] == len(y_user)
    after_user = float((after.predict(images[held_out]) == labels[held_out]).mean())
    after_mnist = result.evaluation.accuracy
    print(
        f"held-out drawings of {len(WRITERS)} writers: {before_user:.1%} -> {after_user:.1%}; "
        f"MNIST test: {before_mnist:.2%} -> {after_mnist:.2%} (sample weight {weight:.0f})"
    )
    assert after_user > before_user
    assert abs(after_mnist - before_mnist) <= 0.005
