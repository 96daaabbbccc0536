"""Rows 6 and 7: how the shipped model reads people MNIST never saw, and how fast it learns a new hand.

Row 6 draws every pendigits digit (30 writers) and UJI digit (11 writers, three placements) the way the
canvas draws them (``training.uji.render_strokes`` at the app's canvas size and brush, then
``canvas_to_mnist``), and UJI's letters that look like no digit; a "not a digit" answer counts as a
mistake for a digit. The alternative is the same bundled model on the toy pipeline (the whole canvas
shrunk to 28x28). The GUI tests replay the same drawings as mouse events through the window.

Row 7 simulates each of the 30 pendigits writers as a user: the first 3 drawings of each digit are
taught (:func:`model.personal.personalised`, what the window does at each digit key), the writer's
other drawings are read, and so are 2,000 MNIST test digits. The alternative is what the person would
otherwise wait for: a full retrain (row 1b), timed in the same run.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from benchmarks.common import SHARED_DATA, Options, Row, fmt_seconds
from benchmarks.live import canvas_geometry, naive_to_mnist

PLACEMENTS = {"normal": (0.175, 0.175, 0.65), "small": (0.06, 0.06, 0.27), "off-centre": (0.66, 0.64, 0.28)}
LETTERS = "ACEFHKMNPRVWXaefhkmnprvwx"
TAUGHT_PER_DIGIT = 3
MNIST_CHECK = 2000


def _pictures(samples: list[Any], placement: str) -> list[Any]:
    from training.uji import render_strokes

    size, pen, _ = canvas_geometry()
    left, top, side = (f * size for f in PLACEMENTS[placement])
    return [render_strokes(s.strokes, size=size, pen_width=pen, box=(left, top, side, side)) for s in samples]


def _read(model: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The digit shown and whether "not a digit" is shown, for each image."""
    from model.reading import read_drawings

    readings = read_drawings(model, X)
    return np.array([r.digit for r in readings]), np.array([r.verdict == "not a digit" for r in readings])


def _score(model: Any, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    digit, flagged = _read(model, X)
    return float(((digit == y) & ~flagged).mean()), float(flagged.mean())


def bench_handwriting(mnist: tuple[np.ndarray, ...] | None, opts: Options) -> list[Row]:
    from model import load_model
    from model.preprocess import canvas_to_mnist
    from training.pendigits import load_pendigits
    from training.uji import load_uji_characters, load_uji_digits

    pen_dir = SHARED_DATA / "pendigits"
    if not (pen_dir / "pendigits-orig.tra").is_file() or not opts.uji_dir.is_dir():
        return [
            Row(id=i, title=i, status="skipped", notes="pendigits or UJI not found")
            for i in ("hand", "teach")
        ]
    model = load_model("ovr")
    pendigits = load_pendigits(pen_dir)
    uji = load_uji_digits(opts.uji_dir)
    letters = load_uji_characters(opts.uji_dir, LETTERS)
    if opts.quick:
        pendigits, letters = pendigits[::25], letters[::5]
    start = time.perf_counter()
    pen_pictures = _pictures(pendigits, "normal")
    pen_X = np.stack([canvas_to_mnist(p) for p in pen_pictures])
    pen_y = np.array([s.digit for s in pendigits])
    ours: dict[str, Any] = {"pendigits": _score(model, pen_X, pen_y)}
    naive: dict[str, Any] = {
        "pendigits": _score(model, np.stack([naive_to_mnist(p).ravel() for p in pen_pictures]), pen_y)
    }
    uji_y = np.array([s.digit for s in uji])
    for placement in PLACEMENTS:
        pictures = _pictures(uji, placement)
        ours[f"uji {placement}"] = _score(model, np.stack([canvas_to_mnist(p) for p in pictures]), uji_y)
        naive[f"uji {placement}"] = _score(
            model, np.stack([naive_to_mnist(p).ravel() for p in pictures]), uji_y
        )
    letter_X = np.stack([canvas_to_mnist(p) for p in _pictures(letters, "normal")])
    letters_flagged = float(_read(model, letter_X)[1].mean())
    # The drawings above, read once: pendigits and UJI as drawn normally, weighted by their numbers.
    real_flagged = float(
        (ours["pendigits"][1] * len(pendigits) + ours["uji normal"][1] * len(uji))
        / (len(pendigits) + len(uji))
    )
    mnist_row = ""
    data: dict[str, Any] = {
        "ours": ours,
        "naive": naive,
        "letters_flagged": letters_flagged,
        "real_digits_flagged": real_flagged,
        "n_pendigits": len(pendigits),
    }
    if mnist is not None:
        acc, flagged = _score(model, mnist[2], mnist[3])
        data["mnist_test"] = {"accuracy_with_flags": acc, "flagged": flagged}
        mnist_row = f"; MNIST test {acc:.2%} with flagged digits counted as mistakes ({flagged:.2%} flagged)"
    rows = [
        Row(
            id="hand",
            title=f"6. Reading people MNIST never saw ({len(pendigits):,} pendigits, 220 UJI digits, "
            f"{len(letters)} letters)",
            ours=", ".join(f"{k} {v[0]:.1%}" for k, v in ours.items())
            + f"; letters answered 'not a digit' {letters_flagged:.1%}, real digits {real_flagged:.2%}",
            alternative=", ".join(f"{k} {v[0]:.1%}" for k, v in naive.items()),
            ratio=f"pendigits {ours['pendigits'][0] - naive['pendigits'][0]:+.1%}",
            notes="bundled one-vs-rest model; drawings rendered as the canvas draws them (pen "
            f"{canvas_geometry()[1]:g} on {canvas_geometry()[0]}); a 'not a digit' answer counts as a "
            "mistake; alternative = the same model on the whole canvas shrunk to 28x28"
            + mnist_row
            + f"; {time.perf_counter() - start:.0f} s",
            data=data,
        )
    ]
    rows.append(_teach_row(model, pendigits, pen_X, pen_y, mnist, opts))
    return rows


def _teach_row(
    model: Any, pendigits: list[Any], X: np.ndarray, y: np.ndarray, mnist: Any, opts: Options
) -> Row:
    from model.personal import personalised

    writers = sorted({s.writer for s in pendigits})
    mnist_X, mnist_y = (mnist[2][:MNIST_CHECK], mnist[3][:MNIST_CHECK]) if mnist is not None else (None, None)
    base_mnist = _score(model, mnist_X, mnist_y)[0] if mnist_X is not None else None
    before, after, drops, seconds = [], [], [], []
    for writer in writers:
        rows = np.flatnonzero([s.writer == writer for s in pendigits])
        taught = np.concatenate([rows[y[rows] == d][:TAUGHT_PER_DIGIT] for d in range(10)])
        rest = np.setdiff1d(rows, taught)
        if not len(rest):
            continue
        start = time.perf_counter()
        adapted = personalised(model, X[taught], y[taught])
        seconds.append(time.perf_counter() - start)
        before.append(_score(model, X[rest], y[rest])[0])
        after.append(_score(adapted, X[rest], y[rest])[0])
        if mnist_X is not None:
            drops.append(base_mnist - _score(adapted, mnist_X, mnist_y)[0])
    retrain = None
    if mnist is not None and not opts.quick:
        from training.train import train_model

        start = time.perf_counter()
        train_model("ovr", mnist=mnist, save=False)
        retrain = time.perf_counter() - start
    data = {
        "before": before,
        "after": after,
        "mnist_drop": drops,
        "teach_seconds": seconds,
        "retrain_seconds": retrain,
        "writers": len(after),
    }
    drop_note = (
        f"; MNIST test (first {MNIST_CHECK}) at most {max(drops) * 100:.2f} points lower" if drops else ""
    )
    return Row(
        id="teach",
        title=f"7. Learning a hand from {TAUGHT_PER_DIGIT} drawings of each digit ({len(after)} writers)",
        ours=(
            f"mean {np.mean(after):.1%} (worst writer {min(after):.1%}) of their other drawings, from "
            f"{np.mean(before):.1%} (worst {min(before):.1%}); {fmt_seconds(float(np.median(seconds)))} per "
            f"update (max {fmt_seconds(max(seconds))})"
        ),
        alternative="full retrain " + (fmt_seconds(retrain) if retrain else "not run (--quick or no MNIST)"),
        ratio=f"{retrain / np.median(seconds):.0f}x sooner" if retrain else "",
        notes="model.personal.personalised on the bundled model (what each digit key does in the window), "
        f"30 taught drawings per writer; a 'not a digit' answer counts as a mistake{drop_note}",
        data=data,
    )
