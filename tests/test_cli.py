"""digit-canvas-train as a user runs it: progress, reports, errors, and Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from training.cli import main

REPO = Path(__file__).resolve().parents[1]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.mark.mnist
def test_trains_both_models_and_writes_a_report(mnist_dir, tmp_path, capsys, isolated_home):
    code = main(
        [
            "--model",
            "all",
            "--data-dir",
            str(mnist_dir),
            "--max-train",
            "3000",
            "--force",
            "--report",
            str(tmp_path),
        ]
    )
    assert code == 0
    out = capsys.readouterr()
    assert "One-vs-rest (10 digits): test accuracy" in out.out
    assert "Binary 0-vs-1: test accuracy" in out.out
    assert "iteration" in out.err and "loss" in out.err
    for kind in ("binary", "ovr"):
        metrics = json.loads((tmp_path / f"{kind}-metrics.json").read_text())
        assert 0.8 < metrics["accuracy"] <= 1.0
        assert len(metrics["confusion_matrix"]) == (2 if kind == "binary" else 10)
        for picture in ("confusion", "misclassified"):
            assert (tmp_path / f"{kind}-{picture}.png").stat().st_size > 1000
    assert len(list((isolated_home / "models").glob("*.joblib"))) == 2


def test_missing_data_is_a_clear_error(tmp_path, capsys):
    code = main(["--model", "binary", "--data-dir", str(tmp_path), "--no-download"])
    assert code == 1
    err = capsys.readouterr().err
    assert "error:" in err and str(tmp_path) in err


@pytest.mark.mnist
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_ctrl_c_during_training_leaves_the_previous_model_untouched(mnist_dir, isolated_home):
    env = {**os.environ, "DIGIT_CANVAS_HOME": str(isolated_home), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "training", "--data-dir", str(mnist_dir)]
    subprocess.run(
        [*cmd, "--model", "ovr", "--max-train", "2000", "--force"], env=env, check=True, capture_output=True
    )
    models = isolated_home / "models"
    before = _snapshot(models)
    assert any(name.endswith(".joblib") for name in before)

    # As in a terminal, where Ctrl+C reaches the command: a test run started in the background by a
    # shell without job control inherits an ignored SIGINT, which Python then keeps ignoring.
    as_in_a_terminal = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv[0] = 'training'; runpy.run_module('training', run_name='__main__', alter_sys=True)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", as_in_a_terminal, "--data-dir", str(mnist_dir), "--model", "ovr"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if "training:" in line:
            break
    assert "training:" in seen, seen
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "previous model is untouched" in err
    assert "Traceback" not in err
    assert _snapshot(models) == before


@pytest.mark.mnist
def test_include_samples_trains_on_the_users_drawings(mnist, mnist_dir, capsys):
    from model import load_model
    from training.samples import SampleStore

    store = SampleStore()
    for image, label in zip(mnist[2][:12], mnist[3][:12], strict=True):
        store.add(int(label), image)
    code = main(
        [
            "--model",
            "ovr",
            "--data-dir",
            str(mnist_dir),
            "--max-train",
            "2000",
            "--include-samples",
            "--force",
        ]
    )
    assert code == 0
    assert "Including 12 of your own samples" in capsys.readouterr().out
    assert load_model("ovr").metadata_["n_user_samples"] == 12


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--max-train", "-59990"], "out of range; use a value at least 1"),
        (["--max-train", "0"], "out of range"),
        (["--alpha", "1e308"], "out of range; use a value from 0 to 1"),
        (["--alpha", "nan"], "out of range"),
        (["--alpha", "-1"], "out of range"),
        (["--max-iter", "0"], "out of range"),
        (["--max-train", "many"], "is not an integer"),
    ],
)
def test_break_12_numbers_out_of_range_are_refused_before_anything_runs(args, words, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--model", "binary", "--no-download", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


@pytest.mark.mnist
def test_break_12_a_max_train_the_data_cannot_serve_is_one_sentence(mnist_dir, capsys, isolated_home):
    for value, words in (("70000", "more than the 60,000 training images"), ("1", "too few of the digits")):
        code = main(["--model", "binary", "--data-dir", str(mnist_dir), "--max-train", value])
        assert code == 1
        errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
        assert len(errors) == 1 and words in errors[0], errors
    assert not (isolated_home / "models").exists()


def test_an_out_folder_that_cannot_be_written_is_refused_before_mnist_is_read(tmp_path, capsys, monkeypatch):
    """Before, --out was tried only when training was over; now it is refused first, in one sentence."""
    import training.data

    def no_loading(*args, **kwargs):
        raise AssertionError("MNIST was read before --out was checked")

    monkeypatch.setattr(training.data, "load_mnist", no_loading)
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    cases = [(a_file / "models", "is a file"), (a_file, "is a file")]
    if os.geteuid() != 0:  # root writes anywhere
        cases.append((locked / "new" / "models", "cannot be written to"))
    if Path("/proc/self").is_dir():  # where nobody, root included, can make a folder
        cases.append((Path("/proc/digit-canvas-models"), "cannot be written to"))
    try:
        for out, words in cases:
            code = main(["--model", "binary", "--out", str(out)])
            assert code == 1
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and words in err[0] and "Errno" not in err[0], err
    finally:
        locked.chmod(0o700)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "locked"]  # nothing made on the way


@pytest.mark.mnist
def test_break_12_a_much_worse_model_does_not_replace_the_current_one_without_force(
    mnist_dir, capsys, isolated_home
):
    quick = ["--model", "ovr", "--data-dir", str(mnist_dir), "--alpha", "1", "--max-iter", "3"]
    quick += ["--max-train", "2000"]
    code = main(quick)
    assert code == 1
    err = capsys.readouterr().err
    from model import load_model

    current = load_model("ovr").metadata_["test_accuracy"]
    assert f"more than a point below the current model's {current:.2%}" in err and "--force" in err
    assert not list((isolated_home / "models").glob("*.joblib"))
    code = main([*quick, "--force"])
    assert code == 0 and len(list((isolated_home / "models").glob("*.joblib"))) == 1


def test_running_out_of_memory_is_one_line(monkeypatch, capsys):
    import training.data

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(training.data, "load_mnist", exhausted)
    assert main(["--model", "binary"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("digit-canvas-train: error: there is not enough memory") and err.count("\n") == 1


def test_the_console_line_counts_the_whole_run_and_never_goes_back():
    """Between training each model and saving, neither the time nor the percentage restarts: the
    clock runs from the command's start, and one model's own 100% is not the run's."""
    import io
    import re

    from training.cli import ConsoleProgress
    from training.progress import Progress

    out = io.StringIO()
    console = ConsoleProgress(out)
    console(Progress("training", "iteration 1", 0.1, elapsed=5.0), 0.3)
    console(Progress("done", "model one read 99%", 1.0, elapsed=0.0))  # a stage's own 100%: not the run's
    console(Progress("saving", "Saving", None, elapsed=0.0), 0.98)
    console(Progress("done", "Done", 1.0, elapsed=0.0), 1.0)
    lines = out.getvalue().splitlines()
    shares = [int(m.group(1)) for m in (re.search(r"\s(\d+)% ", line) for line in lines) if m]
    times = [float(re.match(r"\[\s*([\d.]+)s\]", line).group(1)) for line in lines]
    assert shares == [30, 30, 98, 100] and times == sorted(times), lines
