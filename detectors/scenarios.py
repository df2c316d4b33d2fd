"""The registry of scenarios, by the names presets and stores use."""

from __future__ import annotations

import importlib
from functools import lru_cache

from llpscan.detectors.scenario import Scenario

__all__ = ["SCENARIOS", "get_scenario", "scenario_class"]


#: scenario name -> (module in ``detectors``, class); the seed each reproduces in the comment
_WHERE = {
    "belle2-alp-hnl": ("belle2_alp_hnl", "Belle2AlpHnl"),  # seed 000
    "belle2-alp-displaced": ("belle2_alp", "Belle2AlpDisplaced"),  # seed 001
    "belle2-alp-invisible": ("belle2_alp", "Belle2AlpInvisible"),  # seed 001
    "belle2-invisible-br": ("belle2_alp", "Belle2InvisibleBr"),  # seed 001, model-independent
    "belle2-dipole-monophoton": ("dipole_scenarios", "Belle2DipoleMonophoton"),  # seed 002
    "besiii-dipole-monophoton": ("dipole_scenarios", "BesiiiDipoleMonophoton"),  # seed 002
    "stcf-dipole-monophoton": ("dipole_scenarios", "StcfDipoleMonophoton"),  # seed 002
    "belle2-scalar-darkphoton": ("belle2_scalar_darkphoton", "Belle2ScalarDarkPhoton"),  # seed 003
    "na62-dark-neutrino": ("na62", "NA62DarkNeutrino"),  # seed 004
}


def _loader(module: str, cls: str):
    def load() -> type[Scenario]:
        return getattr(importlib.import_module(f"llpscan.detectors.{module}"), cls)

    return load


#: name -> a function returning the scenario class; it imports on use, so one scenario's import cost
#: is not paid by the others
SCENARIOS = {name: _loader(*where) for name, where in _WHERE.items()}


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
