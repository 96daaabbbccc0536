"""The drawing canvas: strokes kept as vectors, drawn smooth, exported at a fixed size for the model.

Strokes are stored as polylines in *document* units (a ``DOC_SIZE`` square), not screen pixels, so the
picture the model sees does not depend on the window size or the screen's pixel density, and the
canvas can be redrawn crisply at any size. Consecutive mouse positions are joined by anti-aliased line
segments with round caps and joins, so a fast stroke has no gaps. Undo and redo work per stroke on
immutable snapshots (cheap: snapshots share their strokes).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.widgets.focus_ring import paint_focus_ring
from app.widgets.live_stroke import LiveStrokeLayer
from app.widgets.qimages import pil_to_qimage, qimage_to_pil
from app.widgets.strokes import DOC_SIZE, CanvasState, Stroke, draw_stroke, fit_picture

if TYPE_CHECKING:
    from PIL import Image
    from PySide6.QtGui import (
        QKeyEvent,
        QMouseEvent,
        QPaintEvent,
        QResizeEvent,
        QTabletEvent,
    )

DEFAULT_BRUSH = 16.0  # document units: a marker-like line on a digit drawn two thirds of the canvas high
MIN_BRUSH, MAX_BRUSH = 2.0, 60.0
HISTORY_LIMIT = 200  # undo steps kept; older ones become permanent
PAPER = QColor(255, 255, 255)  # white in the dark scheme too, as paper is
PAPER_HINT = QColor(150, 150, 150)  # the "Draw a digit here" hint on the paper


class DrawingCanvas(QWidget):
    """A square sheet of paper to draw a digit on with the mouse or a pen tablet.

    Signals: ``changed`` whenever the picture changes (also during a stroke, for live predictions),
    ``strokeFinished`` when the pen lifts, ``historyChanged`` when undo/redo availability may have
    changed, and ``digitKeyPressed(int)`` when a digit key is pressed while the canvas has focus (the
    window teaches the drawing as that digit).
    """

    changed = Signal()
    strokeFinished = Signal()
    historyChanged = Signal()
    digitKeyPressed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setAccessibleName("Drawing canvas")
        self.setAccessibleDescription("Draw a digit here with the mouse or a pen.")
        self.setToolTip("Draw a digit. Esc clears, Ctrl+Z undoes the last stroke.")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(220, 220)
        self._state = CanvasState()
        self._undo: deque[CanvasState] = deque(maxlen=HISTORY_LIMIT)
        self._redo: list[CanvasState] = []
        self._current: list[tuple[float, float]] | None = None  # the stroke being drawn
        self._brush = DEFAULT_BRUSH
        self._cache: QImage | None = None  # committed content at screen resolution
        self._doc_cache: QImage | None = None  # and at DOC_SIZE, what image() starts from
        self._live = LiveStrokeLayer()  # the doc cache with the stroke in progress
        self._tablet_down = False

    # ------------------------------------------------------------------------------------ public API

    def brush_width(self) -> float:
        return self._brush

    def set_brush_width(self, width: float) -> None:
        """Width of the next strokes in document units (the canvas is ``DOC_SIZE`` units wide)."""
        self._brush = float(min(max(width, MIN_BRUSH), MAX_BRUSH))

    def state(self) -> CanvasState:
        return self._state

    def strokes(self) -> tuple[Stroke, ...]:
        return self._state.strokes

    def is_empty(self) -> bool:
        return self._state.empty and not self._current

    def is_drawing(self) -> bool:
        return self._current is not None

    def can_undo(self) -> bool:
        return bool(self._undo) or self._current is not None

    def can_redo(self) -> bool:
        return bool(self._redo)

    def clear(self) -> None:
        """Wipe the canvas (undoable)."""
        self._current = None
        if not self._state.empty:
            self._commit(CanvasState())
        else:
            self._refresh()

    def undo(self) -> None:
        """Take back the last stroke (or clear, or opened picture); while drawing, drop that stroke."""
        if self._current is not None:
            self._current = None
            self._refresh()
            return
        if self._undo:
            self._redo.append(self._state)
            self._state = self._undo.pop()
            self._refresh()

    def redo(self) -> None:
        if self._redo and self._current is None:
            self._undo.append(self._state)
            self._state = self._redo.pop()
            self._refresh()

    def set_picture(self, picture: Image.Image) -> None:
        """Show a picture (dark ink on light) in place of the drawing, fitted into the canvas (undoable)."""
        self._current = None
        self._commit(CanvasState(picture=pil_to_qimage(picture)))

    def add_stroke(self, points: np.ndarray | list[tuple[float, float]], width: float | None = None) -> None:
        """Add a whole stroke in document units at once (scripts, replays and tests of the model path)."""
        pts = tuple((float(x), float(y)) for x, y in np.asarray(points, dtype=np.float64).reshape(-1, 2))
        if pts:
            stroke = Stroke(pts, self._brush if width is None else float(width))
            self._commit(CanvasState((*self._state.strokes, stroke), self._state.picture))

    def paper_rect(self) -> QRectF:
        """Where the square sheet is drawn, in widget coordinates (the widget may be oblong)."""
        side = float(min(self.width(), self.height()))
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def map_to_document(self, pos: QPointF) -> tuple[float, float]:
        rect = self.paper_rect()
        scale = DOC_SIZE / rect.width() if rect.width() > 0 else 1.0
        return ((pos.x() - rect.left()) * scale, (pos.y() - rect.top()) * scale)

    def map_from_document(self, x: float, y: float) -> QPointF:
        rect = self.paper_rect()
        scale = rect.width() / DOC_SIZE
        return QPointF(rect.left() + x * scale, rect.top() + y * scale)

    def qimage(self, size: int = DOC_SIZE) -> QImage:
        """The drawing (including a stroke in progress) as a white ``size`` x ``size`` grey image.

        At ``DOC_SIZE`` (what the model reads, many times a second) the committed strokes come from a
        cache, and the stroke in progress from a :class:`LiveStrokeLayer` that adds only its new
        points: a drawing of hundreds of strokes, or one long stroke, costs what a short one does.
        """
        if size == DOC_SIZE:
            if self._doc_cache is None:
                self._doc_cache = self._render(size, with_current=False)
            if self._current:
                return self._live.picture(self._doc_cache, self._current, self._brush)
            return self._doc_cache.copy()
        return self._render(size, with_current=True)

    def _render(self, size: int, with_current: bool) -> QImage:
        image = QImage(size, size, QImage.Format.Format_Grayscale8)
        image.fill(PAPER)
        painter = QPainter(image)
        self._paint_content(painter, size / DOC_SIZE, with_current=with_current)
        painter.end()
        return image

    def image(self, size: int = DOC_SIZE) -> Image.Image:
        """The drawing as a Pillow ``L`` image, dark ink on white, always ``size`` pixels square.

        The size is fixed in document units, so a high-DPI screen or a bigger window does not change what
        the model sees.
        """
        return qimage_to_pil(self.qimage(size))

    def sizeHint(self) -> QSize:
        return QSize(480, 480)

    # ------------------------------------------------------------------------------------- internals

    def _commit(self, state: CanvasState) -> None:
        self._undo.append(self._state)
        self._redo.clear()
        self._state = state
        self._refresh()

    def _refresh(self) -> None:
        self._cache = self._doc_cache = None
        self.update()
        self.historyChanged.emit()
        self.changed.emit()

    def _begin(self, pos: QPointF) -> None:
        self._current = [self.map_to_document(pos)]
        self.update(self._segment_rect(self._current[0], self._current[0]))
        self.historyChanged.emit()
        self.changed.emit()

    def _extend(self, pos: QPointF) -> None:
        if self._current is None:
            return
        point = self.map_to_document(pos)
        last = self._current[-1]
        if abs(point[0] - last[0]) < 1e-3 and abs(point[1] - last[1]) < 1e-3:
            return
        self._current.append(point)
        self.update(self._segment_rect(last, point))
        self.changed.emit()

    def _end(self, pos: QPointF | None) -> None:
        if self._current is None:
            return
        if pos is not None:
            self._extend(pos)
        stroke = Stroke(tuple(self._current), self._brush)
        self._current = None
        self._live.reset()
        self._undo.append(self._state)
        self._redo.clear()
        self._state = CanvasState((*self._state.strokes, stroke), self._state.picture)
        for cache in (self._cache, self._doc_cache):  # add the stroke instead of redrawing everything
            if cache is None:
                continue
            painter = QPainter(cache)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            scale = cache.width() / cache.devicePixelRatio() / DOC_SIZE
            painter.scale(scale, scale)
            draw_stroke(painter, stroke)
            painter.end()
        self.update()
        self.historyChanged.emit()
        self.changed.emit()
        self.strokeFinished.emit()

    def _segment_rect(self, a: tuple[float, float], b: tuple[float, float]):
        pa, pb = self.map_from_document(*a), self.map_from_document(*b)
        pad = self._brush * self.paper_rect().width() / DOC_SIZE / 2 + 2
        rect = QRectF(pa, pb).normalized().adjusted(-pad, -pad, pad, pad)
        return rect.toAlignedRect()

    def _paint_content(self, painter: QPainter, scale: float, with_current: bool) -> None:
        """Draw the picture and strokes, document units scaled by ``scale``, onto a white surface."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.scale(scale, scale)
        picture = self._state.picture
        if picture is not None:
            painter.drawImage(fit_picture(picture.width(), picture.height()), picture)
        for stroke in self._state.strokes:
            draw_stroke(painter, stroke)
        if with_current and self._current:
            draw_stroke(painter, Stroke(tuple(self._current), self._brush))
        painter.restore()

    def _ensure_cache(self, rect: QRectF) -> QImage:
        ratio = self.devicePixelRatioF()
        side = max(1, round(rect.width() * ratio))
        if self._cache is None or self._cache.width() != side:
            cache = QImage(side, side, QImage.Format.Format_RGB32)
            cache.setDevicePixelRatio(ratio)
            cache.fill(PAPER)
            painter = QPainter(cache)
            self._paint_content(painter, rect.width() / DOC_SIZE, with_current=False)
            painter.end()
            self._cache = cache
        return self._cache

    # -------------------------------------------------------------------------------------- Qt events

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        # eraseRect fills with the palette's window colour. fillRect would do the same, but its overload
        # check builds QGradient's 169 presets on the first paint, which start-up does not need.
        painter.eraseRect(event.rect())
        rect = self.paper_rect()
        if rect.width() < 1:
            return
        painter.drawImage(rect.topLeft(), self._ensure_cache(rect))
        if self._current:
            painter.save()
            painter.setClipRect(rect)
            painter.translate(rect.topLeft())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            scale = rect.width() / DOC_SIZE
            painter.scale(scale, scale)
            draw_stroke(painter, Stroke(tuple(self._current), self._brush))
            painter.restore()
        painter.setPen(QPen(QColor(self.palette().color(QPalette.ColorRole.Mid)), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        if self.hasFocus():  # the keys (digits teach, Esc clears) act here: show it plainly
            paint_focus_ring(painter, rect, self.palette(), radius=2.0)
        if self.is_empty():
            painter.setPen(PAPER_HINT)  # on the paper, which stays white in a dark scheme too
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Draw a digit here")
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._cache = None
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.DevicePixelRatioChange, QEvent.Type.PaletteChange):
            self._cache = None
        super().changeEvent(event)

    def focusInEvent(self, event) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            if self._current is not None:
                self._end(None)
            self._begin(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """A quick second press also arrives as a double-click: it must not be lost or doubled."""
        if event.button() == Qt.MouseButton.LeftButton:
            if self._current is None:  # the platform sent no press before it
                self._begin(event.position())
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._current is not None:
            self._end(event.position())
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        """A pen draws like the left mouse button; accepting stops Qt from also sending mouse events."""
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._tablet_down = True
            if self._current is not None:
                self._end(None)
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove and self._tablet_down:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease and self._tablet_down:
            self._tablet_down = False
            self._end(event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_9 and modifiers == Qt.KeyboardModifier.NoModifier:
            self.digitKeyPressed.emit(int(key - Qt.Key.Key_0))
            event.accept()
            return
        super().keyPressEvent(event)


# ---------------------------------------------------------------------------------------- rendering
