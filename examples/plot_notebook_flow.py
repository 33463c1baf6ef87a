"""
A notebook-style flow: hold out, search, inspect, predict
=========================================================

What a Kaggle notebook does with ``GridSearchCV``, with
:class:`~sksmbo.TPESearchCV` in its place: hold out a test set, search a
gradient-boosting pipeline on the rest with a progress line per round, read
``cv_results_`` as a table, then score the refit model on the held-out data.
Only the import and the space change; every attribute read afterwards is
scikit-learn's.
"""

# %%
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split

from sksmbo import TPESearchCV

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
search = TPESearchCV(
    HistGradientBoostingClassifier(max_iter=60, random_state=0),
    {
        "learning_rate": (0.01, 0.5, "log-uniform"),
        "max_leaf_nodes": (4, 64),
        "l2_regularization": (1e-6, 1.0, "log-uniform"),
    },
    n_iter=20,
    n_points=4,
    cv=3,
    scoring="roc_auc",
    progress_bar=True,
    random_state=0,
)
search.fit(X_train, y_train)

# %%
# The five best candidates, as a table (``pd.DataFrame(search.cv_results_)``
# works too when pandas is installed).
results = search.cv_results_
order = results["rank_test_score"].argsort()[:5]
print(f"{'rank':>4} {'mean AUC':>9} {'std':>7}  params")
for i in order:
    params = {k: round(v, 4) for k, v in results["params"][i].items()}
    print(
        f"{results['rank_test_score'][i]:>4} {results['mean_test_score'][i]:>9.4f} "
        f"{results['std_test_score'][i]:>7.4f}  {params}"
    )
print(f"held-out ROC AUC of the refit model: {search.score(X_test, y_test):.4f}")
