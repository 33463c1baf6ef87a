"""
Choosing the model and its hyperparameters in one search
========================================================

A pipeline whose last step is either an SVC or a k-nearest-neighbours
classifier, each with hyperparameters of its own. The space is a list of
dicts, as ``GridSearchCV``'s ``param_grid`` and ``RandomizedSearchCV``'s
``param_distributions`` accept: each dict is one alternative, and a
candidate sets only the parameters of the alternative it belongs to.

:class:`~sksmbo.TPESearchCV` models the choice of alternative and, for each
alternative, its parameters from the candidates that set them.
``RandomizedSearchCV`` draws every candidate independently. Both get the same
budget (``n_iter``), the same folds and the same seeds, on the first 1,000
images of the digits dataset shipped with scikit-learn (all 1,797 give the
same picture in twice the time). Printed: best cross-validated score, how
the budget was split between the two models, and wall time.
"""

# %%
# The pipeline and the conditional space
# --------------------------------------
# ``"clf": [SVC()]`` puts the estimator itself in the space: the alternative
# replaces the pipeline's ``clf`` step, and ``clf__C`` then reaches the SVC's
# ``C``. scipy.stats distributions and lists mean the same to both searches.
import time
from collections import Counter

import numpy as np
from scipy.stats import loguniform, randint
from sklearn.datasets import load_digits
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksmbo import TPESearchCV

X, y = load_digits(return_X_y=True)
X, y = X[:1000], y[:1000]
pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
space = [
    {
        "clf": [SVC()],
        "clf__C": loguniform(1e-2, 1e3),
        "clf__gamma": loguniform(1e-5, 1e0),
    },
    {
        "clf": [KNeighborsClassifier()],
        "clf__n_neighbors": randint(1, 31),
        "clf__weights": ["uniform", "distance"],
    },
]
cv = StratifiedKFold(3, shuffle=True, random_state=0)
N_ITER = 25
SEEDS = [0, 1, 2, 3, 4]


def make_searches(seed):
    return {
        "TPESearchCV": TPESearchCV(
            pipe, space, n_iter=N_ITER, cv=cv, n_jobs=-1, random_state=seed
        ),
        "RandomizedSearchCV": RandomizedSearchCV(
            pipe, space, n_iter=N_ITER, cv=cv, n_jobs=-1, random_state=seed
        ),
    }


# %%
# Same budget, five seeds
# ------------------------
# One line per search and seed: best mean CV accuracy, the number of
# candidates given to each model, and the best candidate.
def describe(params):
    clf = params["clf"]
    rest = {
        k.split("__")[1]: (f"{v:.3g}" if isinstance(v, float) else v)
        for k, v in params.items()
        if k != "clf"
    }
    return f"{type(clf).__name__}({', '.join(f'{k}={v}' for k, v in rest.items())})"


best = {name: [] for name in make_searches(0)}
print(f"n_iter={N_ITER}, {cv.get_n_splits()}-fold CV, digits {X.shape}")
print(f"{'search':<19} {'seed':>4} {'best CV':>8} {'SVC/KNN':>8} {'time':>6}  best")
for seed in SEEDS:
    for name, search in make_searches(seed).items():
        start = time.perf_counter()
        search.fit(X, y)
        elapsed = time.perf_counter() - start
        counts = Counter(type(p["clf"]).__name__ for p in search.cv_results_["params"])
        split = f"{counts['SVC']}/{counts['KNeighborsClassifier']}"
        best[name].append(search.best_score_)
        print(
            f"{name:<19} {seed:>4} {search.best_score_:>8.4f} {split:>8} "
            f"{elapsed:>5.1f}s  {describe(search.best_params_)}"
        )

# %%
# Summary
# -------
# Mean and spread of the best score over the seeds. With five seeds, a
# difference smaller than the spread is not evidence either way; the
# benchmarks page compares the searches over many more tasks and seeds.
for name, scores in best.items():
    print(f"{name:<19} mean best CV {np.mean(scores):.4f} +- {np.std(scores):.4f}")
