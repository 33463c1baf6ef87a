import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sksmbo import Optimizer
from sksmbo._surrogates.gp import GPProposer
from sksmbo._surrogates.tpe import TPEProposer
from sksmbo.space import Space


class Proposer:
    """Proposes the best point seen so far, nudged: exercises de-duplication."""

    def __init__(self):
        self.calls = []

    def propose(self, X, y, noise, n_points, *, space, rng, pending):
        self.calls.append((X.copy(), y.copy(), noise.copy(), pending.copy()))
        best = X[np.argmax(y)]
        return np.repeat(best[None, :], n_points, axis=0)


def test_ask_returns_dicts_and_tell_records():
    opt = Optimizer({"a": (0.0, 1.0), "b": ["x", "y"]}, random_state=0)
    point = opt.ask()
    assert set(point) == {"a", "b"}
    points = opt.ask(3)
    assert len(points) == 3
    opt.tell([point] + points, [0.1, 0.2, np.nan, 0.4])
    assert opt.yi[2] != opt.yi[2] and opt.best() == (points[2], 0.4)


def test_same_random_state_same_points():
    a = Optimizer({"a": (0.0, 1.0), "b": (1, 50)}, random_state=42).ask(7)
    b = Optimizer({"a": (0.0, 1.0), "b": (1, 50)}, random_state=42).ask(7)
    c = Optimizer({"a": (0.0, 1.0), "b": (1, 50)}, random_state=43).ask(7)
    assert a == b != c


def test_finite_space_never_repeats_and_ends():
    opt = Optimizer({"a": [1, 2, 3], "b": ["x", "y"]}, random_state=0)
    seen = []
    while batch := opt.ask(4):
        seen.extend(batch)
        opt.tell(batch, np.arange(len(batch), dtype=float))
    assert len(seen) == 6
    assert len({(p["a"], p["b"]) for p in seen}) == 6
    assert opt.exhausted and opt.ask(1) == []


def test_proposer_sees_imputed_failures_noise_and_pending():
    proposer = Proposer()
    opt = Optimizer({"a": (0, 1000)}, proposer, n_initial_points=3, random_state=0)
    first = opt.ask(3)
    opt.tell(first, [1.0, np.nan, 3.0], noise=[0.1, 0.2, 0.3])
    pending = opt.ask(1)
    batch = opt.ask(2)
    X, y, noise, pending_X = proposer.calls[-1]
    np.testing.assert_array_equal(y, [1.0, 1.0, 3.0])  # NaN seen as the worst
    np.testing.assert_array_equal(noise, [0.1, 0.2, 0.3])
    assert len(pending_X) == 1
    # the proposer repeats the best point: the optimizer replaces the repeats
    values = [p["a"] for p in first + pending + batch]
    assert len(set(values)) == len(values) == 6


def test_failed_points_are_not_proposed_again():
    opt = Optimizer({"a": [1, 2, 3, 4]}, Proposer(), n_initial_points=2, random_state=0)
    first = opt.ask(2)
    opt.tell(first, [np.nan, -np.inf])
    rest = opt.ask(2)
    assert {p["a"] for p in first} & {p["a"] for p in rest} == set()


def test_all_failed_keeps_filling_space():
    proposer = Proposer()
    opt = Optimizer({"a": (0.0, 1.0)}, proposer, n_initial_points=2, random_state=0)
    opt.tell(opt.ask(2), [np.nan, np.nan])
    assert len(opt.ask(3)) == 3 and proposer.calls == []


def test_state_pickles_and_resumes_identically():
    opt = Optimizer({"a": (0.0, 1.0), "c": ["u", "v", "w"]}, random_state=1)
    opt.tell(opt.ask(3), [0.0, 1.0, 2.0])
    clone = pickle.loads(pickle.dumps(opt))
    assert clone.ask(4) == opt.ask(4)


@pytest.mark.parametrize("proposer", [TPEProposer, GPProposer], ids=["tpe", "gp"])
def test_optimizer_state_pickles_mid_search(proposer):
    space = {"a": (0.0, 1.0), "b": (1, 100, "log-uniform"), "c": ["x", "y", "z"]}
    opt = Optimizer(space, proposer(), n_initial_points=3, random_state=0)
    rng = np.random.default_rng(0)
    for _ in range(3):  # the design, then the model
        points = opt.ask(2)
        opt.tell(points, rng.random(len(points)), noise=np.full(len(points), 1e-3))
    pending = opt.ask(2)  # asked, not told: the copy must avoid them too
    copy = pickle.loads(pickle.dumps(opt))
    assert copy.ask(3) == opt.ask(3)
    for o in (opt, copy):
        o.tell(pending, [0.5, 0.7])
    assert copy.ask() == opt.ask()


def test_result_is_in_skopt_format():
    opt = Optimizer({"b": (0.0, 1.0), "a": ["x", "y"]}, random_state=0)
    points = opt.ask(3)
    opt.tell(points, [1.0, 3.0, 2.0])
    result = opt.result()
    assert result.x == [points[1]["a"], points[1]["b"]]
    assert result.fun == -3.0
    np.testing.assert_array_equal(result.func_vals, [-1.0, -3.0, -2.0])
    assert isinstance(result.space, Space)


# -- properties: whatever the scores, proposals stay valid and new ----------

finite_dims = st.one_of(
    st.lists(st.integers(-5, 5), min_size=1, max_size=4, unique=True),
    st.lists(
        st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=4, unique=True
    ),
    st.tuples(st.integers(0, 3), st.integers(4, 6)),
)
scores = st.one_of(st.floats(-1e3, 1e3), st.just(float("nan")), st.just(float("inf")))


@settings(max_examples=25, deadline=None)
@given(
    dims=st.lists(finite_dims, min_size=1, max_size=3),
    proposer=st.sampled_from(["tpe", "gp", None]),
    data=st.data(),
)
def test_finite_space_proposals_valid_and_never_repeated(dims, proposer, data):
    space = Space({f"p{i}": d for i, d in enumerate(dims)})
    proposer = {"tpe": TPEProposer(), "gp": GPProposer(n_candidates=64)}.get(proposer)
    opt = Optimizer(space, proposer, n_initial_points=3, random_state=0)

    def key(point):
        return tuple(repr(point[name]) for name in space.names)

    valid = {key(p) for p in space.inverse_transform(space.grid())}
    seen = []
    for _ in range(int(min(space.size, 12))):
        point = opt.ask()
        assert key(point) in valid
        seen.append(key(point))
        opt.tell(point, data.draw(scores))
    assert len(set(seen)) == len(seen)


def test_told_points_leave_pending_despite_float_noise():
    opt = Optimizer({"a": (1e-3, 1e3, "log-uniform"), "b": ["x", "y"]}, random_state=0)
    points = opt.ask(4)
    # A real value can come back a few ulps off after a round trip elsewhere.
    returned = [{**p, "a": p["a"] * (1 + 1e-15)} for p in points]
    opt.tell(returned, [0.1, 0.2, 0.3, 0.4])
    assert len(opt._pending) == 0


@pytest.mark.parametrize("proposer", [None, "gp", "tpe"])
def test_constraint_rejected_points_are_never_asked(proposer):
    def below_diagonal(p):
        return p["a"] + p["b"] <= 1.0

    opt = Optimizer(
        {"a": (0.0, 1.0), "b": (0.0, 1.0)},
        proposer,
        n_initial_points=4,
        constraint=below_diagonal,
        random_state=0,
    )
    for _ in range(6):
        points = opt.ask(3)
        assert len(points) == 3 and all(below_diagonal(p) for p in points)
        # The optimum (0.6, 0.7) lies outside: proposals press against the edge.
        opt.tell(points, [-((p["a"] - 0.6) ** 2) - (p["b"] - 0.7) ** 2 for p in points])
    best, _ = opt.best()
    assert best["a"] + best["b"] > 0.9


def test_constraint_on_a_finite_space_leaves_only_feasible_points():
    opt = Optimizer({"x": [1, 2, 3, 4, 5, 6]}, "gp", n_initial_points=2,
                    constraint=lambda p: p["x"] % 2 == 0, random_state=0)
    asked = []
    while (point := opt.ask()) is not None:
        asked.append(point["x"])
        opt.tell(point, point["x"])
    assert sorted(asked) == [2, 4, 6]


def test_constraint_rejecting_everything_is_an_error():
    opt = Optimizer({"a": (0.0, 1.0)}, constraint=lambda p: False)
    with pytest.raises(ValueError, match="rejected every point tried"):
        opt.ask()


def test_constraint_is_not_pickled():
    opt = Optimizer({"a": (0.0, 1.0)}, constraint=lambda p: p["a"] < 0.5)
    opt.tell(opt.ask(), 1.0)
    loaded = pickle.loads(pickle.dumps(opt))
    assert loaded.constraint is None and len(loaded.yi) == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"noise": -5.0}, r"'noise' values passed to tell must be >= 0.*-5"),
        ({"noise": np.inf}, r"'noise' values .*inf"),
        ({"cost": -1.0}, r"'cost' values passed to tell must be >= 0"),
    ],
)
def test_tell_refuses_negative_noise_and_cost(kwargs, match):
    opt = Optimizer({"a": (0.0, 1.0)}, "gp", n_initial_points=1, random_state=0)
    with pytest.raises(ValueError, match=match):
        opt.tell(opt.ask(), 1.0, **kwargs)
    # Nothing was recorded, and later asks still work.
    assert opt.yi == []
    opt.tell({"a": 0.5}, 1.0, noise=np.nan, cost=np.nan)
    assert opt.ask() is not None


def test_model_queue_keeps_the_latest_models():
    opt = Optimizer({"a": (0.0, 1.0)}, "gp", n_initial_points=2,
                    model_queue_size=2, random_state=0)
    for _ in range(6):
        point = opt.ask()
        opt.tell(point, -point["a"])
    models = opt.result().models
    assert len(models) == 2 and models[-1] is opt.proposer.model_
    assert Optimizer({"a": (0.0, 1.0)}).result().models == []


def test_plus_inf_is_the_best_score_as_sklearn_ranks_it():
    opt = Optimizer({"a": (0.0, 1.0)}, "gp", n_initial_points=3, random_state=0)
    points = opt.ask(3)
    opt.tell(points, [0.5, np.inf, -np.inf])
    best, score = opt.best()
    assert best == points[1] and score == np.inf
    assert np.isnan(opt.yi[2])  # -inf is a failure
    assert opt.result().fun == -np.inf
    assert opt.ask() is not None  # the model copes with the infinite score


def test_search_best_params_and_optimizer_agree_on_plus_inf(data):
    from sksmbo import QuasiRandomSearchCV
    from tests.conftest import FastClassifier

    def scorer(estimator, X, y):
        return np.inf if estimator.a > 0.5 else estimator.a

    X, y = data
    search = QuasiRandomSearchCV(
        FastClassifier(), {"a": (0.0, 1.0)}, n_iter=6, scoring=scorer, cv=2,
        random_state=0,
    ).fit(X, y)
    result = search.optimizer_results_[0]
    assert search.best_score_ == np.inf
    assert result.x == [search.best_params_["a"]]


# -- observations at resource levels (successive halving) ------------------------


class LevelSpy:
    """A proposer that records the observations the optimizer hands it."""

    needs_levels = True

    def __init__(self):
        self.seen = None

    def propose(self, X, y, noise, n_points, *, space, rng, pending, observations):
        self.seen = observations
        return rng.random((n_points, space.n_columns))


def test_a_point_told_again_at_a_higher_level_is_an_observation_not_a_point():
    spy = LevelSpy()
    opt = Optimizer({"x": (0.0, 1.0)}, spy, n_initial_points=2, random_state=0)
    first = opt.ask(2)
    opt.tell(first, [0.5, 0.7], noise=[0.01, 0.02], level=10)
    opt.tell(first[1:], [0.8], level=30)  # promoted
    assert opt.Xi == first and opt.yi == [0.5, 0.7]
    obs = opt.observations()
    np.testing.assert_array_equal(obs.level, [10, 10, 30])
    np.testing.assert_array_equal(obs.y, [0.5, 0.7, 0.8])
    np.testing.assert_array_equal(obs.noise, [0.01, 0.02, 0.0])
    np.testing.assert_array_equal(obs.X[2], obs.X[1])
    opt.ask()  # the model phase: the proposer gets every observation
    assert len(spy.seen.y) == 3


@pytest.mark.parametrize("level", [[10, 20, 30], np.nan, -1])
def test_bad_levels_are_refused(level):
    opt = Optimizer({"x": (0.0, 1.0)}, random_state=0)
    points = opt.ask(2)
    with pytest.raises(ValueError, match="level"):
        opt.tell(points, [0.5, 0.7], level=level)
