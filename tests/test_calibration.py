"""The reliability diagram and expected calibration error, against scikit-learn and by hand."""

from __future__ import annotations

import numpy as np
import pytest

from training.calibration import reliability


def test_bins_agree_with_scikit_learn_and_the_error_with_its_definition():
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(0)
    p = rng.uniform(0.1, 1.0, 5000)
    correct = rng.random(5000) < p**1.5  # surer than right
    r = reliability(p, correct, bins=10)
    accuracy, confidence = calibration_curve(correct, p, n_bins=10, strategy="uniform")
    filled = r.counts > 0
    np.testing.assert_allclose(r.accuracy[filled], accuracy)
    np.testing.assert_allclose(r.confidence[filled], confidence)
    by_hand = sum(
        (n / len(p)) * abs(a - c) for n, a, c in zip(r.counts, r.accuracy, r.confidence, strict=True) if n
    )
    assert r.ece == pytest.approx(by_hand)
    assert r.overconfident and r.ece > 0.05


def test_a_calibrated_model_has_a_small_error_and_edges_land_in_a_bin():
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 1, 200_000)
    r = reliability(p, rng.random(len(p)) < p)
    assert r.ece < 0.01
    assert reliability([1.0, 0.0], [True, False], bins=4).counts.tolist() == [1, 0, 0, 1]


@pytest.mark.parametrize(
    ("confidence", "correct", "message"),
    [
        ([0.5, 1.2], [True, False], r"\[0, 1\]"),
        ([], [], "at least one"),
        ([0.5], [True, False], "same length"),
    ],
)
def test_bad_input_is_refused_with_a_reason(confidence, correct, message):
    with pytest.raises(ValueError, match=message):
        reliability(confidence, correct)


def test_an_evaluation_gives_its_reliability(mnist):
    from model import load_model
    from training.evaluate import evaluate

    evaluation = evaluate(load_model("ovr"), mnist[2][:2000], mnist[3][:2000])
    r = evaluation.reliability()
    assert r.counts.sum() == 2000
    assert 0 <= r.ece < 0.05
