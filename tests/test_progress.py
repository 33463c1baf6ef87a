"""What a search reports while it runs (sksmbo._progress): a line per candidate."""

import logging
import re

import numpy as np
from scipy.stats import uniform
from sklearn.datasets import load_iris
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV
from sklearn.svm import SVC

from sksmbo import HalvingBayesSearchCV, TPESearchCV
from tests.conftest import FastClassifier

SPACE = {"a": (0.0, 1.0), "c": ["x", "y"]}
LINE = re.compile(
    r"TPESearchCV: candidate (\d+)/6, score (\S+) ± (\S+), fit \S+ s, "
    r"\{a=\S+, c='[xy]'\}; best (\S+) \(candidate (\d+)\)"
)


def test_one_log_record_per_candidate(data, caplog):
    X, y = data
    search = TPESearchCV(FastClassifier(), SPACE, n_iter=6, cv=2, random_state=0)
    with caplog.at_level(logging.INFO, logger="sksmbo"):
        search.fit(X, y)
    lines = [r.getMessage() for r in caplog.records if r.name == "sksmbo"]
    matches = [LINE.fullmatch(line) for line in lines]
    assert len(lines) == 6 and all(matches), lines
    results = search.cv_results_
    assert [int(m[1]) for m in matches] == list(range(1, 7))
    np.testing.assert_allclose(
        [float(m[2]) for m in matches], results["mean_test_score"], atol=5e-5
    )
    np.testing.assert_allclose(
        [float(m[3]) for m in matches], results["std_test_score"], atol=5e-5
    )
    # The best so far, as cv_results_ says after each candidate.
    running_best = np.maximum.accumulate(results["mean_test_score"])
    np.testing.assert_allclose([float(m[4]) for m in matches], running_best, atol=5e-5)
    assert int(matches[-1][5]) == search.best_index_ + 1


def test_verbose_prints_the_lines_and_quiet_prints_none(data, capsys):
    X, y = data
    TPESearchCV(FastClassifier(), SPACE, n_iter=6, cv=2, random_state=0).fit(X, y)
    assert "candidate" not in capsys.readouterr().out
    TPESearchCV(FastClassifier(), SPACE, n_iter=6, cv=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert sum(1 for line in out.splitlines() if LINE.fullmatch(line)) == 6
    # scikit-learn's line, once for the search as RandomizedSearchCV prints it
    # (not once per candidate, as the engine asks for their fits).
    fitting = [line for line in out.splitlines() if line.startswith("Fitting")]
    assert fitting == ["Fitting 2 folds for each of 6 candidates, totalling 12 fits"]


def test_verbose_says_racing_fits_are_a_maximum(data, capsys):
    X, y = data
    search = TPESearchCV(FastClassifier(), SPACE, n_iter=6, cv=3, verbose=1)
    search.set_params(racing=True).fit(X, y)
    fitting = [
        line for line in capsys.readouterr().out.splitlines() if "Fitting" in line
    ]
    assert fitting == [
        "Fitting up to 3 folds for each of 6 candidates, totalling at most 18 fits"
    ]


def schedule_lines(text):
    keys = ("n_iterations", "n_required_iterations", "n_possible_iterations")
    keys += ("min_resources_", "max_resources_", "aggressive_elimination", "factor")
    keys += ("iter", "n_candidates", "n_resources")
    return [
        line
        for line in text.splitlines()
        if line.split(":")[0] in keys or line.startswith("Fitting")
    ]


def test_halving_prints_what_halving_random_search_prints(capsys):
    X, y = load_iris(return_X_y=True)
    common = dict(n_candidates=9, min_resources=30, factor=3, cv=3, random_state=0)
    space = {"C": uniform(0.1, 9.9)}
    HalvingRandomSearchCV(SVC(), space, verbose=1, **common).fit(X, y)
    theirs = schedule_lines(capsys.readouterr().out)
    HalvingBayesSearchCV(SVC(), {"C": (0.1, 10.0)}, verbose=1, **common).fit(X, y)
    ours = schedule_lines(capsys.readouterr().out)
    assert len(theirs) == 15 and ours == theirs
