"""What users of the peers pass for a dimension (issue 18): optuna's distributions,
scikit-optimize's dimensions, scipy.stats families and any object with ``rvs``.

optuna and scikit-optimize are never imported by sksmbo: they are recognised by
class name and module. The fakes below mimic them (same names, attributes and
``__module__``); the real classes are tested too when installed.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sksmbo import Optimizer
from sksmbo.space import Categorical, Integer, Real, Space, coerce_dimension

# -- fakes -------------------------------------------------------------------------


class FloatDistribution:
    __module__ = "optuna.distributions"

    def __init__(self, low, high, log=False, step=None):
        self.low, self.high, self.log, self.step = low, high, log, step


class IntDistribution:
    __module__ = "optuna.distributions"

    def __init__(self, low, high, log=False, step=1):
        self.low, self.high, self.log, self.step = low, high, log, step


class CategoricalDistribution:
    __module__ = "optuna.distributions"

    def __init__(self, choices):
        self.choices = tuple(choices)


class UniformDistribution:
    __module__ = "optuna.distributions"

    def __init__(self, low, high):
        self.low, self.high = low, high


class LogUniformDistribution(UniformDistribution):
    __module__ = "optuna.distributions"


class DiscreteUniformDistribution:
    __module__ = "optuna.distributions"

    def __init__(self, low, high, q):
        self.low, self.high, self.q = low, high, q


class IntUniformDistribution:
    __module__ = "optuna.distributions"

    def __init__(self, low, high, step=1):
        self.low, self.high, self.step = low, high, step


class IntLogUniformDistribution(IntUniformDistribution):
    __module__ = "optuna.distributions"


class _SkoptDimension:
    """skopt's dimensions can sample themselves: ``rvs`` must not win."""

    def rvs(self, n_samples=1, random_state=None):
        raise AssertionError("skopt dimensions are mapped, never sampled")


class SkoptReal(_SkoptDimension):
    __module__ = "skopt.space.space"

    def __init__(self, low, high, prior="uniform", base=10, transform=None, name=None):
        self.low, self.high, self.prior, self.base = low, high, prior, base
        self.name = name


class SkoptInteger(SkoptReal):
    __module__ = "skopt.space.space"


class SkoptCategorical(_SkoptDimension):
    __module__ = "skopt.space.space"

    def __init__(self, categories, prior=None, transform=None, name=None):
        self.categories, self.prior, self.name = tuple(categories), prior, name


SkoptReal.__name__ = "Real"
SkoptInteger.__name__ = "Integer"
SkoptCategorical.__name__ = "Categorical"


class Draws:
    """An object with ``rvs`` only; ``sized`` says whether it takes ``size=``."""

    def __init__(self, draw, sized=False):
        self.draw, self.sized, self.calls = draw, sized, 0

    def rvs(self, *args, **kwargs):
        self.calls += 1
        if "size" in kwargs and not self.sized:
            raise TypeError("rvs() got an unexpected keyword argument 'size'")
        rng = kwargs["random_state"]
        if self.sized:
            return np.array([self.draw(rng) for _ in range(kwargs["size"])])
        return self.draw(rng)

    def __repr__(self):
        return "Draws()"


def _values(dim):
    """Every value of a discrete dimension, in encoding order."""
    return dim.from_unit(dim.grid_unit())


# -- optuna ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dist, expected",
    [
        (FloatDistribution(0.1, 2.0), Real(0.1, 2.0)),
        (FloatDistribution(1e-3, 1.0, log=True), Real(1e-3, 1.0, "log-uniform")),
        (FloatDistribution(1.5, 1.5), Categorical([1.5])),
        (IntDistribution(1, 9), Integer(1, 9)),
        (IntDistribution(1, 1024, log=True), Integer(1, 1024, "log-uniform")),
        (IntDistribution(3, 3), Categorical([3])),
        (IntDistribution(3, 4, step=2), Categorical([3])),
        (CategoricalDistribution(["a", None, 3]), Categorical(["a", None, 3])),
        (CategoricalDistribution([10, 1, 0.1]), Categorical([0.1, 1, 10])),
        (UniformDistribution(-1.0, 1.0), Real(-1.0, 1.0)),
        (LogUniformDistribution(1e-4, 1.0), Real(1e-4, 1.0, "log-uniform")),
        (IntUniformDistribution(0, 5), Integer(0, 5)),
        (IntLogUniformDistribution(1, 64), Integer(1, 64, "log-uniform")),
    ],
)
def test_optuna_distributions(dist, expected):
    assert coerce_dimension(dist, "p") == expected


@pytest.mark.parametrize(
    "dist, values",
    [
        # optuna's arithmetic: low + i * step, high lowered to the last grid point.
        (FloatDistribution(0.0, 1.0, step=0.25), [0.0, 0.25, 0.5, 0.75, 1.0]),
        (FloatDistribution(0.0, 1.0, step=0.3), [i * 0.3 for i in range(4)]),
        (DiscreteUniformDistribution(-1.0, 1.0, q=0.5), [-1.0, -0.5, 0.0, 0.5, 1.0]),
        (IntDistribution(1, 10, step=3), [1, 4, 7, 10]),
        (IntDistribution(1, 12, step=3), [1, 4, 7, 10]),
        (IntUniformDistribution(0, 10, step=5), [0, 5, 10]),
    ],
)
def test_optuna_step_is_an_ordered_grid(dist, values):
    dim = coerce_dimension(dist, "p")
    assert dim.n_levels == len(values) and dim.kind in ("ordinal", "integer")
    assert _values(dim) == values
    assert all(type(v) is type(values[0]) for v in _values(dim))
    # Every value owns an equal share of [0, 1], in order.
    n = len(values)
    np.testing.assert_allclose(dim.to_unit(values), (np.arange(n) + 0.5) / n)
    assert dim.from_unit([0.0, 1.0]) == [values[0], values[-1]]


def test_optuna_float_step_counts_decimally():
    """0.1 * 10 is not 1.0 in floats; optuna counts 11 values of (0, 1, step=0.1)."""
    dim = coerce_dimension(FloatDistribution(0.0, 1.0, step=0.1), "p")
    assert dim.n_levels == 11 and dim.high == 1.0
    assert _values(dim)[-1] == 1.0
    np.testing.assert_allclose(_values(dim), np.linspace(0, 1, 11))


@pytest.mark.parametrize(
    "dist, error, match",
    [
        (FloatDistribution(1.0, 0.0), ValueError, r"'p'.*low < high.*low=1\.0"),
        (FloatDistribution(0.0, 1.0, log=True), ValueError, r"'p'.*low > 0.*low=0\.0"),
        (
            FloatDistribution(0.1, 1.0, log=True, step=0.1),
            ValueError,
            r"'p'.*log=True with step=0\.1",
        ),
        (
            FloatDistribution(1.0, 0.0, step=0.5),
            ValueError,
            r"'p'.*step > 0, low < high.*low=1\.0, high=0\.0, step=0\.5",
        ),
        (
            FloatDistribution(0.0, 1.0, step=-0.1),
            ValueError,
            r"'p'.*step > 0.*step=-0\.1",
        ),
        (
            FloatDistribution(0.0, np.inf, step=0.1),
            ValueError,
            r"'p'.*finite numbers.*high=inf",
        ),
        (
            FloatDistribution(0.0, 1.0, step=1e-18),
            ValueError,
            r"'p'.*2\*\*50 values.*step=1e-18",
        ),
        (FloatDistribution("a", 1.0), TypeError, r"'p'.*numbers.*low='a'"),
        (IntDistribution(0, 10, log=True), ValueError, r"'p'.*low >= 1.*low=0"),
        (IntDistribution(1, 10, log=True, step=2), ValueError, r"'p'.*step=2"),
        (IntDistribution(0.5, 10), TypeError, r"'p'.*integers.*low=0\.5"),
        (IntDistribution(0, 2**70), ValueError, r"'p'.*2\*\*50.*high=11805"),
        (CategoricalDistribution([]), ValueError, r"'p'.*at least one category"),
        (CategoricalDistribution(["a", "a"]), ValueError, r"'p'.*'a' twice"),
    ],
)
def test_bad_optuna_distributions(dist, error, match):
    with pytest.raises(error, match=match):
        coerce_dimension(dist, "p")
    with pytest.raises(error, match=match):
        Space({"p": dist})


def test_optuna_lookalike_without_its_attributes():
    broken = FloatDistribution(0.0, 1.0)
    del broken.step
    with pytest.raises(
        TypeError, match=r"'p'.*FloatDistribution needs.*lacks \['step'\]"
    ):
        coerce_dimension(broken, "p")


def test_foreign_names_from_other_modules_are_not_recognised():
    class FloatDistribution:  # same name, not optuna's
        low, high, log, step = 0.0, 1.0, False, None

    with pytest.raises(TypeError, match=r"'p' must be a list of values"):
        coerce_dimension(FloatDistribution(), "p")


# -- scikit-optimize ---------------------------------------------------------------


@pytest.mark.parametrize(
    "dim, expected",
    [
        (SkoptReal(1e-3, 1e3, prior="log-uniform"), Real(1e-3, 1e3, "log-uniform")),
        (SkoptReal(0, 1), Real(0.0, 1.0)),
        (SkoptInteger(1, 5), Integer(1, 5)),
        (
            SkoptInteger(2, 512, prior="log-uniform", base=2),
            Integer(2, 512, "log-uniform", base=2),
        ),
        (SkoptCategorical(["rbf", "linear"]), Categorical(["rbf", "linear"])),
        (SkoptCategorical([1, 2], prior=[0.5, 0.5]), Categorical([1, 2])),
    ],
)
def test_skopt_dimensions(dim, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert coerce_dimension(dim, "p") == expected


def test_skopt_base_is_kept():
    assert coerce_dimension(SkoptReal(1.0, 8.0, "log-uniform", base=2), "p").base == 2


def test_skopt_categorical_prior_is_ignored_with_a_warning():
    dim = SkoptCategorical(["a", "b"], prior=[0.9, 0.1])
    with pytest.warns(UserWarning, match=r"'p'.*prior \[0\.9, 0\.1\].*ignored"):
        assert coerce_dimension(dim, "p") == Categorical(["a", "b"])


@pytest.mark.parametrize(
    "dim, error, match",
    [
        (SkoptReal(1.0, 0.0), ValueError, r"'p'.*low < high.*low=1\.0, high=0\.0"),
        (SkoptReal(0.0, 1.0, prior="normal"), ValueError, r"'p'.*'prior'.*'normal'"),
        (SkoptInteger(0, 10, prior="log-uniform"), ValueError, r"'p'.*low >= 1"),
        (SkoptInteger(0.5, 10), TypeError, r"'p'.*integers.*low=0\.5"),
        (SkoptCategorical([]), ValueError, r"'p'.*at least one category"),
    ],
)
def test_bad_skopt_dimensions(dim, error, match):
    with pytest.raises(error, match=match):
        Space({"p": dim})


# -- scipy.stats families and objects with rvs ----------------------------------------


@pytest.mark.parametrize(
    "family", [stats.norm, stats.expon, stats.uniform, stats.cauchy]
)
def test_scipy_family_is_its_standard_form(family):
    """sklearn samples ``{"a": stats.norm}`` through ``norm.rvs()``: the same law."""
    assert coerce_dimension(family, "p") == coerce_dimension(family(), "p")


def test_continuous_rvs_object_is_searched_through_its_quantiles():
    obj = Draws(lambda rng: rng.normal(5.0, 2.0))
    dim = coerce_dimension(obj, "p")
    assert dim.kind == "real" and not dim.is_discrete
    # Deterministic: the same seeded draws every time.
    assert dim == coerce_dimension(Draws(lambda rng: rng.normal(5.0, 2.0)), "p")
    u = np.linspace(0, 1, 101)
    values = np.array(dim.from_unit(u))
    assert (np.diff(values) > 0).all()  # increasing
    np.testing.assert_allclose(dim.to_unit(values), u, atol=1e-12)
    np.testing.assert_allclose(np.median(values), 5.0, atol=0.3)  # the quantiles
    np.testing.assert_allclose(dim.from_unit([0.5])[0], 5.0, atol=0.2)


def test_rvs_with_size_is_called_once():
    obj = Draws(lambda rng: rng.uniform(), sized=True)
    assert coerce_dimension(obj, "p").kind == "real" and obj.calls == 1


def test_integer_rvs_object_keeps_frequencies():
    dim = coerce_dimension(Draws(lambda rng: int(rng.binomial(4, 0.5))), "p")
    assert dim.kind == "integer" and _values(dim) == [0, 1, 2, 3, 4]
    # Each value owns a share of [0, 1] close to its probability.
    shares = np.bincount(dim.from_unit(np.linspace(0, 1, 10_001)[:-1]))
    np.testing.assert_allclose(
        shares / 10_000, stats.binom(4, 0.5).pmf(range(5)), atol=0.03
    )
    assert dim.from_unit(dim.to_unit([0, 2, 4])) == [0, 2, 4]
    assert dim.from_unit(dim.to_unit([2.4])) == [2]  # the nearest value drawn


def test_categorical_rvs_object():
    obj = Draws(lambda rng: ["rbf", "linear", "poly"][rng.randint(3)])
    dim = coerce_dimension(obj, "p")
    assert isinstance(dim, Categorical) and set(dim.categories) == {
        "rbf",
        "linear",
        "poly",
    }


# -- end to end and hypothesis round trips --------------------------------------------


@pytest.mark.parametrize("proposer", ["gp", "tpe"])
def test_optimizer_searches_foreign_dimensions(proposer):
    space = {
        "a": FloatDistribution(0.0, 1.0, step=0.1),
        "b": IntDistribution(1, 9, step=2),
        "c": SkoptReal(1e-3, 1.0, prior="log-uniform"),
        "d": Draws(lambda rng: rng.gamma(2.0)),
        "e": stats.norm,
    }
    opt = Optimizer(space, proposer, n_initial_points=4, random_state=0)
    for _ in range(8):
        point = opt.ask()
        assert round(point["a"] * 10) in range(11) and point["b"] in (1, 3, 5, 7, 9)
        assert 1e-3 <= point["c"] <= 1.0 and point["d"] > 0
        opt.tell(point, -((point["a"] - 0.3) ** 2) - point["b"])
    assert len(opt.yi) == 8


def _float_grid(t):
    low, n, step = t
    return FloatDistribution(low, low + n * step, step=step)


foreign = st.one_of(
    st.tuples(
        st.floats(-100, 100),
        st.integers(1, 500),
        st.sampled_from([0.1, 0.25, 0.3, 2.0]),
    ).map(_float_grid),
    st.tuples(st.integers(-1000, 1000), st.integers(1, 1000), st.integers(2, 50)).map(
        lambda t: IntDistribution(t[0], t[0] + t[1], step=t[2])
    ),
    st.tuples(st.floats(1e-5, 1.0), st.floats(1.01, 1e5)).map(
        lambda t: SkoptReal(t[0], t[0] * t[1], prior="log-uniform")
    ),
    st.tuples(st.floats(0.1, 10), st.integers(0, 3)).map(
        lambda t: Draws(
            [
                lambda rng: rng.normal(0, t[0]),
                lambda rng: int(rng.poisson(t[0])),
                lambda rng: rng.exponential(t[0]),
                lambda rng: round(rng.uniform(0, t[0]), 1),
            ][t[1]]
        )
    ),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(foreign, min_size=1, max_size=3), st.integers(0, 2**31 - 1))
def test_foreign_round_trip(dists, seed):
    """decode(encode(decode(u))) == decode(u), and encoding is canonical."""
    space = Space({f"p{i}": d for i, d in enumerate(dists)})
    U = np.random.default_rng(seed).random((30, space.n_columns))
    points = space.inverse_transform(U)
    X = space.transform(points)
    assert ((X >= 0) & (X <= 1)).all()
    again = space.inverse_transform(X)
    for a, b in zip(again, points, strict=True):
        for name in a:
            assert a[name] == pytest.approx(b[name], rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(space.snap(X), X, atol=1e-12)
    for (name, _), dist in zip(space.subspaces[0], dists, strict=False):
        if isinstance(dist, (FloatDistribution, IntDistribution)):
            values = [p[name] for p in points]
            assert min(values) >= dist.low and max(values) <= dist.high
            steps = (np.array(values) - dist.low) / dist.step
            np.testing.assert_allclose(steps, np.round(steps), atol=1e-9)


# -- the real libraries, when installed ---------------------------------------------


def test_real_optuna_distributions():
    distributions = pytest.importorskip("optuna.distributions")
    assert coerce_dimension(
        distributions.FloatDistribution(1e-3, 1.0, log=True)
    ) == Real(1e-3, 1.0, "log-uniform")
    grid = coerce_dimension(distributions.FloatDistribution(0.0, 1.0, step=0.1))
    assert grid.n_levels == 11
    assert _values(coerce_dimension(distributions.IntDistribution(1, 10, step=3))) == [
        1,
        4,
        7,
        10,
    ]
    assert coerce_dimension(
        distributions.CategoricalDistribution(["a", "b"])
    ) == Categorical(["a", "b"])


def test_real_skopt_dimensions():
    space = pytest.importorskip("skopt.space")
    assert coerce_dimension(space.Real(1e-3, 1.0, prior="log-uniform")) == Real(
        1e-3, 1.0, "log-uniform"
    )
    assert coerce_dimension(space.Integer(1, 5)) == Integer(1, 5)
    assert coerce_dimension(space.Categorical(["a", "b"])) == Categorical(["a", "b"])
