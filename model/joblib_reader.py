"""Read joblib model files as data, without joblib, without ``pickle.load`` and without running anything.

A joblib file is a pickle stream (optionally compressed as a whole) in which each numpy array is a
``NumpyArrayWrapper`` record followed by its raw bytes. Unpickling can call any function a file names,
and even numpy's own globals can corrupt memory when fed crafted arguments (an object array built from
raw bytes, a dtype with a malformed state). So this module is a small pickle machine of its own: it
executes only the opcodes a model file needs, resolves only a handful of globals to inert tokens, and
turns them into values itself after checking every argument:

* dicts (string keys), lists, tuples, strings, bytes, ints, floats, booleans and ``None``;
* numpy arrays of numeric dtypes (``NumpyArrayWrapper`` + ``numpy.dtype``), sizes checked against the
  bytes present and a memory budget before anything is allocated;
* numpy scalars of numeric dtypes (written by the previous version inside metadata);
* instances of the classes the caller names, as :class:`LegacyObject` records (class name and state
  dict): files written before model files held data only pickle the estimators themselves. No class is
  ever instantiated or changed here; the caller rebuilds estimators from the records.

Compressed files (zlib, gzip, bz2, xz, lzma: joblib's choices) are inflated with a size cap first.
Every refusal is a :class:`ModelDataError` whose text is a short clause built from fixed words and
numbers, never from the file's content.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

MAX_DECOMPRESSED_BYTES = 64 * 2**20  # far above any model the app makes; refuses "zip bombs"
MAX_ARRAY_BYTES = 64 * 2**20  # one array, checked before it is allocated
MAX_OPERATIONS = 500_000  # a model file needs a few hundred; bounds the time any stream can take
MAX_STACK = 100_000
MAX_NDIM = 8
MAX_INT_BYTES = 16  # LONG1 argument: no model value needs more than 128 bits

# The numeric dtypes an array or scalar may have (joblib writes a dtype as its code plus byte order).
NUMERIC_DTYPE_CODES = frozenset({"b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"})

_WRAPPER = ("joblib.numpy_pickle", "NumpyArrayWrapper")
_NDARRAY = ("numpy", "ndarray")
_DTYPE = ("numpy", "dtype")
_SCALARS = {("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}  # numpy 1 and 2
_ARRAY_STATE_KEYS = frozenset(
    {"subclass", "shape", "order", "dtype", "allow_mmap", "numpy_array_alignment_bytes"}
)
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,79}")


class ModelDataError(Exception):
    """The bytes are not a model file this reader accepts; the text is a clause saying why."""


class ForeignCode(ModelDataError):
    """The file names a class or function outside the allowed ones (the text says which, if printable)."""


class TooLarge(ModelDataError):
    """The file asks for more memory or work than any model file needs."""


class Truncated(ModelDataError):
    """The file ends in the middle of its data."""


class LegacyObject:
    """An instance of an allowed class as the file describes it: never built, only described."""

    __slots__ = ("name", "state")

    def __init__(self, name: str) -> None:
        self.name = name
        self.state: dict[str, Any] | None = None


def safe_name(text: object) -> str:
    """``text`` if it is a short dotted identifier (safe to show in a message), else ``"?"``."""
    return text if isinstance(text, str) and _SAFE_NAME.fullmatch(text) else "?"


class _Token:
    """A global the file named, resolved to a role; it can only be used as this reader allows."""

    __slots__ = ("role",)

    def __init__(self, role: object) -> None:
        self.role = role


class _DtypeRecord:
    __slots__ = ("code", "dtype")

    def __init__(self, code: str) -> None:
        self.code = code
        self.dtype: np.dtype | None = None


class _ArrayRecord:
    __slots__ = ()


INERT_TYPES = (_Token, _DtypeRecord, _ArrayRecord)  # what a global or record can become: never callable

_MARK_ROLES = {"wrapper": _Token("wrapper"), "ndarray": _Token("ndarray"), "dtype": _Token("dtype")}
_SCALAR_TOKEN = _Token("scalar")


def inflate(raw: bytes, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """The pickle stream inside ``raw``: as it is, or decompressed (at most ``limit`` bytes)."""
    if raw[:1] == b"\x80":
        return raw
    if raw[:1] == b"\x78":
        return _inflate_with(zlib.decompressobj(), raw, limit)
    if raw[:2] == b"\x1f\x8b":
        return _inflate_with(zlib.decompressobj(wbits=31), raw, limit)
    if raw[:3] == b"BZh":
        import bz2  # the app's own files use zlib: the others are imported only when met

        return _inflate_with(bz2.BZ2Decompressor(), raw, limit)
    if raw[:6] == b"\xfd7zXZ\x00" or raw[:3] == b"]\x00\x00":
        import lzma

        form = lzma.FORMAT_XZ if raw[:1] == b"\xfd" else lzma.FORMAT_ALONE
        return _inflate_with(lzma.LZMADecompressor(format=form), raw, limit)
    raise ModelDataError("it is neither a pickle stream nor compressed in a way joblib writes")


def _inflate_with(inflater: Any, raw: bytes, limit: int) -> bytes:
    try:
        data = inflater.decompress(raw, limit + 1)  # zlib, bz2 and lzma all take max_length second
    except Exception as exc:  # zlib.error, OSError, EOFError, lzma.LZMAError: the bytes are damaged
        raise ModelDataError("its compressed data is damaged") from exc
    if len(data) > limit:
        raise TooLarge(f"it decompresses to more than {limit // 2**20} MB")
    if not inflater.eof:
        raise Truncated("its compressed data is truncated")
    if data[:1] != b"\x80":
        raise ModelDataError("its decompressed content is not a pickle stream of protocol 2 or later")
    return data


def read_model_bytes(raw: bytes, legacy_classes: Mapping[tuple[str, str], str] | None = None) -> Any:
    """The value a joblib file holds, as plain data (see the module docstring for what is accepted).

    ``legacy_classes`` maps ``(module, qualname)`` of classes whose pickled instances are accepted to
    the name their :class:`LegacyObject` records carry. Raises :class:`ModelDataError` (or one of its
    subclasses) for anything else.
    """
    return _Machine(inflate(raw), legacy_classes or {}).run()


class _Machine:
    """A pickle virtual machine restricted to data; each opcode handler checks its arguments."""

    def __init__(self, data: bytes, legacy: Mapping[tuple[str, str], str]) -> None:
        self.data = data
        self.pos = 0
        self.stack: list[Any] = []
        self.marks: list[int] = []
        self.memo: dict[int, Any] = {}
        self.legacy = legacy

    # ----------------------------------------------------------------------------- the machine

    def run(self) -> Any:
        handlers = _HANDLERS
        data = self.data
        for _ in range(MAX_OPERATIONS):
            if self.pos >= len(data):
                raise Truncated("it ends before the end of its data")
            op = data[self.pos]
            self.pos += 1
            handler = handlers.get(op)
            if handler is None:
                raise ModelDataError(f"it uses pickle operation {op:#04x}, which no model file needs")
            if handler is _stop:
                return self.finish()
            handler(self)
            if len(self.stack) > MAX_STACK or len(self.marks) > MAX_STACK:
                raise TooLarge("it nests its data deeper than any model file")
        raise TooLarge(f"it has more than {MAX_OPERATIONS:,} pickle operations")

    def finish(self) -> Any:
        if len(self.stack) != 1 or self.marks:
            raise ModelDataError("its data does not end as a single value")
        value = self.stack.pop()
        if isinstance(value, _Token | _DtypeRecord | _ArrayRecord):
            raise ModelDataError("it holds a bare numpy or joblib object instead of data")
        return value

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise Truncated("it ends in the middle of a value")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def push(self, value: Any) -> None:
        self.stack.append(value)

    def pop(self) -> Any:
        if len(self.stack) <= (self.marks[-1] if self.marks else 0):
            raise ModelDataError("its data pops a value that is not there")
        return self.stack.pop()

    def top(self) -> Any:
        if len(self.stack) <= (self.marks[-1] if self.marks else 0):
            raise ModelDataError("its data uses a value that is not there")
        return self.stack[-1]

    def pop_mark(self) -> list[Any]:
        if not self.marks:
            raise ModelDataError("its data closes a group it never opened")
        start = self.marks.pop()
        items = self.stack[start:]
        del self.stack[start:]
        return items

    # ----------------------------------------------------------------------------- globals

    def resolve(self, module: object, name: object) -> Any:
        key = (module, name)
        if key == _WRAPPER:
            return _MARK_ROLES["wrapper"]
        if key == _NDARRAY:
            return _MARK_ROLES["ndarray"]
        if key == _DTYPE:
            return _MARK_ROLES["dtype"]
        if key in _SCALARS:
            return _SCALAR_TOKEN
        if key in self.legacy:
            return _Token(("class", self.legacy[key]))  # type: ignore[index]
        raise ForeignCode(f"{safe_name(module)}.{safe_name(name)}")

    # ----------------------------------------------------------------------------- calls

    def call(self, func: Any, args: Any) -> Any:
        """REDUCE: only numpy's dtype and scalar constructors, with checked arguments."""
        if func is _MARK_ROLES["dtype"]:
            if not (
                isinstance(args, tuple)
                and len(args) == 3
                and isinstance(args[0], str)
                and args[0] in NUMERIC_DTYPE_CODES
                and args[1:] == (False, True)
            ):
                raise ModelDataError("it declares a numpy dtype that is not a plain number type")
            return _DtypeRecord(args[0])
        if func is _SCALAR_TOKEN:
            if not (len(args) == 2 and isinstance(args[0], _DtypeRecord) and isinstance(args[1], bytes)):
                raise ModelDataError("it declares a numpy scalar in a form numpy does not write")
            dtype = _dtype_of(args[0])
            if len(args[1]) != dtype.itemsize:
                raise ModelDataError("it declares a numpy scalar of the wrong size")
            return np.frombuffer(args[1], dtype=dtype)[0].item()
        raise ModelDataError("it calls something no model file calls")

    def new_object(self, cls: Any, args: Any) -> Any:
        """NEWOBJ: joblib's array records and records of the allowed classes, never a real object."""
        if args != ():
            raise ModelDataError("it creates an object with arguments no model file uses")
        if cls is _MARK_ROLES["wrapper"]:
            return _ArrayRecord()
        if isinstance(cls, _Token) and isinstance(cls.role, tuple):
            return LegacyObject(cls.role[1])
        raise ModelDataError("it creates an object no model file holds")

    def build(self, target: Any, state: Any) -> Any:
        """BUILD: fill a record; anything else (a class, a dtype's internals) is refused."""
        if isinstance(target, _ArrayRecord):
            return self.read_array(state)
        if isinstance(target, _DtypeRecord):
            if target.dtype is not None:
                raise ModelDataError("it changes a numpy dtype twice")
            target.dtype = _dtype_from_state(target.code, state)
            return target
        if isinstance(target, LegacyObject) and target.state is None:
            if not (isinstance(state, dict) and all(isinstance(k, str) for k in state)):
                raise ModelDataError("it gives an estimator a state that is not a dict of named values")
            target.state = state
            return target
        raise ModelDataError("it changes an object in a way no model file does")

    def read_array(self, state: Any) -> np.ndarray:
        if not (isinstance(state, dict) and set(state) <= _ARRAY_STATE_KEYS):
            raise ModelDataError("it describes an array in a form joblib does not write")
        if state.get("subclass") is not _MARK_ROLES["ndarray"]:
            raise ModelDataError("it holds an array subclass")
        record = state.get("dtype")
        if not isinstance(record, _DtypeRecord):
            raise ModelDataError("it holds an array whose dtype is not a plain number type")
        dtype = _dtype_of(record)
        shape, order = state.get("shape"), state.get("order", "C")
        if not (
            isinstance(shape, tuple)
            and len(shape) <= MAX_NDIM
            and all(type(n) is int and n >= 0 for n in shape)
        ):
            raise ModelDataError("it holds an array with an invalid shape")
        if order not in ("C", "F"):
            raise ModelDataError("it holds an array with an invalid memory order")
        count = math.prod(shape)
        size = count * dtype.itemsize
        if size > MAX_ARRAY_BYTES:
            raise TooLarge(f"it declares an array of more than {MAX_ARRAY_BYTES // 2**20} MB")
        if state.get("numpy_array_alignment_bytes") is not None:  # joblib >= 1.2 pads to alignment
            padding = self.take(1)[0]
            self.take(padding)
        raw = self.take(size)  # refuses a size larger than the bytes present, before allocating
        array = np.frombuffer(raw, dtype=dtype, count=count).copy()
        array = array.reshape(shape[::-1]).T if order == "F" else array.reshape(shape)
        if not dtype.isnative:
            array = array.astype(dtype.newbyteorder("="))
        return array


def _dtype_from_state(code: str, state: Any) -> np.dtype:
    """The dtype ``code`` in the byte order its pickled state names, or refusal for any other state."""
    base = np.dtype(code)
    expected_order = "|" if base.itemsize == 1 else ("<", ">")
    if not (
        isinstance(state, tuple)
        and len(state) == 8
        and state[0] == 3
        and isinstance(state[1], str)
        and state[1] in expected_order
        and state[2:5] == (None, None, None)
        and state[5:] == (-1, -1, 0)
    ):
        raise ModelDataError("it holds a numpy dtype with a malformed state")
    return base.newbyteorder(state[1]) if base.itemsize > 1 else base


def _dtype_of(record: _DtypeRecord) -> np.dtype:
    if record.dtype is None:  # numpy always writes the state; without it the byte order is unknown
        raise ModelDataError("it holds a numpy dtype without its state")
    return record.dtype


# --------------------------------------------------------------------------------- opcodes


def _stop(m: _Machine) -> None:  # handled by the loop
    pass


def _proto(m: _Machine) -> None:
    if not 2 <= m.take(1)[0] <= 5:
        raise ModelDataError("it uses a pickle protocol no model file uses")


def _frame(m: _Machine) -> None:
    m.unpack("<Q")  # a read-ahead hint only


def _mark(m: _Machine) -> None:
    m.marks.append(len(m.stack))


def _pop(m: _Machine) -> None:
    if m.stack and len(m.stack) > (m.marks[-1] if m.marks else 0):
        m.stack.pop()
    else:
        m.pop_mark()


def _long1(m: _Machine) -> None:
    n = m.take(1)[0]
    if n > MAX_INT_BYTES:
        raise TooLarge("it holds an integer larger than any model value")
    m.push(int.from_bytes(m.take(n), "little", signed=True))


def _text(m: _Machine, n: int) -> None:
    try:
        m.push(m.take(n).decode("utf-8", "surrogatepass"))
    except UnicodeDecodeError as exc:
        raise ModelDataError("it holds text that is not valid UTF-8") from exc


def _tuple_n(n: int):
    def handler(m: _Machine) -> None:
        items = [m.pop() for _ in range(n)][::-1]
        m.push(tuple(items))

    return handler


def _append(m: _Machine) -> None:
    value = m.pop()
    _list_at_top(m).append(value)


def _appends(m: _Machine) -> None:
    items = m.pop_mark()
    _list_at_top(m).extend(items)


def _list_at_top(m: _Machine) -> list[Any]:
    target = m.top()
    if type(target) is not list:
        raise ModelDataError("it appends to something that is not a list")
    return target


def _setitem(m: _Machine) -> None:
    value = m.pop()
    key = m.pop()
    _set(m, [key, value])


def _setitems(m: _Machine) -> None:
    _set(m, m.pop_mark())


def _set(m: _Machine, items: list[Any]) -> None:
    target = m.top()
    if type(target) is not dict or len(items) % 2:
        raise ModelDataError("it sets items of something that is not a dict")
    for i in range(0, len(items), 2):
        if type(items[i]) is not str:
            raise ModelDataError("it holds a dict key that is not a string")
        target[items[i]] = items[i + 1]


def _memoize(m: _Machine) -> None:
    m.memo[len(m.memo)] = m.top()


def _put(m: _Machine, index: int) -> None:
    m.memo[index] = m.top()


def _get(m: _Machine, index: int) -> None:
    if index not in m.memo:
        raise ModelDataError("it refers back to a value it never stored")
    m.push(m.memo[index])


def _global(m: _Machine) -> None:
    end = m.data.find(b"\n", m.pos, m.pos + 200)
    end2 = m.data.find(b"\n", end + 1, end + 201) if end >= 0 else -1
    if end < 0 or end2 < 0:
        raise ModelDataError("it names a global in a malformed way")
    module = m.data[m.pos : end].decode("ascii", "replace")
    name = m.data[end + 1 : end2].decode("ascii", "replace")
    m.pos = end2 + 1
    m.push(m.resolve(module, name))


def _stack_global(m: _Machine) -> None:
    name = m.pop()
    module = m.pop()
    if type(module) is not str or type(name) is not str:
        raise ModelDataError("it names a global in a malformed way")
    m.push(m.resolve(module, name))


def _reduce(m: _Machine) -> None:
    args = m.pop()
    func = m.pop()
    if type(args) is not tuple:
        raise ModelDataError("it calls something with arguments that are not a tuple")
    m.push(m.call(func, args))


def _newobj(m: _Machine) -> None:
    args = m.pop()
    cls = m.pop()
    m.push(m.new_object(cls, args))


def _build(m: _Machine) -> None:
    state = m.pop()
    target = m.pop()
    m.push(m.build(target, state))


_HANDLERS: dict[int, Any] = {
    ord("."): _stop,
    0x80: _proto,
    0x95: _frame,
    ord("("): _mark,
    ord("0"): _pop,
    ord("N"): lambda m: m.push(None),
    0x88: lambda m: m.push(True),
    0x89: lambda m: m.push(False),
    ord("J"): lambda m: m.push(m.unpack("<i")),
    ord("K"): lambda m: m.push(m.take(1)[0]),
    ord("M"): lambda m: m.push(m.unpack("<H")),
    0x8A: _long1,
    ord("G"): lambda m: m.push(m.unpack(">d")),
    0x8C: lambda m: _text(m, m.take(1)[0]),
    ord("X"): lambda m: _text(m, m.unpack("<I")),
    ord("C"): lambda m: m.push(m.take(m.take(1)[0])),
    ord("B"): lambda m: m.push(m.take(m.unpack("<I"))),
    ord(")"): lambda m: m.push(()),
    ord("t"): lambda m: m.push(tuple(m.pop_mark())),
    0x85: _tuple_n(1),
    0x86: _tuple_n(2),
    0x87: _tuple_n(3),
    ord("]"): lambda m: m.push([]),
    ord("a"): _append,
    ord("e"): _appends,
    ord("}"): lambda m: m.push({}),
    ord("s"): _setitem,
    ord("u"): _setitems,
    0x94: _memoize,
    ord("q"): lambda m: _put(m, m.take(1)[0]),
    ord("r"): lambda m: _put(m, m.unpack("<I")),
    ord("h"): lambda m: _get(m, m.take(1)[0]),
    ord("j"): lambda m: _get(m, m.unpack("<I")),
    ord("c"): _global,
    0x93: _stack_global,
    ord("R"): _reduce,
    0x81: _newobj,
    ord("b"): _build,
}
