"""Every plot renders to PNG (Agg), from sksmbo's searches and sklearn's own."""

import sys

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from sksmbo import QuasiRandomSearchCV
from sksmbo.plots import (
    plot_convergence,
    plot_evaluations,
    plot_importance,
    plot_objective,
)
from tests.conftest import FastClassifier

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

PLOTS = [plot_convergence, plot_evaluations, plot_objective, plot_importance]
# a matters most (score -(a - 0.3)**2), then c (+0.1 for "y"), then b (0.01 |b - 3|).
SPACE = {"a": (0.01, 1.0, "log-uniform"), "b": (0, 6), "c": ["x", "y", "z"]}


@pytest.fixture(scope="module")
def Xy():
    return make_classification(n_samples=40, n_features=4, random_state=0)


@pytest.fixture(scope="module")
def smbo(Xy):
    search = QuasiRandomSearchCV(
        FastClassifier(), SPACE, n_iter=10, n_points=2, cv=2, random_state=0
    )
    return search.fit(*Xy)


@pytest.fixture(scope="module")
def grid(Xy):
    param_grid = {"a": [0.01, 0.1, 0.3, 1.0], "c": ["x", "y"]}
    return GridSearchCV(FastClassifier(), param_grid, cv=2).fit(*Xy)


@pytest.fixture(scope="module")
def conditional(Xy):
    """``a`` and ``b`` are never set together."""
    spaces = [{"a": (0.0, 1.0), "c": ["x", "y"]}, {"b": (0, 6), "c": ["x", "y"]}]
    search = QuasiRandomSearchCV(
        FastClassifier(), spaces, n_iter=10, n_points=2, cv=2, random_state=0
    )
    return search.fit(*Xy)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def save(obj, tmp_path):
    """Render the figure behind an Axes (or array of Axes) to a PNG file."""
    ax = obj.flat[0] if isinstance(obj, np.ndarray) else obj
    path = tmp_path / "figure.png"
    ax.figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def best_so_far(scores):
    return np.fmax.accumulate(np.asarray(scores, dtype=float))


# -- plot_convergence --------------------------------------------------------------


def test_convergence_of_several_searches(smbo, grid, tmp_path):
    ax = plot_convergence(smbo, ("grid", grid), smbo.optimizer_results_[0])
    save(ax, tmp_path)
    assert isinstance(ax, matplotlib.axes.Axes)
    lines = ax.get_lines()
    assert len(lines) == 3
    np.testing.assert_allclose(
        lines[0].get_ydata(), best_so_far(smbo.cv_results_["mean_test_score"])
    )
    np.testing.assert_allclose(
        lines[1].get_ydata(), best_so_far(grid.cv_results_["mean_test_score"])
    )
    # An OptimizeResult holds negated scores: same curve as its search.
    np.testing.assert_allclose(lines[2].get_ydata(), lines[0].get_ydata())
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(1, 11))
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["QuasiRandomSearchCV", "grid"]  # a result has no default label


def test_convergence_labels_and_existing_axes(smbo, grid):
    _, ax = plt.subplots()
    assert plot_convergence(smbo, grid, ax=ax, labels=["a", "b"]) is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    with pytest.raises(ValueError, match=r"'labels' parameter.*one label per curve"):
        plot_convergence(smbo, grid, labels=["a"])


def test_convergence_of_several_runs_plots_their_mean(Xy):
    runs = [
        QuasiRandomSearchCV(
            FastClassifier(), SPACE, n_iter=n_iter, cv=2, random_state=seed
        ).fit(*Xy)
        for seed, n_iter in [(0, 6), (1, 4)]
    ]
    ax = plot_convergence(("runs", runs))
    mean, *each = ax.get_lines()
    assert len(each) == 2
    curves = [best_so_far(r.cv_results_["mean_test_score"]) for r in runs]
    padded = np.append(curves[1], [curves[1][-1]] * 2)  # the short run keeps its best
    np.testing.assert_allclose(mean.get_ydata(), (curves[0] + padded) / 2)


def test_convergence_multimetric_uses_the_refit_metric(Xy):
    scoring = {"acc": "accuracy", "own": lambda est, X, y: est.score(X, y)}
    search = GridSearchCV(
        FastClassifier(), {"a": [0.1, 0.3]}, scoring=scoring, refit="own", cv=2
    ).fit(*Xy)
    line = plot_convergence(search).get_lines()[0]
    np.testing.assert_allclose(
        line.get_ydata(), best_so_far(search.cv_results_["mean_test_own"])
    )


def test_convergence_rejects_what_it_cannot_read():
    with pytest.raises(TypeError, match="fitted searches, OptimizeResults"):
        plot_convergence("search")
    with pytest.raises(NotFittedError):
        plot_convergence(GridSearchCV(FastClassifier(), {"a": [0.1]}))
    with pytest.raises(ValueError, match="at least one"):
        plot_convergence()


# -- plot_evaluations --------------------------------------------------------------


def test_evaluations_grid(smbo, tmp_path):
    axes = plot_evaluations(smbo)
    save(axes, tmp_path)
    assert axes.shape == (3, 3)
    assert all(isinstance(ax, matplotlib.axes.Axes) for ax in axes.flat)
    assert not axes[0, 1].axison  # upper triangle hidden
    # a is log-uniform; c is categorical, placed at its index with its labels.
    assert axes[2, 0].get_xscale() == "log"
    assert axes[1, 0].get_xscale() == "log"
    assert axes[1, 1].get_xscale() == "linear"
    labels = [t.get_text() for t in axes[2, 0].get_yticklabels()]
    assert labels == ["x", "y", "z"]
    assert [axes[2, j].get_xlabel() for j in range(3)] == ["a", "b", "c"]
    # Every candidate is plotted, and the best one starred.
    points, star = axes[1, 0].collections
    assert len(points.get_offsets()) == 10
    best = smbo.best_params_
    np.testing.assert_allclose(star.get_offsets(), [[best["a"], best["b"]]])


def test_evaluations_of_chosen_parameters(smbo):
    axes = plot_evaluations(smbo, params=["c", "a"])
    assert axes.shape == (2, 2)
    assert axes[1, 0].get_xlabel() == "c" and axes[1, 0].get_ylabel() == "a"
    assert plot_evaluations(smbo, params="b").shape == (1, 1)
    with pytest.raises(ValueError, match=r"'params' parameter.*Got \['d'\]"):
        plot_evaluations(smbo, params=["d"])


def test_evaluations_of_grid_search(grid, tmp_path):
    axes = plot_evaluations(grid)
    save(axes, tmp_path)
    assert axes.shape == (2, 2)
    # A grid's numeric list is categorical: one tick per value.
    assert [t.get_text() for t in axes[1, 0].get_xticklabels()] == [
        "0.01",
        "0.1",
        "0.3",
        "1.0",
    ]


def test_evaluations_of_randomized_search_reads_its_distributions(Xy):
    search = RandomizedSearchCV(
        FastClassifier(),
        {"a": loguniform(1e-2, 1.0), "c": ["x", "y"]},
        n_iter=6,
        cv=2,
        random_state=0,
    ).fit(*Xy)
    axes = plot_evaluations(search)
    assert axes[1, 0].get_xscale() == "log"


def test_evaluations_of_conditional_space(conditional, tmp_path):
    axes = plot_evaluations(conditional)
    save(axes, tmp_path)
    assert axes.shape == (3, 3)
    names = [axes[2, j].get_xlabel() for j in range(3)]
    a, b = names.index("a"), names.index("b")
    pair = axes[max(a, b), min(a, b)]
    assert len(pair.collections[0].get_offsets()) == 0  # never set together


def test_unfitted_search_is_refused():
    with pytest.raises(NotFittedError):
        plot_evaluations(QuasiRandomSearchCV(FastClassifier(), SPACE))
    with pytest.raises(TypeError, match="fitted search estimator"):
        plot_evaluations({"a": [1, 2]})


# -- plot_objective ----------------------------------------------------------------


def test_objective_grid(smbo, tmp_path):
    axes = plot_objective(smbo, n_points=8)
    save(axes, tmp_path)
    assert axes.shape == (3, 3)
    assert axes[2, 0].get_xscale() == "log"
    # The diagonal holds one partial dependence curve per parameter.
    diagonal = axes[0, 0].get_lines()[0]
    assert len(diagonal.get_xdata()) == 8
    assert len(axes[2, 2].get_lines()[0].get_xdata()) == 3  # every category
    # One colour scale for the figure.
    assert len(axes[0, 0].figure.axes) == 3 * 3 + 1


def test_objective_follows_the_score(smbo):
    """The score peaks at a = 0.3: so does the partial dependence."""
    line = plot_objective(smbo, params=["a"], n_points=30).flat[0].get_lines()[0]
    x, y = line.get_xdata(), line.get_ydata()
    assert 0.1 < x[np.argmax(y)] < 0.6
    assert y.max() > y[0] and y.max() > y[-1]


def test_objective_of_grid_search_with_a_forest(grid, tmp_path):
    axes = plot_objective(grid, model=RandomForestRegressor(n_estimators=10))
    save(axes, tmp_path)
    assert axes.shape == (2, 2)


def test_objective_of_conditional_space(conditional, tmp_path):
    axes = plot_objective(conditional, n_points=5)
    save(axes, tmp_path)
    texts = [t.get_text() for ax in axes.flat for t in ax.texts]
    assert texts == ["never set\ntogether"]


@pytest.mark.parametrize("n_points", [1, 2.5, "40"])
def test_objective_bad_n_points(smbo, n_points):
    with pytest.raises(ValueError, match=r"'n_points' parameter of plot_objective"):
        plot_objective(smbo, n_points=n_points)


# -- plot_importance ---------------------------------------------------------------


def test_importance_ranks_the_parameter_that_matters(Xy, tmp_path):
    search = QuasiRandomSearchCV(
        FastClassifier(), SPACE, n_iter=24, cv=2, random_state=0
    ).fit(*Xy)
    ax = plot_importance(search)
    save(ax, tmp_path)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.patches) == 3
    ranked = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(ranked) == ["a", "b", "c"]
    assert ranked[-1] == "a"  # drawn on top


def test_importance_of_grid_search_on_given_axes(grid):
    _, ax = plt.subplots()
    assert plot_importance(grid, ax=ax) is ax
    assert len(ax.patches) == 2


def test_surrogates_need_two_scores(Xy):
    search = GridSearchCV(FastClassifier(), {"a": [0.3]}, cv=2).fit(*Xy)
    with pytest.raises(ValueError, match="at least 2 candidates with a finite score"):
        plot_importance(search)


# -- without matplotlib --------------------------------------------------------------


@pytest.mark.parametrize("plot", PLOTS, ids=lambda f: f.__name__)
def test_missing_matplotlib_names_the_extra(plot, smbo, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'requires matplotlib.*"sksmbo\[plots\]"'):
        plot(smbo)
