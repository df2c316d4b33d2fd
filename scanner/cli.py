"""The ``llpscan`` command line (click). Every user error is one line on stderr and exit status 2.

Commands import what they use when they run (configs and scenarios, xarray, dask, numba, matplotlib),
so ``--help``, ``presets``, ``info`` and ``query`` start without the heavy libraries they do not need.
"""

from __future__ import annotations

import csv
import io
import json
import sys

import click

from llpscan.errors import ConfigError, LLPScanError

__all__ = ["cli", "main"]


def _pairs(items, option: str) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ConfigError(f"{option} {item!r}: expected NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="llpscan")
def cli():
    """llpscan: long-lived-particle reach scans on dask, stored in zarr."""


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
@click.option("--resume", is_flag=True, help="compute only the blocks the store lacks")
@click.option("--overwrite", is_flag=True, help="replace an existing store")
@click.option("--plot", "plot_path", default=None, help="reach figure (default: next to the store, .png)")
@click.option("--quiet", is_flag=True, help="no progress bar")
def run(preset, out, axes, options, events, seed, chunks, workers, scheduler, resume, overwrite, plot_path, quiet):
    """Run PRESET (a preset name or a TOML file) into a zarr store, print the reach, plot it."""
    cfg = _config(preset, axes, options, events, seed, chunks)
    if out is not None and not out.strip():
        raise ConfigError("--out: empty store path")
    store = out or f"{preset.removesuffix('.toml').split('/')[-1]}.zarr"
    from llpscan.scanner import api

    report = api.run(cfg, store, resume=resume, overwrite=overwrite, workers=workers, scheduler=scheduler,
                     progress=not quiet)
    click.echo(f"store: {report.store}  ({report.blocks_run} of {report.blocks_total} blocks computed in "
               f"{report.wall_seconds:.1f} s, {report.rate:.3g} decay-probability evaluations/s)")
    ds = api.open(report.store, in_memory=None)
    x, y = api.default_xy(ds)
    click.echo(f"reach ({ds.attrs['statistic']}: {api.store_exclusion(ds, None)[2]}) in {y} per {x}:")
    for row in api.summary_rows(ds, x, y):
        click.echo("  " + "  ".join(f"{k}={_fmt(v)}" for k, v in row.items()))
    path = api.plot_reach(ds, x, y, plot_path or api.default_plot_path(report.store), sel=api.default_sel(ds))
    click.echo(f"plot: {path}")


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
def info(store, fmt):
    """Axes, variables with units, provenance and completeness of a stored scan."""
    from llpscan.scanner import api

    summary = api.describe(store)
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"store      {summary['store']}")
    click.echo(f"scenario   {summary['scenario']}: {summary['description']}")
    click.echo(f"complete   {summary['blocks_done']}/{summary['blocks_total']} blocks"
               + ("" if summary["complete"] else "  (PARTIAL: finish with --resume)"))
    click.echo(f"statistic  {summary['statistic']}")
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

    click.echo(json.dumps(api.query(store, _pairs(sel, "--sel")), indent=1))


@cli.command()
@click.argument("store")
@click.option("--x", "x", default=None, help="axis along which boundaries are listed (default: the scan's figure x)")
@click.option("--y", "y", default=None, help="axis in which the boundaries lie (default: the scan's figure y)")
@click.option("--sel", "sel", multiple=True, metavar="NAME=VALUE")
@click.option("--search", default=None, help="search label (default: the store's first)")
@click.option("--level", type=float, default=None, help="n_signal threshold in events, ignoring any background (default: the store's statistic)")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def reach(store, x, y, sel, search, level, fmt):
    """For every x, the lower and upper boundary in y of the region where n_signal >= level."""
    from llpscan.scanner import api

    ds = api.open(store, in_memory=None)
    dx, dy = api.default_xy(ds)
    x, y = x or dx, y or dy
    table = api.reach_table(ds, x, y, _pairs(sel, "--sel"), search, level)
    if fmt == "json":
        click.echo(json.dumps(table, indent=1))
        return
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([x, "lower", "upper"])
    for r in table["rows"]:
        w.writerow([r[x], "" if r["lower"] is None else r["lower"], "" if r["upper"] is None else r["upper"]])
    click.echo(buf.getvalue(), nl=False)


@cli.command()
@click.argument("store")
@click.option("--x", "x", default=None)
@click.option("--y", "y", default=None)
@click.option("--sel", "sel", multiple=True, metavar="NAME=VALUE")
@click.option("--search", "searches", multiple=True, help="searches to draw (default: all)")
@click.option("--level", type=float, default=None)
@click.option("--out", "out", default=None, help="figure path (default: STORE with .png)")
def plot(store, x, y, sel, searches, level, out):
    """Draw the reach contours of a stored scan."""
    from llpscan.scanner import api

    ds = api.open(store, in_memory=None)
    dx, dy = api.default_xy(ds)
    chosen = _pairs(sel, "--sel")
    if not chosen and (x or dx, y or dy) == (dx, dy):
        chosen = api.default_sel(ds)  # the preset's own figure
    path = api.plot_reach(ds, x or dx, y or dy, out or api.default_plot_path(store),
                          sel=chosen, searches=list(searches) or None, level=level)
    click.echo(f"plot: {path}")


def main(argv=None) -> int:
    """Entry point: run the CLI; print user errors as one line and return 2."""
    try:
        cli.main(args=argv, prog_name="llpscan", standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.exceptions.Abort:
        click.echo("llpscan: interrupted", err=True)
        return 130
    except click.exceptions.UsageError as e:
        msg = e.format_message().replace("\n", " ")
        click.echo(f"llpscan: error: {msg}", err=True)
        return 2
    except click.exceptions.ClickException as e:
        click.echo(f"llpscan: error: {e.format_message()}", err=True)
        return 2
    except LLPScanError as e:
        click.echo(f"llpscan: error: {e}", err=True)
        return 2
    except OSError as e:  # unreadable or unwritable paths the checks could not foresee
        click.echo(f"llpscan: error: {e.strerror or e}: {e.filename or ''}".rstrip(": "), err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("llpscan: interrupted", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
