"""The MNIST data layer: IDX parsing, folder search, checksum and count checks, in-process cache."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

import training.data as data
from model.paths import user_cache_dir
from training.data import (
    MNIST_FILES,
    MnistDataError,
    MnistNotFoundError,
    candidate_dirs,
    find_mnist_dir,
    load_mnist,
    read_idx,
)
from training.progress import Cancelled


def idx_bytes(magic: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload


def image_idx(n: int = 3, side: int = 28, extra: bytes = b"") -> bytes:
    pixels = (np.arange(n * side * side) % 256).astype(np.uint8).tobytes()
    return idx_bytes(0x803, (n, side, side), pixels + extra)


def label_idx(labels: list[int]) -> bytes:
    return idx_bytes(0x801, (len(labels),), bytes(labels))


def link_mnist(src: Path, dest: Path, skip: tuple[str, ...] = ()) -> Path:
    """Symlink the real files into ``dest`` (cheap), leaving out the names in ``skip``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in MNIST_FILES:
        if name not in skip:
            (dest / name).symlink_to(src / name)
    return dest


def touch_mnist(folder: Path) -> Path:
    """Empty stand-ins: the search only looks at which files exist."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in MNIST_FILES:
        (folder / name).touch()
    return folder


# --------------------------------------------------------------------------------------------------
# read_idx


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("filename", ["images.idx", "images.idx.gz"])
def test_read_idx_images_gzip_or_plain_by_magic_not_name(
    tmp_path: Path, compress: bool, filename: str
) -> None:
    raw = image_idx(n=3)
    path = tmp_path / filename
    path.write_bytes(gzip.compress(raw) if compress else raw)
    array = read_idx(path)
    assert array.shape == (3, 28, 28)
    assert array.dtype == np.uint8
    assert array.flags.writeable
    assert array.tobytes() == raw[16:]


def test_read_idx_labels(tmp_path: Path) -> None:
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(label_idx([5, 0, 4, 1, 9])))
    array = read_idx(path)
    assert array.shape == (5,)
    assert array.tolist() == [5, 0, 4, 1, 9]


def _flip_middle(blob: bytes) -> bytes:
    middle = len(blob) // 2
    return blob[:middle] + bytes([blob[middle] ^ 0xFF]) + blob[middle + 1 :]


BAD_FILES = {
    "wrong-magic": idx_bytes(0x804, (2, 28, 28), bytes(2 * 784)),
    "float-type": idx_bytes(0x0D01, (4,), bytes(16)),
    "truncated-payload": image_idx(n=3)[:-100],
    "trailing-bytes": image_idx(n=3, extra=b"junk"),
    "truncated-header": image_idx(n=3)[:10],
    "zero-dim": idx_bytes(0x803, (0, 28, 28), b""),
    "dims-too-big": idx_bytes(0x803, (0xFFFFFFFF, 28, 28), bytes(784)),
    "too-short": b"\x00\x00",
    "empty": b"",
    "corrupt-gzip": _flip_middle(gzip.compress(image_idx(n=50))),
    "truncated-gzip": gzip.compress(image_idx(n=50))[:-30],
    "gzip-garbage": b"\x1f\x8b" + bytes(range(200)),
    "gzip-trailing-garbage": gzip.compress(label_idx([1, 2])) + b"not gzip",
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_read_idx_rejects_bad_files_naming_them(tmp_path: Path, case: str) -> None:
    path = tmp_path / f"bad-{case}-idx3-ubyte.gz"
    path.write_bytes(BAD_FILES[case])
    with pytest.raises(MnistDataError) as info:
        read_idx(path)
    assert type(info.value) is MnistDataError
    assert path.name in str(info.value)
    assert info.value.path == path


def test_read_idx_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere-idx1-ubyte.gz"
    with pytest.raises(MnistDataError, match=r"nowhere-idx1-ubyte\.gz.*missing"):
        read_idx(path)


# --------------------------------------------------------------------------------------------------
# search order


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)


def test_candidate_dirs_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(tmp_path / "env"))
    cache = user_cache_dir() / "mnist"
    assert candidate_dirs() == [tmp_path / "env", cache]
    assert candidate_dirs(tmp_path / "explicit") == [tmp_path / "explicit"]
    monkeypatch.setenv("DIGIT_CANVAS_DATA", "")
    assert candidate_dirs() == [cache]


def test_search_prefers_explicit_then_env_then_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = touch_mnist(tmp_path / "explicit")
    env = touch_mnist(tmp_path / "env")
    cache = touch_mnist(user_cache_dir() / "mnist")
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(env))
    assert find_mnist_dir(explicit) == explicit
    assert find_mnist_dir(str(explicit)) == explicit
    assert find_mnist_dir() == env
    monkeypatch.delenv("DIGIT_CANVAS_DATA")
    assert find_mnist_dir() == cache


def test_env_folder_without_files_falls_through_to_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "env").mkdir()
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(tmp_path / "env"))
    assert find_mnist_dir() is None
    cache = touch_mnist(user_cache_dir() / "mnist")
    assert find_mnist_dir() == cache


@pytest.mark.usefixtures("no_env")
def test_explicit_folder_without_files_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    touch_mnist(user_cache_dir() / "mnist")
    partial = touch_mnist(tmp_path / "partial")
    (partial / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MnistNotFoundError) as info:
        find_mnist_dir(partial)
    message = str(info.value)
    assert str(partial) in message
    assert "t10k-labels-idx1-ubyte" in message
    assert "--data-dir" in message
    with pytest.raises(MnistNotFoundError, match="does not exist"):
        find_mnist_dir(tmp_path / "missing")
    with pytest.raises(MnistNotFoundError, match="partial"):
        load_mnist(partial, download=True)  # never downloads elsewhere for an explicit folder


@pytest.mark.usefixtures("no_env")
def test_plain_decompressed_names_qualify(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    for name in MNIST_FILES:
        (folder / name.removesuffix(".gz")).touch()
    assert find_mnist_dir(folder) == folder
    assert find_mnist_dir() is None


# --------------------------------------------------------------------------------------------------
# load_mnist checks on small synthetic folders (verify=False gets past the checksums to the counts)


def synthetic_folder(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, blob in files.items():
        (folder / name).write_bytes(gzip.compress(blob, compresslevel=1))
    return folder


TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"


def _small_set(overrides: dict[str, bytes] | None = None) -> dict[str, bytes]:
    files = {
        TRAIN_IMAGES: image_idx(n=4),
        TRAIN_LABELS: label_idx([1, 2, 3, 4]),
        "t10k-images-idx3-ubyte.gz": image_idx(n=2),
        "t10k-labels-idx1-ubyte.gz": label_idx([5, 6]),
    }
    files.update(overrides or {})
    return files


@pytest.mark.parametrize(
    ("overrides", "culprit", "words"),
    [
        ({}, TRAIN_LABELS, "checksum mismatch"),
        ({TRAIN_LABELS: label_idx([1, 2, 3])}, TRAIN_LABELS, "3 labels"),
        ({TRAIN_IMAGES: image_idx(n=4, side=27)}, TRAIN_IMAGES, "27x27"),
        ({TRAIN_IMAGES: label_idx([1, 2, 3, 4])}, TRAIN_IMAGES, "image file"),
        ({TRAIN_LABELS: label_idx([1, 2, 3, 12])}, TRAIN_LABELS, "label 12"),
    ],
)
def test_load_mnist_rejects_bad_synthetic_sets(
    tmp_path: Path, overrides: dict[str, bytes], culprit: str, words: str
) -> None:
    folder = synthetic_folder(tmp_path / "set", _small_set(overrides))
    with pytest.raises(MnistDataError) as info:
        load_mnist(folder, download=False, verify=not overrides)
    assert culprit in str(info.value)
    assert words in str(info.value)


def test_load_mnist_requires_the_mnist_counts(tmp_path: Path) -> None:
    folder = synthetic_folder(tmp_path / "set", _small_set())
    with pytest.raises(MnistDataError, match=re.escape(f"{TRAIN_IMAGES} has 4 images, not the 60000")):
        load_mnist(folder, download=False, verify=False)


# --------------------------------------------------------------------------------------------------
# load_mnist on the real files


@pytest.mark.mnist
def test_load_mnist_full(mnist_dir: Path) -> None:
    x_train, y_train, x_test, y_test = load_mnist(mnist_dir, download=False)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert x_test.min() >= 0.0 and x_test.max() <= 1.0
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))
    assert (y_train[0], y_test[0]) == (5, 7)  # the well-known first digits
    assert x_train.mean() < 0.2  # white ink on a black background, as MNIST stores it
    for array in (x_train, y_train, x_test, y_test):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array.flags.writeable = True
    with pytest.raises(ValueError):
        x_train[0, 0] = 0.5


@pytest.mark.mnist
def test_load_mnist_caches_in_process(
    mnist_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.clear_cache()
    decodes = []
    real_decode = data._decode

    def counting_decode(*args, **kwargs):
        decodes.append(1)
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(data, "_decode", counting_decode)
    first = load_mnist(mnist_dir, download=False)
    seen = []
    second = load_mnist(mnist_dir, download=False, progress=seen.append)
    linked = load_mnist(link_mnist(mnist_dir, tmp_path / "linked"), download=False)
    assert len(decodes) == 1  # same resolved files: no second decode
    assert seen[-1].fraction == 1.0
    assert np.shares_memory(first[0], second[0]) and np.shares_memory(first[0], linked[0])

    # A replaced file (new mtime) is read again.
    labels = tmp_path / "linked" / "t10k-labels-idx1-ubyte.gz"
    labels.unlink()
    shutil.copyfile(mnist_dir / labels.name, labels)
    os.utime(labels, ns=(1, 1))
    load_mnist(tmp_path / "linked", download=False)
    assert len(decodes) == 2


@pytest.mark.mnist
def test_load_mnist_checksum_error_names_the_file(mnist_dir: Path, tmp_path: Path) -> None:
    folder = link_mnist(mnist_dir, tmp_path / "bad", skip=("train-labels-idx1-ubyte.gz",))
    raw = bytearray(gzip.decompress((mnist_dir / "train-labels-idx1-ubyte.gz").read_bytes()))
    raw[1000] = (raw[1000] + 1) % 10  # still a digit, still a well-formed IDX file
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(bytes(raw), compresslevel=1))
    with pytest.raises(MnistDataError) as info:
        load_mnist(folder, download=False)
    message = str(info.value)
    assert "train-labels-idx1-ubyte.gz" in message
    assert "checksum mismatch, the file is corrupt or not MNIST; delete it and download again" in (message)
    assert not isinstance(info.value, MnistNotFoundError)


@pytest.mark.mnist
def test_load_mnist_swapped_label_file(mnist_dir: Path, tmp_path: Path) -> None:
    folder = link_mnist(mnist_dir, tmp_path / "swapped", skip=("train-labels-idx1-ubyte.gz",))
    (folder / "train-labels-idx1-ubyte.gz").symlink_to(mnist_dir / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(MnistDataError, match=re.escape(f"{TRAIN_LABELS}: checksum mismatch")):
        load_mnist(folder, download=False)
    with pytest.raises(MnistDataError, match=re.escape(f"10000 labels but {TRAIN_IMAGES} has 60000")):
        load_mnist(folder, download=False, verify=False)


@pytest.mark.mnist
def test_load_mnist_plain_files(mnist_dir: Path, tmp_path: Path) -> None:
    folder = link_mnist(mnist_dir, tmp_path / "plain", skip=("t10k-labels-idx1-ubyte.gz",))
    raw = gzip.decompress((mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes())
    (folder / "t10k-labels-idx1-ubyte").write_bytes(raw)
    _, _, _, y_test = load_mnist(folder, download=False)
    assert y_test.tobytes() == np.frombuffer(raw[8:], np.uint8).astype(np.int64).tobytes()


@pytest.mark.mnist
def test_load_mnist_cancel(mnist_dir: Path, tmp_path: Path) -> None:
    flag = threading.Event()

    def on_progress(progress) -> None:
        if progress.fraction and progress.fraction > 0:
            flag.set()

    folder = link_mnist(mnist_dir, tmp_path / "cancel", skip=("t10k-labels-idx1-ubyte.gz",))
    shutil.copyfile(mnist_dir / "t10k-labels-idx1-ubyte.gz", folder / "t10k-labels-idx1-ubyte.gz")
    os.utime(folder / "t10k-labels-idx1-ubyte.gz", ns=(2, 2))  # a key the cache has not seen
    with pytest.raises(Cancelled):
        load_mnist(folder, download=False, progress=on_progress, cancel=flag)


def _gzip_bomb(header: bytes, zeros: int) -> bytes:
    """``header`` then ``zeros`` zero bytes, gzipped: a few MB that inflate to ``zeros`` bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [packer.compress(header)]
    for _ in range(zeros >> 20):
        parts.append(packer.compress(block))
    return b"".join(parts) + packer.flush()


@pytest.mark.parametrize(
    "header",
    [
        b"\x00\x00\x08\x03" + (3 * 2**20).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2,  # 2.3 GB
        b"\x00\x00\x08\x03" + (60_000).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2,  # then 1 GiB more
    ],
    ids=["declares gigabytes", "MNIST-sized header, gigabytes of data"],
)
def test_break_10_a_gzip_bomb_is_refused_without_inflating_it(tmp_path: Path, header: bytes) -> None:
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(_gzip_bomb(header, 2**30))
    code = (
        "from adversary import peak_mb\n"
        "from training.data import MnistDataError, read_idx\n"
        "try:\n"
        f"    read_idx({str(path)!r})\n"
        "except MnistDataError as exc:\n"
        "    print(exc)\n"
        "print(peak_mb())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    message, peak_mb = out.stdout.strip().splitlines()
    assert "train-images-idx3-ubyte.gz" in message and (
        "more than any MNIST" in message or "unexpected" in message
    )
    assert int(peak_mb) < 400
