"""The MNIST downloader against local HTTP servers: mirrors, corrupt files, drops, cancel, cleanup.

Every test serves the real files from 127.0.0.1; nothing here touches the internet.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import training.download as download
from app.testing.local_mirror import LocalMirror
from model.paths import user_cache_dir
from training.data import MNIST_FILES, MnistDataError, MnistNotFoundError, load_mnist
from training.download import DEFAULT_MIRRORS, download_mnist
from training.progress import Cancelled, Progress

pytestmark = pytest.mark.mnist  # the server hands out the real MNIST files

SMALL = "t10k-labels-idx1-ubyte.gz"
BIG = "train-images-idx3-ubyte.gz"


@pytest.fixture(scope="module")
def mirror(mnist_dir: Path) -> Iterator[LocalMirror]:
    server = LocalMirror(mnist_dir)
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _fresh_log(mirror: LocalMirror) -> None:
    mirror.requests.clear()


def prefill(mnist_dir: Path, dest: Path, skip: tuple[str, ...]) -> set[str]:
    """Symlink all real files but ``skip`` into ``dest`` so a test downloads only what it needs."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in MNIST_FILES:
        if name not in skip:
            (dest / name).symlink_to(mnist_dir / name)
    return {p.name for p in dest.iterdir()}


def test_default_mirrors() -> None:
    assert list(DEFAULT_MIRRORS) == [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ]


def test_load_mnist_downloads_into_the_cache_when_missing(
    mirror: LocalMirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIGIT_CANVAS_DATA", raising=False)
    real_download = download.download_mnist
    calls: list[Path] = []

    def local_only(dest_dir, **kwargs):
        calls.append(Path(dest_dir))
        return real_download(dest_dir, mirrors=[mirror.url("good")], **kwargs)

    monkeypatch.setattr(download, "download_mnist", local_only)
    seen: list[Progress] = []
    x_train, y_train, x_test, y_test = load_mnist(progress=seen.append)

    cache = user_cache_dir() / "mnist"
    assert calls == [cache]
    assert sorted(p.name for p in cache.iterdir()) == sorted(MNIST_FILES)  # no temp files left
    assert x_train.shape == (60000, 784) and y_test.shape == (10000,)
    assert x_test.dtype == np.float32 and y_train.dtype == np.int64

    fractions = [p.fraction for p in seen if p.stage == "downloading" and p.fraction is not None]
    assert fractions == sorted(fractions)
    assert fractions[-1] == pytest.approx(1.0)
    assert len(fractions) > 10
    assert any(p.message == f"{BIG}: 9.6 / 9.6 MB" for p in seen)
    assert seen[-1].stage == "loading" and seen[-1].fraction == 1.0

    # Everything is now present and valid: a second download fetches nothing.
    mirror.requests.clear()
    assert real_download(cache, mirrors=[mirror.url("good")]) == cache
    assert mirror.requests == []


def test_corrupt_first_mirror_falls_back_to_second(mirror: LocalMirror, mnist_dir: Path) -> None:
    dest = user_cache_dir() / "mnist"
    prefill(mnist_dir, dest, skip=(SMALL,))
    download_mnist(dest, mirrors=[mirror.url("corrupt"), mirror.url("good")], timeout=5)
    assert mirror.requests == [f"/corrupt/{SMALL}", f"/good/{SMALL}"]
    assert (dest / SMALL).read_bytes() == (mnist_dir / SMALL).read_bytes()
    assert sorted(p.name for p in dest.iterdir()) == sorted(MNIST_FILES)


@pytest.mark.parametrize("mode", ["corrupt", "wrong", "garbage"])
def test_only_bad_mirrors_fail_and_leave_nothing(
    mirror: LocalMirror, mnist_dir: Path, tmp_path: Path, mode: str
) -> None:
    dest = tmp_path / "dest"
    before = prefill(mnist_dir, dest, skip=(SMALL,))
    with pytest.raises(MnistNotFoundError) as info:
        download_mnist(dest, mirrors=[mirror.url(mode), mirror.url("missing")], timeout=5)
    message = str(info.value)
    assert SMALL in message
    assert mirror.url(mode) + SMALL in message and mirror.url("missing") + SMALL in message
    assert "404" in message
    expected = "checksum mismatch" if mode != "garbage" else "not a valid gzip"
    assert expected in message
    assert ".part" not in message  # temp names mean nothing to the user
    assert {p.name for p in dest.iterdir()} == before  # no partial or temp file


def test_corrupt_first_file_leaves_an_empty_folder(mirror: LocalMirror, tmp_path: Path) -> None:
    dest = tmp_path / "empty"
    with pytest.raises(MnistDataError, match="checksum mismatch"):
        download_mnist(dest, mirrors=[mirror.url("wrong")], timeout=5)
    assert list(dest.iterdir()) == []
    assert mirror.requests == [f"/wrong/{BIG}"]  # stops at the first file that cannot be had


def test_dropped_connection_fails_and_leaves_nothing(mirror: LocalMirror, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    with pytest.raises(MnistNotFoundError, match="connection closed after") as info:
        download_mnist(dest, mirrors=[mirror.url("drop")], timeout=5)
    assert BIG in str(info.value)
    assert list(dest.iterdir()) == []


def test_missing_content_length_still_downloads(mirror: LocalMirror, mnist_dir: Path, tmp_path: Path) -> None:
    name = "t10k-images-idx3-ubyte.gz"
    dest = tmp_path / "dest"
    prefill(mnist_dir, dest, skip=(name,))
    seen: list[Progress] = []
    download_mnist(dest, mirrors=[mirror.url("nolength")], progress=seen.append, timeout=5)
    assert (dest / name).read_bytes() == (mnist_dir / name).read_bytes()
    assert any(p.message.startswith(f"{name}: ") and p.fraction is None for p in seen)
    assert seen[-1].fraction == pytest.approx(1.0)


def test_cancel_during_download_leaves_nothing(mirror: LocalMirror, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    cancel = threading.Event()

    def on_progress(progress: Progress) -> None:
        if progress.fraction and progress.fraction > 0.05:
            cancel.set()

    with pytest.raises(Cancelled):
        download_mnist(dest, mirrors=[mirror.url("good")], progress=on_progress, cancel=cancel, timeout=5)
    assert cancel.is_set()
    assert list(dest.iterdir()) == []


def test_unreachable_mirror_is_reported(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was just free, so nothing listens: refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dest = tmp_path / "dest"
    with pytest.raises(MnistNotFoundError, match="cannot connect") as info:
        download_mnist(dest, mirrors=[f"http://127.0.0.1:{port}/mnist"], timeout=5)
    assert f"http://127.0.0.1:{port}/mnist/{BIG}" in str(info.value)
    assert list(dest.iterdir()) == []


def test_load_mnist_without_download_lists_the_searched_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / "env-data"
    env.mkdir()
    monkeypatch.setenv("DIGIT_CANVAS_DATA", str(env))
    with pytest.raises(MnistNotFoundError) as info:
        load_mnist(download=False)
    message = str(info.value)
    assert str(env) in message
    assert str(user_cache_dir() / "mnist") in message
    assert "--data-dir" in message and "DIGIT_CANVAS_DATA" in message and "download" in message


def test_load_mnist_reports_a_failed_download_as_not_found(
    mirror: LocalMirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIGIT_CANVAS_DATA", raising=False)
    real_download = download.download_mnist

    def local_only(dest_dir, **kwargs):
        return real_download(dest_dir, mirrors=[mirror.url("missing")], timeout=5, **kwargs)

    monkeypatch.setattr(download, "download_mnist", local_only)
    with pytest.raises(MnistNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert str(user_cache_dir() / "mnist") in message
    assert "404" in message and "--data-dir" in message
