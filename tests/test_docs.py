"""The documentation site builds without a single warning (docs/, Sphinx + MyST, warnings as errors).

The build imports the package (autodoc), renders the command-line reference from the click app and
the notebooks as tutorial pages, so a renamed function, a broken docstring, a notebook that is not
valid JSON or a page missing from the table of contents fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
NOTEBOOKS = Path(__file__).parent.parent / "notebooks"


@pytest.mark.slow
def test_docs_build_with_warnings_as_errors(tmp_path):
    pytest.importorskip("sphinx")
    out = tmp_path / "html"
    # sphinx-build as a user runs it, in its own process (pytest's warning filters and docutils'
    # global state stay out of it). -W: every Sphinx warning is an error; --keep-going: report all
    # of them; -E and a fresh doctree directory: nothing cached.
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-q", "-b", "html",
           "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stdout}\n{proc.stderr}"
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr
    # every page of the table of contents was written, the tutorials carry their notebook's code
    for page in ("index", "concepts", "physics", "cli", "api", "deploy", "plugins", "tutorials/index"):
        assert (out / f"{page}.html").is_file(), page
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        html = (out / "tutorials" / f"{nb.stem}.html").read_text(encoding="utf-8")
        first_code = next(c for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code")
        first_line = next(line for line in "".join(first_code["source"]).splitlines() if line.strip())
        assert first_line.split()[0] in html, nb.stem
    # the CLI reference is generated from the app: every command is documented
    from llpscan.scanner.cli import cli

    cli_html = (out / "cli.html").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"llpscan {name}" in cli_html, name


def test_every_notebook_has_a_tutorial_page():
    pages = {p.stem for p in (DOCS / "tutorials").glob("*.md")} - {"index"}
    assert pages == {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    toc = (DOCS / "tutorials" / "index.md").read_text()
    assert all(name in toc for name in pages)


def test_physics_page_does_not_point_to_private_notes():
    # the physics choices live in the repository (docs/physics.md), cited by paper and equation
    for page in DOCS.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert "physics-notes" not in text and "seed 00" not in text.lower(), page
    assert sys.version_info >= (3, 11)


def test_every_scenario_option_is_listed_by_presets_and_explained_on_the_physics_page():
    # an option is a physics choice: `llpscan presets` must show it and docs/physics.md say what it does
    from click.testing import CliRunner

    from importlib import metadata

    from llpscan.detectors.registry import SCENARIO_GROUP, scenario_class
    from llpscan.scanner.cli import cli

    listing = CliRunner().invoke(cli, ["presets"]).output
    physics = (DOCS / "physics.md").read_text(encoding="utf-8")
    # the built-in scenarios (a plugin installed beside llpscan documents its own options)
    builtin = [ep.name for ep in metadata.entry_points(group=SCENARIO_GROUP) if ep.dist and ep.dist.name == "llpscan"]
    assert len(builtin) >= 9
    for name in builtin:
        for option, values in scenario_class(name).options.items():
            assert f"{option}={'|'.join(values)}" in listing, (name, option)
            assert f"`{option}=" in physics, (name, option)
