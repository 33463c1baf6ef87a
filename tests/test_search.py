"""Behaviour shared by every search estimator, checked against sklearn's own."""

import warnings

import numpy as np
import pytest
from scipy.stats import loguniform, randint
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksmbo import BayesSearchCV, QuasiRandomSearchCV, TPESearchCV
from tests.conftest import FastClassifier

SEARCHES = [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV]
# A short initial design, so that small test budgets reach the model phase.
SHORT_DESIGN = {BayesSearchCV: {"n_initial_points": 3}, TPESearchCV: {"n_startup": 3}}


def make_search(cls, estimator, spaces, **kwargs):
    kwargs.setdefault("cv", 3)
    kwargs.setdefault("random_state", 0)
    return cls(estimator, spaces, **{**SHORT_DESIGN.get(cls, {}), **kwargs})


PIPE = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
SPACES = {
    "dict with distributions": {
        "clf__C": loguniform(1e-2, 1e2),
        "clf__gamma": loguniform(1e-3, 1e0),
        "clf__kernel": ["rbf", "linear"],
        "clf__max_iter": randint(50, 200),
    },
    "estimators as categories": {
        "clf": [SVC(), LogisticRegression()],
        "clf__C": [0.1, 1.0, 10.0],
        "scale": [StandardScaler(), "passthrough"],
    },
    "list of dicts": [
        {"clf": [SVC()], "clf__C": loguniform(1e-2, 1e2), "clf__kernel": ["rbf"]},
        {"clf": [LogisticRegression()], "clf__C": [0.1, 1.0, 10.0]},
    ],
}


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize("spaces", SPACES.values(), ids=SPACES.keys())
def test_accepts_what_randomized_search_accepts(cls, spaces, data):
    X, y = data
    ours = make_search(cls, PIPE, spaces, n_iter=6, return_train_score=True).fit(X, y)
    theirs = RandomizedSearchCV(
        PIPE, spaces, n_iter=6, cv=3, random_state=0, return_train_score=True
    ).fit(X, y)
    assert sorted(ours.cv_results_) == sorted(theirs.cv_results_)
    assert len(ours.cv_results_["params"]) == 6
    assert ours.best_score_ == np.max(ours.cv_results_["mean_test_score"])
    assert ours.best_estimator_.predict(X).shape == y.shape


@pytest.mark.parametrize("cls", SEARCHES)
def test_subspace_params_never_leak(cls, data):
    X, y = data
    search = make_search(cls, PIPE, SPACES["list of dicts"], n_iter=8).fit(X, y)
    for params in search.cv_results_["params"]:
        expected = {"clf", "clf__C"} | (
            {"clf__kernel"} if isinstance(params["clf"], SVC) else set()
        )
        assert set(params) == expected


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize("n_points", [1, 3])
def test_failing_candidates_never_abort_the_search(cls, n_points, data):
    X, y = data
    search = make_search(
        cls,
        FastClassifier(),
        {"fail": [True, False], "a": (0.0, 1.0)},
        n_iter=6,
        n_points=n_points,
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    failed = np.array([p["fail"] for p in search.cv_results_["params"]])
    assert len(scores) == 6 and failed.any() and not failed.all()
    assert np.isnan(scores[failed]).all() and np.isfinite(scores[~failed]).all()
    assert search.best_params_["fail"] is False


@pytest.mark.parametrize("cls", SEARCHES)
def test_non_finite_warning_once_per_search(cls, data):
    X, y = data
    search = make_search(
        cls,
        FastClassifier(),
        {"fail": [True, False], "a": (0.0, 1.0)},
        n_iter=6,
        n_points=1,
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        search.fit(X, y)
    non_finite = [w for w in record if "non-finite" in str(w.message)]
    assert len(non_finite) == 1


@pytest.mark.parametrize("cls", SEARCHES)
def test_all_fits_failing_raises_sklearns_error(cls, data):
    X, y = data
    search = make_search(
        cls, FastClassifier(fail=True), {"a": (0.0, 1.0)}, n_iter=3, n_points=1
    )
    with pytest.raises(ValueError, match="All the 9 fits failed"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitFailedWarning)
            search.fit(X, y)


@pytest.mark.parametrize("cls", SEARCHES)
def test_error_score_raise(cls, data):
    X, y = data
    search = make_search(
        cls, FastClassifier(fail=True), {"a": (0.0, 1.0)}, n_iter=2, error_score="raise"
    )
    with pytest.raises(ValueError, match="asked to fail"):
        search.fit(X, y)


@pytest.mark.parametrize("cls", SEARCHES)
def test_reproducible_across_n_jobs(cls, data):
    X, y = data
    spaces = {"a": (0.0, 1.0), "b": (0, 10), "c": ["x", "y"]}
    runs = [
        make_search(
            cls, FastClassifier(), spaces, n_iter=8, n_points=2, n_jobs=n_jobs
        ).fit(X, y)
        for n_jobs in (1, 2, 1)
    ]
    params = [r.cv_results_["params"] for r in runs]
    assert params[0] == params[1] == params[2]
    np.testing.assert_array_equal(
        runs[0].cv_results_["mean_test_score"], runs[1].cv_results_["mean_test_score"]
    )
    other = make_search(cls, FastClassifier(), spaces, n_iter=8, random_state=1).fit(
        X, y
    )
    assert other.cv_results_["params"] != params[0]


@pytest.mark.parametrize("cls", SEARCHES)
def test_exhausted_finite_space_warns_and_stops(cls, data):
    X, y = data
    search = make_search(
        cls, FastClassifier(), {"b": [1, 2], "c": ["x", "y"]}, n_iter=10
    )
    with pytest.warns(UserWarning, match="only 4 distinct points"):
        search.fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 4 and len({(p["b"], p["c"]) for p in params}) == 4


@pytest.mark.parametrize("cls", SEARCHES)
def test_callback_returning_true_stops(cls, data):
    X, y = data
    seen = []

    def stop_after_two_rounds(result):
        seen.append(len(result.x_iters))
        return len(seen) == 2

    search = make_search(
        cls, FastClassifier(), {"a": (0.0, 1.0)}, n_iter=10, n_points=2
    )
    search.fit(X, y, callback=stop_after_two_rounds)
    assert seen == [2, 4] and len(search.cv_results_["params"]) == 4
    with pytest.raises(TypeError, match="'callback' parameter must be callable"):
        search.fit(X, y, callback="stop")


@pytest.mark.parametrize("cls", SEARCHES)
def test_skopt_pairs_run_one_search_each(cls, data):
    X, y = data
    spaces = [({"a": (0.0, 1.0)}, 3), ({"b": (0, 10)}, 2), {"c": ["x", "y"]}]
    search = make_search(cls, FastClassifier(), spaces, n_iter=2).fit(X, y)
    assert search.total_iterations == 7
    names = [tuple(p) for p in search.cv_results_["params"]]
    assert names == [("a",)] * 3 + [("b",)] * 2 + [("c",)] * 2
    assert len(search.optimizer_results_) == 3


class CountingClassifier(FastClassifier):
    n_fits = 0

    def fit(self, X, y):
        CountingClassifier.n_fits += 1
        return super().fit(X, y)


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize(
    "spaces, kwargs, error, match",
    [
        (
            {"nope": [1, 2]},
            {},
            ValueError,
            r"Invalid parameter 'nope'.*"
            r"Valid parameters are: \['a', 'b', 'c', 'fail'\]",
        ),
        ({"a": (1.0, 0.0)}, {}, ValueError, r"'a'.*low < high"),
        ({}, {}, ValueError, r"empty"),
        ("a", {}, ValueError, r"search_spaces"),
        ({"a": (0.0, 1.0)}, {"n_iter": 0}, ValueError, r"'n_iter' parameter.*Got 0"),
        (
            {"a": (0.0, 1.0)},
            {"n_points": 0},
            ValueError,
            r"'n_points' parameter.*Got 0",
        ),
        ([({"a": (0.0, 1.0)}, 0)], {}, ValueError, r"n_iter must be an int >= 1"),
    ],
)
def test_bad_input_before_any_fit(cls, spaces, kwargs, error, match, data):
    X, y = data
    CountingClassifier.n_fits = 0
    with pytest.raises(error, match=match):
        make_search(cls, CountingClassifier(), spaces, **kwargs).fit(X, y)
    assert CountingClassifier.n_fits == 0


def test_param_of_searched_step_is_valid(data):
    X, y = data
    pipe = Pipeline([("clf", SVC())])
    spaces = {"clf": [LogisticRegression()], "clf__tol": [1e-4, 1e-3]}
    search = QuasiRandomSearchCV(pipe, spaces, n_iter=2, cv=2).fit(X, y)
    assert {p["clf__tol"] for p in search.cv_results_["params"]} == {1e-4, 1e-3}


class TaskRecorder:
    """A minimal sklearn (>= 1.9) fit callback recording the task tree."""

    def __init__(self):
        self.ended = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.ended.append(context.task_name)


@pytest.mark.parametrize("cls", SEARCHES)
def test_sklearn_callbacks_see_one_search_task(cls, data):
    pytest.importorskip("sklearn.callback")
    X, y = data
    recorder = TaskRecorder()
    search = make_search(cls, FastClassifier(), {"a": (0.0, 1.0)}, n_iter=4, n_points=2)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not support callbacks")
        search.set_callbacks(recorder).fit(X, y)
    assert recorder.ended.count("search") == 1
    # As in RandomizedSearchCV: evaluations of every round hang directly under
    # the search task (no level per round), numbered without collisions.
    assert "round" not in recorder.ended
    assert recorder.ended.count("candidate-split-evaluation") == 4 * 3
