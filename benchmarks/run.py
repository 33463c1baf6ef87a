"""Compare sksmbo's searches with their peers on the same work, in one run.

Every method gets the same tasks, seeds, data splits, CV folds and budget
(``n_iter`` candidates; ``random_x2`` twice that; halving methods the same
total compute). Runs go one at a time with one BLAS thread and ``n_jobs=1`` so
that overhead figures are comparable.

Usage (from the repository root)::

    python benchmarks/run.py --quick          # about 5 minutes on 2 cores
    python benchmarks/run.py --full           # 22 tasks, 10 seeds, n_iter=50: ~3 h
    python benchmarks/run.py --tasks halving --methods halving --seeds 10 \
        --out benchmarks/results/halving      # successive halving: ~1.5 h
    python benchmarks/run.py --tasks branin,svc_breast_cancer \
        --methods random,skopt_bayes --seeds 2 --n-iter 15 --out /tmp/bench
    python benchmarks/run.py --report benchmarks/results/quick/results.json

Writes ``results.json`` (every run, with its trace), ``report.md`` (tables),
``convergence.png`` and ``overhead.png`` to ``--out``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Before anything imports numpy: BLAS reads its thread count once, at load.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.environment import pin_single_thread  # noqa: E402

_PINNED_IN_TIME = pin_single_thread()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shlex  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import environment, spaces  # noqa: E402
from benchmarks.methods import METHODS, Context, available, planned_work  # noqa: E402
from benchmarks.metrics import run_one  # noqa: E402
from benchmarks.report import markdown, summarize  # noqa: E402
from benchmarks.tasks import TASKS  # noqa: E402

REAL = [name for name, t in TASKS.items() if not t.synthetic]
SYNTHETIC = [name for name, t in TASKS.items() if t.synthetic]
PRESETS = {
    # Sized so that all ten methods (four of them sksmbo's, GP ones budgeted at
    # 30 ms per proposal) finish within 10 minutes on 2 cores (about 6 here):
    # skopt's ~0.5 s per iteration is half of it. Real classification and
    # regression, a conditional space, and three synthetic functions.
    "quick": {
        "tasks": [
            "svc_breast_cancer",
            "knn_digits",
            "elasticnet_regression",
            "conditional_breast_cancer",
            "branin",
            "hartmann6",
            "mixed",
        ],
        "seeds": [0, 1, 2],
        "n_iter": 25,
    },
    "full": {"tasks": REAL + SYNTHETIC, "seeds": list(range(10)), "n_iter": 50},
}
# Successive halving at equal compute: tasks whose cheap budgets (a ninth of
# the data, or of the trees) should rank candidates, and the methods it meets.
HALVING_TASKS = [
    "hgb_large",
    "hgb_iters",
    "hgb_iters_wide",
    "hgb_iters_large",
    "hgb_iters_regression",
    "rf_trees_digits",
    "svc_digits",
    "hgb_classification",
    "mlp_breast_cancer",
]
HALVING_METHODS = [
    "random",
    "halving_random",
    "sksmbo_bayes",
    "sksmbo_halving_bayes",
    "sksmbo_halving_first_rung_model",
    "sksmbo_hyperband_bayes",
]
TASK_GROUPS = {
    "all": REAL + SYNTHETIC,
    "real": REAL,
    "synthetic": SYNTHETIC,
    "halving": HALVING_TASKS,
}
METHOD_GROUPS = {
    "all": [m for m, v in METHODS.items() if not v.ablation],
    "peers": [m for m, v in METHODS.items() if v.library != "sksmbo"],
    "sksmbo": [
        m for m, v in METHODS.items() if v.library == "sksmbo" and not v.ablation
    ],
    "halving": HALVING_METHODS,
}
DEFAULT_OUT = Path(__file__).resolve().parent / "results"
# Per-run cost besides fits and the search's own overhead: clone, refit, test score.
_RUN_FIXED_S = 0.05


# -- command line --------------------------------------------------------------


def _names(text, known, groups, what):
    names = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        if item in groups:
            names += groups[item]
        elif item in known:
            names.append(item)
        else:
            choices = ", ".join([*groups, *known])
            raise SystemExit(f"Unknown {what} {item!r}. Choose from: {choices}.")
    return list(dict.fromkeys(names))


def _seeds(text):
    if "," in text:
        return [int(s) for s in text.split(",") if s.strip()]
    return list(range(int(text)))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Tasks: " + ", ".join(TASKS) + "\nMethods: " + ", ".join(METHODS),
    )
    preset = parser.add_mutually_exclusive_group()
    preset.add_argument(
        "--quick",
        action="store_const",
        const="quick",
        dest="preset",
        help="7 tasks, 3 seeds, n_iter=25 (the default): under 10 minutes on 2 cores",
    )
    preset.add_argument(
        "--full",
        action="store_const",
        const="full",
        dest="preset",
        help="all 22 tasks, 10 seeds, n_iter=50 (about 3 h; estimate printed)",
    )
    parser.add_argument(
        "--tasks", help="comma-separated task names or groups (all, real, synthetic)"
    )
    parser.add_argument(
        "--methods",
        default="all",
        help="comma-separated method names or groups (all, peers, sksmbo)",
    )
    parser.add_argument(
        "--seeds",
        help="a number of seeds (0..N-1) or a comma-separated list ('7,' for one)",
    )
    parser.add_argument("--n-iter", type=int, help="budget in candidates per search")
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        help="n_jobs of every search (default 1: overhead is only meaningful with 1)",
    )
    parser.add_argument(
        "--out", type=Path, help="output folder (default benchmarks/results/PRESET)"
    )
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the untimed warm-up run of each method",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan and time estimate, run nothing",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="RESULTS_JSON",
        help="rebuild report.md and figures from an earlier results.json, run nothing",
    )
    args = parser.parse_args(argv)
    args.preset = args.preset or "quick"
    base = PRESETS[args.preset]
    args.tasks = (
        _names(args.tasks, TASKS, TASK_GROUPS, "task") if args.tasks else base["tasks"]
    )
    args.methods = _names(args.methods, METHODS, METHOD_GROUPS, "method")
    args.seeds = _seeds(args.seeds) if args.seeds else base["seeds"]
    args.n_iter = args.n_iter or base["n_iter"]
    args.out = args.out or DEFAULT_OUT / args.preset
    if args.n_iter < 1 or args.n_jobs == 0 or not args.seeds:
        parser.error("--n-iter must be >= 1, --n-jobs != 0 and at least one seed given")
    return args


# -- planning --------------------------------------------------------------------


def _probe_fit_seconds(task, n_probes=3):
    """Mean time of one fit + score on one CV split, over random configurations."""
    from sklearn.base import clone

    if task.synthetic:
        return 0.0005
    X, _, y, _ = task.split(0)
    train, test = next(task.cv(0).split(X, y))
    rng = np.random.default_rng(0)
    times = []
    for params in spaces.sample(task.make_space(), n_probes, rng):
        est = clone(task.make_estimator()).set_params(
            **{k: clone(v, safe=False) for k, v in params.items()}
        )
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a probe's convergence warnings are noise
            est.fit(X[train], y[train]).score(X[test], y[test])
        times.append(time.perf_counter() - t0)
    return float(np.mean(times))


def task_info(task):
    """What the report needs to know about a task, stored in results.json."""
    info = {
        "kind": task.kind,
        "description": task.description,
        "n_splits": task.n_splits,
    }
    if task.synthetic:
        # The "typical random configuration" of the normalized regret.
        points = spaces.sample(task.make_space(), 1024, np.random.default_rng(0))
        values = [task.function.func(p) for p in points]
        info.update(
            f_min=task.function.minimum, random_median_f=float(np.median(values))
        )
    return info


def _context(task, seed, n_iter, n_jobs):
    from benchmarks.methods import n_classes

    X, _, y, _ = task.split(seed)
    return Context(
        n_iter=n_iter,
        seed=seed,
        cv=task.cv(seed),
        n_jobs=n_jobs,
        n_train=len(X),
        n_classes=n_classes(y) if task.kind == "classification" else 1,
    )


def plan(args, runnable, missing=()):
    """Runs in order, the (method, task) pairs that do not apply, and a time estimate.

    ``missing`` methods (not importable here) are estimated, not planned: the
    estimate then tells what the run will cost once they exist.
    """
    runs, unsupported, estimate = [], [], {}
    everyone = list(runnable) + list(missing)
    for t_name in args.tasks:
        task = TASKS[t_name]
        probe = _probe_fit_seconds(task)
        for i, seed in enumerate(args.seeds):
            ctx = _context(task, seed, args.n_iter, args.n_jobs)
            # Rotate the order per seed, so a slow drift of the machine's speed
            # does not always fall on the same method.
            for method in everyone[i % len(everyone) :] + everyone[: i % len(everyone)]:
                reason = method.unsupported(task)
                if reason:
                    if i == 0 and method in runnable:
                        unsupported.append(
                            {"task": t_name, "method": method.name, "reason": reason}
                        )
                    continue
                n_rows, full_fits = planned_work(method, task, ctx)
                seconds = (
                    full_fits * task.n_splits * probe
                    + method.guess_overhead(n_rows)
                    + 1.5 * probe
                    + _RUN_FIXED_S
                )
                if method in runnable:
                    runs.append((task, method, seed, seconds))
                estimate[method.name] = estimate.get(method.name, 0.0) + seconds
    return runs, unsupported, estimate


def warm_up(runnable, n_iter=12):
    """One untimed small run per method: imports and first-call caches happen here."""
    t0 = time.perf_counter()
    for method in runnable:
        task = TASKS["svc_breast_cancer" if method.halving else "branin"]
        run_one(task, method, seed=0, n_iter=min(n_iter, 6 if method.halving else 12))
    return time.perf_counter() - t0


# -- output ----------------------------------------------------------------------


def _json_default(value):
    if isinstance(value, np.integer | np.floating):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return repr(value)


def _finite(value):
    """JSON has no NaN or Infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def save_json(results, path):
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(_finite(results), indent=1, default=_json_default))
    tmp.replace(path)


def write_report(results, out):
    """report.md, convergence.png and overhead.png next to results.json."""
    summary = summarize(results)
    (out / "report.md").write_text(markdown(results, summary))
    try:
        from benchmarks import plots

        plots.convergence(results, out / "convergence.png")
        plots.overhead(results, out / "overhead.png", summary)
    except ImportError as exc:
        print(f"No figures ({exc}); pip install matplotlib (the 'bench' extra).")
    return summary


def print_summary(summary, methods):
    overall = summary["overall"]
    print(
        f"\n{'method':22s} {'tasks':>5s} {'rank':>6s} {'nregret':>8s} "
        f"{'ovh ms/it':>10s} "
        f"{'x skopt':>8s} {'x optuna':>9s}"
    )
    for m in methods:
        if m not in overall:
            continue
        o = overall[m]
        print(
            f"{m:22s} {o['tasks']:5d} {o['rank_all']:6.2f} "
            f"{o['normalized_regret_all']:8.3f} "
            f"{1000 * o['overhead_per_iter']:10.1f} "
            f"{o['overhead_vs_skopt_bayes']:8.3f} {o['overhead_vs_optuna_tpe']:9.3f}"
        )


def _rebuild(path):
    path = Path(path)
    results = json.loads(path.read_text())
    summary = write_report(results, path.parent)
    print_summary(summary, results["config"]["methods"])
    print(f"\nWrote {path.parent / 'report.md'} and figures.")


# -- main ----------------------------------------------------------------------


def main(argv=None):
    args = parse_args(argv)
    if args.report:
        return _rebuild(args.report)
    limiter = environment.limit_loaded_pools()  # noqa: F841 (kept alive for the run)
    if not _PINNED_IN_TIME:
        print(
            "warning: numpy was imported before the thread pinning; "
            "limited via threadpoolctl"
        )
    env = environment.collect_environment()
    load = env["load_average"]
    if load and load[0] > 0.5:
        print(
            f"warning: load average {load} at start: other processes are running, "
            "timings will be noisy (runs are flagged in the report)"
        )
    runnable, skipped = available(args.methods)
    for name, reason in skipped.items():
        print(f"unavailable: {name}: {reason}")
    if not runnable:
        raise SystemExit("No method can run here.")
    print(
        f"planning {len(args.tasks)} tasks x {len(args.seeds)} seeds, "
        f"n_iter={args.n_iter} ..."
    )
    runs, unsupported, estimate = plan(args, runnable, [METHODS[m] for m in skipped])
    total = sum(v for m, v in estimate.items() if m not in skipped)
    print(
        f"{len(runs)} runs; estimated {total / 60:.1f} min (rough: fit time "
        "probed on 3 random configurations per task, overhead guessed per method):"
    )
    for name, seconds in sorted(estimate.items(), key=lambda kv: -kv[1]):
        note = "  (unavailable, not run)" if name in skipped else ""
        print(f"  {name:22s} {seconds:7.0f} s{note}")
    if skipped:
        print(
            f"with the unavailable methods it would take about "
            f"{sum(estimate.values()) / 60:.1f} min"
        )
    if args.dry_run:
        return None

    args.out.mkdir(parents=True, exist_ok=True)
    results = {
        "config": {
            "preset": args.preset,
            "command": "python benchmarks/run.py "
            + shlex.join(sys.argv[1:] if argv is None else argv),
            "tasks": args.tasks,
            "methods": [m.name for m in runnable],
            "seeds": args.seeds,
            "n_iter": args.n_iter,
            "n_jobs": args.n_jobs,
            "estimate_s": total,
        },
        "environment": env,
        "skipped_methods": skipped,
        "unsupported": unsupported,
        "tasks": {name: task_info(TASKS[name]) for name in args.tasks},
        "runs": [],
    }
    if not args.no_warmup:
        print(f"warm-up: {warm_up(runnable):.1f} s (untimed)")
    start = time.perf_counter()
    done_estimate = 0.0
    for k, (task, method, seed, guess) in enumerate(runs, 1):
        record = run_one(task, method, seed, args.n_iter, n_jobs=args.n_jobs)
        record["estimate_s"] = guess
        results["runs"].append(record)
        done_estimate += guess
        elapsed = time.perf_counter() - start
        eta = elapsed / done_estimate * (total - done_estimate) if done_estimate else 0
        if record["status"] == "ok":
            status = (
                f"best {record['best_cv_score']:+.4f} wall {record['wall_time']:6.2f}s "
                f"ovh {1000 * record['overhead_per_iter']:7.1f} ms/it "
                f"cpu {record['cpu_share']:.2f}"
            )
        else:
            status = f"ERROR {record['error'][:120]}"
        print(
            f"[{k:3d}/{len(runs)}] {task.name:26s} s{seed} {method.name:21s} {status}"
            f"  (elapsed {elapsed / 60:4.1f} min, eta {eta / 60:4.1f})",
            flush=True,
        )
        if k == len(runs) or runs[k][0] is not task or runs[k][2] != seed:
            save_json(
                results, args.out / "results.json"
            )  # keep what is done if stopped
    elapsed = time.perf_counter() - start
    results["config"]["elapsed_s"] = elapsed
    results["environment"]["load_average_end"] = environment.load_average()
    save_json(results, args.out / "results.json")
    summary = write_report(results, args.out)
    print_summary(summary, results["config"]["methods"])
    print(
        f"\nelapsed {elapsed / 60:.1f} min (estimated {total / 60:.1f}); "
        f"wrote {args.out}/"
        "{results.json, report.md, convergence.png, overhead.png}"
    )
    return results


if __name__ == "__main__":
    main()
