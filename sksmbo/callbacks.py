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

import bz2
import contextlib
import glob
import gzip
import lzma
import os
import pickle
import tempfile
import time
import zlib
from numbers import Integral, Real

import joblib
import numpy as np

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

# joblib's compression methods: the file extension that selects each, and how
# to compress a whole pickle with the standard library (joblib.load reads all).
_COMPRESSORS = {
    "zlib": (".z", lambda data, level: zlib.compress(data, level)),
    "gzip": (".gz", lambda data, level: gzip.compress(data, level, mtime=0)),
    "bz2": (".bz2", lambda data, level: bz2.compress(data, level)),
    "lzma": (
        ".lzma",
        lambda data, level: lzma.compress(data, lzma.FORMAT_ALONE, preset=level),
    ),
    "xz": (
        ".xz",
        lambda data, level: lzma.compress(data, lzma.FORMAT_XZ, preset=level),
    ),
}
_DEFAULT_LEVEL = 3  # joblib's default compression level


def _compression(path: str, compress) -> tuple[str, int] | None:
    """(method, level) as :func:`joblib.dump` picks them, or None for none.

    An explicit ``(method, level)`` pair wins; otherwise the extension of
    ``path`` picks the method, and ``compress`` (True, a level or a method
    name) asks for zlib or sets the level.
    """
    if isinstance(compress, tuple):
        if len(compress) != 2:
            _bad_compress(compress)
        method, level = compress
    elif isinstance(compress, str):
        method, level = compress, None
    elif compress is True:
        method, level = "zlib", None
    else:
        method, level = "zlib", compress
    if not isinstance(compress, tuple):
        by_extension = [m for m, (ext, _) in _COMPRESSORS.items() if path.endswith(ext)]
        if by_extension:
            method = by_extension[0]
            level = _DEFAULT_LEVEL if level in (0, False) else level
    if method not in _COMPRESSORS or not (
        level is None or (isinstance(level, Integral) and 0 <= level <= 9)
    ):
        _bad_compress(compress)
    if level in (0, False):
        return None
    return method, _DEFAULT_LEVEL if level is None or level is True else int(level)


def _bad_compress(compress):
    raise ValueError(
        "The 'compress' parameter of CheckpointSaver must be a bool, a level "
        f"from 0 to 9, one of {sorted(_COMPRESSORS)!r} or a (method, level) "
        f"pair. Got {compress!r} instead."
    )


def _check_directory(path) -> None:
    """Raise unless ``path`` names a file in an existing, writable directory."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        problem = "is a directory"
    elif not os.path.isdir(directory):
        problem = f"is in {directory!r}, which is not an existing directory"
    elif not os.access(directory, os.W_OK | os.X_OK):
        problem = f"is in {directory!r}, which is not writable"
    else:
        return
    raise ValueError(
        "The 'path' parameter of CheckpointSaver must be a file in an existing, "
        f"writable directory; it {problem}. Got {path!r} instead."
    )


def _temporary_files(path: str) -> list[str]:
    """Paths of the temporary files a :class:`CheckpointSaver` of ``path`` writes."""
    directory, name = os.path.split(os.path.abspath(path))
    pattern = f".{glob.escape(name)}.*{_TMP_SUFFIX}"
    return glob.glob(os.path.join(glob.escape(directory), pattern), include_hidden=True)


_TMP_SUFFIX = ".tmp"


def _write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` entirely or not at all.

    The bytes go to a temporary file in the same directory (so that
    :func:`os.replace` is a rename on one file system), are flushed to disk,
    then the file replaces ``path``. Whatever interrupts this, Ctrl-C
    included, removes the temporary file and leaves ``path`` as it was.
    """
    directory, name = os.path.split(os.path.abspath(path))
    tmp = tempfile.NamedTemporaryFile(
        "wb", prefix=f".{name}.", suffix=_TMP_SUFFIX, dir=directory, delete=False
    )
    try:
        with tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp.name)
        raise
    if os.name == "posix":
        # Make the rename itself durable; the checkpoint is complete either
        # way, and some file systems cannot sync a directory.
        with contextlib.suppress(OSError):
            fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


class CheckpointSaver:
    """Save the search's result to a file after every round.

    Every round, the result (with everything :meth:`fit(resume_from=path)
    <sksmbo.BayesSearchCV.fit>` needs) is written atomically: to a temporary
    file ``.<name>.<random>.tmp`` in the same directory, flushed to disk
    (:func:`os.fsync`), then moved over ``path`` (:func:`os.replace`). A
    search interrupted while saving, by an error or Ctrl-C, leaves the
    previous checkpoint intact and no temporary file. A process killed
    outright (``SIGKILL``, a power cut) can leave a temporary file behind; it
    never has the checkpoint's name, so it is never read as one, and the next
    saver of the same ``path`` deletes it before its first save. One search
    at a time per ``path``. The saver never stops the search.

    A checkpoint is a pickle: load only trusted files.

    The directory of ``path`` is checked when the saver is created, so that a
    wrong path fails before the search spends anything. A save takes about
    10 ms on a local disk, most of it in :func:`os.fsync`; it pickles the
    whole search so far (candidates, fold results, optimizers), which takes
    longer as the search grows, but only from 1 to 2.3 ms between 100 and
    1,000 candidates of a three-parameter TPE search.

    Parameters
    ----------
    path : str or os.PathLike
        File to write, in an existing and writable directory. As with
        :func:`joblib.dump`, a ``.z``, ``.gz``, ``.bz2``, ``.lzma`` or
        ``.xz`` extension compresses.
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
        _check_directory(path)
        _compression(os.fspath(path), dump_kwargs.get("compress", 0))
        self.path = path
        self.dump_kwargs = dump_kwargs
        self._swept = False

    def __call__(self, result) -> bool:
        """Write ``result`` to ``path``; never stops the search."""
        path = os.fspath(self.path)
        protocol = self.dump_kwargs.get("protocol")
        # The C pickler: joblib.dump's pure-Python one took 40-100 ms per save
        # of a 1,000-candidate search (benchmarks/bookkeeping.py).
        data = pickle.dumps(
            result, protocol=pickle.HIGHEST_PROTOCOL if protocol is None else protocol
        )
        compression = _compression(path, self.dump_kwargs.get("compress", 0))
        if compression is not None:
            method, level = compression
            data = _COMPRESSORS[method][1](data, level)
        if not self._swept:  # left by a process killed while saving
            for stale in _temporary_files(path):
                with contextlib.suppress(OSError):
                    os.remove(stale)
            self._swept = True
        _write_atomic(path, data)
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
        The search's result at its last saved round, in scikit-optimize's
        format (``func_vals`` are negated scores); pass it, or ``path``, to
        ``fit(resume_from=...)`` to continue the search.

    See Also
    --------
    CheckpointSaver : Write the checkpoints.
    """
    return joblib.load(path)
