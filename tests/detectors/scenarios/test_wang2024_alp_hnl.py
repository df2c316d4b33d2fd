"""The Wang, Zhang & Liu (arXiv:2410.00491) scenario at Belle II: masks and normalisation."""

import numpy as np

from llpscan.detectors.scenarios.wang2024_alp_hnl import SIGNAL, Belle2AlpHnl
from llpscan.physics import pdg
from llpscan.physics.models import hnl


def br_signal(m_N, search):
    return hnl.branching_fraction(np.asarray(m_N, dtype=float), SIGNAL[search])


def test_alp_is_prompt_on_the_seed_grid_and_masked_outside():
    # section II: for g_N/Lambda = 1e-3 GeV^-1 the ALP is prompt unless m_N
    # is almost zero
    # or extremely close to m_a/2.
    allowed = Belle2AlpHnl().allowed
    m_N = np.linspace(0.1, 2.09, 50)
    assert allowed(4.2, m_N, 1e-3).all()
    assert not allowed(4.2, 1e-4, 1e-3)  # light N: long-lived ALP
    assert not allowed(4.2, 2.2, 1e-3)  # a -> N N closed
    assert not allowed(4.2, 1.0, 1e-9)  # tiny coupling: ALP not prompt


# ---------------------------------------------------------------------------------------------
# Br(N -> signal), Fig. 2 (qualitative).
# ---------------------------------------------------------------------------------------------
def test_br_1dv_starts_at_kaon_threshold():
    thr = pdg.mass("K+") + pdg.mass("e-")
    m = np.array([0.2, 0.4, thr, thr + 0.01, 0.6])
    b = br_signal(m, "1DV")
    assert np.all(b[:3] == 0) and np.all(b[3:] > 0)


def test_br_1dv_kink_at_rho_threshold():
    # "its kink at just below 0.8 GeV is due to the threshold of the e rho channel": the slope
    # just above m_rho + m_e is far larger than just below it.
    thr = pdg.mass("rho(770)+") + pdg.mass("e-")
    h = 0.01
    b = br_signal(np.array([thr - h, thr, thr + h]), "1DV")
    slope_below, slope_above = (b[1] - b[0]) / h, (b[2] - b[1]) / h
    assert slope_above > 5 * abs(slope_below)


def test_br_2dv_kink_at_pion_threshold():
    thr = pdg.mass("pi+") + pdg.mass("e-")
    h = 0.005
    b = br_signal(np.array([thr - h, thr, thr + h]), "2DV")
    assert b[0] > 0  # e mu nu is open below the pion threshold
    assert (b[2] - b[1]) / h > 5 * abs((b[1] - b[0]) / h)


def test_br_2dv_above_1dv_and_both_probabilities():
    m = np.linspace(pdg.mass("K+") + pdg.mass("e-") + 1e-6, 2.4, 200)
    b1, b2 = br_signal(m, "1DV"), br_signal(m, "2DV")
    assert np.all(b2 > b1) and np.all(b1 > 0) and np.all(b2 < 1)
    # 2DV ~ 0.5-0.65 in the exclusive region (e pi + e rho dominate), lower above the switch.
    assert np.all((b2[m < 1.9] > 0.4) & (b2[m < 1.9] < 0.7))
