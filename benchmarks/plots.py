"""Figures of a benchmark run: convergence curves and overhead per iteration.

matplotlib is imported inside each function (the ``bench`` extra installs it),
with the non-interactive Agg backend, so that a run on a headless machine
never opens a window.
"""

from __future__ import annotations

import math

import numpy as np

from benchmarks.report import best_so_far, references, summarize

# Peers dashed, sksmbo solid: the figure reads as "ours against theirs".
_LINESTYLE = {"sklearn": ":", "skopt": "--", "optuna": "--", "sksmbo": "-"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _colors(methods):
    cmap = _pyplot().get_cmap("tab10")
    return {m: cmap(i % 10) for i, m in enumerate(methods)}


def _curve(record, grid, info):
    """Best-so-far of one run on a grid of compute budgets (NaN before the first)."""
    cost, best = best_so_far(record)
    idx = np.searchsorted(cost, grid + 1e-9, side="right") - 1
    values = np.where(idx >= 0, best[np.clip(idx, 0, None)], np.nan)
    values[grid > cost[-1] + 1e-9] = np.nan  # the run stopped before this budget
    if info["kind"] == "synthetic":
        # score = -f, so regret = -score - f*; floor for the log axis.
        values = np.maximum(-values - info["f_min"], 1e-6)
    return values


def convergence(results, path):
    """One panel per task: mean best-so-far against compute, ± standard error.

    Real tasks show the best CV score, synthetic ones the regret (log scale).
    The x axis counts evaluations in full-fit equivalents, so halving methods
    (many candidates on subsets) sit on the same axis as the others.
    """
    plt = _pyplot()
    runs = [r for r in results["runs"] if r["status"] == "ok"]
    tasks = [t for t in results["tasks"] if any(r["task"] == t for r in runs)]
    methods = [
        m for m in results["config"]["methods"] if any(r["method"] == m for r in runs)
    ]
    if not tasks:
        return None
    colors = _colors(methods)
    ends = references(results)
    ncols = min(3, len(tasks))
    nrows = math.ceil(len(tasks) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(5 * ncols, 3.6 * nrows), squeeze=False
    )
    for ax, task in zip(axes.flat, tasks, strict=False):
        info = results["tasks"][task]
        for method in methods:
            rs = [r for r in runs if r["task"] == task and r["method"] == method]
            if not rs:
                continue
            top = max(float(np.sum(r["trace"]["cost"])) for r in rs)
            grid = np.linspace(0, top, 200)[1:]
            curves = np.array([_curve(r, grid, info) for r in rs])
            # Average only where every seed has a value: no survivor bias.
            defined = ~np.isnan(curves).any(axis=0)
            if not defined.any():
                continue
            mean = curves[:, defined].mean(axis=0)
            se = (
                curves[:, defined].std(axis=0, ddof=1) / np.sqrt(len(rs))
                if len(rs) > 1
                else 0
            )
            style = _LINESTYLE.get(rs[0]["library"], "-")
            ax.plot(
                grid[defined], mean, style, color=colors[method], label=method, lw=1.6
            )
            ax.fill_between(
                grid[defined], mean - se, mean + se, color=colors[method], alpha=0.15
            )
        ax.set_title(task, fontsize=10)
        ax.set_xlabel("evaluations (full-fit equivalents)")
        if info["kind"] == "synthetic":
            ax.set_yscale("log")
            ax.set_ylabel("regret f − f*")
        else:
            ax.set_ylabel("best CV score")
            # From a typical random configuration (the median score of random
            # search) up: the first few evaluations would squash the rest.
            ref = np.nanmean([ends[k][1] for k in ends if k[0] == task])
            top = np.nanmax([ends[k][0] for k in ends if k[0] == task])
            if np.isfinite(ref) and top > ref:
                ax.set_ylim(ref, top + 0.05 * (top - ref))
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(tasks) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in axes.flat:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(h)
                labels.append(label)
    fig.legend(
        handles, labels, loc="lower center", ncol=min(5, len(labels)), frameon=False
    )
    seeds = len(results["config"]["seeds"])
    fig.suptitle(f"Best so far, mean ± s.e. over {seeds} seed(s)", fontsize=11)
    # Room for the legend at the bottom: about 0.25 inch per row of 5 entries.
    legend_height = (0.25 * math.ceil(len(labels) / 5) + 0.15) / fig.get_figheight()
    fig.tight_layout(rect=(0, legend_height, 1, 0.97))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def overhead(results, path, summary=None):
    """Overhead per iteration of each method on each task (log scale)."""
    plt = _pyplot()
    summary = summary or summarize(results)
    per_task = summary["per_task"]
    tasks = [t for t in results["tasks"] if t in per_task]
    methods = [m for m in results["config"]["methods"] if m in summary["overall"]]
    if not tasks or not methods:
        return None
    colors = _colors(methods)
    fig, ax = plt.subplots(figsize=(max(7, 0.9 * len(tasks) + 5), 4))
    width = 0.8 / len(methods)
    for j, method in enumerate(methods):
        values = [
            per_task[t].get(method, {}).get("overhead_per_iter", (math.nan,))[0]
            for t in tasks
        ]
        x = np.arange(len(tasks)) + (j - (len(methods) - 1) / 2) * width
        ms = np.array(
            [1000 * v if np.isfinite(v) and v > 0 else np.nan for v in values]
        )
        ax.bar(x, ms, width, color=colors[method], label=method)
    ax.set_xticks(np.arange(len(tasks)), tasks, rotation=30, ha="right", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("overhead per iteration (ms)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Wall time minus fit and score time, per candidate (mean over seeds)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
