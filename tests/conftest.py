import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification


@pytest.fixture
def data():
    """Tiny classification data: searches over it take milliseconds."""
    return make_classification(n_samples=60, n_features=4, random_state=0)


class FastClassifier(ClassifierMixin, BaseEstimator):
    """Fits instantly; its score is a known function of its parameters.

    ``fail`` makes ``fit`` raise, so tests can trigger failed candidates.
    """

    def __init__(self, a=0.0, b=0, c="x", fail=False):
        self.a = a
        self.b = b
        self.c = c
        self.fail = fail

    def fit(self, X, y):
        if self.fail:
            raise ValueError("FastClassifier was asked to fail")
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) - 0.01 * abs(self.b - 3) + (self.c == "y") * 0.1


@pytest.fixture
def pending_at_ask(monkeypatch):
    """The number of pending points at each ``Optimizer.ask`` of the test."""
    from sksmbo import Optimizer

    pending = []
    ask = Optimizer.ask

    def recording_ask(self, *args, **kwargs):
        pending.append(len(self._pending))
        return ask(self, *args, **kwargs)

    monkeypatch.setattr(Optimizer, "ask", recording_ask)
    return pending
