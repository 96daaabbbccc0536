"""The instant correction behind teaching: turned copies of each drawing, counted once."""

from __future__ import annotations

import numpy as np

from model import load_model
from model.personal import TAUGHT_TURNS, personalised, turned


def _bar() -> np.ndarray:
    x = np.zeros((1, 784), np.float32)
    x.reshape(28, 28)[4:24, 13:15] = 1.0  # a vertical stroke through the centre
    return x


def test_turning_keeps_the_ink_and_turns_anticlockwise():
    bar = _bar()
    left = turned(bar, 10.0).reshape(28, 28)
    assert abs(left.sum() - bar.sum()) < 0.5
    assert left.min() >= 0.0 and left.max() <= 1.0
    assert left[4].argmax() < 13 and left[23].argmax() > 14  # top to the left, bottom to the right
    right = turned(bar, -10.0).reshape(28, 28)
    assert right[4].argmax() > 14 and right[23].argmax() < 13


def test_a_taught_drawing_is_read_as_taught_and_counted_once():
    model = load_model("ovr")
    bar = _bar()
    wrong = int(model.predict(bar)[0] == 1) + 1  # any digit the model does not read it as
    taught = personalised(model, np.repeat(bar, 3, axis=0), [wrong] * 3)
    assert taught.predict(bar)[0] == wrong
    assert taught.predict(turned(bar, TAUGHT_TURNS[0]))[0] == wrong
    assert taught.metadata_["personal_samples"] == 3
    assert model.predict(bar)[0] != wrong  # the bundled model itself is left alone


def test_the_rehearsed_digits_features_are_computed_once_per_model_and_dropped_with_it():
    import gc

    import model.personal as personal

    model = load_model("ovr")
    bar = np.repeat(_bar(), 3, axis=0)
    first = personalised(model, bar, [4] * 3)
    key = (id(model.rehearsal_), id(model.features_))
    cached = personal._REHEARSAL_FEATURES[key]
    np.testing.assert_array_equal(cached, model.transform_features(model.rehearsal_.astype(np.float32) / 255))
    again = personalised(model, bar, [4] * 3)
    assert personal._REHEARSAL_FEATURES[key] is cached  # not computed again
    np.testing.assert_array_equal(first.coef_, again.coef_)
    del model, first, again, cached
    gc.collect()
    assert key not in personal._REHEARSAL_FEATURES


def test_a_correction_starts_from_the_last_one_and_reads_the_same(monkeypatch):
    import model.lbfgs as lbfgs

    model = load_model("ovr")
    bars = np.repeat(_bar(), 4, axis=0)
    for i, x in enumerate(bars):  # four different drawings: the bar moved along
        x.reshape(28, 28)[:] = np.roll(x.reshape(28, 28), i - 2, axis=1)
    wrong = int(model.predict(bars[:1])[0] == 1) + 1
    iterations: list[int] = []
    fit = lbfgs.fit_logistic_lbfgs

    def counting(*args, **kwargs):
        result = fit(*args, **kwargs)
        iterations.append(result.n_iter)
        return result

    monkeypatch.setattr(lbfgs, "fit_logistic_lbfgs", counting)
    three = personalised(model, bars[:3], [wrong] * 3)
    cold = personalised(model, bars, [wrong] * 4)
    warm = personalised(model, bars, [wrong] * 4, start=three)
    assert iterations[2] < iterations[1] / 2
    assert (warm.predict(bars) == wrong).all()
    np.testing.assert_allclose(warm.predict_proba(bars), cold.predict_proba(bars), atol=0.01)
    unrelated = personalised(model, bars, [wrong] * 4, start=load_model("binary"))  # not a correction
    assert iterations[3] == iterations[1]
    np.testing.assert_array_equal(unrelated.coef_, cold.coef_)
