"""Turn a picture of a digit into what an MNIST digit looks like, so the models can read it.

MNIST digits were size-normalised to fit a 20x20 box (aspect ratio kept), anti-aliased, and centred by
centre of mass in a 28x28 frame, white ink on black, with strokes about 2.5 pixels wide. A model trained
on them reads a drawing well only if the drawing is brought into that same form: simply shrinking a
whole canvas to 28x28 leaves a small or off-centre digit small or off-centre, and a digit drawn small
with a wide brush ends up with fat, blotchy strokes. So :func:`canvas_to_mnist`

1. reads any Pillow image (any mode, any size) as an ink map, 1 = ink;
2. crops to the ink;
3. measures the stroke width (ink area over half the ink outline, from the image gradient), and
4. scales the digit so it spans 20 pixels, working at ``SUPERSAMPLE`` times the final resolution, where
   the strokes are thickened or thinned to MNIST's width (grey-level dilation or erosion with an
   octagon);
5. places it in the 28x28 frame with its centre of mass at pixel (14, 14), averaging down to 28x28.

The GUI, opened image files and scripts all use this one function.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from PIL import Image

__all__ = [
    "BOX",
    "SIDE",
    "TARGET_STROKE",
    "Frame",
    "Step",
    "Traced",
    "canvas_to_mnist",
    "estimate_stroke_width",
    "ink_array",
    "ink_to_picture",
    "trace",
]

SIDE = 28  # the MNIST frame
BOX = 20  # MNIST digits are scaled to fit a box this large
CENTRE = 14.0  # where MNIST puts the centre of mass (pixel index; measured on the test set: 13.99, 14.01)
# The stroke width the pipeline aims for, in 28x28 pixels. MNIST's median by :func:`estimate_stroke_width`
# is 2.47 (assets/mnist-facts.json); the final 4x reduction and centring widen the estimate of what comes
# out a little, so aiming at 2.2 is what makes the output's median match MNIST's (a test holds it there).
TARGET_STROKE = 2.2
SUPERSAMPLE = 4  # working resolution for the stroke adjustment, as a multiple of the final one
MAX_INPUT_SIDE = 1024  # larger pictures are first reduced (box filter) to keep this fast
INK_THRESHOLD = 0.25  # ink level that counts for the bounding box (ignores faint anti-aliasing fringes)
MIN_CONTRAST = 0.1  # an image whose darkest and lightest parts differ by less counts as blank

Polarity = Literal["dark", "light", "auto"]


def canvas_to_mnist(image: Image.Image, ink: Polarity = "dark") -> np.ndarray | None:
    """An MNIST-format digit, shape (784,) float32 in [0, 1] (white on black), or ``None`` if blank.

    ``image`` is a Pillow image of any size and mode. ``ink`` says how the digit is drawn: ``"dark"``
    on a light background (the canvas), ``"light"`` on a dark one, or ``"auto"`` to decide from the
    border of the picture (opened image files).
    """
    traced = _pipeline(image, ink, keep_steps=False)
    return None if traced is None else traced.digit


class Step(NamedTuple):
    """One stage of :func:`canvas_to_mnist`: its name, its picture (ink levels in [0, 1]) and a note."""

    name: str
    picture: np.ndarray
    note: str


class Frame(NamedTuple):
    """Where the 28x28 digit lies on the source picture: ``mnist = source * scale + shift`` per axis.

    Coordinates are pixel edges (pixel i spans [i, i + 1)), x to the right and y down.
    """

    scale_x: float
    scale_y: float
    shift_x: float
    shift_y: float

    def to_source(self, x: float, y: float) -> tuple[float, float]:
        """The source point that lands on MNIST-frame point ``(x, y)``."""
        return (x - self.shift_x) / self.scale_x, (y - self.shift_y) / self.scale_y


class Traced(NamedTuple):
    """What :func:`trace` saw: the digit, where it came from, and (if asked) every stage on the way."""

    digit: np.ndarray  # (784,) as canvas_to_mnist returns it
    frame: Frame
    steps: tuple[Step, ...]
    stroke: float  # the drawing's stroke width, in source pixels


def trace(image: Image.Image, ink: Polarity = "dark", steps: bool = True) -> Traced | None:
    """:func:`canvas_to_mnist` with its workings shown: each stage's picture and where the digit lies.

    ``None`` for a blank picture. The digit is exactly what :func:`canvas_to_mnist` returns. With
    ``steps=False`` only the digit and its frame are kept (as fast as canvas_to_mnist itself).
    """
    return _pipeline(image, ink, keep_steps=steps)


class _Axes:
    """A per-axis affine map from source pixel edges to the current working picture's."""

    def __init__(self) -> None:
        self.sx = self.sy = 1.0
        self.tx = self.ty = 0.0

    def scale(self, fx: float, fy: float) -> None:
        self.sx, self.sy, self.tx, self.ty = self.sx * fx, self.sy * fy, self.tx * fx, self.ty * fy

    def shift(self, dx: float, dy: float) -> None:
        self.tx, self.ty = self.tx + dx, self.ty + dy

    def resized(self, before: np.ndarray, after: np.ndarray) -> None:
        self.scale(after.shape[1] / before.shape[1], after.shape[0] / before.shape[0])

    def frame(self) -> Frame:
        return Frame(self.sx, self.sy, self.tx, self.ty)


def _pipeline(image: Image.Image, ink: Polarity, keep_steps: bool) -> Traced | None:
    axes = _Axes()
    steps: list[Step] = []
    if keep_steps or not _is_plain_grey(image, ink):
        arr = ink_array(image, ink, axes)
        if arr is None:
            return None
        if keep_steps:
            steps.append(Step("ink", arr, "the drawing as ink levels, 1 = full ink"))
        found = _crop_to_ink(arr)
    else:  # the canvas, many times a second: the same crop without the ink map of the whole picture
        found = _grey_ink_crop(image)
    if found is None:
        return None
    crop, (top, left) = found
    axes.shift(-left, -top)
    height, width = crop.shape
    stroke = estimate_stroke_width(crop)
    if keep_steps:
        steps.append(
            Step("crop", crop, f"cropped to the ink: {width} x {height} pixels, strokes {stroke:.1f} wide")
        )

    # Scale so that the stroke's centre line spans BOX - TARGET_STROKE pixels; once the stroke is
    # TARGET_STROKE wide, the digit then spans BOX. A dot (no extent beyond its own width) stays a dot.
    extent = max(max(height, width) - stroke, stroke, 1.0)
    k = SUPERSAMPLE
    scale = (BOX - TARGET_STROKE) / extent * k  # source pixels -> working pixels
    pad = int(np.ceil(BOX * k / 4))  # room for thickening
    work = _resize(crop, scale)
    axes.resized(crop, work)
    work = _zero_pad(work, pad)
    axes.shift(pad, pad)
    work = _adjust_stroke(work, (TARGET_STROKE * k - stroke * scale) / 2)
    if keep_steps:
        steps.append(
            Step("stroke", work, f"scaled and strokes made {TARGET_STROKE:g} MNIST pixels wide, at {k}x")
        )
    found = _fit_box(work, BOX * k)
    if found is None:
        return None
    fitted, (top, left), before = found
    axes.shift(-left, -top)
    axes.resized(before, fitted)
    if keep_steps:
        steps.append(Step("box", fitted, f"the longer side fitted to {BOX} pixels, as MNIST's digits are"))
    digit, (top, left) = _centre_and_reduce(fitted, k)
    axes.shift(left, top)
    axes.scale(1 / k, 1 / k)
    if keep_steps:
        steps.append(Step("centre", digit.reshape(SIDE, SIDE), "centre of mass put at the middle of 28 x 28"))
    return Traced(digit, axes.frame(), tuple(steps), stroke)


def ink_array(image: Image.Image, ink: Polarity = "dark", _axes: _Axes | None = None) -> np.ndarray | None:
    """The picture as ink levels, float32 in [0, 1] with 0 for the background, or ``None`` if blank.

    Handles every Pillow mode: transparent pixels count as background, 16-bit and float images are
    scaled by their range, and the levels are stretched so the background is 0 and the darkest ink 1
    (a pencil photo reads like a marker drawing).
    """
    if not isinstance(image, Image.Image):
        raise TypeError(f"expected a PIL image, got {type(image).__name__}")
    if image.width == 0 or image.height == 0:
        return None
    if image.mode in ("La", "RGBa"):  # premultiplied alpha: Pillow converts these only to LA and RGBA
        image = image.convert(image.mode.upper())
    if max(image.size) > MAX_INPUT_SIDE:
        factor = int(np.ceil(max(image.size) / MAX_INPUT_SIDE))
        before = image.size
        image = _to_flat(image).reduce(factor)
        if _axes is not None:
            _axes.scale(image.size[0] / before[0], image.size[1] / before[1])
    lum = _luminance(image)
    if ink == "auto":
        ink = "light" if np.median(_border(lum)) < 0.5 else "dark"
    elif ink not in ("dark", "light"):
        raise ValueError(f"ink must be 'dark', 'light' or 'auto', got {ink!r}")
    arr = 1.0 - lum if ink == "dark" else lum
    background = float(np.median(_border(arr)))
    top = float(arr.max())
    if top - background < MIN_CONTRAST:
        return None
    out = (arr - background) / (top - background)
    np.clip(out, 0.0, 1.0, out=out)
    return out.astype(np.float32, copy=False)


def _is_plain_grey(image: Image.Image, ink: Polarity) -> bool:
    """An ``L`` picture of dark ink that needs no reduction: what the canvas hands over."""
    return (
        isinstance(image, Image.Image)
        and image.mode == "L"
        and ink == "dark"
        and "transparency" not in image.info
        and 0 < max(image.size) <= MAX_INPUT_SIDE
        and min(image.size) > 0
    )


def _grey_ink_crop(image: Image.Image) -> tuple[np.ndarray, tuple[int, int]] | None:
    """``_crop_to_ink(ink_array(image))`` for a plain grey picture, the same numbers, computed on the
    ink's neighbourhood only: the levels are stretched by the whole picture's border and darkest pixel
    as :func:`ink_array` does, but only a box that surely holds every pixel above ``INK_THRESHOLD`` is
    turned into float levels."""
    grey = np.asarray(image)
    border = _border(grey)
    # ink_array's background and top, in its own float32 arithmetic.
    background = float(np.median(1.0 - border.astype(np.float32) / np.float32(255)))
    top = float(np.float32(1.0) - np.float32(grey.min()) / np.float32(255))
    if top - background < MIN_CONTRAST:
        return None
    # A pixel above INK_THRESHOLD is darker than this grey level; one level of margin for rounding.
    darker_than = 255.0 * (1.0 - (background + INK_THRESHOLD * (top - background))) + 1.0
    mask = grey < darker_than
    rows = np.flatnonzero(mask.any(axis=1))
    if not len(rows):
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    y0, x0 = int(rows[0]), int(cols[0])
    box = grey[y0 : int(rows[-1]) + 1, x0 : int(cols[-1]) + 1]
    arr = 1.0 - box.astype(np.float32) / np.float32(255)
    out = (arr - background) / (top - background)
    np.clip(out, 0.0, 1.0, out=out)
    found = _crop_to_ink(out.astype(np.float32, copy=False))
    if found is None:
        return None
    crop, (top_row, left_col) = found
    return crop, (y0 + top_row, x0 + left_col)


def ink_to_picture(ink: np.ndarray) -> Image.Image:
    """An ink map as a dark-on-white ``L`` picture (how the canvas shows an opened image)."""
    values = np.clip(255.0 * (1.0 - np.asarray(ink, dtype=np.float32)), 0, 255)
    return Image.fromarray(np.round(values).astype(np.uint8), mode="L")


def estimate_stroke_width(ink: np.ndarray) -> float:
    """The typical stroke width in pixels: ink area divided by half the length of the ink's outline.

    A stroke of width w and length L has area w*L and an outline of about 2*L. The outline length is
    the total variation of the (anti-aliased) ink map, which does not depend on stroke direction.
    """
    padded = _zero_pad(np.asarray(ink, dtype=np.float32), 1)
    area = float(padded.sum(dtype=np.float64))
    if area <= 0:
        return 0.0
    # numpy.gradient's differences (central inside, one-sided at the edges), in float32 and in place:
    # this runs on every prediction, on crops of up to a few hundred thousand pixels.
    gy, gx = np.empty_like(padded), np.empty_like(padded)
    half = np.float32(0.5)
    np.multiply(np.subtract(padded[2:], padded[:-2], out=gy[1:-1]), half, out=gy[1:-1])
    np.subtract(padded[1], padded[0], out=gy[0])
    np.subtract(padded[-1], padded[-2], out=gy[-1])
    np.multiply(np.subtract(padded[:, 2:], padded[:, :-2], out=gx[:, 1:-1]), half, out=gx[:, 1:-1])
    np.subtract(padded[:, 1], padded[:, 0], out=gx[:, 0])
    np.subtract(padded[:, -1], padded[:, -2], out=gx[:, -1])
    np.multiply(gx, gx, out=gx)
    np.multiply(gy, gy, out=gy)
    gx += gy
    np.sqrt(gx, out=gx)
    outline = float(gx.sum(dtype=np.float64))
    return 2.0 * area / outline if outline > 0 else 1.0


# ------------------------------------------------------------------------------------------ helpers


def _to_flat(image: Image.Image) -> Image.Image:
    """The image in a mode that ``reduce`` and ``resize`` support, alpha kept."""
    if image.mode in ("L", "LA", "RGB", "RGBA", "F"):
        return image
    if image.mode in ("1",):
        return image.convert("L")
    if image.mode.startswith("I"):
        return Image.fromarray(_luminance(image), mode="F")
    if image.mode in ("P", "PA") or "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def _luminance(image: Image.Image) -> np.ndarray:
    """Brightness in [0, 1], float32; transparent areas take the background colour (see below)."""
    mode = image.mode
    if mode.startswith("I") or mode == "F":
        arr = np.asarray(image, dtype=np.float64)
        if mode == "F":
            top = 1.0 if arr.size == 0 or arr.max() <= 1.0 else (255.0 if arr.max() <= 255.0 else 65535.0)
        elif mode.startswith("I;16"):
            top = 65535.0
        else:  # 32-bit integers: 8- or 16-bit data stored wide
            top = 255.0 if arr.size == 0 or arr.max() <= 255 else 65535.0
        return np.clip(arr / top, 0.0, 1.0).astype(np.float32)
    if mode == "1":
        image = image.convert("L")
    elif mode in ("P", "PA") or (mode in ("L", "RGB") and "transparency" in image.info):
        image = image.convert("RGBA")
    elif mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGB")
    if image.mode in ("LA", "RGBA"):
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
        alpha = rgba[..., 3]
        lum = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        if alpha.min() >= 254 / 255:
            return lum
        # Transparent pixels become the background: the colour that contrasts with what is drawn.
        drawn = alpha > 0.5
        ink_is_dark = not drawn.any() or float(np.mean(lum[drawn])) < 0.5
        background = 1.0 if ink_is_dark else 0.0
        return (lum * alpha + background * (1.0 - alpha)).astype(np.float32)
    if image.mode == "RGB":
        image = image.convert("L")
    return np.asarray(image, dtype=np.float32) / 255.0


def _border(arr: np.ndarray) -> np.ndarray:
    """The outermost pixels of a picture: where the background is, whatever is drawn inside."""
    if min(arr.shape) <= 2:
        return arr.ravel()
    return np.concatenate([arr[0], arr[-1], arr[1:-1, 0], arr[1:-1, -1]])


def _zero_pad(arr: np.ndarray, width: int) -> np.ndarray:
    """``np.pad(arr, width)`` for a 2-D array, without its general machinery (it runs several times a
    prediction)."""
    h, w = arr.shape
    out = np.zeros((h + 2 * width, w + 2 * width), dtype=arr.dtype)
    out[width : width + h, width : width + w] = arr
    return out


def _resize(arr: np.ndarray, scale: float) -> np.ndarray:
    """Resample an ink map by ``scale``: area averaging when shrinking (anti-aliasing), bicubic else."""
    h, w = arr.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    method = Image.Resampling.BOX if scale < 1 else Image.Resampling.BICUBIC
    out = np.asarray(Image.fromarray(arr.astype(np.float32), mode="F").resize(size, method))
    return np.clip(out, 0.0, 1.0)


def _shift_max(arr: np.ndarray, offsets: tuple[tuple[int, int], ...], use_max: bool) -> np.ndarray:
    h, w = arr.shape
    padded = _zero_pad(arr, 1)
    out = arr.copy()
    pick = np.maximum if use_max else np.minimum
    for dy, dx in offsets:
        pick(out, padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w], out=out)
    return out


_CROSS = ((-1, 0), (1, 0), (0, -1), (0, 1))
_SQUARE = (*_CROSS, (-1, -1), (-1, 1), (1, -1), (1, 1))


def _adjust_stroke(arr: np.ndarray, radius: float) -> np.ndarray:
    """Thicken (``radius`` > 0) or thin (< 0) strokes by about ``radius`` pixels on each side.

    Alternating 3x3 square and cross steps approximate a disc (an octagon), so strokes of every
    direction change alike. Thinning never removes a stroke completely: it stops at one pixel width.
    """
    steps = round(abs(radius))
    if steps == 0:
        return arr
    grow = radius > 0
    for i in range(steps):
        shape = _SQUARE if i % 2 else _CROSS
        nxt = _shift_max(arr, shape, grow)
        if not grow and nxt.max() < 0.5:  # the next step would erase the digit
            break
        arr = nxt
    return arr


def _crop_to_ink(arr: np.ndarray) -> tuple[np.ndarray, tuple[int, int]] | None:
    """The bounding box of the ink (pixels above ``INK_THRESHOLD``) and its top-left corner, or ``None``."""
    mask = arr > INK_THRESHOLD
    if not mask.any():
        return None
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return arr[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], (int(rows[0]), int(cols[0]))


def _fit_box(arr: np.ndarray, box: int) -> tuple[np.ndarray, tuple[int, int], np.ndarray] | None:
    """Crop to the ink and rescale so the longer side is ``box`` pixels (aspect ratio kept).

    Returns the result, the crop's top-left corner and the crop before rescaling, or ``None``.
    """
    found = _crop_to_ink(arr)
    if found is None:
        return None
    crop, corner = found
    longest = max(crop.shape)
    if longest == box:
        return crop, corner, crop
    return _resize(crop, box / longest), corner, crop


def _centre_and_reduce(arr: np.ndarray, k: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Place the digit so its centre of mass lands on MNIST's centre, then average ``k``x``k`` blocks."""
    side = SIDE * k
    h, w = arr.shape
    mass = arr.sum()
    ys = np.arange(h, dtype=np.float64)
    xs = np.arange(w, dtype=np.float64)
    cy = float(arr.sum(axis=1) @ ys / mass)
    cx = float(arr.sum(axis=0) @ xs / mass)
    # Pixel i of the final image covers working pixels i*k .. i*k+k-1, whose centre is (i + 0.5)*k - 0.5.
    target = (CENTRE + 0.5) * k - 0.5
    top = round(target - cy)
    left = round(target - cx)
    frame = np.zeros((side, side), dtype=np.float32)
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, side), min(left + w, side)
    if y1 > y0 and x1 > x0:
        frame[y0:y1, x0:x1] = arr[y0 - top : y1 - top, x0 - left : x1 - left]
    small = frame.reshape(SIDE, k, SIDE, k).mean(axis=(1, 3))
    return np.clip(small, 0.0, 1.0).astype(np.float32).ravel(), (top, left)
