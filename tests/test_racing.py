"""Fold-level racing: which candidates are stopped, and what cv_results_ says."""

import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import KFold, RepeatedKFold

from sksmbo import (
    BayesSearchCV,
    HalvingBayesSearchCV,
    QuasiRandomSearchCV,
    TPESearchCV,
)
from sksmbo._engine import Engine
from sksmbo._racing import MIN_FULL, Race
from sksmbo.space import Real
from tests.test_engine import FakeWorkers

# Fold difficulty: the same for every candidate, so paired differences are
# small while the scores themselves vary from fold to fold.
FOLD_OFFSET = np.array([0.0, -0.2, 0.1, -0.1, 0.2])


def fold_score(quality, fold):
    # Plus noise of a few hundredths, the same for a candidate at every run.
    return quality + FOLD_OFFSET[fold] + 0.05 * np.sin(1000 * quality + 17 * fold)


class Scripted:
    """A fake search whose candidate k has a given quality; outputs are scores."""

    def __init__(self, qualities, n_folds=5):
        self.qualities = qualities
        self.n_folds = n_folds
        self.told = []

    def propose(self):
        k = len(self.told) + self.in_flight
        if k >= len(self.qualities):
            return None
        self.in_flight += 1
        return {"k": k}

    in_flight = 0

    def fold_tasks(self, params):
        quality = self.qualities[params["k"]]
        return [fold_score(quality, fold) for fold in range(self.n_folds)]

    def tell(self, params, outputs, raced=None):
        self.in_flight -= 1
        self.told.append((params["k"], list(outputs), raced))
        return False


def race_all(qualities, workers, window=1, confidence=0.95):
    search = Scripted(qualities)
    race = Race(confidence)

    def tell(params, outputs, raced=None):
        race.observe(outputs)
        return search.tell(params, outputs, raced)

    engine = Engine(
        lambda: workers, n_points=window, propose=search.propose,
        fold_tasks=search.fold_tasks, tell=tell, race=race,
    )  # fmt: skip
    engine.run(len(qualities))
    return search.told


def n_evaluated(told):
    return [sum(out is not None for out in outputs) for _, outputs, _ in told]


GOOD = [0.8, 0.7, 0.6]  # MIN_FULL full candidates: the spread is known


def test_a_candidate_that_cannot_win_is_stopped_after_two_folds():
    workers = FakeWorkers(1)
    told = race_all(GOOD + [0.1], workers)
    assert n_evaluated(told) == [5, 5, 5, 2]
    k, outputs, raced = told[3]
    assert outputs[2:] == [None, None, None]
    assert raced.n_evaluated == 2
    # Its remaining folds were never run, and it is told below the incumbent.
    assert (3, 2) not in workers.submitted
    assert raced.estimate < np.mean([fold_score(0.8, f) for f in range(5)])


def test_candidates_that_may_win_get_every_fold():
    told = race_all(GOOD + [0.9, 0.0, 0.95, 0.1], FakeWorkers(1))
    assert n_evaluated(told) == [5, 5, 5, 5, 2, 5, 2]


def test_the_incumbent_is_never_raced():
    race = Race(0.99999)
    for quality in GOOD:
        race.observe([fold_score(quality, f) for f in range(5)])
    basis = race.snapshot()
    for k in range(2, 5):
        assert race.check(basis, basis.incumbent[:k]) is None


def test_with_several_places_candidates_race_against_the_last_winner():
    race = Race(0.95, places=2)
    for quality in GOOD:
        race.observe([fold_score(quality, f) for f in range(5)])
    basis = race.snapshot()
    # The second best, not the best, is what a candidate must beat.
    second = [fold_score(0.7, f) for f in range(5)]
    np.testing.assert_array_equal(basis.incumbent, second)
    # A candidate between the best and the second is not raced out...
    assert race.check(basis, [fold_score(0.75, f) for f in range(2)]) is None
    # ...one far below the second is.
    assert race.check(basis, [fold_score(0.3, f) for f in range(2)]) is not None
    # Fewer full candidates than places: nothing to race against yet.
    assert Race(0.95, places=4).snapshot() is None


def test_a_first_rung_races_before_its_winners_are_full():
    race = Race(0.95, places=30, population=90)
    for quality in GOOD:
        race.observe([fold_score(quality, f) for f in range(5)])
    # Three of ninety candidates seen in an order unrelated to quality: with
    # 95% confidence at most two of them are among the 29 best, so one below
    # all three is not among the 30 promoted.
    worst = [fold_score(0.6, f) for f in range(5)]
    np.testing.assert_array_equal(race.snapshot().incumbent, worst)
    # Promoted candidates come best first: without a population, wait for 30.
    best_first = Race(0.95, places=30)
    for quality in GOOD:
        best_first.observe([fold_score(quality, f) for f in range(5)])
    assert best_first.snapshot() is None


def test_raced_out_candidates_count_as_seen_not_as_winners():
    race = Race(0.95, places=30, population=90)
    for quality in GOOD:
        race.observe([fold_score(quality, f) for f in range(5)])
    for _ in range(7):
        race.observe([0.1, 0.1, None, None, None])
    # Ten seen: as many as six of them may be among the 29 best, so a
    # candidate must be beaten by seven full ones, and three are full.
    assert race.snapshot() is None


@pytest.mark.parametrize("population, places", [(90, 30), (27, 9), (10, 4)])
def test_the_first_rung_rank_rarely_races_out_a_winner(population, places):
    # Candidates in random order; the last winner (rank `places`) is raced
    # out, free of noise, when it is below the incumbent's rank among the
    # others seen before it. That must happen at most 1 - confidence of the
    # time, whenever in the rung it comes.
    rng = np.random.default_rng(0)
    others = np.arange(population - 1)  # 0 .. places - 2 beat the last winner
    for n_seen in range(1, population - 1, 4):
        race = Race(0.9, places=places, population=population)
        for _ in range(n_seen):
            race.observe([0.0, None])  # raced out: seen, never a winner
        rank = race._incumbent_rank()
        seen = [rng.choice(others, n_seen, replace=False) for _ in range(4000)]
        n_better = np.sum(np.array(seen) < places - 1, axis=1)
        assert (n_better >= rank).mean() <= 0.1 + 0.015
        if rank > 1:  # and the rank is the smallest that is that safe
            assert (n_better >= rank - 1).mean() > 0.1 - 0.015


def test_candidates_scoring_as_the_incumbent_say_nothing_of_the_spread():
    # At small resources many models predict alike: their paired differences
    # with the incumbent are all zero, and the spread must not become zero.
    best = [0.9, 0.7, 0.8, 0.75, 0.85]
    race = Race(0.95)
    for _ in range(5):
        race.observe(best)
    assert race.snapshot() is None  # nothing differs: no spread to go by
    race.observe([0.8, 0.7, 0.8, 0.6, 0.8])
    race.observe([0.85, 0.6, 0.75, 0.7, 0.85])
    basis = race.snapshot()
    assert basis.spread > 0.001
    # Slightly below on two folds is no proof with that spread.
    assert race.check(basis, [0.88, 0.69]) is None


def test_nothing_is_raced_before_the_spread_is_known():
    told = race_all([0.8] + [0.0] * MIN_FULL, FakeWorkers(1))
    assert n_evaluated(told) == [5] * MIN_FULL + [2]


def test_racing_is_reproducible_whatever_the_timing():
    rng = np.random.default_rng(0)
    qualities = list(rng.uniform(0, 1, 30))
    reference = None
    for seed, n_workers in [(0, 1), (1, 3), (2, 8), (3, 8)]:
        told = race_all(qualities, FakeWorkers(n_workers, seed), window=4)
        result = [(k, outputs, raced) for k, outputs, raced in told]
        if reference is None:
            reference = result
            assert sum(n_evaluated(told)) < 5 * len(qualities)  # some were raced
        assert result == reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_folds_racing_may_cancel_run_only_when_a_worker_would_idle(seed):
    workers = FakeWorkers(2, seed)
    told = race_all(GOOD + [0.0] * 10, workers, window=3)
    needed = sum(n_evaluated(told))
    # Candidates 3 and 4 were proposed before three candidates were told (window
    # 3): they get every fold; the other bad candidates are raced out.
    assert needed == 5 * 5 + 2 * 8
    # A fold that racing cancels later ran only while nothing needed was left.
    assert needed <= len(workers.submitted) <= needed + 6


def test_race_bound_shrinks_with_the_folds_evaluated():
    race = Race(0.95)
    race.observe([0.8, 0.6, 0.9, 0.7, 1.0])
    for below in (0.1, 0.2, 0.3):  # differences exactly -0.1, -0.2, -0.3
        race.observe([0.8 - below, 0.6 - below, 0.9 - below, 0.7 - below, 1 - below])
    basis = race.snapshot()
    assert basis.spread == pytest.approx(0.0)
    # Paired with the incumbent, 0.05 below it on every fold: raced out,
    # although its scores overlap the incumbent's on other folds.
    verdict = race.check(basis, [0.75, 0.55])
    assert verdict.n_evaluated == 2
    assert verdict.estimate == pytest.approx(0.8 - 0.05)
    # A noisy candidate that may still win is not.
    assert race.check(basis, [0.95, 0.45]) is None
    # A failed fit never races a candidate out.
    assert race.check(basis, [np.nan, 0.1]) is None


class QualityRegressor(RegressorMixin, BaseEstimator):
    """Fits instantly; scores ``-(a - 0.3)**2`` plus an offset per test fold."""

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        # X[:, 0] holds the fold number of each row: folds differ in difficulty.
        fold = int(X[0, 0]) % len(FOLD_OFFSET)
        return -((self.a - 0.3) ** 2) + FOLD_OFFSET[fold] + 0.001 * self.a * fold


def fold_data(n_folds=5, per_fold=4):
    X = np.repeat(np.arange(n_folds), per_fold)[:, None].astype(float)
    return X, np.zeros(len(X))


SPACE = {"a": Real(-3.0, 3.0)}


@pytest.mark.parametrize("cls", [BayesSearchCV, TPESearchCV, QuasiRandomSearchCV])
def test_cv_results_of_a_raced_search(cls):
    X, y = fold_data()
    search = cls(
        QualityRegressor(), SPACE, n_iter=16, cv=KFold(5), racing=True, random_state=0
    ).fit(X, y)
    results = search.cv_results_
    evaluated = results["n_splits_evaluated"]
    raced = evaluated < 5
    assert raced.any() and (evaluated >= 2).all()
    splits = np.column_stack([results[f"split{i}_test_score"] for i in range(5)])
    # Raced-out folds are NaN; means and stds are over the folds evaluated.
    assert (np.isnan(splits).sum(axis=1) == 5 - evaluated).all()
    np.testing.assert_allclose(results["mean_test_score"], np.nanmean(splits, 1))
    np.testing.assert_allclose(results["std_test_score"], np.nanstd(splits, 1))
    # Every raced-out candidate ranks after every fully evaluated one.
    assert (
        results["rank_test_score"][raced].min()
        > results["rank_test_score"][~raced].max()
    )
    # The best candidate is a full-CV mean.
    assert evaluated[search.best_index_] == 5
    assert search.best_score_ == pytest.approx(splits[search.best_index_].mean())
    assert search.best_score_ == np.max(results["mean_test_score"][~raced])


def _best_of(results, full):
    rows = np.flatnonzero((results["n_splits_evaluated"] == 5) == full)
    return int(rows[np.argmax(results["mean_test_score"][rows])])


def _best_raced_out(results):
    return _best_of(results, full=False)


def _best_full(results):
    return _best_of(results, full=True)


@pytest.mark.parametrize("refit", [_best_raced_out, _best_full])
def test_a_refit_callable_choosing_a_raced_out_candidate_is_warned(refit):
    X, y = fold_data()
    search = TPESearchCV(
        QualityRegressor(), SPACE, n_iter=16, cv=KFold(5), racing=True,
        random_state=0, refit=refit,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    results = search.cv_results_
    # The callable's choice stands, as in scikit-learn.
    assert search.best_index_ == refit(results)
    partial = results["n_splits_evaluated"][search.best_index_] < 5
    assert partial == (refit is _best_raced_out)
    warned = [w for w in caught if "racing stopped" in str(w.message)]
    assert len(warned) == partial


def test_a_raced_out_candidate_is_never_the_models_best():
    # KFold takes the rows in order: the easiest test folds come first, so
    # a raced-out mean over its first folds beats every full mean.
    X = np.repeat([4, 2, 0, 3, 1], 4)[:, None].astype(float)
    search = TPESearchCV(
        QualityRegressor(), SPACE, n_iter=16, cv=KFold(5), racing=True, random_state=0
    ).fit(X, np.zeros(len(X)))
    results = search.cv_results_
    raced = results["n_splits_evaluated"] < 5
    assert results["mean_test_score"][raced].max() > search.best_score_
    # What the model was told of a raced-out candidate (its full mean as its
    # folds, paired with the incumbent's, predict it) stays below the
    # incumbent: the model's best, and scikit-optimize's result, are the
    # search's best. Told its plain mean, a raced-out candidate was x.
    result = search.optimizer_results_[0]
    assert result.fun == pytest.approx(-search.best_score_)
    assert result.x == [search.best_params_["a"]]


def test_without_racing_the_columns_are_sklearns():
    X, y = fold_data()
    search = QuasiRandomSearchCV(QualityRegressor(), SPACE, n_iter=6, cv=KFold(5))
    assert "n_splits_evaluated" not in search.fit(X, y).cv_results_


def test_racing_with_repeated_folds_and_several_metrics():
    X, y = fold_data(n_folds=5)
    scoring = {"own": lambda est, X, y: est.score(X), "neg": lambda est, X, y: -est.a}
    search = BayesSearchCV(
        QualityRegressor(), SPACE, n_iter=14, cv=RepeatedKFold(n_splits=5, n_repeats=2,
        random_state=0), scoring=scoring, refit="own", racing=0.9, random_state=0,
    ).fit(X, y)  # fmt: skip
    results = search.cv_results_
    raced = results["n_splits_evaluated"] < 10
    assert raced.any()
    for metric in ("own", "neg"):
        ranks = results[f"rank_test_{metric}"]
        assert ranks[raced].min() > ranks[~raced].max()
        assert np.isnan(results[f"split9_test_{metric}"][raced]).all()
    assert not raced[search.best_index_]


def test_a_raced_search_is_reproducible_on_threads():
    X, y = fold_data()
    runs = []
    for n_jobs in (1, 3):
        search = BayesSearchCV(
            QualityRegressor(), SPACE, n_iter=14, cv=KFold(5), racing=True,
            n_points=3, n_jobs=n_jobs, random_state=1,
        )  # fmt: skip
        with joblib.parallel_backend("threading"):
            runs.append(search.fit(X, y).cv_results_)
    assert runs[0]["params"] == runs[1]["params"]
    np.testing.assert_array_equal(
        runs[0]["n_splits_evaluated"], runs[1]["n_splits_evaluated"]
    )


def test_a_raced_search_resumes_with_its_raced_candidates():
    X, y = fold_data()
    kept = []

    def stop_at_10(result):
        kept.append(result)
        return len(result.x_iters) >= 10

    first = BayesSearchCV(
        QualityRegressor(), SPACE, n_iter=16, cv=KFold(5), racing=True, random_state=0
    ).fit(X, y, callback=stop_at_10)
    resumed = BayesSearchCV(
        QualityRegressor(), SPACE, n_iter=16, cv=KFold(5), racing=True, random_state=0
    ).fit(X, y, resume_from=kept[-1])
    evaluated = resumed.cv_results_["n_splits_evaluated"]
    assert len(evaluated) == 16
    np.testing.assert_array_equal(
        evaluated[:10], first.cv_results_["n_splits_evaluated"]
    )
    assert evaluated[resumed.best_index_] == 5


def test_a_logger_sees_raced_out_folds_as_cv_results_does():
    from tests.test_tracking import ListLogger

    X, y = fold_data()
    logger = ListLogger()
    search = QuasiRandomSearchCV(
        QualityRegressor(), SPACE, n_iter=16, cv=KFold(5), racing=True,
        random_state=0, callbacks=[logger],
    ).fit(X, y)  # fmt: skip
    results = search.cv_results_
    raced = results["n_splits_evaluated"] < 5
    assert raced.any()
    for i, candidate in enumerate(logger.candidates):
        folds = [results[f"split{k}_test_score"][i] for k in range(5)]
        np.testing.assert_allclose(candidate.fold_scores, folds)
        assert candidate.mean_score == pytest.approx(results["mean_test_score"][i])
    # The best so far is a fully evaluated candidate's.
    assert logger.candidates[-1].best_index == search.best_index_
    assert logger.candidates[-1].best_score == pytest.approx(search.best_score_)


@pytest.mark.parametrize("cls", [BayesSearchCV, HalvingBayesSearchCV])
@pytest.mark.parametrize("racing", [0.3, 1.0, "yes", 2])
def test_bad_racing_is_refused_before_any_fit(cls, racing):
    X, y = fold_data()
    search = cls(QualityRegressor(), SPACE, racing=racing)
    with pytest.raises(ValueError, match="racing"):
        search.fit(X, y)


class BudgetRegressor(QualityRegressor):
    """QualityRegressor with a resource: scores rise a little with ``budget``."""

    def __init__(self, a=0.0, budget=1):
        self.a = a
        self.budget = budget

    def score(self, X, y=None):
        return super().score(X, y) + 0.01 * self.budget


def halving(racing, **kwargs):
    settings = dict(
        estimator=BudgetRegressor(), search_spaces=SPACE, resource="budget",
        min_resources=1, max_resources=9, n_candidates=27, cv=KFold(5),
        racing=racing, random_state=0,
    )  # fmt: skip
    return HalvingBayesSearchCV(**{**settings, **kwargs})


def iteration_params(results, itr):
    return [
        tuple(sorted(p.items()))
        for p, i in zip(results["params"], results["iter"], strict=True)
        if i == itr
    ]


def test_halving_races_candidates_out_of_promotion():
    X, y = fold_data()
    raced_search = halving(True).fit(X, y)
    plain = halving(False).fit(X, y)
    results = raced_search.cv_results_
    assert "n_splits_evaluated" not in plain.cv_results_
    assert raced_search.n_candidates_ == plain.n_candidates_ == [27, 9, 3]
    evaluated = results["n_splits_evaluated"]
    raced = evaluated < 5
    assert raced.any() and (evaluated >= 2).all()
    # The first iteration is the same design with or without racing, and the
    # same candidates are promoted: racing only stopped candidates that were
    # not going to be.
    assert set(iteration_params(results, 0)) == set(
        iteration_params(plain.cv_results_, 0)
    )
    for itr in (1, 2):
        promoted = set(iteration_params(results, itr))
        assert promoted == set(iteration_params(plain.cv_results_, itr))
        previous = np.asarray(results["iter"]) == itr - 1
        raced_before = {
            tuple(sorted(p.items()))
            for p, r, prev in zip(results["params"], raced, previous, strict=True)
            if r and prev
        }
        assert not promoted & raced_before
    # Raced-out rows rank after the fully evaluated ones; the best is full.
    assert (
        results["rank_test_score"][raced].min()
        > results["rank_test_score"][~raced].max()
    )
    assert evaluated[raced_search.best_index_] == 5
    assert raced_search.best_params_ == plain.best_params_
    assert evaluated.sum() < 5 * len(evaluated)


class TiedRegressor(BudgetRegressor):
    """Scores in steps of 0.5: many candidates of an iteration tie."""

    def score(self, X, y=None):
        return np.round(2 * super().score(X, y)) / 2


def test_racing_breaks_ties_in_promotion_as_without_racing(monkeypatch):
    # A promoted iteration is evaluated best first with racing; ties among
    # its scores must still promote what they promote without racing. With
    # no candidate raced out (a tied one may be, legitimately), only the
    # order of evaluation differs.
    monkeypatch.setattr(Race, "check", lambda self, basis, outputs: None)
    X, y = fold_data()
    searches = [
        halving(racing, estimator=TiedRegressor(), n_candidates=81, max_resources=27)
        for racing in (False, True)
    ]
    plain, raced = (search.fit(X, y) for search in searches)
    assert plain.n_candidates_ == raced.n_candidates_ == [81, 27, 9, 3]
    assert (raced.cv_results_["n_splits_evaluated"] == 5).all()
    for itr in range(4):
        assert set(iteration_params(raced.cv_results_, itr)) == set(
            iteration_params(plain.cv_results_, itr)
        )
    assert raced.best_params_ == plain.best_params_


def test_a_raced_halving_search_is_reproducible_on_threads():
    X, y = fold_data()
    runs = []
    # Several runs: a told candidate's dict may be freed and its id taken by
    # a later one, at times that vary (a rung once counted its proposals by
    # their ids, and evaluated candidates of the rung before again).
    for n_jobs in (1, 2, 3, 3, 3):
        with joblib.parallel_backend("threading"):
            runs.append(halving(True, n_jobs=n_jobs).fit(X, y).cv_results_)
    for run in runs[1:]:
        assert run["params"] == runs[0]["params"]
        np.testing.assert_array_equal(
            run["n_splits_evaluated"], runs[0]["n_splits_evaluated"]
        )
    assert np.bincount(runs[0]["iter"]).tolist() == [27, 9, 3]


@pytest.mark.parametrize("stop_after", [7, 30])
def test_a_raced_halving_search_resumes_as_if_never_stopped(stop_after):
    X, y = fold_data()
    kept = []

    def stop(result):
        kept.append(result)
        return len(kept) >= stop_after

    uninterrupted = halving(True).fit(X, y).cv_results_
    stopped = halving(True, callbacks=[stop]).fit(X, y)
    assert len(stopped.cv_results_["params"]) < len(uninterrupted["params"])
    resumed = halving(True).fit(X, y, resume_from=kept[-1]).cv_results_
    assert resumed["params"] == uninterrupted["params"]
    np.testing.assert_array_equal(
        resumed["n_splits_evaluated"], uninterrupted["n_splits_evaluated"]
    )
    np.testing.assert_allclose(
        resumed["mean_test_score"], uninterrupted["mean_test_score"]
    )
