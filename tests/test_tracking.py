"""Experiment tracking: CandidateLogger, and MLflowCallback on a real local store."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import FastClassifier
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from sksmbo import HalvingBayesSearchCV, Optimizer, QuasiRandomSearchCV, TPESearchCV
from sksmbo.callbacks import CandidateLogger, MLflowCallback

SPACE = {"a": (0.0, 1.0), "b": [1, 2, 3, 4]}


class ListLogger(CandidateLogger):
    """Keeps what it receives, as a test double for a tracking service."""

    def __init__(self):
        self.events = []

    def on_search_start(self):
        self.events.append("start")

    def on_candidate(self, candidate):
        self.events.append(candidate)

    def on_search_end(self, search):
        self.events.append(("end", search))

    @property
    def candidates(self):
        return [e for e in self.events if not isinstance(e, str | tuple)]


def _search(**kwargs):
    params = {"n_iter": 6, "n_points": 2, "cv": 3, "random_state": 0, **kwargs}
    return TPESearchCV(FastClassifier(), SPACE, **params)


# -- CandidateLogger: no tracking service needed ---------------------------------


def test_each_candidate_is_logged_once_with_its_cv_results_row(data):
    X, y = data
    logger = ListLogger()
    search = _search().fit(X, y, callback=logger)
    logged = logger.candidates
    results = search.cv_results_
    assert logger.events[0] == "start" and logger.events.count("start") == 1
    assert [c.index for c in logged] == list(range(6))
    for i, c in enumerate(logged):
        assert c.params == results["params"][i]
        assert c.mean_score == pytest.approx(results["mean_test_score"][i])
        folds = [results[f"split{k}_test_score"][i] for k in range(3)]
        np.testing.assert_allclose(c.fold_scores, folds)
        assert c.mean_fit_time == pytest.approx(results["mean_fit_time"][i])
        assert c.best_score == pytest.approx(results["mean_test_score"][: i + 1].max())
    assert logged[-1].best_index == search.best_index_
    logger.finish(search)  # nothing left to log: the search ends
    assert logger.events[-1] == ("end", search)
    assert len(logger.candidates) == 6


def test_multimetric_reports_the_refit_metric(data):
    X, y = data
    logger = ListLogger()
    search = QuasiRandomSearchCV(
        LogisticRegression(),
        {"C": (1e-3, 1e3, "log-uniform")},
        n_iter=4,
        n_points=2,
        cv=3,
        scoring=["accuracy", "neg_log_loss"],
        refit="neg_log_loss",
        random_state=0,
    ).fit(X, y, callback=logger)
    logged = logger.candidates
    assert set(logged[0].test_scores) == {"accuracy", "neg_log_loss"}
    np.testing.assert_allclose(
        [c.mean_score for c in logged], search.cv_results_["mean_test_neg_log_loss"]
    )
    assert logged[-1].best_score == pytest.approx(search.best_score_)


def test_warm_start_continues_the_same_search(data):
    X, y = data
    logger = ListLogger()
    search = _search(warm_start=True, callbacks=[logger])
    search.fit(X, y)
    search.set_params(n_iter=10).fit(X, y)
    assert logger.events.count("start") == 1
    assert [c.index for c in logger.candidates] == list(range(10))
    # After finish, the next fit is a new search, logged from its first candidate.
    logger.finish(search)
    _search(callbacks=[logger]).fit(X, y)
    assert logger.events.count("start") == 2
    assert [c.index for c in logger.candidates][10:] == list(range(6))


def test_finish_logs_a_halving_search_from_cv_results(data):
    # HalvingBayesSearchCV takes no callbacks: finish reads its cv_results_.
    X, y = make_classification(n_samples=400, n_features=4, random_state=0)
    search = HalvingBayesSearchCV(
        FastClassifier(), SPACE, factor=3, cv=3, min_resources=60, random_state=0
    ).fit(X, y)
    logger = ListLogger().finish(search)
    logged = logger.candidates
    results = search.cv_results_
    assert logger.events[0] == "start" and logger.events[-1] == ("end", search)
    assert len(logged) == len(results["params"])
    assert [c.more_results["n_resources"] for c in logged] == list(
        results["n_resources"]
    )
    # The best so far is the best at the largest resources evaluated so far.
    last = logged[-1]
    top = results["n_resources"] == results["n_resources"].max()
    assert last.best_score == pytest.approx(results["mean_test_score"][top].max())


def test_a_halving_callback_logs_each_evaluation_with_its_resources(data):
    X, y = make_classification(n_samples=400, n_features=4, random_state=0)
    logger = ListLogger()
    search = HalvingBayesSearchCV(
        FastClassifier(), SPACE, factor=3, cv=3, min_resources=60, random_state=0,
        callbacks=[logger],
    ).fit(X, y)  # fmt: skip
    logged = logger.candidates
    results = search.cv_results_
    assert len(logged) == len(results["params"])
    assert [c.more_results["n_resources"] for c in logged] == list(
        results["n_resources"]
    )
    assert [c.more_results["iter"] for c in logged] == list(results["iter"])
    assert "bracket" not in logged[0].more_results  # one bracket: no such column
    top = results["n_resources"] == results["n_resources"].max()
    assert logged[-1].best_score == pytest.approx(results["mean_test_score"][top].max())


def test_a_bare_optimizer_result_is_logged_without_fold_scores():
    optimizer = Optimizer(SPACE, random_state=0)
    logger = ListLogger()
    for _ in range(2):
        points = optimizer.ask(2)
        optimizer.tell(points, [p["a"] for p in points])
        assert logger(optimizer.result()) is False
    logged = logger.candidates
    assert [c.params for c in logged] == optimizer.Xi
    assert [c.mean_score for c in logged] == pytest.approx(optimizer.yi)
    assert logged[0].fold_scores is None and logged[-1].best_score == max(optimizer.yi)


def test_on_candidate_must_be_implemented(data):
    X, y = data
    with pytest.warns(UserWarning, match="must implement on_candidate"):
        search = _search().fit(X, y, callback=CandidateLogger())
    assert len(search.cv_results_["params"]) == 2  # the error stopped the search


# -- MLflowCallback without mlflow ---------------------------------------------


def test_importing_callbacks_does_not_import_mlflow():
    code = "import sys, sksmbo.callbacks; print('mlflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_missing_mlflow_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # import mlflow fails
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"the 'mlflow' extra: `pip install mlflow`"):
        MLflowCallback()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"experiment_name": 1}, "'experiment_name' parameter of MLflowCallback"),
        ({"log_model": "yes"}, "'log_model' parameter of MLflowCallback"),
    ],
)
def test_invalid_arguments(kwargs, match):
    pytest.importorskip("mlflow")
    with pytest.raises(ValueError, match=match):
        MLflowCallback(**kwargs)


# -- MLflowCallback against a real local store ---------------------------------


@pytest.fixture
def mlflow(tmp_path, monkeypatch):
    """mlflow writing to a file store in ``tmp_path``, restored afterwards."""
    mlflow = pytest.importorskip("mlflow")
    # MLflow 3.7+ refuses the file store unless told; no usage reports from tests.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri((tmp_path / "mlruns").as_uri())
    yield mlflow
    while mlflow.active_run() is not None:
        mlflow.end_run()
    mlflow.set_tracking_uri(previous)


def _runs(mlflow, tracker):
    """(parent run, nested runs by candidate index) of the tracker's search."""
    client = mlflow.MlflowClient()
    runs = client.search_runs([tracker.experiment_id_])
    children = {
        int(r.data.tags["candidate_index"]): r
        for r in runs
        if r.data.tags.get("mlflow.parentRunId") == tracker.run_id_
    }
    return client.get_run(tracker.run_id_), children


def test_mlflow_parent_and_nested_runs_read_back(mlflow, data):
    X, y = data
    tracker = MLflowCallback(
        experiment_name="tracking-test", run_name="tpe", tags={"team": "a"}
    )
    search = _search().fit(X, y, callback=tracker)
    parent, children = _runs(mlflow, tracker)
    results = search.cv_results_

    assert parent.info.run_name == "tpe" and parent.data.tags["team"] == "a"
    assert parent.info.status == "FINISHED"  # after every round: nothing left open
    assert sorted(children) == list(range(6))
    for i, child in children.items():
        assert child.info.status == "FINISHED"
        assert child.data.params == {k: str(v) for k, v in results["params"][i].items()}
        metrics = child.data.metrics
        for column in ("mean_test_score", "std_test_score", "split2_test_score"):
            assert metrics[column] == pytest.approx(results[column][i])
        assert metrics["mean_fit_time"] == pytest.approx(results["mean_fit_time"][i])
        best = results["mean_test_score"][: i + 1].max()
        assert metrics["best_score_so_far"] == pytest.approx(best)
    curve = mlflow.MlflowClient().get_metric_history(parent.info.run_id, "score")
    assert [m.step for m in curve] == list(range(6))
    np.testing.assert_allclose([m.value for m in curve], results["mean_test_score"])


def test_mlflow_finish_logs_the_best_and_the_refitted_model(mlflow, data):
    X, y = data
    pytest.importorskip("pandas")  # mlflow.sklearn needs it
    lr_space = {"C": (1e-3, 1e3, "log-uniform")}
    search = QuasiRandomSearchCV(
        LogisticRegression(), lr_space, n_iter=3, cv=3, random_state=0
    )
    # cloudpickle and explicit requirements: no skops, no requirement inference.
    tracker = MLflowCallback(
        log_model={
            "serialization_format": "cloudpickle",
            "pip_requirements": ["scikit-learn"],
        }
    )
    search.fit(X, y, callback=tracker)
    tracker.finish(search)
    parent, children = _runs(mlflow, tracker)
    assert len(children) == 3  # finish did not log them again
    assert parent.data.params == {"best_C": str(search.best_params_["C"])}
    assert parent.data.metrics["best_score"] == pytest.approx(search.best_score_)
    assert "refit_time" in parent.data.metrics
    model = mlflow.sklearn.load_model(f"runs:/{tracker.run_id_}/best_estimator")
    np.testing.assert_array_equal(model.predict(X), search.predict(X))


def test_mlflow_logs_a_halving_search_at_finish(mlflow):
    X, y = make_classification(n_samples=400, n_features=4, random_state=0)
    search = HalvingBayesSearchCV(
        FastClassifier(),
        SPACE,
        cv=3,
        min_resources=60,
        random_state=0,
        refit=False,
    ).fit(X, y)
    tracker = MLflowCallback().finish(search)
    parent, children = _runs(mlflow, tracker)
    assert len(children) == len(search.cv_results_["params"])
    levels = [children[i].data.metrics["n_resources"] for i in sorted(children)]
    assert levels == list(search.cv_results_["n_resources"])


def test_mlflow_parent_nests_in_the_active_run(mlflow, data):
    X, y = data
    with mlflow.start_run() as outer:
        tracker = MLflowCallback(log_model=False)
        _search(n_iter=2).fit(X, y, callback=tracker)
        assert mlflow.active_run().info.run_id == outer.info.run_id  # left as found
    parent, children = _runs(mlflow, tracker)
    assert parent.data.tags["mlflow.parentRunId"] == outer.info.run_id
    assert len(children) == 2
