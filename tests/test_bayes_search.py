"""BayesSearchCV: the scikit-optimize surface and its bad input."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from sksmbo import BayesSearchCV
from tests.conftest import FastClassifier

SPACE = {"a": (0.0, 1.0), "b": (0, 10), "c": ["x", "y"]}


def test_skopt_quickstart_runs_with_only_the_import_changed():
    # scikit-optimize's BayesSearchCV quick start, verbatim but for the import
    # and a smaller n_iter.
    X, y = load_digits(n_class=10, return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=0.75, test_size=0.25, random_state=0
    )
    opt = BayesSearchCV(
        SVC(),
        {
            "C": (1e-6, 1e6, "log-uniform"),
            "gamma": (1e-6, 1e1, "log-uniform"),
            "degree": (1, 8),  # integer valued parameter
            "kernel": ["linear", "poly", "rbf"],  # categorical parameter
        },
        n_iter=12,
        cv=3,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # n_initial_points >= n_iter
        opt.fit(X_train, y_train)
    assert opt.best_score_ > 0.9
    assert opt.score(X_test, y_test) > 0.9
    assert opt.total_iterations == 12
    result = opt.optimizer_results_[0]
    assert len(result.x_iters) == 12
    np.testing.assert_allclose(-result.func_vals, opt.cv_results_["mean_test_score"])
    assert -result.fun == opt.best_score_


def test_model_phase_beats_the_design(data):
    X, y = data
    errors = {}
    for n_initial in (4, 16):
        search = BayesSearchCV(
            FastClassifier(),
            {"a": (0.0, 1.0)},
            n_iter=16,
            n_initial_points=n_initial,
            cv=2,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            search.fit(X, y)
        errors[n_initial] = abs(search.best_params_["a"] - 0.3)
    assert errors[4] < 0.01 and errors[4] < errors[16]


@pytest.mark.parametrize("acq_func", ["EI", "PI", "LCB", "gp_hedge", "log_pi"])
def test_skopt_acquisition_names(acq_func, data):
    X, y = data
    search = BayesSearchCV(
        FastClassifier(),
        SPACE,
        n_iter=6,
        cv=2,
        random_state=0,
        optimizer_kwargs={"acq_func": acq_func, "n_initial_points": 3},
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 6


def test_optimizer_kwargs_map_to_arguments(data):
    X, y = data
    kwargs = {
        "n_initial_points": 2,
        "initial_point_generator": "lhs",
        "acq_optimizer": "sampling",
        "acq_func_kwargs": {"xi": 0.1, "kappa": 3.0},
        "random_state": 123,
    }
    search = BayesSearchCV(
        FastClassifier(), SPACE, n_iter=5, cv=2, optimizer_kwargs=kwargs, random_state=0
    )
    settings = search._settings()
    assert (
        settings["n_initial_points"] == 2
        and settings["initial_point_generator"] == "lhs"
    )
    assert settings["xi"] == 0.1 and settings["kappa"] == 3.0
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 5


def test_any_regressor_with_return_std(data):
    X, y = data
    search = BayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0)},
        n_iter=12,
        n_initial_points=4,
        cv=2,
        base_estimator=GaussianProcessRegressor(normalize_y=True),
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's GP convergence warnings
        search.fit(X, y)
    assert abs(search.best_params_["a"] - 0.3) < 0.1


@pytest.mark.parametrize("n_jobs, in_flight", [(1, 1), (2, 4)])
def test_n_points_auto_keeps_every_worker_busy(n_jobs, in_flight, data, pending_at_ask):
    """ "auto": one candidate in flight on one worker (a sequential search),
    else ceil(3 * workers / folds) + 1; each is asked with the rest pending."""
    search = BayesSearchCV(
        FastClassifier(), SPACE, n_iter=10, n_jobs=n_jobs, cv=2,
        n_initial_points=2, random_state=0,
    )  # fmt: skip
    search.fit(*data)
    assert max(pending_at_ask) == in_flight - 1
    assert len(search.cv_results_["params"]) == 10


def test_fit_params_are_passed_to_fit(data):
    X, y = data
    weights = np.ones(len(y))
    search = BayesSearchCV(
        SVC(),
        {"C": (0.1, 10.0)},
        n_iter=3,
        n_initial_points=2,
        cv=2,
        fit_params={"sample_weight": weights},
        random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 3
    bad = BayesSearchCV(
        SVC(),
        {"C": (0.1, 10.0)},
        n_iter=3,
        n_initial_points=2,
        cv=2,
        fit_params={"sample_weight": weights[:5]},
    )
    # The weights reach SVC.fit, which refuses 5 weights for a fold's 30 rows.
    with pytest.raises(ValueError, match=r"sample_weight and X have incompatible"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bad.set_params(error_score="raise").fit(X, y)


def test_warns_when_the_design_fills_the_budget(data):
    X, y = data
    search = BayesSearchCV(FastClassifier(), SPACE, n_iter=5, cv=2)
    with pytest.warns(
        UserWarning, match="n_initial_points=10 is not smaller than n_iter=5"
    ):
        search.fit(X, y)


def test_all_initial_fits_failing_continue_with_the_design(data):
    X, y = data
    search = BayesSearchCV(
        FastClassifier(),
        {"fail": [True], "a": (0.0, 1.0)},
        n_iter=4,
        n_initial_points=2,
        cv=2,
    )
    with pytest.raises(ValueError, match="All the 8 fits failed"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X, y)


class Constant(FastClassifier):
    def score(self, X, y=None):
        return 0.5


def test_constant_scores_keep_proposing_new_points(data):
    X, y = data
    search = BayesSearchCV(
        Constant(),
        {"a": (0.0, 1.0), "b": (0, 100)},
        n_iter=8,
        n_initial_points=3,
        n_points=2,
        cv=2,
        random_state=0,
    ).fit(X, y)
    params = [(p["a"], p["b"]) for p in search.cv_results_["params"]]
    assert len(set(params)) == 8
    assert search.best_score_ == 0.5
