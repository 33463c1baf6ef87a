"""Tree-structured Parzen Estimator (TPE) over the unit-cube encoding.

Observations are split by score into a good set (the best ``gamma(n)``) and a
bad set. Each set gets a Parzen estimator, a weighted mixture of product
kernels (one kernel per column, all columns sharing the mixture component) plus
a prior component; the next point is the candidate drawn from the good
estimator l(x) that maximizes ``log l(x) - log g(x)``, which orders points as
expected improvement does under the TPE model (Bergstra et al., "Algorithms for
Hyper-Parameter Optimization", NeurIPS 2011; Falkner et al., "BOHB", ICML 2018,
for the multivariate kernels; Watanabe, "Tree-Structured Parzen Estimator:
Understanding Its Algorithm Components", 2023, for the defaults).

Columns are modelled according to :mod:`sksmbo.space`:

* real columns (and discrete ones with more than ``_MAX_CELLS`` values): a
  Gaussian truncated to [0, 1] (a log scale is already linear in the encoding);
* integer and ordinal columns: the same truncated Gaussian, integrated over the
  cell of [0, 1] that decodes to each value (a probability mass);
* nominal columns: most of a kernel's mass on its observed category, the rest
  spread evenly over every category, including those never observed.

Conditional spaces (a list of dicts) are modelled by groups of columns that are
always active together, as optuna's ``group=True``: the sub-space choice on its
own, then each sub-space from the observations that belong to it. The split
into good and bad is made once over all observations.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import log_ndtr, ndtr, ndtri_exp

from sksmbo.space import Dimension, Integer, Space

__all__ = [
    "Columns",
    "ParzenEstimator",
    "TPEProposer",
    "check_tpe_params",
    "default_gamma",
    "default_weights",
    "nearest_scores",
    "split_good_bad",
    "with_in_flight",
]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
# Discrete columns with more values than this are modelled as continuous: their
# cells are then narrower than the smallest bandwidth (1 / 100, the magic clip).
_MAX_CELLS = 100
# Scott-type rule of optuna's first multivariate TPE (optuna PR #1767).
_SCOTT_FACTOR = 0.2
_BANDWIDTHS = ("neighbor", "scott")
# How candidates in flight (pending points, and a batch's earlier points)
# enter the model: "liar" puts them all in the bad set (optuna's constant
# liar); "believer" counts each as evaluated at the score of its nearest
# evaluated point, so that one in a good region counts as good. The believer
# lowers the regret on Branin (40 seeds, 8 in flight: 0.24 against 0.45) and
# raises it on Rosenbrock-4, Ackley-5 and Levy-4 (by 1.2 to 2 standard
# errors): not a default. See benchmarks/pending_points.py (``--search tpe``).
_PENDING_SCORE = "liar"


def default_gamma(n: int) -> int:
    """Number of good observations among ``n``: ``min(ceil(0.1 n), 25)`` (optuna)."""
    return min(math.ceil(0.1 * n), 25)


def default_weights(n: int) -> np.ndarray:
    """Weights of ``n`` observations in the order they were made.

    Flat for ``n < 25``; beyond, the 25 most recent weigh 1 and the older ones
    ramp linearly from ``1 / n`` (optuna's ``default_weights``).
    """
    if n < 25:
        return np.ones(n)
    return np.concatenate([np.linspace(1.0 / n, 1.0, num=n - 25), np.ones(25)])


def split_good_bad(y: np.ndarray, n_good: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``n_good`` best scores and of the others, each increasing.

    Higher scores are better; NaN counts as the worst. Ties keep the earlier
    observation in the good set, so equal scores split deterministically.
    """
    y = np.asarray(y, dtype=float).reshape(-1)
    y = np.where(np.isnan(y), -np.inf, y)
    # Stable sort of the negated scores: descending order, ties by position.
    order = np.argsort(-y, kind="stable")
    n_good = min(max(int(n_good), 0), len(y))
    return np.sort(order[:n_good]), np.sort(order[n_good:])


def with_in_flight(X: np.ndarray, y: np.ndarray, in_flight: np.ndarray):
    """Observations ``(X, y)`` and lies (always bad) with the points in flight.

    The liar (``_PENDING_SCORE``, the default) returns them as lies; the
    believer adds each to the observations at the score of its nearest
    evaluated point.
    """
    if _PENDING_SCORE == "believer" and len(in_flight) and len(X):
        believed = nearest_scores(X, y, in_flight)
        lies = np.empty((0, X.shape[1]))
        return np.vstack([X, in_flight]), np.concatenate([y, believed]), lies
    return X, y, in_flight


def nearest_scores(X: np.ndarray, y: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The score of each of ``points``' nearest row of ``X`` (unit-cube rows).

    Inactive (NaN) columns count as -1, outside the cube: a point nearest to
    points of its own sub-space takes their score.
    """
    told = np.where(np.isnan(X), -1.0, X)
    new = np.where(np.isnan(points), -1.0, points)
    gap = new[:, None, :] - told[None, :, :]
    return y[np.argmin((gap * gap).sum(axis=2), axis=1)]


# -- Gaussian numerics --------------------------------------------------------


def _logsumexp(a: np.ndarray) -> np.ndarray:
    """``log(sum(exp(a), axis=1))`` with a max shift; each row has a finite entry.

    (``scipy.special.logsumexp`` costs about 0.1 ms per call in overhead, most
    of a proposal on small problems.)
    """
    m = a.max(axis=1, keepdims=True)
    return np.log(np.exp(a - m).sum(axis=1)) + m[:, 0]


def _log1mexp(x: np.ndarray) -> np.ndarray:
    """``log(1 - exp(x))`` for ``x <= 0`` (Maechler 2012, "Accurately computing
    log(1 - exp(-|a|))")."""
    with np.errstate(divide="ignore"):
        return np.where(x > -math.log(2), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def _log_gauss_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``log(Phi(b) - Phi(a))`` for ``a <= b``, accurate in both tails.

    Intervals in the right tail are mirrored into the left one, where
    ``log_ndtr`` is accurate; intervals around 0 use ``log1p(-Phi(a) - Phi(-b))``.
    """
    right = a > 0
    lo, hi = np.where(right, -b, a), np.where(right, -a, b)
    log_hi = log_ndtr(hi)
    tail = log_hi + _log1mexp(np.minimum(log_ndtr(lo) - log_hi, 0.0))
    with np.errstate(divide="ignore"):
        central = np.log1p(-ndtr(lo) - ndtr(-hi))
    return np.where(hi > 0, central, tail)


def _log_unit_mass(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Log mass of N(mu, sigma^2) on [0, 1] for ``mu`` in [0, 1], ``sigma <= 1``.

    The mass is then at least ``Phi(1) - Phi(0) > 0.34``: no tail to care for.
    """
    return np.log1p(-ndtr(-mu / sigma) - ndtr((mu - 1.0) / sigma))


def _truncnorm_ppf(
    q: np.ndarray, a: np.ndarray, b: np.ndarray, log_mass: np.ndarray
) -> np.ndarray:
    """Quantile ``q`` of the standard normal truncated to ``[a, b]``.

    Solves ``Phi(z) = Phi(a) + q (Phi(b) - Phi(a))`` in log space, mirrored to
    the left tail when ``a > 0``; ``log_mass`` is ``_log_gauss_mass(a, b)``.
    """
    right = a > 0
    lo = np.where(right, -b, a)
    q = np.where(right, 1.0 - q, q)
    with np.errstate(divide="ignore"):
        log_p = np.logaddexp(log_ndtr(lo), np.log(q) + log_mass)
    z = ndtri_exp(np.minimum(log_p, 0.0))
    return np.clip(np.where(right, -z, z), a, b)


# -- column layout ------------------------------------------------------------


class Columns(NamedTuple):
    """How each column of a block of the encoding is modelled.

    Attributes
    ----------
    numeric : ndarray of shape (n_numeric,)
        Positions of the real, integer and ordinal columns.
    edges : tuple of (ndarray or None)
        For each numeric column, the boundaries of the cells of [0, 1] that
        decode to each value (``n_levels + 1`` increasing floats from 0 to 1),
        or None for a column modelled as continuous.
    grids : tuple of (ndarray or None)
        For each numeric column with cells, the encoding of each value.
    nominal : ndarray of shape (n_nominal,)
        Positions of the unordered categorical columns.
    n_levels : ndarray of shape (n_nominal,)
        Number of categories of each nominal column.
    """

    numeric: np.ndarray
    edges: tuple
    grids: tuple
    nominal: np.ndarray
    n_levels: np.ndarray

    @property
    def n_columns(self) -> int:
        return len(self.numeric) + len(self.nominal)

    @property
    def discrete(self) -> np.ndarray:
        """Boolean mask over ``numeric``: True for the columns modelled by cells."""
        return np.array([e is not None for e in self.edges], dtype=bool)

    @property
    def is_finite(self) -> bool:
        """True when every column takes finitely many values (none continuous)."""
        return bool(self.discrete.all())

    @classmethod
    def from_space(cls, space: Space, columns=None) -> Columns:
        """The layout of ``space``'s columns ``columns`` (default: all of them)."""
        if columns is None:
            columns = np.arange(space.n_columns)
        kinds = [space.kinds[j] for j in columns]
        dims = [space.dimensions[j] for j in columns]
        numeric = [i for i, kind in enumerate(kinds) if kind != "categorical"]
        nominal = [i for i, kind in enumerate(kinds) if kind == "categorical"]
        cells = [_cells(dims[i]) for i in numeric]
        return cls(
            numeric=np.array(numeric, dtype=np.intp),
            edges=tuple(c[0] if c else None for c in cells),
            grids=tuple(c[1] if c else None for c in cells),
            nominal=np.array(nominal, dtype=np.intp),
            n_levels=np.array([dims[i].n_levels for i in nominal], dtype=np.intp),
        )


def _cells(dim: Dimension) -> tuple[np.ndarray, np.ndarray] | None:
    """Cell edges and value encodings of a discrete numeric dimension, else None.

    The cell of a value is the part of [0, 1] that ``from_unit`` decodes to it.
    """
    if not 0 < dim.n_levels <= _MAX_CELLS:
        return None
    grid = np.asarray(dim.grid_unit(), dtype=float)
    if isinstance(dim, Integer):
        # Values v own [v - 0.5, v + 0.5) (log scale included).
        edges = dim.to_unit(np.arange(dim.low, dim.high + 2) - 0.5)
    elif hasattr(dim, "dist"):
        # A discrete scipy.stats distribution decodes by its ppf: v owns
        # (cdf(v - 1), cdf(v)].
        low = dim.dist.support()[0]
        edges = np.concatenate([[0.0], dim.dist.cdf(low + np.arange(dim.n_levels))])
    else:
        # Ordinal categories own [i/k, (i+1)/k): the midpoints are exact there.
        edges = np.concatenate([[0.0], (grid[1:] + grid[:-1]) / 2, [1.0]])
    edges = np.asarray(edges, dtype=float)
    edges[0], edges[-1] = 0.0, 1.0
    return edges, grid


def _cell_index(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Index of the cell holding each value of ``x``."""
    return np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)


def _cell_bounds(x: np.ndarray, edges: list) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edges of the cells holding ``x`` (n_points, n_discrete)."""
    lo, hi = np.empty_like(x), np.empty_like(x)
    for j, e in enumerate(edges):
        i = _cell_index(x[:, j], e)
        lo[:, j], hi[:, j] = e[i], e[i + 1]
    return lo, hi


# -- Parzen estimator ---------------------------------------------------------


def _bandwidths(
    mu: np.ndarray, rule: str, consider_endpoints: bool, n_dims: int
) -> np.ndarray:
    """Kernel widths, shape of ``mu`` (n_obs, n_numeric), clipped to
    ``[1 / min(100, n + 2), 1]``.

    ``"neighbor"``: the larger gap to the sorted neighbours in each column,
    0 and 1 acting as neighbours of the extremes only with ``consider_endpoints``
    (Bergstra et al. 2011; optuna). ``"scott"``: ``0.2 n^(-1 / (n_dims + 4))``.
    The lower clip is optuna's "magic clip", counting the prior as a kernel.
    """
    n, p = mu.shape
    if rule == "scott":
        sigma = np.full((n, p), _SCOTT_FACTOR * max(n, 1) ** (-1.0 / (n_dims + 4)))
    else:
        order, col = np.argsort(mu, axis=0), np.arange(p)
        padded = np.zeros((n + 2, p))
        padded[1:-1], padded[-1] = mu[order, col], 1.0
        gaps = np.diff(padded, axis=0)
        sorted_sigma = np.maximum(gaps[:-1], gaps[1:])
        if not consider_endpoints and n >= 2:
            sorted_sigma[0], sorted_sigma[-1] = gaps[1], gaps[-2]
        sigma = np.empty_like(mu)
        sigma[order, col] = sorted_sigma
    return np.clip(sigma, 1.0 / min(100.0, n + 2.0), 1.0)


class ParzenEstimator(NamedTuple):
    """A weighted mixture of product kernels on [0, 1]^d, plus a uniform prior.

    Component ``i < n_obs`` is centred on observation ``i``; the last
    component is the prior (uniform over the cube and over the categories).
    Build one with :meth:`from_observations`.

    Attributes
    ----------
    columns : Columns
        How each column is modelled.
    log_weights : ndarray of shape (n_obs + 1,)
        Log mixture weights, normalized; the prior's last.
    mu : ndarray of shape (n_obs, n_numeric)
        Kernel centres on the numeric columns.
    sigma : ndarray of shape (n_obs, n_numeric)
        Kernel widths, before truncation.
    log_norm : ndarray of shape (n_obs, n_numeric)
        Log of each Gaussian kernel's mass on [0, 1] (the truncation).
    log_cat : ndarray of shape (n_nominal, n_obs + 1, max_levels)
        Log probabilities of each category under each component, ``-inf``
        beyond a column's number of categories.
    """

    columns: Columns
    log_weights: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    log_norm: np.ndarray
    log_cat: np.ndarray

    @classmethod
    def from_observations(
        cls,
        X: np.ndarray,
        columns: Columns,
        *,
        weights: np.ndarray | None = None,
        prior_weight: float = 1.0,
        bandwidth: str = "neighbor",
        consider_endpoints: bool = False,
    ) -> ParzenEstimator:
        """Fit the estimator to observations.

        Parameters
        ----------
        X : ndarray of shape (n_obs, n_columns)
            Observations in [0, 1], every column active.
        columns : Columns
            How each column is modelled.
        weights : ndarray of shape (n_obs,), default=None
            Non-negative weight of each observation; None uses
            :func:`default_weights` (rows in the order they were made).
        prior_weight : float, default=1.0
            Weight of the prior component, on the scale of ``weights``; also
            the smoothing of the categorical kernels.
        bandwidth : {"neighbor", "scott"}, default="neighbor"
            Rule for the widths of the numeric kernels (see ``_bandwidths``).
        consider_endpoints : bool, default=False
            Let 0 and 1 count as neighbours of the extreme observations.

        Returns
        -------
        estimator : ParzenEstimator
            The fitted mixture.
        """
        X = np.asarray(X, dtype=float).reshape(-1, columns.n_columns)
        n = len(X)
        w = default_weights(n) if weights is None else np.asarray(weights, float)
        w = np.append(w, prior_weight)
        with np.errstate(divide="ignore"):
            log_weights = np.log(w / w.sum())
        mu = X[:, columns.numeric]
        sigma = _bandwidths(mu, bandwidth, consider_endpoints, columns.n_columns)
        log_norm = _log_unit_mass(mu, sigma)
        log_cat = _categorical_log_probs(
            X[:, columns.nominal], columns.n_levels, prior_weight
        )
        return cls(columns, log_weights, mu, sigma, log_norm, log_cat)

    @property
    def n_obs(self) -> int:
        return len(self.mu)

    def log_pdf(self, X: np.ndarray) -> np.ndarray:
        """Log density (log mass on cells and categories) at each row of ``X``.

        Parameters
        ----------
        X : ndarray of shape (n_points, n_columns)
            Points in [0, 1].

        Returns
        -------
        log_pdf : ndarray of shape (n_points,)
            Log density with respect to Lebesgue measure on the continuous
            columns and counting measure on the discrete ones.
        """
        cols, n = self.columns, self.n_obs
        X = np.asarray(X, dtype=float).reshape(-1, cols.n_columns)
        # log_comp[i, k]: log density of point i under component k (prior last).
        log_comp = np.zeros((len(X), n + 1))
        x = X[:, cols.numeric]
        disc = cols.discrete
        if (~disc).any():
            mu, sigma, xc = self.mu[:, ~disc], self.sigma[:, ~disc], x[:, ~disc]
            # sum_j ((x_j - mu_kj) / sigma_kj)^2 expanded into matrix products:
            # (n_points, n_obs) without the (n_points, n_obs, n_columns) array.
            prec = sigma**-2
            sq = (xc**2) @ prec.T - 2 * xc @ (mu * prec).T + (mu**2 * prec).sum(1)
            log_c = (_LOG_SQRT_2PI + np.log(sigma) + self.log_norm[:, ~disc]).sum(1)
            log_comp[:, :n] -= 0.5 * np.maximum(sq, 0.0) + log_c
        if disc.any():
            lo, hi = _cell_bounds(x[:, disc], [e for e in cols.edges if e is not None])
            mu, sigma = self.mu[:, disc], self.sigma[:, disc]
            log_k = _log_gauss_mass(
                (lo[:, None] - mu) / sigma, (hi[:, None] - mu) / sigma
            )
            log_comp[:, :n] += (log_k - self.log_norm[:, disc]).sum(axis=-1)
            # The uniform prior puts the cell's width on each value.
            log_comp[:, n] += np.log(hi - lo).sum(axis=-1)
        if len(cols.nominal):
            k = cols.n_levels
            idx = np.clip(np.floor(X[:, cols.nominal] * k), 0, k - 1).astype(np.intp)
            # Advanced indices around a slice: shape (n_points, n_nominal, n + 1).
            log_comp += self.log_cat[np.arange(len(k)), :, idx].sum(axis=1)
        return _logsumexp(log_comp + self.log_weights)

    def sample(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """Draw points from the mixture.

        Parameters
        ----------
        n_samples : int
            Number of points.
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        X : ndarray of shape (n_samples, n_columns)
            Points in [0, 1]; discrete columns hold the encoding of a value.
        """
        cols, n = self.columns, self.n_obs
        cum = np.cumsum(np.exp(self.log_weights))
        u = rng.random(n_samples) * cum[-1]
        comp = np.minimum(np.searchsorted(cum, u, side="right"), n)
        out = np.empty((n_samples, cols.n_columns))
        if len(cols.numeric):
            out[:, cols.numeric] = self._sample_numeric(comp, rng)
        if len(cols.nominal):
            # Inverse cdf per (column, sample): shape (n_nominal, n_samples, levels).
            cdf = np.cumsum(np.exp(self.log_cat[:, comp, :]), axis=-1)
            u = rng.random((len(cols.nominal), n_samples, 1)) * cdf[..., -1:]
            idx = np.minimum((cdf < u).sum(axis=-1).T, cols.n_levels - 1)
            out[:, cols.nominal] = (idx + 0.5) / cols.n_levels
        return out

    def _sample_numeric(self, comp: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        cols, n = self.columns, self.n_obs
        q = rng.random((len(comp), len(cols.numeric)))
        kernel = comp < n
        x = q.copy()  # the uniform prior's draws
        if kernel.any():
            k = comp[kernel]
            mu, sigma = self.mu[k], self.sigma[k]
            a, b = -mu / sigma, (1.0 - mu) / sigma
            z = _truncnorm_ppf(q[kernel], a, b, self.log_norm[k])
            x[kernel] = np.clip(mu + sigma * z, 0.0, 1.0)
        for j in np.flatnonzero(cols.discrete):
            edges, grid = cols.edges[j], cols.grids[j]
            x[:, j] = grid[_cell_index(x[:, j], edges)]
        return x


def _categorical_log_probs(
    idx_unit: np.ndarray, n_levels: np.ndarray, prior_weight: float
) -> np.ndarray:
    """Log category probabilities, shape (n_nominal, n_obs + 1, max_levels).

    Kernel ``i`` puts weight 1 on its observed category plus
    ``prior_weight / (n_obs + 1)`` on every category, normalized (optuna); the
    last row, the prior, is uniform.
    """
    n, r = idx_unit.shape
    if not r:
        return np.zeros((0, n + 1, 1))
    k_max = int(n_levels.max())
    valid = np.arange(k_max) < n_levels[:, None]  # (n_nominal, max_levels)
    probs = np.where(valid[:, None, :], prior_weight / (n + 1), 0.0)
    probs = np.repeat(probs, n + 1, axis=1)
    if n:
        idx = np.clip(np.floor(idx_unit * n_levels), 0, n_levels - 1).astype(np.intp)
        probs[np.arange(r)[None, :], np.arange(n)[:, None], idx] += 1.0
    with np.errstate(divide="ignore"):
        return np.log(probs / probs.sum(axis=-1, keepdims=True))


# -- proposer -----------------------------------------------------------------


class _Group(NamedTuple):
    """Columns modelled jointly: the sub-space choice, or (part of) one sub-space."""

    columns: np.ndarray  # indices into the encoding
    layout: Columns
    subspace: int  # -1 for the choice column
    whole_point: bool  # the columns fix the point (given the sub-space choice)


def _groups(space: Space, multivariate: bool) -> list[_Group]:
    """The choice column first, then each sub-space's columns (one group per
    column when not ``multivariate``)."""
    k = len(space.subspaces)
    if space.has_choice:
        # The columns each sub-space activates, read off one row per choice.
        rows = np.zeros((k, space.n_columns))
        rows[:, 0] = (np.arange(k) + 0.5) / k
        owned = space.active_mask(rows)
        owned[:, 0] = False
        blocks = [(np.array([0]), -1)]
    else:
        owned = np.ones((1, space.n_columns), dtype=bool)
        blocks = []
    for s in range(k):
        idx = np.flatnonzero(owned[s])
        if multivariate or len(idx) == 1:
            blocks.append((idx, s))
        else:
            blocks.extend((idx[i : i + 1], s) for i in range(len(idx)))
    return [
        _Group(c, Columns.from_space(space, c), s, s >= 0 and len(c) == owned[s].sum())
        for c, s in blocks
    ]


def _active(space: Space, X: np.ndarray) -> np.ndarray:
    if not len(X):
        return np.zeros(X.shape, dtype=bool)
    return space.active_mask(X)


class TPEProposer:
    """Proposes points by the Tree-structured Parzen Estimator.

    Implements the ``Proposer`` protocol of :class:`~sksmbo.Optimizer`. At
    each proposal the observations are split into the best ``gamma(n)``
    (good) and the rest (bad); ``n_ei_candidates`` points drawn from the good
    estimator l(x) are scored by ``log l(x) - log g(x)`` and the best is
    proposed. Pending points (asked, not told) and the earlier points of a
    batch join the bad set (the "constant liar"), so parallel workers get
    distinct points without refitting anything.

    With alternative sub-spaces (a list of dicts), the choice of sub-space is
    proposed first from its own estimators, then the chosen sub-space's
    columns from the observations that belong to it; the other sub-spaces'
    columns are left NaN.

    Parameters
    ----------
    n_ei_candidates : int, default=24
        Number of candidates drawn from l(x) per proposal.
    gamma : callable, float or None, default=None
        Size of the good set: a callable ``n -> n_good``, or a float in (0, 1),
        the fraction ``ceil(gamma * n)``. None uses ``min(ceil(0.1 n), 25)``.
    weights : callable or None, default=None
        ``n -> ndarray of shape (n,)``, the weights of ``n`` observations in
        the order they were made. None uses :func:`default_weights` (older
        observations weigh less once there are more than 25).
    multivariate : bool, default=True
        Model the columns of a sub-space jointly (product kernels sharing one
        mixture component); False models each column on its own.
    prior_weight : float, default=1.0
        Weight of the prior component (uniform over the space) relative to one
        observation.
    consider_endpoints : bool, default=False
        Let the bounds of a numeric column count as neighbours when setting
        the widths of the kernels of the extreme observations.
    bandwidth : {"neighbor", "scott"}, default="neighbor"
        Width of the numeric kernels: the larger gap to the neighbouring
        observations in each column (optuna), or Scott's rule
        ``0.2 n^(-1 / (d + 4))``. Either is clipped below at
        ``1 / min(100, n + 2)`` (the "magic clip").

    See Also
    --------
    check_tpe_params : The validation of these parameters, for estimators.

    Examples
    --------
    >>> from sksmbo import Optimizer
    >>> from sksmbo._surrogates.tpe import TPEProposer
    >>> opt = Optimizer({"x": (-2.0, 2.0), "kind": ["a", "b"]},
    ...                 proposer=TPEProposer(), n_initial_points=5, random_state=0)
    >>> for _ in range(20):
    ...     p = opt.ask()
    ...     _ = opt.tell(p, -p["x"] ** 2 - (p["kind"] == "b"))
    >>> opt.best()[0]["kind"]
    'a'
    """

    def __init__(
        self,
        *,
        n_ei_candidates: int = 24,
        gamma: Callable[[int], int] | float | None = None,
        weights: Callable[[int], np.ndarray] | None = None,
        multivariate: bool = True,
        prior_weight: float = 1.0,
        consider_endpoints: bool = False,
        bandwidth: str = "neighbor",
    ):
        check_tpe_params(
            n_ei_candidates=n_ei_candidates,
            gamma=gamma,
            weights=weights,
            prior_weight=prior_weight,
            bandwidth=bandwidth,
        )
        self.n_ei_candidates = int(n_ei_candidates)
        self.gamma = gamma
        self.weights = weights
        self.multivariate = bool(multivariate)
        self.prior_weight = float(prior_weight)
        self.consider_endpoints = bool(consider_endpoints)
        self.bandwidth = bandwidth
        self._cache: tuple[Space, list[_Group]] | None = None

    def n_good(self, n: int) -> int:
        """Size of the good set among ``n`` observations."""
        if self.gamma is None:
            k = default_gamma(n)
        elif callable(self.gamma):
            k = self.gamma(n)
        else:
            k = math.ceil(self.gamma * n)
        return min(max(int(k), 0), n)

    def propose(
        self,
        X: np.ndarray,
        y: np.ndarray,
        noise: np.ndarray,
        n_points: int,
        *,
        space: Space,
        rng: np.random.Generator,
        pending: np.ndarray | None = None,
    ) -> np.ndarray:
        """Next points to evaluate, ndarray of shape (n_points, space.n_columns).

        ``X`` (n, n_columns) are the evaluated points, ``y`` their scores
        (higher is better; NaN counts as the worst), ``pending`` the points
        being evaluated. ``noise`` is not used. Columns inactive in a proposed
        point are NaN.
        """
        d = space.n_columns
        X = np.asarray(X, dtype=float).reshape(-1, d)
        y = np.asarray(y, dtype=float).reshape(-1)
        pending = np.empty((0, d)) if pending is None else np.asarray(pending, float)
        out = np.full((n_points, d), np.nan)
        for b in range(n_points):
            in_flight = np.vstack([pending.reshape(-1, d), out[:b]])
            X_b, y_b, lies = with_in_flight(X, y, in_flight)
            if b == 0 or y_b is not y:  # the liar leaves the observations as they are
                is_good = np.zeros(len(y_b), dtype=bool)
                is_good[split_good_bad(y_b, self.n_good(len(y_b)))[0]] = True
                active = _active(space, X_b)
            lies_active = _active(space, lies)
            subspace = 0
            feasible = getattr(space, "feasible", None)
            for group in self._groups(space):
                if group.subspace >= 0 and group.subspace != subspace:
                    continue
                rows, j = active[:, group.columns[0]], group.columns[0]
                out[b, group.columns] = self._propose_group(
                    group,
                    X_b[rows],
                    is_good[rows],
                    lies[lies_active[:, j]],
                    rng,
                    # Only a group holding every column of a point can be checked.
                    feasible if len(group.columns) == d else None,
                )
                if group.subspace < 0:
                    subspace = int(space.subspace_of(out[b : b + 1])[0])
        return out

    def _groups(self, space: Space) -> list[_Group]:
        if self._cache is None or self._cache[0] is not space:
            self._cache = (space, _groups(space, self.multivariate))
        return self._cache[1]

    def _propose_group(
        self,
        group: _Group,
        X: np.ndarray,
        is_good: np.ndarray,
        lies: np.ndarray,
        rng: np.random.Generator,
        feasible: Callable | None = None,
    ) -> np.ndarray:
        """The best of ``n_ei_candidates`` draws from l by ``log l - log g``.

        ``feasible`` (a constrained space's row mask, given when the group holds
        every column) rules out draws; other groups are checked by the
        optimizer.
        """
        X, lies = X[:, group.columns], lies[:, group.columns]
        l_x = self._estimator(X[is_good], group.layout)
        g_x = self._estimator(np.vstack([X[~is_good], lies]), group.layout)
        candidates = l_x.sample(self.n_ei_candidates, rng)
        score = l_x.log_pdf(candidates) - g_x.log_pdf(candidates)
        if group.whole_point and group.layout.is_finite:
            # Skip evaluated or pending points (draws with a continuous column
            # repeat one with probability 0; the optimizer de-duplicates anyway).
            seen = np.vstack([X, lies])
            repeat = (candidates[:, None, :] == seen[None]).all(axis=-1).any(axis=1)
            score[repeat] = -np.inf
        if feasible is not None:
            score[~feasible(candidates)] = -np.inf
        return candidates[np.argmax(score)]

    def _estimator(self, X: np.ndarray, layout: Columns) -> ParzenEstimator:
        weights = None if self.weights is None else _call_weights(self.weights, len(X))
        return ParzenEstimator.from_observations(
            X,
            layout,
            weights=weights,
            prior_weight=self.prior_weight,
            bandwidth=self.bandwidth,
            consider_endpoints=self.consider_endpoints,
        )

    def __repr__(self):
        params = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in ("n_ei_candidates", "gamma", "multivariate", "prior_weight")
        )
        return f"TPEProposer({params})"


def _call_weights(func: Callable[[int], np.ndarray], n: int) -> np.ndarray:
    w = np.asarray(func(n), dtype=float).reshape(-1)
    if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(
            f"The 'weights' function must return {n} finite non-negative values "
            f"for n={n}. Got {w!r} instead."
        )
    return w


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_tpe_params(
    *,
    n_ei_candidates: int = 24,
    gamma: Callable[[int], int] | float | None = None,
    weights: Callable[[int], np.ndarray] | None = None,
    prior_weight: float = 1.0,
    bandwidth: str = "neighbor",
) -> None:
    """Validate the parameters of :class:`TPEProposer` (and of ``TPESearchCV``).

    Every argument defaults to a valid value, so a caller checks only the ones
    it has.

    Raises
    ------
    ValueError
        Naming the first invalid parameter, what it expects and the value got.
    """
    if (
        not isinstance(n_ei_candidates, numbers.Integral)
        or isinstance(n_ei_candidates, bool)
        or n_ei_candidates < 1
    ):
        raise ValueError(
            "The 'n_ei_candidates' parameter must be an int >= 1. "
            f"Got {n_ei_candidates!r} instead."
        )
    if not (gamma is None or callable(gamma) or (_is_real(gamma) and 0 < gamma < 1)):
        raise ValueError(
            "The 'gamma' parameter must be None, a callable n -> n_good or a float "
            f"in (0, 1). Got {gamma!r} instead."
        )
    if not (weights is None or callable(weights)):
        raise ValueError(
            "The 'weights' parameter must be None or a callable n -> weights. "
            f"Got {weights!r} instead."
        )
    if not (_is_real(prior_weight) and 0 < prior_weight < math.inf):
        raise ValueError(
            "The 'prior_weight' parameter must be a float > 0. "
            f"Got {prior_weight!r} instead."
        )
    if bandwidth not in _BANDWIDTHS:
        raise ValueError(
            f"The 'bandwidth' parameter must be one of {_BANDWIDTHS}. "
            f"Got {bandwidth!r} instead."
        )
