"""Where scenarios and presets come from: a decorator, and two entry-point groups.

A scenario is found by name in three places, in this order:

1. classes registered in this process with :func:`register_scenario` (a decorator: a script, a
   notebook or a plugin module registers its scenarios by defining them);
2. the entry-point group ``llpscan.scenarios`` of every installed distribution, ``name =
   "module:Class"``: that is how the built-in scenarios are registered (llpscan's own
   ``pyproject.toml``) and how an outside package ships its own without touching llpscan;
3. nothing else: an unknown name is a :class:`~llpscan.errors.ScenarioError` listing the known ones.

Presets (named scan configs, TOML) come from the entry-point group ``llpscan.presets``: each entry
names a package whose ``*.toml`` files are presets, named by their file names.

>>> from llpscan.detectors.scenario import Scenario
>>> @register_scenario
... class MyScenario(Scenario):
...     name = "my-scenario-doctest"
>>> scenario_class("my-scenario-doctest") is MyScenario
True
>>> unregister_scenario("my-scenario-doctest")
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources

from llpscan.detectors.scenario import Scenario
from llpscan.errors import ScenarioError

__all__ = ["SCENARIO_GROUP", "PRESET_GROUP", "register_scenario", "unregister_scenario", "scenario_names",
           "scenario_class", "scenario_origin", "get_scenario", "Preset", "presets"]

SCENARIO_GROUP = "llpscan.scenarios"
PRESET_GROUP = "llpscan.presets"

#: scenarios registered in this process by the decorator: name -> class
_REGISTERED: dict[str, type[Scenario]] = {}


def register_scenario(cls: type[Scenario] | None = None, *, replace: bool = False):
    """Class decorator: make a :class:`Scenario` subclass runnable by its ``name``.

    ``@register_scenario`` or ``@register_scenario(replace=True)`` (to redefine a name in a
    notebook). Registering another class under a name that is taken is an error.
    """

    def add(klass: type[Scenario]) -> type[Scenario]:
        if not (isinstance(klass, type) and issubclass(klass, Scenario)):
            raise ScenarioError(f"register_scenario: {klass!r} is not a Scenario subclass")
        name = getattr(klass, "name", "")
        if not name:
            raise ScenarioError(f"register_scenario: {klass.__qualname__} has no name")
        old = _REGISTERED.get(name)
        if old is not None and old is not klass and not replace and _qualified(old) != _qualified(klass):
            raise ScenarioError(f"scenario {name!r} is already registered by {_qualified(old)}; "
                                "pass replace=True to replace it")
        _REGISTERED[name] = klass
        _build.cache_clear()
        return klass

    return add if cls is None else add(cls)


def unregister_scenario(name: str) -> None:
    """Forget a scenario registered with the decorator (entry points stay)."""
    _REGISTERED.pop(name, None)
    _build.cache_clear()


def _qualified(klass: type) -> str:
    return f"{klass.__module__}:{klass.__qualname__}"


@lru_cache(maxsize=None)
def _installed_entry_points() -> tuple[metadata.EntryPoint, ...]:
    # one scan of the installed distributions per process (each scan takes ~15 ms per group and
    # `llpscan presets` asks ~20 times); a package installed while the process runs is not seen
    found = metadata.entry_points()
    return tuple(found.select(group=SCENARIO_GROUP)) + tuple(found.select(group=PRESET_GROUP))


def _entry_points(group: str) -> dict[str, metadata.EntryPoint]:
    found: dict[str, metadata.EntryPoint] = {}
    for ep in (ep for ep in _installed_entry_points() if ep.group == group):
        other = found.get(ep.name)
        if other is not None and other.value != ep.value:
            raise ScenarioError(f"two installed packages define {group} entry {ep.name!r}: {other.value} "
                                f"and {ep.value}; uninstall one of them")
        found[ep.name] = ep
    return found


def scenario_names() -> list[str]:
    """Every scenario name: registered in this process or installed through entry points."""
    return sorted(set(_REGISTERED) | set(_entry_points(SCENARIO_GROUP)))


def scenario_class(name: str) -> type[Scenario]:
    """The class of scenario ``name``; :class:`ScenarioError` if it is unknown or cannot load."""
    if name in _REGISTERED:
        return _REGISTERED[name]
    ep = _entry_points(SCENARIO_GROUP).get(name)
    if ep is None:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(scenario_names())}")
    try:
        klass = ep.load()
    except Exception as e:  # noqa: BLE001 - a plugin's import error, whatever it is, is the plugin's
        where = ep.dist.name if ep.dist is not None else "an installed package"
        raise ScenarioError(f"scenario {name!r} from {where} ({ep.value}) cannot be loaded: "
                            f"{type(e).__name__}: {e}") from None
    if not (isinstance(klass, type) and issubclass(klass, Scenario)) or klass.name != name:
        raise ScenarioError(f"entry point {name!r} = {ep.value} is not a Scenario named {name!r}")
    return klass


@lru_cache(maxsize=1)
def _packages_distributions() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def scenario_origin(name: str) -> dict[str, str]:
    """Where scenario ``name`` comes from: its class and the distribution (and version) shipping it."""
    klass = scenario_class(name)
    out = {"class": _qualified(klass)}
    top = klass.__module__.split(".")[0]
    ep = _entry_points(SCENARIO_GROUP).get(name)
    if ep is not None and ep.dist is not None and ep.value.split(":")[0] == klass.__module__:
        # the distribution that declares the entry point ships the class: no scan of every installed
        # file (packages_distributions() takes ~0.5 s, a large share of a small `llpscan run`)
        out["distribution"] = ep.dist.name
        if ep.dist.version:
            out["version"] = ep.dist.version
        return out
    dists = _packages_distributions().get(top, [])
    if dists:
        out["distribution"] = dists[0]
        try:
            out["version"] = metadata.version(dists[0])
        except metadata.PackageNotFoundError:
            pass
    elif klass.__module__ == "__main__" or top not in sys.modules or not getattr(sys.modules[top], "__file__", None):
        out["distribution"] = "(defined at run time)"
    return out


def get_scenario(name: str, options: tuple[tuple[str, str], ...] | dict[str, str] = ()) -> Scenario:
    """The scenario ``name`` built with ``options``.

    ScenarioError if the name is unknown; ValueError for a bad option. Instances are shared
    (scenarios are immutable once built).
    """
    full = scenario_class(name).check_options(dict(options))
    return _build(name, tuple(sorted(full.items())))


@lru_cache(maxsize=None)
def _build(name: str, options: tuple[tuple[str, str], ...]) -> Scenario:
    return scenario_class(name)(**dict(options))


@dataclass(frozen=True)
class Preset:
    """A named scan config shipped by an installed package: its TOML text and where it is from."""

    name: str
    text: str
    source: str  # "<distribution>: <package>/<file>"


def presets() -> dict[str, Preset]:
    """Every installed preset by name (entry-point group ``llpscan.presets``)."""
    out: dict[str, Preset] = {}
    for ep in _entry_points(PRESET_GROUP).values():
        try:
            folder = resources.files(ep.value)
            files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
        except Exception as e:  # noqa: BLE001 - a broken plugin must not hide the other presets' names
            raise ScenarioError(f"presets {ep.name!r} ({ep.value}) cannot be read: {type(e).__name__}: {e}") from None
        dist = ep.dist.name if ep.dist is not None else "?"
        for f in files:
            name = f.name[: -len(".toml")]
            if name in out:
                raise ScenarioError(f"preset {name!r} is shipped twice: by {out[name].source} and by "
                                    f"{dist}: {ep.value}/{f.name}")
            out[name] = Preset(name, f.read_text(), f"{dist}: {ep.value}/{f.name}")
    return out
