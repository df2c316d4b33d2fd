"""``{notebook}`` directive: a Jupyter notebook of the repository rendered as MyST Markdown.

The notebooks in ``notebooks/`` are the tutorials. They are stored without outputs and executed by
the test suite, so the documentation shows their narrative and code and says how to run them; it
does not execute them (a build stays fast and needs no kernel). Markdown cells are parsed as MyST,
code cells become ``python`` code blocks. No third-party code: the notebook format is JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

__all__ = ["NotebookDirective", "notebook_to_myst", "setup"]


def notebook_to_myst(path: Path) -> list[str]:
    """The cells of the notebook at ``path`` as lines of MyST Markdown."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines: list[str] = []
    for cell in nb["cells"]:
        source = "".join(cell["source"]).rstrip("\n")
        if not source:
            continue
        if cell["cell_type"] == "markdown":
            lines += source.splitlines()
        elif cell["cell_type"] == "code":
            lines += ["````python", *source.splitlines(), "````"]
        lines.append("")
    return lines


class NotebookDirective(SphinxDirective):
    """``{notebook} ../../notebooks/NAME.ipynb``: the notebook's cells, in order, in this page."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        rel = self.arguments[0]
        path = (Path(self.env.srcdir) / Path(self.env.docname).parent / rel).resolve()
        if not path.is_file():
            raise self.error(f"notebook {rel} not found ({path})")
        self.env.note_dependency(str(path))  # rebuild the page when the notebook changes
        container = nodes.container(classes=["notebook"])
        self.state.nested_parse(StringList(notebook_to_myst(path), str(path)), 0, container, match_titles=True)
        return container.children


def setup(app):
    app.add_directive("notebook", NotebookDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
