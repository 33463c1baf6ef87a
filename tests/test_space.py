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
        ([0.1, 1, 10], Categorical([0.1, 1, 10])),
        (["rbf", "linear"], Categorical(["rbf", "linear"])),
        ([1, 10], Categorical([1, 10])),  # sklearn's meaning: two values
        (stats.uniform(2, 3), Real(2.0, 5.0)),
        (stats.loguniform(1e-3, 1e3), Real(1e-3, 1e3, prior="log-uniform")),
        (stats.randint(1, 5), Integer(1, 4)),
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
        (stats.uniform, TypeError, r"'p'.*frozen"),
        (stats.poisson(3), ValueError, r"finite support.*poisson"),
    ],
)
def test_bad_dimensions(value, error, match):
    with pytest.raises(error, match=match):
        coerce_dimension(value, "p")


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
