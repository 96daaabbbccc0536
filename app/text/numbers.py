"""Numbers as the person reads them: percentages, durations and parameter values.

Every percentage the app shows goes through :func:`percent` and every length of time in seconds
through :func:`format_seconds`. Each view picks one precision for all its percentages (the main
window one decimal, the evaluation window and the retrain results two), so figures side by side are
written alike.
"""

from __future__ import annotations

import math

LIVE_DIGITS = 1  # the main window: the bars, the prediction, the status line
RESULT_DIGITS = 2  # evaluation, retrain results, step-through: accuracies on thousands of test digits


def percent(value: float | None, digits: int = 1) -> str:
    """A probability, share or accuracy in percent with ``digits`` decimals; "n/a" for ``None``.

    Rounded as usual, except that it never claims a certainty or an impossibility it does not have:
    a value below 1 that would round to 100 reads ">99.9%" (with one decimal), a value above 0 that
    would round to 0 reads "<0.1%".
    """
    if value is None:
        return "n/a"
    text = f"{100.0 * value:.{digits}f}"
    step = 10.0**-digits
    if value < 1.0 and float(text) >= 100.0:
        return f">{100.0 - step:.{digits}f}%"
    if value > 0.0 and float(text) <= 0.0:
        return f"<{step:.{digits}f}%"
    return f"{text}%"


def format_seconds(seconds: float) -> str:
    """A length of time: milliseconds below a second, tenths of a second below ten, whole seconds above."""
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


def format_duration(seconds: float) -> str:
    """A clock-style duration, ``m:ss``."""
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def format_number(value: float) -> str:
    """Compact scientific text for small positive numbers: 0.0001 -> "1e-4", 0.00025 -> "2.5e-4"."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = f"{value / 10**exponent:.3g}"
    if mantissa == "10":
        mantissa, exponent = "1", exponent + 1
    if -2 <= exponent <= 2:
        return f"{value:.4g}"
    return f"{mantissa}e{exponent}"
