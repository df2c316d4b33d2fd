"""Scan configuration: presets, TOML files and command-line overrides, validated before any work.

A config names a scenario, the axes (parameter -> values), fixed parameters, the searches, the
number of events per mass point and the seed. :func:`resolve` checks it against the scenario and
returns a :class:`Scan` with every parameter either an axis or a fixed value.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from llpscan.detectors.scenario import Scenario
from llpscan.detectors.registry import get_scenario, presets
from llpscan.errors import ConfigError
from llpscan.scanner.stats import parse_statistic
from llpscan.scanner.wording import flag

__all__ = ["ScanConfig", "Scan", "parse_values", "load_config", "preset_names", "resolve", "MAX_AXIS_VALUES"]

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# NUM of lin:/log: may be written 1000 or 1e3 (a whole number either way)
_COUNT = r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"

#: values one axis may have: checked before anything is allocated (1e6 doubles are 8 MB; the
#: grid as a whole is limited by :mod:`scanner.budget`, which a flag lifts, this cap is not)
MAX_AXIS_VALUES = 1_000_000


def _count_ok(name: str, text: str, n: int) -> None:
    if n > MAX_AXIS_VALUES:
        raise ConfigError(f"{name}={text!r}: {n:g} values; an axis takes at most {MAX_AXIS_VALUES:,} values")


def parse_values(spec, name: str = "axis") -> list[float]:
    """Axis values from ``1,2,3``, ``lin:START:STOP:NUM`` or ``log:START:STOP:NUM`` (or a list).

    ``log`` spaces NUM values evenly in log between START and STOP (both > 0), like geomspace.

    >>> parse_values("log:1e-2:1:3")
    [0.01, 0.1, 1.0]
    """
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return [float(spec)]
    if isinstance(spec, (list, tuple)):
        _count_ok(name, f"[{len(spec)} values]", len(spec))
        if any(isinstance(v, bool) for v in spec):
            raise ConfigError(f"{name}: values must be numbers, got {list(spec)!r}")
        try:
            return [float(v) for v in spec]
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: values must be numbers, got {list(spec)!r}") from None
    if not isinstance(spec, str):
        raise ConfigError(f"{name}: VALUES must be a list of numbers or a string (1,2,3 | lin:a:b:n | log:a:b:n), "
                          f"got {spec!r}")
    text = spec.strip()
    usage = f"{name}={text!r}: malformed VALUES; use a comma list (4.2,4.7), lin:START:STOP:NUM or log:START:STOP:NUM"
    m = re.fullmatch(rf"(lin|log):({_NUM}):({_NUM}):({_COUNT})", text)
    if m:
        kind, start, stop, count = m.group(1), float(m.group(2)), float(m.group(3)), float(m.group(4))
        if not math.isfinite(count) or count != int(count):
            raise ConfigError(f"{name}={text!r}: NUM must be a whole number")
        num = int(count)
        if num < 1:
            raise ConfigError(f"{name}={text!r}: NUM must be at least 1")
        _count_ok(name, text, num)  # before np.linspace allocates anything
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise ConfigError(f"{name}={text!r}: START and STOP must be finite numbers")
        if kind == "lin":
            return [float(v) for v in np.linspace(start, stop, num)]
        if start <= 0 or stop <= 0:
            raise ConfigError(f"{name}={text!r}: log spacing needs START > 0 and STOP > 0")
        return [float(v) for v in np.geomspace(start, stop, num)]
    if text == "":
        raise ConfigError(f"{name}: empty list of values")
    if re.fullmatch(rf"{_NUM}(\s*,\s*{_NUM})*", text):
        parts = text.split(",")
        _count_ok(name, text[:40] + ("..." if len(text) > 40 else ""), len(parts))
        return [float(v) for v in parts]
    raise ConfigError(usage)


class PlotConfig(BaseModel):
    """The figure ``llpscan run`` draws: its axes and a value for each other axis (``sel``)."""

    model_config = ConfigDict(extra="forbid")
    x: str | None = None
    y: str | None = None
    sel: dict[str, float] = Field(default_factory=dict)

    @field_validator("sel")
    @classmethod
    def _finite(cls, v):
        for name, value in v.items():
            if not math.isfinite(value):
                raise ValueError(f"{name}={value}: the selected value must be a finite number")
        return v


class ScanConfig(BaseModel):
    """A scan as written in a preset or TOML file (validated by pydantic)."""

    model_config = ConfigDict(extra="forbid")

    scenario: str
    description: str = ""
    axes: dict[str, list[float]] = Field(default_factory=dict)
    params: dict[str, float] = Field(default_factory=dict)
    options: dict[str, str] = Field(default_factory=dict)
    searches: list[str] | None = None
    events: int = Field(100_000, ge=2, le=100_000_000)
    seed: int = Field(0, ge=0, lt=2**63)
    chunks: dict[str, int] = Field(default_factory=dict)
    plot: PlotConfig = Field(default_factory=PlotConfig)

    @field_validator("axes", mode="before")
    @classmethod
    def _parse_axes(cls, v):
        if not isinstance(v, dict):
            raise ValueError("axes must be a table of NAME = VALUES")
        return {k: parse_values(spec, k) for k, spec in v.items()}

    @field_validator("searches")
    @classmethod
    def _distinct(cls, v):
        if v is not None:
            twice = sorted({s for s in v if v.count(s) > 1})
            if twice:
                raise ValueError(f"search {', '.join(map(repr, twice))} listed twice")
        return v


def _pydantic_message(err: ValidationError, source: str) -> str:
    e = err.errors()[0]
    where = ".".join(str(p) for p in e["loc"]) or "config"
    if e["type"] == "extra_forbidden":
        return f"{source}: unknown key {where!r}"
    value = e.get("input")
    return f"{source}: {where}={value!r}: {e['msg']}"


def preset_names() -> list[str]:
    """Names of the installed presets (llpscan's and any plugin's, entry-point group ``llpscan.presets``)."""
    return sorted(presets())


def load_config(name_or_path: str) -> ScanConfig:
    """The config of a preset name or of a TOML file path."""
    path = Path(name_or_path)
    shipped = presets()
    if name_or_path in shipped:
        text = shipped[name_or_path].text
        source = f"preset {name_or_path}"
    elif path.suffix == ".toml" or path.exists():
        if not path.is_file():
            what = "is a directory, not a config file" if path.is_dir() else "does not exist"
            raise ConfigError(f"config file {name_or_path!r} {what}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"config file {name_or_path!r} is not UTF-8 text (a TOML file is)") from None
        except OSError as e:
            raise ConfigError(f"config file {name_or_path!r}: cannot read it ({e.strerror})") from None
        source = str(path)
    else:
        raise ConfigError(f"unknown preset {name_or_path!r}; presets: {', '.join(sorted(shipped))} (or a .toml file)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{source}: not valid TOML: {e}") from None
    return validate(data, source)


def validate(data: dict, source: str = "config") -> ScanConfig:
    try:
        return ScanConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(_pydantic_message(e, source)) from None


@dataclass(frozen=True)
class Scan:
    """A resolved scan: every parameter of the scenario is an axis or a fixed value."""

    config: ScanConfig
    scenario: Scenario
    axes: dict[str, np.ndarray]
    fixed: dict[str, float]
    searches: tuple[str, ...]

    @property
    def mass_axes(self) -> tuple[str, ...]:
        return tuple(n for n in self.axes if n in self.scenario.names("mass"))

    @property
    def lifetime_axes(self) -> tuple[str, ...]:
        return tuple(n for n in self.axes if n in self.scenario.names("lifetime"))

    def canonical(self) -> dict:
        """What determines the stored numbers (not chunking, paths or backends).

        The llpscan version is part of it: resuming a store with other physics code would mix
        blocks computed two ways.
        """
        return {
            "llpscan": _version(),
            "scenario": self.config.scenario,
            "axes": {k: [float(x) for x in v] for k, v in self.axes.items()},
            "fixed": dict(sorted(self.fixed.items())),
            "options": self.scenario.option_values,
            "searches": list(self.searches),
            "events": self.config.events,
            "seed": self.config.seed,
        }

    def hash(self) -> str:
        return hashlib.sha256(json.dumps(self.canonical(), sort_keys=True).encode()).hexdigest()

    def __dask_tokenize__(self):
        # what dask keys graph nodes by: the numbers a block computes, and how the grid is split
        return (self.hash(), json.dumps(self.config.chunks, sort_keys=True))


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("llpscan")
    except metadata.PackageNotFoundError:
        return "unknown"


def resolve(config: ScanConfig) -> Scan:
    """Check ``config`` against its scenario; every problem is a one-line :class:`ConfigError`."""
    try:
        scenario = get_scenario(config.scenario, config.options)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    try:
        parse_statistic(scenario.statistic)
    except ValueError as e:
        raise ConfigError(f"scenario {scenario.name}: {e}") from None
    known = [p.name for p in scenario.parameters]
    axes: dict[str, np.ndarray] = {}
    for name, values in config.axes.items():
        if name not in known:
            raise ConfigError(f"unknown axis {name!r} for {scenario.name}; parameters: {', '.join(known)}")
        problem = scenario.parameter(name).check(values)
        if problem:
            raise ConfigError(problem)
        v = np.asarray(values, dtype=float)
        if np.unique(v).size != v.size:
            raise ConfigError(f"{name}: repeated values in the axis")
        axes[name] = np.sort(v)
    fixed: dict[str, float] = {}
    for name, value in config.params.items():
        if name not in known:
            raise ConfigError(f"unknown parameter {name!r} for {scenario.name}; parameters: {', '.join(known)}")
        if name in axes:
            raise ConfigError(f"{name!r} is both an axis and a fixed parameter; keep one of them")
    for p in scenario.parameters:
        if p.name in axes:
            continue
        value = float(config.params.get(p.name, p.default))
        problem = p.check([value])
        if problem:
            raise ConfigError(problem)
        fixed[p.name] = value
    labels = [s.label for s in scenario.searches]
    searches = tuple(config.searches) if config.searches is not None else tuple(labels)
    if len(set(searches)) != len(searches):
        raise ConfigError(f"searches {list(searches)}: a search is listed twice")
    for s in searches:
        if s not in labels:
            raise ConfigError(f"unknown search {s!r} for {scenario.name}; searches: {', '.join(labels)}")
    if not searches:
        raise ConfigError("no search selected")
    block_axes = [a for a in axes if a in scenario.names("mass") or a in scenario.names("lifetime")]
    clipped = {}
    for name, size in config.chunks.items():
        if name not in block_axes:
            raise ConfigError(f"{flag('chunks', f'{name}={size}')}: only mass and lifetime axes are split into "
                              f"blocks ({', '.join(block_axes) or 'none in this scan'}); rate axes are broadcast, "
                              "never computed")
        if size < 1:
            raise ConfigError(f"{flag('chunks', f'{name}={size}')}: chunk size must be at least 1")
        clipped[name] = min(int(size), len(axes[name]))  # a block larger than its axis is the whole axis
    if clipped != config.chunks:
        config = config.model_copy(update={"chunks": clipped})
    _check_plot(config, scenario, axes, fixed, known)
    return Scan(config=config, scenario=scenario, axes=axes, fixed=fixed, searches=searches)


def _check_plot(config: ScanConfig, scenario: Scenario, axes: dict, fixed: dict, known: list[str]) -> None:
    """The ``[plot]`` table names parameters of the scenario, two different ones, and its
    selections are values of this scan's axes (checked before any work, not after the scan)."""
    plot = config.plot
    for key in ("x", "y"):
        name = getattr(plot, key)
        if name is not None and name not in known:
            raise ConfigError(f"[plot] {key} = {name!r} is not a parameter of {scenario.name}; parameters: {', '.join(known)}")
    if plot.x is not None and plot.x == plot.y:
        raise ConfigError(f"[plot] x and y are both {plot.x!r}; a figure needs two different axes")
    for name, value in plot.sel.items():
        if name not in known:
            raise ConfigError(f"[plot] sel {name} = {value:g}: {name!r} is not a parameter of {scenario.name}; "
                              f"parameters: {', '.join(known)}")
        if name in fixed and not math.isclose(value, fixed[name], rel_tol=1e-9):
            raise ConfigError(f"[plot] sel {name} = {value:g}: {name} is fixed at {fixed[name]:g} in this scan "
                              "(make it an axis, or drop the selection)")
