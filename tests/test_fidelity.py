"""The multi-fidelity GP: fidelity as an input, proposals at full fidelity."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sksmbo import HalvingBayesSearchCV
from sksmbo._surrogates.fidelity import FidelityGPProposer
from sksmbo._surrogates.gp import GaussianProcess, InputMap
from sksmbo.space import Space
from tests.conftest import FastClassifier

SPACE = Space({"x": (0.0, 1.0), "kind": ["a", "b", "c"]})


def test_fidelity_is_one_more_numeric_column():
    base = InputMap.from_space(SPACE)
    lifted = base.with_fidelity()
    assert lifted.n_dims == base.n_dims + 1
    X = np.array([[0.2, 0.5], [0.9, 0.1]])
    features = lifted(np.hstack([X, [[0.25], [1.0]]]))
    # The configuration's features are unchanged; the fidelity is added as is
    # and has its own lengthscale (the last column's).
    np.testing.assert_allclose(np.delete(features, 1, axis=1), base(X))
    np.testing.assert_allclose(features[:, 1], [0.25, 1.0])
    assert lifted.groups[1] == base.n_dims


def _two_fidelities(shift_optimum, n_low=30, n_full=8, seed=0):
    """Cheap scores at fidelity 0 (many) and full ones at fidelity 1 (few).

    The full score peaks at x = 0.7. The cheap one is lower everywhere and
    peaks at 0.7 too, or at 0.2 with ``shift_optimum``.
    """
    rng = np.random.default_rng(seed)
    x = np.r_[rng.random(n_low), np.linspace(0.05, 0.95, n_full)]
    fidelity = np.r_[np.zeros(n_low), np.ones(n_full)]
    peak = np.where(fidelity == 1, 0.7, 0.2 if shift_optimum else 0.7)
    y = -((x - peak) ** 2) - 0.3 * (1 - fidelity)
    return x[:, None], fidelity, y


@pytest.mark.parametrize("shift_optimum", [False, True])
def test_proposals_aim_at_the_full_fidelity_optimum(shift_optimum):
    X, fidelity, y = _two_fidelities(shift_optimum)
    proposer = FidelityGPProposer()
    space = Space({"x": (0.0, 1.0)})
    points = proposer.propose_at_full(
        X, fidelity, y, np.zeros(len(y)), 1, space=space, rng=np.random.default_rng(0)
    )
    assert abs(points[0, 0] - 0.7) < 0.1
    # The model's full-fidelity slice peaks there too, not at the cheap peak.
    grid = np.linspace(0, 1, 101)[:, None]
    mean = proposer.model_.predict(np.hstack([grid, np.ones((101, 1))]))
    assert abs(grid[np.argmax(mean), 0] - 0.7) < 0.1


def test_fidelity_lengthscale_says_how_much_cheap_scores_tell():
    """Cheap scores that track the full ones give a long fidelity lengthscale."""
    lengthscales = {}
    for shift in (False, True):
        X, fidelity, y = _two_fidelities(shift, n_low=30, n_full=15)
        gp = GaussianProcess.fit(
            np.hstack([X, fidelity[:, None]]),
            y,
            input_map=InputMap.from_space(Space({"x": (0.0, 1.0)})).with_fidelity(),
        )
        lengthscales[shift] = gp.params.lengthscales[-1]
    assert lengthscales[False] > 1.3 * lengthscales[True]


def test_batches_are_distinct_and_in_the_space():
    X, fidelity, y = _two_fidelities(False)
    X = np.hstack([X, np.random.default_rng(1).random((len(X), 2))])
    space = Space({"x": (0.0, 1.0), "kind": ["a", "b", "c"], "z": (0.0, 1.0)})
    points = FidelityGPProposer().propose_at_full(
        X, fidelity, y, np.zeros(len(y)), 4, space=space, rng=np.random.default_rng(0)
    )
    assert points.shape == (4, 3)
    assert ((points >= 0) & (points <= 1)).all()
    assert len(np.unique(points.round(6), axis=0)) == 4


def _hyperband_gp(space, **kwargs):
    """Hyperband over FastClassifier's ``b`` from 1, every candidate from the GP."""
    return HalvingBayesSearchCV(
        FastClassifier(),
        space,
        resource="b",
        min_resources=1,
        brackets="auto",
        surrogate="gp",
        random_fraction=0.0,
        random_state=0,
        **kwargs,
    )


def test_hyperband_with_the_gp_fits_scores_at_every_level(monkeypatch):
    X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    seen = []
    original = FidelityGPProposer.propose_at_full

    def spy(self, X_seen, fidelity, *args, **kwargs):
        seen.append(np.unique(fidelity))
        return original(self, X_seen, fidelity, *args, **kwargs)

    monkeypatch.setattr(FidelityGPProposer, "propose_at_full", spy)
    search = _hyperband_gp({"a": (0.0, 1.0)}, max_resources=27).fit(X, y)
    # Brackets 1 to 3 start from the model; by then every level was scored.
    assert len(seen) >= 3
    np.testing.assert_allclose(seen[-1], [0, 1 / 3, 2 / 3, 1])
    a = np.array([p["a"] for p in search.cv_results_["params"]])
    later = search.cv_results_["bracket"] > 0
    assert np.abs(a[later] - 0.3).mean() < np.abs(a[~later] - 0.3).mean()


def test_failed_fits_count_as_the_worst_score():
    X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    # FastClassifier scores best at b=3.
    search = _hyperband_gp(
        {"a": (0.0, 1.0), "fail": [False, True]}, max_resources=3, n_candidates=30
    )
    with warnings.catch_warnings():  # sklearn reports the failed fits
        warnings.simplefilter("ignore")
        search.fit(X, y)
    fail = np.array([p["fail"] for p in search.cv_results_["params"]])
    later = search.cv_results_["bracket"] > 0
    assert fail[~later].any()  # the first bracket tried failing configurations
    assert fail[later].mean() < 0.25  # 0.5 at random
    assert not search.best_params_["fail"]
