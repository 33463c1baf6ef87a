import numpy as np
import pytest

from sksmbo import Optimizer
from sksmbo._surrogates.forest import (
    ForestPosterior,
    ForestProposer,
    QuantileBoosting,
    transform_scores,
)
from sksmbo.space import Space

MIXED = {
    "x": (-2.0, 2.0),
    "n": (1, 8),
    "kind": ["a", "b", "c"],
    "lr": (1e-3, 1.0, "log-uniform"),
}
CONDITIONAL = [
    {"model": ["svc"], "C": (1e-3, 1e3, "log-uniform")},
    {"model": ["forest"], "depth": (1, 10), "criterion": ["gini", "entropy"]},
]


def _observed(space, n=12, seed=0):
    """``n`` random snapped points of ``space`` and a score for each."""
    rng = np.random.default_rng(seed)
    X = space.snap(rng.random((n, space.n_columns)))
    y = -np.nansum((X - 0.3) ** 2, axis=1) + 0.1 * rng.standard_normal(n)
    return X, y


def _propose(proposer, space, X, y, n_points=1, seed=0, pending=None):
    pending = np.empty((0, space.n_columns)) if pending is None else pending
    return proposer.propose(
        X,
        y,
        np.zeros(len(y)),
        n_points,
        space=space,
        rng=np.random.default_rng(seed),
        pending=pending,
    )


def _fit(kind, X, t, n_estimators=5, min_samples_leaf=2, seed=0):
    return ForestPosterior.fit(
        kind,
        X,
        t,
        n_estimators=n_estimators,
        min_samples_leaf=min_samples_leaf,
        max_features=1.0,
        seed=seed,
    )


@pytest.mark.parametrize("kind", ["rf", "et", "gbrt"])
@pytest.mark.parametrize("search_space", [MIXED, CONDITIONAL], ids=["mixed", "cond"])
def test_proposals_are_snapped_points_of_the_space(kind, search_space):
    space = Space(search_space)
    X, y = _observed(space)
    proposer = ForestProposer(kind, n_estimators=10, n_candidates=128)
    out = _propose(proposer, space, X, y, n_points=3)
    assert out.shape == (3, space.n_columns)
    np.testing.assert_array_equal(out, space.snap(out))
    active = ~np.isnan(out)
    assert np.all((out[active] >= 0) & (out[active] <= 1))
    np.testing.assert_array_equal(np.isnan(out), ~space.active_mask(out))
    keys = space.keys(out)
    assert len(set(keys)) == 3
    assert not set(keys) & set(space.keys(X))


@pytest.mark.parametrize("kind", ["rf", "et", "gbrt"])
def test_same_rng_seed_gives_the_same_proposals(kind):
    space = Space(MIXED)
    X, y = _observed(space)
    first = _propose(ForestProposer(kind, n_estimators=10), space, X, y, 2, seed=3)
    again = _propose(ForestProposer(kind, n_estimators=10), space, X, y, 2, seed=3)
    other = _propose(ForestProposer(kind, n_estimators=10), space, X, y, 2, seed=4)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def _brute_force(forest, X, t, pending, lie, candidates):
    """Mixture of the leaf distributions, tree by tree and point by point."""
    means, variances = [], []
    trees = zip(forest.estimators_, forest.estimators_samples_, strict=True)
    for tree, in_bag in trees:
        w = np.concatenate(
            [np.bincount(in_bag, minlength=len(X)), np.ones(len(pending))]
        )
        values = np.concatenate([t, np.full(len(pending), lie)])
        train = tree.apply(np.vstack([X, pending]).astype(np.float32))
        row_means, row_vars = [], []
        for leaf in tree.apply(candidates.astype(np.float32)):
            members = train == leaf
            mu = np.average(values[members], weights=w[members])
            row_means.append(mu)
            var = np.average((values[members] - mu) ** 2, weights=w[members])
            row_vars.append(var)
        means.append(row_means)
        variances.append(row_vars)
    means, variances = np.array(means), np.array(variances)
    mean = means.mean(axis=0)
    return mean, np.sqrt(variances.mean(axis=0) + ((means - mean) ** 2).mean(axis=0))


@pytest.mark.parametrize("kind", ["rf", "et"])
def test_total_variance_matches_a_per_tree_per_leaf_computation(kind):
    rng = np.random.default_rng(1)
    X, t = rng.random((12, 2)), rng.standard_normal(12)
    candidates = rng.random((7, 2))
    posterior = _fit(kind, X, t)
    mean, std = posterior.posterior(candidates)
    expected_mean, expected_std = _brute_force(
        posterior.forest, X, t, np.empty((0, 2)), 0.0, candidates
    )
    np.testing.assert_allclose(mean, expected_mean)
    np.testing.assert_allclose(std, expected_std)
    # Bootstrap multiplicities as weights: the trees' own predictions.
    np.testing.assert_allclose(mean, posterior.forest.predict(candidates))


def test_conditioning_adds_the_lie_to_the_leaves_without_a_refit():
    rng = np.random.default_rng(2)
    X, t = rng.random((12, 2)), rng.standard_normal(12)
    pending, candidates = rng.random((3, 2)), rng.random((7, 2))
    posterior = _fit("rf", X, t)
    conditioned = posterior.condition_on(pending, -2.0)
    assert conditioned.forest is posterior.forest
    mean, std = conditioned.posterior(candidates)
    expected_mean, expected_std = _brute_force(
        posterior.forest, X, t, pending, -2.0, candidates
    )
    np.testing.assert_allclose(mean, expected_mean)
    np.testing.assert_allclose(std, expected_std)


@pytest.mark.parametrize("kind, factor", [("rf", 1.15), ("et", 1.5)])
def test_spread_is_larger_between_the_data_than_at_it(kind, factor):
    # Two clusters on x0 and a trend across them: trees disagree in the gap.
    rng = np.random.default_rng(0)
    x0 = np.concatenate([rng.uniform(0, 0.3, 15), rng.uniform(0.7, 1, 15)])
    X = np.column_stack([x0, rng.random(30)])
    t = transform_scores(3 * X[:, 0] + 0.3 * X[:, 1], False)
    posterior = _fit(kind, X, t, n_estimators=50, min_samples_leaf=3)
    gap = np.column_stack([rng.uniform(0.4, 0.6, 200), rng.random(200)])
    assert (
        posterior.posterior(gap)[1].mean() > factor * posterior.posterior(X)[1].mean()
    )


def test_quantile_boosting_has_a_positive_spread():
    space = Space(MIXED)
    X, y = _observed(space, n=20)
    model = QuantileBoosting.fit(
        np.nan_to_num(X, nan=-1.0), transform_scores(y, False), n_estimators=30, seed=0
    )
    mean, std = model.posterior(np.random.default_rng(1).random((50, 4)))
    assert mean.shape == std.shape == (50,)
    assert np.all(std >= 0) and std.mean() > 0


def test_transform_scores_keeps_the_order_and_spreads_the_best():
    y = np.array([-100.0, -10.0, -1.0, -0.5, 0.0])
    plain, logged = transform_scores(y, False), transform_scores(y, True)
    for t in (plain, logged):
        np.testing.assert_allclose([t.mean(), t.std()], [0, 1], atol=1e-12)
        assert np.all(np.diff(t) > 0)
    # The log spreads the three near-best scores out, the plain scale does not.
    assert logged[-1] - logged[-3] > 3 * (plain[-1] - plain[-3])
    np.testing.assert_array_equal(transform_scores(np.ones(4), True), np.zeros(4))


@pytest.mark.parametrize("kind", ["rf", "et", "gbrt"])
def test_pending_points_are_not_proposed_again(kind):
    space = Space({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    X, y = _observed(space, n=15)
    proposer = ForestProposer(kind, n_estimators=10, n_candidates=128)
    first = _propose(proposer, space, X, y, n_points=2)
    then = _propose(proposer, space, X, y, n_points=2, pending=first)
    assert not set(space.keys(then)) & set(space.keys(first))


def test_the_worst_score_as_a_lie_lowers_the_mean_where_it_is_told():
    rng = np.random.default_rng(3)
    X, t = rng.random((20, 2)), rng.standard_normal(20)
    posterior = _fit("et", X, t, n_estimators=50)
    point = rng.random((1, 2))
    lied = posterior.condition_on(point, t.min())
    assert lied.posterior(point)[0] < posterior.posterior(point)[0]
    # Far from the lie, most trees put the candidate in other leaves.
    far = 1.0 - point
    shift = posterior.posterior(point)[0] - lied.posterior(point)[0]
    assert posterior.posterior(far)[0] - lied.posterior(far)[0] < shift


def test_optimizer_with_a_random_forest_finds_a_quadratic_optimum():
    # One seed is fragile (its regret ranges from 0 to 1 across seeds and
    # scikit-learn versions), four too (median 0.84 on seeds 0-3 with
    # scikit-learn 1.4.2 once the Sobol' candidates changed; 0.1-0.3 over 8
    # to 64 seeds): the median of eight is the claim.
    regrets = []
    for seed in range(8):
        opt = Optimizer(
            {"a": (-5.0, 5.0), "b": (-5.0, 5.0)},
            ForestProposer("rf", n_estimators=30, n_candidates=256),
            n_initial_points=5,
            random_state=seed,
        )
        for _ in range(25):
            p = opt.ask()
            opt.tell(p, -((p["a"] - 1.0) ** 2) - (p["b"] + 2.0) ** 2)
        regrets.append(-opt.best()[1])
    # The best of 25 uniform points has an expected regret of about
    # 100 / (26 pi) = 1.2 here.
    assert np.median(regrets) < 0.6


@pytest.mark.parametrize("search_space", [MIXED, CONDITIONAL], ids=["mixed", "cond"])
def test_optimizer_batches_on_mixed_and_conditional_spaces(search_space):
    opt = Optimizer(
        search_space,
        ForestProposer("rf", n_estimators=10, n_candidates=128),
        n_initial_points=4,
        random_state=0,
    )
    seen = []
    for _ in range(3):
        points = opt.ask(3)
        opt.tell(points, [float(len(str(sorted(p.items())))) for p in points])
        seen += points
    assert len(seen) == 9
    assert len({str(sorted(p.items())) for p in seen}) == 9
    space = Space(search_space)
    np.testing.assert_array_equal(
        space.transform(seen), space.snap(space.transform(seen))
    )


@pytest.mark.parametrize(
    "params, match",
    [
        ({"kind": "GBRT"}, r"'kind' parameter of ForestProposer must be a str among"),
        ({"acq_func": "gp_hedge"}, r"'acq_func' parameter of ForestProposer must be"),
        ({"xi": -1.0}, r"'xi' parameter of ForestProposer must be a float in"),
        ({"kappa": np.inf}, r"'kappa' parameter .* range \[0.0, inf\). Got inf"),
        ({"n_estimators": 0}, r"'n_estimators' parameter .* range \[1, inf\)"),
        ({"min_samples_leaf": 1.5}, r"'min_samples_leaf' parameter .* Got 1.5"),
        ({"n_candidates": 0}, r"'n_candidates' parameter .* Got 0 instead"),
        ({"max_features": 0.0}, r"'max_features' parameter .* range \(0.0, 1.0\]"),
        ({"log_transform": "auto"}, r"'log_transform' parameter .* instance of 'bool'"),
    ],
)
def test_invalid_parameters_are_named(params, match):
    with pytest.raises(ValueError, match=match):
        ForestProposer(**params)


def test_repr_shows_the_kind_and_parameters():
    text = repr(ForestProposer("et", acq_func="lcb", kappa=1.0))
    assert text.startswith("ForestProposer('et', acq_func='lcb'")
    assert "kappa=1.0" in text
