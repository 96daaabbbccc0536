"""Ten-class one-vs-rest logistic regression: one binary model per digit, trained side by side.

Each digit gets its own logistic regression against all other digits. The ten problems share their
input, so they are solved together by :func:`model.lbfgs.fit_logistic_lbfgs` (one matrix product per
iteration for all ten). The feature map that turns pixels into features is fitted and stored inside
the model, so ``predict_proba`` takes raw MNIST-format pixels.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from model.base import BaseEstimator, ClassifierMixin, NotFittedError
from model.binary import sigmoid
from model.features import MnistFeatureMap
from model.validation import check_images, check_labels, check_sample_weight


class OneVsRestLogisticRegression(ClassifierMixin, BaseEstimator):
    """One logistic regression per class on a learned feature map; probabilities sum to one.

    Parameters
    ----------
    alpha : L2 regularisation strength of every binary problem (``C = 1 / (n_samples * alpha)``).
    max_iter : L-BFGS iterations at most.
    tol : a class stops when its largest gradient entry falls below this.
    deskew, n_components, degree : the feature map, see :class:`model.features.MnistFeatureMap`.
    """

    def __init__(
        self,
        alpha: float = 1e-4,
        max_iter: int = 200,
        tol: float = 1e-4,
        deskew: bool = True,
        n_components: int | None = 40,
        degree: int = 2,
    ) -> None:
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.deskew = deskew
        self.n_components = n_components
        self.degree = degree

    def fit(
        self,
        X: object,
        y: object,
        sample_weight: object = None,
        callback: Callable[[int, np.ndarray], None] | None = None,
    ) -> OneVsRestLogisticRegression:
        """Fit on images ``X`` (n, 784) in [0, 1] and digit labels ``y``.

        ``callback(iteration, losses)`` runs after every L-BFGS iteration with the ten losses, and with
        ``(0, None)`` while the feature map is being prepared; it may raise to abort the fit.
        """
        X = check_images(X)
        y = check_labels(y, len(X))
        weights = check_sample_weight(sample_weight, len(X))
        if not (np.isfinite(self.alpha) and self.alpha >= 0):
            raise ValueError(f"alpha must be a non-negative number, got {self.alpha!r}")
        if int(self.max_iter) < 1:
            raise ValueError(f"max_iter must be at least 1, got {self.max_iter!r}")
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"y needs at least two classes, got {classes.tolist()}")
        from model.lbfgs import fit_logistic_lbfgs  # training only: the app loads models without it

        features = MnistFeatureMap(self.deskew, self.n_components, self.degree)
        F = features.fit_transform(X, callback=None if callback is None else lambda: callback(0, None))
        targets = (y[:, None] == classes[None, :]).astype(np.float32)
        result = fit_logistic_lbfgs(
            F,
            targets,
            self.alpha,
            max_iter=int(self.max_iter),
            tol=self.tol,
            sample_weight=weights,
            callback=callback,
        )
        self.features_ = features
        self.classes_ = classes
        self.coef_ = result.coef.T.astype(np.float32)
        self.intercept_ = result.intercept.astype(np.float32)
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.n_features_in_ = X.shape[1]
        return self

    def transform_features(self, X: object) -> np.ndarray:
        """The features the binary models see (handy for comparisons on the same input)."""
        self._check_fitted()
        return self.features_.transform(X)

    def decision_function(self, X: object) -> np.ndarray:
        """Each class's score ``f(x) . w_k + b_k``, shape (n, n_classes)."""
        F = self.transform_features(X)
        return F @ self.coef_.T + self.intercept_

    def predict_proba(self, X: object) -> np.ndarray:
        """Each binary model's probability, normalised across classes to sum to one."""
        p = sigmoid(self.decision_function(X).astype(np.float64))
        total = p.sum(axis=1, keepdims=True)
        return np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / p.shape[1])

    def predict(self, X: object) -> np.ndarray:
        return self.classes_[self.decision_function(X).argmax(axis=1)]

    def pixel_weights(self) -> np.ndarray | None:
        """Each class's weights as a 28x28 image, or ``None`` when a feature map hides the pixels."""
        self._check_fitted()
        if not self.features_.in_pixel_space:
            return None
        return (self.coef_ / self.features_.scale_[None, :]).reshape(-1, 28, 28)

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("This OneVsRestLogisticRegression is not fitted yet; call fit first")
