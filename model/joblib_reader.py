"""Read the app's own joblib model files without importing joblib and without running their code.

Two reasons. ``joblib.load`` unpickles, and unpickling can call anything a file names. And importing
joblib costs about 60 ms, a fifth of the app's whole start-up, just to read a 160 KB file. A model
file the app writes holds only its own estimators, numpy arrays and plain Python values, so this
reader accepts exactly those (the caller passes the allowed classes) and reads joblib's array
records itself. A file that names any other code raises :class:`ForeignCode` (no model of the app
can hold it, so nothing should run it); one in a form this reader does not handle (a compression
other than joblib's zlib, arrays of Python objects) raises :class:`UnsupportedContent`, and the
caller may then fall back to ``joblib.load`` for a file it already trusts.

The format is joblib's (version 1.2 and later, and earlier without alignment padding): a pickle
stream, optionally zlib-compressed as a whole, in which each array is a ``NumpyArrayWrapper``
object whose raw bytes follow it directly in the stream.
"""

from __future__ import annotations

import io
import math
import pickle
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

MAX_DECOMPRESSED_BYTES = 256 * 2**20  # far above any model the app makes; refuses "zip bombs"
ZLIB_PREFIX = b"\x78"  # joblib's compress=N writes a zlib stream
PICKLE_PREFIX = b"\x80"  # an uncompressed pickle starts with its protocol opcode

_ARRAY_WRAPPER = ("joblib.numpy_pickle", "NumpyArrayWrapper")
# numpy objects a model file may contain; each only builds data, none can run code of the file's choosing.
_NUMPY_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy", "dtype"): np.dtype,
    ("numpy", "ndarray"): np.ndarray,
}
for _module in ("numpy.core.multiarray", "numpy._core.multiarray"):  # numpy 1 and numpy 2 names
    _NUMPY_GLOBALS[(_module, "scalar")] = np.float64(0).__reduce__()[0]
    _NUMPY_GLOBALS[(_module, "_reconstruct")] = np.zeros(0).__reduce__()[0]


class UnsupportedContent(Exception):
    """The file is well-formed as far as it was read, but holds something this reader does not accept."""


class ForeignCode(UnsupportedContent):
    """The file names a class or function outside the allowed ones (the message says which)."""


class _ArrayRecord:
    """Stands in for joblib's ``NumpyArrayWrapper`` while unpickling; its BUILD state describes the array."""

    def read(self, stream: io.BytesIO) -> np.ndarray:
        state = self.__dict__
        dtype, shape, order = state.get("dtype"), state.get("shape"), state.get("order", "C")
        if state.get("subclass", np.ndarray) is not np.ndarray:
            raise UnsupportedContent("an array subclass")
        if not isinstance(dtype, np.dtype) or dtype.hasobject:
            raise UnsupportedContent("an array of Python objects")
        if not (isinstance(shape, tuple) and all(isinstance(n, int) and n >= 0 for n in shape)):
            raise pickle.UnpicklingError(f"invalid array shape {str(shape)[:40]}")
        if state.get("numpy_array_alignment_bytes") is not None:  # joblib >= 1.2 pads to alignment
            padding = stream.read(1)
            if not padding:
                raise EOFError("the file ends inside an array")
            stream.read(padding[0])
        count = math.prod(shape)
        size = count * dtype.itemsize
        if size > len(stream.getbuffer()) - stream.tell():  # checked before any allocation
            raise EOFError("the file ends inside an array")
        array = np.frombuffer(stream.read(size), dtype=dtype, count=count).copy()
        array = array.reshape(shape[::-1]).T if order == "F" else array.reshape(shape)
        if not dtype.isnative:
            array = array.astype(dtype.newbyteorder("="))
        return array


class _RestrictedUnpickler(pickle._Unpickler):  # the Python unpickler: its BUILD step can be extended
    dispatch = pickle._Unpickler.dispatch.copy()

    def __init__(self, stream: io.BytesIO, allowed: Mapping[tuple[str, str], Any]) -> None:
        super().__init__(stream)
        self._stream = stream
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == _ARRAY_WRAPPER:
            return _ArrayRecord
        found = self._allowed.get((module, name)) or _NUMPY_GLOBALS.get((module, name))
        if found is None:
            raise ForeignCode(f"{module}.{name}")
        return found

    def load_build(self) -> None:
        pickle._Unpickler.load_build(self)
        if isinstance(self.stack[-1], _ArrayRecord):
            self.stack[-1] = self.stack[-1].read(self._stream)

    dispatch[pickle.BUILD[0]] = load_build


def read_model_bytes(raw: bytes, classes: Mapping[tuple[str, str], type]) -> Any:
    """Unpickle the bytes of a joblib file whose only classes are ``classes`` (keyed by ``(module, name)``).

    Raises :class:`ForeignCode` for any other class or function it names, :class:`UnsupportedContent`
    for a form it does not read, ``MemoryError`` when it would decompress to more than
    :data:`MAX_DECOMPRESSED_BYTES`, and ``EOFError``, ``zlib.error`` or ``pickle.UnpicklingError``
    (among others) when it is truncated or corrupt.
    """
    if raw[:1] == ZLIB_PREFIX:
        data = _inflate(raw)
    elif raw[:1] == PICKLE_PREFIX:
        data = raw
    else:
        raise UnsupportedContent("a compression other than zlib")
    return _RestrictedUnpickler(io.BytesIO(data), classes).load()


def _inflate(raw: bytes) -> bytes:
    inflater = zlib.decompressobj()
    data = inflater.decompress(raw, MAX_DECOMPRESSED_BYTES)
    if inflater.unconsumed_tail:
        raise MemoryError("the file decompresses to more than the limit")
    if not inflater.eof:
        raise EOFError("the compressed data is truncated")
    return data
