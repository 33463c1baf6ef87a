"""What a search costs beyond its fits: QuasiRandomSearchCV against RandomizedSearchCV.

A classifier that learns nothing (``fit`` and ``predict`` cost microseconds)
on the breast cancer data, ``cv=5``: the time of ``fit`` is then the
searches' own work. Each search is timed right after the other, many
times, and the median of the differences is reported, so that the
machine's drift cancels; with 1 candidate it is the cost per search, with
25 the cost per search plus 24 candidates'.

Usage::

    python benchmarks/fixed_cost.py              # 60 pairs per size, ~30 s
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.environment import pin_single_thread

pin_single_thread()

import numpy as np  # noqa: E402
from scipy.stats import uniform  # noqa: E402
from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.model_selection import RandomizedSearchCV  # noqa: E402

from sksmbo import QuasiRandomSearchCV  # noqa: E402


class NoOpClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the first class; ``a`` and ``b`` change nothing."""

    def __init__(self, a=0.5, b=0.5):
        self.a = a
        self.b = b

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def searches(n_iter: int):
    quasi = QuasiRandomSearchCV(
        NoOpClassifier(), {"a": (0.0, 1.0), "b": (0.0, 1.0)}, n_iter=n_iter, cv=5,
        random_state=0,
    )  # fmt: skip
    random = RandomizedSearchCV(
        NoOpClassifier(), {"a": uniform(0, 1), "b": uniform(0, 1)}, n_iter=n_iter,
        cv=5, random_state=0,
    )  # fmt: skip
    return quasi, random


def seconds(search, X, y) -> float:
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=60)
    args = parser.parse_args(argv)
    X, y = load_breast_cancer(return_X_y=True)
    for n_iter in (1, 25):
        for _ in range(3):  # warm up: imports, caches
            for search in searches(n_iter):
                seconds(search, X, y)
        differences = []
        for _ in range(args.pairs):
            quasi, random = searches(n_iter)
            differences.append(seconds(quasi, X, y) - seconds(random, X, y))
        print(
            f"n_iter={n_iter}: QuasiRandomSearchCV minus RandomizedSearchCV, "
            f"median of {args.pairs} pairs: {np.median(differences) * 1e3:.2f} ms"
        )


if __name__ == "__main__":
    main()
