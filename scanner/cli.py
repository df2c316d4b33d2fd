"""The ``llpscan`` command line (click).

Exit status: 0 success; 1 ``verify`` found damage (and marked it for ``--resume``); 2 an error the
user can act on, printed as one line ``llpscan: error: ...``; 3 an internal error (a bug), printed
as one line ``llpscan: internal error: ...`` with the traceback kept in a file (or printed with
``llpscan --debug``); 130 interrupted.

Commands import what they use when they run (configs and scenarios, xarray, dask, numba, matplotlib),
so ``--help``, ``presets``, ``info`` and ``query`` start without the heavy libraries they do not need.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
import traceback

import click

from llpscan.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USER, ConfigError, LLPScanError
from llpscan.scanner.wording import command_line

__all__ = ["cli", "main"]


def _pairs(items, option: str) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ConfigError(f"{option} {item!r}: expected NAME=VALUE")
        if name.strip() in out:
            raise ConfigError(f"{option} {name.strip()} given twice ({out[name.strip()]} and {value.strip()}); give it once")
        out[name.strip()] = value.strip()
    return out


def _print_citations(ctx, _param, value):
    if not value or ctx.resilient_parsing:
        return
    from llpscan.cite import cite_all

    click.echo(cite_all(), nl=False)
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="llpscan")
@click.option("--cite", is_flag=True, expose_value=False, is_eager=True, callback=_print_citations,
              help="print BibTeX for llpscan, the built-in scenarios' papers and inputs, PDG and the tools, and exit")
@click.option("--debug", is_flag=True, help="print the traceback of any error (internal errors keep it in a file otherwise)")
def cli(debug):
    """llpscan: long-lived-particle reach scans on dask, stored in zarr."""


@cli.command()
@click.argument("stores", nargs=-1)
def cite(stores):
    """BibTeX of what STORE used (its scenario's papers and inputs, PDG, its libraries); without a
    store, everything (as --cite)."""
    from llpscan.cite import cite_all, cite_store

    click.echo(cite_store(*stores) if stores else cite_all(), nl=False)


def _scenario_options(name: str) -> dict[str, tuple[str, ...]]:
    from llpscan.detectors.registry import scenario_class

    return dict(scenario_class(name).options)


@cli.command()
def presets():
    """List the shipped scan presets, one line each."""
    from llpscan.scanner.config import load_config, preset_names

    for name in preset_names():
        cfg = load_config(name)
        click.echo(f"{name:28s} {cfg.description}")
        options = _scenario_options(cfg.scenario)
        if options:
            click.echo(" " * 29 + "options: " + "; ".join(
                f"{k}={'|'.join(v)}" + (f" (preset: {cfg.options[k]})" if k in cfg.options else "")
                for k, v in options.items()))


def _config(preset, axes, options, events, seed, chunks=()):
    """The validated config of PRESET with the command line's overrides."""
    from llpscan.scanner.config import load_config, parse_values, validate

    cfg = load_config(preset)
    data = cfg.model_dump()
    for name, spec in _pairs(axes, "--axis").items():
        data["axes"][name] = parse_values(spec, f"--axis {name}")
        data["params"].pop(name, None)
    data["options"].update(_pairs(options, "--option"))
    for name, size in _pairs(chunks, "--chunks").items():
        try:
            data["chunks"][name] = int(size)
        except ValueError:
            raise ConfigError(f"--chunks {name}={size}: SIZE must be a whole number") from None
    if events is not None:
        data["events"] = events
    if seed is not None:
        data["seed"] = seed
    return validate(data, "command line")


@cli.command()
@click.argument("preset")
@click.option("--out", "out", default=None, help="store path (default: PRESET.zarr)")
@click.option("--axis", "axes", multiple=True, metavar="NAME=VALUES", help="1,2,3 | lin:a:b:n | log:a:b:n")
@click.option("--option", "options", multiple=True, metavar="NAME=VALUE", help="a scenario option (see `llpscan presets`)")
@click.option("--events", type=int, default=None, help="Monte-Carlo events per mass point")
@click.option("--seed", type=int, default=None)
@click.option("--chunks", "chunks", multiple=True, metavar="NAME=SIZE", help="block size along a mass or lifetime axis")
@click.option("--workers", type=int, default=None, help="start a LocalCluster of N worker processes")
@click.option("--scheduler", default=None, help="address (tcp://host:port) or scheduler file of a dask cluster")
@click.option("--resume", is_flag=True, help="compute only the blocks the store lacks (or finish an interrupted --overwrite)")
@click.option("--overwrite", is_flag=True, help="recompute the store beside the old one and swap it in when complete")
@click.option("--plot", "plot_path", default=None, help="reach figure (default: next to the store, .png)")
@click.option("--no-plot", is_flag=True, help="do not draw the reach figure")
@click.option("--allow-large", is_flag=True, help="run a scan above the size limits (work, memory, grid, blocks)")
@click.option("--allow-version-change", is_flag=True,
              help="resume a store computed with other numpy/scipy/numba/particle versions (recorded in the store)")
@click.option("--quiet", is_flag=True, help="no progress bar")
def run(preset, out, axes, options, events, seed, chunks, workers, scheduler, resume, overwrite, plot_path, no_plot,
        allow_large, allow_version_change, quiet):
    """Run PRESET (a preset name or a TOML file) into a zarr store, print the reach, plot it.

    Everything is checked before the first byte is written: the config, the size of the scan, the
    store path, the figure path and whether a figure can be drawn at all.
    """
    cfg = _config(preset, axes, options, events, seed, chunks)
    if out is not None and not out.strip():
        raise ConfigError("--out: empty store path")
    if plot_path is not None and not plot_path.strip():
        raise ConfigError("--plot: empty figure path (use --no-plot to skip the figure)")
    if plot_path is not None and no_plot:
        raise ConfigError("--plot and --no-plot exclude each other")
    from llpscan.scanner import api
    from llpscan.scanner.config import resolve
    from llpscan.scanner.runner import check_run_arguments
    from llpscan.scanner.store import locate

    check_run_arguments(resume=resume, overwrite=overwrite, workers=workers, scheduler=scheduler, progress=not quiet,
                        allow_large=allow_large, allow_version_change=allow_version_change)
    store = locate(out or f"{preset.removesuffix('.toml').split('/')[-1]}.zarr")
    scan = resolve(cfg)
    x, y = api.scan_xy(scan)
    skip = None
    if no_plot:
        skip = "--no-plot"
    elif api.short_axes(scan, x, y):
        short = api.short_axes(scan, x, y)
        reason = (f"a reach contour needs at least 2 values on each plotted axis; "
                  f"{' and '.join(short)} {'has' if len(short) == 1 else 'have'} one")
        if plot_path is not None:
            raise ConfigError(f"--plot {plot_path}: {reason} (give the axis more values with --axis, or drop --plot)")
        skip = reason
    else:
        _figures()
        from llpscan.scanner.plot import check_figure_path

        figure = check_figure_path(plot_path or api.default_plot_path(store), "plot")
    report = api.run(cfg, store, resume=resume, overwrite=overwrite, workers=workers, scheduler=scheduler,
                     progress=not quiet, allow_large=allow_large, allow_version_change=allow_version_change)
    click.echo(f"store: {report.store}  ({report.blocks_run} of {report.blocks_total} blocks computed in "
               f"{report.wall_seconds:.1f} s, {report.rate:.3g} decay-probability evaluations/s)")
    ds = api.open(report.store, in_memory=None)
    click.echo(f"reach ({ds.attrs['statistic']}: {api.store_exclusion(ds, None)[2]}) in {y} per {x}:")
    for row in api.summary_rows(ds, x, y):
        click.echo("  " + "  ".join(f"{k}={_fmt(v)}" for k, v in row.items()))
    if skip is not None:
        click.echo(f"plot: skipped ({skip})")
        return
    api.plot_reach(ds, x, y, out=figure, sel=api.default_sel(ds))
    click.echo(f"plot: {figure}")


@cli.command()
@click.argument("preset")
@click.option("--x", "x", default=None, help="mass axis listed (default: the scan's figure x)")
@click.option("--y", "y", default=None, help="lifetime axis in which the boundaries lie (default: the figure y)")
@click.option("--sel", "sel", multiple=True, metavar="NAME=VALUE", help="value of every other axis (nearest)")
@click.option("--target", type=float, default=0.01, show_default=True,
              help="Monte-Carlo uncertainty of each boundary, relative in y")
@click.option("--axis", "axes", multiple=True, metavar="NAME=VALUES", help="1,2,3 | lin:a:b:n | log:a:b:n")
@click.option("--option", "options", multiple=True, metavar="NAME=VALUE", help="a scenario option")
@click.option("--events", type=int, default=None, help="events per mass point of the grid scan it replaces")
@click.option("--seed", type=int, default=None)
@click.option("--threads", type=int, default=None, help="threads sharing the mass points (default: every core)")
@click.option("--out", "out", default=None, help="write the reach table as a small zarr store")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def adaptive(preset, x, y, sel, target, axes, options, events, seed, threads, out, fmt):
    """Reach boundaries to a target Monte-Carlo precision, events and points only where they are.

    For every x the lower and upper boundary in y of the excluded region, each with its 1-sigma
    Monte-Carlo uncertainty in ln y, found by root-finding on the exclusion quantity with event samples
    grown until the uncertainty meets --target (llpscan.scanner.adaptive). Prints the table and the
    evaluations spent against the grid scan of the same config.
    """
    from llpscan.scanner.adaptive import adaptive_reach, write_reach

    cfg = _config(preset, axes, options, events, seed)
    plot = cfg.plot.model_dump() if cfg.plot is not None else {}
    x = x or plot.get("x")
    y = y or plot.get("y")
    if not x or not y:
        raise ConfigError("give --x (a mass axis) and --y (a lifetime axis)")
    chosen = _pairs(sel, "--sel")
    if not sel and plot.get("sel"):
        chosen = {k: repr(float(v)) for k, v in plot["sel"].items()}
    ds = adaptive_reach(cfg, x, y, sel=chosen, target=target, workers=threads)
    if out:
        write_reach(ds, out)
    rows = []
    for i, label in enumerate(ds["search"].values):
        for j, xv in enumerate(ds[x].values):
            rows.append({"search": str(label), x: float(xv), **{k: _num(ds[k].values[i, j]) for k in
                        ("lower", "lower_err", "upper", "upper_err")}})
    summary = {"x": x, "y": y, "target": target, "evaluations": ds.attrs["evaluations"],
               "grid_evaluations": ds.attrs["grid_evaluations"], "saving": round(ds.attrs["saving"], 2)}
    if fmt == "json":
        click.echo(json.dumps({**summary, "rows": rows}, indent=1))
        return
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["search", x, "lower", "lower_err", "upper", "upper_err"])
    for r in rows:
        w.writerow([r["search"], r[x]] + ["" if r[k] is None else r[k] for k in ("lower", "lower_err", "upper", "upper_err")])
    click.echo(buf.getvalue(), nl=False)
    click.echo(f"# evaluations {summary['evaluations']} vs {summary['grid_evaluations']} on the grid "
               f"(x{summary['saving']})", err=True)


def _num(v):
    v = float(v)
    return None if v != v else v


def _fmt(v):
    if v is None:
        return "none"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


@cli.command()
@click.argument("store")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--verify", "deep", is_flag=True, help="read every chunk (checksums) and mark damaged blocks for --resume")
@click.pass_context
def info(ctx, store, fmt, deep):
    """Axes, variables with units, provenance, completeness and integrity of a stored scan."""
    from llpscan.scanner import api

    found = _verify_report(api.verify(store), fmt) if deep else None
    summary = api.describe(store)
    if fmt == "json":
        if found is not None:
            summary["verify"] = found
        click.echo(json.dumps(summary, indent=2))
    else:
        _print_info(summary)
    if found is not None and found["problems"]:
        ctx.exit(1)


def _verify_report(report, fmt: str = "text") -> dict:
    doc = {"store": report.store, "checksums": report.checksums, "chunks_read": report.chunks_read,
           "problems": report.lines(), "marked_not_done": [list(b) for b in report.marked]}
    if fmt == "text":
        for line in report.lines():
            click.echo(f"verify     {line}")
        if not report.checksums:
            click.echo("verify     this store has no checksums (written by an older llpscan): only undecodable "
                       "chunks can be found; recompute it with --overwrite to add them")
        if report.ok:
            click.echo(f"verify     {report.chunks_read} chunks read, none damaged or missing")
        else:
            click.echo(f"verify     {len(report.marked)} blocks marked not done"
                       + (", damaged variables recorded" if report.problems.arrays else "")
                       + ": recompute them with `llpscan run CONFIG --out STORE --resume`")
    return doc


@cli.command()
@click.argument("store")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def verify(ctx, store, fmt):
    """Read every chunk of a store; mark blocks that are damaged or missing for --resume (exit 1 if any)."""
    from llpscan.scanner import api

    doc = _verify_report(api.verify(store), fmt)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2))
    if doc["problems"]:
        ctx.exit(1)


def _print_info(summary: dict) -> None:
    click.echo(f"store      {summary['store']}")
    click.echo(f"scenario   {summary['scenario']}: {summary['description']}")
    integrity = summary["integrity"]
    state = ""
    if integrity["problems"]:
        state = f"  (DAMAGED: {integrity['problems'][0]}; run llpscan verify, then --resume)"
    elif summary["blocks_done"] < summary["blocks_total"]:
        state = "  (PARTIAL: finish with --resume)"
    click.echo(f"complete   {summary['blocks_done']}/{summary['blocks_total']} blocks{state}")
    click.echo("checksums  " + ("crc32c on every chunk (`llpscan verify` reads them all)" if integrity["checksums"] else
                                "none: written before llpscan kept checksums, damage cannot be detected "
                                "(recompute with --overwrite to add them)"))
    if integrity["unfinished_overwrite"]:
        click.echo(f"overwrite  unfinished at {integrity['unfinished_overwrite']} (finish it with --resume)")
    click.echo(f"statistic  {summary['statistic']}")
    if summary.get("primary_search"):
        click.echo(f"primary    {summary['primary_search']} (of {', '.join(summary['searches'])})")
    if summary["options"]:
        click.echo("options    " + "  ".join(f"{k}={v}" for k, v in summary["options"].items()))
    click.echo("axes")
    for name, a in summary["axes"].items():
        click.echo(f"  {name:10s} {a['size']:5d} values {a['min']:.4g} .. {a['max']:.4g} [{a['units']}]")
    click.echo("fixed")
    for name, a in summary["fixed"].items():
        click.echo(f"  {name:10s} {_fmt(a['value'])} [{a['units']}]")
    click.echo("variables")
    for name, v in summary["variables"].items():
        click.echo(f"  {name:15s} ({', '.join(v['dims'])}) [{v['units']}] {v['long_name']}")
    click.echo("provenance")
    for k, v in summary["provenance"].items():
        click.echo(f"  {k:22s} {v}")


@cli.command()
@click.argument("store")
@click.option("--sel", "sel", multiple=True, metavar="NAME=VALUE", help="nearest grid point")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
def query(store, sel, fmt):
    """Every variable at one point of a stored scan (nearest grid point), as JSON."""
    from llpscan.scanner import api

    chosen = _pairs(sel, "--sel")
    click.echo(json.dumps(api.query(store, chosen), indent=1))


def _figures() -> None:
    """The command line draws into files: Agg, chosen before pyplot is imported (the library chooses
    no backend, so notebooks keep theirs)."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")


def _band_arg(band: tuple[str, ...]):
    """--band mc, or --band STORE [--band STORE ...]: the other stores of an envelope."""
    if not band:
        return None
    if band == ("mc",):
        return "mc"
    if "mc" in band:
        raise ConfigError("--band: either mc or other stores (an envelope), not both")
    from llpscan.scanner import api

    return [api.open(b) for b in band]


def _limits_arg(specs: tuple[str, ...]) -> list:
    """--limits FILE (CSV/JSON) or hnlimits[:FLAVOUR]."""
    from llpscan.scanner.limits import hnlimits_limits, read_limits

    out = []
    for spec in specs:
        if spec == "hnlimits" or spec.startswith("hnlimits:"):
            out += hnlimits_limits(spec.partition(":")[2] or "e")
        else:
            out += read_limits(spec)
    return out


_REACH_OPTIONS = [
    click.option("--x", "x", default=None, help="axis along which boundaries are listed (default: the scan's figure x)"),
    click.option("--y", "y", default=None, help="axis in which the boundaries lie (default: the scan's figure y)"),
    click.option("--sel", "sel", multiple=True, metavar="NAME=VALUE"),
    click.option("--search", default=None, help="search label (default: the scenario's primary search)"),
    click.option("--level", type=float, default=None,
                 help="n_signal threshold in events, ignoring any background (default: the store's statistic)"),
    click.option("--band", "band", multiple=True, metavar="mc|STORE",
                 help="band columns: mc (Monte-Carlo error) or other stores of the same grid (their envelope)"),
    click.option("--out", "out", default=None, help="write to this file (hepdata: this directory) instead of stdout"),
]


def _with_options(options):
    def wrap(fn):
        for option in reversed(options):
            fn = option(fn)
        return fn

    return wrap


def _export(store, x, y, sel, search, level, band, out, fmt, what):
    from llpscan.scanner import api
    from llpscan.scanner.export import export

    ds = api.open(store, in_memory=None)
    dx, dy = api.default_xy(ds)
    result = export(ds, x or dx, y or dy, fmt=fmt, what=what, out=out, sel=_pairs(sel, "--sel"), search=search,
                    level=level, band=_band_arg(band), store=api.locate(store).url)
    if fmt == "hepdata":
        click.echo(f"hepdata: {result}")
    elif out is None:
        click.echo(result, nl=False)
    else:
        click.echo(f"{fmt}: {out}")


@cli.command()
@click.argument("store")
@_with_options(_REACH_OPTIONS)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "hepdata"]), default="json")
def reach(store, x, y, sel, search, level, band, out, fmt):
    """For every x, the lower and upper boundary in y of the excluded region, with units and provenance."""
    _export(store, x, y, sel, search, level, band, out, fmt, "reach")


@cli.command()
@click.argument("store")
@_with_options(_REACH_OPTIONS)
@click.option("--what", type=click.Choice(["reach", "contour"]), default="reach",
              help="reach: boundaries per x; contour: the outline of the excluded region as drawn")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "hepdata"]), default="csv")
def export(store, x, y, sel, search, level, band, out, what, fmt):
    """Export a reach curve or contour as CSV, JSON or HEPData YAML, with units and provenance."""
    _export(store, x, y, sel, search, level, band, out, fmt, what)


@cli.command()
@click.argument("store")
@click.option("--x", "x", default=None)
@click.option("--y", "y", default=None)
@click.option("--sel", "sel", multiple=True, metavar="NAME=VALUE")
@click.option("--search", "searches", multiple=True, help="searches to draw (default: all)")
@click.option("--level", type=float, default=None)
@click.option("--band", "band", multiple=True, metavar="mc|STORE",
              help="shade a band: mc (Monte-Carlo error) or other stores of the same grid (their envelope)")
@click.option("--with", "others", multiple=True, metavar="STORE", help="overlay another store's reach (as compare)")
@click.option("--limits", "limits", multiple=True, metavar="FILE|hnlimits[:e]",
              help="existing limits to draw underneath: a CSV/JSON file, or hnlimits (HNL mixing)")
@click.option("--title", default=None, help="figure title (default: the store's description and options)")
@click.option("--out", "out", default=None, help="figure path (default: STORE with .png)")
def plot(store, x, y, sel, searches, level, band, others, limits, title, out):
    """Draw the reach of a stored scan: excluded regions, labelled in LaTeX, with bands and overlays."""
    _figures()
    from llpscan.scanner import api
    from llpscan.scanner.plot import check_figure_path

    chosen = _pairs(sel, "--sel")
    figure = check_figure_path(api.default_plot_path(store) if out is None else out, "out")
    ds = api.open(store, in_memory=None)
    dx, dy = api.default_xy(ds)
    if not chosen and (x or dx, y or dy) == (dx, dy):
        chosen = api.default_sel(ds)  # the preset's own figure
    if others:
        if band and band != ("envelope",):
            raise ConfigError("--with draws several stores: its only band is --band envelope")
        api.plot_compare([ds, *(api.open(o) for o in others)], x or dx, y or dy, out=figure, sel=chosen,
                         search=searches[0] if len(searches) == 1 else None, level=level,
                         band="envelope" if band else None, limits=_limits_arg(limits), title=title)
    else:
        api.plot_reach(ds, x or dx, y or dy, out=figure, sel=chosen, searches=list(searches) or None, level=level,
                       band=_band_arg(band), limits=_limits_arg(limits), title=title)
    click.echo(f"plot: {figure}")


@cli.command()
@click.argument("stores", nargs=-1, required=True)
@click.option("--x", "x", default=None)
@click.option("--y", "y", default=None)
@click.option("--sel", "sel", multiple=True, metavar="NAME=VALUE")
@click.option("--search", default=None, help="search to draw in every store (default: each store's primary search)")
@click.option("--level", type=float, default=None)
@click.option("--label", "labels", multiple=True, help="legend name of each store, in order (default: scenario and options)")
@click.option("--band", type=click.Choice(["envelope"]), default=None,
              help="shade the envelope of the stores' boundaries (a theory band: same grid, different options)")
@click.option("--limits", "limits", multiple=True, metavar="FILE|hnlimits[:e]", help="existing limits to draw underneath")
@click.option("--title", default=None)
@click.option("--out", "out", default=None, help="figure path (default: the first STORE with -compare.png)")
def compare(stores, x, y, sel, search, level, labels, band, limits, title, out):
    """Overlay the reach curves of several stores in one figure, each named by scenario and options."""
    _figures()
    from llpscan.scanner import api
    from llpscan.scanner.plot import check_figure_path

    if labels and len(labels) != len(stores):
        raise ConfigError(f"--label: give one per store ({len(stores)}), or none")
    figure = check_figure_path(out or api.default_plot_path(stores[0]).removesuffix(".png") + "-compare.png", "out")
    datasets = [api.open(s) for s in stores]
    api.plot_compare(datasets, x, y, out=figure, sel=_pairs(sel, "--sel"), search=search, level=level,
                     labels=list(labels) or None, band=band, limits=_limits_arg(limits), title=title)
    click.echo(f"plot: {figure}")


def _one_line(text: str) -> str:
    return " ".join(str(text).split()) or "(no message)"


def _internal(e: BaseException, args: list[str], debug: bool) -> int:
    """A bug: one line that says so, the traceback kept (a private file in the temp dir, or stderr)."""
    text = traceback.format_exc()
    what = f"{type(e).__name__}: {_one_line(e)[:300]}"
    if debug:
        sys.stderr.write(text)
        click.echo(f"llpscan: internal error: {what} (please report it, with the traceback above)", err=True)
        return EXIT_INTERNAL
    try:
        fd, log = tempfile.mkstemp(prefix="llpscan-internal-", suffix=".log")  # O_EXCL, mode 0600
        with os.fdopen(fd, "w") as f:
            from llpscan import __version__

            f.write(f"llpscan {__version__}, python {sys.version.split()[0]}\nargs: {args!r}\n\n{text}")
        where = f"traceback in {log}"
    except OSError:
        sys.stderr.write(text)
        where = "traceback above"
    click.echo(f"llpscan: internal error: {what} (please report it; {where})", err=True)
    return EXIT_INTERNAL


def main(argv=None) -> int:
    """Entry point: run the CLI; user errors are one line and exit 2, bugs exit 3 (see the module doc)."""
    args = list(sys.argv[1:] if argv is None else argv)
    first = next((i for i, a in enumerate(args) if not a.startswith("-")), len(args))
    debug = "--debug" in args[:first] or bool(os.environ.get("LLPSCAN_DEBUG"))

    def user(message: str) -> int:
        if debug:
            traceback.print_exc()
        else:
            # a read refused mid-way (a damaged chunk) leaves zarr's other chunk reads pending on its
            # event loop; at exit asyncio would log "Task was destroyed but it is pending!" (or warn of
            # a coroutine never awaited), more lines after the one that says what is wrong
            import logging
            import warnings

            logging.getLogger("asyncio").setLevel(logging.CRITICAL)
            warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
        click.echo(f"llpscan: error: {_one_line(message)}", err=True)
        return EXIT_USER

    with command_line():
        try:
            rc = cli.main(args=args, prog_name="llpscan", standalone_mode=False)
        except click.exceptions.Exit as e:
            return e.exit_code
        except click.exceptions.Abort:
            click.echo("llpscan: interrupted", err=True)
            return EXIT_INTERRUPTED
        except click.exceptions.UsageError as e:
            return user(e.format_message())
        except click.exceptions.ClickException as e:
            return user(e.format_message())
        except LLPScanError as e:
            return user(str(e))
        except OSError as e:  # unreadable or unwritable paths the checks could not foresee
            return user(f"{e.strerror or e}: {e.filename or ''}".rstrip(": "))
        except MemoryError:
            return user("out of memory: use fewer events, points or a smaller --chunks")
        except KeyboardInterrupt:
            click.echo("llpscan: interrupted", err=True)
            return EXIT_INTERRUPTED
        except Exception as e:  # noqa: BLE001 - everything else is a bug of ours
            return _internal(e, args, debug)
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":
    sys.exit(main())
