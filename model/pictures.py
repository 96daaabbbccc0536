"""Opening a picture file the app did not make, within a budget, without any outside program.

Pillow picks a decoder from a file's content, not its name, and some of its plugins hand the file to
another program: the EPS plugin runs Ghostscript on PostScript, which can write files and loop
forever. So a picture is opened only with the raster decoders that run inside the process
(:data:`FORMATS`), only from a regular file (a FIFO would block, a device never ends), and only if
its header promises at most :data:`MAX_PIXELS` pixels and :data:`MAX_DECODED_BYTES` of decoded data,
checked before anything is decoded. Every refusal is a :class:`PictureError` with one sentence.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from model.bounded_io import FileTooLarge, NotARegularFile, open_regular_file

if TYPE_CHECKING:
    from PIL import Image

# Pillow's names of the raster formats that decode in-process: PNG, JPEG, BMP, GIF, TIFF, WebP, PNM.
FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "PPM")
MAX_FILE_BYTES = 64 * 2**20
MAX_PIXELS = 64_000_000  # an 8000x8000 scan still opens
MAX_DECODED_BYTES = 64 * 2**20  # the decoded frame; with the copies made on the way, ~200 MB at most
# Bytes per pixel of Pillow's in-memory modes (every mode with three or more bands takes four).
_MODE_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2, "I": 4, "F": 4}


class PictureError(ValueError):
    """A file could not be used as a picture; the message says why in one sentence."""


def decoded_bytes(mode: str, width: int, height: int) -> int:
    """What decoding a ``mode`` picture of that size takes in memory."""
    return width * height * _MODE_BYTES.get(mode, 4)


def open_picture(path: str | os.PathLike[str]) -> Image.Image:
    """The first frame of the picture in ``path``, decoded, turned upright (EXIF) and detached from the file.

    Raises :class:`PictureError` for anything that is not a picture of an allowed format within the
    budget; nothing else escapes, whatever the file holds.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError  # on first use: not needed at start-up

    path = Path(path)
    name = path.name.replace("\0", "\\0")
    too_large = (
        f"{name} is too large to open safely (more than {MAX_PIXELS // 1_000_000} million pixels "
        f"or {MAX_DECODED_BYTES // 2**20} MB decoded)."
    )
    try:
        fd = open_regular_file(path, MAX_FILE_BYTES)
    except FileNotFoundError as exc:
        raise PictureError(f"{name} does not exist.") from exc
    except IsADirectoryError as exc:
        raise PictureError(f"{name} is a folder, not an image.") from exc
    except NotARegularFile as exc:
        raise PictureError(f"{name} is {str(exc).removeprefix(name + ' is ')}, not an image file.") from exc
    except FileTooLarge as exc:
        raise PictureError(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB, too large to open.") from exc
    except OSError as exc:
        raise PictureError(f"{name} could not be read ({exc.strerror or type(exc).__name__}).") from exc
    except ValueError as exc:  # a NUL byte in the name
        raise PictureError(f"{name} is not a valid file name.") from exc
    if os.fstat(fd).st_size == 0:
        os.close(fd)
        raise PictureError(f"{name} is empty (0 bytes), not an image.")
    try:
        with os.fdopen(fd, "rb") as fh, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fh, formats=FORMATS) as opened:
                width, height = opened.size
                if (
                    width * height > MAX_PIXELS
                    or decoded_bytes(opened.mode, width, height) > MAX_DECODED_BYTES
                ):
                    raise PictureError(too_large)  # checked from the header, before decoding anything
                opened.seek(0)
                opened.load()
                image = ImageOps.exif_transpose(opened)
                if image is opened:
                    image = opened.copy()
    except PictureError:
        raise
    except UnidentifiedImageError as exc:
        raise PictureError(
            f"{name} is not an image file this app can read (PNG, JPEG, BMP, GIF, TIFF, WebP or PNM)."
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PictureError(too_large) from exc
    except MemoryError as exc:
        raise PictureError(f"{name} is too large to open with the memory available.") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or corrupt data
        raise PictureError(f"{name} could not be read ({_clause(exc)}).") from exc
    except Exception as exc:  # a decoder bug on a strange file: still a message, not a crash
        raise PictureError(f"{name} could not be read ({type(exc).__name__}: {_clause(exc)}).") from exc
    return image


def _clause(exc: BaseException) -> str:
    """An exception's text on one line, short, without a closing full stop (it goes inside a sentence)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return (text if len(text) <= 160 else text[:159] + "…").rstrip(".")


def picture_size(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """The width and height a picture file's header declares, or ``None`` if it is not one we open.

    Reads only the header, with the same restrictions as :func:`open_picture`: for deciding whether
    another component (Qt's rich text, say) may show the file without decoding it here.
    """
    from PIL import Image

    try:
        fd = open_regular_file(path, MAX_FILE_BYTES)
        with os.fdopen(fd, "rb") as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(fh, formats=FORMATS) as opened:
                return opened.size
    except Exception:  # anything that is not a picture we would open
        return None
