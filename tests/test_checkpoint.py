"""The checkpoint journal: every round appends what is new, and reads back whole."""

import copy
import itertools
import os

import numpy as np
import pytest

from sksmbo import BayesSearchCV, TPESearchCV
from sksmbo import _checkpoint as checkpoint
from sksmbo.callbacks import CheckpointSaver, load
from tests.conftest import FastClassifier

SPACE = {"a": (0.0, 1.0), "b": (0, 6), "c": ["x", "y", "z"]}


def tpe(n_iter=8, **kwargs):
    kwargs = {"n_points": 1, "n_startup": 3, "cv": 2, "random_state": 0, **kwargs}
    return TPESearchCV(FastClassifier(), SPACE, n_iter=n_iter, **kwargs)


class Snapshots:
    """A callback listed after the saver: the file and the live state per round."""

    def __init__(self, path):
        self.path = path
        self.files, self.live = [], []

    def __call__(self, result):
        self.files.append(self.path.read_bytes())
        self.live.append(copy.deepcopy(result.search_state))
        return False


def assert_same_optimizer(loaded, live):
    assert loaded.Xi == live.Xi
    np.testing.assert_array_equal(loaded.yi, live.yi)
    for name in ("_X", "_y", "_noise", "_cost", "_pending"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(live, name))
    assert loaded._seen == live._seen
    assert loaded._rng.bit_generator.state == live._rng.bit_generator.state


def test_each_round_reads_back_as_it_was(data, tmp_path):
    X, y = data
    path = tmp_path / "r.pkl"
    snapshots = Snapshots(path)
    tpe().fit(X, y, callback=[CheckpointSaver(path), snapshots])
    assert len(snapshots.files) == 8
    for i, (file, live) in enumerate(zip(snapshots.files, snapshots.live, strict=True)):
        path.write_bytes(file)
        state = load(path).search_state
        assert state.candidates == live.candidates
        assert len(state.out) == len(live.out) == 2 * (i + 1)
        assert state.n_splits == live.n_splits and state.fingerprint == live.fingerprint
        assert_same_optimizer(state.optimizers[0], live.optimizers[0])
        # The loaded optimizer proposes what the live one would have.
        assert state.optimizers[0].ask(2) == live.optimizers[0].ask(2)


def test_rounds_after_the_first_are_appended(data, tmp_path):
    X, y = data
    path = tmp_path / "r.pkl"
    snapshots = Snapshots(path)
    tpe().fit(X, y, callback=[CheckpointSaver(path), snapshots])
    for before, after in itertools.pairwise(snapshots.files):
        assert after.startswith(before) and len(after) > len(before)
    growth = np.diff([len(file) for file in snapshots.files])
    # A frame holds one round, not the search so far.
    assert growth.max() < 1.5 * growth.min()


@pytest.mark.parametrize("cut", [1, 7, 40])
def test_a_torn_last_frame_reads_as_the_round_before(data, tmp_path, cut):
    X, y = data
    path = tmp_path / "r.pkl"
    snapshots = Snapshots(path)
    tpe(n_iter=4).fit(X, y, callback=[CheckpointSaver(path), snapshots])
    path.write_bytes(snapshots.files[-1][:-cut])
    assert load(path).search_state.candidates == snapshots.live[-2].candidates


def test_a_corrupted_last_frame_reads_as_the_round_before(data, tmp_path):
    X, y = data
    path = tmp_path / "r.pkl"
    snapshots = Snapshots(path)
    tpe(n_iter=4).fit(X, y, callback=[CheckpointSaver(path), snapshots])
    data = bytearray(snapshots.files[-1])
    data[-3] ^= 0xFF  # a bit flip the checksum catches
    path.write_bytes(bytes(data))
    assert load(path).search_state.candidates == snapshots.live[-2].candidates


def test_a_file_without_a_complete_round_is_an_error(tmp_path):
    path = tmp_path / "r.pkl"
    path.write_bytes(checkpoint.MAGIC + b"\x05")
    with pytest.raises(ValueError, match="holds no complete round"):
        load(path)


def test_an_interrupted_append_leaves_the_file_as_it_was(data, tmp_path, monkeypatch):
    X, y = data
    path = tmp_path / "r.pkl"
    saver = CheckpointSaver(path)
    results = []

    def keep(result):
        results.append(copy.deepcopy(result))
        return False

    tpe(n_iter=3).fit(X, y, callback=keep)
    saver(results[0])
    before = path.read_bytes()

    def fail(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr("sksmbo._checkpoint.os.fsync", fail)
    with pytest.raises(KeyboardInterrupt):
        saver(results[1])
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["r.pkl"]
    monkeypatch.undo()
    saver(results[1])
    saver(results[2])
    assert load(path).search_state.candidates == results[2].search_state.candidates


def test_a_new_search_starts_the_file_afresh(data, tmp_path):
    X, y = data
    path = tmp_path / "r.pkl"
    saver = CheckpointSaver(path)
    tpe(n_iter=5).fit(X, y, callback=saver)
    second = tpe(n_iter=3, random_state=1).fit(X, y, callback=saver)
    assert load(path).search_state.candidates == second.cv_results_["params"]


def test_a_file_replaced_behind_the_saver_is_written_afresh(data, tmp_path):
    X, y = data
    path = tmp_path / "r.pkl"
    saver = CheckpointSaver(path)
    rounds = []

    def replace_the_file(result):
        rounds.append(1)
        if len(rounds) == 2:
            path.write_bytes(b"someone else's file")
        return False

    fitted = tpe(n_iter=4).fit(X, y, callback=[saver, replace_the_file])
    assert load(path).search_state.candidates == fitted.cv_results_["params"]


def test_every_sub_search_reads_back(data, tmp_path):
    X, y = data
    path = tmp_path / "r.pkl"
    spaces = [({"a": (0.0, 1.0)}, 3), ({"b": (0, 6)}, 4)]
    search = BayesSearchCV(
        FastClassifier(), spaces, n_points=2, n_initial_points=2, cv=2, random_state=0
    )
    snapshots = Snapshots(path)
    search.fit(X, y, callback=[CheckpointSaver(path), snapshots])
    result = load(path)
    live = snapshots.live[-1]
    loaded = result.search_state.optimizers
    for optimizer, live_optimizer in zip(loaded, live.optimizers, strict=True):
        assert_same_optimizer(optimizer, live_optimizer)
    assert result.space is result.search_state.optimizers[1].space  # the last one
    resumed = BayesSearchCV(
        FastClassifier(), spaces, n_points=2, n_initial_points=2, cv=2, random_state=0
    ).fit(X, y, resume_from=path)
    assert resumed.cv_results_["params"] == search.cv_results_["params"]


def test_observations_at_levels_read_back(tmp_path):
    """Fields that grow at their own pace (promotions) are journaled each in full."""
    from sksmbo import Optimizer
    from sksmbo._checkpoint import SearchState

    path = tmp_path / "r.pkl"
    saver = CheckpointSaver(path)
    optimizer = Optimizer({"x": (0.0, 1.0)}, n_initial_points=4, random_state=0)
    state = SearchState([optimizer], [], [], None, n_splits=2)

    def save():
        result = optimizer.result()
        result.search_state = state
        saver(result)

    points = optimizer.ask(3)
    optimizer.tell(points, [0.1, 0.2, 0.3], level=1)
    save()
    optimizer.tell(points[1:], [0.4, 0.5], level=3)  # promotions: no new point
    save()
    optimizer.tell(points[2:], [0.6], level=9)
    save()
    loaded = load(path).search_state.optimizers[0]
    assert loaded.Xi == optimizer.Xi and loaded.yi == optimizer.yi
    for mine, theirs in zip(
        loaded.observations(), optimizer.observations(), strict=True
    ):
        np.testing.assert_array_equal(mine, theirs)
