"""Many workers on two cores: wall time, worker utilization and regret.

Each fit sleeps a cost that depends on its parameters, so 4 to 64 workers
(threads: a sleeping fit holds no core) fit on this 2-core machine while the
searches' own work (proposals, bookkeeping) runs for real. The score is minus
Branin plus fold noise; the regret is Branin at ``best_params_`` minus its
minimum (0.397887).

Costs ``0.1 .. 1.0 s`` times ``--time-scale``: "uniform" draws them uniformly
(a 10x spread), "lognormal" as ``0.3 * exp(N(0, 1))`` (heavy-tailed), both
as a fixed function of the parameters. Utilization is the sum of fit times
over ``wall time x workers``; "bound" is the most any scheduler could reach
with the same fits (see :func:`utilization_bound`). The run on one worker
(``W=1``) runs with instant fits, as its candidates do not depend on timing.

Usage::

    python benchmarks/many_workers.py        # W=16, n_iter=64, both spreads, 5 seeds
    python benchmarks/many_workers.py --workers 4,16,64 --n-iter 32,64,128 \
        --time-scale 0.25
    python benchmarks/many_workers.py --methods bayes,tpe --seeds 2 --out /tmp/mw
    # TPE's candidates with 11 in flight (16 workers' "auto"), instant fits:
    python benchmarks/many_workers.py --workers 1 --n-points 11 --methods tpe \
        --spreads uniform --seeds 100

Peers (``random`` = ``RandomizedSearchCV``, ``optuna`` = ``OptunaSearchCV``
with ``n_jobs=W``) run in the same process; optuna is skipped when missing.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
import zlib
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.environment import pin_single_thread

pin_single_thread()

import numpy as np  # noqa: E402
from joblib import parallel_config  # noqa: E402
from scipy.stats import norm, uniform  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.model_selection import KFold, RandomizedSearchCV  # noqa: E402

from benchmarks.environment import load_average  # noqa: E402
from benchmarks.functions import branin  # noqa: E402

BRANIN_MIN = 0.397887
SPACE = {"x0": (-5.0, 10.0), "x1": (0.0, 15.0)}
FOLD_NOISE = 0.1


def _unit_hash(params, salt: str = "") -> float:
    """A number in (0, 1), fixed for the parameters: the cost's randomness."""
    key = f"{salt}{params['x0']:.9g},{params['x1']:.9g}".encode()
    return (zlib.crc32(key) + 0.5) / 2**32


def fit_cost(params, spread: str) -> float:
    """Seconds a fit of ``params`` sleeps before ``--time-scale``."""
    u = _unit_hash(params, "cost")
    if spread == "uniform":
        return 0.1 + 0.9 * u
    return 0.3 * math.exp(norm.ppf(u))  # log-normal, sigma 1


class SleepyBranin(BaseEstimator):
    """Sleeps its cost in ``fit``; scores minus Branin plus fold noise."""

    def __init__(
        self, x0=0.0, x1=0.0, spread="uniform", time_scale=1.0, noise=FOLD_NOISE
    ):
        self.x0 = x0
        self.x1 = x1
        self.spread = spread
        self.time_scale = time_scale
        self.noise = noise

    def fit(self, X, y=None):
        cost = fit_cost(self.get_params(), self.spread) * self.time_scale
        if cost > 0:
            time.sleep(cost)
        self.fitted_ = True
        return self

    def score(self, X, y=None):
        fold = zlib.crc32(np.ascontiguousarray(X).tobytes())
        noise = self.noise * np.random.default_rng(fold).standard_normal()
        return -branin(self.get_params()) + float(noise)


def _skopt_space():
    return dict(SPACE)


def build(
    method: str, n_iter: int, n_jobs: int, seed: int, estimator, n_points=None,
    asynchronous=False,
):  # fmt: skip
    cv = KFold(5, shuffle=True, random_state=0)
    common = dict(cv=cv, n_jobs=n_jobs, refit=False)
    if method == "random":
        space = {k: uniform(lo, hi - lo) for k, (lo, hi) in SPACE.items()}
        return RandomizedSearchCV(
            estimator, space, n_iter=n_iter, random_state=seed, **common
        )
    if method == "optuna":
        import optuna
        from optuna.distributions import FloatDistribution
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        space = {k: FloatDistribution(lo, hi) for k, (lo, hi) in SPACE.items()}
        study = optuna.create_study(
            direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed)
        )
        return OptunaSearchCV(
            estimator, space, n_trials=n_iter, study=study, random_state=seed,
            **common,
        )  # fmt: skip
    from sksmbo import BayesSearchCV, QuasiRandomSearchCV, TPESearchCV

    cls = {"bayes": BayesSearchCV, "tpe": TPESearchCV, "quasi": QuasiRandomSearchCV}
    if n_points is not None:
        common["n_points"] = n_points
    if asynchronous:
        common["asynchronous"] = True
    return cls[method](
        estimator, _skopt_space(), n_iter=n_iter, random_state=seed, **common
    )


def available(method: str) -> bool:
    if method != "optuna":
        return True
    try:
        import optuna  # noqa: F401
        import optuna_integration  # noqa: F401
    except ImportError:
        return False
    return True


def run_one(
    method, spread, workers, n_iter, seed, time_scale, backend, noise, n_points=None,
    asynchronous=False,
):  # fmt: skip
    scale = time_scale if workers > 1 else 0.0
    estimator = SleepyBranin(spread=spread, time_scale=scale, noise=noise)
    search = build(method, n_iter, workers, seed, estimator, n_points, asynchronous)
    X = np.random.default_rng(0).random((100, 2))
    # Threads: a sleeping fit holds no core, and every method gets the same
    # backend; "dask": a LocalCluster of one process per worker.
    with (
        parallel_config(backend=backend, n_jobs=workers),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")  # optuna's experimental/deprecation notes
        start = time.perf_counter()
        search.fit(X)
        wall = time.perf_counter() - start
    results = search.cv_results_
    fit_seconds = float(np.sum(results["mean_fit_time"]) * 5)
    longest_fit = float(np.max(results["mean_fit_time"]))
    best = search.best_params_  # refit=False: the best by mean CV score
    return {
        "method": method,
        "spread": spread,
        "workers": workers,
        "n_iter": n_iter,
        "seed": seed,
        "wall": wall,
        "utilization": fit_seconds / (wall * workers) if scale else None,
        "bound": utilization_bound(fit_seconds, longest_fit, workers)
        if scale
        else None,
        "regret": float(branin(best) - BRANIN_MIN),
        "n_candidates": len(results["mean_test_score"]),
    }


def utilization_bound(fit_seconds: float, longest_fit: float, workers: int) -> float:
    """The utilization no scheduler can beat with these fits.

    The wall time is at least the fits' total over the workers, and at least
    the longest single fit: with heavy-tailed costs and few fits per worker,
    one fit of several seconds outlasts every other worker's share.
    """
    return fit_seconds / (workers * max(fit_seconds / workers, longest_fit))


def summarize(rows) -> str:
    lines = []
    keys = sorted({(r["spread"], r["workers"], r["n_iter"]) for r in rows})
    for spread, workers, n_iter in keys:
        group = [
            r
            for r in rows
            if (r["spread"], r["workers"], r["n_iter"]) == (spread, workers, n_iter)
        ]
        random_wall = np.mean(
            [r["wall"] for r in group if r["method"] == "random"] or [np.nan]
        )
        lines.append(f"\n{spread}, W={workers}, n_iter={n_iter}")
        lines.append(
            "| method | wall (s) | wall / random | utilization (mean, range) "
            "| bound | regret (mean ± se) | seeds |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        for method in dict.fromkeys(r["method"] for r in group):
            runs = [r for r in group if r["method"] == method]
            wall = np.mean([r["wall"] for r in runs])
            util = [r["utilization"] for r in runs if r["utilization"] is not None]
            regret = np.array([r["regret"] for r in runs])
            se = regret.std(ddof=1) / np.sqrt(len(regret)) if len(regret) > 1 else 0.0
            util_text = (
                f"{np.mean(util):.2f} ({min(util):.2f}-{max(util):.2f})"
                if util
                else "-"
            )
            bound = [r["bound"] for r in runs if r.get("bound") is not None]
            bound_text = f"{np.mean(bound):.2f}" if bound else "-"
            ratio = f"{wall / random_wall:.2f}" if workers > 1 else "-"
            lines.append(
                f"| {method} | {wall:.1f} | {ratio} | {util_text} | {bound_text} | "
                f"{regret.mean():.3f} ± {se:.3f} | {len(runs)} |"
            )
    return "\n".join(lines)


def _dask_cluster(workers: int):
    """A client on a local cluster of ``workers`` single-threaded processes."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True,
        dashboard_address=None,
    )  # fmt: skip
    return Client(cluster)


def _ints(text):
    return [int(v) for v in text.split(",") if v]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="16", help="comma-separated W values")
    parser.add_argument("--n-iter", default="64", help="comma-separated n_iter values")
    parser.add_argument("--spreads", default="uniform,lognormal")
    parser.add_argument("--methods", default="random,optuna,bayes,tpe,quasi")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument(
        "--noise", type=float, default=FOLD_NOISE, help="std of the fold noise"
    )
    parser.add_argument(
        "--one-worker",
        action="store_true",
        default=True,
        help="also run each method on one worker (instant fits)",
    )
    parser.add_argument(
        "--backend", default="threading", choices=["threading", "dask"],
        help="dask: a LocalCluster with one single-threaded process per worker",
    )  # fmt: skip
    parser.add_argument(
        "--n-points", type=int, default=None,
        help="candidates in flight of bayes, tpe and quasi (default: theirs); "
        "with --workers 1 their candidates on any number of workers",
    )  # fmt: skip
    parser.add_argument(
        "--asynchronous", action="store_true",
        help="bayes, tpe and quasi with asynchronous=True",
    )  # fmt: skip
    parser.add_argument("--out", default="benchmarks/results/many_workers")
    args = parser.parse_args(argv)

    methods = [m for m in args.methods.split(",") if available(m)]
    skipped = set(args.methods.split(",")) - set(methods)
    if skipped:
        print(f"unavailable, skipped: {', '.join(sorted(skipped))}")
    workers = _ints(args.workers)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    plan = [
        (spread, w, n, seed, method)
        for spread in args.spreads.split(",")
        for n in _ints(args.n_iter)
        for w in dict.fromkeys(workers + ([1] if args.one_worker else []))
        for seed in range(args.seeds)
        for method in methods
        if not (w == 1 and (spread != args.spreads.split(",")[0] or method == "random"))
    ]
    started = time.time()
    clusters = {}
    for i, (spread, w, n, seed, method) in enumerate(plan, 1):
        backend = args.backend if w > 1 else "threading"
        if backend == "dask" and w not in clusters:
            clusters[w] = _dask_cluster(w)
        row = run_one(
            method, spread, w, n, seed, args.time_scale, backend, args.noise,
            args.n_points, args.asynchronous,
        )  # fmt: skip
        rows.append(row)
        print(
            f"[{i}/{len(plan)}] {spread} W={w} n_iter={n} seed={seed} {method}: "
            f"wall {row['wall']:.1f} s, utilization {row['utilization'] or 0:.2f}, "
            f"regret {row['regret']:.3f}",
            flush=True,
        )
        (out / "results.json").write_text(json.dumps({"rows": rows}, indent=1))
    report = (
        f"# Many workers on 2 cores\n\ncommand: python benchmarks/many_workers.py "
        f"{' '.join(sys.argv[1:])}\nbackend: {args.backend}\n"
        f"load average at the end: {load_average()}\n"
        f"total {time.time() - started:.0f} s\n" + summarize(rows)
    )
    (out / "report.md").write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
