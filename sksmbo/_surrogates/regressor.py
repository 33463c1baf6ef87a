"""Any scikit-learn regressor with ``predict(X, return_std=True)`` as surrogate.

scikit-optimize lets ``base_estimator`` be such a regressor; this proposer
keeps that door open for users who bring their own model. The built-in
Gaussian process (:class:`~sksmbo._surrogates.gp.GPProposer`) is faster and
handles batches, categoricals and known noise better.
"""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.base import clone

from sksmbo._acquisition import ACQUISITIONS, maximize
from sksmbo._compat import HasMethods
from sksmbo._surrogates.base import (
    ACQUISITION_CONSTRAINTS,
    check_params,
    one_blas_thread,
)
from sksmbo.space import Space

# Inactive columns (NaN) are given a value outside the unit cube, so that
# points of different sub-spaces look far apart and alike within one.
_INACTIVE = -1.0


def supports_return_std(regressor) -> bool:
    """Whether ``regressor`` looks like a model with ``predict(X, return_std=True)``."""
    if not (hasattr(regressor, "fit") and hasattr(regressor, "predict")):
        return False
    try:
        return "return_std" in inspect.signature(regressor.predict).parameters
    except (TypeError, ValueError):
        return False


class RegressorProposer:
    """Proposes the maximizers of an acquisition over a regressor's predictions.

    Implements the ``Proposer`` protocol of :class:`~sksmbo.Optimizer`. The
    regressor is cloned and refitted once per round on the unit-cube points;
    a batch takes the best distinct points of the acquisition (no liar: a
    generic regressor cannot be conditioned on pending points).

    Parameters
    ----------
    regressor : estimator
        A scikit-learn regressor whose ``predict`` accepts ``return_std=True``.
    acq_func : {"log_ei", "ei", "pi", "log_pi", "lcb"}, default="log_ei"
        The acquisition function.
    xi : float, default=0.01
        Improvement threshold of EI and PI, in standardized score units.
    kappa : float, default=1.96
        Exploration weight of LCB.
    n_candidates : int, default=1024
        Quasi-random candidates screened per proposal.

    Examples
    --------
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from sksmbo import Optimizer
    >>> from sksmbo._surrogates.regressor import RegressorProposer
    >>> proposer = RegressorProposer(GaussianProcessRegressor(normalize_y=True))
    >>> opt = Optimizer({"x": (-2.0, 2.0)}, proposer, n_initial_points=4,
    ...                 random_state=0)
    >>> for _ in range(10):
    ...     p = opt.ask()
    ...     _ = opt.tell(p, -p["x"] ** 2)
    >>> abs(opt.best()[0]["x"]) < 0.2
    True
    """

    def __init__(
        self,
        regressor,
        *,
        acq_func: str = "log_ei",
        xi: float = 0.01,
        kappa: float = 1.96,
        n_candidates: int = 1024,
    ):
        check_params(
            self,
            {**ACQUISITION_CONSTRAINTS, "regressor": [HasMethods(["fit", "predict"])]},
            {
                "regressor": regressor,
                "acq_func": acq_func,
                "xi": xi,
                "kappa": kappa,
                "n_candidates": n_candidates,
            },
        )
        self.regressor = regressor
        self.acq_func = acq_func
        self.xi = xi
        self.kappa = kappa
        self.n_candidates = n_candidates

    def propose(
        self,
        X: np.ndarray,
        y: np.ndarray,
        noise: np.ndarray,
        n_points: int,
        *,
        space: Space,
        rng: np.random.Generator,
        pending: np.ndarray,
    ) -> np.ndarray:
        """Next points, ndarray of shape (n_points, space.n_columns)."""
        scale = y.std() or 1.0
        y_std = (y - y.mean()) / scale
        with one_blas_thread():
            model = clone(self.regressor).fit(np.nan_to_num(X, nan=_INACTIVE), y_std)
        kwargs = {"kappa": self.kappa} if self.acq_func == "lcb" else {"xi": self.xi}
        acquisition = ACQUISITIONS[self.acq_func]
        best = float(y_std.max())

        def score(candidates: np.ndarray) -> np.ndarray:
            mean, std = model.predict(
                np.nan_to_num(candidates, nan=_INACTIVE), return_std=True
            )
            return acquisition(mean, std, best, **kwargs)

        top = X[np.argsort(y)[-3:]]
        points, _ = maximize(
            score,
            space,
            n_points,
            rng,
            seeds=top,
            n_candidates=self.n_candidates,
            exclude=np.vstack([X, pending]),
        )
        return points
