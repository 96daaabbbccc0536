"""Hostile model files, one builder per class of attack, shared by the reader, store and app tests.

Every builder that carries a payload makes it create ``marker`` when it runs: a test proves the
payload never ran by the marker's absence. Raw pickle streams are spelled out opcode by opcode where
Python's pickler would not write the attack (a BUILD on a class, a dtype with a broken state).
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from pathlib import Path

import joblib
import numpy as np

from model.store import FORMAT, FORMAT_VERSION, LEGACY_FORMAT_VERSION, bundled_model_path


class Payload:
    """Unpickling this creates ``marker`` (``open(marker, "w")``): the proof that a file ran code."""

    def __init__(self, marker: str | Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def bundled_payload(kind: str = "binary") -> dict:
    """The bundled model's file content as data (it is joblib-readable by design)."""
    return joblib.load(bundled_model_path(kind))


def dumped(value: object, compress: object = 3) -> bytes:
    buf = io.BytesIO()
    joblib.dump(value, buf, compress=compress)
    return buf.getvalue()


def _text(s: str) -> bytes:
    data = s.encode()
    return b"\x8c" + bytes([len(data)]) + data


def _global(module: str, name: str) -> bytes:
    return _text(module) + _text(name) + b"\x93"


def _envelope(estimator_ops: bytes, kind: str = "binary", version: int = LEGACY_FORMAT_VERSION) -> bytes:
    """A protocol-4 stream of a model-file dict whose estimator is ``estimator_ops``."""
    return (
        b"\x80\x04}("
        + _text("format")
        + _text(FORMAT)
        + _text("format_version")
        + b"K"
        + bytes([version])
        + _text("metadata")
        + b"}"
        + _text("kind")
        + _text(kind)
        + b"s"
        + _text("estimator")
        + estimator_ops
        + b"u."
    )


def _array_record(
    shape_ops: bytes,
    state_ops: bytes = b"(K\x03" + b"\x8c\x01<" + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb",
) -> bytes:
    """joblib's record of a float64 array (``shape_ops`` pushes its shape), before its raw bytes."""
    return (
        _global("joblib.numpy_pickle", "NumpyArrayWrapper")
        + b")\x81}("
        + _text("subclass")
        + _global("numpy", "ndarray")
        + _text("shape")
        + shape_ops
        + _text("order")
        + _text("C")
        + _text("dtype")
        + _global("numpy", "dtype")
        + _text("f8")
        + b"\x89\x88\x87R"
        + state_ops
        + _text("allow_mmap")
        + b"\x88"
        + b"ub"
    )


def builders(marker: Path) -> dict[str, bytes]:
    """Every class of hostile model file, by name; each holds the bundled binary model where it can."""
    good = bundled_payload("binary")
    evil = Payload(marker)
    cases = {
        # 1: code-running content the old reader handed to joblib.load
        "object array before the payload": dumped(
            {"prefix": np.array([evil], dtype=object), **good, "tail": evil}
        ),
        "protocol 0 pickle": pickle.dumps({**good, "tail": evil}, protocol=0),
        "plain payload": dumped({**good, "estimator": evil}),
    }
    for compress in ("gzip", "bz2", "xz", "lzma", "zlib"):
        cases[f"{compress} with a payload"] = dumped({**good, "tail": evil}, (compress, 3))
    # 2: numpy globals fed crafted arguments
    # an object dtype stripped of its "pickle as a list" flag, so raw bytes become the array's pointers
    cases["object ndarray from raw bytes"] = _envelope(
        _global("model.binary", "BinaryLogisticRegression")
        + b")\x81}("
        + _text("n_features_in_")
        + b"M\x10\x03"
        + _text("classes_")
        + _global("numpy._core.multiarray", "_reconstruct")
        + _global("numpy", "ndarray")
        + b"K\x00\x85"
        + b"C\x01b"
        + b"\x87R"
        + b"(K\x01K\x02\x85"
        + _global("numpy", "dtype")
        + _text("O8")
        + b"\x89\x88\x87R"
        + b"(K\x03"
        + _text("|")
        + b"NNNK\x08K\x08K\x00tb"
        + b"\x89C\x10"
        + struct.pack("<2Q", 0x41414141, 0x42424242)
        + b"tb"
        + b"ub"
    )
    # a dtype whose state flags say "holds Python objects": raw bytes become pointers
    cases["dtype with a malformed state"] = _envelope(
        _array_record(b"K\x02\x85", b"(K\x03" + _text("<") + b"NNNK\x08K\x08K\x3ftb")
        + struct.pack("<2Q", 0x41414141, 0x42424242)
    )
    cases["uninitialised array of 8 GB"] = _envelope(
        _global("numpy", "ndarray") + b"\x8a\x05" + (10**9).to_bytes(5, "little") + b"\x85" + b"\x85R"
    )
    # 4: a BUILD applied to the class itself, then the class used as the estimator
    cases["BUILD on the estimator class"] = _envelope(
        _global("model.ovr", "OneVsRestLogisticRegression")
        + b"N}("
        + _text("predict_proba")
        + b"N"
        + b"u\x86b",
        kind="ovr",
    )
    # 5: shared references: 40 levels of x = [x, x] (a few hundred bytes, 2**40 paths)
    nested: list = []
    for _ in range(40):
        nested = [nested, nested]
    cases["shared nested lists"] = dumped({**good, "metadata": {**good["metadata"], "x": nested}})
    cases["shared nested lists as an estimator's value"] = _legacy_with(n_features_in_=nested)
    # 6: an array declared far larger than the file
    huge = b"\x8a\x05" + (10**10).to_bytes(5, "little") + b"\x85"
    cases["huge declared array"] = _envelope(_array_record(huge) + bytes(43_000))
    cases["decompression bomb"] = dumped({**good, "metadata": {**good["metadata"], "pad": "x" * 80_000_000}})
    cases["feature map of 100,000 components"] = _huge_feature_map()
    return cases


def _legacy_with(**state: object) -> bytes:
    """A file as the previous version wrote it: the bundled binary estimator pickled, ``state`` changed."""
    from model import load_model

    estimator = load_model("binary")
    del estimator.metadata_
    vars(estimator).update(state)
    return dumped(
        {
            "format": FORMAT,
            "format_version": LEGACY_FORMAT_VERSION,
            "metadata": {"kind": "binary"},
            "estimator": estimator,
        }
    )


def _huge_feature_map() -> bytes:
    """A valid-looking one-vs-rest model whose feature map claims 100,000 principal components."""
    payload = bundled_payload("ovr")
    features = payload["estimator"]["learned"]["features_"]
    features["params"]["n_components"] = 100_000
    features["learned"]["components_"] = np.zeros((784, 1), dtype=np.float32)
    return dumped(payload)


def with_version(payload: dict, version: int = FORMAT_VERSION) -> dict:
    return {**payload, "format_version": version}


# --------------------------------------------------------------------------------- pictures


def png(width: int, height: int, rows: bytes, bit_depth: int = 8, colour: int = 0) -> bytes:
    """A PNG written by hand: any size, a few bytes when ``rows`` repeat (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(rows, 9))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


def blank_png(side: int, bit_depth: int = 8) -> bytes:
    row = b"\0" + b"\xff" * (side * bit_depth // 8)
    return png(side, side, row * side, bit_depth)


def postscript(marker: Path) -> bytes:
    """PostScript that writes ``marker`` and then loops forever, if an interpreter ever runs it."""
    return (
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n"
        + f"({marker}) (w) file closefile\n".encode()
        + b"{ } loop\nshowpage\n"
    )


def fake_ghostscript(folder: Path, marker: Path) -> Path:
    """A folder with a ``gs`` that leaves ``marker`` and hangs: put it first on PATH to see if it runs."""
    folder.mkdir(parents=True, exist_ok=True)
    gs = folder / "gs"
    gs.write_text(f"#!/bin/sh\ntouch {marker}\nsleep 30\n")
    gs.chmod(0o755)
    return folder
