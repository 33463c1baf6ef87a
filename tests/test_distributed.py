"""Searches on a dask.distributed cluster through joblib's dask backend."""

import joblib
import numpy as np
import pytest

from sksmbo import BayesSearchCV, TPESearchCV
from sksmbo._sklearn_hooks import _dask_backend, data_scattered
from tests.conftest import FastClassifier

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=3, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.parametrize("cls", [BayesSearchCV, TPESearchCV])
def test_same_results_as_local_n_jobs(cls, client, data):
    X, y = data
    space = {"a": (0.0, 1.0), "c": ["x", "y"]}
    kwargs = dict(n_iter=9, cv=2, random_state=0)
    if cls is BayesSearchCV:
        kwargs["n_initial_points"] = 3
    # An integer n_points: the same candidates on any backend and n_jobs.
    with joblib.parallel_config("dask"):
        on_cluster = cls(FastClassifier(), space, n_points=3, **kwargs).fit(X, y)
    local = cls(FastClassifier(), space, n_points=3, n_jobs=2, **kwargs).fit(X, y)
    one = cls(FastClassifier(), space, n_points=3, n_jobs=1, **kwargs).fit(X, y)
    assert on_cluster.cv_results_["params"] == local.cv_results_["params"]
    assert one.cv_results_["params"] == local.cv_results_["params"]
    np.testing.assert_allclose(
        on_cluster.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )


def test_auto_follows_the_worker_count_not_n_jobs(client, data, pending_at_ask):
    """Three dask workers, cv=2: ceil(3 * 3 / 2) + 1 = 6 candidates in flight,
    though joblib.effective_n_jobs(None) answers 1 under the dask backend."""
    search = TPESearchCV(FastClassifier(), {"a": (0.0, 1.0)}, n_iter=12, cv=2)
    with joblib.parallel_config("dask"):
        search.fit(*data)
    assert max(pending_at_ask) == 5


def test_data_is_scattered_once_per_fit(client, data):
    X, y = data
    with joblib.parallel_config("dask"):
        with data_scattered(X, y):
            backend = _dask_backend()
            assert set(backend.data_futures) == {id(X), id(y)}
