"""Row 1: one-vs-rest training, this project's L-BFGS against scikit-learn, on the same features.

Both trainers get the identical float32 feature matrix of what the shipped model learns from (the
MNIST training digits, their continental forms and the pictures that are no digit, through the
project's ``MnistFeatureMap`` with the shipped parameters, fitted once here), eleven problems (ten
digits and "no digit"), and the identical objective: mean logistic loss plus
``alpha / 2 * ||w||^2`` with an unpenalised intercept, which is scikit-learn's
``LogisticRegression(C=1 / (n_samples * alpha))``. Both stop on their own criterion with the same
``tol``: scikit-learn's lbfgs passes ``tol`` to SciPy as ``gtol``, a bound on the largest entry of the
(projected) gradient of that same mean objective, which is exactly this project's test. Each trainer
runs in its own spawned process so its peak memory is honest.

At ``tol=1e-4`` both stop well short of the optimum (the objective still falls by 5% below it), and
where exactly each stops moves a few test images either way. So one more fit of each at
:data:`TIGHT_TOL`, where both sit at the common optimum, answers whether the accuracy is equal.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import (
    Options,
    Row,
    fmt_ratio,
    fmt_seconds,
    max_rss_mb,
    memory_baseline_mb,
    run_in_child,
    timed,
)

ALPHA = 1e-4  # training.train.DEFAULT_PARAMS["ovr"]
TOL = 1e-4
TIGHT_TOL = 1e-6  # both at the common optimum: their summed objectives agree to about one part in a million
OUR_MAX_ITER = 200  # the shipped default; it converges long before
SKLEARN_MAX_ITER = 2000  # "enough": every class must converge on its own criterion
ROUNDS = 3  # fits per trainer, alternating between the two
NOT_A_DIGIT = 10  # the label of the pictures that are no digit: the eleventh problem


def _load(folder: str) -> tuple[np.ndarray, ...]:
    path = Path(folder)
    return tuple(np.load(path / f"{name}.npy") for name in ("F", "y", "Ft", "yt"))


def _objective(F: np.ndarray, Y: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Each problem's objective value in float64, to show both sides minimised the same thing."""
    Z = F.astype(np.float64) @ coef.astype(np.float64) + intercept.astype(np.float64)
    data = (np.logaddexp(0.0, Z) - Y * Z).mean(axis=0)
    return data + 0.5 * ALPHA * (coef.astype(np.float64) ** 2).sum(axis=0)


def _import_both() -> None:
    """Both children import the same libraries before their baseline, so baselines compare."""
    for name in ("sklearn.linear_model", "sklearn.multiclass", "model.lbfgs", "model.ovr"):
        importlib.import_module(name)


def fit_ours_child(folder: str, max_iter: int, tol: float = TOL) -> dict[str, Any]:
    """In a child: this project's side-by-side float32 L-BFGS on the precomputed features."""
    _import_both()
    from model.lbfgs import fit_logistic_lbfgs

    F, y, Ft, yt = _load(folder)
    classes = np.unique(y)
    baseline = memory_baseline_mb()
    start = time.perf_counter()
    Y = (y[:, None] == classes[None, :]).astype(np.float32)
    result = fit_logistic_lbfgs(F, Y, ALPHA, max_iter=max_iter, tol=tol)
    seconds = time.perf_counter() - start
    peak = max_rss_mb()
    coef = result.coef.astype(np.float32)
    intercept = result.intercept.astype(np.float32)
    digits = classes != NOT_A_DIGIT  # accuracy as the model reads digits: the best of the ten
    predicted = classes[digits][(Ft @ coef[:, digits] + intercept[digits]).argmax(axis=1)]
    return {
        "seconds": seconds,
        "peak_mb": peak - baseline,
        "process_peak_mb": peak,
        "baseline_mb": baseline,
        "accuracy": float((predicted == yt).mean()),
        "n_iter": int(result.n_iter),
        "converged": bool(result.converged.all()),
        "objective": _objective(F, Y, coef, intercept).tolist(),
    }


def fit_sklearn_child(
    folder: str, max_iter: int, one_thread: bool = False, tol: float = TOL
) -> dict[str, Any]:
    """In a child: ``OneVsRestClassifier(LogisticRegression())`` with the same objective and tol.

    ``one_thread`` holds BLAS and OpenMP to one thread: on a busy 2-core machine their busy-waiting
    threads can make scikit-learn several times slower, and the comparison should not profit from that.
    """
    _import_both()
    if one_thread:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)  # for the rest of this short-lived child
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    F, y, Ft, yt = _load(folder)
    classes = np.unique(y)
    digits = classes != NOT_A_DIGIT
    baseline = memory_baseline_mb()
    clf = OneVsRestClassifier(LogisticRegression(C=1.0 / (len(F) * ALPHA), tol=tol, max_iter=max_iter))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(F, y)
        seconds = time.perf_counter() - start
    peak = max_rss_mb()
    n_iter = [int(np.ravel(est.n_iter_)[0]) for est in clf.estimators_]
    coef = np.stack([est.coef_[0] for est in clf.estimators_], axis=1)
    intercept = np.array([est.intercept_[0] for est in clf.estimators_])
    Y = (y[:, None] == classes[None, :]).astype(np.float32)
    return {
        "seconds": seconds,
        "peak_mb": peak - baseline,
        "process_peak_mb": peak,
        "baseline_mb": baseline,
        "accuracy": float(
            (classes[digits][clf.decision_function(Ft)[:, digits].argmax(axis=1)] == yt).mean()
        ),
        "n_iter": n_iter,
        "converged": all(n < max_iter for n in n_iter)
        and not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "objective": _objective(F, Y, coef, intercept).tolist(),
        "dtype_seen": str(F.dtype),
        "one_thread": one_thread,
    }


def fit_full_child(folder: str) -> dict[str, Any]:
    """In a child: the menu's whole retrain, ``training.train_model("ovr")`` on MNIST in memory.

    That is drawing the continental forms and the pictures that are no digit, the feature map, the fit
    and the evaluation on the test set; only saving is left out.
    """
    _import_both()
    from training.train import train_model

    X, y, Xt, yt = _load(folder)
    baseline = memory_baseline_mb()
    start = time.perf_counter()
    result = train_model("ovr", mnist=(X, y, Xt, yt), save=False)
    seconds = time.perf_counter() - start
    peak = max_rss_mb()
    return {
        "seconds": seconds,
        "peak_mb": peak - baseline,
        "process_peak_mb": peak,
        "baseline_mb": baseline,
        "accuracy": float(result.evaluation.accuracy),
        "n_iter": int(result.estimator.n_iter_),
    }


def menu_retrain(data_dir: Path | None, out_dir: Path, max_train: int | None = None) -> dict[str, Any]:
    """The menu's retrain as the retrain dialog's job runs it, timed from this side: a spawned child
    process (:func:`training.child_process.run_in_child`) that imports the training code, reads MNIST
    from ``data_dir``, trains the one-vs-rest model and evaluates it (:func:`training.retrain.train_all`),
    then, back here, the model saved (:func:`training.retrain.put_in_use`, into ``out_dir``, not the
    user's folder). ``max_train`` keeps the first images only (``--quick``)."""
    from training.child_process import run_in_child as run_like_the_app
    from training.retrain import RetrainRequest, put_in_use, train_all

    request = RetrainRequest(kinds=("ovr",), data_dir=data_dir, out_dir=out_dir, max_train=max_train)
    start = time.perf_counter()
    [result] = put_in_use(run_like_the_app(train_all, request), out_dir)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "train_seconds": float(result.seconds),
        "accuracy": float(result.evaluation.accuracy),
        "n_iter": int(result.estimator.n_iter_),
    }


def training_set(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the shipped one-vs-rest model learns from, with the pictures that are no digit as label 10."""
    from training.negatives import not_digits
    from training.train import NOT_DIGIT_SHARE, made_up_digits

    X_cont, y_cont = made_up_digits(X, y)
    negatives = not_digits(X, y, round(NOT_DIGIT_SHARE * len(y)))
    X_all = np.concatenate([X, X_cont, negatives])
    y_all = np.concatenate([y, y_cont, np.full(len(negatives), NOT_A_DIGIT, dtype=y.dtype)])
    return X_all, y_all


def bench_ovr(mnist: tuple[np.ndarray, ...], opts: Options, want_full: bool, want_main: bool) -> list[Row]:
    """Rows ``ovr`` (trainers on identical features) and ``ovr-full`` (the whole fit, features too)."""
    from model.features import MnistFeatureMap
    from model.ovr import OneVsRestLogisticRegression
    from training.train import DEFAULT_PARAMS

    X, y, Xt, yt = mnist
    shipped = OneVsRestLogisticRegression(**DEFAULT_PARAMS["ovr"])
    feature_map = MnistFeatureMap(shipped.deskew, shipped.n_components, shipped.degree, shipped.orientations)
    prepare_seconds, (X_all, y_all) = timed(lambda: training_set(X, y))
    fit_seconds, F = timed(lambda: feature_map.fit_transform(X_all))
    fit_seconds += prepare_seconds
    transform_seconds, Ft = timed(lambda: feature_map.transform(Xt))
    rounds = 1 if opts.quick else ROUNDS
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="digit-canvas-bench-") as tmp:
        main_row = None
        if want_main:
            for name, array in (("F", F), ("y", y_all), ("Ft", Ft), ("yt", yt)):
                np.save(Path(tmp) / f"{name}.npy", array)
            del F
            ours_runs, sk_runs, sk1_runs = [], [], []
            for _ in range(rounds):  # alternate, so a burst of load hits all sides alike
                ours_runs.append(run_in_child(fit_ours_child, tmp, OUR_MAX_ITER))
                sk_runs.append(run_in_child(fit_sklearn_child, tmp, SKLEARN_MAX_ITER))
                sk1_runs.append(run_in_child(fit_sklearn_child, tmp, SKLEARN_MAX_ITER, True))
            sk, sk1 = _combine(sk_runs), _combine(sk1_runs)
            tight = None
            if not opts.quick:  # scikit-learn on one thread, its faster setting in every run so far
                tight = {
                    "ours": run_in_child(fit_ours_child, tmp, OUR_MAX_ITER, TIGHT_TOL),
                    "sklearn": run_in_child(fit_sklearn_child, tmp, SKLEARN_MAX_ITER, True, TIGHT_TOL),
                }
            main_row = _main_row(_combine(ours_runs), sk, sk1, tight, len(X_all), feature_map, opts)
            rows.append(main_row)
        if want_full:
            for name, array in (("F", X), ("y", y), ("Ft", Xt), ("yt", yt)):
                np.save(Path(tmp) / f"{name}.npy", array)
            quick = len(X) if opts.quick else None
            # A home of its own, empty at first: the first retrain draws the made-up digits and caches
            # them (training.made_up_cache), as on a new machine; the retrains after it read them.
            with _environment(DIGIT_CANVAS_HOME=str(Path(tmp) / "home")):
                first = menu_retrain(opts.data_dir, Path(tmp) / "models", quick)
                full = _combine([run_in_child(fit_full_child, tmp) for _ in range(rounds)])
                later = [menu_retrain(opts.data_dir, Path(tmp) / "models", quick) for _ in range(rounds)]
            menu = _timings(later)
            menu["first_seconds"] = first["seconds"]
            rows.append(_full_row(full, menu, fit_seconds, transform_seconds, main_row))
    return rows


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the child processes started inside, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _timings(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several timed runs as one: the first run's figures with the median, fastest and all times."""
    times = [r["seconds"] for r in runs]
    return {**runs[0], "seconds": min(times), "median_seconds": float(np.median(times)), "all_seconds": times}


def _span(result: dict[str, Any]) -> str:
    return f"{fmt_seconds(min(result['all_seconds']))}-{fmt_seconds(max(result['all_seconds']))}"


def _combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several fits of one trainer as one result: the fastest time (the least disturbed by the other
    users of the machine), the median, and the largest peak memory."""
    times = [r["seconds"] for r in runs]
    return {
        **runs[0],
        "seconds": min(times),
        "median_seconds": float(np.median(times)),
        "all_seconds": times,
        "peak_mb": max(r["peak_mb"] for r in runs),
        "process_peak_mb": max(r["process_peak_mb"] for r in runs),
    }


def _main_row(
    ours: dict[str, Any],
    sk_default: dict[str, Any],
    sk_one: dict[str, Any],
    tight: dict[str, dict[str, Any]] | None,
    n: int,
    feature_map: Any,
    opts: Options,
) -> Row:
    # The ratio is taken against scikit-learn's faster configuration, whichever it was in this run.
    sk = min(sk_default, sk_one, key=lambda r: r["seconds"])
    sk_name = "1 thread" if sk is sk_one else "default threads"
    obj_ours = np.asarray(ours["objective"])
    obj_sk = np.asarray(sk["objective"])
    rel_gap = float((obj_ours.sum() - obj_sk.sum()) / obj_sk.sum())
    tight_note = ""
    if tight is not None:
        t_ours, t_sk = tight["ours"], tight["sklearn"]
        t_gap = float((np.sum(t_ours["objective"]) - np.sum(t_sk["objective"])) / np.sum(t_sk["objective"]))
        tight_note = (
            f"; at tol={TIGHT_TOL:g} (the common optimum; one fit each, sklearn on 1 thread): ours "
            f"{fmt_seconds(t_ours['seconds'])}, {t_ours['accuracy']:.2%} ({t_ours['n_iter']} it), sklearn "
            f"{fmt_seconds(t_sk['seconds'])}, {t_sk['accuracy']:.2%} ({min(t_sk['n_iter'])}-"
            f"{max(t_sk['n_iter'])} it), {fmt_ratio(t_sk['seconds'], t_ours['seconds'])}, accuracy "
            f"{t_ours['accuracy'] - t_sk['accuracy']:+.2%}, summed objectives {t_gap:+.4%}"
        )
    return Row(
        id="ovr",
        title=f"1. One-vs-rest training, {n:,} images (MNIST and made from it), same features",
        ours=(
            f"{fmt_seconds(ours['seconds'])}, {ours['peak_mb']:.0f} MB, {ours['accuracy']:.2%} "
            f"({ours['n_iter']} it)"
        ),
        alternative=(
            f"{fmt_seconds(sk['seconds'])}, {sk['peak_mb']:.0f} MB, {sk['accuracy']:.2%} "
            f"({min(sk['n_iter'])}-{max(sk['n_iter'])} it, {sk_name})"
        ),
        ratio=(
            f"{fmt_ratio(sk['seconds'], ours['seconds'])} (median "
            f"{fmt_ratio(sk['median_seconds'], ours['median_seconds'])}); "
            f"accuracy {ours['accuracy'] - sk['accuracy']:+.2%}"
        ),
        notes=(
            f"sklearn OneVsRestClassifier(LogisticRegression(C=1/(n*alpha), tol={TOL:g})), alpha={ALPHA:g}; "
            f"{_features_desc(feature_map)}; "
            f"both converged: ours={ours['converged']}, sklearn={sk['converged']}; "
            f"summed objective ours vs sklearn {rel_gap:+.2%}; "
            f"time = fastest of {len(ours['all_seconds'])} alternating fits (median ours "
            f"{fmt_seconds(ours['median_seconds'])}, sklearn {fmt_seconds(sk['median_seconds'])}); "
            f"sklearn with default threads {fmt_seconds(sk_default['seconds'])}, with BLAS and OpenMP "
            f"held to 1 thread {fmt_seconds(sk_one['seconds'])}, the faster is compared; "
            "memory = peak RSS of a fresh child over its post-load baseline" + tight_note
        ),
        data={
            "ours": ours,
            "sklearn": sk,
            "sklearn_default_threads": sk_default,
            "sklearn_one_thread": sk_one,
            "n_train": n,
            "alpha": ALPHA,
            "tol": TOL,
            "objective_gap": rel_gap,
            "tight_tol": TIGHT_TOL,
            "tight": tight,
            "quick": opts.quick,
        },
    )


def _features_desc(feature_map: Any) -> str:
    return f"features: {feature_map.describe()} ({feature_map.n_features_out_} float32 columns)"


def _full_row(
    full: dict[str, Any], menu: dict[str, Any], fit_s: float, transform_s: float, main_row: Row | None
) -> Row:
    alternative = "n/a"
    ratio = ""
    data: dict[str, Any] = {
        "ours": full,
        "menu": menu,
        "feature_fit_transform_seconds": fit_s,
        "feature_transform_test_seconds": transform_s,
    }
    if main_row is not None:
        sk_total = fit_s + main_row.data["sklearn"]["seconds"]
        alternative = f"{fmt_seconds(sk_total)} (same data and feature map + sklearn OvR, sum of parts)"
        ratio = fmt_ratio(sk_total, full["seconds"])
        data["sklearn_sum_of_parts_seconds"] = sk_total
    return Row(
        id="ovr-full",
        title="1b. A full retrain from the menu (child process, MNIST read from disk, saved)",
        ours=(
            f"median {fmt_seconds(menu['median_seconds'])} ({_span(menu)}), the first retrain on a new "
            f"machine {fmt_seconds(menu['first_seconds'])}; of which train_model on "
            f"MNIST in memory: median {fmt_seconds(full['median_seconds'])} ({_span(full)}), "
            f"{full['peak_mb']:.0f} MB, {full['accuracy']:.2%}"
        ),
        alternative=alternative,
        ratio=ratio,
        notes=(
            f"drawing the made-up pictures and the feature map (in the parent): {fmt_seconds(fit_s)}, "
            f"transform of the test images {fmt_seconds(transform_s)}; {full['n_iter']} L-BFGS "
            f"iterations; the retrain also evaluates on the test set; the menu's figure adds starting "
            f"the child process, its imports, reading and checking MNIST's files and saving the model, "
            f"as the retrain dialog runs it; {len(menu['all_seconds'])} runs of each, after a first "
            f"retrain that drew the made-up digits and cached them (the later ones read them back)"
        ),
        data=data,
    )
