"""What reads or builds ``cv_results_`` and the fits behind it.

One rule decides when a search has failed as a whole, as scikit-learn's
searches decide it: when every *fit* failed. Candidates whose mean score is
NaN because one fold failed (or a scorer returned NaN) are results, not
failures: the search warns and returns them.
"""

from __future__ import annotations

from collections import Counter


class FitCounts:
    """Fits and failed fits seen by one search, with the errors of the failures."""

    def __init__(self):
        self.n_fits = 0
        self.errors: Counter = Counter()

    @property
    def n_failed(self) -> int:
        return sum(self.errors.values())


def failure_summary(errors: Counter) -> str:
    """sklearn's "Below are more details about the failures" section."""
    delimiter = "-" * 80 + "\n"
    return "\n".join(
        f"{delimiter}{n} fits failed with the following error:\n{error}"
        for error, n in errors.items()
    )


def all_fits_failed_error(counts: FitCounts) -> ValueError:
    """The error sklearn raises when no fit of a search succeeded."""
    return ValueError(
        f"\nAll the {counts.n_fits} fits failed.\nIt is very likely that your "
        "model is misconfigured.\nYou can try to debug the error by setting "
        "error_score='raise'.\n\nBelow are more details about the failures:\n"
        f"{failure_summary(counts.errors)}"
    )


def raise_if_all_fits_failed(counts: FitCounts) -> None:
    """Raise sklearn's "All the N fits failed" when no fit of the search succeeded."""
    if counts.n_fits and counts.n_failed == counts.n_fits:
        raise all_fits_failed_error(counts)
