"""What code written for scikit-learn's searches keeps doing after the import swap.

Parameters passed through ``**kwargs`` (LightGBM, XGBoost), sklearn's minimal
estimators, group splitters, sklearn's static ``_select_best_index`` and the
callback task tree of sklearn >= 1.9.
"""

import numpy as np
import pytest
from scipy.stats import loguniform, randint
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    LeaveOneGroupOut,
    LeavePGroupsOut,
    PredefinedSplit,
    StratifiedGroupKFold,
)
from sklearn.pipeline import Pipeline
from sklearn.utils._testing import (
    MinimalClassifier,
    MinimalRegressor,
    MinimalTransformer,
)

from sksmbo import (
    BayesSearchCV,
    HalvingBayesSearchCV,
    QuasiRandomSearchCV,
    TPESearchCV,
)
from tests.conftest import FastClassifier

SEARCHES = [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV]
ALL_SEARCHES = [*SEARCHES, HalvingBayesSearchCV]


def _small(cls, **kwargs):
    """Settings that keep a search to a handful of candidates."""
    if cls is HalvingBayesSearchCV:
        return {"n_candidates": 6, "min_resources": 40, **kwargs}
    budget = {"n_iter": 4}
    if cls is BayesSearchCV:
        budget["n_initial_points"] = 2
    elif cls is TPESearchCV:
        budget["n_startup"] = 2
    return {**budget, **kwargs}


@pytest.fixture
def binary():
    return make_classification(n_samples=120, n_features=5, random_state=0)


@pytest.fixture
def regression():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    return X, X[:, 0] + 0.5 * y


class KwargsClassifier(LogisticRegression):
    """Takes any parameter through ``set_params``, as LightGBM and XGBoost do."""

    def set_params(self, **params):
        extra = {k: params.pop(k) for k in list(params) if k not in self.get_params()}
        super().set_params(**params)
        self.extra_ = {**getattr(self, "extra_", {}), **extra}
        return self


# -- parameters that get_params does not list (issue 18, point 1) -------------


@pytest.mark.parametrize("cls", ALL_SEARCHES)
def test_kwargs_parameters_are_searched(cls, binary):
    X, y = binary
    spaces = {"C": (0.1, 10.0, "log-uniform"), "min_data_in_leaf": randint(5, 60)}
    search = cls(KwargsClassifier(), spaces, cv=3, random_state=0, **_small(cls))
    search.fit(X, y)
    assert {"C", "min_data_in_leaf"} <= set(search.best_params_)
    values = [p["min_data_in_leaf"] for p in search.cv_results_["params"]]
    assert all(5 <= v < 60 for v in values)
    assert (
        search.best_estimator_.extra_["min_data_in_leaf"]
        == (search.best_params_["min_data_in_leaf"])
    )


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.parametrize("Predictor", [MinimalRegressor, MinimalClassifier])
def test_minimal_compatible_estimator(cls, Predictor):
    # sklearn's test_search_cv_using_minimal_compatible_estimator.
    rng = np.random.RandomState(0)
    X, y = rng.randn(25, 2), np.array([0] * 5 + [1] * 20)
    model = Pipeline(
        [("transformer", MinimalTransformer()), ("predictor", Predictor())]
    )
    params = {"transformer__param": [1, 10], "predictor__parama": [1, 10]}
    search = cls(model, params, error_score="raise", random_state=0, **_small(cls))
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4  # the whole 2 x 2 space
    assert search.best_params_.keys() == params.keys()
    y_pred = search.predict(X)
    if is_classifier(search):
        np.testing.assert_array_equal(y_pred, 1)
    else:
        np.testing.assert_allclose(y_pred, y.mean())


def test_lightgbm_search_takes_its_aliases(binary):
    lightgbm = pytest.importorskip("lightgbm")
    X, y = binary
    search = BayesSearchCV(
        lightgbm.LGBMClassifier(n_estimators=10, n_jobs=1, verbose=-1),
        {"min_data_in_leaf": randint(5, 30), "lambda_l1": loguniform(1e-3, 10)},
        n_iter=5,
        n_initial_points=3,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert (
        search.best_estimator_.get_params()["min_data_in_leaf"]
        == (search.best_params_["min_data_in_leaf"])
    )
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_xgboost_search_takes_its_aliases(regression):
    xgboost = pytest.importorskip("xgboost")
    X, y = regression
    search = TPESearchCV(
        xgboost.XGBRegressor(n_estimators=10, n_jobs=1),
        {"eta": loguniform(1e-2, 1.0), "max_depth": (2, 6)},
        n_iter=5,
        n_startup=3,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert search.best_estimator_.get_params()["eta"] == search.best_params_["eta"]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


# -- group splitters (issue 18, point 4) ---------------------------------------


@pytest.mark.parametrize("cls", ALL_SEARCHES)
@pytest.mark.parametrize(
    "cv",
    [
        LeaveOneGroupOut(),
        LeavePGroupsOut(2),
        GroupKFold(3),
        GroupShuffleSplit(3, random_state=0),
        StratifiedGroupKFold(3),
        "predefined",
    ],
    ids=lambda cv: cv if isinstance(cv, str) else type(cv).__name__,
)
def test_group_splitters(cls, cv):
    X, y = make_classification(160, random_state=0)
    groups = np.repeat(np.arange(4), 40)
    if cv == "predefined":
        cv = PredefinedSplit(groups)
    search = cls(
        LogisticRegression(),
        {"C": (0.01, 10.0, "log-uniform")},
        cv=cv,
        random_state=0,
        **_small(cls, min_resources=80) if cls is HalvingBayesSearchCV else _small(cls),
    )
    search.fit(X, y, groups=groups)
    assert search.n_splits_ == cv.get_n_splits(X, y, groups)
    assert np.isfinite(search.best_score_)


# -- sklearn's private hooks keep their signatures (issue 18, point 6) ---------


def test_halving_select_best_index_is_static_as_in_sklearn():
    results = {
        "iter": np.array([0, 0, 0, 1, 1]),
        "n_resources": np.array([10, 10, 10, 30, 30]),
        "mean_test_score": np.array([0.9, 0.5, 0.6, 0.7, 0.8]),
    }
    # Called on the class, as sklearn's test_select_best_index does.
    assert HalvingBayesSearchCV._select_best_index(None, None, results) == 4
    brackets = {
        "iter": np.array([0, 0, 1, 2, 3]),
        "bracket": np.array([0, 0, 0, 1, 1]),
        "n_resources": np.array([10, 10, 30, 30, 30]),
        "mean_test_score": np.array([0.99, 0.5, 0.7, 0.95, 0.8]),
    }
    # The last iterations of both brackets compete at the largest resources.
    assert HalvingBayesSearchCV._select_best_index(None, None, brackets) == 4


# -- sklearn >= 1.9 callbacks see RandomizedSearchCV's task tree (point 7) ----


def _callback_searches(estimator, scoring):
    space = {"max_iter": (1, 3)}
    common = dict(cv=2, scoring=scoring, random_state=42)
    return [
        BayesSearchCV(estimator(), space, n_iter=3, n_initial_points=2, **common),
        TPESearchCV(estimator(), space, n_iter=3, n_startup=2, **common),
        QuasiRandomSearchCV(estimator(), space, n_iter=3, **common),
        BayesSearchCV(
            estimator(), space, n_iter=3, n_initial_points=2, n_points=2, **common
        ),
        HalvingBayesSearchCV(estimator(), space, aggressive_elimination=True, **common),
    ]


def _expected_search_tasks(search, refit):
    """sklearn's count: root, search, refit, halving iterations, evaluations."""
    n_evaluations = len(search.cv_results_["params"]) * search.n_splits_
    n_iterations = getattr(search, "n_iterations_", 0)
    return 1 + 1 + refit + n_iterations + n_evaluations


@pytest.mark.parametrize("refit", [True, False])
@pytest.mark.parametrize("case", range(5))
def test_callbacks_see_sklearns_task_tree(case, refit):
    utils = pytest.importorskip("sklearn.callback.tests._utils")
    X = np.array([[-1, -1], [-2, -1], [1, 1], [2, 1]] * 5, dtype=float)
    y = np.array([1, 1, 2, 2] * 5)
    for estimator, scoring in [
        (utils.NoCallbackEstimator, "accuracy"),
        (utils.MaxIterEstimator, "r2"),
    ]:
        callbacks = [utils.RecordingCallback(), utils.RecordingAutoPropagatedCallback()]
        search = clone(_callback_searches(estimator, scoring)[case])
        search.set_params(refit=refit).set_callbacks(*callbacks).fit(X, y)
        expected = _expected_search_tasks(search, refit)
        if estimator is utils.MaxIterEstimator:
            inner = sum(
                p["max_iter"] * search.n_splits_ for p in search.cv_results_["params"]
            )
            inner += search.best_estimator_.n_iter_ if refit else 0
            propagated = expected + inner
        else:
            propagated = expected
        for callback, n_tasks in zip(callbacks, [expected, propagated], strict=True):
            assert callback.count_hooks("setup") == 1
            assert callback.count_hooks("on_fit_task_begin") == n_tasks
            assert callback.count_hooks("on_fit_task_end") == n_tasks
            assert callback.count_hooks("teardown") == 1


def test_callback_contexts_keep_their_children_in_a_dict(monkeypatch):
    """The engine copies the search task's children on write (a pool may be
    pickling earlier fits, which reach them): the attribute must exist."""
    utils = pytest.importorskip("sklearn.callback.tests._utils")
    from sksmbo import _sklearn_hooks as hooks

    contexts = []
    original = hooks._ContinuedNumbering.subcontext

    def recording(self, *args, **kwargs):
        contexts.append(self._context)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(hooks._ContinuedNumbering, "subcontext", recording)
    X = np.array([[-1, -1], [-2, -1], [1, 1], [2, 1]] * 5, dtype=float)
    y = np.array([1, 1, 2, 2] * 5)
    search = QuasiRandomSearchCV(
        utils.NoCallbackEstimator(), {"max_iter": (1, 3)}, n_iter=3, cv=2,
        n_jobs=2, scoring="accuracy", random_state=0,
    )  # fmt: skip
    search.set_callbacks(utils.RecordingCallback()).fit(X, y)
    assert contexts and isinstance(contexts[-1]._children_map, dict)
    assert len(contexts[-1]._children_map) == 3 * 2  # one per (candidate, fold)


# -- scikit-optimize's optimizer_kwargs surface (issue 18, point 2) -------------


@pytest.mark.parametrize(
    "name, proposer",
    [
        ("GP", "GPProposer"),
        ("gp", "GPProposer"),
        ("RF", "ForestProposer"),
        ("et", "ForestProposer"),
        ("GBRT", "ForestProposer"),
        ("dummy", None),
    ],
)
def test_skopt_base_estimator_strings(name, proposer, data):
    X, y = data
    search = BayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0), "b": (0, 6), "c": ["x", "y"]},
        optimizer_kwargs={"base_estimator": name},
        n_iter=8,
        n_initial_points=4,
        cv=2,
        random_state=0,
    ).fit(X, y)
    optimizer = search._state.optimizers[0]
    assert type(optimizer.proposer).__name__ == str(proposer) or (
        proposer is None and optimizer.proposer is None
    )
    if proposer == "ForestProposer":
        assert optimizer.proposer.kind == name.lower()
    assert len(search.cv_results_["params"]) == 8


def test_skopt_acq_optimizer_kwargs_and_model_queue(data):
    X, y = data
    search = BayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0)},
        optimizer_kwargs={
            "acq_optimizer_kwargs": {
                "n_points": 300,
                "n_restarts_optimizer": 2,
                "n_jobs": -1,
            },
            "model_queue_size": 2,
            "n_jobs": 4,
        },
        n_iter=7,
        n_initial_points=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    proposer = search._state.optimizers[0].proposer
    assert (proposer.n_candidates, proposer.n_polish) == (300, 2)
    models = search.optimizer_results_[0].models
    # Four model rounds, the last two models kept, the newest last.
    assert len(models) == 2 and models[-1] is proposer.model_


@pytest.mark.parametrize("acq_func", ["EIps", "PIps"])
def test_skopt_per_second_acquisitions_model_fit_time(acq_func, data):
    X, y = data
    search = BayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0)},
        acq_func=acq_func,
        n_iter=6,
        n_initial_points=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    optimizer = search._state.optimizers[0]
    assert optimizer.proposer.per_second
    # The optimizer was told each candidate's mean fit time.
    np.testing.assert_allclose(optimizer._cost, search.cv_results_["mean_fit_time"])
    assert optimizer.proposer.cost_model_ is not None


def test_skopt_space_constraint_gets_values_in_name_order(data):
    X, y = data
    seen = []

    def space_constraint(values):
        seen.append(values)
        a, b = values  # sorted names: "a", "b"
        return a + b / 10 <= 0.5

    search = BayesSearchCV(
        FastClassifier(),
        {"b": (0, 5), "a": (0.0, 1.0)},
        optimizer_kwargs={"space_constraint": space_constraint},
        n_iter=8,
        n_initial_points=4,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert all(isinstance(v[1], int | np.integer) for v in seen)
    for p in search.cv_results_["params"]:
        assert p["a"] + p["b"] / 10 <= 0.5


@pytest.mark.parametrize("cls", ALL_SEARCHES)
def test_constraints_are_never_violated(cls, binary):
    X, y = binary
    spaces = {"C": (0.01, 10.0, "log-uniform"), "tol": (1e-5, 1e-2, "log-uniform")}
    rules = [lambda p: p["C"] * p["tol"] < 1e-2, lambda p: p["C"] > 0.05]
    search = cls(
        LogisticRegression(),
        spaces,
        constraints=rules,
        cv=3,
        random_state=0,
        **_small(cls, n_iter=8) if cls is not HalvingBayesSearchCV else _small(cls),
    ).fit(X, y)
    for p in search.cv_results_["params"]:
        assert all(rule(p) for rule in rules)
