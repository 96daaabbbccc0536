"""The benchmark command: run the rows, print one Markdown table, write the same facts as JSON."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import (
    KERNEL_VARIABLES,
    REPO_ROOT,
    SHARED_DATA,
    Options,
    Row,
    blas_kernel,
    fmt_seconds,
    machine_facts,
)

ROWS = ("ovr", "ovr-full", "binary", "live", "startup", "evaluate", "hand", "teach", "bundle")
BLAS_ROWS = ("ovr", "ovr-full", "binary", "live", "evaluate")  # start-up does not multiply matrices
OWN_KERNEL = "@own-kernel"  # id suffix of the rows rerun with OpenBLAS choosing its kernel
ALIASES = {
    "1": ("ovr", "ovr-full"),
    "2": ("binary",),
    "3": ("live",),
    "4": ("startup",),
    "5": ("evaluate",),
    "6": ("hand", "teach"),
    "7": ("hand", "teach"),
    "8": ("bundle",),
}
QUICK_TRAIN, QUICK_TEST = 4000, 1000


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark Digit Canvas against the obvious alternatives and print a table.",
    )
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated rows to run: {', '.join(ROWS)} (or 1-8, the table's numbering); default all",
    )
    parser.add_argument("--quick", action="store_true", help="small subsets and few repeats (smoke test)")
    parser.add_argument("--data-dir", type=Path, default=None, help="the MNIST folder (default: search)")
    parser.add_argument(
        "--uji-dir", type=Path, default=SHARED_DATA / "uji_penchars", help="the UJI Pen Characters folder"
    )
    parser.add_argument("--repeats", type=int, default=5, help="launches / repetitions for medians")
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "benchmarks" / "results.json", help="where to write JSON"
    )
    parser.add_argument(
        "--both-kernels",
        action="store_true",
        help="also rerun the BLAS-bound rows in a child process without OPENBLAS_CORETYPE and "
        "OPENBLAS_L2_SIZE, so OpenBLAS picks its own kernel (this process's environment is unchanged)",
    )
    return parser.parse_args(argv)


def selected_rows(only: str) -> list[str]:
    """Row ids in table order, from ``--only`` (ids or the issue's numbers)."""
    if not only.strip():
        return list(ROWS)
    wanted: set[str] = set()
    for item in (part.strip() for part in only.split(",")):
        if item in ALIASES:
            wanted.update(ALIASES[item])
        elif item in ROWS:
            wanted.add(item)
        elif item:
            raise SystemExit(f"unknown row {item!r}; choose from {', '.join(ROWS)} or 1-8")
    return [row for row in ROWS if row in wanted]


def default_data_dir() -> Path | None:
    """``$DIGIT_CANVAS_DATA``, else the shared data folder beside the repository, else the cache."""
    if os.environ.get("DIGIT_CANVAS_DATA"):
        return None  # training.data.load_mnist reads it itself
    shared = SHARED_DATA / "mnist"
    return shared if shared.is_dir() else None


def load_data(opts: Options) -> tuple[Any, ...]:
    from training.data import load_mnist

    X, y, Xt, yt = load_mnist(opts.data_dir, download=False)
    if opts.quick:
        X, y, Xt, yt = X[:QUICK_TRAIN], y[:QUICK_TRAIN], Xt[:QUICK_TEST], yt[:QUICK_TEST]
    return X, y, Xt, yt


def markdown_table(rows: list[Row]) -> str:
    """The rows as a Markdown table: row, ours, alternative, ratio, notes."""
    lines = [
        "| row | BLAS kernel | ours | alternative | ratio | notes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        notes = row.notes if row.status == "ok" else f"**{row.status}**: {row.notes}"
        cells = [row.title, row.kernel, row.ours, row.alternative, row.ratio, notes]
        lines.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines)


def check_targets(rows: list[Row]) -> list[dict[str, Any]]:
    """The targets on each kernel's rows, each with the measured value and whether it is met."""
    targets = _targets_of([row for row in rows if not row.id.endswith(OWN_KERNEL)])
    own = [
        Row(**{**row.to_dict(), "id": row.id.removesuffix(OWN_KERNEL)})
        for row in rows
        if row.id.endswith(OWN_KERNEL)
    ]
    return targets + _targets_of(own)


def _targets_of(rows: list[Row]) -> list[dict[str, Any]]:
    by_id = {row.id: row.data for row in rows if row.status == "ok"}
    kernel = {row.id: row.kernel for row in rows}
    targets: list[dict[str, Any]] = []

    def add(row_id: str, name: str, value: str, met: bool | None) -> None:
        targets.append({"target": name, "measured": value, "met": met, "kernel": kernel[row_id]})

    if "ovr" in by_id:
        d = by_id["ovr"]
        ours, best, default = d["ours"], d["sklearn"], d["sklearn_default_threads"]
        add(
            "ovr",
            "one-vs-rest training >= 5x faster than scikit-learn on the same features",
            f"{best['seconds'] / ours['seconds']:.1f}x against its faster thread setting "
            f"({default['seconds'] / ours['seconds']:.1f}x against its default threads)",
            best["seconds"] / ours["seconds"] >= 5,
        )
        # Both stop at tol = 1e-4 short of the common optimum, and where exactly decides a few of the
        # 10,000 test images. At the tight tolerance both sit at that optimum: there the accuracy
        # must be equal or better, exactly. Without the tight fits (--quick), within 5 images.
        tight = d.get("tight")
        if tight:
            t_ours, t_sk = tight["ours"]["accuracy"], tight["sklearn"]["accuracy"]
            add(
                "ovr",
                f"... at equal or better test accuracy (both at tol={d['tight_tol']:g}, the common optimum)",
                f"{t_ours:.2%} vs {t_sk:.2%} (at tol={d['tol']:g}, where each stops short of it: "
                f"{ours['accuracy']:.2%} vs {best['accuracy']:.2%})",
                t_ours >= t_sk,
            )
        else:
            add(
                "ovr",
                "... at equal or better test accuracy (at tol=1e-4, equal: within 5 test images)",
                f"{ours['accuracy']:.2%} vs {best['accuracy']:.2%}",
                ours["accuracy"] >= best["accuracy"] - 0.0005,
            )
        add(
            "ovr",
            "... with peak memory below 2 GB",
            f"{ours['process_peak_mb']:.0f} MB (whole process)",
            ours["process_peak_mb"] < 2048,
        )
    if "ovr-full" in by_id:
        acc = by_id["ovr-full"]["ours"]["accuracy"]
        add("ovr-full", "one-vs-rest >= 97.5% MNIST test accuracy", f"{acc:.2%}", acc >= 0.975)
    if "binary" in by_id:
        shipped = by_id["binary"]["ours_shipped"]
        iters = by_id["binary"]["ours"]["iterations"]
        add(
            "binary",
            "binary >= 99.9% 0/1 test accuracy within 50 iterations",
            f"{shipped['accuracy']:.2%} after {shipped['max_iter']}; 99.9% first reached at {iters}",
            iters is not None and shipped["accuracy"] >= 0.999,
        )
    if "live" in by_id:
        live = by_id["live"]
        window = live.get("window", {}).get("overlay_on")
        if window:  # what the window does per reading, the explanation overlay on
            p99 = window["p99_s"]
            waited = live["window"]["after_whole_stroke"]["overlay_on"]["p99_s"]
            said = f"{p99 * 1e3:.2f} ms (a reading that waited for a whole stroke: {waited * 1e3:.2f} ms)"
            goal = "live prediction p99 below 5 ms (the window while drawing, overlay on)"
            add("live", goal, said, p99 < 5e-3)
        else:
            p99 = live["ours"]["p99_s"]
            add("live", "live prediction p99 below 5 ms", f"{p99 * 1e3:.2f} ms", p99 < 5e-3)
    if "startup" in by_id:
        ratio = by_id["startup"]["ratio"]
        add("startup", "start-up below 2x a bare PySide6 window", f"{ratio:.1f}x", ratio < 2)
    if "ovr-full" in by_id:
        median = by_id["ovr-full"]["menu"]["median_seconds"]
        add("ovr-full", "a full retrain from the menu, median <= 10 s", fmt_seconds(median), median <= 10)
    if "hand" in by_id:
        d = by_id["hand"]
        pen = d["ours"]["pendigits"][0]
        add(
            "hand",
            "all pendigits digits read >= 97% (flagged ones count as mistakes)",
            f"{pen:.2%}",
            pen >= 0.97,
        )
        worst_uji = min(v[0] for k, v in d["ours"].items() if k.startswith("uji"))
        add("hand", "UJI >= 97.5% in each placement", f"worst placement {worst_uji:.2%}", worst_uji >= 0.975)
        if "mnist_test" in d:
            acc = d["mnist_test"]["accuracy_with_flags"]
            add("hand", "MNIST test >= 99.0% (flagged ones count as mistakes)", f"{acc:.2%}", acc >= 0.99)
        add(
            "hand",
            "letters that look like no digit flagged >= 60%, real digits <= 1%",
            f"{d['letters_flagged']:.1%} and {d['real_digits_flagged']:.2%}",
            d["letters_flagged"] >= 0.6 and d["real_digits_flagged"] <= 0.01,
        )
    if "teach" in by_id:
        d = by_id["teach"]
        mean, worst = float(np.mean(d["after"])), float(min(d["after"]))
        add(
            "teach",
            "after teaching 30 drawings: mean >= 99%, worst writer >= 97%",
            f"{mean:.1%}, {worst:.1%}",
            mean >= 0.99 and worst >= 0.97,
        )
        if d["mnist_drop"]:
            drop = max(d["mnist_drop"])
            add(
                "teach",
                "... MNIST test within 0.5 point",
                f"at most {drop * 100:.2f} points lower",
                drop <= 0.005,
            )
        longest = max(d["teach_seconds"])
        add("teach", "... each teach takes effect in under a second", fmt_seconds(longest), longest < 1)
    return targets


def targets_text(targets: list[dict[str, Any]]) -> str:
    marks = {True: "met", False: "MISSED", None: "not run"}
    return "\n".join(f"- {t['target']}: {t['measured']} ({marks[t['met']]}; {t['kernel']})" for t in targets)


def run_rows(wanted: list[str], opts: Options) -> list[Row]:
    """Every wanted row; a row that breaks is reported as failed and the others still run."""
    from benchmarks.binary import bench_binary
    from benchmarks.bundle import bench_bundle
    from benchmarks.evaluation import bench_evaluation
    from benchmarks.handwriting import bench_handwriting
    from benchmarks.live import bench_live
    from benchmarks.ovr import bench_ovr
    from benchmarks.startup import bench_startup

    mnist = (
        load_data(opts) if {"ovr", "ovr-full", "binary", "evaluate", "hand", "teach"} & set(wanted) else None
    )
    jobs: list[tuple[tuple[str, ...], Callable[[], Row | list[Row]]]] = [
        (("ovr", "ovr-full"), lambda: bench_ovr(mnist, opts, "ovr-full" in wanted, "ovr" in wanted)),
        (("binary",), lambda: bench_binary(mnist, opts)),
        (("live",), lambda: bench_live(opts)),
        (("startup",), lambda: bench_startup(opts)),
        (("evaluate",), lambda: bench_evaluation(mnist, opts)),
        (("hand", "teach"), lambda: bench_handwriting(mnist, opts)),
        (("bundle",), lambda: bench_bundle(opts)),
    ]
    rows: list[Row] = []
    for ids, job in jobs:
        ids = tuple(i for i in ids if i in wanted)
        if not ids:
            continue
        print(f"running {', '.join(ids)} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            result = job()
            done = result if isinstance(result, list) else [result]
        except Exception as exc:
            detail = "".join(traceback.format_exception_only(exc)).strip()
            traceback.print_exc()
            done = [Row(id=i, title=i, status="failed", notes=detail[:300]) for i in ids]
        for row in done:
            row.kernel = blas_kernel()
        rows.extend(done)
        print(f"  ... {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    return rows


def rows_on_own_kernel(wanted: list[str], opts: Options) -> list[Row]:
    """The BLAS-bound rows once more, in a child whose environment lacks the kernel variables.

    Only that child's environment changes (as the machine's notes advise), so the rows above keep the
    figures of the environment CI and users run in. The rows come back with ``OWN_KERNEL`` ids.
    """
    rerun = [row for row in wanted if row in BLAS_ROWS]
    if not rerun:
        return []
    if not any(os.environ.get(name) for name in KERNEL_VARIABLES):
        print("--both-kernels: no OPENBLAS kernel variable is set, so the rows ran on OpenBLAS's own choice")
        return []
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_VARIABLES}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "own-kernel.json"
        command = [sys.executable, "-m", "benchmarks", "--only", ",".join(rerun), "--out", str(out)]
        command += ["--repeats", str(opts.repeats), "--uji-dir", str(opts.uji_dir)]
        command += ["--quick"] if opts.quick else []
        command += ["--data-dir", str(opts.data_dir)] if opts.data_dir else []
        print(f"running {', '.join(rerun)} with OpenBLAS's own kernel ...", file=sys.stderr, flush=True)
        subprocess.run(command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
        try:
            report = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return [
                Row(id=r + OWN_KERNEL, title=r, status="failed", notes=f"the rerun wrote no table ({exc})")
                for r in rerun
            ]
    rows = []
    for row_id in rerun:
        data = report["rows"].get(row_id)
        if data is None:
            continue
        rows.append(Row(**{**data, "id": row_id + OWN_KERNEL}))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit status 1 if a row failed (skipped rows are fine)."""
    args = parse_args(argv)
    wanted = selected_rows(args.only)
    opts = Options(
        quick=args.quick,
        data_dir=args.data_dir or default_data_dir(),
        uji_dir=args.uji_dir,
        repeats=max(1, args.repeats),
    )
    started = datetime.now(UTC).isoformat(timespec="seconds")
    facts = machine_facts()
    start = time.perf_counter()
    rows = run_rows(wanted, opts)
    if args.both_kernels:
        rows = _interleave(rows, rows_on_own_kernel(wanted, opts))
    facts["load_average_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    table = markdown_table(rows)
    targets = check_targets(rows)
    print(table)
    if targets and not opts.quick:
        print("\nTargets (timings from this run; the machine is shared, see the JSON's load):")
        print(targets_text(targets))
    report = {
        "started": started,
        "seconds": round(time.perf_counter() - start, 1),
        "quick": opts.quick,
        "command": "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": facts,
        "rows": {row.id: row.to_dict() for row in rows},
        "targets": targets,
        "table": table,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=_jsonable) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 1 if any(row.status == "failed" for row in rows) else 0


def _interleave(rows: list[Row], own: list[Row]) -> list[Row]:
    """Each row followed by its rerun on the other kernel, so the table reads them side by side."""
    by_id = {row.id.removesuffix(OWN_KERNEL): row for row in own}
    out: list[Row] = []
    for row in rows:
        out.append(row)
        if row.id in by_id:
            out.append(by_id[row.id])
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
