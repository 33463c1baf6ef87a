"""The ``progress_bar=True`` display: tqdm when installed, else one line per round."""

from __future__ import annotations

import sys
import time


class Progress:
    """Shows candidates done / total, best score so far and elapsed time.

    Uses tqdm (the ``progress`` extra) when it is importable; otherwise prints
    one line per round to stderr.
    """

    def __init__(self, name: str, total: int, done: int = 0, enabled: bool = True):
        self.name = name
        self.total = total
        self.done = done
        self.enabled = enabled
        self._start = time.perf_counter()
        self._bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, initial=done, desc=name, unit="cand")

    def update(self, n_new: int, best: float) -> None:
        self.done += n_new
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n_new)
            self._bar.set_postfix(best=f"{best:.4f}", refresh=False)
            return
        elapsed = time.perf_counter() - self._start
        print(
            f"[{self.name}] {self.done}/{self.total} candidates, best score "
            f"{best:.4f}, {elapsed:.1f} s",
            file=sys.stderr,
        )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
