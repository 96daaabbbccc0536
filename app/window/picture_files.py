"""Opening a picture of a digit from a file, whatever its colours, size or format, and where to save one.

The picture is shown on the canvas as dark ink on white, so what the person sees is what the model
reads, and they can draw over it or undo it like a stroke.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from app.text.errors import clause
from model import pictures

if TYPE_CHECKING:
    from PIL import Image
    from PySide6.QtWidgets import QWidget

# What the file dialog offers; a file of one of these formats opens whatever its name (drop, command line).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm")
FILE_FILTER = "Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)"
MAX_PIXELS = pictures.MAX_PIXELS

log = logging.getLogger("digit_canvas.images")


class ImageOpenError(Exception):
    """A file could not be used as a picture of a digit; the message says why in one sentence."""


def load_digit_picture(path: str | os.PathLike[str]) -> Image.Image:
    """The digit in ``path`` as a dark-on-white ``L`` picture (light-on-dark pictures are inverted).

    The file is read by :func:`model.pictures.open_picture` (in-process raster formats only, within a
    pixel and memory budget); photos are turned upright (EXIF), the first frame of an animation is
    used, and the levels are stretched so the paper is white and the ink black. Every problem, whatever
    the file holds, raises :class:`ImageOpenError` with one sentence: a file must never take the app
    down. It may take a moment on a large picture, so the window calls it in a worker thread.
    """
    from model.preprocess import ink_array, ink_to_picture  # with Pillow, on first use

    name = Path(path).name
    try:
        image = pictures.open_picture(path)
    except pictures.PictureError as exc:
        raise ImageOpenError(str(exc)) from exc
    try:
        ink = ink_array(image, "auto")
    except MemoryError as exc:
        raise ImageOpenError(f"{name} is too large to open with the memory available.") from exc
    except (ValueError, TypeError, OSError) as exc:  # a mode or layout the conversion cannot handle
        raise ImageOpenError(f"{name} uses a picture format this app cannot read ({clause(exc)}).") from exc
    if ink is None:
        raise ImageOpenError(f"{name} shows no digit: the picture is blank or has no contrast.")
    return ink_to_picture(ink)


def opening_failure(path: str | os.PathLike[str], exc: BaseException) -> str:
    """The sentence shown when opening ``path`` raised ``exc``: whatever a strange file does, one line."""
    if isinstance(exc, ImageOpenError):
        return str(exc)
    log.warning("Picture %s could not be opened", path, exc_info=exc)
    return f"{Path(path).name} could not be opened ({type(exc).__name__})."


def is_image_path(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def ask_drawing_path(parent: QWidget) -> str:
    """File > Save drawing as PNG…: where to save it, or "" when the person cancels."""
    from PySide6.QtWidgets import QFileDialog  # dialogs are imported when first shown (start-up)

    path, _ = QFileDialog.getSaveFileName(
        parent, "Save drawing as PNG", str(Path.home() / "digit.png"), "PNG image (*.png)"
    )
    return path
