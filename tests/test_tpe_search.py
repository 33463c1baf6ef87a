"""TPESearchCV: conditional spaces, batches and bad input."""

import numpy as np
import pytest

from sksmbo import QuasiRandomSearchCV, TPESearchCV
from tests.conftest import FastClassifier

CONDITIONAL = [
    {"c": ["x"], "a": (0.0, 1.0)},
    {"c": ["y"], "a": (0.0, 1.0), "b": (0, 10)},
]


def test_conditional_space_params_and_choice(data):
    X, y = data
    search = TPESearchCV(
        FastClassifier(), CONDITIONAL, n_iter=30, n_startup=6, cv=2, random_state=0
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert all(
        set(p) == ({"c", "a"} if p["c"] == "x" else {"c", "a", "b"}) for p in params
    )
    later = [p["c"] for p in params[15:]]
    assert later.count("y") > later.count("x")
    assert search.best_params_["c"] == "y"


def test_beats_quasi_random_on_average(data):
    X, y = data
    space = {"a": (0.0, 1.0), "b": (0, 10), "c": ["x", "y"]}
    gaps = {TPESearchCV: [], QuasiRandomSearchCV: []}
    for seed in range(3):
        for cls in gaps:
            search = cls(FastClassifier(), space, n_iter=25, cv=2, random_state=seed)
            search.fit(X, y)
            gaps[cls].append(0.1 - search.best_score_)  # the optimum scores 0.1
    assert np.mean(gaps[TPESearchCV]) < np.mean(gaps[QuasiRandomSearchCV])


def test_batches_are_distinct(data):
    X, y = data
    search = TPESearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0), "c": ["x", "y"]},
        n_iter=16,
        n_startup=4,
        n_points=4,
        cv=2,
        random_state=0,
    ).fit(X, y)
    keys = [(p["a"], p["c"]) for p in search.cv_results_["params"]]
    assert len(set(keys)) == 16


@pytest.mark.parametrize("gamma", [lambda n: 2, 0.25])
def test_gamma_forms(gamma, data):
    X, y = data
    search = TPESearchCV(
        FastClassifier(), {"a": (0.0, 1.0)}, n_iter=8, n_startup=3, gamma=gamma, cv=2
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
