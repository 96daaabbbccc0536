"""Where Digit Canvas keeps its files.

Everything the app writes lives in one per-user data folder so a person can find, back up or delete it.
The folders are platformdirs' for each platform, under the name the app has always used there, so an
existing user's models, samples and settings stay where they are. ``DIGIT_CANVAS_HOME`` overrides the
folder (tests use it to stay out of the real home).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformdirs.api import PlatformDirsABC

APP_DIR_NAME = "digit-canvas"  # Linux and other XDG systems
MACOS_NAME = "Digit Canvas"
WINDOWS_NAME = "DigitCanvas"


def platform_folders() -> tuple[Path, Path]:
    """This platform's (data, cache) folders from platformdirs, named as they always were.

    The platform is chosen by ``sys.platform``. platformdirs is imported here, on first use, rather than
    with this module, so importing ``model`` (``digit-canvas --version``, the training command's
    argument errors) does not pay for it.
    """
    dirs: PlatformDirsABC
    if sys.platform == "win32":
        from platformdirs.windows import Windows

        dirs = Windows(appname=WINDOWS_NAME, appauthor=False)  # %LOCALAPPDATA%\DigitCanvas, ...\Cache
    elif sys.platform == "darwin":
        from platformdirs import macos

        # platformdirs' MacOS class lets XDG_DATA_HOME and XDG_CACHE_HOME override Apple's folders; the
        # app has always used Apple's, so a Mac user who set those keeps the folder their files are in.
        dirs = macos.MacOS(appname=MACOS_NAME)
        apple = getattr(macos, "_MacOSDefaults", macos.MacOS)
        return Path(apple.user_data_dir.fget(dirs)), Path(apple.user_cache_dir.fget(dirs))
    else:
        from platformdirs.unix import Unix

        dirs = Unix(appname=APP_DIR_NAME)  # honours XDG_DATA_HOME and XDG_CACHE_HOME
    return Path(dirs.user_data_dir), Path(dirs.user_cache_dir)


def user_data_dir() -> Path:
    """The per-user folder for models, samples and logs (created on demand by the writers)."""
    override = os.environ.get("DIGIT_CANVAS_HOME")
    if override:
        return Path(override).expanduser()
    return platform_folders()[0]


def user_cache_dir() -> Path:
    """The per-user cache folder (downloaded MNIST lives here)."""
    override = os.environ.get("DIGIT_CANVAS_HOME")
    if override:
        return Path(override).expanduser() / "cache"
    return platform_folders()[1]


def user_model_dir() -> Path:
    """The folder of models the app trained itself; the only place it loads from without asking."""
    return user_data_dir() / "models"


def bundled_model_dir() -> Path:
    """The read-only models shipped inside the ``assets`` package."""
    import assets

    return Path(assets.__file__).resolve().parent
