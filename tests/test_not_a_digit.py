"""Does the window say "not a digit" when it should, and only then? UJI's letters and digits, replayed.

The UJI files hold every letter as well as the digits. The letters below look like no digit (the
handwriting issue's list: no O, I, l, S, Z, B, G, q, g ... which people write like 0, 1, 5, 2, 8, 6 and
9); drawn with the mouse on the real canvas they should be answered "Not a digit" at least 60% of the
time, while the real digits (UJI here, pendigits in its own test) are flagged at most 1% of the time.
"""

from __future__ import annotations

import pytest
from windows import read_through_window

from app.widgets.prediction import NOT_A_DIGIT
from training.uji import load_uji_characters, load_uji_digits

pytestmark = pytest.mark.gui

LETTERS = list("ACEFHKMNPRVWXaefhkmnprvwx")
LETTERS_FLAGGED = 0.60
DIGITS_FLAGGED = 0.01


def test_letters_are_answered_not_a_digit(window, uji_dir, capsys: pytest.CaptureFixture[str]) -> None:
    letters = load_uji_characters(uji_dir, LETTERS)
    assert len(letters) == 11 * 2 * len(LETTERS)
    shown = read_through_window(window, letters)
    flagged = [text == NOT_A_DIGIT for text in shown]
    missed = sorted({s.label for s, f in zip(letters, flagged, strict=True) if not f})
    share = sum(flagged) / len(flagged)
    digits = load_uji_digits(uji_dir)
    digit_flags = [text == NOT_A_DIGIT for text in read_through_window(window, digits)]
    digit_share = sum(digit_flags) / len(digit_flags)
    with capsys.disabled():
        print(
            f"\nnot a digit: {sum(flagged)}/{len(flagged)} = {share:.1%} of the letters "
            f"(read as a digit at least once: {' '.join(missed)}); {sum(digit_flags)}/{len(digit_flags)} = "
            f"{digit_share:.1%} of UJI's digits"
        )
    assert share >= LETTERS_FLAGGED
    assert digit_share <= DIGITS_FLAGGED


def test_under_not_a_digit_the_bars_show_how_little_it_looks_like_each(window, uji_dir) -> None:
    """Normalised bars would still sum to one; each class's own probability shows every one says "not me"."""
    from app.testing.replay import draw_placed
    from app.window.reading_panel import BARS_CAPTION, OWN_CAPTION

    letters = load_uji_characters(uji_dir, list("MW"))
    for letter in letters:
        window.canvas.clear()
        draw_placed(window.canvas, letter.strokes)
        window.predictor.flush()
        if window.prediction_view.verdict() == "not a digit":
            break
    else:
        pytest.fail("no M or W was answered 'Not a digit'")
    shown = window.bars.probabilities()
    assert window.panel.bars_caption.text() == OWN_CAPTION
    assert sum(shown.values()) < 0.9  # each class on its own, not shares of one
    window.canvas.clear()
    draw_placed(window.canvas, load_uji_digits(uji_dir)[0].strokes)
    window.predictor.flush()
    assert window.prediction_view.verdict() != "not a digit"
    assert window.panel.bars_caption.text() == BARS_CAPTION
    assert sum(window.bars.probabilities().values()) == pytest.approx(1.0, abs=1e-6)
