"""Gaussian-process surrogate and the proposer that maximizes acquisitions over it.

The model (:class:`GaussianProcess`) is a zero-mean Gaussian process on
standardized scores with a Matern-5/2 kernel, one lengthscale per search-space
column (ARD), a signal variance and a learned homoscedastic noise, to which
each observation's known noise variance (from its cross-validation folds) is
added. Hyperparameters are fitted by maximum a posteriori: the log marginal
likelihood plus the dimension-scaled lengthscale prior of Hvarfner, Hellsten &
Nardi (2024, "Vanilla Bayesian optimization performs great in high
dimensions") and a LogNormal prior on the noise (BoTorch's LogNormal(-4, 1) by
default; :class:`GPProposer` uses LogNormal(-8, 1), see its docstring), by
L-BFGS-B with analytic gradients.

Kernel inputs come from the unit-cube encoding of :mod:`sksmbo.space`
(:class:`InputMap`):

* real, integer and ordinal columns are numeric; integer and ordinal columns
  are first rounded to the encoding of the value they decode to, so the model
  is constant within the cell of one value;
* unordered categorical columns (and the sub-space choice) are one-hot encoded
  and scaled by ``1 / sqrt(2)``: two points are at distance 0 on such a column
  when their categories match and 1 otherwise (an exact-match kernel);
* in a conditional space (a list of dicts) a column can be inactive (NaN).
  Numeric columns of the sub-spaces are embedded on a quarter circle of arc
  length 1 and an inactive value sits at its centre (the "arc kernel" of
  Hutter & Osborne, 2013, "A kernel for hierarchical parameter spaces"); an
  inactive categorical column is all zeros. Two inactive values are then at
  distance 0, and an inactive value is at the *same* distance from every
  active one (``2 / pi`` for numeric columns, ``1 / sqrt(2)`` for categorical
  ones), so inactive parameters neither attract nor repel the model, as an
  imputed constant would.

:class:`GPProposer` plugs the model into :class:`~sksmbo.Optimizer`: a
hyperparameter fit every other round, warm-started from the previous one, and a
kriging believer for batches that conditions the fitted model on pending points
with their predicted scores, hyperparameters fixed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from numbers import Integral
from typing import NamedTuple

import numpy as np
from scipy.linalg import LinAlgError, lapack
from scipy.optimize import fmin_l_bfgs_b

from sksmbo._acquisition import ACQUISITIONS, GPHedge, candidate_set, maximize
from sksmbo._compat import Interval, StrOptions
from sksmbo._surrogates.base import ACQ_FUNCS as BASE_ACQ_FUNCS
from sksmbo._surrogates.base import (
    ACQUISITION_CONSTRAINTS,
    best_seeds,
    check_params,
    one_blas_thread,
)
from sksmbo.space import Dimension, Space

__all__ = [
    "ACQ_FUNCS",
    "GPParams",
    "GPProposer",
    "GaussianProcess",
    "InputMap",
    "log_posterior",
]

#: Names accepted by ``GPProposer(acq_func=...)``.
ACQ_FUNCS = (*BASE_ACQ_FUNCS, "gp_hedge")
_CONSTRAINTS = {
    **ACQUISITION_CONSTRAINTS,
    "acq_func": [StrOptions(set(ACQ_FUNCS))],
    "n_polish": [Interval(Integral, 1, None, closed="left")],
    "polish": ["boolean"],
    "n_restarts": [Interval(Integral, 0, None, closed="left")],
    "per_second": ["boolean"],
}

_SQRT5 = math.sqrt(5.0)
_LOG_2PI = math.log(2 * math.pi)
# Bounds of the hyperparameters (standardized outputs, unit-cube inputs). The
# lengthscale floor is BoTorch's (2.5e-2); the noise floor keeps K well
# conditioned while letting the model nearly interpolate deterministic scores.
_LENGTHSCALE_BOUNDS = (2.5e-2, 1e3)
_SIGNAL_BOUNDS = (1e-2, 1e2)
_NOISE_BOUNDS = (1e-6, 2.0)
# LogNormal(mu, sigma) priors: (mu, sigma) of the logarithm.
_LENGTHSCALE_SIGMA = math.sqrt(3.0)
# BoTorch's noise prior: the default of GaussianProcess.fit (the fidelity and
# cost models of other proposers).
_NOISE_PRIOR = (-4.0, 1.0)
# The noise prior of GPProposer's model of scores (issue 24), mode exp(-9) =
# 1.2e-4 of the score variance. The known noise of each score (its variance
# over CV folds) comes on top of the learned noise.
_PROPOSER_NOISE_PRIOR = (-8.0, 1.0)
# Added to the lengthscale prior's mu by GPProposer (issue 24): a mode e^-0.5
# = 0.61 times Hvarfner et al.'s (0.12 sqrt(d) instead of 0.2 sqrt(d)).
_PROPOSER_LENGTHSCALE_SHIFT = -0.5
# Relative decrease of the negative log posterior below which the
# hyperparameter fit stops (L-BFGS-B's ftol).
_FIT_FTOL = 1e-6
# Most floats of the pairwise squared differences a fit keeps (16 MB).
_MAX_SQ_DIFF = 2**21
# Whether GPProposer replaces each score's known noise by their mean.
_POOL_KNOWN_NOISE = False
# How GPProposer pretends pending points were scored: "believer" (the score
# the process predicts there) or "mean" (the mean score seen, a constant liar:
# the rule before; benchmarks/pending_points.py compares them).
_PENDING_SCORE = "believer"
# Whether the acquisition polish also starts from the best evaluated point
# (optuna's GPSampler does), and the scales of the perturbations of the best
# points among the screened candidates.
_POLISH_INCUMBENT = False
_SEED_SCALES: float | tuple[float, ...] = 0.1
# L-BFGS-B iterations of the acquisition polish.
_POLISH_MAXITER = 30
# A monotone transform of the scores before the fit: None, or "yeo-johnson"
# (with the maximum-likelihood exponent, as HEBO; Cowen-Rivers et al. 2022).
# Issue 24, gp_ablation.py round 7: mean normalized regret 0.194 -> 0.167
# over 40 seeds of nine functions.
_OUTPUT_WARP: str | None = "yeo-johnson"
# Hyperparameters fitted at one proposal in this many; the others condition
# the last fit's on the new data. Every other: a fifth off a proposal, the
# same regret (issue 24, gp_ablation.py round 9: 0.164 against 0.167).
_REFIT_EVERY = 2
# Exponents searched for the Yeo-Johnson transform.
_YJ_EXPONENTS = np.linspace(-2.0, 4.0, 121)
_SIGNAL_PRIOR = (0.0, 1.0)
# Jitter added to the diagonal, in turn, when a Cholesky factorization fails
# (the first, 0, is tried without a copy).
_JITTERS = (0.0, 1e-8, 1e-6, 1e-4, 1e-2)
_MIN_VARIANCE = 1e-12
# Arc embedding of conditional numeric columns: a quarter circle of length 1.
_ARC_RADIUS = 2 / math.pi
# The portfolio of gp_hedge (scikit-optimize's EI, PI, LCB), maximized in log
# space where that exists: the same maximizers, better numerics.
_HEDGE = ("log_ei", "log_pi", "lcb")


# -- kernel inputs -----------------------------------------------------------


class InputMap(NamedTuple):
    """How unit-cube columns become kernel features (see the module docstring).

    Attributes
    ----------
    n_dims : int
        Number of unit-cube columns (and of lengthscales).
    numeric : ndarray of shape (n_numeric,)
        Columns used as they are (after rounding the discrete ones).
    arc : ndarray of shape (n_arc,)
        Numeric columns that can be inactive, embedded on a quarter circle.
    nominal : ndarray of shape (n_nominal,)
        Unordered categorical columns, one-hot encoded.
    n_levels : ndarray of shape (n_nominal,)
        Number of categories of each nominal column.
    discrete : tuple of (int, Dimension)
        Integer and ordinal columns, rounded to their grid of values.
    groups : ndarray of shape (n_features,)
        The column (lengthscale) behind each feature.
    """

    n_dims: int
    numeric: np.ndarray
    arc: np.ndarray
    nominal: np.ndarray
    n_levels: np.ndarray
    discrete: tuple[tuple[int, Dimension], ...]
    groups: np.ndarray

    @classmethod
    def from_space(cls, space: Space | None, n_dims: int | None = None) -> InputMap:
        """The map of ``space``; with None, ``n_dims`` plain numeric columns."""
        if space is None:
            cols = np.arange(n_dims)
            empty = np.empty(0, dtype=np.intp)
            return cls(n_dims, cols, empty, empty, empty, (), cols)
        kinds = np.array(space.kinds)
        conditional = np.arange(space.n_columns) >= (1 if space.has_choice else 0)
        conditional &= space.has_choice
        nominal = np.flatnonzero(kinds == "categorical")
        numeric = np.flatnonzero((kinds != "categorical") & ~conditional)
        arc = np.flatnonzero((kinds != "categorical") & conditional)
        n_levels = space.levels[nominal].astype(np.intp)
        discrete = tuple(
            (int(j), space.dimensions[j])
            for j in np.flatnonzero(np.isin(kinds, ("integer", "ordinal")))
        )
        groups = np.concatenate(
            [numeric, np.repeat(arc, 2), np.repeat(nominal, n_levels)]
        ).astype(np.intp)
        return cls(space.n_columns, numeric, arc, nominal, n_levels, discrete, groups)

    def with_fidelity(self) -> InputMap:
        """This map plus one numeric column at the end: the fidelity of a row.

        Multi-fidelity models (:mod:`sksmbo._surrogates.fidelity`) append the
        resource level of each observation as a last unit-interval column,
        with its own lengthscale.
        """
        numeric = np.append(self.numeric, self.n_dims).astype(np.intp)
        groups = np.concatenate(
            [numeric, np.repeat(self.arc, 2), np.repeat(self.nominal, self.n_levels)]
        ).astype(np.intp)
        return self._replace(n_dims=self.n_dims + 1, numeric=numeric, groups=groups)

    def __call__(self, X: np.ndarray, *, snapped: bool = False) -> np.ndarray:
        """Kernel features of unit-cube rows, ndarray of shape (n, n_features).

        ``snapped`` says the discrete columns are already rounded
        (``Space.snap``), as every point the acquisition maximizer scores is:
        rounding them again cost more than the rest of a prediction.
        """
        X = np.asarray(X, dtype=float)
        X = X.reshape(1, -1) if X.ndim < 2 else X
        discrete = () if snapped else self.discrete
        if discrete:
            X = X.copy()
        for j, dim in discrete:
            active = ~np.isnan(X[:, j])
            X[active, j] = dim.snap_unit(X[active, j])
        if not (len(self.arc) or len(self.nominal)):
            # Every column numeric, in order: X itself (callers never write to it).
            return X if len(self.numeric) == X.shape[1] else X[:, self.numeric]
        blocks = [X[:, self.numeric]]
        if len(self.arc):
            angle = (np.pi / 2) * X[:, self.arc]
            inactive = np.isnan(angle)
            cos = np.where(inactive, 0.0, _ARC_RADIUS * np.cos(angle))
            sin = np.where(inactive, 0.0, _ARC_RADIUS * np.sin(angle))
            blocks.append(np.stack([cos, sin], axis=2).reshape(len(X), -1))
        if len(self.nominal):
            blocks.append(self._one_hot(X[:, self.nominal]))
        return np.hstack(blocks)

    def _one_hot(self, U: np.ndarray) -> np.ndarray:
        """Categories as one-hot rows scaled by 1/sqrt(2); NaN gives zeros."""
        n = len(U)
        offsets = np.concatenate([[0], np.cumsum(self.n_levels)[:-1]])
        out = np.zeros((n, int(self.n_levels.sum())))
        active = ~np.isnan(U)
        index = np.clip(
            np.floor(np.where(active, U, 0.0) * self.n_levels), 0, self.n_levels - 1
        ).astype(np.intp)
        rows, cols = np.nonzero(active)
        out[rows, offsets[cols] + index[rows, cols]] = math.sqrt(0.5)
        return out


# -- hyperparameters and their posterior ---------------------------------------


class GPParams(NamedTuple):
    """Kernel hyperparameters, on standardized outputs.

    Attributes
    ----------
    lengthscales : ndarray of shape (n_dims,)
        One lengthscale per unit-cube column.
    signal_variance : float
        Prior variance of the latent function.
    noise_variance : float
        Learned homoscedastic noise variance (known noise is added to it).
    """

    lengthscales: np.ndarray
    signal_variance: float
    noise_variance: float

    @classmethod
    def from_vector(cls, theta: np.ndarray) -> GPParams:
        """From ``[log lengthscales..., log signal variance, log noise variance]``."""
        theta = np.asarray(theta, dtype=float)
        return cls(
            np.exp(theta[:-2]), float(np.exp(theta[-2])), float(np.exp(theta[-1]))
        )

    def to_vector(self) -> np.ndarray:
        """``[log lengthscales..., log signal variance, log noise variance]``."""
        return np.log(
            np.concatenate(
                [self.lengthscales, [self.signal_variance, self.noise_variance]]
            )
        )


class _Prior(NamedTuple):
    """LogNormal priors: ``mean``/``scale`` of each log-hyperparameter."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def for_dims(
        cls,
        n_dims: int,
        noise_prior: tuple[float, float] | None = None,
        lengthscale_shift: float = 0.0,
    ) -> _Prior:
        # Hvarfner et al. (2024): lengthscale ~ LogNormal(sqrt2 + log(d) / 2, sqrt3).
        mu = math.sqrt(2) + 0.5 * math.log(max(n_dims, 1)) + lengthscale_shift
        noise_mu, noise_sigma = _NOISE_PRIOR if noise_prior is None else noise_prior
        mean = np.r_[np.full(n_dims, mu), _SIGNAL_PRIOR[0], noise_mu]
        scale = np.r_[
            np.full(n_dims, _LENGTHSCALE_SIGMA), _SIGNAL_PRIOR[1], noise_sigma
        ]
        return cls(mean, scale)

    def log_density(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Log prior density of ``theta`` and its gradient.

        The lengthscale and noise densities are LogNormal densities *in the
        parameter* (as gpytorch evaluates them), so their MAP pulls towards the
        mode ``exp(mu - sigma^2)``: ``0.2 sqrt(d)`` for the lengthscales,
        ``exp(-5)`` for the noise under LogNormal(-4, 1) and ``exp(-9)`` under
        LogNormal(-8, 1). The signal variance has a Normal(0, 1) prior on its
        logarithm (mode 1, the variance of standardized scores).
        """
        u = (theta - self.mean) / self.scale
        # The Jacobian term: -log of each parameter but the signal variance.
        value = -0.5 * float(u @ u) - float(theta.sum()) + float(theta[-2])
        grad = -u / self.scale - 1.0
        grad[-2] += 1.0
        return value, grad

    def mode(self) -> np.ndarray:
        theta = self.mean - self.scale**2
        theta[-2] = self.mean[-2]
        return theta

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        return self.mean + self.scale * rng.standard_normal(len(self.mean))


def _bounds(n_dims: int) -> np.ndarray:
    """Bounds of the log-hyperparameters, ndarray of shape (n_dims + 2, 2)."""
    return np.log(
        np.array(
            [_LENGTHSCALE_BOUNDS] * n_dims + [_SIGNAL_BOUNDS, _NOISE_BOUNDS],
            dtype=float,
        )
    )


def _sq_dist(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between rows, ndarray of shape (len(A), len(B))."""
    sq = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * (A @ B.T)
    return np.maximum(sq, 0.0)


def _matern52(sq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``k(r) = (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r)`` from ``r^2``; also r, exp."""
    r = np.sqrt(sq)
    e = np.exp(-_SQRT5 * r)
    return (1.0 + _SQRT5 * r + (5.0 / 3.0) * sq) * e, r, e


def _cholesky(K: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Lower Cholesky factor, adding jitter to the diagonal until it succeeds.

    The jitter is a growing fraction of ``scale``, by default the mean of the
    diagonal. Pass the prior variance for a matrix whose diagonal round-off
    can drive to zero or below (a Schur complement).
    """
    # Without jitter first, and without a copy: the common case, in the loop
    # of the hyperparameter fit (dpotrf does not overwrite K by default).
    L, info = lapack.dpotrf(K, lower=1, clean=1)
    if info == 0:
        return L
    if scale is None:
        scale = float(np.mean(np.diag(K)))
    for jitter in _JITTERS[1:]:
        L, info = lapack.dpotrf(K + jitter * scale * np.eye(len(K)), lower=1, clean=1)
        if info == 0:
            return L
    raise LinAlgError("The kernel matrix is not positive definite, even with jitter.")


def _inverse(L: np.ndarray) -> np.ndarray:
    """``K^-1`` from the lower Cholesky factor of ``K`` (LAPACK potri)."""
    # potri fills the lower triangle; the upper one keeps L's zeros (clean=1).
    inv, info = lapack.dpotri(L, lower=1)
    if info != 0:
        raise LinAlgError(f"dpotri failed with info={info}.")
    full = inv + inv.T
    full[np.diag_indices(len(full))] *= 0.5
    return full


def log_posterior(
    theta: np.ndarray,
    Z: np.ndarray,
    groups: np.ndarray,
    y: np.ndarray,
    noise: np.ndarray,
    prior: _Prior | None = None,
    *,
    gradient: bool = True,
    sq_diff: np.ndarray | None = None,
) -> tuple[float, np.ndarray | None]:
    """Log marginal likelihood (plus log prior) and its gradient in ``theta``.

    ``log p(y) = -y^T a / 2 - sum(log diag L) - n log(2 pi) / 2`` with
    ``K = L L^T = s2 k(Z / l) + diag(noise + n2)``, ``a = K^-1 y``; and
    ``d log p / d t = tr((a a^T - K^-1) dK/dt) / 2`` (Rasmussen & Williams,
    eq. 5.9). For a lengthscale, ``dK/dlog l_j = s2 (5/3) (1 + sqrt5 r)
    exp(-sqrt5 r) D_j / l_j^2`` with ``D_j`` the squared distances of the
    features of column ``j``, summed without forming ``D_j``.

    Parameters
    ----------
    theta : ndarray of shape (n_dims + 2,)
        Log lengthscales, log signal variance, log noise variance.
    Z : ndarray of shape (n, n_features)
        Kernel features (:class:`InputMap`).
    groups : ndarray of shape (n_features,)
        The lengthscale of each feature.
    y : ndarray of shape (n,)
        Standardized targets.
    noise : ndarray of shape (n,)
        Known noise variance of each target, standardized.
    prior : _Prior or None, default=None
        Adds the log prior density when given.
    gradient : bool, default=True
        Compute the gradient (three times the cost of the value alone).
    sq_diff : ndarray of shape (n * n, n_features) or None, default=None
        ``(z_ac - z_bc)^2`` for every pair of rows ``(a, b)`` and feature
        ``c`` of ``Z``; given, distances and the lengthscale gradient are one
        product each (what a fit computes once for all its evaluations).

    Returns
    -------
    value : float
        The log marginal likelihood (plus log prior).
    grad : ndarray of shape (n_dims + 2,) or None
        Its gradient; None when ``gradient`` is False.
    """
    # Each L-BFGS-B step of the fit evaluates this: scalars stay Python floats
    # and the diagonal is written through a strided view (issue 24).
    n, d = len(y), len(theta) - 2
    signal, noise_variance = math.exp(theta[d]), math.exp(theta[d + 1])
    inverse_sq = np.exp(-2.0 * theta[:d])[groups]  # 1 / lengthscale^2 per feature
    if sq_diff is None:
        Zs = Z * np.sqrt(inverse_sq)
        sq_norms = (Zs * Zs).sum(1)
        sq = np.maximum(sq_norms[:, None] + sq_norms - 2.0 * (Zs @ Zs.T), 0.0)
        sq.flat[:: n + 1] = 0.0
    else:
        sq = (sq_diff @ inverse_sq).reshape(n, n)
    k, r, e = _matern52(sq)
    Kf = signal * k
    K = Kf.copy()
    K.flat[:: n + 1] += noise + noise_variance
    L = _cholesky(K)
    alpha = lapack.dpotrs(L, y, lower=1)[0]
    value = -0.5 * float(y @ alpha) - float(np.log(L.diagonal()).sum())
    value -= 0.5 * n * _LOG_2PI
    if prior is not None:
        prior_value, prior_grad = prior.log_density(theta)
        value += prior_value
    if not gradient:
        return value, None
    W = np.outer(alpha, alpha) - _inverse(L)
    M = W * ((signal * 5.0 / 3.0) * (1.0 + _SQRT5 * r) * e)
    # sum_ab M_ab (zs_ac - zs_bc)^2, zs = z / lengthscale: from sq_diff, or
    # as 2 sum_a zs_ac^2 (M 1)_a - 2 zs_c^T M zs_c.
    if sq_diff is None:
        per_feature = 2.0 * (M.sum(1) @ (Zs * Zs)) - 2.0 * ((M @ Zs) * Zs).sum(0)
    else:
        per_feature = (M.ravel() @ sq_diff) * inverse_sq
    grad = np.empty(d + 2)
    grad[:d] = 0.5 * np.bincount(groups, weights=per_feature, minlength=d)
    grad[d] = 0.5 * float((W * Kf).sum())
    grad[d + 1] = 0.5 * noise_variance * float(W.trace())
    if prior is not None:
        grad += prior_grad
    return value, grad


def _fit_theta(
    Z: np.ndarray,
    groups: np.ndarray,
    y: np.ndarray,
    noise: np.ndarray,
    prior: _Prior,
    starts: list[np.ndarray],
    maxiter: int,
) -> np.ndarray:
    """MAP hyperparameters by L-BFGS-B, the best end point.

    An evaluation costs O(n^3), so restarts are screened: L-BFGS-B runs from
    ``starts[0]`` (the warm start) and from the best of the other starts by
    their initial value, if that is better than the warm start's.
    """
    bounds = _bounds(len(prior.mean) - 2)
    n, n_features = Z.shape
    # Pairwise squared differences once for every evaluation, when they fit
    # in _MAX_SQ_DIFF floats: a fifth off each evaluation (issue 24).
    sq_diff = None
    if n * n * n_features <= _MAX_SQ_DIFF:
        sq_diff = ((Z[:, None, :] - Z[None, :, :]) ** 2).reshape(n * n, n_features)

    def negated(theta, gradient=True):
        # The one negation of the fit: scipy minimizes, the posterior is maximized.
        try:
            value, grad = log_posterior(
                theta, Z, groups, y, noise, prior, gradient=gradient, sq_diff=sq_diff
            )
        except LinAlgError:
            return np.inf, np.zeros_like(theta)
        return -value, (-grad if gradient else None)

    starts = [np.clip(s, bounds[:, 0], bounds[:, 1]) for s in starts]
    runs = starts[:1]
    if len(starts) > 1:
        initial = [negated(s, gradient=False)[0] for s in starts]
        best = 1 + int(np.argmin(initial[1:]))
        if initial[best] < initial[0]:
            runs.append(starts[best])
    best_theta, best_value = starts[0], np.inf
    for x0 in runs:
        # Hyperparameters need no more than ~1e-6 relative precision.
        # fmin_l_bfgs_b: minimize's L-BFGS-B without its wrapper (issue 24).
        theta, value, _ = fmin_l_bfgs_b(
            negated,
            x0,
            bounds=bounds,
            factr=_FIT_FTOL / np.finfo(float).eps,
            pgtol=1e-3,
            maxiter=maxiter,
        )
        if np.isfinite(value) and value < best_value:
            best_theta, best_value = theta, value
    return best_theta


def _standardize(y: np.ndarray) -> tuple[float, float]:
    """Mean and scale of the scores (scale 1 when they are constant)."""
    mean = float(np.mean(y)) if len(y) else 0.0
    scale = float(np.std(y)) if len(y) else 0.0
    if not (np.isfinite(scale) and scale > 1e-12 * max(1.0, abs(mean))):
        scale = 1.0
    return mean, scale


@dataclass(frozen=True)
class GaussianProcess:
    """A fitted Gaussian process: hyperparameters plus the conditioned state.

    Build one with :meth:`fit` (MAP hyperparameters) or :meth:`from_params`
    (fixed hyperparameters); :meth:`condition_on` returns a new one with more
    observations and the same hyperparameters. Shapes follow scikit-learn's
    :class:`~sklearn.gaussian_process.GaussianProcessRegressor`.

    Attributes
    ----------
    params : GPParams
        The kernel hyperparameters (on standardized outputs).
    input_map : InputMap
        Unit-cube columns to kernel features.
    X : ndarray of shape (n, n_dims)
        Training points in the unit cube (NaN in inactive columns).
    y : ndarray of shape (n,)
        Standardized training targets.
    noise : ndarray of shape (n,)
        Known noise variance of each target, standardized (the learned noise
        ``params.noise_variance`` comes on top).
    y_mean, y_scale : float
        Standardization: ``y = (scores - y_mean) / y_scale``.
    Zs : ndarray of shape (n, n_features)
        Training features divided by their lengthscales.
    alpha : ndarray of shape (n,)
        ``K^-1 y``.
    K_inv : ndarray of shape (n, n)
        Inverse of the training covariance (noise included).
    """

    params: GPParams
    input_map: InputMap
    X: np.ndarray
    y: np.ndarray
    noise: np.ndarray
    y_mean: float
    y_scale: float
    Zs: np.ndarray
    alpha: np.ndarray
    K_inv: np.ndarray

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        noise: np.ndarray | None = None,
        *,
        space: Space | None = None,
        rng: np.random.Generator | None = None,
        init: np.ndarray | None = None,
        n_restarts: int = 2,
        maxiter: int = 50,
        max_fit: int = 300,
        input_map: InputMap | None = None,
        noise_prior: tuple[float, float] | None = None,
        lengthscale_shift: float = 0.0,
    ) -> GaussianProcess:
        """Fit the hyperparameters by MAP, then condition on ``(X, y)``.

        Parameters
        ----------
        X : ndarray of shape (n, n_dims)
            Points in the unit cube (NaN in inactive columns).
        y : ndarray of shape (n,)
            Their scores, finite.
        noise : ndarray of shape (n,) or None, default=None
            Known noise variance of each score, in the units of ``y``.
        space : Space or None, default=None
            The space ``X`` encodes; None treats every column as real.
        rng : numpy.random.Generator or None, default=None
            Draws the random restarts and the subset of ``max_fit`` points;
            None uses a generator seeded with 0.
        init : ndarray of shape (n_dims + 2,) or None, default=None
            Log-hyperparameters to start from (a previous fit); None starts
            from the prior's mode.
        n_restarts : int, default=2
            Other starts drawn from the prior. Each is screened by one
            evaluation; L-BFGS-B runs from the warm start (``init``, else the
            prior's mode) and from the best other start if it starts better.
        maxiter : int, default=50
            L-BFGS-B iterations per start.
        max_fit : int, default=300
            Hyperparameters are fitted on a random subset of this many points
            when there are more (each evaluation of the marginal likelihood is
            O(n^3)); the posterior uses every point.
        input_map : InputMap or None, default=None
            How columns become kernel features; None derives it from
            ``space``.
        noise_prior : tuple of (float, float) or None, default=None
            ``(mu, sigma)`` of the LogNormal prior of the learned noise
            variance (standardized); None is BoTorch's ``(-4, 1)``.
        lengthscale_shift : float, default=0.0
            Added to the ``mu`` of the lengthscales' LogNormal prior (0 is
            Hvarfner et al.'s ``sqrt2 + log(d) / 2``).

        Returns
        -------
        gp : GaussianProcess
            The fitted process.
        """
        X, y, noise, derived = _check_data(X, y, noise, space)
        input_map = derived if input_map is None else input_map
        y_mean, y_scale = _standardize(y)
        ys, noise_s = (y - y_mean) / y_scale, noise / y_scale**2
        d = input_map.n_dims
        prior = _Prior.for_dims(d, noise_prior, lengthscale_shift)
        warm = init is not None and len(init) == d + 2
        starts = [np.asarray(init, dtype=float)] if warm else []
        rng = _generator(rng)
        starts += [prior.mode()] + [prior.sample(rng) for _ in range(n_restarts)]
        # Above max_fit points, the O(n^3) evaluations of the fit use a random
        # subset; the posterior below still conditions on every point.
        fit = slice(None)
        if len(y) > max_fit:
            fit = np.sort(rng.choice(len(y), max_fit, replace=False))
        Z = input_map(X[fit])
        theta = _fit_theta(
            Z, input_map.groups, ys[fit], noise_s[fit], prior, starts, maxiter
        )
        return cls._build(
            GPParams.from_vector(theta), input_map, X, ys, noise_s, y_mean, y_scale
        )

    @classmethod
    def from_params(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        params: GPParams,
        noise: np.ndarray | None = None,
        *,
        space: Space | None = None,
    ) -> GaussianProcess:
        """Condition a process with fixed hyperparameters on ``(X, y)``.

        Parameters are as in :meth:`fit`; ``params`` are the hyperparameters
        on standardized outputs.
        """
        X, y, noise, input_map = _check_data(X, y, noise, space)
        y_mean, y_scale = _standardize(y)
        ys, noise_s = (y - y_mean) / y_scale, noise / y_scale**2
        return cls._build(params, input_map, X, ys, noise_s, y_mean, y_scale)

    @classmethod
    def _build(cls, params, input_map, X, y, noise, y_mean, y_scale) -> GaussianProcess:
        Zs = input_map(X) / params.lengthscales[input_map.groups]
        K = params.signal_variance * _matern52(_sq_dist(Zs, Zs))[0]
        K[np.diag_indices(len(y))] = (
            params.signal_variance + noise + params.noise_variance
        )
        K_inv = _inverse(_cholesky(K))
        return cls(
            params, input_map, X, y, noise, y_mean, y_scale, Zs, K_inv @ y, K_inv
        )

    @cached_property
    def _inverse_scales(self) -> np.ndarray:
        """``1 / lengthscale`` of each kernel feature."""
        return 1.0 / self.params.lengthscales[self.input_map.groups]

    @cached_property
    def _train_sq_norms(self) -> np.ndarray:
        """Squared norms of the rows of ``Zs``."""
        return (self.Zs * self.Zs).sum(1)

    def _cross(self, X: np.ndarray, snapped: bool = False) -> np.ndarray:
        """Prior covariances between ``X`` and the training points, (m, n)."""
        # _sq_dist with the training side's norms kept: the polish of the
        # acquisition calls this tens of times per proposal (issue 24).
        Zs = self.input_map(X, snapped=snapped) * self._inverse_scales
        sq = (Zs * Zs).sum(1)[:, None] + self._train_sq_norms - 2.0 * (Zs @ self.Zs.T)
        return self.params.signal_variance * _matern52(np.maximum(sq, 0.0))[0]

    def posterior(
        self, X: np.ndarray, *, snapped: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and std of the latent function, *standardized* units.

        Parameters
        ----------
        X : ndarray of shape (m, n_dims)
            Points in the unit cube.
        snapped : bool, default=False
            The discrete columns of ``X`` are already rounded (``Space.snap``);
            skips rounding them again.

        Returns
        -------
        mean, std : ndarray of shape (m,)
            ``std`` excludes observation noise.
        """
        Ks = self._cross(X, snapped)
        mean = Ks @ self.alpha
        var = self.params.signal_variance - np.einsum("ij,ij->i", Ks @ self.K_inv, Ks)
        return mean, np.sqrt(
            np.maximum(var, _MIN_VARIANCE * self.params.signal_variance)
        )

    def train_mean(self) -> np.ndarray:
        """Posterior mean at the training points, standardized, in O(n).

        ``K_f K^-1 y = y - (noise + n2) K^-1 y``, since ``K = K_f + diag(noise + n2)``.
        """
        return self.y - (self.noise + self.params.noise_variance) * self.alpha

    def predict(self, X: np.ndarray, return_std: bool = False):
        """Posterior mean (and std) of the score at ``X``, in the units of ``y``.

        Parameters
        ----------
        X : ndarray of shape (m, n_dims)
            Points in the unit cube.
        return_std : bool, default=False
            Also return the posterior standard deviation (noise excluded).

        Returns
        -------
        mean : ndarray of shape (m,)
        std : ndarray of shape (m,)
            Only when ``return_std`` is True.
        """
        mean, std = self.posterior(X)
        mean = self.y_mean + self.y_scale * mean
        return (mean, self.y_scale * std) if return_std else mean

    def condition_on(self, X_new: np.ndarray, y_new) -> GaussianProcess:
        """The process with ``(X_new, y_new)`` added, hyperparameters unchanged.

        This is how a constant liar pretends pending points were evaluated:
        the standardization and hyperparameters stay those of the fit, and
        ``K^-1`` grows by a block (Schur complement) update in O(n^2 k).

        Parameters
        ----------
        X_new : ndarray of shape (k, n_dims)
            Points in the unit cube.
        y_new : float or array-like of shape (k,)
            Their (pretended) scores, in the units of ``y``; no known noise.

        Returns
        -------
        gp : GaussianProcess
            A new process; ``self`` is unchanged.
        """
        X_new = np.array(X_new, dtype=float, ndmin=2)
        k = len(X_new)
        if k == 0:
            return self
        y_new = np.broadcast_to(np.asarray(y_new, dtype=float), (k,))
        y_new = (y_new - self.y_mean) / self.y_scale
        p = self.params
        Zs_new = self.input_map(X_new) / p.lengthscales[self.input_map.groups]
        B = self._cross(X_new).T  # (n, k)
        C = p.signal_variance * _matern52(_sq_dist(Zs_new, Zs_new))[0]
        C[np.diag_indices(k)] = p.signal_variance + p.noise_variance
        P = self.K_inv @ B
        # A point (almost) on an observation with no noise leaves a posterior
        # variance of ~0, which round-off can make negative.
        prior = p.signal_variance + p.noise_variance
        S_inv = _inverse(_cholesky(C - B.T @ P, scale=prior))
        PS = P @ S_inv
        K_inv = np.block([[self.K_inv + PS @ P.T, -PS], [-PS.T, S_inv]])
        y = np.concatenate([self.y, y_new])
        return GaussianProcess(
            p,
            self.input_map,
            np.vstack([self.X, X_new]),
            y,
            np.concatenate([self.noise, np.zeros(k)]),
            self.y_mean,
            self.y_scale,
            np.vstack([self.Zs, Zs_new]),
            K_inv @ y,
            K_inv,
        )


def _generator(rng: np.random.Generator | None) -> np.random.Generator:
    """``rng``, or a fixed-seed generator so that fits are reproducible."""
    return np.random.default_rng(0) if rng is None else rng


def _check_data(X, y, noise, space):
    X = np.array(X, dtype=float, ndmin=2)
    y = np.asarray(y, dtype=float).reshape(-1)
    noise = np.zeros(len(y)) if noise is None else np.asarray(noise, float).reshape(-1)
    if not len(X) == len(y) == len(noise):
        raise ValueError(
            f"X, y and noise must have the same length. Got {len(X)}, {len(y)} and "
            f"{len(noise)}."
        )
    if not (np.isfinite(y).all() and np.isfinite(noise).all() and (noise >= 0).all()):
        raise ValueError("y must be finite and noise finite and non-negative.")
    input_map = InputMap.from_space(space, X.shape[1])
    return X, y, noise, input_map


def _yeo_johnson(z: np.ndarray, lmbda) -> tuple[np.ndarray, np.ndarray]:
    """Yeo-Johnson transform of ``z`` and its slope, for each ``lmbda``.

    ``T(z) = ((1 + z)^l - 1) / l`` for ``z >= 0`` and
    ``-((1 - z)^(2 - l) - 1) / (2 - l)`` below (the logarithm at ``l = 0``
    and ``l = 2``), Yeo & Johnson (2000); ``lmbda`` broadcasts against
    ``z`` (a column of exponents gives one row per exponent).
    """
    positive = z >= 0
    log1p_abs = np.log1p(np.abs(z))
    power = np.where(positive, lmbda, 2.0 - np.asarray(lmbda))
    zero = power == 0
    safe = np.where(zero, 1.0, power)
    magnitude = np.where(zero, log1p_abs, np.expm1(safe * log1p_abs) / safe)
    slope = np.exp((power - 1.0) * log1p_abs)
    return np.where(positive, magnitude, -magnitude), slope


def _yeo_johnson_exponent(z: np.ndarray) -> float:
    """The maximum-likelihood Yeo-Johnson exponent of ``z``, on a grid.

    The profile log-likelihood of a normal fit to ``T(z)``:
    ``-n/2 log var T(z) + (l - 1) sum sign(z) log(1 + |z|)``, on
    :data:`_YJ_EXPONENTS` in one vectorized pass (scipy's ``yeojohnson``
    maximizes it with Brent's method, 20 times slower here).
    """
    grid = _YJ_EXPONENTS[:, None]
    t, _ = _yeo_johnson(z, grid)
    log_likelihood = -0.5 * len(z) * np.log(t.var(axis=1))
    log_likelihood += (_YJ_EXPONENTS - 1.0) * float(
        (np.sign(z) * np.log1p(np.abs(z))).sum()
    )
    return float(_YJ_EXPONENTS[np.nanargmax(log_likelihood)])


def _warp(y: np.ndarray, noise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores after a Yeo-Johnson transform of their standardized values, and
    their noise by the delta method (variance times the squared slope).

    The transform is monotone, so the best points stay the best; it
    compresses a long tail of poor scores (Rosenbrock's, a failed fit's), so
    the process spends its variance on the region that matters (HEBO,
    Cowen-Rivers et al. 2022).
    """
    mean, scale = _standardize(y)
    z = (y - mean) / scale
    if len(y) < 3 or np.ptp(z) == 0:
        return y, noise
    warped, slope = _yeo_johnson(z, _yeo_johnson_exponent(z))
    return warped, noise / scale**2 * slope**2


# -- the proposer --------------------------------------------------------------


class GPProposer:
    """Proposes the maximizers of an acquisition function over a Gaussian process.

    Implements the ``Proposer`` protocol of :class:`~sksmbo.Optimizer`. Each
    round conditions the Gaussian process on the scores so far, fitting its
    MAP hyperparameters every other round (warm-started from the previous
    fit; the round between keeps them), screens quasi-random candidates plus
    neighbourhoods of the best points, polishes the best few with L-BFGS-B and
    proposes the maximizer. Batches and pending points use a kriging
    believer: the fitted process is conditioned on each pending or already
    chosen point with the score it predicts there, hyperparameters fixed.
    The mean stays and the uncertainty there vanishes, so the next points of
    a batch go where something is still to be learned, which may be next to
    a pending point near the optimum (Ginsbourger et al., 2010); a believed
    score above the incumbent becomes the incumbent. A constant liar spoils
    the region of a pending point: with the mean score seen as the lie, 11
    candidates in flight reached a regret of 0.049 on Branin with fold noise
    against 0.0027 with the believer (20 seeds; 0.0016 with one in flight),
    and the believer was ahead on each synthetic function of
    ``benchmarks/pending_points.py`` with 8 in flight (Hartmann-6 0.16
    against 0.95). The worst score seen, the lie before the mean, was worse
    still. Surrogate work runs on one BLAS thread.

    The learned noise variance of the process has a LogNormal(-8, 1) prior
    (mode ``exp(-9)``, about 1e-4 of the variance of the scores), on top of
    each score's known noise (its variance over CV folds). Under BoTorch's
    LogNormal(-4, 1) the process explained as noise differences of about 3%
    of the standard deviation of the scores: on a function with a wide range
    (Branin, 0.4 to 308) that is more than the whole gap between the optima
    and their surroundings, and searches stalled next to an optimum
    (issue 24: Branin's normalized regret went from 0.0117 to 0.0020 over
    10 seeds, ``benchmarks/gp_ablation.py``). The lengthscale prior is
    Hvarfner et al.'s with ``mu`` lowered by 0.5 (mode ``0.12 sqrt(d)``
    instead of ``0.2 sqrt(d)``), ahead in each of three rounds of that
    benchmark. The process models the scores after a Yeo-Johnson transform
    of their standardized values, with the maximum-likelihood exponent
    (HEBO's output warping, Cowen-Rivers et al. 2022): monotone, so the
    best points stay the best, it compresses long tails of poor scores
    (Rosenbrock's, a diverged fit's) that otherwise set the scale of the
    whole model. Over 40 seeds of nine functions of that benchmark the mean
    normalized regret went from 0.194 to 0.167 (round 7), ahead on seven.

    Parameters
    ----------
    acq_func : {"log_ei", "ei", "pi", "log_pi", "lcb", "gp_hedge"}, default="log_ei"
        The acquisition function (see :mod:`sksmbo._acquisition`); "gp_hedge"
        picks among the nominations of EI, PI and LCB with a softmax of their
        past gains (scikit-optimize's portfolio).
    xi : float, default=0.01
        Improvement, in standardized score units, that EI and PI require over
        the incumbent (the best posterior mean among evaluated points).
    kappa : float, default=1.96
        Exploration weight of the confidence bound ``mean + kappa * std``.
    n_candidates : int, default=512
        Quasi-random candidates screened per proposed point.
    n_polish : int, default=5
        Best distinct candidates polished by L-BFGS-B.
    polish : bool, default=True
        Polish at all; False keeps the best screened candidate.
    n_restarts : int, default=2
        Random restarts, drawn from the prior, of the hyperparameter fit
        (beside the warm start).
    per_second : bool, default=False
        Improvement per second (scikit-optimize's "EIps", "PIps"): a second
        process models the log of each evaluation's cost (seconds, passed to
        ``propose`` as ``cost``) and the acquisition, which must then be
        "log_ei" or "log_pi", is divided by its predicted cost (subtracted in
        log space).

    Attributes
    ----------
    model_ : GaussianProcess
        The process fitted at the last proposal (before any liar).
    hedge_ : GPHedge or None
        The portfolio, with ``acq_func="gp_hedge"``.

    Examples
    --------
    >>> from sksmbo import Optimizer
    >>> from sksmbo._surrogates.gp import GPProposer
    >>> opt = Optimizer({"x": (-2.0, 2.0), "kind": ["a", "b"]}, GPProposer(),
    ...                 n_initial_points=4, random_state=0)
    >>> for _ in range(12):
    ...     p = opt.ask()
    ...     _ = opt.tell(p, -(p["x"] - 0.5) ** 2 - (p["kind"] == "b"))
    >>> best, score = opt.best()
    >>> best["kind"], round(best["x"], 1)
    ('a', 0.5)
    """

    def __init__(
        self,
        acq_func: str = "log_ei",
        *,
        xi: float = 0.01,
        kappa: float = 1.96,
        n_candidates: int = 512,
        n_polish: int = 5,
        polish: bool = True,
        n_restarts: int = 2,
        per_second: bool = False,
    ):
        check_params(
            self,
            _CONSTRAINTS,
            {
                "acq_func": acq_func,
                "xi": xi,
                "kappa": kappa,
                "n_candidates": n_candidates,
                "n_polish": n_polish,
                "polish": polish,
                "n_restarts": n_restarts,
                "per_second": per_second,
            },
        )
        if per_second and acq_func not in ("log_ei", "log_pi"):
            raise ValueError(
                "per_second=True needs acq_func 'log_ei' or 'log_pi'. Got "
                f"acq_func={acq_func!r}."
            )
        self.acq_func = acq_func
        self.xi = float(xi)
        self.kappa = float(kappa)
        self.n_candidates = int(n_candidates)
        self.n_polish = int(n_polish)
        self.polish = bool(polish)
        self.n_restarts = int(n_restarts)
        self.per_second = bool(per_second)
        self.model_: GaussianProcess | None = None
        self.cost_model_: GaussianProcess | None = None
        self.hedge_ = GPHedge(_HEDGE) if acq_func == "gp_hedge" else None
        self._nominations: np.ndarray | None = None
        self._incumbent: np.ndarray | None = None

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
        cost: np.ndarray | None = None,
    ) -> np.ndarray:
        """Next points to evaluate, ndarray of shape (n_points, space.n_columns).

        ``X`` (n, n_columns) are the evaluated points, ``y`` their scores
        (higher is better, finite), ``noise`` their known variances,
        ``pending`` the points being evaluated and ``cost`` the seconds each
        evaluation took (NaN when unknown; read with ``per_second``).
        """
        d = space.n_columns
        X = np.asarray(X, dtype=float).reshape(-1, d)
        y = np.asarray(y, dtype=float).reshape(-1)
        noise = np.zeros(len(y)) if noise is None else np.asarray(noise, float)
        pending = np.empty((0, d)) if pending is None else np.asarray(pending, float)
        with one_blas_thread():
            self.cost_model_ = self._fit_cost(X, cost, space, rng)
            return self._propose(X, y, noise, int(n_points), space, rng, pending)

    @property
    def needs_cost(self) -> bool:
        """Whether :class:`~sksmbo.Optimizer` must pass the evaluations' cost."""
        return self.per_second

    def _fit_cost(self, X, cost, space, rng) -> GaussianProcess | None:
        """A process of log seconds per evaluation, with ``per_second``."""
        if not self.per_second or cost is None:
            return None
        known = np.isfinite(cost) & (np.asarray(cost) > 0)
        if known.sum() < 2:
            return None
        log_cost = np.log(np.asarray(cost, dtype=float)[known])
        return GaussianProcess.fit(
            X[known], log_cost, np.zeros(known.sum()), space=space, rng=rng
        )

    def _propose(self, X, y, noise, n_points, space, rng, pending) -> np.ndarray:
        init = None if self.model_ is None else self.model_.params.to_vector()
        if _POOL_KNOWN_NOISE and len(noise):
            noise = np.full_like(noise, np.mean(noise))
        if _OUTPUT_WARP is not None:
            y, noise = _warp(y, noise)
        n_models = getattr(self, "_n_models", 0)
        if init is not None and n_models % _REFIT_EVERY:
            gp = GaussianProcess.from_params(
                X, y, self.model_.params, noise, space=space
            )
        else:
            gp = GaussianProcess.fit(
                X,
                y,
                noise,
                space=space,
                rng=rng,
                init=init,
                n_restarts=self.n_restarts,
                noise_prior=_PROPOSER_NOISE_PRIOR,
                lengthscale_shift=_PROPOSER_LENGTHSCALE_SHIFT,
            )
        self._n_models = n_models + 1
        self.model_ = gp
        if self.hedge_ is not None and self._nominations is not None:
            self.hedge_.update(gp.posterior(self._nominations)[0])
        best = float(gp.train_mean().max())
        seeds = best_seeds(X, y)
        self._incumbent = seeds[-1:] if _POLISH_INCUMBENT else None
        liar = float(y.mean()) if _PENDING_SCORE == "mean" else None
        return self._pick(gp, best, liar, seeds, X, n_points, space, rng, pending)

    def _pick(self, gp, best, liar, seeds, X, n_points, space, rng, pending):
        """``n_points`` maximizers of the acquisition, one after the other.

        ``gp`` is any model with ``posterior`` and ``condition_on``; each
        chosen point (and each pending one) is added to it with the score
        ``liar``, or with the score the process predicts there when ``liar``
        is None (a kriging believer). ``best`` is the incumbent in
        standardized units and ``seeds`` the points whose neighbourhoods are
        screened.
        """

        def pretend_evaluated(gp, best, points):
            if not len(points):
                return gp, best
            if liar is not None:
                return gp.condition_on(points, liar), best
            # A believed score above the incumbent is the new incumbent: else
            # the point keeps its expected improvement and the batch repeats it.
            mean = gp.posterior(points)[0]
            believed = gp.y_mean + gp.y_scale * mean
            return gp.condition_on(points, believed), max(best, float(mean.max()))

        gp, best = pretend_evaluated(gp, best, pending)
        exclude = np.vstack([X, pending])
        out = np.empty((n_points, space.n_columns))
        for b in range(n_points):
            out[b] = self._next_point(
                gp, best, space, rng, seeds, exclude, first=b == 0
            )
            exclude = np.vstack([exclude, out[b : b + 1]])
            if b + 1 < n_points:
                gp, best = pretend_evaluated(gp, best, out[b : b + 1])
        return out

    def _next_point(self, gp, best, space, rng, seeds, exclude, *, first) -> np.ndarray:
        """The maximizer of the acquisition (a hedge choice among nominations)."""
        names = _HEDGE if self.hedge_ is not None else (self.acq_func,)
        candidates = candidate_set(
            space, rng, n_candidates=self.n_candidates, seeds=seeds, scale=_SEED_SCALES
        )
        nominations = np.vstack(
            [
                maximize(
                    self._score_fn(gp, name, best),
                    space,
                    1,
                    rng,
                    candidates=candidates,
                    n_polish=self.n_polish,
                    maxiter=_POLISH_MAXITER if self.polish else 0,
                    exclude=exclude,
                    starts=self._incumbent,
                )[0]
                for name in names
            ]
        )
        if self.hedge_ is None:
            return nominations[0]
        if first:
            self._nominations = nominations
        return nominations[self.hedge_.choose(rng)]

    def _score_fn(self, gp: GaussianProcess, name: str, best: float) -> Callable:
        acquisition = ACQUISITIONS[name]
        kwargs = {"kappa": self.kappa} if name == "lcb" else {"xi": self.xi}

        cost_model = self.cost_model_

        def score(X: np.ndarray) -> np.ndarray:
            # maximize scores snapped points only (its contract).
            mean, std = gp.posterior(X, snapped=True)
            if cost_model is None:
                return acquisition(mean, std, best, **kwargs)
            # log(acquisition / seconds), as the acquisition is in log space.
            return acquisition(mean, std, best, **kwargs) - cost_model.predict(X)

        return score

    def __repr__(self):
        names = ("acq_func", "xi", "kappa", "n_candidates", "n_polish", "polish")
        names += ("n_restarts", "per_second")
        params = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"GPProposer({params})"
