"""The main window in GUI tests: opened as a person sees it, and left with nothing running."""

from __future__ import annotations

from app.main_window import MainWindow


def new_window(qtbot, **kw) -> MainWindow:
    """A main window, shown and exposed; pytest-qt closes it after the test."""
    win = MainWindow(**kw)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def close_what_it_opened(win: MainWindow) -> None:
    """Stop a retrain still running and close the windows and dialogs the window opened."""
    menu = win.model_menu
    if menu.dialog is not None and menu.dialog.is_training():
        menu.dialog.job.cancel_and_wait(10000)
    for view in menu.windows:
        view.close()
    if win.teacher.dialog is not None:
        win.teacher.dialog.close()


def open_picture(qtbot, win: MainWindow, path, timeout: int = 10000) -> bool:
    """Open a picture file as File > Open image does and wait for the worker; True if it is on the canvas."""
    with qtbot.waitSignal(win.pictureOpened, timeout=timeout) as blocker:
        win.open_image_file(path)
    return bool(blocker.args[0])
