"""Callbacks for ``search.fit(X, y, callback=...)``: stoppers and checkpointing.

After every round a search calls each callback with the optimizer's result so
far, a :class:`scipy.optimize.OptimizeResult` in scikit-optimize's format:
``x_iters`` (the evaluated points), ``func_vals`` (their *negated* scores,
since scikit-optimize minimizes; NaN for failed candidates), ``x``, ``fun``
and ``space``. A callback returning True stops the search; everything
evaluated so far is kept (``cv_results_``, ``best_params_``, the refit).

The callbacks here are drop-ins for scikit-optimize's of the same names. Any
callable taking the result works as well.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import time
from numbers import Integral, Real

import numpy as np

from sksmbo import _checkpoint as checkpoint
from sksmbo._compat import Interval, validate_parameter_constraints

__all__ = [
    "CheckpointSaver",
    "DeadlineStopper",
    "DeltaYStopper",
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
    The search stops after the first round that ends ``total_time`` seconds
    or more after that; the round running when the budget runs out is
    finished, so a search overshoots by up to one round.

    Parameters
    ----------
    total_time : float
        Time budget in seconds, greater than 0.

    Attributes
    ----------
    iter_time : list of float
        Seconds between consecutive calls (the first counted from the
        stopper's creation): the duration of each round.

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
    >>> len(search.cv_results_["params"])  # stopped after the first round
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
        """Record the round's duration; True once ``total_time`` is spent."""
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

    The search stops after the round in which ``patience`` candidates in a
    row have been evaluated without raising the best score by more than
    ``min_delta`` (Keras' ``EarlyStopping``, counted in candidates rather
    than epochs). Failed candidates count as evaluations without improvement.

    Parameters
    ----------
    patience : int
        Number of candidates without improvement that stops the search; at
        least 1. Checked after each round, so with ``n_points > 1`` the search
        may evaluate up to ``n_points - 1`` more.
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
    """Save the search's result to a file after every round.

    The file is a journal: the first round is written whole, atomically (to a
    temporary file ``.<name>.<random>.tmp`` in the same directory, flushed to
    disk with :func:`os.fsync`, then moved over ``path`` with
    :func:`os.replace`); every later round appends only what is new (its
    candidates, fold results and the optimizers' new observations) and is
    flushed to disk. A save therefore costs about the same at the 1,000th
    candidate as at the 10th (1.0 and 1.8 ms with a TPE search). Whatever
    interrupts a save, an error or Ctrl-C, leaves the previous rounds
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
        ``.xz`` extension compresses (each round's frame on its own).
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
        """Save ``result``'s round to ``path``; never stops the search."""
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
        The search's result at its last round written completely (a round
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
