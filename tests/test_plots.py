"""Every plot renders to PNG (Agg), from sksmbo's searches and sklearn's own."""

import sys
import warnings

import numpy as np
import pytest
from scipy.optimize import OptimizeResult
from scipy.stats import loguniform
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV

from sksmbo import (
    BayesSearchCV,
    HalvingBayesSearchCV,
    QuasiRandomSearchCV,
    TPESearchCV,
)
from sksmbo.plots import (
    _scores,
    plot_convergence,
    plot_evaluations,
    plot_histogram,
    plot_importance,
    plot_objective,
)
from sksmbo.space import Categorical, Integer, Real, Space
from tests.conftest import FastClassifier
from tests.test_racing import QualityRegressor

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

PLOTS = [plot_convergence, plot_evaluations, plot_objective, plot_importance]
PLOTS_WITH_ARGS = [(plot, ()) for plot in PLOTS] + [(plot_histogram, ("a",))]
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


class TwoParameterQuality(QualityRegressor):
    """``QualityRegressor`` with a second, idle parameter to plot against."""

    def __init__(self, a=0.0, b=0.0):
        self.a = a
        self.b = b


def test_raced_out_candidates_never_lead_the_figures():
    # KFold takes the rows in order: the easiest test folds come first, so a
    # raced-out candidate's mean over its first folds beats every full mean.
    X = np.repeat([4, 2, 0, 3, 1], 4)[:, None].astype(float)
    space = {"a": Real(-3.0, 3.0), "b": Real(0.0, 1.0)}
    search = TPESearchCV(
        TwoParameterQuality(), space, n_iter=16, cv=KFold(5), racing=True,
        random_state=0,
    ).fit(X, np.zeros(len(X)))  # fmt: skip
    results = search.cv_results_
    raced = results["n_splits_evaluated"] < 5
    assert results["mean_test_score"][raced].max() > search.best_score_
    curve = plot_convergence(search).get_lines()[0].get_ydata()
    assert curve.max() == search.best_score_
    _, star = plot_evaluations(search)[1, 0].collections
    best = search.best_params_
    np.testing.assert_allclose(star.get_offsets(), [[best["a"], best["b"]]])
    # The surrogates see a raced-out candidate's full mean as its folds,
    # paired with the best's, predict it.
    assert (_scores(search)[raced] < search.best_score_).all()


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


# -- OptimizeResult and scikit-optimize's keywords ---------------------------------


def hand_result(n=12, seed=0):
    """An OptimizeResult in scikit-optimize's format: score a + b, higher is better."""
    rng = np.random.default_rng(seed)
    space = Space({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0), "k": Categorical(["p"])})
    x_iters = [[float(a), float(b), "p"] for a, b in rng.uniform(size=(n, 2))]
    scores = np.array([a + b + 1.0 for a, b, _ in x_iters])  # positive
    return OptimizeResult(
        x=x_iters[int(np.argmax(scores))],
        fun=-scores.max(),
        x_iters=x_iters,
        func_vals=-scores,  # skopt minimizes
        space=space,
        models=[],
    )


def figure_data(axes):
    """Every line, scatter offset and bar height of a grid of axes."""
    data = []
    for ax in np.ravel(axes):
        data += [np.column_stack(line.get_data()) for line in ax.get_lines()]
        data += [
            np.asarray(c.get_offsets()) for c in ax.collections if c.get_offsets().size
        ]
        data += [np.array([p.get_height() for p in ax.patches])]
    return data


@pytest.mark.parametrize(
    "plot, kwargs",
    [
        (plot_evaluations, {}),
        (plot_objective, {"n_points": 6}),
        (plot_importance, {}),
        (plot_histogram, {"dimension_identifier": "a"}),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_result_and_search_give_the_same_figure(plot, kwargs, smbo):
    from_search = figure_data(plot(smbo, **kwargs))
    from_result = figure_data(plot(smbo.optimizer_results_[0], **kwargs))
    assert len(from_search) == len(from_result) > 0
    for a, b in zip(from_search, from_result, strict=True):
        np.testing.assert_allclose(a, b)


def test_result_of_a_conditional_space_is_read_per_sub_space(conditional):
    """x_iters hold one sub-space's values: [0, "y"] is b=0, never a=0.0."""
    result = conditional.optimizer_results_[0]
    assert len(result.x_iters[0]) == 2
    for a, b in zip(
        figure_data(plot_evaluations(conditional)),
        figure_data(plot_evaluations(result)),
        strict=True,
    ):
        np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("source", ["search", "result"])
def test_histogram_counts_the_evaluated_values(source, smbo, tmp_path):
    obj = smbo if source == "search" else smbo.optimizer_results_[0]
    a = np.asarray(smbo.cv_results_["param_a"], dtype=float)
    ax = plot_histogram(obj, "a", bins=5)
    save(ax, tmp_path)
    heights = [p.get_height() for p in ax.patches]
    edges = [ax.patches[0].get_x()] + [p.get_x() + p.get_width() for p in ax.patches]
    assert len(heights) == 5 and ax.get_xscale() == "log"  # a is log-uniform
    np.testing.assert_allclose(edges, np.geomspace(edges[0], edges[-1], 6))
    np.testing.assert_array_equal(heights, np.histogram(a, bins=edges)[0])
    assert ax.get_xlabel() == "a"
    # A categorical parameter: one bar per category, in the dimension's order.
    c = list(smbo.cv_results_["param_c"])
    ax = plot_histogram(obj, 2, rotate_labels=30)  # by position: a, b, c
    assert [p.get_height() for p in ax.patches] == [c.count(v) for v in "xyz"]
    ticks = ax.get_xticklabels()
    assert [t.get_text() for t in ticks] == ["x", "y", "z"]
    assert ticks[0].get_rotation() == 30
    # An integer range narrower than bins: one bar per value.
    assert len(plot_histogram(obj, "b").patches) == 7


def test_histogram_rejects_unknown_parameters(smbo):
    result = smbo.optimizer_results_[0]
    with pytest.raises(ValueError, match=r"'dimension_identifier'.*Got 'd' instead"):
        plot_histogram(result, "d")
    with pytest.raises(ValueError, match=r"'dimension_identifier'.*Got 3 instead"):
        plot_histogram(result, 3)
    with pytest.raises(ValueError, match=r"'bins' parameter of plot_histogram"):
        plot_histogram(result, "a", bins=0)


def test_evaluations_skopt_keywords(smbo):
    result = smbo.optimizer_results_[0]
    axes = plot_evaluations(
        result,
        4,
        dimensions=["C", "kernel"],
        plot_dims=[0, "c"],
        size=1.5,
        cmap="plasma",
    )
    assert axes.shape == (2, 2)
    assert [axes[1, j].get_xlabel() for j in range(2)] == ["C", "kernel"]
    assert axes[1, 0].get_ylabel() == "kernel"
    assert len(axes[0, 0].patches) == 4  # bins, positionally as in skopt
    assert axes[1, 0].collections[0].get_cmap().name == "plasma"
    np.testing.assert_allclose(axes[0, 0].figure.get_size_inches(), [3.0, 3.0])
    # wspace/hspace are subplots_adjust's; one Axes is replaced by the grid.
    fig, ax = plt.subplots()
    axes = plot_evaluations(result, ax=ax, plot_dims=["a", "b"], wspace=0.5)
    assert axes.shape == (2, 2) and ax not in fig.axes and len(fig.axes) == 4
    assert axes[1, 0].get_subplotspec().get_gridspec()._wspace == 0.5
    with pytest.raises(ValueError, match=r"'dimensions' parameter.*one label per"):
        plot_evaluations(result, dimensions=["C"])
    with pytest.raises(ValueError, match="'params' or its scikit-optimize alias"):
        plot_evaluations(result, params=["a"], plot_dims=["a"])
    with pytest.raises(ValueError, match=r"'plot_dims' parameter.*Got \[7\]"):
        plot_evaluations(result, plot_dims=[7])


def test_constant_parameters_are_left_out_by_default():
    result = hand_result()
    assert plot_evaluations(result).shape == (2, 2)  # k takes one value
    assert plot_evaluations(result, plot_dims=["a", "k"]).shape == (2, 2)


def test_objective_skopt_keywords():
    result = hand_result()
    axes = plot_objective(
        result,
        5,
        8,
        model=LinearRegression(),
        zscale="log",
        show_points=False,
        cmap="magma",
        dimensions=["A", "B"],
    )
    contour = axes[1, 0].collections[0]
    assert len(contour.levels) == 6  # levels=5 intervals, shared by all panels
    assert contour.get_cmap().name == "magma"
    assert contour.norm.__class__.__name__ == "LogNorm"
    assert len(axes[1, 0].collections) == 2  # contour and the star, no points
    assert len(axes[0, 0].get_lines()[0].get_xdata()) == 8
    assert [axes[1, 0].get_xlabel(), axes[1, 0].get_ylabel()] == ["A", "B"]
    levels = [1.0, 2.0, 3.0, 4.0]
    axes = plot_objective(result, levels, model=LinearRegression())
    np.testing.assert_allclose(axes[1, 0].collections[0].levels, levels)
    with pytest.raises(ValueError, match=r"'zscale' parameter.*Got 'sqrt'"):
        plot_objective(result, zscale="sqrt")
    with pytest.raises(ValueError, match=r"'levels' parameter.*Got \[2, 1\]"):
        plot_objective(result, [2, 1])


def test_objective_sample_source_and_minimum():
    """A linear surrogate makes the partial dependence exact."""
    result = hand_result()
    X = np.array([x[:2] for x in result.x_iters], dtype=float)
    best = np.array(result.x[:2], dtype=float)
    model = LinearRegression().fit(X, -result.func_vals)

    def diagonal(**kwargs):
        axes = plot_objective(result, model=LinearRegression(), n_points=5, **kwargs)
        return axes[0, 0].get_lines()[0].get_data()

    grid = np.linspace(0, 1, 5)
    # "result": a slice through the best candidate.
    x, y = diagonal(sample_source="result")
    np.testing.assert_allclose(x, grid)
    rows = np.column_stack([grid, np.full(5, best[1])])
    np.testing.assert_allclose(y, model.predict(rows))
    # "evaluated" averages over the candidates, "random" over uniform draws.
    _, y = diagonal(sample_source="evaluated")
    rows = np.column_stack([grid, np.full(5, X[:, 1].mean())])
    np.testing.assert_allclose(y, model.predict(rows))
    _, y = diagonal(sample_source="random", n_samples=2000)
    rows = np.column_stack([grid, np.full(5, 0.5)])
    np.testing.assert_allclose(y, model.predict(rows), atol=0.02)
    # A given point (a list in x_iters order, or a dict).
    _, y = diagonal(sample_source=[0.5, 0.25, "p"])
    np.testing.assert_allclose(y, model.predict(np.column_stack([grid, [0.25] * 5])))
    # minimum: where the star goes.
    axes = plot_objective(
        result, model=LinearRegression(), minimum={"a": 0.2, "b": 0.7}
    )
    np.testing.assert_allclose(axes[1, 0].collections[-1].get_offsets(), [[0.2, 0.7]])
    assert axes[0, 0].get_lines()[1].get_xdata()[0] == pytest.approx(0.2)
    axes = plot_objective(
        result,
        model=LinearRegression(),
        minimum="expected_minimum_random",
        n_minimum_search=500,
    )
    star = axes[1, 0].collections[-1].get_offsets()[0]
    assert star.min() > 0.9  # the score a + b is highest at (1, 1)
    axes = plot_objective(result, model=LinearRegression(), minimum="result")
    np.testing.assert_allclose(axes[1, 0].collections[-1].get_offsets()[0], best)
    with pytest.raises(ValueError, match=r"'minimum' parameter.*Got 'best'"):
        plot_objective(result, minimum="best")
    with pytest.raises(ValueError, match=r"'sample_source' parameter.*sets 'a' to 2"):
        plot_objective(result, sample_source={"a": 2})


def test_log_zscale_needs_positive_scores(smbo):
    with pytest.raises(ValueError, match="zscale='log'.*positive partial dependence"):
        plot_objective(smbo, n_points=4, zscale="log")


def test_errors_never_dump_a_result(smbo):
    result = smbo.optimizer_results_[0]
    with pytest.raises(ValueError, match="'dimensions' parameter") as error:
        plot_objective(result, dimensions=["C", "degree", "gamma", "kernel", "x"])
    assert "func_vals" not in str(error.value) and len(str(error.value)) < 300
    broken = OptimizeResult(x_iters=[[1.0]], func_vals=[0.0], space=list(range(500)))
    with pytest.raises(TypeError, match="'space'.*an object of type list") as error:
        plot_objective(broken)
    assert len(str(error.value)) < 300
    with pytest.raises(TypeError, match="an object of type dict") as error:
        plot_histogram(dict(result), 0)
    with pytest.raises(TypeError, match="an object of type dict"):
        plot_convergence({i: i for i in range(100)})


def test_skopt_space_in_a_result():
    """scikit-optimize's own results name their dimensions."""
    skopt_space = pytest.importorskip("skopt.space")
    space = skopt_space.Space(
        [skopt_space.Real(0.0, 1.0, name="a"), skopt_space.Categorical(["u", "v"])]
    )
    result = OptimizeResult(
        x_iters=[[0.1, "u"], [0.5, "v"], [0.9, "u"]],
        func_vals=[0.3, 0.1, 0.2],
        space=space,
        x=[0.5, "v"],
        models=[],
    )
    ax = plot_histogram(result, 1)
    assert ax.get_xlabel() == "X_1"
    assert [p.get_height() for p in ax.patches] == [2, 1]
    assert plot_evaluations(result).shape == (2, 2)


# -- convergence of successive halving -------------------------------------------


class SmallSetsScoreHigh(FastClassifier):
    """Scores more on smaller test sets, as a small first rung does by chance."""

    def score(self, X, y=None):
        return super().score(X, y) + 5.0 / len(X)


@pytest.mark.parametrize(
    "search_class", ["HalvingBayesSearchCV", "HalvingRandomSearchCV"]
)
def test_convergence_of_halving_uses_the_final_level(search_class, Xy):
    if search_class == "HalvingRandomSearchCV":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV as search_class
    else:
        search_class = HalvingBayesSearchCV
    kwargs = {"n_candidates": 9, "factor": 3, "min_resources": 4, "cv": 2}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the small first rung
        search = search_class(
            SmallSetsScoreHigh(),
            {"a": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]},
            random_state=0,
            **kwargs,
        ).fit(*Xy)
    results = search.cv_results_
    scores = np.asarray(results["mean_test_score"])
    final = np.asarray(results["n_resources"]) == max(results["n_resources"])
    assert scores.max() > search.best_score_  # mixing levels would overshoot
    line = plot_convergence(search).get_lines()[0]
    y = line.get_ydata()
    np.testing.assert_allclose(y, best_so_far(scores[final]))
    assert y.max() <= scores[final].max()
    assert y[-1] == pytest.approx(search.best_score_)
    label = line.get_label()
    assert label.endswith(f"(n_resources={max(results['n_resources'])})")


def test_convergence_skopt_keywords(smbo):
    ax = plot_convergence(smbo.optimizer_results_[0], true_minimum=0.0, yscale="symlog")
    assert ax.get_yscale() == "symlog"
    line = ax.get_lines()[-1]
    assert line.get_label() == "Best possible"
    np.testing.assert_allclose(line.get_ydata(), [0.0, 0.0])  # -true_minimum
    with pytest.raises(ValueError, match=r"'true_minimum'.*Got 'low'"):
        plot_convergence(smbo, true_minimum="low")


# -- scikit-optimize's "advanced" example, only the imports changed ---------------


def test_skopt_advanced_example_runs(tmp_path):
    """sklearn-gridsearchcv-replacement.py (skopt docs), on a small budget:
    200 digits, 6 + 4 evaluations instead of 40 + 16."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.svm import SVC, LinearSVC

    X, y = load_digits(n_class=10, return_X_y=True)
    X, y = X[:200], y[:200]
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    pipe = Pipeline([("model", SVC())])
    linsvc_search = {
        "model": [LinearSVC(max_iter=1000)],
        "model__C": (1e-6, 1e6, "log-uniform"),
    }
    svc_search = {
        "model": Categorical([SVC()]),
        "model__C": Real(1e-6, 1e6, prior="log-uniform"),
        "model__gamma": Real(1e-6, 1e1, prior="log-uniform"),
        "model__degree": Integer(1, 8),
        "model__kernel": Categorical(["linear", "poly", "rbf"]),
    }
    opt = BayesSearchCV(
        pipe, [(svc_search, 6), (linsvc_search, 4)], cv=3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LinearSVC's ConvergenceWarning, as in skopt
        opt.fit(X_train, y_train)
    assert opt.score(X_test, y_test) > 0.5

    axes = plot_objective(
        opt.optimizer_results_[0],
        dimensions=["C", "degree", "gamma", "kernel"],
        n_minimum_search=int(1e8),
    )
    save(axes, tmp_path)
    assert axes.shape == (4, 4)  # "model" takes one value: left out, as in skopt
    assert [axes[3, j].get_xlabel() for j in range(4)] == [
        "C",
        "degree",
        "gamma",
        "kernel",
    ]
    ax = plot_histogram(opt.optimizer_results_[1], 1)
    save(ax, tmp_path)
    assert ax.get_xlabel() == "model__C"
    assert sum(p.get_height() for p in ax.patches) == 4


# -- without matplotlib --------------------------------------------------------------


@pytest.mark.parametrize(
    "plot, args", PLOTS_WITH_ARGS, ids=lambda v: getattr(v, "__name__", "")
)
def test_missing_matplotlib_names_the_extra(plot, args, smbo, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    expected = r"requires matplotlib, the 'plots' extra: `pip install matplotlib`"
    with pytest.raises(ImportError, match=expected):
        plot(smbo, *args)
