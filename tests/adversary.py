"""Run one hostile file through one entry point of the app, in this (child) process, and report.

``python tests/adversary.py ENTRY FILE KIND`` prints one JSON line: the message the user would see,
the seconds the entry point took, the process's peak memory, and entry-specific facts. The parent
(``tests/test_adversarial.py``) checks that line, the exit status (a signal shows as a negative
code), the marker file and the user's files. ``DIGIT_CANVAS_HOME`` must point at a scratch folder.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The same code as the test that started this process: ``python -m pytest`` imports the checkout (its
# folder is on sys.path), not the installed copy a script would otherwise find first.
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

ENTRY_POINTS = (
    "load_model",
    "load_model trusted",
    "planted, app started",
    "open model file after Yes",
    "File > Open image",
    "drop",
    "command-line argument",
    "sample import",
    "index planted, app started",
)


def peak_mb() -> int:
    """This process's peak resident memory in MB.

    ``ru_maxrss`` survives ``exec`` on Linux, so a child of a big pytest process would report the
    parent's peak; the kernel's ``VmHWM`` belongs to this process's memory alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _report(message: str, seconds: float, **extra: object) -> None:
    print(json.dumps({"message": message, "seconds": seconds, "peak_mb": peak_mb(), **extra}), flush=True)


def _api(path: Path, kind: str, trusted: bool) -> None:
    from model import ModelFileError, load_model

    start = time.perf_counter()
    try:
        load_model(kind, path, trusted=trusted)
        message = "loaded"
    except ModelFileError as exc:
        message = str(exc)
    _report(message, time.perf_counter() - start)


def _plant(path: Path, kind: str) -> None:
    """Make ``path`` the user's ``kind`` model with its real digest, and the window's chosen model."""
    from broken_models import plant_user_model

    from app.window.settings import AppSettings

    plant_user_model(kind, path.read_bytes())
    AppSettings().set_model_kind(kind)


def _folder_digest() -> str:
    """One hash of every file in the user's model folder (names and bytes)."""
    import hashlib

    from model.paths import user_model_dir

    digest = hashlib.sha256()
    for item in sorted(user_model_dir().rglob("*")):
        if item.is_file() and item.name != ".lock":
            digest.update(str(item.relative_to(user_model_dir())).encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()


def _run_app(argv: list[str], until: str) -> None:
    """Start the app as ``digit-canvas`` does and quit after the first paint or the picture's outcome."""
    import app.boot.startup
    import app.main
    from app.window.main_window import MainWindow

    start = time.perf_counter()
    seen: dict[str, object] = {}

    def finish(window: MainWindow) -> None:
        from PySide6.QtCore import QCoreApplication

        model = window.predictor.model()
        seen["model_path"] = getattr(model, "metadata_", {}).get("path")
        seen["banner"] = window.banner.text()
        QCoreApplication.quit()

    if until == "first paint":
        os.environ[app.boot.startup.VARIABLE] = "1"
        app.boot.startup.report_and_quit = finish
    else:
        opener = MainWindow.open_image_file

        def open_and_watch(window: MainWindow, path: str) -> None:
            window.pictureOpened.connect(lambda ok: (seen.update(opened=ok), finish(window)))
            opener(window, path)

        MainWindow.open_image_file = open_and_watch
    before = _folder_digest()
    status = app.main.main(argv)
    seen["models_intact"] = _folder_digest() == before
    message = "opened" if seen.get("opened") else str(seen.get("banner", ""))
    _report(message, time.perf_counter() - start, status=status, **seen)


def _window_action(path: Path, entry: str, kind: str) -> None:
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from app.window.assembly import build_main_window

    app = QApplication.instance() or QApplication([])
    window = build_main_window()
    window.show()
    app.processEvents()
    start = time.perf_counter()
    messages: list[str] = []
    if entry == "open model file after Yes":
        window.model_files.confirm = lambda parent, p: True
        window.model_files.failed.connect(messages.append)
        opened = window.model_files.open_file(path)
        _report(messages[0] if messages else "opened", time.perf_counter() - start, opened=opened)
        return
    outcome: list[bool] = []
    window.pictureOpened.connect(outcome.append)
    if entry == "File > Open image":
        window.open_image_file(path)
    else:
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(path))])
        centre = QPoint(window.width() // 2, window.height() // 2)
        buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
        enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, data, buttons, keys)
        QApplication.sendEvent(window, enter)
        if not enter.isAccepted():  # the pointer shows "no drop" and nothing is opened
            _report("The window does not take this drop.", time.perf_counter() - start, opened=False)
            return
        drop = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, data, buttons, keys)
        QApplication.sendEvent(window, drop)
    deadline = time.monotonic() + 20
    while not outcome and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    message = window.banner.text() if outcome and not outcome[0] else ("opened" if outcome else "no outcome")
    _report(message, time.perf_counter() - start, opened=bool(outcome and outcome[0]))


def _import(path: Path) -> None:
    from training.samples import SampleStore

    folder = path.parent / "import"
    folder.mkdir()
    target = folder / path.name
    if path.is_fifo():
        os.mkfifo(target)
    else:
        shutil.copyfile(path, target)
    (folder / "labels.csv").write_text(f"file,label\n{path.name},1\n{path.name},1\n")
    store = SampleStore()
    start = time.perf_counter()
    try:
        added = store.import_folder(folder)
        message = f"imported {added}"
    except ValueError as exc:
        message = str(exc) + "."
    _report(message, time.perf_counter() - start, samples=len(store))


def main(entry: str, file: str, kind: str) -> None:
    path = Path(file)
    if entry in ("load_model", "load_model trusted"):
        _api(path, kind, trusted=entry.endswith("trusted"))
    elif entry == "planted, app started":
        _plant(path, kind)
        _run_app([], until="first paint")
    elif entry == "index planted, app started":
        from model.paths import user_model_dir
        from model.store import bundled_model_path

        good = Path(os.environ["DIGIT_CANVAS_HOME"]) / "good.joblib"
        good.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundled_model_path(kind), good)
        _plant(good, kind)
        shutil.copyfile(path, user_model_dir() / "index.json")
        _run_app([], until="first paint")
    elif entry == "command-line argument":
        _run_app([str(path)], until="picture")
    elif entry == "sample import":
        _import(path)
    else:
        _window_action(path, entry, kind)


if __name__ == "__main__":
    main(*sys.argv[1:4])
