"""Callbacks for ``search.fit(X, y, callback=...)``: stoppers, checkpointing, tracking.

After every candidate it tells its optimizer, a search calls each callback
with the optimizer's result so far, a :class:`scipy.optimize.OptimizeResult`
in scikit-optimize's format: ``x_iters`` (the evaluated points),
``func_vals`` (their *negated* scores, since scikit-optimize minimizes; NaN
for failed candidates), ``x``, ``fun`` and ``space``. A callback returning
True stops the search; everything evaluated so far is kept (``cv_results_``,
``best_params_``, the refit).

The callbacks here are drop-ins for scikit-optimize's of the same names. Any
callable taking the result works as well.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import os
import pickle
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from sksmbo import _checkpoint as checkpoint
from sksmbo._compat import Interval, validate_parameter_constraints
from sksmbo._results import cv_results_metric

__all__ = [
    "CandidateLogger",
    "CandidateResult",
    "CheckpointSaver",
    "DeadlineStopper",
    "DeltaYStopper",
    "MLflowCallback",
    "NoImprovementStopper",
    "load",
]


def _scores(result) -> np.ndarray:
    """Scores of the evaluated points, higher is better, NaN for failures.

    The one place the sign of ``func_vals`` is undone: scikit-optimize's
    format stores negated scores because it minimizes.
    """
    scores = -np.asarray(result.func_vals, dtype=float)
    return np.where(np.isfinite(scores), scores, np.nan)


class DeadlineStopper:
    """Stop the search once a time budget is spent.

    The clock starts when the stopper is created, as in scikit-optimize:
    create it right before calling ``fit``, and a new one for every ``fit``.
    The search stops at the first candidate told ``total_time`` seconds or
    more after that: no new candidate is proposed, and the candidates then in
    flight (at most ``n_points - 1``) are finished, so a search overshoots by
    up to ``n_points - 1`` candidates.

    Parameters
    ----------
    total_time : float
        Time budget in seconds, greater than 0.

    Attributes
    ----------
    iter_time : list of float
        Seconds between consecutive calls (the first counted from the
        stopper's creation): the time between candidates told.

    See Also
    --------
    NoImprovementStopper : Stop when the best score stalls.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.callbacks import DeadlineStopper
    >>> X, y = load_iris(return_X_y=True)
    >>> search = QuasiRandomSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")},
    ...                              n_iter=20, n_points=2, cv=3, random_state=0)
    >>> search = search.fit(X, y, callback=DeadlineStopper(total_time=1e-6))
    >>> len(search.cv_results_["params"])  # the first, and the one in flight
    2
    """

    def __init__(self, total_time):
        validate_parameter_constraints(
            {"total_time": [Interval(Real, 0, None, closed="neither")]},
            {"total_time": total_time},
            caller_name=type(self).__name__,
        )
        self.total_time = total_time
        self.iter_time: list[float] = []
        self._start = self._last = time.perf_counter()

    def __call__(self, result) -> bool:
        """Record the time since the last call; True once ``total_time`` is spent."""
        now = time.perf_counter()
        self.iter_time.append(now - self._last)
        self._last = now
        return now - self._start >= self.total_time


class DeltaYStopper:
    """Stop the search when the best scores are within ``delta`` of each other.

    Once ``n_best`` candidates have been evaluated successfully, the search
    stops when the best of them and the ``n_best``-th best differ by at most
    ``delta``: the search keeps finding points no better than those it has.
    Failed candidates (NaN scores) are not counted.

    Parameters
    ----------
    delta : float
        Largest spread of the ``n_best`` best scores that stops the search,
        in the units of the score; at least 0.
    n_best : int, default=5
        How many of the best scores are compared; at least 2.

    See Also
    --------
    NoImprovementStopper : Stop when the best score stalls.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.callbacks import DeltaYStopper
    >>> X, y = load_iris(return_X_y=True)
    >>> search = QuasiRandomSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")},
    ...                              n_iter=30, n_points=2, cv=3, random_state=0)
    >>> search = search.fit(X, y, callback=DeltaYStopper(delta=0.01, n_best=3))
    >>> len(search.cv_results_["params"]) < 30
    True
    """

    def __init__(self, delta, n_best=5):
        validate_parameter_constraints(
            {
                "delta": [Interval(Real, 0, None, closed="left")],
                "n_best": [Interval(Integral, 2, None, closed="left")],
            },
            {"delta": delta, "n_best": n_best},
            caller_name=type(self).__name__,
        )
        self.delta = delta
        self.n_best = n_best

    def __call__(self, result) -> bool:
        """True when the ``n_best`` best scores are within ``delta``."""
        scores = _scores(result)
        scores = np.sort(scores[~np.isnan(scores)])[::-1]
        if len(scores) < self.n_best:
            return False
        return bool(scores[0] - scores[self.n_best - 1] <= self.delta)


class NoImprovementStopper:
    """Stop the search when the best score has stopped improving.

    The search stops at the candidate with which ``patience`` candidates in a
    row have been evaluated without raising the best score by more than
    ``min_delta`` (Keras' ``EarlyStopping``, counted in candidates rather
    than epochs). Failed candidates count as evaluations without improvement.

    Parameters
    ----------
    patience : int
        Number of candidates without improvement that stops the search; at
        least 1. Checked after each candidate; the candidates then in flight
        are finished, so with ``n_points > 1`` the search evaluates up to
        ``n_points - 1`` more.
    min_delta : float, default=0
        Smallest increase of the best score that counts as an improvement;
        at least 0.

    See Also
    --------
    DeltaYStopper : Stop when the best scores are close to each other.
    DeadlineStopper : Stop after a time budget.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.callbacks import NoImprovementStopper
    >>> X, y = load_iris(return_X_y=True)
    >>> search = QuasiRandomSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")},
    ...                              n_iter=30, n_points=2, cv=3, random_state=0)
    >>> search = search.fit(X, y, callback=NoImprovementStopper(patience=5))
    >>> len(search.cv_results_["params"]) < 30
    True
    """

    def __init__(self, patience, min_delta=0):
        validate_parameter_constraints(
            {
                "patience": [Interval(Integral, 1, None, closed="left")],
                "min_delta": [Interval(Real, 0, None, closed="left")],
            },
            {"patience": patience, "min_delta": min_delta},
            caller_name=type(self).__name__,
        )
        self.patience = patience
        self.min_delta = min_delta

    def __call__(self, result) -> bool:
        """True when the last ``patience`` candidates brought no improvement."""
        best, last_improvement = -np.inf, -1
        for i, score in enumerate(_scores(result)):
            # NaN compares False: a failure is never an improvement.
            if score > best + self.min_delta:
                best, last_improvement = score, i
        n_since = len(result.func_vals) - 1 - last_improvement
        return bool(n_since >= self.patience)


_DUMP_KWARGS = ("compress", "protocol")


class CheckpointSaver:
    """Save the search's result to a file after every candidate.

    The file is a journal: the first save is written whole, atomically (to a
    temporary file ``.<name>.<random>.tmp`` in the same directory, flushed to
    disk with :func:`os.fsync`, then moved over ``path`` with
    :func:`os.replace`); every later save appends only what is new (its
    candidates, fold results and the optimizers' new observations) and is
    flushed to disk. A save therefore costs about the same at the 1,000th
    candidate as at the 100th (1.1 and 1.5 ms with a TPE search). Whatever
    interrupts a save, an error or Ctrl-C, leaves the previous saves
    readable; a process killed outright (``SIGKILL``, a
    power cut) mid-append leaves a torn last frame, which :func:`load`
    ignores, and at worst a temporary file, which never has the checkpoint's
    name and is deleted by the next saver of the same ``path``. A new search
    (or a new saver) starts the file afresh. One search at a time per
    ``path``. The saver never stops the search.

    Read a checkpoint with :func:`load` or ``fit(resume_from=path)``, not
    with :func:`joblib.load` (which reads only a file saved whole, as
    scikit-optimize's ``CheckpointSaver`` and :func:`joblib.dump` write it;
    :func:`load` reads those too). A checkpoint is a pickle: load only
    trusted files.

    The directory of ``path`` is checked when the saver is created, so that a
    wrong path fails before the search spends anything.

    Parameters
    ----------
    path : str or os.PathLike
        File to write, in an existing and writable directory. As with
        :func:`joblib.dump`, a ``.z``, ``.gz``, ``.bz2``, ``.lzma`` or
        ``.xz`` extension compresses (each save's frame on its own).
    **dump_kwargs : dict
        ``compress`` and ``protocol``, with the meaning they have in
        :func:`joblib.dump`: ``compress`` is a bool, a level from 0 to 9, a
        method name or a ``(method, level)`` pair (default: by extension, else
        none); ``protocol`` the pickle protocol (default: the highest).

    See Also
    --------
    load : Read a checkpoint.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.callbacks import CheckpointSaver, load
    >>> X, y = load_iris(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "search.pkl")
    >>> search = QuasiRandomSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")},
    ...                              n_iter=4, cv=3, random_state=0)
    >>> search = search.fit(X, y, callback=CheckpointSaver(path, compress=3))
    >>> result = load(path)
    >>> len(result.x_iters), bool(-result.fun == search.best_score_)
    (4, True)
    """

    def __init__(self, path, **dump_kwargs):
        if not isinstance(path, str | os.PathLike):
            raise ValueError(
                "The 'path' parameter of CheckpointSaver must be a str or an "
                f"os.PathLike. Got {path!r} instead."
            )
        unknown = sorted(set(dump_kwargs) - set(_DUMP_KWARGS))
        if unknown:
            raise ValueError(
                f"Unknown keyword argument(s) {unknown!r} of CheckpointSaver; "
                f"valid ones are those of joblib.dump: {list(_DUMP_KWARGS)!r}."
            )
        validate_parameter_constraints(
            {
                "protocol": [
                    Interval(Integral, -1, pickle.HIGHEST_PROTOCOL, closed="both"),
                    None,
                ]
            },
            {"protocol": dump_kwargs.get("protocol")},
            caller_name=type(self).__name__,
        )
        # A wrong path or option fails here, not after the first round.
        checkpoint.check_directory(path)
        checkpoint.compression(os.fspath(path), dump_kwargs.get("compress", 0))
        self.path = path
        self.dump_kwargs = dump_kwargs
        self._swept = False
        self._journal = None  # what was written of the search being saved
        self._file = None  # (device, inode, size) after the last save

    def __call__(self, result) -> bool:
        """Save what ``result`` adds to ``path``; never stops the search."""
        path = os.fspath(self.path)
        protocol = self.dump_kwargs.get("protocol")
        protocol = pickle.HIGHEST_PROTOCOL if protocol is None else protocol
        compress = checkpoint.compression(path, self.dump_kwargs.get("compress", 0))
        if not self._swept:  # left by a process killed while saving
            for stale in checkpoint.temporary_files(path):
                with contextlib.suppress(OSError):
                    os.remove(stale)
            self._swept = True
        state = getattr(result, "search_state", None)
        if state is None:  # a bare result: nothing to append to
            record = {"kind": "result", "result": result}
            frame = checkpoint.encode_frame(record, protocol, compress)
            checkpoint.write_atomic(path, checkpoint.MAGIC + frame)
            return False
        if not self._appendable(path, state):
            self._journal = checkpoint.Journal(state)
        record = self._journal.record(result)
        frame = checkpoint.encode_frame(record, protocol, compress)
        if self._journal.started:
            checkpoint.append(path, frame, self._file[2])
        else:
            checkpoint.write_atomic(path, checkpoint.MAGIC + frame)
        self._journal.written()
        self._file = checkpoint.file_identity(path)
        return False

    def _appendable(self, path: str, state) -> bool:
        """Whether ``path`` is this saver's journal of ``state``'s search."""
        if self._journal is None or not self._journal.follows(state):
            return False
        try:
            return checkpoint.file_identity(path) == self._file
        except OSError:
            return False


def load(path):
    """Read a result saved by :class:`CheckpointSaver`.

    A checkpoint is a pickle: load only trusted files. Loading one runs
    whatever code its author put in it.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file (never one of the ``.tmp`` files a saver writes
        first).

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        The search's result at its last save written completely (a save
        torn by a killed process is left out), in scikit-optimize's format
        (``func_vals`` are negated scores), with the search's state as
        ``search_state``; pass it, or ``path``, to ``fit(resume_from=...)`` to
        continue the search. A file saved whole with :func:`joblib.dump` (as
        scikit-optimize's ``CheckpointSaver`` writes it) is read as well.

    See Also
    --------
    CheckpointSaver : Write the checkpoints.
    """
    return checkpoint.read(path)


# -- experiment tracking ---------------------------------------------------------


@dataclass(frozen=True)
class CandidateResult:
    """One evaluated candidate, as a :class:`CandidateLogger` receives it.

    The numbers are those of the candidate's row of ``cv_results_``, read
    from the search's per-fold outputs as each candidate is told.

    Parameters
    ----------
    index : int
        Position of the candidate in the search: its row of ``cv_results_``.
    params : dict
        The candidate's parameters.
    mean_score : float
        Mean test score over the folds of the metric the search maximizes
        (``mean_test_score``, or ``mean_test_<refit>`` with several metrics);
        NaN when a fold failed. Over the folds evaluated when ``racing``
        stopped the candidate's folds.
    fold_scores : ndarray of shape (n_splits,) or None
        The test score of each fold, of the same metric (NaN for a fold
        raced out); None when the result holds no fold outputs (a bare
        ``Optimizer.result()``).
    mean_fit_time : float or None
        Mean seconds per fold spent fitting (``mean_fit_time``); None when
        unknown.
    mean_score_time : float or None
        Mean seconds per fold spent scoring (``mean_score_time``); None when
        unknown.
    best_score : float
        The search's best mean score so far, this candidate included (NaN
        while every candidate has failed). With resource levels (halving),
        the best at the largest level evaluated so far.
    best_index : int or None
        Index of the candidate with ``best_score``.
    test_scores : dict of str to ndarray of shape (n_splits,)
        Fold test scores of every metric the search computes, by name
        (``"score"`` with a single metric), as in ``cv_results_``'s
        ``split<k>_test_<name>`` columns.
    more_results : dict
        Further ``cv_results_`` columns of the candidate: ``iter`` and
        ``n_resources`` for a successive-halving search, else empty.

    See Also
    --------
    CandidateLogger : Receives one of these per candidate.

    Examples
    --------
    >>> import numpy as np
    >>> from sksmbo.callbacks import CandidateResult
    >>> c = CandidateResult(0, {"C": 1.0}, 0.9, np.array([0.8, 1.0]), 0.01, 0.001,
    ...                     best_score=0.9, best_index=0,
    ...                     test_scores={"score": np.array([0.8, 1.0])})
    >>> c.best_score
    0.9
    """

    index: int
    params: dict
    mean_score: float
    fold_scores: np.ndarray | None = None
    mean_fit_time: float | None = None
    mean_score_time: float | None = None
    best_score: float = float("nan")
    best_index: int | None = None
    test_scores: dict = field(default_factory=dict)
    more_results: dict = field(default_factory=dict)


class _Tracked:
    """What a :class:`CandidateLogger` has logged of the search it follows."""

    def __init__(self, key):
        self.key = key  # the search's optimizers (or a bare result's space)
        self.params: list = []  # of every candidate logged, in order
        self.metric: str | None = None  # the one maximized, among several
        self.best_score = float("nan")
        self.best_index: int | None = None
        self.best_level = -np.inf  # the largest resource level seen

    def follows(self, key, params, *, ended=False) -> bool:
        """Whether a search whose candidates are ``params`` is the one logged.

        Every call from the same fit shares its optimizers; a resumed or
        warm-started fit starts with the candidates logged before, and adds
        some (a fit's first call does), unless it has ``ended``.
        """
        if key is self.key:
            return len(params) >= len(self.params)
        n = len(self.params)
        try:
            return len(params) >= n + (not ended) and bool(
                list(params[:n]) == self.params
            )
        except Exception:  # parameters that do not compare (arrays)
            return False

    def best(self, index: int, score: float, level: float) -> None:
        """Count one candidate's ``score`` (at resource ``level``) in the best."""
        if level > self.best_level:  # a higher rung: earlier levels no longer count
            self.best_level, self.best_score, self.best_index = level, np.nan, None
        if level == self.best_level and (
            score > self.best_score or (np.isnan(self.best_score) and score == score)
        ):
            self.best_score, self.best_index = float(score), index


class CandidateLogger:
    """Base class of callbacks that log every evaluated candidate once.

    Pass an instance as a search's callback: after every candidate the
    search tells, it calls :meth:`on_round` with the candidates added since
    its last call, as :class:`CandidateResult` records (each candidate
    once). A subclass implements :meth:`on_candidate`, and
    optionally :meth:`on_search_start`, :meth:`on_round` and
    :meth:`on_search_end`; a Weights & Biases or TensorBoard logger takes a
    dozen lines (see the user guide, "Experiment tracking").

    A search has no hook at the end of ``fit``: call :meth:`finish` with the
    fitted search to log what only it has (the refitted model,
    ``best_params_``). :meth:`finish` also logs the candidates no call
    reported: those of scikit-learn's own searches, or of a search given no
    callback, read from ``cv_results_``.

    A logger follows one search at a time. A fit that resumes the search it
    follows (``warm_start=True``, ``fit(resume_from=...)``) continues it;
    any other search, or the first call after :meth:`finish`, starts a new
    one (:meth:`on_search_start`). A logger never stops the search.

    See Also
    --------
    MLflowCallback : Logs to MLflow.
    CandidateResult : What :meth:`on_candidate` receives.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import QuasiRandomSearchCV
    >>> from sksmbo.callbacks import CandidateLogger
    >>> class ListLogger(CandidateLogger):
    ...     def __init__(self):
    ...         self.lines = []
    ...     def on_candidate(self, c):
    ...         self.lines.append(f"{c.index}: best {c.best_score:.3f}")
    >>> X, y = load_iris(return_X_y=True)
    >>> search = QuasiRandomSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")},
    ...                              n_iter=3, n_points=1, cv=3, random_state=0)
    >>> logger = ListLogger()
    >>> search = search.fit(X, y, callback=logger)
    >>> len(logger.lines), logger.lines[-1] == f"2: best {search.best_score_:.3f}"
    (3, True)
    """

    def on_search_start(self) -> None:
        """Called before the first candidate of a search is logged."""

    def on_round(self, candidates) -> None:
        """Log the new candidates; by default, :meth:`on_candidate` on each.

        Parameters
        ----------
        candidates : list of CandidateResult
            The candidates evaluated since the last call, in order.
        """
        for candidate in candidates:
            self.on_candidate(candidate)

    def on_candidate(self, candidate) -> None:
        """Log one evaluated candidate.

        Parameters
        ----------
        candidate : CandidateResult
            Its parameters, scores, fit time and the search's best so far.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement on_candidate(candidate)."
        )

    def on_search_end(self, search) -> None:
        """Called by :meth:`finish`, after the search's last candidates.

        Parameters
        ----------
        search : object or None
            The fitted search passed to :meth:`finish`, or None.
        """

    def __call__(self, result) -> bool:
        """Log the candidates ``result`` holds that are not logged yet."""
        state = getattr(result, "search_state", None)
        if state is not None:
            key, params = state.optimizers, state.candidates
        else:  # a bare Optimizer.result(): candidates as value lists
            key, params = result.space, result.x_iters
        tracked = self._follow(key, params)
        if state is not None:
            candidates = _from_state(state, tracked)
        else:
            candidates = _from_result(result, tracked)
        if candidates:
            self.on_round(candidates)
        return False

    def finish(self, search=None):
        """End the search being logged; call it after ``fit``.

        Logs the candidates of ``search.cv_results_`` that no call reported
        (all of them for a search that took no callback), then calls
        :meth:`on_search_end`. The next call starts a new search.

        Parameters
        ----------
        search : fitted search, default=None
            The search, once ``fit`` has returned: any scikit-learn search with
            ``cv_results_`` (sksmbo's, ``GridSearchCV``, ...). None ends the
            search with what the calls reported.

        Returns
        -------
        self : CandidateLogger
            The logger.
        """
        if search is not None:
            results = search.cv_results_
            tracked = self._follow(search, results["params"], ended=True)
            candidates = _from_cv_results(search, tracked)
            if candidates:
                self.on_round(candidates)
        self.on_search_end(search)
        self.__dict__.pop("_tracked", None)
        return self

    def _follow(self, key, params, *, ended=False) -> _Tracked:
        """The search being logged, a new one when ``params`` are not its."""
        tracked = self.__dict__.get("_tracked")
        if tracked is None or not tracked.follows(key, params, ended=ended):
            tracked = self._tracked = _Tracked(key)
            self.on_search_start()
        tracked.key = key
        return tracked


def _fold_scores(out) -> dict:
    """Fold test scores by metric name (``"score"`` for a single metric).

    A fold that is None (raced out) scores NaN, as in ``cv_results_``.
    """
    first = next(o for o in out if o is not None)["test_scores"]
    if not isinstance(first, Mapping):
        return {
            "score": np.array(
                [np.nan if o is None else o["test_scores"] for o in out], dtype=float
            )
        }
    return {
        name: np.array(
            [np.nan if o is None else o["test_scores"][name] for o in out], dtype=float
        )
        for name in first
    }


def _maximized(test_scores: dict, optimizers, index: int, tracked: _Tracked) -> str:
    """The metric the search maximizes, among those of ``test_scores``.

    A callback does not see ``scoring`` and ``refit``: with several metrics,
    the maximized one is the one whose mean the optimizer was told.
    """
    names = list(test_scores)
    if len(names) == 1 or tracked.metric is not None:
        return tracked.metric or names[0]
    told = np.concatenate([np.asarray(opt.yi, dtype=float) for opt in optimizers])
    if index < len(told) and np.isfinite(told[index]):
        for name in names:
            if np.isclose(test_scores[name].mean(), told[index]):
                tracked.metric = name
                return name
    return names[0]


def _record(
    tracked: _Tracked, index: int, params, test_scores, metric, raced=False, **more
):
    """A :class:`CandidateResult`, counting its score in the best so far.

    A ``raced`` candidate (racing stopped its folds) has the mean of the folds
    it got, and never counts as the best: the search's best is a full mean.
    """
    folds = test_scores[metric]
    mean = float(np.nanmean(folds) if raced else np.mean(folds))
    level = more.pop("level", 0)
    if not raced:
        tracked.best(index, mean, level)
    return CandidateResult(
        index,
        params,
        mean,
        folds,
        best_score=tracked.best_score,
        best_index=tracked.best_index,
        test_scores=test_scores,
        **more,
    )


def _from_state(state, tracked: _Tracked) -> list:
    """The candidates of a search's state not logged yet, from their fold outputs."""
    n_splits = state.n_splits
    # A halving search's state holds each evaluation's iter, n_resources and
    # bracket (a cv_results_ column only with several brackets).
    levels = getattr(state, "more_results", None)
    brackets = levels and any(m.get("bracket") for m in levels)
    new = []
    for i in range(len(tracked.params), len(state.candidates)):
        folds = state.out[i * n_splits : (i + 1) * n_splits]
        out = [o for o in folds if o is not None]  # None: raced out (racing)
        test_scores = _fold_scores(folds)
        metric = _maximized(test_scores, state.optimizers, i, tracked)
        more = {}
        if levels:
            more = {k: v for k, v in levels[i].items() if k != "bracket" or brackets}
        new.append(
            _record(
                tracked,
                i,
                state.candidates[i],
                test_scores,
                metric,
                raced=len(out) < n_splits,
                mean_fit_time=float(np.mean([o["fit_time"] for o in out])),
                mean_score_time=float(np.mean([o["score_time"] for o in out])),
                more_results=more,
                level=more.get("n_resources", 0),
            )
        )
        tracked.params.append(state.candidates[i])
    return new


def _from_result(result, tracked: _Tracked) -> list:
    """The points of a bare ``OptimizeResult`` not logged yet (no fold outputs)."""
    names = _names_by_length(result.space)
    new = []
    for i in range(len(tracked.params), len(result.x_iters)):
        x = result.x_iters[i]
        keys = names.get(len(x)) or [f"x{j}" for j in range(len(x))]
        score = -float(result.func_vals[i])  # skopt's format stores -score
        tracked.best(i, score, 0)
        new.append(
            CandidateResult(
                i,
                dict(zip(keys, x, strict=True)),
                score,
                best_score=tracked.best_score,
                best_index=tracked.best_index,
            )
        )
        tracked.params.append(x)
    return new


def _names_by_length(space) -> dict:
    """Sorted parameter names per number of parameters, where that is unambiguous.

    ``x_iters`` holds a candidate's values in the sorted order of its names;
    with alternative sub-spaces, its length tells which sub-space it is from
    unless two have as many parameters.
    """
    found: dict = {}
    for sub in getattr(space, "to_dicts", list)():
        found.setdefault(len(sub), set()).add(tuple(sorted(sub)))
    return {n: list(next(iter(s))) for n, s in found.items() if len(s) == 1}


def _from_cv_results(search, tracked: _Tracked) -> list:
    """The rows of a fitted search's ``cv_results_`` not logged yet."""
    results = search.cv_results_
    metric = cv_results_metric(results, search.scoring, search.refit)
    names = [
        key[len("mean_test_") :] for key in results if key.startswith("mean_test_")
    ]
    n_splits = search.n_splits_
    evaluated = results.get("n_splits_evaluated")  # racing
    more_keys = [key for key in ("iter", "n_resources", "bracket") if key in results]
    new = []
    for i in range(len(tracked.params), len(results["params"])):
        test_scores = {
            name: np.array(
                [results[f"split{k}_test_{name}"][i] for k in range(n_splits)],
                dtype=float,
            )
            for name in names
        }
        more = {key: np.asarray(results[key])[i].item() for key in more_keys}
        new.append(
            _record(
                tracked,
                i,
                results["params"][i],
                test_scores,
                metric,
                raced=evaluated is not None and evaluated[i] < n_splits,
                mean_fit_time=float(results["mean_fit_time"][i]),
                mean_score_time=float(results["mean_score_time"][i]),
                more_results=more,
                level=more.get("n_resources", 0),
            )
        )
        tracked.params.append(results["params"][i])
    return new


def _check_mlflow(caller_name: str):
    """Import and return ``mlflow``, or say how to install it."""
    try:
        import mlflow
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires mlflow, the 'mlflow' extra: `pip install "
            "mlflow` (or the lighter `pip install mlflow-skinny pandas skops`), "
            'or `pip install -e ".[mlflow]"` from a checkout of sksmbo.'
        ) from exc
    return mlflow


# MLflow's limits on one log_batch call.
_MAX_PARAMS, _MAX_METRICS = 100, 1000
# Longest parameter value logged; longer ones (an estimator's repr) are cut.
_MAX_PARAM_LENGTH = 500


class MLflowCallback(CandidateLogger):
    """Log a search to MLflow: a parent run, and a nested run per candidate.

    Pass it as a callback; after ``fit``, call :meth:`~CandidateLogger.finish`
    with the fitted search to log the best candidate and the refitted model::

        tracker = MLflowCallback(experiment_name="svc")
        search.fit(X, y, callback=tracker)
        tracker.finish(search)

    The parent run is created at the first candidate, in ``experiment_name``
    (or in the experiment :func:`mlflow.start_run` would use), nested in the
    active run if there is one. Each call adds:

    - one nested run per new candidate, named ``candidate <index>``: the
      candidate's parameters as params, and as metrics its ``cv_results_``
      columns (``mean_test_<name>``, ``std_test_<name>``,
      ``split<k>_test_<name>`` for each metric, ``mean_fit_time``,
      ``mean_score_time``; ``iter`` and ``n_resources`` for halving) and
      ``best_score_so_far``, the search's best mean score so far;
    - on the parent run, the metrics ``score`` (the candidate's mean score)
      and ``best_score_so_far``, with the candidate's index as step: the
      search's convergence curve.

    :meth:`~CandidateLogger.finish` adds to the parent run the params
    ``best_<name>`` (``best_params_``), the metrics ``best_score``
    (``best_score_``) and ``refit_time``, and, when ``log_model`` is True and
    the search was refitted, ``best_estimator_`` as an MLflow model named
    ``best_estimator`` (:func:`mlflow.sklearn.log_model`). A search that took
    no callback (:class:`~sksmbo.HalvingBayesSearchCV`, scikit-learn's
    searches) is logged whole by :meth:`~CandidateLogger.finish`, from its
    ``cv_results_``.

    Runs are written through the tracking URI in force
    (:func:`mlflow.set_tracking_uri`, ``MLFLOW_TRACKING_URI``): a tracking
    server, a database, or a local directory (``"file:./mlruns"``; MLflow 3.7
    and later refuse it unless ``MLFLOW_ALLOW_FILE_STORE=true``). The parent
    run is marked finished after every call, so a search that stops,
    whatever the cause, leaves no run open. Runs are logged when the search
    tells the candidate: their start and end times are the logging's, their
    fit times are in the metrics.

    mlflow is imported at the first candidate: ``import sksmbo.callbacks`` does
    not import it, and creating the callback only checks that it is
    installed (``pip install mlflow``, or ``pip install -e ".[mlflow]"`` from
    a checkout: mlflow-skinny, pandas and skops).

    Parameters
    ----------
    experiment_name : str, default=None
        Experiment of the parent run, created if it does not exist. None uses
        the experiment :func:`mlflow.start_run` would use (the active run's,
        the one set with :func:`mlflow.set_experiment`, or the default one).
    run_name : str, default=None
        Name of the parent run; None lets MLflow choose one.
    tags : dict of str to str, default=None
        Tags of the parent run.
    log_model : bool or dict, default=True
        Whether :meth:`~CandidateLogger.finish` logs the search's
        ``best_estimator_`` (when it has one) with
        :func:`mlflow.sklearn.log_model`; a dict logs it with these keyword
        arguments (e.g. ``{"serialization_format": "cloudpickle"}``,
        ``{"registered_model_name": "svc"}``). mlflow.sklearn needs pandas,
        and MLflow 3 saves models with skops by default: the ``mlflow`` extra
        installs both.

    Attributes
    ----------
    run_id_ : str
        ID of the parent run of the last search logged.
    experiment_id_ : str
        ID of its experiment.

    See Also
    --------
    CandidateLogger : The base class, to log elsewhere in a dozen lines.

    Examples
    --------
    >>> import mlflow  # doctest: +SKIP
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksmbo import BayesSearchCV
    >>> from sksmbo.callbacks import MLflowCallback
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")},
    ...                        n_iter=8, cv=3, random_state=0)
    >>> mlflow.set_tracking_uri("sqlite:///mlflow.db")  # doctest: +SKIP
    >>> tracker = MLflowCallback(experiment_name="iris-svc")  # doctest: +SKIP
    >>> search = search.fit(X, y, callback=tracker)  # doctest: +SKIP
    >>> tracker = tracker.finish(search)  # doctest: +SKIP
    >>> runs = mlflow.search_runs(experiment_names=["iris-svc"])  # doctest: +SKIP
    >>> len(runs)  # the parent run and 8 candidates  # doctest: +SKIP
    9
    """

    def __init__(
        self, experiment_name=None, run_name=None, *, tags=None, log_model=True
    ):
        validate_parameter_constraints(
            {
                "experiment_name": [str, None],
                "run_name": [str, None],
                "tags": [dict, None],
                "log_model": ["boolean", dict],
            },
            {
                "experiment_name": experiment_name,
                "run_name": run_name,
                "tags": tags,
                "log_model": log_model,
            },
            caller_name=type(self).__name__,
        )
        if importlib.util.find_spec("mlflow") is None:  # fail before any fit
            _check_mlflow(type(self).__name__)
        self.experiment_name = experiment_name
        self.run_name = run_name
        self.tags = tags
        self.log_model = log_model

    def on_search_start(self) -> None:
        """Create the parent run."""
        import sksmbo

        mlflow = _check_mlflow(type(self).__name__)
        experiment_id = None
        if self.experiment_name is not None:
            experiment = mlflow.get_experiment_by_name(self.experiment_name)
            experiment_id = (
                experiment.experiment_id
                if experiment is not None
                else mlflow.create_experiment(self.experiment_name)
            )
        tags = {"sksmbo.version": sksmbo.__version__, **(self.tags or {})}
        # start_run resolves the experiment and nests in the active run as
        # users expect of MLflow; the run is marked finished at once, and
        # after every round (logging to a finished run is allowed).
        with mlflow.start_run(
            experiment_id=experiment_id, run_name=self.run_name, nested=True, tags=tags
        ) as run:
            self.run_id_ = run.info.run_id
            self.experiment_id_ = run.info.experiment_id

    def on_round(self, candidates) -> None:
        """Log each candidate as a nested run, and the curve on the parent run.

        Parameters
        ----------
        candidates : list of CandidateResult
            The candidates evaluated since the last call, in order.
        """
        mlflow = _check_mlflow(type(self).__name__)
        client = mlflow.MlflowClient()
        curve = []
        for c in candidates:
            self.on_candidate(c, client=client)
            curve += [
                _metric(mlflow, "score", c.mean_score, c.index),
                _metric(mlflow, "best_score_so_far", c.best_score, c.index),
            ]
        _log_batch(client, self.run_id_, metrics=curve)
        client.set_terminated(self.run_id_)

    def on_candidate(self, candidate, client=None) -> None:
        """Log one candidate as a run nested in the parent run.

        Parameters
        ----------
        candidate : CandidateResult
            The candidate.
        client : mlflow.MlflowClient, default=None
            The client to log through; None creates one.
        """
        mlflow = _check_mlflow(type(self).__name__)
        client = client or mlflow.MlflowClient()
        c = candidate
        metrics = {"best_score_so_far": c.best_score}
        for name, folds in c.test_scores.items():
            metrics[f"mean_test_{name}"] = np.mean(folds)
            metrics[f"std_test_{name}"] = np.std(folds)
            metrics.update({f"split{k}_test_{name}": s for k, s in enumerate(folds)})
        if not c.test_scores:  # a bare result: the mean only
            metrics["mean_test_score"] = c.mean_score
        for name in ("mean_fit_time", "mean_score_time"):
            if getattr(c, name) is not None:
                metrics[name] = getattr(c, name)
        metrics.update(c.more_results)
        run = client.create_run(
            self.experiment_id_,
            run_name=f"candidate {c.index}",
            tags={"mlflow.parentRunId": self.run_id_, "candidate_index": str(c.index)},
        )
        _log_batch(
            client,
            run.info.run_id,
            metrics=[_metric(mlflow, k, v) for k, v in metrics.items()],
            params=[_param(mlflow, k, v) for k, v in c.params.items()],
        )
        client.set_terminated(run.info.run_id)

    def on_search_end(self, search) -> None:
        """Log the best candidate and the refitted model on the parent run.

        Parameters
        ----------
        search : object or None
            The fitted search; None logs nothing.
        """
        if search is None or getattr(self, "run_id_", None) is None:
            return
        mlflow = _check_mlflow(type(self).__name__)
        client = mlflow.MlflowClient()
        best = getattr(search, "best_params_", {})
        metrics = {"best_score": getattr(search, "best_score_", None)}
        metrics["refit_time"] = getattr(search, "refit_time_", None)
        _log_batch(
            client,
            self.run_id_,
            metrics=[
                _metric(mlflow, k, v) for k, v in metrics.items() if v is not None
            ],
            params=[_param(mlflow, f"best_{k}", v) for k, v in best.items()],
        )
        if self.log_model and hasattr(search, "best_estimator_"):
            self._log_model(mlflow, search.best_estimator_)
        client.set_terminated(self.run_id_)

    def _log_model(self, mlflow, model) -> None:
        try:
            import mlflow.sklearn
        except ImportError as exc:
            raise ImportError(
                "MLflowCallback(log_model=True) logs the model with "
                f"mlflow.sklearn, which failed to import ({exc}); mlflow-skinny "
                "needs pandas for it: `pip install pandas`, or pass "
                "log_model=False."
            ) from exc
        # MLflow 3 names a model with name=, MLflow 2 with artifact_path=.
        signature = inspect.signature(mlflow.sklearn.log_model).parameters
        where = "name" if "name" in signature else "artifact_path"
        kwargs = {} if self.log_model is True else dict(self.log_model)
        with mlflow.start_run(run_id=self.run_id_, nested=True):
            try:
                mlflow.sklearn.log_model(model, **{where: "best_estimator", **kwargs})
            except ModuleNotFoundError as exc:  # skops, MLflow 3's default format
                raise ImportError(
                    f"mlflow.sklearn.log_model failed: {exc}. MLflow 3 saves "
                    "models with skops: `pip install skops` (the 'mlflow' "
                    "extra has it), or pass log_model={'serialization_format': "
                    "'cloudpickle'}."
                ) from exc


def _metric(mlflow, key: str, value, step: int = 0):
    return mlflow.entities.Metric(key, float(value), int(time.time() * 1000), step)


def _param(mlflow, key: str, value):
    text = str(value)
    if len(text) > _MAX_PARAM_LENGTH:
        text = text[: _MAX_PARAM_LENGTH - 3] + "..."
    return mlflow.entities.Param(key, text)


def _log_batch(client, run_id: str, metrics=(), params=()) -> None:
    """``client.log_batch`` in pieces within MLflow's limits per call."""
    metrics, params = list(metrics), list(params)
    while metrics or params:
        client.log_batch(
            run_id, metrics=metrics[:_MAX_METRICS], params=params[:_MAX_PARAMS]
        )
        metrics, params = metrics[_MAX_METRICS:], params[_MAX_PARAMS:]
