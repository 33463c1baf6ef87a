"""
Gradient boosting tuned by successive halving on the number of trees
====================================================================

Successive halving evaluates many candidates with a small budget, keeps the
best third, triples their budget, and so on until a few candidates get the
full budget. Here the budget ("resource") is ``max_iter``, the number of
boosting iterations of a :class:`~sklearn.ensemble.HistGradientBoostingClassifier`,
on the breast cancer dataset shipped with scikit-learn.

scikit-learn's ``HalvingRandomSearchCV`` draws the first-iteration candidates
at random. :class:`~sksmbo.HalvingBayesSearchCV` runs the same schedule
(same candidates and resources per iteration) from a scrambled Sobol' design,
which covers the space more evenly, and continues the fits of promoted
candidates instead of starting them over. Its model proposes candidates in
Hyperband's later brackets (``brackets="auto"``), or in the first iteration
too with ``n_startup`` set. Both searches get the same space, settings, folds
and seeds. Printed: the schedule, best score and number of fits of each
search, and wall time.
"""

# %%
# The estimator, the space and the shared settings
# ------------------------------------------------
# scipy.stats distributions work in both searches. ``early_stopping=False``
# makes ``max_iter`` the number of boosting iterations actually fitted.
import time

import numpy as np
from scipy.stats import loguniform, randint
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV, StratifiedKFold

from sksmbo import HalvingBayesSearchCV

X, y = load_breast_cancer(return_X_y=True)
model = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
space = {
    "learning_rate": loguniform(1e-3, 1e0),
    "max_leaf_nodes": randint(2, 64),
    "min_samples_leaf": randint(2, 100),
    "l2_regularization": loguniform(1e-4, 1e1),
}
settings = dict(
    resource="max_iter",
    min_resources=3,
    max_resources=81,
    factor=3,
    scoring="neg_log_loss",
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
    n_jobs=-1,
)
SEEDS = [0, 1, 2]

# %%
# The schedule
# ------------
# With ``n_candidates="exhaust"`` (the default of both) the first iteration
# has ``max_resources // min_resources`` candidates. The two schedules are
# printed from the fitted searches below; they are the same.
searches = {
    "HalvingBayesSearchCV": lambda seed: HalvingBayesSearchCV(
        model, space, random_state=seed, **settings
    ),
    "HalvingRandomSearchCV": lambda seed: HalvingRandomSearchCV(
        model, space, random_state=seed, **settings
    ),
}

# %%
# Same schedule, three seeds
# --------------------------
# ``best_score_`` is the mean CV log loss, negated so that greater is better,
# of the best candidate of the last iteration, at ``max_iter=81`` for both.
# Fits count every (candidate, fold) pair at any budget; the final refit is
# not counted.
best = {name: [] for name in searches}
fitted = {}
print(f"breast cancer {X.shape}, resource=max_iter, 3-fold CV, neg_log_loss")
for seed in SEEDS:
    for name, make in searches.items():
        start = time.perf_counter()
        search = make(seed).fit(X, y)
        elapsed = time.perf_counter() - start
        n_fits = len(search.cv_results_["params"]) * search.n_splits_
        best[name].append(search.best_score_)
        fitted[name, seed] = search
        if seed == SEEDS[0]:
            print(
                f"{name}: n_resources_={search.n_resources_} "
                f"n_candidates_={search.n_candidates_}"
            )
        params = {
            k: (round(float(v), 4) if isinstance(v, float) else v)
            for k, v in search.best_params_.items()
        }
        print(
            f"  seed {seed} {name:<22} best {search.best_score_:.4f}  "
            f"fits {n_fits}  {elapsed:4.1f}s  {params}"
        )

# %%
# Summary
# -------
# Mean and spread over the seeds. The last iteration scores only one to three
# candidates, so single runs are noisy: read the means, and the benchmarks
# page for a comparison over more tasks and seeds.
for name, scores in best.items():
    mean, std = np.mean(scores), np.std(scores)
    print(f"{name:<22} mean best neg_log_loss {mean:.4f} +- {std:.4f}")

# %%
# Continuing fits instead of starting over
# ----------------------------------------
# A candidate promoted from ``max_iter=9`` to ``max_iter=27`` has already
# fitted 9 boosting iterations on each fold. ``HalvingBayesSearchCV``
# continues that fit (``warm_start_survivors=True``, the default, for
# scikit-learn's ensembles and histogram gradient boosting), where
# scikit-learn's halving starts over: the same models and scores, less fitting.
# The seed-0 search above continued its fits; here it is run again starting
# over.
fit_seconds = {}
scores = {}
starting_over = HalvingBayesSearchCV(
    model, space, random_state=0, warm_start_survivors=False, **settings
).fit(X, y)
for warm, search in [
    (False, starting_over),
    (True, fitted["HalvingBayesSearchCV", SEEDS[0]]),
]:
    fit_seconds[warm] = np.sum(search.cv_results_["mean_fit_time"]) * search.n_splits_
    scores[warm] = search.cv_results_["mean_test_score"]
print(
    f"sum of fit times: {fit_seconds[False]:.2f}s starting over, "
    f"{fit_seconds[True]:.2f}s continuing; "
    f"same scores: {np.allclose(scores[False], scores[True])}"
)
