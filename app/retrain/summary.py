"""What a finished retrain says: the new model against the one it replaced, on MNIST and your samples."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from app.text.labels import short_label
from app.text.numbers import RESULT_DIGITS, format_seconds, percent
from app.widgets.colours import colour_name

if TYPE_CHECKING:
    from PySide6.QtGui import QPalette

    from training.retrain import RetrainResult


def _percent(value: float | None) -> str:
    """Every share in a retrain's results is written alike, as the MNIST accuracies beside them."""
    return percent(value, RESULT_DIGITS)


def summary_line(result: RetrainResult) -> str:
    """One sentence comparing the new model with the one it replaced, e.g. for a status bar."""
    previous = _percent(result.previous_accuracy)
    return (
        f"{short_label(result.kind)}: new {_percent(result.accuracy)} vs previous {previous} MNIST test "
        f"accuracy, {format_seconds(result.seconds)}"
    )


def result_html(result: RetrainResult, palette: QPalette | None = None) -> str:
    """The same comparison for the dialog, with the change in points coloured, and the samples line.

    The colours suit ``palette`` (the application's when ``None``): lighter ones on a dark scheme.
    """
    new = result.accuracy
    prev = result.previous_accuracy
    if prev is None:
        previous, delta = "n/a", ""
    else:
        previous = _percent(prev)
        diff = 100 * (new - prev)
        name = "success_text" if diff > 0.005 else ("warning_text" if diff < -0.005 else "neutral_text")
        colour = colour_name(name, palette)
        delta = f' <span style="color:{colour}">({diff:+.2f} points)</span>'
    text = (
        f"<b>{html.escape(short_label(result.kind))}</b>: new <b>{_percent(new)}</b> vs previous {previous} "
        f"MNIST test accuracy{delta}, {format_seconds(result.seconds)}"
    )
    mine = user_summary(result)
    if mine:
        text += f"<br>&nbsp;&nbsp;&nbsp;{html.escape(mine)}"
    return text


def user_summary(result: RetrainResult) -> str:
    """How the new model reads the user's own samples it did not train on, "" when none were included.

    E.g. "Your samples: before 40.00% → after 100.00% (held out, n=5); cross-validated 95.00% (5 folds,
    n=26; the previous model read 50.00% of the 20 it had not trained on)".
    """
    meta = result.metadata
    if "user_train_ids" not in meta:
        return ""
    n_held = int(meta.get("n_user_heldout") or 0)
    parts = []
    if n_held:
        parts.append(
            f"before {_percent(result.previous_user_heldout)} → after {_percent(result.user_heldout)} "
            f"(held out, n={n_held})"
        )
    if result.user_cv is not None:
        before = ""
        if result.previous_user_all is not None:
            unseen = result.n_previous_user_all
            before = (
                f"; the previous model read {_percent(result.previous_user_all)} of the "
                f"{'one' if unseen == 1 else unseen} it had not trained on"
            )
        parts.append(
            f"cross-validated {_percent(result.user_cv)} ({meta.get('user_cv_folds')} folds, "
            f"n={meta.get('n_user_cv')}{before})"
        )
    if not parts:
        if not meta.get("user_train_ids"):
            return "Your samples: none of them are digits this model knows."
        return "Your samples: trained on all of them; none were kept aside to test on."
    return "Your samples: " + "; ".join(parts)
