"""What the one-vs-rest model learns from besides MNIST: continental forms and pictures that are no digit.

Both are made from MNIST's own digits; these tests check that they are what they claim to be, in
MNIST's frame, reproducible, and that the marks land where the digit's geometry says.
"""

from __future__ import annotations

import numpy as np
import pytest

from training.continental import continental_forms
from training.mnist_frame import BOX, CENTRE, centre_by_mass
from training.negatives import not_digits


def _stroke(points, width=2.5):
    """A 28x28 picture of a polyline, drawn with the capsule renderer the marks use."""
    from training.continental import _capsules

    pts = np.asarray(points, dtype=np.float64)[None]
    return _capsules(pts, np.array([pts.shape[1]]), np.array([width]))[0]


def _digits():
    """A bare 1 (a vertical stroke), a plain 7 and a 9 with a straight tail, as MNIST draws them."""
    one = _stroke([(14, 4), (14, 23)])
    seven = np.maximum(_stroke([(8, 5), (20, 5)]), _stroke([(20, 5), (12, 23)]))
    nine = np.maximum(_stroke([(17, 5), (11, 5), (10, 10), (17, 11)]), _stroke([(17, 5), (17, 23)]))
    X = np.stack([one, seven, nine]).reshape(3, 784)
    return centre_by_mass(X.reshape(3, 28, 28)).reshape(3, 784), np.array([1, 7, 9])


def _in_mnist_frame(images: np.ndarray) -> None:
    imgs = images.reshape(-1, 28, 28)
    ink = imgs > 0.1
    rows, cols = ink.any(axis=2), ink.any(axis=1)
    assert rows.any(axis=1).all()
    height = 28 - rows[:, ::-1].argmax(axis=1) - rows.argmax(axis=1)
    width = 28 - cols[:, ::-1].argmax(axis=1) - cols.argmax(axis=1)
    assert (np.maximum(height, width) <= BOX + 2).all()  # the longer side spans MNIST's 20 pixels
    grid = np.arange(28)
    mass = imgs.sum(axis=(1, 2))
    cy = imgs.sum(axis=2) @ grid / mass
    cx = imgs.sum(axis=1) @ grid / mass
    assert np.abs(cy - CENTRE).max() <= 0.5 and np.abs(cx - CENTRE).max() <= 0.5


def test_continental_forms_mark_each_digit_where_it_belongs():
    X, y = _digits()
    X = np.repeat(X, 50, axis=0)
    y = np.repeat(y, 50)
    marked, labels = continental_forms(X, y, per_digit=1, seed=3)
    assert marked.shape == (150, 784) and marked.dtype == np.float32
    assert sorted(set(labels.tolist())) == [1, 7, 9] and (np.bincount(labels)[[1, 7, 9]] == 50).all()
    assert marked.min() >= 0.0 and marked.max() <= 1.0
    _in_mnist_frame(marked)
    imgs = marked.reshape(-1, 28, 28)
    ones, sevens, nines = imgs[labels == 1], imgs[labels == 7], imgs[labels == 9]
    # A flag goes down and to the left from the top of the 1: ink left of the stem in the upper half.
    flag_ink = np.array([one[3:14, : np.argmax(one[18]) - 1].sum() for one in ones])
    assert (flag_ink > 0.5).mean() > 0.9
    # A crossbar crosses the stem from its middle down: a wide run of ink in a row where the stem is thin.
    widest = (sevens[:, 10:24] > 0.3).sum(axis=2).max(axis=1)
    assert (widest >= 6).mean() > 0.9
    # A hook turns the 9's tail to the left at the bottom: ink left of the stem in the lowest rows.
    assert (nines[:, 19:, :12].sum(axis=(1, 2)) > 0.5).mean() > 0.9
    plain = centre_by_mass(X.reshape(-1, 28, 28))
    bare, seven = plain[y == 1][0], plain[y == 7][0]
    assert bare[3:14, : np.argmax(bare[18]) - 1].sum() < 0.5  # the bare 1 had none of it
    assert (seven[10:24] > 0.3).sum(axis=1).max() < 6  # nor the plain 7


def _tail_lean(nines: np.ndarray) -> np.ndarray:
    """How far left of the loop each 9's tail ends: the ink's mean column in the top third minus in the
    bottom quarter of its rows."""
    cols = np.arange(28)

    def mean_col(block: np.ndarray) -> float:
        return float(block.sum(axis=0) @ cols) / max(float(block.sum()), 1e-9)

    out = []
    for image in nines:
        rows = np.flatnonzero((image > 0.3).any(axis=1))
        top, bottom = rows[0], rows[-1]
        span = bottom - top + 1
        loop, tail = image[top : top + span // 3], image[bottom + 1 - span // 4 : bottom + 1]
        out.append(mean_col(loop) - mean_col(tail))
    return np.array(out)


def test_every_second_copy_of_a_nine_has_its_tail_swept_left():
    X, y = _digits()
    nine = np.repeat(X[y == 9], 40, axis=0)
    marked, labels = continental_forms(nine, np.full(40, 9), per_digit=2, seed=2)
    assert len(marked) == 80 and (labels == 9).all()
    _in_mnist_frame(marked)
    hooked, swept = marked[:40].reshape(-1, 28, 28), marked[40:].reshape(-1, 28, 28)
    # The sweep moves the lower tail further left of the loop than the hook alone does.
    assert np.median(_tail_lean(swept)) > np.median(_tail_lean(hooked)) + 1.0
    assert (_tail_lean(swept) > 0).mean() > 0.9


def test_continental_forms_are_reproducible_and_leave_other_digits_alone():
    X, y = _digits()
    X = np.concatenate([X, np.zeros((2, 784), np.float32)])  # two blank pictures cannot carry a mark
    y = np.array([1, 7, 9, 1, 9])
    a, la = continental_forms(X, y, per_digit=2, seed=5)
    b, lb = continental_forms(X, y, per_digit=2, seed=5)
    c, _ = continental_forms(X, y, per_digit=2, seed=6)
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    assert not np.array_equal(a, c)
    assert len(a) == 6  # two copies of each digit with ink; the blanks are left out
    none, labels = continental_forms(X[:1], np.array([4]), per_digit=2)
    assert none.shape == (0, 784) and labels.shape == (0,)


def test_not_digits_are_turned_mirrored_or_doubled_digits():
    X, y = _digits()
    X = np.repeat(X, 20, axis=0)
    y = np.repeat(y, 20)
    made = not_digits(X, y, 300, seed=1)
    assert made.shape == (300, 784) and made.dtype == np.float32
    assert np.array_equal(made, not_digits(X, y, 300, seed=1))
    originals = {x.tobytes() for x in X}
    assert not any(m.tobytes() in originals for m in made)  # none is a digit as it was
    mirrored_sevens = X[y == 7][0].reshape(28, 28)[:, ::-1].ravel()
    assert any(np.array_equal(m, mirrored_sevens) for m in made)
    # 1s are never turned or mirrored (they stay 1s); only ever drawn over another digit.
    bare_one = X[y == 1][0].reshape(28, 28)
    for turned in (bare_one[:, ::-1], bare_one[::-1, ::-1], np.rot90(bare_one), np.rot90(bare_one, 3)):
        assert not any(np.array_equal(m.reshape(28, 28), turned) for m in made)


@pytest.mark.mnist
def test_marked_mnist_digits_stay_their_digit(mnist):
    """A model that never saw a marked digit still reads most of them as what they are."""
    from model import load_model

    X, y, _, _ = mnist
    marked, labels = continental_forms(X[:3000], y[:3000], per_digit=1)
    old = load_model("ovr")
    assert (old.predict(marked) == labels).mean() > 0.8


def test_continental_forms_do_not_depend_on_the_number_of_threads(monkeypatch):
    """Each chunk draws from its own random stream, so threads change the speed and not the pictures."""
    import model.threads

    X, y = _digits()
    X, y = np.repeat(X, 1500, axis=0), np.repeat(y, 1500)  # several chunks of each digit
    threaded = continental_forms(X, y, per_digit=2)
    monkeypatch.setattr(model.threads, "MAX_THREADS", 1)
    alone = continental_forms(X, y, per_digit=2)
    assert np.array_equal(threaded[0], alone[0]) and np.array_equal(threaded[1], alone[1])
    assert len(threaded[1]) > 0


def _open_and_closed_four():
    """A 4 whose stem rises past the crossbar (MNIST's usual form) and one closed at the top."""
    left = _stroke([(10, 4), (8, 15), (20, 15)])
    stem = _stroke([(17, 4), (17, 24)])
    closed = np.maximum(_stroke([(10, 4), (17, 4), (17, 24)]), _stroke([(10, 4), (8, 15), (20, 15)]))
    both = np.stack([np.maximum(left, stem), closed])
    return centre_by_mass(both).reshape(2, 784)


def test_open_fours_lose_the_stem_above_the_crossbar_and_keep_the_rest():
    from training.open_fours import open_fours

    four, closed = _open_and_closed_four()
    made, labels = open_fours(np.stack([four, closed, four]), np.array([4, 4, 1]), share=1.0)
    assert made.shape == (1, 784) and made.dtype == np.float32 and labels.tolist() == [4]
    before, after = four.reshape(28, 28), made[0].reshape(28, 28)
    # Line the two up by the left stroke (centring by mass moved the opened one).
    shift = round(np.argmax(after[:, :12].sum(axis=0)) - np.argmax(before[:, :12].sum(axis=0)))
    rise = round(np.argmax(after.sum(axis=1) * (np.arange(28) > 6)) - 15)  # the crossbar row moved
    aligned = np.roll(np.roll(before, shift, axis=1), rise, axis=0)
    bar = 15 + rise
    stem = slice(17 + shift - 1, 17 + shift + 2)
    assert (
        aligned[: bar - 2, stem].sum() > 5
        and after[: bar - 2, stem].sum() < 0.05 * aligned[: bar - 2, stem].sum()
    )
    assert after[bar + 2 :, stem].sum() > 0.8 * aligned[bar + 2 :, stem].sum()  # the stem below stays
    assert after[:, :12].sum() > 0.8 * aligned[:, :12].sum()  # and so does the left stroke
    grid = np.arange(28)
    centre = (after.sum(axis=1) @ grid / after.sum(), after.sum(axis=0) @ grid / after.sum())
    assert np.abs(np.array(centre) - CENTRE).max() <= 0.5  # centred by mass again, as MNIST's are


def test_open_fours_take_an_even_share_of_the_fours_and_are_reproducible():
    from training.open_fours import open_fours

    four, _ = _open_and_closed_four()
    X = np.repeat(four[None], 8, axis=0) * np.linspace(0.7, 1.0, 8)[:, None].astype(np.float32)
    y = np.full(8, 4)
    half, _ = open_fours(X, y, share=0.5)
    assert len(half) == 4
    np.testing.assert_array_equal(half, open_fours(X, y, share=0.5)[0])
    np.testing.assert_allclose(half.max(axis=1), X[::2].max(axis=1), atol=0.05)  # the 1st, 3rd, ... 4s
    assert len(open_fours(X, y, share=0.0)[0]) == 0
    with pytest.raises(ValueError, match="share must be between 0 and 1"):
        open_fours(X, y, share=1.5)
