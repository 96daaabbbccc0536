"""Settings that survive a restart: brush width, chosen model, window geometry, the MNIST folder.

They live in an INI file, ``settings.ini`` in the user's data folder, rather than the registry or a
plist, so everything the app keeps sits in one folder a person can find, back up or delete (and
``DIGIT_CANVAS_HOME`` keeps tests out of the real one). A damaged file must never stop the app: every
value is checked when read and anything unusable (garbage bytes, a brush width of "banana" or -5, an
unknown model, geometry Qt cannot restore) falls back to its default. A file Qt cannot parse at all,
one that is not a regular file (a FIFO would block start-up forever) or one over
:data:`MAX_SETTINGS_BYTES` is moved aside to ``settings.ini.bad`` unread, so new settings can be
written again.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from app.widgets.canvas import DEFAULT_BRUSH, MAX_BRUSH, MIN_BRUSH
from model.paths import user_data_dir
from model.store import KINDS

if TYPE_CHECKING:
    from app.window.host import WindowHost

log = logging.getLogger("digit_canvas.settings")

SETTINGS_NAME = "settings.ini"
DEFAULT_KIND = "ovr"
BRUSH_KEY = "canvas/brush_width"
KIND_KEY = "model/kind"
GEOMETRY_KEY = "window/geometry"
MNIST_DIR_KEY = "data/mnist_dir"
MIN_WINDOW = QSize(200, 150)  # a saved window smaller than this is damage, not a choice
_MAX_GEOMETRY_BYTES = 4096  # saveGeometry() writes about 70 bytes; anything far larger is not ours
MAX_SETTINGS_BYTES = 64 * 1024  # the app writes a few hundred bytes


def settings_path() -> Path:
    return user_data_dir() / SETTINGS_NAME


def _looks_garbled(settings: QSettings) -> bool:
    """True if Qt could not parse the file, or parsed binary junk into keys."""
    if settings.status() != QSettings.Status.NoError:
        return True
    return any(not key.isprintable() or "\ufffd" in key for key in settings.allKeys())


def _unreadable(path: Path) -> str | None:
    """Why ``path`` must not be read as settings (not a regular file, too large), or ``None``."""
    try:
        info = os.stat(path)
    except OSError:
        return None  # missing: Qt starts an empty file
    if stat.S_ISDIR(info.st_mode):
        return None  # a folder in its place is left alone (Qt reads nothing from it)
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_size > MAX_SETTINGS_BYTES:
        return f"larger than {MAX_SETTINGS_BYTES // 1024} KB"
    return None


class AppSettings:
    """Typed, validated access to the settings file; readers never raise and never return junk."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = settings_path() if path is None else Path(path)
        self._qs = self._open()

    def _open(self) -> QSettings:
        problem = _unreadable(self.path)
        if problem:  # checked without opening the file: Qt would block on a FIFO or read it all
            log.warning("Settings file %s is %s; starting from the defaults", self.path, problem)
            try:
                os.replace(self.path, self.path.with_name(self.path.name + ".bad"))
            except OSError:  # cannot be moved (a read-only folder): keep this session's settings aside
                self.path = Path(tempfile.mkdtemp(prefix="digit-canvas-settings-")) / SETTINGS_NAME
        qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        if self.path.is_file() and _looks_garbled(qs):  # a folder in its place is left alone
            log.warning("Settings file %s is damaged; starting from the defaults", self.path)
            del qs  # release the file before moving it
            with contextlib.suppress(OSError):
                os.replace(self.path, self.path.with_name(self.path.name + ".bad"))
            qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        return qs

    def value(self, key: str) -> Any:
        try:
            return self._qs.value(key)
        except Exception:  # a value Qt cannot turn into a Python object
            return None

    # brush width -------------------------------------------------------------------------------------

    def brush_width(self) -> int:
        """The saved brush width in document units, or the default if it is missing or not a sane number."""
        raw = self.value(BRUSH_KEY)
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            return round(DEFAULT_BRUSH)
        try:
            width = float(raw)
        except ValueError:
            return round(DEFAULT_BRUSH)
        if not math.isfinite(width) or not MIN_BRUSH <= width <= MAX_BRUSH:
            return round(DEFAULT_BRUSH)
        return round(width)

    def set_brush_width(self, width: int) -> None:
        self._write(BRUSH_KEY, int(width))

    # model kind --------------------------------------------------------------------------------------

    def model_kind(self) -> str:
        """The model the person chose last, or the 10-class model if none (or an unknown one) is saved."""
        raw = self.value(KIND_KEY)
        return raw if isinstance(raw, str) and raw in KINDS else DEFAULT_KIND

    def set_model_kind(self, kind: str) -> None:
        # Compared with what model_kind() reads back, so starting on the default model with no
        # settings file yet does not write one (a file write before the window first paints).
        if kind in KINDS and kind != self.model_kind():
            self._write(KIND_KEY, kind)

    # MNIST folder ------------------------------------------------------------------------------------

    def mnist_dir(self) -> Path | None:
        """The MNIST folder last chosen (in Retrain or Evaluate), if it still holds the four files."""
        from training.mnist_files import missing_files

        value = self.value(MNIST_DIR_KEY)
        if not isinstance(value, str) or not value or len(value) > 4096:
            return None
        folder = Path(value)
        try:
            return folder if folder.is_dir() and not missing_files(folder) else None
        except OSError:
            return None

    def set_mnist_dir(self, folder: Path) -> None:
        self._write(MNIST_DIR_KEY, str(folder))

    def forget_mnist_dir(self) -> None:
        """Forget the MNIST folder (its files failed their checks), so Evaluate asks for MNIST again."""
        if self.value(MNIST_DIR_KEY) is None:
            return
        self._qs.remove(MNIST_DIR_KEY)
        self._qs.sync()

    # geometry ----------------------------------------------------------------------------------------

    def geometry(self) -> QByteArray | None:
        """The saved window geometry as bytes for ``restoreGeometry``, or ``None`` if there is none."""
        raw = self.value(GEOMETRY_KEY)
        if isinstance(raw, bytes | bytearray):
            raw = QByteArray(bytes(raw))
        if not isinstance(raw, QByteArray) or raw.isEmpty() or raw.size() > _MAX_GEOMETRY_BYTES:
            return None
        return raw

    def set_geometry(self, data: QByteArray) -> None:
        self._write(GEOMETRY_KEY, data)

    # -------------------------------------------------------------------------------------------------

    def _write(self, key: str, value: Any) -> None:
        """Write one value now (a crash later must not lose it); an unwritable folder is not an error."""
        if self.value(key) == value:
            return
        self._qs.setValue(key, value)
        self._qs.sync()
        if self._qs.status() != QSettings.Status.NoError:
            log.warning("Settings could not be written to %s (%s)", self.path, self._qs.status())

    def sync(self) -> None:
        self._qs.sync()


def usable_geometry(data: QByteArray) -> bool:
    """True if ``data`` restores to a window of a sensible size that is on some screen.

    ``restoreGeometry`` accepts truncated data and can leave a 1x1 window, so the bytes are first
    tried on a hidden probe widget, which keeps the real window untouched when they are bad.
    """
    probe = QWidget()
    try:
        if not probe.restoreGeometry(data):
            return False
        rect = probe.geometry()
    finally:
        probe.deleteLater()
    if rect.width() < MIN_WINDOW.width() or rect.height() < MIN_WINDOW.height():
        return False  # Qt itself enlarges a sensible size to the window's minimum
    return any(screen.availableGeometry().intersects(rect) for screen in QGuiApplication.screens())


class WindowSettings(QObject):
    """Restores a main window's brush width and geometry, and saves them and the model as they change.

    The window asks :meth:`model_kind` which model to start with. Geometry is saved when the window
    closes (an event filter, so the window's own ``closeEvent`` stays untouched).
    """

    def __init__(self, window: WindowHost, settings: AppSettings | None = None) -> None:
        super().__init__(window.window())
        self._host = window
        self._window = window.window()
        self.settings = settings if settings is not None else AppSettings()
        window.brush_width.setValue(self.settings.brush_width())
        geometry = self.settings.geometry()
        if geometry is not None:
            if usable_geometry(geometry):
                self._window.restoreGeometry(geometry)
            else:
                log.warning("Saved window geometry is unusable; using the default size")
        window.brush_width.valueChanged.connect(self.settings.set_brush_width)
        window.predictor.modelChanged.connect(self._model_changed)
        self._window.installEventFilter(self)

    def model_kind(self) -> str:
        return self.settings.model_kind()

    def save_geometry(self) -> None:
        self.settings.set_geometry(self._window.saveGeometry())

    def _model_changed(self, _estimator: object) -> None:
        kind = self._host.model_kind()
        if kind is not None:
            self.settings.set_model_kind(kind)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.save_geometry()
        return False
