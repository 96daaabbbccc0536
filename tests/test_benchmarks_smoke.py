"""The benchmark command runs end to end on small subsets and writes a complete, sane JSON table.

No timing is asserted here: timings belong to the benchmark's printed table, not to unit tests. This
test only guards that ``python -m benchmarks`` keeps working, so the README's figures can be reproduced.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
ROWS = ("ovr", "ovr-full", "binary", "live", "startup", "evaluate", "hand", "teach", "bundle")


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def _fraction(value: object) -> bool:
    return isinstance(value, int | float) and 0.0 <= value <= 1.0


@pytest.mark.mnist
def test_quick_benchmark_writes_every_row(mnist_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--data-dir", str(mnist_dir), "--out", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "| row | BLAS kernel | ours | alternative | ratio | notes |" in proc.stdout

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["quick"] is True
    assert set(report["rows"]) == set(ROWS)
    rows = report["rows"]
    forced = os.environ.get("OPENBLAS_CORETYPE")
    kernel_note = f"(forced by OPENBLAS_CORETYPE={forced})" if forced else "(its own choice)"
    for row_id, row in rows.items():
        assert row["status"] in ("ok", "skipped"), (row_id, row["notes"])
        assert row["kernel"].endswith(kernel_note), (row_id, row["kernel"])  # which kernel made the figure

    ovr = rows["ovr"]["data"]
    for side in ("ours", "sklearn", "sklearn_default_threads", "sklearn_one_thread"):
        assert _positive(ovr[side]["seconds"])
        assert ovr[side]["peak_mb"] >= 0
        assert ovr[side]["accuracy"] > 0.8  # a few thousand images already read most digits
        assert ovr[side]["converged"] is True
    assert abs(ovr["objective_gap"]) < 0.5  # both minimised the same objective

    full = rows["ovr-full"]["data"]["ours"]
    assert _positive(full["seconds"]) and full["accuracy"] > 0.8
    menu = rows["ovr-full"]["data"]["menu"]  # the retrain as the dialog runs it, in a child process
    assert menu["seconds"] > menu["train_seconds"] > 0 and menu["accuracy"] > 0.8

    binary = rows["binary"]["data"]
    for side in ("ours", "sklearn"):
        assert binary[side]["iterations"] is None or binary[side]["iterations"] >= 1
        assert all(_fraction(a) for a in binary[side]["accuracy_path"])
    assert _fraction(binary["ours_shipped"]["accuracy"])

    evaluation = rows["evaluate"]["data"]
    assert evaluation["ours"]["accuracy"] == pytest.approx(evaluation["sklearn"]["accuracy"])
    assert evaluation["ours"]["accuracy"] > 0.9

    if rows["live"]["status"] == "ok":
        live = rows["live"]["data"]
        assert live["n_samples"] >= live["n_drawings"] > 0
        for side in ("ours", "naive"):
            assert _positive(live[side]["median_s"]) and live[side]["p99_s"] >= live[side]["median_s"]
            assert _fraction(live[side]["accuracy"])
        window = live["window"]
        if "error" not in window:  # readings while the stroke went down, and after a whole stroke
            for timed in (window["overlay_on"], window["after_whole_stroke"]["overlay_on"]):
                assert timed["n"] > 0 and timed["p99_s"] >= timed["median_s"] > 0
            assert window["overlay_on"]["n"] > window["after_whole_stroke"]["overlay_on"]["n"]
    if rows["startup"]["status"] == "ok":
        startup = rows["startup"]["data"]
        assert _positive(startup["app_median_s"]) and _positive(startup["bare_median_s"])

    machine = report["machine"]
    assert machine["cores"] >= 1 and "numpy" in machine
