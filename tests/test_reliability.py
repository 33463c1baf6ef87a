"""Nothing computed is lost: partial failures, interrupts, resume (issue 19)."""

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
        FailsOnOneFold(), {"a": (0.0, 1.0)}, cv=KFold(3), scoring=scoring,
        random_state=0, **_small(cls),
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
