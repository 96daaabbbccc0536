"""``digit-canvas-train``: train the models from the command line with visible progress.

Training goes through :func:`training.retrain.retrain`, as the app's retrain dialog does: every model
asked for is trained and evaluated first and only then are they all saved, through a temporary file
and a rename, so Ctrl+C or a refused model leaves the previous models untouched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from training.progress import Cancelled, Progress


class ConsoleProgress:
    """Prints one updating status line per stage: stage, iteration, loss and elapsed time.

    The time is counted from the start of the command, and a call given ``overall`` (the whole run's
    fraction, as a retrain reports it) shows that instead of the stage's own, so neither goes back
    to zero between loading, training and saving.
    """

    def __init__(self, stream: TextIO | None = None, min_interval: float = 0.1) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.interactive = self.stream.isatty()
        self.min_interval = min_interval
        self._start = time.perf_counter()
        self._overall: float | None = None  # the last whole-run fraction reported
        self._last = 0.0
        self._last_stage = ""

    def __call__(self, p: Progress, overall: float | None = None) -> None:
        now = time.perf_counter()
        stage_changed = p.stage != self._last_stage
        # A terminal gets a live line ten times a second; a log file gets a line a second, plus the
        # first iteration and every stage change, so it stays readable.
        interval = self.min_interval if self.interactive else 1.0
        due = stage_changed or p.iteration == 1 or p.fraction == 1.0 or now - self._last >= interval
        if not due:
            return
        self._last = now
        if overall is not None:
            self._overall = overall
        fraction = p.fraction if self._overall is None else self._overall  # a run's share never goes back
        pct = "" if fraction is None else f"{fraction:4.0%} "
        line = f"[{now - self._start:6.1f}s] {pct}{p.stage}: {p.message}"
        if self.interactive:
            end = "\n" if stage_changed and self._last_stage else ""
            self.stream.write(f"{end}\r\033[K{line}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._last_stage = p.stage

    def finish(self) -> None:
        if self.interactive and self._last_stage:
            self.stream.write("\n")
            self.stream.flush()
        self._last_stage = ""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digit-canvas-train",
        description="Train the Digit Canvas models on MNIST, evaluate them on the test set and save them.",
    )
    parser.add_argument(
        "--model",
        choices=["binary", "ovr", "all"],
        default="all",
        help="which model to train: the 0-vs-1 binary model, the 10-class one-vs-rest model, or both",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="folder with the four MNIST files (default: $DIGIT_CANVAS_DATA, then the cache, then download)",
    )
    parser.add_argument(
        "--no-download", action="store_true", help="fail instead of downloading MNIST when it is not found"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="write <kind>.joblib and digests.json into this folder (the layout of assets/) instead of "
        "making them the app's current models",
    )
    parser.add_argument(
        "--report", type=Path, help="write metrics JSON, a confusion matrix and misclassified digits here"
    )
    parser.add_argument(
        "--include-samples",
        action="store_true",
        help="also train on your own labelled drawings saved by the app (weighted to count)",
    )
    parser.add_argument(
        "--alpha",
        type=_bounded(float, 0.0, MAX_ALPHA),
        help=f"L2 regularisation strength (0 to {MAX_ALPHA:g})",
    )
    parser.add_argument(
        "--max-iter", type=_bounded(int, 1, MAX_ITER), help=f"iterations at most (1 to {MAX_ITER:,})"
    )
    parser.add_argument(
        "--max-train",
        type=_bounded(int, 1, None),
        help="train on only the first N training images (quick experiments; 1 to the training-set size)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="save the new model even if it scores more than a point below the current one on the test set",
    )
    return parser


MAX_ALPHA = 1.0  # beyond this the penalty swamps the data: the model reads a few digits at best
MAX_ITER = 100_000
WORSE_BY = 0.01  # a new model this much less accurate than the current one is not saved without --force


def _bounded(kind: type, low: float, high: float | None):
    """An argparse type: a finite ``kind`` from ``low`` to ``high``, or a one-line error saying so."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a{'n integer' if kind is int else ' number'}"
            ) from None
        if value != value or value < low or (high is not None and value > high) or value in (float("inf"),):
            span = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
            raise argparse.ArgumentTypeError(f"{text} is out of range; use a value {span}")
        return value

    return parse


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from training.data import MnistDataError, load_mnist
    from training.report import write_report
    from training.retrain import RetrainRequest, WorseModel, retrain

    kinds = ("binary", "ovr") if args.model == "all" else (args.model,)
    params = {k: v for k, v in (("alpha", args.alpha), ("max_iter", args.max_iter)) if v is not None}
    console = ConsoleProgress()
    try:
        _check_out_dir(args.out)  # before minutes of training, not after
        mnist = load_mnist(args.data_dir, download=not args.no_download, progress=console)
        console.finish()
        _check_max_train(args.max_train, list(kinds), mnist)
        user = None
        if args.include_samples:
            from training.user_eval import HOLDOUT_EVERY, load_user_samples, split

            user = load_user_samples()
            held = len(split(user)[1])
            print(
                f"Including {len(user)} of your own samples ({held} held out to test on, every "
                f"{HOLDOUT_EVERY}th of a digit), weighted to a tenth of the training data."
            )
        request = RetrainRequest(
            kinds=kinds,
            params={kind: params for kind in kinds},
            mnist=mnist,
            max_train=args.max_train,
            user_samples=user,
            out_dir=args.out,
            max_drop=None if args.force or args.out is not None else WORSE_BY,
        )
        results = retrain(request, progress=console)
        console.finish()
    except WorseModel as exc:
        console.finish()
        for kind, accuracy, before in exc.drops:
            print(f"digit-canvas-train: {_refusal(kind, accuracy, before)}", file=sys.stderr)
        if len(kinds) > 1:
            print("digit-canvas-train: no model was saved; the current ones stay in use.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        console.finish()
        print("Interrupted: nothing was saved, the previous model is untouched.", file=sys.stderr)
        return 130
    except Cancelled:
        console.finish()
        print("Cancelled: nothing was saved, the previous model is untouched.", file=sys.stderr)
        return 130
    except (MnistDataError, ValueError, OSError) as exc:
        console.finish()
        print(f"digit-canvas-train: error: {exc}", file=sys.stderr)
        return 1
    except MemoryError:
        console.finish()
        print(
            "digit-canvas-train: error: there is not enough memory to train this model; close other "
            "programs or train on fewer images with --max-train.",
            file=sys.stderr,
        )
        return 1
    for result in results:
        ev = result.evaluation
        print(
            f"{result.metadata['label']}: test accuracy {ev.accuracy:.2%} "
            f"({len(ev.labels) - int((ev.predicted == ev.labels).sum())} errors in {len(ev.labels):,}), "
            f"{result.metadata['n_iter']} iterations, {result.seconds:.1f} s; saved to {result.path}"
        )
        if user is not None:
            print(f"  {_user_figures(result.metadata)}")
        if args.report is not None:
            for path in write_report(args.report, result.kind, ev, mnist[2], result.metadata):
                print(f"  wrote {path}")
    return 0


def _check_out_dir(out: Path | None) -> None:
    """Refuse an ``--out`` folder that could not be made or written into, in one sentence, before any
    training; nothing is created here (the save makes the folder)."""
    if out is None:
        return
    existing = out if out.is_absolute() else Path.cwd() / out
    while not existing.exists() and existing.parent != existing:  # the nearest part that exists
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"--out {out} cannot be a folder: {existing} is a file; choose another folder")
    try:  # os.access answers yes to root everywhere; making (and removing) a folder there tells
        os.rmdir(tempfile.mkdtemp(prefix=".digit-canvas-check-", dir=existing))
    except OSError as exc:
        where = "" if existing == out else f" ({existing}: {exc.strerror or exc})"
        raise ValueError(
            f"--out {out} cannot be written to{where}; choose a folder you can write to"
        ) from exc


def _check_max_train(max_train: int | None, kinds: list[str], mnist: Any) -> None:
    """Refuse a --max-train beyond the training set, or one whose images a model cannot learn from."""
    from model.store import KINDS
    from training.train import select_kind_data

    if max_train is None:
        return
    n = len(mnist[1])
    if max_train > n:
        raise ValueError(f"--max-train {max_train} is more than the {n:,} training images; use 1 to {n:,}")
    for kind in kinds:
        _, y = select_kind_data(kind, mnist[0][:max_train], mnist[1][:max_train])
        if len(set(y.tolist())) < 2:
            raise ValueError(
                f"the first {max_train} training images hold too few of the digits the "
                f"{KINDS[kind]['label']} model tells apart ({sorted(KINDS[kind]['classes'])}); "
                "use a larger --max-train"
            )


def _refusal(kind: str, accuracy: float, before: float) -> str:
    """Why the new model did not replace the current one, in one sentence."""
    from model.store import KINDS

    return (
        f"the new {KINDS[kind]['label']} model reads {accuracy:.2%} of the test set, more than a point "
        f"below the current model's {before:.2%}, so it was not saved; pass --force to save it anyway."
    )


def _user_figures(meta: dict[str, Any]) -> str:
    """How the new model reads the user's samples it did not train on, in one line."""
    parts = []
    n_held = int(meta.get("n_user_heldout") or 0)
    if n_held:
        parts.append(f"{meta['user_heldout_accuracy']:.0%} of the {n_held} held out")
    if meta.get("user_cv_accuracy") is not None:
        folds, n_cv = meta["user_cv_folds"], meta["n_user_cv"]
        parts.append(f"cross-validated {meta['user_cv_accuracy']:.0%} ({folds} folds, n={n_cv})")
    if not parts:
        return f"your samples: trained on {meta.get('n_user_samples', 0)}, none held out to test on"
    return "your samples: " + "; ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
