"""The evaluation engine: (candidate, fold) fits that keep every worker busy.

A search proposes candidates one at a time. The engine runs each candidate's
cross-validation folds as separate tasks on the search's workers (the joblib
backend in use, see :class:`sksmbo._sklearn_hooks.Workers`) and dispatches
the next fold as soon as a worker frees, oldest candidate first. A candidate
is told to the search once its last fold is back, in the order candidates
were proposed, and the next candidate is proposed right away.

Reproducible whatever the timing: candidate ``k`` is proposed when exactly
the candidates ``0 .. k - window`` have been told and ``k - window + 1 ..
k - 1`` are in flight (pending in the optimizer). A result that comes back
early waits for its turn; the engine stalls only when a straggler holds up
``window`` candidates. The same seed and ``window`` give the same candidates
on one worker or a thousand. Out of order (``in_order=False``, a search's
``asynchronous=True``) a candidate is told as soon as its folds are back:
no straggler holds proposals up, and candidates depend on timing.

Racing (``race``, see :mod:`sksmbo._racing`): a candidate's first folds are
dispatched first; each later fold only once the folds before it show that
the candidate may still beat the incumbent, or when a worker would idle
otherwise. A raced-out candidate is told with the folds it was raced out
after; folds of it that were already running are dropped when they come
back, so that what is told does not depend on timing either.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from math import ceil

from sksmbo._interrupts import interrupts_deferrable, interrupts_deferred
from sksmbo._racing import MIN_FOLDS
from sksmbo._warn import warn

# Candidates in flight per worker-fold: enough that a candidate's last folds
# never leave workers idle (see benchmarks/many_workers.py).
_FLIGHT_PER_WORKER = 3


def window_size(n_points, n_workers: int, n_splits: int, n_iter: int) -> int:
    """Candidates in flight: ``n_points``, or enough to keep the workers busy.

    ``"auto"`` keeps one candidate in flight on one worker (a sequential
    search), else about three folds queued per worker; None is every
    candidate at once (a design that does not learn from its results).
    """
    if n_points is None:
        return max(1, n_iter)
    if n_points == "auto":
        if n_workers <= 1:
            return 1
        return ceil(_FLIGHT_PER_WORKER * n_workers / n_splits) + 1
    return int(n_points)


@dataclass
class _Candidate:
    index: int
    params: dict
    tasks: list
    outputs: list = field(default_factory=list)  # per fold; None until back
    basis: object = None  # what racing compares it with; None: never raced
    n_needed: int = 0  # folds it gets: all, or those it was raced out after
    held: list = field(default_factory=list)  # folds racing may still cancel
    next_check: int = MIN_FOLDS  # folds before the next racing check
    raced: object = None  # racing's verdict once raced out

    @property
    def complete(self) -> bool:
        return all(out is not None for out in self.outputs[: self.n_needed])


class Engine:
    """Evaluate candidates fold by fold on workers; tell them in order.

    Parameters
    ----------
    open_workers : callable
        ``open_workers()`` returns where fits run, called once the first
        candidate's tasks are made (they tell which workers run them): a
        context manager with ``n_workers``, ``submit(key, task)``,
        ``next_done() -> (key, output)``, ``idle`` (free workers),
        ``running`` (fits out), ``restart()`` and ``abort()``.
    n_points : int, "auto" or None
        Candidates in flight (proposed, not yet told); see :func:`window_size`.
    propose : callable
        ``propose() -> params`` (a dict), or None when the space is exhausted.
    fold_tasks : callable
        ``fold_tasks(params) -> list`` of the candidate's fit tasks, one per fold.
    tell : callable
        ``tell(params, outputs) -> bool``: a candidate's fold outputs, in
        the order candidates were proposed; True asks the search to stop.
    deadline : float or None
        ``time.perf_counter()`` value: once a candidate told after it, no new
        candidate is proposed (the first candidates in flight always are).
    in_order : bool, default=True
        Tell candidates in the order they were proposed, and propose
        candidate ``k`` only once ``k - window`` is told: the same candidates
        whatever the timing. False tells each candidate as soon as its folds
        are back, so that a straggler never holds proposals up; which results
        a proposal sees then depends on timing.
    propose_batch : callable or None
        ``propose_batch(n) -> list of (params, tasks)``: up to ``n``
        candidates and their fit tasks in one call (fewer once the space is
        exhausted). Used when every candidate may be proposed before any
        result is in (``n_points`` at least the number of candidates): a
        design then costs one proposal and one task capture, not one per
        candidate, and which candidates it gets still does not depend on
        timing.
    race : sksmbo._racing.Race or None
        Races candidates out (``snapshot()`` at each proposal, ``check(basis,
        outputs)`` as its first folds come back); a raced-out candidate is
        told as ``tell(params, outputs, raced=verdict)``, with None for the
        folds it did not get. With ``n_points=None``, racing keeps the
        ``"auto"`` number of candidates in flight, so that later candidates
        race against what the first ones found.
    """

    def __init__(
        self,
        open_workers: Callable,
        *,
        n_points,
        propose: Callable[[], dict | None],
        fold_tasks: Callable[[dict], Sequence],
        tell: Callable[[dict, list], bool],
        deadline: float | None = None,
        in_order: bool = True,
        propose_batch: Callable[[int], list] | None = None,
        race=None,
    ):
        self.open_workers = open_workers
        self.n_points = n_points
        self.propose = propose
        self.fold_tasks = fold_tasks
        self.tell = tell
        self.deadline = deadline
        self.in_order = in_order
        self.propose_batch = propose_batch
        self.race = race
        self.exhausted = False  # the space ran out of candidates
        self.stopped = False  # a callback or the deadline stopped the search

    def run(self, n_candidates: int, n_iter: int | None = None) -> None:
        """Evaluate up to ``n_candidates``; return once every one is told.

        ``n_iter`` (default ``n_candidates``) sizes ``n_points=None``. On
        Ctrl-C, or a worker process dying twice under the same fit, the
        running fits are abandoned, every candidate whose folds all came back
        is told, and the exception is raised.
        """
        self._flight: dict[int, _Candidate] = {}  # proposed, not told
        # (priority, candidate index, fold, candidate) not yet dispatched:
        # oldest candidate first, fits lost with a worker before anything.
        self._queue: list = []
        self._retried: set = set()
        self._n_proposed = 0
        self._n_told = 0
        n_iter = n_iter or n_candidates
        n_points = "auto" if self.race and self.n_points is None else self.n_points
        if n_candidates <= 0 or not self._propose_first(n_points, n_candidates, n_iter):
            return
        self.workers = self.open_workers()
        n_splits = len(self._flight[0].tasks)
        self.window = window_size(n_points, self.workers.n_workers, n_splits, n_iter)
        with self.workers, interrupts_deferrable():
            self._loop(n_candidates)

    def _loop(self, n_candidates: int) -> None:
        try:
            while True:
                self._tell_ready(n_candidates)
                self._propose_while_allowed(n_candidates)
                self._dispatch()
                if not self.workers.running:
                    break  # nothing out and nothing left that may run
                self._collect_one()
        except (KeyboardInterrupt, BrokenProcessPool):
            with interrupts_deferred():
                self.workers.abort()
                self._queue.clear()
                self._tell_what_is_complete()
            raise
        except BaseException:  # error_score="raise", a callback's error, ...
            self.workers.abort()
            raise
        self._tell_what_is_complete()

    # -- the loop's steps ---------------------------------------------------

    def _may_tell(self, n_candidates: int) -> bool:
        # Telling candidate j before j + window is proposed would let that
        # proposal depend on timing; at the end there is nothing left to propose.
        nothing_left = self.stopped or self.exhausted
        return (
            self._n_proposed >= self._n_told + self.window
            or self._n_proposed >= n_candidates
            or nothing_left
        )

    def _tell_ready(self, n_candidates: int) -> None:
        """Tell what may be told now: candidates in turn, or (out of order)
        every candidate whose folds are all back."""
        if not self.in_order:
            for index in [i for i, c in self._flight.items() if c.complete]:
                self._tell(self._flight.pop(index))
                self._n_told += 1
            return
        while self._n_told < self._n_proposed and self._may_tell(n_candidates):
            if not self._flight[self._n_told].complete:
                return
            self._tell(self._flight.pop(self._n_told))
            self._n_told += 1

    def _tell(self, candidate: _Candidate) -> None:
        raced = {} if candidate.raced is None else {"raced": candidate.raced}
        with interrupts_deferred():
            stop = self.tell(candidate.params, candidate.outputs, **raced)
        if stop or self._past_deadline():
            self._stop()

    def _propose_while_allowed(self, n_candidates: int) -> None:
        while (
            not (self.stopped or self.exhausted)
            and self._n_proposed < n_candidates
            and self._n_proposed < self._n_told + self.window
        ):
            if not self._propose_one():
                return
            self._dispatch()  # workers start before the next proposal is made

    def _propose_first(self, n_points, n_candidates: int, n_iter: int) -> bool:
        """Propose the first candidate, or all at once when none waits for results."""
        upfront = (
            self.propose_batch is not None
            and n_points != "auto"
            and window_size(n_points, 1, 1, n_iter) >= n_candidates
        )
        if not upfront:
            return self._propose_one()
        batch = self.propose_batch(n_candidates)
        for params, tasks in batch:
            self._add_candidate(params, tasks)
        self.exhausted = len(batch) < n_candidates
        return bool(batch)

    def _propose_one(self) -> bool:
        params = self.propose()
        if params is None:
            self.exhausted = True
            return False
        self._add_candidate(params, self.fold_tasks(params))
        return True

    def _add_candidate(self, params: dict, tasks) -> None:
        tasks = list(tasks)
        n = len(tasks)
        candidate = _Candidate(self._n_proposed, params, tasks, [None] * n, n_needed=n)
        if self.race is not None and n > MIN_FOLDS:
            candidate.basis = self.race.snapshot()
        if candidate.basis is not None:
            candidate.held = list(range(MIN_FOLDS, n))
        self._flight[candidate.index] = candidate
        for fold in range(n):
            if fold not in candidate.held:
                self._enqueue(candidate, fold)
        self._n_proposed += 1

    def _enqueue(self, candidate: _Candidate, fold: int, priority: int = 1) -> None:
        heapq.heappush(self._queue, (priority, candidate.index, fold, candidate))

    def _dispatch(self) -> None:
        while self.workers.idle:
            fit = self._next_fit()
            if fit is None:
                return
            candidate, fold = fit
            self.workers.submit((candidate.index, fold), candidate.tasks[fold])

    def _next_fit(self) -> tuple[_Candidate, int] | None:
        """The next fold to run: a needed one, or one racing may cancel later
        when a worker would idle otherwise."""
        while self._queue:
            _, _, fold, candidate = heapq.heappop(self._queue)
            if fold < candidate.n_needed:  # not raced out meanwhile
                return candidate, fold
        if self.race is not None and self.workers.running < self.workers.n_workers:
            for candidate in self._flight.values():  # oldest first
                if candidate.held:
                    return candidate, candidate.held.pop(0)
        return None

    def _collect_one(self) -> None:
        try:
            (index, fold), output = self.workers.next_done()
        except BrokenProcessPool as exc:
            self._retry_after_worker_death(exc)
            return
        candidate = self._flight.get(index)
        if candidate is None or fold >= candidate.n_needed:
            return  # a fold of a raced-out candidate that was already running
        candidate.outputs[fold] = output
        if candidate.basis is not None:
            self._race(candidate)

    def _race(self, candidate: _Candidate) -> None:
        """Check ``candidate`` after each of its first folds, in fold order.

        A check after ``k`` folds either races it out or releases fold ``k``.
        """
        outputs = candidate.outputs
        while candidate.next_check < candidate.n_needed:
            k = candidate.next_check
            if any(out is None for out in outputs[:k]):
                return  # an earlier fold is not back yet
            verdict = self.race.check(candidate.basis, outputs[:k])
            if verdict is not None:
                candidate.raced = verdict
                candidate.n_needed = k
                candidate.held.clear()
                outputs[k:] = [None] * (len(outputs) - k)
                return
            candidate.next_check += 1
            if k in candidate.held:
                candidate.held.remove(k)
                self._enqueue(candidate, k)

    def _retry_after_worker_death(self, exc: BrokenProcessPool) -> None:
        """Send the fits lost with a dead worker again, once, on a fresh pool."""
        lost = self.workers.restart()
        if self._retried.intersection(lost):
            raise BrokenProcessPool("a worker died twice under the same fit") from exc
        warn(
            f"A worker process died while evaluating {len(lost)} fits "
            f"({type(exc).__name__}); evaluating them again on a fresh pool."
        )
        self._retried.update(lost)
        for index, fold in lost:
            candidate = self._flight.get(index)
            if candidate is not None and fold < candidate.n_needed:
                self._enqueue(candidate, fold, priority=0)

    def _stop(self) -> None:
        """Propose nothing more; the candidates in flight are finished and told.

        Finishing them keeps what a stopped search returns independent of
        timing: the candidates proposed before the stop, all of them.
        """
        self.stopped = True

    def _tell_what_is_complete(self) -> None:
        """Tell every candidate whose folds all came back, in order; drop the rest."""
        for index in sorted(self._flight):
            candidate = self._flight.pop(index)
            if candidate.complete:
                self._tell(candidate)

    def _past_deadline(self) -> bool:
        return self.deadline is not None and time.perf_counter() >= self.deadline
