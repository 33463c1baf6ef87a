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
    code = (
        "import sys, sksmbo; "
        "bad = [m for m in ('matplotlib', 'tqdm', 'dask', 'distributed', 'skopt', "
        "'optuna', 'pandas') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
