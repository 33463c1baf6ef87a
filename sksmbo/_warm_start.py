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
    model, so they are not continued; nor is gradient boosting with
    ``n_iter_no_change`` (a continued fit restarts its early-stopping count).
    """
    prefix, _, name = resource.rpartition("__")
    params = estimator.get_params(deep=True)
    owner = params[prefix] if prefix else estimator
    warm_start = f"{prefix}__warm_start" if prefix else "warm_start"
    if warm_start not in params:
        return None
    if isinstance(owner, BaseEnsemble) and name == "n_estimators":
        early_stopped = getattr(owner, "n_iter_no_change", None) is not None
        return None if early_stopped else warm_start
    # HistGradientBoosting's early stopping is checked fit by fit (FitCache).
    if isinstance(owner, _HIST_GRADIENT_BOOSTING) and name == "max_iter":
        return warm_start
    return None


_HIST_GRADIENT_BOOSTING = (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)


class FitCache:
    """The latest fit of every (candidate, training fold), to be continued.

    Used through :func:`sksmbo._sklearn_hooks.warm_started_fits`, which hands every
    fit of the search to :meth:`fit_and_score`. Fits made in this process are
    kept in memory; fits made in joblib worker processes go to ``directory``
    (workers get a pickled copy of this object, without the memory). A fit
    that cannot be found, stored or continued is simply made from scratch;
    the fits of eliminated candidates are dropped after every iteration
    (:meth:`keep_only`).

    Parameters
    ----------
    directory : str
        Where worker processes store their fits; removed by the caller.

    resource : str
        The estimator parameter that grows from one iteration to the next.

    warm_start : str
        The estimator parameter that makes ``fit`` continue.

    max_resources : int
        Fits with this many resources are never continued, so not kept.
    """

    def __init__(
        self, directory: str, resource: str, warm_start: str, max_resources: int
    ):
        self.directory = directory
        self.resource = resource
        self.warm_start = warm_start
        self.max_resources = max_resources
        self._memory: dict | None = {}

    def __getstate__(self):
        return {**vars(self), "_memory": None}

    def fit_and_score(self, fit_and_score, estimator, X, y, **kwargs):
        """sklearn's ``_fit_and_score``, continuing an earlier fit when there is one.

        ``estimator`` is a fresh clone; if continuing the earlier fit fails
        (an estimator whose ``warm_start`` refuses some setting), the clone
        is fitted from scratch instead.
        """
        params = kwargs["parameters"]
        n_resources = params[self.resource]
        key = f"{self._candidate(params)}-{joblib.hash(kwargs['train'])}"
        wants_estimator = kwargs.get("return_estimator", False)
        kwargs = {**kwargs, "return_estimator": True}
        result = None
        earlier = self._load(key, n_resources)
        if earlier is not None:
            earlier.set_params(**{self.warm_start: True})
            try:
                result = fit_and_score(earlier, X, y, **kwargs)
            except Exception:  # noqa: BLE001  (error_score="raise": the cold fit decides)
                result = None
            if result is None or result["fit_error"] is not None:
                self._forget(key)  # the failed continuation may have half-changed it
                result = None
        if result is None:
            result = fit_and_score(estimator, X, y, **kwargs)
        fitted = result["estimator"] if wants_estimator else result.pop("estimator")
        if result["fit_error"] is None and self._continuable(fitted, n_resources):
            self._store(key, n_resources, fitted)
        return result

    def keep_only(self, candidates) -> None:
        """Forget the fits of every candidate not in ``candidates`` (eliminated)."""
        kept = {self._candidate(params) for params in candidates}
        if self._memory is not None:
            for key in [k for k in self._memory if k.split("-")[0] not in kept]:
                del self._memory[key]
        for name in os.listdir(self.directory):
            if name.endswith(".pkl") and name.split("-")[0] not in kept:
                os.remove(os.path.join(self.directory, name))

    def _candidate(self, params: dict) -> str:
        """A candidate's key: its parameters but the resource."""
        return joblib.hash({k: v for k, v in params.items() if k != self.resource})

    def _continuable(self, fitted, n_resources: int) -> bool:
        """Whether a later iteration could continue this fit into the same model."""
        if n_resources >= self.max_resources:
            return False
        prefix = self.warm_start.rpartition("__")[0]
        owner = fitted.get_params(deep=True)[prefix] if prefix else fitted
        # HistGradientBoosting's early_stopping="auto" is on above 10,000
        # samples; a continued fit would add iterations after it stopped.
        return not getattr(owner, "do_early_stopping_", False)

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

    def _forget(self, key: str) -> None:
        if self._memory is not None:
            self._memory.pop(key, None)
        elif os.path.exists(self._path(key)):
            os.remove(self._path(key))

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, f"{key}.pkl")
