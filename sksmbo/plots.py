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
``pip install -e ".[plots]"`` from a checkout, or ``pip install matplotlib``).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
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
    coerce_dimension,
    is_number,
)

__all__ = [
    "plot_convergence",
    "plot_evaluations",
    "plot_histogram",
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
            f"{caller_name} requires matplotlib, the 'plots' extra: "
            '`pip install matplotlib`, or `pip install -e ".[plots]"` from a '
            "checkout of sksmbo."
        ) from exc
    return plt


# -- what a search evaluated -------------------------------------------------


def _short(obj) -> str:
    """``repr`` of a value for an error message, or its type when that is long
    (an ``OptimizeResult`` or a fitted search would fill the screen)."""
    text = repr(obj)
    if len(text) <= 60 and "\n" not in text:
        return text
    return f"an object of type {type(obj).__name__}"


def _is_result(obj) -> bool:
    """True for an ``OptimizeResult`` in scikit-optimize's format."""
    return all(hasattr(obj, attr) for attr in ("x_iters", "func_vals", "space"))


def _raced_out(results) -> np.ndarray:
    """Candidates that racing stopped before their last fold (none without it)."""
    evaluated = results.get("n_splits_evaluated")
    if evaluated is None:
        return np.zeros(len(results["params"]), dtype=bool)
    evaluated = np.asarray(evaluated)
    return evaluated < evaluated.max()


def _scores(search) -> np.ndarray:
    """Mean test score of the metric the search maximized, per candidate.

    A raced-out candidate's mean is over its first folds only, which flatters
    it when those are easy ones: it scores the full mean that its folds
    predict, paired with the best full candidate's scores on the same folds
    (of its iteration, in successive halving), much as the search's model was
    told it (paired with the incumbent of the time).
    """
    results = search.cv_results_
    metric = cv_results_metric(results, search.scoring, search.refit)
    scores = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    scores = np.where(np.isfinite(scores), scores, np.nan)
    raced = _raced_out(results)
    if not raced.any():
        return scores
    n_splits = int(np.max(results["n_splits_evaluated"]))
    folds = np.column_stack(
        [results[f"split{i}_test_{metric}"] for i in range(n_splits)]
    ).astype(float)
    groups = np.asarray(results.get("iter", np.zeros(len(scores), dtype=int)))
    for group in np.unique(groups[raced]):
        full = np.flatnonzero((groups == group) & ~raced & np.isfinite(scores))
        rows = np.flatnonzero((groups == group) & raced)
        if not full.size:  # nothing to pair with: no estimate
            scores[rows] = np.nan
            continue
        best = full[np.argmax(scores[full])]
        differences = folds[rows] - folds[best]
        scores[rows] = scores[best] + np.nanmean(differences, axis=1)
    return scores


class _Observed(NamedTuple):
    """The candidates of a search, per parameter."""

    names: list[str]
    dims: list[Dimension]
    points: list[dict]
    scores: np.ndarray  # NaN for failed candidates
    raced: np.ndarray | None = None  # raced out: never the best

    @property
    def best(self) -> int | None:
        eligible = np.isfinite(self.scores)
        if self.raced is not None:
            eligible &= ~self.raced
        if not eligible.any():
            return None
        return int(np.flatnonzero(eligible)[np.argmax(self.scores[eligible])])

    def values(self, name: str) -> tuple[np.ndarray, list]:
        """Rows where ``name`` is set, and its values there."""
        rows = [i for i, p in enumerate(self.points) if name in p]
        return np.array(rows, dtype=np.intp), [self.points[i][name] for i in rows]

    def encode(self, points=None) -> np.ndarray:
        """Unit-cube encoding of ``points`` (default: the candidates),
        ndarray of shape (n_points, n_params)."""
        points = self.points if points is None else points
        X = np.full((len(points), len(self.names)), _INACTIVE)
        for j, (name, dim) in enumerate(zip(self.names, self.dims, strict=True)):
            rows = [i for i, p in enumerate(points) if name in p]
            if rows:
                X[rows, j] = dim.to_unit([points[i][name] for i in rows])
        return X

    def decode(self, row: np.ndarray) -> dict:
        """The parameter dict of one encoded row (inactive columns left out)."""
        return {
            name: dim.from_unit(np.array([u]))[0]
            for name, dim, u in zip(self.names, self.dims, row, strict=True)
            if u != _INACTIVE
        }


def _observed(obj, caller_name: str) -> _Observed:
    """Every searched parameter of a fitted search or an ``OptimizeResult``,
    with its dimension."""
    if _is_result(obj):
        declared, points = _read_result(obj, caller_name)
        scores = -np.asarray(obj.func_vals, dtype=float)  # skopt minimizes
        scores, raced = np.where(np.isfinite(scores), scores, np.nan), None
    elif hasattr(obj, "get_params"):
        check_is_fitted(obj, "cv_results_")
        declared, points = _declared_dimensions(obj), list(obj.cv_results_["params"])
        scores, raced = _scores(obj), _raced_out(obj.cv_results_)
    else:
        raise TypeError(
            f"{caller_name} needs a fitted search estimator (with cv_results_) or "
            "an OptimizeResult (with x_iters, func_vals and space, such as "
            f"search.optimizer_results_[0]). Got {_short(obj)}."
        )
    seen = dict.fromkeys(name for p in points for name in p)
    names = [n for n in declared if n in seen] + [n for n in seen if n not in declared]
    observed = _Observed(names, [], points, scores, raced)
    for name in names:
        values = observed.values(name)[1]
        dim = declared.get(name)
        if dim is None or not all(_fits(dim, v) for v in values):
            dim = _dimension_of_values(values)
        observed.dims.append(dim)
    return observed


def _read_result(result, caller_name: str) -> tuple[dict[str, Dimension], list[dict]]:
    """Dimensions by name, and ``x_iters`` as parameter dicts, of a result.

    ``result.space`` is a sksmbo :class:`~sksmbo.space.Space` (``x_iters`` hold
    values in sorted-name order, one sub-space's names per point) or
    scikit-optimize's own ``Space`` (values in dimension order, names from
    ``Dimension.name``).
    """
    space = result.space
    if isinstance(space, Space):
        subspaces = [list(sub) for sub in space.subspaces]
    elif hasattr(space, "dimensions"):
        named = [(d.name or f"X_{i}", d) for i, d in enumerate(space.dimensions)]
        subspaces = [[(name, coerce_dimension(d, name)) for name, d in named]]
    else:
        raise TypeError(
            f"The 'space' of the OptimizeResult passed to {caller_name} must be a "
            f"sksmbo or scikit-optimize Space. Got {_short(space)}."
        )
    declared: dict[str, Dimension] = {}
    for sub in subspaces:
        for name, dim in sub:
            declared.setdefault(name, dim)
    points = []
    for i, x in enumerate(result.x_iters):
        x = list(x)
        fitting = [s for s in subspaces if len(s) == len(x)]
        sub = next((s for s in fitting if _fits_all(s, x, strict=True)), None)
        sub = sub or next((s for s in fitting if _fits_all(s, x)), None)
        sub = sub or (fitting[0] if fitting else None)  # values outside: derived
        if sub is None:
            raise ValueError(
                f"x_iters[{i}] of the OptimizeResult passed to {caller_name} has "
                f"{len(x)} values; its space has sub-spaces of "
                f"{sorted({len(s) for s in subspaces})} parameters."
            )
        points.append({name: v for (name, _), v in zip(sub, x, strict=True)})
    return declared, points


def _fits_all(sub, x: list, strict: bool = False) -> bool:
    """True when the values ``x`` fit the sub-space's dimensions; ``strict``
    also wants integers for Integer and non-integers for Real dimensions, which
    tells ``[0, "y"]`` from an ``{"a": Real, ...}`` and a ``{"b": Integer, ...}``
    sub-space apart."""
    for (_, dim), v in zip(sub, x, strict=True):
        if not _fits(dim, v):
            return False
        integral = isinstance(v, numbers.Integral)
        if (
            strict
            and isinstance(dim, Integer | Real)
            and integral != isinstance(dim, Integer)
        ):
            return False
    return True


def _is_constant(dim: Dimension) -> bool:
    return dim.is_discrete and dim.n_levels == 1


def _select(obs: _Observed, params, plot_dims, caller_name: str) -> list[int]:
    """Positions in ``obs.names`` of the parameters to show.

    ``params`` (sksmbo's name) and ``plot_dims`` (scikit-optimize's) both take
    names or positions in ``obs.names``; by default every parameter that
    takes more than one value (all of them when none does).
    """
    if params is not None and plot_dims is not None:
        raise ValueError(
            f"{caller_name} takes 'params' or its scikit-optimize alias "
            "'plot_dims', not both."
        )
    key, chosen = ("params", params) if params is not None else ("plot_dims", plot_dims)
    if chosen is None:
        varying = [j for j, d in enumerate(obs.dims) if not _is_constant(d)]
        return varying or list(range(len(obs.names)))
    single = isinstance(chosen, str | numbers.Integral)
    chosen = [chosen] if single else list(chosen)
    idx = [_position(obs.names, c) for c in chosen]
    if not chosen or None in idx:
        raise ValueError(
            f"The {key!r} parameter of {caller_name} must list searched parameters "
            f"(names or positions) among {obs.names!r}. Got {_short(chosen)} instead."
        )
    return idx


def _position(names: list[str], item) -> int | None:
    """Position of a parameter given by name or index, None when unknown."""
    if isinstance(item, numbers.Integral) and not isinstance(item, bool):
        return int(item) if 0 <= item < len(names) else None
    return names.index(item) if isinstance(item, str) and item in names else None


def _axis_labels(obs: _Observed, idx, dimensions, caller_name: str) -> list[str]:
    """Axis labels: scikit-optimize's ``dimensions``, else the parameter names."""
    names = [obs.names[c] for c in idx]
    if dimensions is None:
        return names
    labels = [dimensions] if isinstance(dimensions, str) else list(dimensions)
    if len(labels) != len(names):
        raise ValueError(
            f"The 'dimensions' parameter of {caller_name} must have one label per "
            f"plotted parameter ({len(names)}: {names!r}). Got {_short(labels)} "
            "instead."
        )
    return [str(label) for label in labels]


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


def _format_axis(
    ax, axis: str, dim: Dimension, coords, name: str | None, rotation=None
) -> None:
    """Scale, limits, category ticks and label of one axis ("x" or "y")."""
    set_lim, set_label = getattr(ax, f"set_{axis}lim"), getattr(ax, f"set_{axis}label")
    if _is_log(dim):
        getattr(ax, f"set_{axis}scale")("log")
    if isinstance(dim, Categorical):
        ticks = range(dim.n_levels)
        labels = [_label(c) for c in dim.categories]
        getattr(ax, f"set_{axis}ticks")(
            ticks,
            labels,
            rotation=rotation if rotation is not None else 45 if axis == "x" else 0,
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


def _final_level(results) -> np.ndarray | None:
    """Rows of a successive-halving search at its largest resource level, or
    None for a search without an ``n_resources`` column."""
    if "n_resources" not in results:
        return None
    n_resources = np.asarray(results["n_resources"])
    return np.flatnonzero(n_resources == n_resources.max())


def _curve_scores(obj) -> np.ndarray:
    """Scores in evaluation order from a search or a scikit-optimize result.

    A successive-halving search contributes its candidates at the final
    resource level only: scores on smaller subsets are noisier and biased
    (issue 23: a 12-sample rung reached 1.0 where ``best_score_`` was 0.947),
    and ``best_score_`` itself is chosen at the final level.
    """
    if hasattr(obj, "func_vals"):  # scipy OptimizeResult, skopt's format
        scores = -np.asarray(obj.func_vals, dtype=float)  # skopt minimizes
        return np.where(np.isfinite(scores), scores, np.nan)
    if hasattr(obj, "get_params"):
        check_is_fitted(obj, "cv_results_")
        final = _final_level(obj.cv_results_)
        # A raced-out candidate never improves the best so far (best_score_
        # is a full cross-validated mean).
        scores = np.where(_raced_out(obj.cv_results_), np.nan, _scores(obj))
        return scores if final is None else scores[final]
    raise TypeError(
        "plot_convergence takes fitted searches, OptimizeResults, lists of them "
        f"(several runs) or (label, search) tuples. Got {_short(obj)}."
    )


def _default_label(obj) -> str | None:
    if isinstance(obj, list | tuple):
        return _default_label(obj[0]) if obj else None
    if hasattr(obj, "func_vals"):
        return None
    label = type(obj).__name__
    final = _final_level(getattr(obj, "cv_results_", {}))
    if final is not None and len(final):
        label += f" (n_resources={obj.cv_results_['n_resources'][final[0]]})"
    return label


def _best_so_far(obj) -> np.ndarray:
    """Best score after each candidate; several runs padded with their last value."""
    if not isinstance(obj, list | tuple):
        return np.fmax.accumulate(_curve_scores(obj))[None, :]
    if not obj:
        raise ValueError("plot_convergence got an empty list of runs.")
    curves = [np.fmax.accumulate(_curve_scores(o)) for o in obj]
    n = max(len(c) for c in curves)
    return np.array([np.pad(c, (0, n - len(c)), mode="edge") for c in curves])


def plot_convergence(
    *searches_or_results, true_minimum=None, yscale=None, ax=None, labels=None
):
    """Plot the best score found so far against the number of candidates.

    Parameters
    ----------
    *searches_or_results : search, OptimizeResult, list or (str, object) tuple
        What to plot, one curve each: a fitted search (sksmbo's, or
        scikit-learn's ``GridSearchCV`` / ``RandomizedSearchCV`` in the order
        of ``cv_results_``), a :class:`scipy.optimize.OptimizeResult` in
        scikit-optimize's format (its ``func_vals`` are negated scores), a
        list of these (several runs: each drawn thin, their mean bold), or a
        ``(label, object)`` tuple. A successive-halving search (one with an
        ``n_resources`` column, such as
        :class:`~sksmbo.HalvingBayesSearchCV`) contributes only its
        candidates at the largest resource level, in evaluation order:
        scores measured on fewer samples are noisier and not comparable
        (a small first rung easily scores 1.0), and ``best_score_`` is chosen
        at that level, so the curve ends at ``best_score_``.
    true_minimum : float, default=None
        scikit-optimize's keyword: the known minimum of the objective, in
        scikit-optimize's sign (``func_vals``, the negated score). Drawn as
        a dashed line at ``-true_minimum`` on the score axis.
    yscale : str, default=None
        Scale of the y axis (``"linear"``, ``"log"``, ...), as in
        scikit-optimize; the current scale when None.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.
    labels : list of str, default=None
        One legend label per curve, overriding the tuples' labels and the
        default ones (the search's class name, with the resource level of a
        halving search).

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
                f"per curve ({len(items)}). Got {_short(labels)} instead."
            )
        items = [(label, obj) for label, (_, obj) in zip(labels, items, strict=True)]
    if true_minimum is not None and not is_number(true_minimum):
        raise ValueError(
            "The 'true_minimum' parameter of plot_convergence must be a number. "
            f"Got {_short(true_minimum)} instead."
        )
    if ax is None:
        _, ax = plt.subplots()
    for label, obj in items:
        curves = _best_so_far(obj)
        x = np.arange(1, curves.shape[1] + 1)
        (line,) = ax.plot(x, np.mean(curves, axis=0), marker=".", lw=2, label=label)
        if len(curves) > 1:
            ax.plot(x, curves.T, color=line.get_color(), lw=0.7, alpha=0.3)
    if true_minimum is not None:
        ax.axhline(-true_minimum, ls="--", color="red", lw=1, label="Best possible")
    if yscale is not None:
        ax.set_yscale(yscale)
    ax.set_xlabel("Number of candidates evaluated")
    ax.set_ylabel("Best mean test score so far")
    ax.set_title("Convergence")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, alpha=0.3)
    if true_minimum is not None or any(label is not None for label, _ in items):
        ax.legend()
    return ax


def _is_labelled(obj) -> bool:
    return isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], str)


# -- grids of parameters -----------------------------------------------------------


def _grid_of_axes(plt, n: int, caller_name: str, *, size, wspace, hspace, ax):
    """A figure and an (n, n) array of axes, the upper triangle hidden.

    ``size`` (inches per panel), ``wspace``, ``hspace`` (padding as a fraction
    of the average panel, as ``Figure.subplots_adjust``) and ``ax`` (one Axes
    whose place the grid takes, or an (n, n) array of Axes) are
    scikit-optimize's. Without ``wspace``/``hspace``, a constrained layout.
    """
    if isinstance(ax, np.ndarray):
        if ax.shape != (n, n):
            raise ValueError(
                f"The 'ax' parameter of {caller_name} must be one Axes or an array "
                f"of Axes of shape "
                f"({n}, {n}). Got an array of shape {ax.shape}."
            )
        fig, axes = ax.flat[0].figure, ax
    elif ax is not None:
        spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
        if spec is None:
            raise ValueError(
                f"The 'ax' parameter of {caller_name} must be one Axes of a grid "
                "(from plt.subplots or add_subplot) or an array of Axes. Got "
                f"{_short(ax)}."
            )
        fig, grid = ax.figure, spec.subgridspec(n, n, wspace=wspace, hspace=hspace)
        ax.remove()
        axes = np.array(
            [[fig.add_subplot(grid[i, j]) for j in range(n)] for i in range(n)]
        )
    else:
        side = (
            max(3.5, 2.2 * n)
            if size is None
            else _positive(size, "size", caller_name) * n
        )
        spacing = {"wspace": wspace, "hspace": hspace}
        layout = {}
        if wspace is None and hspace is None:
            layout = {"layout": "constrained"}
        else:
            layout = {
                "gridspec_kw": {k: v for k, v in spacing.items() if v is not None}
            }
        fig, axes = plt.subplots(n, n, figsize=(side, side), squeeze=False, **layout)
    for i in range(n):
        for j in range(i + 1, n):
            axes[i, j].set_axis_off()
    return fig, axes


def _positive(value, name: str, caller_name: str) -> float:
    if not is_number(value) or not value > 0:
        raise ValueError(
            f"The {name!r} parameter of {caller_name} must be a positive number. "
            f"Got {_short(value)} instead."
        )
    return float(value)


def _check_int(value, name: str, caller_name: str, low: int) -> int:
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool)
        or value < low
    ):
        raise ValueError(
            f"The {name!r} parameter of {caller_name} must be an int >= {low}. "
            f"Got {_short(value)} instead."
        )
    return int(value)


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


# -- plot_evaluations --------------------------------------------------------------


def plot_evaluations(
    result,
    bins=20,
    *,
    dimensions=None,
    plot_dims=None,
    size=None,
    wspace=None,
    hspace=None,
    cmap="viridis",
    ax=None,
    params=None,
):
    """Plot where the search sampled: a pairwise grid of the evaluated values.

    The diagonal holds a histogram of each parameter's values; below it, one
    scatter plot per pair of parameters, points coloured by evaluation order
    (dark first) and the best candidate marked with a red star. Numeric axes
    are in the parameter's units, on a log scale for log-uniform dimensions;
    categorical parameters are placed at their category's index. The
    arguments are scikit-optimize's (same order and meaning), plus
    ``params``.

    Parameters
    ----------
    result : fitted search estimator or OptimizeResult
        A sksmbo search or a scikit-learn ``*SearchCV``, or a
        :class:`scipy.optimize.OptimizeResult` in scikit-optimize's format
        (such as ``search.optimizer_results_[0]``, or scikit-optimize's own).
    bins : int, default=20
        Number of histogram bins of numeric parameters.
    dimensions : list of str, default=None
        Axis labels, one per plotted parameter; the parameter names when
        None.
    plot_dims : list of str or int, default=None
        Parameters to show, in order, by name or by position (in sorted-name
        order, the order of ``x_iters``); every parameter that takes more
        than one value when None (all of them when none does).
    size : float, default=None
        Height and width in inches of each panel; about 2.2 when None.
        Ignored when ``ax`` is given.
    wspace, hspace : float, default=None
        Horizontal and vertical padding between panels, as a fraction of the
        average panel width and height; a constrained layout when both are
        None.
    cmap : str or Colormap, default="viridis"
        Colour map of the evaluation order.
    ax : matplotlib Axes or ndarray of Axes, default=None
        One Axes whose place the grid takes, or an array of Axes of shape
        (n_params, n_params) to draw on; a new figure when None.
    params : list of str, default=None
        sksmbo's name for ``plot_dims`` (give one or the other).

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (n_params, n_params)
        The grid; axes above the diagonal are hidden.

    See Also
    --------
    plot_histogram : The histogram of one parameter.
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
    >>> plot_evaluations(search.optimizer_results_[0], plot_dims=["C"]).shape
    (1, 1)
    """
    plt = _check_matplotlib("plot_evaluations")
    bins = _check_int(bins, "bins", "plot_evaluations", 1)
    obs = _observed(result, "plot_evaluations")
    idx = _select(obs, params, plot_dims, "plot_evaluations")
    labels = _axis_labels(obs, idx, dimensions, "plot_evaluations")
    names, dims = [obs.names[c] for c in idx], [obs.dims[c] for c in idx]
    rows = [obs.values(name)[0] for name in names]
    coords = [
        _coords(dim, obs.values(name)[1]) for name, dim in zip(names, dims, strict=True)
    ]
    n = len(idx)
    _, axes = _grid_of_axes(
        plt, n, "plot_evaluations", size=size, wspace=wspace, hspace=hspace, ax=ax
    )
    for i in range(n):
        _histogram(axes[i, i], dims[i], coords[i], bins)
        axes[i, i].yaxis.tick_right()
        for j in range(i):
            both, ri, rj = np.intersect1d(rows[i], rows[j], return_indices=True)
            x, y = coords[j][rj], coords[i][ri]
            axes[i, j].scatter(x, y, c=both, s=12, cmap=cmap)
            best = np.flatnonzero(both == obs.best)
            axes[i, j].scatter(x[best], y[best], c="red", s=90, marker="*", lw=0)
    _format_grid(axes, labels, dims, coords)
    return axes


def _format_grid(axes, labels, dims, coords) -> None:
    """Axis scales, limits and labels of a lower-triangular grid of parameters."""
    n = len(labels)
    for i in range(n):
        for j in range(i + 1):
            ax = axes[i, j]
            _format_axis(ax, "x", dims[j], coords[j], labels[j] if i == n - 1 else None)
            if j < i:
                _format_axis(ax, "y", dims[i], coords[i], labels[i] if j == 0 else None)
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


# -- plot_histogram ----------------------------------------------------------------


def plot_histogram(result, dimension_identifier, bins=20, rotate_labels=0, ax=None):
    """Plot a histogram of the values one parameter took.

    scikit-optimize's ``plot_histogram``, with the same arguments. Numeric
    parameters get ``bins`` bins over the dimension's range (log-spaced, on a
    log axis, for log-uniform dimensions; one bar per value for small integer
    ranges); a categorical parameter gets one bar per category, in the
    dimension's order, including categories never evaluated.

    Parameters
    ----------
    result : fitted search estimator or OptimizeResult
        A sksmbo search or a scikit-learn ``*SearchCV``, or a
        :class:`scipy.optimize.OptimizeResult` in scikit-optimize's format
        (such as ``search.optimizer_results_[0]``, or scikit-optimize's own).
    dimension_identifier : str or int
        The parameter, by name or by position (in sorted-name order, the
        order of ``x_iters``).
    bins : int, default=20
        Number of bins of a numeric parameter.
    rotate_labels : float, default=0
        Rotation in degrees of the category names on the x axis (categorical
        parameters only).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    plot_evaluations : Histograms and pairwise scatter plots of every parameter.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.plots import plot_histogram
    >>> X, y = load_iris(return_X_y=True)
    >>> search = QuasiRandomSearchCV(
    ...     SVC(), {"C": (1e-2, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]},
    ...     n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> ax = plot_histogram(search.optimizer_results_[0], "kernel")
    >>> kernels = list(search.cv_results_["param_kernel"])
    >>> [int(bar.get_height()) for bar in ax.patches] == [
    ...     kernels.count("rbf"), kernels.count("linear")]
    True
    """
    plt = _check_matplotlib("plot_histogram")
    bins = _check_int(bins, "bins", "plot_histogram", 1)
    if not is_number(rotate_labels):
        raise ValueError(
            "The 'rotate_labels' parameter of plot_histogram must be a number of "
            f"degrees. Got {_short(rotate_labels)} instead."
        )
    obs = _observed(result, "plot_histogram")
    col = _position(obs.names, dimension_identifier)
    if col is None:
        raise ValueError(
            "The 'dimension_identifier' parameter of plot_histogram must be a "
            f"parameter name or position among {obs.names!r}. Got "
            f"{_short(dimension_identifier)} instead."
        )
    name, dim = obs.names[col], obs.dims[col]
    coords = _coords(dim, obs.values(name)[1])
    if ax is None:
        _, ax = plt.subplots(layout="constrained")
    _histogram(ax, dim, coords, bins)
    _format_axis(ax, "x", dim, coords, name, rotation=rotate_labels)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts
    ax.set_ylabel("Number of candidates")
    return ax


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


def _background(X: np.ndarray, cols, n_max: int) -> np.ndarray | None:
    """Rows that set every parameter in ``cols``, at most ``n_max`` (evenly spaced)."""
    B = X[np.all(X[:, cols] != _INACTIVE, axis=1)]
    if len(B) > n_max:
        B = B[np.linspace(0, len(B) - 1, n_max).astype(np.intp)]
    return B if len(B) else None


def _random_rows(obs: _Observed, X: np.ndarray, n: int, rng) -> np.ndarray:
    """``n`` uniform draws from the unit cube, snapped to each dimension's values;
    each draw sets the parameters one evaluated candidate sets (conditional
    spaces keep their structure)."""
    U = rng.uniform(size=(n, len(obs.names)))
    for j, dim in enumerate(obs.dims):
        if dim.is_discrete:
            U[:, j] = dim.snap_unit(U[:, j])
    active = X[rng.integers(len(X), size=n)] != _INACTIVE
    return np.where(active, U, _INACTIVE)


_EXPECTED = ("expected_minimum", "expected_minimum_random")


def _point_rows(obs, value, name: str, model, X: np.ndarray, n_search: int):
    """One encoded row for ``sample_source`` / ``minimum`` given as a string
    or as values (a list in ``obs.names`` order or a dict)."""
    if isinstance(value, str):
        if value == "result":
            return X[[obs.best]]
        if value in _EXPECTED:
            return _expected_best(obs, model, X, n_search)
        raise ValueError(
            f"The {name!r} parameter of plot_objective must be 'result', "
            f"'expected_minimum', 'expected_minimum_random', a list of values or "
            f"a dict. Got {_short(value)} instead."
        )
    if isinstance(value, Mapping):
        point = dict(value)
    elif isinstance(value, list | tuple | np.ndarray) and len(value) == len(obs.names):
        point = dict(zip(obs.names, value, strict=True))
    else:
        raise ValueError(
            f"The {name!r} parameter of plot_objective must hold one value per "
            f"parameter of {obs.names!r} (a list in that order, or a dict). Got "
            f"{_short(value)} instead."
        )
    for key, v in point.items():
        j = obs.names.index(key) if key in obs.names else None
        if j is None or not _fits(obs.dims[j], v):
            raise ValueError(
                f"The {name!r} parameter of plot_objective sets {key!r} to "
                f"{_short(v)}, outside the searched parameters and their "
                "dimensions."
            )
    return obs.encode([point])


def _expected_best(obs: _Observed, model, X: np.ndarray, n_search: int) -> np.ndarray:
    """The row with the highest predicted score among the evaluated candidates
    and ``n_search`` random draws (scikit-optimize's ``expected_minimum``: it
    minimizes the negated score), predicted in chunks of 10,000 rows."""
    rng = np.random.default_rng(0)
    best_row, best = X[:1], -np.inf
    todo = n_search
    candidates = X
    while True:
        pred = model.predict(candidates)
        k = int(np.argmax(pred))
        if pred[k] > best:
            best_row, best = candidates[[k]], pred[k]
        if todo <= 0:
            return best_row
        chunk = min(todo, 10_000)
        candidates, todo = _random_rows(obs, X, chunk, rng), todo - chunk


def plot_objective(
    result,
    levels=10,
    n_points=40,
    *,
    n_samples=250,
    size=None,
    wspace=None,
    hspace=None,
    zscale="linear",
    dimensions=None,
    sample_source="evaluated",
    minimum="result",
    n_minimum_search=None,
    plot_dims=None,
    show_points=True,
    cmap="viridis",
    ax=None,
    params=None,
    model=None,
):
    """Plot the partial dependence of the score on each parameter and pair.

    A surrogate is fitted to the evaluated candidates (the unit-cube encoding
    of their parameters against their mean test score) and its partial
    dependence plotted: on the diagonal, the predicted score against one
    parameter, averaged over the other parameters of the sample rows (see
    ``sample_source``); below it, the same over a pair of parameters as a
    filled contour (a colour mesh when a parameter is categorical), with the
    candidates as black dots and the best (see ``minimum``) as a red star.
    All panels share one colour scale. The arguments are scikit-optimize's
    (same order and meaning, in the score's sign: higher is better), plus
    ``params`` and ``model``.

    Parameters
    ----------
    result : fitted search estimator or OptimizeResult
        A sksmbo search or a scikit-learn ``*SearchCV``, or a
        :class:`scipy.optimize.OptimizeResult` in scikit-optimize's format
        (such as ``search.optimizer_results_[0]``, or scikit-optimize's own).
        A result's ``models`` are not used: the surrogate is always fitted
        here, so that a search and its result give the same figure.
    levels : int or array-like, default=10
        Number of contour levels (evenly spaced over the range of the partial
        dependence), or the increasing level values themselves.
    n_points : int, default=40
        Grid points per numeric parameter (every category is shown).
    n_samples : int, default=250
        Number of sample rows the dependence averages over:
        random draws for ``sample_source="random"``, at most this many
        evaluated candidates (evenly spaced) for ``"evaluated"``.
    size : float, default=None
        Height and width in inches of each panel; about 2.2 when None.
        Ignored when ``ax`` is given.
    wspace, hspace : float, default=None
        Horizontal and vertical padding between panels, as a fraction of the
        average panel width and height; a constrained layout when both are
        None.
    zscale : {"linear", "log"}, default="linear"
        Scale of the colours (and of the diagonal's y axis). ``"log"`` needs
        a positive partial dependence everywhere (for example accuracy, not
        a negated error).
    dimensions : list of str, default=None
        Axis labels, one per plotted parameter; the parameter names when
        None.
    sample_source : str, list or dict, default="evaluated"
        The rows the dependence averages over. ``"evaluated"`` (sksmbo's
        default): the evaluated candidates, where the surrogate is
        trustworthy. ``"random"`` (scikit-optimize's default): ``n_samples``
        uniform draws from the space (seeded, so the figure is
        reproducible). ``"result"``: the best candidate only (a slice
        through it rather than an average). ``"expected_minimum"`` or
        ``"expected_minimum_random"``: the point with the best predicted
        score (see ``minimum``). A list of values (one per parameter, in
        sorted-name order as ``x_iters``) or a dict: that point.
    minimum : str, list or dict, default="result"
        Where the red star and the diagonal's dashed line go. ``"result"``:
        the best evaluated candidate. ``"expected_minimum"`` and
        ``"expected_minimum_random"`` (scikit-optimize's names: it minimizes
        the negated score): the point with the highest predicted score among
        the evaluated candidates and ``n_minimum_search`` random draws; both
        are computed by this sampling (scikit-optimize's gradient-based
        ``"expected_minimum"`` is not), so categorical parameters work with
        either. A list of values or a dict, as for ``sample_source``.
    n_minimum_search : int, default=None
        Number of random draws searched for ``"expected_minimum"`` and
        ``"expected_minimum_random"``; 10,000 when None. Unused otherwise
        (scikit-optimize's example passes ``int(1e8)`` with the default
        ``minimum``: accepted and unused).
    plot_dims : list of str or int, default=None
        Parameters to show, in order, by name or by position (in sorted-name
        order, the order of ``x_iters``); every parameter that takes more
        than one value when None (all of them when none does). The
        surrogate always uses all of them.
    show_points : bool, default=True
        Whether to draw the evaluated candidates on the contour panels.
    cmap : str or Colormap, default="viridis"
        Colour map of the contours; with the default, brighter is a higher
        score (scikit-optimize's ``"viridis_r"`` does the same for its
        minimized objective).
    ax : matplotlib Axes or ndarray of Axes, default=None
        One Axes whose place the grid takes, or an array of Axes of shape
        (n_params, n_params) to draw on; a new figure when None.
    params : list of str, default=None
        sksmbo's name for ``plot_dims`` (give one or the other).
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
    Model-based searches sample more densely near the optimum, so with the
    default ``sample_source="evaluated"`` this is the dependence around the
    region the search explored, not over a uniform sample of the space
    (``sample_source="random"`` gives that, where the surrogate may be a
    guess).

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
    >>> axes = plot_objective(search.optimizer_results_[0], n_points=10,
    ...                       dimensions=["C (penalty)", "gamma"])
    >>> axes[1, 0].get_xlabel()
    'C (penalty)'
    """
    caller = "plot_objective"
    plt = _check_matplotlib(caller)
    n_points = _check_int(n_points, "n_points", caller, 2)
    n_samples = _check_int(n_samples, "n_samples", caller, 1)
    if n_minimum_search is not None:
        n_minimum_search = _check_int(n_minimum_search, "n_minimum_search", caller, 1)
    if zscale not in ("linear", "log"):
        raise ValueError(
            "The 'zscale' parameter of plot_objective must be 'linear' or 'log'. "
            f"Got {_short(zscale)} instead."
        )
    obs = _observed(result, caller)
    idx = _select(obs, params, plot_dims, caller)
    labels = _axis_labels(obs, idx, dimensions, caller)
    X, y = _training_data(obs, caller)
    surrogate = _default_surrogate(X) if model is None else clone(model)
    _fit_quietly(surrogate, X, y)
    n_search = 10_000 if n_minimum_search is None else n_minimum_search
    X_all = obs.encode()
    if isinstance(sample_source, str) and sample_source == "evaluated":
        B_all = X_all
    elif isinstance(sample_source, str) and sample_source == "random":
        B_all = _random_rows(obs, X_all, n_samples, np.random.default_rng(0))
    else:
        B_all = _point_rows(
            obs, sample_source, "sample_source", surrogate, X_all, n_search
        )
    star = _point_rows(obs, minimum, "minimum", surrogate, X_all, n_search)[0]
    grids = [_unit_grid(obs.dims[c], n_points) for c in idx]
    pd = {}
    for a in range(len(idx)):
        for b in range(a + 1):
            cols = [idx[a]] if a == b else [idx[a], idx[b]]
            B = _background(B_all, cols, n_samples)
            if B is not None:
                pd[a, b] = _partial_dependence(
                    surrogate, B, cols, [grids[k] for k in ([a] if a == b else [a, b])]
                )
    style = _ContourStyle(levels, zscale, cmap, show_points)
    kw = {"size": size, "wspace": wspace, "hspace": hspace, "ax": ax}
    return _draw_objective(plt, obs, idx, labels, grids, pd, star, style, kw)


class _ContourStyle(NamedTuple):
    levels: object
    zscale: str
    cmap: object
    show_points: bool


def _contour_levels(style: _ContourStyle, vmin: float, vmax: float):
    """Level values shared by every panel, and the colour norm."""
    from matplotlib.colors import LogNorm, Normalize

    if style.zscale == "log" and not vmin > 0:
        raise ValueError(
            "zscale='log' in plot_objective needs a positive partial dependence; "
            f"it ranges over [{vmin:.3g}, {vmax:.3g}]. Use zscale='linear'."
        )
    norm = LogNorm(vmin, vmax) if style.zscale == "log" else Normalize(vmin, vmax)
    if not is_number(style.levels):
        levels = np.asarray(style.levels, dtype=float)
        if levels.ndim != 1 or len(levels) < 2 or np.any(np.diff(levels) <= 0):
            raise ValueError(
                "The 'levels' parameter of plot_objective must be an int >= 1 or "
                f"increasing level values. Got {_short(style.levels)} instead."
            )
        return levels, norm
    n = _check_int(style.levels, "levels", "plot_objective", 1)
    if not vmax > vmin:
        return None, norm
    space = np.geomspace if style.zscale == "log" else np.linspace
    return space(vmin, vmax, n + 1), norm


def _draw_objective(plt, obs: _Observed, idx, labels, grids, pd, star, style, kw):
    names, dims = [obs.names[c] for c in idx], [obs.dims[c] for c in idx]
    coords = [_coords_of_unit(dim, g) for dim, g in zip(dims, grids, strict=True)]
    rows = [obs.values(name)[0] for name in names]
    seen = [
        _coords(dim, obs.values(name)[1]) for name, dim in zip(names, dims, strict=True)
    ]
    marked = [
        None if star[c] == _INACTIVE else _coords_of_unit(obs.dims[c], star[[c]])[0]
        for c in idx
    ]
    values = np.concatenate([z.ravel() for z in pd.values()])
    vmin, vmax = float(values.min()), float(values.max())
    levels, norm = _contour_levels(style, vmin, vmax)
    fig, axes = _grid_of_axes(plt, len(idx), "plot_objective", **kw)
    mappable = None
    for (a, b), z in pd.items():
        ax = axes[a, b]
        if a == b:
            ax.plot(coords[a], z, "o" if isinstance(dims[a], Categorical) else "-")
            if marked[a] is not None:
                ax.axvline(marked[a], color="red", ls="--", lw=1)
            if style.zscale == "log":
                ax.set_yscale("log")
            if vmax > vmin:
                ax.set_ylim(vmin, vmax)
            ax.yaxis.tick_right()
            continue
        numeric = not any(isinstance(d, Categorical) for d in (dims[a], dims[b]))
        if numeric and levels is not None and min(z.shape) > 1:
            mappable = ax.contourf(
                coords[b], coords[a], z, levels=levels, norm=norm, cmap=style.cmap
            )
        else:
            mappable = ax.pcolormesh(
                coords[b], coords[a], z, shading="nearest", norm=norm, cmap=style.cmap
            )
        if style.show_points:
            _, ra, rb = np.intersect1d(rows[a], rows[b], return_indices=True)
            ax.scatter(seen[b][rb], seen[a][ra], c="k", s=6)
        if marked[a] is not None and marked[b] is not None:
            ax.scatter(marked[b], marked[a], c="red", s=90, marker="*")
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
    _format_grid(axes, labels, dims, seen)
    if mappable is not None:
        fig.colorbar(
            mappable, ax=axes, shrink=0.6, label="Partial dependence (mean test score)"
        )
    return axes


# -- plot_importance --------------------------------------------------------------


def plot_importance(result, ax=None):
    """Plot how much each parameter matters to the score.

    A random forest is fitted to the evaluated candidates (the unit-cube
    encoding of their parameters against their mean test score); a
    parameter's importance is the drop in the forest's R² on those candidates
    when the parameter's column is shuffled (permutation importance, 10
    repeats, seeded), with its standard deviation as an error bar.

    Parameters
    ----------
    result : fitted search estimator or OptimizeResult
        A sksmbo search or a scikit-learn ``*SearchCV``, or a
        :class:`scipy.optimize.OptimizeResult` in scikit-optimize's format
        (such as ``search.optimizer_results_[0]``, or scikit-optimize's own).
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

    obs = _observed(result, "plot_importance")
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
