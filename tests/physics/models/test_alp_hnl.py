"""Wang, Zhang & Liu (arXiv:2410.00491) production and ALP decay."""

import numpy as np
import pytest

from llpscan.physics import pdg
from llpscan.physics.models.alp_hnl import AlpToHnl, br_b_to_k_alp, width_alp_to_nn


@pytest.mark.parametrize(("m_a", "paper"), [(4.2, 2.3e-7), (4.7, 1.3e-7)])
def test_br_b_to_k_alp_reproduces_section_2_of_wang_zhang_liu(m_a, paper):
    # section II: Br(B+ -> K+ a) ~ 2.3e-7 (4.2 GeV) and 1.3e-7 (4.7 GeV) at
    # g_bs = 1e-9 GeV^-1.
    # The paper gives two significant figures (up to 4% rounding) and PDG inputs moved by about 1%
    # since; the issue asks for 10%, and a lost factor 2 or a wrong form factor falls far outside.
    assert br_b_to_k_alp(m_a, 1e-9) == pytest.approx(paper, rel=0.10)


def test_br_b_to_k_alp_scales_with_coupling_squared_and_closes_at_threshold():
    assert br_b_to_k_alp(4.2, 3e-9) / br_b_to_k_alp(4.2, 1e-9) == pytest.approx(9.0, rel=1e-12)
    m_max = pdg.mass("B+") - pdg.mass("K+")
    assert br_b_to_k_alp(m_max + 1e-6, 1e-9) == 0.0
    # near threshold the rate vanishes like the momentum, lambda^(1/2) ~ sqrt(m_max - m_a)
    ratio = br_b_to_k_alp(m_max - 1e-8, 1e-9) / br_b_to_k_alp(m_max - 1e-6, 1e-9)
    assert ratio == pytest.approx(0.1, rel=1e-3)


def test_alp_width_to_nn_limits():
    # eq. (3): Gamma = (g_N/Lambda)^2 m_N^2 m_a beta / (2 pi); beta -> 1 for m_N << m_a
    g = width_alp_to_nn(4.2, 1e-3, 1e-3)
    assert g == pytest.approx(1e-6 * 1e-6 * 4.2 / (2 * np.pi), rel=1e-6)
    assert width_alp_to_nn(4.2, 2.1, 1e-3) == 0.0


def test_ctau_is_inverse_in_the_mixing():
    model = AlpToHnl()
    c1 = model.ctau(m_N=np.array([1.0, 2.0]), V2=1e-6)["N"]
    c2 = model.ctau(m_N=np.array([1.0, 2.0]), V2=1e-8)["N"]
    np.testing.assert_allclose(c2 / c1, 100.0, rtol=1e-12)
