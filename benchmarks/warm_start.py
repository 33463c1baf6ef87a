"""Fit time saved by continuing the fits of promoted candidates.

``HalvingBayesSearchCV`` with an iteration count as the resource, run twice
with the same seed: ``warm_start_survivors=False`` (every fit starts over, as
sklearn's halving does) and ``True`` (a promoted candidate continues its fit
of the previous iteration). Both runs must produce the same ``cv_results_``
scores; the table gives the sum of fit times (over candidates and folds), the
wall time and their ratios.

Usage (from the repository root)::

    python benchmarks/warm_start.py                # 3 estimators x 3 seeds
    python benchmarks/warm_start.py --seeds 5

Writes ``warm_start.json`` and ``warm_start.md`` to ``--out``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Before anything imports numpy: BLAS reads its thread count once, at load.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.environment import pin_single_thread  # noqa: E402

_PINNED_IN_TIME = pin_single_thread()

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)

from benchmarks.environment import (  # noqa: E402
    limit_loaded_pools,
    load_average,
    save_record,
    script_record,
)
from sksmbo import HalvingBayesSearchCV  # noqa: E402

CASES = {
    "random_forest": (
        lambda: RandomForestClassifier(random_state=0),
        "n_estimators",
        {"max_depth": (2, 16), "min_samples_leaf": (1, 20), "max_features": (0.1, 1.0)},
    ),
    "gradient_boosting": (
        lambda: GradientBoostingClassifier(random_state=0),
        "n_estimators",
        {"learning_rate": (0.01, 1.0, "log-uniform"), "max_depth": (1, 6)},
    ),
    "hist_gradient_boosting": (
        lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        "max_iter",
        {"learning_rate": (0.01, 1.0, "log-uniform"), "max_leaf_nodes": (4, 64)},
    ),
}
# Resources 9, 27, 81, 243 (four iterations, 27 candidates first).
MIN_RESOURCES, MAX_RESOURCES = 9, 243


def run_case(name, seed, X, y):
    make_estimator, resource, space = CASES[name]
    row = {"case": name, "resource": resource, "seed": seed}
    scores = {}
    for warm in (False, True):
        search = HalvingBayesSearchCV(
            make_estimator(),
            space,
            resource=resource,
            min_resources=MIN_RESOURCES,
            max_resources=MAX_RESOURCES,
            warm_start_survivors=warm,
            cv=3,
            refit=False,
            random_state=seed,
        )
        cpu, wall = time.process_time(), time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - wall
        key = "warm" if warm else "cold"
        results = search.cv_results_
        row[f"{key}_fit_s"] = float(np.sum(results["mean_fit_time"]) * search.n_splits_)
        row[f"{key}_wall_s"] = wall
        row[f"{key}_cpu_share"] = (time.process_time() - cpu) / wall
        scores[key] = np.asarray(results["mean_test_score"])
    row["same_scores"] = bool(np.array_equal(scores["cold"], scores["warm"]))
    row["fit_ratio"] = row["warm_fit_s"] / row["cold_fit_s"]
    row["wall_ratio"] = row["warm_wall_s"] / row["cold_wall_s"]
    print(
        f"{name:24s} s{seed} fit {row['cold_fit_s']:6.2f} -> "
        f"{row['warm_fit_s']:6.2f} s "
        f"(x{row['fit_ratio']:.2f})  wall x{row['wall_ratio']:.2f}  "
        f"same scores: {row['same_scores']}",
        flush=True,
    )
    return row


def markdown(result):
    lines = [
        "# Continuing the fits of promoted candidates",
        "",
        f"- Date: {result['environment']['date']}; load average at start "
        f"{result['load_start']}, at end {result['load_end']}",
        f"- Command: `{result['command']}`",
        f"- Resources {MIN_RESOURCES} -> {MAX_RESOURCES} (factor 3), cv=3, "
        "make_classification(2000, 20 features), one BLAS/OpenMP thread, n_jobs=1",
        "",
        "| estimator (resource) | fit s, start over | fit s, continued | × fit time "
        "| × wall time | same scores | CPU share |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        rows = [r for r in result["rows"] if r["case"] == case]
        if not rows:
            continue
        lines.append(
            f"| `{case}` ({rows[0]['resource']}) "
            f"| {np.mean([r['cold_fit_s'] for r in rows]):.2f} "
            f"| {np.mean([r['warm_fit_s'] for r in rows]):.2f} "
            f"| {np.mean([r['fit_ratio'] for r in rows]):.2f} "
            f"| {np.mean([r['wall_ratio'] for r in rows]):.2f} "
            f"| {all(r['same_scores'] for r in rows)} "
            f"| {np.mean([r['warm_cpu_share'] for r in rows]):.2f} |"
        )
    lines += [
        "",
        f"Means over seeds {sorted({r['seed'] for r in result['rows']})}. With "
        "factor 3 a promoted candidate has already done a third of its "
        "iterations, so the best possible saving is a third of every iteration "
        "after the first: about 25% here.",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "warm_start"
    )
    args = parser.parse_args(argv)
    limiter = limit_loaded_pools()  # noqa: F841  (kept alive for the run)
    X, y = make_classification(n_samples=2000, n_features=20, random_state=0)
    load_start = load_average()
    rows = [
        run_case(name, seed, X, y)
        for name in args.cases.split(",")
        for seed in range(args.seeds)
    ]
    result = script_record("warm_start.py", _PINNED_IN_TIME, load_start, rows=rows)
    save_record(args.out, "warm_start", result, markdown(result))


if __name__ == "__main__":
    main()
