"""sksmbo: scikit-learn compatible hyperparameter search by sequential model-based
optimization."""

from sksmbo._halving import HalvingBayesSearchCV
from sksmbo._optimizer import Optimizer
from sksmbo._search import BayesSearchCV, QuasiRandomSearchCV, TPESearchCV
from sksmbo.space import Categorical, Integer, Real, Space

__version__ = "0.1.0.dev0"

__all__ = [
    "BayesSearchCV",
    "Categorical",
    "HalvingBayesSearchCV",
    "Integer",
    "Optimizer",
    "QuasiRandomSearchCV",
    "Real",
    "Space",
    "TPESearchCV",
    "__version__",
]
