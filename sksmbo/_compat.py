"""Private scikit-learn imports and version branches, and nothing else.

A new scikit-learn or scipy release that moves one of these breaks this file
only. What sksmbo *does* with scikit-learn's internals (hooks installed while
a search fits) is in :mod:`sksmbo._sklearn_hooks`.
"""

from __future__ import annotations

import functools
import inspect

from sklearn.model_selection._search import BaseSearchCV  # noqa: F401
from sklearn.model_selection._search_successive_halving import (  # noqa: F401
    BaseSuccessiveHalving,
)
from sklearn.model_selection._search_successive_halving import (
    _top_k as top_k,  # noqa: F401
)
from sklearn.utils import _safe_indexing as safe_indexing  # noqa: F401
from sklearn.utils._param_validation import (  # noqa: F401
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _num_samples as num_samples  # noqa: F401

# --- scipy.stats.qmc: ``seed=`` became ``rng=`` in scipy 1.15 ---------------


@functools.cache  # a signature costs more than a small design
def _takes_rng(engine_cls) -> bool:
    return "rng" in inspect.signature(engine_cls).parameters


def qmc_engine(engine_cls, n_dims: int, seed: int, **kwargs):
    """Build a ``scipy.stats.qmc`` engine seeded with the keyword this scipy has."""
    if _takes_rng(engine_cls):
        return engine_cls(n_dims, rng=seed, **kwargs)
    return engine_cls(n_dims, seed=seed, **kwargs)


# --- scikit-learn < 1.5: _get_scorers(convert_multimetric=...) ----------------


def get_scorers(search):
    """``search._get_scorers()``: the scorers and the refit metric."""
    if "convert_multimetric" in inspect.signature(search._get_scorers).parameters:
        return search._get_scorers(convert_multimetric=False)
    return search._get_scorers()
