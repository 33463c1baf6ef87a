"""Run one (task, method, seed) and measure it.

The record of a run holds the quality (best CV score, held-out test score of
the refit model, or regret on a synthetic function), the cost (wall time,
fit and score time, number of fits), the overhead the library adds, and the
trace of scores in evaluation order from which best-so-far curves are drawn.
"""

from __future__ import annotations

import time
import traceback
import warnings
from collections import Counter

import numpy as np

from benchmarks.environment import load_average
from benchmarks.methods import Context, n_classes
from benchmarks.tasks import regret


def _jsonable(value):
    """Plain JSON values; anything else (an estimator in a conditional space): repr."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return repr(value)


def trace(search, n_train):
    """Scores in evaluation order, with the cost of each evaluation.

    Parameters
    ----------
    search : fitted search estimator
    n_train : int
        Training-set size (unused: the full resource of successive halving
        is its ``max_resources_``).

    Returns
    -------
    trace : dict
        ``score`` (mean CV score per candidate), ``cost`` (fraction of the
        full resources it was fitted with: 1 except for halving) and ``final``
        (True for evaluations on the last halving iteration, whose scores are
        comparable with full fits; always True without halving).
    """
    cv = search.cv_results_
    scores = np.asarray(cv["mean_test_score"], dtype=float)
    if "n_resources" in cv:
        cost = np.asarray(cv["n_resources"], dtype=float) / search.max_resources_
        iters = np.asarray(cv["iter"])
        final = iters == iters.max()
    else:
        cost = np.ones_like(scores)
        final = np.ones(scores.shape, dtype=bool)
    return {
        "score": [None if np.isnan(s) else float(s) for s in scores],
        "cost": [round(float(c), 6) for c in cost],
        "final": [bool(f) for f in final],
    }


def timing(search, wall):
    """Split the wall time of ``fit`` into search, fitting, scoring and overhead.

    The refit of the best candidate on the whole training set is left out of
    both sides: ``search_time = wall - refit_time_`` and ``overhead =
    search_time - sum over candidates of (mean_fit_time + mean_score_time) *
    n_splits``, which is what the search itself adds (proposals, model
    fitting, bookkeeping, joblib dispatch). Meaningful with ``n_jobs=1``; with
    parallel fits the sum of fit times exceeds the wall time.

    Returns
    -------
    timing : dict
    """
    cv = search.cv_results_
    n_splits = int(search.n_splits_)
    n_candidates = len(cv["mean_test_score"])
    # nansum: a fit that failed before its clock started reports NaN (optuna).
    fit_time = float(np.nansum(np.asarray(cv["mean_fit_time"], dtype=float))) * n_splits
    score_time = (
        float(np.nansum(np.asarray(cv["mean_score_time"], dtype=float))) * n_splits
    )
    refit_time = float(getattr(search, "refit_time_", 0.0) or 0.0)
    search_time = wall - refit_time
    overhead = search_time - fit_time - score_time
    return {
        "n_candidates": n_candidates,
        "n_splits": n_splits,
        "n_fits": n_candidates * n_splits,
        "search_time": search_time,
        "fit_time": fit_time,
        "score_time": score_time,
        "refit_time": refit_time,
        "overhead": overhead,
        "overhead_per_iter": overhead / max(n_candidates, 1),
    }


def _build_and_fit(method, task, ctx, X, y):
    """Build the search and time its ``fit``.

    Warnings are recorded, not shown: counted by category, with the first
    message of each (building is inside, for optuna's ExperimentalWarning).
    """
    with warnings.catch_warnings(record=True) as caught:
        # Count every occurrence; "default" would count each location once.
        warnings.simplefilter("always")
        search = method.build(task, ctx)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        search.fit(X, y)
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
    counts = Counter(w.category.__name__ for w in caught)
    first = {}
    for w in caught:
        first.setdefault(w.category.__name__, str(w.message)[:200])
    return search, wall, cpu, dict(counts), first


def fresh_cv_score(task, search, seed, X, y):
    """CV score of the chosen configuration on folds the search never saw.

    ``best_score_`` is the best of many noisy CV estimates, so it is biased
    upwards, the more so the more candidates a method scores on the full
    budget (the winner's curse). Refitting the chosen configuration on two
    repetitions of new folds of the same training set removes that bias, with
    less noise than the test set. Not timed.
    """
    from sklearn.base import clone
    from sklearn.model_selection import (
        RepeatedKFold,
        RepeatedStratifiedKFold,
        cross_val_score,
    )

    splitter = (
        RepeatedStratifiedKFold if task.kind == "classification" else RepeatedKFold
    )
    cv = splitter(n_splits=task.n_splits, n_repeats=2, random_state=seed + 10_000)
    estimator = clone(search.best_estimator_)
    return float(cross_val_score(estimator, X, y, cv=cv, scoring=task.scoring).mean())


def run_one(task, method, seed, n_iter, n_jobs=1):
    """Build, fit and measure one search.

    Parameters
    ----------
    task : benchmarks.tasks.Task
    method : benchmarks.methods.Method
    seed : int
        Fixes the data split, the CV splits and the method's random_state.
    n_iter : int
        Budget in candidates.
    n_jobs : int, default=1

    Returns
    -------
    record : dict
        One JSON-serializable row of results.json; ``status`` is "ok" or
        "error" (with ``error`` and ``traceback``), so one broken method does
        not stop a run.
    """
    X_train, X_test, y_train, y_test = task.split(seed)
    ctx = Context(
        n_iter=n_iter,
        seed=seed,
        cv=task.cv(seed),
        n_jobs=n_jobs,
        n_train=len(X_train),
        n_classes=n_classes(y_train) if task.kind == "classification" else 1,
    )
    record = {"task": task.name, "method": method.name, "library": method.library}
    record.update(seed=seed, n_iter=n_iter, n_jobs=n_jobs, load_before=load_average())
    try:
        search, wall, cpu, counts, first = _build_and_fit(
            method, task, ctx, X_train, y_train
        )
        record.update(status="ok", wall_time=wall, cpu_time=cpu)
        record.update(warnings=counts, warning_messages=first)
        record["cpu_share"] = cpu / wall if wall > 0 else None
        record.update(timing(search, wall))
        record["best_cv_score"] = float(search.best_score_)
        record["best_params"] = {
            k: _jsonable(v) for k, v in search.best_params_.items()
        }
        if task.synthetic:
            record["regret"] = regret(task, search.best_params_)
            record["f_min"] = task.function.minimum
        else:
            record["test_score"] = float(search.score(X_test, y_test))
            record["fresh_cv_score"] = fresh_cv_score(
                task, search, seed, X_train, y_train
            )
        record["trace"] = trace(search, ctx.n_train)
        record["budget_used"] = float(np.sum(record["trace"]["cost"]))
    except Exception as exc:  # record and go on: one broken method must not stop a run
        record.update(status="error", error=f"{type(exc).__name__}: {exc}")
        record["traceback"] = traceback.format_exc(limit=-3)
    record["load_after"] = load_average()
    return record
