"""Write assets/mnist-facts.json from MNIST's training digits: ``python -m training.mnist_facts [DIR]``.

The facts themselves (:mod:`model.mnist_facts`) are model code without the data; reading MNIST is
training's, so the command that measures them lives here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from model.mnist_facts import FACTS_FILE, compute_facts
from model.paths import bundled_model_dir
from training.data import load_mnist


def main(argv: list[str]) -> int:
    X_train = load_mnist(argv[0] if argv else None, download=True)[0]
    out = bundled_model_dir() / FACTS_FILE
    Path(out).write_text(compute_facts(X_train).to_json() + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
