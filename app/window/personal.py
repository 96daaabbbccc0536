"""Taught drawings take effect at once: the window reads with the model corrected by them.

Each time a drawing is taught (or samples are deleted or imported), the current model is corrected by
:func:`model.personal.personalised` on the drawings it was not trained on, and the window swaps the
corrected copy in; the next stroke is read by it. Nothing is written: the samples on disk are the
state, so teaching survives a restart and deleting a sample undoes it. A full retrain with the samples
folds them into the model itself, after which they no longer need a correction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

if TYPE_CHECKING:
    import numpy as np

    from training.samples import Sample, SampleStore


class Personaliser(QObject):
    """Keeps a corrected copy of each model for the person's taught drawings.

    ``changed()`` fires when the drawings changed, so the window applies :meth:`apply` again.
    ``failed(message)`` says in one sentence when a correction could not be made (the model is then
    used as it is). Until :meth:`start` (after the window's first paint) models are used as they are.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(self, store: Callable[[], SampleStore], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._images: dict[str, tuple[int, np.ndarray]] = {}  # sample id -> (label, 28x28 picture)
        self._started = False
        self._version = 0
        self._cache: dict[int, tuple[Any, int, Any]] = {}  # id(base) -> (base, version, corrected)
        # (base, its latest correction): where the next correction's fit starts, since one drawing
        # more or less moves the correction only a little.
        self._latest: tuple[Any, Any] | None = None

    def start(self) -> None:
        """Read the taught drawings once; from now on models are corrected by them."""
        self._started = True
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """The samples changed on disk (taught, deleted, imported): read what is new, drop what is gone."""
        if not self._started:
            return
        try:
            samples = self._store().samples()
        except OSError as exc:
            self.failed.emit(f"Your samples could not be read ({exc}); the model reads without them.")
            return
        present = {s.sample_id: s for s in samples}
        images = {k: v for k, v in self._images.items() if k in present and present[k].label == v[0]}
        for sample_id, sample in present.items():
            if sample_id not in images:
                picture = _read(sample)
                if picture is not None:
                    images[sample_id] = (sample.label, picture)
        if images.keys() != self._images.keys():
            self._images = images
            self._version += 1
            self._cache.clear()
            self.changed.emit()

    @Slot(object)
    def add(self, sample: Sample) -> None:
        """One drawing was just taught: take it in without reading the folder again."""
        if not self._started:
            return
        picture = _read(sample)
        if picture is None:
            return
        self._images[sample.sample_id] = (sample.label, picture)
        self._version += 1
        self._cache.clear()
        self.changed.emit()

    def apply(self, base: Any) -> Any:
        """``base`` corrected by the drawings it was not trained on (``base`` itself if there are none)."""
        if base is None or not self._started or not self._images:
            return base
        cached = self._cache.get(id(base))
        if cached is not None and cached[0] is base and cached[1] == self._version:
            return cached[2]
        import numpy as np

        from model.personal import personalised

        trained = set((getattr(base, "metadata_", {}) or {}).get("user_train_ids") or ())
        # In the order of their ids, so the same drawings give the same correction after a restart.
        chosen = [self._images[key] for key in sorted(self._images) if key not in trained]
        corrected = base
        if chosen:
            X = np.stack([picture.reshape(784) for _, picture in chosen])
            y = np.array([label for label, _ in chosen])
            start = self._latest[1] if self._latest is not None and self._latest[0] is base else None
            try:
                corrected = personalised(base, X, y, start=start)
                self._latest = (base, corrected)
            except (ValueError, ArithmeticError, MemoryError) as exc:
                self.failed.emit(f"Your drawings could not be learned ({exc}); the model reads without them.")
        self._cache[id(base)] = (base, self._version, corrected)
        return corrected


def _read(sample: Sample) -> np.ndarray | None:
    try:
        return sample.image()
    except (OSError, ValueError):
        return None
