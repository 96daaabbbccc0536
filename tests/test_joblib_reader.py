"""The restricted model-file reader: the same data as joblib.load, and nothing a file names is run."""

from __future__ import annotations

import os
import pickle
import time
import zlib
from pathlib import Path

import joblib
import numpy as np
import pytest
from hostile_files import Payload, builders, bundled_payload, dumped

from model import BinaryLogisticRegression, ModelFileError, OneVsRestLogisticRegression, load_model
from model.joblib_reader import (
    MAX_DECOMPRESSED_BYTES,
    ForeignCode,
    ModelDataError,
    TooLarge,
    Truncated,
    read_model_bytes,
)
from model.schema import LEGACY_CLASSES

FIXTURES = Path(__file__).parent / "fixtures"


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


@pytest.mark.parametrize("compress", [0, 3, 9, ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3)])
def test_reads_what_joblib_writes_exactly_as_joblib_does(tmp_path, compress):
    payload = {"arrays": _arrays(), "numbers": [1, 2.5, None, True, 2**70], "text": "é" * 300}
    payload["scalar"] = np.float64(2.0)
    path = tmp_path / "payload.joblib"
    joblib.dump(payload, path, compress=compress)
    ours, theirs = read_model_bytes(path.read_bytes()), joblib.load(path)
    assert ours.keys() == theirs.keys()
    assert ours["numbers"] == theirs["numbers"] and ours["text"] == theirs["text"]
    assert ours["scalar"] == theirs["scalar"]
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


def test_the_bundled_models_hold_data_only():
    """No app class and no object array in the shipped files: joblib.load gives dicts and arrays."""
    for kind in ("binary", "ovr"):
        payload = bundled_payload(kind)
        assert payload["format_version"] == 2
        seen = []

        def walk(value, seen=seen):
            if isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
            else:
                seen.append(type(value))

        walk(payload)
        assert set(seen) <= {str, int, float, bool, type(None), np.ndarray}, kind


@pytest.mark.parametrize("kind", ["binary", "ovr"])
def test_files_of_the_previous_version_load_as_the_same_model(tmp_path, kind):
    """The previous version pickled the estimators; such files still load, through the same checks.

    ``legacy-*`` are the bundled models as the previous version wrote them, ``resaved-*`` the same models
    saved in the data form.
    """
    old = tmp_path / f"old-{kind}.joblib"
    old.write_bytes((FIXTURES / f"legacy-{kind}.joblib").read_bytes())
    new = tmp_path / f"new-{kind}.joblib"
    new.write_bytes((FIXTURES / f"resaved-{kind}.joblib").read_bytes())
    from_old, bundled = load_model(kind, old, trusted=True), load_model(kind, new, trusted=True)
    X = np.random.default_rng(0).random((20, 784)).astype(np.float32)
    np.testing.assert_array_equal(from_old.predict_proba(X), bundled.predict_proba(X))
    assert from_old.get_params() == bundled.get_params()
    assert from_old.metadata_["test_accuracy"] == bundled.metadata_["test_accuracy"]


def test_a_saved_model_round_trips_as_data(tmp_path):
    from model.store import build_metadata, dump_model_file

    rng = np.random.default_rng(1)
    y = np.arange(60) % 2
    clf = BinaryLogisticRegression(max_iter=3).fit(rng.random((60, 784)), y)
    path = tmp_path / "m.joblib"
    dump_model_file(path, clf, build_metadata("binary", clf))
    data = read_model_bytes(path.read_bytes())["estimator"]
    assert data["class"] == "BinaryLogisticRegression" and data["params"] == clf.get_params()
    loaded = load_model("binary", path, trusted=True)
    assert type(loaded) is BinaryLogisticRegression
    np.testing.assert_array_equal(loaded.coef_, clf.coef_)
    assert loaded.loss_curve_ == clf.loss_curve_


def test_a_file_that_names_other_code_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(ForeignCode, match=r"io\.open"):
        read_model_bytes(dumped({"estimator": Payload(marker)}), LEGACY_CLASSES)
    assert not marker.exists()


@pytest.mark.parametrize(
    "case",
    [
        "object array before the payload",
        "protocol 0 pickle",
        "gzip with a payload",
        "bz2 with a payload",
        "xz with a payload",
        "lzma with a payload",
    ],
)
def test_break_1_nothing_is_handed_to_joblib_even_when_trusted(tmp_path, case):
    """The old reader passed these to joblib.load after a Yes, and their payload ran."""
    marker = tmp_path / "ran"
    path = tmp_path / "shared.joblib"
    path.write_bytes(builders(marker)[case])
    with pytest.raises(ModelFileError) as info:
        load_model("binary", path, trusted=True)
    assert not marker.exists()
    assert str(info.value).count(". ") == 0 and str(info.value).endswith(".")


def test_break_1_nothing_in_the_project_calls_joblib_or_pickle_load():
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for package in ("app", "model", "training", "benchmarks"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for call in ("joblib.load(", "pickle.load(", "pickle.loads(", "pickle.Unpickler", "_Unpickler"):
                if call in text:
                    offenders.append(f"{path.relative_to(root)}: {call}")
    assert offenders == []


@pytest.mark.parametrize("case", ["object ndarray from raw bytes", "dtype with a malformed state"])
def test_break_2_numpy_globals_cannot_be_fed_crafted_state(tmp_path, case):
    with pytest.raises(ModelDataError):
        read_model_bytes(builders(tmp_path / "ran")[case], LEGACY_CLASSES)


def test_break_4_a_build_on_a_class_is_refused_and_changes_nothing(tmp_path):
    before = dict(vars(OneVsRestLogisticRegression))
    with pytest.raises(ModelDataError, match="changes an object"):
        read_model_bytes(builders(tmp_path / "ran")["BUILD on the estimator class"], LEGACY_CLASSES)
    assert dict(vars(OneVsRestLogisticRegression)) == before
    assert load_model("ovr").predict_proba(np.zeros((1, 784))).shape == (1, 10)


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("shared nested lists", "metadata"),
        ("shared nested lists as an estimator's value", "n_features_in_ must be a whole number"),
    ],
)
def test_break_5_shared_references_are_refused_at_once(tmp_path, case, words):
    """The old reader built the repr of such a value (2**40 paths) for its message and never ended."""
    path = tmp_path / "shared.joblib"
    path.write_bytes(builders(tmp_path / "ran")[case])
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match=words) as info:
        load_model("binary", path, trusted=True)
    assert time.perf_counter() - start < 1.0 and len(str(info.value)) < 300


def test_break_5_a_wide_graph_of_shared_references_is_refused_too(tmp_path):
    """Depth alone is not the guard: 18 levels of 12 shared references each is 12**18 paths."""
    node: list = []
    for _ in range(18):
        node = [node] * 12
    payload = {**bundled_payload("binary")}
    payload["metadata"] = {**payload["metadata"], "x": node}
    path = tmp_path / "wide.joblib"
    path.write_bytes(dumped(payload))
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match="more values than any model file"):
        load_model("binary", path, trusted=True)
    assert time.perf_counter() - start < 1.0


def test_break_6_arrays_and_feature_maps_larger_than_a_model_are_refused_before_allocating(tmp_path):
    cases = builders(tmp_path / "ran")
    with pytest.raises(TooLarge):
        read_model_bytes(cases["huge declared array"])
    with pytest.raises(ModelDataError, match="calls something"):
        read_model_bytes(cases["uninitialised array of 8 GB"])
    path = tmp_path / "features.joblib"
    path.write_bytes(cases["feature map of 100,000 components"])
    with pytest.raises(ModelFileError, match="n_components"):
        load_model("ovr", path, trusted=True)


def test_break_6_the_feature_maps_cache_is_bounded():
    from model.features import _pairs

    assert _pairs.cache_info().maxsize is not None


def test_damaged_files_raise_instead_of_returning_half_a_model():
    raw = dumped({"a": np.arange(10_000.0)})
    with pytest.raises(Truncated):
        read_model_bytes(raw[: len(raw) // 2])
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0xFF
    with pytest.raises(ModelDataError):
        read_model_bytes(bytes(flipped))


def test_a_decompression_bomb_is_refused():
    with pytest.raises(TooLarge):
        read_model_bytes(zlib.compress(b"\x80\x04" + b"N" * (MAX_DECOMPRESSED_BYTES + 10), 9))


def test_streams_that_would_take_long_or_nest_deep_are_refused_quickly():
    for stream in (
        b"\x80\x04" + b"N0" * 600_000 + b"N.",  # many operations
        b"\x80\x04" + b"(" * 200_000 + b".",  # deep nesting
        b"\x80\x04\x8a\xff" + bytes(255) + b".",  # a 2,040-bit integer
    ):
        start = time.perf_counter()
        with pytest.raises(TooLarge):
            read_model_bytes(stream)
        assert time.perf_counter() - start < 1.0


def test_pickled_callables_and_classes_are_never_resolved(tmp_path):
    """Even a legacy class named by the file is a record, never the class: nothing to call or patch."""
    for value in (os.system, BinaryLogisticRegression, np.ndarray):
        with pytest.raises(ModelDataError):
            read_model_bytes(pickle.dumps(value, protocol=4), LEGACY_CLASSES)
