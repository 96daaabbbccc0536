"""The one place the main window is put together with its controllers.

The window offers extension points and knows no controller; each controller offers its actions,
menus and widgets and knows the window only as a :class:`app.window.host.WindowHost`. This function
plugs the ones into the others, wires their signals, and keeps each controller as an attribute of the
window (``model_files``, ``model_menu``, ``teacher``, ``personal``, ``explainer``, ``settings``) for
the app's own use and for tests.
"""

from __future__ import annotations

from app.window.explainer import Explainer
from app.window.input_viewer import InputViewer
from app.window.main_window import MainWindow
from app.window.model_files import ModelFileOpener
from app.window.model_library import ModelLibrary
from app.window.model_menu import ModelMenu
from app.window.personal import Personaliser
from app.window.settings import WindowSettings
from app.window.teach import CANVAS_TIP, Teacher


def build_main_window(library: ModelLibrary | None = None, kind: str | None = None) -> MainWindow:
    """The main window with everything attached, reading with ``kind``'s model.

    ``kind`` is the model to start with; ``None`` means the one chosen last (settings).
    """
    window = MainWindow(library)

    files = ModelFileOpener(window.models, window, window.model_kind)  # Model > Open model file…
    window.add_actions("model", [files.action])
    files.opened.connect(window.set_model_kind)
    files.failed.connect(lambda message: window.show_message(message, "error", about="model file"))
    files.opened.connect(lambda _kind: window.withdraw_message("model file"))  # a refusal is stale then
    window.model_files = files

    menu = ModelMenu(window)  # Retrain…, Reset, Evaluate…, Show weights
    window.add_actions("model", menu.training_actions)
    window.add_actions("model", menu.view_actions)
    window.model_menu = menu

    teacher = Teacher(window)  # Teach, the Samples menu: the person's labelled drawings
    window.add_menu("samples", teacher.menu, before="help")
    window.add_tool_widget(teacher.button, after="clear")  # teaching is about the drawing on the canvas
    window.add_panel(teacher.hint)
    window.canvas.setToolTip(CANVAS_TIP)
    window.labelRequested.connect(teacher.teach)
    window.teacher = teacher

    personal = Personaliser(lambda: teacher.store, window)  # taught drawings count at once
    teacher.sampleAdded.connect(personal.add)
    teacher.samplesChanged.connect(personal.refresh)
    personal.changed.connect(window.reload_model)
    personal.failed.connect(lambda message: window.show_message(message, "warning"))
    window.set_model_filter(personal.apply)
    window.warmedUp.connect(personal.start)
    window.personal = personal

    explainer = Explainer(window)  # View > Why this digit?: the answer's parts over the drawing
    window.add_actions("view", [explainer.action], separator=False)
    window.add_panel(explainer.caption)
    window.set_bar_click_filter(explainer.choose)
    explainer.action.toggled.connect(lambda on: teacher.hint.setVisible(not on))  # bars compare then
    window.explainer = explainer

    inputs = InputViewer(window)  # View > What the model sees…
    window.add_actions("view", [inputs.action], separator=False)
    window.input_viewer = inputs

    settings = WindowSettings(window)  # brush width and geometry now, the model kind just below
    window.settings = settings
    window.set_model_kind(kind or settings.model_kind())
    return window
