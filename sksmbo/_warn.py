"""Warnings that point at the user's line, however deep the search called them."""

from __future__ import annotations

import os
import sys
import warnings

import sklearn

# Frames inside these packages are skipped: a warning raised during
# ``search.fit(X, y)`` should name the user's ``fit`` call, not sklearn's
# ``_fit_context`` wrapper or our own loop.
_INTERNAL = tuple(
    os.path.dirname(module.__file__) + os.sep
    for module in (sys.modules[__name__.split(".")[0]], sklearn)
)


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` at the first frame outside sksmbo and sklearn."""
    frame, level = sys._getframe(1), 2  # 2: the caller of warn()
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
