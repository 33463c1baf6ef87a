"""Continue the fits of promoted candidates instead of starting them over.

When successive halving's resource is an iteration count (``n_estimators``,
``max_iter``), a promoted candidate is fitted again on the same training fold
with more iterations. Where the estimator's ``warm_start`` grows the model to
the new total (scikit-learn's ensembles), the fit of the previous iteration
can simply be continued: same model, a fraction of the time.
"""

from __future__ import annotations

import os
import uuid

import joblib
from sklearn.ensemble import (
    BaseEnsemble,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)


def warm_start_param(estimator, resource: str) -> str | None:
    """The ``warm_start`` parameter that grows ``resource`` to a new total, or None.

    Only where ``warm_start`` is known to continue a fit up to the new value
    of the resource: ``n_estimators`` of scikit-learn's ensembles (forests,
    gradient boosting, bagging) and ``max_iter`` of the histogram gradient
    boosting estimators. Iterative solvers (MLP, SGD, LogisticRegression) run
    ``max_iter`` *more* iterations when warm-started, which is not the same
    model, so they are not continued.
    """
    prefix, _, name = resource.rpartition("__")
    params = estimator.get_params(deep=True)
    owner = params[prefix] if prefix else estimator
    warm_start = f"{prefix}__warm_start" if prefix else "warm_start"
    if warm_start not in params:
        return None
    grows_to_total = (isinstance(owner, BaseEnsemble) and name == "n_estimators") or (
        isinstance(
            owner, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
        )
        and name == "max_iter"
    )
    return warm_start if grows_to_total else None


class FitCache:
    """The latest fit of every (candidate, training fold), to be continued.

    Used through :func:`sksmbo._compat.warm_started_fits`, which hands every
    fit of the search to :meth:`fit_and_score`. Fits made in this process are
    kept in memory; fits made in joblib worker processes go to ``directory``
    (workers get a pickled copy of this object, without the memory). A fit
    that cannot be found or stored is simply made from scratch.

    Parameters
    ----------
    directory : str
        Where worker processes store their fits; removed by the caller.

    resource : str
        The estimator parameter that grows from one iteration to the next.

    warm_start : str
        The estimator parameter that makes ``fit`` continue.
    """

    def __init__(self, directory: str, resource: str, warm_start: str):
        self.directory = directory
        self.resource = resource
        self.warm_start = warm_start
        self._memory: dict | None = {}

    def __getstate__(self):
        return {**vars(self), "_memory": None}

    def fit_and_score(self, fit_and_score, estimator, X, y, **kwargs):
        """sklearn's ``_fit_and_score``, continuing an earlier fit when there is one."""
        params = kwargs["parameters"]
        n_resources = params[self.resource]
        key = joblib.hash(
            ({k: v for k, v in params.items() if k != self.resource}, kwargs["train"])
        )
        earlier = self._load(key, n_resources)
        if earlier is not None:
            estimator = earlier.set_params(**{self.warm_start: True})
        wants_estimator = kwargs.get("return_estimator", False)
        result = fit_and_score(estimator, X, y, **{**kwargs, "return_estimator": True})
        fitted = result["estimator"] if wants_estimator else result.pop("estimator")
        if result.get("fit_error") is None:
            self._store(key, n_resources, fitted)
        return result

    def _load(self, key: str, n_resources: int):
        if self._memory is not None and key in self._memory:
            earlier_resources, estimator = self._memory[key]
        else:
            try:
                earlier_resources, estimator = joblib.load(self._path(key))
            except Exception:  # noqa: BLE001  (no earlier fit, or unreadable: start over)
                return None
        return estimator if earlier_resources < n_resources else None

    def _store(self, key: str, n_resources: int, estimator) -> None:
        if self._memory is not None:
            self._memory[key] = (n_resources, estimator)
            return
        # Write then rename, so a reader never sees half a file.
        temporary = os.path.join(self.directory, f"{uuid.uuid4().hex}.tmp")
        try:
            joblib.dump((n_resources, estimator), temporary)
            os.replace(temporary, self._path(key))
        except Exception:  # noqa: BLE001  (unpicklable, disk full: next fit starts over)
            if os.path.exists(temporary):
                os.remove(temporary)

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, f"{key}.pkl")
