"""The UNIPEN-like text both pen data sets are stored in, read once for both.

Header lines start with ``.``; a sample starts with a ``.SEGMENT`` line naming what was written; lines
such as ``.COMMENT`` may follow it; each stroke is ``.PEN_DOWN``, one ``x y`` pair per line, ``.PEN_UP``.
Malformed content raises ``ValueError`` naming the file and line, so a damaged file is never read as
shorter or different handwriting.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Segment", "read_segments"]


@dataclass(frozen=True)
class Segment:
    """One written sample: its label, the comment lines after its ``.SEGMENT`` line, its strokes."""

    label: str
    comments: tuple[str, ...]
    strokes: tuple[np.ndarray, ...]  # each (k, 2) float64, x and y as in the file
    line: int  # the line number of its .SEGMENT line, for messages


def read_segments(path: str | os.PathLike[str], segment: re.Pattern[str]) -> list[Segment]:
    """Every segment in the file, in order; ``segment`` matches a ``.SEGMENT`` line, group 1 its label."""
    path = Path(path)
    found: list[Segment] = []
    start: tuple[str, int] | None = None  # (label, line) of the segment being read
    comments: list[str] = []
    strokes: list[np.ndarray] = []
    points: list[tuple[float, float]] | None = None

    def finish() -> None:
        if start is not None:
            found.append(Segment(start[0], tuple(comments), tuple(strokes), start[1]))

    with open(path, encoding="latin-1") as fh:
        for number, raw in enumerate(fh, start=1):
            line = raw.strip()
            if not line:
                continue
            where = f"{path.name}:{number}"
            if not line.startswith("."):
                if points is None:
                    continue  # stray data outside a stroke (none in the real files)
                parts = line.split()
                if len(parts) != 2:
                    raise ValueError(f"{where}: expected 'x y', got {line[:40]!r}")
                try:
                    points.append((float(parts[0]), float(parts[1])))
                except ValueError as exc:
                    raise ValueError(f"{where}: expected numbers, got {line[:40]!r}") from exc
            elif line.startswith(".SEGMENT"):
                match = segment.match(line)
                if match is None:
                    raise ValueError(f"{where}: malformed .SEGMENT line")
                if points is not None:
                    raise ValueError(f"{where}: .SEGMENT inside a stroke")
                finish()
                start, comments, strokes = (match.group(1), number), [], []
            elif line.startswith(".PEN_DOWN"):
                if start is None or points is not None:
                    raise ValueError(f"{where}: unexpected .PEN_DOWN")
                points = []
            elif line.startswith(".PEN_UP"):
                if points is None:
                    raise ValueError(f"{where}: .PEN_UP without .PEN_DOWN")
                if points:
                    strokes.append(np.asarray(points, dtype=np.float64))
                points = None
            elif start is not None and not strokes and points is None:
                comments.append(line)  # .COMMENT and the like, between .SEGMENT and the first stroke
    if points is not None:
        raise ValueError(f"{path.name}: the file ends inside a stroke")
    finish()
    return found
