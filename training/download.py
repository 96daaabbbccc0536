"""Downloading MNIST into the cache, safely.

Each file is streamed to a hidden temp file in the destination folder, checked against the SHA-256
of its decompressed bytes, and only then renamed into place with :func:`os.replace`. So a cancelled,
interrupted or corrupt download never leaves anything that could be mistaken for data; a mirror that
serves a bad file is simply skipped for the next one.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from model.paths import user_cache_dir
from training.mnist_files import (
    MNIST_FILES,
    MNIST_SHA256,
    MnistDataError,
    MnistNotFoundError,
    base_name,
    find_file,
    idx_sha256,
)
from training.progress import CancelFlag, ProgressCallback, Reporter

__all__ = ["DEFAULT_MIRRORS", "download_mnist"]

DEFAULT_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

_CHUNK = 64 * 1024
_USER_AGENT = "digit-canvas (MNIST downloader)"
# Typical .gz sizes, only used to weight each file's share of the overall progress bar.
_WEIGHTS = {
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
}
_STAGE = "downloading"


class _FetchError(Exception):
    """One mirror failed for one file; the reason goes into the final error message."""


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f}"


class _Overall:
    """Turns per-file byte counts into one overall fraction that never moves backwards."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.total = sum(_WEIGHTS.values())
        self.done = 0.0  # weight of finished files
        self.last = 0.0

    def fraction(self, name: str, part: float | None) -> float | None:
        if part is None:
            return None
        value = min(1.0, (self.done + _WEIGHTS[name] * min(part, 1.0)) / self.total)
        self.last = max(self.last, value)
        return self.last

    def finish(self, name: str, message: str) -> None:
        self.done += _WEIGHTS[name]
        self.reporter.report(_STAGE, message, self.fraction(name, 0.0))


def _is_valid(path: Path) -> bool:
    try:
        return idx_sha256(path) == MNIST_SHA256[base_name(path.name)]
    except MnistDataError:
        return False


def _fetch(url: str, name: str, tmp: Path, timeout: float, overall: _Overall) -> None:
    """Stream ``url`` into ``tmp``, reporting progress and checking cancel between chunks."""
    reporter = overall.reporter
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, tmp.open("wb") as out:
            length_header = response.headers.get("Content-Length")
            try:
                total = int(length_header) if length_header else None
            except ValueError:
                total = None
            received = 0
            last_reported = -1.0
            while True:
                reporter.check()
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
                if total:
                    part = received / total
                    if part - last_reported >= 0.01 or received >= total:
                        last_reported = part
                        reporter.report(
                            _STAGE,
                            f"{name}: {_mb(received)} / {_mb(total)} MB",
                            overall.fraction(name, part),
                        )
                elif received - last_reported >= 1_000_000 or last_reported < 0:
                    last_reported = received
                    reporter.report(_STAGE, f"{name}: {_mb(received)} MB", None)
            out.flush()
            os.fsync(out.fileno())
    except urllib.error.HTTPError as exc:
        raise _FetchError(f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise _FetchError(f"cannot connect ({exc.reason})") from exc
    except (OSError, http.client.HTTPException) as exc:  # timeouts, resets, bad responses
        raise _FetchError(f"transfer failed ({type(exc).__name__}: {exc})") from exc
    if total is not None and received != total:
        raise _FetchError(f"connection closed after {received} of {total} bytes")
    if received == 0:
        raise _FetchError("the server sent an empty file")


def _download_one(name: str, dest: Path, mirrors: Sequence[str], timeout: float, overall: _Overall) -> None:
    """Fetch one file from the first mirror that serves it intact; raise listing every failure."""
    final = dest / name
    failures: list[tuple[str, str]] = []  # (address, what went wrong there)
    for mirror in mirrors:
        url = mirror if mirror.endswith("/") else mirror + "/"
        url += name
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            _fetch(url, name, tmp, timeout, overall)
            overall.reporter.report(_STAGE, f"{name}: checking", overall.fraction(name, 1.0))
            try:
                ok = idx_sha256(tmp) == MNIST_SHA256[base_name(name)]
            except MnistDataError as exc:
                reason = str(exc).replace(str(tmp), "the downloaded file")
                raise _FetchError(f"corrupt download ({reason})") from exc
            if not ok:
                raise _FetchError("checksum mismatch, the file is corrupt or not MNIST")
            os.replace(tmp, final)
            return
        except _FetchError as exc:
            failures.append((url, str(exc)))
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    listed = "; ".join(f"{url}: {why}" for url, why in failures) if mirrors else "no mirrors were given"
    raise MnistNotFoundError(
        f"Could not download {name} into {dest}: {listed}. "
        "Check the network, or download the four MNIST files by hand and pass --data-dir DIR "
        "or set the environment variable DIGIT_CANVAS_DATA to their folder.",
        final,
        reason="; ".join(dict.fromkeys(why for _, why in failures)) or listed,  # each different one once
    )


def download_mnist(
    dest_dir: str | os.PathLike[str] | None = None,
    mirrors: Sequence[str] = DEFAULT_MIRRORS,
    progress: ProgressCallback | None = None,
    cancel: CancelFlag | None = None,
    timeout: float = 30,
) -> Path:
    """Download the four MNIST files into ``dest_dir`` (default: the user cache) and return it.

    Files already present and intact are kept. Each file is tried on every mirror in order, and
    only a file whose decompressed SHA-256 matches is renamed into place. Raises
    :class:`MnistNotFoundError` listing each mirror's failure when a file cannot be fetched, and
    :class:`~training.progress.Cancelled` when ``cancel`` is set; neither leaves partial files.
    """
    if isinstance(mirrors, str):  # a lone URL would otherwise be iterated character by character
        mirrors = [mirrors]
    dest = Path(dest_dir).expanduser() if dest_dir is not None else user_cache_dir() / "mnist"
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MnistNotFoundError(
            f"Cannot create the MNIST download folder {dest} ({exc}); pass --data-dir DIR with "
            f"the files or set DIGIT_CANVAS_DATA.",
            dest,
            reason=f"the download folder {dest} cannot be made ({exc.strerror or exc})",
        ) from exc
    reporter = Reporter(progress, cancel)
    overall = _Overall(reporter)
    reporter.report(_STAGE, f"Downloading MNIST into {dest}", 0.0)
    for name in MNIST_FILES:
        existing = find_file(dest, base_name(name))
        if existing is not None and _is_valid(existing):
            overall.finish(name, f"{name}: already present")
            continue
        _download_one(name, dest, mirrors, timeout, overall)
        overall.finish(name, f"{name}: done")
    return dest
