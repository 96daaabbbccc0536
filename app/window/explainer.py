"""View > Why this digit?: lays over the drawing how much each part of it counted for the answer.

Each time the drawing is read, the answer's score is split over the model's 28x28 input
(:func:`model.explain.explain`, parts that add up exactly to the score minus a blank canvas's) and
painted over the strokes, orange where the ink counted for the answer and blue where against. With
the view on, clicking another digit's bar (or Enter on it, the bars focused) asks "why this rather than
that?"; clicking the answer's
own bar (or drawing something read differently) goes back to the answer alone. Digit keys still teach.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRectF, Signal
from PySide6.QtWidgets import QLabel

from app.widgets.actions import make_action
from app.widgets.canvas import DOC_SIZE
from app.widgets.explanation_layer import ExplanationLayer

if TYPE_CHECKING:
    import numpy as np

    from app.window.host import WindowHost
    from model.reading import Reading

EXPLAIN_TIP = (
    "Show over the drawing which parts counted for the answer (orange) and against it (blue); then a "
    "click on another digit's bar, or Enter on it (Tab to the bars, arrow keys), asks why not that one"
)


class Explainer(QObject):
    """Owns the "Why this digit?" action, the layer over the canvas and the caption under the bars.

    ``explained(explanation)`` fires with each :class:`model.explain.Explanation` shown.
    """

    explained = Signal(object)

    def __init__(self, host: WindowHost) -> None:
        super().__init__(host.window())
        self._host = host
        self.action = make_action(
            self, "explain", "&Why this digit?", self.set_on, ["Ctrl+E"], tip=EXPLAIN_TIP
        )
        self.action.setCheckable(True)
        self.layer = ExplanationLayer(host.canvas)
        self.caption = QLabel()
        self.caption.setObjectName("explanationCaption")
        self.caption.setWordWrap(True)
        self.caption.hide()
        self._versus: int | None = None
        self._last: Any = None
        host.predictor.predicted.connect(self._explain)
        host.predictor.cleared.connect(self._clear)
        host.predictor.modelChanged.connect(lambda _model: self._set_versus(None))

    def is_on(self) -> bool:
        return self.action.isChecked()

    def set_on(self, on: bool) -> None:
        """Show or hide the explanation (the action's toggle)."""
        self.action.setChecked(bool(on))
        self.layer.setVisible(bool(on))
        self.caption.setVisible(bool(on))
        self._versus = None
        if on:
            self._host.predictor.predict_now()  # explain what is on the canvas now
        else:
            self.layer.show_parts(None, None)

    def versus(self) -> int | None:
        """The digit the answer is compared with, or ``None`` for the answer alone."""
        return self._versus

    def last(self) -> Any:
        """The explanation shown last (``None`` if nothing is)."""
        return self._last

    def choose(self, digit: int) -> bool:
        """A click on ``digit``'s bar: compare with it (or stop comparing); False when the view is off."""
        if not self.is_on():
            return False
        answer = None if self._last is None else self._last.label
        self._set_versus(None if digit == answer or digit == self._versus else int(digit))
        return True

    def _set_versus(self, digit: int | None) -> None:
        self._versus = digit
        if self.is_on():
            self._host.predictor.predict_now()

    def _explain(self, reading: Reading, image28: np.ndarray) -> None:
        if not self.is_on():
            return
        predictor = self._host.predictor
        model, frame, picture = predictor.model(), predictor.last_frame, predictor.last_picture
        if model is None or frame is None or picture is None:
            self._clear()
            return
        from model.explain import explain  # with the first explanation, not at start-up

        answer = reading.digit
        versus = self._versus if self._versus in reading.classes and self._versus != answer else None
        try:
            explanation = explain(model, image28.reshape(-1), answer, versus)
        except Exception as exc:  # a model the explanation cannot read must not stop the drawing
            self._clear()
            self.caption.setText(f"This model's answer cannot be explained ({exc}).")
            return
        canvas = self._host.canvas
        per_pixel = DOC_SIZE / max(1, picture.width)  # picture pixels -> canvas document units

        def to_widget(x: float, y: float):
            sx, sy = frame.to_source(x, y)
            return canvas.map_from_document(sx * per_pixel, sy * per_pixel)

        def picture_rect() -> QRectF:  # where the picture lies on the canvas now (asked at each paint)
            corner = canvas.map_from_document(0.0, 0.0)
            return QRectF(
                corner, canvas.map_from_document(picture.width * per_pixel, picture.height * per_pixel)
            )

        self.layer.show_parts(explanation.parts, to_widget, picture, picture_rect)
        self._last = explanation
        self.caption.setText(caption(explanation, reading.verdict, reading.runner_up))
        self.explained.emit(explanation)

    def _clear(self) -> None:
        self._last = None
        self.layer.show_parts(None, None)
        if self.is_on():
            self.caption.setText("Draw a digit to see which parts of it count for the answer.")


def caption(explanation: Any, verdict: str = "digit", runner_up: int | None = None) -> str:
    """What the colours mean for this explanation, and what a click on a bar does.

    Under "not a digit" the colours still show the closest digit's score (the drawing has no digit to
    explain), and the caption says so rather than "why 6" under an answer that is no 6.
    """
    a, b = explanation.label, explanation.versus
    gain = explanation.total
    if b is not None:
        return (
            f"Why {a} rather than {b}: orange counted for {a} over {b}, blue for {b} (together "
            f"{gain:+.1f}). Click {b}'s bar again (or press Enter on it) to go back."
        )
    colours = (
        f"orange ink counted for {a}, blue against (together {gain:+.1f} in log-odds over a blank canvas)"
    )
    if verdict == "not a digit":
        return f"It looks like no digit. The closest digit is {a}: {colours}."
    if verdict == "not sure" and runner_up is not None:
        return f"Not sure: {a} or {runner_up}. Why {a}: {colours}. Click {runner_up}'s bar to compare."
    return f"Why {a}: {colours}. Click another digit's bar to ask why not that one."
