"""pyqtgraph for the app's plots: imported off the GUI thread when the first plot is made, and dressed
in the palette.

No module imports pyqtgraph at its top, so the window starts without it. Importing it takes a few hundred
milliseconds (it wraps every class of QtCore, QtGui and QtWidgets), which the window that opens the
first plot would spend frozen, so the first :class:`PlotHost` starts the import in a thread of its own;
the window opens at once, the GUI thread keeps its turns at the interpreter while the import runs, and
each plot makes its pyqtgraph view when the import is done. Its objects then live as long as the app,
so they are frozen out of the garbage collector, as the app's start-up objects are (app.boot.gc_pause):
otherwise every later full collection, which runs on the GUI thread while a model trains, would walk
them again.
"""

from __future__ import annotations

import gc
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    from PySide6.QtCore import QEvent, QRect
    from PySide6.QtGui import QPixmap

TICK_FONT_SCALE = 0.85  # tick values a little smaller than the text around the plot
GRID_ALPHA = 0.16  # the grid lines, as a share of the text colour's opacity

_pyqtgraph: ModuleType | None = None
_import_lock = threading.Lock()
_import_thread: threading.Thread | None = None


class _Announcer(QObject):
    """Lives on the GUI thread; its signal, emitted by the import thread, reaches the plots there."""

    loaded = Signal()


_announcer: _Announcer | None = None


def pyqtgraph() -> ModuleType:
    """The pyqtgraph module, imported (on this thread, or by waiting for the import thread) if need be."""
    global _pyqtgraph
    if _pyqtgraph is None:
        with _import_lock:
            if _pyqtgraph is None:
                was_enabled = gc.isenabled()
                gc.disable()  # the import makes tens of thousands of objects: no collection over them now
                try:
                    import pyqtgraph as pg
                finally:
                    gc.freeze()
                    if was_enabled:
                        gc.enable()
                pg.setConfigOptions(antialias=True)  # colours: style_plot, from each plot's palette
                _pyqtgraph = pg
    return _pyqtgraph


def when_loaded(slot: Callable[[], None]) -> None:
    """Call ``slot`` (a method of a QObject on the GUI thread) once pyqtgraph is imported: now if it
    is, else when a background import started here (or already under way) is done.

    ``slot`` may be called twice (the import can end between the check and the connection); the
    connection goes when the slot's object is deleted.
    """
    global _announcer, _import_thread
    if _pyqtgraph is not None:
        slot()
        return
    if _announcer is None:
        _announcer = _Announcer()
    _announcer.loaded.connect(slot)
    if _import_thread is None:
        announcer = _announcer

        def load() -> None:
            pyqtgraph()
            announcer.loaded.emit()  # queued to the GUI thread, where the announcer lives

        _import_thread = threading.Thread(target=load, name="pyqtgraph-import", daemon=True)
        _import_thread.start()
    elif _pyqtgraph is not None:
        slot()


class PlotHost(QWidget):
    """A widget that draws with pyqtgraph: blank until pyqtgraph is imported, then its view.

    What it is given before that is kept and shown when the view is made. Subclasses make their
    pyqtgraph items in :meth:`build`, colour them in :meth:`restyle` (again on every palette change)
    and hand pending data to them in :meth:`flush`, and call :meth:`request_view` once they are set up.
    """

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._view: Any = None

    def request_view(self) -> None:
        """Make the view now if pyqtgraph is imported, else as soon as it is (importing it meanwhile)."""
        when_loaded(self._make_view)

    def is_ready(self) -> bool:
        """Whether the pyqtgraph view is made (pyqtgraph is imported)."""
        return self._view is not None

    def ensure_view(self) -> Any:
        """The pyqtgraph view (a GraphicsLayoutWidget), made now if pyqtgraph is still loading."""
        self._make_view()
        return self._view

    def grab(self, rectangle: QRect | None = None) -> QPixmap:
        """The widget as painted with everything it was given, even if pyqtgraph was still loading."""
        self.ensure_view()
        self.flush()
        return super().grab() if rectangle is None else super().grab(rectangle)

    def build(self, pg: ModuleType, view: Any) -> None:
        """Make the pyqtgraph items in ``view``."""

    def restyle(self) -> None:
        """Colour the items from the palette."""

    def flush(self) -> None:
        """Hand whatever is waiting to the items."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (event.Type.PaletteChange, event.Type.FontChange) and self._view is not None:
            self.restyle()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(360, 200)

    def _make_view(self) -> None:
        if self._view is not None:
            return
        pg = pyqtgraph()
        view = graphics_view(self, self.accessibleName())
        self.layout().addWidget(view)
        self._view = view
        self.build(pg, view)
        self.restyle()
        self.flush()


def graphics_view(owner: QWidget, accessible_name: str) -> Any:
    """A pyqtgraph GraphicsLayoutWidget for ``owner`` that only shows (no focus, menu or mouse of its own).

    pyqtgraph handles the mouse in Python, so the view is named for screen readers like ``owner``.
    """
    view = pyqtgraph().GraphicsLayoutWidget(owner)
    description = f"The plot of {accessible_name}, drawn from the numbers it is given"
    for part in (view, view.viewport()):
        part.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        part.setAccessibleName(accessible_name)
        part.setAccessibleDescription(description)
    view.ci.setContentsMargins(2, 2, 6, 2)
    view.ci.layout.setSpacing(0)
    return view


def add_plot(view: Any, row: int) -> Any:
    """A PlotItem in ``view``'s ``row`` with mouse zoom and pan, the menu and the auto-range button off:
    the plots follow their data, and a wheel over them scrolls the window as anywhere else."""
    item = pyqtgraph().PlotItem(enableMenu=False)
    item.setMouseEnabled(x=False, y=False)
    item.hideButtons()
    view.addItem(item, row=row, col=0)
    return item


def text_colour(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.WindowText)


def faint(palette: QPalette, alpha: int) -> QColor:
    """The text colour at ``alpha`` (0-255): frames and grid lines that recede behind the data."""
    colour = QColor(text_colour(palette))
    colour.setAlpha(alpha)
    return colour


def tick_font(widget: QWidget) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() * TICK_FONT_SCALE))
    return font


def style_plot(view: Any, item: Any, palette: QPalette, font: QFont) -> None:
    """Background, axes, tick values and axis labels in ``palette``'s colours.

    Called when the plot is made and again on every ``QEvent.PaletteChange``, so a switch between the
    light and the dark scheme while the app runs repaints the plot in the new one.
    """
    background, text = palette.color(QPalette.ColorRole.Window), text_colour(palette)
    # The defaults of what pyqtgraph makes without a colour of its own (a label, say) follow too.
    pyqtgraph().setConfigOptions(background=background, foreground=text)
    view.setBackground(background)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(faint(palette, 110))
        axis.setTextPen(text)
        axis.setTickFont(font)


def data_rect(owner: QWidget, view: Any, item: Any) -> QRectF:
    """Where ``item`` (a PlotItem of ``view``) draws its data (its view box), in ``owner``'s coordinates."""
    scene_rect = item.getViewBox().sceneBoundingRect()
    in_view = view.mapFromScene(scene_rect).boundingRect()
    return QRectF(in_view.translated(view.mapTo(owner, QPoint(0, 0))))
