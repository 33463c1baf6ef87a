"""
The same search on a dask.distributed cluster
==============================================

Nothing in the search changes: joblib's ``dask`` backend sends the
cross-validation fits to the cluster's workers. With ``n_points="auto"`` each
round proposes one candidate per worker, so none sits idle, and ``X``, ``y``
are scattered to the workers once per ``fit`` instead of at every round.

A ``LocalCluster`` of two single-threaded workers stands in for a real
cluster (``Client("tcp://scheduler:8786")``). The results are identical to a
local run with the same batch size: the rounds are synchronous, so the
candidates do not depend on where they ran. Needs the ``distributed`` extra
(``pip install -e ".[distributed]"`` from a checkout); ray's joblib backend
(``ray.util.joblib.register_ray()``, then ``parallel_config("ray")``) is the
other engine.
"""

# %%
import time

import joblib
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksmbo import TPESearchCV

X, y = load_breast_cancer(return_X_y=True)
pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
space = {"logisticregression__C": (1e-4, 1e2, "log-uniform")}


def search(**kwargs):
    return TPESearchCV(pipe, space, n_iter=16, cv=3, random_state=0, **kwargs)


if __name__ == "__main__":
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        start = time.perf_counter()
        with joblib.parallel_config("dask"):
            on_cluster = search(n_points="auto").fit(X, y)
        print(
            f"on the cluster: best {on_cluster.best_score_:.4f} "
            f"in {time.perf_counter() - start:.1f}s"
        )
    local = search(n_points=2, n_jobs=2).fit(X, y)
    print(f"local, n_jobs=2: best {local.best_score_:.4f}")
    same = on_cluster.cv_results_["params"] == local.cv_results_["params"]
    print(f"same candidates in the same order: {same}")
