"""The four searches behave as scikit-learn's own searches do (issue 8, items 1, 2, 5).

Three parts: sklearn's estimator checks (what ``RandomizedSearchCV`` and
``HalvingRandomSearchCV`` pass, ours pass); the behaviours users of
``GridSearchCV`` rely on, each on every estimator and, where the answer is
sklearn's, checked against ``RandomizedSearchCV`` / ``HalvingRandomSearchCV``
on the same input; and the failure cases a search must survive.
"""

import pickle
import re
import warnings

import numpy as np
import pytest
import sklearn
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning, NotFittedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import (
    GroupKFold,
    HalvingRandomSearchCV,
    KFold,
    RandomizedSearchCV,
)
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_html_repr
from sklearn.utils._testing import ignore_warnings
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksmbo import (
    BayesSearchCV,
    HalvingBayesSearchCV,
    Optimizer,
    QuasiRandomSearchCV,
    TPESearchCV,
)
from sksmbo._surrogates.gp import GPProposer
from sksmbo._surrogates.tpe import TPEProposer
from tests.conftest import FastClassifier

SEARCHES = [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV, HalvingBayesSearchCV]
SMBO = [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV]
SKLEARN_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2])

# =============================================================================
# Part 1: sklearn's estimator checks
# =============================================================================


def _check_instances():
    """Our searches set up as sklearn's test_common sets up its own.

    sklearn checks ``RandomizedSearchCV`` / ``HalvingRandomSearchCV`` with
    ``cv=2, error_score="raise"`` on a classifier and on a regressor pipeline
    (``sklearn/utils/_test_common/instance_generator.py``); budgets are small
    but each search reaches its model phase.
    """
    problems = [
        (LogisticRegression(), {"C": (0.1, 10.0, "log-uniform")}),
        (make_pipeline(PCA(), Ridge()), {"ridge__alpha": (0.1, 10.0, "log-uniform")}),
    ]
    common = dict(cv=2, error_score="raise", random_state=0)
    for estimator, space in problems:
        yield BayesSearchCV(estimator, space, n_iter=3, n_initial_points=2, **common)
        yield TPESearchCV(estimator, space, n_iter=3, n_startup=2, **common)
        yield QuasiRandomSearchCV(estimator, space, n_iter=3, **common)
        yield HalvingBayesSearchCV(estimator, space, min_resources="smallest", **common)


def _sklearn_reference(estimator):
    """The sklearn search ours stands in for, as sklearn's own checks build it."""
    common = dict(cv=2, error_score="raise", random_state=0)
    space = {"C": [0.1, 1.0]}
    if isinstance(estimator, HalvingBayesSearchCV):
        return HalvingRandomSearchCV(LogisticRegression(), space, **common)
    return RandomizedSearchCV(LogisticRegression(), space, **common)


# What sklearn expects its own searches to fail, copied from scikit-learn 1.9's
# PER_ESTIMATOR_XFAIL_CHECKS (instance_generator.py); read from sklearn itself
# when the installed version has it, see _sklearn_expected_failures.
_SKLEARN_XFAILS_1_9 = {
    RandomizedSearchCV: {
        "check_supervised_y_2d": "DataConversionWarning not caught",
        "check_requires_y_none": "Doesn't fail gracefully",
    },
    HalvingRandomSearchCV: {
        "check_array_api_mixed_inputs": "mixed array API input support not added yet",
        "check_fit2d_1sample": (
            "Fail during parameter check since min/max resources requires more samples"
        ),
        "check_estimators_nan_inf": "FIXME",
        "check_classifiers_one_label_sample_weights": "FIXME",
        "check_fit2d_1feature": "FIXME",
        "check_supervised_y_2d": "DataConversionWarning not caught",
        "check_requires_y_none": "Doesn't fail gracefully",
    },
}


def _sklearn_expected_failures(estimator) -> dict:
    """Exactly the checks sklearn marks xfail for the search ours replaces.

    sklearn applies them to every instance it checks (non-strict): some pass
    for some instances (``check_supervised_y_2d`` for a classifier).
    """
    reference = _sklearn_reference(estimator)
    try:
        from sklearn.utils._test_common.instance_generator import (
            _get_expected_failed_checks,
        )
    except ImportError:  # scikit-learn < 1.6: the list lives in the tags
        return dict(_SKLEARN_XFAILS_1_9[type(reference)])
    return dict(_get_expected_failed_checks(reference))


try:
    _parametrize_checks = parametrize_with_checks(
        list(_check_instances()),
        expected_failed_checks=_sklearn_expected_failures,
        xfail_strict=False,
    )
except TypeError:  # scikit-learn < 1.6: xfails come from the _xfail_checks tag
    _parametrize_checks = parametrize_with_checks(list(_check_instances()))


@_parametrize_checks
def test_sklearn_estimator_checks(estimator, check):
    # The warnings sklearn's test_common ignores for its own searches.
    with ignore_warnings(category=(FutureWarning, ConvergenceWarning, UserWarning)):
        check(estimator)


def test_expected_failures_are_sklearns():
    """The copy used on old sklearn matches what sklearn 1.9 lists."""
    pytest.importorskip("sklearn.utils._test_common.instance_generator")
    from sklearn.utils._test_common.instance_generator import (
        PER_ESTIMATOR_XFAIL_CHECKS,
    )

    if SKLEARN_VERSION != (1, 9):
        pytest.skip("the copy is of scikit-learn 1.9's list")
    for cls, expected in _SKLEARN_XFAILS_1_9.items():
        assert PER_ESTIMATOR_XFAIL_CHECKS[cls] == expected


# =============================================================================
# Part 2: behaviours, each on every estimator
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


def test_halving_error_score_raise(xy):
    X, y = xy
    search = make(
        HalvingBayesSearchCV,
        FastClassifier(),
        {"fail": [True], "a": (0.0, 1.0)},
        error_score="raise",
    )
    with pytest.raises(ValueError, match="FastClassifier was asked to fail"):
        search.fit(X, y)


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


@pytest.mark.parametrize("cls", SMBO + [HalvingBayesSearchCV])
def test_same_random_state_same_results_whatever_n_jobs(cls, xy):
    X, y = xy
    kwargs = {} if cls is HalvingBayesSearchCV else {"n_points": 2}
    runs = [
        make(
            cls,
            LOGREG,
            {**C_SPACE, "fit_intercept": [True, False]},
            n_jobs=n_jobs,
            **kwargs,
        )
        .fit(X, y)
        .cv_results_
        for n_jobs in (1, 1, 2)
    ]
    assert_same_results(runs[0], runs[1])
    assert_same_results(runs[0], runs[2])


@pytest.mark.parametrize("proposer", [TPEProposer, GPProposer], ids=["tpe", "gp"])
def test_optimizer_state_pickles_mid_search(proposer):
    space = {"a": (0.0, 1.0), "b": (1, 100, "log-uniform"), "c": ["x", "y", "z"]}
    opt = Optimizer(space, proposer(), n_initial_points=3, random_state=0)
    rng = np.random.default_rng(0)
    for _ in range(3):  # the design, then the model
        points = opt.ask(2)
        opt.tell(points, rng.random(len(points)), noise=np.full(len(points), 1e-3))
    pending = opt.ask(2)  # asked, not told: the copy must avoid them too
    copy = pickle.loads(pickle.dumps(opt))
    assert copy.ask(3) == opt.ask(3)
    for o in (opt, copy):
        o.tell(pending, [0.5, 0.7])
    assert copy.ask() == opt.ask()


# =============================================================================
# Part 3: failure cases
# =============================================================================


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


def test_halving_candidates_beyond_finite_space_warn(xy):
    X, y = xy
    search = make(
        HalvingBayesSearchCV,
        FastClassifier(),
        {"b": [1, 2], "c": ["x", "y"]},
        n_candidates=10,
    )
    with pytest.warns(UserWarning, match=r"only 4 distinct|space of parameters 4\b"):
        search.fit(X, y)
    drawn = first_rung(search)
    assert len(drawn) == 4 and len({tuple(p.values()) for p in drawn}) == 4


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
