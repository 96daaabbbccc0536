"""Does the window read real handwriting? 220 digits by 11 writers, replayed as mouse strokes.

The UJI Pen Characters hold the pen trajectories of real people. Each digit is scaled and placed on the
canvas as a person would write it, drawn with real mouse events (press, moves with the button held,
release) on the real canvas of the real window, and the answer is read from what the ``prediction``
widget shows. Three placements: two thirds of the sheet high and centred, then small in the top-left
corner, then small in the bottom-right corner. The bundled one-vs-rest model must read at least 97% in
every placement.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from PySide6.QtWidgets import QLabel

from app.testing.replay import PLACEMENTS, draw_placed
from app.window.assembly import build_main_window
from training.uji import PenSample, load_uji_digits

pytestmark = pytest.mark.gui

REQUIRED = 0.975  # the handwriting issue's goal in each placement; the bundled model reads 98.2, 98.6, 97.7%


@pytest.fixture(scope="module")
def uji_digits(uji_dir) -> list[PenSample]:
    return load_uji_digits(uji_dir)


def test_the_replay_data_is_complete(uji_digits: list[PenSample]) -> None:
    assert len(uji_digits) == 220
    assert Counter(s.label for s in uji_digits) == {str(d): 22 for d in range(10)}
    assert len({s.writer for s in uji_digits}) == 11


@pytest.mark.parametrize("placement", list(PLACEMENTS))
def test_window_reads_real_handwriting(
    qtbot, uji_digits: list[PenSample], placement: str, capsys: pytest.CaptureFixture[str]
) -> None:
    window = build_main_window()
    qtbot.addWidget(window)
    window.resize(1000, 680)
    window.show()
    qtbot.waitExposed(window)
    assert window.model_kind() == "ovr"
    digit_label = window.findChild(QLabel, "predictionDigit")
    start = time.perf_counter()
    correct = 0
    mistakes: Counter[tuple[str, str]] = Counter()
    events = 0
    for sample in uji_digits:
        window.action("clear").trigger()
        assert digit_label.text() == "Draw a digit"
        draw_placed(window.canvas, sample.strokes, placement)
        events += sum(len(s.points) for s in window.canvas.strokes())
        shown = digit_label.text()
        if shown == sample.label:
            correct += 1
        else:
            mistakes[(sample.label, shown)] += 1
    seconds = time.perf_counter() - start
    accuracy = correct / len(uji_digits)
    side = window.canvas.paper_rect().width()
    with capsys.disabled():
        print(
            f"\nUJI replay, {placement}: {correct}/{len(uji_digits)} = {accuracy:.1%} read correctly "
            f"(canvas {side:.0f} px, {events} mouse points, {seconds:.1f} s); "
            f"mistakes (true->shown): {dict(mistakes.most_common(6))}"
        )
    assert accuracy >= REQUIRED
