"""Thread pinning and a record of the machine a benchmark ran on.

:func:`pin_single_thread` must run before numpy is imported anywhere in the
process: BLAS libraries read their thread count once, at load time.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

_THREAD_VARS = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

# Versions recorded in results.json; a missing one is recorded as None.
_VERSIONED = (
    "numpy",
    "scipy",
    "sklearn",
    "joblib",
    "threadpoolctl",
    "skopt",
    "optuna",
    "optuna_integration",
    "pandas",
    "matplotlib",
    "sksmbo",
)

REPO_ROOT = Path(__file__).resolve().parent.parent


def pin_single_thread():
    """Force one BLAS/OpenMP thread for the whole process.

    Timings of searches that share a 2-core machine are only comparable when
    no library silently spawns a thread pool (numpy's BLAS, the OpenMP loops
    of HistGradientBoosting). Must be called before numpy is imported.

    Returns
    -------
    in_time : bool
        False if numpy was already imported: the variables then come too late
        and only :func:`limit_loaded_pools` still helps.
    """
    for var in _THREAD_VARS:
        os.environ[var] = "1"
    return "numpy" not in sys.modules


def limit_loaded_pools():
    """Limit every BLAS/OpenMP pool already loaded to one thread.

    Returns
    -------
    limiter : threadpoolctl.threadpool_limits or None
        Keep a reference for the life of the run; None if threadpoolctl is
        missing.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=1)


def load_average():
    """The 1, 5 and 15 minute load averages, or None where unsupported.

    Returns
    -------
    load : list of float or None
    """
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _version(module_name):
    try:
        module = importlib.import_module(module_name)
    except Exception:  # a half-written package may raise anything on import
        return None
    return getattr(module, "__version__", "unknown")


def _git(*args):
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO_ROOT), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _git_revision():
    """Short commit hash, with "+dirty" when sksmbo/ has uncommitted changes."""
    head = _git("rev-parse", "--short", "HEAD")
    if not head:
        return None
    return head + ("+dirty" if _git("status", "--porcelain", "--", "sksmbo") else "")


def _thread_pools():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [
        {k: info.get(k) for k in ("user_api", "internal_api", "num_threads")}
        for info in threadpool_info()
    ]


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def collect_environment():
    """Describe the software and machine, for results.json.

    Returns
    -------
    env : dict
        Date (UTC), python and package versions, platform, CPU count and
        affinity, load average, thread settings and the git revision.
    """
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": affinity,
        "load_average": load_average(),
        "versions": {name: _version(name) for name in _VERSIONED},
        "git_revision": _git_revision(),
        "thread_env": {var: os.environ.get(var) for var in _THREAD_VARS},
        "thread_pools": _thread_pools(),
    }


def script_record(script, pinned_in_time, load_start, **fields):
    """What a benchmark script saves: its command, the machine, the load, its rows.

    Parameters
    ----------
    script : str
        File name under ``benchmarks/`` (for the command line).
    pinned_in_time : bool
        What :func:`pin_single_thread` returned.
    load_start : list of float
        :func:`load_average` before the first measurement.
    **fields
        The script's own results.

    Returns
    -------
    record : dict
    """
    return {
        "command": f"python benchmarks/{script} " + " ".join(sys.argv[1:]),
        "environment": collect_environment(),
        "pinned_in_time": pinned_in_time,
        "load_start": load_start,
        "load_end": load_average(),
        **fields,
    }


def save_record(out, stem, record, report):
    """Write ``record`` to ``out/stem.json``, ``report`` to ``out/stem.md``; print."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(record, indent=2))
    (out / f"{stem}.md").write_text(report)
    print(report)
