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

__all__ = ["build", "run", "open", "describe", "query", "reach", "plot_reach", "plot_compare", "export", "verify", "api"]

# Public functions, looked up in api on first use. None of these names is also a submodule of this
# package: importing a submodule sets the package attribute of its name, so a module called like a
# function (the old ``scanner/query.py``) replaced ``scanner.query`` the function after first use.
_FROM = {name: "llpscan.scanner.api" for name in ("build", "run", "open", "describe", "query", "plot_reach", "reach",
                                                 "plot_compare", "export", "verify")}


def __getattr__(name):
    if name == "api":
        return import_module("llpscan.scanner.api")
    if name in _FROM:
        return getattr(import_module(_FROM[name]), name)
    raise AttributeError(f"module 'scanner' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
