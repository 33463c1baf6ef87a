"""What more candidates can give a search at all: the ceiling of racing at equal fits.

Racing (issue 22) turns the fits it saves into more candidates. The most
those candidates can add is what the same candidates add without racing,
each one fully evaluated, at more compute: this runs each (task, CV scheme,
seed) of ``racing.py`` without racing twice, at ``n_iter`` and at the
number of candidates a racing run evaluated at equal fits (``--more``, per
scheme; ``racing.py``'s "candidates" column), and reports the paired
differences (more − ``n_iter``) of the best CV score, the refit model's
test score and the chosen configuration's fresh CV score. The searches
propose the same first ``n_iter`` candidates whatever ``n_iter``, so the
difference is the extra candidates' alone. Fits are counted, not timed:
``--processes 2`` changes no number.

Usage (from the repository root)::

    python benchmarks/racing_ceiling.py --processes 2     # bayes, 4 tasks x 10 seeds
"""

from __future__ import annotations

import sys
from pathlib import Path

# Before anything imports numpy: BLAS reads its thread count once, at load.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.environment import pin_single_thread  # noqa: E402

pin_single_thread()

import argparse  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import environment  # noqa: E402
from benchmarks.racing import PRESETS, SEARCHES, TASKS, run_one  # noqa: E402

METRICS = ("best_cv_score", "test_score", "fresh_cv_score")


def run_unit(task_name, search, scheme, seed, n_iter):
    record = run_one(TASKS[task_name], search, scheme, seed, n_iter, False)
    return {k: record[k] for k in ("task", "scheme", "seed", "n_iter", *METRICS)}


def paired(base, more, metric) -> str:
    """``mean ± se (wins/ties/losses)`` of more − base, paired by (task, seed)."""
    d = np.array([m[metric] - b[metric] for b, m in zip(base, more, strict=True)])
    se = d.std(ddof=1) / np.sqrt(len(d))
    wins, losses = int(np.sum(d > 1e-12)), int(np.sum(d < -1e-12))
    return f"{d.mean():+.4f} ± {se:.4f} ({wins}/{len(d) - wins - losses}/{losses})"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--search", default="bayes", choices=sorted(SEARCHES))
    parser.add_argument("--n-iter", type=int, default=PRESETS["full"]["n_iter"])
    parser.add_argument(
        "--more",
        default="cv5:46,rep5x2:60",
        help="candidates per scheme, e.g. cv5:46,rep5x2:60",
    )
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args(argv)
    more = {s: int(n) for s, n in (item.split(":") for item in args.more.split(","))}
    tasks = PRESETS["full"]["tasks"]
    keys = [(t, s, seed) for s in more for t in tasks for seed in range(args.seeds)]
    command = " ".join(sys.argv[1:] if argv is None else argv)
    print(f"command: python benchmarks/racing_ceiling.py {command}")
    print(f"load average at start: {environment.load_average()}", flush=True)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.processes) as pool:
        base = [
            pool.submit(run_unit, t, args.search, s, seed, args.n_iter)
            for t, s, seed in keys
        ]
        extra = [
            pool.submit(run_unit, t, args.search, s, seed, more[s])
            for t, s, seed in keys
        ]
        base = [f.result() for f in base]
        extra = [f.result() for f in extra]
    print(f"\n{args.search}, {len(tasks)} tasks x {args.seeds} seeds, ", end="")
    print(f"more candidates − n_iter={args.n_iter}:\n")
    print("| CV | candidates | Δ best CV | Δ test | Δ fresh CV |")
    print("|---|---|---|---|---|")
    for scheme, n in more.items():
        rows = [i for i, k in enumerate(keys) if k[1] == scheme]
        b, m = [base[i] for i in rows], [extra[i] for i in rows]
        cells = " | ".join(paired(b, m, metric) for metric in METRICS)
        print(f"| {scheme} | {n} | {cells} |")
    print(
        f"\n{(time.perf_counter() - start) / 60:.1f} min, "
        f"load average at the end: {environment.load_average()}"
    )


if __name__ == "__main__":
    main()
