"""Where Digit Canvas keeps its files.

Everything the app writes lives in one per-user data folder so a person can find, back up or delete it.
``DIGIT_CANVAS_HOME`` overrides the folder (tests use it to stay out of the real home).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "digit-canvas"


def user_data_dir() -> Path:
    """The per-user folder for models, samples and logs (created on demand by the writers)."""
    override = os.environ.get("DIGIT_CANVAS_HOME")
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return base / "DigitCanvas"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "Digit Canvas"
    base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / APP_DIR_NAME


def user_cache_dir() -> Path:
    """The per-user cache folder (downloaded MNIST lives here)."""
    override = os.environ.get("DIGIT_CANVAS_HOME")
    if override:
        return Path(override).expanduser() / "cache"
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return base / "DigitCanvas" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "Digit Canvas"
    base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / APP_DIR_NAME


def user_model_dir() -> Path:
    """The folder of models the app trained itself; the only place it loads from without asking."""
    return user_data_dir() / "models"


def bundled_model_dir() -> Path:
    """The read-only models shipped inside the ``assets`` package."""
    import assets

    return Path(assets.__file__).resolve().parent
