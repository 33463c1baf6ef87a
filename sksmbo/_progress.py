"""What a search reports while it runs: progress bar and one line per candidate.

``progress_bar=True`` shows tqdm when installed, else a line per candidate,
at most one a second (and the last).
Every completed candidate is logged to the ``"sksmbo"`` logger at INFO level
(route or silence it with :mod:`logging`), and printed with ``verbose >= 1``.
"""

from __future__ import annotations

import logging
import math
import sys
import time

from sksmbo.space import is_number

logger = logging.getLogger("sksmbo")


class Progress:
    """Shows candidates done / total, best score so far and elapsed time.

    Uses tqdm (the ``progress`` extra) when it is importable; otherwise prints
    a line to stderr per candidate, at most one a second, and the last.
    """

    def __init__(self, name: str, total: int, done: int = 0, enabled: bool = True):
        self.name = name
        self.total = total
        self.done = done
        self.enabled = enabled
        self._start = time.perf_counter()
        self._bar = None
        self._printed = -math.inf
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, initial=done, desc=name, unit="cand")

    def update(self, n_new: int, best_of) -> None:
        """Count ``n_new`` candidates done; ``best_of()`` is the best score so
        far, asked for only when shown."""
        self.done += n_new
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n_new)
            self._bar.set_postfix(best=f"{best_of():.4f}", refresh=False)
            return
        now = time.perf_counter()
        if now - self._printed < 1.0 and self.done < self.total:
            return
        self._printed = now
        best = best_of()
        elapsed = now - self._start
        print(
            f"[{self.name}] {self.done}/{self.total} candidates, best score "
            f"{best:.4f}, {elapsed:.1f} s",
            file=sys.stderr,
        )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def say(line: str, verbose: int) -> None:
    """``line`` to the ``"sksmbo"`` logger (INFO), and to stdout with ``verbose``."""
    logger.info(line)
    if verbose:
        print(line, flush=True)


def say_fitting(n_splits: int, n_candidates: int, verbose: int, racing: bool) -> None:
    """scikit-learn's "Fitting N folds for each of M candidates" line, once.

    Racing may stop a candidate's folds early: the totals are then maxima.
    """
    if verbose > 0:
        up_to, at_most = ("up to ", "at most ") if racing else ("", "")
        print(
            f"Fitting {up_to}{n_splits} folds for each of {n_candidates} "
            f"candidates, totalling {at_most}{n_splits * n_candidates} fits"
        )


class CandidateLog:
    """One line per completed candidate: index, parameters, score, fit time, best.

    Lines go to the ``"sksmbo"`` logger at INFO level, and to stdout (as
    scikit-learn's ``verbose`` messages do) when ``verbose >= 1``.
    """

    def __init__(self, name: str, total: int, verbose: int, done: int = 0):
        self.name = name
        self.total = total
        self.verbose = verbose
        self.done = done
        self.best = (-math.inf, None)  # (score, candidate number)

    def report(self, points, mean, std, fit_time, n_evaluated=None, n_splits=None):
        """Record the candidates ``points`` just evaluated, in order.

        A candidate raced out (``n_evaluated < n_splits`` folds) is never the
        best: its mean is over its first folds only.
        """
        raced = n_evaluated is not None and n_evaluated < n_splits
        # Formatting costs more than the rest of a cheap candidate's bookkeeping.
        heard = self.verbose or logger.isEnabledFor(logging.INFO)
        for point, score, spread, seconds in zip(
            points, mean, std, fit_time, strict=True
        ):
            self.done += 1
            if not raced and score == score and score > self.best[0]:  # NaN: failed
                self.best = (float(score), self.done)
            if not heard:
                continue
            folds = (
                f" (raced out after {n_evaluated} of {n_splits} folds)" if raced else ""
            )
            self.emit(
                f"{self.name}: candidate {self.done}/{self.total}, score "
                f"{score:.4f} ± {spread:.4f}{folds}, fit {seconds:.2f} s, "
                f"{_format_params(point)}; best {self._best_text()}"
            )

    def emit(self, line: str) -> None:
        say(line, self.verbose)

    def _best_text(self) -> str:
        score, index = self.best
        return "none yet" if index is None else f"{score:.4f} (candidate {index})"


def _format_params(params: dict) -> str:
    def text(value):
        return f"{value:.4g}" if is_number(value) else repr(value)

    return "{" + ", ".join(f"{name}={text(v)}" for name, v in params.items()) + "}"
