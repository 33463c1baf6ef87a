"""Issue 24's targets, read off a ``run.py`` results.json.

``BayesSearchCV`` (``sksmbo_bayes``) against optuna's ``GPSampler``
(``optuna_gp``), optuna's TPE (``optuna_tpe``) and random search, from the
runs of one ``run.py`` invocation:

- per synthetic task, the mean normalized regret ± its standard error over
  seeds (``report.py``'s definition: ``(f(best) - f*) / (median f of 1,024
  random points - f*)``), and the mean over the synthetic tasks;
- on real tasks, the average rank of the best CV score among the methods
  present (1 is best, ties share their mean rank), per task and overall;
- overhead per iteration (``run.py``'s: wall time minus fitting and scoring,
  per candidate), median over runs in ms, and the ratio of ``sksmbo_bayes``'s
  to each peer's, paired by (task, seed), geometric mean over pairs;
- the load average recorded before the runs.

Usage (from the repository root)::

    python benchmarks/gp_targets.py benchmarks/results/gp_peers/results.json
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

METHODS = ("sksmbo_bayes", "optuna_gp", "optuna_tpe", "random")
TARGET, GP_PEER, TPE_PEER = "sksmbo_bayes", "optuna_gp", "optuna_tpe"


def _ok(runs):
    return [r for r in runs if r.get("status", "ok") == "ok"]


def _mean_se(values):
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float(values.mean()), 0.0
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))


def synthetic_table(results, methods):
    """{task: {method: (mean, se)}} of normalized regret."""
    table = {}
    for task, info in results["tasks"].items():
        if info["kind"] != "synthetic":
            continue
        scale = info["random_median_f"] - info["f_min"]
        table[task] = {}
        for m in methods:
            regrets = [
                r["regret"] / scale
                for r in _ok(results["runs"])
                if r["task"] == task and r["method"] == m
            ]
            if regrets:
                table[task][m] = _mean_se(regrets)
    return table


def real_ranks(results, methods):
    """{task: {method: mean rank}} of the best CV score, over seeds."""
    ranks = {}
    for task, info in results["tasks"].items():
        if info["kind"] == "synthetic":
            continue
        runs = [r for r in _ok(results["runs"]) if r["task"] == task]
        per_method = {m: [] for m in methods}
        for seed in sorted({r["seed"] for r in runs}):
            scores = {
                r["method"]: r["best_cv_score"]
                for r in runs
                if r["seed"] == seed and r["method"] in methods
            }
            if len(scores) < len(methods):
                continue
            rank = rankdata([-scores[m] for m in methods])
            for m, value in zip(methods, rank, strict=True):
                per_method[m].append(value)
        if per_method[methods[0]]:
            ranks[task] = {m: float(np.mean(v)) for m, v in per_method.items()}
    return ranks


def overhead(results, methods):
    """Median ms per iteration per method, and paired ratios of the target's."""
    runs = _ok(results["runs"])
    ms = {
        m: 1e3
        * float(np.median([r["overhead_per_iter"] for r in runs if r["method"] == m]))
        for m in methods
    }
    by_key = {(r["task"], r["seed"], r["method"]): r["overhead_per_iter"] for r in runs}
    ratios = {}
    for peer in methods:
        logs = [
            math.log(by_key[(t, s, TARGET)] / value)
            for (t, s, m), value in by_key.items()
            if m == peer and (t, s, TARGET) in by_key and value > 0
        ]
        if logs:
            ratios[peer] = (float(math.exp(np.mean(logs))), len(logs))
    return ms, ratios


def markdown(results, methods):
    config = results.get("config", {})
    lines = [f"Command: `{config.get('command', '')}`", ""]
    loads = [r["load_before"] for r in results["runs"] if r.get("load_before")]
    if loads:
        one_minute = [load[0] for load in loads]
        lines += [
            "Load average (1 min) before the runs: median "
            f"{np.median(one_minute):.2f}, max {max(one_minute):.2f}.",
            "",
        ]
    synthetic = synthetic_table(results, methods)
    if synthetic:
        lines += [
            "| task | " + " | ".join(f"`{m}`" for m in methods) + " |",
            "|---|" + "---|" * len(methods),
        ]
        for task, row in synthetic.items():
            cells = [
                f"{row[m][0]:.4f} ± {row[m][1]:.4f}" if m in row else "–"
                for m in methods
            ]
            lines.append(f"| {task} | " + " | ".join(cells) + " |")
        means = [
            np.mean([row[m][0] for row in synthetic.values() if m in row])
            for m in methods
        ]
        lines.append(
            "| mean over synthetic tasks | "
            + " | ".join(f"{v:.4f}" for v in means)
            + " |"
        )
        lines.append("")
    ranks = real_ranks(results, methods)
    if ranks:
        lines += [
            "| real task: rank of best CV | "
            + " | ".join(f"`{m}`" for m in methods)
            + " |",
            "|---|" + "---|" * len(methods),
        ]
        for task, row in ranks.items():
            lines.append(
                f"| {task} | " + " | ".join(f"{row[m]:.2f}" for m in methods) + " |"
            )
        lines.append(
            "| mean | "
            + " | ".join(
                f"{np.mean([row[m] for row in ranks.values()]):.2f}" for m in methods
            )
            + " |"
        )
        lines.append("")
    ms, ratios = overhead(results, methods)
    lines += [
        "| overhead | " + " | ".join(f"`{m}`" for m in methods) + " |",
        "|---|" + "---|" * len(methods),
        "| ms per iteration (median over runs) | "
        + " | ".join(f"{ms[m]:.1f}" for m in methods)
        + " |",
        f"| `{TARGET}` / method (geometric mean over paired runs) | "
        + " | ".join(
            f"{ratios[m][0]:.3f} (n={ratios[m][1]})" if m in ratios else "–"
            for m in methods
        )
        + " |",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    present = {r["method"] for r in results["runs"]}
    methods = [m for m in args.methods.split(",") if m in present]
    report = markdown(results, methods)
    (args.results.parent / "gp_targets.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
