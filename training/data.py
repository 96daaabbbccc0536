"""Finding, checking and loading the MNIST files.

Training is only as trustworthy as its data, so every file is checked before use: the IDX header and
length, the SHA-256 of the decompressed bytes, and the image/label counts. Problems surface as
:class:`MnistDataError` with a one-sentence message that names the file, never as a raw zlib or
NumPy error. The network side lives in :mod:`training.download`; ``download_mnist`` and
``DEFAULT_MIRRORS`` are re-exported here so callers need only this module.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from model.bounded_io import FileTooLarge, read_regular_file
from model.paths import user_cache_dir
from training.progress import CancelFlag, ProgressCallback, Reporter

if TYPE_CHECKING:
    from training.download import DEFAULT_MIRRORS, download_mnist

__all__ = [
    "DATA_ENV_VAR",
    "DEFAULT_MIRRORS",
    "MNIST_FILES",
    "MNIST_SHA256",
    "MnistDataError",
    "MnistNotFoundError",
    "candidate_dirs",
    "download_mnist",
    "find_mnist_dir",
    "load_mnist",
    "read_idx",
]

DATA_ENV_VAR = "DIGIT_CANVAS_DATA"

# SHA-256 of the *decompressed* files: the same data may be gzipped differently by each mirror.
MNIST_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# The names as the mirrors serve them (gzip); a folder may also hold the plain decompressed names.
MNIST_FILES: tuple[str, ...] = tuple(f"{base}.gz" for base in MNIST_SHA256)

_SPLITS = (  # (images base name, labels base name, expected count)
    ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000),
    ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000),
)
_IMAGE_SIDE = 28
_MAGIC_LABELS = 0x00000801
_MAGIC_IMAGES = 0x00000803
_GZIP_MAGIC = b"\x1f\x8b"
MAX_IDX_BYTES = 60_000 * 28 * 28 + 16  # the training images, the largest MNIST file


class MnistDataError(ValueError):
    """A data file is missing, truncated, corrupt or not the file expected.

    ``path`` is the offending file when there is one, so a GUI can offer to delete it.
    """

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class MnistNotFoundError(MnistDataError):
    """No usable copy of MNIST was found and downloading was not allowed or failed."""


def __getattr__(name: str) -> Any:
    # Lazy re-export: training.download imports this module, so an eager import would be a cycle.
    if name in ("download_mnist", "DEFAULT_MIRRORS"):
        from training import download

        return getattr(download, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------------------------------
# IDX files


def read_idx_bytes(path: str | os.PathLike[str]) -> bytes:
    """Return the decompressed bytes of an IDX file, gzipped or plain (told apart by magic bytes).

    Mirrors and users rename files freely, so the name is never trusted to say whether it is gzip. A
    gzip file is inflated only as far as its header first; the rest only if the size the header
    declares is one an MNIST file can have (:data:`MAX_IDX_BYTES`), so a small file that inflates to
    gigabytes is refused before it costs any memory.
    """
    path = Path(path)
    try:
        raw = read_regular_file(path, MAX_IDX_BYTES)
    except FileNotFoundError:
        raise MnistDataError(f"The MNIST file {path} is missing.", path) from None
    except FileTooLarge:
        raise MnistDataError(
            f"The MNIST file {path} is larger than any MNIST file ({MAX_IDX_BYTES:,} bytes).", path
        ) from None
    except OSError as exc:
        raise MnistDataError(f"The MNIST file {path} cannot be read ({exc}).", path) from exc
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    inflater = zlib.decompressobj(wbits=31)
    try:
        head = inflater.decompress(raw, 4)
        if len(head) == 4:
            head += inflater.decompress(inflater.unconsumed_tail, 4 * head[3])
        expected = _declared_size(head, path)
        data = head + inflater.decompress(inflater.unconsumed_tail, expected - len(head) + 1)
    except zlib.error as exc:
        raise MnistDataError(
            f"The MNIST file {path} is not a valid gzip file, it is truncated or corrupt ({exc}).", path
        ) from exc
    if len(data) <= expected and not inflater.eof:
        raise MnistDataError(f"The MNIST file {path} is not a valid gzip file, it is truncated.", path)
    if inflater.unused_data:
        raise MnistDataError(f"The MNIST file {path} has unexpected bytes after its gzip data.", path)
    return data  # _parse_idx explains a length other than the header's


def _declared_size(head: bytes, path: Path) -> int:
    """The total size an IDX header declares, refused beyond what an MNIST file can be."""
    if len(head) < 4 or len(head) < 4 + 4 * head[3]:
        return len(head)  # too short even for a header: _parse_idx says so
    if int.from_bytes(head[:4], "big") not in (_MAGIC_LABELS, _MAGIC_IMAGES):
        return len(head)  # not an IDX file: _parse_idx says so
    dims = [int.from_bytes(head[4 + 4 * i : 8 + 4 * i], "big") for i in range(head[3])]
    size = 4 + 4 * len(dims) + math.prod(dims)
    if size > MAX_IDX_BYTES:
        raise MnistDataError(
            f"The MNIST file {path} declares {size:,} bytes of data, more than any MNIST file "
            f"({MAX_IDX_BYTES:,}), so it is not an MNIST file.",
            path,
        )
    return size


def _parse_idx(data: bytes, path: Path) -> np.ndarray:
    """Check an IDX header against the payload and return a read-only uint8 view of the data."""
    if len(data) < 4:
        raise MnistDataError(
            f"The MNIST file {path} is too short ({len(data)} bytes) to be an IDX file.", path
        )
    magic = int.from_bytes(data[:4], "big")
    if magic not in (_MAGIC_LABELS, _MAGIC_IMAGES):
        raise MnistDataError(
            f"The MNIST file {path} has magic number 0x{magic:08x}, not 0x{_MAGIC_LABELS:08x} "
            f"(labels) or 0x{_MAGIC_IMAGES:08x} (images), so it is not an MNIST IDX file.",
            path,
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MnistDataError(
            f"The MNIST file {path} is truncated inside its header ({len(data)} bytes, "
            f"{header} needed for {ndim} dimensions).",
            path,
        )
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if 0 in dims:
        raise MnistDataError(f"The MNIST file {path} declares an empty dimension in its shape {dims}.", path)
    expected = math.prod(dims)
    actual = len(data) - header
    if actual < expected:
        raise MnistDataError(
            f"The MNIST file {path} is truncated: its header promises {expected} data bytes "
            f"for shape {dims} but only {actual} are there.",
            path,
        )
    if actual > expected:
        raise MnistDataError(
            f"The MNIST file {path} has {actual - expected} unexpected bytes after the "
            f"{expected} data bytes its header promises for shape {dims}.",
            path,
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (gzip or plain) into a writable uint8 array, checking header and length.

    Raises :class:`MnistDataError` naming the file for anything wrong, so callers handle one error.
    """
    path = Path(path)
    return _parse_idx(read_idx_bytes(path), path).copy()


def idx_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of the decompressed bytes: comparable whatever gzip level made the file."""
    return hashlib.sha256(read_idx_bytes(path)).hexdigest()


def checksum_error(path: Path) -> MnistDataError:
    """The one error for a file whose content is not the MNIST file it claims to be."""
    return MnistDataError(
        f"{path}: checksum mismatch, the file is corrupt or not MNIST; delete it and download again.",
        path,
    )


# --------------------------------------------------------------------------------------------------
# Finding the files


def base_name(name: str) -> str:
    """``train-images-idx3-ubyte`` for either the gzip or the plain file name."""
    return name.removesuffix(".gz")


def find_file(folder: Path, base: str) -> Path | None:
    """The gzip or plain copy of one MNIST file in ``folder`` (gzip first), or ``None``."""
    for name in (f"{base}.gz", base):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _missing_files(folder: Path) -> list[str]:
    return [f"{base}(.gz)" for base in MNIST_SHA256 if find_file(folder, base) is None]


def _explicit_missing_error(folder: Path) -> MnistNotFoundError:
    if not folder.is_dir():
        problem = "does not exist or is not a folder"
    else:
        problem = "lacks " + ", ".join(_missing_files(folder))
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
        if all(find_file(folder, base) is not None for base in MNIST_SHA256):
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
    array = _parse_idx(data, path)
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
    total = sum(count * (1 + _IMAGE_SIDE * _IMAGE_SIDE) for _, _, count in _SPLITS)
    done = 0  # progress by bytes decoded, so the bar does not jump over the big image files
    for images_base, labels_base, count in _SPLITS:
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
        done += count * _IMAGE_SIDE * _IMAGE_SIDE
        images_path, labels_path = files[images_base], files[labels_base]
        if images.shape[1:] != (_IMAGE_SIDE, _IMAGE_SIDE):
            raise MnistDataError(
                f"The MNIST file {images_path} holds {images.shape[1]}x{images.shape[2]} images, "
                f"not {_IMAGE_SIDE}x{_IMAGE_SIDE}.",
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
        x = images.reshape(len(images), _IMAGE_SIDE * _IMAGE_SIDE).astype(np.float32)
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
