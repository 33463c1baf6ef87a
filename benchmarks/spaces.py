"""Search spaces written once, in a neutral form, and converted per library.

A task's space is a dict ``{param_name: dimension}`` or, for conditional
spaces, a list of such dicts (one per alternative, as sklearn's
``param_distributions``). A dimension is one of :class:`Float`,
:class:`Int` or :class:`Cat`. Each ``to_*`` function turns that into what one
library expects; peer libraries are imported inside the function that needs
them, so this module imports with numpy and scipy alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


class UnsupportedSpace(ValueError):
    """The library cannot express this space (e.g. optuna and conditional spaces)."""


@dataclass(frozen=True)
class Float:
    """A real interval ``[low, high]``, sampled uniformly or log-uniformly."""

    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class Int:
    """An integer interval ``[low, high]`` (both ends included)."""

    low: int
    high: int
    log: bool = False


@dataclass(frozen=True)
class Cat:
    """A finite set of choices (strings, numbers or estimator objects)."""

    choices: tuple


def subspaces(space):
    """The space as a list of dicts, whether or not it is conditional.

    Parameters
    ----------
    space : dict or list of dict

    Returns
    -------
    subspaces : list of dict
    """
    return list(space) if isinstance(space, list | tuple) else [space]


def is_conditional(space):
    """True when ``space`` is a list of alternative sub-spaces."""
    return isinstance(space, list | tuple)


def _map(space, convert):
    converted = [{k: convert(d) for k, d in sub.items()} for sub in subspaces(space)]
    return converted if is_conditional(space) else converted[0]


def _split_budget(n, k):
    """Split ``n`` evaluations over ``k`` sub-spaces as evenly as possible."""
    return [n // k + (i < n % k) for i in range(k)]


# -- scikit-learn ----------------------------------------------------------


def _int_log_uniform(low, high):
    """A discrete distribution on ``low..high`` with log-uniform mass.

    Mass of integer i is that of ``[i - 0.5, i + 0.5]`` under a log-uniform
    law on ``[low - 0.5, high + 0.5]``, the same widening sksmbo and optuna use
    to turn an integer into a unit-cube column.
    """
    from scipy.stats import rv_discrete

    values = np.arange(low, high + 1)
    edges = np.log(np.append(values - 0.5, high + 0.5))
    mass = np.diff(edges)
    return rv_discrete(values=(values, mass / mass.sum()))


def _to_sklearn_dim(dim):
    from scipy.stats import loguniform, randint, uniform

    if isinstance(dim, Float):
        if dim.log:
            return loguniform(dim.low, dim.high)
        return uniform(dim.low, dim.high - dim.low)
    if isinstance(dim, Int):
        if dim.log:
            return _int_log_uniform(dim.low, dim.high)
        return randint(dim.low, dim.high + 1)
    return list(dim.choices)


def to_sklearn(space):
    """``param_distributions`` for ``RandomizedSearchCV`` / ``HalvingRandomSearchCV``.

    Parameters
    ----------
    space : dict or list of dict
        Neutral space.

    Returns
    -------
    param_distributions : dict or list of dict
        Frozen ``scipy.stats`` distributions and lists.
    """
    return _map(space, _to_sklearn_dim)


# -- grid ------------------------------------------------------------------


def _levels(dim, k):
    """``k`` values of a dimension: centres of ``k`` equal cells (on log scale if log).

    Cell centres rather than end points, because the bounds of a tuning range
    are usually its worst values (C=1e-3, max_depth=2).
    """
    if isinstance(dim, Cat):
        return list(dim.choices[:k])
    lo, hi = (math.log(dim.low), math.log(dim.high)) if dim.log else (dim.low, dim.high)
    if isinstance(dim, Int) and not dim.log:
        lo, hi = lo - 0.5, hi + 0.5
    centres = lo + (np.arange(k) + 0.5) / k * (hi - lo)
    values = np.exp(centres) if dim.log else centres
    if isinstance(dim, Int):
        values = np.clip(np.round(values), dim.low, dim.high).astype(int)
        return sorted({int(v) for v in values})
    return [float(v) for v in values]


def _max_levels(dim):
    if isinstance(dim, Cat):
        return len(dim.choices)
    if isinstance(dim, Int):
        return dim.high - dim.low + 1
    return math.inf


def _grid_one(sub, n_points):
    """Levels per dimension, raised one at a time while the grid fits ``n_points``.

    Categorical dimensions get all their choices first when that still fits,
    as a user writing a grid would; numeric dimensions then share what is left
    round-robin, so the grid is as even as the budget allows.
    """
    names = list(sub)
    k = dict.fromkeys(names, 1)

    def size(levels):
        return math.prod(len(_levels(sub[n], levels[n])) for n in names)

    for name in (n for n in names if isinstance(sub[n], Cat)):
        trial = dict(k, **{name: len(sub[name].choices)})
        if size(trial) <= n_points:
            k = trial
    grown = True
    while grown:
        grown = False
        for name in names:
            if k[name] >= _max_levels(sub[name]):
                continue
            trial = dict(k, **{name: k[name] + 1})
            if size(trial) <= n_points:
                k, grown = trial, True
    return {n: _levels(sub[n], k[n]) for n in names}


def to_grid(space, n_points):
    """A ``param_grid`` with at most ``n_points`` candidates (about that many).

    Parameters
    ----------
    space : dict or list of dict
        Neutral space; a conditional space splits ``n_points`` evenly between
        its alternatives.
    n_points : int
        Budget, the ``n_iter`` of the other methods.

    Returns
    -------
    param_grid : dict or list of dict
        Lists of values per parameter.
    """
    subs = subspaces(space)
    grids = [
        _grid_one(sub, n)
        for sub, n in zip(subs, _split_budget(n_points, len(subs)), strict=True)
    ]
    return grids if is_conditional(space) else grids[0]


def grid_size(param_grid):
    """Number of candidates in a ``param_grid``."""
    return sum(math.prod(len(v) for v in g.values()) for g in subspaces(param_grid))


# -- scikit-optimize -------------------------------------------------------


def _to_skopt_dim(dim):
    from skopt.space import Categorical, Integer, Real

    prior = "log-uniform" if getattr(dim, "log", False) else "uniform"
    if isinstance(dim, Float):
        return Real(dim.low, dim.high, prior=prior)
    if isinstance(dim, Int):
        return Integer(dim.low, dim.high, prior=prior)
    return Categorical(list(dim.choices))


def to_skopt(space, n_iter):
    """``search_spaces`` for ``skopt.BayesSearchCV``.

    Parameters
    ----------
    space : dict or list of dict
        Neutral space.
    n_iter : int
        Total budget. skopt runs ``n_iter`` iterations *per sub-space* of a
        list, so a conditional space becomes ``[(dict, n_i), ...]`` with the
        ``n_i`` summing to ``n_iter``: the same total budget as the others.

    Returns
    -------
    search_spaces : dict or list of (dict, int)
    """
    converted = _map(space, _to_skopt_dim)
    if not is_conditional(space):
        return converted
    return list(zip(converted, _split_budget(n_iter, len(converted)), strict=True))


# -- optuna ----------------------------------------------------------------


def _to_optuna_dim(dim):
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    if isinstance(dim, Float):
        return FloatDistribution(dim.low, dim.high, log=dim.log)
    if isinstance(dim, Int):
        return IntDistribution(dim.low, dim.high, log=dim.log)
    return CategoricalDistribution(list(dim.choices))


def to_optuna(space):
    """``param_distributions`` for ``optuna_integration.OptunaSearchCV``.

    Raises
    ------
    UnsupportedSpace
        For a conditional space: OptunaSearchCV takes one dict of
        distributions, and its categorical choices must be plain values, not
        estimator objects.
    """
    if is_conditional(space):
        raise UnsupportedSpace("OptunaSearchCV does not accept a list of sub-spaces")
    return _map(space, _to_optuna_dim)


# -- sksmbo ----------------------------------------------------------------


def _to_sksmbo_dim(dim):
    # The plain forms users write (DESIGN.md: lists and tuples are coerced),
    # so the benchmark also exercises sksmbo's coercion.
    if isinstance(dim, Float):
        bounds = (float(dim.low), float(dim.high))
    elif isinstance(dim, Int):
        bounds = (int(dim.low), int(dim.high))
    else:
        return list(dim.choices)
    return (*bounds, "log-uniform") if dim.log else bounds


def to_sksmbo(space):
    """``search_spaces`` for the sksmbo estimators: tuples and lists.

    Returns
    -------
    search_spaces : dict or list of dict
    """
    return _map(space, _to_sksmbo_dim)


# -- random draws ----------------------------------------------------------


def _sample_dim(dim, n, rng):
    if isinstance(dim, Cat):
        return [dim.choices[i] for i in rng.integers(len(dim.choices), size=n)]
    if isinstance(dim, Int):
        if dim.log:
            return [
                int(v)
                for v in _int_log_uniform(dim.low, dim.high).rvs(
                    size=int(n), random_state=rng
                )
            ]
        return [int(v) for v in rng.integers(dim.low, dim.high + 1, size=n)]
    if dim.log:
        return list(np.exp(rng.uniform(math.log(dim.low), math.log(dim.high), size=n)))
    return list(rng.uniform(dim.low, dim.high, size=n))


def sample(space, n, rng):
    """``n`` independent random points of a space, as parameter dicts.

    The same law as :func:`to_sklearn` (what ``RandomizedSearchCV`` draws);
    a conditional space picks its sub-space uniformly.

    Parameters
    ----------
    space : dict or list of dict
    n : int
    rng : numpy.random.Generator

    Returns
    -------
    points : list of dict
    """
    subs = subspaces(space)
    which = rng.integers(len(subs), size=n)
    points = []
    for s, sub in enumerate(subs):
        k = int(np.sum(which == s))
        columns = {name: _sample_dim(dim, k, rng) for name, dim in sub.items()}
        points += [{name: columns[name][i] for name in sub} for i in range(k)]
    return points
