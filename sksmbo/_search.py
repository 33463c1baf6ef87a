"""The SMBO search base class and the search estimators built on it.

Every estimator here is a ``BaseSearchCV``: scikit-learn does the
cross-validation, scoring, refit and ``cv_results_``. What is ours is the
order in which candidates are asked for: one shared ``_run_search`` loop
(ask, evaluate, read scores, tell) over an :class:`~sksmbo.Optimizer` that
each estimator builds in ``_make_optimizer``.
"""

from __future__ import annotations

import re
import warnings
from abc import abstractmethod
from collections.abc import Mapping
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from sksmbo._compat import (
    BaseSearchCV,
    Interval,
    StrOptions,
    all_fits_failed_error,
    close_search_context,
    evaluate_round,
    search_context,
    tolerate_failed_rounds,
)
from sksmbo._optimizer import Optimizer, warn_exhausted
from sksmbo._sampling import SAMPLERS
from sksmbo.space import Categorical, Space

_NON_FINITE = r"One or more of the (test|train) scores are non-finite"


class _BaseSMBOSearch(BaseSearchCV):
    """Shared loop of the sequential searches; subclasses build the optimizer."""

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "n_points": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter,
        n_points,
        scoring,
        n_jobs,
        refit,
        cv,
        verbose,
        pre_dispatch,
        random_state,
        error_score,
        return_train_score,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.n_iter = n_iter
        self.n_points = n_points
        self.random_state = random_state

    @abstractmethod
    def _make_optimizer(self, space: Space, n_iter: int, seed: int) -> Optimizer:
        """The optimizer for one (sub-)search of ``n_iter`` points."""

    def fit(self, X, y=None, *, callback=None, **params):
        """Run the search, then refit the best candidate on the whole data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        callback : callable or list of callables, default=None
            Called after every round with the optimizer's result so far
            (a ``scipy.optimize.OptimizeResult`` in scikit-optimize's format);
            a callback returning True stops the search.
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the
            CV splitter (e.g. ``groups``), as in ``GridSearchCV.fit``.

        Returns
        -------
        self : object
            The fitted search.
        """
        callbacks = [] if callback is None else callback
        callbacks = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
        for cb in callbacks:
            if not callable(cb):
                raise TypeError(f"The 'callback' parameter must be callable. Got {cb!r}.")
        self._callbacks = callbacks
        try:
            return super().fit(X, y, **params)
        finally:
            del self._callbacks

    @property
    def total_iterations(self) -> int:
        """Number of candidates the search evaluates if nothing stops it early."""
        return sum(n_iter for _, n_iter in self._plan())

    # -- checks ------------------------------------------------------------

    def _plan(self) -> list[tuple[Space, int]]:
        """(space, n_iter) per sub-search.

        A list holding scikit-optimize's ``(dict, n_iter)`` pairs runs one
        search per item, in order; any other list of dicts is one space of
        alternative sub-spaces, searched jointly with ``n_iter`` points.
        """
        spaces = self.search_spaces
        pairs = isinstance(spaces, list) and any(isinstance(s, tuple) for s in spaces)
        if not pairs:
            return [(Space(spaces), self.n_iter)]
        plan = []
        for item in spaces:
            sub, n_iter = item if isinstance(item, tuple) else (item, self.n_iter)
            if not isinstance(n_iter, Integral) or n_iter < 1:
                raise ValueError(
                    "In a (search_space, n_iter) pair of search_spaces, n_iter must be "
                    f"an int >= 1. Got {item!r}."
                )
            plan.append((Space(sub), int(n_iter)))
        return plan

    def _check_param_names(self, space: Space) -> None:
        valid = set(self.estimator.get_params(deep=True))
        for sub in space.to_dicts():
            for name in sub:
                if name not in valid and not _valid_under_replaced_step(name, sub):
                    raise ValueError(
                        f"Invalid parameter {name!r} in search_spaces for estimator "
                        f"{self.estimator!r}. Valid parameters are: {sorted(valid)!r}."
                    )

    # -- the search loop ---------------------------------------------------

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        plan = self._plan()
        for space, _ in plan:
            self._check_param_names(space)
        rng = check_random_state(self.random_state)
        optimizers = [
            self._make_optimizer(space, n_iter, int(rng.randint(2**31 - 1)))
            for space, n_iter in plan
        ]
        self.optimizer_results_ = []
        search_ctx = search_context(callback_ctx, self)

        def evaluate(points):
            return evaluate_round(evaluate_candidates, points, search_ctx, self)

        with tolerate_failed_rounds() as fits, warnings.catch_warnings():
            # sklearn warns once per round; the search warns once, at the end.
            warnings.filterwarnings("ignore", message=_NON_FINITE, category=UserWarning)
            results = None
            for optimizer, (_, n_iter) in zip(optimizers, plan):
                results, stop = self._search_one(optimizer, n_iter, evaluate, results)
                self.optimizer_results_.append(optimizer.result())
                if stop:
                    break
        close_search_context(search_ctx, self)
        if fits.n_fits and fits.n_failed == fits.n_fits:
            raise all_fits_failed_error(fits.n_fits)
        _warn_non_finite(results)

    def _search_one(self, optimizer, n_iter, evaluate, results):
        """Ask, evaluate, tell until ``n_iter`` points; return (results, stopped)."""
        batch = self.n_points or n_iter
        n_done = 0
        while n_done < n_iter:
            points = optimizer.ask(min(batch, n_iter - n_done))
            if not points:
                warn_exhausted(n_done, n_iter, stacklevel=7)  # the user's fit call
                break
            results = evaluate(points)
            optimizer.tell(points, *self._read_scores(results, len(points)))
            n_done += len(points)
            if any(cb(optimizer.result()) for cb in self._callbacks):
                return results, True
        return results, False

    def _read_scores(self, results, k):
        """The last ``k`` candidates' mean score and its variance over folds."""
        metric = _objective_metric(results, self.scoring, self.refit)
        mean = results[f"mean_test_{metric}"][-k:]
        std = results[f"std_test_{metric}"][-k:]
        # Not self.n_splits_: older scikit-learn (1.4) sets it after _run_search.
        split_key = re.compile(rf"split\d+_test_{re.escape(metric)}")
        n_splits = sum(1 for key in results if split_key.fullmatch(key))
        return mean, std**2 / max(n_splits, 1)


def _objective_metric(results, scoring, refit) -> str:
    """The metric the search maximizes: the refit metric, else the first one."""
    if "mean_test_score" in results:
        return "score"
    if isinstance(refit, str):
        return refit
    if isinstance(scoring, Mapping | list | tuple):
        return list(scoring)[0]
    return next(k[len("mean_test_"):] for k in results if k.startswith("mean_test_"))


def _warn_non_finite(results) -> None:
    for key, values in (results or {}).items():
        match = re.fullmatch(r"mean_(test|train)_\w+", key)
        if match and not np.all(np.isfinite(values)):
            warnings.warn(
                f"One or more of the {match.group(1)} scores are non-finite: {values}",
                UserWarning,
                stacklevel=6,  # the user's fit call
            )


def _valid_under_replaced_step(name: str, subspace: Mapping) -> bool:
    """``clf__C`` is valid when ``clf`` is itself searched over estimators that all
    have a ``C`` parameter (``{"clf": [SVC(), LogisticRegression()], "clf__C": ...}``).
    """
    parts = name.split("__")
    for cut in range(1, len(parts)):
        step, rest = "__".join(parts[:cut]), "__".join(parts[cut:])
        dim = subspace.get(step)
        if isinstance(dim, Categorical) and all(
            hasattr(c, "get_params") and rest in c.get_params(deep=True)
            for c in dim.categories
        ):
            return True
    return False


_COMMON_PARAMS = """\
    scoring : str, callable, list, tuple or dict, default=None
        Strategy to evaluate the performance of the cross-validated model on
        the test set, as in :class:`~sklearn.model_selection.GridSearchCV`.
        With several metrics the search maximizes the ``refit`` metric (the
        first metric when ``refit`` is not a metric name).

    n_jobs : int, default=None
        Number of jobs to run in parallel. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context. ``-1`` means using all
        processors.

    refit : bool, str, or callable, default=True
        Refit an estimator using the best found parameters on the whole
        dataset, as in :class:`~sklearn.model_selection.GridSearchCV`.

    cv : int, cross-validation generator or an iterable, default=None
        Determines the cross-validation splitting strategy, as in
        :class:`~sklearn.model_selection.GridSearchCV` (5-fold by default).

    verbose : int, default=0
        Controls the verbosity: the higher, the more messages.

    pre_dispatch : int, or str, default='2*n_jobs'
        Controls the number of jobs that get dispatched during parallel
        execution, as in :class:`~sklearn.model_selection.GridSearchCV`.

    random_state : int, RandomState instance or None, default=None
        Seeds the choice of candidates. Pass an int for reproducible output
        across multiple function calls, whatever ``n_jobs``.

    error_score : 'raise' or numeric, default=np.nan
        Value to assign to the score if an error occurs in estimator fitting.
        A failing candidate never stops the search: it is recorded with this
        score and its region avoided afterwards. Only when no fit of the whole
        search succeeds is an error raised.

    return_train_score : bool, default=False
        If ``False``, the ``cv_results_`` attribute will not include training
        scores.
"""

_COMMON_ATTRIBUTES = """\
    cv_results_ : dict of numpy (masked) ndarrays
        A dict with keys as column headers and values as columns, in the
        format of :class:`~sklearn.model_selection.RandomizedSearchCV`'s, one
        row per evaluated candidate in evaluation order.

    best_estimator_ : estimator
        Estimator refit on the whole data with the best found parameters.
        Not available if ``refit=False``.

    best_score_ : float
        Mean cross-validated score of the best candidate.

    best_params_ : dict
        Parameter setting that gave the best results on the hold out data.

    best_index_ : int
        The index (of the ``cv_results_`` arrays) of the best candidate.

    scorer_ : function or a dict
        Scorer function used on the held out data.

    n_splits_ : int
        The number of cross-validation splits (folds/iterations).

    refit_time_ : float
        Seconds used for refitting the best model on the whole dataset.

    multimetric_ : bool
        Whether or not the scorers compute several metrics.

    optimizer_results_ : list of scipy.optimize.OptimizeResult
        One result per sub-search, in scikit-optimize's format (``x_iters``,
        ``func_vals`` as negated scores, ``x``, ``fun``, ``space``).

    n_features_in_ : int
        Number of features seen during :term:`fit`, when the estimator
        exposes it.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when the estimator exposes
        them.
"""


class QuasiRandomSearchCV(_BaseSMBOSearch):
    """Search over parameters with a low-discrepancy (quasi-random) design.

    A drop-in for :class:`~sklearn.model_selection.RandomizedSearchCV`: the
    same ``param_distributions``-style input (dicts, lists of dicts, lists,
    ``scipy.stats`` distributions, estimators as categories), but candidates
    come from a scrambled Sobol', Halton or Latin hypercube design, which
    covers the space more evenly than independent random draws. Parameters
    given as lists are sampled without replacement; when the space has fewer
    than ``n_iter`` distinct points, each is evaluated once and a warning is
    raised.

    Parameters
    ----------
    estimator : estimator object
        An object of that type is instantiated for each candidate. It must
        provide a ``score`` function or ``scoring`` must be passed.

    search_spaces : dict or list of dicts
        Parameter names (``str``) mapped to what to search: a list of values,
        a ``(low, high)`` or ``(low, high, "log-uniform")`` tuple, a
        :class:`~sksmbo.space.Real` / :class:`~sksmbo.space.Integer` /
        :class:`~sksmbo.space.Categorical` dimension, or a frozen
        ``scipy.stats`` distribution. A list of dicts gives alternative
        sub-spaces, each candidate belonging to one of them.

    n_iter : int, default=10
        Number of candidates evaluated.

    sampler : {"sobol", "halton", "lhs", "random"}, default="sobol"
        The design the candidates are drawn from.

    scramble : bool, default=True
        Scramble the Sobol' or Halton sequence (randomized QMC, seeded by
        ``random_state``).

    n_points : int, default=None
        Candidates evaluated per round (one call to joblib). None evaluates all
        ``n_iter`` candidates in one round, as ``RandomizedSearchCV`` does;
        smaller rounds let a ``callback`` stop the search early.

{common_params}
    Attributes
    ----------
{common_attributes}
    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : Independent random draws.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = QuasiRandomSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e2), "kernel": ["rbf", "linear"]},
    ...     n_iter=8, random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    8
    >>> sorted(search.best_params_)
    ['C', 'kernel']
    """

    _parameter_constraints: dict = {
        **_BaseSMBOSearch._parameter_constraints,
        "sampler": [StrOptions(set(SAMPLERS))],
        "scramble": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter=10,
        sampler="sobol",
        scramble=True,
        n_points=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        super().__init__(
            estimator,
            search_spaces,
            n_iter=n_iter,
            n_points=n_points,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.sampler = sampler
        self.scramble = scramble

    def _make_optimizer(self, space, n_iter, seed):
        return Optimizer(
            space,
            n_initial_points=n_iter,
            initial_point_generator=self.sampler,
            scramble=self.scramble,
            random_state=seed,
        )


def _fill_docstring(cls):
    """Insert the parameters and attributes every search documents word for word."""
    cls.__doc__ = cls.__doc__.replace("{common_params}\n", _COMMON_PARAMS).replace(
        "{common_attributes}\n", _COMMON_ATTRIBUTES
    )
    return cls


_fill_docstring(QuasiRandomSearchCV)
