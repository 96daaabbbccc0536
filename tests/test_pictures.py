"""Picture files from anywhere: only in-process decoders, only regular files, within a budget.

Hostile pictures go through the picture reader, the sample import and the window. The cases that
could hang (a FIFO) or run an outside program (PostScript) run in a child process with a timeout and
a fake ``gs`` on its PATH that would leave a marker file if Pillow's EPS plugin ever started it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from hostile_files import blank_png, fake_ghostscript, png, postscript
from PIL import Image, ImageDraw

from model.pictures import MAX_DECODED_BYTES, PictureError, open_picture
from training.samples import MAX_IMPORT_ROWS, SampleStore


def run_child(code: str, tmp_path: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    marker = tmp_path / "gs-ran"
    env = {
        **os.environ,
        "PATH": f"{fake_ghostscript(tmp_path / 'bin', marker)}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_break_3_postscript_named_png_never_reaches_ghostscript(tmp_path):
    marker = tmp_path / "ps-ran"
    picture = tmp_path / "digit.png"
    picture.write_bytes(postscript(marker))
    result = run_child(
        f"""
        from app.window.picture_files import ImageOpenError, load_digit_picture
        try:
            load_digit_picture({str(picture)!r})
        except ImageOpenError as exc:
            print(exc)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "digit.png is not an image file this app can read" in result.stdout
    assert not (tmp_path / "gs-ran").exists() and not marker.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_break_9_a_fifo_named_png_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "digit.png"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(PictureError, match=r"digit\.png is not a regular file"):
        open_picture(fifo)
    assert time.perf_counter() - start < 1.0


def test_break_11_a_sixteen_bit_picture_over_the_budget_is_refused_from_its_header(tmp_path):
    path = tmp_path / "deep.png"
    path.write_bytes(blank_png(6000, bit_depth=16))  # 36 M pixels, 72 MB decoded
    assert path.stat().st_size < 1_000_000
    start = time.perf_counter()
    with pytest.raises(PictureError, match="too large to open safely"):
        open_picture(path)
    assert time.perf_counter() - start < 0.5


def test_a_picture_at_the_budget_opens_and_costs_what_it_declares(tmp_path):
    path = tmp_path / "scan.png"
    side = int((MAX_DECODED_BYTES // 2) ** 0.5)
    path.write_bytes(blank_png(side, bit_depth=16))
    image = open_picture(path)
    assert image.size == (side, side)


def test_only_the_in_process_formats_are_opened(tmp_path):
    for fmt, suffix in (("PNG", "png"), ("JPEG", "jpg"), ("BMP", "bmp"), ("GIF", "gif"), ("TIFF", "tif")):
        path = tmp_path / f"seven.{suffix}"
        Image.new("L", (40, 40), 255).save(path, fmt)
        assert open_picture(path).size == (40, 40)
    for fmt in ("PCX", "TGA", "ICO"):  # Pillow reads these; the app does not need to
        path = tmp_path / f"seven.{fmt.lower()}"
        Image.new("L", (40, 40), 255).save(path, fmt)
        with pytest.raises(PictureError, match="not an image file this app can read"):
            open_picture(path)


def test_an_empty_file_is_called_empty(tmp_path):
    path = tmp_path / "zero.png"
    path.write_bytes(b"")
    with pytest.raises(PictureError, match=r"^zero\.png is empty \(0 bytes\), not an image\.$"):
        open_picture(path)


# --------------------------------------------------------------------------------- sample import


def _drawing(path: Path, slant: int = 0) -> None:
    img = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(img).line([(100 - slant, 20), (100 + slant, 180)], fill=0, width=14)
    img.save(path)


def test_break_9_an_import_repeating_a_huge_picture_is_refused_at_its_first_row(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.png").write_bytes(blank_png(9400))
    (src / "labels.csv").write_text("file,label\n" + "big.png,1\n" * 200)
    store = SampleStore(tmp_path / "s")
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"line 2: big\.png is too large to open safely"):
        store.import_folder(src)
    assert time.perf_counter() - start < 1.0 and len(store) == 0


def test_break_9_identical_drawings_are_imported_once(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _drawing(src / "a.png")
    _drawing(src / "b.png", slant=40)
    (src / "labels.csv").write_text("file,label\na.png,1\na.png,1\nb.png,1\na.png,7\n")
    store = SampleStore(tmp_path / "s")
    assert store.import_folder(src) == 3  # a.png as a 1 once, b.png, and a.png as a 7
    assert store.import_folder(src) == 0  # all of them are already there
    assert sorted(store.counts().items())[1] == (1, 2) and store.counts()[7] == 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("file,label\na.png,1\n" + "x" * 200_000 + ",1\n", 3),  # field larger than field limit
        ("file,label\na.png,1\na.png,1\nb\0.png,2\n", 4),  # a NUL byte
    ],
)
def test_break_9_csv_errors_name_their_line(tmp_path, text, line):
    src = tmp_path / "src"
    src.mkdir()
    _drawing(src / "a.png")
    (src / "labels.csv").write_text(text)
    with pytest.raises(ValueError, match=rf"^labels\.csv line {line}: "):
        SampleStore(tmp_path / "s").import_folder(src)


def test_an_import_of_too_many_rows_or_a_fifo_is_refused(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _drawing(src / "a.png")
    (src / "labels.csv").write_text("file,label\n" + "a.png,1\n" * (MAX_IMPORT_ROWS + 1))
    with pytest.raises(ValueError, match="more than 10,000 samples"):
        SampleStore(tmp_path / "s").import_folder(src)
    if hasattr(os, "mkfifo"):
        os.mkfifo(src / "pipe.png")
        (src / "labels.csv").write_text("file,label\npipe.png,1\n")
        with pytest.raises(ValueError, match=r"line 2: pipe\.png is not a regular file"):
            SampleStore(tmp_path / "s").import_folder(src)


def test_break_3_sample_import_never_runs_ghostscript(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "digit.png").write_bytes(postscript(tmp_path / "ps-ran"))
    (src / "labels.csv").write_text("file,label\ndigit.png,1\n")
    result = run_child(
        f"""
        from training.samples import SampleStore
        try:
            SampleStore({str(tmp_path / "s")!r}).import_folder({str(src)!r})
        except ValueError as exc:
            print(exc)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "line 2: digit.png is not an image file" in result.stdout
    assert not (tmp_path / "gs-ran").exists()


# --------------------------------------------------------------------------------- the window


@pytest.mark.gui
def test_break_11_the_window_decodes_a_large_picture_in_the_background(qtbot, tmp_path):
    from windows import new_window

    side = 7000
    white, bar = b"\0" + b"\xff" * side, b"\0" + b"\xff" * 3000 + b"\0" * 1000 + b"\xff" * 3000
    path = tmp_path / "poster.png"
    path.write_bytes(png(side, side, white * 1000 + bar * 5000 + white * 1000))
    win = new_window(qtbot)
    with qtbot.waitSignal(win.pictureOpened, timeout=20000) as opened:
        start = time.perf_counter()
        win.open_image_file(path)
        returned = time.perf_counter() - start
        assert win.is_opening_picture() and "Opening poster.png" in win.statusBar().currentMessage()
        assert returned < 0.2  # the decode did not happen on the GUI thread
    assert opened.args == [True]
    canvas = np.asarray(win.canvas.image())
    assert canvas.min() < 30


@pytest.mark.gui
def test_break_3_the_window_and_the_command_line_never_run_ghostscript(tmp_path):
    picture = tmp_path / "digit.png"
    picture.write_bytes(postscript(tmp_path / "ps-ran"))
    result = run_child(
        f"""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from app.window.main_window import MainWindow
        from app.window.assembly import build_main_window
        win = build_main_window()
        win.show()
        win.pictureOpened.connect(lambda ok: (print("opened", ok, win.banner.text()), app.quit()))
        win.open_image_file({str(picture)!r})
        app.exec()
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "opened False digit.png is not an image file this app can read" in result.stdout
    assert not (tmp_path / "gs-ran").exists()


def test_break_3_a_planted_sample_never_runs_ghostscript_and_is_skipped(tmp_path):
    """The sample folder is files anyone can put there; the gallery and training read them."""
    folder = tmp_path / "samples" / "1"
    folder.mkdir(parents=True)
    (folder / "20260101T000000-planted.png").write_bytes(postscript(tmp_path / "ps-ran"))
    (folder / "20260101T000001-big.png").write_bytes(blank_png(9400))
    result = run_child(
        f"""
        from training.samples import SampleStore
        store = SampleStore({str(tmp_path / "samples")!r})
        X, y = store.arrays()
        print(len(store), len(y))
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "0"]  # listed, but neither is read as a sample
    assert not (tmp_path / "gs-ran").exists() and not (tmp_path / "ps-ran").exists()


def test_a_sample_picture_must_be_28_by_28(tmp_path):
    store = SampleStore(tmp_path)
    sample = store.add(3, np.zeros(784, dtype=np.float32))
    Image.new("L", (40, 40)).save(sample.image_path)
    with pytest.raises(ValueError, match="not a 28x28 sample"):
        sample.image()
