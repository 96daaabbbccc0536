"""Numbers as the person reads them: probabilities, confidences, durations and parameter values."""

from __future__ import annotations

import math


def format_percent(p: float) -> str:
    """A probability for display; 99.96% would read "100.0%" and claim certainty, so it shows >99.9%."""
    value = 100.0 * p
    if value > 99.9 and p < 1.0:
        return ">99.9%"
    if 0 < value < 0.1:
        return "<0.1%"
    return f"{value:.1f}%"


def format_confidence(p: float) -> str:
    """A probability as a percentage that never overstates: 0.9996 is "99.9%", not "100%"."""
    if p >= 0.99:
        return f"{math.floor(p * 1000) / 10:.1f}%"
    return f"{math.floor(p * 100):.0f}%"


def format_share(value: float | None) -> str:
    """A share in whole percent, or "n/a" when there is none (too few samples to measure)."""
    return "n/a" if value is None else f"{value:.0%}"


def format_seconds(seconds: float) -> str:
    """A run's length: tenths of a second below ten seconds, whole seconds above."""
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
