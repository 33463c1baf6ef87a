import warnings

import numpy as np
import pytest
from scipy.stats import qmc

from sksmbo._compat import qmc_engine
from sksmbo._sampling import (
    SAMPLERS,
    DesignStream,
    check_sampler,
    initial_design,
    shifted_sobol,
)


@pytest.mark.parametrize("sampler", SAMPLERS)
class TestSamplerContract:
    @pytest.mark.parametrize("n", [1, 5, 16, 33])
    def test_shape_and_bounds(self, sampler, n):
        X = initial_design(sampler, n, 3, seed=0)
        assert X.shape == (n, 3)
        assert ((X >= 0) & (X < 1)).all()

    def test_reproducible_and_seed_dependent(self, sampler):
        a = initial_design(sampler, 10, 2, seed=1)
        np.testing.assert_array_equal(a, initial_design(sampler, 10, 2, seed=1))
        assert not np.array_equal(a, initial_design(sampler, 10, 2, seed=2))

    @pytest.mark.parametrize("n, n_dims", [(1, 1), (7, 1), (10, 2), (50, 12), (3, 30)])
    def test_distinct_rows(self, sampler, n, n_dims):
        X = initial_design(sampler, n, n_dims, seed=0)
        assert X.shape == (n, n_dims) and len(np.unique(X, axis=0)) == n

    @pytest.mark.parametrize("size", [None, 6])
    def test_stream_beyond_its_size_keeps_giving_new_points(self, sampler, size):
        stream = DesignStream(sampler, 2, seed=0, size=size)
        X = np.vstack([stream.take(k) for k in (6, 1, 9, 30)])
        assert ((X >= 0) & (X < 1)).all() and len(np.unique(X, axis=0)) == 46

    def test_no_warning_for_any_n_taken_piecewise(self, sampler):
        stream = DesignStream(sampler, 4, seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parts = [stream.take(k) for k in (1, 3, 5, 7, 2)]
        assert len(np.unique(np.vstack(parts), axis=0)) == 18


def test_sobol_stream_is_one_sequence():
    """Taking points piecewise gives the prefix of one balanced Sobol' sequence."""
    stream = DesignStream("sobol", 2, seed=3)
    pieces = np.vstack([stream.take(k) for k in (3, 5, 8)])
    whole = DesignStream("sobol", 2, seed=3).take(16)
    np.testing.assert_array_equal(pieces, whole)


@pytest.mark.parametrize("sampler", ["sobol", "halton", "hammersly"])
def test_low_discrepancy_beats_random(sampler):
    """Averaged over seeds, QMC points cover the cube more evenly."""
    seeds = range(10)
    qmc_d = np.mean([qmc.discrepancy(initial_design(sampler, 64, 3, s)) for s in seeds])
    rnd_d = np.mean(
        [qmc.discrepancy(initial_design("random", 64, 3, s)) for s in seeds]
    )
    assert qmc_d < 0.5 * rnd_d


def test_unknown_sampler():
    # scikit-optimize spells it "hammersly"; that is the name we take.
    with pytest.raises(ValueError, match=r"'sampler'.*'hammersly'.*Got 'hammersley'"):
        check_sampler("hammersley")


@pytest.mark.parametrize(
    "n, n_dims, shape",
    [
        (9, 2, (3, 3)),
        (10, 2, (4, 3)),
        (12, 2, (4, 3)),
        (8, 3, (2, 2, 2)),
        (1, 3, (1, 1, 1)),
        (5, 1, (5,)),
        (64, 3, (4, 4, 4)),
        (65, 3, (5, 4, 4)),
        (10, 5, (2, 2, 2, 2, 1)),
    ],
)
def test_grid_is_a_full_or_partial_grid_of_cell_centres(n, n_dims, shape):
    """As close to n points as a grid gives: the smallest near-cubic grid with n
    cells or more, all of it (n == cells) or n of its cells."""
    X = initial_design("grid", n, n_dims, seed=0)
    assert len(np.unique(X, axis=0)) == n
    for j, k in enumerate(shape):
        centres = (np.arange(k) + 0.5) / k
        assert np.isin(X[:, j], centres).all()
        if n == np.prod(shape):  # full grid: every level of every axis
            np.testing.assert_array_equal(np.unique(X[:, j]), centres)


def test_full_grid_is_one_set_in_a_seeded_order():
    a, b = initial_design("grid", 16, 2, seed=1), initial_design("grid", 16, 2, seed=2)
    np.testing.assert_array_equal(np.unique(a, axis=0), np.unique(b, axis=0))
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("scramble", [True, False])
def test_hammersley_is_an_equispaced_coordinate_and_halton(scramble):
    n, seed = 20, 5
    X = DesignStream("hammersly", 3, seed, scramble=scramble, size=n).take(n)
    X = X[np.argsort(X[:, 0])]
    # (i + s) / n for one shift s in [0, 1), s = 0 unscrambled.
    shift = X[0, 0] * n
    np.testing.assert_allclose(X[:, 0], (np.arange(n) + shift) / n)
    assert 0 <= shift < 1 and (scramble or shift == 0)
    halton = qmc_engine(qmc.Halton, 2, seed, scramble=scramble).random(n)
    np.testing.assert_array_equal(X[:, 1:], halton)


def test_point_set_is_built_for_its_size():
    """Taken one at a time, a grid sized 9 is still the 3 x 3 grid."""
    stream = DesignStream("grid", 2, seed=0, size=9)
    X = np.vstack([stream.take(1) for _ in range(9)])
    np.testing.assert_array_equal(
        np.unique(X, axis=0), np.unique(initial_design("grid", 9, 2, seed=3), axis=0)
    )


def test_shifted_sobol_is_a_balanced_random_net():
    """Every column puts one point in each of 2**m equal intervals (the net's
    balance survives the digital shift), the points are new for every draw
    and reproducible from the generator's seed."""
    m, d = 6, 5
    X = shifted_sobol(d, m, np.random.default_rng(0))
    assert X.shape == (2**m, d) and ((X >= 0) & (X < 1)).all()
    for column in X.T:
        np.testing.assert_array_equal(np.sort(np.floor(column * 2**m)), np.arange(2**m))
    # Pairs of columns: one point in each of the 2**m cells of a 8 x 8 grid.
    cells = np.floor(X[:, :2] * 8) @ np.array([8, 1])
    np.testing.assert_array_equal(np.sort(cells), np.arange(2**m))
    np.testing.assert_array_equal(X, shifted_sobol(d, m, np.random.default_rng(0)))
    assert not np.array_equal(X, shifted_sobol(d, m, np.random.default_rng(1)))
    rng = np.random.default_rng(0)
    assert not np.array_equal(shifted_sobol(d, m, rng), shifted_sobol(d, m, rng))
