"""Reach plots: contours of n_signal at the exclusion level in (x, y), log y, as in the papers.

Contour lines come from contourpy on (x, log10 y); each search gets a colour and each value of the
remaining axes a line style. Axis labels come from the coordinates' ``latex`` and ``units`` attrs,
which the store copies from the scenario's parameters.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from pathlib import Path

import contourpy
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from llpscan.errors import ConfigError, StorageError  # noqa: E402
from llpscan.scanner.reading import check_axes, check_not_selected, check_searches, select, store_exclusion  # noqa: E402
from llpscan.scanner.wording import flag  # noqa: E402

__all__ = ["contour_lines", "log_scale", "plot_reach", "check_figure_path", "FIGURE_FORMATS"]


def _formats() -> set[str]:
    from matplotlib.backend_bases import FigureCanvasBase

    return set(FigureCanvasBase.get_supported_filetypes())


#: file suffixes matplotlib can write (png, pdf, svg, ...)
FIGURE_FORMATS = _formats()


def check_figure_path(out, option: str = "out") -> Path:
    """The figure path, checked before any work: a file name with a known format, in a directory
    that exists and can be written, and not an existing directory."""
    text = str(out) if out is not None else ""
    if not text.strip():
        raise ConfigError(f"{flag(option, repr(text))}: empty figure path")
    path = Path(text).expanduser()
    given = flag(option, text)
    if path.is_dir():
        raise ConfigError(f"{given}: is a directory; give a file name such as reach.png")
    if not path.parent.is_dir():
        raise ConfigError(f"{given}: the directory {path.parent} does not exist")
    suffix = path.suffix.lstrip(".").lower()
    if suffix not in FIGURE_FORMATS:
        raise ConfigError(f"{given}: unknown figure format {path.suffix or '(no suffix)'!r}; use one of "
                          f"{', '.join('.' + f for f in sorted(FIGURE_FORMATS))}")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StorageError(f"{given}: the directory {path.parent} is not writable")
    return path


def check_plottable(ds: xr.Dataset, x: str, y: str) -> None:
    """ConfigError unless x and y have at least two values each (a contour needs a plane)."""
    for name in (x, y):
        if ds.sizes.get(name, 1) < 2:
            raise ConfigError(f"a reach contour needs at least 2 values on each plotted axis; {name} has one "
                              f"({float(ds[name].values.ravel()[0]):g}) in this store: use `reach` for a table, "
                              "or plot two other axes")

_COLOURS = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:gray",
            "tab:olive", "tab:cyan"]
_STYLES = ["--", "-.", ":", "-", (0, (5, 1, 1, 1, 1, 1))]

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
    """Axis label from the coordinate's own attrs: its LaTeX symbol (the scenario's parameter) and unit."""
    attrs = ds[name].attrs if name in ds.variables else {}
    symbol = f"${attrs['latex']}$" if attrs.get("latex") else name
    units = attrs.get("units", "")
    return f"{symbol} [{units}]" if units and units != "1" else symbol


def plot_reach(ds: xr.Dataset, x: str, y: str, out, *, sel: dict[str, str] | None = None,
               searches: list[str] | None = None, level: float | None = None, title: str | None = None) -> Path:
    """Write the reach figure of ``ds`` (an opened store) to ``out`` (PNG/PDF) and return its path."""
    check_axes(ds, x, y)
    if searches is not None and (isinstance(searches, str) or not all(isinstance(s, str) for s in searches)):
        raise ConfigError(f"searches must be a list of search labels, got {searches!r}")
    labels = list(searches or check_searches(ds, []))
    check_searches(ds, labels)
    out = check_figure_path(out)
    check_plottable(ds, x, y)
    check_not_selected(sel or {}, x, y)
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
        n = n_all.sel(search=label, **dict(zip(others, combo)))
        n = n.squeeze([d for d in n.dims if d not in (x, y)], drop=True).compute()
        name = ", ".join([label] + [f"{d} = {v:g} {_unit(ds[d])}".rstrip() for d, v in zip(others, combo)])
        closed = None
        if "allowed" in sub:
            allowed = sub["allowed"]
            allowed = allowed.max([d for d in combine if d in allowed.dims])
            allowed = allowed.sel({d: v for d, v in zip(others, combo) if d in allowed.dims})
            closed = allowed == 0
            closed = closed.squeeze([d for d in closed.dims if d not in (x, y)], drop=True).compute()
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
    # written beside and renamed: a full disk never leaves half a figure (nor replaces a good one)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=150, format=out.suffix.lstrip(".").lower())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
    except OSError as e:
        raise StorageError(f"cannot write the figure {out}: {e.strerror or e}") from None
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
