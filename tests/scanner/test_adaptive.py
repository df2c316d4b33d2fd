"""The adaptive reach: boundaries against a fine grid scan of the same events, its uncertainties against
the scatter between independent samples, a scaling law, and the evaluations it saves."""

import numpy as np
import pytest

from llpscan import scanner
from llpscan.scanner.adaptive import adaptive_reach, open_reach, write_reach
from llpscan.scanner.boundaries import bounds_along
from llpscan.errors import ConfigError


def _config(**over):
    data = scanner.api.config_of("belle2-alp-hnl").model_dump()
    data["axes"] = {"m_a": [4.7], "m_N": [1.0, 1.6, 2.2], "V2": "log:1e-10:1e-2:33"}
    data["events"] = 4000
    data.update(over)
    return scanner.api.config_of(data)


@pytest.fixture(scope="module")
def reach():
    return adaptive_reach(_config(), "m_N", "V2", target=0.01)


def test_boundaries_match_a_fine_grid_of_the_same_events(reach, tmp_path_factory):
    # A grid scan on 1601 values of V2 in the region of each boundary, with the event sample the
    # adaptive search ended with (same size, same seed: the same events), interpolated as `llpscan
    # reach` does: spacing 2e-4 in ln V2, so the interpolation error is far below the 1e-3 = target/10
    # the root finding promises. Agreement to 2e-3 in ln V2.
    for i, search in enumerate(reach["search"].values):
        for j, m_n in enumerate(reach["m_N"].values):
            for kind in ("lower", "upper"):
                y, n_ev = reach[kind].values[i, j], int(reach[f"{kind}_events"].values[i, j])
                if not np.isfinite(y) or reach[f"{kind}_err"].values[i, j] == 0:
                    continue
                grid = y * np.exp(np.linspace(-0.16, 0.16, 1601))
                cfg = _config(axes={"m_a": [4.7], "m_N": [float(m_n)], "V2": grid.tolist()}, events=n_ev,
                              searches=[str(search)])
                path = tmp_path_factory.mktemp("fine") / "fine.zarr"
                scanner.run(cfg, path, progress=False)
                ds = scanner.open(path, in_memory=True)
                n = ds["n_signal"].sel(search=str(search)).squeeze().values
                lo, hi = bounds_along(n, grid, 3.0)
                edge = lo if kind == "lower" else hi
                assert abs(np.log(edge / y)) < 2e-3, (search, m_n, kind, edge, y)


def test_uncertainty_matches_the_scatter_between_samples(reach):
    # the same reach with other seeds: independent samples. The boundaries must scatter as their
    # stated 1-sigma uncertainties say: |difference| < 4 combined sigma everywhere (a wrong error
    # propagation, e.g. forgetting the slope, is off by the slope, 1-2 here, and of the events' own scale)
    pulls = []
    for seed in (11, 12):
        other = adaptive_reach(_config(seed=seed), "m_N", "V2", target=0.01)
        for kind in ("lower", "upper"):
            a, b = reach[kind].values, other[kind].values
            sa, sb = reach[f"{kind}_err"].values, other[f"{kind}_err"].values
            ok = np.isfinite(a) & np.isfinite(b) & (sa > 0) & (sb > 0)
            pulls += list(np.log(a[ok] / b[ok]) / np.hypot(sa[ok], sb[ok]))
    pulls = np.array(pulls)
    assert pulls.size >= 8
    assert np.all(np.abs(pulls) < 4), pulls
    assert 0.2 < np.std(pulls) < 2.5, pulls  # errors neither hugely over- nor underestimated


def test_lower_edge_scales_with_luminosity(reach):
    # Wang, Zhang & Liu (arXiv:2410.00491): at the long-lifetime edge the 1DV signal is proportional to
    # |V|^2 (one decay in the volume ~ 1/c tau) and to the luminosity, so 10x the luminosity moves the
    # lower 1DV boundary down by 10x (within the two boundaries' uncertainties, ~1%)
    cfg = _config(params={**_config().params, "lumi": 5e5})
    more = adaptive_reach(cfg, "m_N", "V2", target=0.01)
    i = list(reach["search"].values).index("1DV")
    ratio = reach["lower"].values[i] / more["lower"].values[i]
    np.testing.assert_allclose(ratio, 10.0, rtol=0.05)


def test_saving_and_storage(reach, tmp_path):
    assert reach.attrs["evaluations"] * 5 < reach.attrs["grid_evaluations"]
    assert np.all(reach["lower_err"].values[np.isfinite(reach["lower"].values)] <= 0.01)
    write_reach(reach, tmp_path / "r.zarr")
    back = open_reach(tmp_path / "r.zarr")
    np.testing.assert_array_equal(back["lower"].values, reach["lower"].values)
    assert back.attrs["target"] == 0.01


def test_bad_requests():
    with pytest.raises(ConfigError, match="must be a lifetime axis"):
        adaptive_reach(_config(), "m_N", "m_a")
    with pytest.raises(ConfigError, match="select a value of m_a"):
        adaptive_reach(_config(axes={"m_a": [4.2, 4.7], "m_N": [1.0], "V2": "log:1e-9:1e-3:9"}), "m_N", "V2")
    with pytest.raises(ConfigError, match="relative precision"):
        adaptive_reach(_config(), "m_N", "V2", target=0.0)
