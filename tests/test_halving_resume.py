"""HalvingBayesSearchCV resumes: nothing evaluated twice, the same search as one run.

A search stopped anywhere (Ctrl-C, a callback, ``max_time``) and resumed, from
a checkpoint or with ``warm_start``, gives the ``cv_results_`` and schedule
attributes of the uninterrupted search with the same ``random_state``, and
makes exactly the fits the uninterrupted one had left to make.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sksmbo import BayesSearchCV, HalvingBayesSearchCV
from sksmbo.callbacks import CheckpointSaver, load
from tests.conftest import FastClassifier

SPACE = {"a": (0.0, 1.0), "b": (0, 10), "c": ["x", "y"]}
CV = 2


class Recording(FastClassifier):
    """Logs every fit (parameters, training rows); Ctrl-C at fit ``interrupt_at``."""

    log: list = []
    interrupt_at = None

    def fit(self, X, y):
        X = np.asarray(X)
        Recording.log.append((self.a, self.b, self.c, len(X), float(X[:3].sum())))
        if len(Recording.log) == Recording.interrupt_at:
            raise KeyboardInterrupt
        return super().fit(X, y)


@pytest.fixture(autouse=True)
def reset_log():
    Recording.log, Recording.interrupt_at = [], None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The first iteration trains")
        yield


@pytest.fixture(scope="module")
def big_data():
    return make_classification(n_samples=400, n_features=6, random_state=0)


# One bracket from the design (the default), a first rung the model steers
# (n_startup: 2 candidates in flight), and a Hyperband bracket it proposes.
SETTINGS = {
    "design": {},
    "model": {"n_startup": 3, "n_candidates": 12},
    "brackets": {"brackets": 2},
}


def make(setting="design", **kwargs):
    kwargs = {
        "n_candidates": 9, "min_resources": 40, "cv": CV, "random_state": 0,
        **SETTINGS[setting], **kwargs,
    }  # fmt: skip
    return HalvingBayesSearchCV(Recording(), SPACE, **kwargs)


def summary(search):
    results = search.cv_results_
    return {
        "params": results["params"],
        "scores": list(results["mean_test_score"]),
        "iter": list(results["iter"]),
        "n_resources": list(results["n_resources"]),
        **{
            name: getattr(search, name)
            for name in (
                "n_candidates_", "n_resources_", "n_iterations_", "brackets_",
                "n_remaining_candidates_", "best_params_", "best_index_",
            )
        },
    }  # fmt: skip


def uninterrupted(X, y, setting="design", **kwargs):
    search = make(setting, **kwargs).fit(X, y)
    fits = Recording.log
    Recording.log = []
    return search, fits


def assert_continues(resumed, full, full_fits, n_kept):
    """The resumed search is the uninterrupted one, and made only the fits left."""
    assert summary(resumed) == summary(full)
    # Fits run candidate by candidate on one worker; the last one is the refit.
    assert Recording.log[:-1] == full_fits[n_kept * CV : -1]


@pytest.mark.parametrize(
    "setting, interrupt_at",
    [
        ("design", 5),  # first rung: candidate 2 of 9
        ("design", 21),  # second rung
        ("model", 13),  # model-steered rung, a candidate told before its turn
        ("brackets", 30),  # the second bracket's first rung
    ],
)
def test_ctrl_c_then_resume_from_checkpoint_is_the_uninterrupted_search(
    setting, interrupt_at, big_data, tmp_path
):
    X, y = big_data
    full, full_fits = uninterrupted(X, y, setting)
    path = tmp_path / "search.pkl"
    Recording.interrupt_at = interrupt_at
    with pytest.warns(UserWarning, match="Search interrupted after"):
        stopped = make(setting, callbacks=CheckpointSaver(path)).fit(X, y)
    # Ctrl-C keeps what was evaluated: a fitted search over it.
    n_kept = len(stopped.cv_results_["params"])
    assert 0 < n_kept == sum(stopped.n_candidates_)
    assert n_kept * CV < interrupt_at
    assert stopped.best_params_ == stopped.cv_results_["params"][stopped.best_index_]
    Recording.log, Recording.interrupt_at = [], None
    resumed = make(setting).fit(X, y, resume_from=str(path))
    assert_continues(resumed, full, full_fits, n_kept)


def test_ctrl_c_then_warm_start_continues_in_memory(big_data):
    X, y = big_data
    full, full_fits = uninterrupted(X, y, "model")
    Recording.interrupt_at = 13
    search = make("model", warm_start=True)
    with pytest.warns(UserWarning, match="Search interrupted after 6 evaluations"):
        search.fit(X, y)
    assert search.n_candidates_ == [6] and search.n_iterations_ == 1
    Recording.log, Recording.interrupt_at = [], None
    search.fit(X, y)
    assert_continues(search, full, full_fits, 6)


@pytest.mark.parametrize("setting, stop_after", [("model", 7), ("brackets", 15)])
def test_stopped_by_a_callback_then_resumed_from_its_result(
    setting, stop_after, big_data
):
    X, y = big_data
    full, full_fits = uninterrupted(X, y, setting)
    results = []

    def stop(result):
        results.append(result)
        return len(results) == stop_after

    stopped = make(setting, callbacks=stop).fit(X, y)
    # The candidates in flight are finished: more than stop_after are kept.
    n_kept = len(stopped.cv_results_["params"])
    assert n_kept >= stop_after
    Recording.log = []
    resumed = make(setting).fit(X, y, resume_from=results[-1])
    assert_continues(resumed, full, full_fits, n_kept)


def test_warm_start_continues_after_max_time(big_data):
    X, y = big_data
    full, _ = uninterrupted(X, y, "brackets")
    search = make("brackets", warm_start=True, max_time=1e-9)
    sizes = []
    for _ in range(20):
        search.fit(X, y)
        sizes.append(len(search.cv_results_["params"]))
        if sizes[-1] == len(full.cv_results_["params"]):
            break
    assert sizes[0] < sizes[1] < sizes[-1]
    assert summary(search) == summary(full)
    # The search is complete: a further fit fits nothing, not even a refit.
    n_fits = len(Recording.log)
    search.set_params(max_time=None).fit(X, y)
    assert len(Recording.log) == n_fits


def test_warm_start_with_more_brackets_adds_brackets(big_data):
    X, y = big_data
    search = make(warm_start=True).fit(X, y)
    first = summary(search)
    assert first["brackets_"] == [(0, 3)]
    n_fits = len(Recording.log)
    search.set_params(brackets=2).fit(X, y)
    # The first bracket is kept as it was, not evaluated again.
    assert search.brackets_ == [(0, 3), (3, 2)]
    assert search.cv_results_["params"][:13] == first["params"]
    assert search.n_candidates_[:3] == first["n_candidates_"]
    assert len(Recording.log) - n_fits == (sum(search.n_candidates_) - 13) * CV + 1
    assert set(search.cv_results_["bracket"]) == {0, 1}
    # As the search that had two brackets from the start.
    full, _ = uninterrupted(X, y, "brackets")
    assert summary(search) == summary(full)


def test_resuming_a_finished_search_refits_without_evaluating(big_data, tmp_path):
    X, y = big_data
    path = tmp_path / "search.pkl"
    full = make(callbacks=CheckpointSaver(path)).fit(X, y)
    Recording.log = []
    resumed = make().fit(X, y, resume_from=path)
    assert len(Recording.log) == 1  # the refit
    assert summary(resumed) == summary(full)
    assert len(load(path).search_state.candidates) == 13


@pytest.mark.parametrize(
    "change, message",
    [
        ({"factor": 2}, r"factor differs .* \(3 then, 2 now\)"),
        ({"n_candidates": 10}, r"n_candidates differs .* \(9 then, 10 now\)"),
        ({"min_resources": 50}, r"min_resources_ differs .* \(40 then, 50 now\)"),
        ({"cv": 3}, "stopped with 2 CV splits, cv now gives 3"),
    ],
)
def test_a_changed_schedule_or_cv_is_refused_before_any_fit(
    change, message, big_data, tmp_path
):
    X, y = big_data
    path = tmp_path / "search.pkl"
    make(callbacks=[CheckpointSaver(path), lambda r: True]).fit(X, y)
    Recording.log = []
    with pytest.raises(ValueError, match=message):
        make(**change).fit(X, y, resume_from=path)
    assert Recording.log == []


def test_changed_data_estimator_or_space_is_refused(big_data, tmp_path):
    X, y = big_data
    path = tmp_path / "search.pkl"
    make(callbacks=[CheckpointSaver(path), lambda r: True]).fit(X, y)
    with pytest.raises(ValueError, match=r"data shape differs .*\(400, 6\) then"):
        make().fit(X[:300], y[:300], resume_from=path)
    with pytest.raises(ValueError, match="data differs"):
        make().fit(X + 1, y, resume_from=path)
    other = make().set_params(search_spaces={"a": (0.0, 2.0)})
    with pytest.raises(ValueError, match="search_spaces has changed"):
        other.fit(X, y, resume_from=path)
    other = make().set_params(estimator=FastClassifier())
    with pytest.raises(ValueError, match="estimator class differs"):
        other.fit(X, y, resume_from=path)


def test_other_searches_checkpoints_are_refused(big_data, tmp_path):
    X, y = big_data
    path = tmp_path / "bayes.pkl"
    BayesSearchCV(
        FastClassifier(), SPACE, n_iter=2, cv=2, callbacks=CheckpointSaver(path)
    ).fit(X, y)
    with pytest.raises(ValueError, match="not of HalvingBayesSearchCV"):
        make().fit(X, y, resume_from=path)
    with pytest.raises(TypeError, match="'resume_from' parameter"):
        make().fit(X, y, resume_from=42)
    halving = tmp_path / "halving.pkl"
    make(callbacks=[CheckpointSaver(halving), lambda r: True]).fit(X, y)
    with pytest.raises(ValueError, match="HalvingBayesSearchCV, not of BayesSearchCV"):
        BayesSearchCV(FastClassifier(), SPACE, n_iter=2, cv=2).fit(
            X, y, resume_from=halving
        )
