"""The penalised logistic objective, its gradient and its curvature, computed here in float64.

The agreement tests use them to judge two solvers by what defines the optimum (the objective value and
the gradient at each solution) instead of by how close their outputs happen to land: that is a fact about
the problem, the same whichever BLAS kernel multiplies the matrices.
"""

from __future__ import annotations

import numpy as np


def _design(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    return np.column_stack([X, np.ones(len(X))])


def objective_and_gradient(
    X: np.ndarray, target: np.ndarray, coef: np.ndarray, intercept: float, alpha: float
) -> tuple[float, np.ndarray]:
    """``mean log(1 + exp(z)) - t z + alpha / 2 ||w||^2`` and its gradient in ``(w, b)``."""
    A = _design(X)
    theta = np.append(np.asarray(coef, dtype=np.float64), float(intercept))
    t = np.asarray(target, dtype=np.float64)
    z = A @ theta
    w = theta[:-1]
    value = float(np.mean(np.logaddexp(0.0, z) - t * z) + 0.5 * alpha * w @ w)
    residual = (0.5 * (1.0 + np.tanh(0.5 * z)) - t) / len(A)
    gradient = A.T @ residual
    gradient[:-1] += alpha * w
    return value, gradient


def smallest_curvature(X: np.ndarray, coef: np.ndarray, intercept: float, alpha: float) -> float:
    """The smallest eigenvalue of the Hessian at ``(coef, intercept)``: how strongly convex it is there."""
    A = _design(X)
    z = A @ np.append(np.asarray(coef, dtype=np.float64), float(intercept))
    p = 0.5 * (1.0 + np.tanh(0.5 * z))
    H = (A * (p * (1.0 - p) / len(A))[:, None]).T @ A
    H[np.arange(A.shape[1] - 1), np.arange(A.shape[1] - 1)] += alpha
    return float(np.linalg.eigvalsh(H)[0])
