"""Sphinx configuration of the sksmbo documentation.

Build (offline, warnings as errors), from the repository root:

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Nothing is fetched: there is no intersphinx; references to scikit-learn,
scipy, numpy and joblib that Sphinx cannot resolve become plain links to
their documentation (``_external_link`` below), and sphinx-gallery is given
no ``reference_url``, binder or JupyterLite setting.

The example gallery is built from ``examples/`` and sphinx-gallery *runs*
every ``plot_*.py`` script (``plot_gallery`` is True): its pages show the
printed numbers and figures of that run, and a script that fails fails the
build. The scripts use datasets shipped with scikit-learn and each takes
under about 30 s on two cores, so the whole build stays within a few minutes;
``quickstart.py`` does not match ``filename_pattern``, is shown without being
run, and CI runs it on its own. matplotlib draws with the non-interactive
``agg`` backend. BLAS and OpenMP get one thread each unless the environment
says otherwise, as in CI: the examples parallelize over cross-validation fits
(``n_jobs``), and a thread pool per fit on top would oversubscribe the cores
(``plot_notebook_flow.py``, whose histogram gradient boosting uses OpenMP,
took 83 s instead of 8 s on a busy two-core machine). To render the gallery
without running it, add ``-D plot_gallery=0`` (and drop ``-W``: Sphinx warns
that the override is a string).
"""

from __future__ import annotations

import os

# Before numpy, scipy or scikit-learn load their thread pools (see above).
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault("MPLBACKEND", "agg")

import re  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402
from docutils import nodes  # noqa: E402

matplotlib.use("agg")

# sphinx-gallery resolves the names an example imports, and scikit-learn
# refuses HalvingRandomSearchCV until its experimental flag is imported.
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401

import sksmbo  # noqa: E402

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

project = "sksmbo"
author = "the sksmbo developers"
copyright = "the sksmbo developers"
release = sksmbo.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
default_role = "literal"

html_theme = "pydata_sphinx_theme"
html_title = f"sksmbo {release}"
html_theme_options = {"navigation_with_keys": False}
html_show_sourcelink = False

# -- API reference ---------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- figures of the user guide (.. plot::), small and drawn at build time ---
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
plot_rcparams = {"figure.max_open_warning": 0}

# -- markdown pages (benchmarks.md) -------------------------------------------
myst_heading_anchors = 3

# -- example gallery ---------------------------------------------------------
# sphinx-gallery wants a header file inside the folder it reads; the scripts
# live in examples/, so they are copied with docs/gallery_header.txt into a
# folder under _build/ (never committed) at every build.
GALLERY_SRC = DOCS / "_build" / "gallery_src"


def _stage_gallery() -> None:
    if GALLERY_SRC.exists():
        shutil.rmtree(GALLERY_SRC)
    GALLERY_SRC.mkdir(parents=True)
    for script in sorted((ROOT / "examples").glob("*.py")):
        shutil.copy2(script, GALLERY_SRC / script.name)
    # README.txt: the header name every sphinx-gallery version reads.
    shutil.copy2(DOCS / "gallery_header.txt", GALLERY_SRC / "README.txt")


_stage_gallery()

sphinx_gallery_conf = {
    "examples_dirs": [str(GALLERY_SRC)],
    "gallery_dirs": ["auto_examples"],
    # Run the plot_*.py examples (about 30 s each at most) and show their
    # output; a bool, not -D plot_gallery=1, which -W turns into an error.
    "plot_gallery": True,
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}

# -- references outside these docs, without intersphinx ----------------------
_EXTERNAL = {
    "sklearn": "https://scikit-learn.org/stable/modules/generated/{page}.html{anchor}",
    "scipy": "https://docs.scipy.org/doc/scipy/reference/generated/{page}.html{anchor}",
    "numpy": "https://numpy.org/doc/stable/reference/generated/{page}.html{anchor}",
    "joblib": "https://joblib.readthedocs.io/en/stable/generated/{page}.html{anchor}",
    "matplotlib": "https://matplotlib.org/stable/api/_as_gen/{page}.html{anchor}",
}
_SKLEARN_GLOSSARY = "https://scikit-learn.org/stable/glossary.html#term-{term}"


def _external_link(app, env, node, contnode):
    """A link to the project's docs for a reference Sphinx cannot resolve.

    ``:term:`` goes to scikit-learn's glossary (the docstrings follow
    scikit-learn's); ``:class:``, ``:func:`` ... to the object's page on its
    project's site. Anything else stays unresolved (and warns, as usual).
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") == "std" and node.get("reftype") == "term":
        term = re.sub(r"[^a-z0-9]+", "-", target.lower()).strip("-")
        uri = _SKLEARN_GLOSSARY.format(term=term)
    elif node.get("refdomain") == "py" and target.split(".")[0] in _EXTERNAL:
        parts = target.split(".")
        # The page of a class holds its methods: cut after the first CamelCase part.
        cut = next((i for i, p in enumerate(parts) if p[:1].isupper()), len(parts) - 1)
        page = ".".join(parts[: cut + 1])
        anchor = "" if page == target else f"#{target}"
        uri = _EXTERNAL[parts[0]].format(page=page, anchor=anchor)
    else:
        return None
    reference = nodes.reference("", "", internal=False, refuri=uri)
    reference += contnode
    return reference


def _skip_metadata_requests(app, what, name, obj, skip, options):
    """Leave out the ``set_*_request`` methods scikit-learn's metadata routing
    generates: they are scikit-learn's, documented there (api.rst says so)."""
    if re.fullmatch(r"set_\w+_request", name):
        return True
    return None


def setup(app):
    app.connect("missing-reference", _external_link)
    app.connect("autodoc-skip-member", _skip_metadata_requests)
