"""Opening a picture of a digit from a file, whatever its colours, size or format.

The picture is shown on the canvas as dark ink on white, so what the person sees is what the model
reads, and they can draw over it or undo it like a stroke.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

# What the file dialog offers; any other file Pillow can read still opens (drag and drop, command line).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm")
FILE_FILTER = "Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)"
# Pillow's own default limit. Pillow refuses only pictures over twice this and merely warns below that,
# but a 10000x10000 PNG of a few kilobytes would still take 100 MB to 400 MB to decode, so the app refuses
# anything over the limit itself, before decoding, whatever Image.MAX_IMAGE_PIXELS is set to.
MAX_PIXELS = 89_478_485


class ImageOpenError(Exception):
    """A file could not be used as a picture of a digit; the message says why in one sentence."""


def load_digit_picture(path: str | os.PathLike[str]) -> Image.Image:
    """The digit in ``path`` as a dark-on-white ``L`` picture (light-on-dark pictures are inverted).

    Photos are turned upright (EXIF), the first frame of an animation is used, and the levels are
    stretched so the paper is white and the ink black. Every problem, whatever the file holds, raises
    :class:`ImageOpenError` with one sentence: a file must never take the app down.
    """
    # Pillow and the preprocessing are imported when a picture is first opened, not at start-up.
    from PIL import Image, ImageOps, UnidentifiedImageError

    from model.preprocess import ink_array, ink_to_picture

    path = Path(path)
    name = path.name
    too_large = f"{name} is too large to open safely (more than {MAX_PIXELS // 1_000_000} million pixels)."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                if opened.width * opened.height > MAX_PIXELS:  # checked before decoding anything
                    raise ImageOpenError(too_large)
                opened.seek(0)
                image = ImageOps.exif_transpose(opened)
                image.load()
    except ImageOpenError:
        raise
    except FileNotFoundError as exc:
        raise ImageOpenError(f"{name} does not exist.") from exc
    except IsADirectoryError as exc:
        raise ImageOpenError(f"{name} is a folder, not an image.") from exc
    except UnidentifiedImageError as exc:
        raise ImageOpenError(f"{name} is not an image file this app can read.") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageOpenError(too_large) from exc
    except MemoryError as exc:
        raise ImageOpenError(f"{name} is too large to open with the memory available.") from exc
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise ImageOpenError(f"{name} could not be read ({_clause(exc)}).") from exc
    except Exception as exc:  # a decoder bug on a strange file: still a message, not a crash
        raise ImageOpenError(f"{name} could not be read ({type(exc).__name__}: {_clause(exc)}).") from exc
    try:
        ink = ink_array(image, "auto")
    except MemoryError as exc:
        raise ImageOpenError(f"{name} is too large to open with the memory available.") from exc
    except (ValueError, TypeError, OSError) as exc:  # a mode or layout the conversion cannot handle
        raise ImageOpenError(f"{name} uses a picture format this app cannot read ({_clause(exc)}).") from exc
    if ink is None:
        raise ImageOpenError(f"{name} shows no digit: the picture is blank or has no contrast.")
    return ink_to_picture(ink)


def _clause(exc: BaseException) -> str:
    """An exception's text on one line, short, without a closing full stop (it goes inside a sentence)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return (text if len(text) <= 160 else text[:159] + "…").rstrip(".")


def is_image_path(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES
