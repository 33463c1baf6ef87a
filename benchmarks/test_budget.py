"""The benchmark's equal-compute rule for the halving methods.

The halving rows of docs/benchmarks.md are only fair if the harness sizes
their brackets as the estimator runs them and spends about the compute of
``n_iter`` full fits; both are checked here against HalvingBayesSearchCV.

A self-check of the harness, not a test of sksmbo: it lives with the harness
and is run on its own, ``python -m pytest benchmarks/test_budget.py``.
"""

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

from benchmarks.methods import bracket_schedules, halving_candidates, halving_cost
from sksmbo import HalvingBayesSearchCV


class FastClassifier(ClassifierMixin, BaseEstimator):
    """Fits instantly; ``b`` is the resource, ``a`` and ``c`` are searched."""

    def __init__(self, a=0.0, b=0, c="x"):
        self.a = a
        self.b = b
        self.c = c

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) + (self.c == "y") * 0.1


@pytest.mark.parametrize("hyperband", [False, True])
@pytest.mark.parametrize("n_candidates", [9, 13, 24])
def test_bracket_schedules_are_the_estimators(hyperband, n_candidates):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    search = HalvingBayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0), "c": ["x", "y"]},
        resource="b",
        min_resources=3,
        max_resources=27,
        n_candidates=n_candidates,
        brackets="auto" if hyperband else 1,
        random_state=0,
    ).fit(X, y)

    steps = [
        step
        for schedule in bracket_schedules(n_candidates, 3, 3, 27, hyperband)
        for step in schedule
    ]
    assert [n for n, _ in steps] == search.n_candidates_
    assert [r for _, r in steps] == search.n_resources_


def _iterations_task(full):
    # What halving_candidates reads of a task: an iteration-count resource.
    return SimpleNamespace(resource=("max_iter", full))


@pytest.mark.parametrize("n_iter", [10, 15, 18, 25, 40])
@pytest.mark.parametrize("hyperband", [False, True])
def test_halving_budget_is_the_closest_to_n_iter_full_fits(n_iter, hyperband):
    full = 81
    ctx = SimpleNamespace(n_iter=n_iter)
    n_candidates, min_resources = halving_candidates(
        _iterations_task(full), ctx, hyperband=hyperband
    )

    def gap(c):
        schedules = bracket_schedules(c, 3, min_resources, full, hyperband)
        return abs(halving_cost(schedules, full) - n_iter)

    assert min_resources == 9
    assert gap(n_candidates) <= gap(n_candidates - 1)
    assert gap(n_candidates) <= gap(n_candidates + 1)
    # One more candidate costs at most one more per bracket (three levels of
    # 9, 27, 81 here: under 4 full fits), so the closest is within half that.
    assert gap(n_candidates) <= 2.0
