"""Space-filling designs on the unit cube [0, 1)^d.

A thin layer over :mod:`scipy.stats.qmc`: ``DesignStream`` hands out the points
of one low-discrepancy sequence a few at a time, in the blocks each engine
needs (Sobol' balance requires powers of two, so points are drawn with
``random_base2`` and buffered instead of silencing scipy's warning).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc

from sksmbo._compat import qmc_engine

SAMPLERS = ("random", "sobol", "halton", "lhs")


def check_sampler(sampler: str, param_name: str = "sampler") -> str:
    """Return ``sampler`` if it names a design, else raise a ValueError."""
    if sampler not in SAMPLERS:
        raise ValueError(
            f"The {param_name!r} parameter must be one of {SAMPLERS}. "
            f"Got {sampler!r} instead."
        )
    return sampler


class DesignStream:
    """Successive points of one space-filling design.

    Parameters
    ----------
    sampler : {"random", "sobol", "halton", "lhs"}
        The design. ``"lhs"`` draws one Latin hypercube per block of points.
    n_dims : int
        Dimension of the unit cube.
    seed : int
        Seed of the scrambling (or of the random points).
    scramble : bool, default=True
        Scramble Sobol' and Halton sequences (Owen scrambling), which makes
        them unbiased and seed dependent.
    """

    def __init__(self, sampler: str, n_dims: int, seed: int, scramble: bool = True):
        self.sampler = check_sampler(sampler)
        self.n_dims = n_dims
        self._rng = np.random.default_rng(seed)
        self._engine = None
        if sampler in ("sobol", "halton"):
            engine_cls = qmc.Sobol if sampler == "sobol" else qmc.Halton
            self._engine = qmc_engine(engine_cls, n_dims, seed, scramble=scramble)
        self._buffer = np.empty((0, n_dims))

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` points, ndarray of shape (n, n_dims) in [0, 1)."""
        while len(self._buffer) < n:
            self._buffer = np.vstack([self._buffer, self._draw(n - len(self._buffer))])
        points, self._buffer = self._buffer[:n], self._buffer[n:]
        return points

    def _draw(self, n: int) -> np.ndarray:
        if self.sampler == "random":
            return self._rng.random((n, self.n_dims))
        if self.sampler == "lhs":
            return qmc_engine(
                qmc.LatinHypercube, self.n_dims, int(self._rng.integers(2**31))
            ).random(n)
        if self.sampler == "halton":
            return self._engine.random(n)
        # Sobol': the first block is the smallest power of two >= n; later blocks
        # double the total, so the stream stays one balanced sequence.
        drawn = self._engine.num_generated
        m = int(np.ceil(np.log2(max(n, 1)))) if drawn == 0 else int(np.log2(drawn))
        return self._engine.random_base2(m)


def initial_design(sampler: str, n: int, n_dims: int, seed: int) -> np.ndarray:
    """``n`` points of a design in [0, 1)^n_dims, ndarray of shape (n, n_dims).

    Examples
    --------
    >>> from sksmbo._sampling import initial_design
    >>> initial_design("sobol", 5, 2, seed=0).shape
    (5, 2)
    """
    return DesignStream(sampler, n_dims, seed).take(n)
