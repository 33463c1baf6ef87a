"""What reads or builds ``cv_results_`` and the fits behind it.

One rule decides when a search has failed as a whole, as scikit-learn's
searches decide it: when every *fit* failed. Candidates whose mean score is
NaN because one fold failed (or a scorer returned NaN) are results, not
failures: the search warns and returns them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import rankdata

from sksmbo._warn import warn


class FitCounts:
    """Fits and failed fits seen by one search, with the errors of the failures."""

    def __init__(self):
        self.n_fits = 0
        self.errors: Counter = Counter()

    @property
    def n_failed(self) -> int:
        return sum(self.errors.values())


def failure_summary(errors: Counter) -> str:
    """sklearn's "Below are more details about the failures" section."""
    delimiter = "-" * 80 + "\n"
    return "\n".join(
        f"{delimiter}{n} fits failed with the following error:\n{error}"
        for error, n in errors.items()
    )


def all_fits_failed_error(counts: FitCounts) -> ValueError:
    """The error sklearn raises when no fit of a search succeeded."""
    return ValueError(
        f"\nAll the {counts.n_fits} fits failed.\nIt is very likely that your "
        "model is misconfigured.\nYou can try to debug the error by setting "
        "error_score='raise'.\n\nBelow are more details about the failures:\n"
        f"{failure_summary(counts.errors)}"
    )


def raise_if_all_fits_failed(counts: FitCounts) -> None:
    """Raise sklearn's "All the N fits failed" when no fit of the search succeeded."""
    if counts.n_fits and counts.n_failed == counts.n_fits:
        raise all_fits_failed_error(counts)


def objective_metric(test_scores, scoring, refit) -> str:
    """The metric a search maximizes: "score", the refit metric, or the first.

    ``test_scores`` is one fit's ``test_scores`` output (a float, or a dict
    of metric name to score when several metrics are computed).
    """
    if not isinstance(test_scores, Mapping):
        return "score"
    if isinstance(refit, str):
        return refit
    if isinstance(scoring, Mapping | list | tuple):
        return list(scoring)[0]
    return next(iter(test_scores))  # a callable returning a dict


def objective_score(output: Mapping, scoring, refit) -> float:
    """The score one fold's ``_fit_and_score`` output gives the maximized metric."""
    scores = output["test_scores"]
    if not isinstance(scores, Mapping):  # one metric, or a failed fit's error_score
        return float(scores)
    return float(scores[objective_metric(scores, scoring, refit)])


def candidate_scores(
    out: Sequence[Mapping], scoring, refit
) -> tuple[float, float, float]:
    """A candidate's mean score, that mean's variance and its mean fit time.

    ``out`` holds the candidate's fold outputs as ``evaluate_candidates``
    makes them; the means are ``cv_results_``'s ``mean_test_<metric>`` and
    ``mean_fit_time``, read without building it. The variance of a mean over
    ``n`` folds is ``std**2 / n``. Plain floats: numpy's overhead would be
    most of this on five numbers.
    """
    # A failed fit's test_scores is error_score, a float, even where the
    # others are dicts (a callable scoring); sklearn fills it in later.
    scored = [o["test_scores"] for o in out]
    first = next((t for t in scored if isinstance(t, Mapping)), scored[0])
    metric = objective_metric(first, scoring, refit)
    scores = [
        float(t if metric == "score" or not isinstance(t, Mapping) else t[metric])
        for t in scored
    ]
    n = len(scores)
    mean = sum(scores) / n
    variance = sum((s - mean) * (s - mean) for s in scores) / n
    fit_time = sum(float(o["fit_time"]) for o in out) / n
    return mean, variance / n, fit_time


def cv_results_metric(results: Mapping, scoring, refit) -> str:
    """The metric a fitted search maximized, read off its ``cv_results_``."""
    if "mean_test_score" in results:
        return "score"
    names = [
        key[len("mean_test_") :] for key in results if key.startswith("mean_test_")
    ]
    return objective_metric(dict.fromkeys(names), scoring, refit)


def warn_exhausted(n_done: int, n_iter: int) -> None:
    """Warn that a finite space ran out of points before ``n_iter``."""
    warn(
        f"The search space has only {n_done} distinct points, fewer than "
        f"n_iter={n_iter}; the search stops after evaluating all of them."
    )


def keep_results_without_refit(search, results, scorers) -> None:
    """Set what ``BaseSearchCV.fit`` sets after an interrupted refit, but the model.

    ``best_index_``, ``best_params_`` (and ``best_score_``) are set before the
    refit starts; ``cv_results_`` and ``scorer_`` (``scorers``) only after it.
    """
    for name in ("best_estimator_", "refit_time_", "feature_names_in_"):
        search.__dict__.pop(name, None)
    search.cv_results_ = results
    search.scorer_ = scorers
    warn(
        f"Refit interrupted: cv_results_ and best_params_ cover the "
        f"{len(results['params'])} candidates evaluated; best_estimator_ is not "
        "available. Refit it with "
        "clone(search.estimator).set_params(**search.best_params_).fit(X, y)."
    )


# -- raced-out candidates ---------------------------------------------------------
#
# A raced-out candidate has fold outputs on its first folds only; the search
# keeps None for the others. sklearn builds cv_results_ from n_splits outputs
# per candidate: it is given stand-ins with the mean of the evaluated folds
# (so that its means are already the means over the folds evaluated and it
# sees no missing score to warn of), and the columns are corrected after.


def n_splits_evaluated(out: Sequence, n_splits: int) -> np.ndarray:
    """Folds evaluated per candidate of ``out`` (None: a fold raced out)."""
    present = np.array([o is not None for o in out]).reshape(-1, n_splits)
    return present.sum(axis=1)


def with_stand_ins(out: Sequence, n_splits: int) -> list:
    """``out`` with each raced-out fold replaced by a stand-in for sklearn."""
    filled = list(out)
    for start in range(0, len(out), n_splits):
        folds = out[start : start + n_splits]
        evaluated = [o for o in folds if o is not None]
        if len(evaluated) == n_splits:
            continue
        stand_in = _mean_output(evaluated)
        for i, o in enumerate(folds):
            if o is None:
                filled[start + i] = stand_in
    return filled


def _mean_output(outputs: list) -> dict:
    """A fold output whose scores and times are the means of ``outputs``."""

    def mean(values):
        if isinstance(values[0], Mapping):
            return {
                name: float(np.mean([v[name] for v in values])) for name in values[0]
            }
        return float(np.mean(values))

    stand_in = dict(outputs[0])
    for key in ("test_scores", "train_scores", "fit_time", "score_time"):
        if key in stand_in:
            stand_in[key] = mean([o[key] for o in outputs])
    return stand_in


def mark_raced_out(results: dict, out: Sequence, n_splits: int) -> None:
    """Correct ``results`` (cv_results_, in place) for raced-out candidates.

    Raced-out folds are NaN in ``split{i}_*``; means and standard deviations
    are over the folds evaluated; ranks put every raced-out candidate after
    every fully evaluated one; ``n_splits_evaluated`` says how many folds each
    candidate got.
    """
    evaluated = n_splits_evaluated(out, n_splits)
    results["n_splits_evaluated"] = evaluated
    raced = evaluated < n_splits
    if not raced.any():
        return
    skipped = np.arange(n_splits)[None, :] >= evaluated[:, None]
    for key in [k for k in results if k.startswith(("mean_test_", "mean_train_"))]:
        kind, metric = key[len("mean_") :].split("_", 1)
        columns = [f"split{i}_{kind}_{metric}" for i in range(n_splits)]
        scores = np.column_stack([results[c] for c in columns]).astype(float)
        scores[skipped] = np.nan
        for i, column in enumerate(columns):
            results[column] = scores[:, i]
        _set_rows(results, f"mean_{kind}_{metric}", raced, np.nanmean(scores[raced], 1))
        _set_rows(results, f"std_{kind}_{metric}", raced, np.nanstd(scores[raced], 1))
        if kind == "test":
            results[f"rank_test_{metric}"] = rank_raced_last(results[key], raced)
    for kind in ("fit", "score"):
        times = [
            np.std(
                [
                    o[f"{kind}_time"]
                    for o in out[i * n_splits : (i + 1) * n_splits]
                    if o is not None
                ]
            )
            for i in np.flatnonzero(raced)
        ]
        _set_rows(results, f"std_{kind}_time", raced, np.array(times))


def warn_if_raced_out_chosen(best: int, results: Mapping, refit) -> None:
    """Warn when a ``refit`` callable chose a candidate racing stopped early.

    The callable's choice stands, as in scikit-learn, but that candidate's
    means are over its first folds only (easy folds flatter them), which a
    rule written for full cross-validation, such as "the simplest model within
    one standard deviation of the best", does not expect.
    """
    if "n_splits_evaluated" not in results:
        return
    evaluated = np.asarray(results["n_splits_evaluated"])
    if evaluated[best] < evaluated.max():
        warn(
            f"refit={refit!r} chose candidate {best}, which racing stopped after "
            f"{evaluated[best]} of {evaluated.max()} folds: its mean_test_* and "
            "std_test_* are over those folds only. To choose among fully "
            "evaluated candidates, skip the rows whose n_splits_evaluated is "
            "below the number of splits."
        )


def _set_rows(results: dict, key: str, rows: np.ndarray, values) -> None:
    column = np.array(results[key], dtype=float)  # a copy: may be masked or shared
    column[rows] = values
    results[key] = column


def _rank(means: np.ndarray) -> np.ndarray:
    """sklearn's ranks of mean scores: 1 is best, NaN tied with the worst."""
    if np.isnan(means).all():
        return np.ones(len(means), dtype=np.int32)
    filled = np.nan_to_num(means, nan=np.nanmin(means) - 1)
    return rankdata(-filled, method="min").astype(np.int32)


def rank_raced_last(means, raced: np.ndarray) -> np.ndarray:
    """Ranks of ``means`` with every ``raced`` candidate after every other one."""
    means = np.asarray(means, dtype=float)
    ranks = np.empty(len(means), dtype=np.int32)
    full = ~raced
    if full.any():
        ranks[full] = _rank(means[full])
    if raced.any():
        ranks[raced] = full.sum() + _rank(means[raced])
    return ranks
