"""The facts of MNIST's four files: their names, checksums, the IDX format, and which a folder lacks.

Every part that touches the files (loading in :mod:`training.data`, downloading in
:mod:`training.download`, the retrain dialog's folder check) asks this module, so the names, sizes
and checks are written once. Problems surface as :class:`MnistDataError` with a one-sentence message
that names the file, never as a raw zlib or NumPy error.
"""

from __future__ import annotations

import hashlib
import math
import os
import zlib
from pathlib import Path

import numpy as np

from model.bounded_io import FileTooLarge, read_regular_file

# SHA-256 of the *decompressed* files: the same data may be gzipped differently by each mirror.
MNIST_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# The names as the mirrors serve them (gzip); a folder may also hold the plain decompressed names.
MNIST_FILES: tuple[str, ...] = tuple(f"{base}.gz" for base in MNIST_SHA256)

SPLITS = (  # (images base name, labels base name, expected count)
    ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000),
    ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000),
)
IMAGE_SIDE = 28
N_TRAIN = SPLITS[0][2]
N_TRAIN_ZEROS_AND_ONES = 12665  # 0s and 1s among the training images: what the binary model learns from
_MAGIC_LABELS = 0x00000801
_MAGIC_IMAGES = 0x00000803
_GZIP_MAGIC = b"\x1f\x8b"
MAX_IDX_BYTES = 60_000 * 28 * 28 + 16  # the training images, the largest MNIST file


class MnistDataError(ValueError):
    """A data file is missing, truncated, corrupt or not the file expected.

    ``path`` is the offending file when there is one, so a GUI can offer to delete it. ``reason``,
    when given, is what went wrong in a few words without the command-line advice the message ends
    with, for a window that words its own advice.
    """

    def __init__(self, message: str, path: Path | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


class MnistNotFoundError(MnistDataError):
    """No usable copy of MNIST was found and downloading was not allowed or failed."""


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
    return data  # parse_idx explains a length other than the header's


def _declared_size(head: bytes, path: Path) -> int:
    """The total size an IDX header declares, refused beyond what an MNIST file can be."""
    if len(head) < 4 or len(head) < 4 + 4 * head[3]:
        return len(head)  # too short even for a header: parse_idx says so
    if int.from_bytes(head[:4], "big") not in (_MAGIC_LABELS, _MAGIC_IMAGES):
        return len(head)  # not an IDX file: parse_idx says so
    dims = [int.from_bytes(head[4 + 4 * i : 8 + 4 * i], "big") for i in range(head[3])]
    size = 4 + 4 * len(dims) + math.prod(dims)
    if size > MAX_IDX_BYTES:
        raise MnistDataError(
            f"The MNIST file {path} declares {size:,} bytes of data, more than any MNIST file "
            f"({MAX_IDX_BYTES:,}), so it is not an MNIST file.",
            path,
        )
    return size


def parse_idx(data: bytes, path: Path) -> np.ndarray:
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
    return parse_idx(read_idx_bytes(path), path).copy()


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
# Which files a folder holds


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


def missing_files(folder: Path) -> list[str]:
    """The MNIST files ``folder`` lacks in either form, by their gzip names (all four if it is no folder)."""
    return [name for name in MNIST_FILES if find_file(folder, base_name(name)) is None]
