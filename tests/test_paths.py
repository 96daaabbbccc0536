"""The user folders on each platform: platformdirs' answers, under the names the app has always used.

The platform is chosen by ``sys.platform`` inside ``model.paths``, so each platform's branch runs here
with ``sys.platform`` patched. Off Windows there is no Windows API to ask for the Local AppData folder,
so the Windows test names it through platformdirs' ``WIN_PD_OVERRIDE_LOCAL_APPDATA``.
"""

from __future__ import annotations

import sys
from pathlib import Path, PureWindowsPath

import pytest

from model import paths

XDG = ("XDG_DATA_HOME", "XDG_CACHE_HOME")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake home folder, no override and no XDG variables."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("DIGIT_CANVAS_HOME", raising=False)
    for name in (*XDG, "LOCALAPPDATA", "WIN_PD_OVERRIDE_LOCAL_APPDATA"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def on(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    monkeypatch.setattr(sys, "platform", platform)


def test_linux_uses_the_xdg_defaults(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on(monkeypatch, "linux")
    assert paths.user_data_dir() == home / ".local" / "share" / "digit-canvas"
    assert paths.user_cache_dir() == home / ".cache" / "digit-canvas"
    assert paths.user_model_dir() == home / ".local" / "share" / "digit-canvas" / "models"


def test_linux_honours_the_xdg_variables(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on(monkeypatch, "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cachedir"))
    assert paths.user_data_dir() == home / "data" / "digit-canvas"
    assert paths.user_cache_dir() == home / "cachedir" / "digit-canvas"


def test_linux_treats_an_empty_xdg_variable_as_unset(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on(monkeypatch, "linux")
    monkeypatch.setenv("XDG_DATA_HOME", "")
    assert paths.user_data_dir() == home / ".local" / "share" / "digit-canvas"


def test_macos_keeps_apples_folders_with_xdg_variables(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on(monkeypatch, "darwin")
    expected_data = home / "Library" / "Application Support" / "Digit Canvas"
    expected_cache = home / "Library" / "Caches" / "Digit Canvas"
    assert paths.user_data_dir() == expected_data
    assert paths.user_cache_dir() == expected_cache
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cachedir"))
    assert paths.user_data_dir() == expected_data  # the folder a Mac user's files already are in
    assert paths.user_cache_dir() == expected_cache


def test_windows_uses_local_appdata(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' Local AppData folder, given through platformdirs' own override of the Windows API."""
    on(monkeypatch, "win32")
    local = PureWindowsPath(r"C:\Users\ada\AppData\Local")
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", str(local))
    assert PureWindowsPath(paths.user_data_dir()) == local / "DigitCanvas"
    assert PureWindowsPath(paths.user_cache_dir()) == local / "DigitCanvas" / "Cache"


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_digit_canvas_home_overrides_every_platform(
    home: Path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    on(monkeypatch, platform)
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", r"C:\Users\ada\AppData\Local")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("DIGIT_CANVAS_HOME", str(home / "mine"))
    assert paths.user_data_dir() == home / "mine"
    assert paths.user_cache_dir() == home / "mine" / "cache"


def test_importing_the_module_does_not_import_platformdirs() -> None:
    """Only asking for a folder pays for platformdirs (``--version`` and the training command's
    argument errors never do)."""
    import subprocess

    code = "import sys, model.paths; print('platformdirs' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
