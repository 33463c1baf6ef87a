"""Fold-level racing (issue 22): fits saved at equal ``n_iter``, quality at equal fits.

For each (task, method, CV scheme, seed), on the same data split, folds and
``random_state`` (``benchmarks/tasks.py``), one search runs without racing and
the others with ``racing=confidence``:

- ``off``: no racing, ``n_iter`` candidates; its fits (``n_iter * n_splits``)
  are the budget of the equal-fits runs;
- ``race``: racing, the same ``n_iter`` (issue 22's first target: fewer fits,
  held-out test score not worse);
- ``race_eqfits``: racing with ``n_iter * EQFITS_FACTOR`` candidates and a
  callback that stops the search before a new candidate could take it past
  ``off``'s fits: each candidate told, the fits spent so far are counted from
  ``result.search_state.out`` (None marks a raced-out fold), and the search
  stops once ``spent + n_splits > budget``. So a racing run never gets more
  fits than ``off`` (issue 22's second target: a better best score for the
  same compute). The optimizers propose the same candidates whatever
  ``n_iter`` (checked on ``svc_breast_cancer``), so ``race_eqfits`` is
  ``race`` continued.

``halving`` (``HalvingBayesSearchCV`` as ``run.py`` sets it up: one
bracket, factor 3, three iterations, its candidates sized so that the
schedule costs about ``n_iter`` full fits) runs ``off`` and ``race`` only;
its fits are counted over every iteration.

CV schemes: ``cv5``, the task's shuffled ``StratifiedKFold`` / ``KFold`` with
5 splits, and ``rep5x2``, ``RepeatedStratifiedKFold`` / ``RepeatedKFold``
(5 splits, 2 repeats, ``random_state=seed``). Quality: ``best_score_``, the
held-out test score of the refit model and the chosen configuration's
"fresh CV" score on new folds (``metrics.fresh_cv_score``); differences are
paired by seed (``paired.py``). Fits are ``sum(cv_results_["n_splits_evaluated"])``,
exact with ``n_jobs=1``; the refit is not counted. Timing plays no part in
any result (fits are counted, not timed), so ``--processes 2`` runs two
(task, method, scheme, seed) units at once without changing a number.

Usage (from the repository root)::

    python benchmarks/racing.py --quick            # harness check, ~3 min
    python benchmarks/racing.py                    # the issue-22 run (see --help)
    python benchmarks/racing.py --report benchmarks/results/racing/results.json

Writes ``results.json`` (environment and every run with its per-candidate
folds and scores), ``runs.csv``, ``summary.csv`` and ``summary.md`` to ``--out``
(default ``benchmarks/results/racing``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Before anything imports numpy: BLAS reads its thread count once, at load.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.environment import pin_single_thread  # noqa: E402

_PINNED_IN_TIME = pin_single_thread()

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: E402
from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold  # noqa: E402

from benchmarks import environment  # noqa: E402
from benchmarks.methods import METHODS, Context, n_classes  # noqa: E402
from benchmarks.metrics import _jsonable, fresh_cv_score  # noqa: E402
from benchmarks.paired import _cell, differences  # noqa: E402
from benchmarks.run import save_json  # noqa: E402
from benchmarks.tasks import TASKS  # noqa: E402

SEARCHES = {
    "bayes": "sksmbo_bayes",
    "quasirandom": "sksmbo_quasirandom",
    "tpe": "sksmbo_tpe",
    # run.py's successive halving (one bracket, n_candidates from n_iter):
    # equal n_iter only, as a halving search is not stopped mid-schedule.
    "halving": "sksmbo_halving_bayes",
}
SCHEMES = ("cv5", "rep5x2")
# Candidates allowed to an equal-fits run, as a multiple of n_iter: racing
# would have to save two thirds of the fits to reach it.
EQFITS_FACTOR = 3
PRESETS = {
    "quick": {
        "tasks": ["svc_breast_cancer", "elasticnet_regression"],
        "searches": ["bayes", "quasirandom"],
        "seeds": [0, 1],
        "n_iter": 15,
        "confidences": [0.95, 0.99],
        "eqfits_confidences": [0.95, 0.99],
    },
    "full": {
        # The real tasks of run.py --quick.
        "tasks": [
            "svc_breast_cancer",
            "elasticnet_regression",
            "knn_digits",
            "conditional_breast_cancer",
        ],
        "searches": ["bayes", "quasirandom", "tpe"],
        "seeds": list(range(10)),
        "n_iter": 30,
        # --confidences 0.95,0.99 adds a third of the run's time.
        "confidences": [0.95],
        "eqfits_confidences": [0.95],
    },
}
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "racing"
# Issue 22's first target: at most this share of the fits without racing.
FITS_TARGET = 0.70


# -- one run ------------------------------------------------------------------


def splitter(task, scheme, seed):
    """The CV splitter of ``scheme`` for ``task`` and ``seed``."""
    if scheme == "cv5":
        return replace(task, n_splits=5).cv(seed)
    repeated = (
        RepeatedStratifiedKFold if task.kind == "classification" else RepeatedKFold
    )
    return repeated(n_splits=5, n_repeats=2, random_state=seed)


class FitBudget:
    """Callback: stop before a new candidate could take the fits past ``budget``."""

    def __init__(self, budget):
        self.budget = budget

    def __call__(self, result):
        state = result.search_state
        spent = sum(out is not None for out in state.out)
        return spent + state.n_splits > self.budget


def _per_candidate(search, n_splits):
    cv = search.cv_results_
    evaluated = np.asarray(
        cv.get("n_splits_evaluated", np.full(len(cv["params"]), n_splits)), dtype=int
    )
    return {
        "n_splits_evaluated": evaluated.tolist(),
        "mean_test_score": [float(s) for s in cv["mean_test_score"]],
        "params": [{k: _jsonable(v) for k, v in p.items()} for p in cv["params"]],
    }


def build_search(task, search_name, scheme, seed, n_iter, racing):
    """The search of one run, unfitted, and its ``(X_train, y_train)``."""
    X_train, _, y_train, _ = task.split(seed)
    ctx = Context(
        n_iter=n_iter,
        seed=seed,
        cv=splitter(task, scheme, seed),
        n_jobs=1,
        n_train=len(X_train),
        n_classes=n_classes(y_train) if task.kind == "classification" else 1,
    )
    search = METHODS[SEARCHES[search_name]].build(task, ctx)
    return search.set_params(racing=racing), X_train, y_train


def run_one(task, search_name, scheme, seed, n_iter, racing, budget=None):
    """Fit one search and measure it; returns one JSON-serializable record."""
    X_train, X_test, y_train, y_test = task.split(seed)
    eqfits = budget is not None
    if eqfits:
        n_iter *= EQFITS_FACTOR
    search, _, _ = build_search(task, search_name, scheme, seed, n_iter, racing)
    n_splits = search.cv.get_n_splits(X_train, y_train)
    record = {
        "task": task.name,
        "search": search_name,
        "scheme": scheme,
        "seed": seed,
        "variant": "off" if not racing else "race_eqfits" if eqfits else "race",
        "confidence": racing or None,
        "n_iter": n_iter,
        "fit_budget": budget,
        "load_before": environment.load_average(),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of some configurations
        wall0, cpu0 = time.perf_counter(), time.process_time()
        if eqfits:
            search.fit(X_train, y_train, callback=FitBudget(budget))
        else:
            search.fit(X_train, y_train)
        record["wall_time"] = time.perf_counter() - wall0
        record["cpu_time"] = time.process_time() - cpu0
        record["test_score"] = float(search.score(X_test, y_test))
        record["fresh_cv_score"] = fresh_cv_score(task, search, seed, X_train, y_train)
    candidates = _per_candidate(search, n_splits)
    evaluated = np.array(candidates["n_splits_evaluated"])
    partial = np.array(candidates["mean_test_score"])[evaluated < n_splits]
    record.update(
        n_splits=n_splits,
        n_candidates=len(evaluated),
        n_raced=int((evaluated < n_splits).sum()),
        fits=int(evaluated.sum()),
        best_cv_score=float(search.best_score_),
        # Raced-out candidates whose mean over their first folds beat the
        # best full-CV mean (raced out on folds that were easy for everyone).
        raced_above_best=int((partial > search.best_score_).sum()),
        best_index=int(search.best_index_),
        best_params={k: _jsonable(v) for k, v in search.best_params_.items()},
        candidates=candidates,
        load_after=environment.load_average(),
    )
    return record


def run_unit(task_name, search_name, scheme, seed, n_iter, confidences, eqfits):
    """``off``, then ``race`` per confidence and ``race_eqfits`` per ``eqfits``."""
    task = TASKS[task_name]
    if search_name == "halving":
        eqfits = ()
    off = run_one(task, search_name, scheme, seed, n_iter, False)
    records = [off]
    for confidence in confidences:
        records.append(run_one(task, search_name, scheme, seed, n_iter, confidence))
    for confidence in eqfits:
        records.append(
            run_one(task, search_name, scheme, seed, n_iter, confidence, off["fits"])
        )
    for r in records[1 : 1 + len(confidences)]:
        r.update(_lost_best(off, r))
    return records


def _lost_best(off, race):
    """Whether racing raced out the candidate that is best without racing.

    Only decidable when both runs proposed the same candidates (quasi-random
    search; model-based searches diverge once racing tells a partial score).
    """
    a, b = off["candidates"], race["candidates"]
    if a["params"] != b["params"]:
        return {"same_candidates": False, "lost_best": None, "cv_loss": None}
    scores = np.array(a["mean_test_score"])
    best = int(np.argmax(scores))
    lost = b["n_splits_evaluated"][best] < race["n_splits"]
    # The full-CV score (without racing) of racing's choice, against the best's.
    return {
        "same_candidates": True,
        "lost_best": bool(lost),
        "cv_loss": float(scores[best] - scores[race["best_index"]]),
    }


# -- summary ------------------------------------------------------------------

CSV_FIELDS = (
    "task search scheme seed variant confidence n_iter n_splits n_candidates "
    "n_raced fits fit_budget best_cv_score test_score fresh_cv_score wall_time "
    "cpu_time raced_above_best same_candidates lost_best cv_loss"
).split()
QUALITY = {"test_score": "Δ test", "best_cv_score": "Δ best CV"}
QUALITY_FRESH = {"fresh_cv_score": "Δ fresh CV"}


def _label(r):
    conf = "" if r["variant"] == "off" else f"@{r['confidence']}"
    return f"{r['search']}|{r['scheme']}|{r['variant']}{conf}"


def _paired_runs(runs):
    """Runs as ``paired.differences`` reads them: one method name per variant."""
    return [{**r, "status": "ok", "method": _label(r)} for r in runs]


def _ratio(runs, task, label, reference, key="fits"):
    """Sum of ``key`` over the seeds of ``label`` / of ``reference`` (paired)."""
    ours = {
        r["seed"]: r[key] for r in runs if r["task"] == task and r["method"] == label
    }
    theirs = {
        r["seed"]: r[key]
        for r in runs
        if r["task"] == task and r["method"] == reference
    }
    seeds = sorted(set(ours) & set(theirs))
    if not seeds:
        return None, None
    per_seed = [ours[s] / theirs[s] for s in seeds]
    return sum(ours[s] for s in seeds) / sum(theirs[s] for s in seeds), per_seed


def _mean_se(d):
    if len(d) < 2:
        return (float(d.mean()), 0.0) if len(d) else (None, None)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def summarize(results):
    """Rows of summary.csv: one per (comparison, scheme, search, confidence, task)."""
    runs = _paired_runs(results["runs"])
    tasks = results["config"]["tasks"]
    rows = []
    config = results["config"]
    for comparison, variant, confidences in (
        ("equal n_iter", "race", config["confidences"]),
        ("equal fits", "race_eqfits", config.get("eqfits_confidences", [])),
    ):
        for scheme in config["schemes"]:
            for search in config["searches"]:
                for confidence in confidences:
                    label = f"{search}|{scheme}|{variant}@{confidence}"
                    reference = f"{search}|{scheme}|off"
                    diffs = {
                        key: differences(runs, label, reference, key)
                        for key in (*QUALITY, *QUALITY_FRESH)
                    }
                    for task in [*tasks, "all tasks"]:
                        row = {
                            "comparison": comparison,
                            "scheme": scheme,
                            "search": search,
                            "confidence": confidence,
                            "task": task,
                        }
                        in_task = tasks if task == "all tasks" else [task]
                        ratios = [_ratio(runs, t, label, reference) for t in in_task]
                        ratios = [r for r in ratios if r[0] is not None]
                        if not ratios:
                            continue
                        ours = [
                            r
                            for r in runs
                            if r["method"] == label and r["task"] in in_task
                        ]
                        off = [
                            r
                            for r in runs
                            if r["method"] == reference and r["task"] in in_task
                        ]
                        row["n_runs"] = len(ours)
                        row["fits_ratio"] = sum(r["fits"] for r in ours) / sum(
                            r["fits"] for r in off
                        )
                        per_seed = [x for _, seeds in ratios for x in seeds]
                        row["fits_ratio_min"] = min(per_seed)
                        row["fits_ratio_max"] = max(per_seed)
                        row["candidates_mean"] = float(
                            np.mean([r["n_candidates"] for r in ours])
                        )
                        row["raced_share"] = sum(r["n_raced"] for r in ours) / sum(
                            r["n_candidates"] for r in ours
                        )
                        row["wall_ratio"] = sum(r["wall_time"] for r in ours) / sum(
                            r["wall_time"] for r in off
                        )
                        for key, by_task in diffs.items():
                            pooled = [by_task[t] for t in in_task if t in by_task]
                            d = np.concatenate(pooled) if pooled else np.array([])
                            mean, se = _mean_se(d)
                            row[f"d_{key}"], row[f"se_{key}"] = mean, se
                            row[f"wtl_{key}"] = _cell(d).split(" ", 3)[-1]
                            row[f"cell_{key}"] = _cell(d)
                        lost = [
                            r["lost_best"]
                            for r in ours
                            if r.get("lost_best") is not None
                        ]
                        row["lost_best"] = f"{sum(lost)}/{len(lost)}" if lost else ""
                        rows.append(row)
    return rows


def _verdicts(rows):
    """Issue 22's targets, one line per (scheme, search, confidence)."""
    lines = []
    for row in rows:
        if row["task"] != "all tasks":
            continue
        group = [
            r
            for r in rows
            if r["task"] != "all tasks"
            and all(
                r[k] == row[k] for k in ("comparison", "scheme", "search", "confidence")
            )
        ]
        name = f"`{row['search']}`, {row['scheme']}, confidence {row['confidence']}"
        if row["comparison"] == "equal n_iter":
            fits_ok = all(r["fits_ratio"] <= FITS_TARGET for r in group)
            worst = max(group, key=lambda r: r["fits_ratio"])
            test_ok = [
                r["task"] for r in group if r["d_test_score"] < -r["se_test_score"]
            ]
            pooled_ok = row["d_test_score"] >= -row["se_test_score"]
            fits_verdict = "meets" if fits_ok else "misses"
            test_verdict = (
                "within 1 s.e. or better" if pooled_ok else "worse by more than 1 s.e."
            )
            worse = f"; worse by more than 1 s.e. on {', '.join(test_ok)}"
            lines.append(
                f"- equal n_iter, {name}: fits ratio {row['fits_ratio']:.2f} "
                f"(worst task {worst['task']} {worst['fits_ratio']:.2f}): "
                f"{fits_verdict} ≤ {FITS_TARGET:.2f} on every task; test Δ "
                f"{row['d_test_score']:+.4f} ± {row['se_test_score']:.4f} pooled "
                f"({test_verdict})" + (worse if test_ok else "")
            )
        else:
            lines.append(
                f"- equal fits, {name}: fits ratio {row['fits_ratio']:.2f}, "
                f"{row['candidates_mean']:.1f} candidates; best CV Δ "
                f"{row['d_best_cv_score']:+.4f} ± {row['se_best_cv_score']:.4f}, "
                f"test Δ {row['d_test_score']:+.4f} ± {row['se_test_score']:.4f}, "
                f"fresh CV Δ {row['d_fresh_cv_score']:+.4f} ± "
                f"{row['se_fresh_cv_score']:.4f}"
            )
    return lines


def _pm(row, key):
    return f"{row[f'd_{key}']:+.4f} ± {row[f'se_{key}']:.4f}"


def overview(results, rows):
    """The short tables (docs/benchmarks.md): pooled differences, fits per task."""
    tasks = results["config"]["tasks"]
    pooled = [r for r in rows if r["task"] == "all tasks"]
    by_task = {
        (r["comparison"], r["scheme"], r["search"], r["confidence"], r["task"]): r
        for r in rows
    }
    head = ["CV", "search", "conf.", *[f"fits `{t}`" for t in tasks], "fits, all"]
    head += ["Δ test", "Δ best CV", "Δ fresh CV", "lost best"]
    lines = [
        f"Equal `n_iter` ({results['config']['n_iter']}): fits ratio per task "
        "and pooled; paired differences pooled over tasks and seeds.",
        "",
        "| " + " | ".join(head) + " |",
        "|---" * len(head) + "|",
    ]
    for row in [r for r in pooled if r["comparison"] == "equal n_iter"]:
        group = row["comparison"], row["scheme"], row["search"], row["confidence"]
        fits = [f"{by_task[(*group, t)]['fits_ratio']:.2f}" for t in tasks]
        cells = [row["scheme"], row["search"], str(row["confidence"]), *fits]
        cells += [f"**{row['fits_ratio']:.2f}**"]
        cells += [_pm(row, k) for k in ("test_score", "best_cv_score")]
        cells += [_pm(row, "fresh_cv_score"), row["lost_best"] or "–"]
        lines.append("| " + " | ".join(cells) + " |")
    head = ["CV", "search", "conf.", "fits ratio", "candidates"]
    head += ["Δ best CV", "Δ test", "Δ fresh CV"]
    lines += [
        "",
        f"Equal fits (racing with up to {EQFITS_FACTOR} × `n_iter` candidates, "
        "stopped before it could exceed the fits without racing):",
        "",
        "| " + " | ".join(head) + " |",
        "|---" * len(head) + "|",
    ]
    for row in [r for r in pooled if r["comparison"] == "equal fits"]:
        cells = [row["scheme"], row["search"], str(row["confidence"])]
        cells += [f"{row['fits_ratio']:.2f}", f"{row['candidates_mean']:.1f}"]
        cells += [_pm(row, k) for k in ("best_cv_score", "test_score")]
        cells.append(_pm(row, "fresh_cv_score"))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(results, rows):
    config, env = results["config"], results["environment"]
    lines = [
        "# Racing (issue 22)",
        "",
        f"`{config['command']}`",
        "",
        f"{len(config['tasks'])} tasks × {len(config['seeds'])} seeds, "
        f"n_iter={config['n_iter']} (equal-fits runs: up to "
        f"{config['n_iter'] * EQFITS_FACTOR} candidates), n_jobs=1, one BLAS thread; "
        f"sksmbo {env['versions'].get('sksmbo')} at {config.get('revision')}; "
        f"load average {env['load_average']} at start, "
        f"{env.get('load_average_end')} at end; "
        f"{config.get('elapsed_s', 0) / 60:.1f} min with "
        f"{config['processes']} process(es).",
        "",
        "Racing − no racing, paired by seed: mean ± standard error "
        "(wins/ties/losses). Fits ratio: fits with racing / fits without "
        "(sums over seeds; per-seed range in brackets). Lost best: runs in "
        "which racing raced out the candidate that is best without racing "
        "(quasi-random search only: same candidates with and without racing).",
        "",
        "## Overview",
        "",
        *overview(results, rows),
        "",
    ]
    for comparison in ("equal n_iter", "equal fits"):
        lines += [f"## {comparison}", ""]
        for scheme in config["schemes"]:
            lines += [f"**{scheme}**", ""]
            head = ["task", "search", "conf.", "fits ratio"]
            if comparison == "equal fits":
                head.append("candidates")
            head += [*QUALITY.values(), *QUALITY_FRESH.values()]
            if comparison == "equal n_iter":
                head.append("lost best")
            lines += ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
            for row in rows:
                if row["comparison"] != comparison or row["scheme"] != scheme:
                    continue
                task = row["task"] if row["task"] == "all tasks" else f"`{row['task']}`"
                cells = [
                    f"**{task}**" if row["task"] == "all tasks" else task,
                    row["search"],
                    str(row["confidence"]),
                    f"{row['fits_ratio']:.2f} [{row['fits_ratio_min']:.2f}–"
                    f"{row['fits_ratio_max']:.2f}]",
                ]
                if comparison == "equal fits":
                    cells.append(f"{row['candidates_mean']:.1f}")
                cells += [row[f"cell_{k}"] for k in (*QUALITY, *QUALITY_FRESH)]
                if comparison == "equal n_iter":
                    cells.append(row["lost_best"])
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    lines += ["## Targets", "", *_verdicts(rows), ""]
    return "\n".join(lines)


def write_outputs(results, out):
    out.mkdir(parents=True, exist_ok=True)
    save_json(results, out / "results.json")
    with open(out / "runs.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(results["runs"])
    rows = summarize(results)
    if rows:
        fields = [k for k in rows[0] if not k.startswith("cell_")]
        with open(out / "summary.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    report = markdown(results, rows)
    (out / "summary.md").write_text(report)
    return report


# -- main -----------------------------------------------------------------------


def _list(text, cast=str):
    return [cast(s) for s in text.split(",") if s.strip()]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="check the harness")
    parser.add_argument("--tasks", help="comma-separated task names")
    parser.add_argument("--searches", help="comma-separated: " + ", ".join(SEARCHES))
    parser.add_argument("--schemes", default=",".join(SCHEMES))
    parser.add_argument("--seeds", help="N (0..N-1) or a comma-separated list")
    parser.add_argument("--n-iter", type=int)
    parser.add_argument("--confidences", help="comma-separated, e.g. 0.95,0.99")
    parser.add_argument(
        "--eqfits-confidences",
        help="confidences of the equal-fits runs (default: the preset's)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="units run at once (each n_jobs=1); no result depends on it",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--report", type=Path, metavar="RESULTS_JSON")
    args = parser.parse_args(argv)
    base = PRESETS["quick" if args.quick else "full"]
    args.tasks = _list(args.tasks) if args.tasks else base["tasks"]
    args.searches = _list(args.searches) if args.searches else base["searches"]
    args.schemes = _list(args.schemes)
    if args.seeds:
        args.seeds = (
            _list(args.seeds, int)
            if "," in args.seeds
            else list(range(int(args.seeds)))
        )
    else:
        args.seeds = base["seeds"]
    args.n_iter = args.n_iter or base["n_iter"]
    args.confidences = (
        _list(args.confidences, float) if args.confidences else base["confidences"]
    )
    args.eqfits = (
        _list(args.eqfits_confidences, float)
        if args.eqfits_confidences
        else base["eqfits_confidences"]
    )
    for name, known, given in (
        ("task", TASKS, args.tasks),
        ("search", SEARCHES, args.searches),
        ("scheme", SCHEMES, args.schemes),
    ):
        unknown = [g for g in given if g not in known]
        if unknown:
            parser.error(f"unknown {name} {unknown}; choose from {', '.join(known)}")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.report:
        results = json.loads(args.report.read_text())
        print(write_outputs(results, args.report.parent))
        return results
    limiter = environment.limit_loaded_pools()  # noqa: F841 (kept alive for the run)
    env = environment.collect_environment()
    results = {
        "config": {
            "command": "python benchmarks/racing.py "
            + shlex.join(sys.argv[1:] if argv is None else argv),
            "tasks": args.tasks,
            "searches": args.searches,
            "schemes": args.schemes,
            "seeds": args.seeds,
            "n_iter": args.n_iter,
            "confidences": args.confidences,
            "eqfits_confidences": args.eqfits,
            "eqfits_factor": EQFITS_FACTOR,
            "processes": args.processes,
            "pinned_in_time": _PINNED_IN_TIME,
            "revision": env["git_revision"],
        },
        "environment": env,
        "runs": [],
    }
    print(f"load average at start: {env['load_average']}", flush=True)
    units = [
        (task, search, scheme, seed, args.n_iter, args.confidences, args.eqfits)
        for seed in args.seeds
        for task in args.tasks
        for search in args.searches
        for scheme in args.schemes
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.processes) as pool:
        futures = [pool.submit(run_unit, *unit) for unit in units]
        for k, future in enumerate(as_completed(futures), 1):
            records = future.result()
            results["runs"] += records
            off = records[0]
            ratios = " ".join(
                f"{r['variant']}@{r['confidence']}: {r['fits'] / off['fits']:.2f}"
                for r in records[1:]
            )
            print(
                f"[{k:3d}/{len(units)}] {off['task']:22s} {off['search']:11s} "
                f"{off['scheme']:6s} s{off['seed']}  fits {off['fits']}  {ratios}  "
                f"({(time.perf_counter() - start) / 60:.1f} min, "
                f"load {environment.load_average()})",
                flush=True,
            )
            save_json(results, args.out / "results.json")  # keep what is done
    key = ("task", "search", "scheme", "seed", "variant", "confidence")
    results["runs"].sort(key=lambda r: tuple(str(r[k]) for k in key))
    results["config"]["elapsed_s"] = time.perf_counter() - start
    results["environment"]["load_average_end"] = environment.load_average()
    print(write_outputs(results, args.out))
    print(f"wrote {args.out}/{{results.json, runs.csv, summary.csv, summary.md}}")
    return results


if __name__ == "__main__":
    main()
