"""Stoppers stop at the right round; checkpoints are atomic and loadable."""

import os

import joblib
import numpy as np
import pytest
from scipy.optimize import OptimizeResult
from sklearn.dummy import DummyClassifier

from sksmbo import QuasiRandomSearchCV
from sksmbo import _checkpoint as checkpoint
from sksmbo.callbacks import (
    CheckpointSaver,
    DeadlineStopper,
    DeltaYStopper,
    NoImprovementStopper,
    load,
)
from tests.conftest import FastClassifier

SPACE = {"a": (0.0, 1.0), "b": (0, 6), "c": ["x", "y"]}


def result_of(scores):
    """A result in scikit-optimize's format: func_vals are negated scores."""
    return OptimizeResult(func_vals=-np.asarray(scores, dtype=float))


def search(estimator=None, space=SPACE, **kwargs):
    kwargs = {"n_iter": 10, "n_points": 2, "cv": 2, "random_state": 0, **kwargs}
    return QuasiRandomSearchCV(estimator or FastClassifier(), space, **kwargs)


def constant_score_search(**kwargs):
    """Every candidate scores the same: both strategies predict the majority."""
    space = {"strategy": ["prior", "most_frequent"], "random_state": (0, 1000)}
    return search(DummyClassifier(), space, **kwargs)


def first_stop(callback, scores, n_points=2):
    """Candidates evaluated when ``callback`` stops a search seeing ``scores``:
    every candidate up to the one it stops at, and the ``n_points - 1`` then
    in flight."""
    for n in range(1, len(scores) + 1):
        if callback(result_of(scores[:n])):
            return min(n + n_points - 1, len(scores))
    return len(scores)


# -- the criteria, on hand-made results ----------------------------------------


@pytest.mark.parametrize(
    "scores, delta, n_best, expected",
    [
        ([0.5, 0.9], 0.1, 3, False),  # fewer than n_best scores
        ([0.5, 0.9, 0.85, 0.1], 0.1, 3, False),  # 0.9 - 0.5 > 0.1
        ([0.5, 0.9, 0.85, 0.82], 0.1, 3, True),  # 0.9 - 0.82 <= 0.1
        ([0.9, np.nan, 0.85], 0.1, 3, False),  # failures do not count
        ([0.9, np.nan, 0.85, 0.88], 0.1, 3, True),
        ([0.9, 0.9], 0.0, 2, True),
    ],
)
def test_delta_y_stopper(scores, delta, n_best, expected):
    assert DeltaYStopper(delta, n_best=n_best)(result_of(scores)) is expected


@pytest.mark.parametrize(
    "scores, patience, min_delta, expected",
    [
        ([0.5, 0.6, 0.6, 0.6], 3, 0, False),  # 2 candidates since the best
        ([0.5, 0.6, 0.6, 0.6, 0.6], 3, 0, True),
        ([0.5, 0.6, 0.6, 0.6, 0.7], 3, 0, False),  # improved by the last one
        ([0.5, 0.65, 0.6, 0.7, 0.74], 3, 0.1, True),  # not by more than 0.1
        ([0.5, 0.55, 0.58, 0.6], 3, 0.1, True),  # creeping up counts as none
        ([0.5, 0.6, np.nan, np.nan, np.nan], 3, 0, True),  # failures count
        ([np.nan, np.nan], 2, 0, True),
        ([0.5], 1, 0, False),
    ],
)
def test_no_improvement_stopper(scores, patience, min_delta, expected):
    stopper = NoImprovementStopper(patience, min_delta=min_delta)
    assert stopper(result_of(scores)) is expected


def test_deadline_stopper_counts_from_creation(monkeypatch):
    clock = iter([100.0, 101.0, 104.0, 110.0])
    monkeypatch.setattr("sksmbo.callbacks.time.perf_counter", lambda: next(clock))
    stopper = DeadlineStopper(total_time=10)
    assert [stopper(result_of([0.5])) for _ in range(3)] == [False, False, True]
    assert stopper.iter_time == [1.0, 3.0, 6.0]


# -- in a search ---------------------------------------------------------------


@pytest.mark.parametrize(
    "callback, n_expected",
    [
        # Where the criterion first holds, plus the candidate then in flight.
        (DeadlineStopper(total_time=1e-9), 2),  # at the first candidate
        (DeltaYStopper(delta=0.0, n_best=3), 4),  # at the third
        (NoImprovementStopper(patience=3), 5),  # 3 after the best (the first)
        (NoImprovementStopper(patience=4), 6),
    ],
)
def test_stoppers_stop_a_search_at_the_right_candidate(data, callback, n_expected):
    X, y = data
    fitted = constant_score_search().fit(X, y, callback=callback)
    assert len(fitted.cv_results_["params"]) == n_expected
    assert fitted.best_params_ == fitted.cv_results_["params"][fitted.best_index_]


@pytest.mark.parametrize(
    "callback",
    [
        DeltaYStopper(delta=0.05, n_best=3),
        NoImprovementStopper(patience=3),
        NoImprovementStopper(patience=2, min_delta=0.01),
    ],
    ids=lambda cb: f"{type(cb).__name__}-{vars(cb)}",
)
def test_search_stops_where_the_criterion_first_holds(data, callback):
    X, y = data
    fitted = search(n_iter=20).fit(X, y, callback=callback)
    scores = fitted.cv_results_["mean_test_score"]
    full = search(n_iter=20).fit(X, y).cv_results_["mean_test_score"]
    np.testing.assert_array_equal(scores, full[: len(scores)])
    assert len(scores) == first_stop(callback, full)


def test_callbacks_see_every_candidate_and_any_true_stops(data):
    X, y = data
    seen = []

    def record(result):
        seen.append((len(result.x_iters), result.func_vals.copy()))
        return False

    fitted = search(n_iter=10).fit(
        X, y, callback=[record, lambda r: len(r.func_vals) >= 6]
    )
    scores = fitted.cv_results_["mean_test_score"]
    # The sixth stops the search; the seventh was in flight (n_points=2).
    assert [n for n, _ in seen] == [1, 2, 3, 4, 5, 6, 7]
    np.testing.assert_allclose(seen[-1][1], -scores)


# -- checkpoints ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kwargs", [("r.pkl", {}), ("r.pkl.gz", {}), ("r", {"compress": 3})]
)
def test_checkpoint_holds_the_search_so_far(data, tmp_path, name, kwargs):
    X, y = data
    path = tmp_path / name
    saved = []

    def spy(result):
        saved.append(load(path))
        return False

    fitted = search(n_iter=6).fit(X, y, callback=[CheckpointSaver(path, **kwargs), spy])
    assert [len(r.func_vals) for r in saved] == [1, 2, 3, 4, 5, 6]
    result = load(path)
    results = fitted.cv_results_
    np.testing.assert_allclose(result.func_vals, -results["mean_test_score"])
    assert result.x_iters == [[p[k] for k in sorted(p)] for p in results["params"]]
    assert -result.fun == fitted.best_score_
    assert os.listdir(tmp_path) == [name]  # no temporary file left


def test_checkpoint_compression_follows_the_extension(data, tmp_path):
    X, y = data
    path = tmp_path / "r.pkl.gz"
    search(n_iter=2).fit(X, y, callback=CheckpointSaver(path))
    frames = path.read_bytes()[len(checkpoint.MAGIC) :]
    assert frames[checkpoint._HEADER.size :][:2] == b"\x1f\x8b"  # gzip magic number


def test_checkpoint_resumes_a_search(data, tmp_path):
    X, y = data
    path = tmp_path / "r.pkl"
    stop = NoImprovementStopper(patience=1)
    first = search(n_iter=10).fit(X, y, callback=[CheckpointSaver(path), stop])
    n_first = len(first.cv_results_["params"])
    assert n_first < 10
    resumed = search(n_iter=10).fit(X, y, resume_from=path)
    assert resumed.cv_results_["params"][:n_first] == first.cv_results_["params"]
    assert len(resumed.cv_results_["params"]) == 10


def test_a_result_saved_with_joblib_resumes(data, tmp_path):
    """scikit-optimize's CheckpointSaver writes the result with joblib.dump."""
    X, y = data
    path = tmp_path / "r.pkl"
    first = search(n_iter=2).fit(X, y, callback=lambda r: joblib.dump(r, path))
    resumed = search(n_iter=4).fit(X, y, resume_from=path)
    assert len(load(path).x_iters) == 2
    assert resumed.cv_results_["params"][:2] == first.cv_results_["params"]
