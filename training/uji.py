"""Real pen trajectories (UJI Pen Characters) as a benchmark for reading people's handwriting.

MNIST test accuracy says little about how the app reads a digit drawn with a mouse: the drawing goes
through the canvas and the preprocessing first. The UJI files hold real stylus strokes by 11 writers,
so replaying them (through :func:`render_strokes` here, or as mouse events on the real canvas in the
GUI tests) measures the whole path. Both functions are Qt-free so scripts and later features can reuse
them.

File format (UNIPEN-like): header lines start with ``.``; a sample starts with
``.SEGMENT CHARACTER <n> ? "<char>"``; each stroke is ``.PEN_DOWN``, ``x y`` integer lines, ``.PEN_UP``;
y grows downward; coordinates are tablet units.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from training.unipen import read_segments

__all__ = [
    "PenSample",
    "fit_strokes",
    "load_uji_characters",
    "load_uji_digits",
    "parse_uji_file",
    "render_strokes",
]

_SEGMENT = re.compile(r'^\.SEGMENT\s+CHARACTER\s+\S+\s+\S+\s+"(.*)"\s*$')
_WRITER = re.compile(r"w(\d+)$")


@dataclass(frozen=True)
class PenSample:
    """One handwritten character: who wrote it, what it is, and its strokes in tablet units."""

    writer: str
    label: str
    strokes: tuple[np.ndarray, ...]  # each (k, 2) float64: x, y (y down)

    @property
    def digit(self) -> int:
        return int(self.label)


def parse_uji_file(path: str | os.PathLike[str]) -> list[PenSample]:
    """Every character sample in one writer's file, in file order (see :mod:`training.unipen`)."""
    path = Path(path)
    match = _WRITER.search(path.name)
    writer = f"w{match.group(1)}" if match else path.name
    return [PenSample(writer, seg.label, seg.strokes) for seg in read_segments(path, _SEGMENT)]


def load_uji_digits(folder: str | os.PathLike[str]) -> list[PenSample]:
    """All digit samples (labels ``"0"`` … ``"9"``) from the ``UJIpenchars-w*`` files in ``folder``."""
    return load_uji_characters(folder, "0123456789")


def load_uji_characters(folder: str | os.PathLike[str], labels: Iterable[str]) -> list[PenSample]:
    """The samples whose label is one of ``labels`` (letters, say), from every writer's file."""
    folder = Path(folder)
    files = sorted(folder.glob("UJIpenchars-w*"))
    if not files:
        raise FileNotFoundError(f"no UJIpenchars-w* files in {folder}")
    wanted = set(labels)
    found: list[PenSample] = []
    for file in files:
        found.extend(s for s in parse_uji_file(file) if s.label in wanted)
    return found


def fit_strokes(strokes: Sequence[np.ndarray], box: tuple[float, float, float, float]) -> list[np.ndarray]:
    """Scale and move strokes so the character's bounding box is centred in ``box`` and fits it.

    ``box`` is ``(left, top, width, height)``; the aspect ratio is kept, as when a person writes a digit
    of a given height somewhere on the canvas.
    """
    left, top, width, height = box
    allpts = np.concatenate([np.asarray(s, dtype=np.float64) for s in strokes])
    lo = allpts.min(axis=0)
    span = np.maximum(allpts.max(axis=0) - lo, 1e-9)
    scale = min(width / span[0], height / span[1])
    offset = np.array([left + (width - span[0] * scale) / 2, top + (height - span[1] * scale) / 2])
    return [(np.asarray(s, dtype=np.float64) - lo) * scale + offset for s in strokes]


def render_strokes(
    strokes: Sequence[np.ndarray],
    size: int = 400,
    pen_width: float = 18.0,
    box: tuple[float, float, float, float] | None = None,
    supersample: int = 4,
) -> Image.Image:
    """Draw strokes as the canvas does: black round-capped lines on white, anti-aliased, mode ``L``.

    Without ``box`` the strokes are taken to be in canvas coordinates already; with it they are first
    fitted into ``box`` (see :func:`fit_strokes`). Pillow draws aliased lines, so the picture is drawn
    ``supersample`` times larger and reduced.
    """
    if box is not None:
        strokes = fit_strokes(strokes, box)
    k = max(1, int(supersample))
    big = Image.new("L", (size * k, size * k), 255)
    draw = ImageDraw.Draw(big)
    width = max(1, round(pen_width * k))
    radius = pen_width * k / 2
    for stroke in strokes:
        pts = [(float(x) * k, float(y) * k) for x, y in np.asarray(stroke, dtype=np.float64)]
        if len(pts) > 1:
            draw.line(pts, fill=0, width=width, joint="curve")
        for x, y in (pts[0], pts[-1]) if len(pts) > 1 else pts[:1]:  # round caps
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
    return big.reduce(k) if k > 1 else big
