"""Binary logistic regression trained by batch gradient descent, written from scratch with numpy.

This is the teaching model of Digit Canvas: every line of the optimiser is here to read. It minimises

    mean_i log(1 + exp(-s_i (x_i . w + b))) + alpha / 2 * ||w||^2      (s_i = +-1, b not penalised)

which is scikit-learn's ``LogisticRegression(C=1 / (n_samples * alpha))``. The step size comes from the
gradient's Lipschitz constant (estimated by power iteration), so no learning rate needs tuning, and
Nesterov momentum with adaptive restart makes the descent converge in tens of iterations instead of
thousands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from model.base import BaseEstimator, ClassifierMixin, NotFittedError
from model.validation import check_images, check_labels, check_sample_weight


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, safe for large |z|."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


class BinaryLogisticRegression(ClassifierMixin, BaseEstimator):
    """Two-class logistic regression fitted by (accelerated) batch gradient descent.

    Parameters
    ----------
    alpha : L2 regularisation strength (the ``alpha / 2 * ||w||^2`` term).
    max_iter : the number of gradient steps at most.
    tol : stop when the largest gradient entry falls below this.
    learning_rate : a step size, or ``"auto"`` for ``1 / L`` with ``L`` the Lipschitz constant.
    momentum : ``True`` for Nesterov's accelerated gradient, ``False`` for plain gradient descent.
    """

    def __init__(
        self,
        alpha: float = 1e-4,
        max_iter: int = 50,
        tol: float = 1e-6,
        learning_rate: float | str = "auto",
        momentum: bool = True,
    ) -> None:
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate
        self.momentum = momentum

    def fit(
        self,
        X: object,
        y: object,
        sample_weight: object = None,
        callback: Callable[[int, float], None] | None = None,
        on_step: Callable[[DescentStep], None] | None = None,
    ) -> BinaryLogisticRegression:
        """Fit on images ``X`` (n, 784) in [0, 1] and labels ``y`` with exactly two classes.

        ``callback(iteration, loss)`` runs after each step and may raise to abort the fit;
        ``on_step(step)`` gets the whole :class:`DescentStep` (weights included), for live views.
        """
        X = check_images(X)
        y = check_labels(y, len(X))
        self._check_params()
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(
                f"BinaryLogisticRegression needs exactly two classes in y, got {classes.tolist()}; "
                "select two digits (for example 0 and 1) first"
            )
        descent = GradientDescent(self, X, y == classes[1], sample_weight)
        self.loss_curve_ = []
        self.n_iter_ = 0
        for _ in range(int(self.max_iter)):
            step = descent.step()
            self.n_iter_ = step.iteration
            self.loss_curve_.append(step.loss)
            if callback is not None:
                callback(step.iteration, step.loss)
            if on_step is not None:
                on_step(step)
            if step.converged:
                break
        self.classes_ = classes
        self.coef_ = descent.w[None, :].copy()
        self.intercept_ = np.array([descent.b])
        self.n_features_in_ = X.shape[1]
        return self

    def descent(self, X: object, y: object, sample_weight: object = None) -> GradientDescent:
        """The gradient descent of :meth:`fit`, to be run one :meth:`GradientDescent.step` at a time.

        ``y`` must hold exactly two classes; the second is the positive one. This is what fit runs,
        step for step, so stepping through it shows exactly how the model is trained.
        """
        X = check_images(X)
        y = check_labels(y, len(X))
        self._check_params()
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(f"the descent needs exactly two classes in y, got {classes.tolist()}")
        descent = GradientDescent(self, X, y == classes[1], sample_weight)
        descent.classes = classes
        return descent

    def decision_function(self, X: object) -> np.ndarray:
        """The score ``x . w + b``: positive means the second class."""
        self._check_fitted()
        X = check_images(X)
        return X.astype(np.float64) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X: object) -> np.ndarray:
        """Probabilities of both classes, shape (n, 2), in the order of ``classes_``."""
        p = sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: object) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def _check_params(self) -> None:
        if not (np.isfinite(self.alpha) and self.alpha >= 0):
            raise ValueError(f"alpha must be a non-negative number, got {self.alpha!r}")
        if int(self.max_iter) < 1:
            raise ValueError(f"max_iter must be at least 1, got {self.max_iter!r}")
        lr = self.learning_rate
        if lr != "auto" and not (isinstance(lr, int | float) and lr > 0):
            raise ValueError(f"learning_rate must be 'auto' or a positive number, got {lr!r}")

    def _step_size(self, X: np.ndarray, weights: np.ndarray) -> float:
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        # L = lambda_max([X 1]^T diag(weights) [X 1]) / 4 + alpha bounds the Hessian. Power iteration
        # finds lambda_max from below; it stops once the estimate settles, and a small margin keeps
        # the step on the safe side of 1 / L.
        rng = np.random.default_rng(0)
        v = rng.standard_normal(X.shape[1] + 1)
        v /= np.linalg.norm(v)
        sqrt_w = np.sqrt(weights)
        lam = 0.0
        for _ in range(30):
            u = (X @ v[:-1] + v[-1]) * sqrt_w
            previous, lam = lam, float(u @ u)
            if lam == 0 or abs(lam - previous) <= 1e-4 * lam:
                break
            v = np.append(X.T @ (u * sqrt_w), (u * sqrt_w).sum())
            v /= np.linalg.norm(v)
        return 1.0 / (1.02 * lam / 4.0 + self.alpha)

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("This BinaryLogisticRegression is not fitted yet; call fit first")


class DescentStep(NamedTuple):
    """Where the descent stands after one step."""

    iteration: int
    loss: float  # the objective at the new weights
    gradient_norm: float  # the gradient's Euclidean (L2) norm at the point the step was taken from
    step_size: float  # the step length (1 / L)
    coef: np.ndarray  # (784,) the new weights (a copy)
    intercept: float
    restarted: bool  # the momentum pointed uphill and was dropped
    converged: bool  # the largest gradient entry was below ``tol`` (the stopping rule)
    gradient_max: float = 0.0  # that largest entry in absolute value (the max-norm), weights and bias


class GradientDescent:
    """Nesterov-accelerated batch gradient descent on the regularised logistic loss, a step at a time.

    Made by :meth:`BinaryLogisticRegression.descent` (and used by its ``fit``). Scores are kept up to
    date instead of recomputed: ``X @ w`` changes by ``-step * X @ grad``, and the momentum point's
    scores are the same mix of the last two, so each step reads X twice (for ``X @ grad`` and
    ``X.T @ residual``) and the loss at ``w`` costs nothing extra.
    """

    def __init__(
        self,
        model: BinaryLogisticRegression,
        X: np.ndarray,
        positive: np.ndarray,
        sample_weight: object = None,
    ) -> None:
        w_sample = check_sample_weight(sample_weight, len(X))
        weights = np.full(len(X), 1.0 / len(X)) if w_sample is None else w_sample / w_sample.sum()
        self.model = model
        self.classes: np.ndarray | None = None
        self.weights = weights.astype(np.float64)
        self.target = np.asarray(positive, dtype=np.float64)
        self.X = X.astype(np.float64)
        self.step_size = model._step_size(self.X, self.weights)
        self.w = np.zeros(X.shape[1])
        self.b = 0.0
        self._w_prev, self._b_prev = self.w.copy(), self.b
        self._z = np.zeros(len(X))
        self._z_prev = self._z
        self._k = 0  # steps since the momentum was last restarted
        self.iteration = 0

    def step(self) -> DescentStep:
        """Take one step and say where it led."""
        alpha, step = self.model.alpha, self.step_size
        self._k += 1
        mix = (self._k - 1) / (self._k + 2) if self.model.momentum else 0.0
        w, b, z = self.w, self.b, self._z
        v = w + mix * (w - self._w_prev)
        c = b + mix * (b - self._b_prev)
        z_v = z + mix * (z - self._z_prev)  # = X @ v + c
        residual = (sigmoid(z_v) - self.target) * self.weights
        grad_w = self.X.T @ residual + alpha * v
        grad_b = residual.sum()
        self._w_prev, self._b_prev, self._z_prev = w, b, z
        self.w = v - step * grad_w
        self.b = c - step * grad_b
        self._z = z_v - step * (self.X @ grad_w + grad_b)
        # Adaptive restart (O'Donoghue and Candes): when the momentum points uphill, drop it. This
        # keeps the accelerated rate far into convergence instead of oscillating.
        restarted = bool(grad_w @ (self.w - self._w_prev) + grad_b * (self.b - self._b_prev) > 0)
        if restarted:
            self._k = 0
        self.iteration += 1
        z = self._z
        loss = float(
            (self.weights * (np.logaddexp(0.0, z) - self.target * z)).sum() + 0.5 * alpha * self.w @ self.w
        )
        gradient_max = float(max(np.abs(grad_w).max(), abs(grad_b)))
        return DescentStep(
            iteration=self.iteration,
            loss=loss,
            gradient_norm=float(np.sqrt(grad_w @ grad_w + grad_b * grad_b)),
            step_size=step,
            coef=self.w.copy(),
            intercept=float(self.b),
            restarted=restarted,
            converged=gradient_max < self.model.tol,
            gradient_max=gradient_max,
        )

    def snapshot(self) -> BinaryLogisticRegression:
        """A fitted model with the weights reached so far (to test or draw them)."""
        model = type(self.model)(**self.model.get_params())
        model.classes_ = self.classes if self.classes is not None else np.array([0, 1])
        model.coef_ = self.w[None, :].copy()
        model.intercept_ = np.array([self.b])
        model.n_features_in_ = self.X.shape[1]
        model.n_iter_ = self.iteration
        return model
