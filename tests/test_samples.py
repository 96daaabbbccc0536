"""The user's sample store: add, list, delete, export, import, and the training weight."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image, ImageDraw

from training.samples import SampleStore, auto_weight


def _digit_image(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.zeros((28, 28), dtype=np.float32)
    img[6:22, 12:16] = rng.uniform(0.5, 1.0)
    return img.reshape(-1)


def _drawing(size=200) -> Image.Image:
    img = Image.new("L", (size, size), 255)
    ImageDraw.Draw(img).line([(size // 2, 20), (size // 2, size - 20)], fill=0, width=14)
    return img


def test_add_list_and_delete(tmp_path):
    store = SampleStore(tmp_path / "s")
    assert store.samples() == [] and len(store) == 0
    a = store.add(7, _digit_image(1), _drawing())
    b = store.add(1, _digit_image(2))
    assert [s.label for s in store.samples()] == [1, 7]
    assert a.drawing_path is not None and a.drawing_path.is_file()
    assert b.drawing_path is None
    X, y = store.arrays()
    assert X.shape == (2, 784) and X.dtype == np.float32 and list(y) == [1, 7]
    np.testing.assert_allclose(X[1], _digit_image(1), atol=1 / 255)
    assert store.counts()[7] == 1
    store.remove(a)
    assert [s.label for s in store.samples()] == [1]
    assert not a.image_path.exists() and not a.drawing_path.exists()


def test_bad_labels_and_images_are_refused(tmp_path):
    store = SampleStore(tmp_path)
    with pytest.raises(ValueError, match="0 to 9"):
        store.add(12, _digit_image())
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        store.add(3, np.full(784, 3.0))
    assert len(store) == 0


def test_export_then_import_round_trips(tmp_path):
    store = SampleStore(tmp_path / "a")
    for seed, label in enumerate((0, 3, 3, 9)):
        store.add(label, _digit_image(seed), _drawing())
    assert store.export(tmp_path / "out") == 4
    assert (tmp_path / "out" / "labels.csv").is_file()
    other = SampleStore(tmp_path / "b")
    assert other.import_folder(tmp_path / "out") == 4
    X1, y1 = store.arrays()
    X2, y2 = other.arrays()
    assert sorted(y1) == sorted(y2)
    np.testing.assert_allclose(np.sort(X1.sum(axis=1)), np.sort(X2.sum(axis=1)), atol=1e-3)


def test_import_accepts_full_size_drawings_and_rejects_bad_rows(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _drawing(300).save(src / "one.png")
    (src / "labels.csv").write_text("file,label\none.png,1\n")
    store = SampleStore(tmp_path / "s")
    assert store.import_folder(src) == 1
    x = store.arrays()[0][0].reshape(28, 28)
    assert x.max() > 0.9 and x[:, :8].max() < 0.1  # a centred vertical stroke, not a shrunken canvas
    (src / "labels.csv").write_text("file,label\none.png,1\nmissing.png,2\n")
    with pytest.raises(ValueError, match=r"line 3: missing\.png"):
        store.import_folder(src)
    assert len(store) == 1  # nothing from the bad folder was added
    with pytest.raises(ValueError, match=r"labels\.csv"):
        store.import_folder(tmp_path / "nowhere")
    (tmp_path / "outside.png").write_bytes((src / "one.png").read_bytes())
    for listed in ("../outside.png", "../../../etc/passwd", "sub/one.png", "..\\outside.png"):
        (src / "labels.csv").write_text(f"file,label\n{listed},3\n")
        with pytest.raises(ValueError, match=rf"line 2: {re.escape(listed)} names a path, not a file"):
            store.import_folder(src)  # named for what it is, not "does not exist", and never read
    assert len(store) == 1
    (src / "labels.csv").write_text("file,label\n./one.png,1\n")  # the same file, said another way
    assert store.import_folder(src) == 0  # read, and skipped as the drawing already stored


def test_weight_lets_a_few_hundred_samples_matter():
    assert auto_weight(0, 60000) == 1.0
    w = auto_weight(200, 60000)
    assert 30 < w <= 100
    assert 200 * w == pytest.approx(0.1 / 0.9 * 60000, rel=0.01)
    assert auto_weight(100000, 60000) == 1.0
