"""Figures of fitted searches: convergence, evaluations, objective, importance.

Every function accepts a fitted sksmbo search, and scikit-learn's own
``GridSearchCV``, ``RandomizedSearchCV`` and halving searches: what is plotted
is read from ``cv_results_`` (``params`` and the mean test score of the refit
metric, in evaluation order). Each parameter gets the dimension it was
declared with (``search_spaces``, ``param_grid`` or ``param_distributions``,
coerced by :class:`~sksmbo.space.Space`); when that is unavailable or does not
hold the observed values, one is derived from the values: numbers give a range,
anything else a :class:`~sksmbo.space.Categorical`.

Surrogates (``plot_objective``, ``plot_importance``) are fitted on the
unit-cube encoding of :mod:`sksmbo.space`, one column per parameter; a
parameter a candidate did not set (conditional spaces) is encoded as -1, a
value outside [0, 1] that a tree separates from every real one.

matplotlib is imported only when a function is called (the ``plots`` extra:
``pip install "sksmbo[plots]"``).
"""

from __future__ import annotations

import numbers
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from sksmbo._results import cv_results_metric
from sksmbo.space import (
    Categorical,
    Dimension,
    Integer,
    Real,
    Space,
    _fits,
    _same,
    is_number,
)

__all__ = [
    "plot_convergence",
    "plot_evaluations",
    "plot_importance",
    "plot_objective",
]

# The encoding of a parameter a candidate did not set (see the module docstring).
_INACTIVE = -1.0
# Candidates the partial dependence averages over, at most (evenly spaced rows).
_MAX_BACKGROUND = 50


def _check_matplotlib(caller_name: str):
    """Import and return ``matplotlib.pyplot``, or say how to install it."""
    try:
        import matplotlib  # noqa: F401
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib. You can install it with "
            '`pip install "sksmbo[plots]"`.'
        ) from exc
    return plt


# -- what a search evaluated -------------------------------------------------


def _scores(search) -> np.ndarray:
    """Mean test score of the metric the search maximized, per candidate."""
    results = search.cv_results_
    metric = cv_results_metric(results, search.scoring, search.refit)
    scores = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    return np.where(np.isfinite(scores), scores, np.nan)


class _Observed(NamedTuple):
    """The candidates of a search, per parameter."""

    names: list[str]
    dims: list[Dimension]
    points: list[dict]
    scores: np.ndarray  # NaN for failed candidates

    @property
    def best(self) -> int | None:
        finite = np.isfinite(self.scores)
        return int(np.nanargmax(self.scores)) if finite.any() else None

    def values(self, name: str) -> tuple[np.ndarray, list]:
        """Rows where ``name`` is set, and its values there."""
        rows = [i for i, p in enumerate(self.points) if name in p]
        return np.array(rows, dtype=np.intp), [self.points[i][name] for i in rows]

    def encode(self) -> np.ndarray:
        """Unit-cube encoding, ndarray of shape (n_candidates, n_params)."""
        X = np.full((len(self.points), len(self.names)), _INACTIVE)
        for j, (name, dim) in enumerate(zip(self.names, self.dims, strict=True)):
            rows, values = self.values(name)
            if len(rows):
                X[rows, j] = dim.to_unit(values)
        return X


def _observed(search, caller_name: str) -> _Observed:
    """Every searched parameter of a fitted search, with its dimension."""
    if not hasattr(search, "get_params"):
        raise TypeError(
            f"{caller_name} needs a fitted search estimator (with cv_results_). "
            f"Got {search!r}."
        )
    check_is_fitted(search, "cv_results_")
    points = list(search.cv_results_["params"])
    declared = _declared_dimensions(search)
    seen = dict.fromkeys(name for p in points for name in p)
    names = [n for n in declared if n in seen] + [n for n in seen if n not in declared]
    observed = _Observed(names, [], points, _scores(search))
    for name in names:
        values = observed.values(name)[1]
        dim = declared.get(name)
        if dim is None or not all(_fits(dim, v) for v in values):
            dim = _dimension_of_values(values)
        observed.dims.append(dim)
    return observed


def _select(obs: _Observed, params, caller_name: str) -> list[int]:
    """Positions in ``obs.names`` of the parameters to show."""
    if params is None:
        return list(range(len(obs.names)))
    params = [params] if isinstance(params, str) else list(params)
    if not params or any(p not in obs.names for p in params):
        raise ValueError(
            f"The 'params' parameter of {caller_name} must list searched "
            f"parameters among {obs.names!r}. Got {params!r} instead."
        )
    return [obs.names.index(p) for p in params]


def _declared_dimensions(search) -> dict[str, Dimension]:
    """Each parameter's dimension as the search declares it ({} when unknown)."""
    for attr in ("search_spaces", "param_grid", "param_distributions"):
        spaces = getattr(search, attr, None)
        if spaces is not None:
            break
    else:
        return {}
    if isinstance(spaces, list):  # scikit-optimize's (dict, n_iter) pairs
        spaces = [s[0] if isinstance(s, tuple) else s for s in spaces]
    try:
        space = Space(spaces)
    except (TypeError, ValueError):  # e.g. scikit-optimize's own dimensions
        return {}
    dims: dict[str, Dimension] = {}
    for sub in space.subspaces:
        for name, dim in sub:
            dims.setdefault(name, dim)
    return dims


def _dimension_of_values(values: list) -> Dimension:
    """A range for numbers (log scale across more than two decades), else categories."""
    numeric = all(is_number(v) for v in values)
    if numeric and len(set(values)) > 1:
        low, high = min(values), max(values)
        prior = "log-uniform" if low > 0 and high / low > 100 else "uniform"
        if all(isinstance(v, numbers.Integral) for v in values):
            return Integer(int(low), int(high), prior="uniform" if low < 1 else prior)
        return Real(float(low), float(high), prior=prior)
    categories: list = []
    for v in values:
        if not any(_same(v, c) for c in categories):
            categories.append(v)
    return Categorical(categories)


# -- axes in the units of each parameter ---------------------------------------


def _coords(dim: Dimension, values) -> np.ndarray:
    """Plotting coordinates: the value for numbers, the index for categories."""
    if isinstance(dim, Categorical):
        return np.array([dim.index(v) for v in values], dtype=float)
    return np.asarray(values, dtype=float)


def _coords_of_unit(dim: Dimension, u: np.ndarray) -> np.ndarray:
    if isinstance(dim, Categorical):
        return dim._indices(u).astype(float)
    return np.asarray(dim.from_unit(u), dtype=float)


def _is_log(dim: Dimension) -> bool:
    return getattr(dim, "prior", None) == "log-uniform"


def _limits(dim: Dimension, coords: np.ndarray) -> tuple[float, float]:
    """Axis limits: the dimension's bounds with a small margin."""
    if isinstance(dim, Categorical):
        return -0.5, dim.n_levels - 0.5
    if isinstance(dim, Integer):
        return dim.low - 0.5, dim.high + 0.5
    if isinstance(dim, Real):
        low, high = dim.low, dim.high
    else:
        low, high = float(np.min(coords)), float(np.max(coords))
    if not low < high:
        return low, high
    if _is_log(dim):
        factor = (high / low) ** 0.03
        return low / factor, high * factor
    margin = 0.03 * (high - low)
    return low - margin, high + margin


def _label(value, width: int = 12) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _format_axis(ax, axis: str, dim: Dimension, coords, name: str | None) -> None:
    """Scale, limits, category ticks and label of one axis ("x" or "y")."""
    set_lim, set_label = getattr(ax, f"set_{axis}lim"), getattr(ax, f"set_{axis}label")
    if _is_log(dim):
        getattr(ax, f"set_{axis}scale")("log")
    if isinstance(dim, Categorical):
        ticks = range(dim.n_levels)
        labels = [_label(c) for c in dim.categories]
        getattr(ax, f"set_{axis}ticks")(
            ticks, labels, rotation=45 if axis == "x" else 0
        )
    elif isinstance(dim, Integer) and not _is_log(dim):
        from matplotlib.ticker import MaxNLocator

        getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(integer=True))
    low, high = _limits(dim, coords)
    if low < high:
        set_lim(low, high)
    if name is not None:
        set_label(name)


# -- plot_convergence ------------------------------------------------------------


def _curve_scores(obj) -> np.ndarray:
    """Scores in evaluation order from a search or a scikit-optimize result."""
    if hasattr(obj, "func_vals"):  # scipy OptimizeResult, skopt's format
        scores = -np.asarray(obj.func_vals, dtype=float)  # skopt minimizes
        return np.where(np.isfinite(scores), scores, np.nan)
    if hasattr(obj, "get_params"):
        check_is_fitted(obj, "cv_results_")
        return _scores(obj)
    raise TypeError(
        "plot_convergence takes fitted searches, OptimizeResults, lists of them "
        f"(several runs) or (label, search) tuples. Got {obj!r}."
    )


def _default_label(obj) -> str | None:
    if isinstance(obj, list | tuple):
        return _default_label(obj[0]) if obj else None
    return None if hasattr(obj, "func_vals") else type(obj).__name__


def _best_so_far(obj) -> np.ndarray:
    """Best score after each candidate; several runs padded with their last value."""
    if not isinstance(obj, list | tuple):
        return np.fmax.accumulate(_curve_scores(obj))[None, :]
    if not obj:
        raise ValueError("plot_convergence got an empty list of runs.")
    curves = [np.fmax.accumulate(_curve_scores(o)) for o in obj]
    n = max(len(c) for c in curves)
    return np.array([np.pad(c, (0, n - len(c)), mode="edge") for c in curves])


def plot_convergence(*searches_or_results, ax=None, labels=None):
    """Plot the best score found so far against the number of candidates.

    Parameters
    ----------
    *searches_or_results : search, OptimizeResult, list or (str, object) tuple
        What to plot, one curve each: a fitted search (sksmbo's, or
        scikit-learn's ``GridSearchCV`` / ``RandomizedSearchCV`` in the order
        of ``cv_results_``), a :class:`scipy.optimize.OptimizeResult` in
        scikit-optimize's format (its ``func_vals`` are negated scores), a
        list of these (several runs: each drawn thin, their mean bold), or a
        ``(label, object)`` tuple.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.
    labels : list of str, default=None
        One legend label per curve, overriding the tuples' labels and the
        default ones (the search's class name).

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    plot_evaluations : Where the search sampled.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from scipy.stats import loguniform
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.plots import plot_convergence
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": loguniform(1e-2, 1e2)}
    >>> qrs = QuasiRandomSearchCV(SVC(), space, n_iter=8, cv=3, random_state=0)
    >>> rs = RandomizedSearchCV(SVC(), space, n_iter=8, cv=3, random_state=0)
    >>> ax = plot_convergence(qrs.fit(X, y), rs.fit(X, y))
    >>> [line.get_label() for line in ax.get_legend().get_lines()]
    ['QuasiRandomSearchCV', 'RandomizedSearchCV']
    """
    plt = _check_matplotlib("plot_convergence")
    if not searches_or_results:
        raise ValueError("plot_convergence needs at least one search or result.")
    items = [
        obj if _is_labelled(obj) else (_default_label(obj), obj)
        for obj in searches_or_results
    ]
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(items):
            raise ValueError(
                f"The 'labels' parameter of plot_convergence must have one label "
                f"per curve ({len(items)}). Got {labels!r} instead."
            )
        items = [(label, obj) for label, (_, obj) in zip(labels, items, strict=True)]
    if ax is None:
        _, ax = plt.subplots()
    for label, obj in items:
        curves = _best_so_far(obj)
        x = np.arange(1, curves.shape[1] + 1)
        (line,) = ax.plot(x, np.mean(curves, axis=0), marker=".", lw=2, label=label)
        if len(curves) > 1:
            ax.plot(x, curves.T, color=line.get_color(), lw=0.7, alpha=0.3)
    ax.set_xlabel("Number of candidates evaluated")
    ax.set_ylabel("Best mean test score so far")
    ax.set_title("Convergence")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, alpha=0.3)
    if any(label is not None for label, _ in items):
        ax.legend()
    return ax


def _is_labelled(obj) -> bool:
    return isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], str)


# -- plot_evaluations --------------------------------------------------------------


def _grid_of_axes(plt, n: int):
    size = max(3.5, 2.2 * n)
    fig, axes = plt.subplots(
        n, n, figsize=(size, size), squeeze=False, layout="constrained"
    )
    for i in range(n):
        for j in range(i + 1, n):
            axes[i, j].set_axis_off()
    return fig, axes


def _histogram(ax, dim: Dimension, coords: np.ndarray, bins: int) -> None:
    if isinstance(dim, Categorical):
        counts = np.bincount(coords.astype(np.intp), minlength=dim.n_levels)
        ax.bar(np.arange(dim.n_levels), counts, width=0.8, color="tab:blue")
        return
    low, high = _limits(dim, coords)
    if low == high:
        edges = bins
    elif isinstance(dim, Integer) and not _is_log(dim) and dim.n_levels <= bins:
        edges = np.arange(dim.low - 0.5, dim.high + 1.0)  # one bar per integer
    elif _is_log(dim):
        edges = np.geomspace(low, high, bins + 1)
    else:
        edges = np.linspace(low, high, bins + 1)
    ax.hist(coords, bins=edges, color="tab:blue")


def plot_evaluations(search, params=None, *, bins=20):
    """Plot where the search sampled: a pairwise grid of the evaluated values.

    The diagonal holds a histogram of each parameter's values; below it, one
    scatter plot per pair of parameters, points coloured by evaluation order
    (dark first) and the best candidate marked with a red star. Numeric axes
    are in the parameter's units, on a log scale for log-uniform dimensions;
    categorical parameters are placed at their category's index.

    Parameters
    ----------
    search : fitted search estimator
        A sksmbo search or a scikit-learn ``*SearchCV``.
    params : list of str, default=None
        Parameters to show, in order; all searched parameters when None.
    bins : int, default=20
        Number of histogram bins of numeric parameters.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (n_params, n_params)
        The grid; axes above the diagonal are hidden.

    See Also
    --------
    plot_objective : Partial dependence of a surrogate on the same grid.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.plots import plot_evaluations
    >>> X, y = load_iris(return_X_y=True)
    >>> search = QuasiRandomSearchCV(
    ...     SVC(), {"C": (1e-2, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]},
    ...     n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> plot_evaluations(search).shape
    (2, 2)
    """
    plt = _check_matplotlib("plot_evaluations")
    obs = _observed(search, "plot_evaluations")
    idx = _select(obs, params, "plot_evaluations")
    names, dims = [obs.names[c] for c in idx], [obs.dims[c] for c in idx]
    rows = [obs.values(name)[0] for name in names]
    coords = [
        _coords(dim, obs.values(name)[1]) for name, dim in zip(names, dims, strict=True)
    ]
    n = len(idx)
    _, axes = _grid_of_axes(plt, n)
    for i in range(n):
        _histogram(axes[i, i], dims[i], coords[i], bins)
        axes[i, i].yaxis.tick_right()
        for j in range(i):
            both, ri, rj = np.intersect1d(rows[i], rows[j], return_indices=True)
            x, y = coords[j][rj], coords[i][ri]
            axes[i, j].scatter(x, y, c=both, s=12, cmap="viridis")
            best = np.flatnonzero(both == obs.best)
            axes[i, j].scatter(x[best], y[best], c="red", s=90, marker="*", lw=0)
    _format_grid(axes, names, dims, coords)
    return axes


def _format_grid(axes, names, dims, coords) -> None:
    """Axis scales, limits and labels of a lower-triangular grid of parameters."""
    n = len(names)
    for i in range(n):
        for j in range(i + 1):
            ax = axes[i, j]
            _format_axis(ax, "x", dims[j], coords[j], names[j] if i == n - 1 else None)
            if j < i:
                _format_axis(ax, "y", dims[i], coords[i], names[i] if j == 0 else None)
    _hide_inner_ticks(axes)


def _hide_inner_ticks(axes) -> None:
    """Tick labels only on the outer row and column of the lower triangle."""
    n = len(axes)
    for i in range(n):
        for j in range(i + 1):
            if i < n - 1:
                axes[i, j].tick_params(labelbottom=False)
            if 0 < j < i:
                axes[i, j].tick_params(labelleft=False)


# -- surrogates -------------------------------------------------------------------


def _training_data(obs: _Observed, caller_name: str):
    """Encoded candidates and scores, failed candidates left out."""
    X = obs.encode()
    ok = np.isfinite(obs.scores)
    if ok.sum() < 2:
        raise ValueError(
            f"{caller_name} needs at least 2 candidates with a finite score to fit "
            f"a surrogate. Got {int(ok.sum())}."
        )
    return X[ok], obs.scores[ok]


def _default_surrogate(X: np.ndarray):
    """A GP on a full unit cube; a random forest when parameters can be unset."""
    if (X == _INACTIVE).any():
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor(n_estimators=100, random_state=0)
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    kernel = ConstantKernel() * Matern(
        length_scale=np.ones(X.shape[1]), length_scale_bounds=(1e-2, 1e2), nu=2.5
    ) + WhiteKernel(1e-2, noise_level_bounds=(1e-8, 1e1))
    return GaussianProcessRegressor(
        kernel, normalize_y=True, n_restarts_optimizer=2, random_state=0
    )


def _fit_quietly(model, X, y):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # Hyperparameters at their bounds are expected on a few dozen points.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def _unit_grid(dim: Dimension, n_points: int) -> np.ndarray:
    """Encoded values at which the partial dependence is evaluated."""
    if dim.is_discrete:
        if dim.n_levels <= n_points:
            return dim.grid_unit()
        return np.unique(dim.snap_unit(np.linspace(0, 1, n_points)))
    if isinstance(dim, Real):
        return np.linspace(0, 1, n_points)
    return np.linspace(0.005, 0.995, n_points)  # a distribution's central 99%


def _partial_dependence(model, B: np.ndarray, cols, grids) -> np.ndarray:
    """Mean prediction over background rows ``B`` with ``cols`` set to each grid
    point (Friedman's partial dependence), shape ``tuple(len(g) for g in grids)``.
    """
    mesh = np.meshgrid(*grids, indexing="ij")
    n_grid = mesh[0].size
    X = np.tile(B, (n_grid, 1))
    for col, values in zip(cols, mesh, strict=True):
        X[:, col] = np.repeat(values.ravel(), len(B))
    return model.predict(X).reshape(n_grid, len(B)).mean(axis=1).reshape(mesh[0].shape)


def _background(X: np.ndarray, cols) -> np.ndarray | None:
    """Candidates that set every parameter in ``cols``, at most _MAX_BACKGROUND."""
    B = X[np.all(X[:, cols] != _INACTIVE, axis=1)]
    if len(B) > _MAX_BACKGROUND:
        B = B[np.linspace(0, len(B) - 1, _MAX_BACKGROUND).astype(np.intp)]
    return B if len(B) else None


def plot_objective(search, params=None, n_points=40, *, model=None):
    """Plot the partial dependence of the score on each parameter and pair.

    A surrogate is fitted to the evaluated candidates (the unit-cube encoding
    of their parameters against their mean test score) and its partial
    dependence plotted: on the diagonal, the predicted score against one
    parameter, averaged over the other parameters of the evaluated
    candidates; below it, the same over a pair of parameters as a filled
    contour (a colour mesh when a parameter is categorical), with the
    candidates as black dots and the best as a red star. All panels share one
    colour scale.

    Parameters
    ----------
    search : fitted search estimator
        A sksmbo search or a scikit-learn ``*SearchCV``.
    params : list of str, default=None
        Parameters to show, in order; all searched parameters when None. The
        surrogate always uses all of them.
    n_points : int, default=40
        Grid points per numeric parameter (every category is shown).
    model : regressor, default=None
        Unfitted scikit-learn regressor used as the surrogate. None uses a
        Gaussian process (Matérn 5/2 with one length scale per parameter,
        plus noise), or a random forest when some candidates leave a
        parameter unset (conditional spaces).

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (n_params, n_params)
        The grid; axes above the diagonal are hidden.

    See Also
    --------
    plot_evaluations : Where the search sampled.
    plot_importance : Which parameters matter.

    Notes
    -----
    The average runs over at most 50 evenly spaced evaluated candidates (those
    that set the parameters shown). Model-based searches sample more densely
    near the optimum, so this is the dependence around the region the search
    explored, not over a uniform sample of the space.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.plots import plot_objective
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": (1e-2, 1e2, "log-uniform"), "gamma": (1e-3, 1e1, "log-uniform")}
    >>> search = QuasiRandomSearchCV(SVC(), space, n_iter=10, cv=3, random_state=0)
    >>> search = search.fit(X, y)
    >>> plot_objective(search, n_points=10).shape
    (2, 2)
    """
    plt = _check_matplotlib("plot_objective")
    if not isinstance(n_points, numbers.Integral) or n_points < 2:
        raise ValueError(
            "The 'n_points' parameter of plot_objective must be an int >= 2. "
            f"Got {n_points!r} instead."
        )
    obs = _observed(search, "plot_objective")
    idx = _select(obs, params, "plot_objective")
    X, y = _training_data(obs, "plot_objective")
    surrogate = _default_surrogate(X) if model is None else clone(model)
    _fit_quietly(surrogate, X, y)
    grids = [_unit_grid(obs.dims[c], n_points) for c in idx]
    pd = {}
    for a in range(len(idx)):
        for b in range(a + 1):
            pair = [a] if a == b else [a, b]
            B = _background(X, [idx[k] for k in pair])
            if B is not None:
                pd[a, b] = _partial_dependence(
                    surrogate, B, [idx[k] for k in pair], [grids[k] for k in pair]
                )
    return _draw_objective(plt, obs, idx, grids, pd)


def _draw_objective(plt, obs: _Observed, idx, grids, pd):
    names, dims = [obs.names[c] for c in idx], [obs.dims[c] for c in idx]
    coords = [_coords_of_unit(dim, g) for dim, g in zip(dims, grids, strict=True)]
    rows = [obs.values(name)[0] for name in names]
    seen = [
        _coords(dim, obs.values(name)[1]) for name, dim in zip(names, dims, strict=True)
    ]
    values = np.concatenate([z.ravel() for z in pd.values()])
    vmin, vmax = float(values.min()), float(values.max())
    levels = np.linspace(vmin, vmax, 12) if vmax > vmin else None
    fig, axes = _grid_of_axes(plt, len(idx))
    mappable = None
    for (a, b), z in pd.items():
        ax = axes[a, b]
        if a == b:
            ax.plot(coords[a], z, "o" if isinstance(dims[a], Categorical) else "-")
            best = np.flatnonzero(rows[a] == obs.best)
            for value in seen[a][best]:
                ax.axvline(value, color="red", ls="--", lw=1)
            if levels is not None:
                ax.set_ylim(vmin, vmax)
            ax.yaxis.tick_right()
            continue
        numeric = not any(isinstance(d, Categorical) for d in (dims[a], dims[b]))
        if numeric and levels is not None and min(z.shape) > 1:
            mappable = ax.contourf(coords[b], coords[a], z, levels=levels)
        else:
            mappable = ax.pcolormesh(
                coords[b], coords[a], z, shading="nearest", vmin=vmin, vmax=vmax
            )
        both, ra, rb = np.intersect1d(rows[a], rows[b], return_indices=True)
        ax.scatter(seen[b][rb], seen[a][ra], c="k", s=6)
        best = np.flatnonzero(both == obs.best)
        ax.scatter(seen[b][rb][best], seen[a][ra][best], c="red", s=90, marker="*")
    for a in range(len(idx)):
        for b in range(a + 1):
            if (a, b) not in pd:
                axes[a, b].text(
                    0.5,
                    0.5,
                    "never set\ntogether",
                    ha="center",
                    va="center",
                    transform=axes[a, b].transAxes,
                )
    _format_grid(axes, names, dims, seen)
    if mappable is not None:
        fig.colorbar(
            mappable, ax=axes, shrink=0.6, label="Partial dependence (mean test score)"
        )
    return axes


# -- plot_importance --------------------------------------------------------------


def plot_importance(search, ax=None):
    """Plot how much each parameter matters to the score.

    A random forest is fitted to the evaluated candidates (the unit-cube
    encoding of their parameters against their mean test score); a
    parameter's importance is the drop in the forest's R² on those candidates
    when the parameter's column is shuffled (permutation importance, 10
    repeats, seeded), with its standard deviation as an error bar.

    Parameters
    ----------
    search : fitted search estimator
        A sksmbo search or a scikit-learn ``*SearchCV``.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        Horizontal bars, the most important parameter on top.

    See Also
    --------
    plot_objective : How the score depends on each parameter.
    sklearn.inspection.permutation_importance : The importance measure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.plots import plot_importance
    >>> X, y = load_iris(return_X_y=True)
    >>> search = QuasiRandomSearchCV(
    ...     SVC(), {"C": (1e-2, 1e2, "log-uniform"), "shrinking": [True, False]},
    ...     n_iter=10, cv=3, random_state=0).fit(X, y)
    >>> ax = plot_importance(search)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['shrinking', 'C']
    """
    plt = _check_matplotlib("plot_importance")
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.inspection import permutation_importance

    obs = _observed(search, "plot_importance")
    X, y = _training_data(obs, "plot_importance")
    forest = RandomForestRegressor(n_estimators=100, random_state=0).fit(X, y)
    result = permutation_importance(forest, X, y, n_repeats=10, random_state=0)
    order = np.argsort(result.importances_mean, kind="stable")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 1 + 0.4 * len(order)), layout="constrained")
    positions = np.arange(len(order))
    ax.barh(
        positions,
        result.importances_mean[order],
        xerr=result.importances_std[order],
        color="tab:blue",
    )
    ax.set_yticks(positions, [obs.names[k] for k in order])
    ax.set_xlabel("Drop in the surrogate's R² when shuffled")
    ax.set_title("Parameter importance")
    return ax
