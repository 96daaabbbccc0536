"""Opening a picture of a digit from a file, whatever its colours, size or format.

The picture is shown on the canvas as dark ink on white, so what the person sees is what the model
reads, and they can draw over it or undo it like a stroke.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from model.preprocess import ink_array, ink_to_picture

# What the file dialog offers; any other file Pillow can read still opens (drag and drop, command line).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm")
FILE_FILTER = "Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)"


class ImageOpenError(Exception):
    """A file could not be used as a picture of a digit; the message says why in one sentence."""


def load_digit_picture(path: str | os.PathLike[str]) -> Image.Image:
    """The digit in ``path`` as a dark-on-white ``L`` picture (light-on-dark pictures are inverted).

    Photos are turned upright (EXIF), the first frame of an animation is used, and the levels are
    stretched so the paper is white and the ink black.
    """
    path = Path(path)
    name = path.name
    try:
        with Image.open(path) as opened:
            opened.seek(0)
            image = ImageOps.exif_transpose(opened)
            image.load()
    except FileNotFoundError as exc:
        raise ImageOpenError(f"{name} does not exist.") from exc
    except IsADirectoryError as exc:
        raise ImageOpenError(f"{name} is a folder, not an image.") from exc
    except UnidentifiedImageError as exc:
        raise ImageOpenError(f"{name} is not an image file this app can read.") from exc
    except Image.DecompressionBombError as exc:
        raise ImageOpenError(f"{name} is too large to open safely.") from exc
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise ImageOpenError(f"{name} could not be read ({exc}).") from exc
    ink = ink_array(image, "auto")
    if ink is None:
        raise ImageOpenError(f"{name} shows no digit: the picture is blank or has no contrast.")
    return ink_to_picture(ink)


def is_image_path(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES
