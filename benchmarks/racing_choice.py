"""Racing's choice alone: its rule applied to a search that ran without it.

A search with racing (issue 22) proposes other candidates than without once
its model is told a raced-out one, so a difference in the refit model mixes
two causes: the candidates racing stopped, and the other candidates the
model proposed. This separates them. Each (task, seed) of ``racing.py``
runs without racing; then the race is replayed on its fold scores, in
evaluation order, as a search on one worker runs it (each candidate raced
against the race as it stood when it was proposed, checked after each fold
from the second on), and the best fully evaluated survivor is chosen. When
that is another candidate than the search chose, it is refitted (same
candidates, ``refit`` pointed at it) and both are scored on the test set and
on fresh folds (``metrics.fresh_cv_score``). Fits are counted, not timed.

Usage (from the repository root)::

    python benchmarks/racing_choice.py --task conditional_breast_cancer --seeds 40
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
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import environment  # noqa: E402
from benchmarks.metrics import fresh_cv_score  # noqa: E402
from benchmarks.racing import PRESETS, SEARCHES, TASKS, build_search  # noqa: E402
from sksmbo._racing import DEFAULT_CONFIDENCE, MIN_FOLDS, Race  # noqa: E402


def replayed_choice(folds: np.ndarray, confidence: float) -> tuple[int, int]:
    """``(best surviving candidate, fits)`` of racing replayed on ``folds``.

    ``folds`` holds each candidate's fold scores, in evaluation order.
    """
    race = Race(confidence)
    n_splits = folds.shape[1]
    survived, fits = [], 0
    for scores in folds:
        basis = race.snapshot()
        k = n_splits
        if basis is not None:
            raced_at = (
                k for k in range(MIN_FOLDS, n_splits) if race.check(basis, scores[:k])
            )
            k = next(raced_at, n_splits)
        race.observe(list(scores[:k]) + [None] * (n_splits - k))
        survived.append(k == n_splits)
        fits += k
    full = np.flatnonzero(survived)
    return int(full[np.argmax(folds[full].mean(axis=1))]), fits


def run_seed(task, search_name, seed, n_iter, confidence) -> dict:
    search, X, y = build_search(task, search_name, "cv5", seed, n_iter, False)
    _, X_test, _, y_test = task.split(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of some configurations
        search.fit(X, y)
        results = search.cv_results_
        n_splits = search.n_splits_
        folds = np.column_stack(
            [results[f"split{i}_test_score"] for i in range(n_splits)]
        )
        choice, fits = replayed_choice(folds, confidence)
        row = {"seed": seed, "same": choice == search.best_index_, "fits": fits}
        row["fits_ratio"] = fits / folds.size
        row["d_test"] = row["d_fresh"] = 0.0
        if not row["same"]:
            test = search.score(X_test, y_test)
            fresh = fresh_cv_score(task, search, seed, X, y)
            search.set_params(refit=lambda _, i=choice: i).fit(X, y)
            row["d_test"] = search.score(X_test, y_test) - test
            row["d_fresh"] = fresh_cv_score(task, search, seed, X, y) - fresh
    return row


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", default="conditional_breast_cancer", choices=TASKS)
    parser.add_argument("--search", default="bayes", choices=sorted(SEARCHES))
    parser.add_argument("--n-iter", type=int, default=PRESETS["full"]["n_iter"])
    parser.add_argument("--confidence", type=float, default=DEFAULT_CONFIDENCE)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args(argv)
    command = " ".join(sys.argv[1:] if argv is None else argv)
    print(f"command: python benchmarks/racing_choice.py {command}")
    print(f"load average at start: {environment.load_average()}", flush=True)
    start = time.perf_counter()
    task = TASKS[args.task]
    rows = [
        run_seed(task, args.search, seed, args.n_iter, args.confidence)
        for seed in range(args.seeds)
    ]
    other = [r for r in rows if not r["same"]]
    print(
        f"\n{args.search} on {args.task} (cv5, n_iter={args.n_iter}, "
        f"confidence {args.confidence}), {len(rows)} seeds: racing's rule "
        f"keeps {np.mean([r['fits_ratio'] for r in rows]):.2f} of the fits and "
        f"chooses another configuration in {len(other)}."
    )
    for key in ("d_test", "d_fresh"):
        d = np.array([r[key] for r in rows])
        se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else 0.0
        print(f"{key}: {d.mean():+.4f} ± {se:.4f} (racing's choice − the search's)")
    print(
        f"{(time.perf_counter() - start) / 60:.1f} min, "
        f"load average at the end: {environment.load_average()}"
    )


if __name__ == "__main__":
    main()
