"""Fold-level racing: stop a candidate's folds once it cannot beat the incumbent.

After each of its first folds (from the second on) a candidate is compared
with the incumbent, the best fully evaluated candidate, on the same folds:
folds differ in difficulty, so the paired differences ``d_i = s_i - b_i``
of their scores vary far less than the scores do. The candidate's full-CV
mean beats the incumbent's exactly when the mean of all ``n`` differences is
positive. With ``k`` of them known, that mean is predicted as ``mean(d)``
with variance ``sigma**2 (n - k) / (n k)`` (the unknown mean difference plus
the ``n - k`` folds still to come); the candidate is raced out when the
upper confidence bound of that prediction is below zero. ``sigma**2`` is the
median, over the fully evaluated candidates, of the variance of their paired
differences with the incumbent, pooled with the candidate's own: the median,
because a few poor candidates, whose differences swing with fold difficulty,
would inflate a mean and keep candidates close to the incumbent from ever
being raced (in benchmarks/racing.py's tasks, BayesSearchCV saved 17% of
fits with the mean, 30% with the median, the same best candidates kept).
Candidates that score as the incumbent on every fold are left out of it:
they tell nothing of how a different model's scores vary, and at small
resources (successive halving's first rung) they were often the majority,
which made the spread zero. The bound uses Student's t for its degrees of
freedom, and no candidate is raced out before a few are fully evaluated.

Where several candidates win (a rung of successive halving promotes its
best ``places``), the incumbent is the last of the winners so far: a
candidate that cannot beat it cannot be promoted. Waiting for ``places``
fully evaluated candidates would leave a third of a first rung unraced, so
where the rung's candidates come in an order that does not favour the best
(``population``: a design, or proposals informed by the earlier ones), the
incumbent is the ``j``-th best so far, ``j`` the smallest rank such that,
with the race's confidence, fewer than ``j`` of the candidates evaluated so
far are among the rung's ``places - 1`` best (a hypergeometric count):
beaten by ``j`` of them, a candidate is then not among the ``places`` best.
Raced-out candidates count as evaluated, not as winners, so racing does not
raise the bar by leaving the worst out.

A candidate is compared with the search as it stood when it was proposed
(:meth:`Race.snapshot`), which the engine makes reproducible: the same
candidates are raced whatever the timing.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.stats import hypergeom
from scipy.stats import t as student_t

#: The confidence of ``racing=True``.
DEFAULT_CONFIDENCE = 0.95

#: Folds every candidate gets before it can be raced out.
MIN_FOLDS = 2

#: Fully evaluated candidates needed before any is raced out: the incumbent
#: and two others, whose paired differences measure the spread (Student's t
#: widens the bound while they are few).
MIN_FULL = 3


class Basis(NamedTuple):
    """What a candidate is raced against: the search when it was proposed."""

    incumbent: np.ndarray  # the incumbent's fold scores
    spread: float  # typical variance of paired differences with the incumbent
    spread_dof: int  # its degrees of freedom


class RacedOut(NamedTuple):
    """A candidate stopped after ``n_evaluated`` folds, as its model sees it."""

    n_evaluated: int
    estimate: float  # its full-CV mean predicted from the paired folds
    noise: float  # the variance of that prediction


class Race:
    """The incumbent and the spread of paired fold scores, told candidate by candidate.

    Parameters
    ----------
    confidence : float
        One-sided confidence of the bound that races a candidate out, in
        ``[0.5, 1)``: the larger, the surer a raced-out candidate could not
        have won, and the fewer fits saved.
    score_of : callable, default=float
        ``score_of(output)``: the score to race on of one fold's output (a
        ``_fit_and_score`` dict in a search).
    places : int, default=1
        How many candidates win: a candidate is raced out once it cannot beat
        the ``places``-th best fully evaluated one (a rung of successive
        halving promotes its ``places`` best). With 1 the incumbent is the
        best.
    population : int, default=None
        The number of candidates competing for ``places``, when they are
        evaluated in an order that does not favour the best: racing starts
        before ``places`` of them are fully evaluated, against a rank that
        the candidates evaluated so far give with ``confidence``. None: the
        order may favour the best (promoted candidates, best first).
    """

    def __init__(
        self,
        confidence: float,
        score_of=float,
        places: int = 1,
        population: int | None = None,
    ):
        self.confidence = confidence
        self.score_of = score_of
        self.places = places
        self.population = population
        self._scores: list[np.ndarray] = []  # fold scores of full candidates
        self._n_evaluated = 0  # full, raced out or failed

    def _fold_scores(self, outputs) -> np.ndarray:
        return np.array([self.score_of(out) for out in outputs], dtype=float)

    def observe(self, outputs) -> None:
        """A candidate's fold outputs, None for folds it was raced out before.

        Only a fully evaluated candidate with no failed fold can be an
        incumbent; every candidate counts towards ``population``'s rank.
        """
        self._n_evaluated += 1
        if any(out is None for out in outputs):
            return
        scores = self._fold_scores(outputs)
        if np.all(np.isfinite(scores)):
            self._scores.append(scores)

    def _incumbent_rank(self) -> int:
        """Which best full candidate (1: the best) a candidate must beat."""
        if self.population is None or self.places == 1:
            return self.places
        # Winners among the evaluated: a hypergeometric draw of the other
        # population - 1 candidates, places - 1 of which beat a last winner.
        others = self.population - 1
        drawn = min(self._n_evaluated, others)
        winners = hypergeom(others, self.places - 1, drawn)
        return min(self.places, int(winners.ppf(self.confidence)) + 1)

    def snapshot(self) -> Basis | None:
        """The basis of the next proposal, or None while nothing can be raced.

        Racing needs an incumbent (the ``places``-th best full candidate,
        or the rank ``population`` allows) and a few more full candidates to
        measure the spread of paired differences by.
        """
        n_full = len(self._scores)
        rank = self._incumbent_rank()
        if n_full < max(MIN_FULL, rank) or len(self._scores[0]) <= MIN_FOLDS:
            return None
        scores = np.vstack(self._scores)
        ranked = np.argsort(-scores.mean(axis=1), kind="stable")
        incumbent = int(ranked[rank - 1])
        differences = np.delete(scores, incumbent, axis=0) - scores[incumbent]
        # A candidate that scores as the incumbent on every fold (the same
        # predictions: a near-copy, or a model too starved of resources to
        # differ) says nothing of how another model's scores differ from it;
        # counted, such candidates made the spread zero and racing certain.
        differences = differences[np.any(differences != 0, axis=1)]
        if len(differences) < MIN_FULL - 1:
            return None
        spread = float(np.median(differences.var(axis=1, ddof=1)))
        if spread == 0:  # every one differs by a constant: no spread to go by
            return None
        return Basis(
            incumbent=scores[incumbent],
            spread=spread,
            spread_dof=differences.size - len(differences),
        )

    def check(self, basis: Basis, outputs) -> RacedOut | None:
        """Whether a candidate with outputs on its first folds is raced out.

        ``outputs`` are the candidate's folds ``0 .. k - 1`` (``MIN_FOLDS <=
        k < n``); a non-finite score (a failed fit) never races a candidate
        out.
        """
        scores = self._fold_scores(outputs)
        k, n = len(scores), len(basis.incumbent)
        if not MIN_FOLDS <= k < n or not np.all(np.isfinite(scores)):
            return None
        differences = scores - basis.incumbent[:k]
        mean = float(differences.mean())
        own_ss = float(np.sum((differences - mean) ** 2))
        dof = basis.spread_dof + k - 1
        variance = (basis.spread * basis.spread_dof + own_ss) / dof
        quantile = student_t.ppf(self.confidence, dof)  # the spread is estimated
        upper = mean + quantile * np.sqrt(variance * (n - k) / (n * k))
        if upper >= 0:
            return None
        return RacedOut(
            n_evaluated=k,
            estimate=float(basis.incumbent.mean()) + mean,
            noise=variance / k,
        )


def race_for(
    racing, score_of, evaluated, places: int = 1, population: int | None = None
) -> Race | None:
    """The race of a search's ``racing`` (None when off), told ``evaluated``.

    ``evaluated`` holds each candidate's fold outputs so far, None for a
    fold it was raced out before.
    """
    confidence = racing_confidence(racing)
    if confidence is None:
        return None
    race = Race(confidence, score_of, places, population)
    for outputs in evaluated:
        race.observe(outputs)
    return race


def racing_confidence(racing) -> float | None:
    """The confidence of ``racing`` (False: None, True: the default)."""
    if isinstance(racing, bool | np.bool_):
        return DEFAULT_CONFIDENCE if racing else None
    return float(racing)
