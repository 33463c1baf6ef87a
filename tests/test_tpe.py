"""Tests of the Tree-structured Parzen Estimator (sksmbo._surrogates.tpe)."""

import itertools

import numpy as np
import pytest

from sksmbo import Optimizer
from sksmbo._surrogates import tpe as tpe_module
from sksmbo._surrogates.tpe import (
    Columns,
    ParzenEstimator,
    TPEProposer,
    check_tpe_params,
    default_gamma,
    default_weights,
    nearest_scores,
    split_good_bad,
    with_in_flight,
)
from sksmbo.space import Categorical, Integer, Real, Space

# numpy < 2 names it trapz.
_trapezoid = getattr(np, "trapezoid", None) or np.trapz


def _fit(space, X, **kwargs):
    return ParzenEstimator.from_observations(X, Columns.from_space(space), **kwargs)


def _propose(proposer, space, X, y, n_points=1, seed=0, pending=None):
    X = space.snap(X)
    pending = np.empty((0, space.n_columns)) if pending is None else pending
    return proposer.propose(
        X,
        np.asarray(y, dtype=float),
        np.zeros(len(X)),
        n_points,
        space=space,
        rng=np.random.default_rng(seed),
        pending=pending,
    )


# -- good / bad split ---------------------------------------------------------


@pytest.mark.parametrize(
    "n, expected", [(0, 0), (1, 1), (10, 1), (11, 2), (100, 10), (249, 25), (10**4, 25)]
)
def test_default_gamma(n, expected):
    assert default_gamma(n) == expected


def test_split_sizes_and_order():
    y = np.array([0.1, 0.9, 0.5, 0.7, 0.3])
    good, bad = split_good_bad(y, 2)
    np.testing.assert_array_equal(good, [1, 3])
    np.testing.assert_array_equal(bad, [0, 2, 4])
    for n_good in range(-1, 8):
        good, bad = split_good_bad(y, n_good)
        assert len(good) == min(max(n_good, 0), 5)
        assert sorted(np.concatenate([good, bad]).tolist()) == list(range(5))


def test_split_ties_keep_earlier_and_nan_is_worst():
    good, bad = split_good_bad(np.array([1.0, 2.0, 2.0, 2.0, np.nan]), 2)
    np.testing.assert_array_equal(good, [1, 2])
    np.testing.assert_array_equal(bad, [0, 3, 4])
    good, _ = split_good_bad(np.full(6, 3.0), 3)
    np.testing.assert_array_equal(good, [0, 1, 2])
    good, _ = split_good_bad(np.array([np.nan, -5.0]), 1)
    np.testing.assert_array_equal(good, [1])


@pytest.mark.parametrize(
    "gamma, n, expected",
    [
        (None, 30, 3),
        (0.25, 10, 3),
        (0.5, 1, 1),
        (lambda n: n // 2, 9, 4),
        (lambda n: 99, 5, 5),
    ],
)
def test_n_good(gamma, n, expected):
    assert TPEProposer(gamma=gamma).n_good(n) == expected


def test_default_weights():
    np.testing.assert_array_equal(default_weights(24), np.ones(24))
    w = default_weights(40)
    assert w.shape == (40,)
    assert w[0] == pytest.approx(1 / 40)
    np.testing.assert_array_equal(w[-25:], 1.0)
    assert np.all(np.diff(w) >= 0)


# -- Parzen estimator: densities ----------------------------------------------


@pytest.mark.parametrize("bandwidth", ["neighbor", "scott"])
@pytest.mark.parametrize("consider_endpoints", [False, True])
def test_real_density_integrates_to_one(bandwidth, consider_endpoints):
    space = Space({"x": Real(1e-3, 1e3, prior="log-uniform")})
    X = np.array([[0.0], [0.02], [0.5], [0.51], [0.999]])
    pe = _fit(space, X, bandwidth=bandwidth, consider_endpoints=consider_endpoints)
    grid = np.linspace(0, 1, 200_001)
    density = np.exp(pe.log_pdf(grid[:, None]))
    assert np.all(np.isfinite(density)) and np.all(density > 0)
    assert _trapezoid(density, grid) == pytest.approx(1.0, abs=1e-6)


def test_bandwidth_magic_clip_and_neighbor_rule():
    space = Space({"x": Real(0.0, 1.0)})
    pe = _fit(space, np.array([[0.2], [0.21], [0.6]]))
    # Lower clip 1 / min(100, n + 2); gaps to neighbours otherwise.
    np.testing.assert_allclose(pe.sigma[:, 0], [0.2, 0.39, 0.39])
    pe = _fit(space, np.full((300, 1), 0.5))
    np.testing.assert_allclose(pe.sigma, 0.01)


def test_discrete_masses_sum_to_one():
    space = Space(
        {"i": Integer(1, 30, prior="log-uniform"), "o": [0.1, 1, 10], "c": ["a", "b"]}
    )
    rng = np.random.default_rng(0)
    X = space.snap(rng.random((6, space.n_columns)))
    pe = _fit(space, X, prior_weight=0.5)
    grid = space.snap(space.grid())
    assert len(grid) == 30 * 3 * 2
    assert np.exp(pe.log_pdf(grid)).sum() == pytest.approx(1.0, abs=1e-12)


def test_mixed_density_normalizes():
    space = Space({"x": (0.0, 1.0), "c": ["a", "b", "c"], "k": (0, 4)})
    rng = np.random.default_rng(1)
    pe = _fit(space, space.snap(rng.random((8, 3))))
    # Columns are sorted by name: c, k, x.
    x = np.linspace(0, 1, 20_001)
    total = 0.0
    for c, k in itertools.product(
        space.dimensions[0].grid_unit(), space.dimensions[1].grid_unit()
    ):
        P = np.column_stack([np.full_like(x, c), np.full_like(x, k), x])
        total += _trapezoid(np.exp(pe.log_pdf(P)), x)
    assert total == pytest.approx(1.0, abs=1e-6)


def test_categorical_probabilities_and_unseen_categories():
    space = Space({"c": Categorical(["a", "b", "c", "d"])})
    X = space.transform([{"c": "a"}] * 5 + [{"c": "b"}])
    pe = _fit(space, X)
    grid = space.dimensions[0].grid_unit()[:, None]
    probs = np.exp(pe.log_pdf(grid))
    assert probs.sum() == pytest.approx(1.0)
    assert probs[0] > probs[1] > probs[2] > 0
    assert probs[2] == pytest.approx(probs[3])
    # Samples follow the probabilities, unseen categories included.
    S = pe.sample(20_000, np.random.default_rng(0))
    counts = np.array([np.isclose(S[:, 0], g).sum() for g in grid[:, 0]])
    assert counts.sum() == len(S)
    np.testing.assert_allclose(counts / len(S), probs, atol=0.015)


def test_empty_estimator_is_the_prior():
    space = Space({"x": (0.0, 1.0), "c": ["a", "b"]})
    pe = _fit(space, np.empty((0, 2)))
    X = np.array([[0.25, 0.1], [0.75, 0.9]])
    np.testing.assert_allclose(pe.log_pdf(X), np.log(0.5))


# -- Parzen estimator: sampling -----------------------------------------------


def test_samples_in_unit_cube_and_on_grids():
    space = Space(
        {
            "c": ["a", "b", "c"],
            "i": Integer(0, 9),
            "l": Integer(1, 1000, prior="log-uniform"),
            "o": [1, 2, 4, 8],
            "x": Real(-1.0, 1.0),
        }
    )
    X = space.snap(np.random.default_rng(0).random((12, space.n_columns)))
    X[:3] = [0.0, 0.0, 0.0, 0.0, 0.0]  # kernels at the edges
    X = space.snap(X)
    S = _fit(space, X).sample(5_000, np.random.default_rng(1))
    assert S.shape == (5_000, space.n_columns)
    assert np.all((S >= 0) & (S <= 1))
    # Discrete columns hold encoded values; "l" has too many levels for cells
    # (modelled as continuous, the optimizer snaps it).
    for j, dim in enumerate(space.dimensions):
        if dim.is_discrete and dim.n_levels <= 100:
            assert np.isin(S[:, j], dim.grid_unit()).all()
            assert len(np.unique(S[:, j])) == dim.n_levels


def test_sampling_is_reproducible():
    space = Space({"x": (0.0, 1.0), "c": ["a", "b"]})
    pe = _fit(space, np.array([[0.3, 0.25], [0.6, 0.75]]))
    a = pe.sample(50, np.random.default_rng(3))
    b = pe.sample(50, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


# -- proposer -----------------------------------------------------------------


def _quadratic(p):
    return -((p["x"] - 0.7) ** 2) - (p["y"] + 1.2) ** 2


def _best_after(proposer, seed, n_iter=30):
    opt = Optimizer(
        {"x": (-3.0, 3.0), "y": (-3.0, 3.0)},
        proposer=proposer,
        n_initial_points=10,
        random_state=seed,
    )
    for _ in range(n_iter):
        p = opt.ask()
        opt.tell(p, _quadratic(p))
    return opt.best()[1]


def test_tpe_beats_random_search():
    seeds = range(5)
    tpe = np.mean([_best_after(TPEProposer(), s) for s in seeds])
    random = np.mean([_best_after(None, s) for s in seeds])
    assert tpe > random
    assert tpe > -0.1


@pytest.mark.parametrize(
    "kwargs",
    [{"multivariate": False}, {"bandwidth": "scott"}, {"consider_endpoints": True}],
)
def test_variants_optimize(kwargs):
    # A loose bound: univariate TPE is noisy on this 2-d problem (about -0.2
    # on average over 8 seeds, against -0.03 for the default).
    assert np.mean([_best_after(TPEProposer(**kwargs), s) for s in range(8)]) > -0.3


def test_proposals_reproducible_and_in_unit_cube():
    space = Space({"x": (0.0, 1.0), "k": (1, 5), "c": ["a", "b"]})
    rng = np.random.default_rng(0)
    X, y = rng.random((15, 3)), rng.random(15)
    a = _propose(TPEProposer(), space, X, y, n_points=3, seed=7)
    b = _propose(TPEProposer(), space, X, y, n_points=3, seed=7)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (3, 3) and np.all((a >= 0) & (a <= 1))


def test_constant_scores_do_not_crash():
    space = Space({"x": (0.0, 1.0), "c": ["a", "b"]})
    X = np.random.default_rng(0).random((12, 2))
    out = _propose(TPEProposer(), space, X, np.zeros(12), n_points=2)
    assert out.shape == (2, 2) and np.isfinite(out).all()
    opt = Optimizer(
        {"x": (0.0, 1.0)}, proposer=TPEProposer(), n_initial_points=3, random_state=0
    )
    for _ in range(10):
        opt.tell(opt.ask(), 1.0)
    assert len(opt.yi) == 10


def test_failed_scores_count_as_worst():
    space = Space({"x": (0.0, 1.0)})
    X = np.linspace(0.05, 0.95, 10)[:, None]
    y = np.where(X[:, 0] < 0.5, np.nan, -X[:, 0])  # failures on the left, best at 0.55
    out = _propose(TPEProposer(), space, X, y, n_points=5)
    assert np.all(out[:, 0] > 0.4)


def test_batch_points_are_distinct():
    space = Space({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 2)), rng.random(20)
    out = _propose(TPEProposer(), space, X, y, n_points=4)
    assert len(np.unique(out, axis=0)) == 4
    opt = Optimizer(
        {"k": (0, 9), "c": ["a", "b"]},
        proposer=TPEProposer(),
        n_initial_points=4,
        random_state=0,
    )
    opt.tell(opt.ask(4), [0.0, 1.0, 2.0, 3.0])
    batch = opt.ask(4)
    assert len({tuple(sorted(p.items())) for p in batch}) == 4


@pytest.mark.parametrize("rule", ["believer", "liar"])
def test_pending_points_are_not_proposed_again(monkeypatch, rule):
    monkeypatch.setattr(tpe_module, "_PENDING_SCORE", rule)
    space = Space({"x": (0.0, 1.0)})
    X = np.array(
        [[0.1], [0.3], [0.5], [0.7], [0.9], [0.48], [0.52], [0.2], [0.8], [0.6]]
    )
    y = -np.abs(X[:, 0] - 0.5)
    free = _propose(TPEProposer(), space, X, y, seed=1)
    pending = np.full((30, 1), free[0, 0])
    proposed = _propose(TPEProposer(), space, X, y, seed=1, pending=pending)
    assert proposed[0, 0] != free[0, 0]


def test_nearest_scores_take_the_nearest_evaluated_point():
    X = np.array([[0.1, 0.1], [0.9, 0.9], [0.5, np.nan]])
    y = np.array([1.0, 2.0, 3.0])
    points = np.array([[0.2, 0.0], [0.8, 0.7], [0.45, np.nan], [0.5, 0.5]])
    # An inactive column (NaN) is far from any active value: the third point
    # takes its own sub-space's score, the fourth not.
    np.testing.assert_array_equal(nearest_scores(X, y, points), [1.0, 2.0, 3.0, 1.0])


@pytest.mark.parametrize("rule", ["believer", "liar"])
def test_points_in_flight_are_believed_or_lies(monkeypatch, rule):
    monkeypatch.setattr(tpe_module, "_PENDING_SCORE", rule)
    X = np.array([[0.1], [0.5], [0.9]])
    y = np.array([-1.0, 0.0, np.nan])  # NaN: a failed fit, the worst
    in_flight = np.array([[0.45], [0.85]])
    X_b, y_b, lies = with_in_flight(X, y, in_flight)
    if rule == "liar":  # every point in flight is bad
        assert (X_b, y_b, lies) == (X, y, in_flight)
        return
    # The believer: near the best point counts as the best, near a failure
    # as a failure; no lies.
    np.testing.assert_array_equal(X_b, np.vstack([X, in_flight]))
    np.testing.assert_array_equal(y_b, [-1.0, 0.0, np.nan, 0.0, np.nan])
    assert lies.shape == (0, 1)
    good, _ = split_good_bad(y_b, 2)
    np.testing.assert_array_equal(good, [1, 3])


def test_discrete_proposals_avoid_seen_points():
    space = Space({"k": (0, 5)})
    X = space.transform([{"k": k} for k in range(5)])
    out = _propose(TPEProposer(), space, X, -np.arange(5.0), n_points=1)
    assert space.inverse_transform(out) == [{"k": 5}]


# -- conditional spaces -------------------------------------------------------


_CONDITIONAL = [
    {"a": (0.0, 1.0), "shared": ["u", "v"]},
    {"b": (0.0, 1.0), "k": (1, 8)},
]


def _conditional_score(p):
    if "a" in p:  # sub-space 0 holds the optimum (0)
        return -((p["a"] - 0.3) ** 2) - 0.1 * (p["shared"] == "v")
    return -1.0 - (p["b"] - 0.5) ** 2 - 0.01 * p["k"]


@pytest.mark.parametrize("multivariate", [True, False])
def test_conditional_proposals_leave_inactive_columns_nan(multivariate):
    space = Space(_CONDITIONAL)
    opt = Optimizer(space, n_initial_points=12, random_state=0)
    for _ in range(12):
        p = opt.ask()
        opt.tell(p, _conditional_score(p))
    out = _propose(
        TPEProposer(multivariate=multivariate),
        space,
        opt._X,
        np.asarray(opt.yi),
        n_points=20,
    )
    np.testing.assert_array_equal(np.isnan(out), ~space.active_mask(out))
    assert np.isfinite(out[:, 0]).all()
    owner = space.subspace_of(out)
    assert (owner == 0).any()


def test_conditional_better_subspace_is_chosen_more_often():
    chosen = []
    for seed in range(3):
        opt = Optimizer(
            _CONDITIONAL, proposer=TPEProposer(), n_initial_points=10, random_state=seed
        )
        for _ in range(30):
            p = opt.ask()
            opt.tell(p, _conditional_score(p))
        chosen += ["a" in p for p in opt.Xi[10:]]
    assert np.mean(chosen) > 0.7
    assert all(set(p) in ({"a", "shared"}, {"b", "k"}) for p in opt.Xi)


def test_unvisited_subspace_is_sampled_from_the_prior():
    space = Space(_CONDITIONAL)
    X = space.transform([{"a": 0.5, "shared": "u"}, {"a": 0.1, "shared": "v"}])
    out = _propose(TPEProposer(), space, X, [1.0, 0.0], n_points=40)
    active = space.active_mask(out)
    assert (space.subspace_of(out) == 1).any()
    assert np.isfinite(out[active]).all() and np.isnan(out[~active]).all()


# -- bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"n_ei_candidates": 0},
            r"'n_ei_candidates' parameter must be an int >= 1\. Got 0",
        ),
        ({"n_ei_candidates": 2.0}, r"'n_ei_candidates'.*Got 2\.0"),
        ({"n_ei_candidates": True}, r"'n_ei_candidates'.*Got True"),
        ({"gamma": 0.0}, r"'gamma' parameter must be .* in \(0, 1\)\. Got 0\.0"),
        ({"gamma": 1.0}, r"'gamma'.*Got 1\.0"),
        ({"gamma": 1.5}, r"'gamma'.*Got 1\.5"),
        ({"gamma": "auto"}, r"'gamma'.*Got 'auto'"),
        ({"weights": [1, 2]}, r"'weights'.*Got \[1, 2\]"),
        (
            {"prior_weight": 0.0},
            r"'prior_weight' parameter must be a float > 0\. Got 0\.0",
        ),
        ({"prior_weight": -1}, r"'prior_weight'.*Got -1"),
        ({"prior_weight": float("nan")}, r"'prior_weight'.*Got nan"),
        ({"bandwidth": "silverman"}, r"'bandwidth'.*Got 'silverman'"),
    ],
)
def test_invalid_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_tpe_params(**kwargs)
    with pytest.raises(ValueError, match=match):
        TPEProposer(**kwargs)


def test_valid_parameters_pass():
    check_tpe_params()
    check_tpe_params(n_ei_candidates=np.int64(1), gamma=0.5, prior_weight=1e-3)
    check_tpe_params(gamma=default_gamma, weights=default_weights, bandwidth="scott")


def test_invalid_weights_function():
    space = Space({"x": (0.0, 1.0)})
    proposer = TPEProposer(weights=lambda n: -np.ones(n))
    with pytest.raises(ValueError, match=r"'weights' function must return 1 finite"):
        _propose(
            proposer, space, np.random.default_rng(0).random((5, 1)), np.arange(5.0)
        )
