"""The confusion matrix's two colours stay apart for people with a colour-vision deficiency, in both
schemes, and its two legend keys are laid out side by side without running into each other."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from app.widgets import colours

# Machado, Oliveira and Fernandes (2009), full severity: linear RGB as each deficiency sees it.
DEFICIENCIES = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
CLEARLY_APART = 50.0  # CIE76 distance; red and green as the matrix had them were 15 to 25 apart here


def _linear(name: str) -> np.ndarray:
    c = np.array([int(name[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    rgb_to_xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = rgb_to_xyz @ np.clip(linear, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("deficiency", sorted(DEFICIENCIES))
def test_correct_and_mistake_colours_stay_apart(qapp, dark, deficiency) -> None:
    palette = colours.dark_palette() if dark else QApplication.palette()
    if not dark:
        assert not colours.is_dark(palette)
    seen = np.array(DEFICIENCIES[deficiency])
    correct = colours.colour_name("correct_high", palette)
    wrong = colours.colour_name("wrong_high", palette)
    distance = np.linalg.norm(_lab(seen @ _linear(correct)) - _lab(seen @ _linear(wrong)))
    assert distance > CLEARLY_APART, (correct, wrong, distance)


@pytest.mark.parametrize("width", [280, 480, 700])
def test_the_two_legend_keys_never_run_together(qtbot, width) -> None:
    from app.evaluation.confusion_matrix import ConfusionMatrixView

    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    view.resize(width, width + 20)
    matrix = np.diag(np.full(10, 1000)) + np.eye(10, k=1, dtype=int) * 27
    view.set_matrix(matrix, list(range(10)))
    view.grab()  # paints
    correct, mistakes = view.legend_items
    assert correct.right() < mistakes.left(), (correct, mistakes)
    assert mistakes.right() <= view.width()
