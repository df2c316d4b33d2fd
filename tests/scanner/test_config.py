import numpy as np
import pytest

from llpscan.scanner.config import load_config, parse_values, preset_names, resolve, validate
from llpscan.errors import ConfigError


def test_value_specs():
    assert parse_values("4.2,4.7") == [4.2, 4.7]
    assert parse_values("lin:0:1:3") == [0.0, 0.5, 1.0]
    np.testing.assert_allclose(parse_values("log:1e-10:1e-2:9"), np.logspace(-10, -2, 9), rtol=1e-12)
    assert parse_values([1, 2]) == [1.0, 2.0]


@pytest.mark.parametrize("spec", ["", "abc", "log:0:1:3", "lin:1:2", "1,,2", "lin:1:2:0", "log:1e-3:x:4"])
def test_bad_value_specs(spec):
    with pytest.raises(ConfigError):
        parse_values(spec, "V2")


def test_preset_resolves_with_the_issue_grid():
    # issue 2: m_a in {4.2, 4.7}, m_N from 0.1 GeV to below m_a/2 (>= 60 points), V2 1e-10..1e-2 (>= 80, log),
    # g_N = 1e-3, g_bs = 1e-9, 50 ab^-1, 1e5 events
    assert "belle2-alp-hnl" in preset_names()
    scan = resolve(load_config("belle2-alp-hnl"))
    assert list(scan.axes["m_a"]) == [4.2, 4.7]
    m_N = scan.axes["m_N"]
    assert m_N.size >= 60 and m_N[0] == pytest.approx(0.1) and m_N[-1] < 4.7 / 2
    V2 = scan.axes["V2"]
    assert V2.size >= 80 and V2[0] == pytest.approx(1e-10) and V2[-1] == pytest.approx(1e-2)
    assert scan.fixed == {"g_N": 1e-3, "g_bs": 1e-9, "lumi": 5e4}
    assert scan.config.events == 100_000
    assert scan.mass_axes == ("m_a", "m_N") and scan.lifetime_axes == ("V2",)


def test_hash_ignores_chunking_but_not_physics():
    base = load_config("belle2-alp-hnl").model_dump()
    h = resolve(validate(base)).hash()
    assert resolve(validate({**base, "chunks": {"m_N": 3}})).hash() == h
    assert resolve(validate({**base, "seed": 1})).hash() != h


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scenario": "nope"}, "unknown scenario 'nope'"),
        ({"axes": {"m_x": [1.0]}}, "unknown axis 'm_x'"),
        ({"params": {"g_bs": -1.0}}, "g_bs=-1 is outside the allowed range"),
        ({"axes": {"V2": [1e-3, 2.0]}}, "V2=2 is outside the allowed range"),
        ({"axes": {"m_a": [6.0]}}, "m_a=6 is outside the allowed range"),
        ({"axes": {"m_N": []}}, "m_N: empty list of values"),
        ({"searches": ["3DV"]}, "unknown search '3DV'"),
        ({"events": 0}, "events=0"),
        ({"bogus": 1}, "unknown key 'bogus'"),
    ],
)
def test_config_errors_name_the_bad_value(change, message):
    data = load_config("belle2-alp-hnl").model_dump()
    if "axes" in change:
        data["axes"] = {**data["axes"], **change.pop("axes")}
    data.update(change)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        resolve(validate(data))


def test_scenario_options_are_validated_and_hashed(monkeypatch):
    from llpscan.detectors.scenarios.wang2024_alp_hnl import Belle2AlpHnl
    from llpscan.detectors.registry import register_scenario, unregister_scenario

    class WithOption(Belle2AlpHnl):
        name = "with-option"
        # a subclass adds to its parent's options (the parent reads its own when it is built)
        options = {**Belle2AlpHnl.options, "photon": ("isotropic", "exact")}

    register_scenario(WithOption)
    base = {**load_config("belle2-alp-hnl").model_dump(), "scenario": "with-option"}
    default = resolve(validate(base))
    assert default.scenario.option("photon") == "isotropic"
    exact = resolve(validate({**base, "options": {"photon": "exact"}}))
    assert exact.scenario.option("photon") == "exact" and exact.hash() != default.hash()
    assert resolve(validate({**base, "options": {"photon": "isotropic"}})).hash() == default.hash()
    with pytest.raises(ConfigError, match="option photon='text': allowed isotropic, exact"):
        resolve(validate({**base, "options": {"photon": "text"}}))
    with pytest.raises(ConfigError, match="unknown option 'colour' for with-option; options: boost, hadrons, photon"):
        resolve(validate({**base, "options": {"colour": "red"}}))
    unregister_scenario("with-option")
