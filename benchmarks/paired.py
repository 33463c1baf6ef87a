"""Paired differences between methods, seed by seed, from a ``results.json``.

Every method of a run sees the same data, splits and folds for a given seed,
so the difference of two methods on one (task, seed) cancels much of the
noise that the spread over seeds carries. For each task this prints the mean
difference ± its standard error and wins/ties/losses, on the best CV score
(``best_score_``), the fresh-fold CV score of the chosen configuration and
the test score.

Usage (from the repository root)::

    python benchmarks/paired.py benchmarks/results/halving/results.json \\
        --methods sksmbo_hyperband_bayes,sksmbo_halving_bayes \\
        --against halving_random,sksmbo_bayes

Given results of runs at different budgets (``n_iter``), methods are named
``name@n_iter``, so that a method at a small budget can be set against
another at a large one: with the same seeds, the data, splits and fresh folds
are the same. ``--methods sksmbo_hyperband_bayes@10 --against random@25``
asks whether 10 full fits' worth of halving pick as well as 25 random ones.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

KEYS = {
    "best_cv_score": "best CV",
    "fresh_cv_score": "fresh CV",
    "test_score": "test",
}


def differences(runs, method, reference, key):
    """Per-task arrays of ``method - reference`` over the seeds both ran."""
    values = defaultdict(dict)
    for r in runs:
        if r["status"] == "ok" and r.get(key) is not None:
            values[(r["task"], r["method"])][r["seed"]] = r[key]
    out = {}
    for (task, name), ours in values.items():
        theirs = values.get((task, reference), {})
        seeds = sorted(set(ours) & set(theirs))
        if name == method and seeds:
            out[task] = np.array([ours[s] - theirs[s] for s in seeds])
    return out


def _cell(d):
    if not len(d):
        return "–"
    se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else 0.0
    wins, ties = int((d > 0).sum()), int((d == 0).sum())
    return f"{d.mean():+.4f} ± {se:.4f} ({wins}/{ties}/{len(d) - wins - ties})"


def markdown(runs, methods, references):
    """One table per (method, reference): tasks as rows, the three scores as columns."""
    lines = []
    for method in methods:
        for reference in references:
            if method == reference:
                continue
            diffs = {key: differences(runs, method, reference, key) for key in KEYS}
            tasks = sorted(set().union(*diffs.values()))
            if not tasks:
                continue
            lines += [
                f"**`{method}` − `{reference}`** (mean ± standard error; "
                "wins/ties/losses)",
                "",
                "| task | " + " | ".join(KEYS.values()) + " |",
                "|---|" + "---|" * len(KEYS),
            ]
            for task in tasks + ["all tasks"]:
                cells = []
                for key in KEYS:
                    if task == "all tasks":
                        pooled = [d for d in diffs[key].values()]
                        d = np.concatenate(pooled) if pooled else np.array([])
                    else:
                        d = diffs[key].get(task, np.array([]))
                    cells.append(_cell(d))
                lines.append(f"| `{task}` | " + " | ".join(cells) + " |")
            lines.append("")
    return "\n".join(lines)


def label_budgets(runs):
    """Runs renamed ``method@n_iter`` when they do not all share one budget."""
    if len({r["n_iter"] for r in runs}) <= 1:
        return runs
    return [{**r, "method": f"{r['method']}@{r['n_iter']}"} for r in runs]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="+")
    parser.add_argument("--methods", required=True)
    parser.add_argument("--against", required=True)
    args = parser.parse_args(argv)
    runs = [r for path in args.results for r in json.loads(path.read_text())["runs"]]
    runs = label_budgets(runs)
    print(markdown(runs, args.methods.split(","), args.against.split(",")))


if __name__ == "__main__":
    main()
