"""Synthetic black-box functions with known minima, as a tiny sklearn estimator.

Each function takes a parameter dict ``{"x0": ..., "x1": ..., ...}`` and is
minimized. :class:`BlackBox` exposes ``x0..x9`` as hyperparameters; ``fit``
does nothing and ``score`` returns ``-f(params)``, so any ``*SearchCV``
maximizing the score minimizes ``f``. Regret is then exact and the wall time
of a search is almost all search overhead.

Definitions and optima follow the Virtual Library of Simulation Experiments
(Surjanovic & Bingham), "Optimization Test Problems".
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator

from benchmarks.spaces import Cat, Float, Int

MAX_DIM = 20


def _vector(params, d):
    return np.array([float(params[f"x{i}"]) for i in range(d)])


def branin(params):
    """Branin-Hoo on [-5, 10] x [0, 15]; three global minima of 0.397887."""
    x1, x2 = _vector(params, 2)
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(params):
    """Hartmann 6-D on [0, 1]^6; global minimum -3.32237."""
    x = _vector(params, 6)
    return -float(_H6_ALPHA @ np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1)))


def rosenbrock(params, d=4):
    """Rosenbrock on [-2.048, 2.048]^d; minimum 0 at (1, ..., 1)."""
    x = _vector(params, d)
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def ackley(params, d=5):
    """Ackley on [-32.768, 32.768]^d; minimum 0 at the origin."""
    x = _vector(params, d)
    return float(
        -20 * np.exp(-0.2 * np.sqrt(np.mean(x**2)))
        - np.exp(np.mean(np.cos(2 * np.pi * x)))
        + 20
        + np.e
    )


def levy(params, d=4):
    """Levy on [-10, 10]^d; minimum 0 at (1, ..., 1)."""
    w = 1 + (_vector(params, d) - 1) / 4
    head = np.sin(np.pi * w[0]) ** 2
    body = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
    return float(head + body + tail)


_MIXED_SHIFT = {"a": -2.0, "b": 1.5, "c": 3.0}
_MIXED_OFFSET = {"a": 1.0, "b": 0.0, "c": 0.5}


def mixed(params):
    """A mixed real/integer/categorical/log-scale function; minimum 0.

    ``(x0 - shift[x2])^2 + 0.3 (x1 - 6)^2 + offset[x2] + (log10 x3 - 1)^2``
    with x0 real in [-5, 5], x1 integer in [0, 10], x2 in {a, b, c} and x3
    log-uniform in [1e-3, 1e3]: the category moves the best x0, so a method
    must model the interaction. Minimum 0 at (1.5, 6, "b", 10).
    """
    x0, x1, x2, x3 = (params[f"x{i}"] for i in range(4))
    return float(
        (float(x0) - _MIXED_SHIFT[x2]) ** 2
        + 0.3 * (float(x1) - 6) ** 2
        + _MIXED_OFFSET[x2]
        + (np.log10(float(x3)) - 1) ** 2
    )


# Issue 24's task families beside the classics: a function whose active
# dimensions are a few of many, a noisy one, and a wider mixed space.
_EMBEDDED_ACTIVE = (2, 7, 11, 16)


def embedded20(params):
    """Levy-4 on x2, x7, x11, x16 of [-10, 10]^20: 4 effective dimensions of 20.

    The other 16 inputs do nothing; minimum 0 where the four active ones are 1.
    """
    x = _vector(params, 20)
    return levy({f"x{i}": x[j] for i, j in enumerate(_EMBEDDED_ACTIVE)})


_MIXED8_SHIFT = {"a": -2.0, "b": 1.5, "c": 3.0}
_MIXED8_LOG_OPT = np.array([1.0, 2.0, 0.5])
_MIXED8_COST = {"a": 1.0, "b": 0.5, "c": 0.0, "d": 2.0}


def mixed8(params):
    """3 reals, 3 log-scale integers and 2 categoricals; minimum 0.

    ``(x0 - shift[x6])^2 + (x1 - 1)^2 + 0.5 (x2 + 2)^2
    + sum_j (log10 x_{3+j} - c_j)^2 + 0.5 cost[x7]`` with x0..x2 real in
    [-5, 5], x3..x5 integers in [1, 1000] on a log scale with optima
    (10, 100, ~3), x6 in {a, b, c} (it moves the best x0) and x7 in
    {a, b, c, d}. Minimum 0 at (1.5, 1, -2, 10, 100, 3, "b", "c") up to the
    rounding of 10**0.5 to 3.
    """
    reals = np.array([float(params[f"x{i}"]) for i in range(3)])
    logs = np.log10([float(params[f"x{i}"]) for i in range(3, 6)])
    return float(
        (reals[0] - _MIXED8_SHIFT[params["x6"]]) ** 2
        + (reals[1] - 1.0) ** 2
        + 0.5 * (reals[2] + 2.0) ** 2
        + np.sum((logs - _MIXED8_LOG_OPT) ** 2)
        + 0.5 * _MIXED8_COST[params["x7"]]
    )


@dataclass(frozen=True)
class Function:
    """A test function, its neutral search space and its known minimum.

    ``noise`` is the standard deviation of Gaussian noise added to each
    fold's score by :class:`BlackBox` (regret is measured on ``func``, the
    noiseless function).
    """

    name: str
    func: object
    space: dict
    minimum: float
    noise: float = 0.0


def _box(d, low, high):
    return {f"x{i}": Float(low, high) for i in range(d)}


FUNCTIONS = {
    f.name: f
    for f in (
        Function("branin", branin, {"x0": Float(-5, 10), "x1": Float(0, 15)}, 0.397887),
        Function("hartmann6", hartmann6, _box(6, 0.0, 1.0), -3.32237),
        Function("rosenbrock4", rosenbrock, _box(4, -2.048, 2.048), 0.0),
        Function("ackley5", ackley, _box(5, -32.768, 32.768), 0.0),
        Function("levy4", levy, _box(4, -10.0, 10.0), 0.0),
        Function(
            "mixed",
            mixed,
            {
                "x0": Float(-5.0, 5.0),
                "x1": Int(0, 10),
                "x2": Cat(("a", "b", "c")),
                "x3": Float(1e-3, 1e3, log=True),
            },
            0.0,
        ),
        Function("embedded20", embedded20, _box(20, -10.0, 10.0), 0.0),
        # Hartmann-6 with noise of 0.25 per fold (the range of f is about 3.3).
        Function("hartmann6_noisy", hartmann6, _box(6, 0.0, 1.0), -3.32237, 0.25),
        Function(
            "mixed8",
            mixed8,
            {
                **{f"x{i}": Float(-5.0, 5.0) for i in range(3)},
                **{f"x{i}": Int(1, 1000, log=True) for i in range(3, 6)},
                "x6": Cat(("a", "b", "c")),
                "x7": Cat(("a", "b", "c", "d")),
            },
            float((0.5 - np.log10(3)) ** 2),
        ),
    )
}


class BlackBox(BaseEstimator):
    """An estimator whose hyperparameters are the inputs of a test function.

    Parameters
    ----------
    function : str, default="branin"
        Key of :data:`FUNCTIONS`.
    x0, ..., x19 : float, int, str or None, default=None
        Inputs of the function; only the first ``d`` are used.
    """

    def __init__(
        self,
        function="branin",
        x0=None,
        x1=None,
        x2=None,
        x3=None,
        x4=None,
        x5=None,
        x6=None,
        x7=None,
        x8=None,
        x9=None,
        x10=None,
        x11=None,
        x12=None,
        x13=None,
        x14=None,
        x15=None,
        x16=None,
        x17=None,
        x18=None,
        x19=None,
    ):
        self.function = function
        self.x0, self.x1, self.x2, self.x3, self.x4 = x0, x1, x2, x3, x4
        self.x5, self.x6, self.x7, self.x8, self.x9 = x5, x6, x7, x8, x9
        self.x10, self.x11, self.x12, self.x13, self.x14 = x10, x11, x12, x13, x14
        self.x15, self.x16, self.x17, self.x18, self.x19 = x15, x16, x17, x18, x19

    def fit(self, X, y=None):
        """Do nothing: the cost of a search is then all overhead.

        Returns
        -------
        self : BlackBox
        """
        self.is_fitted_ = True
        return self

    def value(self):
        """``f`` at the current hyperparameters (the quantity minimized)."""
        return FUNCTIONS[self.function].func(self.get_params())

    def score(self, X, y=None):
        """``-f(params)``: greater is better, as sklearn's searches expect.

        A noisy function adds Gaussian noise drawn from a generator seeded by
        the parameters and the fold (the rows of ``X``): every method that
        evaluates a point on a fold sees the same noise.

        Returns
        -------
        score : float
        """
        function = FUNCTIONS[self.function]
        if not function.noise:
            return -self.value()
        key = repr(sorted(self.get_params().items())).encode()
        seed = zlib.crc32(
            np.ascontiguousarray(X, dtype=float).tobytes(), zlib.crc32(key)
        )
        noise = function.noise * np.random.default_rng(seed).standard_normal()
        return -self.value() + float(noise)


# -- a wide mixed function (issue 18: forest surrogates) ----------------------
# Kept out of FUNCTIONS (every entry of which becomes a run.py task): it is
# issue 18's; benchmarks/forest_vs_gp.py drives it through sksmbo.Optimizer.

_WIDE_REAL_OPT = np.array([-2.0, 0.5, 3.0])
_WIDE_SHIFT = {"a": -2.0, "b": 1.5, "c": 3.0, "d": 0.0}
_WIDE_INT_OPT = np.array([3, 17, 10, 6, 12, 1])
_WIDE_LEVELS = ("a", "b", "c", "d")
_WIDE_CAT_COST = np.array([0.0, 0.5, 1.5, 3.0])


def wide17(params):
    """A 17-D function: 5 reals, 6 integers, 6 categoricals; minimum 0.

    ``(x0 - shift[x11])^2 + sum_{i=1..3} (x_i - c_i)^2 + (log10 x4 - 1)^2
    + 0.05 sum_j (x_{5+j} - a_j)^2 + sum_j cost_j[x_{11+j}]`` with x0..x3 real
    in [-5, 5], x4 log-uniform in [1e-3, 1e3], x5..x10 integers in [0, 20]
    and x11..x16 in {a, b, c, d}; categorical ``j`` costs 0, 0.5, 1.5, 3 for
    its levels rotated by ``j`` (so the best level differs per column), and
    x11 also moves the best x0 (an interaction, as in :func:`mixed`).
    Minimum 0 at x0 = 0 ("d" best for x11), x1..x3 = (-2, 0.5, 3), x4 = 10,
    integers (3, 17, 10, 6, 12, 1), categoricals (d, a, b, c, d, a).
    """
    reals = np.array([float(params[f"x{i}"]) for i in range(1, 4)])
    ints = np.array([float(params[f"x{i}"]) for i in range(5, 11)])
    cats = [_WIDE_LEVELS.index(params[f"x{i}"]) for i in range(11, 17)]
    cat_cost = sum(_WIDE_CAT_COST[(level - j - 3) % 4] for j, level in enumerate(cats))
    return float(
        (float(params["x0"]) - _WIDE_SHIFT[params["x11"]]) ** 2
        + np.sum((reals - _WIDE_REAL_OPT) ** 2)
        + (np.log10(float(params["x4"])) - 1) ** 2
        + 0.05 * np.sum((ints - _WIDE_INT_OPT) ** 2)
        + cat_cost
    )


WIDE_FUNCTIONS = {
    "wide17": Function(
        "wide17",
        wide17,
        {
            **{f"x{i}": Float(-5.0, 5.0) for i in range(4)},
            "x4": Float(1e-3, 1e3, log=True),
            **{f"x{i}": Int(0, 20) for i in range(5, 11)},
            **{f"x{i}": Cat(_WIDE_LEVELS) for i in range(11, 17)},
        },
        0.0,
    )
}
