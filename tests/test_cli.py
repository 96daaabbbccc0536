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
        ["--model", "all", "--data-dir", str(mnist_dir), "--max-train", "3000", "--report", str(tmp_path)]
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
    subprocess.run([*cmd, "--model", "ovr", "--max-train", "2000"], env=env, check=True, capture_output=True)
    models = isolated_home / "models"
    before = _snapshot(models)
    assert any(name.endswith(".joblib") for name in before)

    proc = subprocess.Popen(
        [*cmd, "--model", "ovr"], env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
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
    code = main(["--model", "ovr", "--data-dir", str(mnist_dir), "--max-train", "2000", "--include-samples"])
    assert code == 0
    assert "Including 12 of your own samples" in capsys.readouterr().out
    assert load_model("ovr").metadata_["n_user_samples"] == 12
