"""The weights window: one heat map per class for pixel-space models, an honest explanation otherwise."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from app.weights.window import WeightMap, WeightsWindow, colour_limit, weight_maps
from app.widgets.heatmap import digit_qimage, diverging_rgb
from app.widgets.qimages import rgb_to_qimage
from model.features import feature_count
from model.store import bundled_model_path, load_model
from training.train import train_model

pytestmark = pytest.mark.gui


def test_binary_model_shows_two_mirrored_maps(qtbot) -> None:
    model = load_model("binary", bundled_model_path("binary"))
    window = WeightsWindow(model)
    qtbot.addWidget(window)
    window.show()
    maps = window.findChildren(WeightMap)
    assert len(maps) == 2 and window.explanation is None
    assert [m.label for m in maps] == ["0", "1"]
    w = model.coef_[0].reshape(28, 28)
    np.testing.assert_allclose(maps[1].weights, w)
    np.testing.assert_allclose(maps[0].weights, -w)
    assert "mirror images" in window.findChild(QLabel, "weightsNote").text()


@pytest.mark.mnist
def test_pixel_space_ovr_shows_ten_maps_of_its_pixel_weights(qtbot, mnist) -> None:
    result = train_model(
        "ovr",
        params={
            "deskew": False,
            "n_components": None,
            "degree": 1,
            "orientations": 0,
            "max_iter": 20,
            "alpha": 1e-2,
        },
        mnist=mnist,
        max_train=2000,
        save=False,
    )
    model = result.estimator
    window = WeightsWindow(model, title="One-vs-rest on pixels")
    qtbot.addWidget(window)
    window.show()
    maps = window.heat_maps()
    assert len(maps) == 10 and [m.label for m in maps] == [str(d) for d in range(10)]
    expected = model.pixel_weights()
    for digit, heat in enumerate(maps):
        np.testing.assert_allclose(heat.weights, expected[digit])
        assert heat.vmax > 0
    # Ink where a 1 goes (the centre column) counts for 1 and against 0, as a person would expect.
    centre = (slice(8, 20), slice(13, 15))
    assert expected[1][centre].mean() > 0 > expected[0][centre].mean()
    image = maps[1].grab().toImage()
    assert not image.isNull()


def test_feature_mapped_ovr_explains_instead_of_drawing(qtbot) -> None:
    model = load_model("ovr", bundled_model_path("ovr"))
    window = WeightsWindow(model)
    qtbot.addWidget(window)
    window.show()
    assert window.heat_maps() == [] and not window.findChildren(WeightMap)
    text = window.explanation.text()
    assert window.explanation.objectName() == "weightsExplanation"
    assert "deskew + PCA 40 + pairwise products + 8 stroke directions" in text
    assert f"{feature_count(40, 2, 8):,} weights per digit" in text
    assert "Pairwise products and Stroke directions off" in text and "“none”" in text  # what to change
    assert weight_maps(model).maps == []


def test_diverging_colours_are_symmetric() -> None:
    rgb = diverging_rgb(np.array([[-2.0, 0.0, 2.0, 1.0]]), vmax=2.0)
    assert tuple(rgb[0, 1]) == (255, 255, 255)  # zero is white
    assert rgb[0, 0, 2] > rgb[0, 0, 0]  # negative is blue
    assert rgb[0, 2, 0] > rgb[0, 2, 2]  # positive is red
    assert 255 > rgb[0, 3, 1] > rgb[0, 2, 1]  # half strength is half way
    image = rgb_to_qimage(rgb)
    assert image.width() == 4 and QColor(image.pixel(1, 0)) == QColor(255, 255, 255)
    digit = digit_qimage(np.eye(28, dtype=np.float32).ravel())
    assert QColor(digit.pixel(0, 0)).black() == 255 and QColor(digit.pixel(1, 0)).black() == 0
    weights = np.zeros((28, 28))
    weights[0, 0] = 100.0  # a border pixel nobody inks
    weights[14, 14] = 1.0
    active = np.zeros((28, 28), dtype=bool)
    active[14, 14] = True
    assert colour_limit(weights, active) == 1.0 and colour_limit(weights) == 100.0
