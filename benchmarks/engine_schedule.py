"""What reproducibility costs in wall time: the engine's schedule on a virtual clock.

The real :class:`sksmbo._engine.Engine` schedules (candidate, fold) fits on
simulated workers whose fits take a cost in virtual seconds, with instant
proposals: nothing runs for real, so the wall time is that of the schedule
alone, exactly, and hundreds of seeds take seconds. It separates what the
window rule costs (candidate ``k`` is proposed once ``k - window`` is told,
the reproducible default) from the searches' own work, which
``many_workers.py`` measures with sleeping fits.

Costs per candidate, the same for its folds (a cost fixed by the parameters,
as in ``many_workers.py``): "uniform" ``U(0.1, 1)``, "lognormal"
``0.3 * exp(N(0, 1))``. Schedules compared, each on the same costs:

* ``all``: every candidate queued at once, oldest first: the schedule of
  ``RandomizedSearchCV`` and of ``QuasiRandomSearchCV`` (the reference);
* ``auto``: the default window, ``ceil(3 W / cv) + 1`` candidates;
* ``xF``: a window of ``ceil(F W / cv) + 1`` (``--factors``);
* ``async``: the default window, each candidate told as soon as its folds
  are back (``asynchronous=True``).

Reported per (W, n_iter, spread): the mean utilization (fit time over wall
time x workers) and the wall time over ``all``'s (the geometric mean of the
ratios paired by seed). Two references no search can reach, as it learns a
candidate's cost only by fitting it: ``known``, the fits dispatched longest
first with every cost known in advance (a clairvoyant list schedule), and
``bound``, the most any schedule of these fits could reach
(``many_workers.utilization_bound``: the wall time is at least the longest
fit and at least the total over the workers).

Usage::

    python benchmarks/engine_schedule.py                 # 200 seeds, about 1 min
    python benchmarks/engine_schedule.py --workers 64 --n-iter 128 --factors 4,5,6
"""

from __future__ import annotations

import argparse
import heapq
import sys
import time
from math import ceil
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.many_workers import utilization_bound  # noqa: E402
from sksmbo._engine import Engine, window_size  # noqa: E402


class VirtualWorkers:
    """``n_workers`` workers on a virtual clock; a task is its cost in seconds."""

    def __init__(self, n_workers: int):
        self.n_workers = n_workers
        self.now = 0.0
        self.busy = 0.0  # fit seconds submitted
        self._events: list = []  # (finish time, order, key, cost)
        self._order = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    @property
    def running(self) -> int:
        return len(self._events)

    @property
    def idle(self) -> int:
        return self.n_workers - len(self._events)

    def submit(self, key, cost: float) -> None:
        self.busy += cost
        self._order += 1  # ties finish in the order they started
        heapq.heappush(self._events, (self.now + cost, self._order, key, cost))

    def next_done(self):
        self.now, _, key, cost = heapq.heappop(self._events)
        return key, cost  # the output: anything but None

    def restart(self):
        return []

    def abort(self):
        self._events.clear()


def candidate_costs(spread: str, n_iter: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if spread == "uniform":
        return rng.uniform(0.1, 1.0, n_iter)
    return 0.3 * np.exp(rng.standard_normal(n_iter))


def simulate(costs, n_workers: int, n_splits: int, window: int, in_order=True):
    """(wall, utilization) of the engine evaluating candidates of ``costs``."""
    workers = VirtualWorkers(n_workers)
    proposals = iter(range(len(costs)))
    engine = Engine(
        lambda: workers,
        n_points=window,
        propose=lambda: next(proposals, None),
        fold_tasks=lambda k: [costs[k]] * n_splits,
        tell=lambda params, outputs: False,
        in_order=in_order,
    )
    engine.run(len(costs))
    return workers.now, workers.busy / (workers.now * n_workers)


def longest_first(costs, n_workers: int, n_splits: int) -> float:
    """Utilization of the fits dispatched longest first, every cost known."""
    finish = np.zeros(n_workers)
    for cost in np.sort(np.repeat(costs, n_splits))[::-1]:
        finish[np.argmin(finish)] += cost  # to the worker that frees first
    return float(finish.sum() / (finish.max() * n_workers))


def references(costs, n_workers: int, n_splits: int) -> tuple[float, float]:
    """(known, bound): a clairvoyant schedule's utilization; the most any reaches."""
    fit_seconds = float(np.sum(costs)) * n_splits
    bound = utilization_bound(fit_seconds, float(np.max(costs)), n_workers)
    return longest_first(costs, n_workers, n_splits), bound


def schedules(n_workers: int, n_splits: int, n_iter: int, factors) -> dict:
    """name -> (window, in_order)."""
    auto = window_size("auto", n_workers, n_splits, n_iter)
    named = {"all": (n_iter, True), "auto": (auto, True)}
    for factor in factors:
        named[f"x{factor:g}"] = (ceil(factor * n_workers / n_splits) + 1, True)
    named["async"] = (auto, False)
    return named


def table_row(spread, n_workers, n_iter, n_splits, factors, n_seeds) -> list[str]:
    """Per schedule: "utilization (wall / all's, window)" over ``n_seeds``."""
    named = schedules(n_workers, n_splits, n_iter, factors)
    runs = {name: [] for name in named}
    limits = []
    for seed in range(n_seeds):
        costs = candidate_costs(spread, n_iter, seed)
        for name, (window, in_order) in named.items():
            runs[name].append(simulate(costs, n_workers, n_splits, window, in_order))
        limits.append(references(costs, n_workers, n_splits))
    reference = np.array([wall for wall, _ in runs["all"]])
    cells = []
    for name, (window, _) in named.items():
        wall = np.array([w for w, _ in runs[name]])
        utilization = np.mean([u for _, u in runs[name]])
        ratio = float(np.exp(np.mean(np.log(wall / reference))))
        cells.append(f"{utilization:.2f} ({ratio:.2f}, {window})")
    known, bound = np.mean(limits, axis=0)
    return [*cells, f"{known:.2f}", f"{bound:.2f}"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", default="4,16,64")
    parser.add_argument("--n-iter", default="32,64,128")
    parser.add_argument("--spreads", default="uniform,lognormal")
    parser.add_argument("--factors", default="4,5,6", help="other window factors")
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args(argv)
    factors = [float(f) for f in args.factors.split(",") if f]
    started = time.perf_counter()
    command = " ".join(sys.argv[1:] if argv is None else argv)
    print(f"command: python benchmarks/engine_schedule.py {command}")
    print(f"cv={args.cv}, {args.seeds} seeds")
    print("cells: mean utilization (wall time over all's, window)\n")
    names = [*schedules(1, args.cv, 1, factors), "known", "bound"]
    print("| spread | W | n_iter | " + " | ".join(names) + " |")
    print("|" + "---|" * (3 + len(names)))
    for spread in args.spreads.split(","):
        for n_workers in map(int, args.workers.split(",")):
            for n_iter in map(int, args.n_iter.split(",")):
                cells = table_row(
                    spread, n_workers, n_iter, args.cv, factors, args.seeds
                )
                print(f"| {spread} | {n_workers} | {n_iter} | {' | '.join(cells)} |")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
