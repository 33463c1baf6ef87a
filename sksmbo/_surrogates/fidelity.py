"""A Gaussian process over (configuration, fidelity) that proposes at full fidelity.

Successive halving scores most configurations on small budgets (a part of
the data, a few trees) and only a few on the full budget. Ranking them all
by how far they got (what :class:`~sksmbo.HalvingBayesSearchCV` does for
TPE) throws away how well each did. Here the fidelity of an observation,
``log(resources / min) / log(max / min)`` in [0, 1], is one more input
column of the process with its own lengthscale, so the fitted lengthscale
says how much cheap scores tell about full ones (the "fidelity as an input"
model of Swersky, Snoek & Adams, 2013, and of Klein et al., 2017, FABOLAS).
Acquisitions are maximized on the slice at fidelity 1: the next
configurations are those expected to do best on the full budget.
"""

from __future__ import annotations

import numpy as np

from sksmbo._surrogates.base import best_seeds, one_blas_thread
from sksmbo._surrogates.gp import GaussianProcess, GPProposer, InputMap

__all__ = ["FidelityGPProposer"]


class _AtFullFidelity:
    """A fitted process seen on the slice at fidelity 1, in configuration space.

    Offers what :class:`GPProposer` asks of a model while it picks points:
    ``posterior`` and ``condition_on`` (a constant liar), both on rows
    without the fidelity column.
    """

    def __init__(self, gp: GaussianProcess):
        self.gp = gp

    @staticmethod
    def _lift(X: np.ndarray) -> np.ndarray:
        X = np.array(X, dtype=float, ndmin=2)
        return np.hstack([X, np.ones((len(X), 1))])

    def posterior(
        self, X: np.ndarray, *, snapped: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        # The fidelity column is continuous: lifting keeps rows snapped.
        return self.gp.posterior(self._lift(X), snapped=snapped)

    def condition_on(self, X_new: np.ndarray, y_new) -> _AtFullFidelity:
        X_new = np.array(X_new, dtype=float, ndmin=2)
        if not len(X_new):
            return self
        return _AtFullFidelity(self.gp.condition_on(self._lift(X_new), y_new))


class FidelityGPProposer(GPProposer):
    """Proposes configurations for the full budget from scores at every budget.

    Takes the :class:`~sksmbo._surrogates.gp.GPProposer` parameters and adds
    :meth:`propose_at_full`, which fits the process on observations at any
    fidelity. Its ``propose`` (the ``Proposer`` protocol) is the plain
    proposer's, for observations that share one fidelity.

    Parameters
    ----------
    acq_func, xi, kappa, n_candidates, n_polish, polish, n_restarts
        As in :class:`~sksmbo._surrogates.gp.GPProposer`.

    Attributes
    ----------
    model_ : GaussianProcess
        The process fitted at the last proposal; after
        :meth:`propose_at_full`, its last input column is the fidelity.

    Examples
    --------
    >>> import numpy as np
    >>> from sksmbo.space import Space
    >>> from sksmbo._surrogates.fidelity import FidelityGPProposer
    >>> space = Space({"x": (0.0, 1.0)})
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((12, 1))
    >>> fidelity = np.repeat([0.0, 0.5, 1.0], 4)
    >>> y = -((X[:, 0] - 0.3) ** 2) - 0.1 * (1 - fidelity)
    >>> proposer = FidelityGPProposer()
    >>> points = proposer.propose_at_full(
    ...     X, fidelity, y, np.zeros(12), 1, space=space, rng=rng
    ... )
    >>> round(float(points[0, 0]), 1)  # the full-budget optimum
    0.3
    """

    def propose_at_full(
        self,
        X: np.ndarray,
        fidelity: np.ndarray,
        y: np.ndarray,
        noise: np.ndarray,
        n_points: int,
        *,
        space,
        rng: np.random.Generator,
        pending: np.ndarray | None = None,
    ) -> np.ndarray:
        """Configurations to evaluate next, on the full budget.

        Parameters
        ----------
        X : ndarray of shape (n, space.n_columns)
            Evaluated configurations in the unit cube; one configuration can
            appear once per fidelity it was scored at.
        fidelity : ndarray of shape (n,)
            The fidelity of each row, in [0, 1]; 1 is the full budget.
        y : ndarray of shape (n,)
            Scores, higher is better, finite.
        noise : ndarray of shape (n,)
            Known noise variance of each score.
        n_points : int
        space : Space
        rng : numpy.random.Generator
        pending : ndarray of shape (k, space.n_columns) or None, default=None
            Configurations being evaluated.

        Returns
        -------
        points : ndarray of shape (n_points, space.n_columns)
        """
        d = space.n_columns
        X = np.asarray(X, dtype=float).reshape(-1, d)
        fidelity = np.asarray(fidelity, dtype=float).reshape(-1, 1)
        y = np.asarray(y, dtype=float).reshape(-1)
        noise = np.asarray(noise, dtype=float).reshape(-1)
        pending = np.empty((0, d)) if pending is None else np.asarray(pending, float)
        with one_blas_thread():
            gp = self._fit(np.hstack([X, fidelity]), y, noise, space, rng)
            return self._choose(gp, X, y, fidelity[:, 0], n_points, space, rng, pending)

    def _fit(self, X_lifted, y, noise, space, rng) -> GaussianProcess:
        init = None if self.model_ is None else self.model_.params.to_vector()
        gp = GaussianProcess.fit(
            X_lifted,
            y,
            noise,
            rng=rng,
            init=init,
            n_restarts=self.n_restarts,
            input_map=InputMap.from_space(space).with_fidelity(),
        )
        self.model_ = gp
        return gp

    def _choose(self, gp, X, y, fidelity, n_points, space, rng, pending):
        full = _AtFullFidelity(gp)
        # The incumbent: the best configuration seen, as the model expects it
        # to score on the full budget. The liar and the seeds come from the
        # highest fidelity reached.
        best = float(full.posterior(X)[0].max())
        top = fidelity == fidelity.max()
        seeds = best_seeds(X[top], y[top])
        liar = float(y[top].min())
        return self._pick(full, best, liar, seeds, X, n_points, space, rng, pending)
