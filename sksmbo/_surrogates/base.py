"""What the acquisition-based proposers share: GP, fidelity GP, forests, any regressor.

Each fits a model of the scores, then proposes the maximizers of an
acquisition function of its posterior (see :mod:`sksmbo._acquisition`). They
take the same acquisition names, screen candidates around the same best
points, and do their surrogate work on one BLAS thread.
"""

from __future__ import annotations

import functools

import numpy as np
from threadpoolctl import ThreadpoolController

from sksmbo._acquisition import ACQUISITIONS

__all__ = ["ACQ_FUNCS", "N_SEEDS", "best_seeds", "one_blas_thread"]

# The acquisitions every proposer takes (the functions of ACQUISITIONS); the
# GP adds the "gp_hedge" portfolio.
ACQ_FUNCS = ("log_ei", "ei", "pi", "log_pi", "lcb")
assert set(ACQ_FUNCS) == set(ACQUISITIONS)
# Best points whose neighbourhoods the acquisition maximizer screens.
N_SEEDS = 5


def best_seeds(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The ``N_SEEDS`` rows of ``X`` with the highest scores ``y``."""
    return X[np.argsort(y)[-N_SEEDS:]]


@functools.cache
def _threadpools() -> ThreadpoolController:
    """One controller per process: creating it inspects every loaded library."""
    return ThreadpoolController()


def one_blas_thread():
    """Context in which BLAS and OpenMP pools run one thread.

    Surrogates fit small matrices, where threads cost more than they bring,
    and a search's fits may run on the other cores.
    """
    return _threadpools().limit(limits=1)
