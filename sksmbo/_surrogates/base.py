"""What the acquisition-based proposers share: GP, fidelity GP, forests, any regressor.

Each fits a model of the scores, then proposes the maximizers of an
acquisition function of its posterior (see :mod:`sksmbo._acquisition`). They
take the same acquisition names, screen candidates around the same best
points, and do their surrogate work on one BLAS thread.
"""

from __future__ import annotations

import functools
import math
from numbers import Integral, Real

import numpy as np
from threadpoolctl import ThreadpoolController

from sksmbo._acquisition import ACQUISITIONS
from sksmbo._compat import Interval, StrOptions, validate_parameter_constraints

__all__ = [
    "ACQ_FUNCS",
    "ACQUISITION_CONSTRAINTS",
    "N_SEEDS",
    "best_seeds",
    "check_params",
    "one_blas_thread",
]

# The acquisitions every proposer takes (the functions of ACQUISITIONS); the
# GP adds the "gp_hedge" portfolio.
ACQ_FUNCS = ("log_ei", "ei", "pi", "log_pi", "lcb")
assert set(ACQ_FUNCS) == set(ACQUISITIONS)
# Best points whose neighbourhoods the acquisition maximizer screens.
N_SEEDS = 5

# The parameters every acquisition-based proposer takes, in sklearn's
# constraint objects (a proposer adds its own).
ACQUISITION_CONSTRAINTS = {
    "acq_func": [StrOptions(set(ACQ_FUNCS))],
    "xi": [Interval(Real, 0, math.inf, closed="left")],
    "kappa": [Interval(Real, 0, math.inf, closed="left")],
    "n_candidates": [Interval(Integral, 1, None, closed="left")],
}


def check_params(proposer: object, constraints: dict, params: dict) -> None:
    """Raise a ValueError naming the first of ``params`` ``constraints`` refuse."""
    validate_parameter_constraints(
        constraints, params, caller_name=type(proposer).__name__
    )


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
