"""Dark mode: with a dark application palette every themed widget paints its dark variant, and a switch
back paints the light one again, while the app runs; the canvas stays paper-white in both."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QLabel

from app.widgets import colours
from app.widgets.banner import MessageBanner
from app.widgets.heatmap import ZERO_RGB, diverging_rgb, heat_ends

pytestmark = pytest.mark.gui

LIGHT, DARK = "light", "dark"


@pytest.fixture
def scheme(qapp):
    """``scheme(DARK)`` / ``scheme(LIGHT)`` switch the application's palette; the old one comes back."""
    original = QPalette(QApplication.palette())
    light = QPalette(original)
    if colours.is_dark(light):  # a dark desktop running the tests: use Qt's light default
        light = QApplication.style().standardPalette()

    def switch(which: str) -> None:
        QApplication.setPalette(colours.dark_palette() if which == DARK else light)
        QApplication.processEvents()

    switch(LIGHT)
    yield switch
    QApplication.setPalette(original)
    QApplication.processEvents()


def _pixel(widget, x: int, y: int) -> QColor:
    return widget.grab().toImage().pixelColor(x, y)


def test_the_scheme_is_read_from_the_palette_and_every_colour_has_both_variants(scheme) -> None:
    assert not colours.is_dark()
    scheme(DARK)
    assert colours.is_dark() and colours.scheme() == DARK
    dark = colours.dark_palette()
    light = QApplication.style().standardPalette()
    assert set(colours._COLOURS[LIGHT]) == set(colours._COLOURS[DARK])
    assert set(colours._TONES[LIGHT]) == set(colours._TONES[DARK])
    for level in ("info", "warning", "error", "success"):
        background, text, _ = colours.tone(level, dark)
        assert background.lightness() < 80 and text.lightness() > 150  # light text on a dark note
        background, text, _ = colours.tone(level, light)
        assert background.lightness() > 200 and text.lightness() < 100
    assert colours.colour("heat_zero", dark).lightness() < 40
    assert colours.colour("heat_zero", light) == QColor("#ffffff")


def test_the_banner_paints_a_dark_background_in_a_dark_scheme_and_back(qtbot, scheme) -> None:
    banner = MessageBanner()
    qtbot.addWidget(banner)
    banner.resize(320, 40)
    banner.show_message("The model file was damaged; the bundled one is in use.", "error")
    middle = QPoint(banner.width() // 2, 3)
    light_background = _pixel(banner, middle.x(), middle.y())
    assert light_background.lightness() > 200
    assert banner._label.palette().color(QPalette.ColorRole.WindowText).lightness() < 100

    scheme(DARK)
    assert _pixel(banner, middle.x(), middle.y()).lightness() < 80
    assert banner._label.palette().color(QPalette.ColorRole.WindowText).lightness() > 150
    banner.show_message("A file could not be opened.", "warning")  # a new message, still dark
    assert _pixel(banner, middle.x(), middle.y()).lightness() < 80

    scheme(LIGHT)
    assert _pixel(banner, middle.x(), middle.y()).lightness() > 200
    assert banner.styleSheet() == ""  # painted, not styled: a style sheet would miss the next switch


def test_the_main_window_its_cards_and_the_binary_note_turn_dark_and_the_canvas_stays_white(
    window, qtbot, scheme
) -> None:
    window.set_model_kind("binary")
    note = window.findChild(QLabel, "modelNote")
    qtbot.waitUntil(note.isVisible)
    cards = window.findChildren(QFrame, "card")
    assert len(cards) == 2
    canvas = window.canvas
    paper = canvas.paper_rect().toRect()
    corner = paper.topLeft() + QPoint(12, 12)  # on the paper, away from the hint and the frame

    def shades() -> dict[str, int]:
        return {
            "window": _pixel(window.centralWidget(), 4, 4).lightness(),
            "card": _pixel(cards[0], cards[0].width() // 2, 4).lightness(),
            "note": _pixel(note, note.width() // 2, 3).lightness(),
            "paper": _pixel(canvas, corner.x(), corner.y()).lightness(),
        }

    light = shades()
    assert min(light.values()) > 200, light
    scheme(DARK)
    dark = shades()
    assert dark["window"] < 60 and dark["card"] < 60 and dark["note"] < 80, dark
    assert _pixel(canvas, corner.x(), corner.y()) == QColor(255, 255, 255)  # paper stays paper
    assert note.palette().color(QPalette.ColorRole.WindowText).lightness() > 150
    caption = window.findChild(QLabel, "previewCaption")
    assert caption.foregroundRole() == QPalette.ColorRole.PlaceholderText
    scheme(LIGHT)
    assert shades() == light


def test_the_canvas_stays_paper_white_with_ink_on_it_in_a_dark_scheme(window, qtbot, scheme) -> None:
    from app.testing.replay import draw_placed
    from app.widgets.canvas import PAPER

    scheme(DARK)
    canvas = window.canvas
    draw_placed(canvas, [np.array([[0.0, 0.0], [0.0, 1.0]])])  # a 1: one stroke down the middle
    paper = canvas.paper_rect().toRect()
    image = canvas.grab().toImage()
    assert image.pixelColor(paper.left() + 12, paper.top() + 12) == PAPER
    assert image.pixelColor(paper.center().x(), paper.bottom() - 12) == PAPER
    assert image.pixelColor(paper.center()).lightness() < 60  # the ink: dark on the white paper
    outside = QPoint(max(paper.left() - 4, 0), paper.center().y())
    if outside.x() < paper.left() - 1:
        assert image.pixelColor(outside).lightness() < 60  # around the paper: the dark window


def test_heat_maps_centre_on_the_background_in_both_schemes(qtbot, scheme) -> None:
    from app.widgets.scale_bar import ScaleBar
    from app.widgets.weight_map import WeightMap

    values = np.array([[-2.0, 0.0, 2.0]])
    light = diverging_rgb(values, vmax=2.0, ends=heat_ends())
    assert tuple(light[0, 1]) == tuple(ZERO_RGB.astype(int))
    scheme(DARK)
    dark = diverging_rgb(values, vmax=2.0, ends=heat_ends())
    assert max(dark[0, 1]) < 40  # "no evidence" is the dark background
    assert dark[0, 0, 2] > dark[0, 0, 0] and dark[0, 2, 0] > dark[0, 2, 2]  # still blue against, red for
    assert min(dark[0, 0].max(), dark[0, 2].max()) > 150  # the ends stand out on near-black

    weights = np.zeros((28, 28))
    weights[14, 14] = 1.0
    heat = WeightMap("3", weights)
    qtbot.addWidget(heat)
    heat.resize(168, 200)
    bar = ScaleBar()
    qtbot.addWidget(bar)
    bar.resize(400, 34)
    square = heat._image_rect()
    zero_point = square.topLeft() + QPoint(square.width() // 28 * 3, square.height() // 28 * 3)
    bar_middle = QPoint(bar.width() // 2, 8)
    assert _pixel(heat, zero_point.x(), zero_point.y()).lightness() < 40
    assert _pixel(bar, bar_middle.x(), bar_middle.y()).lightness() < 40  # the key says the same
    scheme(LIGHT)
    assert _pixel(heat, zero_point.x(), zero_point.y()) == QColor(255, 255, 255)
    assert _pixel(bar, bar_middle.x(), bar_middle.y()).lightness() > 240


def test_retrain_weight_pictures_are_drawn_again_in_the_new_scheme(qtbot, scheme) -> None:
    from app.widgets.heatmap import WeightsPicture

    picture = WeightsPicture(84)
    qtbot.addWidget(picture)
    picture.resize(84, 84)
    picture.set_weights(np.linspace(-1, 1, 784))
    middle_of_zero = picture.pixmap().toImage().pixelColor(42, 42)
    assert middle_of_zero.lightness() > 200
    scheme(DARK)
    assert picture.pixmap().toImage().pixelColor(42, 42).lightness() < 60


def test_the_confusion_matrix_and_the_hardest_digit_row_follow_the_scheme(qtbot, scheme) -> None:
    from app.evaluation.confusion_matrix import ConfusionMatrixView
    from app.evaluation.per_class_table import PerClassTable

    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    view.resize(480, 500)
    view.set_matrix(np.array([[50, 0, 2], [1, 40, 0], [3, 5, 60]]), [0, 1, 2])
    empty = view.cell_rect(0, 1).topLeft() + QPoint(3, 3)  # a cell with no mistakes
    table = PerClassTable()
    qtbot.addWidget(table)
    evaluation = SimpleNamespace(
        classes=np.array([0, 1, 2]),
        precision=np.array([0.9, 0.8, 0.95]),
        recall=np.array([0.9, 0.7, 0.95]),
        f1=np.array([0.9, 0.75, 0.95]),
        support=np.array([52, 41, 68]),
    )
    table.set_evaluation(evaluation)

    assert _pixel(view, empty.x(), empty.y()).lightness() > 240
    assert table.item(1, 2).background().color().lightness() > 200  # the hardest digit: 1
    scheme(DARK)
    assert _pixel(view, empty.x(), empty.y()).lightness() < 40
    assert view.cell_colour(0, 1) == colours.colour("wrong_low")
    assert table.item(1, 2).background().color().lightness() < 80
    assert table.item(1, 2).foreground().color().lightness() > 150
    assert table.item(0, 2).background().style().name == "NoBrush"  # other rows keep the table's own
    scheme(LIGHT)
    assert _pixel(view, empty.x(), empty.y()).lightness() > 240
    assert table.item(1, 2).background().color().lightness() > 200


def test_retrain_results_and_failures_are_coloured_for_the_scheme(qtbot, scheme) -> None:
    from app.retrain.progress_panel import ProgressPanel
    from app.retrain.summary import result_html

    panel = ProgressPanel()
    qtbot.addWidget(panel)
    result = SimpleNamespace(kind="ovr", accuracy=0.9912, previous_accuracy=0.9858, seconds=11.5, metadata={})
    panel.result.set_html(lambda palette: result_html(result, palette))
    assert "#1a7f37" in panel.result.text() and "+0.54 points" in panel.result.text()
    scheme(DARK)
    assert colours.colour_name("success_text") in panel.result.text()
    assert "#1a7f37" not in panel.result.text()
    scheme(LIGHT)
    assert "#1a7f37" in panel.result.text()
    panel.result.setText("Training was cancelled.")  # plain text stays as it was set
    scheme(DARK)
    assert panel.result.text() == "Training was cancelled."


def test_the_samples_dialog_says_errors_in_the_schemes_red(qtbot, scheme) -> None:
    from app.samples.dialog import SamplesDialog

    dialog = SamplesDialog()
    qtbot.addWidget(dialog)
    dialog._say("Could not read that file.", "error")
    text = dialog.message.palette().color(QPalette.ColorRole.WindowText)
    assert text == colours.tone("error")[1] and text.lightness() < 100
    scheme(DARK)
    text = dialog.message.palette().color(QPalette.ColorRole.WindowText)
    assert text == colours.tone("error")[1] and text.lightness() > 150
    dialog._say("Exported.", "info")  # plain: the palette's own text colour
    assert dialog.message.palette().color(QPalette.ColorRole.WindowText) == QColor("#e8eaed")
    assert dialog.message.styleSheet() == ""


def test_icons_line_plots_and_thumbnail_frames_use_the_schemes_ink(qtbot, scheme) -> None:
    from app.widgets import icons
    from app.widgets.line_plot import SERIES_COLOURS, series_colour

    icon = icons.make_icon(lambda painter: icons._arrow(painter, False))

    def ink_lightness() -> int:
        image = icon.pixmap(24, 24).toImage()
        shades = [image.pixelColor(x, y) for x in range(24) for y in range(24)]
        return max((c for c in shades if c.alpha() > 200), key=QColor.alpha).lightness()

    light_ink = ink_lightness()
    assert series_colour(len(SERIES_COLOURS) - 1) == QColor("#333333")
    assert colours.colour("frame").lightness() > 150
    scheme(DARK)
    assert ink_lightness() > light_ink + 100  # drawn again, not the cached dark-ink pixmap
    assert series_colour(len(SERIES_COLOURS) - 1).lightness() > 150  # the grey series stays visible
    assert series_colour(0) == QColor(SERIES_COLOURS[0])
    assert colours.colour("frame").lightness() < 120


def test_no_style_sheet_in_the_main_window_fixes_a_colour(window) -> None:
    """A style sheet keeps the colours it had when set and hides palette changes from its widgets."""
    from PySide6.QtWidgets import QWidget

    styled = [w.objectName() or type(w).__name__ for w in window.findChildren(QWidget) if w.styleSheet()]
    assert styled == []
