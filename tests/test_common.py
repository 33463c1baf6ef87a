import inspect
import subprocess
import sys

import sksmbo


def test_all_is_complete_and_importable():
    public = {
        name
        for name, obj in vars(sksmbo).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
    }
    assert public <= set(sksmbo.__all__)
    for name in sksmbo.__all__:
        assert hasattr(sksmbo, name)


def test_import_pulls_no_optional_dependency():
    # What the runtime dependencies import themselves does not count:
    # scikit-learn imports pandas whenever it is installed.
    code = (
        "import sys, numpy, scipy, joblib, sklearn.model_selection; "
        "before = set(sys.modules); import sksmbo; "
        "bad = [m for m in ('matplotlib', 'tqdm', 'dask', 'distributed', 'skopt', "
        "'optuna', 'pandas') if m in set(sys.modules) - before]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
