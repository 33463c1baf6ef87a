"""How much the first rung's scores tell about full ones, task by task.

Successive halving can only beat a search on full budgets where cheap scores
rank configurations as full ones do. For every halving task this draws
random configurations, scores each by cross-validation on the first rung of
the halving benchmark (a ninth of the training set, train and test folds
subsampled as sklearn's halving does; or a ninth of the task's iterations)
and on the full budget, and reports how well the two agree:

- **spearman**: rank correlation of cheap and full scores;
- **top-third recall**: share of the full-budget top third that the cheap
  top third keeps (what one halving step must get right; 1/3 by chance);
- **pick regret**: full score of the configuration best on the cheap budget,
  below the best full score.

Usage (from the repository root)::

    python benchmarks/fidelity.py     # the halving tasks x 3 seeds x 30 configs
    python benchmarks/fidelity.py --tasks hgb_large --seeds 5

Writes ``fidelity.json`` and ``fidelity.md`` to ``--out``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Before anything imports numpy: BLAS reads its thread count once, at load.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.environment import pin_single_thread  # noqa: E402

_PINNED_IN_TIME = pin_single_thread()

import argparse  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import ParameterSampler, cross_val_score  # noqa: E402
from sklearn.utils import resample  # noqa: E402

from benchmarks import spaces  # noqa: E402
from benchmarks.environment import (  # noqa: E402
    limit_loaded_pools,
    load_average,
    save_record,
    script_record,
)
from benchmarks.methods import HALVING_FACTOR  # noqa: E402
from benchmarks.run import HALVING_TASKS  # noqa: E402
from benchmarks.tasks import TASKS  # noqa: E402


class _Subsampled:
    """The folds of ``cv`` with train and test sets cut to ``fraction``."""

    def __init__(self, cv, fraction, seed):
        self.cv, self.fraction, self.seed = cv, fraction, seed

    def get_n_splits(self, X=None, y=None, groups=None):
        return self.cv.get_n_splits(X, y, groups)

    def split(self, X, y=None, groups=None):
        for train, test in self.cv.split(X, y, groups):
            yield tuple(
                resample(
                    part,
                    replace=False,
                    n_samples=int(self.fraction * len(part)),
                    random_state=self.seed,
                )
                for part in (train, test)
            )


def cheap_and_full_scores(task, seed, n_configs):
    """CV scores of ``n_configs`` random configurations, cheap and full.

    Returns
    -------
    cheap, full : ndarray of shape (n_configs,)
    """
    X, _, y, _ = task.split(seed)
    cv = task.cv(seed)
    configs = ParameterSampler(
        spaces.to_sklearn(task.make_space()), n_configs, random_state=seed
    )
    cheap, full = [], []
    for params in configs:
        estimator = clone(task.make_estimator()).set_params(**params)
        if task.resource:
            name, n_full = task.resource
            small = clone(estimator).set_params(**{name: n_full // HALVING_FACTOR**2})
            cheap_cv = cv
        else:
            small = clone(estimator)
            cheap_cv = _Subsampled(cv, 1 / HALVING_FACTOR**2, seed)
        score = dict(scoring=task.scoring, error_score=np.nan)
        cheap.append(cross_val_score(small, X, y, cv=cheap_cv, **score).mean())
        full.append(cross_val_score(estimator, X, y, cv=cv, **score).mean())
    return np.array(cheap), np.array(full)


def agreement(cheap, full):
    """Spearman correlation, top-third recall and pick regret."""
    ok = np.isfinite(cheap) & np.isfinite(full)
    cheap, full = cheap[ok], full[ok]
    k = max(len(full) // 3, 1)
    top_cheap = set(np.argsort(cheap)[-k:])
    top_full = set(np.argsort(full)[-k:])
    return {
        "spearman": float(spearmanr(cheap, full).statistic),
        "top_third_recall": len(top_cheap & top_full) / k,
        "pick_regret": float(full.max() - full[np.argmax(cheap)]),
        "full_spread": float(full.max() - np.median(full)),
    }


def markdown(result):
    lines = [
        "# How much cheap scores tell about full ones",
        "",
        f"- Date: {result['environment']['date']}; load average at start "
        f"{result['load_start']}, at end {result['load_end']}",
        f"- Command: `{result['command']}`",
        f"- {result['n_configs']} random configurations per (task, seed); cheap "
        f"budget = 1/{HALVING_FACTOR**2} of the training set or of the task's "
        "iterations (the first rung of the halving benchmark)",
        "",
        "| task | spearman | top-third recall | pick regret | best − median (full) |",
        "|---|---|---|---|---|",
    ]
    for task in dict.fromkeys(r["task"] for r in result["rows"]):
        rows = [r for r in result["rows"] if r["task"] == task]
        mean = {
            key: np.mean([r[key] for r in rows])
            for key in rows[0]
            if key not in ("task", "seed")
        }
        lines.append(
            f"| `{task}` | {mean['spearman']:.2f} | {mean['top_third_recall']:.2f} "
            f"| {mean['pick_regret']:.4f} | {mean['full_spread']:.4f} |"
        )
    lines += [
        "",
        f"Means over seeds {sorted({r['seed'] for r in result['rows']})}. "
        "Top-third recall is 1/3 by chance; pick regret is in score units.",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(HALVING_TASKS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-configs", type=int, default=30)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "fidelity"
    )
    args = parser.parse_args(argv)
    # Random configurations include MLPs that stop at max_iter: expected here.
    warnings.simplefilter("ignore", ConvergenceWarning)
    limiter = limit_loaded_pools()  # noqa: F841  (kept alive for the run)
    load_start = load_average()
    rows = []
    for name in args.tasks.split(","):
        for seed in range(args.seeds):
            cheap, full = cheap_and_full_scores(TASKS[name], seed, args.n_configs)
            row = {"task": name, "seed": seed, **agreement(cheap, full)}
            print(
                f"{name:20s} s{seed} spearman {row['spearman']:+.2f} "
                f"recall {row['top_third_recall']:.2f} "
                f"regret {row['pick_regret']:.4f}",
                flush=True,
            )
            rows.append(row)
    result = script_record(
        "fidelity.py", _PINNED_IN_TIME, load_start, n_configs=args.n_configs, rows=rows
    )
    save_record(args.out, "fidelity", result, markdown(result))


if __name__ == "__main__":
    main()
