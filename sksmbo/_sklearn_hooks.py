"""Every use of scikit-learn's and joblib's internals beyond their public API.

sksmbo's searches are ``BaseSearchCV`` subclasses and need these things from
inside ``BaseSearchCV.fit`` that scikit-learn does not offer:

* capture: the fit tasks ``evaluate_candidates`` builds (clone, data, split,
  scorers, routed parameters), handed to the evaluation engine instead of run;
* workers: the engine runs them one by one on the backend of the ``Parallel``
  that ``BaseSearchCV.fit`` entered (:class:`Workers`);
* replay: sklearn builds ``cv_results_`` from the engine's fold outputs, and a
  resumed search that evaluates nothing new from the stored ones;
* a call of ``evaluate_candidates`` whose fits all failed warns instead of
  raising ("All the N fits failed"): the search raises once, at the end, if
  no fit at all succeeded;
* warm starts: promoted candidates of a halving search continue earlier fits.

:func:`search_hooks` installs the replacements of four attributes of
``sklearn.model_selection._search`` (``_warn_or_raise_about_fit_failures``,
``Parallel``, ``clone`` and ``_fit_and_score``) while a search fits, counted
over threads, and puts sklearn's own back when the last search ends, so the
module is as it was after every ``fit``. Each replacement behaves exactly as
sklearn's in any thread but one running a search that asked for the change.
Before installing, :func:`check_seams` verifies that this scikit-learn (and
joblib) still has each attribute as expected, and raises naming the one that
moved: a release that changes a seam fails loudly, never silently.

Also here: the task tree of scikit-learn 1.9's callbacks, ``scorer_`` as
``fit`` stores it, and joblib's dask backend.
"""

from __future__ import annotations

import functools
import inspect
import queue
import threading
import warnings
from collections import Counter
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext

import sklearn
from joblib import Parallel as JoblibParallel
from joblib import parallel_config
from joblib.parallel import (
    BatchedCalls,
    ParallelBackendBase,
    SequentialBackend,
    get_active_backend,
)
from sklearn.base import clone as sklearn_clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import _search as _sklearn_search
from sklearn.utils.parallel import Parallel

from sksmbo._compat import get_scorers
from sksmbo._results import FitCounts, failure_summary

# --- the seams ------------------------------------------------------------------

# sklearn's own attributes, read when the first of the running searches
# installs the hooks (what another search's hooks replaced is never read).
_ORIGINAL: dict = {}
_EXPECTED = {
    "_warn_or_raise_about_fit_failures": "a function of (results, error_score)",
    "Parallel": "sklearn.utils.parallel.Parallel",
    "clone": "sklearn.base.clone",
    "_fit_and_score": "a function of (estimator, X, y, ...)",
}


# The same as imported: what a joblib worker process, where no hook is ever
# installed, calls through the replacements it receives with its tasks.
_IMPORTED = {name: getattr(_sklearn_search, name, None) for name in _EXPECTED}


def _original(name: str):
    """scikit-learn's own ``sklearn.model_selection._search.<name>``."""
    return _ORIGINAL.get(name) or _IMPORTED[name]


def _seam_problem(name: str, value) -> str | None:
    """Why ``value`` is not what sksmbo expects of the attribute ``name``."""
    if value is None:
        return "is missing"
    if name in ("Parallel", "clone"):
        ok = value is {"Parallel": Parallel, "clone": sklearn_clone}[name]
    else:
        ok = callable(value) and _parameters(value)[:2] == (
            ("results", "error_score")
            if name == "_warn_or_raise_about_fit_failures"
            else ("estimator", "X")
        )
    return None if ok else f"is not {_EXPECTED[name]}"


@functools.cache  # signatures cost each fit a tenth of a millisecond
def _parameters(function) -> tuple:
    return tuple(inspect.signature(function).parameters)


def check_seams() -> None:
    """Raise a RuntimeError naming every seam this scikit-learn has moved.

    Reads ``sklearn.model_selection._search`` as it is now: call it when no
    search has its hooks installed.
    """
    problems = [
        f"sklearn.model_selection._search.{name} {problem}"
        for name in _EXPECTED
        if (problem := _seam_problem(name, getattr(_sklearn_search, name, None)))
    ] + _joblib_problems()
    if problems:
        raise RuntimeError(
            f"sksmbo does not support scikit-learn {sklearn.__version__}: "
            + "; ".join(problems)
            + ". Install a scikit-learn (and joblib) release that sksmbo supports."
        )


def _joblib_problems() -> list:
    """What :class:`Workers` needs of joblib and this joblib lacks."""
    problems = []
    batched = _parameters(BatchedCalls)
    if batched[:4] != (
        "iterator_slice", "backend_and_jobs", "reducer_callback", "pickle_cache"
    ):  # fmt: skip
        problems.append(f"joblib.parallel.BatchedCalls takes {list(batched)}")
    for name in ("submit", "retrieve_result_callback", "abort_everything"):
        if not hasattr(ParallelBackendBase, name):
            problems.append(f"joblib's backends have no {name}()")
    return problems


# Per thread: what the search running in it asked for.
_this_search = threading.local()
_install_lock = threading.Lock()
_n_searches = 0  # searches fitting now, in all threads


@contextmanager
def search_hooks(estimator):
    """Context of an sksmbo search's ``BaseSearchCV.fit``: the hooks installed.

    ``estimator`` is the search's ``estimator``: the first clone of it in
    this thread is ``BaseSearchCV.fit``'s ``base_estimator``, which a warm
    start marks (see :func:`warm_started_fits`).
    """
    global _n_searches
    with _install_lock:
        if _n_searches == 0:
            check_seams()
            _ORIGINAL.update(
                {name: getattr(_sklearn_search, name) for name in _EXPECTED}
            )
            _sklearn_search._warn_or_raise_about_fit_failures = _warn_or_raise
            _sklearn_search.Parallel = _SearchParallel
            _sklearn_search.clone = _clone_keeping_cache
            _sklearn_search._fit_and_score = _fit_and_score_with_cache
        _n_searches += 1
    previous = dict(vars(_this_search))
    vars(_this_search).clear()
    _this_search.estimator = estimator
    try:
        yield
    finally:
        vars(_this_search).clear()
        vars(_this_search).update(previous)
        with _install_lock:
            _n_searches -= 1
            if _n_searches == 0:
                for name, original in _ORIGINAL.items():
                    setattr(_sklearn_search, name, original)


# --- a round whose fits all failed warns -------------------------------------
#
# While ``tolerate_failed_rounds`` is active in this thread, a round whose fits
# all failed only warns, as a partly failed round does; the search itself
# raises sklearn's error when no fit at all succeeded (sksmbo._results).


def _warn_or_raise(results, error_score):
    original = _original("_warn_or_raise_about_fit_failures")
    counts = getattr(_this_search, "counts", None)
    failed = [r["fit_error"] for r in results if r["fit_error"] is not None]
    if counts is not None:
        counts.n_fits += len(results)
        counts.errors.update(failed)
    if counts is None or not failed or len(failed) < len(results):
        return original(results, error_score)
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

    Only inside :func:`search_hooks`. Yields the ``FitCounts`` of the search.
    """
    previous = getattr(_this_search, "counts", None)
    _this_search.counts = counts = FitCounts()
    try:
        yield counts
    finally:
        _this_search.counts = previous


# --- the Parallel that evaluate_candidates runs: capture and replay ---------
#
# ``BaseSearchCV.fit`` creates one joblib ``Parallel`` when it starts, enters
# it (the backend is configured: a loky pool, a dask client, a thread pool)
# and runs every call of ``evaluate_candidates`` on it. In a thread running an
# sksmbo search, the stand-in
# * captures: hands the evaluation engine the fit tasks ``evaluate_candidates``
#   built (clone, X, y, split, scorers, routed fit parameters, the callback
#   context), wrapped by scikit-learn's ``Parallel.__call__`` with the
#   thread's configuration, instead of running them (see ``fit_tasks``);
# * replays: returns stored fold outputs instead of fitting, so that sklearn
#   builds ``cv_results_`` from the engine's outputs (see ``replay``).


class _Captured(Exception):
    """Raised in place of running the tasks of a captured call."""


class _Capturing(JoblibParallel):
    """joblib's ``Parallel``, reached from scikit-learn's ``Parallel.__call__``."""

    def __call__(self, iterable):
        tasks = getattr(_this_search, "capture", None)
        if tasks is None:
            return super().__call__(iterable)
        tasks.extend(iterable)
        raise _Captured


class _SearchParallel(Parallel, _Capturing):
    """sklearn's ``Parallel``; captures or replays in a thread running a search."""

    def __call__(self, iterable):
        if getattr(_this_search, "estimator", None) is None:
            return super().__call__(iterable)
        _this_search.parallel = self
        outputs = getattr(_this_search, "outputs", None)
        if outputs is not None:
            _this_search.outputs = None
            return outputs
        return super().__call__(iterable)


def fit_tasks(evaluate_candidates, candidates, search_task, estimator, **kwargs):
    """The fits ``evaluate_candidates(candidates)`` would run, not run.

    Only inside :func:`search_hooks`. Returns ``(tasks, parallel)``: one
    ``(function, args, kwargs)`` task per (candidate, split), candidate-major,
    ready to run in any worker, and the ``Parallel`` that
    ``BaseSearchCV.fit`` entered, whose backend runs them (see
    :class:`Workers`). ``kwargs`` (``cv``, ``more_results``) go to
    ``evaluate_candidates``. ``estimator`` is the fitting search: its
    "Fitting N folds for each of M candidates" line (``verbose``) is not
    printed, as the engine asks for one candidate at a time; the search
    prints it once for all (:func:`sksmbo._progress.say_fitting`).
    """
    _this_search.capture = tasks = []
    verbose, estimator.verbose = estimator.verbose, 0
    try:
        evaluate_round(
            evaluate_candidates, candidates, search_task, estimator, **kwargs
        )
    except _Captured:
        return tasks, _this_search.parallel
    finally:
        _this_search.capture = None
        estimator.verbose = verbose
    raise RuntimeError(  # the fits ran: a moved seam must not go unnoticed
        f"sksmbo does not support scikit-learn {sklearn.__version__}: "
        "evaluate_candidates did not run its fits through "
        "sklearn.utils.parallel.Parallel.__call__."
    )


def replay(evaluate_candidates, search, candidates, outputs, **kwargs):
    """``evaluate_candidates(candidates)`` returning ``outputs``, fitting nothing.

    Only inside :func:`search_hooks`; ``outputs`` are the per-fit dicts of
    ``_fit_and_score``, candidate-major, as ``evaluate_candidates`` made them.
    ``search`` is the fitting search: its "Fitting N folds for each of M
    candidates" line (``verbose``) is not printed, as nothing is fitted.
    """
    _this_search.outputs = list(outputs)
    verbose, search.verbose = search.verbose, 0
    try:
        results = evaluate_candidates(candidates, **kwargs)
    finally:
        _this_search.outputs = None
        search.verbose = verbose
    return results


class FixedSplits:
    """The train/test indices of one candidate's fit tasks, as a splitter.

    ``evaluate_candidates(candidates, cv=FixedSplits(tasks))`` splits as the
    call that made ``tasks`` did. scikit-learn calls ``cv.split`` at every
    call of ``evaluate_candidates``, once per candidate on the engine: a
    ``StratifiedKFold`` costs more than a millisecond each time, and a
    shuffling splitter without ``random_state`` would give each candidate
    other folds, where ``RandomizedSearchCV`` evaluates all of its candidates
    on the same ones.
    """

    def __init__(self, tasks):
        self._splits = [(kwargs["train"], kwargs["test"]) for _, _, kwargs in tasks]

    def split(self, X=None, y=None, groups=None, **params):
        yield from self._splits

    def get_n_splits(self, X=None, y=None, groups=None, **params):
        return len(self._splits)


# --- the engine's workers: one fit at a time on the backend in use ----------
#
# joblib's public API runs a list of tasks (or a generator joblib pulls from
# while holding a lock, so it cannot wait for results it has not returned
# yet). The engine needs to submit one fit whenever a worker frees and learn
# which fit came back. It does so on the backend of the Parallel that
# BaseSearchCV.fit entered, through the interface joblib's backends implement
# (submit, retrieve_result_callback, abort_everything: loky, threading, dask
# and ray's backends all do), each fit wrapped as joblib wraps a batch.


class Workers:
    """Run fit tasks one by one on the backend of ``parallel``.

    Parameters
    ----------
    parallel : sklearn.utils.parallel.Parallel
        The ``Parallel`` that ``BaseSearchCV.fit`` entered, as
        :func:`fit_tasks` returns it. With one worker, fits run in this
        thread, when submitted, as joblib runs them.
    """

    def __init__(self, parallel):
        self._parallel = parallel
        self._backend = parallel._backend
        self.n_workers = max(1, self._backend.effective_n_jobs(parallel.n_jobs))
        self._inline = self.n_workers == 1 or isinstance(
            self._backend, SequentialBackend
        )
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        self._jobs: dict = {}  # key -> what the backend's submit returned
        self._pickle_cache: dict = {}

    def __enter__(self) -> Workers:
        if not self._inline and hasattr(self._backend, "start_call"):
            self._backend.start_call()  # dask: starts collecting results
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._inline and hasattr(self._backend, "stop_call"):
            self._backend.stop_call()

    @property
    def running(self) -> int:
        """Fits submitted and not yet taken back by :meth:`next_done`."""
        return len(self._jobs)

    @property
    def idle(self) -> int:
        """Fits the backend takes now: one queued per worker beyond the one
        running, so that no worker waits for its next fit to travel (a dask
        scheduler's round trip); in this thread, one at a time."""
        capacity = 1 if self._inline else 2 * self.n_workers
        return max(0, capacity - len(self._jobs))

    def submit(self, key, task) -> None:
        """Start ``task``, a ``(function, args, kwargs)`` from :func:`fit_tasks`."""
        function, args, kwargs = task
        if self._inline:
            self._jobs[key] = None
            self._done.put((key, function(*args, **kwargs)))
            return
        batch = BatchedCalls(
            [task], self._backend.get_nested_backend(), None, self._pickle_cache
        )
        done = self._done  # a restart's new queue never sees the old pool's jobs
        self._jobs[key] = self._backend.submit(
            batch, callback=lambda out, key=key: done.put((key, out))
        )

    def next_done(self):
        """Wait for a fit to come back; return ``(key, output)``.

        Raises what the fit raised (``error_score="raise"``), or
        ``BrokenProcessPool`` when its worker process died.
        """
        while True:
            try:
                key, out = self._done.get(timeout=0.25)  # Ctrl-C lands between waits
                break
            except queue.Empty:
                continue
        if self._inline:
            del self._jobs[key]
            return key, out
        try:
            if self._backend.supports_retrieve_callback:
                outputs = self._backend.retrieve_result_callback(out)
            else:
                outputs = self._backend.retrieve_result(self._jobs[key])
        except BrokenProcessPool:
            raise  # the fit is still out: restart() counts it as lost
        except BaseException:
            del self._jobs[key]
            raise
        del self._jobs[key]
        return key, outputs[0]

    def restart(self) -> list:
        """Replace a broken pool with a fresh one; return the keys of fits lost."""
        lost = list(self._jobs)
        self.abort()
        return lost

    def abort(self) -> None:
        """Abandon every fit out (a process pool's workers are killed)."""
        if not self._inline and self._jobs:
            self._backend.abort_everything(ensure_ready=True)
        self._jobs.clear()
        self._done = queue.SimpleQueue()


# --- continuing the fits of promoted candidates -----------------------------
#
# ``evaluate_candidates`` fits ``clone(base_estimator)`` through
# ``_fit_and_score`` and never returns the fitted models, so a promoted
# candidate would be refitted from scratch. ``BaseSearchCV.fit`` makes
# ``base_estimator`` as the first clone of the search's ``estimator``; the
# clone hook notes it. While ``warm_started_fits`` is active, that
# ``base_estimator`` carries a cache (an instance attribute, copied to each of
# its clones, so that it travels to joblib workers with them), and
# ``_fit_and_score`` lets the cache continue an earlier fit. Clones of any
# other estimator carry nothing and go to sklearn's ``_fit_and_score``.

_WARM_START_ATTRIBUTE = "_sksmbo_warm_start_cache"


def _clone_keeping_cache(estimator, *, safe=True):
    clone = _original("clone")(estimator, safe=safe)
    if estimator is getattr(_this_search, "estimator", None) and not hasattr(
        _this_search, "base_estimator"
    ):
        _this_search.base_estimator = clone
    cache = getattr(estimator, _WARM_START_ATTRIBUTE, None)
    if cache is not None:
        setattr(clone, _WARM_START_ATTRIBUTE, cache)
    return clone


def _fit_and_score_with_cache(estimator, X, y, **kwargs):
    original = _original("_fit_and_score")
    cache = vars(estimator).pop(_WARM_START_ATTRIBUTE, None)
    if cache is None:
        return original(estimator, X, y, **kwargs)
    return cache.fit_and_score(original, estimator, X, y, **kwargs)


@contextmanager
def warm_started_fits(cache):
    """Within this context, ``cache`` may continue the fits of this search.

    Only inside :func:`search_hooks`, within ``BaseSearchCV.fit``.
    ``cache.fit_and_score(fit_and_score, estimator, X, y, **kwargs)`` is
    called instead of sklearn's ``_fit_and_score`` for every fit of a clone of
    the search's ``base_estimator``.
    """
    base = getattr(_this_search, "base_estimator", None)
    if base is None:
        raise RuntimeError(  # a moved seam must not silently turn warm starts off
            f"sksmbo does not support scikit-learn {sklearn.__version__}: "
            "BaseSearchCV.fit did not clone the search's estimator through "
            "sklearn.model_selection._search.clone."
        )
    setattr(base, _WARM_START_ATTRIBUTE, cache)
    try:
        yield
    finally:
        # The refit (after the search) clones base_estimator too: no cache there.
        vars(base).pop(_WARM_START_ATTRIBUTE, None)


# --- scikit-learn >= 1.9 callbacks (set_callbacks, ProgressBar, ...) ---------


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
        # Copy on write: every fit carries its context, which reaches this
        # one's children, and a pool's feeder thread may still be pickling
        # earlier fits while this adds a child ("dictionary changed size
        # during iteration"); the dict it iterates is then left alone.
        children = getattr(self._context, "_children_map", None)
        if isinstance(children, dict):
            self._context._children_map = dict(children)
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


# --- what BaseSearchCV.fit stores as scorer_ ---------------------------------


def search_scorers(search):
    """What ``BaseSearchCV.fit`` stores as ``scorer_`` (a dict for several metrics)."""
    scorers, _ = get_scorers(search)
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


def data_scattered(X, y):
    """Context in which a dask backend holds ``X`` and ``y`` on its workers."""
    backend = _dask_backend()
    if backend is None or backend.data_futures:
        return nullcontext()
    data = [a for a in (X, y) if a is not None and hasattr(a, "shape")]
    return parallel_config(backend="dask", client=backend.client, scatter=data)
