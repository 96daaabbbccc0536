"""The window's small parts on their own: bars, prediction, preview, predictor, model loading, images."""

from __future__ import annotations

import copy
import sys

import numpy as np
import pytest
from broken_models import plant_user_model
from PIL import Image
from PySide6.QtCore import QObject, Qt

from app.text.numbers import format_seconds, percent
from app.widgets.prediction import HINT, PredictionView
from app.widgets.preview import PreviewView
from app.widgets.probabilities import ProbabilityBars
from app.window.model_library import ModelLibrary, describe, format_time, load_with_fallback
from app.window.picture_files import ImageOpenError, load_digit_picture
from app.window.predictor import MIN_INTERVAL_MS, Predictor

pytestmark = pytest.mark.gui


# ------------------------------------------------------------------------------------- probability bars


def test_bars_show_probabilities_and_the_top_class(qtbot) -> None:
    bars = ProbabilityBars()
    qtbot.addWidget(bars)
    bars.resize(260, 300)
    bars.show()
    assert bars.classes() == list(range(10)) and bars.probabilities() is None and bars.top_class() is None
    probs = np.full(10, 0.02)
    probs[3] = 0.82
    bars.set_probabilities(probs)
    assert bars.top_class() == 3
    assert bars.probabilities()[3] == pytest.approx(0.82)
    assert "3: 82%" in bars.accessibleDescription()
    bars.grab()  # paints without error
    with pytest.raises(ValueError):
        bars.set_probabilities([0.5, 0.5])
    bars.set_classes([0, 1])
    assert bars.probabilities() is None  # old numbers belonged to other classes
    bars.set_probabilities([0.3, 0.7])
    assert bars.top_class() == 1
    assert bars.row_rect(0).bottom() <= bars.row_rect(1).top()


def test_clicking_a_bar_reports_its_class(qtbot) -> None:
    bars = ProbabilityBars()
    qtbot.addWidget(bars)
    bars.resize(260, 400)
    bars.show()
    for digit in (0, 6, 9):
        with qtbot.waitSignal(bars.classClicked, timeout=1000) as blocker:
            qtbot.mouseClick(bars, Qt.MouseButton.LeftButton, pos=bars.row_rect(digit).center().toPoint())
        assert blocker.args == [digit]


def test_percent_format_never_claims_certainty() -> None:
    assert percent(0.9996) == ">99.9%"
    assert percent(1.0) == "100.0%"
    assert percent(0.5) == "50.0%"
    assert percent(0.0004) == "<0.1%"
    assert percent(0.0) == "0.0%"
    assert percent(None) == "n/a"


@pytest.mark.parametrize("digits", [0, 1, 2])
def test_percent_rounds_as_usual_between_its_two_bounds(digits) -> None:
    rng = np.random.default_rng(digits)
    step = 10.0**-digits
    for p in rng.random(2000):
        shown = percent(float(p), digits)
        if shown.startswith((">", "<")):
            assert (shown[0] == ">" and round(100 * p, digits) >= 100) or (shown[0] == "<" and 100 * p < step)
        else:
            assert shown == f"{100 * p:.{digits}f}%"
    assert percent(0.99996, 2) == ">99.99%" and percent(0.0000001, 2) == "<0.01%"
    assert percent(0.98, 2) == "98.00%" and percent(0.999, 0) == ">99%"


def test_seconds_are_written_one_way() -> None:
    assert [format_seconds(s) for s in (0.0023, 0.372, 2.345, 11.6)] == ["2.3 ms", "372 ms", "2.3 s", "12 s"]


# ------------------------------------------------------------------------------------ prediction, preview


def test_prediction_view_switches_between_hint_and_answer(qtbot) -> None:
    view = PredictionView()
    qtbot.addWidget(view)
    assert view.digit() is None and view.text() == HINT
    height = view.sizeHint().height()
    view.show_prediction(4, 0.934)
    assert view.digit() == 4 and view.confidence() == pytest.approx(0.934)
    assert view.text() == "4 93.4% sure"
    assert view.sizeHint().height() == height  # the layout does not jump
    view.show_hint()
    assert view.digit() is None and view.text() == HINT


def test_prediction_view_says_not_sure_and_not_a_digit(qtbot) -> None:
    from model.reading import Reading

    view = PredictionView()
    qtbot.addWidget(view)
    height = view.sizeHint().height()
    close = np.array([0.02, 0.02, 0.02, 0.45, 0.02, 0.02, 0.02, 0.02, 0.39, 0.02])
    view.show_reading(Reading(tuple(range(10)), close))
    assert view.verdict() == "not sure" and view.digit() == 3
    assert view.text() == "3 not sure: 3 or 8"
    clear = np.array([0.01] * 9 + [0.91])
    view.show_reading(Reading(tuple(range(10)), clear))
    assert view.verdict() == "digit" and view.text() == "9 91.0% sure"
    view.show_reading(Reading(tuple(range(10)), clear, not_a_digit=True))
    assert view.verdict() == "not a digit" and view.digit() is None
    assert view.text() == "Not a digit it looks like no digit"
    assert view.sizeHint().height() == height  # the layout does not jump


def test_preview_shows_the_model_input(qtbot) -> None:
    preview = PreviewView()
    qtbot.addWidget(preview)
    assert preview.pixels() is None
    image = np.zeros((28, 28), np.float32)
    image[10:18, 12:16] = 1.0
    preview.set_pixels(image)
    assert np.array_equal(preview.pixels(), image)
    shot = preview.grab().toImage()
    assert shot.pixelColor(1 + 13 * 4, 1 + 14 * 4).lightness() > 200  # white ink
    assert shot.pixelColor(1 + 2 * 4, 1 + 2 * 4).lightness() < 30  # black background
    preview.set_pixels(None)
    assert preview.pixels() is None


# ------------------------------------------------------------------------------------------- predictor


class CountingModel:
    def __init__(self) -> None:
        self.classes_ = np.arange(10)
        self.calls = 0

    def predict_proba(self, X):
        self.calls += 1
        out = np.full((len(X), 10), 0.05)
        out[:, 2] = 0.55
        return out


def _picture() -> Image.Image:
    image = Image.new("L", (100, 100), 255)
    image.paste(0, (40, 20, 55, 80))
    return image


def test_predictor_coalesces_a_burst_of_requests(qtbot) -> None:
    predictor = Predictor()
    model = CountingModel()
    predictor.set_source(_picture)
    predictor.set_model(model)  # reads once at once
    assert model.calls == 1
    results = []
    predictor.predicted.connect(lambda reading, image: results.append((reading, image)))
    for _ in range(200):
        predictor.request()
    assert model.calls == 1 and predictor.is_pending()  # nothing ran inside the burst
    qtbot.waitUntil(lambda: model.calls == 2, timeout=1000)
    qtbot.wait(3 * MIN_INTERVAL_MS)
    assert model.calls == 2  # 200 requests, one prediction
    reading, image = results[-1]
    assert reading.probabilities.shape == (10,) and image.shape == (28, 28)
    assert reading.digit == 2 and reading.verdict == "digit" and not reading.not_a_digit
    predictor.request()
    predictor.flush()  # the pen lifted: no waiting
    assert model.calls == 3 and not predictor.is_pending()
    predictor.flush()  # nothing pending: nothing to do
    assert model.calls == 3


def test_predictor_reports_empty_and_missing_model(qtbot) -> None:
    predictor = Predictor()
    predictor.set_source(lambda: None)
    with qtbot.waitSignal(predictor.cleared, timeout=1000):
        predictor.set_model(CountingModel())
    predictor.set_source(lambda: Image.new("L", (50, 50), 255))  # blank picture
    with qtbot.waitSignal(predictor.cleared, timeout=1000):
        predictor.predict_now()
    predictor.set_source(_picture)
    with qtbot.waitSignal(predictor.cleared, timeout=1000):
        predictor.set_model(None)


def test_predictor_turns_model_errors_into_a_message(qtbot) -> None:
    class Failing(CountingModel):
        def predict_proba(self, X):
            raise ValueError("bad weights")

    predictor = Predictor()
    predictor.set_source(_picture)
    with qtbot.waitSignal(predictor.failed, timeout=1000) as blocker:
        predictor.set_model(Failing())
    assert "bad weights" in blocker.args[0]


# ------------------------------------------------------------------------------------------- models


def test_models_load_and_describe() -> None:
    result = load_with_fallback("binary")
    assert result.warning is None
    text = describe(result.model)
    assert (
        text.startswith("Binary 0-vs-1") and "on the MNIST test 0s and 1s" in text and "bundled model" in text
    )
    assert format_time("2026-11-23T00:55:31+00:00").startswith("2026-11-2")
    assert format_time(None) == "" and format_time("yesterday") == "yesterday"


def test_one_sample_is_counted_in_the_singular() -> None:
    from app.evaluation.user_strip import describe_user_report
    from training.user_eval import UserReport

    model = copy.copy(load_with_fallback("ovr").model)  # its own metadata, the loaded model untouched
    for taught, words in ((1, "reading with your one drawing"), (2, "reading with 2 of your drawings")):
        model.metadata_ = {**model.metadata_, "personal_samples": taught}
        assert describe(model).endswith(words)
    one = UserReport(
        n_all=1, n_samples=1, n_unseen=0, unseen_accuracy=None, n_trained=1, trained_accuracy=1.0
    )
    headline, _ = describe_user_report(one)
    assert "trained on your one sample, so none are left" in headline


def test_model_library_falls_back_with_one_sentence(qtbot) -> None:
    plant_user_model("binary", b"")
    library = ModelLibrary()
    with qtbot.waitSignal(library.warning, timeout=1000) as blocker:
        model = library.get("binary")
    assert [int(c) for c in model.classes_] == [0, 1]
    message = blocker.args[0]
    assert message.startswith("Your Binary 0-vs-1 model could not be loaded") and message.endswith(".")
    assert library.get("binary") is model  # loaded once
    with qtbot.waitSignal(library.modelReplaced, timeout=1000) as blocker:
        library.set("binary", model)
    assert blocker.args == ["binary"]


# ------------------------------------------------------------------------------------------- images


def test_load_digit_picture_normalises_colours(tmp_path) -> None:
    light = Image.new("RGB", (60, 80), (20, 20, 60))  # light ink on a dark-blue photo
    light.paste((230, 230, 210), (25, 10, 35, 70))
    light.save(tmp_path / "light.jpg")
    picture = load_digit_picture(tmp_path / "light.jpg")
    arr = np.asarray(picture)
    assert picture.mode == "L"
    assert arr[2, 2] > 240 and arr[40, 30] < 30  # now dark ink on white paper


def test_load_digit_picture_errors(tmp_path) -> None:
    (tmp_path / "fake.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(ImageOpenError, match=r"fake\.png"):
        load_digit_picture(tmp_path / "fake.png")
    with pytest.raises(ImageOpenError, match="folder"):
        load_digit_picture(tmp_path)
    Image.new("L", (20, 20), 128).save(tmp_path / "grey.png")
    with pytest.raises(ImageOpenError, match="no digit"):
        load_digit_picture(tmp_path / "grey.png")


# -------------------------------------------------------------------------------------- PySide6 guard


def test_many_qt_calls_do_not_exhaust_none_or_true(qtbot) -> None:
    """PySide6 6.12.0 loses a reference to None per void call; the guard keeps the process alive."""
    from app.boot import qt_compat

    obj = QObject()
    for _ in range(60_000):  # far more than None's ~5,000 references
        obj.setObjectName("x")
    assert sys.getrefcount(None) > 1000 and sys.getrefcount(True) > 100
    if qt_compat.pyside_drops_references():
        assert qt_compat.GUARD is not None
        qt_compat.GUARD.top_up()
        assert sys.getrefcount(None) >= qt_compat.GUARD._floor[id(None)] - 100  # up to a few in flight


# ------------------------------------------------------------------------------------------- icons


def _opaque_pixels(pixmap) -> tuple[int, int]:
    """How many pixels show ink, and the strongest alpha among them."""
    image = pixmap.toImage()
    alphas = [image.pixelColor(x, y).alpha() for x in range(image.width()) for y in range(image.height())]
    return sum(a > 0 for a in alphas), max(alphas)


def test_icons_are_drawn_at_the_size_and_scale_asked_for(qtbot) -> None:
    """Drawn on demand: sharp at any size (no scaled-up small pixmap), faded when disabled."""
    import gc

    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from app.widgets import icons

    made = [icons.undo_icon(), icons.open_icon(), icons.teach_icon(), icons.app_icon()]
    gc.collect()  # the icons own their engines: nothing may be collected from under them
    for icon in made:
        assert not icon.isNull()
        previous = 0
        for side in (16, 24, 48, 100):
            pixmap = icon.pixmap(QSize(side, side))
            assert (pixmap.width(), pixmap.height()) == (side, side)
            inked, strongest = _opaque_pixels(pixmap)
            assert inked > previous and strongest == 255  # more ink at a larger size: drawn, not padded
            previous = inked
        hidpi = icon.pixmap(QSize(24, 24), 2.0)
        assert (hidpi.width(), hidpi.devicePixelRatio()) == (48, 2.0)
        _, faded = _opaque_pixels(icon.pixmap(QSize(24, 24), QIcon.Mode.Disabled))
        assert faded < 200
    assert QSize(64, 64) in icons.app_icon().availableSizes()  # for platforms that pick window icons


def test_the_toolbar_icons_are_one_drawn_set_even_where_the_desktop_has_an_icon_theme(qtbot, tmp_path):
    """A theme has icons for undo or open but none for a model or for teaching: mixing the two sets
    looked patched together, so every icon is the app's own drawing."""
    from PySide6.QtGui import QIcon, QImage

    from app.widgets import icons

    theme = tmp_path / "desk"
    (theme / "24x24" / "actions").mkdir(parents=True)
    (theme / "index.theme").write_text(
        "[Icon Theme]\nName=desk\nDirectories=24x24/actions\n\n[24x24/actions]\nSize=24\nType=Fixed\n"
    )
    for name in ("edit-undo", "edit-redo", "edit-clear", "document-open", "document-save"):
        blank = QImage(24, 24, QImage.Format.Format_ARGB32)
        blank.fill(0xFF00FF00)
        assert blank.save(str(theme / "24x24" / "actions" / f"{name}.png"))
    paths, name = QIcon.themeSearchPaths(), QIcon.themeName()
    QIcon.setThemeSearchPaths([str(tmp_path)])
    QIcon.setThemeName("desk")
    try:
        assert QIcon.hasThemeIcon("edit-undo")  # the theme is really there
        for make in (icons.undo_icon, icons.redo_icon, icons.clear_icon, icons.open_icon, icons.save_icon):
            icon = make()
            assert icon.name() == ""  # not a theme icon
            assert icon.pixmap(24, 24).toImage().pixelColor(0, 0).alpha() == 0  # drawn, not the green square
    finally:
        QIcon.setThemeSearchPaths(paths)
        QIcon.setThemeName(name)
