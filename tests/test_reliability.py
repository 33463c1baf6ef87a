"""Nothing computed is lost: partial failures, interrupts, resume (issue 19)."""

import os
import signal
import threading
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import KFold

from sksmbo import (
    BayesSearchCV,
    HalvingBayesSearchCV,
    QuasiRandomSearchCV,
    TPESearchCV,
)
from sksmbo._interrupts import interrupts_deferrable, interrupts_deferred
from tests.conftest import FastClassifier

SEARCHES = [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV]


def _small(cls, n_iter=4):
    if cls is HalvingBayesSearchCV:
        return {"n_candidates": 6, "min_resources": 30}
    budget = {"n_iter": n_iter}
    if cls is BayesSearchCV:
        budget["n_initial_points"] = 2
    elif cls is TPESearchCV:
        budget["n_startup"] = 2
    return budget


class FailsOnOneFold(ClassifierMixin, BaseEstimator):
    """Cannot fit the training set of the first of KFold(3)'s folds."""

    marker = None

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        if np.any(X[:, 0] == self.marker):
            if not np.any(X[:, 0] == self.first_test):
                raise ValueError("cannot fit this fold")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _nan_scorer(estimator, X, y):
    return np.nan


@pytest.mark.parametrize("cls", [*SEARCHES, HalvingBayesSearchCV])
@pytest.mark.parametrize("failure", ["one fold fails", "scorer returns NaN"])
def test_nan_means_are_results_not_a_failed_search(cls, failure):
    # Every candidate's mean is NaN, yet most fits succeeded: sklearn's
    # searches warn and return; so must ours (issue 19, point 1).
    X, y = make_classification(90, random_state=0)
    FailsOnOneFold.marker = X[45, 0]  # in the training set of folds 0 and 1
    FailsOnOneFold.first_test = X[0, 0]  # ... of which fold 0 tests on X[0]
    scoring = _nan_scorer if failure == "scorer returns NaN" else None
    search = cls(
        FailsOnOneFold(),
        {"a": (0.0, 1.0)},
        cv=KFold(3),
        scoring=scoring,
        random_state=0,
        **_small(cls),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    means = search.cv_results_["mean_test_score"]
    assert len(means) >= 4
    if cls is HalvingBayesSearchCV and failure == "one fold fails":
        assert np.isnan(means[-1])  # subsamples hold the marker at full data only
    else:
        assert np.isnan(means).all()
    messages = [str(w.message) for w in caught]
    assert any("non-finite" in m for m in messages)
    if failure == "one fold fails":
        assert any(issubclass(w.category, FitFailedWarning) for w in caught)
        assert np.isfinite(search.cv_results_["split1_test_score"]).all()
    assert hasattr(search, "best_estimator_")


@pytest.mark.parametrize("cls", [*SEARCHES, HalvingBayesSearchCV])
def test_every_fit_failing_still_raises_sklearns_error(cls):
    X, y = make_classification(90, random_state=0)
    search = cls(FastClassifier(fail=True), {"a": (0.0, 1.0)}, cv=3, **_small(cls))
    with pytest.raises(ValueError, match=r"(?s)All the \d+ fits failed.*asked to fail"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X, y)


# -- Ctrl-C anywhere keeps what was evaluated (issue 19, point 2) -------------


class Interrupting(FastClassifier):
    """Sends SIGINT to itself on its ``at``-th fit (0-based; -1: the refit)."""

    fits = 0

    def __init__(self, a=0.0, b=0, c="x", fail=False, at=None, n_train=None):
        super().__init__(a=a, b=b, c=c, fail=fail)
        self.at = at
        self.n_train = n_train

    def fit(self, X, y):
        refit = len(X) == self.n_train
        if (self.at == -1 and refit) or (not refit and Interrupting.fits == self.at):
            signal.raise_signal(signal.SIGINT)
        Interrupting.fits += not refit
        return super().fit(X, y)


def _interrupt_when(monkeypatch, target, method, call_number):
    """Send SIGINT in the middle of the ``call_number``-th call of a method."""
    original = getattr(target, method)
    calls = []

    def wrapper(self, *args, **kwargs):
        calls.append(1)
        result = original(self, *args, **kwargs)
        if len(calls) == call_number:
            signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(target, method, wrapper)


def _checkpoint_callback(result):
    if len(result.x_iters) == 6:
        signal.raise_signal(signal.SIGINT)
    return False


def test_ctrl_c_in_nested_deferred_blocks_is_raised_once_they_end():
    # The engine's handler (interrupts_deferrable) holds Ctrl-C in deferred
    # blocks, nested or not, and raises it at once outside them.
    reached = []
    with interrupts_deferrable():
        with pytest.raises(KeyboardInterrupt):
            with interrupts_deferred():
                with interrupts_deferred():
                    signal.raise_signal(signal.SIGINT)
                    reached.append("inner")
                reached.append("outer")
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        with interrupts_deferred():  # nothing held over from before
            reached.append("again")
    assert reached == ["inner", "outer", "again"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_deferred_block_in_another_thread_holds_no_ctrl_c():
    # Signals reach the main thread only: a search running in a worker thread
    # (a threading backend's fit) must not hold back the main thread's Ctrl-C.
    from sksmbo._interrupts import _Held

    seen = []

    def in_a_thread():
        with interrupts_deferred():
            seen.append(_Held.depth)

    with interrupts_deferrable():
        thread = threading.Thread(target=in_a_thread)
        thread.start()
        thread.join()
    assert seen == [0]


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize("stage", ["ask", "evaluation", "tell", "callback", "refit"])
def test_ctrl_c_anywhere_keeps_every_evaluated_candidate(cls, stage, data, monkeypatch):
    from sksmbo import Optimizer

    X, y = data
    Interrupting.fits = 0
    estimator = Interrupting(n_train=len(X))
    callbacks = None
    if stage == "ask":  # the 8th ask (two in flight): six candidates are in
        _interrupt_when(monkeypatch, Optimizer, "ask", 8)
    elif stage == "evaluation":
        estimator.set_params(at=3 * 6 + 1)  # the 7th candidate's first fit (cv=3)
    elif stage == "tell":
        _interrupt_when(monkeypatch, Optimizer, "tell", 6)
    elif stage == "callback":
        callbacks = _checkpoint_callback
    else:
        estimator.set_params(at=-1)
    search = cls(
        estimator,
        {"a": (0.0, 1.0)},
        n_iter=12,
        n_points=2,
        cv=3,
        random_state=0,
        callbacks=callbacks,
        **{k: v for k, v in _small(cls).items() if k != "n_iter"},
    )
    with pytest.warns(UserWarning, match="interrupted"):
        search.fit(X, y)
    n = len(search.cv_results_["params"])
    assert n == {"ask": 6, "evaluation": 6, "tell": 6, "callback": 6}.get(stage, 12)
    optimizer = search._state.optimizers[0]
    assert len(optimizer.yi) == n  # the optimizer was told every kept candidate
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    if stage == "refit":
        assert not hasattr(search, "best_estimator_")
        assert search.scorer_ is not None
    else:
        assert search.best_estimator_.a == search.best_params_["a"]


# -- resuming a finished search refits it (issue 19, point 3) -----------------


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize("n_iter", [6, 4])  # as many, and fewer than stored
def test_resume_from_a_finished_checkpoint_refits(cls, n_iter, data, tmp_path):
    from sksmbo.callbacks import CheckpointSaver

    X, y = data
    path = tmp_path / "search.pkl"
    kwargs = {k: v for k, v in _small(cls).items() if k != "n_iter"}
    first = cls(
        Interrupting(),
        {"a": (0.0, 1.0)},
        n_iter=6,
        cv=3,
        random_state=0,
        callbacks=CheckpointSaver(path),
        **kwargs,
    )
    first.fit(X, y)
    Interrupting.fits = 0
    resumed = cls(
        Interrupting(at=0, n_train=len(X)),
        {"a": (0.0, 1.0)},
        n_iter=n_iter,
        cv=3,
        random_state=0,
        **kwargs,
    )
    resumed.fit(X, y, resume_from=path)  # a fit during the search would Ctrl-C
    assert Interrupting.fits == 0
    assert resumed.cv_results_["params"] == first.cv_results_["params"]
    np.testing.assert_allclose(
        resumed.cv_results_["mean_test_score"], first.cv_results_["mean_test_score"]
    )
    assert resumed.best_params_ == first.best_params_
    assert resumed.best_estimator_.a == first.best_params_["a"]


# -- resume refuses what changed (issue 19, point 6) --------------------------


@pytest.mark.parametrize(
    "change, match",
    [
        ({"search_spaces": {"a": (0.0, 2.0)}}, r"search_spaces has changed.*2\.0"),
        ({"search_spaces": {"b": (0, 5)}}, r"search_spaces has changed"),
        ({"estimator": Interrupting()}, r"estimator class differs.*'FastClassifier'"),
        ({"X": "other"}, r"the data differs"),
        ({"X": "shorter"}, r"the data shape differs.*\(60, 4\).*\(50, 4\)"),
    ],
)
def test_resume_refuses_a_changed_search(change, match, data, tmp_path):
    from sksmbo.callbacks import CheckpointSaver

    X, y = data
    path = tmp_path / "search.pkl"
    BayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0)},
        n_iter=3,
        n_initial_points=2,
        cv=3,
        callbacks=CheckpointSaver(path),
    ).fit(X, y)
    params = {"estimator": FastClassifier(), "search_spaces": {"a": (0.0, 1.0)}}
    params.update({k: v for k, v in change.items() if k != "X"})
    if change.get("X") == "other":
        X = X + 1.0
    elif change.get("X") == "shorter":
        X, y = X[:50], y[:50]
    search = BayesSearchCV(n_iter=6, n_initial_points=2, cv=3, **params)
    with pytest.raises(ValueError, match=match):
        search.fit(X, y, resume_from=path)


# -- pending points of an interrupted round (issue 19, point 4) ---------------


def test_warm_start_forgets_the_points_of_an_interrupted_round(data):
    X, y = data
    Interrupting.fits = 0
    search = BayesSearchCV(
        Interrupting(at=3 * 4 + 1),
        {"a": (0.0, 1.0)},
        n_iter=8,
        n_points=2,
        n_initial_points=4,
        cv=3,
        random_state=0,
        warm_start=True,
    )
    with pytest.warns(UserWarning, match="interrupted"):
        search.fit(X, y)  # the third round (candidates 5, 6) is lost
    optimizer = search._state.optimizers[0]
    assert len(optimizer.yi) == 4 and len(optimizer._pending) == 2
    search.set_params(estimator=Interrupting())
    search.fit(X, y)
    optimizer = search._state.optimizers[0]
    assert len(search.cv_results_["params"]) == 8 == len(optimizer.yi)
    assert len(optimizer._pending) == 0


# -- a worker process dying (issue 19, point 5) --------------------------------


class DiesInWorker(FastClassifier):
    """Kills its own worker process (SIGKILL, as the OOM killer does) while a
    ``marker`` file exists; ``once`` removes the file first."""

    def __init__(self, a=0.0, b=0, c="x", fail=False, marker=None, once=True):
        super().__init__(a=a, b=b, c=c, fail=fail)
        self.marker = marker
        self.once = once

    def fit(self, X, y):
        if self.marker and os.path.exists(self.marker):
            with open(self.marker) as file:
                main_pid = int(file.read())
            if main_pid != os.getpid():  # a worker, not the main process
                if self.once and not self._claim():
                    return super().fit(X, y)  # another worker died already
                os.kill(os.getpid(), signal.SIGKILL)
        return super().fit(X, y)

    def _claim(self) -> bool:
        """Whether this worker is the one to die (an atomic rename decides)."""
        try:
            os.rename(self.marker, self.marker + ".used")
            return True
        except FileNotFoundError:
            return False


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX only")
@pytest.mark.parametrize("once", [True, False])
def test_a_dead_worker_loses_at_most_one_round(once, data, tmp_path):
    X, y = data
    marker = tmp_path / "die"

    def arm_after_four_candidates(result):
        if len(result.x_iters) == 4:
            # Written whole, then renamed: a worker must never read it half
            # written (int("") failed a fit once, on scikit-learn 1.4.2).
            armed = tmp_path / "die.tmp"
            armed.write_text(str(os.getpid()))
            os.replace(armed, marker)
        return False

    # One candidate in flight: when the marker is armed nothing else is, so
    # exactly the four told candidates come back (with two in flight, the
    # fifth was kept too when its folds had all returned before the marker).
    search = BayesSearchCV(
        DiesInWorker(marker=str(marker), once=once),
        {"a": (0.0, 1.0)},
        n_iter=8,
        n_points=1,
        n_initial_points=4,
        cv=3,
        n_jobs=2,
        random_state=0,
        callbacks=arm_after_four_candidates,
    )
    with pytest.warns(UserWarning, match="worker process died") as caught:
        search.fit(X, y)
    if once:  # the round is evaluated again on a fresh pool
        assert len(search.cv_results_["params"]) == 8
    else:  # twice: the search stops with the four candidates told
        assert any("a worker died twice" in str(w.message) for w in caught)
        assert len(search.cv_results_["params"]) == 4
        marker.unlink()  # let the refit (in this process) and teardown go on
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert hasattr(search, "best_estimator_")


@pytest.mark.parametrize("stage", ["first rung", "later rung", "refit"])
def test_halving_ctrl_c_keeps_every_evaluated_candidate(stage, monkeypatch):
    X, y = make_classification(300, random_state=0)
    Interrupting.fits = 0
    # The first rung: 9 candidates x 3 folds, two in flight (the model steers
    # after n_startup), one worker: the 11th fit is the fourth candidate's
    # second, after three were told. The second rung: 3 candidates.
    estimator = Interrupting(
        at={"first rung": 10, "later rung": 29, "refit": -1}[stage], n_train=len(X)
    )
    search = HalvingBayesSearchCV(
        estimator,
        {"a": (0.0, 1.0)},
        n_candidates=9,
        min_resources=100,
        cv=3,
        n_startup=3,
        random_state=0,
    )
    with pytest.warns(UserWarning, match="interrupted"):
        search.fit(X, y)
    n = len(search.cv_results_["params"])
    assert n == {"first rung": 3, "later rung": 9, "refit": 12}[stage]
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    assert np.isfinite(search.best_score_)
    assert hasattr(search, "best_estimator_") == (stage != "refit")


def test_a_failing_callback_stops_the_search_with_its_results(data):
    X, y = data

    def disk_full(result):
        if len(result.x_iters) >= 4:
            raise OSError("No space left on device")

    search = BayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0)},
        n_iter=10,
        n_points=2,
        n_initial_points=4,
        cv=3,
        callbacks=disk_full,
        random_state=0,
    )
    with pytest.warns(UserWarning, match=r"raised OSError: No space left.*4 cand"):
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 5  # and the one in flight
    assert hasattr(search, "best_estimator_")
