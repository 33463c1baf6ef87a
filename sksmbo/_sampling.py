"""Space-filling designs on the unit cube [0, 1)^d.

A thin layer over :mod:`scipy.stats.qmc`: ``DesignStream`` hands out the points
of one design a few at a time, in the blocks each engine needs (Sobol' balance
requires powers of two, so points are drawn with ``random_base2`` and buffered
instead of silencing scipy's warning).

``"hammersly"`` and ``"grid"`` (scikit-optimize's names, issue 18) are point
sets of a given size rather than sequences: the stream builds one for its
``size`` (or for the first request), then further ones twice as large each
time, dropping any point given before.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.stats import qmc

from sksmbo._compat import qmc_engine

SAMPLERS = ("random", "sobol", "halton", "lhs", "hammersly", "grid")
# Designs of a fixed size, built block by block.
_POINT_SETS = ("hammersly", "grid")
# Bits of scipy's Sobol' points: each coordinate is an integer over 2**30.
_SOBOL_BITS = 30


def check_sampler(sampler: str, param_name: str = "sampler") -> str:
    """Return ``sampler`` if it names a design, else raise a ValueError."""
    if sampler not in SAMPLERS:
        raise ValueError(
            f"The {param_name!r} parameter must be one of {SAMPLERS}. "
            f"Got {sampler!r} instead."
        )
    return sampler


def _grid_shape(n: int, n_dims: int) -> list[int]:
    """Levels per axis of the smallest near-cubic grid with at least ``n`` cells.

    Every axis gets ``k = floor(n ** (1 / n_dims))`` levels, then the first axes
    one more each until there are ``n`` cells or more (fewer than ``2 n``).
    """
    k = max(1, int(np.floor(n ** (1.0 / n_dims))))
    while (k + 1) ** n_dims <= n:  # floating-point roots fall short
        k += 1
    while k > 1 and k**n_dims > n:
        k -= 1
    shape = [k] * n_dims
    for axis in range(n_dims):
        if int(np.prod(shape, dtype=object)) >= n:
            break
        shape[axis] += 1
    return shape


def grid_design(n: int, n_dims: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct cell centres of a grid on [0, 1)^n_dims, in random order.

    The grid is the one of :func:`_grid_shape`: full when it has exactly ``n``
    cells, else ``n`` of its cells chosen at random (a partial grid), as
    scikit-optimize's ``Grid`` samples one. Axis ``j`` with ``k`` levels holds
    the centres ``(i + 0.5) / k``.
    """
    shape = _grid_shape(n, n_dims)
    cells = np.indices(shape).reshape(n_dims, -1).T
    chosen = rng.permutation(len(cells))[:n]
    return (cells[chosen] + 0.5) / np.array(shape)


def hammersley_design(
    n: int, halton: qmc.QMCEngine | None, rng: np.random.Generator, shift: bool
) -> np.ndarray:
    """``n`` points of a Hammersley set: the first coordinate ``(i + s) / n``,
    the others the next ``n`` points of a Halton sequence; rows in random order.

    ``s`` is a random shift in [0, 1) when ``shift`` (Cranley-Patterson
    rotation, the scrambled form), else 0. Hammersley, "Monte Carlo methods"
    (1964); scikit-optimize's ``Hammersly``.
    """
    first = (np.arange(n) + (rng.random() if shift else 0.0)) / n
    points = first[:, None]
    if halton is not None:
        points = np.hstack([points, halton.random(n)])
    return points[rng.permutation(n)]


class DesignStream:
    """Successive points of one space-filling design.

    Parameters
    ----------
    sampler : {"random", "sobol", "halton", "lhs", "hammersly", "grid"}
        The design. ``"lhs"`` draws one Latin hypercube per block of points.
        ``"hammersly"`` (Hammersley) and ``"grid"`` are point sets built for
        ``size`` points (see :func:`hammersley_design` and
        :func:`grid_design`).
    n_dims : int
        Dimension of the unit cube.
    seed : int
        Seed of the scrambling (or of the random points, or of the order of a
        point set's points).
    scramble : bool, default=True
        Scramble Sobol' and Halton sequences (Owen scrambling), and shift the
        first coordinate of Hammersley sets at random, which makes them
        unbiased and seed dependent.
    size : int or None, default=None
        The number of points the design is meant to have: a Hammersley set or
        a grid is built for that many. None builds the first one for the
        first request. Either way, points asked beyond it come from sets twice
        as large each time, without repeating a point. Sequences ignore it.
    """

    def __init__(
        self,
        sampler: str,
        n_dims: int,
        seed: int,
        scramble: bool = True,
        size: int | None = None,
    ):
        self.sampler = check_sampler(sampler)
        self.n_dims = n_dims
        self.scramble = scramble
        self.size = size
        self._rng = np.random.default_rng(seed)
        self._engine = None
        if sampler in ("sobol", "halton"):
            engine_cls = qmc.Sobol if sampler == "sobol" else qmc.Halton
            self._engine = qmc_engine(engine_cls, n_dims, seed, scramble=scramble)
        elif sampler == "hammersly" and n_dims > 1:
            self._engine = qmc_engine(qmc.Halton, n_dims - 1, seed, scramble=scramble)
        self._buffer = np.empty((0, n_dims))
        self._n_sets = 0
        self._first_set = 0
        self._given: set[bytes] = set()

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
        if self.sampler in _POINT_SETS:
            return self._draw_set(n)
        # Sobol': the first block is the smallest power of two >= n; later blocks
        # double the total, so the stream stays one balanced sequence.
        drawn = self._engine.num_generated
        m = int(np.ceil(np.log2(max(n, 1)))) if drawn == 0 else int(np.log2(drawn))
        return self._engine.random_base2(m)

    def _draw_set(self, n: int) -> np.ndarray:
        """The next Hammersley set or grid, without the points given before."""
        if self._n_sets == 0:
            self._first_set = max(n, self.size or 0, 1)
        m = self._first_set * 2**self._n_sets
        self._n_sets += 1
        if self.sampler == "grid":
            points = grid_design(m, self.n_dims, self._rng)
        else:
            points = hammersley_design(m, self._engine, self._rng, self.scramble)
        keys = [row.tobytes() for row in points]
        new = [i for i, key in enumerate(keys) if key not in self._given]
        self._given.update(keys)
        return points[new]


@lru_cache(maxsize=64)
def _sobol_integers(n_dims: int, m: int) -> np.ndarray:
    """The first ``2**m`` unscrambled Sobol' points times ``2**30``, read-only."""
    engine = qmc_engine(qmc.Sobol, n_dims, 0, scramble=False, bits=_SOBOL_BITS)
    points = np.rint(engine.random_base2(m) * 2**_SOBOL_BITS).astype(np.uint32)
    points.flags.writeable = False
    return points


def shifted_sobol(n_dims: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """``2**m`` Sobol' points with a random digital shift, shape (2**m, n_dims).

    Each coordinate's 30 bits are XORed with one random word per column, a
    randomization that keeps the net's balance and makes every point uniform
    on [0, 1)^n_dims (a random digital shift; Dick & Pillichshammer, 2010,
    "Digital nets and sequences"). The unshifted points are computed once per
    ``(n_dims, m)``: building a scrambled engine for every call cost about
    1 ms, a twentieth of a Gaussian-process proposal that screens such a set
    each time (issue 24).
    """
    shift = rng.integers(0, 2**_SOBOL_BITS, size=n_dims, dtype=np.uint32)
    return (_sobol_integers(n_dims, m) ^ shift) * 2.0**-_SOBOL_BITS


def initial_design(sampler: str, n: int, n_dims: int, seed: int) -> np.ndarray:
    """``n`` points of a design in [0, 1)^n_dims, ndarray of shape (n, n_dims).

    Examples
    --------
    >>> import numpy as np
    >>> from sksmbo._sampling import initial_design
    >>> initial_design("sobol", 5, 2, seed=0).shape
    (5, 2)
    >>> np.unique(initial_design("grid", 4, 2, seed=0), axis=0)  # in random order
    array([[0.25, 0.25],
           [0.25, 0.75],
           [0.75, 0.25],
           [0.75, 0.75]])
    """
    return DesignStream(sampler, n_dims, seed, size=n).take(n)
