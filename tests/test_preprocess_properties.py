"""Whatever picture reaches the model, it gets a valid 28x28 input or a clear "nothing there", never a crash.

Property tests (hypothesis) feed :func:`model.preprocess.canvas_to_mnist` pictures of any size and mode
with any content, and :func:`app.window.picture_files.load_digit_picture` files that are broken in
every way we could think of. The only exceptions allowed are the documented ones: ``TypeError`` for
something that is not a Pillow image, ``ValueError`` for an unknown ``ink`` argument, and
:class:`app.window.picture_files.ImageOpenError` (one sentence) for a file that cannot be used.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from app.window.picture_files import MAX_PIXELS, ImageOpenError, load_digit_picture
from model.preprocess import canvas_to_mnist

MODES = ["L", "RGB", "RGBA", "P", "PA", "I;16", "I;16B", "I", "F", "1", "LA", "La", "RGBa", "RGBX", "CMYK"]
MODES += ["YCbCr", "HSV", "LAB"]
CONTENTS = ["blank", "black", "dot", "border line", "noise", "digit", "grey", "specks"]
FAST = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])


def valid_or_none(out: np.ndarray | None) -> None:
    if out is None:
        return
    assert isinstance(out, np.ndarray)
    assert out.shape == (784,) and out.dtype == np.float32
    assert np.isfinite(out).all()
    assert out.min() >= 0.0 and out.max() <= 1.0


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".") and not re.search(r"[.!?]\s+[A-Z]", message)


# ------------------------------------------------------------------------------------ building pictures


def _levels(content: str, width: int, height: int, seed: int) -> np.ndarray:
    """Brightness in [0, 1] (1 = white paper) for a picture of the given kind."""
    rng = np.random.default_rng(seed)
    arr = np.ones((height, width), dtype=np.float32)
    if content == "black":
        arr[:] = 0.0
    elif content == "grey":
        arr[:] = rng.random()
    elif content == "dot":
        arr[rng.integers(height), rng.integers(width)] = 0.0
    elif content == "border line":
        side = rng.integers(4)
        if side == 0:
            arr[0, :] = 0.0
        elif side == 1:
            arr[-1, :] = 0.0
        elif side == 2:
            arr[:, 0] = 0.0
        else:
            arr[:, -1] = 0.0
    elif content == "noise":
        arr = rng.random((height, width), dtype=np.float32)
    elif content == "specks":
        arr[rng.random((height, width)) < 0.01] = 0.0
    elif content == "digit":
        image = Image.new("L", (width, height), 255)
        pen = max(1, min(width, height) // 12)
        pts = [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)]  # a 7
        ImageDraw.Draw(image).line([(x * width, y * height) for x, y in pts], fill=0, width=pen)
        arr = np.asarray(image, dtype=np.float32) / 255.0
    return arr


def make_picture(mode: str, content: str, width: int, height: int, seed: int) -> Image.Image:
    """A picture in ``mode`` whose visible content is ``content`` (alpha modes get random transparency)."""
    levels = _levels(content, width, height, seed)
    grey = Image.fromarray(np.round(levels * 255).astype(np.uint8), mode="L")
    rng = np.random.default_rng(seed + 1)
    if mode in ("I;16", "I;16B"):
        data = np.round(levels * 65535).astype(np.uint16)
        if mode == "I;16":
            return Image.fromarray(data)
        # big-endian 16-bit as a TIFF would hold it (Pillow's own I;16 -> I;16B conversion clips at 255)
        return Image.frombytes("I;16B", (width, height), data.astype(">u2").tobytes())
    if mode == "I":
        scale = 65535 if seed % 2 else 255  # 16-bit or 8-bit data stored in 32-bit integers
        return Image.fromarray(np.round(levels * scale).astype(np.int32))
    if mode == "F":
        values = levels * (1.0 if seed % 3 else 255.0)
        if seed % 5 == 0:  # floats can be anything
            values = values.copy()
            values.flat[rng.integers(values.size)] = rng.choice([np.nan, np.inf, -np.inf, -3.0, 1e30])
        return Image.fromarray(values.astype(np.float32))
    if mode in ("LA", "La", "RGBA", "RGBa", "PA"):
        alpha = rng.choice([0, 128, 255, -1])
        a = (
            (rng.random((height, width)) * 255).astype(np.uint8)
            if alpha < 0
            else np.full_like(np.asarray(grey), alpha)
        )
        base = Image.merge("LA", (grey, Image.fromarray(a, mode="L")))
        if mode == "LA":
            return base
        if mode == "La":
            return base.convert("La")
        rgba = base.convert("RGBA")
        return rgba if mode == "RGBA" else rgba.convert("RGBa") if mode == "RGBa" else rgba.convert("PA")
    if mode == "P":
        return grey.convert("RGB").quantize(colors=int(rng.integers(2, 256)))
    return grey.convert(mode)


# --------------------------------------------------------------------------------- canvas_to_mnist


@FAST
@given(
    mode=st.sampled_from(MODES),
    content=st.sampled_from(CONTENTS),
    width=st.integers(1, 80),
    height=st.integers(1, 80),
    seed=st.integers(0, 2**16),
    ink=st.sampled_from(["dark", "light", "auto"]),
)
@example(mode="L", content="dot", width=1, height=1, seed=0, ink="dark")
@example(mode="La", content="digit", width=40, height=40, seed=3, ink="auto")
def test_small_pictures_of_any_mode_give_a_valid_input_or_none(mode, content, width, height, seed, ink):
    valid_or_none(canvas_to_mnist(make_picture(mode, content, width, height, seed), ink))


@SLOW
@given(
    mode=st.sampled_from(MODES),
    content=st.sampled_from(CONTENTS),
    width=st.one_of(st.integers(1, 64), st.integers(1000, 3000)),  # small and large both drawn often
    height=st.one_of(st.integers(1, 64), st.integers(1000, 2000)),
    seed=st.integers(0, 2**16),
)
@example(mode="RGB", content="border line", width=3000, height=1, seed=0)
@example(mode="I;16", content="digit", width=3000, height=2000, seed=1)
def test_pictures_of_any_size_give_a_valid_input_or_none(mode, content, width, height, seed):
    valid_or_none(canvas_to_mnist(make_picture(mode, content, width, height, seed), "auto"))


@pytest.mark.parametrize("mode", MODES)
def test_what_is_drawn_is_found_in_every_mode(mode: str) -> None:
    """Not only no crash: a dot, a line at the border and a digit are read; blank and black are not."""
    for content, found in (("blank", False), ("black", False), ("dot", True), ("border line", True)):
        picture = make_picture(mode, content, 60, 40, seed=4)  # seed 4: opaque, in-range values
        out = canvas_to_mnist(picture)
        valid_or_none(out)
        assert (out is not None) == found, (mode, content)
    out = canvas_to_mnist(make_picture(mode, "digit", 60, 40, seed=4))
    assert out is not None and out.max() > 0.9, mode


def test_a_very_large_picture_is_read_quickly() -> None:
    image = Image.new("L", (8000, 8000), 255)
    assert canvas_to_mnist(image) is None
    ImageDraw.Draw(image).line([(2400, 1600), (5600, 1600), (3600, 6800)], fill=0, width=400)
    start = time.perf_counter()
    out = canvas_to_mnist(image)
    elapsed = time.perf_counter() - start
    valid_or_none(out)
    assert out is not None and elapsed < 5.0
    assert canvas_to_mnist(Image.new("L", (8000, 8000), 0)) is None  # fully black


def test_only_documented_exceptions() -> None:
    with pytest.raises(TypeError, match="PIL image"):
        canvas_to_mnist(np.zeros((28, 28)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ink must be"):
        canvas_to_mnist(Image.new("L", (10, 10)), ink="purple")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ opening image files


def _png(width: int, height: int, rows: bytes | None = None, bit_depth: int = 8, colour: int = 0) -> bytes:
    """A PNG file built by hand, so its header can claim any size; ``rows`` is the raw scanline data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    idat = zlib.compress(rows if rows is not None else b"\0" * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _bomb_png(side: int) -> bytes:
    """A real, complete PNG of ``side`` x ``side`` black pixels in a few hundred kilobytes."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (side + 1)  # filter byte + pixels
    parts = [compressor.compress(row) for _ in range(side)]
    parts.append(compressor.flush())
    idat = b"".join(parts)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _seven_png(mode: str = "L", size: tuple[int, int] = (120, 160)) -> bytes:
    buf = io.BytesIO()
    make_picture("L", "digit", *size, seed=0).convert(mode).save(buf, "PNG")
    return buf.getvalue()


def open_result(path: Path) -> Image.Image | None:
    """The opened picture, or ``None`` after a one-sentence :class:`ImageOpenError` naming the file."""
    try:
        picture = load_digit_picture(path)
    except ImageOpenError as exc:
        assert path.name in str(exc) and one_sentence(str(exc)), str(exc)
        return None
    assert isinstance(picture, Image.Image) and picture.mode == "L"
    assert 1 <= max(picture.size) <= 1024
    valid_or_none(canvas_to_mnist(picture))
    return picture


BAD_FILES = [
    ("notes.png", b"these are my notes, not a picture", "not an image"),
    ("empty.png", b"", "not an image"),
    ("truncated.png", _seven_png()[:300], "could not be read"),
    ("header-only.png", _seven_png()[:40], "not an image"),
    ("bad-crc.png", _seven_png()[:33] + b"\0\0\0\0" + _seven_png()[37:], "could not be read"),
    ("bomb-50000.png", _png(50_000, 50_000), "too large"),
    ("bomb-header-10000.png", _png(10_000, 10_000), "too large"),
    ("zero-size.png", _png(0, 0), ""),
]


@pytest.mark.parametrize(("name", "data", "words"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_gives_a_message(tmp_path, name, data, words) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImageOpenError) as info:
        load_digit_picture(path)
    assert name in str(info.value) and words in str(info.value) and one_sentence(str(info.value))


def test_a_folder_or_a_missing_file_gives_a_message(tmp_path) -> None:
    (tmp_path / "folder.png").mkdir()
    for name, words in (("folder.png", "folder"), ("missing.png", "does not exist")):
        with pytest.raises(ImageOpenError, match=words):
            load_digit_picture(tmp_path / name)


def test_a_real_decompression_bomb_under_pillows_hard_limit_is_refused_before_decoding(
    tmp_path, monkeypatch
) -> None:
    """10000 x 10000 is over Pillow's limit but under twice it, where Pillow only warns and decodes."""
    path = tmp_path / "bomb.png"
    path.write_bytes(_bomb_png(10_000))
    assert path.stat().st_size < 1_000_000 and MAX_PIXELS < 10_000 * 10_000
    for limit in (Image.MAX_IMAGE_PIXELS, None):  # even if something switched Pillow's check off
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
        start = time.perf_counter()
        with pytest.raises(ImageOpenError, match="too large to open safely"):
            load_digit_picture(path)
        assert time.perf_counter() - start < 1.0  # refused from the header, nothing decoded


def test_a_huge_but_legal_picture_opens(tmp_path) -> None:
    side = 8000  # 64 million pixels: under the limit
    assert side * side <= MAX_PIXELS
    white, bar = b"\0" + b"\xff" * side, b"\0" + b"\xff" * 3500 + b"\0" * 1000 + b"\xff" * 3500
    rows = white * 1000 + bar * 6000 + white * 1000  # a thick "1"
    path = tmp_path / "poster.png"
    path.write_bytes(_png(side, side, rows))
    picture = open_result(path)
    assert picture is not None
    out = canvas_to_mnist(picture).reshape(28, 28)
    assert out[:, 14].sum() > out[:, 4].sum() + 5  # the bar is in the middle


def _save(image: Image.Image, path: Path, **kw) -> Path:
    image.save(path, **kw)
    return path


def test_common_formats_open_and_read_the_same_digit(tmp_path) -> None:
    seven = make_picture("L", "digit", 120, 160, seed=0)
    reference = canvas_to_mnist(seven)
    rgba_on_transparent = Image.new("RGBA", seven.size, (0, 0, 0, 0))  # black ink, transparent paper
    rgba_on_transparent.putalpha(Image.eval(seven, lambda v: 255 - v))
    white_on_transparent = Image.new("RGBA", seven.size, (255, 255, 255, 0))
    white_on_transparent.putalpha(Image.eval(seven, lambda v: 255 - v))
    files = {
        "16-bit.png": _save(Image.fromarray(np.asarray(seven, np.uint16) * 257), tmp_path / "a.png"),
        "palette.gif": _save(seven.convert("P"), tmp_path / "b.gif"),
        "transparent.png": _save(rgba_on_transparent, tmp_path / "c.png"),
        "white-on-transparent.png": _save(white_on_transparent, tmp_path / "d.png"),
        "light-on-dark.jpg": _save(Image.eval(seven, lambda v: 255 - v).convert("RGB"), tmp_path / "e.jpg"),
        "bilevel.tif": _save(seven.convert("1"), tmp_path / "f.tif"),
        "cmyk.jpg": _save(seven.convert("CMYK"), tmp_path / "g.jpg"),
        "webp": _save(seven.convert("RGBA"), tmp_path / "h.webp"),
    }
    for what, path in files.items():
        picture = open_result(path)
        assert picture is not None, what
        pixels = np.asarray(picture)
        assert pixels[0, 0] > 200 and pixels.min() < 60, what  # dark ink on white paper, as the canvas shows
        out = canvas_to_mnist(picture)
        assert np.abs(out - reference).mean() < 0.03, what  # transparent counts as background


@SLOW
@given(
    data=st.binary(min_size=0, max_size=2000), prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"GIF89a"])
)
def test_random_bytes_never_crash_the_opener(tmp_path_factory, data, prefix) -> None:
    path = tmp_path_factory.mktemp("random") / "random.png"
    path.write_bytes(prefix + data)
    open_result(path)


@SLOW
@given(
    fmt=st.sampled_from(["PNG", "GIF", "BMP", "TIFF", "JPEG", "WEBP"]),
    cut=st.floats(0.0, 1.0),
    flip=st.integers(0, 10_000),
)
def test_damaged_files_of_every_format_give_a_picture_or_a_message(tmp_path_factory, fmt, cut, flip) -> None:
    buf = io.BytesIO()
    make_picture("L", "digit", 90, 120, seed=1).convert("RGB" if fmt == "JPEG" else "L").save(buf, fmt)
    data = bytearray(buf.getvalue())
    assume(len(data) > 8)
    if flip % 2:
        data[flip % len(data)] ^= 0xFF  # one damaged byte
    data = data[: max(1, int(len(data) * cut))] if cut < 1.0 else data  # or a truncated file
    path = tmp_path_factory.mktemp("damaged") / f"damaged.{fmt.lower()}"
    path.write_bytes(bytes(data))
    open_result(path)


@pytest.mark.gui
@pytest.mark.parametrize("case", [0, 2, 5, 6], ids=[BAD_FILES[i][0] for i in (0, 2, 5, 6)])
def test_the_window_explains_a_bad_file_and_keeps_running(qtbot, tmp_path, case) -> None:
    from windows import open_picture

    from app.window.assembly import build_main_window

    name, data, words = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(data)
    window = build_main_window()
    qtbot.addWidget(window)
    window.show()
    assert not open_picture(qtbot, window, path)
    assert name in window.banner.text() and words in window.banner.text()
    assert window.canvas.is_empty()
    good = tmp_path / "seven.png"
    good.write_bytes(_seven_png("RGBA"))
    assert open_picture(qtbot, window, good) and window.prediction_view.digit() == 7
