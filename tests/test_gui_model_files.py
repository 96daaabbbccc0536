"""Model files in the window: broken user models at startup and on switch, and Model > Open model file…

A broken model of the user's must leave the app running on the bundled model with one sentence of
explanation, and the broken file must stay exactly as it was. A model file from elsewhere is loaded only
after the person confirms a warning whose default is No; a file whose recorded digest no longer matches
is refused outright.
"""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from broken_models import one_sentence, payload_bytes, pickled_by_old_sklearn, plant_user_model
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox
from windows import new_window

import model.store as store
from app.window.main_window import MainWindow
from model import bundled_model_path, load_model, save_model
from model.paths import user_model_dir
from model.store import build_metadata, dump_model_file

pytestmark = pytest.mark.gui

SEVEN = [(120.0, 80.0), (290.0, 80.0), (180.0, 330.0)]  # document units (the canvas is 400 wide)
ONE = [(200.0, 70.0), (200.0, 330.0)]


def read_digit(win: MainWindow, stroke) -> int | None:
    win.canvas.clear()
    win.canvas.add_stroke(stroke)
    win.predictor.flush()
    return win.prediction_view.digit()


def status(win: MainWindow) -> str:
    return win.findChild(QLabel, "modelStatus").text()


# ------------------------------------------------------------------------------- broken user models


def _changed(estimator, **attrs):
    copy = pickle.loads(pickle.dumps(estimator))
    for name, value in attrs.items():
        setattr(copy, name, value)
    return copy


def _broken_bytes(case: str, kind: str) -> bytes:
    good = bundled_model_path(kind).read_bytes()
    est = load_model(kind)
    n_classes = len(est.classes_)
    return {
        "empty": lambda: b"",
        "truncated": lambda: good[: len(good) // 2],
        "random bytes": lambda: np.random.default_rng(len(kind)).bytes(5000),
        "wrong type pickle": lambda: pickle.dumps({"weights": [1, 2, 3]}),
        "estimator is a number": lambda: payload_bytes(kind, 3),
        "wrong features": lambda: payload_bytes(kind, _changed(est, n_features_in_=100)),
        "wrong classes": lambda: payload_bytes(kind, _changed(est, classes_=np.arange(n_classes) + 3)),
        "strange attribute": lambda: payload_bytes(kind, _changed(est, n_features_in_=np.array([784, 784]))),
        "incompatible scikit-learn": lambda: payload_bytes(kind, pickled_by_old_sklearn(est)),
        "other kind": lambda: payload_bytes(
            "binary" if kind == "ovr" else "ovr", load_model("binary" if kind == "ovr" else "ovr")
        ),
    }[case]()


CASES = [
    "empty",
    "truncated",
    "random bytes",
    "wrong type pickle",
    "estimator is a number",
    "wrong features",
    "wrong classes",
    "strange attribute",
    "incompatible scikit-learn",
    "other kind",
    "digest mismatch",
    "missing file",
    "disk error",
]


def _plant(case: str, monkeypatch) -> dict[Path, bytes]:
    """Install a broken user model of both kinds, registered in index.json, and return every file's bytes."""
    folder = user_model_dir()
    contents = {}  # made before any is planted: some cases load the bundled model of the other kind
    for kind in ("ovr", "binary"):
        if case in ("digest mismatch", "disk error"):
            contents[kind] = bundled_model_path(kind).read_bytes()  # a good model...
        elif case == "missing file":
            contents[kind] = None
        else:
            contents[kind] = _broken_bytes(case, kind)
    # A missing file gets a made-up digest; a digest mismatch records one that is not the file's.
    digest = {"missing file": "0" * 64, "digest mismatch": "f" * 64}.get(case)
    for kind, data in contents.items():
        plant_user_model(kind, data, digest=digest)
    if case == "disk error":
        real = store.read_file_bytes

        def failing(path: Path) -> bytes:
            if Path(path).parent == folder:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(store, "read_file_bytes", failing)
    return {p: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("case", CASES)
def test_a_broken_user_model_falls_back_to_the_bundled_one_and_is_kept(qtbot, monkeypatch, case) -> None:
    before = _plant(case, monkeypatch)
    win = new_window(qtbot)  # starts on the 10-class model

    message = win.banner.text()
    assert "Your One-vs-rest (10 digits) model could not be loaded" in message, message
    assert "bundled one is used" in message and one_sentence(message), message
    assert "bundled model" in status(win)
    assert win.predictor.model().metadata_["path"] == str(bundled_model_path("ovr"))
    assert read_digit(win, SEVEN) == 7

    win.action("model:binary").trigger()  # the other kind is broken too: same on a switch
    message = win.banner.text()
    assert "Your Binary 0-vs-1 model could not be loaded" in message and one_sentence(message), message
    assert win.predictor.model().metadata_["path"] == str(bundled_model_path("binary"))
    assert read_digit(win, ONE) == 1
    win.action("model:ovr").trigger()
    assert win.model_kind() == "ovr" and read_digit(win, SEVEN) == 7
    win.close()

    after = {p: p.read_bytes() for p in user_model_dir().iterdir()}
    assert after == before  # nothing overwritten, deleted or added (index.json included)


def test_a_refused_user_model_is_logged_in_one_line_without_a_traceback(qtbot, monkeypatch, caplog) -> None:
    """The window says what happened; the terminal and the log get one line, not a traceback."""
    _plant("random bytes", monkeypatch)
    with caplog.at_level("WARNING", logger="digit_canvas.models"):
        win = new_window(qtbot)
    assert "could not be loaded" in win.banner.text()
    records = [r for r in caplog.records if r.name == "digit_canvas.models"]
    assert records and not any(r.exc_info for r in records), [r.getMessage() for r in records]
    win.close()


def test_a_good_user_model_loads_without_any_message(qtbot) -> None:
    est = load_model("binary")
    path = save_model("binary", est, build_metadata("binary", est, test_accuracy=0.99))
    win = new_window(qtbot, kind="binary")
    assert win.banner.text() == ""
    assert win.predictor.model().metadata_["path"] == str(path)
    assert "your model" in status(win)


# ------------------------------------------------------------------------------ Model > Open model file


def answer_next_dialog(choice: QMessageBox.StandardButton | None, seen: list[QMessageBox]) -> None:
    """Answer the next modal message box: click ``choice``, or press Enter (its default) if None."""
    tries = [0]

    def handle() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            tries[0] += 1
            if tries[0] < 300:
                QTimer.singleShot(10, handle)
            return
        seen.append(box)
        box.setProperty("defaultIsNo", box.defaultButton() is box.button(QMessageBox.StandardButton.No))
        box.setProperty("shownText", box.text())
        if choice is None:
            QTest.keyClick(box, Qt.Key.Key_Return)
        else:
            box.button(choice).click()

    QTimer.singleShot(0, handle)


def choose_file(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def _export(tmp_path: Path, kind: str, name: str | None = None) -> Path:
    est = load_model(kind)
    path = tmp_path / (name or f"shared-{kind}.joblib")
    dump_model_file(path, est, build_metadata(kind, est, test_accuracy=0.5))
    return path


def _code_running_pickle(path: Path, marker: Path) -> None:
    """A file that creates ``marker`` when unpickled: what a malicious model file could do."""

    class Evil:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    path.write_bytes(pickle.dumps(Evil()))


def test_open_model_from_elsewhere_asks_first_and_loads_after_yes(window, qtbot, tmp_path, monkeypatch):
    path = _export(tmp_path, "ovr")
    choose_file(monkeypatch, path)
    seen: list[QMessageBox] = []
    answer_next_dialog(QMessageBox.StandardButton.Yes, seen)
    assert window.action("open_model") in window.menus["model"].actions()
    window.action("open_model").trigger()
    assert len(seen) == 1
    assert seen[0].property("shownText") == (
        "A model file from elsewhere cannot run code here, but it may have been trained to misread. "
        "Only open files from people you trust. "
        "Load shared-ovr.joblib?"
    )
    assert seen[0].property("defaultIsNo")
    assert window.predictor.model().metadata_["path"] == str(path)
    assert "opened from shared-ovr.joblib, for this session" in status(window)
    assert window.banner.text() == ""
    assert read_digit(window, SEVEN) == 7


def test_enter_on_the_warning_means_no_and_nothing_runs(window, qtbot, tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    evil = tmp_path / "cool-model.joblib"
    _code_running_pickle(evil, marker)
    before = window.predictor.model()
    choose_file(monkeypatch, evil)
    seen: list[QMessageBox] = []
    answer_next_dialog(None, seen)  # Enter: the default button
    window.action("open_model").trigger()
    assert len(seen) == 1 and seen[0].property("defaultIsNo")
    assert not marker.exists()  # the file was never unpickled
    assert window.predictor.model() is before
    assert window.banner.text() == ""  # declining is not an error


def test_a_file_holding_the_other_kind_switches_to_it(window, tmp_path, monkeypatch):
    path = _export(tmp_path, "binary")
    window.model_files.confirm = lambda parent, p: True
    choose_file(monkeypatch, path)
    window.action("open_model").trigger()
    assert window.model_kind() == "binary"
    assert window.action("model:binary").isChecked()
    assert window.bars.classes() == [0, 1]
    assert window.predictor.model().metadata_["path"] == str(path)
    assert "opened from shared-binary.joblib" in status(window)
    assert read_digit(window, ONE) == 1
    window.action("model:ovr").trigger()  # the other model is untouched
    assert window.predictor.model().metadata_["path"] == str(bundled_model_path("ovr"))


def _never_ask(calls: list[Path]) -> Callable:
    def confirm(parent, path: Path) -> bool:
        calls.append(path)
        return True

    return confirm


def test_a_recorded_file_in_the_model_folder_loads_without_asking(window, monkeypatch):
    est = load_model("ovr")
    path = save_model("ovr", est, build_metadata("ovr", est, test_accuracy=0.9))
    calls: list[Path] = []
    window.model_files.confirm = _never_ask(calls)
    assert window.model_files.open_file(path)
    assert calls == []
    assert window.predictor.model().metadata_["path"] == str(path)
    assert "your model" in status(window)
    # the bundled file is the app's own too
    assert window.model_files.open_file(bundled_model_path("binary"))
    assert calls == [] and window.model_kind() == "binary" and "bundled model" in status(window)


def test_a_recorded_file_that_changed_is_refused_without_a_choice(window, tmp_path, monkeypatch):
    est = load_model("ovr")
    path = save_model("ovr", est, build_metadata("ovr", est))
    marker = tmp_path / "pwned"
    _code_running_pickle(path, marker)  # replaced behind the app's back
    changed = path.read_bytes()
    calls: list[Path] = []
    window.model_files.confirm = _never_ask(calls)
    before = window.predictor.model()
    choose_file(monkeypatch, path)
    window.action("open_model").trigger()
    message = window.banner.text()
    assert "does not match the digest recorded" in message and one_sentence(message), message
    assert calls == [] and not marker.exists()
    assert window.predictor.model() is before
    assert path.read_bytes() == changed  # refused, not repaired or deleted


def test_an_unrecorded_file_planted_in_the_model_folder_still_asks(window, tmp_path):
    folder = user_model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    planted = folder / "ovr-planted.joblib"
    planted.write_bytes(_export(tmp_path, "ovr").read_bytes())
    calls: list[Path] = []
    window.model_files.confirm = lambda parent, p: calls.append(p) or False
    assert not window.model_files.open_file(planted)
    assert calls == [planted]


@pytest.mark.parametrize(
    "case", ["empty", "truncated", "random bytes", "wrong type pickle", "wrong features", "missing", "folder"]
)
def test_a_broken_file_opened_after_yes_gives_one_sentence(window, tmp_path, case):
    path = tmp_path / "broken.joblib"
    if case == "folder":
        path.mkdir()
    elif case != "missing":
        path.write_bytes(_broken_bytes(case, "ovr"))
    window.model_files.confirm = lambda parent, p: True
    before = window.predictor.model()
    assert not window.model_files.open_file(path)
    message = window.banner.text()
    assert "broken.joblib" in message and one_sentence(message), message
    assert window.predictor.model() is before
    assert read_digit(window, SEVEN) == 7


def test_a_refusal_is_withdrawn_once_a_good_file_opens(window, tmp_path, monkeypatch):
    """The banner never says a file was refused while the status line says another one opened."""
    window.model_files.confirm = lambda parent, p: True
    broken = tmp_path / "broken.joblib"
    broken.write_bytes(_broken_bytes("random bytes", "ovr"))
    assert not window.model_files.open_file(broken)
    assert "broken.joblib" in window.banner.text() and window.banner.isVisible()
    choose_file(monkeypatch, _export(tmp_path, "ovr"))
    window.action("open_model").trigger()
    assert "opened from shared-ovr.joblib" in status(window)
    assert not window.banner.isVisible()


# -------------------------------------------------------------------------------- a damaged index


def _save_both() -> list[Path]:
    paths = []
    for kind in ("ovr", "binary"):
        est = load_model(kind)
        paths.append(save_model(kind, est, build_metadata(kind, est)))
    return paths


def test_a_damaged_model_list_is_explained_at_startup_and_left_alone(qtbot) -> None:
    _save_both()
    index = user_model_dir() / "index.json"
    index.write_text('{"ovr": {"file": ')  # cut short, e.g. by a sync tool
    before = {p: p.read_bytes() for p in user_model_dir().iterdir()}
    win = new_window(qtbot)
    message = win.banner.text()
    assert "list of your models" in message and "damaged" in message and one_sentence(message), message
    assert "bundled model" in status(win) and read_digit(win, SEVEN) == 7
    win.close()
    assert {p: p.read_bytes() for p in user_model_dir().iterdir()} == before


def test_saving_after_the_model_list_was_damaged_deletes_no_model(qtbot) -> None:
    """Without a readable index no file can be called a leftover: a retrain must not delete the others."""
    ovr_path, binary_path = _save_both()
    old = {p.name: p.read_bytes() for p in (ovr_path, binary_path)}
    index = user_model_dir() / "index.json"
    damaged = b'{"ovr": {"file": '
    index.write_bytes(damaged)
    est = load_model("binary")  # the bundled one: with the list damaged, the saved files are unrecorded
    new = save_model("binary", est, build_metadata("binary", est))
    save_model("binary", est, build_metadata("binary", est))  # later saves clean up as usual...
    unlisted = user_model_dir() / "unlisted"
    assert {p.name: p.read_bytes() for p in unlisted.glob("*.joblib")} == old  # ...but never these
    assert (unlisted / "index.json.bad").read_bytes() == damaged
    assert json.loads(index.read_text())["binary.previous"]["file"] == new.name
    # they can still be opened, after the warning (their digests were lost with the index)
    win = new_window(qtbot)
    win.model_files.confirm = lambda parent, p: True
    assert win.model_files.open_file(unlisted / ovr_path.name)
    assert "opened from " + ovr_path.name in status(win)
