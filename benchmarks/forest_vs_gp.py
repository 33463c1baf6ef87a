"""Tree-ensemble surrogates against the Gaussian process, on synthetic functions.

scikit-optimize's ``base_estimator`` choices (issue 18), as sksmbo runs them:
``gp`` (:class:`~sksmbo._surrogates.gp.GPProposer`), ``rf``, ``et`` and
``gbrt`` (:class:`~sksmbo._surrogates.forest.ForestProposer`) and ``dummy``
(``Optimizer(space, proposer=None)``: the Sobol' design continued, skopt's
"DUMMY"). Each method drives :class:`sksmbo.Optimizer` by ask and tell on the
functions of ``benchmarks/functions.py`` (the six of ``FUNCTIONS`` and the
17-dimensional ``wide17``), minimizing ``f`` by maximizing ``-f``. On one seed
every method starts from the same initial design.

Per task the report gives the mean normalized regret ± its standard error
over seeds, the ratio of means to ``gp``, wins/ties/losses against ``gp``
(seed by seed), and the time of one ask + tell once the initial design is
spent (the overhead; the function itself costs nothing), median over the
iterations of a run, then over runs. Normalized regret is ``report.py``'s for
synthetic tasks: ``(f(best) - f*) / (median f of 1,024 random points - f*)``,
0 at the optimum, 1 for a typical random point.

Usage (from the repository root)::

    python benchmarks/forest_vs_gp.py                       # 10 seeds, n_iter=40
    python benchmarks/forest_vs_gp.py --seeds 3 --tasks branin,wide17
    python benchmarks/forest_vs_gp.py --seeds 3 --n-iter 30 \\
        --methods rf_leaf3,rf_leaf3_nolog,rf_leaf1,rf_leaf1_nolog,gbrt_log,gbrt_nolog

Writes ``forest_vs_gp.json`` and ``forest_vs_gp.md`` to ``--out``.
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

from benchmarks import spaces  # noqa: E402
from benchmarks.environment import (  # noqa: E402
    limit_loaded_pools,
    load_average,
    save_record,
    script_record,
)
from benchmarks.functions import FUNCTIONS, WIDE_FUNCTIONS  # noqa: E402
from sksmbo import Optimizer  # noqa: E402
from sksmbo._surrogates.forest import ForestProposer  # noqa: E402

TASKS = {**FUNCTIONS, **WIDE_FUNCTIONS}
METHODS = {
    "gp": lambda: "gp",
    "rf": lambda: ForestProposer("rf"),
    "et": lambda: ForestProposer("et"),
    "gbrt": lambda: ForestProposer("gbrt"),
    "dummy": lambda: None,
    # Ablations of the score transform and the leaf size, run only when named;
    # their settings are spelled out so that they survive changes of defaults.
    "rf_leaf3": lambda: ForestProposer("rf", min_samples_leaf=3, log_transform=True),
    "rf_leaf3_nolog": lambda: ForestProposer(
        "rf", min_samples_leaf=3, log_transform=False
    ),
    "rf_leaf1": lambda: ForestProposer("rf", min_samples_leaf=1, log_transform=True),
    "rf_leaf1_nolog": lambda: ForestProposer(
        "rf", min_samples_leaf=1, log_transform=False
    ),
    "et_nolog": lambda: ForestProposer("et", log_transform=False),
    "gbrt_log": lambda: ForestProposer("gbrt", log_transform=True),
    "gbrt_nolog": lambda: ForestProposer("gbrt", log_transform=False),
}
DEFAULT_METHODS = ("gp", "rf", "et", "gbrt", "dummy")
# Normalized regrets closer than this count as a tie.
TIE = 1e-9


def reference_value(function):
    """Median ``f`` of 1,024 random points, as ``run.py``'s ``task_info``."""
    points = spaces.sample(function.space, 1024, np.random.default_rng(0))
    return float(np.median([function.func(p) for p in points]))


def run_one(function, method, seed, n_iter, n_initial_points):
    """One search: best ``f`` found, and ask + tell times in seconds."""
    opt = Optimizer(
        spaces.to_sksmbo(function.space),
        METHODS[method](),
        n_initial_points=n_initial_points,
        random_state=seed,
    )
    best, times = np.inf, []
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n_iter):
        t0 = time.perf_counter()
        point = opt.ask()
        t1 = time.perf_counter()
        value = function.func(point)
        t2 = time.perf_counter()
        opt.tell(point, -value)
        times.append((t1 - t0) + (time.perf_counter() - t2))
        best = min(best, value)
    wall = time.perf_counter() - wall
    return {
        "best_f": float(best),
        # The model phase: what a search pays per iteration once the design is spent.
        "model_overhead_s": float(np.median(times[n_initial_points:] or times)),
        "overhead_s": [round(t, 6) for t in times],
        "cpu_share": (time.process_time() - cpu) / wall,
    }


def summarize(rows, tasks, methods):
    """Per (task, method): regret mean ± s.e., ratio and wins/ties/losses vs gp."""
    table = {}
    for task in tasks:
        by_method = {
            m: {r["seed"]: r for r in rows if r["task"] == task and r["method"] == m}
            for m in methods
        }
        gp = by_method.get("gp", {})
        gp_mean = np.mean([r["normalized_regret"] for r in gp.values()]) if gp else 0
        for m, runs in by_method.items():
            regret = np.array([runs[s]["normalized_regret"] for s in sorted(runs)])
            diff = np.array(
                [
                    runs[s]["normalized_regret"] - gp[s]["normalized_regret"]
                    for s in sorted(runs)
                    if s in gp
                ]
            )
            table[(task, m)] = {
                "regret_mean": float(regret.mean()),
                "regret_se": float(regret.std(ddof=1) / np.sqrt(len(regret)))
                if len(regret) > 1
                else 0.0,
                "ratio_to_gp": float(regret.mean() / gp_mean) if gp_mean > 0 else None,
                "wins": int(np.sum(diff < -TIE)),
                "ties": int(np.sum(np.abs(diff) <= TIE)),
                "losses": int(np.sum(diff > TIE)),
                "overhead_ms_median": 1e3
                * float(np.median([r["model_overhead_s"] for r in runs.values()])),
                "cpu_share": float(np.mean([r["cpu_share"] for r in runs.values()])),
            }
    return table


def markdown(result):
    table = {tuple(k.split("|")): v for k, v in result["summary"].items()}
    methods, tasks = result["methods"], result["tasks"]
    config = result["config"]
    lines = [
        "# Tree-ensemble surrogates against the GP",
        "",
        f"- Date: {result['environment']['date']}; load average at start "
        f"{result['load_start']}, at end {result['load_end']}",
        f"- Command: `{result['command']}`",
        f"- n_iter={config['n_iter']}, n_initial_points={config['n_initial_points']}"
        f", seeds {config['seeds']}, sksmbo.Optimizer ask/tell, one BLAS thread",
        "",
        "Mean normalized regret ± standard error (0 = optimum, 1 = a typical "
        "random point); ×gp = ratio of means; W/T/L = seeds where the method's "
        "regret is below / equal to / above gp's; ms = median over runs of the "
        "median ask + tell time after the initial design.",
        "",
        "| task | " + " | ".join(methods) + " |",
        "|---|" + "---|" * len(methods),
    ]
    for task in tasks:
        cells = []
        for m in methods:
            s = table[(task, m)]
            cell = f"{s['regret_mean']:.3f} ± {s['regret_se']:.3f}"
            if m != "gp" and s["ratio_to_gp"] is not None:
                cell += (
                    f" (×{s['ratio_to_gp']:.2f}, {s['wins']}/{s['ties']}/{s['losses']})"
                )
            cells.append(f"{cell}, {s['overhead_ms_median']:.0f} ms")
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Over all tasks:",
        "",
        "| method | mean regret | geo. mean ×gp "
        "| W/T/L vs gp | median ms | CPU share |",
        "|---|---|---|---|---|---|",
    ]
    for m in methods:
        rows = [table[(t, m)] for t in tasks]
        ratios = [r["ratio_to_gp"] for r in rows if r["ratio_to_gp"]]
        geo = float(np.exp(np.mean(np.log(ratios)))) if ratios else float("nan")
        all_ms = [r["model_overhead_s"] for r in result["rows"] if r["method"] == m]
        record = "-"
        if m != "gp":
            record = "/".join(
                str(sum(r[k] for r in rows)) for k in ("wins", "ties", "losses")
            )
        lines.append(
            f"| {m} | {np.mean([r['regret_mean'] for r in rows]):.3f} "
            f"| {geo:.2f} | {record} | {1e3 * np.median(all_ms):.0f} "
            f"| {np.mean([r['cpu_share'] for r in rows]):.2f} |"
        )
    return "\n".join(lines) + "\n"


def _seeds(text):
    if "," in text:
        return [int(s) for s in text.split(",") if s]
    return list(range(int(text)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="10", help="N (0..N-1) or a list 0,3,7")
    parser.add_argument("--n-iter", type=int, default=40)
    parser.add_argument("--n-initial-points", type=int, default=10)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--methods", default=",".join(DEFAULT_METHODS))
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "forest"
    )
    args = parser.parse_args(argv)
    tasks, methods = args.tasks.split(","), args.methods.split(",")
    unknown = [t for t in tasks if t not in TASKS] + [
        m for m in methods if m not in METHODS
    ]
    if unknown:
        parser.error(
            f"unknown tasks or methods {unknown}; tasks {list(TASKS)}, "
            f"methods {list(METHODS)}"
        )
    limiter = limit_loaded_pools()  # noqa: F841  (kept alive for the run)
    load_start = load_average()
    rows = []
    for task in tasks:
        function = TASKS[task]
        ref = reference_value(function)
        for seed in _seeds(args.seeds):
            for method in methods:
                row = run_one(
                    function, method, seed, args.n_iter, args.n_initial_points
                )
                row.update(task=task, method=method, seed=seed)
                row["normalized_regret"] = (row["best_f"] - function.minimum) / (
                    ref - function.minimum
                )
                rows.append(row)
            print(
                f"{task:12s} seed {seed}: "
                + "  ".join(
                    f"{r['method']} {r['normalized_regret']:.3f}"
                    for r in rows
                    if r["task"] == task and r["seed"] == seed
                ),
                flush=True,
            )
    summary = summarize(rows, tasks, methods)
    result = script_record(
        "forest_vs_gp.py",
        _PINNED_IN_TIME,
        load_start,
        config={
            "n_iter": args.n_iter,
            "n_initial_points": args.n_initial_points,
            "seeds": _seeds(args.seeds),
        },
        tasks=tasks,
        methods=methods,
        summary={f"{t}|{m}": v for (t, m), v in summary.items()},
        rows=rows,
    )
    save_record(args.out, "forest_vs_gp", result, markdown(result))


if __name__ == "__main__":
    main()
