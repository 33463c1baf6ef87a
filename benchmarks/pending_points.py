"""How a search treats its candidates in flight: believer against liar.

With several candidates in flight (``n_points > 1``: many workers), the model
counts the pending candidates as if they had been scored, so that the next
proposal goes elsewhere. This compares the scores it pretends for them
(``_PENDING_SCORE`` in ``sksmbo._surrogates.gp`` and ``.tpe``):

* ``believer``: ``BayesSearchCV`` the score the Gaussian process predicts
  there (kriging believer, its default), the incumbent raised when a
  predicted score beats it; ``TPESearchCV`` the score of the nearest
  evaluated point, so that a pending candidate in a good region counts as
  good;
* ``liar``: ``BayesSearchCV`` the mean score seen so far (constant liar,
  CL-mean, its rule before); ``TPESearchCV`` every pending candidate in the
  bad set (optuna's ``constant_liar``, its default);
* ``sequential``: one candidate in flight (``n_points=1``), the reference a
  parallel search is measured against.

Every run is ``n_points=K, n_jobs=1``: with an explicit ``n_points`` the
candidates are those of any number of workers, so the comparison needs no
workers. Synthetic tasks report the regret of ``best_params_`` (``f - f*``),
real tasks the held-out test score of the refitted model; per task the
mean ± standard error over seeds and, per variant, the paired difference
to ``liar``.

Usage (from the repository root)::

    python benchmarks/pending_points.py                  # Bayes, 10 seeds, K=8
    python benchmarks/pending_points.py --search tpe --n-points 11 --seeds 20

Writes ``pending_points.json`` and ``pending_points.md`` to ``--out``.
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
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import sksmbo._surrogates.gp as gp_module  # noqa: E402
import sksmbo._surrogates.tpe as tpe_module  # noqa: E402
from benchmarks.environment import load_average, save_record, script_record  # noqa: E402
from benchmarks.spaces import to_sksmbo  # noqa: E402
from benchmarks.tasks import TASKS, regret  # noqa: E402
from sksmbo import BayesSearchCV, TPESearchCV  # noqa: E402

SYNTHETIC = ["branin", "hartmann6", "rosenbrock4", "ackley5", "levy4", "mixed",
             "hartmann6_noisy"]  # fmt: skip
REAL = ["svc_breast_cancer", "elasticnet_regression", "knn_digits",
        "conditional_breast_cancer"]  # fmt: skip
VARIANTS = ("believer", "liar", "sequential")
SEARCHES = {
    "bayes": (BayesSearchCV, gp_module, "mean"),
    "tpe": (TPESearchCV, tpe_module, "liar"),
}


def run_one(search_name, task, variant, seed, n_points, n_iter):
    """One search; the regret (synthetic) or the test score (real)."""
    cls, module, liar = SEARCHES[search_name]
    X, X_test, y, y_test = task.split(seed)
    search = cls(
        task.make_estimator(), to_sksmbo(task.make_space()), n_iter=n_iter,
        n_points=1 if variant == "sequential" else n_points, cv=task.cv(seed),
        scoring=task.scoring, n_jobs=1, refit=not task.synthetic,
        random_state=seed,
    )  # fmt: skip
    saved = module._PENDING_SCORE
    module._PENDING_SCORE = liar if variant == "liar" else "believer"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X, y)
    finally:
        module._PENDING_SCORE = saved
    if task.synthetic:
        return regret(task, search.best_params_)
    return float(search.score(X_test, y_test))


def _mean_se(values):
    values = np.asarray(values, dtype=float)
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{values.mean():.4g} ± {se:.2g}"


def report(rows, tasks, variants) -> str:
    lines = [
        "| task | measure | " + " | ".join(variants) + " | believer - liar |",
        "|---" * (len(variants) + 3) + "|",
    ]
    for name in tasks:
        by = {v: {} for v in variants}
        for r in rows:
            if r["task"] == name and r["variant"] in by:
                by[r["variant"]][r["seed"]] = r["value"]
        cells = [_mean_se(list(by[v].values())) for v in variants]
        paired = "-"
        if "believer" in by and "liar" in by:
            seeds = sorted(set(by["believer"]) & set(by["liar"]))
            paired = _mean_se([by["believer"][s] - by["liar"][s] for s in seeds])
        measure = "regret" if TASKS[name].synthetic else "test score"
        lines.append(f"| {name} | {measure} | " + " | ".join(cells) + f" | {paired} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--search", choices=sorted(SEARCHES), default="bayes")
    parser.add_argument("--tasks", default=",".join(SYNTHETIC + REAL))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--n-points", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n-iter-synthetic", type=int, default=50)
    parser.add_argument("--n-iter-real", type=int, default=30)
    parser.add_argument("--out", default="benchmarks/results/pending_points")
    args = parser.parse_args(argv)
    tasks = [t for t in args.tasks.split(",") if t]
    variants = [v for v in args.variants.split(",") if v]
    unknown = sorted(set(tasks) - set(TASKS)) + sorted(set(variants) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown tasks or variants: {', '.join(unknown)}")
    load_start = load_average()
    started = time.perf_counter()
    rows = []
    for name in tasks:
        task = TASKS[name]
        n_iter = args.n_iter_synthetic if task.synthetic else args.n_iter_real
        for seed in range(args.seeds):
            for variant in variants:
                value = run_one(args.search, task, variant, seed, args.n_points, n_iter)
                rows.append({"task": name, "variant": variant, "seed": seed,
                             "n_iter": n_iter, "value": value})  # fmt: skip
                print(f"{name} seed={seed} {variant}: {value:.4g}", flush=True)
    table = report(rows, tasks, variants)
    text = (
        f"# Candidates in flight of {args.search}: believer against liar\n\n"
        f"`python benchmarks/pending_points.py {' '.join(sys.argv[1:])}`: "
        f"n_points={args.n_points}, {args.seeds} seeds, "
        f"{time.perf_counter() - started:.0f} s, load {load_start} -> "
        f"{load_average()}\n\n{table}\n"
    )
    record = script_record(
        "pending_points.py", _PINNED_IN_TIME, load_start, rows=rows,
        n_points=args.n_points, search=args.search,
    )  # fmt: skip
    save_record(args.out, "pending_points", record, text)


if __name__ == "__main__":
    main()
