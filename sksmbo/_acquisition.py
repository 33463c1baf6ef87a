"""Acquisition functions and the maximizer that optimizes any of them.

Three layers, as in BoTorch: the surrogate predicts ``(mean, std)``; an
acquisition function is a pure, vectorized function of ``(mean, std, best)``
(higher is better: scores are maximized everywhere in sksmbo); and
:func:`maximize` finds the best points of any ``score_fn(X) -> (m,)`` over a
search space without knowing which acquisition it maximizes.

``GPHedge`` (scikit-optimize's ``gp_hedge``) is the only stateful piece: a
softmax portfolio over EI, PI and LCB.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import fmin_l_bfgs_b
from scipy.special import erfcx, log_ndtr, ndtr

from sksmbo._sampling import shifted_sobol
from sksmbo.space import Space

__all__ = [
    "ACQUISITIONS",
    "GPHedge",
    "candidate_set",
    "ei",
    "lcb",
    "log_ei",
    "log_pi",
    "maximize",
    "pi",
]

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
_SQRT_HALF_PI = np.sqrt(np.pi / 2)
_INV_SQRT_2 = 1 / np.sqrt(2)
# Below this z, log(phi(z) + z Phi(z)) is log phi(z) - 2 log|z| up to 3 / z^2 =
# 3e-8, far below the precision of log phi(z) ~ -5e7. BoTorch switches at
# -1 / sqrt(eps) ~ -6.7e7, but there 1 - |z| Phi(z) / phi(z) ~ 1 / z^2 is lost
# to rounding and log(1 - exp(w)) gave -inf (for z in about [-6.7e7, -5.5e7]).
_Z_ASYMPTOTIC = -1e4
# Relative decrease of the summed scores below which the polish stops
# (L-BFGS-B's ftol; scipy's default, 2.2e-9, took a third more evaluations
# for the same regret in benchmarks/gp_ablation.py, issue 24).
_POLISH_FTOL = 1e-4


def _improvement(mean, std, best, xi):
    """Broadcast inputs; return ``(mean - best - xi, std)`` as float arrays."""
    mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    if mean.shape != std.shape:  # broadcast_arrays costs more than the rest here
        mean, std = np.broadcast_arrays(mean, std)
    return mean - best - xi, std


def _zscore(gap: np.ndarray, std: np.ndarray) -> np.ndarray:
    """``gap / std``; where ``std == 0``, ``+inf`` for a positive gap, else ``-inf``."""
    # divide(where=) instead of np.errstate: the context costs more than the
    # division at the sizes the polish evaluates.
    limit = np.where(gap > 0, np.inf, -np.inf)
    return np.divide(gap, std, out=limit, where=std > 0)


def _phi(z: np.ndarray) -> np.ndarray:
    """Standard normal density."""
    return np.exp(-0.5 * z * z - _LOG_SQRT_2PI)


def ei(mean, std, best: float, *, xi: float = 0.01) -> np.ndarray:
    """Expected improvement over ``best + xi``.

    ``EI = std * (phi(z) + z * Phi(z))`` with ``z = (mean - best - xi) / std``;
    where ``std == 0`` it is ``max(mean - best - xi, 0)``.

    Parameters
    ----------
    mean : array-like of shape (n_candidates,)
        Posterior mean of the score (higher is better).
    std : array-like of shape (n_candidates,)
        Posterior standard deviation, ``>= 0``.
    best : float
        The incumbent score.
    xi : float, default=0.01
        Improvement required before a candidate counts as better, in the
        units of ``mean``.

    Returns
    -------
    ei : ndarray of shape (n_candidates,)
        Non-negative; underflows to 0 for ``z`` below about -38 (use
        :func:`log_ei` there).
    """
    gap, std = _improvement(mean, std, best, xi)
    z = _zscore(gap, std)
    finite = np.isfinite(z)
    # Through the log: phi(z) + z Phi(z) computed directly cancels catastrophically
    # (and may turn negative) for z << 0.
    value = std * np.exp(_log_h(np.where(finite, z, 0.0)))
    return np.where(finite, value, np.maximum(gap, 0.0))


def _log_h(z: np.ndarray) -> np.ndarray:
    """``log(phi(z) + z * Phi(z))``, finite for every finite ``z``.

    BoTorch's ``_log_ei_helper`` (Ament et al. 2023, "Unexpected improvements
    to expected improvement"): for ``z > -1`` directly; below,
    ``log phi(z) + log1mexp(log(|z| Phi(z) / phi(z)))`` with
    ``Phi(z) / phi(z) = sqrt(pi / 2) * erfcx(-z / sqrt(2))``, and the asymptote
    ``log phi(z) - 2 log|z|`` once the difference is below machine precision.
    """
    upper_side = z > -1
    # Each branch only where it applies: a polish step or a screening of
    # candidates far from the incumbent is mostly on one side (issue 24).
    if upper_side.all():
        return np.log(_phi(z) + z * ndtr(z))
    if not upper_side.any():
        return _log_h_lower(z)
    out = np.empty_like(z)
    upper = z[upper_side]
    out[upper_side] = np.log(_phi(upper) + upper * ndtr(upper))
    out[~upper_side] = _log_h_lower(z[~upper_side])
    return out


def _log_h_lower(lower: np.ndarray) -> np.ndarray:
    """:func:`_log_h` for ``z <= -1``."""
    mid = np.maximum(lower, _Z_ASYMPTOTIC)
    w = np.log(-mid * _SQRT_HALF_PI * erfcx(-mid * _INV_SQRT_2))
    # log(1 - exp(w)) for w < 0, accurate on both sides of -log 2; each branch
    # gets its input clipped to its own side, so neither divides by zero (and
    # no np.errstate is needed: it costs more than the arithmetic here).
    near_zero = np.log(-np.expm1(np.minimum(w, -1e-300)))
    far = np.log1p(-np.exp(np.minimum(w, -np.log(2))))
    log1mexp = np.where(w > -np.log(2), near_zero, far)
    tail = np.where(lower > _Z_ASYMPTOTIC, log1mexp, -2 * np.log(-lower))
    return -0.5 * lower * lower - _LOG_SQRT_2PI + tail


def log_ei(mean, std, best: float, *, xi: float = 0.01) -> np.ndarray:
    """Logarithm of :func:`ei`, accurate where EI underflows.

    ``log EI = log std + log(phi(z) + z Phi(z))``, computed in log space so it
    stays finite and strictly increasing in ``mean`` for ``z`` far below 0
    (where EI itself is 0 in floating point and gives a maximizer no signal).

    Parameters
    ----------
    mean : array-like of shape (n_candidates,)
        Posterior mean of the score (higher is better).
    std : array-like of shape (n_candidates,)
        Posterior standard deviation, ``>= 0``.
    best : float
        The incumbent score.
    xi : float, default=0.01
        Improvement required before a candidate counts as better.

    Returns
    -------
    log_ei : ndarray of shape (n_candidates,)
        ``-inf`` only where ``std == 0`` and ``mean <= best + xi``.
    """
    gap, std = _improvement(mean, std, best, xi)
    if (std > 0).all():  # the common case, in fewer array operations (issue 24)
        z = gap / std
        if np.isfinite(z).all():
            return np.log(std) + _log_h(z)
    z = _zscore(gap, std)
    finite = np.isfinite(z)
    value = np.log(np.where(finite, std, 1.0)) + _log_h(np.where(finite, z, 0.0))
    if finite.all():
        return value
    with np.errstate(divide="ignore"):
        exact = np.log(np.maximum(gap, 0.0))
    return np.where(finite, value, exact)


def pi(mean, std, best: float, *, xi: float = 0.01) -> np.ndarray:
    """Probability of improvement ``Phi((mean - best - xi) / std)``.

    Where ``std == 0`` it is 1 when ``mean > best + xi`` and 0 otherwise.

    Parameters
    ----------
    mean : array-like of shape (n_candidates,)
        Posterior mean of the score (higher is better).
    std : array-like of shape (n_candidates,)
        Posterior standard deviation, ``>= 0``.
    best : float
        The incumbent score.
    xi : float, default=0.01
        Improvement required before a candidate counts as better.

    Returns
    -------
    pi : ndarray of shape (n_candidates,)
        In [0, 1].
    """
    gap, std = _improvement(mean, std, best, xi)
    return ndtr(_zscore(gap, std))


def log_pi(mean, std, best: float, *, xi: float = 0.01) -> np.ndarray:
    """Logarithm of :func:`pi` (``log_ndtr``), finite where PI underflows.

    Parameters
    ----------
    mean : array-like of shape (n_candidates,)
        Posterior mean of the score (higher is better).
    std : array-like of shape (n_candidates,)
        Posterior standard deviation, ``>= 0``.
    best : float
        The incumbent score.
    xi : float, default=0.01
        Improvement required before a candidate counts as better.

    Returns
    -------
    log_pi : ndarray of shape (n_candidates,)
        ``<= 0``; ``-inf`` only where ``std == 0`` and ``mean <= best + xi``.
    """
    gap, std = _improvement(mean, std, best, xi)
    return log_ndtr(_zscore(gap, std))


def lcb(mean, std, best: float | None = None, *, kappa: float = 1.96) -> np.ndarray:
    """Confidence bound ``mean + kappa * std``, to maximize.

    Named after scikit-optimize's ``"LCB"`` (a *lower* confidence bound of a
    loss it minimizes); on scores, which sksmbo maximizes, the same criterion
    is the *upper* confidence bound.

    Parameters
    ----------
    mean : array-like of shape (n_candidates,)
        Posterior mean of the score (higher is better).
    std : array-like of shape (n_candidates,)
        Posterior standard deviation, ``>= 0``.
    best : float or None, default=None
        Ignored; accepted so that every acquisition has the same signature.
    kappa : float, default=1.96
        Weight of exploration.

    Returns
    -------
    ucb : ndarray of shape (n_candidates,)
        Optimistic estimate of the score.
    """
    mean = np.asarray(mean, dtype=float)
    return mean + kappa * np.asarray(std, dtype=float)


#: Acquisition functions by name; each takes ``(mean, std, best, **kwargs)``.
ACQUISITIONS: dict[str, Callable[..., np.ndarray]] = {
    "ei": ei,
    "log_ei": log_ei,
    "pi": pi,
    "log_pi": log_pi,
    "lcb": lcb,
}


class GPHedge:
    """Portfolio of acquisition functions (scikit-optimize's ``gp_hedge``).

    Hoffman, Brochu & de Freitas (2011), "Portfolio allocation for Bayesian
    optimization": each round, every acquisition function nominates a point;
    one nomination is chosen with probability ``softmax(eta * gains)``; once
    the model is refitted, each function's gain grows by the model's predicted
    score at the point it nominated.

    Parameters
    ----------
    names : sequence of str, default=("ei", "pi", "lcb")
        The acquisition functions of the portfolio.
    eta : float, default=1.0
        Inverse temperature of the softmax; predicted scores should be on a
        standardized scale for it to be meaningful.

    Attributes
    ----------
    gains : ndarray of shape (n_functions,)
        Accumulated predicted scores of each function's nominations.
    """

    def __init__(self, names: Sequence[str] = ("ei", "pi", "lcb"), eta: float = 1.0):
        unknown = [name for name in names if name not in ACQUISITIONS]
        if unknown or not names:
            raise ValueError(
                f"The 'names' parameter must be a non-empty sequence of names among "
                f"{sorted(ACQUISITIONS)}. Got {names!r} instead."
            )
        if not (np.isfinite(eta) and eta > 0):
            raise ValueError(f"The 'eta' parameter must be > 0. Got {eta!r} instead.")
        self.names = tuple(names)
        self.eta = float(eta)
        self.gains = np.zeros(len(self.names))

    def probabilities(self) -> np.ndarray:
        """Softmax of ``eta * gains``, ndarray of shape (n_functions,)."""
        logits = self.eta * self.gains
        weights = np.exp(logits - logits.max())
        return weights / weights.sum()

    def choose(self, rng: np.random.Generator) -> int:
        """Index of the acquisition function whose nomination is used."""
        return int(rng.choice(len(self.names), p=self.probabilities()))

    def update(self, predicted) -> GPHedge:
        """Add each function's predicted score at its last nomination to its gain.

        Parameters
        ----------
        predicted : array-like of shape (n_functions,)
            Predicted (standardized) score of each nominated point, from the
            model refitted after the nominations were evaluated.

        Returns
        -------
        self : GPHedge
            The portfolio.
        """
        predicted = np.asarray(predicted, dtype=float)
        if predicted.shape != self.gains.shape:
            raise ValueError(
                f"GPHedge.update needs one predicted score per function "
                f"({len(self.names)}). Got shape {predicted.shape}."
            )
        self.gains = self.gains + np.nan_to_num(predicted)
        return self


# -- maximizer ---------------------------------------------------------------


def candidate_set(
    space: Space,
    rng: np.random.Generator,
    *,
    n_candidates: int = 1024,
    seeds: np.ndarray | None = None,
    n_per_seed: int = 32,
    scale: float | Sequence[float] = 0.1,
    max_grid: int = 4096,
) -> np.ndarray:
    """Snapped candidate points covering ``space``, for a first screening.

    A finite space with at most ``max_grid`` points is enumerated. Otherwise:
    ``n_candidates`` Sobol' points with a random digital shift (rounded up to
    a power of two, :func:`~sksmbo._sampling.shifted_sobol`),
    a quarter as many uniform random points, and ``n_per_seed`` Gaussian
    perturbations (standard deviation ``scale`` in the unit cube, plus a
    ``1 / n_columns`` chance per column of a uniform redraw so discrete columns
    move too) of each seed point, typically the best observed points.

    Parameters
    ----------
    space : Space
        The search space.
    rng : numpy.random.Generator
        Source of randomness.
    n_candidates : int, default=1024
        Number of quasi-random points.
    seeds : ndarray of shape (n_seeds, n_columns) or None, default=None
        Points to perturb (NaN in inactive columns is allowed).
    n_per_seed : int, default=32
        Perturbations per seed.
    scale : float or sequence of float, default=0.1
        Standard deviation of the perturbations; with several, each
        perturbation uses one of them at random.
    max_grid : int, default=4096
        Largest finite space that is enumerated instead of sampled.

    Returns
    -------
    candidates : ndarray of shape (n, n_columns)
        Snapped points (``space.snap``), possibly with repeats.
    """
    d = space.n_columns
    if space.size <= max_grid:
        return space.snap(space.grid())
    m = max(int(np.ceil(np.log2(max(n_candidates, 2)))), 1)
    blocks = [shifted_sobol(d, m, rng), rng.random((max(n_candidates // 4, 1), d))]
    if seeds is not None and len(seeds):
        seeds = np.asarray(seeds, dtype=float)
        base = np.repeat(seeds, n_per_seed, axis=0)
        # Inactive (NaN) columns get random values, so a perturbation that
        # switches sub-space lands on a complete point.
        base = np.where(np.isnan(base), rng.random(base.shape), base)
        if np.ndim(scale):  # one of several scales per perturbation, at random
            scale = np.asarray(scale, dtype=float)
            scale = scale[rng.integers(len(scale), size=len(base))][:, None]
        moved = base + scale * rng.standard_normal(base.shape)
        redraw = rng.random(base.shape) < 1.0 / d
        moved = np.where(redraw, rng.random(base.shape), moved)
        blocks.append(np.clip(moved, 0.0, 1.0))
    return space.snap(np.vstack(blocks))


def _free_mask(space: Space, X: np.ndarray) -> np.ndarray:
    """Boolean (n, n_columns): the active continuous columns, which polish moves."""
    real = np.array([kind == "real" for kind in space.kinds])
    return ~np.isnan(X) & real


def _polish(
    score_fn: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    free: np.ndarray,
    *,
    maxiter: int,
    step: float = 1e-6,
) -> np.ndarray:
    """L-BFGS-B on the free entries of every row of ``X`` jointly.

    The rows are independent, so maximizing the sum of their scores moves
    each one uphill (BoTorch's batched ``gen_candidates_scipy``). Gradients
    are forward differences from one vectorized ``score_fn`` call of
    ``n_rows + n_free`` points per iteration.
    """
    rows, cols = np.nonzero(free)
    n_free = len(rows)
    X = X.copy()
    batch = np.vstack([X, X[rows]])
    perturbed = np.arange(len(X), len(X) + n_free)

    def negated(v):
        X[rows, cols] = v
        # Step inwards at the upper bound.
        h = np.where(v + step <= 1.0, step, -step)
        batch[: len(X)] = X
        batch[len(X) :] = X[rows]
        batch[perturbed, cols] = v + h
        s = score_fn(batch)
        base = s[: len(X)]
        if not np.all(np.isfinite(s)):
            return np.inf, np.zeros(n_free)
        grad = (s[len(X) :] - base[rows]) / h
        # The maximizer's one negation: scipy minimizes, scores are maximized.
        return -base.sum(), -grad

    # fmin_l_bfgs_b rather than minimize: the same L-BFGS-B without the
    # wrapper's checks, 0.1-0.2 ms a call (issue 24; optuna calls it too).
    x, _, _ = fmin_l_bfgs_b(
        negated,
        X[rows, cols],
        bounds=[(0.0, 1.0)] * n_free,
        factr=_POLISH_FTOL / np.finfo(float).eps,
        maxiter=maxiter,
    )
    X[rows, cols] = np.clip(x, 0.0, 1.0)
    return X


def _top_distinct(
    space: Space,
    X: np.ndarray,
    scores: np.ndarray,
    k: int,
    exclude: set[bytes],
    *,
    allow_excluded: bool = False,
) -> np.ndarray:
    """Indices of the ``k`` best rows of ``X``, distinct and not in ``exclude``.

    With ``allow_excluded`` the list is padded, if needed, with the best of the
    remaining rows, so that it has ``min(k, len(X))`` entries.
    """
    order = np.argsort(-np.where(np.isnan(scores), -np.inf, scores), kind="stable")
    chosen: list[int] = []
    seen = set(exclude)
    # Keys in chunks that double from 2k rows: the best rows are usually new,
    # and a key costs a snap of its row (64 at once took 0.5 ms a proposal).
    start, size = 0, max(2 * k, 8)
    while start < len(order):
        chunk = order[start : start + size]
        for i, key in zip(chunk, space.keys(X[chunk]), strict=True):
            if key not in seen:
                seen.add(key)
                chosen.append(int(i))
                if len(chosen) == k:
                    return np.array(chosen, dtype=np.intp)
        start, size = start + size, 2 * size
    if allow_excluded:
        taken = set(chosen)
        rest = [int(i) for i in order if int(i) not in taken]
        chosen.extend(rest[: k - len(chosen)])
    return np.array(chosen, dtype=np.intp)


def _feasible_scores(space: Space, X: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """``scores``, with ``-inf`` where a constrained space's ``feasible`` says no."""
    feasible = getattr(space, "feasible", None)
    return scores if feasible is None else np.where(feasible(X), scores, -np.inf)


def maximize(
    score_fn: Callable[[np.ndarray], np.ndarray],
    space: Space,
    n_points: int,
    rng: np.random.Generator,
    *,
    candidates: np.ndarray | None = None,
    seeds: np.ndarray | None = None,
    n_candidates: int = 1024,
    n_polish: int = 5,
    maxiter: int = 30,
    exclude: np.ndarray | None = None,
    starts: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Best points of ``score_fn`` over ``space``: screen, polish, snap.

    Scores a large candidate set (:func:`candidate_set`), runs L-BFGS-B on the
    continuous columns of the ``n_polish`` best distinct candidates (discrete
    and categorical columns stay as the candidate has them), snaps the result
    with ``space.snap`` and returns the best distinct points. The maximizer
    does not know what it maximizes: ``score_fn`` is any vectorized function.

    Parameters
    ----------
    score_fn : callable
        Maps an ndarray of shape (m, n_columns) of snapped unit-cube points
        (NaN in inactive columns) to scores, ndarray of shape (m,); higher is
        better.
    space : Space
        The search space.
    n_points : int
        How many distinct points to return.
    rng : numpy.random.Generator
        Source of randomness (candidates).
    candidates : ndarray of shape (n, n_columns) or None, default=None
        Snapped points to screen; None draws them with :func:`candidate_set`
        (``n_candidates``, ``seeds``).
    seeds : ndarray of shape (n_seeds, n_columns) or None, default=None
        Points whose neighbourhoods are screened too (e.g. the best observed).
    n_candidates : int, default=1024
        Number of quasi-random candidates when ``candidates`` is None.
    n_polish : int, default=5
        How many of the best candidates are polished by L-BFGS-B.
    maxiter : int, default=30
        Iterations of L-BFGS-B.
    exclude : ndarray of shape (n_excluded, n_columns) or None, default=None
        Points never returned (already evaluated or pending), unless fewer than
        ``n_points`` other points exist.
    starts : ndarray of shape (n_starts, n_columns) or None, default=None
        Points polished besides the ``n_polish`` best candidates, whatever
        their score (e.g. the incumbent, as optuna's ``GPSampler`` does).

    Returns
    -------
    X : ndarray of shape (n_points, n_columns)
        Snapped points, best first (fewer rows only when fewer candidates than
        ``n_points`` exist).
    scores : ndarray of shape (n_points,)
        Their scores.
    """
    if candidates is None:
        candidates = candidate_set(space, rng, n_candidates=n_candidates, seeds=seeds)
    excluded = (
        set(space.keys(exclude)) if exclude is not None and len(exclude) else set()
    )
    scores = _feasible_scores(space, candidates, score_fn(candidates))
    pool, pool_scores = candidates, scores
    X0 = candidates[_top_distinct(space, candidates, scores, n_polish, excluded)]
    if starts is not None and len(starts):
        X0 = np.vstack([space.snap(starts), X0])
    free = _free_mask(space, X0)
    if free.any() and maxiter > 0:
        polished = space.snap(_polish(score_fn, X0, free, maxiter=maxiter))
        pool = np.vstack([polished, candidates])
        polished_scores = _feasible_scores(space, polished, score_fn(polished))
        pool_scores = np.concatenate([polished_scores, scores])
    best = _top_distinct(
        space, pool, pool_scores, n_points, excluded, allow_excluded=True
    )
    return pool[best], pool_scores[best]
