"""The from-scratch binary logistic regression: conventions, accuracy, and agreement with scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from model import BinaryLogisticRegression
from model.base import NotFittedError


def _toy(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.random((n, 784)).astype(np.float32) * 0.5
    X[y == 1, :100] += 0.4  # class 1 has bright top rows
    return np.clip(X, 0, 1), y


def test_follows_estimator_conventions():
    clf = BinaryLogisticRegression(alpha=0.01, max_iter=20)
    assert clf.get_params() == {
        "alpha": 0.01,
        "learning_rate": "auto",
        "max_iter": 20,
        "momentum": True,
        "tol": 1e-6,
    }
    assert clone(clf).get_params() == clf.get_params()
    with pytest.raises(NotFittedError):
        clf.predict_proba(np.zeros((1, 784)))
    X, y = _toy()
    clf.fit(X, y)
    assert list(clf.classes_) == [0, 1]
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert ((clf.decision_function(X) > 0) == (clf.predict(X) == 1)).all()
    assert clf.score(X, y) > 0.95
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_labels_other_than_zero_and_one():
    X, y = _toy()
    clf = BinaryLogisticRegression(max_iter=30).fit(X, np.where(y == 1, 7, 3))
    assert list(clf.classes_) == [3, 7]
    assert set(clf.predict(X)) <= {3, 7}


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((3, 10)), [0, 1, 0], "shape"),
        (np.full((3, 784), 255.0), [0, 1, 0], r"\[0, 1\]"),
        (np.full((3, 784), np.nan), [0, 1, 0], "NaN"),
        (np.zeros((3, 784)), [0, 1], "one label per image"),
        (np.zeros((3, 784)), [0, 1, 2], "exactly two classes"),
    ],
)
def test_bad_input_is_explained(X, y, message):
    with pytest.raises(ValueError, match=message):
        BinaryLogisticRegression().fit(X, y)


def test_callback_can_abort_the_fit():
    X, y = _toy()
    seen = []

    def stop_at_three(iteration, loss):
        seen.append(iteration)
        if iteration == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        BinaryLogisticRegression(max_iter=50).fit(X, y, callback=stop_at_three)
    assert seen == [1, 2, 3]


@pytest.mark.mnist
def test_reaches_99_9_percent_on_mnist_zero_one_within_50_iterations(mnist):
    X, y, Xt, yt = mnist
    train, test = np.isin(y, [0, 1]), np.isin(yt, [0, 1])
    clf = BinaryLogisticRegression(max_iter=50).fit(X[train], y[train])
    assert clf.n_iter_ <= 50
    accuracy = clf.score(Xt[test], yt[test])
    print(f"binary 0/1 test accuracy after {clf.n_iter_} iterations: {accuracy:.4%}")
    assert accuracy >= 0.999


@pytest.mark.mnist
def test_converged_solution_agrees_with_scikit_learn(mnist):
    """Run to convergence, our gradient descent and scikit-learn's L-BFGS solve the same problem."""
    X, y, Xt, yt = mnist
    train = np.flatnonzero(np.isin(y, [0, 1]))[:3000]
    test = np.isin(yt, [0, 1])
    alpha = 1e-2
    ours = BinaryLogisticRegression(alpha=alpha, max_iter=5000, tol=1e-8).fit(X[train], y[train])
    assert ours.n_iter_ < 5000, "gradient descent did not converge"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = LogisticRegression(C=1.0 / (len(train) * alpha), tol=1e-10, max_iter=10000)
        theirs.fit(X[train], y[train])
    tolerance = 1e-4
    gap = np.abs(ours.predict_proba(Xt[test]) - theirs.predict_proba(Xt[test])).max()
    print(f"largest probability gap to scikit-learn: {gap:.2e} (tolerance {tolerance:g})")
    assert gap < tolerance
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-3)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-3)
