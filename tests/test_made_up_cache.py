"""The made-up digits' cache: read back exactly what was drawn, drawn again when the file is not trusted."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from training import made_up_cache
from training.made_up_cache import FILE_NAME, cached_made_up_digits
from training.train import made_up_digits

CALLS: list[int] = []


def _draw(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A stand-in for the real drawing: counts its calls, returns 8-bit greys as the real one does."""
    CALLS.append(len(X))
    return np.round(X[::-1] * 255).astype(np.float32) / np.float32(255), y[::-1].copy()


@pytest.fixture
def digits() -> tuple[np.ndarray, np.ndarray]:
    CALLS.clear()
    rng = np.random.default_rng(0)
    return rng.random((50, 784), dtype=np.float32), rng.integers(0, 10, 50)


def test_a_second_call_reads_back_exactly_what_the_first_drew(digits, tmp_path: Path) -> None:
    X, y = digits
    first = cached_made_up_digits(X, y, _draw, folder=tmp_path)
    second = cached_made_up_digits(X, y, _draw, folder=tmp_path)
    assert CALLS == [50]
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert second[0].dtype == np.float32 and second[1].dtype == y.dtype
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]


def test_other_digits_or_settings_are_drawn_again(digits, tmp_path: Path) -> None:
    X, y = digits
    cached_made_up_digits(X, y, _draw, folder=tmp_path)
    X2 = X.copy()
    X2[3, 100] += 0.5  # one pixel of one digit
    cached_made_up_digits(X2, y, _draw, folder=tmp_path)
    cached_made_up_digits(X2, y, _draw, settings=(3, 0.5), folder=tmp_path)
    cached_made_up_digits(X2, y, _draw, settings=(3, 0.5), folder=tmp_path)
    assert CALLS == [50, 50, 50]  # the last call found the one before it


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a zip at all")


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


def _pickled(path: Path) -> None:  # an object array, which only pickle could read
    np.savez(path.open("wb"), key=np.array("x"), images=np.array([object()]), labels=np.zeros(1))


def _wrong_kind(path: Path) -> None:  # the right key, but pictures of the wrong shape and type
    with np.load(path) as npz:
        key = npz["key"]
    np.savez(path.open("wb"), key=key, images=np.zeros((2, 3), np.float64), labels=np.zeros(2, np.int64))


def _not_ours(path: Path) -> None:  # a zip without the arrays
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")


@pytest.mark.parametrize("damage", [_garbage, _truncated, _pickled, _wrong_kind, _not_ours])
def test_a_damaged_file_is_drawn_again_and_replaced(digits, tmp_path: Path, damage) -> None:
    X, y = digits
    expected = cached_made_up_digits(X, y, _draw, folder=tmp_path)
    damage(tmp_path / FILE_NAME)
    again = cached_made_up_digits(X, y, _draw, folder=tmp_path)
    np.testing.assert_array_equal(again[0], expected[0])
    assert CALLS == [50, 50]
    cached_made_up_digits(X, y, _draw, folder=tmp_path)
    assert CALLS == [50, 50]  # the redrawn pictures were stored again


def test_an_oversized_file_is_not_read(digits, tmp_path: Path, monkeypatch) -> None:
    X, y = digits
    cached_made_up_digits(X, y, _draw, folder=tmp_path)
    monkeypatch.setattr(made_up_cache, "MAX_BYTES", 100)
    cached_made_up_digits(X, y, _draw, folder=tmp_path)
    assert CALLS == [50, 50]


def test_without_the_drawing_code_to_key_on_nothing_is_cached(digits, tmp_path: Path, monkeypatch) -> None:
    X, y = digits

    def no_source(obj: object) -> str:
        raise OSError("could not get source code")  # what inspect says inside a frozen bundle

    monkeypatch.setattr(made_up_cache.inspect, "getsource", no_source)
    cached_made_up_digits(X, y, _draw, folder=tmp_path)
    cached_made_up_digits(X, y, _draw, folder=tmp_path)
    assert CALLS == [50, 50] and not list(tmp_path.iterdir())


def test_a_folder_that_cannot_be_written_costs_only_the_cache(digits, tmp_path: Path) -> None:
    X, y = digits
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    images, _ = cached_made_up_digits(X, y, _draw, folder=blocked)
    assert len(images) == 50 and CALLS == [50]


def test_the_real_made_up_digits_are_8_bit_greys_and_read_back_exactly(mnist, tmp_path: Path) -> None:
    X, y, _, _ = mnist
    X, y = X[:1500], y[:1500]
    images, labels = made_up_digits(X, y)
    assert len(images) > 100
    np.testing.assert_array_equal(np.round(images * 255) / np.float32(255), images)
    again = cached_made_up_digits(X, y, made_up_digits, folder=tmp_path)  # drawn and stored
    back = cached_made_up_digits(X, y, made_up_digits, folder=tmp_path)  # read back
    for got in (again, back):
        np.testing.assert_array_equal(got[0], images)
        np.testing.assert_array_equal(got[1], labels)


def test_a_retrain_reads_the_made_up_digits_the_one_before_it_drew(mnist, monkeypatch) -> None:
    from training import continental
    from training.train import train_model

    X, y, Xt, yt = mnist
    drawn: list[int] = []
    real = continental.continental_forms
    monkeypatch.setattr(
        continental, "continental_forms", lambda X, y, **kw: drawn.append(len(X)) or real(X, y, **kw)
    )
    small = (X[:1200], y[:1200], Xt[:200], yt[:200])
    first = train_model("ovr", mnist=small, params={"max_iter": 3}, save=False)
    second = train_model("ovr", mnist=small, params={"max_iter": 3}, save=False)
    assert drawn == [1200]
    assert first.metadata["n_made_up_digits"] == second.metadata["n_made_up_digits"] > 0
    np.testing.assert_array_equal(first.estimator.coef_, second.estimator.coef_)
