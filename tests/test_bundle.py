"""The standalone bundle, built as the README says and started as a person without Python would.

The build (``app/bundle/build_bundle.py``: a fresh venv from requirements.lock, then PyInstaller) runs
once per session into a temporary folder; a failed build fails these tests, in CI and everywhere.
The wheel ``pip install .`` makes is checked here too: the models and icons in, the README's
screenshots (``assets/screenshots/``) out, as they are out of the bundle.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXE_NAME = "digit-canvas.exe" if sys.platform == "win32" else "digit-canvas"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The executable of a bundle built from this checkout."""
    out = tmp_path_factory.mktemp("bundle")
    command = [sys.executable, str(REPO / "app" / "bundle" / "build_bundle.py"), "--no-self-test"]
    result = subprocess.run(
        [*command, "--dist", str(out / "dist"), "--work", str(out / "work")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    exe = out / "dist" / "digit-canvas" / EXE_NAME  # where the README says the bundle is
    assert exe.is_file() and os.access(exe, os.X_OK)
    return exe


def test_the_wheel_carries_the_models_and_icons_but_not_the_readmes_screenshots(tmp_path: Path) -> None:
    # Built from a copy: setuptools would pack whatever an earlier build left in the checkout's build/.
    source = tmp_path / "source"
    left_out = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*left_out))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path / "wheel", source],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {"ovr.joblib", "binary.joblib", "digests.json", "mnist-facts.json", "icons/digit-canvas.svg"}
    assert {f"assets/{name}" for name in shipped} | {"app/launcher/command_line.py"} <= names
    assert (REPO / "assets" / "screenshots" / "screenshot.png").is_file()
    assert sorted(name for name in names if "screenshots" in name) == []


def without_python() -> dict[str, str]:
    """An environment with no trace of a Python installation: no PYTHON* variables, no venv, a bare PATH."""
    return {
        "HOME": os.environ.get("HOME", "/tmp"),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }


def test_the_bundle_carries_the_models_and_no_training_libraries(bundle: Path) -> None:
    internal = bundle.parent / "_internal"
    for name in ("ovr.joblib", "binary.joblib", "digests.json"):
        assert (internal / "assets" / name).read_bytes() == (REPO / "assets" / name).read_bytes()
    assert not (internal / "sklearn").exists() and not (internal / "scipy").exists()
    assert (REPO / "assets" / "screenshots").is_dir() and not (internal / "assets" / "screenshots").exists()
    assert not [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()]  # no dangling links


def test_the_bundle_answers_version_and_help(bundle: Path) -> None:
    result = subprocess.run([bundle, "--version"], env=without_python(), capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"digit-canvas {version('digit-canvas')}"
    result = subprocess.run([bundle, "--help"], env=without_python(), capture_output=True, text=True)
    assert result.returncode == 0 and "--self-test" in result.stdout


def test_the_bundle_passes_its_self_test_offscreen(bundle: Path) -> None:
    result = subprocess.run(
        [bundle, "--self-test"], env=without_python(), capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "self-test passed" in result.stdout


def test_the_bundle_installs_a_launcher_entry_that_starts_it(bundle: Path, tmp_path: Path) -> None:
    env = {**without_python(), "XDG_DATA_HOME": str(tmp_path)}
    result = subprocess.run([bundle, "--install-desktop-entry"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    app_id = "io.github.digitcanvas.DigitCanvas"
    entry = (tmp_path / "applications" / f"{app_id}.desktop").read_text()
    assert f"\nExec={bundle.resolve()} %f\n" in entry
    assert (tmp_path / "icons" / "hicolor" / "256x256" / "apps" / f"{app_id}.png").is_file()


def _can_hide_folders() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run([unshare, "--mount", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_hide_folders(), reason="needs unshare --mount (root) to hide Python")
def test_the_bundle_starts_with_this_machines_python_hidden(bundle: Path) -> None:
    """The Python that built the bundle, and the system's, covered by empty folders: it still runs."""
    hidden = [sys.base_prefix, "/usr/lib/python3", f"/usr/lib/python3.{sys.version_info[1]}"]
    mounts = " && ".join(f"mount -t tmpfs none '{p}'" for p in hidden if Path(p).is_dir())
    script = f"{mounts} && test ! -e '{Path(sys.base_prefix) / 'bin'}' && exec '{bundle}' --self-test"
    result = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script],
        env=without_python(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "self-test passed" in result.stdout
