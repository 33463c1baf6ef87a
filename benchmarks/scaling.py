"""Overhead of one proposal as observations and dimensions grow.

Each surrogate is loaded with the same ``n_obs`` random observations of the
same smooth function on ``[0, 1]^d``, then timed over a few ask/tell cycles
(ask one point, evaluate, tell it): the cost of one iteration of a sequential
search, whichever of ask or tell does the work (skopt fits its GP in
``tell``, sksmbo and optuna in ``ask``). The first cycle is a warm-up and is
reported separately (it may include a cold hyperparameter fit).

Proposers: sksmbo's GP (``sksmbo._surrogates.gp.GPProposer``) and TPE
(``sksmbo._surrogates.tpe.TPEProposer``), both driven through
``sksmbo.Optimizer``; ``skopt.Optimizer`` with its GP defaults (those of
``skopt.BayesSearchCV``); optuna's ``TPESampler`` (the default of
``OptunaSearchCV``) and ``GPSampler`` (needs torch). Whatever does not import
is reported and skipped.

Usage (from the repository root)::

    python benchmarks/scaling.py                 # n_obs 10..1000, d 2, 10, 30
    python benchmarks/scaling.py --quick         # n_obs up to 300, d 2 and 10
    python benchmarks/scaling.py --proposers sksmbo_gp,skopt_gp --dims 10

Writes ``scaling.json``, ``scaling.md`` and ``scaling.png`` to ``--out``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Before anything imports numpy: BLAS reads its thread count once, at load.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.environment import pin_single_thread  # noqa: E402

_PINNED_IN_TIME = pin_single_thread()

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shlex  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import environment  # noqa: E402

N_OBS = (10, 50, 100, 300, 1000)
DIMS = (2, 10, 30)
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "scaling"


def objective(X):
    """A smooth function on the unit cube, maximized near x = 0.3 (higher is better)."""
    X = np.atleast_2d(X)
    return -np.sum((X - 0.3) ** 2, axis=1) + 0.1 * np.sin(5 * X[:, 0])


def _names(d):
    return [f"x{i:02d}" for i in range(d)]


# -- drivers: load(X, y) once, then step() = ask one, evaluate, tell ------------


class _SksmboDriver:
    def __init__(self, proposer, d, seed):
        from sksmbo import Optimizer

        self.names = _names(d)
        space = {name: (0.0, 1.0) for name in self.names}
        self.opt = Optimizer(space, proposer=proposer, random_state=seed)

    def load(self, X, y):
        points = [dict(zip(self.names, row, strict=True)) for row in X.tolist()]
        self.opt.tell(points, y)

    def step(self):
        point = self.opt.ask()
        x = np.array([point[name] for name in self.names])
        self.opt.tell(point, float(objective(x)[0]))


def _sksmbo_gp(d, seed):
    from sksmbo._surrogates.gp import GPProposer

    return _SksmboDriver(GPProposer(), d, seed)


def _sksmbo_tpe(d, seed):
    from sksmbo._surrogates.tpe import TPEProposer

    return _SksmboDriver(TPEProposer(), d, seed)


class _SkoptDriver:
    """skopt minimizes: scores go in negated."""

    def __init__(self, d, seed):
        from skopt import Optimizer

        # BayesSearchCV's defaults: GP, gp_hedge, acq_optimizer "auto".
        self.opt = Optimizer([(0.0, 1.0)] * d, base_estimator="GP", random_state=seed)

    def load(self, X, y):
        self.opt.tell(X.tolist(), (-np.asarray(y)).tolist())

    def step(self):
        x = self.opt.ask()
        self.opt.tell(x, -float(objective(np.array(x))[0]))


class _OptunaDriver:
    def __init__(self, sampler, d):
        import optuna
        from optuna.distributions import FloatDistribution

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.names = _names(d)
        self.dists = {name: FloatDistribution(0.0, 1.0) for name in self.names}
        self.study = optuna.create_study(direction="maximize", sampler=sampler)

    def load(self, X, y):
        create = self.optuna.trial.create_trial
        self.study.add_trials(
            [
                create(
                    params=dict(zip(self.names, row, strict=True)),
                    distributions=self.dists,
                    value=float(v),
                )
                for row, v in zip(X.tolist(), y, strict=True)
            ]
        )

    def step(self):
        trial = self.study.ask(self.dists)
        x = np.array([trial.params[name] for name in self.names])
        self.study.tell(trial, float(objective(x)[0]))


def _optuna_tpe(d, seed):
    from optuna.samplers import TPESampler

    return _OptunaDriver(TPESampler(seed=seed), d)


def _optuna_gp(d, seed):
    from optuna.samplers import GPSampler

    return _OptunaDriver(GPSampler(seed=seed), d)


# name: (library, modules that must import, factory)
PROPOSERS = {
    "sksmbo_gp": ("sksmbo", ("sksmbo", "sksmbo._surrogates.gp"), _sksmbo_gp),
    "sksmbo_tpe": ("sksmbo", ("sksmbo", "sksmbo._surrogates.tpe"), _sksmbo_tpe),
    "skopt_gp": ("skopt", ("skopt",), lambda d, seed: _SkoptDriver(d, seed)),
    "optuna_tpe": ("optuna", ("optuna",), _optuna_tpe),
    "optuna_gp": ("optuna", ("optuna", "torch"), _optuna_gp),
}
# The ratios of the report: (ours, theirs).
RATIOS = (
    ("sksmbo_gp", "skopt_gp"),
    ("sksmbo_gp", "optuna_gp"),
    ("sksmbo_tpe", "optuna_tpe"),
)


def unavailable(name):
    """Why a proposer cannot run here, or None."""
    for module in PROPOSERS[name][1]:
        try:
            importlib.import_module(module)
        except Exception as exc:  # a half-written package may raise anything
            return f"import {module} failed: {type(exc).__name__}: {exc}"
    return None


# -- measuring -------------------------------------------------------------------


def measure(name, n_obs, d, repeats, max_seconds=math.inf, seed=0):
    """Load ``n_obs`` observations, then time a warm-up and ``repeats`` cycles.

    Cycles stop early once they took ``max_seconds`` in all; the figure is
    then the median of those timed (the warm-up alone if none was).

    Returns
    -------
    row : dict
        ``load_s``, ``first_s`` (warm-up cycle), ``per_proposal_s`` (median of
        the timed cycles), ``times_s``, CPU share and load average.
    """
    rng = np.random.default_rng(seed)
    X = rng.random((n_obs, d))
    y = objective(X)
    row = {"proposer": name, "n_obs": n_obs, "d": d, "load_before": None}
    row["load_before"] = environment.load_average()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            driver = PROPOSERS[name][2](d, seed)
            t0 = time.perf_counter()
            driver.load(X, y)
            row["load_s"] = time.perf_counter() - t0
            times, cpu0, wall0 = [], time.process_time(), time.perf_counter()
            for _ in range(repeats + 1):
                t0 = time.perf_counter()
                driver.step()
                times.append(time.perf_counter() - t0)
                if sum(times) > max_seconds:
                    break  # enough to know it is slow; the next size is skipped
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    except Exception as exc:  # record and go on
        row.update(status="error", error=f"{type(exc).__name__}: {exc}")
        return row
    row.update(
        status="ok",
        first_s=times[0],
        times_s=times[1:],
        per_proposal_s=float(np.median(times[1:])) if len(times) > 1 else times[0],
        cpu_share=cpu / wall if wall > 0 else None,
        warnings=len(caught),
    )
    return row


def run(args):
    proposers, skipped = [], {}
    for name in args.proposers:
        reason = unavailable(name)
        if reason is None:
            proposers.append(name)
        else:
            skipped[name] = reason
            print(f"unavailable: {name}: {reason}")
    rows, too_slow = [], {name: [] for name in proposers}
    start = time.perf_counter()
    for d in args.dims:
        for n in args.n_obs:
            for name in proposers:
                # Larger than a size that already took too long: skip.
                if any(n >= n0 and d >= d0 for n0, d0 in too_slow[name]):
                    rows.append(
                        {
                            "proposer": name,
                            "n_obs": n,
                            "d": d,
                            "status": "skipped",
                            "error": f"a smaller size took over {args.max_seconds} s",
                        }
                    )
                    continue
                row = measure(name, n, d, args.repeats, args.max_seconds)
                rows.append(row)
                if row["status"] == "ok":
                    slowest = max(row["first_s"], row["per_proposal_s"])
                    if slowest > args.max_seconds:
                        too_slow[name].append((n, d))
                    msg = (
                        f"{1000 * row['per_proposal_s']:9.1f} ms/proposal "
                        f"(first {1000 * row['first_s']:.0f} ms, "
                        f"load {row['load_s']:.2f} s)"
                    )
                else:
                    msg = "ERROR " + row["error"][:120]
                elapsed = (time.perf_counter() - start) / 60
                print(
                    f"d={d:3d} n_obs={n:5d} {name:11s} {msg}  ({elapsed:.1f} min)",
                    flush=True,
                )
    return rows, proposers, skipped, time.perf_counter() - start


# -- output ----------------------------------------------------------------------


def _cell(rows, name, n, d):
    for r in rows:
        if (r["proposer"], r["n_obs"], r["d"]) == (name, n, d):
            return r
    return None


def _ms(row):
    if row is None:
        return "–"
    if row["status"] == "skipped":
        return "skipped"
    if row["status"] != "ok":
        return "error"
    return f"{1000 * row['per_proposal_s']:.1f}"


def _slope(rows, name, d, n_obs):
    """Log-log slope of time against n_obs over the last three sizes measured."""
    pts = [
        (n, r["per_proposal_s"])
        for n in n_obs
        if (r := _cell(rows, name, n, d)) is not None and r["status"] == "ok"
    ][-3:]
    if len(pts) < 2 or min(t for _, t in pts) <= 0:
        return "–"
    n, t = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return f"{np.polyfit(n, t, 1)[0]:.2f}"


def markdown(result):
    rows, cfg, env = result["rows"], result["config"], result["environment"]
    versions = ", ".join(
        f"{k} {v}" for k, v in env["versions"].items() if v is not None
    )
    out = [
        "# Overhead per proposal as the history grows",
        "",
        f"- Date: {env['date']} (UTC); elapsed {cfg['elapsed_s']:.0f} s",
        f"- Command: `{cfg['command']}`",
        f"- Machine: {env.get('cpu_model') or env['machine']}, {env['cpu_count']} "
        f"CPUs, load average at start {env['load_average']}",
        f"- Python {env['python']}; {versions}; git {env['git_revision']}",
        f"- One BLAS thread; median of {cfg['repeats']} ask/tell cycles after one "
        f"warm-up; sizes above one that took over {cfg['max_seconds']} s skipped",
        "",
        "Milliseconds per proposal (ask one point + tell its score), same "
        "observations for every proposer. *slope*: log-log growth with n_obs over "
        "the last three sizes (1 = linear, 2 = quadratic).",
        "",
    ]
    for d in cfg["dims"]:
        header = ["proposer", *[f"n={n}" for n in cfg["n_obs"]], "slope"]
        out += [f"## d = {d}", "", "| " + " | ".join(header) + " |"]
        out.append("|" + "---|" * len(header))
        for name in cfg["proposers"]:
            cells = [_ms(_cell(rows, name, n, d)) for n in cfg["n_obs"]]
            slope = _slope(rows, name, d, cfg["n_obs"])
            out.append("| " + " | ".join([f"`{name}`", *cells, slope]) + " |")
        ratio_rows = []
        for ours, theirs in RATIOS:
            if ours not in cfg["proposers"] or theirs not in cfg["proposers"]:
                continue
            cells = []
            for n in cfg["n_obs"]:
                a, b = _cell(rows, ours, n, d), _cell(rows, theirs, n, d)
                ok = a and b and a["status"] == b["status"] == "ok"
                cells.append(
                    f"{a['per_proposal_s'] / b['per_proposal_s']:.3g}×" if ok else "–"
                )
            ratio_rows.append(
                f"| `{ours}` ÷ `{theirs}` | " + " | ".join(cells) + " | |"
            )
        out += [*ratio_rows, ""]
    if result["skipped"]:
        out += [
            "Not run: "
            + "; ".join(f"`{k}` ({v})" for k, v in result["skipped"].items())
        ]
    out.append("")
    out.append("![scaling](scaling.png)")
    return "\n".join(out)


def plot(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, cfg = result["rows"], result["config"]
    fig, axes = plt.subplots(
        1, len(cfg["dims"]), figsize=(4.5 * len(cfg["dims"]), 3.8), squeeze=False
    )
    for ax, d in zip(axes[0], cfg["dims"], strict=True):
        for name in cfg["proposers"]:
            pts = [
                (n, 1000 * r["per_proposal_s"])
                for n in cfg["n_obs"]
                if (r := _cell(rows, name, n, d)) is not None and r["status"] == "ok"
            ]
            if pts:
                style = "-o" if name.startswith("sksmbo") else "--s"
                color = f"C{list(PROPOSERS).index(name)}"
                ax.plot(*zip(*pts, strict=True), style, color=color, label=name, ms=4)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(cfg["n_obs"], [str(n) for n in cfg["n_obs"]])
        ax.minorticks_off()
        ax.set_title(f"d = {d}")
        ax.set_xlabel("observations told")
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel("ms per proposal (ask + tell)")
    axes[0][-1].legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _ints(text):
    return [int(s) for s in text.split(",") if s.strip()]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Proposers: " + ", ".join(PROPOSERS),
    )
    parser.add_argument(
        "--quick", action="store_true", help="n_obs 10,50,100,300; d 2,10; 2 repeats"
    )
    parser.add_argument(
        "--n-obs", type=_ints, help="comma-separated (10,50,100,300,1000)"
    )
    parser.add_argument("--dims", type=_ints, help="comma-separated (2,10,30)")
    parser.add_argument("--proposers", default=",".join(PROPOSERS))
    parser.add_argument("--repeats", type=int, help="timed cycles per size (3)")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=30.0,
        help="skip larger sizes once a cycle took longer than this (30)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.n_obs = args.n_obs or ([10, 50, 100, 300] if args.quick else list(N_OBS))
    args.dims = args.dims or ([2, 10] if args.quick else list(DIMS))
    args.repeats = args.repeats or (2 if args.quick else 3)
    args.proposers = [p.strip() for p in args.proposers.split(",") if p.strip()]
    unknown = set(args.proposers) - set(PROPOSERS)
    if unknown:
        parser.error(
            f"unknown proposers {sorted(unknown)}; choose from {list(PROPOSERS)}"
        )
    return args


def main(argv=None):
    args = parse_args(argv)
    limiter = environment.limit_loaded_pools()  # noqa: F841 (kept alive for the run)
    env = environment.collect_environment()
    rows, proposers, skipped, elapsed = run(args)
    result = {
        "config": {
            "command": "python benchmarks/scaling.py "
            + shlex.join(sys.argv[1:] if argv is None else argv),
            "n_obs": args.n_obs,
            "dims": args.dims,
            "proposers": proposers,
            "repeats": args.repeats,
            "max_seconds": args.max_seconds,
            "elapsed_s": elapsed,
        },
        "environment": env,
        "skipped": skipped,
        "rows": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scaling.json").write_text(json.dumps(result, indent=1, default=repr))
    (args.out / "scaling.md").write_text(markdown(result))
    try:
        plot(result, args.out / "scaling.png")
    except ImportError as exc:
        print(f"No figure ({exc}); pip install matplotlib (the 'bench' extra).")
    print(f"elapsed {elapsed / 60:.1f} min; wrote {args.out}/scaling.{{json,md,png}}")
    return result


if __name__ == "__main__":
    main()
