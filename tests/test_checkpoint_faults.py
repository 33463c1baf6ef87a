"""A checkpoint survives faults: wrong paths fail early, interrupted writes and
killed processes leave the previous checkpoint loadable and nothing else."""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import joblib
import numpy as np
import pytest
from scipy.optimize import OptimizeResult

from sksmbo import QuasiRandomSearchCV
from sksmbo import _checkpoint as checkpoint
from sksmbo.callbacks import CheckpointSaver, load
from tests.conftest import FastClassifier

REPO = Path(__file__).resolve().parent.parent


def result_of(scores, **extra):
    """A result in scikit-optimize's format: func_vals are negated scores."""
    return OptimizeResult(func_vals=-np.asarray(scores, dtype=float), **extra)


def saved(path):
    return list(-load(path).func_vals)


# -- a path that cannot be written fails when the saver is created (point 1) ---


@pytest.mark.parametrize(
    "make_path, problem",
    [
        (lambda tmp: tmp / "missing" / "r.pkl", r"which is not an existing directory"),
        (lambda tmp: tmp, r"it is a directory"),
        (lambda tmp: tmp / "file" / "r.pkl", r"which is not an existing directory"),
    ],
    ids=["missing directory", "a directory", "a file as directory"],
)
def test_saver_refuses_a_path_it_cannot_write(tmp_path, make_path, problem):
    (tmp_path / "file").write_text("not a directory")
    path = make_path(tmp_path)
    match = (
        rf"'path' parameter of CheckpointSaver.*{problem}.*Got {re.escape(repr(path))}"
    )
    with pytest.raises(ValueError, match=match):
        CheckpointSaver(path)
    assert sorted(os.listdir(tmp_path)) == ["file"]  # nothing written


def test_saver_refuses_a_missing_top_level_directory():
    with pytest.raises(ValueError, match=r"'/nonexistent'.*Got '/nonexistent/x.pkl'"):
        CheckpointSaver("/nonexistent/x.pkl")


def test_saver_refuses_a_read_only_directory(tmp_path, monkeypatch):
    # os.access rather than chmod: root may write to a read-only directory.
    monkeypatch.setattr("sksmbo.callbacks.os.access", lambda path, mode: False)
    with pytest.raises(ValueError, match=r"'path'.*which is not writable.*Got"):
        CheckpointSaver(tmp_path / "r.pkl")


def test_a_relative_path_is_checked_against_the_working_directory(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    saver = CheckpointSaver("r.pkl")
    saver(result_of([0.5]))
    assert saved(tmp_path / "r.pkl") == [0.5]


# -- compression chosen as joblib.dump chooses it --------------------------------


MAGIC = {
    "xz": b"\xfd7zXZ",
    "gzip": b"\x1f\x8b",
    "bz2": b"BZ",
    "lzma": b"]\x00",
    "zlib": b"x",
    "none": b"\x80",  # a pickle's PROTO opcode
}
FRAME_START = len(checkpoint.MAGIC) + checkpoint._HEADER.size


def method(path, start=0):
    """The compression of a file (from byte ``start``), from its magic number."""
    head = path.read_bytes()[start : start + 5]
    return next(name for name, magic in MAGIC.items() if head.startswith(magic))


@pytest.mark.parametrize(
    "name, compress",
    [
        ("r.pkl", 0),
        ("r.pkl", 3),
        ("r.pkl", True),
        ("r", ("gzip", 5)),
        ("r.pkl", "bz2"),
        ("r.pkl.gz", 0),
        ("r.pkl.gz", 9),
        ("r.pkl.z", 0),
        ("r.pkl.bz2", 0),
        ("r.pkl.xz", 0),
        ("r.pkl.lzma", 0),
        ("r.pkl.gz", ("zlib", 2)),  # an explicit pair wins over the extension
        ("r.pkl.gz", ("gzip", 0)),
    ],
)
def test_compression_matches_joblib_dump(tmp_path, name, compress):
    result = result_of([0.5, np.nan], x_iters=[[1, "x"], [2, "y"]])
    ours, theirs = tmp_path / name, tmp_path / f"joblib-{name}"
    CheckpointSaver(ours, compress=compress)(result)
    joblib.dump(result, theirs, compress=compress)
    assert method(ours, start=FRAME_START) == method(theirs)
    for loaded in (load(ours), load(theirs)):  # load reads joblib's files too
        np.testing.assert_array_equal(loaded.func_vals, result.func_vals)
        assert loaded.x_iters == result.x_iters


# -- an interrupted write leaves the previous checkpoint and nothing else (2) --


class Unpicklable:
    def __reduce__(self):
        raise TypeError("cannot pickle this")


def fail_in(where, exception):
    """A stand-in for ``where`` that raises ``exception``."""

    def fail(*args, **kwargs):
        raise exception

    return where, fail


@pytest.mark.parametrize(
    "patch, exception, match",
    [
        (None, TypeError, "cannot pickle"),  # fails before any file is opened
        (fail_in("os.fsync", OSError("disk full")), OSError, "disk full"),
        (fail_in("os.fsync", KeyboardInterrupt()), KeyboardInterrupt, "^$"),
        (fail_in("os.replace", KeyboardInterrupt()), KeyboardInterrupt, "^$"),
        (fail_in("os.replace", PermissionError("busy")), PermissionError, "busy"),
    ],
    ids=["pickling", "fsync OSError", "fsync Ctrl-C", "replace Ctrl-C", "replace"],
)
def test_interrupted_write_keeps_the_previous_checkpoint(
    tmp_path, monkeypatch, patch, exception, match
):
    path = tmp_path / "r.pkl"
    saver = CheckpointSaver(path)
    saver(result_of([0.5]))
    if patch is None:
        result = result_of([0.5, 0.7], extra=Unpicklable())
    else:
        result = result_of([0.5, 0.7])
        where, fail = patch
        monkeypatch.setattr(f"sksmbo.callbacks.{where}", fail)
    with pytest.raises(exception, match=match):
        saver(result)
    assert os.listdir(tmp_path) == ["r.pkl"]
    assert saved(path) == [0.5]
    monkeypatch.undo()
    saver(result_of([0.5, 0.7]))  # the saver still works afterwards
    assert saved(path) == [0.5, 0.7]


def test_interrupted_write_leaves_no_file_when_there_was_none(tmp_path, monkeypatch):
    monkeypatch.setattr("sksmbo.callbacks.os.fsync", fail_in("", OSError("full"))[1])
    with pytest.raises(OSError, match="full"):
        CheckpointSaver(tmp_path / "r.pkl")(result_of([0.5]))
    assert os.listdir(tmp_path) == []


# -- temporary files of a killed process (2) --------------------------------------


def test_stale_temporary_files_are_never_read_and_swept_by_the_next_saver(tmp_path):
    path = tmp_path / "r.pkl"
    stale = [tmp_path / ".r.pkl.k1ll3d.tmp", tmp_path / ".r.pkl.x.tmp"]
    others = [tmp_path / ".other.pkl.k1ll3d.tmp", tmp_path / "r.pkl.tmp"]
    for file in stale + others:
        file.write_bytes(b"half a pickle")
    with pytest.raises(FileNotFoundError):
        load(path)  # a temporary file is never taken for the checkpoint
    saver = CheckpointSaver(path)
    assert all(file.exists() for file in stale)  # creating a saver deletes nothing
    saver(result_of([0.5]))
    assert sorted(os.listdir(tmp_path)) == sorted(["r.pkl"] + [f.name for f in others])
    assert saved(path) == [0.5]


# -- a search killed with SIGKILL keeps a loadable checkpoint ---------------------

CHILD = textwrap.dedent(
    """
    import sys
    from sklearn.datasets import make_classification
    from sksmbo import QuasiRandomSearchCV
    from sksmbo.callbacks import CheckpointSaver
    from tests.conftest import FastClassifier

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    search = QuasiRandomSearchCV(FastClassifier(), {"a": (0.0, 1.0), "b": (0, 6)},
                                 n_iter=100_000, n_points=1, cv=2, random_state=0)
    search.fit(X, y, callback=CheckpointSaver(sys.argv[1]))
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_search_killed_mid_run_leaves_a_loadable_checkpoint(tmp_path, data):
    path = tmp_path / "r.pkl"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], cwd=REPO, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not path.exists() and child.poll() is None:
            assert time.monotonic() < deadline, "the search never saved"
            time.sleep(0.01)
        time.sleep(0.3)  # dozens more saves, then kill wherever it is
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    result = load(path)
    n_saved = len(result.x_iters)
    assert n_saved >= 1
    assert len(result.search_state.candidates) == n_saved
    # A killed process may leave its temporary file; the next saver sweeps it.
    X, y = data
    resumed = QuasiRandomSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0), "b": (0, 6)},
        n_iter=n_saved + 2,
        n_points=1,
        cv=2,
        random_state=0,
    )
    resumed.fit(X, y, resume_from=path, callback=CheckpointSaver(path))
    params = resumed.cv_results_["params"]
    assert len(params) == n_saved + 2
    assert params[:n_saved] == result.search_state.candidates
    assert os.listdir(tmp_path) == ["r.pkl"]
