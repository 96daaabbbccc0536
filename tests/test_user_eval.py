"""Holding out part of the user's samples, cross-validating when there are few, and what train_model
records about them."""

from __future__ import annotations

import numpy as np
import pytest

from training import train_model
from training.samples import SampleStore
from training.train import make_estimator
from training.user_eval import (
    UserSamples,
    accuracy,
    cross_validate,
    fold_numbers,
    held_out_ids,
    holdout_mask,
    load_user_samples,
    needs_cross_validation,
    split,
    user_report,
)


def _ids(n: int, start: int = 0) -> list[str]:
    return [f"20260101T0000{i:02d}-abcd{i:04d}" for i in range(start, start + n)]


def test_every_fifth_sample_of_each_digit_is_held_out_in_the_order_they_were_saved():
    labels = [3] * 12 + [7] * 4
    ids = _ids(16)
    held = holdout_mask(labels, ids)
    assert np.flatnonzero(held).tolist() == [4, 9]  # the 5th and 10th 3; four 7s: none held out
    shuffled = np.random.default_rng(0).permutation(16)
    again = holdout_mask([labels[i] for i in shuffled], [ids[i] for i in shuffled])
    assert sorted(shuffled[again].tolist()) == [4, 9]  # the ids decide, not the order given


def test_adding_newer_samples_never_moves_an_old_one_between_train_and_held_out():
    labels = list(np.random.default_rng(1).integers(0, 10, 60))
    ids = _ids(60)
    first = holdout_mask(labels[:35], ids[:35])
    later = holdout_mask(labels, ids)
    assert (later[:35] == first).all()
    with pytest.raises(ValueError):
        holdout_mask([1, 2], ["a"])


def test_the_held_out_ids_are_those_of_the_mask_and_select_the_same_samples():
    labels = [3] * 12 + [7] * 4
    ids = _ids(16)
    assert held_out_ids(labels, ids) == {ids[4], ids[9]}
    assert held_out_ids([], []) == set()
    samples = UserSamples(np.zeros((16, 784), np.float32), np.array(labels), tuple(ids))
    to_train, held = split(samples)
    assert held.ids == samples.only(held_out_ids(labels, ids)).ids == (ids[4], ids[9])
    assert to_train.ids == samples.without(held_out_ids(labels, ids)).ids
    assert len(samples.only([])) == 0 and len(samples.without([])) == 16


def test_folds_are_stratified_and_never_empty():
    labels = np.repeat(np.arange(10), 1)  # one sample of each digit
    folds = fold_numbers(labels, _ids(10), 5)
    assert np.bincount(folds).tolist() == [2, 2, 2, 2, 2]
    labels = np.repeat([4, 9], 10)
    folds = fold_numbers(labels, _ids(20), 5)
    for label in (4, 9):
        assert np.bincount(folds[labels == label]).tolist() == [2] * 5
    assert fold_numbers([0, 3, 6], _ids(3), 3).tolist() == [0, 1, 2]
    rng = np.random.default_rng(2)
    for n in range(5, 40):
        labels = rng.integers(0, 10, n)
        assert len(set(fold_numbers(labels, _ids(n), 5))) == 5


def test_few_held_out_samples_ask_for_cross_validation():
    few = UserSamples(np.zeros((20, 784), np.float32), np.repeat(np.arange(10), 2), tuple(_ids(20)))
    _, held = split(few)
    assert len(held) == 0 and needs_cross_validation(held, few)
    many_labels = np.repeat(np.arange(10), 60)
    many = UserSamples(np.zeros((600, 784), np.float32), many_labels, tuple(_ids(600)))
    _, held = split(many)
    assert len(held) == 120 and not needs_cross_validation(held, many)
    assert not needs_cross_validation(UserSamples.empty(), UserSamples.empty())


def test_samples_load_with_their_ids(tmp_path):
    store = SampleStore(tmp_path)
    img = np.zeros(784, np.float32)
    img[300:310] = 1.0
    added = [store.add(d, img) for d in (2, 5, 5)]
    loaded = load_user_samples(store)
    assert sorted(loaded.ids) == sorted(s.sample_id for s in added)
    assert loaded.X.shape == (3, 784) and sorted(loaded.y.tolist()) == [2, 5, 5]
    assert len(loaded.without([added[0].sample_id])) == 2
    assert len(load_user_samples(SampleStore(tmp_path / "none"))) == 0


@pytest.mark.mnist
def test_cross_validation_trains_k_models_without_their_fold(mnist):
    X_test, y_test = mnist[2], mnist[3]
    samples = UserSamples(X_test[:30], y_test[:30], tuple(_ids(30)))
    seen = []
    cv = cross_validate(
        lambda: make_estimator("ovr", {"max_iter": 15}),
        samples,
        mnist[0],
        mnist[1],
        n_mnist=3000,
        progress=lambda fraction, message: seen.append(fraction),
    )
    assert cv is not None and cv.folds == 5 and cv.n_samples == 30 and cv.n_mnist == 3000
    assert 0.7 <= cv.accuracy <= 1.0  # MNIST test digits: a model on 3,000 images reads most
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert cross_validate(lambda: None, samples.subset(np.array([0])), mnist[0], mnist[1]) is None
    # Three samples of three digits: three folds of one, each model trained on the other two.
    rows = [int(np.flatnonzero(y_test == d)[0]) for d in (0, 3, 6)]
    three = UserSamples(X_test[rows], y_test[rows], tuple(_ids(3)))
    make = lambda: make_estimator("ovr", {"max_iter": 5})  # noqa: E731
    cv = cross_validate(make, three, mnist[0], mnist[1], n_mnist=500)
    assert cv is not None and cv.folds == 3 and cv.n_samples == 3


@pytest.mark.mnist
def test_train_model_holds_samples_out_and_records_what_it_saw(mnist):
    rng = np.random.default_rng(3)
    rows = rng.choice(10000, 40, replace=False)
    samples = UserSamples(mnist[2][rows], mnist[3][rows], tuple(_ids(40)))
    params = {"max_iter": 15}
    result = train_model("ovr", mnist=mnist, max_train=3000, params=params, user_samples=samples, save=False)
    meta = result.metadata
    trained, held = set(meta["user_train_ids"]), set(meta["user_heldout_ids"])
    assert not trained & held and trained | held == set(samples.ids)
    to_train, held_out = split(samples)
    assert held == set(held_out.ids) and meta["n_user_samples"] == len(to_train)
    assert meta["n_train"] == 3000 + len(to_train)
    assert meta["user_heldout_accuracy"] == pytest.approx(accuracy(result.estimator, held_out))
    assert meta["n_user_cv"] == 40 and meta["user_cv_folds"] == 5  # few held out: cross-validated too
    assert 0.0 <= meta["user_cv_accuracy"] <= 1.0
    assert meta["user_sample_weight"] > 1.0

    binary = train_model(
        "binary", mnist=mnist, max_train=3000, params={"max_iter": 10}, user_samples=samples, save=False
    )
    zeros_and_ones = samples.of_classes([0, 1])
    assert set(binary.metadata["user_train_ids"]) | set(binary.metadata["user_heldout_ids"]) == set(
        zeros_and_ones.ids
    )
    with pytest.raises(ValueError, match="not both"):
        train_model("ovr", mnist=mnist, extra=(samples.X, samples.y, 2.0), user_samples=samples, save=False)


class _ReadsByBrightness:
    """A stand-in model: reads 1 for bright images, else 7; it says which samples it trained on."""

    classes_ = np.array([1, 7])

    def __init__(self, trained_ids):
        self.metadata_ = {"user_train_ids": list(trained_ids), "user_cv_accuracy": 0.75, "user_cv_folds": 4}

    def predict(self, X):
        return np.where(np.asarray(X).mean(axis=1) > 0.5, 1, 7)


def test_the_report_counts_only_samples_the_model_never_trained_on():
    X = np.zeros((5, 784), np.float32)
    X[:2] = 1.0  # two bright ones: read as 1
    samples = UserSamples(X, np.array([1, 1, 7, 7, 3]), tuple(_ids(5)))
    report = user_report(_ReadsByBrightness(samples.ids[:2]), samples)
    assert (report.n_all, report.n_samples) == (5, 4)  # the 3 is not a digit this model knows
    assert (report.n_trained, report.trained_accuracy) == (2, 1.0)
    assert (report.n_unseen, report.unseen_accuracy) == (2, 1.0)
    assert (report.cv_accuracy, report.cv_folds) == (0.75, 4)
    fresh = user_report(_ReadsByBrightness([]), samples.subset(np.array([0, 2, 3])))
    assert (fresh.n_trained, fresh.n_unseen, fresh.unseen_accuracy) == (0, 3, 1.0)
