"""HalvingBayesSearchCV: successive halving whose candidates come from a model.

BOHB (Falkner, Klein & Hutter 2018) on top of scikit-learn's
``HalvingRandomSearchCV``: the schedule (candidates and resources per
iteration) is sklearn's, and the first bracket's candidates come from a
scrambled Sobol' design. With ``brackets`` > 1, Hyperband brackets start at
larger resources with fewer candidates, so the search stays robust when
cheap budgets mislead; their first-rung candidates are proposed in a few
rounds, each informed by a density model (TPE) fitted to how far every
configuration got and how well it scored there, or by a Gaussian process
over configurations and resource levels that predicts full-budget scores.
"""

from __future__ import annotations

import copy
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from math import ceil, floor, log
from numbers import Integral
from numbers import Real as RealNumber
from typing import NamedTuple

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state, resample

from sksmbo._checkpoint import HalvingState, refuse_changes, state_to_resume
from sksmbo._compat import (
    BaseSuccessiveHalving,
    Interval,
    StrOptions,
    num_samples,
    top_k,
)
from sksmbo._engine import Engine
from sksmbo._interrupts import interrupts_deferred
from sksmbo._optimizer import Optimizer
from sksmbo._progress import Progress, say, say_fitting
from sksmbo._racing import Race, race_for, racing_confidence
from sksmbo._results import (
    candidate_scores,
    keep_results_without_refit,
    mark_raced_out,
    objective_score,
    raise_if_all_fits_failed,
    with_stand_ins,
)
from sksmbo._search import (
    _fingerprint,
    all_of,
    check_callbacks,
    check_param_names,
    run_callback,
)
from sksmbo._sklearn_hooks import (
    FixedSplits,
    HalvingIteration,
    Workers,
    close_search_context,
    fit_tasks,
    replay,
    search_context,
    search_hooks,
    search_scorers,
    tolerate_failed_rounds,
    warm_started_fits,
)
from sksmbo._surrogates.fidelity import FidelityGPProposer
from sksmbo._surrogates.promotion import PromotionProposer
from sksmbo._surrogates.tpe import TPEProposer
from sksmbo._warm_start import FitCache, warm_start_param
from sksmbo._warn import warn
from sksmbo.space import Space

# First-rung candidates are proposed with about n / this many in flight, so
# that later proposals are informed by earlier results.
_FIRST_RUNG_ROUNDS = 6
# The arguments a warm start compares to tell whether anything is left to do.
_SCHEDULE_PARAMS = (
    "resource",
    "factor",
    "min_resources",
    "max_resources",
    "n_candidates",
    "aggressive_elimination",
    "brackets",
)
# A first rung with fewer training samples than this per class and fold (per
# fold for regressors) gives scores that are mostly noise: warn.
_MIN_TRAIN_PER_CLASS = 10
_MIN_TRAIN_REGRESSION = 30


class _Run(NamedTuple):
    """What every iteration of one fit needs."""

    evaluate_candidates: Callable
    optimizer: Optimizer
    subsample_seed: int
    callback_ctx: object
    n_brackets: int
    callbacks: list
    progress: Progress
    deadline: float | None
    fit_cache: FitCache | None = None


def _as_without_racing(rows: np.ndarray, iters: np.ndarray, first_rungs) -> np.ndarray:
    """``rows`` in the order a search without racing would have them.

    With racing a promoted iteration is evaluated best first, the reverse of
    sklearn's order; where scores tie, the row first in sklearn's order must
    win, as it does without racing.
    """
    ordered = []
    for itr in dict.fromkeys(iters[rows]):  # iterations in the order evaluated
        in_itr = rows[iters[rows] == itr]
        ordered.extend(in_itr if itr in first_rungs else in_itr[::-1])
    return np.array(ordered, dtype=int)


def _stored(output: dict) -> dict:
    """A fit task that returns a fold output evaluated before (a resumed search)."""
    return output


class _Subsample:
    """The splits of ``base_cv``, each train and test set subsampled to ``fraction``.

    sklearn's halving subsamples without stratification, so a small first
    rung can train on one class only and fail; for classifiers the samples
    here are drawn per class, in proportion.
    """

    def __init__(self, base_cv, *, fraction: float, stratify: bool, random_state):
        self.base_cv = base_cv
        self.fraction = fraction
        self.stratify = stratify
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None, **params):
        return self.base_cv.get_n_splits(X, y, groups, **params)

    def split(self, X, y=None, groups=None, **params):
        labels = None if y is None or not self.stratify else np.asarray(y)
        for train, test in self.base_cv.split(X, y, groups, **params):
            yield self._take(train, labels), self._take(test, labels)

    def _take(self, indices: np.ndarray, labels) -> np.ndarray:
        return resample(
            indices,
            replace=False,
            n_samples=max(int(self.fraction * len(indices)), 1),
            random_state=self.random_state,
            stratify=None if labels is None else labels[indices],
        )


class HalvingBayesSearchCV(BaseSuccessiveHalving):
    """Successive halving with model-based candidates (BOHB) and Hyperband.

    A drop-in for :class:`~sklearn.model_selection.HalvingRandomSearchCV`:
    the same arguments, fitted attributes and ``cv_results_`` columns
    (``iter``, ``n_resources``), and with ``brackets=1`` the same schedule of
    candidates and resources per iteration. What differs is where the
    candidates come from. The first bracket's come from a scrambled Sobol'
    design (BOHB's rule); the candidates of later Hyperband brackets
    (``brackets``) are proposed by a model fitted on every configuration
    evaluated so far, with ``random_fraction`` of them still drawn at random.
    The GP (``surrogate="gp"``) sees every score at every resource level,
    with the level as one more input, and proposes the configurations it
    expects to do best with ``max_resources_``; TPE sees the configurations
    ranked as successive halving ranks them (by the highest level reached,
    then by the score there). In those brackets cheap, early scores thus
    steer which candidates get evaluated at all, not only which survive.

    With ``n_startup`` set, the model steers the first iteration too: it is
    filled in about six rounds, and after the first ``n_startup`` candidates
    the model, fitted on the cheap scores (and their noise across folds) of
    the rounds before, proposes the rest. That pays where cheap scores rank
    configurations as full ones do, and costs where their best are not the
    best at full resources (fast learning rates after a ninth of the
    boosting iterations, for instance), which one bracket cannot detect:
    hence not the default.

    Two of sklearn's known rough edges are smoothed: with
    ``min_resources="exhaust"`` the last iteration uses all
    ``max_resources`` (sklearn can leave up to ``factor - 1`` parts of the
    data unused), and a first rung whose training folds hold fewer than 10
    samples per class (30 for regressors) warns that its scores are mostly
    noise.

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
        sub-spaces (conditional parameters).

    n_candidates : "exhaust" or int, default="exhaust"
        Candidates of the first iteration (of the first bracket). "exhaust"
        makes the last iteration use as many resources as possible:
        ``max_resources_ // min_resources_`` candidates.

    factor : int or float, default=3
        The halving parameter: each iteration keeps ``1 / factor`` of the
        candidates and multiplies their resources by ``factor``.

    resource : "n_samples" or str, default="n_samples"
        What grows with the iterations: the number of training samples, or any
        integer parameter of the estimator (``n_estimators``, ``max_iter``).

    max_resources : int or "auto", default="auto"
        The most resources a candidate gets. "auto" is the number of samples
        (``resource="n_samples"`` only).

    min_resources : {"exhaust", "smallest"} or int, default="smallest"
        Resources of each candidate at the first iteration, as in
        :class:`~sklearn.model_selection.HalvingRandomSearchCV`.

    aggressive_elimination : bool, default=False
        Replay the first iteration until few enough candidates remain to
        reach ``max_resources``, as in sklearn.

    brackets : int or "auto", default=1
        Number of Hyperband brackets. 1 is plain successive halving. With
        more, bracket ``b`` starts at ``min_resources_ * factor**b`` with
        fewer candidates (Li et al. 2018), so each bracket costs about the
        same, and the search about that many times one bracket; "auto" runs
        one bracket per resource level. The later brackets are where the
        model proposes candidates (BOHB); with one bracket it proposes only
        if ``n_startup`` is set.

    surrogate : {"tpe", "gp"}, default="tpe"
        The model that proposes candidates. Once scores exist at several
        resource levels, "gp" models them together, with the level as an
        input, and proposes for ``max_resources_``; "tpe" ranks them.

    random_fraction : float, default=1/3
        Share of model-phase candidates drawn uniformly at random (BOHB's
        ``random_fraction``).

    n_startup : int, default=None
        None draws the whole first iteration of the first bracket from the
        Sobol' design; the model is fitted once ``max(n_dims + 1, 5)``
        configurations have a score and proposes the candidates of later
        brackets. An int is the number of candidates drawn from the design
        before any model is used, and the fewest scores at one resource level
        the model is fitted on: the model then proposes the rest of the first
        iteration as well (see above for when that pays).

    warm_start_survivors : bool, default=True
        When ``resource`` is an iteration count that ``warm_start`` grows to
        a new total (``n_estimators`` of scikit-learn's forests, gradient
        boosting and bagging; ``max_iter`` of the histogram gradient boosting
        estimators), a promoted candidate continues its fit of the previous
        iteration on the same fold instead of starting over: the same model
        (with a fixed ``random_state``), a fraction of the fit time. Fits made
        in other processes are passed on through a temporary directory; on
        machines that cannot see it (a dask cluster), fits start over.
        Estimators whose ``warm_start`` runs ``max_iter`` *more* iterations
        (MLP, SGD, LogisticRegression), and early-stopped boosting, always
        start over. ``mean_fit_time`` in ``cv_results_`` then counts only the
        time the continued fit added.

    constraints : callable or list of callables, default=None
        Predicates on a candidate (its parameter dict): a candidate for which
        any returns False is never evaluated (e.g. ``lambda p: p["max_depth"]
        * p["n_estimators"] <= 2000``). Checked before any fit: an error is
        raised if the constraints reject every candidate tried.

    racing : bool or float, default=False
        Stop a candidate's remaining folds once it cannot be promoted: after
        each of its folds from the second on, an upper confidence bound on
        its mean score, paired with the scores on the same folds of the
        iteration's last candidate to be promoted so far (its best ``1 /
        factor``; in a bracket's last iteration, its best), is compared with
        that candidate's mean; a first iteration races before its winners
        are fully evaluated, against the rank its candidates so far vouch
        for. A float in ``[0.5, 1)`` is the confidence of that bound (and of
        that rank); True means 0.95. Each iteration is then evaluated in
        about six rounds of candidates, a promoted iteration's best first,
        so that the later ones race against what the first ones scored.
        Promoted candidates and the best candidate always have every fold;
        ``cv_results_`` gains a column ``n_splits_evaluated``, raced-out
        folds are NaN, and raced-out candidates rank after all others. See
        :ref:`racing`.

    callbacks : callable or list of callables, default=None
        Called after every evaluation (a candidate at one iteration's
        resources) with the optimizer's result so far (a
        ``scipy.optimize.OptimizeResult`` in scikit-optimize's format: every
        configuration with its score at the first resources it was
        evaluated with, and the search's state as ``search_state``, which
        ``fit(resume_from=...)`` continues from); one returning True stops
        the search. The evaluations then in flight are finished, and the
        best candidate of the last iteration reached is refitted. See
        :mod:`sksmbo.callbacks`.

    max_time : float, default=None
        Propose or promote no new candidate once an evaluation ends this many
        seconds after the search began; the evaluations then in flight are
        finished.

    progress_bar : bool, default=False
        Show evaluations done (of those planned), the best score so far and
        elapsed time: a tqdm bar with the ``progress`` extra, else a line per
        evaluation on stderr (at most one a second, and the last).

    warm_start : bool, default=False
        Calling ``fit`` again continues the search instead of starting over;
        no evaluation is made again. A search that a callback, ``max_time`` or
        Ctrl-C stopped completes the iteration it stopped in and runs the
        rest of its schedule; a larger ``brackets`` adds Hyperband brackets,
        whose candidates the model proposes knowing every score so far. The
        other schedule arguments (``n_candidates``, ``factor``, ``resource``,
        ``min_resources``, ``max_resources``, ``aggressive_elimination``)
        must not change. When nothing is left to do, ``fit`` returns at once.

    cv : int, cross-validation generator or an iterable, default=5
        Determines the cross-validation splitting strategy. The splits must
        be the same at every call to ``split`` (sklearn's rule for halving).

    scoring : str, callable, or None, default=None
        A single metric, as for sklearn's halving searches.

    refit : bool, default=True
        Refit the best candidate of the largest resource level on the whole
        dataset.

    error_score : 'raise' or numeric, default=np.nan
        Value to assign to the score if an error occurs in estimator fitting.
        A failing candidate never stops the search; only when no fit of the
        whole search succeeds is an error raised.

    return_train_score : bool, default=True
        Include training scores in ``cv_results_``.

    random_state : int, RandomState instance or None, default=None
        Seeds the candidates and the subsampling of the data. Pass an int for
        reproducible output across multiple function calls.

    n_jobs : int or None, default=None
        Number of jobs to run in parallel.

    verbose : int, default=0
        Controls the verbosity: from 1, the schedule and each iteration's
        ``iter``, ``n_candidates`` and ``n_resources``, as
        :class:`~sklearn.model_selection.HalvingRandomSearchCV` prints them,
        beside scikit-learn's messages. The same lines go to the
        ``"sksmbo"`` logger at INFO level whatever ``verbose`` says.

    Attributes
    ----------
    n_resources_ : list of int
        The resources used at each iteration (of every bracket, in order).

    n_candidates_ : list of int
        The number of candidates evaluated at each iteration.

    n_remaining_candidates_ : int
        The number of candidates left after the last iteration (of the last
        bracket).

    max_resources_ : int
        The most resources any candidate may use.

    min_resources_ : int
        The resources of each candidate at the first iteration.

    n_iterations_ : int
        The number of iterations run, over all brackets.

    n_possible_iterations_ : int
        The iterations possible from ``min_resources_`` without exceeding
        ``max_resources_`` (first bracket).

    n_required_iterations_ : int
        The iterations needed to end with fewer than ``factor`` candidates
        (first bracket).

    brackets_ : list of tuple of int
        ``(first iteration, number of iterations)`` of each bracket.

    cv_results_ : dict of numpy (masked) ndarrays
        As sklearn's ``HalvingRandomSearchCV``'s, with ``iter`` and
        ``n_resources`` columns (and ``bracket`` when there are several).
        With ``racing``, also ``n_splits_evaluated``: the folds each
        evaluation got.

    best_estimator_ : estimator
        Estimator refit on the whole data with the best parameters. Not
        available if ``refit=False``.

    best_score_ : float
        Mean cross-validated score of the best candidate, at the largest
        resource level.

    best_params_ : dict
        Parameter setting of the best candidate.

    best_index_ : int
        The index (of the ``cv_results_`` arrays) of the best candidate.

    scorer_ : function or a dict
        Scorer function used on the held out data.

    n_splits_ : int
        The number of cross-validation splits (folds/iterations).

    refit_time_ : float
        Seconds used for refitting the best model on the whole dataset.

    multimetric_ : bool
        Whether or not the scorers compute several metrics (always False).

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when they are all strings.

    See Also
    --------
    sklearn.model_selection.HalvingRandomSearchCV : Random candidates.
    BayesSearchCV : Every candidate at full resources.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sksmbo import HalvingBayesSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HalvingBayesSearchCV(
    ...     RandomForestClassifier(random_state=0),
    ...     {"max_depth": [2, 3, None], "min_samples_split": (2, 10)},
    ...     resource="n_estimators", max_resources=27, random_state=0,
    ... ).fit(X, y)
    >>> search.n_resources_
    [1, 3, 9, 27]
    >>> search.n_candidates_
    [27, 9, 3, 1]

    A search stopped early (here by ``max_time``) continues with
    ``warm_start=True``, without evaluating anything twice:

    >>> from sklearn.tree import DecisionTreeClassifier
    >>> search = HalvingBayesSearchCV(
    ...     DecisionTreeClassifier(random_state=0),
    ...     {"max_depth": (1, 8), "min_samples_leaf": (1, 20)},
    ...     n_candidates=9, min_resources=50, cv=3, max_time=1e-9,
    ...     warm_start=True, random_state=0,
    ... ).fit(X, y)
    >>> search.n_candidates_
    [9]
    >>> search.set_params(max_time=None).fit(X, y).n_candidates_
    [9, 3]
    """

    _required_parameters = ["estimator", "search_spaces"]

    _parameter_constraints: dict = {
        **BaseSuccessiveHalving._parameter_constraints,
        "search_spaces": [dict, list],
        # factor <= 1 never eliminates anything (sklearn accepts any factor > 0).
        "factor": [Interval(RealNumber, 1, None, closed="neither")],
        "n_candidates": [
            Interval(Integral, 0, None, closed="neither"),
            StrOptions({"exhaust"}),
        ],
        "brackets": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "surrogate": [StrOptions({"tpe", "gp"})],
        "random_fraction": [Interval(RealNumber, 0, 1, closed="both")],
        "n_startup": [Interval(Integral, 1, None, closed="left"), None],
        "warm_start_survivors": ["boolean"],
        "constraints": [callable, list, None],
        "racing": ["boolean", Interval(RealNumber, 0.5, 1, closed="left")],
        "callbacks": [callable, list, None],
        "max_time": [Interval(RealNumber, 0, None, closed="neither"), None],
        "progress_bar": ["boolean"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_candidates="exhaust",
        factor=3,
        resource="n_samples",
        max_resources="auto",
        min_resources="smallest",
        aggressive_elimination=False,
        brackets=1,
        surrogate="tpe",
        random_fraction=1 / 3,
        n_startup=None,
        warm_start_survivors=True,
        constraints=None,
        racing=False,
        callbacks=None,
        max_time=None,
        progress_bar=False,
        warm_start=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            verbose=verbose,
            cv=cv,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
            max_resources=max_resources,
            resource=resource,
            factor=factor,
            min_resources=min_resources,
            aggressive_elimination=aggressive_elimination,
        )
        self.search_spaces = search_spaces
        self.n_candidates = n_candidates
        self.brackets = brackets
        self.surrogate = surrogate
        self.random_fraction = random_fraction
        self.n_startup = n_startup
        self.warm_start_survivors = warm_start_survivors
        self.constraints = constraints
        self.racing = racing
        self.callbacks = callbacks
        self.max_time = max_time
        self.progress_bar = progress_bar
        self.warm_start = warm_start

    def fit(self, X, y=None, *, resume_from=None, **params):
        """Run the search, then refit the best candidate on the whole data.

        Ctrl-C during the search keeps every evaluation whose folds all came
        back (the fits running are lost); during the refit, it keeps
        ``cv_results_`` and ``best_params_`` without ``best_estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        resume_from : OptimizeResult or str, default=None
            Continue a search from what a callback received (or from the file
            a :class:`~sksmbo.callbacks.CheckpointSaver` wrote): its
            evaluations are not made again, the iteration it stopped in is
            completed and the later ones run; ``cv_results_`` and the
            schedule attributes cover the whole search. The same data,
            estimator, ``cv``, ``search_spaces`` and schedule (``factor``,
            ``resource``, ``min_resources``, ``max_resources``,
            ``n_candidates``, ``aggressive_elimination``) must be passed (a
            change is an error naming it); ``brackets`` may grow. A finished
            search is refitted from the file without evaluating anything. A
            checkpoint is a pickle: load only files you trust.
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the
            CV splitter (e.g. ``groups``), as in ``HalvingRandomSearchCV.fit``.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._resume = self._resume_state(resume_from)
        self._fingerprint = _fingerprint(self.estimator, X, y)
        self._results = None
        self._searched = False  # set when _run_search returns: the refit follows
        try:
            if self._resume is not None:
                self._check_resumable(self._resume, X, y, params.get("groups"))
                if resume_from is None and self._nothing_left(self._resume):
                    return self  # a warm start with nothing to add: already fitted
            with search_hooks(self.estimator):
                return super().fit(X, y, **params)
        except KeyboardInterrupt:
            if not self._searched:
                raise
            keep_results_without_refit(self, self._results, search_scorers(self))
            self.best_score_ = self._results["mean_test_score"][self.best_index_]
            return self
        finally:
            del self._results, self._searched, self._resume, self._fingerprint
            self.__dict__.pop("_parallel", None)

    def __getstate__(self):
        # scikit-learn >= 1.9 sends the search with every fit (``caller``):
        # not the Parallel, the results nor the growing search state that
        # only the running fit holds.
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        if "_searched" in state:
            for name in (
                "_parallel", "_results", "_searched", "_state", "_resume",
                "_fingerprint",
            ):  # fmt: skip
                state.pop(name, None)
        return state

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        # Kept for a refit that Ctrl-C interrupts (sklearn sets cv_results_ after).
        self._results = super()._format_results(
            candidate_params, n_splits, out, more_results
        )
        return self._results

    # -- checks ------------------------------------------------------------

    def _check_input_parameters(self, X, y, split_params):
        if self.min_resources == self.n_candidates == "exhaust":
            raise ValueError(
                "n_candidates and min_resources cannot be both set to 'exhaust'."
            )
        super()._check_input_parameters(X, y, split_params)
        n_samples = num_samples(X)
        if self.resource == "n_samples" and self.max_resources_ > n_samples:
            raise ValueError(
                f"max_resources={self.max_resources_} is larger than the number of "
                f"samples ({n_samples}); with resource='n_samples' it can be at most "
                "that."
            )
        self._warn_small_first_rung(X, y, split_params)

    def _warn_small_first_rung(self, X, y, split_params) -> None:
        if self.resource != "n_samples" or self.min_resources == "exhaust":
            return
        # Group splitters (LeaveOneGroupOut, ...) count their splits from groups.
        n_splits = self._checked_cv_orig.get_n_splits(X, y, **split_params)
        n_train = self.min_resources_ * (n_splits - 1) / max(n_splits, 1)
        if is_classifier(self.estimator):
            n_classes = len(np.unique(np.asarray(y)))
            enough = _MIN_TRAIN_PER_CLASS * n_classes
        else:
            enough = _MIN_TRAIN_REGRESSION
        if n_train < enough:
            warn(
                f"The first iteration trains on about {n_train:.0f} samples per "
                f"fold (min_resources_={self.min_resources_}); with fewer than "
                f"{enough} its scores are mostly noise. Pass a larger "
                "min_resources (or min_resources='exhaust')."
            )

    def _space(self) -> Space:
        space = Space(self.search_spaces)
        if any(self.resource in sub for sub in space.to_dicts()):
            raise ValueError(
                f"Cannot use parameter {self.resource} as the resource since "
                "it is part of the searched parameters."
            )
        check_param_names(self.estimator, space)
        return space

    # -- resuming ----------------------------------------------------------

    def _resume_state(self, resume_from) -> HalvingState | None:
        """What a resumed search starts from: ``resume_from``, or the last fit."""
        if resume_from is not None:
            return state_to_resume(resume_from, HalvingState)
        if self.warm_start and getattr(self, "_state", None) is not None:
            return copy.deepcopy(self._state)
        return None

    def _nothing_left(self, state: HalvingState) -> bool:
        """Whether a warm start would evaluate nothing: same schedule, all run."""
        return state.complete and state.params == self._schedule_params()

    def _schedule_params(self) -> dict:
        """The arguments the schedule is computed from, as given."""
        return {name: getattr(self, name) for name in _SCHEDULE_PARAMS}

    def _schedule_settings(self, plans: list[dict]) -> dict:
        """What the evaluations of a search depend on, as computed for ``fit``."""
        return {
            "resource": self.resource,
            "factor": self.factor,
            "min_resources_": self.min_resources_,
            "max_resources_": self.max_resources_,
            "n_candidates": plans[0]["n_candidates"],
            "aggressive_elimination": self.aggressive_elimination,
        }

    def _check_resumable(self, state: HalvingState, X, y, groups) -> None:
        """Refuse to resume what differs from the stopped search, naming it.

        The schedule (which needs the data's resources) is checked at the top
        of the search, still before any fit (``_check_schedule``).
        """
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        refuse_changes(
            state,
            [repr(self._space())],
            cv.get_n_splits(X, y, groups),
            self._fingerprint,
        )

    def _check_schedule(self, state: HalvingState, plans: list[dict]) -> None:
        """Refuse to resume with another schedule: its evaluations would not fit it."""
        for name, value in self._schedule_settings(plans).items():
            then = state.settings[name]
            if then != value:
                raise ValueError(
                    f"Cannot resume: {name} differs from the stopped search's "
                    f"({then!r} then, {value!r} now). Pass the same schedule "
                    "arguments (only brackets may change), or warm_start=False "
                    "to start over."
                )

    # -- schedule ----------------------------------------------------------

    def _first_rung_size(self) -> int:
        if self.n_candidates == "exhaust":
            return max(self.max_resources_ // self.min_resources_, 1)
        return self.n_candidates

    def _bracket_plan(self, n_candidates: int, min_resources: int) -> dict:
        """sklearn's schedule for one successive-halving bracket."""
        n_required = 1 + floor(log(n_candidates, self.factor))
        if self.min_resources == "exhaust":
            min_resources = max(
                min_resources, self.max_resources_ // self.factor ** (n_required - 1)
            )
        n_possible = 1 + floor(log(self.max_resources_ // min_resources, self.factor))
        if self.aggressive_elimination:
            n_iterations = n_required
        else:
            n_iterations = min(n_possible, n_required)
        resources = []
        for itr in range(n_iterations):
            power = itr
            if self.aggressive_elimination:
                power = max(0, itr - n_required + n_possible)
            resources.append(
                min(int(self.factor**power * min_resources), self.max_resources_)
            )
        if self.min_resources == "exhaust":
            # All the data in the last iteration: sklearn's floor division can
            # leave up to factor - 1 parts of it unused.
            resources[-1] = self.max_resources_
        return dict(
            n_candidates=n_candidates,
            min_resources=min_resources,
            n_required=n_required,
            n_possible=n_possible,
            resources=resources,
        )

    def _plans(self, at_least: int = 1) -> list[dict]:
        """The schedule of each bracket: ``brackets`` of them, or ``at_least``."""
        first = self._bracket_plan(self._first_rung_size(), self.min_resources_)
        n_levels = first["n_possible"]
        n_brackets = n_levels if self.brackets == "auto" else self.brackets
        n_brackets = min(max(n_brackets, at_least), n_levels)
        plans = [first]
        for b in range(1, n_brackets):
            # Hyperband: each bracket starts factor times higher with about
            # factor times fewer candidates, so brackets cost about the same.
            n = ceil(
                first["n_candidates"] * n_levels / ((n_levels - b) * self.factor**b)
            )
            plans.append(
                self._bracket_plan(max(n, 1), first["min_resources"] * self.factor**b)
            )
        return plans

    # -- the search --------------------------------------------------------

    def _generate_candidate_params(self):
        """Abstract in sklearn's ``BaseSuccessiveHalving``; never called.

        Candidates are proposed round by round in ``_run_search``.
        """
        raise NotImplementedError

    def _make_optimizer(self, space: Space, seed: int, first_rung: int) -> Optimizer:
        if self.n_startup is None:
            # BOHB's rule: the first bracket is the design. A model of the first
            # rung's cheap scores alone chases their best, which can be poor at
            # full resources (a fast learning rate after a few boosting
            # iterations; measured in docs/changelog.rst, History).
            n_min = max(space.n_columns + 1, 5)
            n_design = max(first_rung, n_min)
        else:
            n_min = n_design = self.n_startup
        base = TPEProposer() if self.surrogate == "tpe" else FidelityGPProposer()
        model = PromotionProposer(
            base,
            n_min,
            self.random_fraction,
            resource_range=(self.min_resources_, self.max_resources_),
        )
        return Optimizer(
            space,
            proposer=model,
            n_initial_points=n_design,
            constraint=all_of(self.constraints, "constraints"),
            random_state=seed,
        )

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        space = self._space()
        resumed = self._resume
        n_stored = 1 + max((e["bracket"] for e in resumed.schedule), default=0) if (
            resumed is not None
        ) else 1  # fmt: skip
        # A resumed search keeps every bracket it started (brackets may grow).
        plans = self._plans(at_least=n_stored)
        # "exhaust" may raise the first rung's resources: sklearn's attribute.
        self.min_resources_ = plans[0]["min_resources"]
        state = self._state = self._start_state(space, plans)
        self._say_schedule(plans[0])
        n_planned = sum(
            ceil(plan["n_candidates"] / self.factor**rung)
            for plan in plans
            for rung in range(len(plan["resources"]))
        )
        run = _Run(
            evaluate_candidates,
            state.optimizers[0],
            subsample_seed=state.subsample_seed,
            callback_ctx=search_context(callback_ctx, self, iterations=True),
            n_brackets=len(plans),
            callbacks=check_callbacks(self.callbacks, "callbacks"),
            progress=Progress(
                type(self).__name__,
                max(n_planned, len(state.candidates)),
                done=len(state.candidates),
                enabled=self.progress_bar,
            ),
            deadline=None
            if self.max_time is None
            else time.perf_counter() + self.max_time,
        )
        n_remaining, stop = 0, None
        with (
            tolerate_failed_rounds() as fits,
            self._continued_fits(run, space) as cache,
        ):
            run = run._replace(fit_cache=cache)
            for bracket, plan in enumerate(plans):
                try:
                    survivors, stop = self._run_bracket(run, plan, bracket)
                except (KeyboardInterrupt, BrokenProcessPool) as exc:
                    if self._results is None:  # nothing evaluated to build on
                        raise
                    cause = (
                        "interrupted"
                        if isinstance(exc, KeyboardInterrupt)
                        else (f"stopped by {type(exc).__name__} (a worker died twice)")
                    )
                    warn(
                        f"Search {cause} after {len(self._results['params'])} "
                        "evaluations; the results so far are kept."
                    )
                    survivors, stop = 0, "stopped"
                # A finite space may leave nothing to start a bracket.
                if state.more_results and state.more_results[-1]["bracket"] == bracket:
                    n_remaining = survivors
                if stop:
                    break
        # Stopped early (a callback, max_time, Ctrl-C): a later fit continues.
        state.complete = stop in (None, "failed") or (
            stop == "stopped at the end" and bracket == len(plans) - 1
        )
        run.progress.close()
        close_search_context(run.callback_ctx, self)
        raise_if_all_fits_failed(fits)
        self._set_schedule_attributes(state)
        self.n_remaining_candidates_ = n_remaining
        self.n_required_iterations_ = plans[0]["n_required"]
        self.n_possible_iterations_ = plans[0]["n_possible"]
        self._searched = True

    def _start_state(self, space: Space, plans: list[dict]) -> HalvingState:
        """The state to continue (checked against ``plans``), or a new one."""
        state = self._resume
        if state is not None:
            self._check_schedule(state, plans)
        else:
            rng = check_random_state(self.random_state)
            optimizer = self._make_optimizer(
                space, int(rng.randint(2**31 - 1)), plans[0]["n_candidates"]
            )
            state = HalvingState(
                optimizer,
                subsample_seed=int(rng.randint(2**31 - 1)),
                settings=self._schedule_settings(plans),
                params=None,
            )
        if state.held_optimizer is not None:  # see _evaluate
            state.optimizers[0] = state.held_optimizer
            state.held_optimizer = None
        # A pickled optimizer (a checkpoint) was stored without constraints.
        state.optimizers[0].constraint = all_of(self.constraints, "constraints")
        state.fingerprint = self._fingerprint
        state.params = self._schedule_params()
        state.complete = False
        return state

    def _set_schedule_attributes(self, state: HalvingState) -> None:
        """``n_resources_``, ``n_candidates_``, ``brackets_``, ``n_iterations_``.

        Read from the evaluations, so that a resumed search's attributes
        cover the whole search.
        """
        counts = Counter(m["iter"] for m in state.more_results)
        self.n_resources_, self.n_candidates_, self.brackets_ = [], [], []
        bracket = None
        for itr, entry in enumerate(state.schedule):
            if not counts[itr]:  # interrupted before its first evaluation
                continue
            self.n_resources_.append(entry["n_resources"])
            self.n_candidates_.append(counts[itr])
            if entry["bracket"] == bracket:
                first, n_run = self.brackets_[-1]
                self.brackets_[-1] = (first, n_run + 1)
            else:
                self.brackets_.append((itr, 1))
                bracket = entry["bracket"]
        self.n_iterations_ = len(self.n_resources_)

    def _say_schedule(self, plan: dict) -> None:
        """What ``HalvingRandomSearchCV`` prints first with ``verbose``."""
        for name, value in (
            ("n_iterations", len(plan["resources"])),
            ("n_required_iterations", plan["n_required"]),
            ("n_possible_iterations", plan["n_possible"]),
            ("min_resources_", self.min_resources_),
            ("max_resources_", self.max_resources_),
            ("aggressive_elimination", self.aggressive_elimination),
            ("factor", self.factor),
        ):
            say(f"{name}: {value}", self.verbose)

    @contextmanager
    def _continued_fits(self, run: _Run, space: Space):
        """Context in which promoted candidates continue their earlier fits.

        Yields the ``FitCache``, or None when fits start over.
        """
        warm_start = None
        if self.warm_start_survivors and self.resource != "n_samples":
            warm_start = warm_start_param(self.estimator, self.resource)
        searched = {name for sub in space.to_dicts() for name in sub}
        if warm_start is None or warm_start in searched:
            yield None
            return
        with tempfile.TemporaryDirectory(
            prefix="sksmbo-fits-", ignore_cleanup_errors=True
        ) as directory:
            cache = FitCache(directory, self.resource, warm_start, self.max_resources_)
            with warm_started_fits(cache):
                yield cache

    def _run_bracket(self, run: _Run, plan: dict, bracket: int) -> tuple[int, str]:
        """Successive halving through one bracket; return (survivors, stop).

        ``stop`` is None, "stopped" (by a callback or ``max_time``), "stopped
        at the end" (of the bracket: nothing of it was left) or "failed"
        (every fit of an iteration failed: nothing to promote, as sklearn
        stops too). An iteration of a resumed search is replayed from
        the state, and completed if the search stopped in it.
        """
        state = self._state
        candidates: list = []
        for rung, n_resources in enumerate(plan["resources"]):
            n_planned = plan["n_candidates"] if rung == 0 else len(candidates)
            itr, window = self._iteration(run, bracket, rung, n_resources, n_planned)
            more = {"iter": itr, "n_resources": n_resources, "bracket": bracket}
            # What HalvingRandomSearchCV prints for each iteration.
            say("-" * 10, self.verbose)
            say(f"iter: {itr}", self.verbose)
            say(f"n_candidates: {n_planned}", self.verbose)
            say(f"n_resources: {n_resources}", self.verbose)
            last = rung == len(plan["resources"]) - 1
            places = 1 if last else ceil(n_planned / self.factor)
            with HalvingIteration(run.callback_ctx, self) as iteration:
                promoted = None if rung == 0 else candidates
                results, n, stopped = self._fill_iteration(
                    run, iteration, more, n_planned, window, promoted, places
                )
            if not n:  # the space had nothing left to start a bracket with
                del state.schedule[itr]
                return 0, "stopped" if stopped else None
            candidates = self._promote(results, ceil(n / self.factor), itr)
            if run.fit_cache is not None:
                run.fit_cache.keep_only(candidates)
            this_rung = np.asarray(results["iter"]) == itr
            if np.isnan(results["mean_test_score"][this_rung]).all():
                return 0, "failed"
            if stopped:  # by a callback or max_time
                at_end = last and n >= n_planned
                return len(candidates), "stopped at the end" if at_end else "stopped"
        return len(candidates), None

    def _iteration(self, run: _Run, bracket, rung, n_resources, n_planned):
        """``(iter, window)`` of a bracket's rung: as started before, or new.

        ``window`` is the number of candidates in flight (None: all at once).
        In a first rung, about ``_FIRST_RUNG_ROUNDS`` candidates' worth of
        results inform later proposals; when all of them come from the
        design, all are in flight at once, unless racing needs earlier
        candidates' results to race later ones against. Sized without
        ``n_jobs`` so that results do not depend on it, and stored, so that a
        resumed rung proposes as the uninterrupted one would.
        """
        state = self._state
        for itr, entry in enumerate(state.schedule):
            if (entry["bracket"], entry["rung"]) == (bracket, rung):
                return itr, entry["window"]
        window = None
        if rung == 0:
            n_design = run.optimizer.n_initial_points - len(run.optimizer.yi)
            window = (
                n_planned
                if n_design >= n_planned
                else ceil(n_planned / _FIRST_RUNG_ROUNDS)
            )
        if self._racing and (window is None or window >= n_planned):
            # All at once, no candidate would have anything to race against.
            window = ceil(n_planned / _FIRST_RUNG_ROUNDS)
        state.schedule.append(
            {"bracket": bracket, "rung": rung, "n_resources": n_resources,
             "window": window}
        )  # fmt: skip
        return len(state.schedule) - 1, window

    def _fill_iteration(
        self, run: _Run, iteration, more, n_planned, window, promoted, places
    ):
        """Evaluate an iteration's candidates; return (results, count, stopped).

        ``promoted`` lists the candidates of a later rung; a first rung's are
        proposed by the optimizer. Evaluations a resumed search holds are
        replayed first; the iteration it stopped in goes on with its
        candidates then in flight (in the order proposed), then the rest.
        ``places`` is the number of candidates the iteration promotes (1 in
        a bracket's last): what racing races them for.
        """
        state = self._state
        itr = more["iter"]
        cv = self._rung_cv(run, more["n_resources"])
        done = [i for i, m in enumerate(state.more_results) if m["iter"] == itr]
        results = self._replay(run, done[0], done[-1] + 1, cv) if done else None
        # Only the last iteration started can be incomplete; pending is its.
        n_left = n_planned - len(done)
        if itr < len(state.schedule) - 1 or (n_left <= 0 and not state.pending):
            return results, len(done), False
        if promoted is None:
            propose_new = run.optimizer.ask
        else:
            # Those proposed before are evaluated (done) or in flight.
            n_proposed = len(done) + sum(row is None for _, row in state.pending)
            propose_new = partial(next, iter(promoted[n_proposed:]), None)
        # A first rung's candidates come from the optimizer in an order that
        # does not favour the best: racing can start before places are full.
        race = self._make_race(done, places, n_planned if promoted is None else None)
        new_results, n_new, exhausted, stopped = self._evaluate(
            run, iteration, propose_new, n_left, window, more, cv, race
        )
        n = len(done) + n_new
        if promoted is None and exhausted and 0 < n < n_planned:
            warn(
                f"The search space has only {len(run.optimizer.yi)} distinct "
                f"points, fewer than the {n_planned} candidates of this "
                "iteration; it starts with all of them."
            )
        return new_results or results, n, stopped

    @property
    def _racing(self) -> bool:
        return racing_confidence(self.racing) is not None

    def _make_race(
        self, done: list, places: int, population: int | None
    ) -> Race | None:
        """What races an iteration's new candidates out, knowing its ``done``.

        A resumed search's candidates told out of turn (held rows) are told
        to the race in their turn, as the uninterrupted search told them.
        """
        state = self._state
        held = {row for _, row in state.pending if row is not None}
        n = state.n_splits
        return race_for(
            self.racing,
            partial(objective_score, scoring=self.scoring, refit=self.refit),
            (state.out[row * n : (row + 1) * n] for row in done if row not in held),
            places,
            population,
        )

    def _promote(self, results, k: int, itr: int) -> list:
        """The ``k`` best candidates of iteration ``itr``, a raced-out one never.

        sklearn's order (the best last), or with racing the best first, so
        that the next iteration's later candidates race against them.
        """
        rows = np.flatnonzero(np.asarray(results["iter"]) == itr)
        if self._racing and self._state.schedule[itr]["rung"] > 0:
            # Evaluated best first: read in the order they would have
            # without racing, so that ties are broken the same way.
            rows = rows[::-1]
        scores = np.asarray(results["mean_test_score"])[rows]
        if "n_splits_evaluated" in results:
            evaluated = np.asarray(results["n_splits_evaluated"])[rows]
            scores = np.where(evaluated < self._state.n_splits, -np.inf, scores)
        iteration = {
            "iter": np.full(len(rows), itr),
            "mean_test_score": scores,
            "params": [results["params"][row] for row in rows],
        }
        promoted = list(top_k(iteration, k, itr))
        return promoted[::-1] if self._racing else promoted

    def _rung_cv(self, run: _Run, n_resources: int):
        """The splits of an iteration: subsampled for ``resource="n_samples"``."""
        if self.resource != "n_samples":
            return self._checked_cv_orig
        return _Subsample(
            self._checked_cv_orig,
            fraction=n_resources / self._n_samples_orig,
            stratify=is_classifier(self.estimator),
            random_state=run.subsample_seed,
        )

    def _replay(self, run: _Run, start: int, stop: int, cv):
        """sklearn's results once the state's evaluations ``start:stop`` are added."""
        state = self._state
        n_splits = state.n_splits
        keys = ["iter", "n_resources"] + (["bracket"] if run.n_brackets > 1 else [])
        more = state.more_results[start:stop]
        out = with_stand_ins(state.out[start * n_splits : stop * n_splits], n_splits)
        results = replay(
            run.evaluate_candidates, self, state.candidates[start:stop], out,
            cv=cv, more_results={key: [m[key] for m in more] for key in keys},
        )  # fmt: skip
        if self._racing or any(fold is None for fold in state.out):
            # sklearn's results cover every evaluation replayed so far.
            mark_raced_out(results, state.out[: stop * n_splits], n_splits)
        return results

    def _evaluate(self, run: _Run, iteration, propose_new, n, window, more, cv, race):
        """Evaluate up to ``n`` new candidates of an iteration on the engine.

        Returns ``(results, count, exhausted, stopped)``: sklearn's results
        after the iteration (None if nothing was evaluated), the number of
        candidates evaluated, whether ``propose_new`` ran out and whether a
        callback or ``max_time`` stopped the search.

        The state's candidates in flight (``pending``) go first, in the order
        proposed. Each candidate is recorded in the state and the callbacks
        run as its last fold returns; Ctrl-C keeps the candidates complete.
        A stop or Ctrl-C has the engine tell candidates before their turn
        (the proposal that waits for them, by the engine's window): the
        optimizer learns them, but a copy of it from before the first such
        tell (``held_optimizer``) keeps them pending, with their rows. A
        resumed search continues from that copy and tells them in their turn,
        from their stored fold outputs, so that it proposes what the
        uninterrupted search would. ``race`` (or None) races candidates out
        (see :mod:`sksmbo._racing`).
        """
        state = self._state
        n_resources = more["n_resources"]
        resubmitted = [point for point, _ in state.pending]
        n_engine = n + sum(row is not None for _, row in state.pending)
        window = n_engine if window is None else window
        # id(candidate) -> its proposal in this run. Counted apart: a told
        # candidate's dict may be freed, and a later one take its id.
        order: dict[int, int] = {}
        n_proposed = 0
        splits = None  # the first candidate's, for all (see FixedSplits)
        start = len(state.candidates)
        ran_out = False

        def propose():
            nonlocal ran_out, n_proposed
            if resubmitted:
                point = resubmitted.pop(0)
            else:
                point = propose_new()
                if point is None:
                    ran_out = True
                    return None
                state.pending.append((point, None))
            order[id(point)] = n_proposed
            n_proposed += 1
            return point

        def row_of(point):
            return next(row for p, row in state.pending if p is point)

        def with_resource(point):
            if self.resource == "n_samples":
                return point
            return {**point, self.resource: n_resources}

        def fold_tasks(point):
            nonlocal splits
            tasks, self._parallel = fit_tasks(
                run.evaluate_candidates, [with_resource(point)], iteration.task(),
                self, cv=splits or cv,
            )  # fmt: skip
            if splits is None:
                splits = FixedSplits(tasks)
                say_fitting(len(tasks), n_engine, self.verbose, race is not None)
            row = row_of(point)
            if row is None:
                return tasks
            k = len(tasks)
            stored = state.out[row * k : (row + 1) * k]
            # Folds it was raced out before: racing drops them again.
            return [
                task if out is None else (_stored, (out,), {})
                for task, out in zip(tasks, stored, strict=True)
            ]

        def tell(point, fold_outputs, raced=None):
            row = row_of(point)
            if row is None:  # a new evaluation
                state.n_splits = len(fold_outputs)
                state.candidates.append(with_resource(point))
                state.out.extend(fold_outputs)
                state.more_results.append(dict(more))
            in_turn = (
                n_proposed >= order[id(point)] + window
                or n_proposed >= n_engine
                or ran_out
            )
            if not in_turn and state.held_optimizer is None:
                # The optimizer as the uninterrupted search has it, for a resume.
                state.held_optimizer = copy.deepcopy(run.optimizer)
            if raced is None:
                mean, variance, _ = candidate_scores(
                    fold_outputs, self.scoring, self.refit
                )
            else:  # the full mean its first folds predict (see _BaseSMBOSearch._tell)
                mean, variance = raced.estimate, raced.noise
            if race is not None:
                race.observe(fold_outputs)
            # A promoted candidate comes from cv_results_, its resource included.
            bare = {k: v for k, v in point.items() if k != self.resource}
            for optimizer in (run.optimizer, state.held_optimizer if in_turn else None):
                if optimizer is not None:
                    optimizer.tell([bare], [mean], [variance], level=n_resources)
            if in_turn:
                state.pending = [(p, r) for p, r in state.pending if p is not point]
            elif row is None:  # held back: a resumed search tells it in its turn
                held = (point, len(state.candidates) - 1)
                state.pending = [
                    held if p is point else (p, r) for p, r in state.pending
                ]
            if row is not None:  # recorded, and seen by the callbacks, before
                return False
            run.progress.update(1, lambda: run.optimizer.best()[1])
            if not run.callbacks:
                return False
            result = run.optimizer.result()
            result.search_state = state
            return any([run_callback(cb, result) for cb in run.callbacks])

        engine = Engine(
            lambda: Workers(self._parallel), n_points=window, propose=propose,
            fold_tasks=fold_tasks, tell=tell, deadline=run.deadline, race=race,
        )  # fmt: skip
        try:
            engine.run(n_engine)
        finally:
            results = None
            if len(state.candidates) > start:  # sklearn adds them, even on Ctrl-C
                with interrupts_deferred():
                    results = self._replay(run, start, len(state.candidates), cv)
        return results, len(state.candidates) - start, engine.exhausted, engine.stopped

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        """The best candidate of the last iteration at the largest resources.

        With one bracket this is sklearn's rule (the last iteration); with
        several (a ``bracket`` column), the last iterations of all brackets
        that reached the largest resources compete. A static method with
        sklearn's signature, as ``BaseSearchCV._select_best_index``. With
        racing (an ``n_splits_evaluated`` column) only fully evaluated
        candidates compete, and ties go as without racing.
        """
        iters = np.asarray(results["iter"])
        n_resources = np.asarray(results["n_resources"])
        if "bracket" in results:
            brackets = np.asarray(results["bracket"])
            last_of_bracket = {b: iters[brackets == b].max() for b in set(brackets)}
            final = iters == np.array([last_of_bracket[b] for b in brackets])
        else:
            final = iters == iters.max()
        final &= n_resources == n_resources[final].max()
        indices = np.flatnonzero(final)
        if "n_splits_evaluated" in results:  # racing: a raced-out one never wins
            evaluated = np.asarray(results["n_splits_evaluated"])
            full = final & (evaluated == evaluated.max())
            indices = np.flatnonzero(full if full.any() else final)
            first_rungs = (
                {iters[brackets == b].min() for b in set(brackets)}
                if "bracket" in results
                else {0}
            )
            indices = _as_without_racing(indices, iters, first_rungs)
        scores = np.asarray(results["mean_test_score"])[indices]
        if np.isnan(scores).all():
            return indices[0]
        return indices[np.nanargmax(scores)]
