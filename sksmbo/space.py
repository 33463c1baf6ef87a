"""Search-space dimensions, coercion of user input and unit-cube transforms.

Every point of a search space is encoded as one row of floats in [0, 1]: one
column per dimension, plus a leading column choosing the sub-space when the
user gave a list of dicts. Columns of the sub-spaces a point does not belong
to are NaN ("inactive"). Surrogates only ever see this encoding.

* ``Real``: linear (or logarithmic) map of ``[low, high]``.
* ``Integer``: the interval widened by half a step on each side, so that every
  integer owns an equal share of [0, 1] (as optuna's ``_gp/search_space.py``).
* ``Categorical``: category ``i`` of ``k`` is stored at ``(i + 0.5) / k``.
* frozen ``scipy.stats`` distribution: its cdf (and ppf back).
* a grid ``low, low + step, ..., high`` (optuna's ``step``): value ``i`` of
  ``k`` at ``(i + 0.5) / k``, as an ordinal category.
* any other object with ``rvs``: the empirical quantiles of a fixed, seeded
  sample of its draws.

What users of the peers pass is recognised by duck typing, without importing
them: optuna's distributions and scikit-optimize's dimensions (issue 18).
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import product

import numpy as np
from scipy import stats

from sksmbo._warn import warn

__all__ = ["Categorical", "Dimension", "Integer", "Real", "Space"]

_PRIORS = ("uniform", "log-uniform")

# Discrete dimensions encode value i of k as (i + 0.5) / k in float64: with k
# at most 2**50, decoding floor(u * k) of an encoded value is exact.
_MAX_LEVELS = 2**50
# A Real interval holding fewer distinct floats than this would propose the
# same few values again and again.
_MIN_FLOATS = 1024


def is_number(value) -> bool:
    """Whether ``value`` is a real number and not a bool (numpy's included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _is_finite(value) -> bool:
    """A finite number; False for ints too large for a float."""
    try:
        return bool(np.isfinite(float(value)))
    except OverflowError:
        return False


def _check_prior(prior) -> None:
    if prior not in _PRIORS:
        raise ValueError(
            f"The 'prior' parameter must be one of {_PRIORS}. Got {prior!r} instead."
        )


class Dimension(ABC):
    """Base class of the dimensions of a search space.

    A dimension maps its values to [0, 1] (``to_unit``) and back
    (``from_unit``). Dimensions are immutable.

    Attributes
    ----------
    kind : {"real", "integer", "categorical", "ordinal"}
        How a surrogate should treat the encoded column: continuous, an ordered
        grid of integers, unordered categories, or ordered categories.
    n_levels : int
        Number of distinct values; 0 for a continuous dimension.
    """

    kind: str = "real"
    n_levels: int = 0

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable.")

    def _init(self, **attrs) -> None:
        for name, value in attrs.items():
            object.__setattr__(self, name, value)

    @abstractmethod
    def to_unit(self, values) -> np.ndarray:
        """Encode values as floats in [0, 1], ndarray of shape (n_values,)."""

    @abstractmethod
    def from_unit(self, u: np.ndarray) -> list:
        """Decode floats in [0, 1] (clipped) to a list of values."""

    def snap_unit(self, u: np.ndarray) -> np.ndarray:
        """Round encoded floats to the encoding of the value they decode to."""
        return self.to_unit(self.from_unit(u))

    def grid_unit(self) -> np.ndarray:
        """Encodings of every value of a discrete dimension, in order."""
        raise TypeError(f"{self!r} is continuous: it has no finite grid of values.")

    @property
    def is_discrete(self) -> bool:
        return self.n_levels > 0

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def _key(self):
        return tuple(self.__dict__.values())


class Real(Dimension):
    """A continuous dimension between ``low`` and ``high``.

    Parameters
    ----------
    low : float
        Lower bound, included.
    high : float
        Upper bound, included; must be greater than ``low``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        With ``"log-uniform"`` the dimension is searched on a log scale
        (``low`` must be positive).
    base : float, default=10
        Base of the logarithm, accepted for compatibility with scikit-optimize.
        The unit-cube encoding of a log scale does not depend on it.

    Attributes
    ----------
    kind : str
        Always ``"real"``.

    Examples
    --------
    >>> from sksmbo.space import Real
    >>> Real(1e-3, 1e3, prior="log-uniform").to_unit([1e-3, 1.0, 1e3])
    array([0. , 0.5, 1. ])
    """

    kind = "real"

    def __init__(self, low, high, prior="uniform", base=10):
        _check_prior(prior)
        if not (is_number(low) and is_number(high)):
            raise TypeError(
                f"Real bounds must be numbers. Got low={low!r}, high={high!r}."
            )
        if not low < high:
            raise ValueError(f"Real needs low < high. Got low={low!r}, high={high!r}.")
        if not (_is_finite(low) and _is_finite(high)):
            raise ValueError(
                f"Real needs finite bounds. Got low={low!r}, high={high!r}."
            )
        if prior == "log-uniform" and low <= 0:
            raise ValueError(f"A 'log-uniform' prior needs low > 0. Got low={low!r}.")
        low, high = float(low), float(high)
        n_floats = (high - low) / np.spacing(max(abs(low), abs(high)))
        if n_floats < _MIN_FLOATS:
            raise ValueError(
                f"Real needs an interval holding at least {_MIN_FLOATS} distinct "
                f"floats; low={low!r}, high={high!r} holds about {int(n_floats)}. "
                "Widen it, or list the values in a Categorical."
            )
        self._init(low=low, high=high, prior=prior, base=base)
        lo, hi = (np.log(low), np.log(high)) if self.is_log else (low, high)
        # Bounds near the float limits: high - low overflows, so work in halves
        # (a power of two scales exactly; 1 leaves every other range untouched).
        scale = 1.0 if np.isfinite(hi - lo) else 0.5
        self._init(
            _scale=scale, _lo=float(lo) * scale, _width=float(hi * scale - lo * scale)
        )

    @property
    def is_log(self) -> bool:
        return self.prior == "log-uniform"

    def to_unit(self, values) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        if self.is_log:
            x = np.log(x)
        return np.clip((x * self._scale - self._lo) / self._width, 0.0, 1.0)

    def _values(self, u: np.ndarray) -> np.ndarray:
        x = (self._lo + np.clip(u, 0.0, 1.0) * self._width) / self._scale
        if self.is_log:
            x = np.exp(x)
        return np.clip(x, self.low, self.high)

    def from_unit(self, u) -> list:
        return self._values(np.asarray(u, dtype=float)).tolist()

    def snap_unit(self, u):
        return np.clip(np.asarray(u, dtype=float), 0.0, 1.0)

    def __repr__(self):
        return f"Real({self.low!r}, {self.high!r}, prior={self.prior!r})"


class Integer(Dimension):
    """An integer dimension from ``low`` to ``high``, both included.

    Parameters
    ----------
    low : int
        Smallest value. Any Python int: bounds beyond the int64 range are
        decoded in exact integer arithmetic.
    high : int
        Largest value; must be greater than ``low``, by less than ``2**50``
        (the most values a float64 encoding keeps apart).
    prior : {"uniform", "log-uniform"}, default="uniform"
        With ``"log-uniform"`` small values are searched more densely
        (``low`` must be at least 1).
    base : float, default=10
        Accepted for compatibility with scikit-optimize; no effect on the encoding.

    Attributes
    ----------
    kind : str
        Always ``"integer"``.
    n_levels : int
        ``high - low + 1``.

    Examples
    --------
    >>> from sksmbo.space import Integer
    >>> Integer(1, 4).from_unit([0.0, 0.3, 0.99])
    [1, 2, 4]
    """

    kind = "integer"

    def __init__(self, low, high, prior="uniform", base=10):
        _check_prior(prior)
        if not all(isinstance(v, numbers.Integral) for v in (low, high)) or any(
            isinstance(v, bool) for v in (low, high)
        ):
            raise TypeError(
                f"Integer bounds must be integers. Got low={low!r}, high={high!r}."
            )
        if not low < high:
            raise ValueError(
                f"Integer needs low < high. Got low={low!r}, high={high!r}."
            )
        if prior == "log-uniform" and low < 1:
            raise ValueError(
                f"A 'log-uniform' prior on an Integer needs low >= 1. Got low={low!r}."
            )
        low, high = int(low), int(high)
        if high - low >= _MAX_LEVELS or (
            prior == "log-uniform" and high >= _MAX_LEVELS
        ):
            raise ValueError(
                "Integer encodes at most 2**50 values exactly in float64: it needs "
                "high - low < 2**50 (and high < 2**50 with a 'log-uniform' prior). "
                f"Got low={low!r}, high={high!r}."
            )
        self._init(low=low, high=high, prior=prior, base=base)
        # Widen by half a step so each integer owns an equal share of [0, 1].
        # Bounds beyond 2**50 (where floats lose the half steps) are encoded by
        # their offset from low, in exact integer arithmetic.
        offset = max(abs(low), abs(high)) >= _MAX_LEVELS
        lo, hi = (-0.5, high - low + 0.5) if offset else (low - 0.5, high + 0.5)
        if prior == "log-uniform":
            lo, hi = np.log(lo), np.log(hi)
        self._init(
            n_levels=high - low + 1,
            _offset=offset,
            _lo=float(lo),
            _width=float(hi - lo),
        )

    def to_unit(self, values) -> np.ndarray:
        if self._offset:
            # Never through a numpy int array: mixed int64/uint64 become floats.
            values = values.ravel() if isinstance(values, np.ndarray) else values
            x = np.array([int(v) - self.low for v in values], dtype=float)
        else:
            x = np.asarray(values, dtype=float)
        if self.prior == "log-uniform":
            x = np.log(x)
        return np.clip((x - self._lo) / self._width, 0.0, 1.0)

    def _values(self, u: np.ndarray) -> np.ndarray:
        x = self._lo + np.clip(u, 0.0, 1.0) * self._width
        if self.prior == "log-uniform":
            x = np.exp(x)
        if self._offset:
            steps = np.clip(np.floor(x + 0.5), 0, self.high - self.low).astype(np.int64)
            return self.low + steps.astype(object)
        return np.clip(np.floor(x + 0.5), self.low, self.high).astype(np.int64)

    def from_unit(self, u) -> list:
        return self._values(np.asarray(u, dtype=float)).tolist()

    def snap_unit(self, u):
        return self.to_unit(self._values(np.asarray(u, dtype=float)))

    def grid_unit(self) -> np.ndarray:
        if self._offset:
            return (np.arange(self.n_levels) + 0.5) / self.n_levels
        return self.to_unit(np.arange(self.low, self.high + 1))

    def __repr__(self):
        return f"Integer({self.low!r}, {self.high!r}, prior={self.prior!r})"


def _category_key(value):
    """A hashable identity for a category; None when the value is unhashable."""
    try:
        hash(value)
    except TypeError:
        return None
    if _is_nan(value):
        return (False, "nan")  # NaN != NaN, but one NaN category is enough
    # Keep True apart from 1, which compare equal.
    return (isinstance(value, (bool, np.bool_)), value)


def _is_nan(value) -> bool:
    return is_number(value) and value != value


class Categorical(Dimension):
    """A dimension taking one of a list of values.

    Categories may be any objects: numbers, strings, ``None``, tuples,
    estimators, dicts. When every category is a number the dimension is
    *ordinal*: categories are sorted so that a surrogate can interpolate
    between neighbours (``C: [0.1, 1, 10]``).

    Parameters
    ----------
    categories : sequence
        The values, at least one, without duplicates.

    Attributes
    ----------
    kind : {"categorical", "ordinal"}
        ``"ordinal"`` when every category is a number.
    n_levels : int
        The number of categories.

    Examples
    --------
    >>> from sksmbo.space import Categorical
    >>> dim = Categorical(["rbf", "linear"])
    >>> dim.to_unit(["linear"]), dim.from_unit([0.1])
    (array([0.75]), ['rbf'])
    """

    def __init__(self, categories):
        if isinstance(categories, (str, bytes)) or not isinstance(
            categories, (Sequence, np.ndarray, range)
        ):
            raise TypeError(
                f"Categorical needs a list of categories. Got {categories!r}."
            )
        if isinstance(categories, np.ndarray) and categories.ndim != 1:
            # sklearn's ParameterGrid refuses these too.
            raise ValueError(
                "Categorical needs a one-dimensional list or array of categories. "
                f"Got an array of shape {categories.shape}: {categories!r}."
            )
        categories = list(categories)
        if not categories:
            raise ValueError("Categorical needs at least one category. Got [].")
        # NaN has no place in an order.
        ordinal = all(is_number(c) and not _is_nan(c) for c in categories)
        if ordinal:
            categories = sorted(categories)
        index = {}
        for i, category in enumerate(categories):
            key = _category_key(category)
            duplicate = (
                key in index
                if key is not None
                else any(_same(category, other) for other in categories[:i])
            )
            if duplicate:
                raise ValueError(
                    f"Categorical categories must be distinct. Got {category!r} "
                    f"twice in {categories!r}."
                )
            if key is not None:
                index[key] = i
        self._init(
            categories=tuple(categories),
            kind="ordinal" if ordinal else "categorical",
            n_levels=len(categories),
            _index=index,
        )

    def _key(self):
        return tuple(_category_key(c) or id(c) for c in self.categories)

    def index(self, value) -> int:
        """Position of ``value`` among the categories (identity, then equality)."""
        key = _category_key(value)
        if key is not None and key in self._index:
            return self._index[key]
        for i, category in enumerate(self.categories):
            if _same(value, category):
                return i
        raise ValueError(f"{value!r} is not one of the categories {self.categories!r}.")

    def to_unit(self, values) -> np.ndarray:
        indices = np.fromiter((self.index(v) for v in values), dtype=float)
        return (indices + 0.5) / self.n_levels

    def _indices(self, u) -> np.ndarray:
        scaled = np.floor(np.asarray(u, dtype=float) * self.n_levels)
        return np.clip(scaled, 0, self.n_levels - 1).astype(np.intp)

    def from_unit(self, u) -> list:
        return [self.categories[i] for i in self._indices(u)]

    def snap_unit(self, u):
        return (self._indices(u) + 0.5) / self.n_levels

    def grid_unit(self) -> np.ndarray:
        return (np.arange(self.n_levels) + 0.5) / self.n_levels

    def __repr__(self):
        return f"Categorical({list(self.categories)!r})"


def _same(a, b) -> bool:
    """Identity or plain equality, never raising (arrays, estimators).

    Arrays are equal when their shapes and values are, NaN equal to NaN.
    """
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        try:
            return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
        except TypeError:  # equal_nan on an array of objects
            return bool(np.array_equal(a, b))
    try:
        return bool(a == b)
    except Exception:
        return False


class _Distribution(Dimension):
    """A frozen ``scipy.stats`` distribution, mapped through its cdf and ppf.

    Built by :func:`_from_distribution`, which checks the distribution first.
    """

    # ppf(0) and ppf(1) are infinite for unbounded distributions.
    _EPS = 1e-12

    def __init__(self, dist):
        discrete = hasattr(dist.dist, "pmf")
        low, high = dist.support()
        self._init(
            dist=dist,
            kind="integer" if discrete else "real",
            n_levels=int(high - low + 1) if discrete else 0,
            _low=low,
        )

    def _key(self):
        return (self.dist.dist.name, self.dist.args, tuple(self.dist.kwds.items()))

    def to_unit(self, values) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        if self.kind == "integer":
            # The middle of the value's step of the cdf.
            return (self.dist.cdf(x - 1) + self.dist.cdf(x)) / 2
        return np.clip(self.dist.cdf(x), 0.0, 1.0)

    def from_unit(self, u) -> list:
        u = np.clip(np.asarray(u, dtype=float), self._EPS, 1 - self._EPS)
        x = self.dist.ppf(u)
        return x.astype(np.int64).tolist() if self.kind == "integer" else x.tolist()

    def grid_unit(self) -> np.ndarray:
        if self.kind != "integer":
            return super().grid_unit()
        return self.to_unit(np.arange(self._low, self._low + self.n_levels))

    def __repr__(self):
        return f"Distribution({_describe(self.dist)})"


def _describe(dist) -> str:
    args = [repr(a) for a in dist.args] + [f"{k}={v!r}" for k, v in dist.kwds.items()]
    return f"{dist.dist.name}({', '.join(args)})"


_SCIPY_FAMILIES = (stats.rv_continuous, stats.rv_discrete)


def _from_family(family) -> Dimension:
    """A ``scipy.stats`` family (``norm``, not ``norm()``) in its standard form,
    as sklearn's ``RandomizedSearchCV`` samples it through ``family.rvs()``.
    """
    if family.shapes:
        raise TypeError(
            f"the scipy.stats family {family.name} needs its shape parameters "
            f"({family.shapes}): pass a frozen scipy.stats distribution such as "
            f"{family.name}({family.shapes}=...). Got {family!r}."
        )
    return _from_distribution(family())


def _from_distribution(dist) -> Dimension:
    """Exact equivalents for the common distributions, the cdf for the rest."""
    with np.errstate(all="ignore"):
        try:
            support, mid = dist.support(), dist.ppf(0.5)
            tails = dist.ppf([_Distribution._EPS, 1 - _Distribution._EPS])
        except (TypeError, ValueError, ArithmeticError) as exc:
            # scipy's own errors on parameters it cannot handle (2**70).
            raise ValueError(
                f"the scipy.stats distribution {_describe(dist)} cannot be "
                f"evaluated: {exc}"
            ) from None
    if any(np.ndim(v) for v in (*support, mid)):
        raise ValueError(
            "a scipy.stats distribution needs scalar parameters to be searched. "
            f"Got {_describe(dist)}."
        )
    low, high = float(support[0]), float(support[1])
    discrete = hasattr(dist.dist, "pmf")
    if np.isnan([low, high, mid]).any() or not (discrete or tails[0] < tails[1]):
        raise ValueError(
            f"the scipy.stats distribution {_describe(dist)} is degenerate or has "
            f"invalid parameters: support ({low}, {high}), median {float(mid)}."
        )
    if discrete and not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(
            "a discrete scipy.stats distribution must have a finite support to "
            f"be searched; got {_describe(dist)} with support ({low}, {high}). "
            "Use Integer(low, high) instead."
        )
    if discrete and high - low >= _MAX_LEVELS:
        raise ValueError(
            "a discrete scipy.stats distribution can take at most 2**50 values to "
            f"be searched; got {_describe(dist)} with support ({low}, {high})."
        )
    family = dist.dist.name
    if family == "uniform":
        return Real(low, high)
    if family in ("loguniform", "reciprocal"):
        return Real(low, high, prior="log-uniform")
    if family == "randint" and high > low:
        return Integer(int(low), int(high))
    return _Distribution(dist)


def _grid_size(low, high, step, integral: bool) -> tuple[int, float]:
    """Number of values of ``low, low + step, ...`` up to ``high``, and the last.

    optuna's arithmetic: decimal for floats, so that ``(0, 1, step=0.1)`` has 11
    values, and ``high`` lowered to the last grid point.
    """
    if integral:
        n = (high - low) // step + 1
        return n, low + (n - 1) * step
    d_low, d_step = Decimal(str(low)), Decimal(str(step))
    n = int((Decimal(str(high)) - d_low) // d_step) + 1
    return n, float((n - 1) * d_step + d_low)


class _Grid(Dimension):
    """The values ``low, low + step, ..., high`` in order (optuna's ``step``).

    Value ``i`` of ``k`` is stored at ``(i + 0.5) / k``, as an ordinal category,
    so each value owns an equal share of [0, 1]; values are ``low + i * step``
    clipped to ``high``, as optuna computes them. When ``high - low`` is not a
    multiple of ``step``, ``high`` is lowered to the last grid point (optuna
    does the same).
    """

    def __init__(self, low, high, step):
        bounds = f"low={low!r}, high={high!r}, step={step!r}"
        if not all(is_number(v) for v in (low, high, step)):
            raise TypeError(f"A stepped range needs numbers. Got {bounds}.")
        if not all(_is_finite(v) for v in (low, high, step)):
            raise ValueError(f"A stepped range needs finite numbers. Got {bounds}.")
        if not (step > 0 and low < high):
            raise ValueError(
                f"A stepped range needs step > 0, low < high. Got {bounds}."
            )
        integral = all(isinstance(v, numbers.Integral) for v in (low, high, step))
        if not integral:
            low, high, step = float(low), float(high), float(step)
        n, last = _grid_size(low, high, step, integral)
        if n < 2 or n > _MAX_LEVELS or max(abs(low), abs(high)) >= _MAX_LEVELS:
            raise ValueError(
                "A stepped range needs from 2 to 2**50 values, within +-2**50. "
                f"Got {bounds}: {n} values."
            )
        self._init(
            low=int(low) if integral else low,
            high=int(last) if integral else last,
            step=int(step) if integral else step,
            kind="integer" if integral else "ordinal",
            n_levels=int(n),
        )

    def _key(self):
        return (self.low, self.high, self.step)

    def _indices(self, u) -> np.ndarray:
        scaled = np.floor(np.asarray(u, dtype=float) * self.n_levels)
        return np.clip(scaled, 0, self.n_levels - 1).astype(np.int64)

    def to_unit(self, values) -> np.ndarray:
        steps = np.rint((np.asarray(values, dtype=float) - self.low) / self.step)
        return (np.clip(steps, 0, self.n_levels - 1) + 0.5) / self.n_levels

    def from_unit(self, u) -> list:
        values = self._indices(u) * self.step + self.low
        if self.kind == "integer":
            return values.tolist()
        return np.clip(values, self.low, self.high).tolist()

    def snap_unit(self, u):
        return (self._indices(u) + 0.5) / self.n_levels

    def grid_unit(self) -> np.ndarray:
        return (np.arange(self.n_levels) + 0.5) / self.n_levels

    def __repr__(self):
        return f"Grid({self.low!r}, {self.high!r}, step={self.step!r})"


class _Empirical(Dimension):
    """Numbers drawn from an object's ``rvs``, through their empirical quantiles.

    Distinct draws (a continuous distribution): the encoding is the empirical
    cdf, linear between consecutive sorted draws, so ``to_unit`` and
    ``from_unit`` are increasing, deterministic and inverse of each other on
    [smallest draw, largest draw]; values outside are not searched. Repeated or
    integer draws: the distinct values drawn, each owning a share of [0, 1]
    equal to its frequency among the draws.
    """

    def __init__(self, draws: np.ndarray, source: str):
        discrete = draws.dtype.kind in "iu" or len(np.unique(draws)) < len(draws)
        if discrete:
            values, counts = np.unique(draws, return_counts=True)
            edges = np.concatenate([[0.0], np.cumsum(counts) / len(draws)])
            edges[-1] = 1.0
        else:
            values, edges = np.sort(draws), np.linspace(0.0, 1.0, len(draws))
        kind = "integer" if draws.dtype.kind in "iu" else "ordinal"
        self._init(
            kind=kind if discrete else "real",
            n_levels=len(values) if discrete else 0,
            values=values,
            _edges=edges,
            _source=source,
        )

    def _key(self):
        return (self.kind, self.values.tobytes(), self._edges.tobytes())

    def _indices(self, u) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        cells = np.searchsorted(self._edges, u, side="right") - 1
        return np.clip(cells, 0, self.n_levels - 1)

    def to_unit(self, values) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        if not self.is_discrete:
            return np.interp(x, self.values, self._edges)
        # The middle of the cell of the nearest value drawn.
        right = np.clip(np.searchsorted(self.values, x), 1, self.n_levels - 1)
        left = right - 1
        nearest = np.where(
            np.abs(x - self.values[left]) <= np.abs(self.values[right] - x), left, right
        )
        if self.n_levels == 1:
            nearest = np.zeros_like(nearest)
        return (self._edges[nearest] + self._edges[nearest + 1]) / 2

    def from_unit(self, u) -> list:
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if not self.is_discrete:
            return np.interp(u, self._edges, self.values).tolist()
        return self.values[self._indices(u)].tolist()

    def snap_unit(self, u):
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if not self.is_discrete:
            return u
        cells = self._indices(u)
        return (self._edges[cells] + self._edges[cells + 1]) / 2

    def grid_unit(self) -> np.ndarray:
        if not self.is_discrete:
            return super().grid_unit()
        return (self._edges[:-1] + self._edges[1:]) / 2

    def __repr__(self):
        return f"Empirical({self._source}, n_draws={_N_DRAWS})"


# Draws taken from an object that only has ``rvs``: enough for quantiles at a
# resolution of 0.1%, cheap for any sampler.
_N_DRAWS = 1024


def _draw(obj) -> list:
    """``_N_DRAWS`` draws of ``obj.rvs``, seeded as sklearn seeds it (RandomState)."""
    try:
        draws = obj.rvs(size=_N_DRAWS, random_state=np.random.RandomState(0))
        if np.shape(draws)[:1] == (_N_DRAWS,):
            return list(draws)
    except TypeError:
        pass  # an rvs without size=: one call per draw, as sklearn calls it
    rng = np.random.RandomState(0)
    try:
        return [obj.rvs(random_state=rng) for _ in range(_N_DRAWS)]
    except Exception as exc:  # the user's object: report its error as ours
        raise ValueError(
            f"calling {obj!r}.rvs(random_state=...) raised {exc!r}."
        ) from exc


def _from_rvs(obj) -> Dimension:
    """Any object with ``rvs`` (sklearn's ``RandomizedSearchCV`` accepts them)."""
    draws = _draw(obj)
    if any(np.ndim(d) for d in draws):
        raise ValueError(
            f"the draws of {obj!r}.rvs() must be single values. Got {draws[0]!r}."
        )
    draws = [d.item() if isinstance(d, np.generic) else d for d in draws]
    if not all(is_number(d) for d in draws):
        # Strings, objects: the distinct values drawn, as categories.
        distinct: list = []
        for d in draws:
            if not any(_same(d, c) or (_is_nan(d) and _is_nan(c)) for c in distinct):
                distinct.append(d)
        return Categorical(distinct)
    integral = all(isinstance(d, numbers.Integral) for d in draws)
    array = np.array(draws, dtype=np.int64 if integral else float)
    if not np.isfinite(array).all():
        raise ValueError(
            f"the draws of {obj!r}.rvs() must be finite numbers. Got "
            f"{array[~np.isfinite(array)][0].item()!r} among them."
        )
    return _Empirical(array, repr(obj))


# optuna's distributions (>= 3, and the deprecated optuna 2 names), recognised
# by class name and module, never imported: the attributes each one needs.
_OPTUNA = {
    "FloatDistribution": ("low", "high", "log", "step"),
    "IntDistribution": ("low", "high", "log", "step"),
    "CategoricalDistribution": ("choices",),
    "UniformDistribution": ("low", "high"),
    "LogUniformDistribution": ("low", "high"),
    "DiscreteUniformDistribution": ("low", "high", "q"),
    "IntUniformDistribution": ("low", "high"),
    "IntLogUniformDistribution": ("low", "high"),
}
# scikit-optimize's dimensions, likewise.
_SKOPT = {
    "Real": ("low", "high"),
    "Integer": ("low", "high"),
    "Categorical": ("categories",),
}


def _foreign_class(value, package: str, names: Mapping) -> str | None:
    """Name of the class of ``value`` (or of a base) in ``names`` from ``package``."""
    for cls in type(value).__mro__:
        module = getattr(cls, "__module__", None) or ""
        if cls.__name__ in names and module.split(".")[0] == package:
            missing = [a for a in names[cls.__name__] if not hasattr(value, a)]
            if missing:
                raise TypeError(
                    f"{package}'s {cls.__name__} needs the attributes "
                    f"{names[cls.__name__]}; {value!r} lacks {missing}."
                )
            return cls.__name__
    return None


def _from_optuna(dist, kind: str) -> Dimension:
    """optuna's distribution as ours: a log scale is a 'log-uniform' prior, a
    ``step`` (``q``) other than 1 a grid, ``low == high`` a single value.
    """
    if kind == "CategoricalDistribution":
        return Categorical(list(dist.choices))
    integral = kind.startswith("Int")
    log = bool(getattr(dist, "log", False)) or "Log" in kind
    step = dist.q if kind == "DiscreteUniformDistribution" else None
    if kind in ("FloatDistribution", "IntDistribution"):
        step = dist.step
    if integral and step is None:
        step = getattr(dist, "step", 1)  # optuna 2's Int*UniformDistribution
    low, high = dist.low, dist.high
    if log and step not in (None, 1):
        raise ValueError(
            f"optuna's {kind} cannot combine log=True with step={step!r}. Got {dist!r}."
        )
    if all(is_number(v) and _is_finite(v) for v in (low, high)) and low == high:
        return Categorical([low])
    if step is None or (integral and step == 1):
        cls = Integer if integral else Real
        return cls(low, high, prior="log-uniform" if log else "uniform")
    if all(is_number(v) and _is_finite(v) for v in (low, high, step)) and step > 0:
        if _grid_size(low, high, step, integral)[0] == 1:
            return Categorical([low])
    return _Grid(low, high, step)


def _from_skopt(dim, kind: str, name: str) -> Dimension:
    """scikit-optimize's dimension as ours; a Categorical's ``prior`` is ignored
    (with a warning): categories are searched with equal prior probability.
    """
    if kind == "Categorical":
        prior = getattr(dim, "prior", None)
        if prior is not None and np.ptp(np.asarray(prior, dtype=float)) > 0:
            warn(
                f"Parameter {name!r}: the prior {list(prior)!r} of scikit-optimize's "
                "Categorical is ignored; its categories are searched with equal "
                "prior probability.",
                UserWarning,
            )
        return Categorical(list(dim.categories))
    prior = getattr(dim, "prior", None) or "uniform"
    cls = Real if kind == "Real" else Integer
    return cls(dim.low, dim.high, prior=prior, base=getattr(dim, "base", 10))


def _is_range_tuple(value) -> bool:
    """skopt's ``(low, high)``, ``(low, high, prior)`` and ``(low, high, prior,
    base)`` shorthand."""
    if not isinstance(value, tuple) or len(value) not in (2, 3, 4):
        return False
    if len(value) >= 3 and not isinstance(value[2], str):
        return False
    if len(value) == 4 and not is_number(value[3]):
        return False
    return is_number(value[0]) and is_number(value[1])


def _coerce(value, name: str) -> Dimension | None:
    """The dimension ``value`` stands for; None when it stands for none."""
    optuna = _foreign_class(value, "optuna", _OPTUNA)
    if optuna is not None:
        return _from_optuna(value, optuna)
    skopt = _foreign_class(value, "skopt", _SKOPT)
    if skopt is not None:
        return _from_skopt(value, skopt, name)
    if isinstance(value, _SCIPY_FAMILIES):
        return _from_family(value)
    if isinstance(getattr(value, "dist", None), _SCIPY_FAMILIES):
        return _from_distribution(value)
    if hasattr(value, "rvs"):
        return _from_rvs(value)
    if _is_range_tuple(value):
        low, high, *prior = value
        integral = all(isinstance(v, numbers.Integral) for v in (low, high))
        return (Integer if integral else Real)(low, high, *prior)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return None
    if isinstance(value, (Sequence, np.ndarray, range)) and not isinstance(value, str):
        return Categorical(value)
    return None


def coerce_dimension(value, name: str = "parameter") -> Dimension:
    """Turn what a user passes for one parameter into a :class:`Dimension`.

    Parameters
    ----------
    value : Dimension, list, tuple, scipy.stats distribution or foreign dimension
        What the user passed for one parameter:

        - a list (or a one-dimensional array, or any non-range tuple) is a
          :class:`Categorical`;
        - ``(low, high)`` is an :class:`Integer` when both bounds are ints and a
          :class:`Real` otherwise; ``(low, high, "log-uniform")`` adds a prior
          and ``(low, high, "log-uniform", base)`` scikit-optimize's base;
        - a frozen ``scipy.stats`` distribution
          (``scipy.stats.loguniform(1e-3, 1e3)``) is searched through its cdf;
          a family without shape parameters (``scipy.stats.norm``) in its
          standard form (``norm()``), as sklearn samples it;
        - any other object with an ``rvs`` method (which sklearn's
          ``RandomizedSearchCV`` accepts) through the empirical quantiles of
          1,024 draws seeded with ``random_state=np.random.RandomState(0)``:
          increasing and deterministic, searching between the smallest and the
          largest draw; integer or repeated draws give the distinct values
          drawn, weighted by their frequency; non-numeric draws the
          categories drawn;
        - optuna's ``FloatDistribution``, ``IntDistribution`` and
          ``CategoricalDistribution`` (and optuna 2's ``UniformDistribution``,
          ``LogUniformDistribution``, ``DiscreteUniformDistribution``,
          ``IntUniformDistribution``, ``IntLogUniformDistribution``):
          ``log=True`` is a ``"log-uniform"`` prior; a ``step`` (``q``) gives
          the ordered grid ``low, low + step, ..., high``, ``high`` lowered to
          the last grid point as optuna does; ``low == high`` a single value;
        - scikit-optimize's ``Real``, ``Integer`` and ``Categorical``, with
          their prior; a ``Categorical``'s ``prior`` probabilities are ignored
          (with a warning): every category is searched with equal prior
          probability.

        optuna and scikit-optimize are recognised by class name and module,
        never imported.
    name : str, default="parameter"
        The parameter's name, for error messages.

    Returns
    -------
    dimension : Dimension
        The coerced dimension.

    Examples
    --------
    >>> from sksmbo.space import coerce_dimension
    >>> coerce_dimension((1, 10)), coerce_dimension((1e-3, 1.0, "log-uniform"))
    (Integer(1, 10, prior='uniform'), Real(0.001, 1.0, prior='log-uniform'))
    """
    if isinstance(value, Dimension):
        return value
    try:
        dimension = _coerce(value, name)
    except (TypeError, ValueError) as exc:
        cls = TypeError if isinstance(exc, TypeError) else ValueError
        raise cls(f"Parameter {name!r}: {exc}") from None
    if dimension is None:
        raise TypeError(
            f"Parameter {name!r} must be a list of values, a "
            "(low, high[, prior[, base]]) tuple, a Dimension or a frozen "
            "scipy.stats distribution. "
            f"Got {value!r}."
        )
    return dimension


def _coerce_subspace(subspace, position) -> tuple[tuple[str, Dimension], ...]:
    if not isinstance(subspace, Mapping):
        raise TypeError(
            "search_spaces must be a dict or a list of dicts. Got "
            f"{subspace!r} at position {position}."
        )
    if not subspace:
        raise ValueError("search_spaces must not contain an empty dict.")
    for name in subspace:
        if not isinstance(name, str):
            raise TypeError(f"Parameter names must be strings. Got {name!r}.")
    return tuple(
        (name, coerce_dimension(subspace[name], name)) for name in sorted(subspace)
    )


class Space:
    """A search space: one dict of dimensions, or alternative sub-spaces.

    Parameters
    ----------
    search_spaces : dict or list of dict
        Maps parameter names to dimensions, in any form accepted by
        :func:`coerce_dimension`. A list of dicts makes alternative sub-spaces
        (as ``GridSearchCV``'s ``param_grid``): every point belongs to exactly
        one of them, chosen with equal prior probability.

    Attributes
    ----------
    subspaces : tuple of tuple of (str, Dimension)
        The sub-spaces, each a sorted tuple of named dimensions.
    n_columns : int
        Width of the unit-cube encoding.
    dimensions : tuple of Dimension
        The dimension behind each column (the sub-space choice first when
        there are several sub-spaces).
    kinds : tuple of str
        ``dimensions[j].kind`` for each column.
    levels : ndarray of shape (n_columns,)
        Number of distinct values per column, 0 for continuous columns.

    Examples
    --------
    >>> from sksmbo.space import Space
    >>> space = Space({"C": (1e-3, 1e3, "log-uniform"), "kernel": ["rbf", "linear"]})
    >>> X = space.transform([{"C": 1.0, "kernel": "linear"}])
    >>> X
    array([[0.5 , 0.75]])
    >>> space.inverse_transform(X)
    [{'C': 1.0, 'kernel': 'linear'}]
    """

    def __init__(self, search_spaces):
        if isinstance(search_spaces, Space):
            search_spaces = search_spaces.to_dicts()
        if isinstance(search_spaces, Mapping):
            search_spaces = [search_spaces]
        if isinstance(search_spaces, (str, bytes)) or not isinstance(
            search_spaces, Sequence
        ):
            raise TypeError(
                "search_spaces must be a dict or a list of dicts. "
                f"Got {search_spaces!r}."
            )
        if not search_spaces:
            raise ValueError("search_spaces must not be empty. Got [].")
        self.subspaces = tuple(
            _coerce_subspace(sub, i) for i, sub in enumerate(search_spaces)
        )
        choice = [Categorical(range(len(self.subspaces)))] if self.has_choice else []
        self.dimensions = tuple(
            choice + [dim for sub in self.subspaces for _, dim in sub]
        )
        self.kinds = tuple(
            "categorical" if choice and j == 0 else dim.kind
            for j, dim in enumerate(self.dimensions)
        )
        self.levels = np.array([dim.n_levels for dim in self.dimensions])
        self.n_columns = len(self.dimensions)
        # Column slice of each sub-space.
        starts = np.cumsum([len(choice)] + [len(sub) for sub in self.subspaces])
        self._slices = tuple(
            slice(a, b) for a, b in zip(starts[:-1], starts[1:], strict=True)
        )

    @property
    def has_choice(self) -> bool:
        """True when the space has several sub-spaces (a choice column)."""
        return len(self.subspaces) > 1

    @property
    def names(self) -> list[str]:
        """All parameter names, over every sub-space, without repeats."""
        return list(dict.fromkeys(name for sub in self.subspaces for name, _ in sub))

    @property
    def nominal(self) -> np.ndarray:
        """Boolean mask of the unordered categorical columns."""
        return np.array([kind == "categorical" for kind in self.kinds])

    @property
    def size(self) -> float:
        """Number of distinct points; ``inf`` when a dimension is continuous."""
        total = 0
        for sub in self.subspaces:
            if any(not dim.is_discrete for _, dim in sub):
                return float("inf")
            total += int(np.prod([dim.n_levels for _, dim in sub], dtype=object))
        return total

    def to_dicts(self) -> list[dict]:
        """The sub-spaces as a list of ``{name: Dimension}`` dicts."""
        return [dict(sub) for sub in self.subspaces]

    def subspace_of(self, X: np.ndarray) -> np.ndarray:
        """Index of the sub-space each encoded row belongs to."""
        X = np.atleast_2d(X)
        if not self.has_choice:
            return np.zeros(len(X), dtype=np.intp)
        return self.dimensions[0]._indices(X[:, 0])

    def active_mask(self, X: np.ndarray) -> np.ndarray:
        """Boolean array of shape (n, n_columns): True where a column is active."""
        owner = self.subspace_of(X)
        mask = np.zeros((len(owner), self.n_columns), dtype=bool)
        if self.has_choice:
            mask[:, 0] = True
        for s, cols in enumerate(self._slices):
            mask[owner == s, cols] = True
        return mask

    def snap(self, X: np.ndarray) -> np.ndarray:
        """Canonical encoding: each column rounded to the value it decodes to,
        inactive columns set to NaN. Rows may hold anything in inactive columns.
        """
        X = np.array(X, dtype=float, ndmin=2)
        if not self.has_choice:  # every column active: no mask to build
            for j, dim in enumerate(self.dimensions):
                X[:, j] = dim.snap_unit(X[:, j])
            return X
        X[:, 0] = self.dimensions[0].snap_unit(X[:, 0])
        mask = self.active_mask(X)
        for j, dim in enumerate(self.dimensions):
            rows = mask[:, j]
            X[rows, j] = dim.snap_unit(X[rows, j])
        X[~mask] = np.nan
        return X

    def keys(self, X: np.ndarray) -> list[bytes]:
        """A hashable identity per encoded row, equal for equal points."""
        snapped = self.snap(X)
        snapped[np.isnan(snapped)] = -1.0  # one key for every inactive column
        return [row.tobytes() for row in snapped]

    def transform(self, points: Sequence[Mapping]) -> np.ndarray:
        """Encode a list of parameter dicts as an ndarray of shape (n, n_columns)."""
        points = list(points)
        X = np.full((len(points), self.n_columns), np.nan)
        owners = np.array([self._owner(p) for p in points], dtype=np.intp)
        if self.has_choice:
            X[:, 0] = self.dimensions[0].to_unit(owners)
        for s, (sub, cols) in enumerate(zip(self.subspaces, self._slices, strict=True)):
            rows = np.flatnonzero(owners == s)
            if rows.size == 0:
                continue
            for j, (name, dim) in zip(range(cols.start, cols.stop), sub, strict=True):
                X[rows, j] = dim.to_unit([points[r][name] for r in rows])
        return X

    def _owner(self, point: Mapping) -> int:
        """The first sub-space whose names and values fit the point."""
        for s, sub in enumerate(self.subspaces):
            if set(point) == {name for name, _ in sub} and all(
                _fits(dim, point[name]) for name, dim in sub
            ):
                return s
        raise ValueError(f"The point {point!r} is not in the search space {self!r}.")

    def inverse_transform(self, X: np.ndarray) -> list[dict]:
        """Decode rows in [0, 1] to a list of parameter dicts (clipping)."""
        X = np.array(X, dtype=float, ndmin=2)
        owners = self.subspace_of(X)
        points: list[dict] = [{} for _ in range(len(X))]
        for s, (sub, cols) in enumerate(zip(self.subspaces, self._slices, strict=True)):
            rows = np.flatnonzero(owners == s)
            if rows.size == 0:
                continue
            for j, (name, dim) in zip(range(cols.start, cols.stop), sub, strict=True):
                for r, value in zip(rows, dim.from_unit(X[rows, j]), strict=True):
                    points[r][name] = value
        return points

    def grid(self) -> np.ndarray:
        """Every point of a finite space, encoded, in sub-space order."""
        blocks = []
        for s, (sub, cols) in enumerate(zip(self.subspaces, self._slices, strict=True)):
            axes = [dim.grid_unit() for _, dim in sub]
            block = np.full(
                (int(np.prod([len(a) for a in axes])), self.n_columns), np.nan
            )
            block[:, cols] = np.array(list(product(*axes)))
            if self.has_choice:
                block[:, 0] = (s + 0.5) / len(self.subspaces)
            blocks.append(block)
        return np.vstack(blocks)

    def __repr__(self):
        subs = [
            "{" + ", ".join(f"{name!r}: {dim!r}" for name, dim in sub) + "}"
            for sub in self.subspaces
        ]
        return f"Space({subs[0] if len(subs) == 1 else '[' + ', '.join(subs) + ']'})"


def _fits(dim: Dimension, value) -> bool:
    if isinstance(dim, Categorical):
        try:
            dim.index(value)
        except ValueError:
            return False
        return True
    if isinstance(dim, (Real, Integer, _Grid)):
        return is_number(value) and dim.low <= value <= dim.high
    return is_number(value)
