"""Why the model gave a drawing the score it did: each pixel's share of a class's score.

A class's score is its log-odds, and a blank canvas has a score too. An explanation splits the
difference between the two over the 784 pixels of the MNIST-format input, so the parts add up to it
exactly: what was drawn counted for the class (positive parts) or against it (negative ones).

- The binary model scores ``w . x + b``: the parts are ``w_i * x_i``, nothing else is involved.
- The one-vs-rest model scores features of the deskewed image. Deskewing is linear once its shear and
  centre are known, and those do not change when the ink is scaled, so along the straight path from
  a blank canvas to the drawing every feature behaves simply: the components and their products give
  a score quadratic in the path's position, whose integrated gradients are exact in closed form: the
  gradient half-way along times the input. The stroke-direction histograms count edges; each cell
  and direction's term is shared among the edge pixels that fill its count
  (:func:`model.orientation.orientation_shares`), which also adds up exactly and reads far better
  than their gradients, which swing between neighbouring pixels. Both are carried back from the
  deskewed pixels to the drawn ones through the deskew's transpose.

"Why A rather than B" is the explanation of the score difference ``score_A - score_B``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from model.deskew import DeskewMap, deskew_parameters
from model.features import feature_count
from model.orientation import orientation_shares
from model.validation import check_images

__all__ = ["Explanation", "explain", "linear_pictures", "mean_explanations"]

SIDE = 28


class Explanation(NamedTuple):
    """Each pixel's part of a score, on the model's 28x28 input; the parts sum to ``score - blank``."""

    parts: np.ndarray  # (28, 28) float64: positive counted for the class (or for A over B), negative against
    score: float  # the drawing's score (log-odds of the class, or A's minus B's)
    blank: float  # the same score for a blank canvas
    label: Any  # the class explained
    versus: Any  # the class it is compared with, or None

    @property
    def total(self) -> float:
        return float(self.parts.sum())


def explain(model: Any, image: object, label: Any, versus: Any = None) -> Explanation:
    """How much each pixel of ``image`` (784 values in [0, 1]) counted for ``label``'s score.

    With ``versus``, for ``label``'s score minus ``versus``'s ("why A rather than B"). ``model`` is a
    fitted binary or one-vs-rest model. Raises ``ValueError`` for a label the model does not know.
    """
    x = check_images(image)
    if len(x) != 1:
        raise ValueError(f"explain takes one image, got {len(x)}")
    x = x[0].astype(np.float64)
    weights = _class_weights(model, label, versus)
    if hasattr(model, "features_"):
        return _explain_features(model, x, weights, label, versus)
    coef, intercept = weights
    parts = coef * x
    return Explanation(
        parts.reshape(SIDE, SIDE), float(parts.sum() + intercept), float(intercept), label, versus
    )


def _class_weights(model: Any, label: Any, versus: Any) -> tuple[np.ndarray, float]:
    """The weights and intercept of one class's score (or of the difference of two), in float64."""
    classes = list(np.asarray(model.classes_).tolist())

    def one(which: Any) -> tuple[np.ndarray, float]:
        if which not in classes:
            raise ValueError(f"the model knows the classes {classes}, not {which!r}")
        index = classes.index(which)
        coef = np.asarray(model.coef_, dtype=np.float64)
        intercept = np.asarray(model.intercept_, dtype=np.float64)
        if len(coef) == 1 and len(classes) == 2:  # binary: one score, positive for the second class
            sign = 1.0 if index == 1 else -1.0
            return sign * coef[0], sign * float(intercept[0])
        return coef[index], float(intercept[index])

    coef, intercept = one(label)
    if versus is not None:
        other_coef, other_intercept = one(versus)
        coef, intercept = coef - other_coef, intercept - other_intercept
    return coef, intercept


def _explain_features(model: Any, x: np.ndarray, weights: tuple[np.ndarray, float], label: Any, versus: Any):
    fm = model.features_
    coef, intercept = weights
    c = coef / np.asarray(fm.scale_, dtype=np.float64)  # weights on the unscaled features
    offset = intercept - float(c @ np.asarray(fm.scale_mean_, dtype=np.float64))
    if fm.deskew:
        alpha, cy, cx = (float(v[0]) for v in deskew_parameters(x))
        deskewing = DeskewMap(alpha, cy, cx)
        u = deskewing.apply(x)
        inked = u > 1e-12
        back = deskewing.transpose

        def carry(shares: np.ndarray) -> np.ndarray:
            """Shares on (inked) deskewed pixels handed to the drawn pixels each was read from, in
            proportion to the ink each gave it (``u = D x``), so none is lost and none lands on paper."""
            return x * back(np.where(inked, shares / np.where(inked, u, 1.0), 0.0))
    else:
        u = x

        def back(gradient: np.ndarray) -> np.ndarray:
            return gradient

        carry = back

    mean = np.asarray(fm.mean_, dtype=np.float64)
    C = None if fm.components_ is None else np.asarray(fm.components_, dtype=np.float64)
    k = len(mean) if C is None else C.shape[1]
    n_poly = feature_count(None if C is None else k, fm.degree)
    c_lin, c_dirs = c[:k], c[n_poly:]
    Q = np.zeros((k, k))  # the products' weights: the quadratic part of the score is z . Q z
    if fm.degree == 2:
        Q[np.triu_indices(k)] = c[k:n_poly]

    def project(v: np.ndarray) -> np.ndarray:
        return v - mean if C is None else (v - mean) @ C

    def polynomial_score(z: np.ndarray) -> float:
        return float(c_lin @ z + z @ Q @ z)

    def polynomial_gradient(z: np.ndarray) -> np.ndarray:  # d score / d u
        gz = c_lin + (Q + Q.T) @ z
        return gz if C is None else C @ gz

    parts = x * back(polynomial_gradient(project(0.5 * u)))  # quadratic along the path: exact
    blank = offset + polynomial_score(project(np.zeros_like(u)))
    score = offset + polynomial_score(project(u))
    if len(c_dirs):
        from model.features import CELL

        shares = orientation_shares(u, c_dirs, int(fm.orientations), CELL)  # they sum to the directions' term
        parts = parts + carry(shares).reshape(parts.shape)
        score += float(shares.sum())
    return Explanation(parts.reshape(SIDE, SIDE), float(score), float(blank), label, versus)


def linear_pictures(model: Any) -> np.ndarray | None:
    """Each class's linear term as a 28x28 picture of the deskewed frame, or ``None`` without one.

    For a model on pixels these are its weights. For the one-vs-rest model on principal components
    they are the weights of the components alone, mapped back through the components into pixels: the
    straight-line part of what each class looks for (its pairwise products and stroke directions add
    the rest, which :func:`mean_explanations` shows on real digits).
    """
    fm = getattr(model, "features_", None)
    coef = np.asarray(model.coef_, dtype=np.float64)
    if fm is None:
        return coef.reshape(-1, SIDE, SIDE)
    if fm.components_ is None and fm.degree == 1:
        return (coef[:, :784] / np.asarray(fm.scale_[:784], dtype=np.float64)).reshape(-1, SIDE, SIDE)
    if fm.components_ is None:
        return None
    C = np.asarray(fm.components_, dtype=np.float64)
    k = C.shape[1]
    lin = coef[:, :k] / np.asarray(fm.scale_[:k], dtype=np.float64)
    return (lin @ C.T).reshape(-1, SIDE, SIDE)


def mean_explanations(
    model: Any,
    X: object,
    y: object,
    per_class: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Each class's explanation averaged over (up to ``per_class`` of) its own digits in ``X``.

    Shape (n_classes, 28, 28), on the drawn (not deskewed) frame: where, on a typical digit of the
    class, the ink counted for it. ``progress(done, total)`` is called after every digit; it may
    raise to stop (the app's job raises its ``Cancelled`` there when the window closes).
    """
    X = check_images(X)
    y = np.asarray(y)
    classes = np.asarray(model.classes_)
    out = np.zeros((len(classes), SIDE, SIDE))
    chosen = [np.flatnonzero(y == c)[:per_class] for c in classes]
    total, done = sum(len(c) for c in chosen), 0
    for i, (label, rows) in enumerate(zip(classes.tolist(), chosen, strict=True)):
        for row in rows:
            out[i] += explain(model, X[row], label).parts
            done += 1
            if progress is not None:
                progress(done, total)
        if len(rows):
            out[i] /= len(rows)
    return out
