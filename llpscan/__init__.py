"""llpscan: long-lived-particle reach scans on dask, stored in zarr.

One import name, organised by concept:

- :mod:`llpscan.physics`: nature only (constants, PDG data, kinematics, widths, models);
- :mod:`llpscan.detectors`: experiments, searches and the scenarios that bind a model to them;
- :mod:`llpscan.scanner`: the service (configs, lazy xarray/dask scans, zarr stores, statistics,
  reach, plots, the command line).

The public API is here::

    import llpscan
    report = llpscan.run("belle2-alp-hnl", "belle2-alp-hnl.zarr")
    ds = llpscan.open("belle2-alp-hnl.zarr")
    llpscan.reach(ds, x="m_N", y="V2", search="1DV")

Attributes load on first use, so ``import llpscan`` (and the command line) does not import dask,
xarray or matplotlib before they are needed.
"""

from importlib import import_module, metadata

try:
    __version__ = metadata.version("llpscan")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__", "build", "run", "open", "describe", "query", "reach", "plot", "plot_reach",
           "plot_compare", "export", "verify", "cite", "scenarios", "errors", "physics", "detectors", "scanner"]

_API = {"build", "run", "open", "describe", "query", "reach", "plot_reach", "plot_compare", "export", "verify"}
_SUBPACKAGES = {"physics", "detectors", "scanner", "errors"}


def __getattr__(name):
    if name in _SUBPACKAGES:
        return import_module(f"llpscan.{name}")
    if name in _API:
        return getattr(import_module("llpscan.scanner.api"), name)
    if name == "plot":
        return getattr(import_module("llpscan.scanner.api"), "plot_reach")
    if name == "cite":
        return import_module("llpscan.cite")
    if name == "scenarios":
        return import_module("llpscan.detectors.registry")
    raise AttributeError(f"module 'llpscan' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
