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
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from itertools import product

import numpy as np

__all__ = ["Categorical", "Dimension", "Integer", "Real", "Space"]

_PRIORS = ("uniform", "log-uniform")


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


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
        if not (_is_number(low) and _is_number(high)):
            raise TypeError(
                f"Real bounds must be numbers. Got low={low!r}, high={high!r}."
            )
        if not low < high:
            raise ValueError(f"Real needs low < high. Got low={low!r}, high={high!r}.")
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError(
                f"Real needs finite bounds. Got low={low!r}, high={high!r}."
            )
        if prior == "log-uniform" and low <= 0:
            raise ValueError(f"A 'log-uniform' prior needs low > 0. Got low={low!r}.")
        self._init(low=float(low), high=float(high), prior=prior, base=base)
        lo, hi = (np.log(low), np.log(high)) if self.is_log else (low, high)
        self._init(_lo=float(lo), _width=float(hi - lo))

    @property
    def is_log(self) -> bool:
        return self.prior == "log-uniform"

    def to_unit(self, values) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        if self.is_log:
            x = np.log(x)
        return np.clip((x - self._lo) / self._width, 0.0, 1.0)

    def _values(self, u: np.ndarray) -> np.ndarray:
        x = self._lo + np.clip(u, 0.0, 1.0) * self._width
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
        Smallest value.
    high : int
        Largest value; must be greater than ``low``.
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
        self._init(low=int(low), high=int(high), prior=prior, base=base)
        # Widen by half a step so each integer owns an equal share of [0, 1].
        lo, hi = self.low - 0.5, self.high + 0.5
        if prior == "log-uniform":
            lo, hi = np.log(lo), np.log(hi)
        self._init(n_levels=self.high - self.low + 1, _lo=float(lo), _width=hi - lo)

    def to_unit(self, values) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        if self.prior == "log-uniform":
            x = np.log(x)
        return np.clip((x - self._lo) / self._width, 0.0, 1.0)

    def _values(self, u: np.ndarray) -> np.ndarray:
        x = self._lo + np.clip(u, 0.0, 1.0) * self._width
        if self.prior == "log-uniform":
            x = np.exp(x)
        return np.clip(np.floor(x + 0.5), self.low, self.high).astype(np.int64)

    def from_unit(self, u) -> list:
        return self._values(np.asarray(u, dtype=float)).tolist()

    def snap_unit(self, u):
        return self.to_unit(self._values(np.asarray(u, dtype=float)))

    def grid_unit(self) -> np.ndarray:
        return self.to_unit(np.arange(self.low, self.high + 1))

    def __repr__(self):
        return f"Integer({self.low!r}, {self.high!r}, prior={self.prior!r})"


def _category_key(value):
    """A hashable identity for a category; None when the value is unhashable."""
    try:
        hash(value)
    except TypeError:
        return None
    # Keep True apart from 1, which compare equal.
    return (isinstance(value, (bool, np.bool_)), value)


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
        categories = list(categories)
        if not categories:
            raise ValueError("Categorical needs at least one category. Got [].")
        ordinal = all(_is_number(c) for c in categories)
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
    """Identity or plain equality, never raising (arrays, estimators)."""
    if a is b:
        return True
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


class _Distribution(Dimension):
    """A frozen ``scipy.stats`` distribution, mapped through its cdf and ppf."""

    # ppf(0) and ppf(1) are infinite for unbounded distributions.
    _EPS = 1e-12

    def __init__(self, dist):
        discrete = hasattr(dist.dist, "pmf")
        low, high = dist.support()
        if discrete and not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError(
                "A discrete scipy.stats distribution must have a finite support to "
                f"be searched; got {_describe(dist)} with support ({low}, {high}). "
                "Use Integer(low, high) instead."
            )
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


def _from_distribution(dist, name) -> Dimension:
    """Exact equivalents for the common distributions, the cdf for the rest."""
    if not hasattr(dist, "dist"):
        raise TypeError(
            f"Parameter {name!r}: pass a frozen scipy.stats distribution such as "
            f"uniform(0, 1), not the distribution family {dist!r}."
        )
    low, high = dist.support()
    family = dist.dist.name
    if family == "uniform":
        return Real(float(low), float(high))
    if family in ("loguniform", "reciprocal"):
        return Real(float(low), float(high), prior="log-uniform")
    if family == "randint" and high > low:
        return Integer(int(low), int(high))
    return _Distribution(dist)


def _is_range_tuple(value) -> bool:
    """skopt's ``(low, high)`` and ``(low, high, prior)`` shorthand."""
    if not isinstance(value, tuple) or len(value) not in (2, 3):
        return False
    if len(value) == 3 and not isinstance(value[2], str):
        return False
    return _is_number(value[0]) and _is_number(value[1])


def coerce_dimension(value, name: str = "parameter") -> Dimension:
    """Turn what a user passes for one parameter into a :class:`Dimension`.

    Parameters
    ----------
    value : Dimension, list, tuple or frozen scipy.stats distribution
        A list (or array, or any non-range tuple) is a :class:`Categorical`;
        ``(low, high)`` is an :class:`Integer` when both bounds are ints and a
        :class:`Real` otherwise; ``(low, high, "log-uniform")`` adds a prior;
        a frozen distribution (``scipy.stats.loguniform(1e-3, 1e3)``) is
        searched through its cdf.
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
    if hasattr(value, "rvs") or hasattr(value, "ppf"):
        return _from_distribution(value, name)
    if _is_range_tuple(value):
        low, high, *prior = value
        cls = (
            Integer
            if all(isinstance(v, numbers.Integral) for v in (low, high))
            else Real
        )
        try:
            return cls(low, high, *prior)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"Parameter {name!r}: {exc}") from None
    if isinstance(value, (Sequence, np.ndarray, range)) and not isinstance(value, str):
        try:
            return Categorical(value)
        except ValueError as exc:
            raise ValueError(f"Parameter {name!r}: {exc}") from None
    raise TypeError(
        f"Parameter {name!r} must be a list of values, a (low, high[, prior]) tuple, "
        f"a Dimension or a frozen scipy.stats distribution. Got {value!r}."
    )


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
        if self.has_choice:
            X[:, 0] = self.dimensions[0].snap_unit(X[:, 0])
        mask = self.active_mask(X)
        for j, dim in enumerate(self.dimensions):
            rows = mask[:, j]
            X[rows, j] = dim.snap_unit(X[rows, j])
        X[~mask] = np.nan
        return X

    def keys(self, X: np.ndarray) -> list[bytes]:
        """A hashable identity per encoded row, equal for equal points."""
        snapped = np.nan_to_num(self.snap(X), nan=-1.0)
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
    if isinstance(dim, (Real, Integer)):
        return _is_number(value) and dim.low <= value <= dim.high
    return _is_number(value)
