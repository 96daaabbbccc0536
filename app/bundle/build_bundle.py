"""Build the standalone bundle: a folder with an executable that runs on a machine without Python.

    python app/bundle/build_bundle.py [--dist DIR] [--work DIR] [--no-self-test]

It makes a fresh virtual environment in the work folder from ``requirements.lock`` (exact versions,
checked against their hashes), installs this project into it without resolving anything, and runs
PyInstaller there on ``app/bundle/digit-canvas.spec``. The result is ``DIST/digit-canvas/``, whose
``digit-canvas`` executable (``digit-canvas.exe`` on Windows) carries Python, Qt, the code and the
bundled models; copy the whole folder. Last, the executable runs its own ``--self-test`` offscreen.
Defaults: ``dist/`` and ``build/bundle/`` in the repository (both ignored by git).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
SPEC = ROOT / "app" / "bundle" / "digit-canvas.spec"
NAME = "digit-canvas"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def executable(dist: Path) -> Path:
    """The bundle's executable inside ``dist``."""
    return dist / NAME / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def folder_size(folder: Path) -> int:
    """Bytes on disk of the files under ``folder`` (symbolic links not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _run(command: Sequence[str | Path], **kw) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kw)


def build(dist: Path, work: Path) -> Path:
    """Build the bundle into ``dist`` (work files in ``work``); the executable's path."""
    venv = work / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    _run([sys.executable, "-m", "venv", venv])
    python = venv_python(venv)
    pip = [python, "-m", "pip", "--disable-pip-version-check", "install", "--quiet"]
    _run([*pip, "--only-binary=:all:", "--require-hashes", "--no-deps", "-r", LOCK])
    # The project itself, built with the locked setuptools, its dependencies already in place.
    _run([*pip, "--no-deps", "--no-build-isolation", ROOT])
    # PyInstaller works from a clean tree; its own cache would reuse hooks' results across versions.
    pyinstaller = [python, "-m", "PyInstaller", "--noconfirm", "--clean"]
    _run([*pyinstaller, "--distpath", dist, "--workpath", work, SPEC])
    return executable(dist)


def self_test(exe: Path) -> None:
    """Run the bundle's --self-test offscreen with Python's variables removed from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    _run([exe, "--self-test"], env=env, timeout=300)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python app/bundle/build_bundle.py", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle folder goes")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bundle", help="venv and work files")
    parser.add_argument("--no-self-test", action="store_true", help="do not run the bundle's --self-test")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    exe = build(args.dist.resolve(), args.work.resolve())
    built = time.perf_counter() - start
    size = folder_size(exe.parent)
    print(f"built {exe} in {built:.0f} s; the folder holds {size / 2**20:.0f} MiB", flush=True)
    if not args.no_self_test:
        self_test(exe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
