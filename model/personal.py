"""A person's handwriting, learned in a moment: a small correction of the model's last layer.

Retraining on all of MNIST takes seconds; a person who just pressed "this is a 4" wants the next stroke
read better at once. So the one-vs-rest model's linear layer (each digit's weights, and the "no digit"
weights) is corrected on the person's own drawings: the correction minimises the logistic loss on
those drawings, plus ``PERSONAL_ALPHA / 2`` times its squared size, so it stays as small as it can. It
also rehearses the thousand training digits the model keeps (``rehearsal_``), asking to give them
the scores the model gave them (a soft target), so that it does not forget how everyone else writes.
Each drawing is also learned turned a little either way (``TAUGHT_TURNS``): nobody holds the pen at
the same angle twice, and deskewing straightens slant but not rotation, so three drawings of a digit
then stand for the fifteen a person might make. The feature map is not touched, and the correction takes
a fraction of a second.
"""

from __future__ import annotations

import copy
import weakref
from typing import TYPE_CHECKING

import numpy as np

from model.binary import sigmoid
from model.validation import check_images, check_labels

if TYPE_CHECKING:
    from model.ovr import OneVsRestLogisticRegression

__all__ = ["PERSONAL_ALPHA", "REHEARSAL_SHARE", "TAUGHT_TURNS", "personalised", "turned"]

PERSONAL_ALPHA = 1e-3  # how strongly the correction is kept small
REHEARSAL_SHARE = 0.4  # the rehearsed digits' share of the objective; the person's drawings have the rest
PERSONAL_FTOL = 1e-10  # a step lowering the loss by less has reached float32's noise floor: stop
TAUGHT_TURNS = (-12.0, -6.0, 6.0, 12.0)  # degrees (anticlockwise) each taught drawing is also learned at


def turned(X: np.ndarray, degrees: float) -> np.ndarray:
    """MNIST-format images (n, 784) in [0, 1], each turned about the frame's centre by ``degrees``."""
    from PIL import Image

    out = np.empty((len(X), 784), dtype=np.float32)
    for i, image in enumerate(np.asarray(X, dtype=np.float32).reshape(-1, 28, 28)):
        picture = Image.fromarray(image, mode="F").rotate(degrees, resample=Image.Resampling.BILINEAR)
        out[i] = np.asarray(picture, dtype=np.float32).ravel()
    return np.clip(out, 0.0, 1.0, out=out)


# The rehearsed digits' features, per model: the same for every drawing taught to that model, and a
# fifth of each teach's work. Dropped with the model's rehearsal array.
_REHEARSAL_FEATURES: dict[tuple[int, int], np.ndarray] = {}


def _rehearsal_features(model: OneVsRestLogisticRegression, rehearsal: np.ndarray) -> np.ndarray:
    key = (id(rehearsal), id(model.features_))
    features = _REHEARSAL_FEATURES.get(key)
    if features is None:
        features = model.transform_features(rehearsal.astype(np.float32) / 255.0)
        features.flags.writeable = False
        _REHEARSAL_FEATURES[key] = features
        weakref.finalize(rehearsal, _REHEARSAL_FEATURES.pop, key, None)
    return features


def personalised(
    model: OneVsRestLogisticRegression,
    X: object,
    y: object,
    *,
    start: OneVsRestLogisticRegression | None = None,
) -> OneVsRestLogisticRegression:
    """A copy of the one-vs-rest ``model`` corrected to read the drawings ``X`` as ``y``.

    ``X`` are MNIST-format images (n, 784) and ``y`` their digits; labels the model does not know are
    ignored. The copy shares the feature map; its ``metadata_`` says how many drawings it learned
    from (``personal_samples``). Models without a linear layer over features (the binary model) and
    empty ``X`` give back ``model`` itself.

    ``start``, an earlier correction of the same ``model`` (on some of these drawings, say all but the
    one just taught), is where the fit starts: it ends at the same correction (to the fit's tolerance)
    in a fraction of the iterations. A ``start`` that is not a correction of ``model`` is ignored.
    """
    if not hasattr(model, "features_") or not hasattr(model, "coef_"):
        return model
    X = np.zeros((0, 784), np.float32) if len(np.asarray(X)) == 0 else check_images(X)
    y = check_labels(y, len(X))
    known = np.isin(y, model.classes_)
    X, y = X[known], y[known]
    if not len(X):
        return model
    from model.lbfgs import fit_logistic_lbfgs  # the window loads it with the first taught drawing

    reject = model.can_reject
    W = model.coef_.T
    b = model.intercept_
    if reject:
        W = np.column_stack([W, model.reject_coef_])
        b = np.append(b, model.reject_intercept_)
    n_taught = len(X)
    X = np.concatenate([X, *(turned(X, angle) for angle in TAUGHT_TURNS)])
    y = np.tile(y, 1 + len(TAUGHT_TURNS))
    F = model.transform_features(X)
    targets = np.zeros((len(X), W.shape[1]), dtype=np.float32)
    targets[np.arange(len(X)), np.searchsorted(model.classes_, y)] = 1.0  # and "no digit": 0
    weights = np.full(len(X), 1.0 / len(X))
    rehearsal = getattr(model, "rehearsal_", None)
    if rehearsal is not None and len(rehearsal):
        A = _rehearsal_features(model, rehearsal)
        F = np.concatenate([F, A])
        targets = np.concatenate([targets, sigmoid((A @ W + b).astype(np.float64)).astype(np.float32)])
        weights = np.concatenate([weights * (1 - REHEARSAL_SHARE), np.full(len(A), REHEARSAL_SHARE / len(A))])
    result = fit_logistic_lbfgs(
        np.ascontiguousarray(F, dtype=np.float32),
        targets,
        PERSONAL_ALPHA,
        max_iter=300,
        tol=1e-5,
        ftol=PERSONAL_FTOL,
        sample_weight=weights,
        offset=F @ W + b,
        init=_correction(model, start, W, b),
    )
    W = W + result.coef
    b = b + result.intercept
    k = len(model.classes_)
    adapted = copy.copy(model)
    adapted.coef_ = np.ascontiguousarray(W[:, :k].T.astype(np.float32))
    adapted.intercept_ = b[:k].astype(np.float32)
    if reject:
        adapted.reject_coef_ = np.ascontiguousarray(W[:, k].astype(np.float32))
        adapted.reject_intercept_ = float(b[k])
    meta = dict(getattr(model, "metadata_", {}) or {})
    meta["personal_samples"] = n_taught
    adapted.metadata_ = meta
    return adapted


def _correction(
    model: OneVsRestLogisticRegression, start: object, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """``start``'s last layer minus ``model``'s (``W``, ``b``, "no digit" last), or ``None`` when
    ``start`` is not a correction of ``model``: another feature map, other classes, another shape."""
    if start is None or start is model or getattr(start, "features_", None) is not model.features_:
        return None
    if not np.array_equal(getattr(start, "classes_", None), model.classes_):
        return None
    W0 = start.coef_.T
    b0 = np.asarray(start.intercept_)
    if model.can_reject:
        if not getattr(start, "can_reject", False):
            return None
        W0 = np.column_stack([W0, start.reject_coef_])
        b0 = np.append(b0, start.reject_intercept_)
    if W0.shape != W.shape or b0.shape != b.shape:
        return None
    return W0 - W, b0 - b
