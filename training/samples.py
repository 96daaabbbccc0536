"""The user's own labelled drawings: saved from the app, browsed, exported, imported, trained on.

Models trained only on MNIST misread many people's handwriting; a few hundred of a person's own
digits, weighted up, teach the model their hand. Each sample is two PNG files in the user's data
folder, ``samples/<label>/<id>.png`` (the 28x28 image the model saw, white on black) and
``samples/<label>/<id>-drawing.png`` (the full drawing as drawn), written atomically. The folder is the
database: deleting or adding files by hand works too.
"""

from __future__ import annotations

import contextlib
import csv
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from model.atomic import atomic_path
from model.paths import user_data_dir
from model.preprocess import canvas_to_mnist

LABELS_FILE = "labels.csv"
DRAWING_SUFFIX = "-drawing"


@dataclass(frozen=True)
class Sample:
    label: int
    sample_id: str
    image_path: Path  # 28x28, white on black
    drawing_path: Path | None  # the full drawing, dark on light, if kept

    @property
    def created(self) -> datetime:
        return datetime.fromtimestamp(self.image_path.stat().st_mtime, UTC)

    def image(self) -> np.ndarray:
        """The 28x28 image as (784,) float32 in [0, 1]."""
        with Image.open(self.image_path) as img:
            return (np.asarray(img.convert("L"), dtype=np.float32) / 255.0).reshape(-1)


def auto_weight(n_samples: int, n_mnist: int, share: float = 0.1) -> float:
    """How many MNIST digits one user sample counts as, so all of them weigh ``share`` of the data.

    A few hundred samples next to 60,000 MNIST digits would vanish at weight 1; at this weight they
    make up a tenth of the training signal, enough to learn a hand, not enough to forget MNIST.
    """
    if n_samples <= 0:
        return 1.0
    return float(np.clip(share * n_mnist / ((1.0 - share) * n_samples), 1.0, 100.0))


def _atomic_save_png(image: Image.Image, path: Path) -> None:
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG")


def _to_png_image(image28: np.ndarray) -> Image.Image:
    arr = np.asarray(image28, dtype=np.float32).reshape(28, 28)
    if not np.isfinite(arr).all() or arr.min() < 0 or arr.max() > 1:
        raise ValueError("a sample image must be 28x28 values in [0, 1]")
    return Image.fromarray(np.round(arr * 255).astype(np.uint8), mode="L")


class SampleStore:
    """The folder of the user's labelled drawings."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else user_data_dir() / "samples"

    def add(self, label: int, image28: np.ndarray, drawing: Image.Image | None = None) -> Sample:
        """Save one labelled drawing and return it."""
        label = int(label)
        if not 0 <= label <= 9:
            raise ValueError(f"a digit label must be 0 to 9, got {label}")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        sample_id = f"{stamp}-{uuid.uuid4().hex[:8]}"
        folder = self.folder / str(label)
        image_path = folder / f"{sample_id}.png"
        drawing_path = None
        if drawing is not None:
            drawing_path = folder / f"{sample_id}{DRAWING_SUFFIX}.png"
            _atomic_save_png(
                drawing.convert("RGB") if drawing.mode not in ("L", "RGB") else drawing, drawing_path
            )
        _atomic_save_png(_to_png_image(image28), image_path)  # written last: it makes the sample exist
        return Sample(label, sample_id, image_path, drawing_path)

    def samples(self) -> list[Sample]:
        """All samples, oldest first within each label, labels in order."""
        found: list[Sample] = []
        for label in range(10):
            folder = self.folder / str(label)
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.png")):
                if path.stem.endswith(DRAWING_SUFFIX) or path.name.startswith("."):
                    continue
                drawing = path.with_name(f"{path.stem}{DRAWING_SUFFIX}.png")
                found.append(Sample(label, path.stem, path, drawing if drawing.is_file() else None))
        return found

    def counts(self) -> dict[int, int]:
        counts = dict.fromkeys(range(10), 0)
        for sample in self.samples():
            counts[sample.label] += 1
        return counts

    def __len__(self) -> int:
        return len(self.samples())

    def remove(self, sample: Sample) -> None:
        """Delete one sample (both of its files)."""
        for path in (sample.image_path, sample.drawing_path):
            if path is not None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All samples as ``(X, y)``: X (n, 784) float32 in [0, 1], y int64. Unreadable files are skipped."""
        X, y, _ = self.arrays_with_ids()
        return X, y

    def arrays_with_ids(self) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
        """Like :meth:`arrays`, plus each sample's id (its file stem), for hold-out bookkeeping."""
        images, labels, ids = [], [], []
        for sample in self.samples():
            try:
                images.append(sample.image())
            except (OSError, UnidentifiedImageError, ValueError):
                continue
            labels.append(sample.label)
            ids.append(sample.sample_id)
        if not images:
            return np.zeros((0, 784), dtype=np.float32), np.zeros(0, dtype=np.int64), ()
        return np.stack(images).astype(np.float32), np.asarray(labels, dtype=np.int64), tuple(ids)

    def for_training(self, n_mnist: int = 60000) -> tuple[np.ndarray, np.ndarray, float]:
        """``(X, y, weight)`` ready for ``train_model(extra=...)``."""
        X, y = self.arrays()
        return X, y, auto_weight(len(y), n_mnist)

    def export(self, folder: str | os.PathLike[str]) -> int:
        """Write every sample as PNG files plus ``labels.csv`` (file,label) into ``folder``."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        rows = []
        for sample in self.samples():
            name = f"{sample.label}-{sample.sample_id}.png"
            with Image.open(sample.image_path) as img:
                img.save(out / name)
            row = {"file": name, "label": sample.label, "drawing": ""}
            if sample.drawing_path is not None:
                drawing_name = f"{sample.label}-{sample.sample_id}{DRAWING_SUFFIX}.png"
                with Image.open(sample.drawing_path) as img:
                    img.save(out / drawing_name)
                row["drawing"] = drawing_name
            rows.append(row)
        with open(out / LABELS_FILE, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["file", "label", "drawing"])
            writer.writeheader()
            writer.writerows(rows)
        return len(rows)

    def import_folder(self, folder: str | os.PathLike[str]) -> int:
        """Add the samples listed in ``folder/labels.csv`` (as written by :meth:`export`).

        A listed picture that is not 28x28 is treated as a drawing (any size, dark on light or light on
        dark) and brought to MNIST form first. Raises ``ValueError`` naming the first bad row.
        """
        src = Path(folder)
        labels_path = src / LABELS_FILE
        if not labels_path.is_file():
            raise ValueError(f"{src} has no {LABELS_FILE}; export samples from Digit Canvas to get one")
        with open(labels_path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        prepared = []
        for number, row in enumerate(rows, start=2):
            try:
                label = int(row["label"])
                name = Path(row["file"]).name  # never follow paths out of the folder
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{LABELS_FILE} line {number} needs a file name and a digit label") from exc
            if not 0 <= label <= 9:
                raise ValueError(f"{LABELS_FILE} line {number}: label {label} is not a digit 0-9")
            try:
                with Image.open(src / name) as img:
                    img.load()
                    picture = img.copy()
            except (OSError, UnidentifiedImageError) as exc:
                raise ValueError(f"{LABELS_FILE} line {number}: {name} is not a readable image") from exc
            drawing = None
            drawing_name = Path(row.get("drawing") or "").name
            if drawing_name and (src / drawing_name).is_file():
                with Image.open(src / drawing_name) as img:
                    img.load()
                    drawing = img.copy()
            if picture.size == (28, 28):
                image28 = np.asarray(picture.convert("L"), dtype=np.float32) / 255.0
            else:
                image28 = canvas_to_mnist(picture, ink="auto")
                drawing = drawing or picture
                if image28 is None:
                    raise ValueError(f"{LABELS_FILE} line {number}: {name} is blank")
            prepared.append((label, image28, drawing))
        for label, image28, drawing in prepared:  # all rows checked before anything is added
            self.add(label, image28, drawing)
        return len(prepared)
