"""Runs the current model on the current drawing, often enough to feel live and never more.

Predicting one digit is quick (render the canvas, :func:`model.preprocess.canvas_to_mnist`,
``predict_proba``; ``benchmarks`` measures it), so it runs on the GUI thread: a thread would cost more
in copying and locking than it saves. What keeps drawing smooth is coalescing: every change only
*requests* a prediction, and a single-shot timer runs at most one per ``MIN_INTERVAL_MS``, on the
newest picture.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

if TYPE_CHECKING:
    from PIL import Image

MIN_INTERVAL_MS = 16  # at most ~60 predictions a second


class Predictor(QObject):
    """Owns the active model and turns picture changes into throttled predictions.

    ``set_source(callable)`` tells it where to get the picture (a Pillow image, dark ink on light, or
    ``None`` when there is nothing). Signals: ``predicted(reading, image28)`` with a
    :class:`model.reading.Reading` (probabilities in the order of ``model().classes_``, and the verdict)
    and the 28x28 input; ``cleared()`` when there is nothing to read;
    ``modelChanged(model)``; ``failed(message)`` if a prediction raised (the app keeps running).
    """

    predicted = Signal(object, object)
    cleared = Signal()
    modelChanged = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model: Any = None
        self._source: Callable[[], Image.Image | None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.predict_now)
        self._since_last = QElapsedTimer()
        self._pending = False
        self.last_duration_ms: float = 0.0  # how long the last prediction took (shown in a tooltip)
        # The picture last read and where its 28x28 digit lies on it (model.preprocess.Frame), for
        # the views that explain the answer.
        self.last_picture: Image.Image | None = None
        self.last_frame: Any = None
        self.count = 0  # predictions made (tests check the throttle with it)

    def model(self) -> Any:
        return self._model

    def set_model(self, model: Any) -> None:
        """Swap the model live; the drawing is read again at once."""
        self._model = model
        self.modelChanged.emit(model)
        self.predict_now()

    def set_source(self, source: Callable[[], Image.Image | None]) -> None:
        self._source = source

    def warm_up(self) -> None:
        """Import the preprocessing (and Pillow) and run it, and the model, once on a made-up stroke.

        Called right after the window's first paint, so the person's first stroke is read as quickly as
        every later one, without delaying the window itself.
        """
        from PIL import Image, ImageDraw

        from model.preprocess import canvas_to_mnist
        from model.reading import read_drawings

        picture = Image.new("L", (96, 96), 255)
        ImageDraw.Draw(picture).line([(40, 12), (56, 84)], fill=0, width=8)
        pixels = canvas_to_mnist(picture)
        if self._model is not None and pixels is not None:
            read_drawings(self._model, pixels[None, :])  # the feature map's first use, too

    def request(self) -> None:
        """Ask for a prediction soon; many requests within one interval give one prediction."""
        self._pending = True
        if self._timer.isActive():
            return
        elapsed = self._since_last.elapsed() if self._since_last.isValid() else MIN_INTERVAL_MS
        self._timer.start(max(0, MIN_INTERVAL_MS - int(elapsed)))

    def flush(self) -> None:
        """Run a requested prediction now (the pen lifted: show the final answer without waiting)."""
        if self._pending or self._timer.isActive():
            self.predict_now()

    def is_pending(self) -> bool:
        return self._pending

    def predict_now(self) -> None:
        self._timer.stop()
        self._pending = False
        self._since_last.start()
        start = time.perf_counter()
        picture = self._source() if self._source is not None else None
        if picture is None or self._model is None:
            self.cleared.emit()
            return
        try:
            # Imported on first use, not at start-up: Pillow is not needed to show the window.
            # (The window's warm_up() does this import right after the first paint.)
            from model.preprocess import trace
            from model.reading import read_drawings

            traced = trace(picture, steps=False)
            if traced is None:
                self.cleared.emit()
                return
            pixels = traced.digit
            reading = read_drawings(self._model, pixels[None, :])[0]
            self.last_picture, self.last_frame = picture, traced.frame
        except Exception as exc:  # a broken model must not take the drawing down with it
            self.cleared.emit()
            self.failed.emit(f"The model could not read the drawing ({type(exc).__name__}: {exc}).")
            return
        self.last_duration_ms = (time.perf_counter() - start) * 1000.0
        self.count += 1
        self.predicted.emit(reading, pixels.reshape(28, 28))
