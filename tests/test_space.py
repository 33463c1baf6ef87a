import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from sksmbo.space import Categorical, Integer, Real, Space, coerce_dimension


@pytest.mark.parametrize(
    "value, expected",
    [
        ((1, 10), Integer(1, 10)),
        ((0.5, 10), Real(0.5, 10.0)),
        ((1e-3, 1.0, "log-uniform"), Real(1e-3, 1.0, prior="log-uniform")),
        ((1, 100, "log-uniform"), Integer(1, 100, prior="log-uniform")),
        # scikit-optimize's 4-tuple adds a base (which the encoding ignores).
        ((1e-3, 1.0, "log-uniform", 2), Real(1e-3, 1.0, "log-uniform", base=2)),
        ((1, 2, 3, 4), Categorical([1, 2, 3, 4])),
        ([0.1, 1, 10], Categorical([0.1, 1, 10])),
        (["rbf", "linear"], Categorical(["rbf", "linear"])),
        ([1, 10], Categorical([1, 10])),  # sklearn's meaning: two values
        (stats.uniform(2, 3), Real(2.0, 5.0)),
        (stats.loguniform(1e-3, 1e3), Real(1e-3, 1e3, prior="log-uniform")),
        (stats.randint(1, 5), Integer(1, 4)),
        # A scipy.stats family is its standard form, as sklearn samples it.
        (stats.uniform, Real(0.0, 1.0)),
        (stats.norm, coerce_dimension(stats.norm())),
        # Bounds beyond int64 are exact Python ints.
        ((2**63 - 10, 2**63 + 10), Integer(2**63 - 10, 2**63 + 10)),
        ((-1e308, 1e308), Real(-1e308, 1e308)),
    ],
)
def test_coercion_table(value, expected):
    assert coerce_dimension(value, "p") == expected


def test_numeric_categories_are_ordinal_and_sorted():
    dim = coerce_dimension([10, 0.1, 1])
    assert dim.kind == "ordinal"
    assert dim.categories == (0.1, 1, 10)
    assert Categorical(["a", "b"]).kind == "categorical"


def test_any_object_can_be_a_category():
    svc, lr = SVC(), LogisticRegression()
    dim = Categorical([None, (10, 10), {"a": 1}, [1, 2], svc, lr, "s"])
    values = [None, (10, 10), {"a": 1}, [1, 2], svc, lr, "s"]
    decoded = dim.from_unit(dim.to_unit(values))
    assert decoded[:4] == values[:4] and decoded[-1] == "s"
    assert decoded[4] is svc and decoded[5] is lr


def test_scipy_distribution_through_cdf():
    dim = coerce_dimension(stats.norm(3, 2), "p")
    assert dim.kind == "real"
    u = dim.to_unit([3.0])
    np.testing.assert_allclose(u, [0.5])
    np.testing.assert_allclose(dim.from_unit(u), [3.0])
    binom = coerce_dimension(stats.binom(4, 0.5), "p")
    assert binom.kind == "integer" and binom.n_levels == 5
    assert binom.from_unit(binom.to_unit([0, 2, 4])) == [0, 2, 4]


@pytest.mark.parametrize(
    "value, error, match",
    [
        ((5, 1), ValueError, r"'p'.*low < high.*low=5, high=1"),
        ((1.0, 1.0), ValueError, r"low < high"),
        ((0.0, 1.0, "log-uniform"), ValueError, r"log-uniform.*low > 0.*low=0.0"),
        ((0, 10, "log-uniform"), ValueError, r"low >= 1.*low=0"),
        ((1, 10, "loguniform"), ValueError, r"'prior'.*'loguniform'"),
        ([], ValueError, r"'p'.*at least one category"),
        (["a", "a"], ValueError, r"'p'.*distinct.*'a'"),
        ("rbf", TypeError, r"'p' must be a list.*'rbf'"),
        (3, TypeError, r"'p' must be a list.*Got 3"),
        (stats.gamma, TypeError, r"'p'.*family gamma needs its shape.*\(a\)"),
        (stats.poisson(3), ValueError, r"finite support.*poisson"),
    ],
)
def test_bad_dimensions(value, error, match):
    with pytest.raises(error, match=match):
        coerce_dimension(value, "p")


class _Draws:
    """An object with only ``rvs``, as sklearn's RandomizedSearchCV accepts."""

    def __init__(self, draw):
        self.draw = draw

    def rvs(self, random_state=None):
        return self.draw(random_state)

    def __repr__(self):
        return "Draws()"


def _failing_draw(rng):
    raise RuntimeError("no draws today")


# Issue 19 point 7: numeric edges and odd values that were accepted and then went
# wrong (or failed with a message naming nothing). Each row: the value for
# parameter 'p', the error, and a pattern naming 'p' and the value.
BAD_VALUES = [
    ((0, 2**70), ValueError, r"'p'.*2\*\*50.*low=0, high=1180591620717411303424"),
    ((-(2**60), 2**60), ValueError, r"'p'.*2\*\*50.*low=-1152921504606846976"),
    ((1, 2**51, "log-uniform"), ValueError, r"'p'.*high < 2\*\*50.*high=2251799813"),
    ((-1e308, np.inf), ValueError, r"'p'.*finite bounds.*high=inf"),
    ((0.0, 10**400), ValueError, r"'p'.*finite bounds.*high=1000000000"),
    ((np.nan, 1.0), ValueError, r"'p'.*low < high.*low=nan"),
    ((1, 1 + 1e-15), ValueError, r"'p'.*1024 distinct floats.*high=1\.000000000000001"),
    ((0.0, 5e-324), ValueError, r"'p'.*1024 distinct floats.*high=5e-324"),
    ((5e-324, 1e-323, "log-uniform"), ValueError, r"'p'.*distinct floats.*5e-324"),
    (stats.norm(0, 0), ValueError, r"'p'.*norm\(0, 0\) is degenerate"),
    (stats.norm(np.nan, 1), ValueError, r"'p'.*norm\(nan, 1\) is degenerate"),
    (stats.norm(0, -1), ValueError, r"'p'.*norm\(0, -1\) is degenerate"),
    (stats.uniform(0, 0), ValueError, r"'p'.*uniform\(0, 0\) is degenerate"),
    (stats.loguniform(0, 1), ValueError, r"'p'.*loguniform\(0, 1\) is degenerate"),
    (stats.randint(3, 3), ValueError, r"'p'.*randint\(3, 3\) is degenerate"),
    (stats.randint(0, 2**70), ValueError, r"'p'.*randint\(0, 11805.*cannot be eval"),
    (stats.uniform([0, 1], 2), ValueError, r"'p'.*scalar param.*uniform\(\[0, 1\], 2"),
    (stats.poisson(3), ValueError, r"'p'.*finite support.*poisson\(3\)"),
    (stats.gamma, TypeError, r"'p'.*family gamma needs its shape parameters \(a\)"),
    ([np.nan, np.nan], ValueError, r"'p'.*distinct\. Got nan twice"),
    ([float("nan"), float("nan")], ValueError, r"'p'.*distinct\. Got nan twice"),
    ([np.float64("nan"), 1, float("nan")], ValueError, r"'p'.*Got nan twice"),
    ([np.arange(2), np.arange(2)], ValueError, r"'p'.*Got array\(\[0, 1\]\) twice"),
    ([[1, 2], [1, 2]], ValueError, r"'p'.*distinct\. Got \[1, 2\] twice"),
    (["a", "b", "a"], ValueError, r"'p'.*distinct\. Got 'a' twice"),
    (np.array(3), TypeError, r"'p' must be a list of values.*Got array\(3\)"),
    (np.array([[1, 2]]), ValueError, r"'p'.*one-dimensional.*array\(\[\[1, 2\]\]\)"),
    ((1, 2, 3, 4, "log-uniform"), None, None),  # five values: categories
    ((1, 10, "log"), ValueError, r"'p'.*'prior' parameter.*Got 'log'"),
    ((10, 1), ValueError, r"'p'.*low < high.*low=10, high=1"),
    (None, TypeError, r"'p' must be a list of values.*Got None"),
    ({1, 2}, TypeError, r"'p' must be a list of values.*Got \{1, 2\}"),
    ({"a": 1}, TypeError, r"'p' must be a list of values.*Got \{'a': 1\}"),
    (stats.multivariate_normal([0, 0]), ValueError, r"'p'.*single values.*array"),
    (_Draws(lambda rng: np.nan), ValueError, r"'p'.*Draws\(\)\.rvs\(\).*Got nan"),
    (_Draws(_failing_draw), ValueError, r"'p'.*Draws\(\).*raised.*no draws today"),
]


@pytest.mark.parametrize("build", [coerce_dimension, lambda v, n: Space({n: v})])
@pytest.mark.parametrize("value, error, match", BAD_VALUES)
def test_bad_values_name_the_parameter(build, value, error, match):
    if error is None:
        assert isinstance(build(value, "p"), Categorical | Space)
        return
    with pytest.raises(error, match=match) as info:
        build(value, "p")
    assert "'p'" in str(info.value)


def test_huge_real_range_is_spread_not_stuck_at_high():
    """high - low overflows to inf: decoding must still cover the interval."""
    dim = Real(-1e308, 1e308)
    u = np.linspace(0, 1, 11)
    values = np.array(dim.from_unit(u))
    assert np.isfinite(values).all() and (np.diff(values) > 0).all()
    assert values[0] == -1e308 and values[5] == 0.0 and values[-1] == 1e308
    np.testing.assert_allclose(dim.to_unit(values), u, atol=1e-15)
    log = Real(1e-300, 1e300, prior="log-uniform")
    np.testing.assert_allclose(log.from_unit([0.5]), [1.0])


def test_integer_beyond_int64_is_exact():
    """Bounds beyond int64 decode in integer arithmetic, at construction or never."""
    dim = Integer(2**63 - 10, 2**63 + 10)
    values = dim.from_unit(np.linspace(0, 1, 21))
    assert values == list(range(2**63 - 10, 2**63 + 11))
    assert all(type(v) is int for v in values)
    assert dim.from_unit(dim.to_unit(values)) == values
    space = Space({"seed": (-(2**80), -(2**80) + 5)})
    points = space.inverse_transform(np.random.default_rng(0).random((20, 1)))
    assert {p["seed"] for p in points} <= set(range(-(2**80), -(2**80) + 6))
    np.testing.assert_array_equal(
        space.transform(points), space.snap(space.transform(points))
    )


@pytest.mark.parametrize("low", [0, 2**49, -(2**52), 2**70])
def test_widest_integer_snaps_stably(low):
    """2**50 - 1 values: decoding an encoded value gives it back."""
    dim = Integer(low, low + 2**50 - 1)
    u = np.concatenate([np.random.default_rng(1).random(2000), [0.0, 1.0]])
    values = dim.from_unit(u)
    assert dim.from_unit(dim.to_unit(values)) == values
    np.testing.assert_array_equal(dim.snap_unit(dim.snap_unit(u)), dim.snap_unit(u))


def test_nan_category_is_one_unordered_category():
    dim = Categorical([1.0, float("nan"), 0.5])
    assert dim.kind == "categorical"  # NaN has no order
    assert dim.to_unit([np.nan]) == dim.to_unit([float("nan")])
    assert np.isnan(dim.from_unit(dim.to_unit([np.float64("nan")]))[0])


def test_equal_arrays_are_one_category():
    a, b = np.array([1.0, np.nan]), np.array([2.0])
    dim = Categorical([a, b])
    assert dim.index(np.array([1.0, np.nan])) == 0
    with pytest.raises(ValueError, match=r"twice"):
        Categorical([a, a.copy()])


@pytest.mark.parametrize(
    "spaces, error, match",
    [
        ("C", TypeError, r"search_spaces must be a dict or a list of dicts"),
        ({}, ValueError, r"empty"),
        ([], ValueError, r"must not be empty"),
        ([{"a": [1]}, 3], TypeError, r"Got 3 at position 1"),
        ({1: [1, 2]}, TypeError, r"names must be strings. Got 1"),
    ],
)
def test_bad_spaces(spaces, error, match):
    with pytest.raises(error, match=match):
        Space(spaces)


def test_conditional_space_masks_inactive_columns():
    space = Space([{"a": (0.0, 1.0), "k": ["x", "y"]}, {"b": (1, 5)}])
    assert space.n_columns == 4 and space.kinds[0] == "categorical"
    X = space.snap(np.random.default_rng(0).random((50, 4)))
    owners = space.subspace_of(X)
    assert np.isnan(X[owners == 0, 3]).all() and np.isnan(X[owners == 1, 1:3]).all()
    for point, owner in zip(space.inverse_transform(X), owners, strict=True):
        assert set(point) == ({"a", "k"} if owner == 0 else {"b"})
    np.testing.assert_array_equal(space.transform(space.inverse_transform(X)), X)


def test_size_and_grid_of_finite_space():
    space = Space([{"a": [1, 2, 3], "b": (1, 4)}, {"c": ["x", "y"]}])
    assert space.size == 14
    grid = space.grid()
    assert len(set(space.keys(grid))) == 14
    assert Space({"a": (0.0, 1.0)}).size == float("inf")


def test_keys_identify_equal_points():
    space = Space({"a": (0.0, 1.0), "b": (1, 10)})
    X = np.array([[0.5, 0.31], [0.5, 0.34], [0.5, 0.5]])
    keys = space.keys(X)
    assert keys[0] == keys[1] != keys[2]  # b=4 for both


dimensions = st.one_of(
    st.tuples(
        st.floats(-1e6, 1e6), st.floats(1e-3, 1e6), st.sampled_from(["uniform"])
    ).map(lambda t: Real(t[0], t[0] + t[1], prior=t[2])),
    st.tuples(st.floats(1e-6, 1e3), st.floats(1.01, 1e6)).map(
        lambda t: Real(t[0], t[0] * t[1], prior="log-uniform")
    ),
    st.tuples(st.integers(-1000, 1000), st.integers(1, 1000)).map(
        lambda t: Integer(t[0], t[0] + t[1])
    ),
    st.tuples(st.integers(1, 1000), st.integers(1, 10_000)).map(
        lambda t: Integer(t[0], t[0] + t[1], prior="log-uniform")
    ),
    st.tuples(st.integers(-(2**80), 2**80), st.integers(1, 2**49)).map(
        lambda t: Integer(t[0], t[0] + t[1])
    ),
    st.tuples(
        st.floats(-1e308, -1e300), st.floats(1e300, 1e308), st.sampled_from(["uniform"])
    ).map(lambda t: Real(*t)),
    st.lists(st.text(max_size=3), min_size=1, max_size=6, unique=True).map(Categorical),
    st.lists(st.integers(-50, 50), min_size=1, max_size=6, unique=True).map(
        Categorical
    ),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(dimensions, min_size=1, max_size=4), st.integers(0, 2**31 - 1))
def test_round_trip_and_bounds(dims, seed):
    space = Space({f"p{i}": d for i, d in enumerate(dims)})
    U = np.random.default_rng(seed).random((20, space.n_columns))
    points = space.inverse_transform(U)
    for point in points:
        for name, dim in space.subspaces[0]:
            value = point[name]
            if isinstance(dim, Real):
                assert isinstance(value, float) and dim.low <= value <= dim.high
                assert value > 0 or dim.prior == "uniform"
            elif isinstance(dim, Integer):
                assert isinstance(value, int) and dim.low <= value <= dim.high
            else:
                assert value in dim.categories
    X = space.transform(points)
    assert ((X >= 0) & (X <= 1)).all()
    # decode(encode(decode(u))) == decode(u), and encoding is canonical.
    assert space.inverse_transform(X) == points or _close(
        space.inverse_transform(X), points
    )
    np.testing.assert_allclose(space.snap(X), X, atol=1e-12)


def _close(a, b):
    return all(
        np.allclose(x[k], y[k], rtol=1e-9) if isinstance(x[k], float) else x[k] == y[k]
        for x, y in zip(a, b, strict=True)
        for k in x
    )
