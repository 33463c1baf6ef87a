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
on one worker or a thousand.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from math import ceil

from sksmbo._interrupts import interrupts_deferred
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
    outputs: list = field(default_factory=list)
    n_back: int = 0

    @property
    def complete(self) -> bool:
        return self.n_back == len(self.tasks)


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
    ):
        self.open_workers = open_workers
        self.n_points = n_points
        self.propose = propose
        self.fold_tasks = fold_tasks
        self.tell = tell
        self.deadline = deadline
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
        self._queue: deque = deque()  # (candidate, fold) not yet dispatched
        self._retried: set = set()
        self._n_proposed = 0
        self._n_told = 0
        if n_candidates <= 0 or not self._propose_one():
            return
        self.workers = self.open_workers()
        n_splits = len(self._flight[0].tasks)
        self.window = window_size(
            self.n_points, self.workers.n_workers, n_splits, n_iter or n_candidates
        )
        with self.workers:
            self._loop(n_candidates)

    def _loop(self, n_candidates: int) -> None:
        try:
            while True:
                self._tell_in_order(n_candidates)
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

    def _tell_in_order(self, n_candidates: int) -> None:
        while self._n_told < self._n_proposed and self._may_tell(n_candidates):
            if not self._flight[self._n_told].complete:
                return
            self._tell(self._flight.pop(self._n_told))
            self._n_told += 1

    def _tell(self, candidate: _Candidate) -> None:
        with interrupts_deferred():
            stop = self.tell(candidate.params, candidate.outputs)
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

    def _propose_one(self) -> bool:
        params = self.propose()
        if params is None:
            self.exhausted = True
            return False
        tasks = list(self.fold_tasks(params))
        candidate = _Candidate(self._n_proposed, params, tasks, [None] * len(tasks))
        self._flight[candidate.index] = candidate
        self._queue.extend((candidate, fold) for fold in range(len(tasks)))
        self._n_proposed += 1
        return True

    def _dispatch(self) -> None:
        while self._queue and self.workers.idle:
            candidate, fold = self._queue.popleft()
            self.workers.submit((candidate.index, fold), candidate.tasks[fold])

    def _collect_one(self) -> None:
        try:
            (index, fold), output = self.workers.next_done()
        except BrokenProcessPool as exc:
            self._retry_after_worker_death(exc)
            return
        candidate = self._flight[index]
        candidate.outputs[fold] = output
        candidate.n_back += 1

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
        self._queue.extendleft(
            (self._flight[index], fold) for index, fold in sorted(lost, reverse=True)
        )

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
