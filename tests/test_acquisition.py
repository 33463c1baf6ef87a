import numpy as np
import pytest
from scipy.special import ndtr

from sksmbo._acquisition import (
    ACQUISITIONS,
    GPHedge,
    candidate_set,
    ei,
    lcb,
    log_ei,
    log_pi,
    maximize,
    pi,
)
from sksmbo.space import Space


def test_ei_closed_form():
    # z = 1: EI = phi(1) + Phi(1); z = 0: EI = std * phi(0).
    phi1 = np.exp(-0.5) / np.sqrt(2 * np.pi)
    np.testing.assert_allclose(ei([1.0], [1.0], 0.0, xi=0.0), [phi1 + ndtr(1.0)])
    np.testing.assert_allclose(ei([2.0], [3.0], 2.0, xi=0.0), [3 / np.sqrt(2 * np.pi)])
    # No uncertainty: the plain improvement.
    np.testing.assert_allclose(ei([1.0, -1.0], [0.0, 0.0], 0.0, xi=0.25), [0.75, 0.0])


def test_ei_non_negative_and_increasing_in_mean():
    mean = np.linspace(-30, 30, 2001)
    values = ei(mean, np.ones_like(mean), 0.0)
    assert (values >= 0).all()
    assert (np.diff(values) >= 0).all()


@pytest.mark.parametrize("std", [0.5, 1.0, 4.0])
def test_log_ei_equals_log_of_ei(std):
    mean = np.linspace(-25, 10, 701) * std
    expected = np.log(ei(mean, std, 0.0, xi=0.0))
    np.testing.assert_allclose(log_ei(mean, std, 0.0, xi=0.0), expected, rtol=1e-10)


def test_log_ei_finite_where_ei_underflows():
    z = np.array([-40.0, -1e3, -1e5, -1e8])
    assert (ei(z, 1.0, 0.0, xi=0.0) == 0).all()
    values = log_ei(z, 1.0, 0.0, xi=0.0)
    assert np.isfinite(values).all()
    assert (np.diff(values) < 0).all()
    # Asymptote: log EI = log phi(z) - 2 log|z| + log(1 - 3 / z^2 + 15 / z^4 ...).
    log_phi = -0.5 * z**2 - 0.5 * np.log(2 * np.pi)
    asymptote = log_phi - 2 * np.log(-z) + np.log1p(-3 / z**2 + 15 / z**4)
    np.testing.assert_allclose(values, asymptote, rtol=1e-10)
    # Still a signal to a maximizer: increasing in the mean far below best.
    mean = np.linspace(-60, -40, 101)
    assert (np.diff(log_ei(mean, 1.0, 0.0)) > 0).all()


def test_log_ei_without_uncertainty():
    values = log_ei([1.0, 0.0], [0.0, 0.0], 0.0, xi=0.0)
    assert values[0] == 0.0
    assert values[1] == -np.inf


def test_pi_and_log_pi():
    mean = np.linspace(-5, 5, 101)
    p = pi(mean, 1.0, 0.0)
    assert ((p >= 0) & (p <= 1)).all()
    assert (np.diff(p) > 0).all()
    np.testing.assert_allclose(log_pi(mean, 1.0, 0.0), np.log(p), rtol=1e-9)
    # Below the incumbent, more uncertainty means more chance to improve.
    assert (np.diff(pi(-1.0, np.linspace(0.1, 3, 20), 0.0)) > 0).all()
    assert np.isfinite(log_pi([-100.0], 1.0, 0.0)).all()
    np.testing.assert_array_equal(pi([1.0, -1.0], 0.0, 0.0), [1.0, 0.0])


def test_lcb_increasing_in_mean_and_std():
    np.testing.assert_allclose(lcb([1.0, 2.0], [1.0, 0.5], kappa=2.0), [3.0, 3.0])
    assert (np.diff(lcb(np.arange(5.0), 1.0)) > 0).all()
    assert (np.diff(lcb(0.0, np.arange(5.0), kappa=1.0)) > 0).all()


def test_acquisitions_share_one_signature():
    for name, func in ACQUISITIONS.items():
        kwargs = {"kappa": 1.0} if name == "lcb" else {"xi": 0.0}
        assert func(np.zeros(3), np.ones(3), 0.0, **kwargs).shape == (3,)


def test_gp_hedge_probabilities_follow_gains():
    hedge = GPHedge(("ei", "pi", "lcb"))
    np.testing.assert_allclose(hedge.probabilities(), np.full(3, 1 / 3))
    hedge.update([1.0, 0.0, -1.0]).update([1.0, 0.0, -1.0])
    p = hedge.probabilities()
    np.testing.assert_allclose(p, np.exp([2, 0, -2]) / np.exp([2, 0, -2]).sum())
    draws = [hedge.choose(np.random.default_rng(s)) for s in range(200)]
    assert np.bincount(draws, minlength=3).argmax() == 0


def test_gp_hedge_errors():
    with pytest.raises(ValueError, match="one predicted score per function"):
        GPHedge().update([1.0, 2.0])
    with pytest.raises(ValueError, match="'names' parameter"):
        GPHedge(("ei", "nope"))
    with pytest.raises(ValueError, match="'eta' parameter"):
        GPHedge(eta=0.0)


def test_candidate_set_enumerates_small_finite_spaces():
    space = Space({"a": [1, 2, 3], "b": ["x", "y"]})
    candidates = candidate_set(space, np.random.default_rng(0))
    assert len(candidates) == 6
    assert len(set(space.keys(candidates))) == 6


def test_candidate_set_in_space():
    space = Space([{"x": (0.0, 1.0), "n": (1, 5)}, {"c": ["a", "b"]}])
    # Columns: sub-space choice, n, x (first sub-space), c (second).
    seeds = np.array([[0.25, 0.5, 0.1, np.nan], [0.75, np.nan, np.nan, 0.3]])
    candidates = candidate_set(
        space, np.random.default_rng(0), n_candidates=64, seeds=seeds, n_per_seed=8
    )
    assert len(candidates) == 64 + 16 + 16
    np.testing.assert_array_equal(space.snap(candidates), candidates)


def test_maximize_finds_continuous_optimum():
    space = Space({"x": (0.0, 1.0), "y": (0.0, 1.0), "k": ["a", "b"]})
    target = np.array([0.3, 0.71])  # columns are sorted by name: k, x, y

    def score(X):
        return -((X[:, 1:] - target) ** 2).sum(1) - (X[:, 0] > 0.5)

    X, scores = maximize(score, space, 2, np.random.default_rng(0), n_candidates=256)
    assert X.shape == (2, 3)
    np.testing.assert_allclose(X[0, 1:], target, atol=1e-4)
    assert X[0, 0] < 0.5
    assert scores[0] >= scores[1]
    assert len(set(space.keys(X))) == 2


def test_maximize_returns_snapped_points_in_space():
    space = Space([{"x": (0.0, 1.0), "n": (1, 9)}, {"c": ["a", "b", "c"]}])
    X, _ = maximize(
        lambda X: -np.nansum((X - 0.5) ** 2, axis=1),
        space,
        3,
        np.random.default_rng(1),
        n_candidates=128,
    )
    np.testing.assert_array_equal(space.snap(X), X)
    finite = X[~np.isnan(X)]
    assert ((finite >= 0) & (finite <= 1)).all()


def test_maximize_avoids_excluded_points():
    space = Space({"a": [0, 1, 2, 3, 4, 5]})
    grid = space.snap(space.grid())
    score = grid[:, 0].copy()  # the largest category is best

    def score_fn(X):
        return X[:, 0]

    exclude = grid[np.argsort(-score)[:2]]
    X, _ = maximize(score_fn, space, 1, np.random.default_rng(0), exclude=exclude)
    assert space.inverse_transform(X) == [{"a": 3}]
    # When every point is excluded, the best ones are still returned.
    X, _ = maximize(score_fn, space, 2, np.random.default_rng(0), exclude=grid)
    assert space.inverse_transform(X) == [{"a": 5}, {"a": 4}]


@pytest.mark.parametrize("side", ["upper", "lower", "mixed"])
def test_log_ei_branches_agree_with_ei_on_either_side(side):
    # _log_h computes each branch only where it applies (issue 24): one-sided
    # and mixed inputs must give what EI gives.
    rng = np.random.default_rng(0)
    z = {"upper": 3 * rng.random(50) - 0.9, "lower": -1 - 20 * rng.random(50)}.get(
        side, 8 * rng.standard_normal(50)
    )
    np.testing.assert_allclose(
        log_ei(z, 1.0, 0.0, xi=0.0), np.log(ei(z, 1.0, 0.0, xi=0.0)), rtol=1e-10
    )


def test_candidate_set_perturbs_seeds_at_every_scale():
    space = Space({f"x{i}": (0.0, 1.0) for i in range(4)})
    seed = np.full((1, 4), 0.5)

    def share_close(scale):
        candidates = candidate_set(
            space,
            np.random.default_rng(0),
            n_candidates=16,
            seeds=seed,
            n_per_seed=4000,
            scale=scale,
        )
        return np.mean(np.abs(candidates[-4000:] - seed).max(1) < 0.03)

    # Within 0.03 in every column: (P(|N(0, 0.1)| < 0.03) ~ 0.24)^4 at scale
    # 0.1; about half as often as no column is redrawn (0.75^4 ~ 0.32) with a
    # second scale of 0.01.
    assert share_close(0.1) < 0.01
    assert share_close((0.1, 0.01)) == pytest.approx(0.5 * 0.75**4, abs=0.03)


def test_maximize_polishes_from_given_starts():
    # A narrow peak that no screened candidate is near: only a polish started
    # close to it climbs it.
    space = Space({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    peak = np.array([0.61, 0.37])

    def score(X):
        return np.exp(-((X - peak) ** 2).sum(1) / 2e-3)

    candidates = np.array([[0.05, 0.05], [0.95, 0.95], [0.05, 0.95]])
    X, _ = maximize(score, space, 1, np.random.default_rng(0), candidates=candidates)
    assert np.abs(X[0] - peak).max() > 0.1
    X, _ = maximize(
        score,
        space,
        1,
        np.random.default_rng(0),
        candidates=candidates,
        starts=np.array([[0.6, 0.38]]),
    )
    np.testing.assert_allclose(X[0], peak, atol=1e-3)
