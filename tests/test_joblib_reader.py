"""The restricted model-file reader: the same arrays as joblib.load, and nothing a file names is run."""

from __future__ import annotations

import os
import pickle
import zlib

import joblib
import numpy as np
import pytest

from model import BinaryLogisticRegression, load_model
from model.joblib_reader import MAX_DECOMPRESSED_BYTES, UnsupportedContent, read_model_bytes
from model.store import MODEL_CLASSES


def _arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "float32": rng.random((7, 5), dtype=np.float32),
        "fortran": np.asfortranarray(rng.random((4, 6))),
        "big_endian": np.arange(12, dtype=">i4").reshape(3, 4),
        "scalar_array": np.array(3.5),
        "empty": np.zeros((0, 784), dtype=np.float32),
        "bool": rng.random(9) > 0.5,
        "uint8": np.arange(256, dtype=np.uint8),
    }


@pytest.mark.parametrize("compress", [0, 3, 9])
def test_reads_what_joblib_writes_exactly_as_joblib_does(tmp_path, compress):
    payload = {"arrays": _arrays(), "numbers": [1, 2.5, None, True], "text": "é", "scalar": np.float64(2.0)}
    path = tmp_path / "payload.joblib"
    joblib.dump(payload, path, compress=compress)
    ours, theirs = read_model_bytes(path.read_bytes(), {}), joblib.load(path)
    assert ours.keys() == theirs.keys()
    assert ours["numbers"] == theirs["numbers"] and ours["text"] == theirs["text"]
    assert ours["scalar"] == theirs["scalar"] and type(ours["scalar"]) is type(theirs["scalar"])
    for name, expected in theirs["arrays"].items():
        got = ours["arrays"][name]
        assert got.dtype == expected.dtype and got.shape == expected.shape, name
        np.testing.assert_array_equal(got, expected)
        assert got.flags.writeable


def test_reads_the_bundled_models_without_importing_joblib(tmp_path):
    """Start-up loads a model; importing joblib for it cost a fifth of the start-up time."""
    import subprocess
    import sys

    code = "import sys; from model import load_model; load_model('ovr'); load_model('binary'); "
    code += "print('joblib' in sys.modules)"
    env = {**os.environ, "DIGIT_CANVAS_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"


def test_a_saved_model_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    y = np.arange(60) % 2
    clf = BinaryLogisticRegression(max_iter=3).fit(rng.random((60, 784)), y)
    path = tmp_path / "m.joblib"
    joblib.dump({"estimator": clf}, path, compress=3)
    loaded = read_model_bytes(path.read_bytes(), MODEL_CLASSES)["estimator"]
    assert type(loaded) is BinaryLogisticRegression
    np.testing.assert_array_equal(loaded.coef_, clf.coef_)
    assert loaded.get_params() == clf.get_params()


class _Payload:
    """Unpickling this calls ``os.system``: the classic malicious pickle."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_file_that_names_other_code_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.joblib"
    joblib.dump({"estimator": _Payload(str(marker))}, path, compress=3)
    with pytest.raises(UnsupportedContent, match="system"):
        read_model_bytes(path.read_bytes(), MODEL_CLASSES)
    assert not marker.exists()


def test_other_compressions_and_formats_are_left_to_the_caller(tmp_path):
    path = tmp_path / "m.joblib"
    joblib.dump({"a": np.ones(3)}, path, compress=("lzma", 3))
    with pytest.raises(UnsupportedContent, match="compression"):
        read_model_bytes(path.read_bytes(), {})


def test_damaged_files_raise_instead_of_returning_half_a_model(tmp_path):
    path = tmp_path / "m.joblib"
    joblib.dump({"a": np.arange(10_000.0)}, path, compress=3)
    raw = path.read_bytes()
    truncated = tmp_path / "truncated.joblib"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(EOFError):
        read_model_bytes(truncated.read_bytes(), {})
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.joblib"
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(zlib.error):
        read_model_bytes(damaged.read_bytes(), {})


def test_an_array_larger_than_the_file_is_refused_before_allocating(tmp_path):
    """A forged shape must not make the reader allocate terabytes."""
    record = joblib.numpy_pickle.NumpyArrayWrapper(np.ndarray, (10**12,), "C", np.dtype("float64"))
    path = tmp_path / "forged.joblib"
    path.write_bytes(pickle.dumps(record, protocol=4) + bytes(64))
    with pytest.raises(EOFError):
        read_model_bytes(path.read_bytes(), {})


def test_a_decompression_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.joblib"
    path.write_bytes(zlib.compress(b"\x80\x04" + b"N" * (MAX_DECOMPRESSED_BYTES + 10), 9))
    with pytest.raises(MemoryError):
        read_model_bytes(path.read_bytes(), {})


def test_the_store_still_loads_a_trusted_file_only_joblib_can_read(tmp_path):
    """A confirmed file written with another compression falls back to joblib (after the trust check)."""
    bundled = joblib.load(load_model("binary").metadata_["path"])
    path = tmp_path / "lzma.joblib"
    joblib.dump(bundled, path, compress=("lzma", 3))
    clf = load_model("binary", path, trusted=True)
    assert clf.predict_proba(np.zeros((1, 784))).shape == (1, 2)


def test_the_store_refuses_foreign_code_even_in_a_file_the_user_trusts(tmp_path):
    """No Digit Canvas model names other code, so such a file is refused, never run, even after Yes."""
    from model import ModelFileError

    marker = tmp_path / "ran"
    path = tmp_path / "shared.joblib"
    joblib.dump({"format": "digit-canvas-model", "estimator": _Payload(str(marker))}, path, compress=3)
    with pytest.raises(ModelFileError, match=r"refers to code .*posix\.system|refers to code .*os\.system"):
        load_model("binary", path, trusted=True)
    assert not marker.exists()
