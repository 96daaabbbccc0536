"""Does the window read people it never saw? 7,494 pen digits of 30 writers, replayed as mouse strokes.

Pendigits' writers (many of them writing continental 1s, 7s and 9s) trained nothing that ships: they
measure. Every digit is drawn with real mouse events on the real canvas of the real window, two thirds
of the sheet high and centred, and the answer is read off the prediction label; "Not a digit" counts
as a mistake. The issue's goal is 97%; the assertion guards what the bundled model reaches today.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from windows import accuracy_report, read_through_window

from app.widgets.prediction import NOT_A_DIGIT
from training.pendigits import load_pendigits

pytestmark = [pytest.mark.gui, pytest.mark.slow]

GOAL = 0.97  # the handwriting issue's goal for all writers together
REQUIRED = GOAL  # the bundled model reads 97.2% through the window
WORST_WRITER = 0.86  # (87.6%)
FLAGGED = 0.01  # at most this share of real digits may be answered "Not a digit"


@pytest.fixture(scope="module")
def pendigits(pendigits_dir):
    return load_pendigits(pendigits_dir)


def test_the_data_is_complete(pendigits) -> None:
    assert len(pendigits) == 7494
    assert len({s.writer for s in pendigits}) == 30
    assert set(Counter(s.label for s in pendigits)) == {str(d) for d in range(10)}


def test_window_reads_writers_it_never_saw(window, pendigits, capsys: pytest.CaptureFixture[str]) -> None:
    window.resize(1000, 680)
    assert window.model_kind() == "ovr"
    start = time.perf_counter()
    shown = read_through_window(window, pendigits)
    seconds = time.perf_counter() - start
    labels = [s.label for s in pendigits]
    writers = [s.writer for s in pendigits]
    right = [a == b for a, b in zip(labels, shown, strict=True)]
    accuracy = sum(right) / len(right)
    per_writer = {
        w: sum(r for r, x in zip(right, writers, strict=True) if x == w) / writers.count(w)
        for w in set(writers)
    }
    with capsys.disabled():
        print(f"\n{accuracy_report('pendigits replay, 30 writers', labels, shown, writers)}")
        print(f"  ({seconds:.0f} s; the goal is {GOAL:.0%})")
    flagged = shown.count(NOT_A_DIGIT) / len(shown)
    with capsys.disabled():
        print(f"  answered 'Not a digit': {flagged:.2%} of the digits")
    assert accuracy >= REQUIRED
    assert min(per_writer.values()) >= WORST_WRITER
    assert flagged <= FLAGGED
