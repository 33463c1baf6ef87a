"""The SMBO search base class and the search estimators built on it.

Every estimator here is a ``BaseSearchCV``: scikit-learn does the
cross-validation, scoring, refit and ``cv_results_``. What is ours is the
order in which candidates are asked for: one shared ``_run_search`` loop
(ask, evaluate, read scores, tell) over an :class:`~sksmbo.Optimizer` that
each estimator builds in ``_make_optimizer``.
"""

from __future__ import annotations

import copy
import inspect
import math
import time
from abc import abstractmethod
from collections.abc import Mapping
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from numbers import Integral
from numbers import Real as RealNumber

import joblib
import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state

from sksmbo._checkpoint import SearchState, refuse_changes, state_to_resume
from sksmbo._compat import (
    BaseSearchCV,
    HasMethods,
    Interval,
    StrOptions,
    num_samples,
    safe_indexing,
    validate_parameter_constraints,
)
from sksmbo._engine import Engine
from sksmbo._interrupts import interrupts_deferred
from sksmbo._optimizer import Optimizer
from sksmbo._progress import CandidateLog, Progress, say_fitting
from sksmbo._racing import Race, race_for
from sksmbo._results import (
    candidate_scores,
    keep_results_without_refit,
    mark_raced_out,
    objective_score,
    raise_if_all_fits_failed,
    warn_exhausted,
    warn_if_raced_out_chosen,
    with_stand_ins,
)
from sksmbo._sampling import SAMPLERS
from sksmbo._sklearn_hooks import (
    FixedSplits,
    Workers,
    close_search_context,
    data_scattered,
    fit_tasks,
    replay,
    search_context,
    search_hooks,
    search_scorers,
    tolerate_failed_rounds,
)
from sksmbo._surrogates.forest import ForestProposer
from sksmbo._surrogates.gp import ACQ_FUNCS as GP_ACQ_FUNCS
from sksmbo._surrogates.gp import GPProposer
from sksmbo._surrogates.regressor import RegressorProposer, supports_return_std
from sksmbo._surrogates.tpe import TPEProposer
from sksmbo._warn import warn
from sksmbo.space import Categorical, Space


class _BaseSMBOSearch(BaseSearchCV):
    """Shared loop of the sequential searches; subclasses build the optimizer."""

    _required_parameters = ["estimator", "search_spaces"]

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "n_points": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
        "random_state": ["random_state"],
        "callbacks": [callable, list, None],
        "max_time": [Interval(RealNumber, 0, None, closed="neither"), None],
        "progress_bar": ["boolean"],
        "warm_start": ["boolean"],
        "constraints": [callable, list, None],
        "racing": ["boolean", Interval(RealNumber, 0.5, 1, closed="left")],
        "asynchronous": ["boolean"],
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
        callbacks,
        max_time,
        progress_bar,
        warm_start,
        constraints,
        racing,
        asynchronous,
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
        self.callbacks = callbacks
        self.max_time = max_time
        self.progress_bar = progress_bar
        self.warm_start = warm_start
        self.constraints = constraints
        self.racing = racing
        self.asynchronous = asynchronous

    # What only a running fit holds. scikit-learn >= 1.9 sends the search
    # itself with every fit task (``caller``, for its callbacks): pickling
    # the growing search state or the Parallel with each fit would cost
    # O(candidates) per fit, or fail.
    _FIT_ONLY = (
        "_parallel", "_log", "_callbacks", "_resume", "_fingerprint", "_race"
    )  # fmt: skip

    def __getstate__(self):
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        fitting = "_searched" in state
        for name in self._FIT_ONLY + (("_state", "_searched") if fitting else ()):
            state.pop(name, None)
        return state

    @abstractmethod
    def _make_optimizer(self, space: Space, n_iter: int, seed: int) -> Optimizer:
        """The optimizer for one (sub-)search of ``n_iter`` points."""

    def fit(self, X, y=None, *, callback=None, resume_from=None, **params):
        """Run the search, then refit the best candidate on the whole data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        callback : callable or list of callables, default=None
            Called after every candidate, beside the ``callbacks`` of the
            constructor, with the optimizer's result so far (a
            ``scipy.optimize.OptimizeResult`` in scikit-optimize's format); a
            callback returning True stops the search.
        resume_from : OptimizeResult or str, default=None
            Continue a search from what a callback received (or from the file
            a :class:`~sksmbo.callbacks.CheckpointSaver` wrote): its candidates
            are not evaluated again and ``cv_results_`` covers them. The same
            data, estimator, ``cv`` and ``search_spaces`` must be passed (a
            change is an error naming it). A finished search is refitted from
            the file without evaluating anything. A checkpoint is a pickle:
            load only files you trust.
        **params : dict of str -> object
            Parameters passed to the estimator's ``fit``, the scorer and the
            CV splitter (e.g. ``groups``), as in ``GridSearchCV.fit``.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._callbacks = check_callbacks(
            self.callbacks, "callbacks"
        ) + check_callbacks(callback, "callback")
        self._resume = self._resume_state(resume_from)
        self._fingerprint = _fingerprint(self.estimator, X, y)
        self._searched = False  # set when _run_search returns: the refit follows
        try:
            if self._resume is not None:
                self._check_resumable(self._resume, X, y, params.get("groups"))
                if resume_from is None and self._nothing_left(self._resume):
                    return self  # a warm start with nothing to add: already fitted
            with data_scattered(X, y), search_hooks(self.estimator):
                return super().fit(X, y, **params)
        except KeyboardInterrupt:
            # Ctrl-C after the search, during the refit: keep the results.
            if not self._searched:
                raise
            keep_results_without_refit(self, self._state.results, search_scorers(self))
            return self
        finally:
            del self._callbacks, self._resume, self._fingerprint, self._searched
            self.__dict__.pop("_log", None)
            self.__dict__.pop("_parallel", None)

    def _resume_state(self, resume_from) -> SearchState | None:
        """What a resumed search starts from: ``resume_from``, or the last fit."""
        if resume_from is not None:
            return state_to_resume(resume_from, SearchState)
        if self.warm_start and getattr(self, "_state", None) is not None:
            return copy.deepcopy(self._state)
        return None

    def _nothing_left(self, state: SearchState) -> bool:
        """Whether a resumed search already has every candidate of its plan."""
        return all(
            len(opt.yi) >= n_iter or opt.exhausted
            for opt, (_, n_iter) in zip(state.optimizers, self._plan(), strict=True)
        )

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
            if isinstance(item, tuple) and len(item) != 2:
                raise ValueError(
                    "search_spaces as a list of (search_space, n_iter) pairs must "
                    f"hold dicts or pairs. Got {item!r}."
                )
            sub, n_iter = item if isinstance(item, tuple) else (item, self.n_iter)
            if not isinstance(n_iter, Integral) or n_iter < 1:
                raise ValueError(
                    "In a (search_space, n_iter) pair of search_spaces, n_iter must be "
                    f"an int >= 1. Got {item!r}."
                )
            plan.append((Space(sub), int(n_iter)))
        return plan

    # -- the search loop ---------------------------------------------------

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        plan = self._plan()
        for space, _ in plan:
            check_param_names(self.estimator, space)
        if self._resume is not None:
            optimizers = self._resume.optimizers
            for optimizer in optimizers:
                # Points in flight when the search stopped: propose afresh.
                optimizer.forget_pending()
        else:
            rng = check_random_state(self.random_state)
            optimizers = [
                self._make_optimizer(space, n_iter, int(rng.randint(2**31 - 1)))
                for space, n_iter in plan
            ]
        constraint = self._candidate_constraint()
        for optimizer in optimizers:  # a resumed optimizer was pickled without it
            optimizer.constraint = constraint
        self._state = self._resume or SearchState(optimizers, [], [], None)
        self._state.fingerprint = self._fingerprint
        self._race = self._make_race(self._state)
        self.optimizer_results_ = []
        search_ctx = search_context(callback_ctx, self)
        done = sum(len(opt.yi) for opt in optimizers)
        total = sum(n for _, n in plan)
        progress = Progress(
            type(self).__name__, total=total, done=done, enabled=self.progress_bar
        )
        self._log = CandidateLog(type(self).__name__, total, self.verbose, done)
        deadline = (
            None if self.max_time is None else time.perf_counter() + self.max_time
        )

        splits = None  # the first candidate's, for all (see FixedSplits)

        def fold_tasks_of(candidates):
            """Each candidate's fit tasks, from one capture of them all."""
            nonlocal splits
            tasks, parallel = fit_tasks(
                evaluate_candidates, candidates, search_ctx, self, cv=splits
            )
            self._parallel = parallel
            n_splits = len(tasks) // len(candidates)
            if splits is None:
                splits = FixedSplits(tasks[:n_splits])
                say_fitting(n_splits, total - done, self.verbose, bool(self._race))
            return [tasks[i : i + n_splits] for i in range(0, len(tasks), n_splits)]

        # sklearn warns of failed fits where it builds cv_results_: once, at
        # the end, over every fit (replay).
        with tolerate_failed_rounds() as fits:
            stop = False
            for optimizer, (_, n_iter) in zip(optimizers, plan, strict=True):
                if not stop:
                    stop = self._search_one(
                        optimizer, n_iter, fold_tasks_of, progress, deadline
                    )
                self.optimizer_results_.append(optimizer.result())
            if self._state.candidates:
                with interrupts_deferred():
                    self._finish_results(evaluate_candidates, splits)
        progress.close()
        close_search_context(search_ctx, self)
        raise_if_all_fits_failed(fits)
        self._searched = True

    def _make_race(self, state: SearchState) -> Race | None:
        """What races candidates out (``racing``), knowing the candidates so far."""
        n = state.n_splits or 1
        return race_for(
            self.racing,
            partial(objective_score, scoring=self.scoring, refit=self.refit),
            (state.out[start : start + n] for start in range(0, len(state.out), n)),
        )

    def _candidate_constraint(self):
        """One predicate from ``constraints``, or None."""
        return all_of(self.constraints, "constraints")

    def _check_resumable(self, state: SearchState, X, y, groups) -> None:
        """Refuse to resume what differs from the stopped search, naming it."""
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        refuse_changes(
            state,
            [repr(space) for space, _ in self._plan()],
            cv.get_n_splits(X, y, groups),
            self._fingerprint,
        )

    def _search_one(self, optimizer, n_iter, fold_tasks_of, progress, deadline) -> bool:
        """Evaluate candidates until ``n_iter`` are told; return whether to stop.

        The engine keeps every worker busy with (candidate, fold) fits. Ctrl-C
        anywhere stops the search with every candidate whose folds all came
        back; the fits in flight are lost. Telling the optimizer and the
        callbacks (a checkpoint) finish before an interrupt is raised.
        """

        told = _BatchedTells(optimizer)

        def tell(params, outputs, raced=None):
            return self._tell(told, params, outputs, progress, raced)

        def propose_batch(n):
            points = told.flushed().ask(n)
            if not points:
                return []
            return list(zip(points, fold_tasks_of(points), strict=True))

        engine = Engine(
            lambda: Workers(self._parallel), n_points=self.n_points,
            propose=told.ask, fold_tasks=lambda p: fold_tasks_of([p])[0],
            tell=tell, deadline=deadline, in_order=not self.asynchronous,
            propose_batch=propose_batch, race=self._race,
        )  # fmt: skip
        try:
            engine.run(n_iter - len(optimizer.yi), n_iter)
        except (KeyboardInterrupt, BrokenProcessPool) as exc:
            if not self._state.candidates:  # nothing evaluated to build on
                raise
            cause = (
                "interrupted"
                if isinstance(exc, KeyboardInterrupt)
                else (f"stopped by {type(exc).__name__} (a worker died twice)")
            )
            warn(
                f"Search {cause} after {len(self._state.candidates)} "
                "candidates; the results so far are kept."
            )
            return True
        finally:
            with interrupts_deferred():
                told.flushed()
        if engine.exhausted and len(optimizer.yi) < n_iter:
            warn_exhausted(len(optimizer.yi), n_iter)
        return engine.stopped

    def _tell(self, told, params, outputs, progress, raced=None) -> bool:
        """Record a candidate; run the callbacks; return whether one says stop.

        A raced-out candidate (``raced``, with None for the folds it did not
        get) is told to the optimizer as its full-CV mean predicted from the
        folds it shares with the incumbent, and that prediction's larger
        noise: its mean over its first folds alone would flatter it when
        those folds are easy ones.
        """
        state = self._state
        state.n_splits = len(outputs)
        evaluated = [out for out in outputs if out is not None]
        mean, variance, fit_time = candidate_scores(evaluated, self.scoring, self.refit)
        if raced is None:
            told.tell(params, mean, variance, fit_time)
        else:
            told.tell(params, raced.estimate, raced.noise, fit_time)
        if self._race is not None:
            self._race.observe(outputs)
        state.candidates.append(params)
        state.out.extend(outputs)
        progress.update(1, lambda: told.flushed().best()[1])
        std = math.sqrt(variance * len(evaluated))  # over folds, as cv_results_
        self._log.report(
            [params], [mean], [std], [fit_time], len(evaluated), len(outputs)
        )
        if not self._callbacks:
            return False
        result = told.flushed().result()
        result.search_state = state
        # Every callback sees every candidate (a checkpoint listed after a
        # stopper must still save the last one); any True stops.
        return any([run_callback(cb, result) for cb in self._callbacks])

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        """sklearn's choice; a ``refit`` callable may pick a raced-out candidate."""
        best = BaseSearchCV._select_best_index(refit, refit_metric, results)
        if callable(refit):
            warn_if_raced_out_chosen(best, results, refit)
        return best

    def _finish_results(self, evaluate_candidates, splits) -> None:
        """Let sklearn build cv_results_ once, from every candidate's fold outputs.

        A resumed search puts the candidates evaluated before in front, so
        that cv_results_, best_index_ and the refit cover the whole search.
        ``splits`` (the evaluated candidates' :class:`FixedSplits`, None when
        none was evaluated in this fit) spares splitting the data once more.
        """
        state = self._state
        out = with_stand_ins(state.out, state.n_splits)
        state.results = replay(
            evaluate_candidates, self, state.candidates, out, cv=splits
        )
        if self._race is not None or any(o is None for o in state.out):
            mark_raced_out(state.results, state.out, state.n_splits)


class _BatchedTells:
    """Tells an optimizer in batches, before it is asked again or read.

    A quasi-random search asks for every candidate before the first comes
    back, so its candidates are told in one call at the end; a model asked
    after each candidate is told each one before that, as it was. Telling
    one point costs a few tenths of a millisecond, much of what a
    quasi-random search spends per candidate besides its fits.
    """

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self._waiting = []  # (point, score, noise, cost)

    def tell(self, point, score, noise, cost) -> None:
        self._waiting.append((point, score, noise, cost))

    def flushed(self):
        """The optimizer, told everything so far."""
        if self._waiting:
            points, scores, noise, cost = zip(*self._waiting, strict=True)
            self._waiting = []
            self.optimizer.tell(list(points), scores, noise, cost)
        return self.optimizer

    def ask(self):
        return self.flushed().ask()


class AllOf:
    """A predicate true when every one of ``predicates`` accepts a candidate."""

    def __init__(self, predicates):
        self.predicates = predicates

    def __call__(self, params) -> bool:
        return all(predicate(params) for predicate in self.predicates)


class _ValueListConstraint:
    """scikit-optimize's ``space_constraint``: called with the values as a list.

    scikit-optimize's ``BayesSearchCV`` orders a candidate's values by
    parameter name.
    """

    def __init__(self, predicate):
        self.predicate = predicate

    def __call__(self, params) -> bool:
        return self.predicate([params[name] for name in sorted(params)])


def all_of(predicates, name: str) -> AllOf | None:
    """``predicates`` (a callable, a list of them or None) as one predicate."""
    predicates = check_callbacks(predicates, name)
    return AllOf(predicates) if predicates else None


def _fingerprint(estimator, X, y) -> dict:
    """What a resumed search must share with the stopped one, cheaply compared.

    The data is summarized by its shape and a hash of at most 1,000 of its
    rows (a hash of the whole of a large X would cost seconds).
    """
    n_samples = num_samples(X)
    rows = np.linspace(0, n_samples - 1, min(n_samples, 1000)).astype(int)
    sample = [_take_rows(X, rows), None if y is None else _take_rows(y, rows)]
    return {
        "estimator class": type(estimator).__qualname__,
        "data shape": (n_samples, *getattr(X, "shape", (n_samples,))[1:]),
        "data": joblib.hash(sample),
    }


def _take_rows(data, rows):
    """``data[rows]`` for arrays, frames, lists and sparse matrices alike."""
    if hasattr(data, "tocsr"):  # BSR/COO matrices have no row indexing
        data = data.tocsr()
    try:
        if type(data) is np.ndarray:  # the common case, at a seventh of the cost
            return data[rows]
        return safe_indexing(data, rows)
    except Exception:  # a summary must never fail a fit: then the shape alone
        return None


def run_callback(callback, result) -> bool:
    """``callback(result)``; an error in it stops the search, results kept."""
    try:
        return callback(result)
    except Exception as exc:  # a full disk must not lose the search
        warn(
            f"The callback {callback!r} raised {type(exc).__name__}: {exc}. "
            f"The search stops with the {len(result.x_iters)} candidates "
            "evaluated so far."
        )
        return True


def check_callbacks(callbacks, name: str) -> list:
    if callbacks is None:
        return []
    callbacks = list(callbacks) if isinstance(callbacks, list | tuple) else [callbacks]
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"The {name!r} parameter must be callable. Got {cb!r}.")
    return callbacks


def check_param_names(estimator, space: Space) -> None:
    """Raise before any fit if ``space`` names a parameter ``estimator`` refuses.

    A name is valid when ``get_params`` lists it, or when the estimator's own
    ``set_params`` accepts it: LightGBM, XGBoost and CatBoost take any
    parameter through ``**kwargs``, as ``RandomizedSearchCV`` lets them.
    """
    valid = set(estimator.get_params(deep=True))
    for sub in space.to_dicts():
        unlisted = [
            name
            for name in sub
            if name not in valid and not _valid_under_replaced_step(name, sub)
        ]
        if not unlisted:
            continue
        probe = clone(estimator)
        for name in unlisted:
            value = sub[name].from_unit(np.array([0.5]))[0]
            try:
                probe.set_params(**{name: value})
            except Exception as exc:
                raise ValueError(
                    f"Invalid parameter {name!r} in search_spaces for estimator "
                    f"{estimator!r}. Valid parameters are: {sorted(valid)!r}."
                ) from exc


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
        Controls the verbosity: from 1, one line per completed candidate
        (its number, parameters, mean score ± standard deviation over folds,
        fit time and the best score so far) beside scikit-learn's messages.
        The same lines go to the ``"sksmbo"`` logger at INFO level whatever
        ``verbose`` says, so that an application can route or silence them
        with :mod:`logging`.

    pre_dispatch : int, or str, default='2*n_jobs'
        Accepted for compatibility with
        :class:`~sklearn.model_selection.GridSearchCV`; without effect: the
        search never has more than two fits per worker out.

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

    callbacks : callable or list of callables, default=None
        Called after every candidate with the optimizer's result so far (a
        ``scipy.optimize.OptimizeResult`` in scikit-optimize's format, with
        the search's state as ``search_state``); one returning True stops the
        search: the candidates then in flight (at most ``n_points - 1``) are
        finished. See :mod:`sksmbo.callbacks`.

    max_time : float, default=None
        Propose no new candidate once a candidate is told this many seconds
        after the search began; the candidates then in flight are finished.

    progress_bar : bool, default=False
        Show candidates done, best score so far and elapsed time: a tqdm bar
        with the ``progress`` extra, else a line per candidate on stderr (at
        most one a second, and the last).

    constraints : callable or list of callables, default=None
        Predicates on a candidate (its parameter dict): a candidate for which
        any returns False is never evaluated (e.g. ``lambda p: p["max_depth"]
        * p["n_estimators"] <= 2000``). Checked before any fit: an error is
        raised if the constraints reject every candidate tried.

    racing : bool or float, default=False
        Stop a candidate's remaining folds once it cannot beat the best
        candidate so far: after each of its folds from the second on, an
        upper confidence bound on its mean score, paired with the best
        candidate's scores on the same folds, is compared with the best
        candidate's mean. A float in ``[0.5, 1)`` is the confidence of that
        bound; True means 0.95. The best candidate always has every fold, so
        ``best_score_`` is a full cross-validated mean; ``cv_results_`` gains
        a column ``n_splits_evaluated``, raced-out folds are NaN, and
        raced-out candidates rank after all others. See :ref:`racing`.

    asynchronous : bool, default=False
        With several candidates in flight, tell the model each candidate as
        soon as its folds are back instead of in the order they were
        proposed. No proposal then waits for a straggling fit, which pays on
        many workers with fit times that vary a lot (64 simulated workers,
        heavy-tailed fit times: 0.89-0.99x the wall time of
        :class:`~sklearn.model_selection.RandomizedSearchCV` instead of
        1.04-1.33x), but the candidates depend on timing: the same
        ``random_state`` no longer gives the same search, and ``cv_results_``
        lists candidates in the order they finished. False, the default,
        proposes candidate ``k`` only once candidate ``k - n_points`` is
        told, so that the search is reproducible.

    warm_start : bool, default=False
        Calling ``fit`` again continues the search (up to a larger ``n_iter``)
        instead of starting over; no evaluated candidate is refitted.

        Whatever stops the search early (a callback, ``max_time`` or Ctrl-C),
        the candidates evaluated so far are kept: ``cv_results_``,
        ``best_params_``, ``best_score_`` and the refit ``best_estimator_``
        cover them. Ctrl-C loses only the fits running at that moment and does
        not propagate (a warning says how many candidates were kept), unless
        nothing was evaluated yet.

"""

_COMMON_ATTRIBUTES = """\
    cv_results_ : dict of numpy (masked) ndarrays
        A dict with keys as column headers and values as columns, in the
        format of :class:`~sklearn.model_selection.RandomizedSearchCV`'s, one
        row per evaluated candidate in the order they were proposed. With
        ``racing``, also ``n_splits_evaluated``: the folds each candidate got.

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

    sampler : {"sobol", "halton", "hammersly", "lhs", "grid", "random"}, \
            default="sobol"
        The design the candidates are drawn from ("hammersly" and "grid" are
        scikit-optimize's Hammersley set and grid).

    scramble : bool, default=True
        Scramble the Sobol' or Halton sequence (randomized QMC, seeded by
        ``random_state``).

    n_points : int, "auto" or None, default=None
        Candidates in flight: proposed and not yet told. The candidates do not
        depend on results, so this only bounds how far a ``callback`` or
        ``max_time`` lets the search run past its stop. None puts all
        ``n_iter`` in flight, as ``RandomizedSearchCV`` does; "auto" keeps
        the joblib workers busy (see :class:`BayesSearchCV`).

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
        callbacks=None,
        max_time=None,
        progress_bar=False,
        warm_start=False,
        constraints=None,
        racing=False,
        asynchronous=False,
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
            callbacks=callbacks,
            max_time=max_time,
            progress_bar=progress_bar,
            warm_start=warm_start,
            constraints=constraints,
            racing=racing,
            asynchronous=asynchronous,
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


# scikit-optimize's names for the acquisition functions, mapped to ours.
_ACQ_FUNC_ALIASES = {
    "EI": "ei",
    "LogEI": "log_ei",
    "PI": "pi",
    "LCB": "lcb",
    "UCB": "lcb",
    "EIps": "ei_per_second",
    "PIps": "pi_per_second",
}
_ACQ_FUNCS = (*GP_ACQ_FUNCS, "ei_per_second", "pi_per_second")
# scikit-optimize's base_estimator strings (any case) and what each builds.
_BASE_ESTIMATORS = ("GP", "RF", "ET", "GBRT", "DUMMY")
# optimizer_kwargs keys (scikit-optimize's) and the argument each one sets.
_OPTIMIZER_KWARGS = {
    "base_estimator": "base_estimator",
    "acq_func": "acq_func",
    "acq_optimizer": "acq_optimizer",
    "n_initial_points": "n_initial_points",
    "initial_point_generator": "initial_point_generator",
    "acq_func_kwargs": None,  # {"xi": ..., "kappa": ...}
    "acq_optimizer_kwargs": None,  # {"n_points": ..., "n_restarts_optimizer": ...}
    "model_queue_size": None,
    "space_constraint": None,  # a predicate on the values, in sorted-name order
    "n_jobs": None,  # ignored: the search's n_jobs sets the parallelism
    "random_state": None,  # ignored: the search's random_state seeds everything
}
_ACQ_FUNC_KWARGS = ("xi", "kappa")
# acq_optimizer_kwargs keys (scikit-optimize's) and the proposer setting each sets.
_ACQ_OPTIMIZER_KWARGS = {
    "n_points": "n_candidates",
    "n_restarts_optimizer": "n_polish",
    "n_jobs": None,  # ignored: proposals run on one thread
}


class BayesSearchCV(_BaseSMBOSearch):
    """Bayesian optimization of hyperparameters with a Gaussian process.

    A drop-in for ``skopt.BayesSearchCV`` (scikit-optimize) and a faster road
    than :class:`~sklearn.model_selection.GridSearchCV` to a good model: after
    ``n_initial_points`` space-filling candidates, a Gaussian process fitted
    to the cross-validated scores so far (with the spread of the fold scores
    as known noise) proposes each next candidate by maximizing an acquisition
    function. The process is refitted for every proposal; the candidates in
    flight (``n_points > 1``) are pending points the process is conditioned
    on with the scores it predicts for them (a kriging believer).

    Parameters
    ----------
    estimator : estimator object
        An object of that type is instantiated for each candidate. It must
        provide a ``score`` function or ``scoring`` must be passed.

    search_spaces : dict, list of dicts or list of (dict, int) pairs
        Parameter names (``str``) mapped to what to search: a list of values,
        a ``(low, high)`` or ``(low, high, "log-uniform")`` tuple, a
        :class:`~sksmbo.space.Real` / :class:`~sksmbo.space.Integer` /
        :class:`~sksmbo.space.Categorical` dimension, or a frozen
        ``scipy.stats`` distribution. A list of dicts gives alternative
        sub-spaces, each candidate belonging to one of them, modelled jointly.
        A list of ``(dict, n_iter)`` pairs (scikit-optimize's form) runs one
        search of ``n_iter`` candidates per pair, in order.

    optimizer_kwargs : dict, default=None
        scikit-optimize's way of setting the arguments below; its keys are
        ``base_estimator``, ``acq_func``, ``acq_optimizer``,
        ``n_initial_points``, ``initial_point_generator``, ``acq_func_kwargs``
        (a dict with ``xi`` and/or ``kappa``), ``acq_optimizer_kwargs`` (a
        dict with ``n_points``, the candidates screened per proposal, and
        ``n_restarts_optimizer``, how many of them are polished; ``n_jobs``
        is ignored), ``model_queue_size`` (how many fitted models
        ``optimizer_results_[i].models`` keeps; None keeps all),
        ``space_constraint`` (a predicate on a candidate's values listed in
        parameter-name order, as scikit-optimize passes them; see
        ``constraints``), and ``n_jobs`` and ``random_state`` (ignored: the
        search's ``n_jobs`` and ``random_state`` apply). Unknown keys are an
        error. A key given here and also as an argument with a non-default
        value is an error.

    n_iter : int, default=50
        Number of candidates evaluated (per sub-search with ``(dict, n_iter)``
        pairs).

    base_estimator : {"GP", "RF", "ET", "GBRT", "DUMMY"} or regressor, default="GP"
        The surrogate model, scikit-optimize's names in any case: the built-in
        Gaussian process; a random forest ("RF") or extra trees ("ET") whose
        spread is the variance across trees plus within leaves (SMAC's);
        gradient-boosted quantile regression ("GBRT"); no model at all
        ("DUMMY": every candidate from the space-filling design); or any
        scikit-learn regressor whose ``predict`` accepts ``return_std=True``
        (e.g. :class:`~sklearn.gaussian_process.GaussianProcessRegressor`).

    acq_func : {"log_ei", "ei", "pi", "log_pi", "lcb", "gp_hedge", \
            "ei_per_second", "pi_per_second"}, default="log_ei"
        The acquisition function: (log) expected improvement, (log)
        probability of improvement, the confidence bound ``mean + kappa *
        std``, scikit-optimize's ``gp_hedge`` portfolio of EI, PI and LCB, or
        improvement per second of fit time (a second Gaussian process models
        the log of ``mean_fit_time``; with ``base_estimator="GP"``).
        scikit-optimize's spellings ``"EI"``, ``"PI"``, ``"LCB"``, ``"EIps"``
        and ``"PIps"`` are accepted.

    acq_optimizer : {"auto", "lbfgs", "sampling"}, default="auto"
        How the acquisition is maximized: screening quasi-random candidates
        and polishing the best few with L-BFGS-B ("auto", "lbfgs"), or
        screening only ("sampling").

    n_initial_points : int, default=10
        Candidates drawn from the space-filling design before the model is
        used. When it is not smaller than ``n_iter`` the search is
        quasi-random (with a warning).

    initial_point_generator : {"sobol", "halton", "hammersly", "lhs", "grid", \
            "random"}, default="sobol"
        The space-filling design of the first candidates (scikit-optimize's
        names).

    xi : float, default=0.01
        Improvement, in standardized score units, that EI and PI require.

    kappa : float, default=1.96
        Exploration weight of the confidence bound ("lcb").

    fit_params : dict, default=None
        Parameters passed to the estimator's ``fit``, kept for compatibility
        with scikit-optimize; prefer passing them to :meth:`fit`. Parameters
        passed to :meth:`fit` take precedence.

    n_points : int or "auto", default="auto"
        Candidates in flight: proposed and not yet told (the pending points
        the GP conditions on at their predicted scores). Each candidate's folds are
        separate fits, and a worker that frees starts the next fit at once.
        "auto" is 1 on one worker (a sequential search) and otherwise
        ``ceil(3 * n_workers / n_splits) + 1``, enough to keep every joblib
        worker busy. Candidate ``k`` is proposed from the results of
        candidates ``0 .. k - n_points`` only, so the same ``random_state``
        and ``n_points`` give the same candidates whatever the timing: an
        integer makes them independent of ``n_jobs`` and of the backend too.

    {common_params}
    Attributes
    ----------
    {common_attributes}
    See Also
    --------
    TPESearchCV : Tree-structured Parzen Estimator, for conditional spaces.
    QuasiRandomSearchCV : Low-discrepancy sampling, no model.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import BayesSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(), {"C": (1e-2, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]},
    ...     n_iter=12, n_initial_points=5, random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    12
    >>> bool(search.best_score_ > 0.95)
    True
    """

    _parameter_constraints: dict = {
        **_BaseSMBOSearch._parameter_constraints,
        "optimizer_kwargs": [dict, None],
        "base_estimator": [str, HasMethods(["fit", "predict"])],
        "acq_func": [StrOptions(set(_ACQ_FUNCS) | set(_ACQ_FUNC_ALIASES))],
        "acq_optimizer": [StrOptions({"auto", "lbfgs", "sampling"})],
        "n_initial_points": [Interval(Integral, 1, None, closed="left")],
        "initial_point_generator": [StrOptions(set(SAMPLERS))],
        "xi": [Interval(RealNumber, 0, None, closed="left")],
        "kappa": [Interval(RealNumber, 0, None, closed="left")],
        "fit_params": [dict, None],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        optimizer_kwargs=None,
        n_iter=50,
        base_estimator="GP",
        acq_func="log_ei",
        acq_optimizer="auto",
        n_initial_points=10,
        initial_point_generator="sobol",
        xi=0.01,
        kappa=1.96,
        scoring=None,
        fit_params=None,
        n_jobs=None,
        n_points="auto",
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        callbacks=None,
        max_time=None,
        progress_bar=False,
        warm_start=False,
        constraints=None,
        racing=False,
        asynchronous=False,
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
            callbacks=callbacks,
            max_time=max_time,
            progress_bar=progress_bar,
            warm_start=warm_start,
            constraints=constraints,
            racing=racing,
            asynchronous=asynchronous,
        )
        self.optimizer_kwargs = optimizer_kwargs
        self.base_estimator = base_estimator
        self.acq_func = acq_func
        self.acq_optimizer = acq_optimizer
        self.n_initial_points = n_initial_points
        self.initial_point_generator = initial_point_generator
        self.xi = xi
        self.kappa = kappa
        self.fit_params = fit_params

    def fit(self, X, y=None, *, callback=None, resume_from=None, **params):
        self._validate_params()  # fit_params is read before BaseSearchCV.fit
        params = {**(self.fit_params or {}), **params}
        return super().fit(X, y, callback=callback, resume_from=resume_from, **params)

    fit.__doc__ = _BaseSMBOSearch.fit.__doc__

    def _settings(self) -> dict:
        """The optimizer's arguments, ``optimizer_kwargs`` merged in and checked."""
        settings = {
            name: getattr(self, name) for name in _OPTIMIZER_KWARGS.values() if name
        }
        settings.update(xi=self.xi, kappa=self.kappa)
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
        }
        given = dict(self.optimizer_kwargs or {})
        _check_keys(given, _OPTIMIZER_KWARGS, "optimizer_kwargs")
        acq_kwargs = _nested_kwargs(given, "acq_func_kwargs", _ACQ_FUNC_KWARGS)
        extras = {
            "model_queue_size": given.pop("model_queue_size", 0),
            "space_constraint": given.pop("space_constraint", None),
            **_nested_kwargs(given, "acq_optimizer_kwargs", _ACQ_OPTIMIZER_KWARGS),
        }
        for ignored in ("random_state", "n_jobs"):
            given.pop(ignored, None)
        given.update(acq_kwargs)
        for name, value in given.items():
            if _differs(settings[name], defaults[name]) and _differs(
                value, settings[name]
            ):
                raise ValueError(
                    f"{name!r} is set both as an argument ({settings[name]!r}) and in "
                    f"optimizer_kwargs ({value!r}); set it in one place."
                )
        settings.update(given)
        # Validate what came through optimizer_kwargs as if passed directly.
        constraints = {k: self._parameter_constraints[k] for k in given}
        validate_parameter_constraints(
            constraints, given, caller_name="optimizer_kwargs"
        )
        validate_parameter_constraints(
            _EXTRA_CONSTRAINTS, extras, caller_name="optimizer_kwargs"
        )
        settings.update(extras)
        settings["acq_func"] = _ACQ_FUNC_ALIASES.get(
            settings["acq_func"], settings["acq_func"]
        )
        return settings

    def _candidate_constraint(self):
        space_constraint = self._settings()["space_constraint"]
        own = check_callbacks(self.constraints, "constraints")
        if space_constraint is not None:
            own.append(_ValueListConstraint(space_constraint))
        return AllOf(own) if own else None

    def _make_optimizer(self, space, n_iter, seed):
        settings = self._settings()
        if settings["n_initial_points"] >= n_iter:
            warn(
                f"n_initial_points={settings['n_initial_points']} is not smaller than "
                f"n_iter={n_iter}: every candidate comes from the space-filling "
                "design (a quasi-random search)."
            )
        return Optimizer(
            space,
            proposer=_bayes_proposer(settings),
            n_initial_points=settings["n_initial_points"],
            initial_point_generator=settings["initial_point_generator"],
            model_queue_size=settings["model_queue_size"],
            random_state=seed,
        )


# Checks of the optimizer_kwargs entries that have no argument of their own.
_EXTRA_CONSTRAINTS = {
    "model_queue_size": [Interval(Integral, 0, None, closed="left"), None],
    "space_constraint": [callable, None],
    "n_candidates": [Interval(Integral, 1, None, closed="left")],
    "n_polish": [Interval(Integral, 1, None, closed="left")],
}


def _check_keys(given: Mapping, valid, where: str) -> None:
    unknown = sorted(set(given) - set(valid), key=str)
    if unknown:
        raise ValueError(
            f"Unknown key(s) {unknown!r} in {where}. Valid keys are {sorted(valid)!r}."
        )


def _nested_kwargs(given: dict, key: str, names) -> dict:
    """Pop ``given[key]`` (a dict of scikit-optimize's keys); map them to ours."""
    nested = given.pop(key, None) or {}
    if not isinstance(nested, Mapping):
        raise ValueError(
            f"optimizer_kwargs[{key!r}] must be a dict with keys among "
            f"{sorted(names)!r}. Got {nested!r}."
        )
    _check_keys(nested, names, f"optimizer_kwargs[{key!r}]")
    if isinstance(names, Mapping):  # renamed; None marks an ignored key
        return {names[k]: v for k, v in nested.items() if names[k]}
    return dict(nested)


def _differs(value, other) -> bool:
    """``value != other`` for plain values; identity for estimators and the like."""
    if isinstance(value, str | RealNumber) and isinstance(other, str | RealNumber):
        return value != other
    return value is not other


def _bayes_proposer(settings: dict):
    """The proposer ``base_estimator`` and ``acq_func`` name; None for "DUMMY"."""
    acq_func = settings["acq_func"]
    per_second = acq_func.endswith("_per_second")
    common = dict(xi=settings["xi"], kappa=settings["kappa"])
    screening = {k: settings[k] for k in ("n_candidates", "n_polish") if k in settings}
    base = settings["base_estimator"]
    if isinstance(base, str):
        kind = base.upper()
        if kind not in _BASE_ESTIMATORS:
            raise ValueError(
                f"The 'base_estimator' parameter must be one of {_BASE_ESTIMATORS} "
                "(in any case) or a regressor whose predict accepts "
                f"return_std=True. Got {base!r}."
            )
        if kind == "DUMMY":  # scikit-optimize's random search: the design goes on
            return None
        if kind == "GP":
            if per_second:  # log-EI / log-PI per second: the same argmax as EIps
                common["per_second"] = True
                acq_func = "log_" + acq_func.removesuffix("_per_second")
            polish = settings["acq_optimizer"] != "sampling"
            return GPProposer(acq_func, **common, polish=polish, **screening)
    elif not supports_return_std(base):
        raise ValueError(
            "The 'base_estimator' parameter must be one of "
            f"{_BASE_ESTIMATORS} or a regressor whose predict accepts "
            f"return_std=True. Got {base!r}."
        )
    if acq_func == "gp_hedge" or per_second:
        raise ValueError(
            f"acq_func={acq_func!r} needs base_estimator='GP'. Got "
            f"base_estimator={base!r}."
        )
    # Trees and user regressors have no gradient to polish: screening only.
    n_candidates = {k: v for k, v in screening.items() if k == "n_candidates"}
    if isinstance(base, str):
        return ForestProposer(kind.lower(), acq_func=acq_func, **common, **n_candidates)
    return RegressorProposer(base, acq_func=acq_func, **common, **n_candidates)


class TPESearchCV(_BaseSMBOSearch):
    """Search over parameters with the Tree-structured Parzen Estimator.

    What optuna and hyperopt users know, as a drop-in for
    :class:`~sklearn.model_selection.RandomizedSearchCV`: after ``n_startup``
    space-filling candidates, the evaluated candidates are split into the best
    ``gamma(n)`` and the rest; a density is fitted to each (``l(x)`` and
    ``g(x)``), ``n_ei_candidates`` points are drawn from ``l(x)`` and the one
    with the largest ``l(x) / g(x)`` is evaluated. It shines on mixed,
    categorical and conditional spaces: with a list of dicts (as in
    ``GridSearchCV``'s ``param_grid``) the choice of sub-space is modelled, and
    each sub-space's parameters only from the candidates where they were set.

    Parameters
    ----------
    estimator : estimator object
        An object of that type is instantiated for each candidate. It must
        provide a ``score`` function or ``scoring`` must be passed.

    search_spaces : dict, list of dicts or list of (dict, int) pairs
        Parameter names (``str``) mapped to what to search: a list of values,
        a ``(low, high)`` or ``(low, high, "log-uniform")`` tuple, a
        :class:`~sksmbo.space.Real` / :class:`~sksmbo.space.Integer` /
        :class:`~sksmbo.space.Categorical` dimension, or a frozen
        ``scipy.stats`` distribution. A list of dicts gives alternative
        sub-spaces (conditional parameters). A list of ``(dict, n_iter)`` pairs
        runs one search of ``n_iter`` candidates per pair, in order.

    n_iter : int, default=50
        Number of candidates evaluated.

    n_startup : int, default=10
        Candidates drawn from a scrambled Sobol' design before the model is
        used.

    n_ei_candidates : int, default=24
        Points drawn from ``l(x)`` per proposal; more favours exploitation.

    gamma : callable, float or None, default=None
        Size of the good set among ``n`` candidates: a callable ``n ->
        n_good``, or a float in (0, 1) for ``ceil(gamma * n)``. None uses
        ``min(ceil(0.1 * n), 25)``.

    multivariate : bool, default=True
        Model the parameters of a sub-space jointly (optuna's multivariate
        TPE); False models each parameter on its own.

    prior_weight : float, default=1.0
        Weight of the uniform prior component relative to one observation.

    n_points : int or "auto", default="auto"
        Candidates in flight: proposed and not yet told (pending points count
        as bad observations). Each candidate's folds are separate fits, and a
        worker that frees starts the next fit at once. "auto" is 1 on one
        worker (a sequential search) and otherwise ``ceil(3 * n_workers /
        n_splits) + 1``, enough to keep every joblib worker busy. Candidate
        ``k`` is proposed from the results of candidates ``0 .. k -
        n_points`` only, so the same ``random_state`` and ``n_points`` give
        the same candidates whatever the timing.

    {common_params}
    Attributes
    ----------
    {common_attributes}
    See Also
    --------
    BayesSearchCV : Gaussian-process surrogate.
    QuasiRandomSearchCV : Low-discrepancy sampling, no model.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.svm import SVC
    >>> from sksmbo import TPESearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = TPESearchCV(
    ...     SVC(),
    ...     [{"kernel": ["rbf"], "C": (1e-2, 1e2, "log-uniform"), "gamma": [0.01, 0.1]},
    ...      {"kernel": ["linear"], "C": (1e-2, 1e2, "log-uniform")}],
    ...     n_iter=15, n_startup=5, random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    15
    >>> bool(search.best_score_ > 0.95)
    True
    """

    _parameter_constraints: dict = {
        **_BaseSMBOSearch._parameter_constraints,
        "n_startup": [Interval(Integral, 1, None, closed="left")],
        "n_ei_candidates": [Interval(Integral, 1, None, closed="left")],
        "gamma": [callable, Interval(RealNumber, 0, 1, closed="neither"), None],
        "multivariate": ["boolean"],
        "prior_weight": [Interval(RealNumber, 0, None, closed="neither")],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter=50,
        n_startup=10,
        n_ei_candidates=24,
        gamma=None,
        multivariate=True,
        prior_weight=1.0,
        n_points="auto",
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        callbacks=None,
        max_time=None,
        progress_bar=False,
        warm_start=False,
        constraints=None,
        racing=False,
        asynchronous=False,
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
            callbacks=callbacks,
            max_time=max_time,
            progress_bar=progress_bar,
            warm_start=warm_start,
            constraints=constraints,
            racing=racing,
            asynchronous=asynchronous,
        )
        self.n_startup = n_startup
        self.n_ei_candidates = n_ei_candidates
        self.gamma = gamma
        self.multivariate = multivariate
        self.prior_weight = prior_weight

    def _make_optimizer(self, space, n_iter, seed):
        proposer = TPEProposer(
            n_ei_candidates=self.n_ei_candidates,
            gamma=self.gamma,
            multivariate=self.multivariate,
            prior_weight=self.prior_weight,
        )
        return Optimizer(
            space, proposer=proposer, n_initial_points=self.n_startup, random_state=seed
        )


def _fill_docstring(cls):
    """Insert the parameters and attributes every search documents word for word."""
    # The placeholders stand indented on their own lines; the blocks carry
    # their own indentation.
    cls.__doc__ = cls.__doc__.replace("    {common_params}\n", _COMMON_PARAMS).replace(
        "    {common_attributes}\n", _COMMON_ATTRIBUTES
    )
    return cls


for _cls in (BayesSearchCV, TPESearchCV, QuasiRandomSearchCV):
    _fill_docstring(_cls)
