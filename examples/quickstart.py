"""
Quickstart: fewer fits than a grid, same pipeline, same arguments
==================================================================

An SVC in a scaling pipeline on the digits dataset shipped with scikit-learn,
tuned three ways on the same 5-fold splits: an exhaustive ``GridSearchCV``,
then sksmbo's Gaussian-process and TPE searches with a fraction of the fits.
Printed: best parameters, best cross-validated score, number of fits and wall
time.
"""

# %%
import time

from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksmbo import BayesSearchCV, TPESearchCV

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(StandardScaler(), SVC())
cv = StratifiedKFold(5, shuffle=True, random_state=0)

grid = {
    "svc__C": [0.1, 1, 10, 100, 1000],
    "svc__gamma": [1e-4, 1e-3, 1e-2, 1e-1],
    "svc__kernel": ["rbf", "linear"],
}
space = {
    "svc__C": loguniform(1e-2, 1e3),
    "svc__gamma": (1e-5, 1e0, "log-uniform"),
    "svc__kernel": ["rbf", "linear"],
}
searches = {
    "GridSearchCV": GridSearchCV(pipe, grid, cv=cv, n_jobs=-1),
    "BayesSearchCV": BayesSearchCV(
        pipe, space, n_iter=20, cv=cv, n_jobs=-1, random_state=0
    ),
    "TPESearchCV": TPESearchCV(
        pipe, space, n_iter=20, cv=cv, n_jobs=-1, random_state=0
    ),
}

# %%
print(
    f"{'search':<22} {'best CV score':>13} {'fits':>5} {'time (s)':>9}  best parameters"
)
for name, search in searches.items():
    start = time.perf_counter()
    search.fit(X, y)
    elapsed = time.perf_counter() - start
    n_fits = len(search.cv_results_["params"]) * search.n_splits_
    params = {
        k: (round(v, 5) if isinstance(v, float) else v)
        for k, v in search.best_params_.items()
    }
    print(
        f"{name:<22} {search.best_score_:>13.4f} {n_fits:>5} {elapsed:>9.1f}  {params}"
    )
