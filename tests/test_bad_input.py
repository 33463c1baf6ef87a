"""Every invalid argument of every public class and function (issue 8, item 3).

One table: what is called, the exception expected and a ``match`` naming the
parameter and the value got. Searches are fitted on an estimator that counts
its fits: a bad argument must be reported before any fit.
"""

import re

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import make_classification
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksmbo import (
    BayesSearchCV,
    Categorical,
    HalvingBayesSearchCV,
    Integer,
    Optimizer,
    QuasiRandomSearchCV,
    Real,
    Space,
    TPESearchCV,
)
from tests.conftest import FastClassifier

SMBO = [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV]
SEARCHES = [*SMBO, HalvingBayesSearchCV]
SPACE = {"a": (0.0, 1.0), "c": ["x", "y"]}


class Counting(FastClassifier):
    n_fits = 0

    def fit(self, X, y):
        Counting.n_fits += 1
        return super().fit(X, y)


def got(value) -> str:
    """The end of sklearn's message: ``Got <repr of the value>``."""
    return "Got " + re.escape(repr(value))


def constraint(cls, param, value) -> str:
    """sklearn's parameter-validation message for ``cls(param=value)``."""
    return rf"'{param}' parameter of {cls.__name__} must be .*{got(value)}"


def fit(cls, spaces=SPACE, fit_kwargs=None, estimator=None, **kwargs):
    """``cls(Counting(), spaces, **kwargs).fit(X, y, **fit_kwargs)``, deferred."""
    budget = (
        {"n_candidates": 6, "min_resources": 40} if cls is HalvingBayesSearchCV else {}
    )
    kwargs = {"cv": 3, "random_state": 0, **budget, **kwargs}
    return lambda X, y: cls(
        Counting() if estimator is None else estimator, spaces, **kwargs
    ).fit(X, y, **(fit_kwargs or {}))


def pipeline():
    """A pipeline around the counting classifier (nested parameter names)."""
    return make_pipeline(StandardScaler(), Counting())


def call(make):
    """A call that needs no data."""
    return lambda X, y: make()


def optimizer_asks(**kwargs):
    """Build an Optimizer, tell it one point and ask past its initial design."""

    def run(X, y):
        opt = Optimizer(SPACE, **{"n_initial_points": 1, "random_state": 0, **kwargs})
        opt.tell({"a": 0.5, "c": "x"}, 1.0)
        return opt.ask(3)

    return run


def callbacks():
    """``sksmbo.callbacks`` (written concurrently: skip its rows until it exists)."""
    return pytest.importorskip("sksmbo.callbacks")


def bug(reason):
    return pytest.mark.xfail(strict=True, reason=f"sksmbo bug: {reason}")


def row(id, make, error, match, marks=()):
    return pytest.param(make, error, match, id=id, marks=marks)


# The tables are kept one row per entry, aligned by hand.
# fmt: off

# -- dimensions and spaces ----------------------------------------------------------

SPACE_ROWS = [
    row("Real low>high", call(lambda: Real(1.0, 0.0)), ValueError,
        r"low < high.*low=1\.0, high=0\.0"),
    row("Real low==high", call(lambda: Real(1.0, 1.0)), ValueError,
        r"low < high.*low=1\.0, high=1\.0"),
    row("Real str bound", call(lambda: Real("0", 1.0)), TypeError,
        r"Real bounds must be numbers.*low='0'"),
    row("Real bool bound", call(lambda: Real(False, True)), TypeError,
        r"Real bounds must be numbers.*low=False"),
    row("Real nan bound", call(lambda: Real(np.nan, 1.0)), ValueError, r"low=nan"),
    row("Real inf bound", call(lambda: Real(0.0, np.inf)), ValueError, r"high=inf"),
    row("Real prior", call(lambda: Real(0.0, 1.0, prior="log")), ValueError,
        rf"'prior' parameter.*{got('log')}"),
    row("Real log low<=0", call(lambda: Real(0.0, 1.0, prior="log-uniform")),
        ValueError, r"log-uniform.*low > 0\. Got low=0\.0"),
    row("Integer float bound", call(lambda: Integer(0, 5.5)), TypeError,
        r"Integer bounds must be integers.*high=5\.5"),
    row("Integer bool bound", call(lambda: Integer(True, 5)), TypeError,
        r"Integer bounds must be integers.*low=True"),
    row("Integer low>high", call(lambda: Integer(5, 1)), ValueError,
        r"low < high.*low=5, high=1"),
    row("Integer prior", call(lambda: Integer(1, 5, prior="normal")), ValueError,
        rf"'prior' parameter.*{got('normal')}"),
    row("Integer log low<1", call(lambda: Integer(0, 10, prior="log-uniform")),
        ValueError, r"low >= 1\. Got low=0"),
    row("Categorical empty", call(lambda: Categorical([])), ValueError,
        r"at least one category\. Got \[\]"),
    row("Categorical str", call(lambda: Categorical("abc")), TypeError,
        rf"list of categories\. {got('abc')}"),
    row("Categorical set", call(lambda: Categorical({1, 2})), TypeError,
        r"list of categories\. Got \{1, 2\}"),
    row("Categorical duplicate", call(lambda: Categorical(["a", "b", "a"])),
        ValueError, r"distinct\. Got 'a' twice"),
    row("Categorical duplicate dict",
        call(lambda: Categorical([{"k": 1}, {"k": 1}])), ValueError,
        r"distinct\. Got \{'k': 1\} twice"),
    row("Space empty list", call(lambda: Space([])), ValueError,
        r"search_spaces must not be empty\. Got \[\]"),
    row("Space empty dict", call(lambda: Space({})), ValueError,
        r"search_spaces must not contain an empty dict"),
    row("Space str", call(lambda: Space("abc")), TypeError,
        rf"search_spaces must be a dict or a list of dicts\. {got('abc')}"),
    row("Space list item", call(lambda: Space([{"a": [1]}, 3])), TypeError,
        r"search_spaces must be a dict or a list of dicts\. Got 3 at position 1"),
    row("Space name not str", call(lambda: Space({1: [1, 2]})), TypeError,
        r"Parameter names must be strings\. Got 1"),
    row("Space value None", call(lambda: Space({"a": None})), TypeError,
        r"Parameter 'a' must be a list of values.*Got None"),
    row("Space value set", call(lambda: Space({"a": {1, 2}})), TypeError,
        r"Parameter 'a' must be a list of values.*Got \{1, 2\}"),
    row("Space tuple prior", call(lambda: Space({"a": (1.0, 2.0, "log")})),
        ValueError, rf"Parameter 'a'.*'prior' parameter.*{got('log')}"),
    row("Space tuple low>high", call(lambda: Space({"a": (2, 1)})), ValueError,
        r"Parameter 'a'.*low < high.*low=2, high=1"),
    row("Space duplicate", call(lambda: Space({"a": ["x", "x"]})), ValueError,
        r"Parameter 'a'.*distinct\. Got 'x' twice"),
    row("Space unbounded discrete", call(lambda: Space({"a": stats.poisson(3)})),
        ValueError, r"finite support.*poisson\(3\)"),
]

# -- Optimizer ------------------------------------------------------------------------

OPTIMIZER_ROWS = [
    row("Optimizer n_initial_points<0",
        call(lambda: Optimizer(SPACE, n_initial_points=-1)), ValueError,
        rf"'n_initial_points' parameter.*{got(-1)}"),
    row("Optimizer n_initial_points str", optimizer_asks(n_initial_points="3"),
        TypeError, rf"'n_initial_points'.*{got('3')}"),
    row("Optimizer n_initial_points float", optimizer_asks(n_initial_points=2.5),
        TypeError, rf"'n_initial_points'.*{got(2.5)}"),
    row("Optimizer initial_point_generator",
        call(lambda: Optimizer(SPACE, initial_point_generator="sobel")), ValueError,
        rf"'initial_point_generator' parameter.*{got('sobel')}"),
    row("Optimizer proposer", optimizer_asks(proposer="forest"), TypeError,
        rf"'proposer'.*{got('forest')}"),
    row("Optimizer random_state",
        call(lambda: Optimizer(SPACE, random_state="seed")), ValueError,
        rf"'random_state'.*{got('seed')}"),
    row("Optimizer scramble", call(lambda: Optimizer(SPACE, scramble="no")),
        TypeError, rf"'scramble'.*{got('no')}"),
    row("Optimizer.ask n_points=0",
        call(lambda: Optimizer(SPACE, random_state=0).ask(0)), ValueError,
        rf"'n_points' parameter.*{got(0)}"),
    row("Optimizer.ask n_points float",
        call(lambda: Optimizer(SPACE, random_state=0).ask(2.5)), TypeError,
        rf"'n_points'.*{got(2.5)}"),
    row("Optimizer.tell lengths",
        call(lambda: Optimizer(SPACE).tell([{"a": 0.1, "c": "x"}], [1.0, 2.0])),
        ValueError, r"as many scores.*1 points, 2 scores"),
    row("Optimizer.tell outside the space",
        call(lambda: Optimizer(SPACE).tell({"a": 5.0, "c": "x"}, 1.0)), ValueError,
        r"The point \{'a': 5\.0, 'c': 'x'\} is not in the search space Space\("),
]

# -- the searches ---------------------------------------------------------------------


def common_rows(cls):
    """Parameters every SMBO search shares (and its fit's own arguments)."""
    name = cls.__name__
    return [
        row(f"{name} n_iter=0", fit(cls, n_iter=0), ValueError,
            constraint(cls, "n_iter", 0)),
        row(f"{name} n_iter float", fit(cls, n_iter=2.5), TypeError,
            constraint(cls, "n_iter", 2.5)),
        row(f"{name} n_points=0", fit(cls, n_points=0), ValueError,
            constraint(cls, "n_points", 0)),
        row(f"{name} n_points str", fit(cls, n_points="many"), ValueError,
            constraint(cls, "n_points", "many")),
        row(f"{name} callbacks str", fit(cls, callbacks="stop"), TypeError,
            rf"'callbacks' parameter .*{got('stop')}"),
        row(f"{name} callbacks item", fit(cls, callbacks=[print, 1]), TypeError,
            rf"'callbacks' parameter must be callable\. {got(1)}"),
        row(f"{name} fit callback", fit(cls, fit_kwargs={"callback": "stop"}),
            TypeError, rf"'callback' parameter must be callable\. {got('stop')}"),
        row(f"{name} fit resume_from", fit(cls, fit_kwargs={"resume_from": 5}),
            TypeError, r"'resume_from' parameter must be .*Got int"),
        row(f"{name} max_time=0", fit(cls, max_time=0), ValueError,
            constraint(cls, "max_time", 0)),
        row(f"{name} max_time<0", fit(cls, max_time=-1.0), ValueError,
            constraint(cls, "max_time", -1.0)),
        row(f"{name} random_state", fit(cls, random_state="seed"), ValueError,
            constraint(cls, "random_state", "seed")),
        row(f"{name} progress_bar", fit(cls, progress_bar="yes"), ValueError,
            constraint(cls, "progress_bar", "yes")),
        row(f"{name} warm_start", fit(cls, warm_start="no"), ValueError,
            constraint(cls, "warm_start", "no")),
        row(f"{name} search_spaces int", fit(cls, spaces=5), TypeError,
            constraint(cls, "search_spaces", 5)),
        row(f"{name} search_spaces bad dim", fit(cls, spaces={"a": (1.0, 0.0)}),
            ValueError, r"Parameter 'a'.*low < high"),
        row(f"{name} unknown param", fit(cls, spaces={"nope": [1, 2]}), ValueError,
            r"Invalid parameter 'nope' in search_spaces.*"
            r"Valid parameters are: \['a', 'b', 'c', 'fail'\]"),
        row(f"{name} skopt pair n_iter=0", fit(cls, spaces=[({"a": (0.0, 1.0)}, 0)]),
            ValueError, r"\(search_space, n_iter\) pair of search_spaces, n_iter must "
            r"be an int >= 1\. Got \(\{'a': \(0\.0, 1\.0\)\}, 0\)"),
        row(f"{name} scoring", fit(cls, scoring="nope"), ValueError,
            constraint(cls, "scoring", "nope")),
    ]


def search_space_rows(cls):
    """What every search, halving included, refuses in search_spaces."""
    name = cls.__name__
    return [
        row(f"{name} search_spaces empty dict", fit(cls, spaces={}), ValueError,
            r"search_spaces must not contain an empty dict"),
        row(f"{name} search_spaces str", fit(cls, spaces="a"), ValueError,
            constraint(cls, "search_spaces", "a")),
        row(f"{name} nested typo",
            fit(cls, spaces={"counting__aa": (0.0, 1.0)}, estimator=pipeline()),
            ValueError, r"Invalid parameter 'counting__aa' in search_spaces.*"
            r"Valid parameters are: .*'counting__a'"),
    ]


B, T, Q, H = BayesSearchCV, TPESearchCV, QuasiRandomSearchCV, HalvingBayesSearchCV
GPR = GaussianProcessRegressor()

BAYES_ROWS = [
    row("Bayes acq_func", fit(B, acq_func="EIPS"), ValueError,
        constraint(B, "acq_func", "EIPS")),
    row("Bayes acq_optimizer", fit(B, acq_optimizer="bfgs"), ValueError,
        constraint(B, "acq_optimizer", "bfgs")),
    row("Bayes base_estimator str", fit(B, base_estimator="SVR"), ValueError,
        r"'base_estimator' parameter must be one of \('GP', 'RF', 'ET', 'GBRT', "
        r"'DUMMY'\) \(in any case\) or a regressor .*Got 'SVR'"),
    row("Bayes base_estimator no std", fit(B, base_estimator=Ridge()), ValueError,
        r"'base_estimator' parameter must be one of .* or a regressor whose predict "
        r"accepts return_std=True\. Got Ridge\(\)"),
    row("Bayes gp_hedge needs GP",
        fit(B, base_estimator=GPR, acq_func="gp_hedge"), ValueError,
        r"acq_func='gp_hedge' needs base_estimator='GP'\. "
        r"Got base_estimator=GaussianProcessRegressor\(\)"),
    row("Bayes xi<0", fit(B, xi=-0.1), ValueError, constraint(B, "xi", -0.1)),
    row("Bayes kappa<0", fit(B, kappa=-1), ValueError, constraint(B, "kappa", -1)),
    row("Bayes n_initial_points=0", fit(B, n_initial_points=0), ValueError,
        constraint(B, "n_initial_points", 0)),
    row("Bayes initial_point_generator", fit(B, initial_point_generator="sobel"),
        ValueError, constraint(B, "initial_point_generator", "sobel")),
    row("Bayes fit_params", fit(B, fit_params="w"), TypeError,
        constraint(B, "fit_params", "w")),
    row("Bayes optimizer_kwargs str", fit(B, optimizer_kwargs="EI"), TypeError,
        constraint(B, "optimizer_kwargs", "EI")),
    row("Bayes optimizer_kwargs key", fit(B, optimizer_kwargs={"acq_funct": "EI"}),
        ValueError, r"Unknown key\(s\) \['acq_funct'\] in optimizer_kwargs"),
    row("Bayes optimizer_kwargs acq_func",
        fit(B, optimizer_kwargs={"acq_func": "nope"}), ValueError,
        rf"'acq_func' parameter of optimizer_kwargs must be .*{got('nope')}"),
    row("Bayes optimizer_kwargs n_initial_points",
        fit(B, optimizer_kwargs={"n_initial_points": -3}), ValueError,
        rf"'n_initial_points' parameter of optimizer_kwargs must be .*{got(-3)}"),
    row("Bayes optimizer_kwargs base_estimator",
        fit(B, optimizer_kwargs={"base_estimator": "XGB"}), ValueError,
        rf"'base_estimator' parameter must be one of .*{got('XGB')}"),
    row("Bayes acq_func_kwargs key",
        fit(B, optimizer_kwargs={"acq_func_kwargs": {"zeta": 1}}), ValueError,
        r"Unknown key\(s\) \['zeta'\] in optimizer_kwargs\['acq_func_kwargs'\]\. "
        r"Valid keys are \['kappa', 'xi'\]"),
    row("Bayes acq_func_kwargs xi",
        fit(B, optimizer_kwargs={"acq_func_kwargs": {"xi": -1}}), ValueError,
        rf"'xi' parameter of optimizer_kwargs must be .*{got(-1)}"),
    row("Bayes optimizer_kwargs conflict",
        fit(B, acq_func="PI", optimizer_kwargs={"acq_func": "EI"}), ValueError,
        r"'acq_func' is set both as an argument \('PI'\) and in optimizer_kwargs "
        r"\('EI'\)"),
    row("Bayes acq_optimizer_kwargs key",
        fit(B, optimizer_kwargs={"acq_optimizer_kwargs": {"n_pts": 3}}), ValueError,
        r"Unknown key\(s\) \['n_pts'\] in optimizer_kwargs\['acq_optimizer_kwargs'\]"),
    row("Bayes optimizer_kwargs model_queue_size",
        fit(B, optimizer_kwargs={"model_queue_size": -1}), ValueError,
        rf"'model_queue_size' parameter of optimizer_kwargs must be .*{got(-1)}"),
    row("Bayes optimizer_kwargs space_constraint",
        fit(B, optimizer_kwargs={"space_constraint": 3}), ValueError,
        rf"'space_constraint' parameter of optimizer_kwargs must be .*{got(3)}"),
    row("Bayes per-second needs GP", fit(B, base_estimator="RF", acq_func="EIps"),
        ValueError, r"acq_func='ei_per_second' needs base_estimator='GP'\. "
        r"Got base_estimator='RF'"),
    row("Bayes constraints item", fit(B, constraints=[lambda p: True, 3]),
        TypeError, rf"'constraints' parameter must be callable\. {got(3)}"),
    row("Bayes constraints reject all", fit(B, constraints=lambda p: p["a"] > 2),
        ValueError, r"The constraint .* rejected every point tried in the search "
        r"space"),
]

TPE_ROWS = [
    row("TPE n_startup=0", fit(T, n_startup=0), ValueError,
        constraint(T, "n_startup", 0)),
    row("TPE n_ei_candidates=0", fit(T, n_ei_candidates=0), ValueError,
        constraint(T, "n_ei_candidates", 0)),
    row("TPE gamma>=1", fit(T, gamma=1.5), ValueError, constraint(T, "gamma", 1.5)),
    row("TPE gamma=0", fit(T, gamma=0.0), ValueError, constraint(T, "gamma", 0.0)),
    row("TPE gamma str", fit(T, gamma="half"), ValueError,
        constraint(T, "gamma", "half")),
    row("TPE prior_weight=0", fit(T, prior_weight=0), ValueError,
        constraint(T, "prior_weight", 0)),
    row("TPE multivariate", fit(T, multivariate="yes"), ValueError,
        constraint(T, "multivariate", "yes")),
]

QUASI_ROWS = [
    row("Quasi sampler", fit(Q, sampler="sobel"), ValueError,
        constraint(Q, "sampler", "sobel")),
    row("Quasi scramble", fit(Q, scramble="yes"), ValueError,
        constraint(Q, "scramble", "yes")),
]

HALVING_ROWS = [
    # sklearn's constraint is factor > 0, and HalvingRandomSearchCV(factor=1)
    # then fails with ZeroDivisionError, factor=0.5 with IndexError.
    row("Halving factor=1", fit(H, factor=1), ValueError, constraint(H, "factor", 1)),
    row("Halving factor<1", fit(H, factor=0.5), ValueError,
        constraint(H, "factor", 0.5)),
    row("Halving min>max", fit(H, min_resources=100, max_resources=50), ValueError,
        r"min_resources_=100 is greater than max_resources_=50"),
    row("Halving max>n_samples", fit(H, max_resources=10_000), ValueError,
        r"max_resources=10000 is larger than the number of samples \(120\)"),
    row("Halving resource unknown", fit(H, resource="nope", max_resources=9),
        ValueError, r"Cannot use resource=nope which is not supported"),
    row("Halving resource searched",
        fit(H, spaces={"b": (1, 5), "a": (0.0, 1.0)}, resource="b",
            max_resources=9, min_resources=1), ValueError,
        r"Cannot use parameter b as the resource since it is part of the searched"),
    row("Halving both exhaust",
        fit(H, n_candidates="exhaust", min_resources="exhaust"), ValueError,
        r"n_candidates and min_resources cannot be both set to 'exhaust'"),
    row("Halving min_resources str", fit(H, min_resources="biggest"), ValueError,
        constraint(H, "min_resources", "biggest")),
    row("Halving n_candidates=0", fit(H, n_candidates=0), ValueError,
        constraint(H, "n_candidates", 0)),
    row("Halving brackets=0", fit(H, brackets=0), ValueError,
        constraint(H, "brackets", 0)),
    row("Halving brackets str", fit(H, brackets="all"), ValueError,
        constraint(H, "brackets", "all")),
    row("Halving surrogate", fit(H, surrogate="rf"), ValueError,
        constraint(H, "surrogate", "rf")),
    row("Halving random_fraction>1", fit(H, random_fraction=1.5), ValueError,
        constraint(H, "random_fraction", 1.5)),
    row("Halving random_fraction<0", fit(H, random_fraction=-0.1), ValueError,
        constraint(H, "random_fraction", -0.1)),
    row("Halving n_startup=0", fit(H, n_startup=0), ValueError,
        constraint(H, "n_startup", 0)),
    row("Halving aggressive_elimination", fit(H, aggressive_elimination="yes"),
        ValueError, constraint(H, "aggressive_elimination", "yes")),
    row("Halving multimetric", fit(H, scoring=["accuracy"]), ValueError,
        r"'scoring' parameter of HalvingBayesSearchCV must be .*Got \['accuracy'\]"),
    row("Halving search_spaces int", fit(H, spaces=5), TypeError,
        constraint(H, "search_spaces", 5)),
    row("Halving unknown param", fit(H, spaces={"nope": [1, 2]}), ValueError,
        r"Invalid parameter 'nope' in search_spaces"),
    row("Halving random_state", fit(H, random_state="seed"), ValueError,
        constraint(H, "random_state", "seed")),
    row("Halving warm_start_survivors", fit(H, warm_start_survivors="yes"),
        ValueError, constraint(H, "warm_start_survivors", "yes")),
    row("Halving min>n_samples", fit(H, min_resources=500, n_candidates=6),
        ValueError, r"min_resources_=500 is greater than max_resources_=120"),
    row("Halving skopt pair", fit(H, spaces=[({"a": (0.0, 1.0)}, 3)]), TypeError,
        r"search_spaces must be a dict or a list of dicts\. "
        r"Got \(\{'a': \(0\.0, 1\.0\)\}, 3\) at position 0"),
]

# -- callbacks ------------------------------------------------------------------------

CALLBACK_ROWS = [
    row("DeadlineStopper total_time=0", call(lambda: callbacks().DeadlineStopper(0)),
        ValueError, r"'total_time' parameter of DeadlineStopper must be .*Got 0"),
    row("DeadlineStopper str", call(lambda: callbacks().DeadlineStopper("1h")),
        ValueError, rf"'total_time' parameter of DeadlineStopper.*{got('1h')}"),
    row("DeltaYStopper delta<0", call(lambda: callbacks().DeltaYStopper(-0.1)),
        ValueError, r"'delta' parameter of DeltaYStopper must be .*Got -0\.1"),
    row("DeltaYStopper n_best=1",
        call(lambda: callbacks().DeltaYStopper(0.1, n_best=1)), ValueError,
        r"'n_best' parameter of DeltaYStopper must be .*Got 1"),
    row("DeltaYStopper n_best float",
        call(lambda: callbacks().DeltaYStopper(0.1, n_best=2.5)), ValueError,
        r"'n_best' parameter of DeltaYStopper must be .*Got 2\.5"),
    row("NoImprovementStopper patience=0",
        call(lambda: callbacks().NoImprovementStopper(0)), ValueError,
        r"'patience' parameter of NoImprovementStopper must be .*Got 0"),
    row("NoImprovementStopper min_delta<0",
        call(lambda: callbacks().NoImprovementStopper(3, min_delta=-1)), ValueError,
        r"'min_delta' parameter of NoImprovementStopper must be .*Got -1"),
    row("CheckpointSaver path", call(lambda: callbacks().CheckpointSaver(3)),
        ValueError, r"'path' parameter of CheckpointSaver must be .*Got 3"),
    row("CheckpointSaver kwargs",
        call(lambda: callbacks().CheckpointSaver("r.pkl", level=3)), ValueError,
        r"Unknown keyword argument\(s\) \['level'\] of CheckpointSaver"),
    # scikit-optimize's dump(store_objective=...) is not a joblib.dump option.
    row("CheckpointSaver store_objective",
        call(lambda: callbacks().CheckpointSaver("r.pkl", store_objective=False)),
        ValueError, r"Unknown keyword argument\(s\) \['store_objective'\]"),
    row("CheckpointSaver compress level",
        call(lambda: callbacks().CheckpointSaver("r.pkl", compress=10)), ValueError,
        r"'compress' parameter of CheckpointSaver.*Got 10"),
    row("CheckpointSaver compress str",
        call(lambda: callbacks().CheckpointSaver("r.pkl", compress="zip")),
        ValueError, r"'compress' parameter.*Got 'zip'"),
    row("CheckpointSaver compress triple",
        call(lambda: callbacks().CheckpointSaver("r.pkl", compress=("gzip", 3, 1))),
        ValueError, r"'compress' parameter.*Got \('gzip', 3, 1\)"),
    row("CheckpointSaver compress float",
        call(lambda: callbacks().CheckpointSaver("r.pkl", compress=2.5)), ValueError,
        r"'compress' parameter.*Got 2\.5"),
    row("CheckpointSaver protocol",
        call(lambda: callbacks().CheckpointSaver("r.pkl", protocol=99)), ValueError,
        r"'protocol' parameter of CheckpointSaver.*Got 99"),
    row("load missing file",
        call(lambda: callbacks().load("no/such/checkpoint.pkl")), FileNotFoundError,
        r"no/such/checkpoint\.pkl"),
]

# fmt: on

TABLE = (
    SPACE_ROWS
    + OPTIMIZER_ROWS
    + [r for cls in SMBO for r in common_rows(cls)]
    + [r for cls in SEARCHES for r in search_space_rows(cls)]
    + BAYES_ROWS
    + TPE_ROWS
    + QUASI_ROWS
    + HALVING_ROWS
    + CALLBACK_ROWS
)


@pytest.mark.parametrize("make, error, match", TABLE)
def test_bad_input_is_reported_before_any_fit(
    make, error, match, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # CheckpointSaver rows: nothing lands in the repo
    X, y = make_classification(n_samples=120, n_features=4, random_state=0)
    Counting.n_fits = 0
    with pytest.raises(error, match=match):
        make(X, y)
    assert Counting.n_fits == 0
