"""The registry of scenarios, by the names presets and stores use."""

from __future__ import annotations

from functools import lru_cache

from detectors.scenario import Scenario

__all__ = ["SCENARIOS", "get_scenario"]


def _belle2_alp_hnl():
    from detectors.belle2_alp_hnl import Belle2AlpHnl

    return Belle2AlpHnl


#: name -> a function returning the scenario class; it imports lazily, so one scenario's import cost
#: is not paid by the others
SCENARIOS = {"belle2-alp-hnl": _belle2_alp_hnl}


def _belle2_alp(cls: str):  # seed 001: three scenarios in detectors/belle2_alp.py
    import detectors.belle2_alp as module

    return getattr(module, cls)


SCENARIOS.update({"belle2-alp-displaced": lambda: _belle2_alp("Belle2AlpDisplaced"),
                  "belle2-alp-invisible": lambda: _belle2_alp("Belle2AlpInvisible"),
                  "belle2-invisible-br": lambda: _belle2_alp("Belle2InvisibleBr")})
SCENARIOS["na62-dark-neutrino"] = lambda: __import__("detectors.na62", fromlist=["x"]).NA62DarkNeutrino  # seed 004
SCENARIOS.update({n: (lambda c=c: getattr(__import__("detectors.dipole_scenarios", fromlist=["x"]), c)) for n, c in (  # seed 002
    ("belle2-dipole-monophoton", "Belle2DipoleMonophoton"), ("besiii-dipole-monophoton", "BesiiiDipoleMonophoton"),
    ("stcf-dipole-monophoton", "StcfDipoleMonophoton"))})

SCENARIOS["belle2-scalar-darkphoton"] = lambda: __import__("detectors.belle2_scalar_darkphoton", fromlist=["x"]).Belle2ScalarDarkPhoton  # seed 003

def scenario_class(name: str) -> type[Scenario]:
    """The class of scenario ``name``; KeyError if unknown."""
    return SCENARIOS[name]()


def get_scenario(name: str, options: tuple[tuple[str, str], ...] | dict[str, str] = ()) -> Scenario:
    """The scenario ``name`` built with ``options`` (KeyError if unknown, ValueError for a bad option)."""
    full = scenario_class(name).check_options(dict(options))
    return _build(name, tuple(sorted(full.items())))


@lru_cache(maxsize=None)
def _build(name: str, options: tuple[tuple[str, str], ...]) -> Scenario:
    return scenario_class(name)(**dict(options))
