"""The verdict the window shows: a digit, "not sure" between two close ones, or "not a digit"."""

from __future__ import annotations

import numpy as np

from model.reading import NOT_SURE_GAP, Reading, read_drawings


def test_verdict_follows_the_gap_between_the_two_best():
    classes = tuple(range(10))
    p = np.full(10, 0.01)
    p[[4, 9]] = 0.5, 0.5 - NOT_SURE_GAP + 0.02  # just closer than the gap
    r = Reading(classes, p)
    assert r.verdict == "not sure" and r.digit == 4 and r.runner_up == 9
    p[9] = 0.5 - NOT_SURE_GAP - 0.05
    assert Reading(classes, p).verdict == "digit"
    assert Reading(classes, p, not_a_digit=True).verdict == "not a digit"
    tie = Reading((0, 1), np.array([0.5, 0.5]))
    assert tie.digit == 0 and tie.verdict == "not sure"  # a tie names the first class, as argmax does


class _Binary:
    classes_ = np.array([0, 1])

    def predict_proba(self, X):
        return np.tile([0.9, 0.1], (len(X), 1))


class _Rejecting(_Binary):
    def predict_proba_and_not_digit(self, X):
        return self.predict_proba(X), np.array([True, False])


def test_models_without_a_rejection_never_say_not_a_digit():
    X = np.zeros((2, 784), np.float32)
    assert [r.verdict for r in read_drawings(_Binary(), X)] == ["digit", "digit"]
    assert [r.not_a_digit for r in read_drawings(_Rejecting(), X)] == [True, False]
    assert read_drawings(_Binary(), X)[0].classes == (0, 1)


def test_one_vs_rest_readings_keep_each_class_s_own_probability(mnist):
    from model import load_model
    from model.reading import read_drawings

    model = load_model("ovr")
    readings = read_drawings(model, mnist[2][:50])
    for reading in readings:
        assert reading.own is not None and reading.own.shape == (10,)
        np.testing.assert_allclose(reading.own / reading.own.sum(), reading.probabilities)
    assert read_drawings(load_model("binary"), mnist[2][:1])[0].own is None
    # Pictures that are no digit: every class says "not me" on its own, which normalising would hide.
    from training.negatives import not_digits

    made_up = read_drawings(model, not_digits(mnist[0][:3000], mnist[1][:3000], 300))
    own_top = np.mean([r.own.max() for r in made_up])
    assert own_top < np.mean([r.own.max() for r in readings]) - 0.2
    assert own_top < np.mean([r.probabilities.max() for r in made_up]) - 0.1
