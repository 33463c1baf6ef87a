"""HalvingBayesSearchCV against sklearn's HalvingRandomSearchCV."""

import sys
import warnings

import numpy as np
import pytest
from scipy.stats import randint, uniform
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    AdaBoostClassifier,
    BaggingClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sksmbo import HalvingBayesSearchCV
from tests.conftest import FastClassifier

SCHEDULE = [
    "n_resources_",
    "n_candidates_",
    "n_remaining_candidates_",
    "n_iterations_",
    "n_required_iterations_",
    "n_possible_iterations_",
    "min_resources_",
    "max_resources_",
]


@pytest.fixture
def big_data():
    return make_classification(n_samples=400, n_features=6, random_state=0)


def quiet_fit(search, X, y):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The first iteration trains")
        return search.fit(X, y)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(resource="b", max_resources=27, min_resources=1),
        dict(n_candidates=20, min_resources=30),
        dict(n_candidates=30, min_resources=20, aggressive_elimination=True),
        dict(factor=2, min_resources=50),
    ],
)
def test_schedule_and_columns_equal_sklearns(kwargs, big_data):
    X, y = big_data
    spaces = {"a": uniform(0, 1), "c": ["x", "y"]}
    ours = quiet_fit(
        HalvingBayesSearchCV(FastClassifier(), spaces, random_state=0, **kwargs), X, y
    )
    theirs = quiet_fit(
        HalvingRandomSearchCV(FastClassifier(), spaces, random_state=0, **kwargs), X, y
    )
    for name in SCHEDULE:
        assert getattr(ours, name) == getattr(theirs, name), name
    assert sorted(ours.cv_results_) == sorted(theirs.cv_results_)
    iters = ours.cv_results_["iter"]
    assert [
        int(np.sum(iters == i)) for i in range(ours.n_iterations_)
    ] == ours.n_candidates_
    last = iters == iters.max()
    assert ours.best_score_ == np.max(ours.cv_results_["mean_test_score"][last])


def test_survivors_are_the_best_of_each_iteration(big_data):
    X, y = big_data
    search = quiet_fit(
        HalvingBayesSearchCV(
            FastClassifier(),
            {"a": (0.0, 1.0)},
            n_candidates=27,
            min_resources=40,
            random_state=0,
        ),
        X,
        y,
    )
    results = search.cv_results_
    for itr in range(1, search.n_iterations_):
        before = results["iter"] == itr - 1
        kept = {
            p["a"]
            for p, i in zip(results["params"], results["iter"], strict=True)
            if i == itr
        }
        scores = results["mean_test_score"][before]
        threshold = np.sort(scores)[-len(kept)]
        kept_scores = [
            s
            for p, s in zip(np.asarray(results["params"])[before], scores, strict=True)
            if p["a"] in kept
        ]
        assert min(kept_scores) >= threshold


def test_exhaust_uses_all_samples_in_last_iteration(big_data):
    X, y = big_data
    search = quiet_fit(
        HalvingBayesSearchCV(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": (1, 8)},
            n_candidates=10,
            min_resources="exhaust",
            factor=3,
            random_state=0,
        ),
        X,
        y,
    )
    assert search.n_resources_[-1] == search.max_resources_ == len(X)


def test_warns_when_first_rung_is_noise(big_data):
    X, y = big_data
    search = HalvingBayesSearchCV(FastClassifier(), {"a": (0.0, 1.0)}, random_state=0)
    with pytest.warns(UserWarning, match="scores are mostly noise"):
        search.fit(X, y)


def first_rung_values(search, name="a"):
    first = search.cv_results_["iter"] == 0
    return np.array([p[name] for p in np.asarray(search.cv_results_["params"])[first]])


def test_first_bracket_is_the_design_by_default(big_data):
    X, y = big_data
    kwargs = dict(n_candidates=54, min_resources=40, random_state=0)
    space = {"a": (0.0, 1.0)}
    default = quiet_fit(HalvingBayesSearchCV(FastClassifier(), space, **kwargs), X, y)
    steered = HalvingBayesSearchCV(FastClassifier(), space, n_startup=6, **kwargs)
    steered = quiet_fit(steered, X, y)
    # The Sobol' design covers [0, 1] evenly; the model crowds around a=0.3,
    # where FastClassifier scores best.
    counts, _ = np.histogram(first_rung_values(default), bins=6, range=(0.0, 1.0))
    assert counts.min() >= 8
    near_best = np.abs(first_rung_values(steered) - 0.3) < 0.1
    assert near_best.mean() > 0.3  # 0.2 for an even spread
    # The rest follows sklearn's schedule either way.
    assert default.n_candidates_ == steered.n_candidates_ == [54, 18, 6]


class InFlightRecorder(HalvingBayesSearchCV):
    """Records, per iteration, the most candidates it had in flight."""

    def _evaluate(self, run, iteration, propose_new, n, window, more, cv, race):
        def recording_propose():
            point = propose_new()
            self.in_flight_[more["iter"]] = max(
                self.in_flight_.get(more["iter"], 0), len(run.optimizer._pending)
            )
            return point

        return super()._evaluate(
            run, iteration, recording_propose, n, window, more, cv, race
        )

    def fit(self, X, y=None, **params):
        self.in_flight_ = {}
        return super().fit(X, y, **params)


def test_a_first_rung_from_the_design_is_all_in_flight(big_data):
    X, y = big_data
    kwargs = dict(n_candidates=54, min_resources=40, random_state=0)
    space = {"a": (0.0, 1.0)}
    default = quiet_fit(InFlightRecorder(FastClassifier(), space, **kwargs), X, y)
    # The workers get all 54 design points at once.
    assert default.in_flight_[0] == 54
    steered = InFlightRecorder(FastClassifier(), space, n_startup=6, **kwargs)
    steered = quiet_fit(steered, X, y)
    # With the model steering the first rung, ceil(54 / 6) candidates are in
    # flight, each proposal informed by all but the last 8.
    assert steered.in_flight_[0] == 9
    assert len(steered.cv_results_["params"]) == 54 + 18 + 6


def test_model_proposals_beat_random_candidates(big_data):
    X, y = big_data
    best = {"ours": [], "random": []}
    for seed in range(4):
        kwargs = dict(n_candidates=54, min_resources=40, factor=3, random_state=seed)
        ours = quiet_fit(
            HalvingBayesSearchCV(
                FastClassifier(), {"a": (0.0, 1.0)}, n_startup=5, **kwargs
            ),
            X,
            y,
        )
        theirs = HalvingRandomSearchCV(
            FastClassifier(), {"a": np.linspace(0, 1, 1001)}, **kwargs
        )
        theirs = quiet_fit(theirs, X, y)
        best["ours"].append(abs(ours.best_params_["a"] - 0.3))
        best["random"].append(abs(theirs.best_params_["a"] - 0.3))
    assert np.mean(best["ours"]) < np.mean(best["random"])


def test_hyperband_brackets(big_data):
    X, y = big_data
    search = HalvingBayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0)},
        resource="b",
        max_resources=27,
        min_resources=1,
        brackets="auto",
        random_state=0,
    ).fit(X, y)
    assert [n for _, n in search.brackets_] == [4, 3, 2, 1]
    assert search.n_iterations_ == 10 == len(search.n_resources_)
    firsts = [search.n_resources_[first] for first, _ in search.brackets_]
    assert firsts == [1, 3, 9, 27]
    assert set(search.cv_results_["bracket"]) == {0, 1, 2, 3}
    assert search.cv_results_["n_resources"][search.best_index_] == 27


def test_failed_candidates_are_eliminated(big_data):
    X, y = big_data
    search = HalvingBayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0), "fail": [True, False]},
        n_candidates=18,
        min_resources=40,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    assert search.best_params_["fail"] is False
    last = search.cv_results_["iter"] == search.n_iterations_ - 1
    assert not any(p["fail"] for p in np.asarray(search.cv_results_["params"])[last])


# The default's one bracket is all design; n_startup and brackets bring in
# the model and its rounds.
@pytest.mark.parametrize("model", [{}, {"n_startup": 4}, {"brackets": 2}])
def test_same_random_state_same_results(model, big_data):
    X, y = big_data
    runs = [
        quiet_fit(
            HalvingBayesSearchCV(
                FastClassifier(),
                {"a": (0.0, 1.0), "b": randint(0, 10)},
                n_candidates=12,
                min_resources=40,
                random_state=3,
                n_jobs=n_jobs,
                **model,
            ),
            X,
            y,
        )
        for n_jobs in (1, 2)
    ]
    assert runs[0].cv_results_["params"] == runs[1].cv_results_["params"]


def test_later_brackets_start_from_the_model(big_data):
    X, y = big_data
    search = HalvingBayesSearchCV(
        FastClassifier(),
        {"a": (0.0, 1.0)},
        resource="b",
        max_resources=81,
        min_resources=1,
        brackets=3,
        random_fraction=0.0,
        random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    a = np.array([p["a"] for p in results["params"]])
    first_rung = [results["iter"] == first for first, _ in search.brackets_]
    design = np.abs(a[first_rung[0]][:5] - 0.3).mean()  # the Sobol' round
    later = np.abs(a[first_rung[1] | first_rung[2]] - 0.3).mean()
    assert later < design / 3


class CountingForest(RandomForestClassifier):
    """A forest that records how many trees each of its fits started from."""

    started_from: list = []

    def fit(self, X, y, sample_weight=None):
        trees = len(getattr(self, "estimators_", []))
        CountingForest.started_from.append((trees, self.n_estimators))
        return super().fit(X, y, sample_weight)


def test_survivors_continue_their_fits(big_data):
    X, y = big_data
    space = {"max_depth": (1, 8), "min_samples_leaf": (1, 20)}
    runs = {}
    for warm in (False, True):
        CountingForest.started_from = []
        runs[warm] = HalvingBayesSearchCV(
            CountingForest(random_state=0),
            space,
            resource="n_estimators",
            max_resources=27,
            min_resources=3,
            warm_start_survivors=warm,
            random_state=0,
        ).fit(X, y)
        fits = CountingForest.started_from
    # Fits of the later iterations started from the trees of the one before.
    assert fits.count((3, 9)) == 5 * runs[True].n_candidates_[1]
    assert fits.count((9, 27)) == 5 * runs[True].n_candidates_[2]
    assert fits[-1] == (0, 27)  # the refit starts over
    # Continuing a fit gives the very same model as starting over.
    for column in ("params", "mean_test_score", "iter", "n_resources"):
        assert np.array_equal(
            runs[True].cv_results_[column], runs[False].cv_results_[column]
        )
    assert not runs[True].best_estimator_.warm_start
    assert not hasattr(runs[True].best_estimator_, "_sksmbo_warm_start_cache")


def test_fits_from_other_processes_pass_through_the_directory(tmp_path, big_data):
    import pickle

    from sklearn.metrics import check_scoring
    from sklearn.model_selection._validation import _fit_and_score

    from sksmbo._warm_start import FitCache

    X, y = big_data
    forest = RandomForestClassifier(random_state=0)
    cache = FitCache(str(tmp_path), "n_estimators", "warm_start", max_resources=50)
    in_worker = pickle.loads(pickle.dumps(cache))  # what a joblib worker gets
    train, test = np.arange(300), np.arange(300, 400)
    kwargs = dict(
        scorer=check_scoring(forest),
        train=train,
        test=test,
        verbose=0,
        fit_params=None,
        score_params=None,
        error_score=np.nan,
    )
    results = [
        in_worker.fit_and_score(
            _fit_and_score,
            clone(forest),
            X,
            y,
            parameters={"max_depth": 3, "n_estimators": n},
            **kwargs,
        )
        for n in (4, 12)
    ]
    assert len(list(tmp_path.glob("*.pkl"))) == 1
    assert all("estimator" not in r for r in results)
    cold = _fit_and_score(
        clone(forest),
        X,
        y,
        parameters={"max_depth": 3, "n_estimators": 12},
        **kwargs,
    )
    assert results[1]["test_scores"] == cold["test_scores"]
    # Fits of eliminated candidates are forgotten, those of survivors kept.
    in_worker.keep_only([{"max_depth": 3, "n_estimators": 12}])
    assert len(list(tmp_path.glob("*.pkl"))) == 1
    in_worker.keep_only([{"max_depth": 4, "n_estimators": 12}])
    assert not list(tmp_path.glob("*.pkl"))


def test_eliminated_candidates_leave_the_memory(tmp_path, big_data):
    from sklearn.metrics import check_scoring
    from sklearn.model_selection._validation import _fit_and_score

    from sksmbo._warm_start import FitCache

    X, y = big_data
    forest = RandomForestClassifier(n_estimators=3, random_state=0)
    cache = FitCache(str(tmp_path), "n_estimators", "warm_start", max_resources=50)
    for depth in (2, 3, 4):
        cache.fit_and_score(
            _fit_and_score,
            clone(forest),
            X,
            y,
            parameters={"max_depth": depth, "n_estimators": 3},
            scorer=check_scoring(forest),
            train=np.arange(300),
            test=np.arange(300, 400),
            verbose=0,
            fit_params=None,
            score_params=None,
            error_score=np.nan,
        )
    assert len(cache._memory) == 3
    cache.keep_only([{"max_depth": 3, "n_estimators": 3}])
    [(resources, kept)] = cache._memory.values()
    assert (resources, kept.max_depth) == (3, 3)


@pytest.mark.parametrize(
    "estimator, resource, expected",
    [
        (RandomForestClassifier(), "n_estimators", "warm_start"),
        (HistGradientBoostingClassifier(), "max_iter", "warm_start"),
        (
            make_pipeline(StandardScaler(), GradientBoostingClassifier()),
            "gradientboostingclassifier__n_estimators",
            "gradientboostingclassifier__warm_start",
        ),
        (RandomForestClassifier(), "max_depth", None),  # not an iteration count
        (MLPClassifier(), "max_iter", None),  # warm_start runs max_iter *more*
        (AdaBoostClassifier(), "n_estimators", None),  # no warm_start at all
        # A continued fit would restart the early-stopping count.
        (GradientBoostingClassifier(n_iter_no_change=3), "n_estimators", None),
    ],
)
def test_which_fits_can_be_continued(estimator, resource, expected):
    from sksmbo._warm_start import warm_start_param

    assert warm_start_param(estimator, resource) == expected


@pytest.mark.parametrize(
    "estimator, resource, space",
    [
        # Pipelines, fits in worker processes (passed on through files).
        (
            make_pipeline(StandardScaler(), RandomForestClassifier(random_state=0)),
            "randomforestclassifier__n_estimators",
            {"randomforestclassifier__max_features": (0.2, 1.0)},
        ),
        # Bagging refuses warm_start with oob_score: those fits start over.
        (
            BaggingClassifier(oob_score=True, random_state=0),
            "n_estimators",
            {"max_features": (0.2, 1.0)},
        ),
        # Early-stopped boosting is never continued.
        (
            HistGradientBoostingClassifier(early_stopping=True, random_state=0),
            "max_iter",
            {"learning_rate": (0.5, 1.0)},  # stops after 10 to 20 iterations
        ),
    ],
)
def test_continued_fits_give_the_models_of_fits_started_over(
    estimator, resource, space, big_data
):
    X, y = big_data
    runs = [
        HalvingBayesSearchCV(
            estimator,
            space,
            resource=resource,
            max_resources=81,
            min_resources=9,
            warm_start_survivors=warm,
            random_state=0,
            n_jobs=2,
        ).fit(X, y)
        for warm in (False, True)
    ]
    scores = [run.cv_results_["mean_test_score"] for run in runs]
    assert np.isfinite(scores[1]).all()
    assert np.array_equal(scores[0], scores[1])


# -- callbacks, max_time, progress (on the evaluation engine) -----------------


def test_halving_callbacks_see_every_evaluation_and_can_stop(big_data):
    X, y = big_data
    seen = []

    def stop_at_ten(result):
        seen.append(len(result.func_vals))
        return len(seen) == 10

    search = HalvingBayesSearchCV(
        FastClassifier(), {"a": (0.0, 1.0)}, n_candidates=27, min_resources=40,
        n_startup=5, callbacks=stop_at_ten, random_state=0,
    )  # fmt: skip
    quiet_fit(search, X, y)
    # ceil(27 / 6) = 5 in flight: the tenth stops, the four then out finish.
    assert seen == list(range(1, 15))
    assert len(search.cv_results_["params"]) == 14
    assert search.n_iterations_ == 1
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    assert hasattr(search, "best_estimator_")


def test_halving_max_time_stops_after_the_evaluations_in_flight(big_data):
    X, y = big_data
    search = HalvingBayesSearchCV(
        FastClassifier(), {"a": (0.0, 1.0)}, n_candidates=27, min_resources=40,
        max_time=1e-9, random_state=0,
    )  # fmt: skip
    quiet_fit(search, X, y)
    # The first iteration is all design: all 27 were in flight.
    assert len(search.cv_results_["params"]) == 27
    assert search.n_iterations_ == 1


def test_halving_progress_lines_without_tqdm(big_data, capsys, monkeypatch):
    X, y = big_data
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    search = HalvingBayesSearchCV(
        FastClassifier(), {"a": (0.0, 1.0)}, n_candidates=9, min_resources=40,
        progress_bar=True, random_state=0,
    )  # fmt: skip
    quiet_fit(search, X, y)
    err = capsys.readouterr().err.splitlines()
    # 9 + 3 + 1 evaluations planned and done.
    assert err[-1].startswith("[HalvingBayesSearchCV] 13/13 candidates")
