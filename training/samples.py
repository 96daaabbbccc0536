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
import hashlib
import io
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, UnidentifiedImageError

from model.atomic import atomic_path
from model.bounded_io import FileTooLarge, read_regular_file
from model.paths import user_data_dir
from model.pictures import PictureError, open_picture
from model.preprocess import canvas_to_mnist

LABELS_FILE = "labels.csv"
MAX_IMPORT_ROWS = 10_000
MAX_LABELS_BYTES = 4 * 2**20
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
        """The 28x28 image as (784,) float32 in [0, 1].

        The sample folder is only files: one put there by hand is read like any picture from
        elsewhere (:func:`model.pictures.open_picture`) and must be 28x28, else ``ValueError``.
        """
        img = open_picture(self.image_path)
        if img.size != (28, 28):
            raise ValueError(f"{self.image_path.name} is {img.width}x{img.height}, not a 28x28 sample")
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
            open_picture(sample.image_path).save(out / name, format="PNG")
            row = {"file": name, "label": sample.label, "drawing": ""}
            if sample.drawing_path is not None:
                drawing_name = f"{sample.label}-{sample.sample_id}{DRAWING_SUFFIX}.png"
                open_picture(sample.drawing_path).save(out / drawing_name, format="PNG")
                row["drawing"] = drawing_name
            rows.append(row)
        with open(out / LABELS_FILE, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["file", "label", "drawing"])
            writer.writeheader()
            writer.writerows(rows)
        return len(rows)

    def import_folder(self, folder: str | os.PathLike[str]) -> int:
        """Add the samples listed in ``folder/labels.csv`` (as written by :meth:`export`); return how many.

        A listed picture that is not 28x28 is treated as a drawing (any size, dark on light or light on
        dark) and brought to MNIST form first. Pictures are read by :func:`model.pictures.open_picture`
        (in-process raster formats, regular files, a pixel and memory budget); at most
        :data:`MAX_IMPORT_ROWS` rows are read. A drawing identical to one already stored, or to an
        earlier row, is skipped. Raises ``ValueError`` naming the first bad row; then nothing is added.
        """
        src = Path(folder)
        prepared = []
        seen = self._content_hashes()
        for number, row in self._rows(src):
            try:
                label = int(row["label"])
                name = Path(row["file"]).name  # never follow paths out of the folder
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{LABELS_FILE} line {number} needs a file name and a digit label") from exc
            if not 0 <= label <= 9:
                raise ValueError(f"{LABELS_FILE} line {number}: label {label} is not a digit 0-9")
            if PurePosixPath(row["file"].replace("\\", "/")).parts != (name,):  # "./a.png" is just a.png
                raise ValueError(
                    f"{LABELS_FILE} line {number}: {row['file']} names a path, not a file of this folder "
                    "(the list names its pictures without a folder)"
                )
            try:
                picture = open_picture(src / name)
            except PictureError as exc:
                raise ValueError(f"{LABELS_FILE} line {number}: {exc}".rstrip(".")) from exc
            drawing_name = Path(row.get("drawing") or "").name
            if picture.size == (28, 28):
                image28 = np.asarray(picture.convert("L"), dtype=np.float32) / 255.0
            else:
                image28 = canvas_to_mnist(picture, ink="auto")
                drawing_name = drawing_name or name
                if image28 is None:
                    raise ValueError(f"{LABELS_FILE} line {number}: {name} is blank")
            del picture  # one decoded picture at a time: the drawings are read again when added
            digest = _content_hash(label, image28)
            if digest in seen:
                continue
            seen.add(digest)
            prepared.append((label, np.asarray(image28, dtype=np.float32).reshape(-1), drawing_name))
        for label, image28, drawing_name in prepared:  # all rows checked before anything is added
            drawing = None
            if drawing_name:
                with contextlib.suppress(PictureError):
                    drawing = open_picture(src / drawing_name)
            self.add(label, image28, drawing)
        return len(prepared)

    def _rows(self, src: Path) -> list[tuple[int, dict[str, str]]]:
        """The rows of ``src/labels.csv`` with their line numbers; every problem names its line."""
        labels_path = src / LABELS_FILE
        try:
            text = read_regular_file(labels_path, MAX_LABELS_BYTES).decode("utf-8")
        except FileNotFoundError as exc:
            raise ValueError(
                f"{src} has no {LABELS_FILE}; export samples from Digit Canvas to get one"
            ) from exc
        except FileTooLarge as exc:
            raise ValueError(f"{LABELS_FILE} is larger than {MAX_LABELS_BYTES // 2**20} MB") from exc
        except UnicodeDecodeError as exc:
            raise ValueError(f"{LABELS_FILE} is not UTF-8 text") from exc
        except OSError as exc:
            raise ValueError(
                f"{LABELS_FILE} could not be read ({exc.strerror or type(exc).__name__})"
            ) from exc
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return rows
            except csv.Error as exc:  # line_num counts the lines read before the bad one
                raise ValueError(f"{LABELS_FILE} line {reader.line_num + 1}: {exc}") from exc
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ValueError(f"{LABELS_FILE} lists more than {MAX_IMPORT_ROWS:,} samples; split it up")
            rows.append((reader.line_num, row))

    def _content_hashes(self) -> set[str]:
        """The content hash of every stored sample (label and 28x28 image), to skip identical imports."""
        hashes = set()
        for sample in self.samples():
            with contextlib.suppress(OSError, UnidentifiedImageError, ValueError):
                hashes.add(_content_hash(sample.label, sample.image()))
        return hashes


def _content_hash(label: int, image28: np.ndarray) -> str:
    """What makes two samples the same: the label and the 28x28 image at the 8-bit precision stored."""
    pixels = np.round(np.asarray(image28, dtype=np.float32).reshape(-1) * 255).astype(np.uint8)
    return hashlib.sha256(bytes([label]) + pixels.tobytes()).hexdigest()
