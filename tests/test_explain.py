"""Explanations: each pixel's part of a class's score, adding up exactly, and pointing at what counts."""

from __future__ import annotations

import numpy as np
import pytest

from model import load_model
from model.deskew import deskew, deskew_parameters, deskew_transpose
from model.explain import explain
from model.orientation import orientation_histograms, orientation_shares
from model.ovr import OneVsRestLogisticRegression


@pytest.fixture(scope="module")
def digits(mnist):
    X, y = mnist[2], mnist[3]
    return X[:40], y[:40]


def _score(model, x, label) -> float:
    scores = model.decision_function(x[None])[0]
    if np.ndim(scores) == 0:  # binary: one score for the second class
        return float(scores) if label == model.classes_[1] else -float(scores)
    return float(scores[list(model.classes_).index(label)])


@pytest.mark.parametrize("kind", ["ovr", "binary"])
def test_the_parts_add_up_to_the_score_minus_a_blank_canvas(kind, digits):
    model = load_model(kind)
    blank = np.zeros(784, np.float32)
    for x, _ in zip(*digits, strict=True):
        for label in model.classes_:
            e = explain(model, x, label)
            expected = _score(model, x, label) - _score(model, blank, label)
            assert e.total == pytest.approx(expected, abs=1e-3 * max(1.0, abs(expected)))
            assert e.score == pytest.approx(_score(model, x, label), abs=1e-3 * max(1.0, abs(e.score)))
            assert e.parts.shape == (28, 28)


def test_a_rather_than_b_is_the_difference_of_the_two(digits):
    model = load_model("ovr")
    x = digits[0][0]
    both = explain(model, x, 3, versus=8)
    np.testing.assert_allclose(both.parts, explain(model, x, 3).parts - explain(model, x, 8).parts, atol=1e-9)
    assert both.total == pytest.approx(_score(model, x, 3) - _score(model, x, 8) - (both.blank), abs=1e-3)


def test_erasing_what_counted_most_for_a_class_lowers_its_score(mnist):
    """Erasing the tenth of the ink that counted most for a digit's class lowers that class's score
    (for all but a few of 200 digits: erasing also moves the deskew), and on average far more than
    erasing as much ink at random: the map is not noise."""
    model = load_model("ovr")
    rng = np.random.default_rng(0)
    drops_for, drops_random = [], []
    for x, label in zip(mnist[2][:200], mnist[3][:200], strict=True):
        parts = explain(model, x, int(label)).parts.ravel()
        ink = np.flatnonzero(x > 0.2)
        n = max(1, len(ink) // 10)
        before = _score(model, x, int(label))
        erased, scattered = x.copy(), x.copy()
        erased[ink[np.argsort(parts[ink])[-n:]]] = 0.0
        scattered[rng.choice(ink, n, replace=False)] = 0.0
        drops_for.append(before - _score(model, erased, int(label)))
        drops_random.append(before - _score(model, scattered, int(label)))
    assert np.mean(np.array(drops_for) > 0) >= 0.95
    assert np.mean(drops_for) > 2 * np.mean(drops_random)


def test_models_without_deskew_or_directions_add_up_too(mnist):
    X, y = mnist[0][:3000], mnist[1][:3000]
    for params in ({"deskew": False, "n_components": 20}, {"n_components": None, "degree": 1}):
        model = OneVsRestLogisticRegression(max_iter=30, **params).fit(X, y)
        for x in mnist[2][:5]:
            e = explain(model, x, 5)
            assert e.total == pytest.approx(_score(model, x, 5) - _score(model, np.zeros(784), 5), abs=1e-3)


def test_an_unknown_class_or_several_images_are_refused_with_a_reason():
    model = load_model("binary")
    with pytest.raises(ValueError, match="knows the classes"):
        explain(model, np.zeros(784), 7)
    with pytest.raises(ValueError, match="one image"):
        explain(model, np.zeros((2, 784)), 1)


def test_the_deskew_transpose_is_the_transpose_of_the_deskew(digits):
    """Deskewing with one image's parameters is a linear map D; ``deskew_transpose`` applies D^T."""
    from model.deskew import _resample

    x = digits[0][3]
    alpha, cy, cx = deskew_parameters(x)
    basis = np.eye(784, dtype=np.float32)
    D = _resample(basis, *(np.repeat(v, 784) for v in (alpha, cy, cx))).T  # column i: D e_i
    np.testing.assert_allclose(D @ x, deskew(x[None])[0], atol=1e-5)
    np.testing.assert_allclose(deskew((2.5 * x)[None])[0], 2.5 * deskew(x[None])[0], atol=1e-5)
    g = np.random.default_rng(0).normal(size=784)
    np.testing.assert_allclose(deskew_transpose(g, alpha[0], cy[0], cx[0]), D.T @ g, atol=1e-5)


def test_direction_shares_add_up_to_the_weighted_histograms(digits):
    for x in digits[0][:5]:
        w = np.random.default_rng(1).normal(size=392)
        shares = orientation_shares(x, w)
        assert shares.sum() == pytest.approx(float(w @ orientation_histograms(x[None], 8, 4)[0]), rel=1e-5)
        assert (shares[x == 0] == 0).all()  # blank paper beside a stroke makes an edge, the ink owns it
        assert np.abs(shares[x > 0]).sum() > 0
        assert (orientation_shares(x, np.abs(w)) >= 0).all()  # a share takes the sign of its weights


def test_every_model_has_weight_pictures_and_mean_explanations(mnist):
    from model.explain import linear_pictures, mean_explanations

    for kind in ("ovr", "binary"):
        model = load_model(kind)
        pictures = linear_pictures(model)
        assert pictures is not None and pictures.shape[1:] == (28, 28) and np.isfinite(pictures).all()
        assert np.abs(pictures).max() > 0
        means = mean_explanations(model, mnist[2][:600], mnist[3][:600], per_class=20)
        assert means.shape == (len(model.classes_), 28, 28)
        # On average a class's own digits are read as that class: their parts add up to a positive score gain.
        assert (means.reshape(len(means), -1).sum(axis=1) > 0).all()


def test_the_linear_picture_of_the_one_vs_rest_model_is_its_component_weights_in_pixels():
    from model.explain import linear_pictures

    model = load_model("ovr")
    fm = model.features_
    k = fm.components_.shape[1]
    z = np.random.default_rng(0).normal(size=784)
    # The linear part of class 3's score for a deskewed image u is (u - mean) . picture_3
    lin = model.coef_[3, :k] / fm.scale_[:k]
    assert linear_pictures(model)[3].ravel() @ (z - fm.mean_) == pytest.approx(
        lin @ ((z - fm.mean_) @ fm.components_), rel=1e-4
    )


def test_one_images_deskew_map_is_the_batch_deskew(digits):
    """``DeskewMap`` (what the explanation reads the deskewed digit and its transpose through) gives
    what the model's own batch deskew gives, digit by digit."""
    from model.deskew import DeskewMap

    images = digits[0][:40]
    expected = deskew(images)
    for x, want in zip(images, expected, strict=True):
        alpha, cy, cx = (float(v[0]) for v in deskew_parameters(x))
        mapping = DeskewMap(alpha, cy, cx)
        np.testing.assert_allclose(mapping.apply(x), want, atol=1e-5)
