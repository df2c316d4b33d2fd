"""Exports of reach curves and contours with their provenance: CSV, JSON and HEPData YAML.

Every export says what it is and where it comes from: the axes and their units, the search, the
selection of the other axes, the statistic and level, the band if any, the seed and events per mass
point, the llpscan and library versions, the scenario's citation and BibTeX keys, the store's
path and config hash. CSV carries them as ``# key: value`` comment lines above the table (read it
with ``comment="#"``); JSON as the ``provenance`` object; HEPData (hepdata-lib, ``pip install
llpscan[hepdata]``) as the submission comment, table description and qualifiers.

``what="reach"``: for every x the lower and upper boundary in y of the excluded region (and the
band columns ``lower_band_lo`` ... ``upper_band_hi`` with a band). ``what="contour"``: the outline
of the excluded region as drawn (:func:`llpscan.scanner.plot.excluded_regions`), one polyline per
piece, as (x, y) points.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import json
import math
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from llpscan.errors import ConfigError
from llpscan.scanner.reading import check_axes, check_searches, default_search, reach_table, select, store_exclusion

__all__ = ["FORMATS", "provenance", "reach_document", "contour_document", "to_csv", "to_json", "to_hepdata",
           "export"]

FORMATS = ("csv", "json", "hepdata")


def provenance(ds: xr.Dataset, store=None) -> dict:
    """Where the numbers come from: scenario, options, citation, statistic, seed, events, versions,
    store path and config hash."""
    versions = json.loads(ds.attrs.get("versions", "{}"))
    refs = ds.attrs.get("references")
    return {
        "scenario": ds.attrs.get("scenario", ""),
        "description": ds.attrs.get("description", ""),
        "options": json.loads(ds.attrs.get("options", "{}")),
        "citation": ds.attrs.get("citation", ""),
        "references": json.loads(refs) if isinstance(refs, str) else list(refs or []),
        "statistic": ds.attrs.get("statistic", ""),
        "seed": ds.attrs.get("seed"),
        "events_per_mass_point": ds.attrs.get("events_per_mass_point"),
        "llpscan": versions.get("llpscan", ""),
        "versions": versions,
        "created": ds.attrs.get("created", ""),
        "store": str(store) if store is not None else "",
        "config_hash": ds.attrs.get("config_hash", ""),
    }


def _units(ds: xr.Dataset, name: str) -> str:
    return ds[name].attrs.get("units", "") if name in ds.variables else ""


def _header(ds: xr.Dataset, x: str, y: str, what: str) -> dict:
    return {"what": what, "x": x, "y": y,
            "units": {x: _units(ds, x), y: _units(ds, y)},
            "long_names": {x: ds[x].attrs.get("long_name", ""), y: ds[y].attrs.get("long_name", "")},
            "latex": {x: ds[x].attrs.get("latex", x), y: ds[y].attrs.get("latex", y)}}


def reach_document(ds: xr.Dataset, x: str, y: str, *, sel: dict | None = None, search: str | None = None,
                   level: float | None = None, band=None, store=None) -> dict:
    """The reach table (:func:`llpscan.scanner.reading.reach_table`) with units and provenance."""
    sel = {k: str(v) for k, v in (sel or {}).items()}
    table = reach_table(ds, x, y, sel, search, level, band=band)
    return {**_header(ds, x, y, "reach"), **table, "provenance": provenance(ds, store)}


def contour_document(ds: xr.Dataset, x: str, y: str, *, sel: dict | None = None, search: str | None = None,
                     level: float | None = None, store=None) -> dict:
    """The outline of the excluded region in (x, y) as drawn, one polyline per piece."""
    from llpscan.scanner.plot import _closed, excluded_regions, log_scale

    check_axes(ds, x, y)
    check_searches(ds, [search] if search is not None else [])
    asked, search = search, search if search is not None else default_search(ds, quiet=True)
    q, lvl, text = store_exclusion(ds, level)
    picks = {k: str(v) for k, v in (sel or {}).items()}
    sub = select(ds.assign(_exclusion=q), picks)
    qq = sub["_exclusion"].sel(search=search)
    extra = [d for d in qq.dims if d not in (x, y) and qq.sizes[d] > 1]
    if extra:
        raise ConfigError("select a value of " + ", ".join(
            f"{d} ({', '.join(f'{v:g}' for v in qq[d].values)})" for d in extra) + " with --sel NAME=VALUE")
    qq = qq.squeeze(drop=True).compute()
    region = excluded_regions(qq, x, y, lvl, _closed(ds, sub, {}), log_x=log_scale(ds[x].values))
    used = {k: float(np.asarray(sub[k].values)[()]) for k in picks if k in sub.coords}
    lines = [[[float(a), float(b)] for a, b in line] for line in region.outline]
    if asked is None:
        default_search(ds)  # the note on stderr, once the contour is known to be good
    return {**_header(ds, x, y, "contour"), "level": lvl, "exclusion": text, "search": search, "sel": used,
            "lines": lines, "provenance": provenance(ds, store)}


def _comment_lines(doc: dict) -> list[str]:
    p = doc["provenance"]
    x, y = doc["x"], doc["y"]
    units = doc["units"]
    lines = [f"llpscan {doc['what']} export",
             f"scenario: {p['scenario']}: {p['description']}",
             "options: " + (", ".join(f"{k}={v}" for k, v in p["options"].items()) or "none"),
             f"search: {doc['search']}",
             "selection: " + (", ".join(f"{k}={v:g}" for k, v in doc["sel"].items()) or "none"),
             f"statistic: {p['statistic']} ({doc['exclusion']}), level: {doc['level']:g}",
             f"x: {x} [{units[x]}]; y: {y} [{units[y]}]"
             + ("; lower, upper and band columns are values of y" if doc["what"] == "reach" else ""),
             f"seed: {p['seed']}; events per mass point: {p['events_per_mass_point']}",
             "versions: " + ", ".join(f"{k} {v}" for k, v in p["versions"].items()),
             f"citation: {p['citation']}",
             "bibtex keys: " + (", ".join(p["references"]) or "none") + " (llpscan cite STORE prints them)",
             f"store: {p['store'] or '?'}; config_hash: {p['config_hash']}; created: {p['created']}"]
    if doc.get("band"):
        lines.insert(6, f"band: {doc['band']}")
    return ["# " + line.replace("\n", " ") for line in lines]


def _cell(v):
    return "" if v is None or (isinstance(v, float) and not math.isfinite(v)) else repr(float(v))


def to_csv(doc: dict) -> str:
    """CSV with the provenance as leading ``#`` lines; reach: x, lower, upper (, band columns);
    contour: piece, x, y."""
    buf = io.StringIO()
    for line in _comment_lines(doc):
        buf.write(line + "\n")
    w = csv.writer(buf, lineterminator="\n")
    x, y = doc["x"], doc["y"]
    if doc["what"] == "contour":
        w.writerow(["piece", x, y])
        for i, line in enumerate(doc["lines"]):
            for a, b in line:
                w.writerow([i, repr(a), repr(b)])
        return buf.getvalue()
    cols = [c for c in ("lower", "upper", "lower_band_lo", "lower_band_hi", "upper_band_lo", "upper_band_hi")
            if doc["rows"] and c in doc["rows"][0]]
    w.writerow([x, *cols])
    for r in doc["rows"]:
        w.writerow([repr(float(r[x])), *(_cell(r[c]) for c in cols)])
    return buf.getvalue()


def to_json(doc: dict) -> str:
    return json.dumps(doc, indent=1)


def _qualifiers(var, doc: dict, ds_units: dict) -> None:
    p = doc["provenance"]
    var.add_qualifier("search", doc["search"])
    var.add_qualifier("statistic", f"{p['statistic']} ({doc['exclusion']})")
    for k, v in doc["sel"].items():
        var.add_qualifier(k, v, ds_units.get(k, ""))
    for k, v in p["options"].items():
        var.add_qualifier(f"option {k}", v)


def to_hepdata(doc: dict, outdir, *, sel_units: dict | None = None) -> Path:
    """A HEPData submission (``submission.yaml`` and one table) in the folder ``outdir``, written and
    validated by hepdata-lib, and its tar ball ``<outdir>.tar.gz`` beside it (ready to upload)."""
    try:
        from hepdata_lib import Submission, Table, Uncertainty, Variable
    except ImportError:
        raise ConfigError("HEPData output needs hepdata-lib: pip install 'llpscan[hepdata]'") from None
    outdir = Path(outdir)
    if not outdir.parent.is_dir():
        raise ConfigError(f"--out {outdir}: the directory {outdir.parent} does not exist")
    outdir.mkdir(exist_ok=True)
    p = doc["provenance"]
    x, y, units = doc["x"], doc["y"], doc["units"]
    sub = Submission()
    sub.comment = " | ".join(line[2:] for line in _comment_lines(doc))
    name = f"{doc['what'].capitalize()} {y} vs {x} {doc['search']}"
    table = Table(name)
    table.description = (f"{'Boundaries' if doc['what'] == 'reach' else 'Outline'} of the region excluded by "
                         f"{p['statistic']} ({doc['exclusion']}) in ${doc['latex'][y]}$ against ${doc['latex'][x]}$, "
                         f"search {doc['search']}; {p['description']}. Computed with llpscan {p['llpscan']} "
                         f"(seed {p['seed']}, {p['events_per_mass_point']} events per mass point). {p['citation']}")
    table.keywords["observables"] = ["reach" if doc["what"] == "reach" else "exclusion contour"]
    sel_units = sel_units or {}
    if doc["what"] == "reach":
        rows = [r for r in doc["rows"] if r["lower"] is not None and r["upper"] is not None]
        if not rows:
            raise ConfigError("nothing to export: no x has a boundary at this level")
        vx = Variable(f"${doc['latex'][x]}$", is_independent=True, is_binned=False, units=units[x])
        vx.values = [r[x] for r in rows]
        table.add_variable(vx)
        for edge in ("lower", "upper"):
            v = Variable(f"{edge} boundary of ${doc['latex'][y]}$", is_independent=False, is_binned=False,
                         units=units[y], zero_uncertainties_warning=False)
            v.digits = 6
            v.values = [r[edge] for r in rows]
            _qualifiers(v, doc, sel_units)
            if f"{edge}_band_lo" in rows[0]:
                u = Uncertainty(doc.get("band") or "band", is_symmetric=False)
                u.values = [(_minus(r[f"{edge}_band_lo"], r[edge]), _plus(r[f"{edge}_band_hi"], r[edge])) for r in rows]
                v.add_uncertainty(u)
            table.add_variable(v)
    else:
        if not doc["lines"]:
            raise ConfigError("nothing to export: the contour is empty at this level")
        vx = Variable(f"${doc['latex'][x]}$", is_independent=True, is_binned=False, units=units[x])
        vy = Variable(f"${doc['latex'][y]}$ on the contour", is_independent=False, is_binned=False, units=units[y],
                      zero_uncertainties_warning=False)
        vy.digits = vx.digits = 6
        vx.values = [a for line in doc["lines"] for a, _ in line]
        vy.values = [b for line in doc["lines"] for _, b in line]
        _qualifiers(vy, doc, sel_units)
        vy.add_qualifier("pieces", len(doc["lines"]))
        table.add_variable(vx)
        table.add_variable(vy)
    sub.add_table(table)
    # hepdata-lib writes its tar ball to the working directory: a temporary one, and the tar ball goes
    # beside the submission folder (inside it, the validator would call it an unlisted file);
    # hepdata-validator 0.3.6 leaves files open, so its ResourceWarnings are silenced here
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp), warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        sub.create_files(str(outdir.resolve()), validate=True)
        gc.collect()
        shutil.move(Path(tmp) / "submission.tar.gz", outdir.parent / f"{outdir.name}.tar.gz")
    return outdir


def _minus(edge, nominal):
    return 0.0 if edge is None else min(float(edge) - float(nominal), 0.0)


def _plus(edge, nominal):
    return 0.0 if edge is None else max(float(edge) - float(nominal), 0.0)


def export(ds: xr.Dataset, x: str, y: str, *, fmt: str = "csv", what: str = "reach", out=None, sel=None,
           search: str | None = None, level: float | None = None, band=None, store=None):
    """Export one curve: the text (csv, json) or the HEPData directory (``out`` required)."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt}: allowed {', '.join(FORMATS)}")
    if what not in ("reach", "contour"):
        raise ConfigError(f"--what {what}: allowed reach, contour")
    if what == "contour" and band is not None:
        raise ConfigError("--band applies to reach tables, not to contours")
    doc = (reach_document(ds, x, y, sel=sel, search=search, level=level, band=band, store=store) if what == "reach"
           else contour_document(ds, x, y, sel=sel, search=search, level=level, store=store))
    if fmt == "hepdata":
        if out is None:
            raise ConfigError("--format hepdata writes a directory: give it with --out DIR")
        return to_hepdata(doc, out, sel_units={k: _units(ds, k) for k in doc["sel"]})
    text = to_csv(doc) if fmt == "csv" else to_json(doc)
    if out is not None:
        path = Path(out)
        if not path.parent.is_dir():
            raise ConfigError(f"--out {out}: the directory {path.parent} does not exist")
        path.write_text(text, encoding="utf-8")
    return text
