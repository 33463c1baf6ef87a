"""Stopping early keeps everything; resuming refits nothing already evaluated."""

import sys

import joblib
import numpy as np
import pytest

from sksmbo import BayesSearchCV, QuasiRandomSearchCV, TPESearchCV
from tests.conftest import FastClassifier

SEARCHES = [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV]
SPACE = {"a": (0.0, 1.0), "b": (0, 10), "c": ["x", "y"]}


class Counting(FastClassifier):
    """Counts fits; raises KeyboardInterrupt at fit number ``interrupt_at``."""

    n_fits = 0
    interrupt_at = None

    def fit(self, X, y):
        Counting.n_fits += 1
        if Counting.n_fits == Counting.interrupt_at:
            raise KeyboardInterrupt
        return super().fit(X, y)


@pytest.fixture(autouse=True)
def reset_counter():
    Counting.n_fits, Counting.interrupt_at = 0, None


def make(cls, **kwargs):
    design = {BayesSearchCV: {"n_initial_points": 3}, TPESearchCV: {"n_startup": 3}}
    kwargs = {
        "n_points": 2,
        "cv": 2,
        "random_state": 0,
        **design.get(cls, {}),
        **kwargs,
    }
    return cls(Counting(), SPACE, **kwargs)


def assert_consistent(search, n_candidates):
    results = search.cv_results_
    assert len(results["params"]) == n_candidates
    assert search.best_score_ == np.nanmax(results["mean_test_score"])
    assert search.best_params_ == results["params"][search.best_index_]
    assert search.best_estimator_.get_params()["a"] == search.best_params_["a"]


@pytest.mark.parametrize("cls", SEARCHES)
def test_constructor_callbacks_stop_and_keep_results(cls, data):
    X, y = data
    rounds = []
    search = make(
        cls, n_iter=10, callbacks=[lambda r: rounds.append(1) or len(rounds) == 2]
    )
    search.fit(X, y)
    assert_consistent(search, 3)  # the candidate in flight (n_points=2) is kept


@pytest.mark.parametrize("cls", SEARCHES)
def test_max_time_stops_after_the_candidates_in_flight(cls, data):
    X, y = data
    search = make(cls, n_iter=10, max_time=1e-9).fit(X, y)
    assert_consistent(search, 2)


@pytest.mark.parametrize("cls", SEARCHES)
def test_ctrl_c_keeps_every_candidate_told(cls, data):
    X, y = data
    # cv=2, two candidates in flight, one worker: the 7th fit is the first
    # of the fourth candidate, after the third's last one.
    Counting.interrupt_at = 7
    search = make(cls, n_iter=10)
    with pytest.warns(UserWarning, match="interrupted after 3 candidates"):
        search.fit(X, y)
    assert_consistent(search, 3)


def test_ctrl_c_before_any_result_propagates(data):
    X, y = data
    Counting.interrupt_at = 1
    with pytest.raises(KeyboardInterrupt):
        make(QuasiRandomSearchCV, n_iter=4).fit(X, y)


@pytest.mark.parametrize("cls", SEARCHES)
def test_warm_start_continues_without_refitting(cls, data):
    X, y = data
    search = make(cls, n_iter=4, warm_start=True).fit(X, y)
    first = search.cv_results_
    fits_before = Counting.n_fits
    search.set_params(n_iter=8).fit(X, y)
    assert Counting.n_fits - fits_before == 4 * 2 + 1  # new candidates x folds + refit
    assert_consistent(search, 8)
    assert search.cv_results_["params"][:4] == first["params"]
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"][:4], first["mean_test_score"]
    )
    uninterrupted = make(cls, n_iter=8).fit(X, y)
    assert uninterrupted.cv_results_["params"][:4] == first["params"]
    # Nothing left to do: no fit at all.
    fits_before = Counting.n_fits
    search.fit(X, y)
    assert Counting.n_fits == fits_before


@pytest.mark.parametrize("cls", SEARCHES)
def test_resume_from_checkpoint_in_a_new_object(cls, data, tmp_path):
    X, y = data
    path = tmp_path / "search.pkl"

    def checkpoint(result):
        joblib.dump(result, path)
        return len(result.x_iters) >= 4  # stop; the 5th, in flight, is saved too

    make(cls, n_iter=10, callbacks=checkpoint).fit(X, y)
    fits_before = Counting.n_fits
    resumed = make(cls, n_iter=7).fit(X, y, resume_from=str(path))
    assert Counting.n_fits - fits_before == 2 * 2 + 1
    assert_consistent(resumed, 7)


def test_resume_with_other_cv_is_refused(data, tmp_path):
    X, y = data
    path = tmp_path / "search.pkl"
    make(QuasiRandomSearchCV, n_iter=2, callbacks=lambda r: joblib.dump(r, path)).fit(
        X, y
    )
    with pytest.raises(ValueError, match="stopped with 2 CV splits, cv now gives 3"):
        make(QuasiRandomSearchCV, n_iter=4, cv=3).fit(X, y, resume_from=path)
    with pytest.raises(TypeError, match="'resume_from' parameter"):
        make(QuasiRandomSearchCV, n_iter=4).fit(X, y, resume_from=42)


def test_progress_lines_without_tqdm(data, capsys, monkeypatch):
    X, y = data
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    make(QuasiRandomSearchCV, n_iter=4, progress_bar=True).fit(X, y)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[-1].startswith("[QuasiRandomSearchCV] 4/4 candidates, best score")
    make(QuasiRandomSearchCV, n_iter=4).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_progress_bar_uses_tqdm_when_installed(data, monkeypatch):
    X, y = data
    bars = []

    class FakeBar:
        def __init__(self, total, initial, desc, unit):
            self.total, self.n, self.desc, self.postfix, self.closed = (
                total,
                initial,
                desc,
                None,
                False,
            )
            bars.append(self)

        def update(self, n):
            self.n += n

        def set_postfix(self, refresh=True, **kwargs):
            self.postfix = kwargs

        def close(self):
            self.closed = True

    fake = type(sys)("tqdm.auto")
    fake.tqdm = FakeBar
    monkeypatch.setitem(sys.modules, "tqdm", type(sys)("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", fake)
    search = make(QuasiRandomSearchCV, n_iter=6, progress_bar=True).fit(X, y)
    (bar,) = bars
    assert (bar.total, bar.n, bar.desc, bar.closed) == (
        6,
        6,
        "QuasiRandomSearchCV",
        True,
    )
    assert bar.postfix == {"best": f"{search.best_score_:.4f}"}
