"""Kill searches that checkpoint, resume them, and count what was lost.

Each run starts a search with a :class:`~sksmbo.callbacks.CheckpointSaver` in
a child process, kills it (``SIGKILL`` or ``SIGINT``) at a random moment,
then resumes it in a fresh process with ``fit(resume_from=path)`` and lets
it finish. Every fit of the estimator appends its parameters to a log, so
the parent can tell, per run:

- corrupt: a checkpoint exists but does not load, or does not hold as many
  candidates as results (target 0);
- refitted: candidates already in the checkpoint that the resumed search
  fitted again (target 0);
- lost: candidates whose every fold was fitted before the kill but that the
  checkpoint does not hold (target: at most ``n_points``, the round in flight);
- temp left: temporary files next to the checkpoint after the kill, and after
  the resumed search (target 0 after the resume; a ``SIGINT`` can be caught,
  so 0 after it too);
- finished: the resumed search ends with ``n_iter`` candidates whose first
  ones are the checkpoint's.

Not timed and not a test (pytest never collects ``benchmarks/``). The kill
moments and the searches' seeds come from ``--seed``; where the kill lands
in the search still depends on the machine's speed.

Usage (from the repository root)::

    python benchmarks/fault_injection.py                   # 20 runs, both signals
    python benchmarks/fault_injection.py --runs 40 --signals SIGKILL --seed 3
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SPACE = {"a": (0.0, 1.0), "b": (0, 1000), "c": ["x", "y"]}
N_SPLITS = 3


class SleepyClassifier(ClassifierMixin, BaseEstimator):
    """Sleeps ``fit_seconds`` per fit and logs its parameters to ``log``."""

    def __init__(self, a=0.0, b=0, c="x", fit_seconds=0.003, log=None):
        self.a = a
        self.b = b
        self.c = c
        self.fit_seconds = fit_seconds
        self.log = log

    def fit(self, X, y):
        time.sleep(self.fit_seconds)
        self.classes_ = np.unique(y)
        if self.log is not None:
            # One short line per fit with O_APPEND: whole lines even when killed.
            fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            try:
                os.write(fd, (json.dumps(key(self.get_params())) + "\n").encode())
            finally:
                os.close(fd)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) - 1e-4 * abs(self.b - 300) + 0.1 * (self.c == "y")


def key(params):
    """A candidate's identity: its searched parameters, in a fixed order."""
    return [params[name] for name in sorted(SPACE)]


def make_search(args, log):
    from sksmbo import QuasiRandomSearchCV, TPESearchCV

    cls = {"tpe": TPESearchCV, "quasi_random": QuasiRandomSearchCV}[args.method]
    estimator = SleepyClassifier(fit_seconds=args.fit_seconds, log=str(log))
    return cls(
        estimator,
        SPACE,
        n_iter=args.n_iter,
        n_points=args.n_points,
        cv=N_SPLITS,
        refit=False,  # a refit would log a fit of a saved candidate
        random_state=args.search_seed,
    )


def data():
    from sklearn.datasets import make_classification

    return make_classification(n_samples=60, n_features=4, random_state=0)


def child(args):
    """Run (``--role search``) or resume (``--role resume``) one search."""
    from sksmbo.callbacks import CheckpointSaver

    # Python ignores Ctrl-C when started with SIGINT ignored (a background job
    # of a non-interactive shell): behave as in a terminal.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    work = Path(args.work)
    path = work / "search.pkl"
    X, y = data()
    if args.role == "search":
        search = make_search(args, work / "fits.log")
        search.fit(X, y, callback=CheckpointSaver(path))
        return
    search = make_search(args, work / "resume.log")
    resume_from = path if path.exists() else None
    search.fit(X, y, resume_from=resume_from, callback=CheckpointSaver(path))
    (work / "resumed.json").write_text(
        json.dumps([key(p) for p in search.cv_results_["params"]])
    )


def read_log(path):
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [tuple(json.loads(line)) for line in lines if line.endswith("]")]


def temp_files(work):
    return sorted(p.name for p in work.iterdir() if p.name.endswith(".tmp"))


def spawn(args, work, role, search_seed):
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--role",
        role,
        "--work",
        str(work),
        "--method",
        args.method,
        "--n-iter",
        str(args.n_iter),
        "--n-points",
        str(args.n_points),
        "--fit-seconds",
        str(args.fit_seconds),
        "--search-seed",
        str(search_seed),
    ]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def one_run(args, run, sig, rng):
    from sksmbo.callbacks import load

    work = Path(tempfile.mkdtemp(prefix=f"fault{run}-"))
    search_seed = int(rng.integers(2**31 - 1))
    delay = float(rng.uniform(0.0, args.max_delay))
    proc = spawn(args, work, "search", search_seed)
    log = work / "fits.log"
    while not log.exists() and proc.poll() is None:  # imports done, fitting
        time.sleep(0.005)
    time.sleep(delay)
    proc.send_signal(sig)
    _, stderr = proc.communicate()
    row = {"run": run, "signal": sig.name, "delay_s": round(delay, 3)}
    row["started"] = log.exists()  # else the child failed before its first fit
    row["exit"] = proc.returncode
    row["traceback"] = "Traceback" in stderr
    row["temp_after_kill"] = len(temp_files(work))
    path = work / "search.pkl"
    in_checkpoint = []
    row["corrupt"] = False
    if path.exists():
        try:
            result = load(path)
            in_checkpoint = [tuple(key(p)) for p in result.search_state.candidates]
            row["corrupt"] = len(in_checkpoint) != len(result.func_vals)
        except Exception as exc:  # any failure to read is what we count
            row["corrupt"], row["error"] = True, repr(exc)
    row["in_checkpoint"] = len(in_checkpoint)
    fits = Counter(read_log(log))
    done = {c for c, n in fits.items() if n >= N_SPLITS}
    row["completed_before_kill"] = len(done)
    row["lost"] = len(done - set(in_checkpoint))
    resume = spawn(args, work, "resume", search_seed)
    _, stderr = resume.communicate()
    row["resume_exit"] = resume.returncode
    refits = Counter(read_log(work / "resume.log"))
    row["refitted"] = len(set(in_checkpoint) & set(refits))
    resumed = (work / "resumed.json").read_text() if resume.returncode == 0 else "[]"
    resumed = [tuple(k) for k in json.loads(resumed)]
    row["finished"] = (
        len(resumed) == args.n_iter and resumed[: len(in_checkpoint)] == in_checkpoint
    )
    row["temp_after_resume"] = len(temp_files(work))
    if resume.returncode != 0:
        row["resume_error"] = stderr.strip().splitlines()[-1:] if stderr else []
    print(json.dumps(row), flush=True)
    return row


def table(rows, args):
    lines = [
        f"Command: python benchmarks/fault_injection.py {' '.join(sys.argv[1:])}",
        f"{args.method}, n_iter={args.n_iter}, n_points={args.n_points}, "
        f"cv={N_SPLITS}, fits of {args.fit_seconds * 1e3:g} ms, kill up to "
        f"{args.max_delay:g} s after the first fit, seed {args.seed}",
        "",
        "| signal | runs | corrupt | refitted | lost (max) | lost > n_points "
        "| temp after kill | temp after resume | finished | saved (mean) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    failed = [r["run"] for r in rows if not r["started"]]
    if failed:
        lines.insert(2, f"Left out, the child failed before fitting: runs {failed}")
    for name in sorted({r["signal"] for r in rows}):
        sub = [r for r in rows if r["signal"] == name and r["started"]]
        lines.append(
            f"| {name} | {len(sub)} | {sum(r['corrupt'] for r in sub)} "
            f"| {sum(r['refitted'] for r in sub)} "
            f"| {sum(r['lost'] for r in sub)} ({max(r['lost'] for r in sub)}) "
            f"| {sum(r['lost'] > args.n_points for r in sub)} "
            f"| {sum(r['temp_after_kill'] > 0 for r in sub)} "
            f"| {sum(r['temp_after_resume'] > 0 for r in sub)} "
            f"| {sum(r['finished'] for r in sub)} "
            f"| {np.mean([r['in_checkpoint'] for r in sub]):.1f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--signals", default="SIGKILL,SIGINT")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--method", default="tpe", choices=["tpe", "quasi_random"])
    parser.add_argument("--n-iter", type=int, default=60)
    parser.add_argument("--n-points", type=int, default=1)
    parser.add_argument("--fit-seconds", type=float, default=0.003)
    parser.add_argument(
        "--max-delay", type=float, default=1.5, help="seconds after the first fit"
    )
    parser.add_argument("--role", choices=["search", "resume"], help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--search-seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role is not None:
        return child(args)
    signals = [signal.Signals[name] for name in args.signals.split(",")]
    rng = np.random.default_rng(args.seed)
    rows = [
        one_run(args, run, signals[run % len(signals)], rng) for run in range(args.runs)
    ]
    print(table(rows, args))


if __name__ == "__main__":
    # The children pickle SleepyClassifier: let it be the importable one.
    from benchmarks.fault_injection import main as _main

    _main()
