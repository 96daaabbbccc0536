"""Ten-class one-vs-rest logistic regression: one binary model per digit, trained side by side.

Each digit gets its own logistic regression against all other digits. The ten problems share their
input, so they are solved together by :func:`model.lbfgs.fit_logistic_lbfgs` (one matrix product per
iteration for all ten). The feature map that turns pixels into features is fitted and stored inside
the model, so ``predict_proba`` takes raw MNIST-format pixels.

Given pictures that are no digit (``fit(..., negatives=...)``), every digit's model also learns to say
"not me" to them, and one more logistic model, solved alongside, learns to say "no digit": a drawing is
rejected when that model's log-odds exceed the best digit's by more than the margin that only
``not_digit_rate`` of the training digits exceed (or of those ``fit`` is told are real, when some are
made up in unusual forms on purpose).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from model.base import BaseEstimator, ClassifierMixin, NotFittedError
from model.binary import sigmoid
from model.features import MnistFeatureMap
from model.validation import check_images, check_labels, check_sample_weight

REHEARSAL = 1000  # training digits kept in a fitted model (as uint8: 784 KB, compressed about 160 KB)


class OneVsRestLogisticRegression(ClassifierMixin, BaseEstimator):
    """One logistic regression per class on a learned feature map; probabilities sum to one.

    Parameters
    ----------
    alpha : L2 regularisation strength of every binary problem (``C = 1 / (n_samples * alpha)``).
    max_iter : L-BFGS iterations at most.
    tol : a class stops when its largest gradient entry falls below this.
    deskew, n_components, degree, orientations : the feature map, see
        :class:`model.features.MnistFeatureMap`.
    not_digit_rate : with negatives, the share of training digits the rejection may call "no digit";
        it sets the rejection's threshold (see ``fit``'s ``real``).

    A fitted model keeps ``REHEARSAL`` of its training digits (``rehearsal_``, uint8): when it learns a
    person's handwriting (:func:`model.personal.personalised`) it rehearses them, so it does not
    forget how everyone else writes.
    """

    def __init__(
        self,
        alpha: float = 1e-4,
        max_iter: int = 200,
        tol: float = 1e-4,
        deskew: bool = True,
        n_components: int | None = 40,
        degree: int = 2,
        orientations: int = 0,
        not_digit_rate: float = 0.005,
    ) -> None:
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.deskew = deskew
        self.n_components = n_components
        self.degree = degree
        self.orientations = orientations
        self.not_digit_rate = not_digit_rate

    def fit(
        self,
        X: object,
        y: object,
        sample_weight: object = None,
        callback: Callable[[int, np.ndarray], None] | None = None,
        negatives: object = None,
        real: object = None,
    ) -> OneVsRestLogisticRegression:
        """Fit on images ``X`` (n, 784) in [0, 1] and digit labels ``y``.

        ``negatives`` are images (m, 784) of things that are no digit; with them the model also learns
        to reject such drawings (:meth:`predict_not_digit`). ``real`` (n booleans, default all) marks
        the digits people wrote, as opposed to pictures made up in rare forms on purpose: only the real
        ones set the rejection's threshold, which the made-up ones would otherwise push down, so that
        real digits would be called "no digit" more often than ``not_digit_rate``.
        ``callback(iteration, losses)`` runs after
        every L-BFGS iteration with the losses, and with ``(0, None)`` while the feature map is being
        prepared; it may raise to abort the fit.
        """
        X = check_images(X)
        y = check_labels(y, len(X))
        weights = check_sample_weight(sample_weight, len(X))
        n_digits = len(X)
        if real is None:
            real = np.ones(n_digits, dtype=bool)
        else:
            real = np.asarray(real)
            if real.shape != (n_digits,) or real.dtype != bool or not real.any():
                raise ValueError(
                    f"real must be {n_digits} booleans (one per image in X), at least one of them True; "
                    f"got {real.dtype} of shape {real.shape}"
                )
        if negatives is not None:
            negatives = check_images(negatives, name="negatives")
            if not 0 < self.not_digit_rate < 0.5:
                raise ValueError(f"not_digit_rate must be between 0 and 0.5, got {self.not_digit_rate!r}")
            X = np.concatenate([X, negatives])
            if weights is not None:
                weights = np.concatenate([weights, np.ones(len(negatives))])
        if not (np.isfinite(self.alpha) and self.alpha >= 0):
            raise ValueError(f"alpha must be a non-negative number, got {self.alpha!r}")
        if int(self.max_iter) < 1:
            raise ValueError(f"max_iter must be at least 1, got {self.max_iter!r}")
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"y needs at least two classes, got {classes.tolist()}")
        from model.lbfgs import fit_logistic_lbfgs  # training only: the app loads models without it

        picked = np.random.default_rng(0).choice(n_digits, min(REHEARSAL, n_digits), replace=False)
        rehearsal = np.round(X[np.sort(picked)] * 255).astype(np.uint8)  # before X is deskewed
        features = MnistFeatureMap(self.deskew, self.n_components, self.degree, self.orientations)
        F = features.fit_transform(
            X,
            callback=None if callback is None else lambda: callback(0, None),
            copy=negatives is None,  # with the negatives, X is this method's own copy
        )
        targets = np.zeros((len(X), len(classes) + (negatives is not None)), dtype=np.float32)
        targets[:n_digits, : len(classes)] = y[:, None] == classes[None, :]
        if negatives is not None:
            targets[n_digits:, -1] = 1.0  # "no digit": every digit's model learns to say "not me"
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
        k = len(classes)
        self.coef_ = np.ascontiguousarray(result.coef[:, :k].T.astype(np.float32))
        self.intercept_ = result.intercept[:k].astype(np.float32)
        if negatives is None:
            self.reject_coef_ = self.reject_intercept_ = self.reject_threshold_ = None
        else:
            self.reject_coef_ = result.coef[:, k].astype(np.float32)
            self.reject_intercept_ = float(result.intercept[k])
            # The margin only ``not_digit_rate`` of the training digits exceed (they are read best, so
            # new digits exceed it a little more often).
            scores = (F[:n_digits] @ result.coef.astype(F.dtype) + result.intercept.astype(F.dtype))[real]
            margins = self._reject_margin(scores)  # in F's float32: a float64 product copied all of F
            self.reject_threshold_ = float(np.quantile(margins, 1.0 - self.not_digit_rate))
        self.rehearsal_ = rehearsal
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged[:k]  # per digit; the "no digit" model is not a class
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
        return normalised(sigmoid(self.decision_function(X).astype(np.float64)))

    def predict_proba_and_not_digit(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """``predict_proba(X)`` and :meth:`predict_not_digit`, from one pass through the feature map."""
        own, rejected = self.own_proba_and_not_digit(X)
        return normalised(own), rejected

    def own_proba_and_not_digit(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """Each class's own probability (its binary model's, not normalised) and the rejections.

        A drawing that looks like no digit gets low probabilities from every class; normalising them
        to sum to one would hide that, so the window shows these when it says "not a digit".
        """
        F = self.transform_features(X)
        scores = F @ self.coef_.T + self.intercept_
        own = sigmoid(scores.astype(np.float64))
        if not self.can_reject:
            return own, np.zeros(len(F), dtype=bool)
        reject = F @ self.reject_coef_ + self.reject_intercept_
        all_scores = np.concatenate([scores, reject[:, None]], axis=1)
        return own, self._reject_margin(all_scores) > self.reject_threshold_

    def predict_not_digit(self, X: object) -> np.ndarray:
        """True for each image that looks like no digit (always False without a rejection)."""
        return self.predict_proba_and_not_digit(X)[1]

    @property
    def can_reject(self) -> bool:
        """Whether the model learned to tell drawings that are no digit (it was fitted with negatives)."""
        return getattr(self, "reject_coef_", None) is not None

    @staticmethod
    def _reject_margin(scores: np.ndarray) -> np.ndarray:
        """How far the "no digit" score (the last column) is above the best digit's, in log-odds."""
        return scores[:, -1] - scores[:, :-1].max(axis=1)

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


def normalised(p: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (equal shares for a row of zeros): the classes' own probabilities
    as probabilities of one answer."""
    total = p.sum(axis=1, keepdims=True)
    return np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / p.shape[1])
