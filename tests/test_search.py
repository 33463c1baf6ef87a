"""Behaviour shared by every search estimator, checked against sklearn's own.

Each behaviour a user of ``GridSearchCV`` relies on is checked on every search
and, where the answer is sklearn's, against ``RandomizedSearchCV`` /
``HalvingRandomSearchCV`` on the same input. sklearn's estimator checks are in
``test_sklearn_compat.py``, invalid arguments in ``test_bad_input.py``.
"""

import pickle
import re
import warnings

import numpy as np
import pytest
import sklearn
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import (
    GroupKFold,
    HalvingRandomSearchCV,
    KFold,
    RandomizedSearchCV,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils import estimator_html_repr

from sksmbo import BayesSearchCV, HalvingBayesSearchCV, QuasiRandomSearchCV, TPESearchCV
from tests.conftest import FastClassifier

SMBO = [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV]
SEARCHES = [*SMBO, HalvingBayesSearchCV]
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


@pytest.mark.parametrize("cls", SMBO)
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


@pytest.mark.parametrize("cls", SMBO)
def test_subspace_params_never_leak(cls, data):
    X, y = data
    search = make_search(cls, PIPE, SPACES["list of dicts"], n_iter=8).fit(X, y)
    for params in search.cv_results_["params"]:
        expected = {"clf", "clf__C"} | (
            {"clf__kernel"} if isinstance(params["clf"], SVC) else set()
        )
        assert set(params) == expected


@pytest.mark.parametrize("cls", SMBO)
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


@pytest.mark.parametrize("cls", SMBO)
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


@pytest.mark.parametrize("cls", SMBO)
def test_callback_returning_true_stops(cls, data):
    X, y = data
    seen = []

    def stop_after_two(result):
        seen.append(len(result.x_iters))
        return len(seen) == 2

    search = make_search(
        cls, FastClassifier(), {"a": (0.0, 1.0)}, n_iter=10, n_points=2
    )
    search.fit(X, y, callback=stop_after_two)
    # The candidate in flight when the second stopped the search is kept.
    assert seen == [1, 2, 3] and len(search.cv_results_["params"]) == 3
    with pytest.raises(TypeError, match="'callback' parameter must be callable"):
        search.fit(X, y, callback="stop")


@pytest.mark.parametrize("cls", SMBO)
def test_skopt_pairs_run_one_search_each(cls, data):
    X, y = data
    spaces = [({"a": (0.0, 1.0)}, 3), ({"b": (0, 10)}, 2), {"c": ["x", "y"]}]
    search = make_search(cls, FastClassifier(), spaces, n_iter=2).fit(X, y)
    assert search.total_iterations == 7
    names = [tuple(p) for p in search.cv_results_["params"]]
    assert names == [("a",)] * 3 + [("b",)] * 2 + [("c",)] * 2
    assert len(search.optimizer_results_) == 3


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


@pytest.mark.parametrize("cls", SMBO)
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


# =============================================================================
# Over the four searches, against sklearn's answer where there is one
# =============================================================================

N_SAMPLES = 120


@pytest.fixture
def xy():
    """Enough samples that halving's first rung (40) is not mostly noise."""
    return make_classification(n_samples=N_SAMPLES, n_features=4, random_state=0)


def budget(cls, n):
    """Arguments that make ``cls`` evaluate ``n`` first candidates."""
    return {"n_candidates": n} if cls is HalvingBayesSearchCV else {"n_iter": n}


def make(cls, estimator, spaces, **kwargs):
    """A small, seeded search whose model phase starts after two candidates.

    Halving runs two iterations: 6 candidates on 40 samples, 2 on 120.
    """
    defaults = {
        BayesSearchCV: dict(n_iter=6, n_initial_points=2),
        TPESearchCV: dict(n_iter=6, n_startup=2),
        QuasiRandomSearchCV: dict(n_iter=6),
        HalvingBayesSearchCV: dict(n_candidates=6, min_resources=40, n_startup=2),
    }
    return cls(
        estimator, spaces, **{"cv": 3, "random_state": 0, **defaults[cls], **kwargs}
    )


def reference(cls, estimator, spaces, **kwargs):
    """sklearn's search for the same arguments (its answer is the expected one)."""
    kwargs = {"cv": 3, "random_state": 0, **kwargs}
    if cls is HalvingBayesSearchCV:
        return HalvingRandomSearchCV(
            estimator, spaces, **{"n_candidates": 6, "min_resources": 40, **kwargs}
        )
    return RandomizedSearchCV(estimator, spaces, **{"n_iter": 6, **kwargs})


def raised(fit):
    """The exception ``fit()`` raises (the test fails if it raises none)."""
    with pytest.raises(Exception) as info:
        fit()
    return info.value


def same_error(ours, theirs):
    """Same type and message, up to the class names."""
    names = r"\b(Halving)?(Bayes|TPE|QuasiRandom|Random|Randomized)SearchCV\b"
    assert type(ours) is type(theirs)
    assert re.sub(names, "Search", str(ours)) == re.sub(names, "Search", str(theirs))


def objective(search) -> np.ndarray:
    """The scores the optimizer was told (skopt's results hold them negated)."""
    return -np.concatenate([r.func_vals for r in search.optimizer_results_])


LOGREG = LogisticRegression()
C_SPACE = {"C": loguniform(1e-2, 1e2)}
FAST_SPACE = {"a": (0.0, 1.0), "b": (0, 10), "c": ["x", "y"]}
TIMING = ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time")


def assert_same_results(results, other):
    """cv_results_ equal except for the timing columns."""
    assert sorted(results) == sorted(other)
    for key in results:
        if key in TIMING:
            continue
        if key == "params":
            assert results[key] == other[key]
        else:
            np.testing.assert_array_equal(
                np.asarray(results[key]), np.asarray(other[key]), err_msg=key
            )


# -- refit ---------------------------------------------------------------


@pytest.mark.parametrize("cls", SEARCHES)
def test_refit_true_and_false(cls, xy):
    X, y = xy
    search = make(cls, LOGREG, C_SPACE).fit(X, y)
    results = search.cv_results_
    assert search.best_params_ == results["params"][search.best_index_]
    assert search.best_score_ == results["mean_test_score"][search.best_index_]
    assert search.best_estimator_.get_params()["C"] == search.best_params_["C"]
    assert search.refit_time_ >= 0

    search = make(cls, LOGREG, C_SPACE, refit=False).fit(X, y)
    theirs = reference(cls, LOGREG, C_SPACE, refit=False).fit(X, y)
    for name in ("best_estimator_", "best_params_", "best_score_", "refit_time_"):
        assert hasattr(search, name) == hasattr(theirs, name), name
    assert not hasattr(search, "predict")
    same_error(raised(lambda: search.predict(X)), raised(lambda: theirs.predict(X)))


@pytest.mark.parametrize("cls", SEARCHES)
def test_refit_callable(cls, xy):
    """sklearn's rule: refit picks best_index_ (halving ignores it, as sklearn)."""
    X, y = xy

    def worst(results):
        return int(np.nanargmin(results["mean_test_score"]))

    ours = make(cls, LOGREG, C_SPACE, refit=worst).fit(X, y)
    theirs = reference(cls, LOGREG, C_SPACE, refit=worst).fit(X, y)
    assert (ours.best_index_ == worst(ours.cv_results_)) == (
        theirs.best_index_ == worst(theirs.cv_results_)
    )
    assert hasattr(ours, "best_score_") == hasattr(theirs, "best_score_")
    assert ours.best_estimator_.C == ours.cv_results_["params"][ours.best_index_]["C"]


def _score_dict(estimator, X, y):
    y_pred = estimator.predict(X)
    return {"acc": accuracy_score(y, y_pred), "ones": float(np.mean(y_pred == 1))}


MULTIMETRIC = {
    "list": (["accuracy", "balanced_accuracy"], "balanced_accuracy"),
    "dict": ({"acc": "accuracy", "bal": "balanced_accuracy"}, "bal"),
    "callable": (_score_dict, "ones"),
}


@pytest.mark.parametrize("cls", SMBO)
@pytest.mark.parametrize("kind", MULTIMETRIC)
def test_multimetric_refit_by_name(cls, kind, xy):
    """Every metric is in cv_results_; the refit metric is the one optimized."""
    X, y = xy
    scoring, refit = MULTIMETRIC[kind]
    ours = make(cls, LOGREG, C_SPACE, scoring=scoring, refit=refit).fit(X, y)
    theirs = reference(cls, LOGREG, C_SPACE, scoring=scoring, refit=refit).fit(X, y)
    assert sorted(ours.cv_results_) == sorted(theirs.cv_results_)
    assert ours.multimetric_ and theirs.multimetric_
    assert type(ours.scorer_) is type(theirs.scorer_)
    mean = ours.cv_results_[f"mean_test_{refit}"]
    assert ours.best_score_ == mean[ours.best_index_] == np.max(mean)
    np.testing.assert_array_equal(objective(ours), mean)


@pytest.mark.parametrize("cls", SMBO)
@pytest.mark.parametrize("kind", MULTIMETRIC)
def test_multimetric_refit_false_optimizes_first_metric(cls, kind, xy):
    X, y = xy
    scoring, _ = MULTIMETRIC[kind]
    ours = make(cls, LOGREG, C_SPACE, scoring=scoring, refit=False).fit(X, y)
    theirs = reference(cls, LOGREG, C_SPACE, scoring=scoring, refit=False).fit(X, y)
    assert sorted(ours.cv_results_) == sorted(theirs.cv_results_)
    assert not hasattr(ours, "best_index_") and not hasattr(theirs, "best_index_")
    first = "acc" if kind == "callable" else list(scoring)[0]
    np.testing.assert_array_equal(
        objective(ours), ours.cv_results_[f"mean_test_{first}"]
    )


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize("kind", MULTIMETRIC)
def test_multimetric_errors_are_sklearns(cls, kind, xy):
    """refit=True with several metrics; halving takes a single metric only."""
    X, y = xy
    scoring, refit = MULTIMETRIC[kind]
    if cls is not HalvingBayesSearchCV:
        refit = True  # ambiguous with several metrics: sklearn's error
    ours = make(cls, LOGREG, C_SPACE, scoring=scoring, refit=refit)
    theirs = reference(cls, LOGREG, C_SPACE, scoring=scoring, refit=refit)
    same_error(raised(lambda: ours.fit(X, y)), raised(lambda: theirs.fit(X, y)))


# -- scores and failures ------------------------------------------------------


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize("return_train_score", [True, False])
def test_return_train_score(cls, return_train_score, xy):
    X, y = xy
    kwargs = dict(return_train_score=return_train_score)
    ours = make(cls, LOGREG, C_SPACE, **kwargs).fit(X, y)
    theirs = reference(cls, LOGREG, C_SPACE, **kwargs).fit(X, y)
    assert sorted(ours.cv_results_) == sorted(theirs.cv_results_)
    assert ("mean_train_score" in ours.cv_results_) == return_train_score


@pytest.mark.parametrize("cls", SEARCHES)
def test_numeric_error_score(cls, xy):
    X, y = xy
    search = make(
        cls,
        FastClassifier(),
        {"fail": [True, False], "a": (0.0, 1.0)},
        error_score=-5.0,
    )
    with pytest.warns(FitFailedWarning, match="will be set to -5.0"):
        search.fit(X, y)
    results = search.cv_results_
    failed = np.array([p["fail"] for p in results["params"]])
    assert failed.any() and not failed.all()
    np.testing.assert_array_equal(results["mean_test_score"][failed], -5.0)
    assert (results["mean_test_score"][~failed] > -5.0).all()
    assert search.best_params_["fail"] is False


@pytest.mark.parametrize("cls", SEARCHES)
def test_all_fits_failing_error_is_sklearns(cls, xy):
    X, y = xy
    spaces = {"fail": [True], "a": loguniform(0.1, 1.0)}
    ours = make(cls, FastClassifier(), spaces)
    theirs = reference(cls, FastClassifier(), spaces)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)
        same_error(raised(lambda: ours.fit(X, y)), raised(lambda: theirs.fit(X, y)))


# -- what fit passes on: groups, fit params, metadata routing -----------------


def _groups_in_test_fold(estimator, X, y):
    """The number of groups in a fold: column 0 holds each row's group."""
    return float(len(np.unique(X[:, 0])))


@pytest.mark.parametrize("cls", SEARCHES)
def test_groups_reach_the_splitter(cls, xy):
    X, y = xy
    groups = np.arange(len(X)) % 3  # interleaved: KFold would mix them
    X = np.column_stack([groups, X])
    kwargs = dict(
        cv=GroupKFold(n_splits=3), scoring=_groups_in_test_fold, return_train_score=True
    )
    search = make(cls, FastClassifier(), FAST_SPACE, **kwargs).fit(X, y, groups=groups)
    results = search.cv_results_
    for k in range(3):
        np.testing.assert_array_equal(results[f"split{k}_test_score"], 1.0)
        np.testing.assert_array_equal(results[f"split{k}_train_score"], 2.0)

    ours = make(cls, FastClassifier(), FAST_SPACE, **kwargs)
    theirs = reference(cls, FastClassifier(), FAST_SPACE, **kwargs)
    same_error(raised(lambda: ours.fit(X, y)), raised(lambda: theirs.fit(X, y)))


class WeightChecker(FastClassifier):
    """Checks that ``sample_weight`` holds the weights of exactly its rows.

    Column 0 of X holds each row's index and the weight of row i is i + 1.
    """

    n_weighted_fits = 0

    def fit(self, X, y, sample_weight=None):
        assert sample_weight is not None, "sample_weight did not reach fit"
        np.testing.assert_array_equal(sample_weight, np.asarray(X)[:, 0] + 1)
        WeightChecker.n_weighted_fits += 1
        return super().fit(X, y)

    def score(self, X, y=None, sample_weight=None):
        return super().score(X, y)


def _weighted_accuracy(y_true, y_pred, sample_weight=None):
    assert sample_weight is not None, "sample_weight did not reach the scorer"
    return accuracy_score(y_true, y_pred, sample_weight=sample_weight)


def _indexed(xy):
    X, y = xy
    return np.column_stack([np.arange(len(X)), X]), y, np.arange(len(X)) + 1.0


def _n_fits(search) -> int:
    """Fits a search makes: one per candidate and split, plus the refit."""
    return len(search.cv_results_["params"]) * search.n_splits_ + 1


@pytest.mark.parametrize("cls", SEARCHES)
def test_fit_params_reach_every_fit(cls, xy):
    X, y, weights = _indexed(xy)
    WeightChecker.n_weighted_fits = 0
    search = make(cls, WeightChecker(), FAST_SPACE, error_score="raise")
    search.fit(X, y, sample_weight=weights)
    assert WeightChecker.n_weighted_fits == _n_fits(search)


@pytest.mark.skipif(
    not hasattr(WeightChecker(), "set_fit_request"),
    reason="this scikit-learn has no metadata routing",
)
@pytest.mark.parametrize("cls", SEARCHES)
def test_metadata_routing(cls, xy):
    X, y, weights = _indexed(xy)
    with sklearn.config_context(enable_metadata_routing=True):
        WeightChecker.n_weighted_fits = 0
        scorer = make_scorer(_weighted_accuracy).set_score_request(sample_weight=True)
        estimator = WeightChecker().set_fit_request(sample_weight=True)
        search = make(cls, estimator, FAST_SPACE, scoring=scorer, error_score="raise")
        search.fit(X, y, sample_weight=weights)
        assert WeightChecker.n_weighted_fits == _n_fits(search)

        # Metadata nobody requested: sklearn's error, before any fit.
        WeightChecker.n_weighted_fits = 0
        ours = make(cls, WeightChecker(), FAST_SPACE)
        theirs = reference(cls, WeightChecker(), FAST_SPACE)
        same_error(
            raised(lambda: ours.fit(X, y, sample_weight=weights)),
            raised(lambda: theirs.fit(X, y, sample_weight=weights)),
        )
        assert WeightChecker.n_weighted_fits == 0


# -- cv --------------------------------------------------------------------


CV_FORMS = {
    "int": lambda X, y: 4,
    "splitter": lambda X, y: KFold(n_splits=4, shuffle=True, random_state=0),
    "list of splits": lambda X, y: list(KFold(n_splits=4).split(X, y)),
    "generator": lambda X, y: KFold(n_splits=4).split(X, y),
}


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize("form", CV_FORMS)
def test_cv_forms(cls, form, xy):
    X, y = xy
    theirs = reference(cls, LOGREG, C_SPACE, cv=CV_FORMS[form](X, y))
    ours = make(cls, LOGREG, C_SPACE, cv=CV_FORMS[form](X, y))
    try:
        theirs.fit(X, y)
    except ValueError as error:
        # sklearn 1.4's halving reads a generator twice: "inconsistent results".
        same_error(raised(lambda: ours.fit(X, y)), error)
        return
    ours.fit(X, y)
    assert ours.n_splits_ == theirs.n_splits_ == 4
    assert sorted(ours.cv_results_) == sorted(theirs.cv_results_)


# -- delegation to the best estimator ---------------------------------------


@pytest.mark.parametrize("cls", SEARCHES)
def test_classifier_methods_delegate(cls, xy):
    X, y = xy
    search = make(cls, LOGREG, C_SPACE)
    with pytest.raises(NotFittedError):
        search.predict(X)
    search.fit(X, y)
    best = search.best_estimator_
    for method in (
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
    ):
        np.testing.assert_array_equal(
            getattr(search, method)(X), getattr(best, method)(X), err_msg=method
        )
    assert search.score(X, y) == best.score(X, y)
    np.testing.assert_array_equal(search.classes_, [0, 1])
    assert search.n_features_in_ == 4
    assert not hasattr(search, "transform")


@pytest.mark.parametrize("cls", SEARCHES)
def test_transformer_methods_delegate(cls):
    X = np.random.RandomState(0).normal(size=(N_SAMPLES, 4))  # full rank for PCA
    spaces = {"n_components": [1, 2, 3], "whiten": [True, False]}
    # A regressor's first rung needs 30 training samples per fold.
    kwargs = {"min_resources": 60} if cls is HalvingBayesSearchCV else {}
    search = make(cls, PCA(), spaces, **kwargs).fit(X)
    best = search.best_estimator_
    np.testing.assert_allclose(search.transform(X), best.transform(X))
    Xt = search.transform(X)
    np.testing.assert_allclose(search.inverse_transform(Xt), best.inverse_transform(Xt))
    assert search.score(X) == best.score(X)
    assert not hasattr(search, "predict")


@pytest.mark.parametrize("cls", SEARCHES)
def test_feature_names_in(cls, xy):
    pd = pytest.importorskip("pandas")
    X, y = xy
    frame = pd.DataFrame(X, columns=["w", "x", "y", "z"])
    search = make(cls, LOGREG, C_SPACE).fit(frame, y)
    np.testing.assert_array_equal(search.feature_names_in_, ["w", "x", "y", "z"])
    plain = make(cls, LOGREG, C_SPACE).fit(X, y)
    assert not hasattr(plain, "feature_names_in_")


# -- clone, params, pickle, repr ------------------------------------------------


@pytest.mark.parametrize("cls", SEARCHES)
def test_clone_get_params_set_params(cls, xy):
    X, y = xy
    search = make(cls, LogisticRegression(C=1.0), {"C": (1e-2, 1e2, "log-uniform")})
    twin = clone(search)
    assert twin is not search and twin.estimator is not search.estimator
    ours, theirs = search.get_params(deep=False), twin.get_params(deep=False)
    assert ours.keys() == theirs.keys()
    assert {k: repr(v) for k, v in ours.items()} == {
        k: repr(v) for k, v in theirs.items()
    }
    assert search.get_params(deep=True)["estimator__C"] == 1.0

    assert search.set_params(estimator__tol=1e-3, **budget(cls, 5)) is search
    assert search.estimator.tol == 1e-3 and twin.estimator.tol == 1e-4
    with pytest.raises(ValueError, match="Invalid parameter 'bogus'"):
        search.set_params(bogus=1)

    twin.set_params(estimator__tol=1e-3, **budget(cls, 5))
    assert_same_results(search.fit(X, y).cv_results_, twin.fit(X, y).cv_results_)


@pytest.mark.parametrize("cls", SEARCHES)
def test_pickled_fitted_search_predicts(cls, xy):
    X, y = xy
    search = make(cls, LOGREG, C_SPACE).fit(X, y)
    copy = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(copy.predict(X), search.predict(X))
    np.testing.assert_array_equal(copy.predict_proba(X), search.predict_proba(X))
    assert copy.best_params_ == search.best_params_
    assert_same_results(copy.cv_results_, search.cv_results_)


@pytest.mark.parametrize("cls", SEARCHES)
def test_html_repr(cls, xy):
    X, y = xy
    search = make(cls, LOGREG, C_SPACE)
    html = estimator_html_repr(search)
    assert cls.__name__ in html and "LogisticRegression" in html
    search.fit(X, y)
    theirs = reference(cls, LOGREG, C_SPACE).fit(X, y)
    # scikit-learn 1.9 shows the refit best_estimator_ of a fitted search, 1.4 not.
    assert ("best_estimator_" in estimator_html_repr(search)) == (
        "best_estimator_" in estimator_html_repr(theirs)
    )


# -- determinism -----------------------------------------------------------------


@pytest.mark.parametrize("cls", SEARCHES)
def test_same_random_state_same_results_whatever_n_jobs(cls, xy):
    X, y = xy
    kwargs = {} if cls is HalvingBayesSearchCV else {"n_points": 2}
    spaces = {**C_SPACE, "fit_intercept": [True, False], "max_iter": (50, 200)}
    runs = [
        make(cls, LOGREG, spaces, n_jobs=n_jobs, random_state=seed, **kwargs)
        .fit(X, y)
        .cv_results_
        for n_jobs, seed in [(1, 0), (1, 0), (2, 0), (1, 1)]
    ]
    assert_same_results(runs[0], runs[1])
    assert_same_results(runs[0], runs[2])
    assert runs[3]["params"] != runs[0]["params"]


# -- failure cases ---------------------------------------------------------------


def quiet(search, *args, **kwargs):
    """Fit, ignoring the warnings the test does not look at."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return search.fit(*args, **kwargs)


def n_rows(search) -> int:
    return len(search.cv_results_["params"])


def first_rung(search):
    """Parameters of the candidates drawn by the search (halving: iter 0)."""
    params = search.cv_results_["params"]
    if "iter" in search.cv_results_:
        return [
            p for p, i in zip(params, search.cv_results_["iter"], strict=True) if i == 0
        ]
    return list(params)


@pytest.mark.parametrize("cls", SEARCHES)
def test_error_score_raise(cls, xy):
    X, y = xy
    search = make(
        cls, FastClassifier(), {"fail": [True], "a": (0.0, 1.0)}, error_score="raise"
    )
    with pytest.raises(ValueError, match="FastClassifier was asked to fail"):
        search.fit(X, y)


@pytest.mark.parametrize("cls", SEARCHES)
def test_exhausted_finite_space_warns_and_stops(cls, xy):
    X, y = xy
    search = make(
        cls, FastClassifier(), {"b": [1, 2], "c": ["x", "y"]}, **budget(cls, 10)
    )
    # sklearn's halving words it "the space of parameters 4".
    match = r"only 4 distinct points"
    if cls is HalvingBayesSearchCV:
        match = r"only 4 distinct|space of parameters 4\b"
    with pytest.warns(UserWarning, match=match):
        search.fit(X, y)
    drawn = first_rung(search)
    assert len(drawn) == 4 and len({(p["b"], p["c"]) for p in drawn}) == 4


class Constant(FastClassifier):
    def score(self, X, y=None):
        return 0.5


@pytest.mark.parametrize("cls", SEARCHES)
def test_constant_scores(cls, xy):
    X, y = xy
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no 0/0 in the surrogate
        search = make(cls, Constant(), FAST_SPACE).fit(X, y)
    drawn = first_rung(search)
    assert len(drawn) == 6 and len({tuple(p.values()) for p in drawn}) == 6
    assert search.best_score_ == 0.5


@pytest.mark.parametrize(
    "cls",
    SEARCHES,
)
def test_single_point_space(cls, xy):
    X, y = xy
    search = make(cls, FastClassifier(), {"c": ["y"]})
    with pytest.warns(UserWarning, match=r"only 1 distinct|space of parameters 1\b"):
        search.fit(X, y)
    assert first_rung(search) == [{"c": "y"}]
    assert search.best_params_ == {"c": "y"}


@pytest.mark.parametrize("cls", SEARCHES)
def test_budget_of_one(cls, xy):
    X, y = xy
    search = quiet(make(cls, FastClassifier(), FAST_SPACE, **budget(cls, 1)), X, y)
    assert n_rows(search) == 1
    assert search.best_params_ == search.cv_results_["params"][0]


DESIGN_LARGER_THAN_BUDGET = {
    BayesSearchCV: {"n_initial_points": 10},
    TPESearchCV: {"n_startup": 10},
    QuasiRandomSearchCV: {},
    HalvingBayesSearchCV: {"n_startup": 10},
}


@pytest.mark.parametrize("cls", SEARCHES)
def test_budget_smaller_than_initial_design(cls, xy):
    X, y = xy
    kwargs = {**DESIGN_LARGER_THAN_BUDGET[cls], **budget(cls, 3)}
    search = quiet(make(cls, FastClassifier(), FAST_SPACE, **kwargs), X, y)
    drawn = first_rung(search)
    assert len(drawn) == 3 and len({tuple(p.values()) for p in drawn}) == 3


class Wide(ClassifierMixin, BaseEstimator):
    """A classifier with ``N_DIMS`` real parameters ``p0``, ``p1``, ..."""

    N_DIMS = 32

    def __init__(self, **params):
        for i in range(self.N_DIMS):
            setattr(self, f"p{i}", params.get(f"p{i}", 0.5))

    def get_params(self, deep=True):
        return {f"p{i}": getattr(self, f"p{i}") for i in range(self.N_DIMS)}

    def set_params(self, **params):
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None):
        return -sum((getattr(self, f"p{i}") - 0.3) ** 2 for i in range(self.N_DIMS))


@pytest.mark.parametrize("cls", SEARCHES)
def test_many_dimensions(cls, xy):
    X, y = xy
    spaces = {f"p{i}": (0.0, 1.0) for i in range(Wide.N_DIMS)}
    search = make(cls, Wide(), spaces, **budget(cls, 8)).fit(X, y)
    drawn = first_rung(search)
    assert len(drawn) == 8
    for params in drawn:
        assert sorted(params) == sorted(spaces)
        assert all(0.0 <= v <= 1.0 for v in params.values())


@pytest.mark.parametrize("cls", SEARCHES)
def test_categorical_with_100_levels(cls, xy):
    X, y = xy
    levels = [f"v{i}" for i in range(100)]
    search = make(
        cls, FastClassifier(), {"c": levels, "a": (0.0, 1.0)}, **budget(cls, 8)
    )
    search.fit(X, y)
    drawn = first_rung(search)
    assert len(drawn) == 8 and all(p["c"] in levels for p in drawn)


@pytest.mark.parametrize("cls", SEARCHES)
def test_categories_of_any_type(cls, xy):
    """Estimators, dicts, None and tuples are categories like any other."""
    X, y = xy
    categories = [None, (1, 2), {"k": 1}, LogisticRegression(), "y"]
    search = make(
        cls, FastClassifier(), {"c": categories, "a": (0.0, 1.0)}, **budget(cls, 8)
    ).fit(X, y)
    drawn = first_rung(search)
    assert len(drawn) == 8
    for params in drawn:
        assert any(params["c"] is c for c in categories)
    assert {type(p["c"]) for p in drawn} <= {type(c) for c in categories}


def _flaky_scorer(kind):
    """A scorer returning ``kind`` (nan, -inf or inf) for candidates with c='x'."""

    def score(estimator, X, y):
        return kind if estimator.c == "x" else estimator.score(X, y)

    return score


# sklearn's own std over folds of an infinite score (inf - inf), not ours.
@pytest.mark.filterwarnings("ignore:invalid value encountered in subtract")
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize("kind", [np.nan, -np.inf, np.inf], ids=["nan", "-inf", "inf"])
def test_non_finite_scores(cls, kind, xy):
    X, y = xy
    search = make(cls, FastClassifier(), FAST_SPACE, scoring=_flaky_scorer(kind))
    with pytest.warns(UserWarning, match="non-finite"):
        search.fit(X, y)
    results = search.cv_results_
    c = np.array([p["c"] for p in results["params"]])
    assert (c == "x").any() and (c != "x").any()
    scores = results["mean_test_score"]
    assert np.isfinite(scores[c != "x"]).all()
    # sklearn's ranking decides the best: +inf ranks first, nan and -inf last.
    assert results["rank_test_score"][search.best_index_] == 1
    assert (search.best_params_["c"] == "x") == (kind == np.inf)
