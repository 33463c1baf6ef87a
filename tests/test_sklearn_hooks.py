"""The hooks into scikit-learn's internals: scoped, thread-safe, loud when moved.

What each hook does is tested where the behaviour lives: failed rounds in
test_search.py, replay in test_stop_resume.py, retry in test_reliability.py,
warm starts in test_halving.py (``test_survivors_continue_their_fits`` counts
the continued fits, so a hook that silently stopped working fails it).
"""

import threading

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import RandomizedSearchCV
from sklearn.model_selection import _search as sklearn_search

from sksmbo import (
    BayesSearchCV,
    HalvingBayesSearchCV,
    QuasiRandomSearchCV,
    TPESearchCV,
)
from sksmbo import _sklearn_hooks as hooks
from tests.conftest import FastClassifier

SPACE = {"a": (0.0, 1.0), "b": (0, 6), "c": ["x", "y"]}


def module_state():
    """Every attribute of sklearn's search module, by identity.

    Less ``__warningregistry__``, which Python's warnings adds to the module
    a warning is raised from.
    """
    return {
        name: id(value)
        for name, value in vars(sklearn_search).items()
        if name != "__warningregistry__"
    }


def searches():
    small = {"cv": 2, "random_state": 0}
    return [
        BayesSearchCV(FastClassifier(), SPACE, n_iter=5, n_points=2, **small),
        TPESearchCV(FastClassifier(), SPACE, n_iter=5, **small),
        QuasiRandomSearchCV(FastClassifier(), SPACE, n_iter=5, **small),
        HalvingBayesSearchCV(FastClassifier(), SPACE, min_resources=20, **small),
    ]


@pytest.mark.parametrize("search", searches(), ids=lambda s: type(s).__name__)
def test_sklearn_is_as_before_after_a_search(search, data):
    X, y = data
    before = module_state()
    search.fit(X, y)
    assert module_state() == before


def test_sklearn_is_as_before_after_a_warm_started_halving_search():
    X, y = make_classification(n_samples=300, random_state=0)
    before = module_state()
    HalvingBayesSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_depth": (1, 8)},
        resource="n_estimators",
        max_resources=9,
        min_resources=3,
        warm_start_survivors=True,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert module_state() == before


def test_sklearn_is_as_before_after_a_failing_search(data):
    X, y = data
    before = module_state()
    search = TPESearchCV(FastClassifier(fail=True), SPACE, n_iter=3, cv=2)
    with pytest.raises(ValueError, match="fits failed"):
        search.fit(X, y)
    assert module_state() == before


def test_sklearn_is_as_before_after_ctrl_c(data):
    X, y = data
    before = module_state()

    def interrupt(*args):
        raise KeyboardInterrupt

    # Ctrl-C before anything is evaluated (in the first proposal) propagates.
    search = BayesSearchCV(
        FastClassifier(), SPACE, n_iter=4, n_points=1, cv=2, constraints=interrupt
    )
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    assert module_state() == before
    # Later, the search returns with its results.
    search = BayesSearchCV(FastClassifier(), SPACE, n_iter=4, n_points=1, cv=2)
    with pytest.warns(UserWarning, match="interrupted"):
        search.fit(X, y, callback=lambda r: len(r.x_iters) == 2 and interrupt())
    assert module_state() == before


def test_a_plain_sklearn_search_during_an_sksmbo_search_is_untouched(data):
    """In another thread the hooks behave as sklearn: all-failed raises."""
    X, y = data
    started, finish = threading.Event(), threading.Event()
    errors = []

    def hold(result):
        started.set()
        finish.wait(timeout=30)
        return True

    def sksmbo_search():
        try:
            TPESearchCV(FastClassifier(), SPACE, n_iter=4, cv=2).fit(
                X, y, callback=hold
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=sksmbo_search)
    thread.start()
    try:
        assert started.wait(timeout=30)
        assert sklearn_search.Parallel is hooks._SearchParallel  # installed now
        plain = RandomizedSearchCV(
            FastClassifier(fail=True), {"a": [0.1, 0.2]}, n_iter=2, cv=2
        )
        with pytest.raises(ValueError, match="All the 4 fits failed"):
            plain.fit(X, y)
    finally:
        finish.set()
        thread.join()
    assert not errors


def fit_results(make_search, X, y):
    search = make_search().fit(X, y)
    return search.cv_results_["params"], search.cv_results_["mean_test_score"]


def test_two_searches_in_two_threads_match_one_after_the_other(data):
    X, y = data
    makers = [
        lambda: BayesSearchCV(
            FastClassifier(), SPACE, n_iter=12, n_points=1, cv=2, random_state=0
        ),
        # Failing fits in one thread must not change what the other sees.
        lambda: TPESearchCV(
            FastClassifier(),
            {**SPACE, "fail": [True, False]},
            n_iter=30,
            cv=2,
            random_state=1,
        ),
    ]
    sequential = [fit_results(make, X, y) for make in makers]
    threaded = [None, None]

    def run(i):
        threaded[i] = fit_results(makers[i], X, y)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for (params, scores), (t_params, t_scores) in zip(
        sequential, threaded, strict=True
    ):
        assert t_params == params
        np.testing.assert_array_equal(t_scores, scores)


@pytest.mark.parametrize(
    "name, replacement, message",
    [
        ("Parallel", object, "Parallel is not sklearn.utils.parallel.Parallel"),
        ("clone", lambda estimator, safe=True: estimator, "clone is not sklearn"),
        ("_fit_and_score", lambda *a, **k: None, "_fit_and_score is not a function"),
        (
            "_warn_or_raise_about_fit_failures",
            lambda failures: None,
            "_warn_or_raise_about_fit_failures is not a function",
        ),
        ("_fit_and_score", None, "_fit_and_score is missing"),
    ],
)
def test_a_moved_seam_fails_loudly_before_any_fit(
    data, monkeypatch, name, replacement, message
):
    X, y = data
    if replacement is None:
        monkeypatch.delattr(sklearn_search, name)
    else:
        monkeypatch.setattr(sklearn_search, name, replacement)
    with pytest.raises(RuntimeError, match=f"does not support scikit-learn.*{message}"):
        TPESearchCV(FastClassifier(), SPACE, n_iter=2, cv=2).fit(X, y)


def test_warm_starts_outside_a_search_fail_loudly():
    with pytest.raises(RuntimeError, match="did not clone the search's estimator"):
        with hooks.warm_started_fits(cache=object()):
            pass


def test_a_moved_joblib_seam_fails_loudly_before_any_fit(data, monkeypatch):
    from joblib.parallel import ParallelBackendBase

    monkeypatch.delattr(ParallelBackendBase, "retrieve_result_callback")
    with pytest.raises(RuntimeError, match="no retrieve_result_callback"):
        TPESearchCV(FastClassifier(), SPACE, n_iter=2, cv=2).fit(*data)


def test_fits_run_outside_the_parallel_seam_fail_loudly(data, monkeypatch):
    """If sklearn's Parallel stopped handing its tasks to joblib's, the engine
    could not take them: the search must say so, not fit in the dark."""
    from sklearn.utils.parallel import Parallel

    def run_here(self, iterable):
        return [function(*args, **kwargs) for function, args, kwargs in iterable]

    monkeypatch.setattr(Parallel, "__call__", run_here)
    with pytest.raises(RuntimeError, match="did not run its fits through"):
        TPESearchCV(FastClassifier(), SPACE, n_iter=2, cv=2).fit(*data)
