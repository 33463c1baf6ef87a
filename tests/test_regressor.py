"""RegressorProposer (sksmbo._surrogates.regressor): any regressor as surrogate."""

import pytest
from sklearn.gaussian_process import GaussianProcessRegressor

from sksmbo._surrogates.regressor import RegressorProposer


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"regressor": "gp"}, r"'regressor' parameter of RegressorProposer must be"),
        ({"acq_func": "gp_hedge"}, r"'acq_func' parameter of RegressorProposer"),
        ({"xi": -1.0}, r"'xi' parameter .* Got -1.0 instead"),
        ({"kappa": float("nan")}, r"'kappa' parameter .* Got nan instead"),
        ({"n_candidates": 0}, r"'n_candidates' parameter .* Got 0 instead"),
    ],
)
def test_bad_parameters_are_named(kwargs, match):
    kwargs = {"regressor": GaussianProcessRegressor(), **kwargs}
    with pytest.raises(ValueError, match=match):
        RegressorProposer(**kwargs)
