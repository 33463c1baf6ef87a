"""Ablations of BayesSearchCV's Gaussian process against optuna's GPSampler (issue 24).

Each variant is :class:`~sksmbo._surrogates.gp.GPProposer` with its settings
spelled out (constructor arguments, and module constants of
:mod:`sksmbo._surrogates.gp` patched around each proposal), so a variant means
the same thing whatever the defaults are when the script is run. Every method
drives an ask/tell loop on the synthetic functions of
``benchmarks/functions.py`` exactly as ``BayesSearchCV`` does on ``run.py``'s
synthetic tasks: ten Sobol' points, then the model; each point scored on the
two folds of the task (so a noisy function is noisy per fold), told as the
mean of the folds with the variance of that mean as known noise
(``std**2 / n_splits``); the best point is the one with the best mean score.
The optimizer's seed is drawn from the seed as ``BayesSearchCV`` draws it.

``gpsampler`` is optuna's ``GPSampler(seed=seed)`` on the same loop
(``study.ask`` / ``study.tell``, needs optuna and torch: the ``bench`` extra),
``random`` uniform random points: the references of the same run.

Per task the report gives the mean normalized regret ± its standard error
over seeds (``(f(best) - f*) / (median f of 1,024 random points - f*)``, as
``report.py``), and per variant the mean over tasks, the ratio to
``gpsampler``'s mean, the number of tasks where the variant is within one
standard error of ``gpsampler`` or better, and the median time of one ask +
tell once the design is spent.

Usage (from the repository root)::

    python benchmarks/gp_ablation.py                      # 10 seeds, n_iter=25
    python benchmarks/gp_ablation.py --seeds 3 --tasks branin --methods v0,v1

Writes ``gp_ablation.json`` and ``gp_ablation.md`` to ``--out``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Before anything imports numpy: BLAS reads its thread count once, at load.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.environment import pin_single_thread  # noqa: E402

_PINNED_IN_TIME = pin_single_thread()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402

import sksmbo._acquisition as acquisition_module  # noqa: E402
import sksmbo._surrogates.gp as gp_module  # noqa: E402
from benchmarks import spaces  # noqa: E402
from benchmarks.environment import (  # noqa: E402
    limit_loaded_pools,
    load_average,
    save_record,
    script_record,
)
from benchmarks.functions import FUNCTIONS, BlackBox  # noqa: E402
from sksmbo import Optimizer  # noqa: E402
from sksmbo._surrogates.gp import GPProposer  # noqa: E402

N_INITIAL = 10
# run.py's synthetic tasks: KFold(2) over 20 rows whose feature is the row number.
FOLDS = (np.arange(10.0).reshape(-1, 1), np.arange(10.0, 20.0).reshape(-1, 1))

# Settings before issue 24, spelled out: (constructor arguments, patched
# module constants of sksmbo._surrogates.gp).
_BEFORE = {"xi": 0.01, "n_candidates": 512, "n_polish": 5, "n_restarts": 2}
_XI0 = {**_BEFORE, "xi": 0.0}
_BEFORE_CONSTANTS = {
    "_PROPOSER_NOISE_PRIOR": (-4.0, 1.0),
    "_POOL_KNOWN_NOISE": False,
    "_PROPOSER_LENGTHSCALE_SHIFT": 0.0,
    "_POLISH_INCUMBENT": False,
    "_SEED_SCALES": 0.1,
    "_POLISH_FTOL": 2.2e-9,  # in sksmbo._acquisition
    "_FIT_FTOL": 1e-6,
    "_POLISH_MAXITER": 30,
    "_OUTPUT_WARP": None,
    "_REFIT_EVERY": 1,
    "_YJ_EXPONENTS": None,  # unused without _OUTPUT_WARP; see _V5_CONSTANTS
}
# v1: the noise prior LogNormal(-8, 1) (round 1's winner).
_V1_CONSTANTS = {**_BEFORE_CONSTANTS, "_PROPOSER_NOISE_PRIOR": (-8.0, 1.0)}


_V3 = {**_XI0, "n_candidates": 2048, "n_polish": 10}
_V3_CONSTANTS = {
    **_V1_CONSTANTS,
    "_PROPOSER_LENGTHSCALE_SHIFT": -0.5,
    "_POLISH_FTOL": 1e-4,
}


# v4_nocand's constructor arguments: the defaults since round 6.
_V4 = {**_V3, "xi": 0.01, "n_candidates": 512, "n_polish": 5}
_V5_CONSTANTS = {
    **_V3_CONSTANTS,
    "_OUTPUT_WARP": "yeo-johnson",
    "_YJ_EXPONENTS": (-2.0, 4.0, 121),  # np.linspace's arguments
}


def _noise(mu, xi=0.01):
    return (
        {**_BEFORE, "xi": xi},
        {**_BEFORE_CONSTANTS, "_PROPOSER_NOISE_PRIOR": (mu, 1.0)},
    )


VARIANTS = {
    # v0: the GP as it was before issue 24.
    "v0": (_BEFORE, _BEFORE_CONSTANTS),
    # Round 1 (seeds 0-9). xi = 0: log-EI over the incumbent itself
    # (GPSampler's threshold).
    "v0_xi0": (_XI0, _BEFORE_CONSTANTS),
    # The learned noise variance (standardized) ~ LogNormal(mu, 1).
    "v0_noise6": _noise(-6.0),
    "v0_noise8": _noise(-8.0),
    "v0_noise10": _noise(-10.0),
    "v1_xi0_noise8": _noise(-8.0, xi=0.0),
    # A larger screening and polish of the acquisition (the maximizer).
    "v0_cand": (
        {**_BEFORE, "n_candidates": 2048, "n_polish": 10},
        _BEFORE_CONSTANTS,
    ),
    # A tighter lengthscale prior (sigma 1 instead of sqrt 3).
    "v0_ls1": (_BEFORE, {**_BEFORE_CONSTANTS, "_LENGTHSCALE_SIGMA": 1.0}),
    # The incumbent is the best observed mean score, not the best posterior
    # mean at an evaluated point.
    "v0_observed": ({**_BEFORE, "incumbent": "observed"}, _BEFORE_CONSTANTS),
    "v1_xi0_noise8_cand": (
        {**_XI0, "n_candidates": 2048, "n_polish": 10},
        _noise(-8.0)[1],
    ),
    # Round 2 (seeds 10-19), from v1 = v0_noise8.
    "v1": (_BEFORE, _V1_CONSTANTS),
    "v1_xi0": (_XI0, _V1_CONSTANTS),
    # Each score's known noise (variance over folds) replaced by their mean:
    # two or three folds estimate a variance poorly.
    "v1_pool": (_BEFORE, {**_V1_CONSTANTS, "_POOL_KNOWN_NOISE": True}),
    "v1_xi0_pool": (_XI0, {**_V1_CONSTANTS, "_POOL_KNOWN_NOISE": True}),
    # Shorter lengthscales a priori (mu - 0.5).
    "v1_ls_short": (_BEFORE, {**_V1_CONSTANTS, "_PROPOSER_LENGTHSCALE_SHIFT": -0.5}),
    # More random restarts of the hyperparameter fit.
    "v1_restarts5": ({**_BEFORE, "n_restarts": 5}, _V1_CONSTANTS),
    "v1_cand": ({**_BEFORE, "n_candidates": 2048, "n_polish": 10}, _V1_CONSTANTS),
    # Round 3 (seeds 20-29), from v2 = v1 with xi = 0.
    "v2": (_XI0, _V1_CONSTANTS),
    "v2_pool": (_XI0, {**_V1_CONSTANTS, "_POOL_KNOWN_NOISE": True}),
    "v2_ls_short": (_XI0, {**_V1_CONSTANTS, "_PROPOSER_LENGTHSCALE_SHIFT": -0.5}),
    "v2_restarts5": ({**_XI0, "n_restarts": 5}, _V1_CONSTANTS),
    "v2_cand": ({**_XI0, "n_candidates": 2048, "n_polish": 10}, _V1_CONSTANTS),
    # The polish also starts from the best evaluated point (GPSampler's).
    "v2_inc": (_XI0, {**_V1_CONSTANTS, "_POLISH_INCUMBENT": True}),
    # Perturbations of the best points at scales 0.1, 0.03 and 0.01.
    "v2_scales": (_XI0, {**_V1_CONSTANTS, "_SEED_SCALES": (0.1, 0.03, 0.01)}),
    # The polish stops at a relative decrease of 1e-4 (scipy's 2.2e-9).
    "v2_ftol": (_XI0, {**_V1_CONSTANTS, "_POLISH_FTOL": 1e-4}),
    "v2_all": (
        {**_XI0, "n_restarts": 5, "n_candidates": 2048, "n_polish": 10},
        {
            **_V1_CONSTANTS,
            "_POOL_KNOWN_NOISE": True,
            "_POLISH_INCUMBENT": True,
            "_SEED_SCALES": (0.1, 0.03, 0.01),
            "_POLISH_FTOL": 1e-4,
        },
    ),
    # Round 4 (seeds 30-39): v3 = v2 with round 3's gains (screening 2048
    # candidates and polishing 10, shorter lengthscales, polish ftol 1e-4),
    # and v3 without each of them.
    "v3": (_V3, _V3_CONSTANTS),
    "v3_xi001": ({**_V3, "xi": 0.01}, _V3_CONSTANTS),
    "v3_nocand": ({**_V3, "n_candidates": 512, "n_polish": 5}, _V3_CONSTANTS),
    "v3_nols": (_V3, {**_V3_CONSTANTS, "_PROPOSER_LENGTHSCALE_SHIFT": 0.0}),
    "v3_noftol": (_V3, {**_V3_CONSTANTS, "_POLISH_FTOL": 2.2e-9}),
    # Round 5 (seeds 0-39, pooled with rounds 1-4): the defaults of issue 24
    # (v3 with BayesSearchCV's xi = 0.01), and without the larger screening.
    "v4": ({**_V3, "xi": 0.01}, _V3_CONSTANTS),
    "v4_nocand": (
        {**_V3, "xi": 0.01, "n_candidates": 512, "n_polish": 5},
        _V3_CONSTANTS,
    ),
    # Round 6 (seeds 0-19): v4_nocand (today's default) with a looser
    # hyperparameter fit, for overhead.
    "v4_nocand_fit4": (
        {**_V3, "xi": 0.01, "n_candidates": 512, "n_polish": 5},
        {**_V3_CONSTANTS, "_FIT_FTOL": 1e-4},
    ),
    # Round 7 (seeds 0-39), from v4_nocand (the default of round 6), after
    # the overhead work of issue 24: fewer polish iterations, a looser fit
    # (v4_nocand_fit4), no random restarts of the fit, and v5: scores warped
    # by Yeo-Johnson before the fit.
    "v4_nocand_pmax15": (_V4, {**_V3_CONSTANTS, "_POLISH_MAXITER": 15}),
    "v4_nocand_r0": ({**_V4, "n_restarts": 0}, _V3_CONSTANTS),
    "v5": (_V4, _V5_CONSTANTS),
    # Round 8 (seeds 0-39), from v5.
    "v5_r0": ({**_V4, "n_restarts": 0}, _V5_CONSTANTS),
    # Round 9 (seeds 0-39), for overhead: hyperparameters fitted at every
    # other proposal; the exponent of the warp on a coarser grid.
    "v5_refit2": (_V4, {**_V5_CONSTANTS, "_REFIT_EVERY": 2}),
    "v5_yj61": (_V4, {**_V5_CONSTANTS, "_YJ_EXPONENTS": (-2.0, 4.0, 61)}),
}
REFERENCES = ("gpsampler", "random")
DEFAULT_METHODS = (*REFERENCES, *VARIANTS)


class _Patched(GPProposer):
    """A GPProposer with module constants of ``sksmbo._surrogates.gp`` patched."""

    def __init__(self, constants, incumbent="mean", **kwargs):
        super().__init__(**kwargs)
        self.constants = constants
        self.incumbent = incumbent

    def propose(self, *args, **kwargs):
        with _patch(self.constants):
            return super().propose(*args, **kwargs)

    def _propose(self, X, y, noise, n_points, space, rng, pending):
        if self.incumbent == "mean":
            return super()._propose(X, y, noise, n_points, space, rng, pending)
        init = None if self.model_ is None else self.model_.params.to_vector()
        gp = gp_module.GaussianProcess.fit(
            X,
            y,
            noise,
            space=space,
            rng=rng,
            init=init,
            n_restarts=self.n_restarts,
            noise_prior=gp_module._PROPOSER_NOISE_PRIOR,
            lengthscale_shift=gp_module._PROPOSER_LENGTHSCALE_SHIFT,
        )
        self.model_ = gp
        seeds = gp_module.best_seeds(X, y)
        best = float(gp.y.max())  # the best observed score, standardized
        return self._pick(
            gp, best, float(y.min()), seeds, X, n_points, space, rng, pending
        )


@contextlib.contextmanager
def _patch(constants):
    """Set module constants of the GP or, failing that, the acquisition module."""
    modules = {
        name: gp_module if hasattr(gp_module, name) else acquisition_module
        for name in constants
    }
    old = {name: getattr(modules[name], name) for name in constants}
    for name, value in constants.items():
        if name == "_YJ_EXPONENTS":  # kept as linspace's arguments (JSON, ==)
            value = old[name] if value is None else np.linspace(*value)
        setattr(modules[name], name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(modules[name], name, value)


def evaluate(name, params):
    """Mean score over the folds, and the variance of that mean (known noise)."""
    scores = [BlackBox(function=name, **params).score(X) for X in FOLDS]
    return float(np.mean(scores)), float(np.var(scores) / len(scores))


class _SksmboLoop:
    def __init__(self, function, method, seed):
        kwargs, constants = VARIANTS[method]
        self.opt = Optimizer(
            spaces.to_sksmbo(function.space),
            _Patched(constants, **kwargs),
            n_initial_points=N_INITIAL,
            # As BayesSearchCV draws the optimizer's seed from random_state.
            random_state=int(check_random_state(seed).randint(2**31 - 1)),
        )

    def ask(self):
        return self.opt.ask()

    def tell(self, params, mean, variance):
        self.opt.tell(params, mean, variance)


class _OptunaLoop:
    def __init__(self, function, method, seed):
        import optuna
        from optuna.samplers import GPSampler

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.distributions = spaces.to_optuna(function.space)
        self.study = optuna.create_study(
            direction="maximize", sampler=GPSampler(seed=seed)
        )
        self.trial = None

    def ask(self):
        self.trial = self.study.ask(self.distributions)
        return self.trial.params

    def tell(self, params, mean, variance):
        self.study.tell(self.trial, mean)


class _RandomLoop:
    def __init__(self, function, method, seed):
        self.space = function.space
        self.rng = np.random.default_rng(seed)

    def ask(self):
        return spaces.sample(self.space, 1, self.rng)[0]

    def tell(self, params, mean, variance):
        pass


def run_one(name, method, seed, n_iter):
    """One search: best point's ``f`` (noiseless) and ask + tell times."""
    function = FUNCTIONS[name]
    loop_class = {"gpsampler": _OptunaLoop, "random": _RandomLoop}.get(
        method, _SksmboLoop
    )
    loop = loop_class(function, method, seed)
    best_score, best_params, times = -np.inf, None, []
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n_iter):
        t0 = time.perf_counter()
        params = loop.ask()
        t1 = time.perf_counter()
        mean, variance = evaluate(name, params)
        t2 = time.perf_counter()
        loop.tell(params, mean, variance)
        times.append((t1 - t0) + (time.perf_counter() - t2))
        if mean > best_score:
            best_score, best_params = mean, params
    wall = time.perf_counter() - wall
    return {
        "best_f": float(function.func(best_params)),
        "model_overhead_s": float(np.median(times[N_INITIAL:] or times)),
        "cpu_share": (time.process_time() - cpu) / wall,
    }


def reference_value(function):
    """Median ``f`` of 1,024 random points, as ``run.py``'s ``task_info``."""
    points = spaces.sample(function.space, 1024, np.random.default_rng(0))
    return float(np.median([function.func(p) for p in points]))


def _mean_se(values):
    values = np.asarray(values, dtype=float)
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return float(values.mean()), float(se)


def summarize(rows, tasks, methods):
    """Per (task, method): mean normalized regret, its s.e., median ms."""
    table = {}
    for task in tasks:
        for m in methods:
            runs = [r for r in rows if r["task"] == task and r["method"] == m]
            mean, se = _mean_se([r["normalized_regret"] for r in runs])
            table[(task, m)] = {
                "regret_mean": mean,
                "regret_se": se,
                "overhead_ms": 1e3
                * float(np.median([r["model_overhead_s"] for r in runs])),
                "cpu_share": float(np.mean([r["cpu_share"] for r in runs])),
            }
    return table


def markdown(result):
    table = {tuple(k.split("|")): v for k, v in result["summary"].items()}
    methods, tasks, config = result["methods"], result["tasks"], result["config"]
    lines = [
        "# GP ablations against GPSampler (issue 24)",
        "",
        f"- Date: {result['environment']['date']}; load average at start "
        f"{result['load_start']}, at end {result['load_end']}",
        f"- Command: `{result['command']}`",
        f"- n_iter={config['n_iter']}, {N_INITIAL} Sobol' points first, seeds "
        f"{config['seeds']}, ask/tell as BayesSearchCV, one BLAS thread",
        "",
        "Mean normalized regret ± standard error over seeds (0 = optimum, "
        "1 = a typical random point).",
        "",
        "| method | " + " | ".join(tasks) + " |",
        "|---|" + "---|" * len(tasks),
    ]
    for m in methods:
        cells = [
            f"{table[(t, m)]['regret_mean']:.4f} ± {table[(t, m)]['regret_se']:.4f}"
            for t in tasks
        ]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    reference = "gpsampler" if "gpsampler" in methods else None
    lines += [
        "",
        "Over all tasks: mean of the per-task means; x gpsampler = ratio of that "
        "mean to gpsampler's; tasks <= gpsampler = tasks where the mean is below "
        "gpsampler's plus one standard error (the larger of the two); ms = "
        "median ask + tell after the design, median over tasks.",
        "",
        "| method | mean regret | x gpsampler | tasks <= gpsampler | ms | CPU share |",
        "|---|---|---|---|---|---|",
    ]
    for m in methods:
        rows = [table[(t, m)] for t in tasks]
        mean = float(np.mean([r["regret_mean"] for r in rows]))
        ratio, within = "–", "–"
        if reference:
            ref_rows = [table[(t, reference)] for t in tasks]
            ref_mean = float(np.mean([r["regret_mean"] for r in ref_rows]))
            ratio = f"{mean / ref_mean:.2f}" if ref_mean > 0 else "–"
            ok = sum(
                r["regret_mean"]
                <= g["regret_mean"] + max(r["regret_se"], g["regret_se"])
                for r, g in zip(rows, ref_rows, strict=True)
            )
            within = f"{ok}/{len(tasks)}"
        ms = np.median([r["overhead_ms"] for r in rows])
        cpu = np.mean([r["cpu_share"] for r in rows])
        lines.append(
            f"| {m} | {mean:.4f} | {ratio} | {within} | {ms:.1f} | {cpu:.2f} |"
        )
    return "\n".join(lines) + "\n"


def _canonical(name):
    """The first variant name with the same settings as ``name`` (or ``name``)."""
    if name not in VARIANTS:
        return name
    return next(n for n, v in VARIANTS.items() if v == VARIANTS[name])


def pool(paths, methods):
    """Rows of several runs, variants matched by their settings, paired by seed.

    A variant is known by the first name with its settings (``v1_xi0`` of
    round 2 and ``v2`` of round 3 are one variant); a (task, seed, variant)
    seen twice keeps its first row. Only the seeds where every method in
    ``methods`` ran on a task count for that task.

    Returns
    -------
    rows : list of dict
    seeds : list of int
    """
    seen, rows = set(), []
    for path in paths:
        for row in json.loads(Path(path).read_text())["rows"]:
            key = (row["task"], row["seed"], _canonical(row["method"]))
            if key not in seen:
                seen.add(key)
                rows.append({**row, "method": key[2]})
    wanted = [_canonical(m) for m in methods]
    by_task_seed = {}
    for row in rows:
        by_task_seed.setdefault((row["task"], row["seed"]), set()).add(row["method"])
    complete = {k for k, found in by_task_seed.items() if set(wanted) <= found}
    rows = [
        r for r in rows if (r["task"], r["seed"]) in complete and r["method"] in wanted
    ]
    return rows, sorted({seed for _, seed in complete})


def _seeds(text):
    if "," in text:
        return [int(s) for s in text.split(",") if s]
    return list(range(int(text)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="10", help="N (0..N-1) or a list 0,3,7")
    parser.add_argument("--n-iter", type=int, default=25)
    parser.add_argument("--tasks", default=",".join(FUNCTIONS))
    parser.add_argument("--methods", default=",".join(DEFAULT_METHODS))
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "gp_ablation"
    )
    parser.add_argument(
        "--pool",
        help="comma-separated gp_ablation.json files: report their rows together "
        "(variants matched by settings, seeds paired) instead of running",
    )
    args = parser.parse_args(argv)
    tasks, methods = args.tasks.split(","), args.methods.split(",")
    if args.pool:
        rows, seeds = pool(args.pool.split(","), methods)
        methods = list(dict.fromkeys(_canonical(m) for m in methods))
        tasks = [t for t in tasks if any(r["task"] == t for r in rows)]
        result = script_record(
            "gp_ablation.py",
            _PINNED_IN_TIME,
            load_average(),
            config={"n_iter": args.n_iter, "seeds": seeds, "pooled": args.pool},
            tasks=tasks,
            methods=methods,
            summary={
                f"{t}|{m}": v for (t, m), v in summarize(rows, tasks, methods).items()
            },
            rows=rows,
        )
        save_record(args.out, "gp_ablation", result, markdown(result))
        return
    known = set(VARIANTS) | set(REFERENCES)
    unknown = [t for t in tasks if t not in FUNCTIONS]
    unknown += [m for m in methods if m not in known]
    if unknown:
        parser.error(
            f"unknown tasks or methods {unknown}; tasks {list(FUNCTIONS)}, "
            f"methods {sorted(known)}"
        )
    limiter = limit_loaded_pools()  # noqa: F841  (kept alive for the run)
    load_start = load_average()
    rows = []
    for task in tasks:
        function = FUNCTIONS[task]
        ref = reference_value(function)
        for seed in _seeds(args.seeds):
            for method in methods:
                row = run_one(task, method, seed, args.n_iter)
                row.update(task=task, method=method, seed=seed)
                row["normalized_regret"] = (row["best_f"] - function.minimum) / (
                    ref - function.minimum
                )
                rows.append(row)
            print(
                f"{task:16s} seed {seed}: "
                + "  ".join(
                    f"{r['method']} {r['normalized_regret']:.4f}"
                    for r in rows
                    if r["task"] == task and r["seed"] == seed
                ),
                flush=True,
            )
    summary = summarize(rows, tasks, methods)
    result = script_record(
        "gp_ablation.py",
        _PINNED_IN_TIME,
        load_start,
        config={"n_iter": args.n_iter, "seeds": _seeds(args.seeds)},
        tasks=tasks,
        methods=methods,
        summary={f"{t}|{m}": v for (t, m), v in summary.items()},
        rows=rows,
    )
    save_record(args.out, "gp_ablation", result, markdown(result))


if __name__ == "__main__":
    main()
