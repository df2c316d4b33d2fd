"""llpscan's service layer: scan configs, lazy xarray/dask grids, zarr stores, reach and plots.

The only package that imports dask and zarr. Python API::

    from llpscan import scanner
    scanner.run("belle2-alp-hnl", "belle2-alp-hnl.zarr")
    ds = scanner.open("belle2-alp-hnl.zarr")          # Dataset of dask arrays, n_signal lazy
    ds.llp.reach(x="m_N", y="V2", search="1DV")        # lower/upper boundaries per m_N
    scanner.reach("belle2-alp-hnl.zarr", "m_N", "V2", search="1DV", sel={"m_a": 4.7})

Attributes load on first use, so the command line starts without importing dask, xarray or
matplotlib for commands that do not need them.
"""

from importlib import import_module

__all__ = ["build", "run", "open", "describe", "query", "reach", "plot_reach", "plot_compare", "export", "api"]

_FROM = {"build": "llpscan.scanner.api", "run": "llpscan.scanner.api", "open": "llpscan.scanner.api", "describe": "llpscan.scanner.api",
         "query": "llpscan.scanner.api", "plot_reach": "llpscan.scanner.api", "reach": "llpscan.scanner.api",
         "plot_compare": "llpscan.scanner.api", "export": "llpscan.scanner.api"}


def __getattr__(name):
    if name == "api":
        return import_module("llpscan.scanner.api")
    if name in _FROM:
        return getattr(import_module(_FROM[name]), name)
    raise AttributeError(f"module 'scanner' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
