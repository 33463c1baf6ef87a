"""sklearn's estimator checks on the four searches (issue 8, item 1).

What ``RandomizedSearchCV`` and ``HalvingRandomSearchCV`` pass, ours pass;
what sklearn expects them to fail is listed with the reason ours fails.
The behaviours users of ``GridSearchCV`` rely on are in ``test_search.py``.
"""

import pytest
import sklearn
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    RandomizedSearchCV,
)
from sklearn.pipeline import make_pipeline
from sklearn.utils._testing import ignore_warnings
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksmbo import (
    BayesSearchCV,
    HalvingBayesSearchCV,
    QuasiRandomSearchCV,
    TPESearchCV,
)

SKLEARN_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2])


def _check_instances():
    """Our searches set up as sklearn's test_common sets up its own.

    sklearn checks ``RandomizedSearchCV`` / ``HalvingRandomSearchCV`` with
    ``cv=2, error_score="raise"`` on a classifier and on a regressor pipeline
    (``sklearn/utils/_test_common/instance_generator.py``); budgets are small
    but each search reaches its model phase.
    """
    problems = [
        (LogisticRegression(), {"C": (0.1, 10.0, "log-uniform")}),
        (make_pipeline(PCA(), Ridge()), {"ridge__alpha": (0.1, 10.0, "log-uniform")}),
    ]
    common = dict(cv=2, error_score="raise", random_state=0)
    for estimator, space in problems:
        yield BayesSearchCV(estimator, space, n_iter=3, n_initial_points=2, **common)
        yield TPESearchCV(estimator, space, n_iter=3, n_startup=2, **common)
        yield QuasiRandomSearchCV(estimator, space, n_iter=3, **common)
        yield HalvingBayesSearchCV(estimator, space, min_resources="smallest", **common)


def _sklearn_reference(estimator):
    """The sklearn search ours stands in for, as sklearn's own checks build it."""
    common = dict(cv=2, error_score="raise", random_state=0)
    space = {"C": [0.1, 1.0]}
    if isinstance(estimator, HalvingBayesSearchCV):
        return HalvingRandomSearchCV(LogisticRegression(), space, **common)
    return RandomizedSearchCV(LogisticRegression(), space, **common)


# What sklearn expects its own searches to fail, copied from scikit-learn 1.9's
# PER_ESTIMATOR_XFAIL_CHECKS (instance_generator.py); read from sklearn itself
# when the installed version has it, see _sklearn_expected_failures.
_SKLEARN_XFAILS_1_9 = {
    RandomizedSearchCV: {
        "check_supervised_y_2d": "DataConversionWarning not caught",
        "check_requires_y_none": "Doesn't fail gracefully",
    },
    HalvingRandomSearchCV: {
        "check_array_api_mixed_inputs": "mixed array API input support not added yet",
        "check_fit2d_1sample": (
            "Fail during parameter check since min/max resources requires more samples"
        ),
        "check_estimators_nan_inf": "FIXME",
        "check_classifiers_one_label_sample_weights": "FIXME",
        "check_fit2d_1feature": "FIXME",
        "check_supervised_y_2d": "DataConversionWarning not caught",
        "check_requires_y_none": "Doesn't fail gracefully",
    },
}


def _sklearn_expected_failures(estimator) -> dict:
    """Exactly the checks sklearn marks xfail for the search ours replaces.

    sklearn applies them to every instance it checks (non-strict): some pass
    for some instances (``check_supervised_y_2d`` for a classifier).
    """
    reference = _sklearn_reference(estimator)
    try:
        from sklearn.utils._test_common.instance_generator import (
            _get_expected_failed_checks,
        )
    except ImportError:  # scikit-learn < 1.6: the list lives in the tags
        return dict(_SKLEARN_XFAILS_1_9[type(reference)])
    return dict(_get_expected_failed_checks(reference))


try:
    _parametrize_checks = parametrize_with_checks(
        list(_check_instances()),
        expected_failed_checks=_sklearn_expected_failures,
        xfail_strict=False,
    )
except TypeError:  # scikit-learn < 1.6: xfails come from the _xfail_checks tag
    _parametrize_checks = parametrize_with_checks(list(_check_instances()))


@_parametrize_checks
def test_sklearn_estimator_checks(estimator, check):
    # The warnings sklearn's test_common ignores for its own searches.
    with ignore_warnings(category=(FutureWarning, ConvergenceWarning, UserWarning)):
        check(estimator)


def test_expected_failures_are_sklearns():
    """The copy used on old sklearn matches what sklearn 1.9 lists."""
    pytest.importorskip("sklearn.utils._test_common.instance_generator")
    from sklearn.utils._test_common.instance_generator import (
        PER_ESTIMATOR_XFAIL_CHECKS,
    )

    if SKLEARN_VERSION != (1, 9):
        pytest.skip("the copy is of scikit-learn 1.9's list")
    for cls, expected in _SKLEARN_XFAILS_1_9.items():
        assert PER_ESTIMATOR_XFAIL_CHECKS[cls] == expected
