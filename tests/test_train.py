"""train_model: progress, cancel, saving, and the bundled models' accuracy on the MNIST test set."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from model import bundled_model_path, load_model, user_model_path
from model.paths import user_model_dir
from training import Cancelled, train_model
from training.evaluate import evaluate

pytestmark = pytest.mark.mnist


def test_training_reports_every_stage_and_saves(mnist):
    reports = []
    result = train_model("ovr", mnist=mnist, max_train=3000, params={"max_iter": 15}, progress=reports.append)
    stages = [r.stage for r in reports]
    for stage in ("training", "evaluating", "saving", "done"):
        assert stage in stages
    assert "loading data" not in stages  # MNIST was handed over: nothing is loaded, nothing said so
    fractions = [r.fraction for r in reports if r.fraction is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    iterations = [r.iteration for r in reports if r.iteration is not None]
    assert iterations and iterations == sorted(iterations)
    assert all(r.loss is not None for r in reports if r.iteration is not None)
    assert result.path == user_model_path("ovr")
    loaded = load_model("ovr")
    assert loaded.metadata_["n_train"] == 3000
    assert loaded.metadata_["test_accuracy"] == pytest.approx(result.evaluation.accuracy)
    assert loaded.metadata_["test_accuracy"] > 0.85


def test_binary_training_uses_only_zeros_and_ones(mnist):
    result = train_model("binary", mnist=mnist, max_train=5000, save=False)
    assert result.path is None
    assert result.metadata["n_train"] == int(np.isin(mnist[1][:5000], [0, 1]).sum())
    assert set(result.evaluation.labels) == {0, 1}
    assert user_model_path("binary") is None


def test_cancel_stops_quickly_and_saves_nothing(mnist):
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.iteration == 3:
            cancel.set()

    with pytest.raises(Cancelled):
        train_model("ovr", mnist=mnist, max_train=5000, progress=progress, cancel=cancel)
    assert max(p.iteration or 0 for p in seen) == 3
    assert not user_model_dir().exists() or not any(user_model_dir().glob("*.joblib"))


def test_extra_user_samples_are_weighted_in(mnist):
    X, y = mnist[0][:20], mnist[1][:20]
    result = train_model(
        "ovr", mnist=mnist, max_train=2000, params={"max_iter": 10}, extra=(X, y, 5.0), save=False
    )
    assert result.metadata["n_user_samples"] == 20
    assert result.metadata["n_train"] == 2020


def test_out_dir_writes_the_bundled_layout(mnist, tmp_path):
    result = train_model("binary", mnist=mnist, max_train=3000, out_dir=tmp_path)
    assert result.path == tmp_path / "binary.joblib"
    assert (tmp_path / "digests.json").is_file()
    clf = load_model("binary", result.path, trusted=True)
    assert clf.metadata_["kind"] == "binary"


@pytest.mark.parametrize(("kind", "target"), [("ovr", 0.975), ("binary", 0.999)])
def test_bundled_models_meet_their_accuracy_targets(mnist, kind, target):
    clf = load_model(kind, bundled_model_path(kind))
    result = evaluate(clf, mnist[2], mnist[3])
    print(f"bundled {kind}: {result.accuracy:.2%} on {len(result.labels)} MNIST test digits")
    assert result.accuracy >= target
    assert clf.metadata_["test_accuracy"] == pytest.approx(result.accuracy)


def test_evaluation_scores_match_scikit_learn():
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    from training.evaluate import confusion_counts, scores_from_confusion

    rng = np.random.default_rng(0)
    classes = np.arange(10)
    y = rng.integers(0, 10, 500)
    predicted = np.where(rng.random(500) < 0.7, y, rng.integers(0, 10, 500))
    predicted[predicted == 3] = 4  # a class never predicted: precision 0, as zero_division=0
    confusion = confusion_counts(y, predicted, classes)
    np.testing.assert_array_equal(confusion, confusion_matrix(y, predicted, labels=classes))
    ours = scores_from_confusion(confusion)
    theirs = precision_recall_fscore_support(y, predicted, labels=classes, zero_division=0)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b)
