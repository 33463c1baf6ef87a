"""Per-candidate cost of checkpointing as a search grows.

A cheap estimator (``Ridge`` on 60 samples, ``cv=3``) searched one candidate
per round (``n_points=1``) for ``--n-iter`` candidates, with and without a
:class:`~sksmbo.callbacks.CheckpointSaver`. A timing callback listed after the
saver stamps the end of every round; the table gives the mean wall time per
candidate over the first and the last 100 candidates, and the time spent
inside the saver over the same windows. Flat means the last 100 cost what the
first 100 do.

Usage (from the repository root, nothing else busy on the machine)::

    python benchmarks/bookkeeping.py                       # TPE and quasi-random
    python benchmarks/bookkeeping.py --methods tpe --n-iter 300 --repeat 1

Writes ``bookkeeping.json`` and ``bookkeeping.md`` to ``--out``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Before anything imports numpy: BLAS reads its thread count once, at load.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.environment import pin_single_thread  # noqa: E402

_PINNED_IN_TIME = pin_single_thread()

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import make_regression  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402

from benchmarks.environment import (  # noqa: E402
    limit_loaded_pools,
    load_average,
    save_record,
    script_record,
)
from sksmbo import QuasiRandomSearchCV, TPESearchCV  # noqa: E402
from sksmbo.callbacks import CheckpointSaver  # noqa: E402

METHODS = {"tpe": TPESearchCV, "quasi_random": QuasiRandomSearchCV}
SPACE = {
    "alpha": (1e-3, 1e3, "log-uniform"),
    "fit_intercept": [True, False],
    "tol": (1e-5, 1e-1, "log-uniform"),
}
WINDOW = 100


class Stamps:
    """A callback recording when each round ends."""

    def __init__(self):
        self.times = [time.perf_counter()]

    def __call__(self, result):
        self.times.append(time.perf_counter())
        return False


class TimedSaver:
    """A :class:`CheckpointSaver` that records how long each save takes."""

    def __init__(self, saver):
        self.saver = saver
        self.seconds = []

    def __call__(self, result):
        start = time.perf_counter()
        stop = self.saver(result)
        self.seconds.append(time.perf_counter() - start)
        return stop


def run(method, checkpoint, n_iter, X, y, saver_kwargs):
    stamps = Stamps()
    callbacks = [stamps]
    with tempfile.TemporaryDirectory() as directory:
        if checkpoint:
            saver = TimedSaver(
                CheckpointSaver(Path(directory) / "search.pkl", **saver_kwargs)
            )
            callbacks = [saver, stamps]
        search = METHODS[method](
            Ridge(),
            SPACE,
            n_iter=n_iter,
            n_points=1,
            cv=3,
            refit=False,
            random_state=0,
        )
        search.fit(X, y, callback=callbacks)
    per_candidate = np.diff(stamps.times)
    row = {
        "method": method,
        "checkpoint": checkpoint,
        "n_candidates": len(per_candidate),
        "first_ms": 1e3 * float(per_candidate[1 : WINDOW + 1].mean()),
        "last_ms": 1e3 * float(per_candidate[-WINDOW:].mean()),
    }
    if checkpoint:
        saves = np.asarray(saver.seconds)
        row["save_first_ms"] = 1e3 * float(saves[1 : WINDOW + 1].mean())
        row["save_last_ms"] = 1e3 * float(saves[-WINDOW:].mean())
    print(row, flush=True)
    return row


def median_row(runs: list[dict]) -> dict:
    """One configuration's runs as one row: the median of every figure."""
    row = dict(runs[0])
    for key in runs[0]:
        if key.endswith("_ms"):
            row[key] = float(np.median([r[key] for r in runs]))
    row["repeats"] = len(runs)
    return row


def markdown(result):
    lines = [
        "# Per-candidate cost of checkpointing",
        "",
        f"- Date: {result['environment']['date']}; load average at start "
        f"{result['load_start']}, at end {result['load_end']}",
        f"- Command: `{result['command']}`",
        f"- Ridge on make_regression(60, 4), cv=3, n_points=1, "
        f"{result['n_iter']} candidates, one BLAS thread, n_jobs=1; "
        f"saver options {result['saver_kwargs']}; medians of "
        f"{result['rows'][0]['repeats']} runs per row",
        "",
        f"| method | checkpoint | ms/candidate, first {WINDOW} "
        f"| ms/candidate, last {WINDOW} | save ms, first {WINDOW} "
        f"| save ms, last {WINDOW} |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        save = (
            f"{row['save_first_ms']:.2f} | {row['save_last_ms']:.2f}"
            if row["checkpoint"]
            else "- | -"
        )
        lines.append(
            f"| {row['method']} | {row['checkpoint']} | {row['first_ms']:.2f} "
            f"| {row['last_ms']:.2f} | {save} |"
        )
    lines += [
        "",
        "The first candidate of each run (imports, first dispatch) is left out "
        "of the first window.",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--n-iter", type=int, default=1000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per configuration, alternating; the table gives medians",
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "bookkeeping"
    )
    args = parser.parse_args(argv)
    if args.n_iter < 2 * WINDOW + 1:
        parser.error(f"--n-iter must be at least {2 * WINDOW + 1}.")
    saver_kwargs = {}
    limiter = limit_loaded_pools()  # noqa: F841  (kept alive for the run)
    X, y = make_regression(n_samples=60, n_features=4, noise=1.0, random_state=0)
    load_start = load_average()
    configurations = [
        (method, checkpoint)
        for method in args.methods.split(",")
        for checkpoint in (False, True)
    ]
    # Alternating configurations spread the machine's drifts over all of them.
    runs = [
        run(method, checkpoint, args.n_iter, X, y, saver_kwargs)
        for _ in range(args.repeat)
        for method, checkpoint in configurations
    ]
    n = len(configurations)
    rows = [median_row(runs[i::n]) for i in range(n)]
    result = script_record(
        "bookkeeping.py",
        _PINNED_IN_TIME,
        load_start,
        n_iter=args.n_iter,
        saver_kwargs=saver_kwargs,
        rows=rows,
    )
    save_record(args.out, "bookkeeping", result, markdown(result))


if __name__ == "__main__":
    main()
