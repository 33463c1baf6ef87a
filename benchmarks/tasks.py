"""The tuning tasks: data, estimator, scoring, CV and one neutral search space each.

Real tasks use only datasets shipped inside scikit-learn (``load_*``) or
generated with a fixed seed (``make_*``): no network. Every fit takes well
under a second on one core, so many seeds are affordable. Synthetic tasks wrap
a test function of :mod:`benchmarks.functions` as an estimator.

A seed fixes the train/test split, the CV splits and the method's
``random_state``; all methods see the same data and splits for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from sklearn import datasets
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.linear_model import ElasticNet, LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from benchmarks.functions import FUNCTIONS, BlackBox
from benchmarks.spaces import Cat, Float, Int

TEST_SIZE = 0.25


@dataclass(frozen=True)
class Task:
    """One tuning problem.

    Attributes
    ----------
    name : str
    kind : {"classification", "regression", "synthetic"}
    description : str
    make_estimator : callable
        Returns a fresh, unfitted estimator.
    make_space : callable
        Returns the neutral search space (fresh estimator objects inside
        conditional spaces, so no run shares state with another).
    load : callable
        ``load()`` returns ``(X, y)``; cached.
    scoring : str or None
        None uses the estimator's ``score`` (synthetic tasks).
    n_splits : int
    function : benchmarks.functions.Function or None
        The test function of a synthetic task.
    resource : tuple of (str, int) or None
        The estimator parameter successive halving grows, and its value in
        ``make_estimator`` (the full budget); None halves over ``n_samples``.
    """

    name: str
    kind: str
    description: str
    make_estimator: object
    make_space: object
    load: object
    scoring: str | None
    n_splits: int = 3
    function: object = field(default=None)
    resource: tuple | None = None

    @property
    def synthetic(self):
        return self.kind == "synthetic"

    def split(self, seed):
        """Train/test split for ``seed``.

        Returns
        -------
        X_train, X_test, y_train, y_test : ndarray
            Synthetic tasks return a dummy training set and no test set.
        """
        X, y = self.load()
        if self.synthetic:
            return X, None, y, None
        stratify = y if self.kind == "classification" else None
        return train_test_split(
            X, y, test_size=TEST_SIZE, random_state=seed, stratify=stratify
        )

    def cv(self, seed):
        """An explicit splitter, so every method sees the same folds for ``seed``."""
        if self.synthetic:
            return KFold(n_splits=self.n_splits)
        if self.kind == "classification":
            return StratifiedKFold(self.n_splits, shuffle=True, random_state=seed)
        return KFold(self.n_splits, shuffle=True, random_state=seed)


@cache
def _dataset(name):
    loaders = {
        "breast_cancer": lambda: datasets.load_breast_cancer(return_X_y=True),
        "digits": lambda: datasets.load_digits(return_X_y=True),
        "wine": lambda: datasets.load_wine(return_X_y=True),
        "diabetes": lambda: datasets.load_diabetes(return_X_y=True),
        "classification": lambda: datasets.make_classification(
            n_samples=1000, n_features=20, n_informative=8, flip_y=0.05, random_state=0
        ),
        # Large enough that a ninth of it still ranks models: the halving tasks.
        "classification_large": lambda: datasets.make_classification(
            n_samples=8000, n_features=20, n_informative=10, flip_y=0.05, random_state=1
        ),
        # Nonlinear, with interactions and 15 irrelevant features; a continuous
        # score (R^2), so configurations are told apart more finely than by accuracy.
        "friedman_large": lambda: datasets.make_friedman1(
            n_samples=8000, n_features=20, noise=1.0, random_state=2
        ),
        "regression": lambda: datasets.make_regression(
            n_samples=400, n_features=60, n_informative=10, noise=30.0, random_state=0
        ),
        # Synthetic tasks still need data for sklearn's CV machinery.
        # Row numbers as features: a noisy function seeds its noise with the fold.
        "dummy": lambda: (np.arange(20.0).reshape(-1, 1), np.zeros(20)),
    }
    return loaders[name]()


def _data(name):
    return lambda: _dataset(name)


def _scaled(name, estimator):
    return lambda: Pipeline([("scale", StandardScaler()), (name, estimator())])


def _hgb_space(wide=False):
    space = {
        "learning_rate": Float(1e-2, 1.0, log=True),
        "max_leaf_nodes": Int(4, 64, log=True),
        "min_samples_leaf": Int(2, 64, log=True),
        "l2_regularization": Float(1e-6, 10.0, log=True),
    }
    if wide:
        space.update(
            max_features=Float(0.1, 1.0),
            max_bins=Int(8, 255, log=True),
            max_depth=Int(2, 16, log=True),
        )
    return space


def _hgb_task(
    name,
    data_description,
    dataset,
    max_iter=50,
    halve_iterations=False,
    wide=False,
    regression=False,
):
    """HistGradientBoosting on ``dataset``; halving grows ``max_iter`` if asked."""
    estimator = (
        HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
    )
    description = f"{estimator.__name__} ({max_iter} iterations) on "
    description += data_description
    if wide:
        description += "; 7 parameters"
    if halve_iterations:
        description += "; halving grows max_iter"
    return Task(
        name,
        "regression" if regression else "classification",
        description,
        lambda: estimator(max_iter=max_iter, early_stopping=False, random_state=0),
        lambda: _hgb_space(wide),
        _data(dataset),
        "r2" if regression else "accuracy",
        resource=("max_iter", max_iter) if halve_iterations else None,
    )


def _real_tasks():
    yield Task(
        "svc_breast_cancer",
        "classification",
        "StandardScaler + SVC(rbf) on breast_cancer; log-uniform C and gamma",
        _scaled("svc", SVC),
        lambda: {
            "svc__C": Float(1e-3, 1e3, log=True),
            "svc__gamma": Float(1e-5, 1e1, log=True),
        },
        _data("breast_cancer"),
        "accuracy",
    )
    yield _hgb_task("hgb_classification", "make_classification", "classification")
    yield _hgb_task("hgb_large", "8,000 samples", "classification_large")
    for name, wide, (data_description, dataset) in (
        ("hgb_iters", False, ("make_classification", "classification")),
        ("hgb_iters_wide", True, ("make_classification", "classification")),
        # 8x the data (CV noise down by about sqrt(8)), so that the search,
        # not the noise of its scores, decides which configuration wins.
        ("hgb_iters_large", True, ("8,000 samples", "classification_large")),
    ):
        yield _hgb_task(
            name,
            data_description,
            dataset,
            max_iter=81,
            halve_iterations=True,
            wide=wide,
        )
    yield _hgb_task(
        "hgb_iters_regression",
        "make_friedman1 (8,000 samples, 20 features)",
        "friedman_large",
        max_iter=81,
        halve_iterations=True,
        wide=True,
        regression=True,
    )
    yield Task(
        "rf_trees_digits",
        "classification",
        "RandomForestClassifier (81 trees) on digits; halving grows n_estimators",
        lambda: RandomForestClassifier(n_estimators=81, random_state=0),
        lambda: {
            "max_depth": Int(2, 32, log=True),
            "min_samples_leaf": Int(1, 32, log=True),
            "max_features": Float(0.02, 1.0, log=True),
            "criterion": Cat(("gini", "entropy")),
        },
        _data("digits"),
        "accuracy",
        resource=("n_estimators", 81),
    )
    yield Task(
        "svc_digits",
        "classification",
        "StandardScaler + SVC(rbf) on digits; log-uniform C and gamma",
        _scaled("svc", SVC),
        lambda: {
            "svc__C": Float(1e-3, 1e3, log=True),
            "svc__gamma": Float(1e-6, 1e0, log=True),
        },
        _data("digits"),
        "accuracy",
    )
    yield Task(
        "rf_wine",
        "classification",
        "RandomForestClassifier (50 trees) on wine; depth, leaf, features, criterion",
        lambda: RandomForestClassifier(n_estimators=50, random_state=0),
        lambda: {
            "max_depth": Int(1, 16),
            "min_samples_leaf": Int(1, 20),
            "max_features": Float(0.1, 1.0),
            "criterion": Cat(("gini", "entropy")),
        },
        _data("wine"),
        "accuracy",
    )
    yield Task(
        "extratrees_diabetes",
        "regression",
        "ExtraTreesRegressor (50 trees) on diabetes",
        lambda: ExtraTreesRegressor(n_estimators=50, random_state=0),
        lambda: {
            "max_depth": Int(2, 20),
            "min_samples_leaf": Int(1, 32, log=True),
            "max_features": Float(0.1, 1.0),
        },
        _data("diabetes"),
        "r2",
    )
    yield Task(
        "elasticnet_regression",
        "regression",
        "StandardScaler + ElasticNet on make_regression (60 features, 10 informative)",
        _scaled("enet", lambda: ElasticNet(max_iter=5000)),
        lambda: {
            "enet__alpha": Float(1e-4, 1e2, log=True),
            "enet__l1_ratio": Float(0.01, 1.0),
        },
        _data("regression"),
        "r2",
    )
    yield Task(
        "knn_digits",
        "classification",
        "StandardScaler + KNeighborsClassifier on digits",
        _scaled("knn", KNeighborsClassifier),
        lambda: {
            "knn__n_neighbors": Int(1, 50, log=True),
            "knn__weights": Cat(("uniform", "distance")),
            "knn__p": Cat((1, 2)),
        },
        _data("digits"),
        "accuracy",
    )
    yield Task(
        "mlp_breast_cancer",
        "classification",
        "StandardScaler + MLPClassifier (1 hidden layer, 200 epochs) on breast_cancer",
        _scaled("mlp", lambda: MLPClassifier(max_iter=200, random_state=0)),
        lambda: {
            "mlp__hidden_layer_sizes": Int(4, 128, log=True),
            "mlp__alpha": Float(1e-6, 1e-1, log=True),
            "mlp__learning_rate_init": Float(1e-4, 1e-1, log=True),
        },
        _data("breast_cancer"),
        "accuracy",
    )
    yield Task(
        "pca_logreg_digits",
        "classification",
        "StandardScaler + PCA + LogisticRegression on digits; n_components and C",
        lambda: Pipeline(
            [
                ("scale", StandardScaler()),
                ("pca", PCA(random_state=0)),
                ("logreg", LogisticRegression(max_iter=300)),
            ]
        ),
        lambda: {
            "pca__n_components": Int(2, 40),
            "logreg__C": Float(1e-4, 1e2, log=True),
        },
        _data("digits"),
        "accuracy",
    )
    yield Task(
        "conditional_breast_cancer",
        "classification",
        "Conditional space: SVC (C, gamma) or RandomForest (max_depth, max_features)",
        _scaled("clf", SVC),
        lambda: [
            {
                "clf": Cat((SVC(),)),
                "clf__C": Float(1e-3, 1e3, log=True),
                "clf__gamma": Float(1e-5, 1e1, log=True),
            },
            {
                "clf": Cat((RandomForestClassifier(n_estimators=50, random_state=0),)),
                "clf__max_depth": Int(1, 16),
                "clf__max_features": Float(0.1, 1.0),
            },
        ],
        _data("breast_cancer"),
        "accuracy",
    )


def _synthetic_tasks():
    for function in FUNCTIONS.values():
        yield Task(
            function.name,
            "synthetic",
            f"{function.func.__doc__.splitlines()[0]} (score = -f)",
            # Bind the name now: a lambda over the loop variable would see the last one.
            lambda name=function.name: BlackBox(function=name),
            lambda space=function.space: dict(space),
            _data("dummy"),
            None,
            n_splits=2,
            function=function,
        )


TASKS = {task.name: task for task in (*_real_tasks(), *_synthetic_tasks())}


def regret(task, params):
    """``f(params) - f*`` for a synthetic task (0 at the optimum).

    Parameters
    ----------
    task : Task
    params : dict
        Best parameters found, as ``best_params_``.

    Returns
    -------
    regret : float
    """
    return float(task.function.func(dict(params)) - task.function.minimum)
