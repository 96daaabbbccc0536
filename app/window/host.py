"""What a controller may use of the main window: its public parts and its ways to tell the person.

Controllers are typed against this protocol, not the window class, so none of them imports the
window and the window imports none of them; :mod:`app.window.assembly` is where they meet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QSpinBox, QWidget

    from app.widgets.canvas import DrawingCanvas
    from app.widgets.prediction import PredictionView
    from app.window.model_library import ModelLibrary
    from app.window.predictor import Predictor


class WindowHost(Protocol):
    """The main window as its controllers see it (``window()`` is the window itself, for dialogs)."""

    canvas: DrawingCanvas
    predictor: Predictor
    models: ModelLibrary
    prediction_view: PredictionView
    brush_width: QSpinBox

    def window(self) -> QWidget: ...

    def model_kind(self) -> str | None: ...

    def show_message(self, text: str, level: str = "info", about: str | None = None) -> None: ...

    def withdraw_message(self, about: str) -> None: ...

    def hide_message(self, text: str) -> None: ...

    def show_status(self, text: str, msecs: int = 0) -> None: ...

    def add_close_guard(self, may_close: Callable[[], bool]) -> None: ...
