"""Finding, checking and loading the MNIST files.

Training is only as trustworthy as its data, so every file is checked before use: the IDX header and
length, the SHA-256 of the decompressed bytes, and the image/label counts. Problems surface as
:class:`MnistDataError` with a one-sentence message that names the file, never as a raw zlib or
NumPy error. The files' own facts (names, checksums, the IDX format) live in
:mod:`training.mnist_files`, the network side in :mod:`training.download`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model.paths import user_cache_dir
from training.mnist_files import (
    IMAGE_SIDE,
    MNIST_FILES,
    MNIST_SHA256,
    SPLITS,
    MnistDataError,
    MnistNotFoundError,
    base_name,
    checksum_error,
    find_file,
    idx_sha256,
    missing_files,
    parse_idx,
    read_idx,
    read_idx_bytes,
)
from training.progress import CancelFlag, ProgressCallback, Reporter

__all__ = [
    "DATA_ENV_VAR",
    "MNIST_FILES",
    "MNIST_SHA256",
    "MnistDataError",
    "MnistNotFoundError",
    "base_name",
    "candidate_dirs",
    "checksum_error",
    "find_file",
    "find_mnist_dir",
    "idx_sha256",
    "load_mnist",
    "read_idx",
    "read_idx_bytes",
]

DATA_ENV_VAR = "DIGIT_CANVAS_DATA"

# --------------------------------------------------------------------------------------------------
# Finding the files


def _explicit_missing_error(folder: Path) -> MnistNotFoundError:
    if not folder.is_dir():
        problem = "does not exist or is not a folder"
    else:
        problem = "lacks " + ", ".join(f"{base_name(n)}(.gz)" for n in missing_files(folder))
    return MnistNotFoundError(
        f"The MNIST data folder {folder} {problem}. Point --data-dir DIR (or the environment "
        f"variable {DATA_ENV_VAR}) at a folder with the four MNIST files "
        f"({', '.join(MNIST_FILES)}), or leave it out to use or download the cached copy.",
        folder,
    )


def candidate_dirs(data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The folders searched for MNIST, in order: explicit argument, ``$DIGIT_CANVAS_DATA``, cache.

    An explicit folder is the only candidate: a user who named a folder wants that one, and silently
    training on some other copy would hide their mistake.
    """
    if data_dir is not None and str(data_dir) != "":
        return [Path(data_dir).expanduser()]
    folders: list[Path] = []
    env = os.environ.get(DATA_ENV_VAR, "").strip()
    if env:
        folders.append(Path(env).expanduser())
    folders.append(user_cache_dir() / "mnist")
    unique: list[Path] = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def find_mnist_dir(data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The first candidate folder holding all four MNIST files, or ``None`` if there is none.

    Raises :class:`MnistNotFoundError` if an explicit ``data_dir`` lacks the files, rather than
    falling back to other folders. Only presence is checked here; :func:`load_mnist` verifies.
    """
    folders = candidate_dirs(data_dir)
    for folder in folders:
        if not missing_files(folder):
            return folder
    if data_dir is not None and str(data_dir) != "":
        raise _explicit_missing_error(folders[0])
    return None


def not_found_error(folders: Sequence[Path], reason: str = "") -> MnistNotFoundError:
    """The error for "no MNIST anywhere": lists where we looked and the three ways to fix it."""
    looked = ", ".join(str(folder) for folder in folders)
    return MnistNotFoundError(
        f"MNIST was not found; looked in: {looked}.{' ' + reason if reason else ''} "
        f"Fix it by passing --data-dir DIR with a folder holding the four MNIST files "
        f"({', '.join(MNIST_FILES)}), by setting the environment variable {DATA_ENV_VAR} to such "
        f"a folder, or by allowing the download."
    )


# --------------------------------------------------------------------------------------------------
# Loading

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

# One decoded copy per process (~220 MB); keyed on the resolved files and their mtimes and sizes so
# an edited or replaced file is re-read. The lock stops two threads decoding the same data at once.
_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "arrays": None, "verified": False}


def _load_checked(path: Path, base: str, verify: bool, ndim: int) -> np.ndarray:
    data = read_idx_bytes(path)
    array = parse_idx(data, path)
    if verify and hashlib.sha256(data).hexdigest() != MNIST_SHA256[base]:
        raise checksum_error(path)
    if array.ndim != ndim:
        kind = "image" if ndim == 3 else "label"
        raise MnistDataError(
            f"The MNIST file {path} holds {array.ndim}-D data where an {kind} file ({ndim}-D) was expected.",
            path,
        )
    return array


def _read_only(array: np.ndarray) -> np.ndarray:
    """A read-only view of a read-only array, so callers cannot re-enable writes on the cache."""
    array.flags.writeable = False
    view = array.view()
    view.flags.writeable = False
    return view


def _decode(files: dict[str, Path], verify: bool, reporter: Reporter) -> Arrays:
    out: list[np.ndarray] = []
    total = sum(count * (1 + IMAGE_SIDE * IMAGE_SIDE) for _, _, count in SPLITS)
    done = 0  # progress by bytes decoded, so the bar does not jump over the big image files
    for images_base, labels_base, count in SPLITS:
        reporter.report("loading", f"Reading {files[labels_base].name}", done / total)
        labels = _load_checked(files[labels_base], labels_base, verify, ndim=1)
        if labels.max() > 9:
            raise MnistDataError(
                f"The MNIST file {files[labels_base]} has label {int(labels.max())}; digits are 0-9.",
                files[labels_base],
            )
        done += count
        reporter.report("loading", f"Reading {files[images_base].name}", done / total)
        images = _load_checked(files[images_base], images_base, verify, ndim=3)
        done += count * IMAGE_SIDE * IMAGE_SIDE
        images_path, labels_path = files[images_base], files[labels_base]
        if images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
            raise MnistDataError(
                f"The MNIST file {images_path} holds {images.shape[1]}x{images.shape[2]} images, "
                f"not {IMAGE_SIDE}x{IMAGE_SIDE}.",
                images_path,
            )
        if len(labels) != len(images):
            raise MnistDataError(
                f"The MNIST file {labels_path} has {len(labels)} labels but {images_path.name} "
                f"has {len(images)} images; the two files do not belong together.",
                labels_path,
            )
        if len(images) != count:
            raise MnistDataError(
                f"The MNIST file {images_path} has {len(images)} images, not the {count} of MNIST.",
                images_path,
            )
        x = images.reshape(len(images), IMAGE_SIDE * IMAGE_SIDE).astype(np.float32)
        np.divide(x, np.float32(255), out=x)
        out.extend((_read_only(x), _read_only(labels.astype(np.int64))))
    reporter.report("loading", "MNIST loaded", 1.0)
    return out[0], out[1], out[2], out[3]


def load_mnist(
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    progress: ProgressCallback | None = None,
    cancel: CancelFlag | None = None,
    verify: bool = True,
) -> Arrays:
    """Load MNIST as ``(X_train, y_train, X_test, y_test)``, downloading it to the cache if needed.

    ``X`` is float32 in [0, 1] with shape (n, 784), white ink on black as MNIST stores it; ``y`` is
    int64. Arrays are cached per process and returned read-only (copy before modifying) so one
    caller cannot corrupt another's data. Raises :class:`MnistNotFoundError` when there is no copy
    and downloading is off or fails, :class:`MnistDataError` for a bad file, and
    :class:`~training.progress.Cancelled` when ``cancel`` is set.
    """
    reporter = Reporter(progress, cancel)
    reporter.check()
    folder = find_mnist_dir(data_dir)
    if folder is None:
        searched = candidate_dirs(data_dir)
        if not download:
            raise not_found_error(searched, "Downloading was not allowed.")
        from training import download as downloader

        try:
            folder = downloader.download_mnist(user_cache_dir() / "mnist", progress=progress, cancel=cancel)
        except MnistDataError as exc:
            raise not_found_error(searched, f"Downloading it failed: {exc}") from exc

    files: dict[str, Path] = {}
    for base in MNIST_SHA256:
        found = find_file(folder, base)
        if found is None:  # removed between the search and now
            raise MnistDataError(f"The MNIST file {folder / base}(.gz) is missing.", folder / base)
        files[base] = found
    try:
        stats = {base: path.stat() for base, path in files.items()}
        key = "|".join(
            f"{path.resolve()}:{stats[base].st_mtime_ns}:{stats[base].st_size}"
            for base, path in files.items()
        )
    except OSError as exc:
        message = f"The MNIST files in {folder} cannot be read ({exc})."
        raise MnistDataError(message, folder) from exc

    with _cache_lock:
        if _cache["key"] == key and (_cache["verified"] or not verify):
            reporter.report("loading", "MNIST loaded (already in memory)", 1.0)
            return tuple(_read_only(a) for a in _cache["arrays"])  # type: ignore[return-value]
        _cache.update(key=None, arrays=None, verified=False)  # free the old copy before decoding
        arrays = _decode(files, verify, reporter)
        _cache.update(key=key, arrays=arrays, verified=verify)
        return arrays


def clear_cache() -> None:
    """Drop the in-process copy of MNIST (frees ~220 MB; the next load reads the files again)."""
    with _cache_lock:
        _cache.update(key=None, arrays=None, verified=False)
