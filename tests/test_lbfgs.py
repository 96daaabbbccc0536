"""The side-by-side L-BFGS: starting from a given point, and stopping where float32 stops improving."""

from __future__ import annotations

import numpy as np

from model.lbfgs import fit_logistic_lbfgs


def _problems(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three noisy logistic problems on the same 400 float32 rows: none of them separable."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 30)).astype(np.float32)
    scores = X @ rng.normal(size=(30, 3)) + rng.normal(scale=2.0, size=(400, 3))
    return X, (scores > 0).astype(np.float32)


def test_a_start_at_the_solution_needs_no_more_iterations_and_stays_there():
    X, Y = _problems()
    cold = fit_logistic_lbfgs(X, Y, 1e-2, tol=1e-4)
    assert cold.converged.all() and cold.n_iter > 5
    warm = fit_logistic_lbfgs(X, Y, 1e-2, tol=1e-4, init=(cold.coef, cold.intercept))
    assert warm.n_iter <= 1
    np.testing.assert_allclose(warm.coef, cold.coef, atol=1e-4)
    np.testing.assert_allclose(warm.loss, cold.loss, rtol=1e-6)


def test_a_start_near_the_solution_takes_fewer_iterations_to_the_same_loss():
    X, Y = _problems()
    cold = fit_logistic_lbfgs(X, Y, 1e-2, tol=1e-5)
    near = (cold.coef * 0.9, cold.intercept * 0.9)
    warm = fit_logistic_lbfgs(X, Y, 1e-2, tol=1e-5, init=near)
    assert warm.converged.all()
    assert warm.n_iter < cold.n_iter
    np.testing.assert_allclose(warm.loss, cold.loss, rtol=1e-6)


def test_ftol_stops_a_problem_at_the_noise_floor_instead_of_running_out_of_iterations():
    # tol=0 cannot be met in float32. Without ftol a problem then creeps along by rounding-sized steps
    # until max_iter or until no step lowers its loss at all; which, and when, depends on how the
    # processor rounds (one seed ran out its 200 iterations on one machine and stopped at 32 on
    # another). With ftol each problem stops once a step no longer lowers its loss, at the same loss.
    for seed in range(4):
        X, Y = _problems(seed)
        endless = fit_logistic_lbfgs(X, Y, 1e-2, tol=0.0, max_iter=200)
        stopped = fit_logistic_lbfgs(X, Y, 1e-2, tol=0.0, max_iter=200, ftol=1e-10)
        assert stopped.converged.all()
        assert stopped.n_iter < min(endless.n_iter, 100), (seed, stopped.n_iter, endless.n_iter)
        np.testing.assert_allclose(stopped.loss, endless.loss, rtol=1e-6)
