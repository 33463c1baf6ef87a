"""Every private scikit-learn / scipy import and version branch, in one place.

A new scikit-learn release that moves one of these breaks this file only.
"""

from __future__ import annotations

import inspect
import threading
import warnings
from collections import Counter
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext

from joblib import effective_n_jobs, parallel_config
from joblib.parallel import get_active_backend
from sklearn.base import _fit_context  # noqa: F401  (re-exported)
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import _search as _sklearn_search
from sklearn.model_selection._search import BaseSearchCV  # noqa: F401
from sklearn.model_selection._search_successive_halving import (  # noqa: F401
    BaseSuccessiveHalving,
)
from sklearn.model_selection._search_successive_halving import (
    _top_k as top_k,  # noqa: F401
)
from sklearn.utils import _safe_indexing as safe_indexing  # noqa: F401
from sklearn.utils._param_validation import (  # noqa: F401
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _num_samples as num_samples  # noqa: F401

from sksmbo._results import FitCounts, failure_summary

# --- scipy.stats.qmc: ``seed=`` became ``rng=`` in scipy 1.15 ---------------


def qmc_engine(engine_cls, n_dims: int, seed: int, **kwargs):
    """Build a ``scipy.stats.qmc`` engine seeded with the keyword this scipy has."""
    if "rng" in inspect.signature(engine_cls).parameters:
        return engine_cls(n_dims, rng=seed, **kwargs)
    return engine_cls(n_dims, seed=seed, **kwargs)


# --- sklearn >= 1.9 callbacks (set_callbacks, ProgressBar, ...) -------------


class SearchTask:
    """sklearn's "search" callback task, whose evaluations span many rounds.

    ``RandomizedSearchCV`` hangs every (candidate, split) evaluation directly
    under its "search" task; a callback written for it expects that tree
    (root, search, evaluations, refit). ``evaluate_candidates`` numbers the
    evaluations of each call from 0, so every round sees the search task
    through a view that numbers its evaluations after those of earlier rounds.
    """

    def __init__(self, context):
        self.context = context
        self.n_evaluations = 0

    def round_view(self, n_evaluations: int) -> _ContinuedNumbering:
        view = _ContinuedNumbering(self.context, self.n_evaluations)
        self.n_evaluations += n_evaluations
        return view


class _ContinuedNumbering:
    """A callback context whose new subtasks are numbered from ``offset``."""

    def __init__(self, context, offset: int):
        self._context = context
        self._offset = offset

    def subcontext(self, task_name="", task_id=None, **kwargs):
        return self._context.subcontext(
            task_name=task_name, task_id=self._offset + task_id, **kwargs
        )


def search_context(
    callback_ctx, estimator, *, iterations: bool = False
) -> SearchTask | None:
    """Open the "search" task under sklearn's root callback context.

    Returns None on scikit-learn versions without callbacks. The number of
    evaluations is not known in advance. With ``iterations`` (halving), the
    search task holds one "halving-iteration" task per rung, as in sklearn's
    ``HalvingRandomSearchCV``, see :class:`HalvingIteration`.
    """
    if callback_ctx is None:
        return None
    context = callback_ctx.subcontext(
        task_name="search", max_subtasks=None, sequential_subtasks=iterations
    ).call_on_fit_task_begin(estimator=estimator)
    return SearchTask(context)


class HalvingIteration:
    """One rung's "halving-iteration" task, opened at its first evaluation.

    A rung that evaluates nothing (a finite space ran out) opens no task, so
    the tree has one iteration task per entry of ``n_iterations_``, as in
    sklearn's ``HalvingRandomSearchCV``. Use it as a context manager.
    """

    def __init__(self, search_task: SearchTask | None, estimator):
        self._search_task = search_task
        self._estimator = estimator
        self._task: SearchTask | None = None

    def task(self) -> SearchTask | None:
        if self._search_task is not None and self._task is None:
            context = self._search_task.context.subcontext(
                task_name="halving-iteration",
                max_subtasks=None,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self._estimator)
            self._task = SearchTask(context)
        return self._task

    def __enter__(self) -> HalvingIteration:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._task is not None:
            self._task.context.call_on_fit_task_end(estimator=self._estimator)


def evaluate_round(evaluate_candidates, candidates, search_task, estimator, **kwargs):
    """Call ``evaluate_candidates`` once, its evaluations under the search task.

    ``kwargs`` (``cv``, ``more_results``) go to ``evaluate_candidates``.
    """
    if search_task is None:
        return evaluate_candidates(candidates, **kwargs)
    # Versions with callbacks set n_splits_ before calling _run_search.
    view = search_task.round_view(len(candidates) * estimator.n_splits_)
    return evaluate_candidates(candidates, callback_ctx=view, **kwargs)


def close_search_context(search_task: SearchTask | None, estimator) -> None:
    if search_task is not None:
        search_task.context.call_on_fit_task_end(estimator=estimator)


# --- evaluate_candidates raising when every fit of one call failed ----------
#
# ``BaseSearchCV.fit``'s ``evaluate_candidates`` raises "All the N fits failed"
# (and drops the call's candidates) when every fit of *one call* fails. A
# sequential search calls it once per round, so one bad candidate would end
# the whole search. While ``tolerate_failed_rounds`` is active in this thread,
# such a round only warns, as a partly failed round does; the search itself
# raises sklearn's error when no candidate at all succeeded.

_original_warn_or_raise = _sklearn_search._warn_or_raise_about_fit_failures
_tolerance = threading.local()
_install_lock = threading.Lock()


def _warn_or_raise_about_fit_failures(results, error_score):
    failed = [r["fit_error"] for r in results if r["fit_error"] is not None]
    counts = getattr(_tolerance, "counts", None)
    if counts is not None:
        counts.n_fits += len(results)
        counts.errors.update(failed)
    if counts is None or not failed or len(failed) < len(results):
        return _original_warn_or_raise(results, error_score)
    warnings.warn(
        f"\n{len(failed)} fits failed out of a total of {len(results)}.\n"
        "The score on these train-test partitions for these parameters will be "
        f"set to {error_score}.\nIf these failures are not expected, you can try "
        "to debug them by setting error_score='raise'.\n\nBelow are more details "
        f"about the failures:\n{failure_summary(Counter(failed))}",
        FitFailedWarning,
        stacklevel=2,
    )


@contextmanager
def tolerate_failed_rounds():
    """Let a round whose fits all failed warn instead of raise (this thread only).

    Yields the ``FitCounts`` of the search.
    """
    with _install_lock:
        _sklearn_search._warn_or_raise_about_fit_failures = (
            _warn_or_raise_about_fit_failures
        )
    previous = getattr(_tolerance, "counts", None)
    _tolerance.counts = counts = FitCounts()
    try:
        yield counts
    finally:
        _tolerance.counts = previous


# --- the Parallel that evaluate_candidates runs -------------------------------
#
# ``BaseSearchCV.fit`` creates one joblib ``Parallel`` when it starts and runs
# every round of ``evaluate_candidates`` on it. While an sksmbo search fits, in
# its thread only, a stand-in for that class does two things sklearn's does
# not:
# * replay: a resumed search that evaluates nothing new (its checkpoint holds
#   every candidate, or Ctrl-C came first) still needs sklearn to build
#   ``cv_results_`` and refit: ``evaluate_candidates`` is called with the
#   stored candidates and the stand-in returns their stored fold outputs
#   instead of fitting anything;
# * retry: when a worker process dies (out of memory, a crash in native code),
#   joblib's pool breaks and the round's outputs are lost; the stand-in runs
#   the round once more on a fresh ``Parallel`` before sklearn sees anything,
#   and every later round too (reusing the broken one handed back an output
#   of the failed call: "cannot reshape array of size 25 into shape (8,3)").
# In any other thread it is exactly sklearn's ``Parallel``.

_OriginalParallel = _sklearn_search.Parallel
_this_search = threading.local()
_hooks_lock = threading.Lock()
_hooks_users = 0


class _SearchParallel(_OriginalParallel):
    """sklearn's ``Parallel``; replays or retries in a thread running a search."""

    def __call__(self, iterable):
        if not getattr(_this_search, "active", False):
            return super().__call__(iterable)
        outputs = getattr(_this_search, "outputs", None)
        if outputs is not None:
            _this_search.outputs = None
            return outputs
        tasks = list(iterable)  # a generator cannot be run twice
        try:
            return self._run(tasks)
        except BrokenProcessPool as exc:
            warnings.warn(
                f"A worker process died while evaluating {len(tasks)} fits "
                f"({type(exc).__name__}); evaluating them again on a fresh pool.",
                UserWarning,
                stacklevel=2,
            )
            # This round and every later one: a broken Parallel can hand back
            # outputs of the call that failed.
            self._fresh = _OriginalParallel(n_jobs=self.n_jobs)
            return self._fresh(tasks)

    def _run(self, tasks):
        fresh = getattr(self, "_fresh", None)
        return super().__call__(tasks) if fresh is None else fresh(tasks)


@contextmanager
def search_fit_hooks():
    """Context of an sksmbo search's ``BaseSearchCV.fit``: replay and retry."""
    global _hooks_users
    if not issubclass(_SearchParallel, _sklearn_search.Parallel):
        raise RuntimeError(  # sklearn moved its Parallel: fail loudly, not silently
            "sksmbo does not support this scikit-learn: "
            "sklearn.model_selection._search.Parallel is not joblib's Parallel."
        )
    with _hooks_lock:
        if _hooks_users == 0:
            _sklearn_search.Parallel = _SearchParallel
        _hooks_users += 1
    previous = getattr(_this_search, "active", False)
    _this_search.active = True
    try:
        yield
    finally:
        _this_search.active = previous
        with _hooks_lock:
            _hooks_users -= 1
            if _hooks_users == 0:
                _sklearn_search.Parallel = _OriginalParallel


def replay(evaluate_candidates, candidates, outputs, **kwargs):
    """``evaluate_candidates(candidates)`` returning ``outputs``, fitting nothing.

    Only inside :func:`search_fit_hooks`; ``outputs`` are the per-fit dicts of
    ``_fit_and_score``, candidate-major, as ``evaluate_candidates`` made them.
    """
    _this_search.outputs = list(outputs)
    try:
        results = evaluate_candidates(candidates, **kwargs)
    finally:
        _this_search.outputs = None
    return results


def search_scorers(search):
    """What ``BaseSearchCV.fit`` stores as ``scorer_`` (a dict for several metrics)."""
    if "convert_multimetric" in inspect.signature(search._get_scorers).parameters:
        scorers, _ = search._get_scorers(convert_multimetric=False)  # sklearn < 1.5
    else:
        scorers, _ = search._get_scorers()
    return getattr(scorers, "_scorers", scorers)


# --- joblib's dask backend ------------------------------------------------
#
# Two traps (joblib 1.6): the dask backend runs on every worker whatever n_jobs
# says, while ``joblib.effective_n_jobs(1)`` still answers 1; and it sends X, y
# to the cluster again at every call of Parallel (every round) unless they are
# scattered once.


def _dask_backend():
    backend, _ = get_active_backend()
    return backend if type(backend).__name__ == "DaskDistributedBackend" else None


def n_workers(n_jobs) -> int:
    """The number of parallel workers a round's candidates can keep busy."""
    backend = _dask_backend()
    if backend is not None:
        return max(1, backend.effective_n_jobs(n_jobs))
    return max(1, effective_n_jobs(n_jobs))


def data_scattered(X, y):
    """Context in which a dask backend holds ``X`` and ``y`` on its workers."""
    backend = _dask_backend()
    if backend is None or backend.data_futures:
        return nullcontext()
    data = [a for a in (X, y) if a is not None and hasattr(a, "shape")]
    return parallel_config(backend="dask", client=backend.client, scatter=data)


# --- continuing the fits of promoted candidates -----------------------------
#
# ``evaluate_candidates`` fits ``clone(base_estimator)`` through
# ``_fit_and_score`` and never returns the fitted models, so a promoted
# candidate would be refitted from scratch. While ``warm_started_fits`` is
# active, the clones of *this search's* ``base_estimator`` carry a cache object
# (an instance attribute, so it travels to joblib workers with the clone), and
# ``_fit_and_score`` lets that cache continue an earlier fit. Clones of any
# other estimator carry nothing and go to sklearn's ``_fit_and_score``
# untouched. Both hooks are installed only while some search uses them.

_WARM_START_ATTRIBUTE = "_sksmbo_warm_start_cache"
_original_clone = _sklearn_search.clone
_original_fit_and_score = _sklearn_search._fit_and_score
_warm_start_lock = threading.Lock()
_warm_start_users = 0


def _clone_keeping_cache(estimator, *, safe=True):
    clone = _original_clone(estimator, safe=safe)
    cache = getattr(estimator, _WARM_START_ATTRIBUTE, None)
    if cache is not None:
        setattr(clone, _WARM_START_ATTRIBUTE, cache)
    return clone


def _fit_and_score_with_cache(estimator, X, y, **kwargs):
    cache = vars(estimator).pop(_WARM_START_ATTRIBUTE, None)
    if cache is None:
        return _original_fit_and_score(estimator, X, y, **kwargs)
    return cache.fit_and_score(_original_fit_and_score, estimator, X, y, **kwargs)


def _base_estimator(evaluate_candidates):
    """The estimator ``evaluate_candidates`` clones, or None if not found."""
    code = getattr(evaluate_candidates, "__code__", None)
    cells = getattr(evaluate_candidates, "__closure__", None)
    if code is None or cells is None or "base_estimator" not in code.co_freevars:
        return None
    return cells[code.co_freevars.index("base_estimator")].cell_contents


@contextmanager
def warm_started_fits(evaluate_candidates, cache):
    """Within this context, ``cache`` may continue the fits of this search.

    ``cache.fit_and_score(fit_and_score, estimator, X, y, **kwargs)`` is
    called instead of sklearn's ``_fit_and_score`` for every fit that
    ``evaluate_candidates`` starts. Yields False (and changes nothing) when
    this scikit-learn's ``evaluate_candidates`` does not expose the estimator
    it clones.
    """
    global _warm_start_users
    base = _base_estimator(evaluate_candidates)
    if base is None:
        yield False
        return
    with _warm_start_lock:
        if _warm_start_users == 0:
            _sklearn_search.clone = _clone_keeping_cache
            _sklearn_search._fit_and_score = _fit_and_score_with_cache
        _warm_start_users += 1
    setattr(base, _WARM_START_ATTRIBUTE, cache)
    try:
        yield True
    finally:
        # The refit (after the search) clones base_estimator too: no cache there.
        vars(base).pop(_WARM_START_ATTRIBUTE, None)
        with _warm_start_lock:
            _warm_start_users -= 1
            if _warm_start_users == 0:
                _sklearn_search.clone = _original_clone
                _sklearn_search._fit_and_score = _original_fit_and_score
