"""Sphinx configuration of the llpscan documentation (MyST Markdown pages, autodoc, the click CLI)."""

import sys
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "llpscan"
author = "the llpscan developers"
copyright = "the llpscan developers, BSD-3-Clause"  # noqa: A001 - Sphinx's name
try:
    release = metadata.version("llpscan")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    release = "0+unknown"
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # Google-style "Args:"/"Returns:" sections, as the code writes them
    "sphinx.ext.mathjax",
    "sphinx_click",
    "notebook",  # docs/_ext/notebook.py: the notebooks as tutorial pages
]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "_ext"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = True

html_theme = "alabaster"
html_title = f"llpscan {release}"
html_static_path: list[str] = []
