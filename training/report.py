"""Report files for a trained model: metrics as JSON, the confusion matrix and the mistakes as pictures.

Pictures are drawn with Pillow alone, so the training command needs no plotting library.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from training.evaluate import Evaluation


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def confusion_matrix_image(evaluation: Evaluation, title: str = "", cell: int = 44) -> Image.Image:
    """A heat map of the confusion matrix with the count in each cell (rows: true, columns: predicted)."""
    cm = evaluation.confusion
    k = len(cm)
    margin_left, margin_top = 70, 70 if title else 50
    width, height = margin_left + k * cell + 20, margin_top + k * cell + 40
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    small, large = _font(13), _font(16)
    if title:
        draw.text((10, 8), title, fill="black", font=large)
    row_totals = np.maximum(cm.sum(axis=1, keepdims=True), 1)
    share = cm / row_totals
    for i in range(k):
        for j in range(k):
            x0, y0 = margin_left + j * cell, margin_top + i * cell
            if i == j:
                shade = int(255 - 200 * share[i, j])
                colour = (shade, 255 - int(90 * share[i, j]), shade)
            else:
                strength = min(1.0, share[i, j] * 20)  # mistakes are rare: make them visible
                colour = (255, int(255 - 200 * strength), int(255 - 200 * strength))
            draw.rectangle([x0, y0, x0 + cell, y0 + cell], fill=colour, outline=(200, 200, 200))
            text = str(int(cm[i, j]))
            box = draw.textbbox((0, 0), text, font=small)
            draw.text((x0 + (cell - box[2]) / 2, y0 + (cell - box[3]) / 2), text, fill="black", font=small)
    for idx, label in enumerate(evaluation.classes):
        text = str(int(label))
        draw.text((margin_left + idx * cell + cell / 2 - 4, margin_top - 18), text, fill="black", font=small)
        draw.text((margin_left - 18, margin_top + idx * cell + cell / 2 - 7), text, fill="black", font=small)
    draw.text((margin_left, margin_top - 36), "predicted", fill=(90, 90, 90), font=small)
    draw.text((6, margin_top - 18), "true", fill=(90, 90, 90), font=small)
    draw.text(
        (margin_left, margin_top + k * cell + 10),
        f"accuracy {evaluation.accuracy:.2%} on {len(evaluation.labels):,} test digits",
        fill="black",
        font=small,
    )
    return img


def misclassified_gallery(
    evaluation: Evaluation, images: np.ndarray, limit: int = 100, columns: int = 10, scale: int = 3
) -> Image.Image:
    """The most confident mistakes, each digit with "true as predicted (confidence)" under it."""
    wrong = evaluation.misclassified[:limit]
    side = 28 * scale
    tile_w, tile_h = side + 16, side + 34
    rows = max(1, -(-len(wrong) // columns))
    img = Image.new("RGB", (columns * tile_w + 8, rows * tile_h + 8), "white")
    draw = ImageDraw.Draw(img)
    font = _font(12)
    for n, idx in enumerate(wrong):
        r, c = divmod(n, columns)
        x0, y0 = 8 + c * tile_w, 8 + r * tile_h
        source = idx if evaluation.index is None else evaluation.index[idx]
        digit = Image.fromarray((255 - images[source].reshape(28, 28) * 255).astype(np.uint8))
        img.paste(digit.resize((side, side), Image.Resampling.NEAREST).convert("RGB"), (x0, y0))
        true, guess = evaluation.labels[idx], evaluation.predicted[idx]
        caption = f"{true} read as {guess} {evaluation.confidence[idx]:.0%}"
        draw.text((x0, y0 + side + 4), caption, fill=(170, 0, 0), font=font)
    if not len(wrong):
        draw.text((10, 10), "no mistakes", fill="black", font=font)
    return img


def write_report(
    folder: str | Path,
    kind: str,
    evaluation: Evaluation,
    test_images: np.ndarray,
    metadata: dict[str, Any],
) -> list[Path]:
    """Write ``<kind>-metrics.json``, ``<kind>-confusion.png`` and ``<kind>-misclassified.png``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    metrics = {**evaluation.to_dict(), "model": metadata}
    paths = [out / f"{kind}-metrics.json", out / f"{kind}-confusion.png", out / f"{kind}-misclassified.png"]
    paths[0].write_text(json.dumps(metrics, indent=2, default=str) + "\n", encoding="utf-8")
    confusion_matrix_image(evaluation, title=f"{metadata.get('label', kind)}: confusion matrix").save(
        paths[1]
    )
    misclassified_gallery(evaluation, test_images).save(paths[2])
    return paths
