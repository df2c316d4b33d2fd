"""The ``.llp`` accessor on xarray Datasets opened from llpscan stores."""

from __future__ import annotations

import xarray as xr

from llpscan.scanner.reading import store_exclusion, store_level
from llpscan.scanner.boundaries import reach

__all__ = ["LLPAccessor"]


@xr.register_dataset_accessor("llp")
class LLPAccessor:
    """``ds.llp.reach(x="m_N", y="V2")``: lazy lower/upper boundaries of the excluded region."""

    def __init__(self, ds: xr.Dataset):
        self._ds = ds

    @property
    def level(self) -> float:
        """The level the store's exclusion quantity is compared with (3 for ``events-3``)."""
        return store_level(self._ds, None)

    def reach(self, x: str, y: str, *, search: str | None = None, level: float | None = None,
              var: str | None = None) -> xr.Dataset:
        """Dataset ``lower``/``upper`` (units of y) on every dim but y; lazy for dask input.

        By default the region the store's statistic excludes; ``var`` with ``level`` draws the
        region where any other variable reaches ``level``.
        """
        if var is None:
            da, lvl, _ = store_exclusion(self._ds, level)
        else:
            da, lvl = self._ds[var], store_level(self._ds, level)
        if search is not None:
            da = da.sel(search=search)
        return reach(da.transpose(..., x, y), y, lvl)

    def plot(self, x: str | None = None, y: str | None = None, out=None, **kwargs):
        """Draw the reach figure and return its Axes (``ax=`` to draw into yours, ``out`` to also
        write it); see :func:`llpscan.scanner.plot.plot_reach`."""
        from llpscan.scanner.plot import plot_reach

        return plot_reach(self._ds, x, y, out=out, **kwargs)

    def band(self, x: str, y: str, *, band="mc", search: str | None = None, level: float | None = None):
        """Boundaries with a band: ``"mc"`` (Monte-Carlo error) or other Datasets (their envelope);
        see :mod:`llpscan.scanner.bands`."""
        from llpscan.scanner.bands import band_of

        return band_of(self._ds, band, x, y, level=level, search=search)
