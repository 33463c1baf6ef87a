"""Pilot variants of HalvingBayesSearchCV, run through ``run.py``'s machinery.

Variants that answered a question and were not kept; registered as ablation
methods, then the ordinary command line of ``run.py`` follows::

    python benchmarks/pilot_halving.py --tasks hgb_iters_large,hgb_iters_regression \\
        --methods halving_random,sksmbo_bayes,pilot_draws_third,pilot_draws_half \\
        --n-iter 15 --seeds 20,21,22,23,24,25,26,27,28,29 --out benchmarks/results/pilot

* ``pilot_draws_third`` / ``pilot_draws_half``: the first-rung model
  (``n_startup``), with TPE's good set the best third / half of the cheap
  scores and each proposal a plain draw from the good density (no
  ``l / g`` argmax): the candidates spread over the promising region
  instead of crowding at its best point.
* ``pilot_hb_tpe``: ``sksmbo_hyperband_bayes`` with TPE, which it has used
  by default since 2026-12-04 (the two are now the same).
* ``pilot_hb_gp``: ``sksmbo_hyperband_bayes`` as it was before, with the
  multi-fidelity GP.
* ``pilot_hb_first_rung``: ``sksmbo_hyperband_bayes`` with the first-rung
  model of ``sksmbo_halving_first_rung_model`` (``n_startup``): does
  Hyperband keep its gain where cheap scores are faithful and bound its loss
  where they mislead, since the later brackets start higher?
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# run first: it pins BLAS to one thread before anything loads numpy.
from benchmarks import run  # noqa: E402, I001
from benchmarks import methods  # noqa: E402


def _first_rung_draws(gamma):
    def build(task, ctx):
        from sksmbo import HalvingBayesSearchCV
        from sksmbo._surrogates.tpe import TPEProposer

        class Draws(HalvingBayesSearchCV):
            def _make_optimizer(self, space, seed, first_rung):
                optimizer, model = super()._make_optimizer(space, seed, first_rung)
                model.proposer = TPEProposer(gamma=gamma, n_ei_candidates=1)
                return optimizer, model

        base = methods._sksmbo_halving_first_rung_model(task, ctx)
        return Draws(**base.get_params(deep=False))

    return build


def _hyperband(surrogate):
    def build(task, ctx):
        return methods._sksmbo_hyperband(task, ctx).set_params(surrogate=surrogate)

    return build


def _hyperband_first_rung(task, ctx):
    n_startup = methods._sksmbo_halving_first_rung_model(task, ctx).n_startup
    return methods._sksmbo_hyperband(task, ctx).set_params(n_startup=n_startup)


PILOTS = {
    "pilot_draws_third": _first_rung_draws(1 / 3),
    "pilot_draws_half": _first_rung_draws(1 / 2),
    "pilot_hb_tpe": _hyperband("tpe"),
    "pilot_hb_gp": _hyperband("gp"),
    "pilot_hb_first_rung": _hyperband_first_rung,
}

if __name__ == "__main__":
    requires = (("sksmbo", "HalvingBayesSearchCV"),)
    for name, build in PILOTS.items():
        methods.METHODS[name] = methods.Method(
            name,
            "sksmbo",
            requires,
            build,
            halving=True,
            hyperband=name.startswith("pilot_hb_"),
            ablation=True,
        )
    run.main()
