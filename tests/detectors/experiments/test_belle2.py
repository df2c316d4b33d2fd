"""Belle II numbers: the boost with and without the crossing angle."""

import numpy as np
import pytest

from llpscan.detectors.experiments import belle2
from llpscan.detectors.registry import get_scenario
from llpscan.physics.kinematics import event_rng


def test_crossing_angle_boost_option():
    # Belle II TDR (arXiv:1011.0352): beams of 7.004 and 4.002 GeV crossing at 83 mrad; the CM then moves
    # with beta*gamma = 0.287 at 0.151 rad to z (an independent evaluation, 3 digits); head-on it is
    # 0.2835 along z (Wang, Zhang & Liu, arXiv:2410.00491, section IV)
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
