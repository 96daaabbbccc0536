"""Model files: atomic saving, digests, trusted locations, and clear refusals of broken files."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from broken_models import payload_bytes, pickled_by_old_sklearn, plant_user_model

from model import (
    BinaryLogisticRegression,
    ModelFileError,
    UntrustedModelError,
    bundled_model_path,
    load_model,
    reset_to_bundled,
    save_model,
    store,
    user_model_path,
)
from model.paths import user_model_dir
from model.store import FORMAT, build_metadata, dump_model_file, read_index


@pytest.fixture
def binary_model():
    rng = np.random.default_rng(0)
    y = np.arange(100) % 2
    X = np.clip(rng.random((100, 784)) * 0.5 + y[:, None] * 0.3, 0, 1)
    return BinaryLogisticRegression(max_iter=5).fit(X, y)


def test_bundled_models_load_with_metadata():
    for kind, n_classes in (("binary", 2), ("ovr", 10)):
        clf = load_model(kind)
        assert clf.metadata_["kind"] == kind
        assert clf.metadata_["path"] == str(bundled_model_path(kind))
        assert clf.predict_proba(np.zeros((1, 784))).shape == (1, n_classes)
        for key in ("classes", "params", "n_train", "test_accuracy", "versions", "created"):
            assert key in clf.metadata_, key
        assert bundled_model_path(kind).stat().st_size < 3_000_000


def test_saved_model_becomes_current_and_digest_is_recorded(binary_model):
    meta = build_metadata("binary", binary_model, test_accuracy=0.5)
    path = save_model("binary", binary_model, meta)
    assert path.parent == user_model_dir()
    assert user_model_path("binary") == path
    index = read_index()
    assert index["binary"]["file"] == path.name
    assert len(index["binary"]["sha256"]) == 64
    loaded = load_model("binary")
    assert loaded.metadata_["test_accuracy"] == 0.5
    np.testing.assert_array_equal(loaded.coef_, binary_model.coef_)
    # a second save keeps exactly one previous model and no stray files
    second = save_model("binary", binary_model, meta)
    assert read_index()["binary.previous"]["file"] == path.name
    third = save_model("binary", binary_model, meta)
    files = sorted(p.name for p in user_model_dir().iterdir() if p.name != ".lock")
    assert files == sorted([second.name, third.name, "index.json"])
    reset_to_bundled("binary")
    assert user_model_path("binary") is None
    assert load_model("binary").metadata_["path"] == str(bundled_model_path("binary"))


def _corrupt_cases(good_bytes: bytes, binary_model) -> dict[str, bytes]:
    wrong_features = BinaryLogisticRegression(max_iter=2)
    wrong_features.coef_ = np.zeros((1, 10))
    wrong_features.intercept_ = np.zeros(1)
    wrong_features.classes_ = np.array([0, 1])
    wrong_features.n_features_in_ = 10

    wrong_classes = pickle.loads(pickle.dumps(binary_model))
    wrong_classes.classes_ = np.array([3, 8])
    return {
        "empty": b"",
        "truncated": good_bytes[: len(good_bytes) // 2],
        "random bytes": np.random.default_rng(0).bytes(5000),
        "wrong type": pickle.dumps({"format": FORMAT, "format_version": 1, "metadata": {}, "estimator": 3}),
        "plain list": pickle.dumps([1, 2, 3]),
        "wrong kind": payload_bytes("ovr", binary_model),
        "wrong features": payload_bytes("binary", wrong_features),
        "wrong classes": payload_bytes("binary", wrong_classes),
    }


def test_every_kind_of_broken_file_is_refused_with_one_sentence(binary_model, tmp_path):
    good = tmp_path / "good.joblib"
    dump_model_file(good, binary_model, build_metadata("binary", binary_model))
    for name, data in _corrupt_cases(good.read_bytes(), binary_model).items():
        path = tmp_path / f"{name.replace(' ', '-')}.joblib"
        path.write_bytes(data)
        with pytest.raises(ModelFileError) as info:
            load_model("binary", path, trusted=True)
        message = str(info.value)
        assert path.name in message, (name, message)
        assert message.count("\n") == 0, (name, message)


def test_a_changed_file_in_the_model_folder_is_refused_and_not_overwritten(binary_model):
    path = save_model("binary", binary_model, build_metadata("binary", binary_model))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="digest"):
        load_model("binary")
    assert path.read_bytes() == bytes(data)  # left for the user to inspect, never replaced silently


def test_the_bytes_checked_against_the_digest_are_the_bytes_loaded(binary_model, monkeypatch):
    """One read per load: a file changed between the digest check and the unpickling cannot slip in."""
    path = save_model("binary", binary_model, build_metadata("binary", binary_model))
    good = path.read_bytes()
    changed = good[: len(good) // 2]  # what a second read would see if the file were changed meanwhile
    reads = []

    def read_then_change(p):
        reads.append(p)
        return good if len(reads) == 1 else changed

    monkeypatch.setattr(store, "read_file_bytes", read_then_change)
    clf = load_model("binary")
    assert reads == [path]
    np.testing.assert_array_equal(clf.coef_, binary_model.coef_)


def test_a_model_file_that_cannot_be_read_is_explained(binary_model, monkeypatch):
    save_model("binary", binary_model, build_metadata("binary", binary_model))

    def denied(p):
        raise PermissionError(13, "Permission denied", str(p))

    monkeypatch.setattr(store, "read_file_bytes", denied)
    with pytest.raises(ModelFileError, match=r"could not be read \(Permission denied\)\.$"):
        load_model("binary")


def test_files_from_elsewhere_are_untrusted_until_confirmed(binary_model, tmp_path):
    outside = tmp_path / "downloaded.joblib"
    dump_model_file(outside, binary_model, build_metadata("binary", binary_model))
    with pytest.raises(UntrustedModelError, match="outside the app's model folder"):
        load_model("binary", outside)
    assert load_model("binary", outside, trusted=True).metadata_["path"] == str(outside)
    # a file dropped into the model folder without being recorded is not trusted either
    folder = user_model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    planted = folder / "binary-planted.joblib"
    planted.write_bytes(outside.read_bytes())
    with pytest.raises(UntrustedModelError, match="not one the app saved"):
        load_model("binary", planted)


def test_a_corrupt_index_falls_back_to_the_bundled_model(binary_model):
    save_model("binary", binary_model, build_metadata("binary", binary_model))
    (user_model_dir() / "index.json").write_text("{not json", encoding="utf-8")
    assert load_model("binary").metadata_["path"] == str(bundled_model_path("binary"))


def test_resetting_with_a_damaged_index_deletes_no_model(binary_model):
    """A damaged index does not say which files are the user's: resetting keeps them all, unlisted."""
    saved = save_model("binary", binary_model, build_metadata("binary", binary_model))
    again = save_model("binary", binary_model, build_metadata("binary", binary_model))
    kept = {p.name: p.read_bytes() for p in (saved, again)}
    index = user_model_dir() / "index.json"
    index.write_text("{not json", encoding="utf-8")
    reset_to_bundled("binary")
    unlisted = user_model_dir() / "unlisted"
    assert {p.name: p.read_bytes() for p in unlisted.glob("*.joblib")} == kept
    assert (unlisted / "index.json.bad").read_text(encoding="utf-8") == "{not json"
    assert read_index() == {} and load_model("binary").metadata_["path"] == str(bundled_model_path("binary"))


def test_a_failed_save_leaves_the_previous_model_in_place(binary_model, monkeypatch):
    first = save_model("binary", binary_model, build_metadata("binary", binary_model))
    before = first.read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(joblib, "dump", explode)
    with pytest.raises(OSError, match="disk full"):
        save_model("binary", binary_model, build_metadata("binary", binary_model))
    assert user_model_path("binary") == first
    assert first.read_bytes() == before
    assert sorted(p.name for p in user_model_dir().iterdir() if p.name != ".lock") == sorted(
        [first.name, "index.json"]
    )
    assert load_model("binary").metadata_["path"] == str(first)


def test_unknown_kind_is_explained():
    with pytest.raises(ValueError, match="unknown model kind"):
        load_model("cnn")


@pytest.mark.parametrize(
    "shape",
    [
        {"binary": "file"},
        {"binary": {"file": "binary-1.joblib", "sha256": None}},
        {"binary": {}},
        {"binray": {"file": "binary-1.joblib", "sha256": "0" * 64}},
        {"binary": {"file": "binary-1.joblib", "sha256": "0" * 64}, "garbage": 3},
        {"binary": {"file": "../binary-1.joblib", "sha256": "0" * 64}},
        [1, 2],
    ],
)
def test_break_7_an_index_of_another_shape_is_damaged_and_the_next_save_deletes_nothing(binary_model, shape):
    first = save_model("binary", binary_model, build_metadata("binary", binary_model))
    second = save_model("binary", binary_model, build_metadata("binary", binary_model))
    kept = {p.name: p.read_bytes() for p in (first, second)}
    index_path = user_model_dir() / "index.json"
    index_path.write_text(json.dumps(shape))
    assert store.index_is_damaged() and read_index() == {}
    assert load_model("binary").metadata_["path"] == str(bundled_model_path("binary"))
    third = save_model("binary", binary_model, build_metadata("binary", binary_model))
    unlisted = user_model_dir() / "unlisted"
    assert {p.name: p.read_bytes() for p in unlisted.glob("*.joblib")} == kept
    assert json.loads((unlisted / "index.json.bad").read_text()) == shape
    assert read_index() == {"binary": {"file": third.name, "sha256": store.file_sha256(third)}}


def test_a_model_file_the_index_never_named_is_moved_aside_not_deleted(binary_model):
    folder = user_model_dir()
    folder.mkdir(parents=True)
    stray = folder / "binary-from-a-backup.joblib"
    stray.write_bytes(b"the user's")
    save_model("binary", binary_model, build_metadata("binary", binary_model))
    assert (folder / "unlisted" / stray.name).read_bytes() == b"the user's"


def test_an_index_that_is_a_fifo_or_huge_counts_as_damaged_without_hanging(binary_model):
    folder = user_model_dir()
    folder.mkdir(parents=True)
    os.mkfifo(folder / "index.json")
    assert store.index_is_damaged()
    assert load_model("binary").metadata_["path"] == str(bundled_model_path("binary"))
    (folder / "index.json").unlink()
    (folder / "index.json").write_text(" " * (store.MAX_INDEX_BYTES + 1) + "{}")
    assert store.index_is_damaged()


def test_break_14_an_index_naming_a_missing_file_falls_back_to_the_bundled_model():
    plant_user_model("binary", None, digest="0" * 64)
    clf = load_model("binary")
    assert clf.metadata_["path"] == str(bundled_model_path("binary"))
    reason = clf.metadata_["fallback_reason"]
    assert "binary-20260101T000000000000Z.joblib is missing" in reason and reason.count(". ") == 0


def test_a_file_of_the_previous_version_is_rewritten_as_data_at_the_next_save(binary_model):
    legacy = (Path(__file__).parent / "fixtures" / "legacy-binary.joblib").read_bytes()
    plant_user_model("binary", legacy)
    assert load_model("binary").metadata_["n_train"] == 12665
    save_model("binary", binary_model, build_metadata("binary", binary_model))
    previous = read_index()["binary.previous"]
    upgraded = user_model_dir() / previous["file"]
    assert joblib.load(upgraded)["format_version"] == store.FORMAT_VERSION
    assert store.file_sha256(upgraded) == previous["sha256"]
    old = load_model("binary", upgraded)
    assert old.metadata_["n_train"] == 12665 and old.predict_proba(np.zeros((1, 784))).shape == (1, 2)


_SAVER = """
import sys
from model import load_model, save_model
from model.store import build_metadata
clf = load_model("binary")
failures = 0
for i in range(int(sys.argv[1])):
    try:
        save_model("binary", clf, build_metadata("binary", clf))
    except Exception as exc:
        failures += 1
        print(type(exc).__name__, exc, file=sys.stderr)
print(failures)
"""

_READER = """
import sys, time
from model import load_model
bad = 0
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    clf = load_model("binary")
    if "fallback_reason" in clf.metadata_:
        bad += 1
print(bad)
"""


def test_break_8_processes_saving_at_once_all_succeed_and_readers_never_miss_a_file(tmp_path):
    env = {**os.environ, "DIGIT_CANVAS_HOME": str(tmp_path / "home")}
    first = subprocess.run([sys.executable, "-c", _SAVER, "1"], env=env, capture_output=True, text=True)
    assert first.stdout.strip() == "0", first.stderr
    savers = [
        subprocess.Popen([sys.executable, "-c", _SAVER, "25"], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, "4"], env=env, stdout=subprocess.PIPE, text=True
    )
    failures = [int(p.communicate(timeout=120)[0]) for p in savers]
    assert failures == [0, 0, 0]
    assert int(reader.communicate(timeout=120)[0]) == 0
    folder = tmp_path / "home" / "models"
    index = json.loads((folder / "index.json").read_text())
    assert all((folder / entry["file"]).is_file() for entry in index.values())
    assert sorted(p.name for p in folder.glob("*.joblib")) == sorted(e["file"] for e in index.values())


def test_an_old_file_with_an_attribute_this_version_does_not_know_is_refused(binary_model, tmp_path):
    """An estimator pickled with state the schema does not declare is refused, not half-loaded."""
    path = tmp_path / "old.joblib"
    path.write_bytes(payload_bytes("binary", pickled_by_old_sklearn(binary_model)))
    with pytest.raises(ModelFileError, match=r"attribute this version does not know \(_sklearn_version\)"):
        load_model("binary", path, trusted=True)


def test_a_model_path_that_is_a_fifo_or_too_large_is_refused_unread(tmp_path):
    fifo = tmp_path / "pipe.joblib"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match=r"pipe\.joblib is not a regular file\.$"):
        load_model("binary", fifo, trusted=True)
    with pytest.raises(UntrustedModelError):  # without trust, not even opened
        load_model("binary", fifo)
    big = tmp_path / "big.joblib"
    with open(big, "wb") as fh:
        fh.truncate(store.MAX_MODEL_FILE_BYTES + 1)
    with pytest.raises(ModelFileError, match="larger than 64 MB"):
        load_model("binary", big, trusted=True)
