"""The dark-Higgs scenario against checks that do not use its own acceptance code."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from llpscan.detectors.scenario import Scenario
from llpscan.detectors.searches import Search
from llpscan.physics.kinematics import event_rng
from llpscan.physics.model import Model
from llpscan_dark_higgs import widths
from llpscan_dark_higgs.scenario import Belle2DarkHiggs


@pytest.fixture(scope="module")
def scenario():
    return Belle2DarkHiggs()


def test_it_meets_llpscans_protocols_and_pickles(scenario):
    assert isinstance(scenario, Scenario) and isinstance(scenario.model, Model)
    assert all(isinstance(s, Search) for s in scenario.searches)
    again = pickle.loads(pickle.dumps(scenario))
    assert [v.name for v in again.variables] == [v.name for v in scenario.variables]
    assert all(p.latex for p in scenario.parameters)


def test_acceptance_agrees_with_sampled_decay_points(scenario):
    # Independent of the closed form: draw each S's decay point along its lab momentum at a distance
    # (p/m) c tau x Exp(1), apply the cuts of the search (r > 0.9 cm, r < 80 cm, -40 < z < 120 cm) to
    # that point directly. Both are means over the same 40,000 events, so the closed form must lie
    # within 4 of the sampled estimate's standard errors (a 1-in-15,000 chance to fail by accident).
    masses = {"m_S": 1.0}
    ev = scenario.events(masses, 40_000, event_rng(3, masses))
    p4 = ev.momenta["S"]
    u = np.random.default_rng(5).random(p4.shape[0])
    for sin2 in (1e-9, 1e-8, 1e-7, 1e-6):
        ctau = float(widths.ctau(1.0, sin2))
        mean, err = scenario.acceptance(scenario.search("displaced"), ev, {"m_S": 1.0, "sin2_theta": np.array([sin2])})
        x = p4[:, 1:] / 1.0 * ctau * -np.log1p(-u)[:, None]  # p/m c tau x Exp(1), m_S = 1 GeV
        r, z = np.hypot(x[:, 0], x[:, 1]), x[:, 2]
        hit = ((r > 0.009) & (r < 0.80) & (z > -0.40) & (z < 1.20)).astype(float)
        sampled, s_err = hit.mean(), hit.std(ddof=1) / np.sqrt(hit.size)
        assert abs(mean[0] - sampled) < 4 * np.hypot(s_err, err[0]) + 1e-12, (sin2, mean[0], sampled, s_err)


def test_long_lived_signal_scales_as_sin_theta_to_the_fourth(scenario):
    # Production ~ sin^2 theta and, deep in the long-lifetime regime (beta gamma c tau >> 80 cm), the decay
    # probability ~ 1/c tau ~ sin^2 theta: n_signal ~ sin^4 theta. At m_S = 2.5 GeV, c tau = 626 km at
    # sin^2 theta = 1e-15 and 63 km at 1e-14; the next-order term of the decay probability is a fraction
    # ~ r/(beta gamma c tau) < 1e-4 of it, so the ratio of the two is 100 to better than 1e-4.
    masses = {"m_S": 2.5}
    assert widths.ctau(2.5, 1e-14) > 5e4
    ev = scenario.events(masses, 20_000, event_rng(4, masses))
    s2 = np.array([1e-15, 1e-14])
    acc, _ = scenario.acceptance(scenario.search("displaced"), ev, {"m_S": 2.5, "sin2_theta": s2})
    n = acc * scenario.br_production(2.5, s2)
    assert n[1] / n[0] == pytest.approx(100.0, rel=1e-4)
