"""The from-scratch binary logistic regression: conventions, accuracy, and agreement with scikit-learn."""

from __future__ import annotations

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
    """Run to convergence, our gradient descent and scikit-learn solve the same problem.

    scikit-learn's L-BFGS stops on a relative change of the objective near machine precision, so where
    it stops (about 1e-6 in gradient) moves with the BLAS kernel's rounding, and with it the
    probabilities by 1e-4. Its Newton-CG solver on float64 input instead reaches the optimum to rounding
    (gradient about 1e-15) on every kernel, so it is the reference, and the test checks what defines the
    optimum: the gradient at each solution and the objective values. Strong convexity turns our
    gradient into a certificate: ``f(ours) - f* <= ||g||^2 / (2 mu)``, with ``mu`` the smallest
    curvature of the objective.
    """
    from logistic_optimum import objective_and_gradient, smallest_curvature

    X, y, Xt, yt = mnist
    train = np.flatnonzero(np.isin(y, [0, 1]))[:3000]
    test = np.isin(yt, [0, 1])
    alpha = 1e-2
    X_train, target = X[train].astype(np.float64), (y[train] == 1).astype(np.float64)
    ours = BinaryLogisticRegression(alpha=alpha, max_iter=5000, tol=1e-8).fit(X[train], y[train])
    assert ours.n_iter_ < 5000, "gradient descent did not converge"
    theirs = LogisticRegression(
        C=1.0 / (len(train) * alpha), solver="newton-cg", tol=1e-12, max_iter=1000
    ).fit(X_train, y[train])

    f_ours, g_ours = objective_and_gradient(X_train, target, ours.coef_[0], ours.intercept_[0], alpha)
    f_ref, g_ref = objective_and_gradient(X_train, target, theirs.coef_[0], theirs.intercept_[0], alpha)
    mu = smallest_curvature(X_train, theirs.coef_[0], theirs.intercept_[0], alpha)
    certificate = float(g_ours @ g_ours) / (2 * mu)
    gap = np.abs(ours.predict_proba(Xt[test]) - theirs.predict_proba(Xt[test])).max()
    print(
        f"largest gradient entry: ours {np.abs(g_ours).max():.1e}, scikit-learn {np.abs(g_ref).max():.1e}; "
        f"objective ours - scikit-learn {f_ours - f_ref:.1e} (certified at most {certificate:.1e}); "
        f"largest probability gap {gap:.1e}"
    )
    assert np.abs(g_ref).max() < 1e-10, "the scikit-learn reference is not at the optimum"
    # Our stopping rule (tol=1e-8) looks at the gradient at the momentum point, one step before the
    # returned weights; at the weights themselves it is as small or smaller, not larger than 10x.
    assert np.abs(g_ours).max() < 1e-7
    # Neither can be below the optimum by more than rounding of a value near 0.025 (float64: 1e-17).
    assert -1e-14 <= f_ours - f_ref <= certificate + 1e-14
    # The two optima agree to about 1e-6 in probability (measured 9.5e-7 on both OpenBLAS kernels, the
    # kernels move it by 1e-15); 1e-5 leaves room for another machine and still fails a solver that
    # stops at scikit-learn's default tolerance (1e-4: gaps of 1e-3).
    assert gap < 1e-5
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)


def test_stepping_through_the_descent_is_exactly_what_fit_does(mnist):
    from model.binary import BinaryLogisticRegression

    X, y = mnist[0][:3000], mnist[1][:3000]
    keep = y < 2
    X, y = X[keep], y[keep]
    fitted = BinaryLogisticRegression(max_iter=15, tol=0.0).fit(X, y)
    descent = BinaryLogisticRegression(max_iter=15, tol=0.0).descent(X, y)
    steps = [descent.step() for _ in range(15)]
    assert [s.iteration for s in steps] == list(range(1, 16))
    assert [s.loss for s in steps] == fitted.loss_curve_
    np.testing.assert_array_equal(steps[-1].coef, fitted.coef_[0])
    assert steps[-1].intercept == fitted.intercept_[0]
    assert all(s.step_size == steps[0].step_size > 0 for s in steps)
    assert steps[-1].gradient_norm < steps[0].gradient_norm
    assert not any(s.converged for s in steps)
    snapshot = descent.snapshot()
    np.testing.assert_array_equal(snapshot.predict_proba(X[:50]), fitted.predict_proba(X[:50]))
    assert snapshot.score(X, y) > 0.98
    # fit's per-step view carries the same steps, weights included
    seen = []
    BinaryLogisticRegression(max_iter=3, tol=0.0).fit(X, y, on_step=seen.append)
    np.testing.assert_array_equal(seen[2].coef, steps[2].coef)


def test_the_descent_refuses_anything_but_two_classes():
    from model.binary import BinaryLogisticRegression

    with pytest.raises(ValueError, match="exactly two classes"):
        BinaryLogisticRegression().descent(np.zeros((3, 784)), [1, 1, 1])


def test_each_step_reports_the_gradients_l2_norm_and_its_largest_entry():
    """The step-through shows the gradient norm: the Euclidean norm of (dL/dw, dL/db) at the point the
    step was taken from, checked here against numpy; the max-norm (the stopping rule's) comes too."""
    rng = np.random.default_rng(3)
    X = rng.random((400, 784)) * (rng.random((400, 784)) > 0.7)
    y = (X[:, :392].sum(axis=1) > X[:, 392:].sum(axis=1)).astype(int)
    model = BinaryLogisticRegression(alpha=1e-3)
    descent = model.descent(X, y)
    n = len(X)
    for _ in range(6):
        k = descent._k + 1
        mix = (k - 1) / (k + 2)
        v = descent.w + mix * (descent.w - descent._w_prev)
        c = descent.b + mix * (descent.b - descent._b_prev)
        residual = (1 / (1 + np.exp(-(X @ v + c))) - y) / n
        gradient = np.r_[X.T @ residual + model.alpha * v, residual.sum()]
        step = descent.step()
        # rel 1e-6: the descent updates its scores X @ w step by step instead of recomputing them
        assert step.gradient_norm == pytest.approx(np.linalg.norm(gradient), rel=1e-6)
        assert step.gradient_max == pytest.approx(np.abs(gradient).max(), rel=1e-6)
        assert step.gradient_max <= step.gradient_norm <= np.sqrt(gradient.size) * step.gradient_max
        assert step.converged == (step.gradient_max < model.tol)
