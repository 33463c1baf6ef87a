"""
Stopping a search early, then picking it up where it stopped
============================================================

A search can stop before ``n_iter`` candidates: after ``max_time`` seconds,
when a callback returns True, or on Ctrl-C. Whatever stopped it, the fitted
search keeps every candidate evaluated so far (``cv_results_``,
``best_params_``, ``best_score_`` and a refit ``best_estimator_``). It can
then be continued without evaluating any candidate again: by the same object
(``warm_start=True``), or by a new one from a checkpoint file
(``fit(..., resume_from=path)``).

An SVC pipeline on the digits dataset shipped with scikit-learn, tuned with
:class:`~sksmbo.BayesSearchCV`. Printed: candidates evaluated, best score and
wall time at each step. The count of the time-limited first step depends on the
machine's speed.
"""

# %%
import os
import tempfile
import time

from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksmbo import BayesSearchCV
from sksmbo.callbacks import CheckpointSaver, DeadlineStopper, NoImprovementStopper
from sksmbo.callbacks import load as load_checkpoint

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(StandardScaler(), SVC())
space = {
    "svc__C": (1e-2, 1e3, "log-uniform"),
    "svc__gamma": (1e-5, 1e0, "log-uniform"),
}
cv = StratifiedKFold(3, shuffle=True, random_state=0)
N_ITER = 30


def report(step, search, elapsed):
    n = len(search.cv_results_["params"])
    print(
        f"{step:<44} {n:>3}/{N_ITER} candidates  best {search.best_score_:.4f}  "
        f"{elapsed:5.1f}s"
    )


def timed_fit(search, **fit_params):
    start = time.perf_counter()
    search.fit(X, y, **fit_params)
    return time.perf_counter() - start


# %%
# 1. A time budget: ``max_time``
# -------------------------------
# The budget is checked after every round (here one candidate per round,
# ``n_points=1``): the round running when it runs out is finished, then the
# search stops and refits the best candidate so far.
search = BayesSearchCV(
    pipe, space, n_iter=N_ITER, cv=cv, max_time=2.0, warm_start=True, random_state=0
)
elapsed = timed_fit(search)
report("max_time=2.0", search, elapsed)
first_rows = list(search.cv_results_["params"])

# %%
# 2. Continue with ``warm_start=True``
# ------------------------------------
# Calling ``fit`` again on the same data continues the search up to
# ``n_iter`` (raise ``n_iter`` with ``set_params`` to go further). The
# candidates evaluated before are not fitted again.
search.set_params(max_time=None)
elapsed = timed_fit(search)
report("warm start, no time limit", search, elapsed)
kept = search.cv_results_["params"][: len(first_rows)] == first_rows
print(f"  the {len(first_rows)} earlier candidates open cv_results_ unchanged: {kept}")

# %%
# 3. Stop when the score stalls, with a checkpoint after every round
# ------------------------------------------------------------------
# A callback receives the search's result after every round; one returning
# True stops the search. ``NoImprovementStopper`` stops once ``patience``
# candidates in a row have not improved the best score. ``CheckpointSaver``
# never stops the search: it writes its state to a file after every round (to
# a temporary file first, so an interrupted write leaves the previous
# checkpoint intact).
path = os.path.join(tempfile.mkdtemp(), "search.pkl")
stopped = BayesSearchCV(
    pipe,
    space,
    n_iter=N_ITER,
    cv=cv,
    random_state=1,
    callbacks=[CheckpointSaver(path), NoImprovementStopper(patience=6)],
)
elapsed = timed_fit(stopped)
report("CheckpointSaver + NoImprovementStopper(6)", stopped, elapsed)

checkpoint = load_checkpoint(path)
print(
    f"  checkpoint: {len(checkpoint.x_iters)} candidates, best score "
    f"{-checkpoint.fun:.4f} (func_vals are negated scores, as in scikit-optimize)"
)

# %%
# 4. Resume from the checkpoint in a new object
# ---------------------------------------------
# As a new process would: a new search object, the same data, ``cv`` and
# ``search_spaces``, and the path of the checkpoint. ``DeadlineStopper`` caps
# this part at 20 seconds; its clock starts when it is created, so it is
# created right before ``fit``.
resumed = BayesSearchCV(pipe, space, n_iter=N_ITER, cv=cv, random_state=1)
elapsed = timed_fit(
    resumed, resume_from=path, callback=DeadlineStopper(total_time=20.0)
)
report("new object, fit(resume_from=path)", resumed, elapsed)
n_before = len(checkpoint.x_iters)
same = resumed.cv_results_["params"][:n_before] == list(stopped.cv_results_["params"])
print(f"  the {n_before} checkpointed candidates open cv_results_ unchanged: {same}")
print(f"  best parameters: {resumed.best_params_}")

# %%
# Ctrl-C
# ------
# Interrupting ``fit`` with Ctrl-C loses the round in progress only: the
# search warns how many candidates it kept, refits the best of them and
# returns normally, so ``warm_start`` or a checkpoint can continue it. If no
# round of that ``fit`` call had finished, the ``KeyboardInterrupt`` propagates.
