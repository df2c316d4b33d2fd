"""The registry of scenarios, by the names presets and stores use."""

from __future__ import annotations

from functools import lru_cache

from detectors.scenario import Scenario

__all__ = ["SCENARIOS", "get_scenario"]


def _belle2_alp_hnl():
    from detectors.belle2_alp_hnl import Belle2AlpHnl

    return Belle2AlpHnl()


#: name -> factory; factories import lazily so one scenario's import cost is not paid by others
SCENARIOS = {"belle2-alp-hnl": _belle2_alp_hnl}


@lru_cache(maxsize=None)
def get_scenario(name: str) -> Scenario:
    """The scenario ``name``; KeyError if unknown."""
    return SCENARIOS[name]()
