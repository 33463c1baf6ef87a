"""sksmbo: scikit-learn compatible hyperparameter search by sequential model-based
optimization."""

from sksmbo._optimizer import Optimizer
from sksmbo._search import QuasiRandomSearchCV
from sksmbo.space import Categorical, Integer, Real, Space

__version__ = "0.1.0.dev0"

__all__ = [
    "Categorical",
    "Integer",
    "Optimizer",
    "QuasiRandomSearchCV",
    "Real",
    "Space",
    "__version__",
]
