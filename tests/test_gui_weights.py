"""The weights window: weight maps for pixel-space models, honest pictures for the feature-mapped one."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from app.weights.window import MEAN_PER_CLASS, WeightsWindow
from app.widgets.heatmap import digit_qimage, diverging_rgb
from app.widgets.qimages import rgb_to_qimage
from app.widgets.weight_map import WeightMap, colour_limit
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


def test_the_bundled_model_shows_its_linear_part_and_where_ink_counts_on_test_digits(qtbot, mnist) -> None:
    """A feature-mapped model gets honest pictures: what each map is is said in one line above it."""
    from model.explain import linear_pictures, mean_explanations

    model = load_model("ovr", bundled_model_path("ovr"))
    window = WeightsWindow(model, test_data=lambda: (mnist[2], mnist[3]))
    qtbot.addWidget(window)
    window.show()
    maps = window.heat_maps()
    assert [m.label for m in maps] == [str(d) for d in range(10)]
    expected = linear_pictures(model)
    for heat, picture in zip(maps, expected, strict=True):
        np.testing.assert_allclose(heat.weights, picture)
    note = window.findChild(QLabel, "weightsNote").text()
    assert "principal components" in note and "deskewed digit" in note
    qtbot.waitUntil(lambda: len(window.mean_maps) == 10, timeout=30000)
    means = mean_explanations(model, mnist[2], mnist[3], per_class=MEAN_PER_CLASS)
    for heat, parts in zip(window.mean_maps, means, strict=True):
        np.testing.assert_allclose(heat.weights, parts, atol=1e-9)
    assert f"over {MEAN_PER_CLASS} of its MNIST test digits" in window.mean_note.text()
    # Ink where a 1 is drawn counts for 1 on 1s: the centre column's mean part is positive.
    assert window.mean_maps[1].weights[8:20, 13:15].sum() > 0


def test_without_mnist_the_window_offers_the_download_and_a_folder(qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    window = WeightsWindow(load_model("ovr", bundled_model_path("ovr")))
    qtbot.addWidget(window)
    window.show()
    assert len(window.heat_maps()) == 10 and window.mean_maps == []
    assert "download them, or choose the folder" in window.mean_note.text()
    assert window.mean_ways.isVisible() and not window.mean_cancel.isVisible()
    for name, signal in (
        ("downloadMeans", window.downloadRequested),
        ("chooseMeansFolder", window.folderRequested),
    ):
        with qtbot.waitSignal(signal, timeout=1000):
            qtbot.mouseClick(window.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


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
