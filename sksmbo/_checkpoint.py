"""The checkpoint file: an append-only journal of a search's rounds.

A search's state grows with every candidate (fold outputs, the optimizers'
observations). Pickling all of it every round costs time in proportion to the
search so far, so a :class:`~sksmbo.callbacks.CheckpointSaver` writes the
whole state once and then, each round, appends a frame with only what is new:

- the new candidates and their fold outputs;
- the new rows of each optimizer's observations (``Optimizer.APPEND_ONLY``),
  the keys it has added to (or removed from) its set of seen points, and the
  rest of its state (random generators, design stream, pending points,
  proposer), which does not grow with the search.

File layout: ``MAGIC``, then frames. A frame is a header (payload length,
CRC-32 of the payload, compression code) and a payload (a pickle, possibly
compressed). The first frame is written with an atomic replace; later ones are
appended and flushed to disk. A frame cut short by a killed process fails its
length or checksum and is ignored on reading, so the file always reads as the
last round completely written. A result without a search's state (an
``Optimizer.result()`` passed by hand) is written as one frame, every time.
"""

from __future__ import annotations

import bz2
import contextlib
import copy
import glob
import gzip
import itertools
import lzma
import os
import pickle
import struct
import tempfile
import zlib
from numbers import Integral

import joblib
import numpy as np

from sksmbo._optimizer import Optimizer

MAGIC = b"sksmbo checkpoint 1\n"
_HEADER = struct.Struct("<QIB")  # payload length, CRC-32, compression code
_TMP_SUFFIX = ".tmp"

# joblib's compression methods: the file extension that selects each, and how
# to compress and decompress a frame with the standard library.
_COMPRESSORS = {
    "zlib": (".z", lambda data, level: zlib.compress(data, level), zlib.decompress),
    "gzip": (
        ".gz",
        lambda data, level: gzip.compress(data, level, mtime=0),
        gzip.decompress,
    ),
    "bz2": (".bz2", lambda data, level: bz2.compress(data, level), bz2.decompress),
    "lzma": (
        ".lzma",
        lambda data, level: lzma.compress(data, lzma.FORMAT_ALONE, preset=level),
        lzma.decompress,
    ),
    "xz": (
        ".xz",
        lambda data, level: lzma.compress(data, lzma.FORMAT_XZ, preset=level),
        lzma.decompress,
    ),
}
_CODES = [None, *_COMPRESSORS]  # compression code in a frame header: index here
_DEFAULT_LEVEL = 3  # joblib's default compression level


# -- options -----------------------------------------------------------------


def compression(path: str, compress) -> tuple[str, int] | None:
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
        extensions = {method: spec[0] for method, spec in _COMPRESSORS.items()}
        by_extension = [m for m, ext in extensions.items() if path.endswith(ext)]
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


def check_directory(path) -> None:
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


# -- frames ------------------------------------------------------------------


def encode_frame(record: dict, protocol: int, compress) -> bytes:
    """A frame: header and the (compressed) pickle of ``record``."""
    payload = pickle.dumps(record, protocol=protocol)
    code = 0
    if compress is not None:
        method, level = compress
        payload = _COMPRESSORS[method][1](payload, level)
        code = _CODES.index(method)
    return _HEADER.pack(len(payload), zlib.crc32(payload), code) + payload


def _frames(data: bytes):
    """The records of every complete frame after ``MAGIC``; a torn tail ends it."""
    at = len(MAGIC)
    while at + _HEADER.size <= len(data):
        length, crc, code = _HEADER.unpack_from(data, at)
        payload = data[at + _HEADER.size : at + _HEADER.size + length]
        if len(payload) < length or zlib.crc32(payload) != crc or code >= len(_CODES):
            return  # cut short by a killed process: the rounds before it stand
        if code:
            payload = _COMPRESSORS[_CODES[code]][2](payload)
        yield pickle.loads(payload)
        at += _HEADER.size + length


def read(path):
    """The result a checkpoint file holds (see :func:`sksmbo.callbacks.load`)."""
    with open(path, "rb") as file:
        data = file.read()
    if not data.startswith(MAGIC):
        return joblib.load(path)  # a result saved whole with joblib.dump
    records = list(_frames(data))
    if not records:
        raise ValueError(f"The checkpoint {os.fspath(path)!r} holds no complete round.")
    if records[0]["kind"] == "result":
        return records[-1]["result"]
    return replay_journal(records)


def state_to_resume(resume_from, state_type: type):
    """A copy of the search state ``resume_from`` holds, of ``state_type``.

    ``resume_from`` is a result passed to a callback (its ``search_state``),
    a state, or the path of a file :class:`~sksmbo.callbacks.CheckpointSaver`
    wrote. A state of another kind of search raises ``ValueError``; anything
    else ``TypeError``.
    """
    if isinstance(resume_from, str | os.PathLike):
        resume_from = read(resume_from)
    state = getattr(resume_from, "search_state", resume_from)
    if isinstance(state, SearchState | HalvingState) and type(state) is not state_type:
        raise ValueError(
            "Cannot resume: resume_from holds a search of "
            f"{_SEARCHES_OF[type(state)]}, not of {_SEARCHES_OF[state_type]}."
        )
    if not isinstance(state, state_type):
        raise TypeError(
            "The 'resume_from' parameter must be a result passed to a "
            "callback, or the path of a file CheckpointSaver wrote. Got "
            f"{type(resume_from).__name__}."
        )
    return copy.deepcopy(state)


def refuse_changes(state, spaces_now, n_splits_now: int, fingerprint: dict) -> None:
    """Raise ``ValueError`` naming what differs from the stopped search ``state``.

    ``spaces_now`` are the ``repr`` of the search spaces, in the order of
    ``state.optimizers``; ``fingerprint`` describes the estimator and data.
    """
    then = [repr(opt.space) for opt in state.optimizers]
    if then != list(spaces_now):
        raise ValueError(
            "Cannot resume: search_spaces has changed since the search "
            f"stopped. Then: {then}; now: {list(spaces_now)}."
        )
    if state.n_splits is not None and state.n_splits != n_splits_now:
        raise ValueError(
            f"Cannot resume: the search stopped with {state.n_splits} CV splits, "
            f"cv now gives {n_splits_now}. Pass the same cv."
        )
    previous = getattr(state, "fingerprint", None) or {}
    for key, value in fingerprint.items():
        if key in previous and previous[key] != value:
            raise ValueError(
                f"Cannot resume: the {key} differs from the stopped search's "
                f"({previous[key]!r} then, {value!r} now). Pass the same "
                "estimator and data."
            )


# -- writing -------------------------------------------------------------------


def temporary_files(path: str) -> list[str]:
    """Paths of the temporary files a saver of ``path`` writes."""
    directory, name = os.path.split(os.path.abspath(path))
    pattern = f".{glob.escape(name)}.*{_TMP_SUFFIX}"
    return glob.glob(os.path.join(glob.escape(directory), pattern), include_hidden=True)


def write_atomic(path: str, data: bytes) -> None:
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


def append(path: str, frame: bytes, size: int) -> None:
    """Append ``frame`` at byte ``size`` of ``path``, entirely or not at all.

    Whatever interrupts the write cuts the file back to ``size``, so that the
    next frame never follows a torn one.
    """
    with open(path, "r+b") as file:
        try:
            file.seek(size)
            file.write(frame)
            file.truncate()
            file.flush()
            os.fsync(file.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                file.truncate(size)
            raise


def file_identity(path: str) -> tuple[int, int, int]:
    """What changes when anyone but the saver writes ``path``."""
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino, stat.st_size


# -- the journal of a search ----------------------------------------------------


class SearchState:
    """Everything a stopped search needs to resume: optimizers and raw fold results.

    ``candidates`` and ``out`` are what ``BaseSearchCV._format_results``
    receives (parameters and per-fold outputs), ``results`` the cv_results_
    built from them.
    """

    def __init__(
        self, optimizers, candidates, out, results, n_splits=None, fingerprint=None
    ):
        self.optimizers = optimizers
        self.candidates = candidates
        self.out = out
        self.results = results
        self.n_splits = n_splits
        self.fingerprint = fingerprint


class HalvingState:
    """What a stopped ``HalvingBayesSearchCV`` needs to resume.

    It has :class:`SearchState`'s attributes (``optimizers``, ``candidates``,
    ``out``, ``results``, ``n_splits``, ``fingerprint``: what the callbacks
    and the journal read), one entry of ``candidates`` per evaluation (a
    configuration at one iteration's resources) in ``cv_results_`` order, and
    what places the evaluations in the schedule. It is not a
    ``SearchState``: the other searches refuse to resume from it.

    Parameters
    ----------
    optimizer : Optimizer
        The search's one optimizer (``optimizers == [optimizer]``).
    subsample_seed : int
        Seed of the subsamples of ``resource="n_samples"``: a resumed
        iteration trains on the same samples as its evaluations before.
    settings : dict
        What the schedule is computed from, by name, compared on resume.
    params : dict
        The constructor's schedule arguments as given, for ``warm_start``.

    Attributes
    ----------
    more_results : list of dict
        Per evaluation, its ``iter``, ``n_resources`` and ``bracket``.
    schedule : list of dict
        Per iteration started: its ``bracket``, ``rung`` (within the bracket),
        ``n_resources`` and ``window`` (candidates in flight; None for all).
    pending : list of (dict, int or None)
        Candidates of the last iteration proposed and not yet told, in the
        order proposed, each with its row in ``candidates`` if it was
        evaluated (held back, see ``held_optimizer``): a resumed iteration
        goes on with them first.
    complete : bool
        Whether every iteration of the plan ran to its end.
    held_optimizer : Optimizer or None
        The optimizer before a stop or Ctrl-C told it candidates out of
        their turn (those of ``pending`` that have a row): what a resumed
        search continues from.
    """

    def __init__(self, optimizer, subsample_seed, settings, params, fingerprint=None):
        self.optimizers = [optimizer]
        self.candidates: list = []
        self.out: list = []
        self.results = None
        self.n_splits = None
        self.fingerprint = fingerprint
        self.subsample_seed = subsample_seed
        self.settings = settings
        self.params = params
        self.more_results: list[dict] = []
        self.schedule: list[dict] = []
        self.pending: list = []  # (candidate, row in candidates or None)
        self.complete = False
        self.held_optimizer = None

    # What does not grow with the search: written whole in every frame.
    _SMALL = (
        "subsample_seed",
        "settings",
        "params",
        "schedule",
        "pending",
        "complete",
        "held_optimizer",  # None but for the saves after a stop (a few)
    )

    def frame(self, n_written: int) -> dict:
        """A journal frame's part: ``more_results`` after the first ``n_written``."""
        return {
            "more_results": self.more_results[n_written:],
            **{name: getattr(self, name) for name in self._SMALL},
        }

    @classmethod
    def from_frames(cls, parts: list[dict], search_state: SearchState):
        """The state the frames' parts and the journal's ``search_state`` add up to."""
        last = parts[-1]
        state = cls(
            search_state.optimizers[0],
            last["subsample_seed"],
            last["settings"],
            last["params"],
            search_state.fingerprint,
        )
        state.candidates = search_state.candidates
        state.out = search_state.out
        state.n_splits = search_state.n_splits
        state.more_results = [m for part in parts for m in part["more_results"]]
        for name in ("schedule", "pending", "complete", "held_optimizer"):
            setattr(state, name, last[name])
        return state


_SEARCHES_OF = {
    SearchState: "BayesSearchCV, TPESearchCV or QuasiRandomSearchCV",
    HalvingState: "HalvingBayesSearchCV",
}


class Journal:
    """What a saver has written of one search, to write only what is new.

    Parameters
    ----------
    state : SearchState
        The search whose rounds are journaled; a journal belongs to the
        search whose ``optimizers`` list it first saw.
    """

    def __init__(self, state):
        self.optimizers = state.optimizers
        self.n_candidates = 0
        self.n_out = 0  # fold outputs: n_splits per candidate
        # Per optimizer: the length of each APPEND_ONLY field written so far.
        self.lengths: list[dict] = [{} for _ in state.optimizers]
        self.seen = [set() for _ in state.optimizers]
        self.started = False

    def follows(self, state) -> bool:
        """Whether ``state`` is a later round of the journaled search."""
        return state.optimizers is self.optimizers and len(state.candidates) >= (
            self.n_candidates
        )

    def record(self, result) -> dict:
        """The frame of ``result``'s round: what changed since the last one.

        Call :meth:`written` once the frame is on disk.
        """
        state = result.search_state
        parts, lengths, seen = {}, [], []
        for i, optimizer in enumerate(state.optimizers):
            now = {
                name: len(getattr(optimizer, name)) for name in optimizer.APPEND_ONLY
            }
            changed = now != self.lengths[i] or optimizer._seen != self.seen[i]
            if changed or not self.started or result.space is optimizer.space:
                parts[i] = _optimizer_delta(optimizer, self.lengths[i], self.seen[i])
            lengths.append(now)
            seen.append(set(optimizer._seen))
        self._pending = [len(state.candidates), len(state.out), lengths, seen]
        record = {
            "kind": "search",
            "active": _active_index(state.optimizers, result),
            "n_splits": state.n_splits,
            "fingerprint": state.fingerprint,
            "candidates": state.candidates[self.n_candidates :],
            "out": state.out[self.n_out :],
            "optimizers": parts,
            "n_optimizers": len(state.optimizers),
        }
        if isinstance(state, HalvingState):
            record["halving"] = state.frame(self.n_candidates)
        return record

    def written(self) -> None:
        """The last :meth:`record` is on disk."""
        self.n_candidates, self.n_out, self.lengths, self.seen = self._pending
        self.started = True


def _optimizer_delta(optimizer, lengths: dict, seen: set) -> dict:
    """An optimizer's state, its append-only fields cut to what ``lengths`` lacks."""
    state = optimizer.__getstate__()
    now = state.pop("_seen")
    tails = {
        name: state.pop(name)[lengths.get(name, 0) :] for name in optimizer.APPEND_ONLY
    }
    return {
        "state": state,
        "tails": tails,
        "seen_added": now - seen,
        "seen_removed": seen - now,
    }


def _active_index(optimizers, result) -> int:
    """The sub-search ``result`` describes (the last one with a point told)."""
    for i, optimizer in enumerate(optimizers):
        if optimizer.space is result.space:
            return i
    return max((i for i, o in enumerate(optimizers) if o.yi), default=0)


def replay_journal(records: list[dict]):
    """The result, with its ``search_state``, that a journal's frames add up to."""
    candidates, out = [], []
    parts: list[dict] = [{} for _ in range(records[0]["n_optimizers"])]
    tails: list[dict] = [{} for _ in parts]
    seen: list[set] = [set() for _ in parts]
    for record in records:
        candidates += record["candidates"]
        out += record["out"]
        for i, delta in record["optimizers"].items():
            parts[i] = delta["state"]
            for name, tail in delta["tails"].items():
                tails[i].setdefault(name, []).append(tail)
            seen[i] -= delta["seen_removed"]
            seen[i] |= delta["seen_added"]
    optimizers = []
    for state, pieces, keys in zip(parts, tails, seen, strict=True):
        optimizer = Optimizer.__new__(Optimizer)
        joined = {
            name: (
                np.concatenate(p)
                if isinstance(p[0], np.ndarray)
                else list(itertools.chain.from_iterable(p))
            )
            for name, p in pieces.items()
        }
        optimizer.__setstate__({**state, **joined, "_seen": keys})
        optimizers.append(optimizer)
    last = records[-1]
    search_state = SearchState(
        optimizers, candidates, out, None, last["n_splits"], last["fingerprint"]
    )
    if "halving" in last:
        search_state = HalvingState.from_frames(
            [record["halving"] for record in records], search_state
        )
    result = optimizers[last["active"]].result()
    result.search_state = search_state
    return result
