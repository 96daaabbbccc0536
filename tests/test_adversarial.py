"""Hostile files of every class through every entry point, each case in its own process.

Each case runs ``tests/adversary.py`` in a child with a fresh data folder and a fake ``gs`` first on
its PATH, and checks what the README promises: the payload never ran (its marker file and the fake
Ghostscript's never appear), no signal ended the process, it took seconds at most and bounded
memory, the person sees one sentence, and their files are as they were. A good model file and a
good picture go through the same entry points as controls, so the checks can tell success from
refusal. The pickle fuzzer at the end feeds the reader random opcode streams built from exactly the
globals it allows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from broken_models import one_sentence
from hostile_files import blank_png, builders, fake_ghostscript, postscript
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from model.store import bundled_model_path

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "adversary.py"
MAX_SECONDS = 5.0
MAX_PEAK_MB = {"api": 300, "gui": 400}  # a fresh interpreter takes ~35 MB, the window ~100 MB

MODEL_ENTRIES = ("load_model", "load_model trusted", "planted, app started", "open model file after Yes")
INDEXES = {  # index.json contents that are not the app's index
    "a string entry": '{"binary": "binary-1.joblib"}',
    "a null digest": '{"binary": {"file": "binary-1.joblib", "sha256": null}}',
    "a renamed key": '{"binray": {"file": "binary-1.joblib", "sha256": "' + "0" * 64 + '"}}',
    "not JSON": "{not json",
    "a path out of the folder": '{"binary": {"file": "../../x.joblib", "sha256": "' + "0" * 64 + '"}}',
}
PICTURE_ENTRIES = ("File > Open image", "drop", "command-line argument", "sample import")


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """Every hostile file, written once; the markers are shared, so any run of any payload shows."""
    folder = tmp_path_factory.mktemp("hostile")
    marker = folder / "payload-ran"
    files: dict[str, Path] = {"marker": marker}
    for i, (name, data) in enumerate(builders(marker).items()):
        path = folder / f"model-{i}.joblib"
        path.write_bytes(data)
        files[f"model: {name}"] = path
    files["model: a good model (control)"] = bundled_model_path("binary")
    pictures = {
        "PostScript named digit.png": postscript(marker),
        "PNG of 9400x9400 pixels": blank_png(9400),
        "16-bit PNG of 6000x6000 pixels": blank_png(6000, bit_depth=16),
        "truncated PNG": blank_png(200)[:60],
        "model file named digit.png": bundled_model_path("ovr").read_bytes(),
    }
    for i, (name, data) in enumerate(pictures.items()):
        path = folder / f"picture-{i}" / "digit.png"
        path.parent.mkdir()
        path.write_bytes(data)
        files[f"picture: {name}"] = path
    if hasattr(os, "mkfifo"):
        fifo = folder / "fifo" / "digit.png"
        fifo.parent.mkdir()
        os.mkfifo(fifo)
        files["picture: FIFO named digit.png"] = fifo
    for i, (name, text) in enumerate(INDEXES.items()):
        path = folder / f"index-{i}.json"
        path.write_text(text)
        files[f"index: {name}"] = path
    good = folder / "good" / "seven.png"
    good.parent.mkdir()
    img = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(img).line([(40, 30), (160, 30), (90, 180)], fill=0, width=16)
    img.save(good)
    files["picture: a good picture (control)"] = good
    return files


def _cases() -> list[tuple[str, str]]:
    model_names = [f"model: {name}" for name in builders(Path("/nonexistent"))]
    model_names.append("model: a good model (control)")
    picture_names = [
        "picture: " + name
        for name in (
            "PostScript named digit.png",
            "PNG of 9400x9400 pixels",
            "16-bit PNG of 6000x6000 pixels",
            "truncated PNG",
            "model file named digit.png",
            "FIFO named digit.png",
            "a good picture (control)",
        )
    ]
    cases = [(name, entry) for name in model_names for entry in (*MODEL_ENTRIES, "File > Open image")]
    cases += [
        (name, entry) for name in picture_names for entry in (*PICTURE_ENTRIES, "open model file after Yes")
    ]
    cases += [(f"index: {name}", "index planted, app started") for name in INDEXES]
    return cases


def _kind(case: str) -> str:
    return "ovr" if "class" in case or "feature map" in case else "binary"


@pytest.mark.slow
@pytest.mark.parametrize(("case", "entry"), _cases(), ids=[f"{c} -> {e}" for c, e in _cases()])
def test_a_hostile_file_through_an_entry_point(hostile, tmp_path, case, entry):
    if case not in hostile:
        pytest.skip("this platform has no FIFOs")
    path = hostile[case]
    marker = (
        path.parent / "payload-ran"
        if case.startswith("picture")
        else next(iter(hostile.values())).parent / "payload-ran"
    )
    gs_marker = tmp_path / "ghostscript-ran"
    home = tmp_path / "home"
    before = None if path.is_fifo() else path.read_bytes()
    env = {
        **os.environ,
        "DIGIT_CANVAS_HOME": str(home),
        "PATH": f"{fake_ghostscript(tmp_path / 'bin', gs_marker)}{os.pathsep}{os.environ['PATH']}",
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("DIGIT_CANVAS_STARTUP_PROBE", None)
    result = subprocess.run(
        [sys.executable, str(DRIVER), entry, str(path), _kind(case)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=HERE.parent,
    )
    assert result.returncode == 0, (
        f"status {result.returncode} (negative: killed by a signal): {result.stderr[-2000:]}"
    )
    assert not marker.exists() and not gs_marker.exists(), "the file ran code"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    message = report["message"]
    gui = entry not in ("load_model", "load_model trusted", "sample import")
    assert report["seconds"] < MAX_SECONDS, report
    assert report["peak_mb"] < MAX_PEAK_MB["gui" if gui else "api"], report
    if before is not None:
        assert path.read_bytes() == before  # the file itself is never changed
    control = case.endswith("(control)")
    expect_success = control and (
        (case.startswith("model") and entry in MODEL_ENTRIES)
        or (case.startswith("picture") and entry in PICTURE_ENTRIES)
    )
    if case == "picture: model file named digit.png" and entry == "open model file after Yes":
        expect_success = True  # it is a good model file: the name does not matter
    if entry == "load_model":
        expected = "is outside the app's model folder"
        if path.parent == bundled_model_path("binary").parent:
            expected = "loaded"
        assert expected in message
        return
    if entry in ("planted, app started", "index planted, app started"):
        assert report["models_intact"]  # nothing in the model folder was changed, moved or deleted
        models = home / "models"
        if expect_success:
            assert report["banner"] == "" and report["model_path"].startswith(str(models))
        else:
            assert report["model_path"] == str(bundled_model_path(_kind(case)))
            words = (
                "is damaged, so the bundled" if case.startswith("index") else "could not be loaded, so the"
            )
            assert words in message and one_sentence(message), message
        return
    if expect_success:
        assert message in ("loaded", "opened", "imported 1"), report
        return
    assert one_sentence(message) and len(message) < 400, message
    if entry == "sample import":
        assert report["samples"] == 0


# --------------------------------------------------------------------------------- the fuzzer

# The vocabulary of the reader: each entry is a snippet of pickle opcodes; the globals are exactly
# the ones it resolves (and one it must refuse), so random streams explore what an attacker can say.
_TEXTS = ["shape", "dtype", "subclass", "order", "C", "F", "f8", "O8", "<", "|", "kind", "classes_"]


def _text(s: str) -> bytes:
    return b"\x8c" + bytes([len(s)]) + s.encode()


def _global(module: str, name: str) -> bytes:
    return _text(module) + _text(name) + b"\x93"


_SNIPPETS = [
    *(_text(t) for t in _TEXTS),
    _global("joblib.numpy_pickle", "NumpyArrayWrapper"),
    _global("numpy", "ndarray"),
    _global("numpy", "dtype"),
    _global("numpy._core.multiarray", "scalar"),
    _global("model.binary", "BinaryLogisticRegression"),
    _global("model.ovr", "OneVsRestLogisticRegression"),
    _global("model.features", "MnistFeatureMap"),
    _global("builtins", "eval"),
    b"N",
    b"\x88",
    b"\x89",
    b"K\x03",
    b"K\x10",
    b"J\xff\xff\xff\xff",
    b"\x8a\x05" + (10**10).to_bytes(5, "little"),
    b"G" + b"\x7f\xf8" + bytes(6),
    b"C\x08AAAAAAAA",
    b"(",
    b"t",
    b")",
    b"\x85",
    b"\x86",
    b"\x87",
    b"]",
    b"a",
    b"e",
    b"}",
    b"s",
    b"u",
    b"\x94",
    b"h\x00",
    b"h\x01",
    b"R",
    b"\x81",
    b"b",
    b"0",
    bytes(16),
]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_SNIPPETS), max_size=60), st.sampled_from([b".", b""]))
def test_random_pickle_streams_over_the_allowed_globals_only_ever_raise_model_data_error(snippets, end):
    from model.joblib_reader import ModelDataError, read_model_bytes
    from model.schema import LEGACY_CLASSES

    stream = b"\x80\x04" + b"".join(snippets) + end
    try:
        value = read_model_bytes(stream, LEGACY_CLASSES)
    except ModelDataError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 200
        return
    _assert_inert(value)


def _assert_inert(value, depth: int = 0) -> None:
    """What the reader returns is data and records, never a class, function or numpy object array."""
    import numpy as np

    from model import joblib_reader
    from model.joblib_reader import LegacyObject

    if depth > 100:
        return
    if isinstance(value, np.ndarray):
        assert value.dtype.kind in "biuf"
    elif isinstance(value, dict | list | tuple):
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            _assert_inert(item, depth + 1)
    elif isinstance(value, LegacyObject):
        _assert_inert(value.state, depth + 1)
    else:  # plain values, or the reader's own inert stand-ins for the globals a file named
        assert not callable(value) and not isinstance(value, type), type(value)
        inert = (str, bytes, int, float, type(None), *joblib_reader.INERT_TYPES)
        assert isinstance(value, inert), type(value)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_mutated_model_files_load_or_give_one_sentence(data, tmp_path_factory):
    """Bytes of the real model files, flipped and cut at random: a valid model or one sentence."""
    from model import ModelFileError, load_model

    kind = data.draw(st.sampled_from(["binary", "ovr"]))
    raw = bytearray(bundled_model_path(kind).read_bytes())
    inner = bytearray(zlib.decompress(bytes(raw)))
    for _ in range(data.draw(st.integers(1, 4))):
        inner[data.draw(st.integers(0, len(inner) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(inner) // 2, len(inner)))
    path = tmp_path_factory.mktemp("mutated") / "m.joblib"
    path.write_bytes(zlib.compress(bytes(inner[:cut]), 1))
    try:
        model = load_model(kind, path, trusted=True)
    except ModelFileError as exc:
        assert one_sentence(" ".join(str(exc).split())), str(exc)
        return
    assert model.predict_proba(__import__("numpy").zeros((1, 784))).shape[1] in (2, 10)
