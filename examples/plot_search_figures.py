"""
Figures of a search: convergence, samples, partial dependence, importance
=========================================================================

``sksmbo.plots`` draws what happened in any fitted search (needs the ``plots``
extra, matplotlib). Here a random forest on the wine dataset is tuned with
:class:`~sksmbo.BayesSearchCV` beside scikit-learn's ``RandomizedSearchCV``;
the convergence plot puts both on one axes, and the other three figures look
inside the Bayesian search. The figures are written as PNG files to a
``sksmbo-figures`` folder in the temporary directory.
"""

# %%
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from scipy.stats import randint  # noqa: E402
from sklearn.datasets import load_wine  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.model_selection import RandomizedSearchCV  # noqa: E402

from sksmbo import BayesSearchCV  # noqa: E402
from sksmbo.plots import (  # noqa: E402
    plot_convergence,
    plot_evaluations,
    plot_importance,
    plot_objective,
)

X, y = load_wine(return_X_y=True)
forest = RandomForestClassifier(n_estimators=30, random_state=0)
space = {
    "max_depth": (1, 12),
    "min_samples_leaf": (1, 20),
    "max_features": (0.1, 1.0),
}
bayes = BayesSearchCV(forest, space, n_iter=20, cv=3, random_state=0).fit(X, y)
randomized = RandomizedSearchCV(
    forest,
    {"max_depth": randint(1, 13), "min_samples_leaf": randint(1, 21)},
    n_iter=20,
    cv=3,
    random_state=0,
).fit(X, y)
print(
    f"BayesSearchCV best {bayes.best_score_:.4f}, "
    f"RandomizedSearchCV best {randomized.best_score_:.4f}"
)

# %%
figures = {
    "convergence.png": plot_convergence(
        ("BayesSearchCV", bayes), ("RandomizedSearchCV", randomized)
    ).figure,
    "evaluations.png": plot_evaluations(bayes).flat[0].figure,
    "objective.png": plot_objective(bayes).flat[0].figure,
    "importance.png": plot_importance(bayes).figure,
}
folder = Path(tempfile.gettempdir()) / "sksmbo-figures"
folder.mkdir(exist_ok=True)
for name, figure in figures.items():
    figure.savefig(folder / name, dpi=80)
    print(f"wrote {folder / name}")
