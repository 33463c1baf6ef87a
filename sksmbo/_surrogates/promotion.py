"""Proposals for successive halving, from a model of every rung's scores.

:class:`~sksmbo.HalvingBayesSearchCV` tells its :class:`~sksmbo.Optimizer`
each score with the resource level it was measured at; this proposer reads
those observations (``needs_levels``) and turns them into what its inner
proposer models: the scores of one level, every level with the level as an
input (a fidelity GP), or successive halving's ranking (TPE).
"""

from __future__ import annotations

import numpy as np

from sksmbo._optimizer import Observations
from sksmbo.space import Space

__all__ = ["PromotionProposer"]


class PromotionProposer:
    """Proposes from a model of how far each configuration got, and how well.

    BOHB fits its model on the scores at the largest resource level that has
    enough of them. Those survivors are the best configurations and cluster
    together, so a density ratio fitted on them alone looks *away* from the
    cluster. Here every configuration counts, once ``n_min`` of them have a
    score; a ``random_fraction`` of the points are uniform random draws, for
    exploration.

    * While every configuration is at the same level (the first rung of the
      first bracket, when ``n_startup`` lets the model in there), the model
      gets the scores with their noise across folds: a GP then knows when
      cheap scores are mostly noise.
    * Later, a proposer with ``propose_at_full`` (the fidelity GP) gets every
      score at every level, the level as one more input, and proposes for the
      full budget.
    * A density model (TPE) gets ranks instead, scaled to [0, 1]: the way
      successive halving ranks configurations, first by the highest level
      reached, then by the score there (failures last).
    """

    # Optimizer passes every observation with its level (``tell(level=...)``).
    needs_levels = True

    def __init__(
        self,
        proposer,
        n_min: int,
        random_fraction: float,
        resource_range: tuple[int, int],
    ):
        self.proposer = proposer
        self.n_min = n_min
        self.random_fraction = random_fraction
        self.resource_range = resource_range  # (min_resources_, max_resources_)

    @staticmethod
    def _furthest(
        space: Space, obs: Observations
    ) -> list[tuple[np.ndarray, int, float]]:
        """Each configuration's (row, highest level reached, score there)."""
        furthest: dict[bytes, tuple[np.ndarray, int, float]] = {}
        rows = zip(space.keys(obs.X), obs.X, obs.level, obs.y, strict=True)
        for key, x, level, score in rows:
            if key not in furthest or level >= furthest[key][1]:
                furthest[key] = (x, level, score)
        return list(furthest.values())

    def _ranked(self, rows) -> tuple[np.ndarray, np.ndarray]:
        level = np.array([r[1] for r in rows], dtype=float)
        score = np.array([r[2] for r in rows], dtype=float)
        score = np.where(np.isfinite(score), score, -np.inf)
        order = np.lexsort((score, level))  # last key sorts first: level, then score
        rank = np.empty(len(rows))
        rank[order] = np.arange(len(rows)) / max(len(rows) - 1, 1)
        return np.array([r[0] for r in rows]), rank

    def _at_levels(self, obs: Observations):
        """Every observation: rows, fidelity in [0, 1], scores, noise.

        A failed fit counts as the worst score seen, at the full budget: it
        would never get there, and placed at its own (low) level the model
        could blame the level rather than the configuration.
        """
        X, resource, y, noise = obs
        low, high = self.resource_range
        fidelity = np.ones(len(y))
        if high > low:
            fidelity = np.log(resource / low) / np.log(high / low)
        finite = np.isfinite(y)
        y = np.where(finite, y, y[finite].min())
        noise = np.where(finite, noise, 0.0)
        fidelity = np.where(finite, np.clip(fidelity, 0.0, 1.0), 1.0)
        return X.astype(float), fidelity, y, noise

    def propose(self, X, y, noise, n_points, *, space, rng, pending, observations):
        """Next points: model-based, or uniform random (``random_fraction``)."""
        out = rng.random((n_points, space.n_columns))
        rows = self._furthest(space, observations)
        n_scored = sum(np.isfinite(score) for _, _, score in rows)
        model_based = rng.random(n_points) >= self.random_fraction
        if n_scored < self.n_min or not model_based.any():
            return out
        k = int(model_based.sum())
        if len({level for _, level, _ in rows}) == 1:
            # One resource level so far: the optimizer's own scores, with
            # their noise across folds. Where cheap scores are mostly noise,
            # a GP then stays flat and keeps exploring.
            points = self.proposer.propose(
                X, y, noise, k, space=space, rng=rng, pending=pending
            )
        elif hasattr(self.proposer, "propose_at_full"):  # levels as an input
            X_all, fidelity, y_all, noise_all = self._at_levels(observations)
            points = self.proposer.propose_at_full(
                X_all,
                fidelity,
                y_all,
                noise_all,
                k,
                space=space,
                rng=rng,
                pending=pending,
            )
        else:
            X_seen, rank = self._ranked(rows)
            points = self.proposer.propose(
                X_seen,
                rank,
                np.zeros(len(rank)),
                k,
                space=space,
                rng=rng,
                pending=pending,
            )
        out[model_based] = points
        return out
