"""The seed-000 scenario at Belle II: masks and normalisation."""

import numpy as np


def test_alp_is_prompt_on_the_seed_grid_and_masked_outside():
    # Seed 000, section II: for g_N/Lambda = 1e-3 GeV^-1 the ALP is prompt unless m_N is almost zero
    # or extremely close to m_a/2.
    from llpscan.detectors.belle2_alp_hnl import Belle2AlpHnl

    allowed = Belle2AlpHnl().allowed
    m_N = np.linspace(0.1, 2.09, 50)
    assert allowed(4.2, m_N, 1e-3).all()
    assert not allowed(4.2, 1e-4, 1e-3)  # light N: long-lived ALP
    assert not allowed(4.2, 2.2, 1e-3)  # a -> N N closed
    assert not allowed(4.2, 1.0, 1e-9)  # tiny coupling: ALP not prompt


def test_crossing_angle_boost_option():
    # physics-notes "Detector numbers": with the 83 mrad crossing the CM moves with beta*gamma = 0.287 at
    # 0.151 rad to z (both quoted to 3 digits); head-on it is 0.2835 along z (seed 000, section IV)
    import numpy as np
    import pytest

    from llpscan.detectors import belle2
    from llpscan.detectors.registry import get_scenario
    from llpscan.physics.kinematics import event_rng

    b = belle2.lab_boost("crossing")
    bg = np.linalg.norm(b) / np.sqrt(1 - b @ b)
    assert bg == pytest.approx(0.287, abs=5e-4)
    assert np.arctan2(b[0], b[2]) == pytest.approx(0.151, abs=5e-4)
    assert b[1] == 0.0
    # the option reaches the events: the lab momentum sum leans towards +x only with the crossing
    masses = {"m_a": 4.7, "m_N": 1.0}
    for kind, tilted in (("head-on", False), ("crossing", True)):
        ev = get_scenario("belle2-alp-hnl", {"boost": kind}).events(masses, 2000, event_rng(1, masses))
        total = sum(ev.momenta[k] for k in ("K", "N1", "N2"))
        angle = np.arctan2(total[:, 1].mean(), total[:, 3].mean())
        assert (abs(angle - 0.151) < 0.01) if tilted else (abs(angle) < 0.01)
