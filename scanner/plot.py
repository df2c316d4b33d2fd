"""Reach plots: contours of n_signal at the exclusion level in (x, y), log y, as in the papers.

Contour lines come from contourpy on (x, log10 y); each search gets a colour and each value of the
remaining axes (e.g. ``m_a``) a line style, like Fig. 3 of Wang, Zhang & Liu (arXiv:2410.00491).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import contourpy
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from llpscan.errors import ConfigError  # noqa: E402

from llpscan.scanner.query import check_axes, check_searches, select, store_exclusion  # noqa: E402

__all__ = ["contour_lines", "log_scale", "plot_reach"]

_COLOURS = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:gray",
            "tab:olive", "tab:cyan"]
_STYLES = ["--", "-.", ":", "-", (0, (5, 1, 1, 1, 1, 1))]

_LABELS = {"m_N": r"$m_N$ [GeV]", "V2": r"$|V_{eN}|^2$", "m_a": r"$m_a$ [GeV]"}


def log_scale(values) -> bool:
    """Whether an axis reads better in log: positive values spanning more than two decades."""
    v = np.asarray(values, dtype=float)
    return bool(v.size > 1 and np.all(v > 0) and v.max() / v.min() > 100)


def contour_lines(n: xr.DataArray, x: str, y: str, level: float, mask: xr.DataArray | None = None,
                  log_x: bool = False) -> list[np.ndarray]:
    """Polylines (k, 2) in (x, y) where ``n`` (dims x, y) crosses ``level`` (> 0); n, y (and x if
    ``log_x``) interpolated in log.

    Points where ``mask`` is true (kinematically closed) are left out, so a contour ends at the
    last open grid point instead of being interpolated into the closed region.
    """
    # interpolate log n, as reach does: n is a power of y at the long-lifetime edge
    z = np.nan_to_num(n.transpose(y, x).values.astype(float), nan=0.0)
    z = np.log10(np.maximum(z, level * 1e-30))
    if mask is not None:
        z = np.ma.masked_array(z, mask=_expand(mask, x, y, z.shape))
    xs = np.log10(n[x].values) if log_x else n[x].values
    gen = contourpy.contour_generator(x=xs, y=np.log10(n[y].values), z=z, line_type="Separate")
    return [np.column_stack([10 ** seg[:, 0] if log_x else seg[:, 0], 10 ** seg[:, 1]])
            for seg in gen.lines(np.log10(level))]


def _expand(mask: xr.DataArray, x: str, y: str, shape) -> np.ndarray:
    """``mask`` with dims among (x, y) as a (ny, nx) boolean array."""
    m = mask
    for d in (y, x):
        if d not in m.dims:
            m = m.expand_dims(d)
    return np.broadcast_to(m.transpose(y, x).values, shape)


def _unit(var: xr.DataArray) -> str:
    """The unit to print after a value: none for dimensionless ("1")."""
    units = var.attrs.get("units", "")
    return "" if units == "1" else units


def _label(name: str, ds: xr.Dataset) -> str:
    if name in _LABELS:
        return _LABELS[name]
    units = ds[name].attrs.get("units", "") if name in ds else ""
    return f"{name} [{units}]" if units and units != "1" else name


def plot_reach(ds: xr.Dataset, x: str, y: str, out, *, sel: dict[str, str] | None = None,
               searches: list[str] | None = None, level: float | None = None, title: str | None = None) -> Path:
    """Write the reach figure of ``ds`` (an opened store) to ``out`` (PNG/PDF) and return its path."""
    check_axes(ds, x, y)
    labels = searches or check_searches(ds, [])
    check_searches(ds, labels)
    out = Path(out)
    if not out.parent.is_dir():
        raise ConfigError(f"--out {out}: the directory {out.parent} does not exist")
    q, lvl, text = store_exclusion(ds, level)
    sub = select(ds.assign(_exclusion=q), sel or {})
    n_all = sub["_exclusion"]
    log_x = log_scale(ds[x].values)
    # a statistic summed over data sets (combine) excludes a point if any of them is open there
    combine = [d for d in json.loads(ds.attrs.get("combine", "[]")) if d not in n_all.dims]
    others = [d for d in n_all.dims if d not in (x, y, "search") and n_all.sizes[d] > 1]
    fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    combos = list(itertools.product(*(n_all[d].values for d in others)))
    for (k, label), (j, combo) in itertools.product(enumerate(labels), enumerate(combos)):
        n = n_all.sel(search=label, **dict(zip(others, combo))).squeeze(drop=True).compute()
        name = ", ".join([label] + [f"{d} = {v:g} {_unit(ds[d])}".rstrip() for d, v in zip(others, combo)])
        closed = None
        if "allowed" in sub:
            allowed = sub["allowed"]
            allowed = allowed.max([d for d in combine if d in allowed.dims])
            allowed = allowed.sel({d: v for d, v in zip(others, combo) if d in allowed.dims})
            closed = (allowed == 0).squeeze(drop=True).compute()
        lines = contour_lines(n, x, y, lvl, closed, log_x=log_x)
        for i, seg in enumerate(lines):
            # one search: a colour per curve; several: a colour per search, a line style per other value
            colour, style = (_COLOURS[j % len(_COLOURS)], "-") if len(labels) == 1 else \
                (_COLOURS[k % len(_COLOURS)], "-" if len(combos) == 1 else _STYLES[j % len(_STYLES)])
            ax.plot(seg[:, 0], seg[:, 1], color=colour, ls=style,
                    label=name if i == 0 else None)
    ax.set_yscale("log")
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(_label(x, ds))
    ax.set_ylabel(_label(y, ds))
    ax.set_xlim(float(ds[x].min()), float(ds[x].max()))
    ax.set_ylim(float(ds[y].min()), float(ds[y].max()))
    fixed = [f"{c} = {float(sub[c]):g} {_unit(sub[c])}".rstrip()
             for c in sub.coords if sub[c].ndim == 0 and c not in (x, y, "search") and sub[c].dtype.kind == "f"]
    ax.set_title(title or f"{ds.attrs.get('scenario', '')}: {text}", fontsize=10)
    if fixed:
        ax.text(0.02, 0.02, "\n".join(fixed), transform=ax.transAxes, fontsize=7, va="bottom")
    handles = ax.get_legend_handles_labels()[0]
    if len(handles) > 4:  # many curves: the legend goes beside the axes, not over the curves
        fig.set_size_inches(10.0, 4.8)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    elif handles:
        ax.legend(fontsize=8, loc="best", framealpha=0.8)
    else:
        ax.text(0.5, 0.5, "no reach at this level", transform=ax.transAxes, ha="center")
    fig.savefig(out, dpi=150)
    plt.close(fig)
    return out
