"""A crash while saving never leaves a broken model in place of the previous one.

A child process saves models in a loop; the test kills it with SIGKILL at random moments, many times,
and after every kill the current model must load and be one the child finished saving.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from model import load_model
from model.paths import user_model_dir

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")]

SAVER = r"""
import sys
import numpy as np
from model import BinaryLogisticRegression, save_model
from model.store import build_metadata

rng = np.random.default_rng(0)
y = np.arange(200) % 2
X = np.clip(rng.random((200, 784)) * 0.5 + y[:, None] * 0.3, 0, 1)
clf = BinaryLogisticRegression(max_iter=3).fit(X, y)
generation = int(sys.argv[1])
while True:
    generation += 1
    clf.intercept_ = np.array([float(generation)])
    save_model("binary", clf, build_metadata("binary", clf, generation=generation))
    print(generation, flush=True)
"""


def test_sigkill_at_random_points_while_saving(isolated_home, tmp_path):
    script = tmp_path / "saver.py"
    script.write_text(SAVER)
    env = {**os.environ, "DIGIT_CANVAS_HOME": str(isolated_home)}
    rng = random.Random(1234)
    generation = 0
    kills = 0
    for _ in range(25):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(generation)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            cwd=os.getcwd(),
        )
        first = proc.stdout.readline()  # wait until it saved at least once, then kill at random
        assert first.strip(), "the saving process did not start"
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = [int(line) for line in ([first, *proc.stdout.read().splitlines()]) if line.strip()]
        kills += 1
        clf = load_model("binary")  # must never raise: the index points at a complete, recorded file
        loaded = clf.metadata_["generation"]
        assert loaded >= max(done), "a save the process reported as finished was lost"
        assert loaded <= max(done) + 1, "the model loaded is not one the process saved"
        assert clf.intercept_[0] == loaded
        index = json.loads((user_model_dir() / "index.json").read_text())
        assert (user_model_dir() / index["binary"]["file"]).is_file()
        generation = loaded
    assert kills == 25
    # leftovers of killed saves are cleaned by the next save, so the folder does not fill up
    assert len(list(user_model_dir().glob("*.joblib"))) <= 3 + 1
