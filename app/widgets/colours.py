"""The colours the app paints that the palette has no role for, each in a light and a dark variant.

Qt gives the application a new palette when the system switches between light and dark (Qt 6.5+
reports the scheme through ``QGuiApplication.styleHints().colorScheme()``), and when a person forces
a dark style or palette. Whether the scheme is dark is read from that palette (the window colour's
lightness), so these colours always suit the palette the widgets are painted with. Widgets ask here at
paint time, or again on ``QEvent.PaletteChange``, so a switch while the app runs repaints them right.

The drawing canvas is paper and stays white in both schemes; nothing here is for it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QGuiApplication, QPalette

DARK_LIGHTNESS = 128  # a window colour darker than this (HSL lightness 0..255) is a dark scheme

# Message tones: (background, text, border).
_TONES = {
    "light": {
        "info": ("#e8f0fe", "#1a3d7c", "#9bb8ee"),
        "warning": ("#fff4d6", "#5c4300", "#e8c765"),
        "error": ("#fde7e7", "#7c1a1a", "#ee9b9b"),
        "success": ("#e6f4ea", "#0d4a1f", "#8fcf9f"),
    },
    "dark": {
        "info": ("#1c2b45", "#c6dafc", "#3d5f99"),
        "warning": ("#3b2f0f", "#ffe08a", "#8a6d1f"),
        "error": ("#3f1d1d", "#ffb4ab", "#93403a"),
        "success": ("#17321f", "#a8e0b4", "#3f7d50"),
    },
}

# Named colours: text that carries a meaning, and the pens and fills of the views.
_COLOURS = {
    "light": {
        "error_text": "#b3261e",  # a failure said in words
        "success_text": "#1a7f37",  # better than before
        "warning_text": "#b35900",  # worse than before
        "neutral_text": "#555555",  # no change
        "frame": "#c8c8c8",  # the frame around a picture (weights, thumbnails)
        "grid": "#e1e1e1",  # the lines between a matrix's cells
        "empty_count": "#bebebe",  # a zero in a matrix cell
        "outline": "#141414",  # the outline of a selected cell
        "hard_row": "#ffecd1",  # the table row of the hardest digit
        # The confusion matrix's pair is Okabe and Ito's colour-blind-safe blue and vermillion, which
        # stay apart under every common colour-vision deficiency (green and red do not).
        "correct_low": "#e3eff7",  # confusion matrix: the diagonal's palest blue
        "correct_high": "#0072b2",  # and its strongest (Okabe-Ito blue)
        "wrong_low": "#ffffff",  # confusion matrix: no mistakes
        "wrong_high": "#d55e00",  # the most frequent mistake (Okabe-Ito vermillion)
        "calibration_gap": "#d55e00",  # reliability diagram: the gap between a bar and the diagonal
        "heat_negative": "#2166ac",  # diverging map (ColorBrewer RdBu, colour-blind safe): against
        "heat_zero": "#ffffff",  # no evidence either way: the light background
        "heat_positive": "#b2182b",  # for
        "series_extra": "#333333",  # an eleventh curve of a line plot
        "missing_picture": "#787878",  # a thumbnail whose picture file could not be read
        "held_out": "#e69f00",  # a sample kept aside for testing: its frame and badge (Okabe-Ito orange)
        "held_out_text": "#281c00",  # the badge's word, dark on the orange
    },
    "dark": {
        "error_text": "#ff8a80",
        "success_text": "#6fdc8c",
        "warning_text": "#ffb86b",
        "neutral_text": "#b0b0b0",
        "frame": "#5a5a5a",
        "grid": "#3a3a3a",
        "empty_count": "#6a6a6a",
        "outline": "#f0f0f0",
        "hard_row": "#4a3812",
        "correct_low": "#15232e",
        "correct_high": "#3d9be0",  # a lighter blue and vermillion, which stand out on a near-black
        "wrong_low": "#1e1e1e",
        "wrong_high": "#f0782a",
        "calibration_gap": "#f0782a",
        "heat_negative": "#4393c3",  # the same map's lighter ends, which stand out on a near-black centre
        "heat_zero": "#1c1c1e",  # near-black: the dark background
        "heat_positive": "#d6604d",
        "series_extra": "#c8c8c8",
        "missing_picture": "#5a5a5a",
        "held_out": "#f0b429",  # a touch lighter: it frames a thumbnail on a near-black background
        "held_out_text": "#281c00",
    },
}


def _palette(palette: QPalette | None) -> QPalette:
    return QGuiApplication.palette() if palette is None else palette


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's when ``None``) is a dark scheme: dark window colour."""
    return _palette(palette).color(QPalette.ColorRole.Window).lightness() < DARK_LIGHTNESS


def scheme(palette: QPalette | None = None) -> str:
    """``"dark"`` or ``"light"``, for ``palette`` (the application's when ``None``)."""
    return "dark" if is_dark(palette) else "light"


def colour(name: str, palette: QPalette | None = None) -> QColor:
    """The named colour (see ``_COLOURS``) in the variant that suits ``palette``."""
    return QColor(_COLOURS[scheme(palette)][name])


def colour_name(name: str, palette: QPalette | None = None) -> str:
    """The same as a ``#rrggbb`` string, for rich text."""
    return _COLOURS[scheme(palette)][name]


def tone(level: str, palette: QPalette | None = None) -> tuple[QColor, QColor, QColor]:
    """``(background, text, border)`` of a message of ``level``: info, warning, error or success."""
    tones = _TONES[scheme(palette)]
    background, text, border = tones.get(level, tones["info"])
    return QColor(background), QColor(text), QColor(border)


def heat_rgb(palette: QPalette | None = None) -> tuple[tuple[int, int, int], ...]:
    """The diverging map's ``(negative, zero, positive)`` ends as RGB triples."""
    return tuple(
        (c.red(), c.green(), c.blue())
        for c in (colour(n, palette) for n in ("heat_negative", "heat_zero", "heat_positive"))
    )


PALETTE_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.StyleChange)


def is_palette_event(event: QEvent) -> bool:
    """Whether ``event`` says the colours changed: the widget's palette, the application's, or the style."""
    return event.type() in PALETTE_EVENTS


def dark_palette() -> QPalette:
    """A dark palette like a dark system style's, to see the dark scheme anywhere (tests, screenshots).

    ``QApplication.setPalette(dark_palette())`` switches a running app to it, as a system switch does.
    """
    roles = QPalette.ColorRole
    palette = QPalette()
    for role, name in (
        (roles.Window, "#202124"),
        (roles.WindowText, "#e8eaed"),
        (roles.Base, "#181818"),
        (roles.AlternateBase, "#26272a"),
        (roles.Text, "#e8eaed"),
        (roles.Button, "#2d2e31"),
        (roles.ButtonText, "#e8eaed"),
        (roles.BrightText, "#ffffff"),
        (roles.Light, "#4a4b4e"),
        (roles.Midlight, "#3c3d40"),
        (roles.Mid, "#5f6368"),
        (roles.Dark, "#111111"),
        (roles.Shadow, "#000000"),
        (roles.Highlight, "#8ab4f8"),
        (roles.HighlightedText, "#202124"),
        (roles.Link, "#8ab4f8"),
        (roles.PlaceholderText, "#9aa0a6"),
        (roles.ToolTipBase, "#3c4043"),
        (roles.ToolTipText, "#e8eaed"),
    ):
        palette.setColor(role, QColor(name))
    palette.setColor(QPalette.ColorGroup.Disabled, roles.WindowText, QColor("#6f7378"))
    palette.setColor(QPalette.ColorGroup.Disabled, roles.Text, QColor("#6f7378"))
    palette.setColor(QPalette.ColorGroup.Disabled, roles.ButtonText, QColor("#6f7378"))
    return palette
