"""Tree-ensemble surrogates: random forest, extra trees and quantile boosting.

scikit-optimize's ``base_estimator="RF" | "ET" | "GBRT"``, with the spread
computed as SMAC does rather than from ``predict`` alone.

* ``"rf"`` and ``"et"`` (:class:`~sklearn.ensemble.RandomForestRegressor`,
  :class:`~sklearn.ensemble.ExtraTreesRegressor`): a tree predicts the
  (bootstrap-weighted) mean of the training scores in the leaf a point falls
  into. The ensemble is a mixture of the trees' leaf distributions, so by the
  law of total variance (Hutter et al. 2014, "Algorithm runtime prediction",
  section 4.3.2)::

      mean(x) = 1/T sum_t m_t(x)
      var(x)  = 1/T sum_t v_t(x) + 1/T sum_t (m_t(x) - mean(x))^2

  with ``m_t(x)`` and ``v_t(x)`` the weighted mean and variance of the
  training scores in ``x``'s leaf of tree ``t``. Leaf sums are computed from
  the training data with ``apply`` and ``np.bincount``, one array over all
  trees (:class:`ForestPosterior`), so a batch of pending points conditions
  the fitted forest by adding their lie to their leaves: the tree structures
  stay fixed and nothing is refitted (the forest analogue of conditioning
  the GP on pending points).
* ``"gbrt"`` (:class:`~sklearn.ensemble.GradientBoostingRegressor`, quantile
  loss at 0.16, 0.5 and 0.84, as scikit-optimize): mean = the median model,
  std = half the distance between the outer quantiles.

A forest is piecewise constant, so the acquisition is maximized by screening
candidates (quasi-random points plus perturbations of the best observed ones)
without the gradient polish the GP gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingRegressor,
    RandomForestRegressor,
)

from sksmbo._acquisition import ACQUISITIONS, maximize
from sksmbo._compat import Interval, StrOptions
from sksmbo._surrogates.base import (
    ACQ_FUNCS,
    ACQUISITION_CONSTRAINTS,
    best_seeds,
    check_params,
    one_blas_thread,
)
from sksmbo._surrogates.regressor import _INACTIVE
from sksmbo.space import Space

__all__ = [
    "ACQ_FUNCS",
    "KINDS",
    "ForestPosterior",
    "ForestProposer",
    "QuantileBoosting",
]

#: Ensemble kinds: random forest, extra trees, gradient-boosted quantiles.
KINDS = ("rf", "et", "gbrt")
_CONSTRAINTS = {
    **ACQUISITION_CONSTRAINTS,
    "kind": [StrOptions(set(KINDS))],
    "n_estimators": [Interval(Integral, 1, None, closed="left"), None],
    "min_samples_leaf": [Interval(Integral, 1, None, closed="left")],
    "max_features": [Interval(Real, 0, 1, closed="right")],
    "log_transform": ["boolean"],
}
_FORESTS = {"rf": RandomForestRegressor, "et": ExtraTreesRegressor}
_QUANTILES = (0.16, 0.5, 0.84)


def _encode(X: np.ndarray) -> np.ndarray:
    """Unit-cube rows with inactive (NaN) columns moved outside the cube."""
    return np.nan_to_num(np.asarray(X, dtype=float), nan=_INACTIVE)


def transform_scores(y: np.ndarray, log_transform: bool) -> np.ndarray:
    """Standardized regression targets, higher is better.

    With ``log_transform`` the scores become ``-log(gap + eps)`` where
    ``gap = max(y) - y`` is the cost to the best score seen (SMAC fits the log
    of a cost) and ``eps`` the smallest positive gap, so the best point sits
    ``log 2`` above the runner-up rather than at infinity. The transform is
    monotone, so the order of the scores (and the worst one) is kept.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Scores, higher is better, finite.
    log_transform : bool
        Apply the log transform before standardizing.

    Returns
    -------
    t : ndarray of shape (n_samples,)
        Zero mean, unit variance (zero when every score is equal).
    """
    t = np.asarray(y, dtype=float)
    if log_transform:
        gap = t.max() - t
        positive = gap[gap > 0]
        t = -np.log(gap + (positive.min() if len(positive) else 1.0))
    spread = t.std()
    return (t - t.mean()) / (spread if spread > 0 else 1.0)


@dataclass(frozen=True)
class ForestPosterior:
    """A fitted forest and the weighted score sums of its leaves.

    Node ``j`` of tree ``t`` has the global index ``offsets[t] + j``; every
    statistics array is indexed by global node index, so that all trees are
    handled in one ``np.bincount`` or fancy-indexing step.

    Attributes
    ----------
    forest : RandomForestRegressor or ExtraTreesRegressor
        The fitted ensemble (only its tree structures are used).
    offsets : ndarray of shape (n_trees,)
        First global node index of each tree.
    weight : ndarray of shape (n_nodes,)
        Sum of sample weights (bootstrap multiplicities) in each leaf.
    total : ndarray of shape (n_nodes,)
        Weighted sum of the targets in each leaf.
    squares : ndarray of shape (n_nodes,)
        Weighted sum of the squared targets in each leaf.
    """

    forest: RandomForestRegressor | ExtraTreesRegressor
    offsets: np.ndarray
    weight: np.ndarray
    total: np.ndarray
    squares: np.ndarray

    @classmethod
    def fit(
        cls,
        kind: str,
        X: np.ndarray,
        t: np.ndarray,
        *,
        n_estimators: int,
        min_samples_leaf: int,
        max_features: float,
        seed: int,
    ) -> ForestPosterior:
        """Fit a forest of ``kind`` ("rf" or "et") on encoded ``X`` and targets."""
        forest = _FORESTS[kind](
            n_estimators=n_estimators,
            min_samples_leaf=min_samples_leaf,
            max_features=max_features,
            random_state=seed,
            n_jobs=1,
        ).fit(X, t)
        counts = [tree.tree_.node_count for tree in forest.estimators_]
        offsets = np.concatenate([[0], np.cumsum(counts[:-1])]).astype(np.intp)
        # Bootstrap multiplicity of each sample in each tree, (n_samples, n_trees):
        # with them the leaf means equal the trees' own predictions.
        multiplicity = np.stack(
            [np.bincount(idx, minlength=len(t)) for idx in forest.estimators_samples_],
            axis=1,
        ).astype(float)
        empty = np.zeros(int(sum(counts)))
        posterior = cls(forest, offsets, empty, empty, empty)
        return posterior.condition_on(X, t, weights=multiplicity, encoded=True)

    def leaves(self, X: np.ndarray) -> np.ndarray:
        """Global leaf index of each point in each tree, (n_points, n_trees).

        ``forest.apply`` tree by tree, without its per-tree validation and
        dispatch (which cost more than the traversal at these sizes); trees
        split on float32 values, as ``forest.apply`` converts them.
        """
        X32 = np.ascontiguousarray(X, dtype=np.float32)
        leaves = np.stack(
            [tree.apply(X32, check_input=False) for tree in self.forest.estimators_],
            axis=1,
        )
        return leaves + self.offsets

    def condition_on(
        self,
        X: np.ndarray,
        t,
        *,
        weights: np.ndarray | None = None,
        encoded: bool = False,
    ) -> ForestPosterior:
        """The posterior with the points ``X`` added to their leaves, score ``t``.

        Parameters
        ----------
        X : ndarray of shape (n_points, n_columns)
            Unit-cube points (NaN in inactive columns unless ``encoded``).
        t : float or ndarray of shape (n_points,)
            Their targets (a constant lie for pending points).
        weights : ndarray of shape (n_points, n_trees) or None, default=None
            Weight of each point in each tree; None is 1 everywhere.
        encoded : bool, default=False
            Whether ``X`` is already encoded (inactive columns filled).

        Returns
        -------
        posterior : ForestPosterior
            A new posterior; the trees are shared, not refitted.
        """
        if not len(X):
            return self
        leaves = self.leaves(X if encoded else _encode(X))
        w = np.ones(leaves.shape) if weights is None else weights
        t = np.broadcast_to(np.asarray(t, dtype=float), (len(X),))[:, None]
        n = len(self.weight)
        ids = leaves.ravel()
        return ForestPosterior(
            self.forest,
            self.offsets,
            self.weight + np.bincount(ids, weights=w.ravel(), minlength=n),
            self.total + np.bincount(ids, weights=(w * t).ravel(), minlength=n),
            self.squares + np.bincount(ids, weights=(w * t * t).ravel(), minlength=n),
        )

    def posterior(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation by the law of total variance.

        Parameters
        ----------
        X : ndarray of shape (n_points, n_columns)
            Unit-cube points, NaN in inactive columns.

        Returns
        -------
        mean : ndarray of shape (n_points,)
        std : ndarray of shape (n_points,)
        """
        leaves = self.leaves(_encode(X))
        weight = self.weight[leaves]
        leaf_mean = self.total[leaves] / weight
        # E[t^2] - E[t]^2 cancels to tiny negatives for constant leaves.
        leaf_var = np.maximum(self.squares[leaves] / weight - leaf_mean**2, 0.0)
        mean = leaf_mean.mean(axis=1)
        var = leaf_var.mean(axis=1) + leaf_mean.var(axis=1)
        return mean, np.sqrt(var)


@dataclass(frozen=True)
class QuantileBoosting:
    """Three gradient-boosting models of the 0.16, 0.5 and 0.84 quantiles.

    Attributes
    ----------
    models : tuple of GradientBoostingRegressor
        One fitted model per quantile, lowest first.
    """

    models: tuple

    @classmethod
    def fit(
        cls, X: np.ndarray, t: np.ndarray, *, n_estimators: int, seed: int
    ) -> QuantileBoosting:
        """Fit the three quantile models on encoded ``X`` and targets ``t``."""
        return cls(
            tuple(
                GradientBoostingRegressor(
                    loss="quantile",
                    alpha=q,
                    n_estimators=n_estimators,
                    random_state=seed,
                ).fit(X, t)
                for q in _QUANTILES
            )
        )

    def posterior(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The median, and half the 0.16-0.84 range (1 std for a normal law)."""
        X = _encode(X)
        low, median, high = (model.predict(X) for model in self.models)
        # Separately fitted quantiles may cross.
        return median, 0.5 * np.abs(high - low)

    def condition_on(self, X: np.ndarray, t) -> QuantileBoosting:
        """``self``: boosting cannot take a point without a refit."""
        return self


class ForestProposer:
    """Proposes the maximizers of an acquisition over a tree ensemble.

    Implements the ``Proposer`` protocol of :class:`~sksmbo.Optimizer`, for
    scikit-optimize's ``base_estimator="RF" | "ET" | "GBRT"``. Each round
    fits the ensemble once (one BLAS thread, ``n_jobs=1``, seeded from
    ``rng``), scores quasi-random candidates and Gaussian perturbations of the
    best observed points, and proposes the best unseen one: trees are
    piecewise constant, so there is no gradient polish.

    Pending points and batches: a random forest or extra trees is conditioned
    on each pending point, and on each point already chosen for the batch,
    with the *worst* score seen so far (a constant liar):
    the lie is added to the leaves the point falls into, the trees are not
    refitted, and the next point moves away. Boosted quantiles cannot be
    conditioned without a refit; they are fitted once with the pending points
    told the worst score, and a batch is the best distinct points of one
    acquisition.

    Parameters
    ----------
    kind : {"rf", "et", "gbrt"}, default="rf"
        Random forest, extra trees, or gradient-boosted quantile regression
        (scikit-optimize's "RF", "ET", "GBRT").
    acq_func : {"log_ei", "ei", "pi", "log_pi", "lcb"}, default="log_ei"
        The acquisition function (see :mod:`sksmbo._acquisition`).
    xi : float, default=0.01
        Improvement, in standardized target units, that EI and PI require over
        the incumbent (the best predicted mean among evaluated points).
    kappa : float, default=1.96
        Exploration weight of the confidence bound ``mean + kappa * std``.
    n_estimators : int or None, default=None
        Trees per ensemble; None is 100 for "rf" and "et" and 30 per quantile
        for "gbrt" (scikit-optimize's values).
    min_samples_leaf : int, default=3
        Fewest training points in a leaf of "rf" and "et" (scikit-optimize's
        value), so that leaves have a variance (1 measured no better for
        "rf": docs/changelog.rst, History).
    max_features : float, default=1.0
        Fraction of columns tried at each split of "rf" and "et".
    n_candidates : int, default=1024
        Quasi-random candidates screened per proposed point.
    log_transform : bool, default=True
        Fit the ensemble on ``-log(max(y) - y + eps)`` instead of the scores
        (see :func:`transform_scores`), which spreads out the scores near the
        best, where the next candidates are chosen (it measured better for
        "rf" and "gbrt": docs/changelog.rst, History).

    Attributes
    ----------
    model_ : ForestPosterior, QuantileBoosting or None
        The ensemble fitted at the last proposal (before any liar).

    Examples
    --------
    >>> from sksmbo import Optimizer
    >>> from sksmbo._surrogates.forest import ForestProposer
    >>> opt = Optimizer({"x": (-2.0, 2.0), "kind": ["a", "b"]},
    ...                 ForestProposer("rf"), n_initial_points=5, random_state=0)
    >>> for _ in range(20):
    ...     p = opt.ask()
    ...     _ = opt.tell(p, -(p["x"] - 0.5) ** 2 - (p["kind"] == "b"))
    >>> best, score = opt.best()
    >>> best["kind"], abs(best["x"] - 0.5) < 0.25
    ('a', True)
    """

    def __init__(
        self,
        kind: str = "rf",
        *,
        acq_func: str = "log_ei",
        xi: float = 0.01,
        kappa: float = 1.96,
        n_estimators: int | None = None,
        min_samples_leaf: int = 3,
        max_features: float = 1.0,
        n_candidates: int = 1024,
        log_transform: bool = True,
    ):
        check_params(
            self,
            _CONSTRAINTS,
            {
                "kind": kind,
                "acq_func": acq_func,
                "xi": xi,
                "kappa": kappa,
                "n_estimators": n_estimators,
                "min_samples_leaf": min_samples_leaf,
                "max_features": max_features,
                "n_candidates": n_candidates,
                "log_transform": log_transform,
            },
        )
        self.kind = kind
        self.acq_func = acq_func
        self.xi = float(xi)
        self.kappa = float(kappa)
        self.n_estimators = n_estimators
        self.min_samples_leaf = int(min_samples_leaf)
        self.max_features = float(max_features)
        self.n_candidates = int(n_candidates)
        self.log_transform = bool(log_transform)
        self.model_: ForestPosterior | QuantileBoosting | None = None

    def propose(
        self,
        X: np.ndarray,
        y: np.ndarray,
        noise: np.ndarray,
        n_points: int,
        *,
        space: Space,
        rng: np.random.Generator,
        pending: np.ndarray | None = None,
    ) -> np.ndarray:
        """Next points to evaluate, ndarray of shape (n_points, space.n_columns).

        ``X`` (n, n_columns) are the evaluated points (NaN in inactive
        columns), ``y`` their scores (higher is better, finite), ``noise`` their
        variances (unused: the leaves' spread already holds the noise) and
        ``pending`` the points being evaluated.
        """
        d = space.n_columns
        X = np.asarray(X, dtype=float).reshape(-1, d)
        pending = np.empty((0, d)) if pending is None else np.asarray(pending, float)
        t = transform_scores(np.asarray(y, dtype=float), self.log_transform)
        liar = float(t.min())
        with one_blas_thread():
            model = self._fit(X, t, pending, liar, seed=int(rng.integers(2**31 - 1)))
            self.model_ = model
            best = float(model.posterior(X)[0].max())
            return self._pick(
                model.condition_on(pending, liar),
                best,
                liar,
                X,
                y,
                int(n_points),
                space,
                rng,
                pending,
            )

    def _fit(self, X, t, pending, liar, *, seed):
        if self.kind == "gbrt":
            # Boosting cannot be conditioned: pending points go into its one fit.
            X_fit = _encode(np.vstack([X, pending]))
            t_fit = np.concatenate([t, np.full(len(pending), liar)])
            n_estimators = self.n_estimators or 30
            return QuantileBoosting.fit(
                X_fit, t_fit, n_estimators=n_estimators, seed=seed
            )
        return ForestPosterior.fit(
            self.kind,
            _encode(X),
            t,
            n_estimators=self.n_estimators or 100,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
            seed=seed,
        )

    def _pick(self, model, best, liar, X, y, n_points, space, rng, pending):
        """``n_points`` maximizers, each conditioning the model on the last."""
        acquisition = ACQUISITIONS[self.acq_func]
        kwargs = {"kappa": self.kappa} if self.acq_func == "lcb" else {"xi": self.xi}
        seeds = best_seeds(X, y)
        exclude = np.vstack([X, pending])
        out = np.empty((n_points, space.n_columns))
        chosen = 0
        while chosen < n_points:
            # A forest is re-scored after each lie; boosting takes the batch at once.
            k = n_points - chosen if self.kind == "gbrt" else 1

            def score(candidates, model=model):
                mean, std = model.posterior(candidates)
                return acquisition(mean, std, best, **kwargs)

            points, _ = maximize(
                score,
                space,
                k,
                rng,
                seeds=seeds,
                n_candidates=self.n_candidates,
                maxiter=0,
                exclude=exclude,
            )
            out[chosen : chosen + len(points)] = points
            chosen += len(points)
            exclude = np.vstack([exclude, points])
            model = model.condition_on(points, liar)
        return out

    def __repr__(self):
        names = (
            "acq_func",
            "xi",
            "kappa",
            "n_estimators",
            "min_samples_leaf",
            "max_features",
            "n_candidates",
            "log_transform",
        )
        params = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"ForestProposer({self.kind!r}, {params})"
