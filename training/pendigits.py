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
    label: str | None = None
    writer: str | None = None
    strokes: list[np.ndarray] = []
    points: list[tuple[float, float]] | None = None

    def finish(number: int) -> None:
        if label is None:
            return
        if writer is None:
            raise ValueError(f"{path.name}:{number}: a sample without its .COMMENT line (who wrote it)")
        if not strokes:
            raise ValueError(f"{path.name}:{number}: a sample without strokes")
        samples.append(PenSample(writer, label, tuple(strokes)))

    with open(path, encoding="latin-1") as fh:
        number = 0
        for number, raw in enumerate(fh, start=1):
            line = raw.strip()
            if not line:
                continue
            if not line.startswith("."):
                if points is None:
                    raise ValueError(f"{path.name}:{number}: coordinates outside a stroke")
                parts = line.split()
                if len(parts) != 2:
                    raise ValueError(f"{path.name}:{number}: expected 'x y', got {line[:40]!r}")
                try:
                    points.append((float(parts[0]), -float(parts[1])))
                except ValueError as exc:
                    raise ValueError(f"{path.name}:{number}: expected numbers, got {line[:40]!r}") from exc
            elif line.startswith(".SEGMENT"):
                seg = _SEGMENT.match(line)
                if seg is None or points is not None:
                    raise ValueError(f"{path.name}:{number}: malformed or misplaced .SEGMENT line")
                finish(number)
                label, writer, strokes = seg.group(1), None, []
            elif line.startswith(".COMMENT") and label is not None and writer is None:
                comment = _COMMENT.match(line)
                if comment is None or comment.group(1) != label:
                    raise ValueError(f"{path.name}:{number}: expected '.COMMENT <digit> <writer> <index>'")
                writer = f"p{int(comment.group(2)):02d}"
            elif line.startswith(".PEN_DOWN"):
                if label is None or points is not None:
                    raise ValueError(f"{path.name}:{number}: unexpected .PEN_DOWN")
                points = []
            elif line.startswith(".PEN_UP"):
                if points is None:
                    raise ValueError(f"{path.name}:{number}: .PEN_UP without .PEN_DOWN")
                if points:
                    strokes.append(np.asarray(points, dtype=np.float64))
                points = None
    if points is not None:
        raise ValueError(f"{path.name}: the file ends inside a stroke")
    finish(number)
    return samples
