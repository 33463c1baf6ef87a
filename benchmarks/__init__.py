"""Benchmarks for sksmbo: quality at equal budget, overhead per iteration, scaling.

Run ``python benchmarks/run.py --quick`` (see ``benchmarks/README.md``). This
package is not part of the installed ``sksmbo`` distribution; peers
(scikit-optimize, optuna, optuna-integration) are imported lazily here and
never by ``sksmbo/``.
"""
