"""Row 5: evaluating the one-vs-rest model on the whole MNIST test set.

``training.evaluate.evaluate`` computes more than accuracy (per-class scores, the confusion matrix and
the most confident mistakes), so its alternative is the plain scikit-learn idiom on an equivalent
scikit-learn model: a ``Pipeline`` of the same fitted feature map and a ``LogisticRegression`` holding
the same weights, scored with ``accuracy_score(y, clf.predict(X))``. Predictions are identical, so the
difference is pure overhead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.common import Options, Row, fmt_ratio, fmt_seconds, median_time


def sklearn_equivalent(model: Any) -> Any:
    """A scikit-learn pipeline that predicts exactly what ``model`` predicts."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    clf = LogisticRegression()
    clf.classes_ = np.asarray(model.classes_)
    clf.coef_ = np.asarray(model.coef_)
    clf.intercept_ = np.asarray(model.intercept_)
    clf.n_features_in_ = clf.coef_.shape[1]
    clf.n_iter_ = np.array([0])
    return Pipeline([("features", model.features_), ("ovr", clf)])


def bench_evaluation(mnist: tuple[np.ndarray, ...], opts: Options) -> Row:
    """Wall time and per-image throughput of ``evaluate`` against predict + ``accuracy_score``."""
    from sklearn.metrics import accuracy_score

    from model.store import bundled_model_path, load_model
    from training.evaluate import evaluate

    _, _, Xt, yt = mnist
    model = load_model("ovr", bundled_model_path("ovr"))
    pipeline = sklearn_equivalent(model)
    repeats = 1 if opts.quick else opts.repeats
    ours_s, result = median_time(lambda: evaluate(model, Xt, yt), repeats)
    sk_s, sk_acc = median_time(lambda: accuracy_score(yt, pipeline.predict(Xt)), repeats)
    n = len(yt)
    return Row(
        id="evaluate",
        title=f"5. Evaluation of {n:,} MNIST test images (bundled OvR model)",
        ours=f"{fmt_seconds(ours_s)} ({n / ours_s:,.0f} img/s), {result.accuracy:.2%}",
        alternative=f"{fmt_seconds(sk_s)} ({n / sk_s:,.0f} img/s), {sk_acc:.2%}",
        ratio=fmt_ratio(sk_s, ours_s),
        notes=(
            "ours: training.evaluate.evaluate (probabilities, per-class scores, confusion matrix); "
            "alternative: accuracy_score(y, Pipeline(same feature map, LogisticRegression with the "
            "same weights).predict(X))"
        ),
        data={
            "n_test": n,
            "ours": {"seconds": ours_s, "images_per_s": n / ours_s, "accuracy": result.accuracy},
            "sklearn": {"seconds": sk_s, "images_per_s": n / sk_s, "accuracy": float(sk_acc)},
        },
    )
