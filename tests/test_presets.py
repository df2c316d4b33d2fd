"""Every shipped preset resolves, and every scenario declares what the store needs (units, names)."""

import pytest

from llpscan.detectors.registry import get_scenario, scenario_names
from llpscan.scanner.config import load_config, preset_names, resolve
from llpscan.scanner.stats import parse_statistic

# the preset names that user scripts rely on
DESIGN_PRESETS = {"belle2-alp-hnl", "belle2-alp-displaced", "belle2-alp-invisible", "belle2-invisible-br",
                  "belle2-dipole-monophoton", "besiii-dipole-monophoton", "stcf-dipole-monophoton",
                  "belle2-scalar-darkphoton", "na62-dark-neutrino"}


def test_the_design_presets_ship():
    assert DESIGN_PRESETS <= set(preset_names())


@pytest.mark.parametrize("name", preset_names())
def test_preset_resolves_and_names_its_figure(name):
    cfg = load_config(name)
    scan = resolve(cfg)
    assert cfg.description
    assert cfg.plot.x in scan.axes and cfg.plot.y in scan.axes
    assert set(cfg.plot.sel) <= set(scan.axes) - {cfg.plot.x, cfg.plot.y}


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_declares_units_statistic_and_factors(name):
    sc = get_scenario(name)
    assert parse_statistic(sc.statistic).name == sc.statistic
    names = {v.name for v in sc.variables}
    assert set(sc.signal_factors) <= names
    if sc.background:
        assert sc.background in names
    params = {p.name for p in sc.parameters}
    assert sc.limit_on is None or sc.limit_on in params
    for p in sc.parameters:
        assert p.units and p.description and p.kind in ("mass", "lifetime", "rate"), p
    for v in sc.variables:
        assert v.units and v.description and set(v.params) <= params, v
    labels = [s.label for s in sc.searches]
    assert labels and len(set(labels)) == len(labels)
