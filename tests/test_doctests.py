"""The examples in docstrings run, imported as the installed ``llpscan.*`` modules.

pytest's own ``--doctest-modules`` would import ``physics/kinematics.py`` as a top-level module
``physics.kinematics``: a second copy of the code beside ``llpscan.physics.kinematics`` (and numba
caches keyed to a module name that llpscan never imports). Here every module is imported by its
package name and its doctests are run with the standard library's doctest.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import llpscan

_SKIP = {"llpscan.__main__"}  # runs the command line on import


def _modules() -> list[str]:
    names = ["llpscan", "llpscan.errors", "llpscan.cite"]
    for sub in ("physics", "detectors", "scanner"):
        package = importlib.import_module(f"llpscan.{sub}")
        names.append(package.__name__)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    return [n for n in names if n not in _SKIP]


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    assert module.__name__.startswith("llpscan")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name} (output above)"


def test_every_module_is_reached():
    assert len(_modules()) > 40 and "llpscan.detectors.searches.displaced" in _modules()
    assert llpscan.__name__ == "llpscan"
