"""The ask/tell core shared by every search: initial design, then model proposals.

Scores are maximized everywhere (sklearn's convention). Points travel as
parameter dicts outside, as unit-cube rows inside (see :mod:`sksmbo.space`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from functools import partial
from numbers import Integral
from typing import NamedTuple, Protocol

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.utils import check_random_state

from sksmbo._compat import (
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sksmbo._sampling import SAMPLERS, DesignStream
from sksmbo._surrogates.forest import ForestProposer
from sksmbo._surrogates.gp import GPProposer
from sksmbo._surrogates.tpe import TPEProposer
from sksmbo.space import Space

_CONSTRAINTS = {
    "proposer": [
        StrOptions({"gp", "tpe", "rf", "et", "gbrt"}),
        HasMethods(["propose"]),
        None,
    ],
    "n_initial_points": [Interval(Integral, 0, None, closed="left")],
    "initial_point_generator": [StrOptions(set(SAMPLERS))],
    "scramble": ["boolean"],
    "constraint": [callable, None],
    "model_queue_size": [Interval(Integral, 0, None, closed="left"), None],
    "random_state": ["random_state"],
}
_ASK_CONSTRAINTS = {"n_points": [Interval(Integral, 1, None, closed="left"), None]}
_PROPOSERS = {
    "gp": GPProposer,
    "tpe": TPEProposer,
    "rf": partial(ForestProposer, "rf"),
    "et": partial(ForestProposer, "et"),
    "gbrt": partial(ForestProposer, "gbrt"),
}
# Above this many points a finite space is not enumerated to find unseen ones.
_MAX_ENUMERATED = 100_000
# Proposals asked again when a constraint rejects some, before random points.
_CONSTRAINED_TRIES = 3


class Observations(NamedTuple):
    """Every score told with a level: unit-cube rows, levels, scores, noise."""

    X: np.ndarray
    level: np.ndarray
    y: np.ndarray
    noise: np.ndarray


class Proposer(Protocol):
    """What a surrogate strategy implements to plug into :class:`Optimizer`."""

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
        """Next points to evaluate, ndarray of shape (n_points, space.n_columns).

        ``X`` (n, n_columns) holds the evaluated points (NaN in inactive
        columns), ``y`` their scores (higher is better, failures already
        replaced by the worst score), ``noise`` the variance of each score,
        ``pending`` (m, n_columns) the points asked but not yet told.
        """


class Optimizer:
    """Sequential model-based optimization by ask and tell.

    Usable on its own with any black-box function: ``ask`` returns parameter
    dicts to evaluate, ``tell`` records their scores (higher is better).

    Parameters
    ----------
    space : Space, dict or list of dict
        The search space, in any form :class:`~sksmbo.space.Space` accepts.
    proposer : {"gp", "tpe", "rf", "et", "gbrt"}, object or None, default=None
        The model-based strategy used once the initial design is spent: "gp"
        (Gaussian process and log-EI, as in :class:`~sksmbo.BayesSearchCV`),
        "tpe" (as in :class:`~sksmbo.TPESearchCV`), a random forest, extra
        trees or gradient-boosted quantiles ("rf", "et", "gbrt", as
        ``BayesSearchCV(base_estimator="RF")`` and so on), or any object with a
        ``propose`` method (see ``Proposer``). None keeps drawing from the
        space-filling design (quasi-random search).
    n_initial_points : int, default=10
        How many points come from the space-filling design before the
        proposer is used.
    initial_point_generator : {"sobol", "halton", "hammersly", "lhs", "grid", \
            "random"}, default="sobol"
        The space-filling design.
    scramble : bool, default=True
        Scramble the Sobol' or Halton sequence.
    constraint : callable or None, default=None
        A predicate on a point (a parameter dict): points for which it returns
        False are never asked. Rejected model proposals are proposed again
        (with the rejected points as pending) up to three times, then replaced
        by random feasible points. Not pickled with the optimizer (it is often
        a lambda): set the ``constraint`` attribute again after loading one.
    model_queue_size : int or None, default=0
        How many of the proposer's latest fitted models (its ``model_``, e.g.
        the Gaussian process) :meth:`result` keeps in ``models``, as
        scikit-optimize does. None keeps all of them; 0 keeps none.
    random_state : int, RandomState instance or None, default=None
        Seeds the design and the proposer.

    Attributes
    ----------
    space : Space
        The coerced search space.
    Xi : list of dict
        Points told so far, in order.
    yi : list of float
        Their scores; NaN for failed evaluations.

    Examples
    --------
    >>> from sksmbo import Optimizer
    >>> opt = Optimizer({"x": (-2.0, 2.0), "kind": ["a", "b"]}, proposer="gp",
    ...                 n_initial_points=5, random_state=0)
    >>> for _ in range(15):
    ...     point = opt.ask()
    ...     _ = opt.tell(point, -point["x"] ** 2 - (point["kind"] == "b"))
    >>> best, score = opt.best()
    >>> best["kind"], abs(best["x"]) < 0.05
    ('a', True)
    """

    def __init__(
        self,
        space,
        proposer: Proposer | None = None,
        *,
        n_initial_points: int = 10,
        initial_point_generator: str = "sobol",
        scramble: bool = True,
        constraint=None,
        model_queue_size: int | None = 0,
        random_state=None,
    ):
        validate_parameter_constraints(
            _CONSTRAINTS,
            {
                "proposer": proposer,
                "n_initial_points": n_initial_points,
                "initial_point_generator": initial_point_generator,
                "scramble": scramble,
                "constraint": constraint,
                "model_queue_size": model_queue_size,
                "random_state": random_state,
            },
            caller_name=type(self).__name__,
        )
        self.space = space if isinstance(space, Space) else Space(space)
        self.proposer = (
            _PROPOSERS[proposer]() if isinstance(proposer, str) else proposer
        )
        self.n_initial_points = n_initial_points
        self._models: deque = deque(maxlen=model_queue_size)
        seeds = check_random_state(random_state).randint(2**31 - 1, size=2)
        self._design = DesignStream(
            initial_point_generator,
            self.space.n_columns,
            int(seeds[0]),
            scramble,
            # A grid or Hammersley set of n_initial_points, however it is asked.
            size=n_initial_points or None,
        )
        self._rng = np.random.default_rng(int(seeds[1]))
        self._X = np.empty((0, self.space.n_columns))
        self._y = np.empty(0)
        self._noise = np.empty(0)
        self._cost = np.empty(0)
        self._pending = np.empty((0, self.space.n_columns))
        # Every observation told with a level (successive halving): a point is
        # observed again at each level it is promoted to.
        self._obs_X = np.empty((0, self.space.n_columns))
        self._obs_level = np.empty(0)
        self._obs_y = np.empty(0)
        self._obs_noise = np.empty(0)
        self._seen: set[bytes] = set()
        self.Xi: list[dict] = []
        self.yi: list[float] = []
        self._x_iters: list[list] = []  # Xi as value lists, for result()
        self.constraint = constraint

    @property
    def constraint(self):
        """The predicate that points must satisfy, or None."""
        return self._constraint

    @constraint.setter
    def constraint(self, constraint) -> None:
        self._constraint = constraint
        # What proposers see: the space with a feasibility mask, so that the
        # acquisition maximizer and TPE choose among feasible candidates.
        self._proposal_space = (
            self.space if constraint is None else FeasibleSpace(self.space, self)
        )

    # Only tell changes these, and only by appending: a checkpoint writes
    # their new rows each round (sksmbo/_checkpoint.py), not all of them.
    APPEND_ONLY = (
        "_X",
        "_y",
        "_noise",
        "_cost",
        "Xi",
        "yi",
        "_obs_X",
        "_obs_level",
        "_obs_y",
        "_obs_noise",
    )

    def __getstate__(self) -> dict:
        # A constraint is often a lambda, which does not pickle: a pickled
        # optimizer (a checkpoint) leaves it out; whoever loads it sets it again.
        state = {**self.__dict__, "_constraint": None, "_proposal_space": self.space}
        state.pop("_x_iters", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._x_iters = []  # result()'s cache, rebuilt on its first call
        # A pickle from before observations at levels were kept has none.
        for name, shape in (
            ("_obs_X", (0, self.space.n_columns)),
            ("_obs_level", 0),
            ("_obs_y", 0),
            ("_obs_noise", 0),
        ):
            self.__dict__.setdefault(name, np.empty(shape))

    # -- ask ---------------------------------------------------------------

    def ask(self, n_points: int | None = None):
        """Propose points to evaluate.

        Parameters
        ----------
        n_points : int or None, default=None
            How many points. None asks for one point and returns it as a
            dict; an int returns a list of dicts.

        Returns
        -------
        points : dict or list of dict
            New points, distinct from every point asked or told before. On a
            finite space the list is shorter than ``n_points`` (possibly
            empty) once the space is exhausted.
        """
        validate_parameter_constraints(
            _ASK_CONSTRAINTS, {"n_points": n_points}, caller_name="ask"
        )
        k = 1 if n_points is None else int(n_points)
        n_design = max(0, self.n_initial_points - len(self._y) - len(self._pending))
        X = self._take_unseen(self._design.take(min(k, n_design)))
        rejected = np.empty((0, self.space.n_columns))
        # Without a constraint one pass suffices: repeats are already replaced.
        for _ in range(_CONSTRAINED_TRIES if self.constraint else 1):
            if len(X) >= k:
                break
            proposed = self._propose(k - len(X), np.vstack([X, rejected]))
            feasible = self._take_unseen(proposed)
            rejected = np.vstack([rejected, self._rejected(proposed)])
            X = np.vstack([X, feasible])
        if len(X) < k and self.constraint is not None:
            X = np.vstack([X, self._random_unseen(k - len(X))])
            self._check_some_feasible(X)
        self._pending = np.vstack([self._pending, X])
        points = self.space.inverse_transform(X) if len(X) else []
        if n_points is None:
            return points[0] if points else None
        return points

    def _propose(self, k: int, batch: np.ndarray) -> np.ndarray:
        """Model proposals, or more of the design before any score is known."""
        finite = np.isfinite(self._y)
        if self.proposer is None or not finite.any():
            return self._design.take(k)
        # Failures count as the worst score, +inf (best, as sklearn ranks it) as
        # the best finite one: a surrogate cannot fit infinities.
        y = np.where(finite, self._y, self._y[finite].min())
        y[np.isposinf(self._y)] = self._y[finite].max()
        # Per-second acquisitions (EIps) model the cost of evaluations too.
        extra = {"cost": self._cost} if getattr(self.proposer, "needs_cost", 0) else {}
        # Multi-fidelity proposers (successive halving) model every level.
        if getattr(self.proposer, "needs_levels", False):
            extra["observations"] = self.observations()
        X = self.proposer.propose(
            self._X,
            y,
            self._noise,
            k,
            space=self._proposal_space,
            rng=self._rng,
            pending=np.vstack([self._pending, batch]),
            **extra,
        )
        model = getattr(self.proposer, "model_", None)
        if model is not None and self._models.maxlen != 0:
            self._models.append(model)
        return X

    def feasible(self, X: np.ndarray) -> np.ndarray:
        """Boolean mask of the rows of ``X`` (unit-cube points) the constraint accepts.

        Parameters
        ----------
        X : ndarray of shape (n_points, space.n_columns)
            Encoded points.

        Returns
        -------
        mask : ndarray of shape (n_points,)
            True where the point satisfies the constraint (everywhere without one).
        """
        if self.constraint is None or not len(X):
            return np.ones(len(X), dtype=bool)
        return np.array(
            [bool(self.constraint(p)) for p in self.space.inverse_transform(X)]
        )

    def _take_unseen(self, X: np.ndarray) -> np.ndarray:
        """Snap proposals to valid points; drop infeasible ones; replace repeats.

        Infeasible points are marked seen, so that they are never tried again.
        """
        X = self.space.snap(X)
        feasible = self.feasible(X)
        keep = []
        for i, key in enumerate(self.space.keys(X)):
            if key in self._seen:
                continue
            self._seen.add(key)
            if feasible[i]:
                keep.append(i)
        X_new = X[keep]
        missing = int(feasible.sum()) - len(keep)
        if missing > 0:
            X_new = np.vstack([X_new, self._random_unseen(missing)])
        return X_new

    def _rejected(self, proposed: np.ndarray) -> np.ndarray:
        """The proposed rows the constraint rejects, as pending for the next try."""
        X = self.space.snap(proposed)
        return X[~self.feasible(X)]

    def _check_some_feasible(self, X: np.ndarray) -> None:
        if len(X) or len(self._y) or len(self._pending) or self.exhausted:
            return
        raise ValueError(
            f"The constraint {self.constraint!r} rejected every point tried in the "
            "search space; no candidate can be proposed. Check that it returns "
            "True for some parameter settings."
        )

    def _random_unseen(self, k: int) -> np.ndarray:
        """Up to ``k`` random unseen feasible points (fewer once none is left)."""
        size = self.space.size
        if size <= _MAX_ENUMERATED:
            grid = self.space.snap(self.space.grid())
            unseen = [
                i
                for i, key in enumerate(self.space.keys(grid))
                if key not in self._seen
            ]
            order = self._rng.permutation(unseen).astype(np.intp)
            if self.constraint is not None:
                order = order[self.feasible(grid[order])]
            chosen = grid[order[:k]]
        else:
            # Collisions are rare in a large space: rejection sampling suffices.
            chosen = []
            for _ in range(100 * k):
                if len(chosen) == k:
                    break
                x = self.space.snap(self._rng.random((1, self.space.n_columns)))
                if self.space.keys(x)[0] not in self._seen and self.feasible(x)[0]:
                    chosen.append(x[0])
            chosen = np.array(chosen).reshape(-1, self.space.n_columns)
        self._seen.update(self.space.keys(chosen))
        return chosen

    # -- tell --------------------------------------------------------------

    def tell(self, points, scores, noise=None, cost=None, level=None) -> Optimizer:
        """Record evaluated points and their scores.

        Parameters
        ----------
        points : dict or list of dict
            Points, usually as returned by :meth:`ask`.
        scores : float or array-like of shape (n_points,)
            Their scores, higher is better. NaN or -inf marks a failed
            evaluation: it is recorded as NaN, the model sees it as the worst
            score so far, and the point is never proposed again. +inf is the
            best score, as scikit-learn ranks it in ``cv_results_`` (so
            :meth:`best` and a search's ``best_params_`` agree); the model sees
            it as the best finite score.
        noise : float or array-like of shape (n_points,), default=None
            Known variance of each score (e.g. from cross-validation folds),
            ``>= 0``; NaN when unknown.
        cost : float or array-like of shape (n_points,), default=None
            Seconds each evaluation took (NaN when unknown), ``>= 0``; read by
            per-second acquisitions ("EIps", "PIps").
        level : float or array-like of shape (n_points,), default=None
            The resource level each score was measured at (successive
            halving: samples or iterations), ``>= 0``; one float for all.
            Every scored level is an observation that proposers with
            ``needs_levels`` receive; a point told again at another level is
            not a new point (``Xi`` and ``yi`` keep its first score).

        Returns
        -------
        self : Optimizer
            The optimizer.
        """
        if isinstance(points, Mapping):
            points = [points]
        points = list(points)
        scores = np.atleast_1d(np.asarray(scores, dtype=float))
        noise = _per_point(noise, len(points), "noise", 0.0)
        cost = _per_point(cost, len(points), "cost", np.nan)
        if not len(points) == len(scores) == len(noise) == len(cost):
            raise ValueError(
                f"tell needs as many scores, noise and cost values as points. Got "
                f"{len(points)} points, {len(scores)} scores, {len(noise)} noise "
                f"values, {len(cost)} cost values."
            )
        X = self.space.snap(self.space.transform(points))
        keys = self.space.keys(X)
        self._forget_pending(X)
        scores = np.where(np.isnan(scores) | np.isneginf(scores), np.nan, scores)
        if level is not None:
            new = self._observe(X, keys, scores, noise, level)
            X, scores, noise, cost = X[new], scores[new], noise[new], cost[new]
            points = [p for p, is_new in zip(points, new, strict=True) if is_new]
            keys = [k for k, is_new in zip(keys, new, strict=True) if is_new]
        self._seen.update(keys)
        self._X = np.vstack([self._X, X])
        self._y = np.concatenate([self._y, scores])
        self._noise = np.concatenate([self._noise, noise])
        self._cost = np.concatenate([self._cost, cost])
        self.Xi.extend(points)
        self.yi.extend(scores.tolist())
        return self

    def _observe(self, X, keys, scores, noise, level) -> np.ndarray:
        """Record observations at their levels; return which points are new."""
        level = _per_point(level, len(X), "level", np.nan)
        if len(level) == 1:  # one level for every point
            level = np.repeat(level, len(X))
        if len(level) != len(X) or np.isnan(level).any():
            raise ValueError(
                "tell needs one known level per point, or one for all. Got "
                f"{len(X)} points and the levels {level!r}."
            )
        told = set(self.space.keys(self._X))
        new = np.array([key not in told for key in keys], dtype=bool)
        self._obs_X = np.vstack([self._obs_X, X])
        self._obs_level = np.concatenate([self._obs_level, level])
        self._obs_y = np.concatenate([self._obs_y, scores])
        self._obs_noise = np.concatenate([self._obs_noise, noise])
        return new

    def observations(self) -> Observations:
        """Every observation told with a level, in the order told.

        Returns
        -------
        observations : Observations
            ``X`` (unit-cube rows), ``level``, ``y`` (scores, NaN for
            failures) and ``noise``, one entry per observation; a point
            promoted to higher levels appears once per level.
        """
        return Observations(self._obs_X, self._obs_level, self._obs_y, self._obs_noise)

    def forget_pending(self) -> None:
        """Forget every point asked but not told: they may be proposed again.

        For a search resumed after a round that never came back: its points
        must neither condition later proposals as pending nor stay
        unevaluated.
        """
        if len(self._pending):
            self._seen.difference_update(self.space.keys(self._pending))
            self._pending = np.empty((0, self.space.n_columns))

    def _forget_pending(self, X: np.ndarray) -> None:
        """Drop the pending points now told.

        Matched within 1e-9 rather than by key: a real value that went out as
        a parameter and came back through ``tell`` can differ in its last bits,
        and a pending point never forgotten would mislead every later batch.
        """
        if not len(self._pending) or not len(X):
            return
        pending = np.where(np.isnan(self._pending), -1.0, self._pending)
        told = np.where(np.isnan(X), -1.0, X)
        gap = np.abs(pending[:, None, :] - told[None, :, :]).max(axis=2)
        self._pending = self._pending[~(gap < 1e-9).any(axis=1)]

    # -- results -----------------------------------------------------------

    @property
    def exhausted(self) -> bool:
        """True when every point of a finite space has been asked."""
        return len(self._seen) >= self.space.size

    def best(self) -> tuple[dict | None, float]:
        """The best point told so far and its score (None, NaN before any success)."""
        if np.isnan(self._y).all():
            return None, float("nan")
        i = int(np.nanargmax(self._y))
        return self.Xi[i], float(self._y[i])

    def result(self) -> OptimizeResult:
        """The search so far in scikit-optimize's format (which *minimizes*).

        Returns
        -------
        result : scipy.optimize.OptimizeResult
            ``x_iters`` (points as lists of values in sorted-name order),
            ``func_vals`` (negated scores), ``x`` and ``fun`` for the best
            point, ``space`` and ``models`` (the latest fitted models, up to
            ``model_queue_size``).
        """
        best_point, best_score = self.best()
        # A cache extended as points are told, so that a result each round
        # costs what the new points cost; not pickled (see __setstate__).
        x_iters = self._x_iters
        x_iters.extend(_as_value_list(p) for p in self.Xi[len(x_iters) :])
        return OptimizeResult(
            x=_as_value_list(best_point) if best_point is not None else None,
            # skopt minimizes: the one negation of scores, for compatibility.
            fun=-best_score,
            x_iters=list(x_iters),
            func_vals=-np.asarray(self.yi, dtype=float),
            space=self.space,
            models=list(self._models),
        )


class FeasibleSpace(Space):
    """A space as proposers see it under a constraint: ``feasible(X)`` masks rows.

    Everything else is the wrapped space's. The acquisition maximizer and TPE
    give infeasible candidates the score ``-inf``.
    """

    def __init__(self, space: Space, optimizer: Optimizer):
        self.__dict__.update(space.__dict__)
        self.feasible = optimizer.feasible


def _per_point(values, n: int, name: str, default: float) -> np.ndarray:
    """Per-point ``noise`` or ``cost`` as floats; NaN means unknown (noise: 0)."""
    if values is None:
        return np.full(n, default)
    values = np.atleast_1d(np.asarray(values, dtype=float))
    if np.any(values < 0) or np.isinf(values).any():
        raise ValueError(
            f"The {name!r} values passed to tell must be >= 0 and finite (NaN when "
            f"unknown). Got {values!r}."
        )
    return np.where(np.isnan(values), default, values)


def _as_value_list(point: Mapping) -> list:
    return [point[name] for name in sorted(point)]
