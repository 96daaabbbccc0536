"""Shared fixtures: an isolated user folder for every test, the main window, and MNIST when available."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty user data folder, so nothing touches the real one."""
    home = tmp_path_factory.mktemp("digit-canvas-home")
    monkeypatch.setenv("DIGIT_CANVAS_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def no_modal_stop_question(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A retrain dialog closed while training stops it without asking: a modal question in a test's
    teardown (after a failure left a training running) would wait for a click that never comes."""
    if "qtbot" not in request.fixturenames:
        return
    from app.retrain.dialog import RetrainDialog

    monkeypatch.setattr(RetrainDialog, "confirm_stop", lambda self: True)


@pytest.fixture
def window(qtbot):
    """The main window, shown; afterwards nothing it started is left running."""
    from windows import close_what_it_opened, new_window

    win = new_window(qtbot)
    yield win
    close_what_it_opened(win)


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run this test (set DIGIT_CANVAS_DATA to the MNIST folder)")
    pytest.skip(reason)


def _find_mnist_dir() -> Path | None:
    candidates = []
    if os.environ.get("DIGIT_CANVAS_DATA"):
        candidates.append(Path(os.environ["DIGIT_CANVAS_DATA"]))
    candidates.append(SHARED_DATA / "mnist")
    for folder in candidates:
        if all((folder / name).is_file() for name in MNIST_FILES):
            return folder.resolve()
    return None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder with the four MNIST files; fails in CI and skips elsewhere when it is missing."""
    folder = _find_mnist_dir()
    if folder is None:
        _missing("the MNIST files were not found")
    return folder


@pytest.fixture(scope="session")
def mnist(mnist_dir: Path):
    """Full MNIST as ``(X_train, y_train, X_test, y_test)``: floats in [0, 1], shape (n, 784)."""
    from training.data import load_mnist

    return load_mnist(mnist_dir, download=False)


@pytest.fixture(scope="session")
def pendigits_dir() -> Path:
    """The Pen-Based Recognition of Handwritten Digits folder (30 writers, with writer ids)."""
    folder = SHARED_DATA / "pendigits"
    if not (folder / "pendigits-orig.tra").is_file():
        _missing("the pendigits file was not found")
    return folder


@pytest.fixture(scope="session")
def uji_dir() -> Path:
    """The UJI Pen Characters folder (real pen trajectories from 11 writers)."""
    folder = SHARED_DATA / "uji_penchars"
    if not folder.is_dir():
        _missing("the UJI pen characters were not found")
    return folder
