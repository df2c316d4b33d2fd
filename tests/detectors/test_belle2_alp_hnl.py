"""The seed-000 scenario at Belle II: masks and normalisation."""

import numpy as np


def test_alp_is_prompt_on_the_seed_grid_and_masked_outside():
    # Seed 000, section II: for g_N/Lambda = 1e-3 GeV^-1 the ALP is prompt unless m_N is almost zero
    # or extremely close to m_a/2.
    from detectors.belle2_alp_hnl import Belle2AlpHnl

    allowed = Belle2AlpHnl().allowed
    m_N = np.linspace(0.1, 2.09, 50)
    assert allowed(4.2, m_N, 1e-3).all()
    assert not allowed(4.2, 1e-4, 1e-3)  # light N: long-lived ALP
    assert not allowed(4.2, 2.2, 1e-3)  # a -> N N closed
    assert not allowed(4.2, 1.0, 1e-9)  # tiny coupling: ALP not prompt
