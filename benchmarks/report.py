"""Aggregate the runs of one benchmark and write them as a markdown report.

Everything here reads ``results.json`` alone (no task or method is imported),
so a report can be rebuilt from an old run with ``run.py --report PATH``.

Definitions (also stated in the report itself):

* **normalized regret** of a run: ``(opt - best) / (opt - ref)``, the fraction
  left of the gap between a typical random configuration and the optimum.
  Synthetic tasks: ``opt = -f*`` (known) and ``ref`` the median score of 1,024
  random points. Real tasks: ``opt`` the best CV score any method reached on
  the same seed (same data, same folds) and ``ref`` the median CV score of the
  candidates of ``random`` / ``random_x2`` on that seed. 0 is best; 1 is no
  better than a typical random configuration.
* **rank**: per (task, seed), methods ranked by best CV score (1 is best, ties
  share the mean rank), averaged over seeds, then over tasks. A method that
  does not apply to a task (optuna on a conditional space, halving on a
  synthetic function) is left out of that task's ranking. *Rank by fresh CV*
  ranks by the chosen configuration's score on new folds instead (real tasks),
  free of the winner's curse that favours methods scoring more candidates on
  the full budget.
* **overhead per iteration**: ``(wall - refit - sum of fit and score times) /
  rows of cv_results_``; ratios to skopt and optuna divide the means of the
  same task, and are summarized by their geometric mean over tasks.
* **budget**: compute used, in full-fit equivalents (training samples summed
  over fits, divided by the training-set size); halving methods get the same
  budget as the others, and *fit+score s* shows what it cost in seconds.
* **speed-up vs random**: ``n_iter`` divided by the compute (in full-fit
  equivalents) a method needed to reach the final best score of ``random`` on
  the same seed, median over seeds (0 when it did not get there), then median
  over tasks. ``random`` itself scores above 1 when its best came early.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

REFERENCES = ("skopt_bayes", "optuna_tpe")
RANDOM_METHODS = ("random", "random_x2")
# A run is flagged as noisy when the machine was busy with something else:
# the 1-minute load average (which counts this run itself, about 1) or a CPU
# share well below 1 (the process waited for a core).
NOISY_LOAD = 1.5
NOISY_CPU_SHARE = 0.9


# -- per run -----------------------------------------------------------------


def best_so_far(record):
    """Cumulative compute and best score so far, over comparable evaluations.

    Returns
    -------
    cost : ndarray of shape (n_rows,)
        Cumulative compute in full-fit equivalents after each row.
    best : ndarray of shape (n_rows,)
        Best score among rows fitted on the final resource (all rows except
        for halving), NaN before the first one.
    """
    tr = record["trace"]
    score = np.array([np.nan if s is None else s for s in tr["score"]], dtype=float)
    score[~np.asarray(tr["final"], dtype=bool)] = np.nan
    score = np.where(np.isnan(score), -np.inf, score)
    best = np.maximum.accumulate(score) if len(score) else score
    return np.cumsum(tr["cost"]), np.where(np.isinf(best), np.nan, best)


def cost_to_reach(record, target):
    """Compute spent when the best score first reached ``target`` (inf if never)."""
    cost, best = best_so_far(record)
    hit = np.nonzero(best >= target - 1e-12)[0]
    return float(cost[hit[0]]) if len(hit) else math.inf


def is_noisy(record):
    load = record.get("load_before") or [0.0]
    share = record.get("cpu_share") or 1.0
    return load[0] > NOISY_LOAD or share < NOISY_CPU_SHARE


# -- aggregation ---------------------------------------------------------------


def _by_task_seed(runs):
    groups = defaultdict(dict)
    for r in runs:
        groups[(r["task"], r["seed"])][r["method"]] = r
    return groups


def _optimum_and_reference(task_info, by_method):
    """``(opt, ref)`` of the normalized regret for one (task, seed)."""
    if task_info["kind"] == "synthetic":
        return -task_info["f_min"], -task_info["random_median_f"]
    opt = float(np.nanmax([r["best_cv_score"] for r in by_method.values()]))
    pool = [m for m in RANDOM_METHODS if m in by_method] or list(by_method)
    scores = [
        s
        for m in pool
        for s, final in zip(
            by_method[m]["trace"]["score"], by_method[m]["trace"]["final"], strict=True
        )
        if s is not None and final
    ]
    return opt, float(np.median(scores)) if scores else math.nan


def _num(value):
    return math.nan if value is None else float(value)


def _rank_desc(values):
    """Ranks, 1 for the largest value, ties sharing their mean rank."""
    from scipy.stats import rankdata

    return rankdata(-np.asarray(values, dtype=float), method="average")


def references(results):
    """``{(task, seed): (opt, ref)}``, the two ends of the normalized regret."""
    # NaN is stored as null in JSON (a search whose every fit failed).
    runs = [
        dict(r, best_cv_score=_num(r["best_cv_score"]))
        for r in results["runs"]
        if r["status"] == "ok"
    ]
    return {
        key: _optimum_and_reference(results["tasks"][key[0]], by_method)
        for key, by_method in _by_task_seed(runs).items()
    }


def derive(results):
    """Add ``normalized_regret``, ``rank`` and ``cost_to_random`` to each ok run.

    Returns
    -------
    runs : list of dict
        The successful runs, with the derived fields.
    """
    runs = [
        dict(r, best_cv_score=_num(r["best_cv_score"]))
        for r in results["runs"]
        if r["status"] == "ok"
    ]
    ends = references(results)
    for key, by_method in _by_task_seed(runs).items():
        opt, ref = ends[key]
        methods = list(by_method)
        # A search with no finite score ranks last.
        ranks = _rank_desc(
            [np.nan_to_num(by_method[m]["best_cv_score"], nan=-np.inf) for m in methods]
        )
        fresh = [by_method[m].get("fresh_cv_score") for m in methods]
        if all(f is not None for f in fresh):
            for m, rank in zip(methods, _rank_desc(fresh), strict=True):
                by_method[m]["fresh_rank"] = float(rank)
        rand = by_method.get("random")
        for m, rank in zip(methods, ranks, strict=True):
            r = by_method[m]
            gap = opt - ref
            r["normalized_regret"] = (
                (opt - r["best_cv_score"]) / gap if gap > 0 else math.nan
            )
            r["rank"] = float(rank)
            if rand is not None:
                r["cost_to_random"] = cost_to_reach(r, rand["best_cv_score"])
    return runs


def _mean_sd(values):
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if not len(v):
        return math.nan, math.nan
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


def _geomean(values):
    v = np.asarray([x for x in values if x is not None and np.isfinite(x) and x > 0])
    return float(np.exp(np.log(v).mean())) if len(v) else math.nan


def summarize(results):
    """Per-task and overall statistics of every method.

    Returns
    -------
    summary : dict
        ``per_task[task][method]`` and ``overall[method]`` dicts of numbers
        (NaN where undefined), ready for :func:`markdown`.
    """
    runs = derive(results)
    cells = defaultdict(list)
    for r in runs:
        cells[(r["task"], r["method"])].append(r)
    errors = defaultdict(int)
    for r in results["runs"]:
        if r["status"] != "ok":
            errors[(r["task"], r["method"])] += 1

    per_task = defaultdict(dict)
    for (task, method), rs in cells.items():
        n_iter = rs[0]["n_iter"]
        cost = np.median([r.get("cost_to_random", math.nan) for r in rs])
        per_task[task][method] = {
            "n": len(rs),
            "errors": errors[(task, method)],
            "best_cv_score": _mean_sd(r["best_cv_score"] for r in rs),
            "test_score": _mean_sd(r.get("test_score") for r in rs),
            "fresh_cv_score": _mean_sd(r.get("fresh_cv_score") for r in rs),
            "regret": _mean_sd(r.get("regret") for r in rs),
            "normalized_regret": _mean_sd(r["normalized_regret"] for r in rs),
            "rank": _mean_sd(r["rank"] for r in rs),
            "fresh_rank": _mean_sd(r.get("fresh_rank") for r in rs),
            "overhead_per_iter": _mean_sd(r["overhead_per_iter"] for r in rs),
            "wall_time": _mean_sd(r["wall_time"] for r in rs),
            "fit_time": _mean_sd(r["fit_time"] for r in rs),
            "fit_score_time": _mean_sd(r["fit_time"] + r["score_time"] for r in rs),
            "budget_used": _mean_sd(r["budget_used"] for r in rs),
            "n_candidates": _mean_sd(r["n_candidates"] for r in rs),
            "cpu_share": _mean_sd(r["cpu_share"] for r in rs),
            "noisy": sum(is_noisy(r) for r in rs),
            "speedup_vs_random": n_iter / cost if cost > 0 else math.nan,
        }
    for by_method in per_task.values():
        for ref in REFERENCES:
            base = by_method.get(ref, {}).get("overhead_per_iter", (math.nan,))[0]
            for stats in by_method.values():
                own = stats["overhead_per_iter"][0]
                ok = base > 0 and own > 0
                stats[f"overhead_vs_{ref}"] = own / base if ok else math.nan
    for task, method in errors:
        per_task[task].setdefault(method, {"n": 0, "errors": errors[(task, method)]})

    overall = {}
    kinds = {t: info["kind"] for t, info in results["tasks"].items()}
    for method in results["config"]["methods"]:
        stats = {
            t: per_task[t][method]
            for t in per_task
            if per_task[t].get(method, {}).get("n")
        }
        if not stats:
            continue
        row = {"tasks": len(stats), "runs": sum(s["n"] for s in stats.values())}
        row["errors"] = sum(
            per_task[t].get(method, {}).get("errors", 0) for t in per_task
        )
        for group, keep in (
            ("all", lambda t: True),
            ("real", lambda t: kinds[t] != "synthetic"),
            ("synthetic", lambda t: kinds[t] == "synthetic"),
        ):
            sel = [s for t, s in stats.items() if keep(t)]
            row[f"rank_{group}"] = _mean_sd(s["rank"][0] for s in sel)[0]
            row[f"fresh_rank_{group}"] = _mean_sd(s["fresh_rank"][0] for s in sel)[0]
            row[f"normalized_regret_{group}"] = _mean_sd(
                s["normalized_regret"][0] for s in sel
            )[0]
        row["speedup_vs_random"] = float(
            np.nanmedian([s["speedup_vs_random"] for s in stats.values()])
            if any(np.isfinite(s["speedup_vs_random"]) for s in stats.values())
            else math.nan
        )
        row["overhead_per_iter"] = float(
            np.nanmedian([s["overhead_per_iter"][0] for s in stats.values()])
        )
        for ref in REFERENCES:
            row[f"overhead_vs_{ref}"] = _geomean(
                s[f"overhead_vs_{ref}"] for s in stats.values()
            )
        row["cpu_share"] = _mean_sd(s["cpu_share"][0] for s in stats.values())[0]
        row["noisy"] = sum(s["noisy"] for s in stats.values())
        overall[method] = row
    return {"per_task": {t: dict(v) for t, v in per_task.items()}, "overall": overall}


# -- markdown ------------------------------------------------------------------


def _f(x, digits=3):
    return "–" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _pm(pair, digits=3):
    mean, sd = pair
    if not np.isfinite(mean):
        return "–"
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"


def _ms(x):
    return "–" if not np.isfinite(x) else f"{1000 * x:.1f}"


def _ratio(x):
    if not np.isfinite(x):
        return "–"
    return f"{x:.2f}×" if x >= 0.1 else f"1/{1 / x:.0f}"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _environment_lines(results):
    env, cfg = results["environment"], results["config"]
    versions = ", ".join(
        f"{k} {v}" for k, v in env["versions"].items() if v is not None
    )
    load = env.get("load_average")
    return [
        f"- Date: {env['date']} (UTC); elapsed {_f(cfg.get('elapsed_s'), 0)} s"
        f" (estimated {_f(cfg.get('estimate_s'), 0)} s)",
        f"- Command: `{cfg['command']}`",
        f"- Machine: {env.get('cpu_model') or env['processor'] or env['machine']}, "
        f"{env['cpu_count']} CPUs ({env['cpu_affinity']} usable), {env['platform']}; "
        f"load average at start {load}",
        f"- Python {env['python']}; {versions}; git {env['git_revision']}",
        f"- Threads: {env['thread_env']}; `n_jobs={cfg['n_jobs']}`, one run at a time",
        f"- Budget: `n_iter={cfg['n_iter']}`, seeds {cfg['seeds']}",
    ]


def markdown(results, summary):
    """The report: setup, overall tables, one table per task, skipped methods.

    Returns
    -------
    text : str
    """
    overall, per_task = summary["overall"], summary["per_task"]
    out = ["# sksmbo benchmark results", "", *_environment_lines(results), ""]
    if results["config"]["n_jobs"] != 1:
        out += [
            "**n_jobs is not 1: fits overlap, so overhead (wall minus summed fit "
            "times) is not meaningful in this run.**",
            "",
        ]
    methods = [m for m in results["config"]["methods"] if m in overall]

    out += ["## Quality (equal budget)", ""]
    out.append(
        _table(
            [
                "method",
                "tasks",
                "avg rank",
                "rank real",
                "rank synthetic",
                "rank by fresh CV",
                "norm. regret",
                "real",
                "synthetic",
                "speed-up vs random",
                "errors",
            ],
            [
                [
                    f"`{m}`",
                    overall[m]["tasks"],
                    _f(overall[m]["rank_all"], 2),
                    _f(overall[m]["rank_real"], 2),
                    _f(overall[m]["rank_synthetic"], 2),
                    _f(overall[m]["fresh_rank_real"], 2),
                    _f(overall[m]["normalized_regret_all"]),
                    _f(overall[m]["normalized_regret_real"]),
                    _f(overall[m]["normalized_regret_synthetic"]),
                    _f(overall[m]["speedup_vs_random"], 2),
                    overall[m]["errors"],
                ]
                for m in methods
            ]
            + [
                [f"`{m}`", 0, *["–"] * 8, n_errors]
                for m, n_errors in _failed_methods(results, overall).items()
            ],
        )
    )
    out += ["", "## Overhead (what the search adds to fitting and scoring)", ""]
    out.append(
        _table(
            [
                "method",
                "overhead / iter (ms, median over tasks)",
                "× skopt",
                "× optuna",
                "CPU share",
                "noisy runs",
            ],
            [
                [
                    f"`{m}`",
                    _ms(overall[m]["overhead_per_iter"]),
                    _ratio(overall[m]["overhead_vs_skopt_bayes"]),
                    _ratio(overall[m]["overhead_vs_optuna_tpe"]),
                    _f(overall[m]["cpu_share"], 2),
                    overall[m]["noisy"],
                ]
                for m in methods
            ],
        )
    )
    out += [
        "",
        "![convergence](convergence.png)",
        "",
        "`random` is usually hidden under the first half of `random_x2`: "
        "`RandomizedSearchCV` with the same seed draws the same first candidates.",
        "",
        "![overhead](overhead.png)",
        "",
    ]
    out += ["## Per task", ""]
    for task, info in results["tasks"].items():
        if task not in per_task:
            continue
        out += _task_section(task, info, per_task[task], results["config"]["methods"])
    out += _skipped_section(results)
    out += [
        "## Definitions",
        "",
        __doc__.split("Definitions (also stated in the report itself):")[1].strip(),
        "",
    ]
    return "\n".join(out)


def _failed_methods(results, overall):
    """``{method: number of errors}`` for methods without a single successful run."""
    failed = {}
    for r in results["runs"]:
        if r["status"] != "ok" and r["method"] not in overall:
            failed[r["method"]] = failed.get(r["method"], 0) + 1
    return failed


def _task_section(task, info, stats, methods):
    synthetic = info["kind"] == "synthetic"
    quality = "regret (f − f*)" if synthetic else "best CV score"
    header = ["method", "n", quality]
    header += [] if synthetic else ["fresh CV", "test score"]
    header += ["norm. regret", "rank", "ovh/iter ms", "× skopt", "× optuna"]
    header += ["wall s", "fit+score s", "budget", "cands"]
    rows = []
    for m in methods:
        s = stats.get(m)
        if s is None:
            continue
        if not s["n"]:
            rows.append(
                [f"`{m}`", 0, f"{s['errors']} error(s)"] + [""] * (len(header) - 3)
            )
            continue
        row = [
            f"`{m}`",
            s["n"],
            _pm(s["regret"] if synthetic else s["best_cv_score"], 4),
        ]
        row += (
            [] if synthetic else [_pm(s["fresh_cv_score"], 4), _pm(s["test_score"], 4)]
        )
        row += [
            _f(s["normalized_regret"][0]),
            _f(s["rank"][0], 2),
            _ms(s["overhead_per_iter"][0]),
            _ratio(s["overhead_vs_skopt_bayes"]),
            _ratio(s["overhead_vs_optuna_tpe"]),
            _f(s["wall_time"][0], 2),
            _f(s["fit_score_time"][0], 2),
            _f(s["budget_used"][0], 1),
            _f(s["n_candidates"][0], 0),
        ]
        rows.append(row)
    return [f"### `{task}`", "", info["description"], "", _table(header, rows), ""]


def _skipped_section(results):
    lines = []
    if results.get("skipped_methods"):
        lines += ["## Methods not run", ""]
        lines += [f"- `{m}`: {why}" for m, why in results["skipped_methods"].items()]
        lines.append("")
    if results.get("unsupported"):
        lines += ["## Not applicable", ""]
        lines += [
            f"- `{u['method']}` on `{u['task']}`: {u['reason']}"
            for u in results["unsupported"]
        ]
        lines.append("")
    errors = [r for r in results["runs"] if r["status"] != "ok"]
    if errors:
        lines += ["## Errors", ""]
        lines += [
            f"- `{r['method']}` on `{r['task']}` seed {r['seed']}: {r['error']}"
            for r in errors
        ]
        lines.append("")
    return lines
