"""View > What the model sees: opens the window and keeps it following the drawing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from app.widgets.actions import make_action

if TYPE_CHECKING:
    import numpy as np

    from app.inputs.window import ModelInputWindow
    from app.window.host import WindowHost
    from model.reading import Reading


class InputViewer(QObject):
    """The "What the model sees" action and its window, fed with each drawing the model reads."""

    def __init__(self, host: WindowHost) -> None:
        super().__init__(host.window())
        self._host = host
        self.view: ModelInputWindow | None = None
        self.action = make_action(
            self,
            "model_input",
            "What the model &sees…",
            self.open,
            ["Ctrl+Shift+I"],
            tip="Each step from the drawing to the model's 28x28 input, beside MNIST's mean digit",
        )
        host.predictor.predicted.connect(self._follow)
        host.predictor.cleared.connect(lambda: self.view.show_nothing() if self.view is not None else None)

    def open(self) -> ModelInputWindow:
        if self.view is None:
            from app.inputs.window import ModelInputWindow
            from model.mnist_facts import bundled_facts

            try:
                facts = bundled_facts()
            except ValueError:
                facts = None  # the window says so
            self.view = ModelInputWindow(facts, self._host.window())
        self.view.show()
        self.view.raise_()
        self._host.predictor.predict_now()  # show what is on the canvas now
        return self.view

    def _follow(self, reading: Reading, image28: np.ndarray) -> None:
        if self.view is None or not self.view.isVisible():
            return
        picture = self._host.predictor.last_picture
        if picture is None:
            return
        from model.preprocess import trace

        traced = trace(picture)
        self.view.show_trace(traced, _deskewed(self._host.predictor.model(), image28))


def _deskewed(model: Any, image28: np.ndarray) -> np.ndarray | None:
    """The input as the model's feature map deskews it, or ``None`` when it reads plain pixels."""
    features = getattr(model, "features_", None)
    if features is None or not features.deskew:
        return None
    from model.deskew import deskew

    return deskew(image28.reshape(1, -1).astype("float32"))[0]
