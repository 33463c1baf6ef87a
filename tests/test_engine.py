"""The evaluation engine: scheduling, order of telling, reproducibility."""

import time
from concurrent.futures.process import BrokenProcessPool

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import KFold

from sksmbo import BayesSearchCV, QuasiRandomSearchCV, TPESearchCV
from sksmbo._engine import Engine, window_size
from tests.conftest import FastClassifier


class FakeWorkers:
    """Workers whose fits come back in an order a random generator picks."""

    def __init__(self, n_workers, seed=0, die_at=()):
        self.n_workers = n_workers
        self.rng = np.random.default_rng(seed)
        self.out = {}
        self.die_at = set(die_at)  # keys whose first run kills the pool
        self.submitted = []
        self.max_running = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    @property
    def running(self):
        return len(self.out)

    @property
    def idle(self):
        return self.n_workers - len(self.out)

    def submit(self, key, task):
        self.submitted.append(key)
        self.out[key] = task
        self.max_running = max(self.max_running, len(self.out))

    def next_done(self):
        key = list(self.out)[self.rng.integers(len(self.out))]
        if key in self.die_at:
            self.die_at.discard(key)
            raise BrokenProcessPool("a worker died")
        return key, self.out.pop(key)

    def restart(self):
        lost = list(self.out)
        self.out.clear()
        return lost

    def abort(self):
        self.out.clear()


class Recorder:
    """A fake search: proposals record what had been told when they were made."""

    def __init__(self, n_folds=3, stop_at=None, size=None):
        self.n_folds = n_folds
        self.told = []
        self.seen_at_proposal = []
        self.stop_at = stop_at
        self.size = size

    def propose(self):
        k = len(self.seen_at_proposal)
        if self.size is not None and k >= self.size:
            return None
        self.seen_at_proposal.append(tuple(p["k"] for p in self.told))
        return {"k": k}

    def fold_tasks(self, params):
        return [(params["k"], fold) for fold in range(self.n_folds)]

    def tell(self, params, outputs):
        assert outputs == [(params["k"], fold) for fold in range(self.n_folds)]
        self.told.append(params)
        return self.stop_at is not None and len(self.told) >= self.stop_at


def run(workers, recorder, window, n):
    engine = Engine(
        lambda: workers, n_points=window, propose=recorder.propose,
        fold_tasks=recorder.fold_tasks, tell=recorder.tell,
    )  # fmt: skip
    engine.run(n)
    return engine


@pytest.mark.parametrize("window", [1, 3, 7])
def test_proposals_see_the_same_results_whatever_the_timing(window):
    seen = []
    for seed, n_workers in [(0, 1), (1, 4), (2, 4), (3, 16)]:
        recorder = Recorder()
        run(FakeWorkers(n_workers, seed), recorder, window, 20)
        # Candidate k is proposed knowing exactly candidates 0 .. k - window.
        for k, told in enumerate(recorder.seen_at_proposal):
            assert told == tuple(range(max(0, k - window + 1)))
        assert [p["k"] for p in recorder.told] == list(range(20))  # in order
        seen.append(recorder.seen_at_proposal)
    assert all(s == seen[0] for s in seen)


@pytest.mark.parametrize("window, batches", [(None, [20]), (20, [20]), (19, [])])
def test_a_design_that_waits_for_nothing_is_proposed_in_one_batch(window, batches):
    recorder = Recorder()
    asked = []

    def propose_batch(n):
        asked.append(n)
        return [
            (p, recorder.fold_tasks(p)) for p in (recorder.propose() for _ in range(n))
        ]

    engine = Engine(
        lambda: FakeWorkers(4, seed=1), n_points=window, propose=recorder.propose,
        fold_tasks=recorder.fold_tasks, tell=recorder.tell,
        propose_batch=propose_batch,
    )  # fmt: skip
    engine.run(20)
    assert asked == batches  # with fewer in flight than candidates: one at a time
    assert [p["k"] for p in recorder.told] == list(range(20))


def test_out_of_order_a_candidate_is_told_as_soon_as_its_folds_are_back():
    recorder = Recorder()
    engine = Engine(
        lambda: FakeWorkers(4, seed=1), n_points=3, propose=recorder.propose,
        fold_tasks=recorder.fold_tasks, tell=recorder.tell, in_order=False,
    )  # fmt: skip
    engine.run(20)
    told = [p["k"] for p in recorder.told]
    assert sorted(told) == list(range(20))  # each once
    assert told != sorted(told)  # a later candidate came back first
    # Never more than three in flight: candidate k is proposed once at least
    # k - 2 candidates are told, whichever they are.
    for k, seen in enumerate(recorder.seen_at_proposal):
        assert len(seen) >= k - 2


def test_every_worker_gets_a_fit_and_oldest_folds_go_first():
    workers = FakeWorkers(5, seed=0)
    run(workers, Recorder(n_folds=3), window=4, n=12)
    assert workers.max_running == 5
    assert workers.submitted[:6] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]


def test_a_stop_finishes_the_candidates_in_flight():
    recorder = Recorder(stop_at=4)
    engine = run(FakeWorkers(6, seed=1), recorder, window=3, n=20)
    assert engine.stopped
    # Told the fourth with two more in flight (window 3): both are finished.
    assert [p["k"] for p in recorder.told] == list(range(6))
    assert len(recorder.seen_at_proposal) == 6


def test_an_exhausted_space_ends_the_run():
    recorder = Recorder(size=5)
    engine = run(FakeWorkers(4, seed=2), recorder, window=3, n=20)
    assert engine.exhausted
    assert [p["k"] for p in recorder.told] == list(range(5))


def test_fits_lost_with_a_dead_worker_are_sent_again_once():
    workers = FakeWorkers(4, seed=3, die_at={(2, 1)})
    recorder = Recorder()
    with pytest.warns(UserWarning, match="worker process died"):
        run(workers, recorder, window=3, n=8)
    assert [p["k"] for p in recorder.told] == list(range(8))
    assert workers.submitted.count((2, 1)) == 2


def test_a_fit_whose_worker_dies_twice_stops_with_what_is_told():
    class DiesTwice(FakeWorkers):
        def submit(self, key, task):
            if key == (3, 0):
                self.die_at.add(key)
            super().submit(key, task)

    recorder = Recorder()
    with pytest.warns(UserWarning, match="worker process died"):
        with pytest.raises(BrokenProcessPool, match="died twice"):
            run(DiesTwice(4, seed=4), recorder, window=2, n=8)
    told = [p["k"] for p in recorder.told]
    assert told == list(range(len(told))) and 3 not in told


def test_ctrl_c_tells_every_complete_candidate_then_raises():
    class Interrupted(FakeWorkers):
        def next_done(self):
            if len(self.submitted) > 10:
                raise KeyboardInterrupt
            return super().next_done()

    recorder = Recorder()
    with pytest.raises(KeyboardInterrupt):
        run(Interrupted(3, seed=5), recorder, window=4, n=20)
    assert recorder.told  # complete candidates were told, in proposal order
    told = [p["k"] for p in recorder.told]
    assert told == sorted(told)


@pytest.mark.parametrize(
    "n_points, n_workers, n_splits, expected",
    [("auto", 1, 5, 1), ("auto", 16, 5, 11), ("auto", 4, 3, 5), (None, 8, 5, 30),
     (2, 64, 5, 2)],
)  # fmt: skip
def test_window_size(n_points, n_workers, n_splits, expected):
    assert window_size(n_points, n_workers, n_splits, n_iter=30) == expected


# -- in a search -------------------------------------------------------------


class UnevenClassifier(FastClassifier):
    """Fits take 0-20 ms depending on the parameters and the fold."""

    def fit(self, X, y):
        time.sleep(0.02 * ((self.a * 7919 + len(X) * 0.37) % 1.0))
        return super().fit(X, y)


@pytest.mark.parametrize("cls", [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV])
def test_the_same_candidates_on_one_worker_and_on_four(cls, data):
    """n_points fixed: the timing of four threads does not change a thing."""
    space = {"a": (0.0, 1.0), "b": (0, 6), "c": ["x", "y"]}
    kwargs = dict(n_iter=12, n_points=3, cv=3, random_state=0)
    one = cls(UnevenClassifier(), space, n_jobs=1, **kwargs).fit(*data)
    with joblib.parallel_config(backend="threading"):
        four = cls(UnevenClassifier(), space, n_jobs=4, **kwargs).fit(*data)
    assert four.cv_results_["params"] == one.cv_results_["params"]
    np.testing.assert_array_equal(
        four.cv_results_["mean_test_score"], one.cv_results_["mean_test_score"]
    )
    assert four.best_params_ == one.best_params_


@pytest.mark.parametrize("cls", [BayesSearchCV, TPESearchCV])
def test_an_asynchronous_search_records_candidates_as_they_finish(cls, data):
    space = {"a": (0.0, 1.0), "b": (0, 6), "c": ["x", "y"]}
    with joblib.parallel_config(backend="threading"):
        search = cls(
            UnevenClassifier(), space, n_iter=12, n_points=4, cv=3, n_jobs=4,
            random_state=0, asynchronous=True,
        ).fit(*data)  # fmt: skip
    results = search.cv_results_
    assert len(results["params"]) == 12
    # cv_results_ and the optimizer agree on every candidate and its order.
    optimizer = search.optimizer_results_[0]
    names = sorted(space)
    assert [[p[n] for n in names] for p in results["params"]] == optimizer.x_iters
    np.testing.assert_allclose(-optimizer.func_vals, results["mean_test_score"])
    assert search.best_score_ == results["mean_test_score"].max()


def test_a_search_on_processes_keeps_its_columns_and_order(data):
    search = BayesSearchCV(
        FastClassifier(), {"a": (0.0, 1.0)}, n_iter=6, n_points=2, cv=3,
        n_jobs=2, random_state=0, return_train_score=True,
    )  # fmt: skip
    search.fit(*data)
    results = search.cv_results_
    assert len(results["params"]) == 6
    assert {"split2_test_score", "mean_train_score", "rank_test_score"} <= set(results)
    optimizer = search.optimizer_results_[0]
    assert [[p["a"]] for p in results["params"]] == optimizer.x_iters


class FoldSum(RegressorMixin, BaseEstimator):
    """Scores the sum of its test rows' indices: a fold's fingerprint."""

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        return self

    def score(self, X, y):
        return float(X[:, 0].sum())


@pytest.mark.parametrize("cls", [QuasiRandomSearchCV, BayesSearchCV])
def test_every_candidate_gets_the_same_folds_as_in_randomized_search(cls):
    # A shuffling splitter without random_state splits differently at every
    # call of split(); the engine asks for one candidate at a time, yet all
    # candidates share the first one's folds, as in RandomizedSearchCV.
    X = np.arange(60.0).reshape(-1, 1)
    y = np.zeros(60)
    search = cls(
        FoldSum(), {"a": (0.0, 1.0)}, n_iter=4, cv=KFold(3, shuffle=True), refit=False
    ).fit(X, y)
    for fold in range(3):
        scores = search.cv_results_[f"split{fold}_test_score"]
        assert np.all(scores == scores[0])


def test_a_quasi_random_design_asked_at_once_is_the_one_asked_point_by_point(
    data, monkeypatch
):
    from sksmbo import _sklearn_hooks

    captures = []
    original = _sklearn_hooks.fit_tasks
    monkeypatch.setattr(
        "sksmbo._search.fit_tasks",
        lambda e, candidates, *a, **k: captures.append(len(candidates))
        or original(e, candidates, *a, **k),
    )  # fmt: skip
    space = {"a": (0.0, 1.0), "b": (1e-3, 1e3, "log-uniform")}
    params = {}
    for n_points in (None, 1):
        search = QuasiRandomSearchCV(
            FastClassifier(), space, n_iter=8, cv=3, n_points=n_points,
            random_state=0,
        )  # fmt: skip
        params[n_points] = search.fit(*data).cv_results_["params"]
    assert captures == [8] + [1] * 8  # one capture of all eight, then eight
    assert params[None] == params[1]


@pytest.mark.parametrize("callbacks", [None, "stopper"])
def test_a_quasi_random_search_tells_its_optimizer_all_its_candidates(
    data, monkeypatch, callbacks
):
    # Its candidates are all asked before the first comes back, so they are
    # told in one call at the end; a callback reads the optimizer after each
    # candidate, which must then know it.
    from sksmbo._optimizer import Optimizer

    calls = []
    original = Optimizer.tell
    monkeypatch.setattr(
        Optimizer, "tell", lambda self, points, *a, **k: calls.append(len(points))
        or original(self, points, *a, **k),
    )  # fmt: skip
    seen = []

    def stopper(result):
        seen.append(len(result.func_vals))
        return False

    search = QuasiRandomSearchCV(
        FastClassifier(), {"a": (0.0, 1.0)}, n_iter=8, cv=3, random_state=0
    )
    search.fit(*data, callback=[stopper] if callbacks else None)
    assert sum(calls) == 8
    assert calls == ([1] * 8 if callbacks else [8])
    if callbacks:
        assert seen == list(range(1, 9))
    result = search.optimizer_results_[0]
    assert [[p["a"]] for p in search.cv_results_["params"]] == result.x_iters
    np.testing.assert_allclose(-result.func_vals, search.cv_results_["mean_test_score"])
