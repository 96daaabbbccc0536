"""pyqtgraph for the app's plots: imported when the first plot is made, and dressed in the palette.

No module imports pyqtgraph at its top, so the window starts without it: importing it takes long
enough to notice (it builds every class of QtCore, QtGui and QtWidgets), paid once, on the GUI thread,
by the first retrain dialog, step-through or evaluation window as it opens. Not in a thread: PySide6
builds its classes on first use, and two threads doing so at once crash the process. What
the import makes lives as long as the app, so it is frozen out of the garbage collector, as the app's
start-up objects are (app.boot.gc_pause): otherwise every later full collection, which runs on the
GUI thread while a model trains, would walk it again.
"""

from __future__ import annotations

import atexit
import gc
import weakref
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from types import ModuleType

    from PySide6.QtCore import QEvent

TICK_FONT_SCALE = 0.85  # tick values a little smaller than the text around the plot

_pyqtgraph: ModuleType | None = None
_hosts: weakref.WeakSet[PlotHost] = weakref.WeakSet()


def pyqtgraph() -> ModuleType:
    """The pyqtgraph module, imported and configured on the first call."""
    global _pyqtgraph
    if _pyqtgraph is None:
        was_enabled = gc.isenabled()
        gc.disable()  # the import makes tens of thousands of objects: no collection over them meanwhile
        try:
            import pyqtgraph as pg
        finally:
            gc.freeze()
            if was_enabled:
                gc.enable()
        pg.setConfigOptions(antialias=True)  # colours: style_plot, from each plot's palette
        atexit.register(_delete_views)  # after PySide6's own exit hook, so it runs before it
        _pyqtgraph = pg
    return _pyqtgraph


def _delete_views() -> None:
    """Delete the plots' views while Python still runs.

    A plot still alive when the interpreter exits (a script's window never closed) is otherwise
    deleted by PySide6's exit hook, and its items' destructors call pyqtgraph's Python methods after
    Python has begun to shut down, which crashes the process.
    """
    for host in list(_hosts):
        view = host.view if shiboken6.isValid(host) else None
        if view is not None and shiboken6.isValid(view):
            shiboken6.delete(view)


class PlotHost(QWidget):
    """A widget that draws with a pyqtgraph view of its own, in its palette's colours.

    Subclasses call :meth:`make_view` once their own state is set up; it makes the view, their
    pyqtgraph items (:meth:`build`) and colours them (:meth:`restyle`, again on every palette or font
    change: the app switches between light and dark as it runs).
    """

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.view: Any = None  # the pyqtgraph GraphicsLayoutWidget, once made

    def make_view(self) -> None:
        """Make the pyqtgraph view and the subclass's items in it, coloured (pyqtgraph comes now)."""
        pg = pyqtgraph()
        self.view = graphics_view(self, self.accessibleName())
        self.layout().addWidget(self.view)
        _hosts.add(self)
        self.build(pg, self.view)
        self.restyle()

    def build(self, pg: ModuleType, view: Any) -> None:
        """Make the pyqtgraph items in ``view``."""

    def restyle(self) -> None:
        """Colour the items from the palette."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (event.Type.PaletteChange, event.Type.FontChange) and self.view is not None:
            self.restyle()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(360, 200)


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
    for name in ("left", "bottom"):  # values as they are, not scaled by a prefix in the axis label
        item.getAxis(name).enableAutoSIPrefix(False)
    view.addItem(item, row=row, col=0)
    return item


def text_colour(palette: QPalette) -> QColor:
    """The colour the plots write in: the palette's, so it suits the scheme."""
    return palette.color(QPalette.ColorRole.WindowText)


def faint(palette: QPalette, alpha: int) -> QColor:
    """The text colour at ``alpha`` (0-255): frames and grid lines that recede behind the data."""
    colour = QColor(text_colour(palette))
    colour.setAlpha(alpha)
    return colour


def tick_font(widget: QWidget) -> QFont:
    """``widget``'s font a little smaller, for tick values that leave the data the room."""
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
