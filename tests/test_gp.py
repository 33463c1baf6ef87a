import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.stats import qmc, skew, yeojohnson, yeojohnson_llf
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern

import sksmbo._surrogates.gp as gp_module
from sksmbo import Optimizer
from sksmbo._surrogates.gp import (
    ACQ_FUNCS,
    GaussianProcess,
    GPParams,
    GPProposer,
    InputMap,
    _cholesky,
    _Prior,
    _warp,
    _yeo_johnson,
    _yeo_johnson_exponent,
    log_posterior,
)
from sksmbo.space import Space

PARAMS = GPParams(np.array([0.3, 0.7, 1.5]), 1.7, 0.01)


def _data(n=15, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d))
    y = np.sin(4 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.standard_normal(n)
    return X, 3.0 * y + 10.0, 0.02 * rng.random(n)


def _sklearn_gp(X, y_std, params, alpha):
    """scikit-learn's regressor with the same fixed kernel, on standardized y."""
    kernel = ConstantKernel(params.signal_variance, "fixed") * Matern(
        params.lengthscales, "fixed", nu=2.5
    )
    gpr = GaussianProcessRegressor(kernel, alpha=alpha, optimizer=None)
    return gpr.fit(X, y_std)


def test_posterior_matches_sklearn():
    X, y, noise = _data()
    gp = GaussianProcess.from_params(X, y, PARAMS, noise)
    scale = y.std()
    kernel = ConstantKernel(PARAMS.signal_variance, "fixed") * Matern(
        PARAMS.lengthscales, "fixed", nu=2.5
    )
    reference = GaussianProcessRegressor(
        kernel,
        alpha=PARAMS.noise_variance + noise / scale**2,
        optimizer=None,
        normalize_y=True,
    ).fit(X, y)
    X_test = np.random.default_rng(1).random((40, 3))
    mean, std = gp.predict(X_test, return_std=True)
    ref_mean, ref_std = reference.predict(X_test, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(std, ref_std, rtol=1e-6, atol=1e-6 * scale)
    assert gp.predict(X_test).shape == (40,)
    np.testing.assert_allclose(gp.train_mean(), gp.posterior(X)[0], atol=1e-9)


def test_condition_on_equals_refit_with_fixed_hyperparameters():
    X, y, noise = _data()
    gp = GaussianProcess.from_params(X, y, PARAMS, noise)
    X_new = np.random.default_rng(2).random((3, 3))
    liar = y.min()
    conditioned = gp.condition_on(X_new, liar)
    # The refit keeps the first fit's standardization, as the lie does.
    y_all = (np.r_[y, np.full(3, liar)] - y.mean()) / y.std()
    alpha = PARAMS.noise_variance + np.r_[noise / y.std() ** 2, np.zeros(3)]
    reference = _sklearn_gp(np.vstack([X, X_new]), y_all, PARAMS, alpha)
    X_test = np.vstack([X_new, np.random.default_rng(3).random((20, 3))])
    mean, std = conditioned.posterior(X_test)
    ref_mean, ref_std = reference.predict(X_test, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, atol=1e-7)
    np.testing.assert_allclose(std, ref_std, atol=1e-7)
    assert len(gp.y) == 15  # the original is unchanged


def test_cholesky_jitter_scales_with_the_prior_variance():
    # Conditioning on a point where the posterior variance is ~0 gives a Schur
    # complement that round-off can make negative (seen on the floor versions
    # in test_failed_fits_count_as_the_worst_score). Its own diagonal is then
    # no scale for the jitter; the prior variance is.
    schur = np.array([[-1.3e-5]])
    with pytest.raises(np.linalg.LinAlgError):
        _cholesky(schur)
    L = _cholesky(schur, scale=1.0)
    assert L[0, 0] > 0 and np.isfinite(L).all()


def test_conditioning_on_pending_reduces_std_and_keeps_the_liar():
    X, y, _ = _data()
    params = PARAMS._replace(noise_variance=1e-6)
    gp = GaussianProcess.from_params(X, y, params)
    pending = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.9]])
    liar = y.min()
    _, std_before = gp.predict(pending, return_std=True)
    mean, std = gp.condition_on(pending, liar).predict(pending, return_std=True)
    assert (std < 0.05 * std_before).all()
    np.testing.assert_allclose(mean, liar, atol=1e-3 * y.std())
    # The hyperparameters and standardization are those of the fit.
    conditioned = gp.condition_on(pending, liar)
    assert conditioned.params is gp.params
    assert (conditioned.y_mean, conditioned.y_scale) == (gp.y_mean, gp.y_scale)


def test_gradient_matches_finite_differences():
    space = Space({"x": (0.0, 1.0), "n": (1, 6), "c": ["a", "b", "c"]})
    rng = np.random.default_rng(0)
    X = space.snap(rng.random((25, 3)))
    input_map = InputMap.from_space(space)
    Z = input_map(X)
    y = rng.standard_normal(25)
    noise = 0.01 * rng.random(25)
    prior = _Prior.for_dims(3)
    theta = np.array([-0.5, 0.2, 0.4, 0.3, -3.0])

    def value(t):
        return log_posterior(t, Z, input_map.groups, y, noise, prior)[0]

    _, grad = log_posterior(theta, Z, input_map.groups, y, noise, prior)
    np.testing.assert_allclose(grad, approx_fprime(theta, value, 1e-6), rtol=1e-4)
    only_value, no_grad = log_posterior(
        theta, Z, input_map.groups, y, noise, prior, gradient=False
    )
    assert no_grad is None and only_value == pytest.approx(value(theta))
    # The fit's precomputed pairwise differences give the same.
    sq_diff = ((Z[:, None, :] - Z[None, :, :]) ** 2).reshape(25 * 25, -1)
    fast = log_posterior(theta, Z, input_map.groups, y, noise, prior, sq_diff=sq_diff)
    assert fast[0] == pytest.approx(value(theta), rel=1e-12)
    np.testing.assert_allclose(fast[1], grad, rtol=1e-9, atol=1e-12)


def test_fit_without_room_for_pairwise_differences_finds_the_same(monkeypatch):
    X, y, noise = _data(n=20)
    kept = GaussianProcess.fit(X, y, noise, rng=np.random.default_rng(0))
    monkeypatch.setattr(gp_module, "_MAX_SQ_DIFF", 0)
    computed = GaussianProcess.fit(X, y, noise, rng=np.random.default_rng(0))
    np.testing.assert_allclose(
        computed.params.to_vector(), kept.params.to_vector(), rtol=1e-5, atol=1e-6
    )


def test_map_fit_finds_the_relevant_dimension():
    rng = np.random.default_rng(0)
    X = rng.random((40, 3))
    y = np.sin(6 * X[:, 0])
    gp = GaussianProcess.fit(X, y, rng=rng)
    short, *long = gp.params.lengthscales
    assert short < 1.0
    assert min(long) > 50 * short


def test_fit_warm_start_and_degenerate_data():
    X, y, noise = _data()
    gp = GaussianProcess.fit(X, y, noise, rng=np.random.default_rng(0))
    warm = GaussianProcess.fit(X, y, noise, init=gp.params.to_vector(), n_restarts=0)
    np.testing.assert_allclose(
        warm.params.to_vector(), gp.params.to_vector(), atol=0.05
    )
    # Constant scores and duplicated points: no error, finite predictions.
    X_dup = np.vstack([X, X])
    flat = GaussianProcess.fit(X_dup, np.ones(30), n_restarts=0)
    mean, std = flat.predict(X, return_std=True)
    np.testing.assert_allclose(mean, 1.0)
    assert np.isfinite(std).all()
    with pytest.raises(ValueError, match="same length"):
        GaussianProcess.fit(X, y[:-1])


def _branin_scores(U):
    """Minus Branin on the unit square: scores from -308 to -0.398."""
    x1, x2 = -5 + 15 * U[:, 0], 15 * U[:, 1]
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return -((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10)


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_proposer_model_resolves_small_gaps_on_deterministic_scores(seed):
    # Issue 24: with BoTorch's noise prior the process explained as noise
    # differences of a few units of Branin (std ~50), the whole gap between
    # its optima (0.398) and their surroundings; searches stalled next to them.
    X = qmc.Sobol(2, seed=seed).random(32)[:25]
    y = _branin_scores(X)
    space = Space({"x0": (-5.0, 10.0), "x1": (0.0, 15.0)})
    proposer = GPProposer()
    proposer.propose(X, y, np.zeros(25), 1, space=space, rng=np.random.default_rng(0))
    gp = proposer.model_
    # The proposer models the scores after its Yeo-Johnson warp.
    warped, _ = _warp(y, np.zeros(25))
    residual = np.abs(gp.y_mean + gp.y_scale * gp.train_mean() - warped).max()
    assert residual < 0.01 * warped.std()
    assert gp.params.noise_variance < 1e-3
    # The default prior of GaussianProcess.fit (kept for the fidelity and cost
    # models) smooths the same scores by more than that.
    default = GaussianProcess.fit(X, y, space=space, rng=np.random.default_rng(0))
    default_residual = np.abs(
        default.y_mean + default.y_scale * default.train_mean() - y
    )
    assert default_residual.max() > 0.01 * y.std()


def test_noise_prior_argument_sets_the_learned_noise():
    X, y, noise = _data(n=30)
    fits = [
        GaussianProcess.fit(X, y, noise, rng=np.random.default_rng(0), noise_prior=p)
        for p in (None, (-4.0, 1.0), (-8.0, 1.0))
    ]
    np.testing.assert_allclose(fits[0].params.to_vector(), fits[1].params.to_vector())
    assert fits[2].params.noise_variance < fits[1].params.noise_variance
    prior = _Prior.for_dims(3, (-8.0, 1.0))
    assert prior.mode()[-1] == pytest.approx(-9.0)
    assert _Prior.for_dims(3).mode()[-1] == pytest.approx(-5.0)


def test_input_map_categorical_exact_match_and_inactive_columns():
    space = Space([{"x": (0.0, 1.0), "c": ["a", "b", "c"]}, {"z": (0.0, 1.0)}])
    input_map = InputMap.from_space(space)
    # Columns: choice, c, x | z.
    X = space.transform(
        [
            {"x": 0.0, "c": "a"},
            {"x": 0.0, "c": "b"},
            {"x": 1.0, "c": "c"},
            {"z": 0.5},
            {"z": 0.9},
        ]
    )
    Z = input_map(X)
    groups = input_map.groups

    def dist(i, j, column):
        diff = (Z[i] - Z[j])[groups == column]
        return np.sqrt((diff**2).sum())

    assert dist(0, 1, 1) == pytest.approx(1.0)
    assert dist(1, 2, 1) == pytest.approx(1.0)
    assert dist(0, 0, 1) == 0.0
    # x is inactive for the last two points: same distance from any x.
    assert dist(3, 4, 2) == 0.0
    assert dist(0, 3, 2) == pytest.approx(dist(2, 3, 2))
    assert dist(0, 3, 3) == pytest.approx(dist(0, 4, 3))


def test_integer_columns_are_rounded_in_the_kernel():
    space = Space({"n": (1, 4)})
    X = space.snap(np.random.default_rng(0).random((8, 1)))
    gp = GaussianProcess.fit(X, np.sin(4 * X[:, 0]), space=space, n_restarts=0)
    # 0.30 and 0.45 both decode to n = 2.
    mean, std = gp.predict(np.array([[0.30], [0.45]]), return_std=True)
    assert mean[0] == pytest.approx(mean[1]) and std[0] == pytest.approx(std[1])


def test_posterior_of_snapped_points_skips_rounding_with_the_same_result():
    space = Space({"x": (0.0, 1.0), "n": (1, 6), "c": ["a", "b", "c"]})
    rng = np.random.default_rng(0)
    X = space.snap(rng.random((12, 3)))
    gp = GaussianProcess.fit(X, X[:, 0] - X[:, 1], space=space, n_restarts=0)
    unsnapped = rng.random((30, 3))
    snapped = space.snap(unsnapped)
    expected = gp.posterior(unsnapped)
    for got in (gp.posterior(snapped), gp.posterior(snapped, snapped=True)):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # Unsnapped input with the flag is not rounded: it predicts elsewhere.
    assert not np.allclose(gp.posterior(unsnapped, snapped=True)[0], expected[0])


@pytest.mark.parametrize("lmbda", [-1.5, 0.0, 0.7, 2.0, 3.3])
def test_yeo_johnson_matches_scipy_with_its_slope(lmbda):
    z = np.random.default_rng(0).standard_normal(20) * 2
    t, slope = _yeo_johnson(z, lmbda)
    np.testing.assert_allclose(t, yeojohnson(z, lmbda), rtol=1e-12, atol=1e-12)
    h = 1e-6
    np.testing.assert_allclose(
        slope, (_yeo_johnson(z + h, lmbda)[0] - t) / h, rtol=1e-4, atol=1e-6
    )


@pytest.mark.parametrize("seed", range(4))
def test_yeo_johnson_exponent_is_the_likelihood_maximum_on_its_grid(seed):
    rng = np.random.default_rng(seed)
    y = -np.exp(1.5 * rng.standard_normal(25))  # a long tail of poor scores
    z = (y - y.mean()) / y.std()
    exponent = _yeo_johnson_exponent(z)
    # scipy's unbounded maximum, held to the grid's range [-2, 4].
    exact = float(np.clip(yeojohnson(z)[1], -2.0, 4.0))
    assert abs(exponent - exact) <= 0.025 + 1e-9
    assert yeojohnson_llf(exponent, z) >= yeojohnson_llf(exact, z) - 1e-2


def test_warp_keeps_the_order_compresses_the_tail_and_scales_the_noise():
    rng = np.random.default_rng(0)
    y = -np.exp(1.5 * rng.standard_normal(30))
    noise = np.full(30, 1e-4)
    warped, warped_noise = _warp(y, noise)
    np.testing.assert_array_equal(np.argsort(warped), np.argsort(y))
    assert skew(y) < -1 and abs(skew(warped)) < 0.5
    # Where the transform is steeper, the same noise is larger.
    gaps = np.diff(warped[np.argsort(y)]) / np.diff(np.sort(y))
    assert warped_noise.max() > 10 * warped_noise.min() and (gaps > 0).all()
    # Nothing to learn from fewer than three scores or constant ones.
    for few in (y[:2], np.full(5, 3.0)):
        same, same_noise = _warp(few, noise[: len(few)])
        np.testing.assert_array_equal(same, few)


# -- proposer ----------------------------------------------------------------


def _quadratic(point):
    return -((point["x"] - 0.7) ** 2) - (point["y"] + 1.3) ** 2


def _best_after(proposer, n_evals, seed):
    space = {"x": (-2.0, 2.0), "y": (-2.0, 2.0)}
    opt = Optimizer(space, proposer, n_initial_points=5, random_state=seed)
    for _ in range(n_evals):
        point = opt.ask()
        opt.tell(point, _quadratic(point))
    return opt.best()[1]


def test_proposer_beats_random_search_on_a_quadratic():
    for seed in range(2):
        gp_score = _best_after(GPProposer(), 25, seed)
        random_score = _best_after(None, 25, seed)
        assert gp_score > -1e-2
        assert gp_score > random_score


@pytest.mark.parametrize("acq_func", ACQ_FUNCS)
def test_every_acquisition_runs_on_a_mixed_space(acq_func):
    space = {"x": (-2.0, 2.0), "n": (1, 8), "kind": ["a", "b", "c"], "o": [1, 10]}
    opt = Optimizer(space, GPProposer(acq_func), n_initial_points=5, random_state=0)
    # 25 evaluations: with 15, PI (greedy) can still sit on a wrong category.
    for _ in range(25):
        p = opt.ask()
        opt.tell(p, -((p["x"] - 0.5) ** 2) - 0.1 * abs(p["n"] - 6) - (p["kind"] != "c"))
    best, score = opt.best()
    assert best["kind"] == "c"
    assert score > -0.6


def test_conditional_space():
    space = [
        {"model": ["svm"], "C": (1e-2, 1e2, "log-uniform")},
        {"model": ["tree"], "depth": (1, 12)},
    ]

    def score(p):
        if p["model"] == "svm":
            return -((np.log10(p["C"]) - 1) ** 2)
        return -1.0 - 0.1 * abs(p["depth"] - 6)

    opt = Optimizer(space, GPProposer(), n_initial_points=4, random_state=0)
    for _ in range(16):
        p = opt.ask()
        opt.tell(p, score(p))
    best, value = opt.best()
    assert best["model"] == "svm" and value > -0.05
    assert all(set(p) in ({"model", "C"}, {"model", "depth"}) for p in opt.Xi)


def test_batches_are_distinct_and_avoid_pending():
    space = Space({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    rng = np.random.default_rng(0)
    X = rng.random((12, 2))
    y = -((X - 0.5) ** 2).sum(1)
    pending = np.array([[0.5, 0.5]])
    proposer = GPProposer()
    batch = proposer.propose(
        X, y, np.zeros(12), 4, space=space, rng=rng, pending=pending
    )
    assert batch.shape == (4, 2)
    keys = space.keys(np.vstack([X, pending, batch]))
    assert len(set(keys)) == len(keys)
    # The believer spreads the batch out, away from the pending point too: a
    # point believed at its predicted score has nothing left to improve (a
    # believer that kept the incumbent proposed one point four times).
    points = np.vstack([pending, batch])
    gaps = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1))
    assert gaps[np.triu_indices(5, 1)].min() > 0.02


def test_batches_in_optimizer_are_distinct():
    space = {"x": (0.0, 1.0), "k": ["a", "b"]}
    opt = Optimizer(space, GPProposer(), n_initial_points=4, random_state=0)
    opt.tell(opt.ask(4), [0.1, 0.4, 0.2, 0.3])
    batch = opt.ask(4)
    assert len({(p["x"], p["k"]) for p in batch}) == 4


def test_same_seed_same_points():
    def run():
        space = {"x": (-1.0, 1.0)}
        opt = Optimizer(space, GPProposer(), n_initial_points=3, random_state=3)
        for _ in range(6):
            p = opt.ask()
            opt.tell(p, -(p["x"] ** 2))
        return [p["x"] for p in opt.Xi]

    assert run() == run()


def test_gp_hedge_updates_its_gains():
    proposer = GPProposer("gp_hedge")
    space = {"x": (-2.0, 2.0), "y": (-2.0, 2.0)}
    opt = Optimizer(space, proposer, n_initial_points=4, random_state=0)
    for _ in range(8):
        p = opt.ask()
        opt.tell(p, _quadratic(p))
    p = proposer.hedge_.probabilities()
    assert (proposer.hedge_.gains != 0).all()
    assert p.sum() == pytest.approx(1.0)
    assert not np.allclose(p, 1 / 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"acq_func": "EIps"}, "'acq_func' parameter of GPProposer must be a str"),
        ({"xi": -0.1}, "'xi' parameter"),
        ({"kappa": float("nan")}, "'kappa' parameter"),
        ({"n_candidates": 0}, "'n_candidates' parameter"),
        ({"n_polish": 1.5}, "'n_polish' parameter"),
        ({"n_restarts": -1}, "'n_restarts' parameter"),
        ({"polish": "yes"}, "'polish' parameter"),
    ],
)
def test_proposer_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GPProposer(**kwargs)


@pytest.mark.parametrize("seed", range(4))
def test_per_second_picks_the_cheaper_of_two_equal_optima(seed):
    # Two symmetric peaks (x = 0.2 and 0.8): EI alone picks either, by the
    # draw of candidates; per second, the one where fits are cheaper.
    space = Space({"x": (0.0, 1.0)})
    X = np.linspace(0.05, 0.95, 10)[:, None]
    y = -((np.abs(X[:, 0] - 0.5) - 0.3) ** 2)
    cost = np.exp(3 * X[:, 0])  # seconds grow with x
    for seconds, side in [(cost, 0.2), (cost[::-1], 0.8)]:
        proposer = GPProposer("log_ei", per_second=True)
        assert proposer.needs_cost
        x = proposer.propose(
            X, y, None, 1, space=space, rng=np.random.default_rng(seed), cost=seconds
        )
        assert abs(x[0, 0] - side) < 0.05
        assert proposer.cost_model_ is not None


def test_per_second_needs_a_log_acquisition():
    with pytest.raises(ValueError, match="per_second=True needs acq_func 'log_ei'"):
        GPProposer("lcb", per_second=True)
