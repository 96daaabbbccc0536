"""Real pen digits of 30 writers (Pen-Based Recognition of Handwritten Digits), with who wrote each.

These measure how the app reads people it never saw, and each writer stands in for one user who teaches
it; they never train the bundled models. The format is UNIPEN-like, as UJI's: a sample starts with
``.SEGMENT DIGIT <n> ? "<digit>"`` followed by ``.COMMENT <digit> <writer> <index>``; each stroke is
``.PEN_DOWN``, ``x y`` integer lines, ``.PEN_UP``. Unlike UJI, y grows *upward* (tablet convention), so
the strokes are flipped here and come out in screen convention like :class:`training.uji.PenSample`'s.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from training.uji import PenSample
from training.unipen import read_segments

__all__ = ["PENDIGITS_FILE", "load_pendigits"]

PENDIGITS_FILE = "pendigits-orig.tra"
_SEGMENT = re.compile(r'^\.SEGMENT\s+DIGIT\s+\S+\s+\S+\s+"(\d)"\s*$')
_COMMENT = re.compile(r"^\.COMMENT\s+(\d)\s+(\d+)\s+(\d+)\s*$")


def load_pendigits(path: str | os.PathLike[str]) -> list[PenSample]:
    """Every digit in the file (or in ``path / PENDIGITS_FILE``), in file order, y pointing down.

    The writer is ``"p01"`` … ``"p30"``. Raises ``ValueError`` naming the line for malformed content, so a
    damaged file is never read as different handwriting.
    """
    path = Path(path)
    if path.is_dir():
        path = path / PENDIGITS_FILE
    samples: list[PenSample] = []
    flip = np.array([1.0, -1.0])  # y grows upward on the tablet, downward on the screen
    for seg in read_segments(path, _SEGMENT):
        comment = _COMMENT.match(seg.comments[0]) if seg.comments else None
        if comment is None or comment.group(1) != seg.label:
            raise ValueError(f"{path.name}:{seg.line}: expected '.COMMENT <digit> <writer> <index>' next")
        if not seg.strokes:
            raise ValueError(f"{path.name}:{seg.line}: a sample without strokes")
        writer = f"p{int(comment.group(2)):02d}"
        samples.append(PenSample(writer, seg.label, tuple(s * flip for s in seg.strokes)))
    return samples
