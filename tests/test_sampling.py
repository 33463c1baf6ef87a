import warnings

import numpy as np
import pytest
from scipy.stats import qmc

from sksmbo._sampling import SAMPLERS, DesignStream, check_sampler, initial_design


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


@pytest.mark.parametrize("sampler", ["sobol", "halton"])
def test_low_discrepancy_beats_random(sampler):
    """Averaged over seeds, QMC points cover the cube more evenly."""
    seeds = range(10)
    qmc_d = np.mean([qmc.discrepancy(initial_design(sampler, 64, 3, s)) for s in seeds])
    rnd_d = np.mean(
        [qmc.discrepancy(initial_design("random", 64, 3, s)) for s in seeds]
    )
    assert qmc_d < 0.5 * rnd_d


def test_unknown_sampler():
    with pytest.raises(ValueError, match=r"'sampler'.*Got 'grid'"):
        check_sampler("grid")
