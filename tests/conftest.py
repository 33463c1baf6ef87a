import signal
import threading
import warnings

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


@pytest.fixture(autouse=True)
def default_sigint_handler(request):
    """Start every test with Python's own SIGINT handler, and say who changed it.

    The Ctrl-C tests send SIGINT and expect KeyboardInterrupt. Once, in CI,
    every one of them saw no interrupt after earlier tests had run (and not
    when rerun): a handler left installed by an earlier test or library. A
    test that leaves one is named in a warning, and the handler is reset.
    """
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    if main and signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        handler = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        warnings.warn(
            f"{request.node.nodeid} left SIGINT handled by {handler!r}; reset.",
            stacklevel=1,
        )
