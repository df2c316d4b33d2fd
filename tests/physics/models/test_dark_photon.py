"""Dark-photon widths, branching fractions and lifetimes against published numbers (Cheung et al., arXiv:2401.03168, Fig. 1).

The hadronic part is tested channel by channel through the muon-g-2 dispersion integral, whose
channel contributions are published from e+e- data (DHMZ19, Davier et al. arXiv:1908.00921, per-channel
table: pi+pi- 507.85(3.4), K+K- 23.08(0.44), K_S K_L 12.82(0.24), in 1e-10, each for sqrt(s) < 1.8 GeV;
the table number and the digits were not re-checked against the paper in review),
and in total through R measured by BES (Bai et al., PRL 88 (2002) 101802: R(2.0 GeV) = 2.18 +- 0.19,
R(3.0 GeV) = 2.21 +- 0.12; the central values are those of the PDG R compilation), and point by point
against that compilation between 0.6 and 1.8 GeV. The integral is computed here independently of the
module: its own kernel (Brodsky & de Rafael 1968) by quadrature, R recovered from the public widths.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad, simpson

from llpscan.physics.models import dark_photon as dp
from llpscan.physics import pdg

ALPHA = 1 / 137.035999  # alpha(0), PDG
HBAR_C = 1.973269804e-16  # GeV m, PDG
M_MU = 0.1056583755  # GeV, PDG


def r_from_width(m, key):
    """R of a channel from its width at eps = 1: Gamma = (alpha m / 3) R."""
    return dp.widths(m, 1.0)[key] / (ALPHA * m / 3)


def kernel(s):
    """K(s) = int_0^1 x^2 (1 - x)/(x^2 + (1 - x) s/m_mu^2) dx (Brodsky & de Rafael, PR 168 (1968) 1620)."""
    return quad(lambda x: x * x * (1 - x) / (x * x + (1 - x) * s / M_MU**2), 0.0, 1.0, epsrel=1e-10)[0]


def amu_contribution(r_of_sqrt_s, lo, hi=1.8):
    """a_mu = alpha^2/(3 pi^2) int ds K(s) R(s)/s, on a grid fine enough for the phi (dE = 0.05 MeV)."""
    e = np.linspace(lo, hi, int((hi - lo) / 5e-5) | 1)
    e_k = np.linspace(lo, hi, 300)
    k = np.interp(e, e_k, [kernel(x * x) for x in e_k])
    integrand = r_of_sqrt_s(e) * k / (e * e) * 2 * e  # ds = 2 sqrt(s) d sqrt(s)
    return ALPHA**2 / (3 * math.pi**2) * simpson(integrand, x=e) * 1e10


def test_ctau_below_muon_threshold_matches_bjorken_essig_schuster_toro():
    # BEST, PRD 80 (2009) 075018 (decay-length estimate; equation number not re-checked): gamma c tau
    # ~= 0.8 cm for E = 10 GeV, eps = 1e-4,
    # m = 100 MeV (one open channel, e+e-). Quoted to one digit: tolerance 6%.
    m, eps, energy = 0.1, 1e-4, 10.0
    gamma_ctau = energy / m * dp.ctau(m, eps)
    assert gamma_ctau == pytest.approx(0.008, rel=0.06)


def test_ctau_scales_as_eps_minus_two_and_vectorises():
    m = np.array([0.05, 0.3, 0.8, 1.5])
    c1, c2 = dp.ctau(m, 1e-3), dp.ctau(m, 1e-5)
    np.testing.assert_allclose(c2 / c1, 1e4, rtol=1e-12)
    np.testing.assert_allclose(dp.ctau(m[:, None], np.array([1e-3, 1e-5])[None, :])[:, 1], c2, rtol=1e-12)


def test_branching_ratios_sum_to_one_and_exclusive_channels_inside_hadrons():
    m = np.linspace(0.02, 2.9, 300)
    br = dp.branching_ratios(m)
    np.testing.assert_allclose(br["ee"] + br["mumu"] + br["hadrons"], 1.0, rtol=1e-12)
    assert np.all(br["pipi"] + br["KK"] <= br["hadrons"] * (1 + 1e-12))
    assert np.all(br["mumu"][m < 2 * M_MU] == 0) and np.all(br["KK"][m < 2 * pdg.mass("K+")] == 0)


def test_pipi_channel_reproduces_the_measured_g_minus_2_contribution():
    # DHMZ19: 507.85 +- 3.4 (KNT19: 504.2 +- 1.9). Tolerance 5%: the Gounaris-Sakurai form factor
    # normalised to Gamma(rho -> ee) is a model (no FSR, rho(1700) omitted), good to a few %.
    a = amu_contribution(lambda e: r_from_width(e, "pipi"), 2 * pdg.mass("pi+") + 1e-9)
    assert a == pytest.approx(507.85, rel=0.05)


def test_kk_channel_reproduces_the_measured_g_minus_2_contribution():
    # DHMZ19: K+K- 23.08 +- 0.44. Tolerance 10%: phi dominance with SU(3) couplings and no excited
    # vector mesons (their interference reshapes the tail above 1.1 GeV).
    a = amu_contribution(lambda e: r_from_width(e, "KK"), 2 * pdg.mass("K+") + 1e-9)
    assert a == pytest.approx(23.08, rel=0.10)


def test_neutral_kaons_enter_the_hadronic_width():
    # K_S K_L (DHMZ19 12.82 +- 0.24) is in "hadrons" but not in "KK": R_had - R_pipi - R_KK over
    # 1.00-1.04 GeV must contain it (plus 3 pi from the phi); compare the phi-peak region only.
    lo = 2 * pdg.mass("K0") + 1e-9

    def r_k0(e):
        return r_from_width(e, "hadrons") - r_from_width(e, "pipi") - r_from_width(e, "KK")

    # without the 3 pi etc. of the phi (15.2% + 1.3% of its width vs 33.9% K_S K_L) this would be 12.8;
    # with them about 12.8 (1 + 16.5/33.9) = 19; the omega tail and multi-hadrons above 1.04 are cut off
    a = amu_contribution(r_k0, lo, 1.04)
    assert 12.82 * 0.9 < a < 12.82 * (1 + 16.5 / 33.9) * 1.2


@pytest.mark.parametrize("sqrt_s, r_bes, err", [(2.0, 2.18, 0.19), (3.0, 2.21, 0.12)])
def test_total_r_and_branching_fractions_match_bes(sqrt_s, r_bes, err):
    # BES 2002; tolerance: the total error of the measurement (9% and 5%), rounded up to 10%.
    r = r_from_width(sqrt_s, "hadrons")
    assert r == pytest.approx(r_bes, rel=0.10)
    # Br(A' -> mu mu) and c tau from the measured R, written out independently
    x = (M_MU / sqrt_s) ** 2
    lep_mu = (1 + 2 * x) * math.sqrt(1 - 4 * x)
    xe = (pdg.mass("e-") / sqrt_s) ** 2
    lep_e = (1 + 2 * xe) * math.sqrt(1 - 4 * xe)
    br_mumu = lep_mu / (lep_e + lep_mu + r_bes)
    assert float(dp.branching_ratios(sqrt_s)["mumu"]) == pytest.approx(br_mumu, rel=0.05)
    ctau = HBAR_C / (ALPHA * sqrt_s / 3 * (lep_e + lep_mu + r_bes))
    assert float(dp.ctau(sqrt_s, 1.0)) == pytest.approx(ctau, rel=0.05)


def test_phi_peak_in_k_plus_k_minus_matches_breit_wigner_from_pdg_branching_fractions():
    # sigma(e+e- -> phi -> K+K-) at the peak = 12 pi Br(phi -> ee) Br(phi -> K+K-)/m_phi^2 (PDG 2024:
    # Gamma_ee = 1.27 keV, Br(K+K-) = 49.1%) ~ 2.0 mub. The model fixes the phi coupling by SU(3)
    # (1/3), not by Gamma_ee: agreement within 10% tests that normalisation.
    m_phi, g_phi = pdg.mass("phi(1020)"), pdg.width("phi(1020)")
    peak_r = 9 * (1.27e-6 / g_phi) * 0.491 / ALPHA**2  # R at the peak of the Breit-Wigner
    e = np.linspace(m_phi - 0.002, m_phi + 0.002, 401)
    assert float(np.max(r_from_width(e, "KK"))) == pytest.approx(peak_r, rel=0.10)


def test_out_of_range_mass_is_an_error():
    with pytest.raises(ValueError, match="above the model's range"):
        dp.widths(3.5)


# Measured R from the PDG compilation (pdg.lbl.gov/2020/hadronic-xsections, file
# rpp2020-hadronicrpp_page1001.dat), read at these energies (GeV). Not used by the module.
PDG_R = {0.6: 1.308, 0.8: 6.797, 1.1: 0.919, 1.2: 0.927, 1.3: 1.182, 1.4: 1.588, 1.5: 2.096, 1.6: 2.380,
         1.8: 2.194}


@pytest.mark.parametrize("sqrt_s", sorted(PDG_R))
def test_r_ratio_against_the_pdg_compilation(sqrt_s):
    # Tolerances: 5% in the rho region (Gounaris-Sakurai F_pi fixed by Gamma(rho -> ee); data ~1%);
    # 25% for 1.0-1.6 GeV, the multi-hadron interpolation the module docstring rates at about 30%
    # (measured here: -21% at 1.1 GeV, -7% at 1.2, +8% at 1.4); 10% at 1.8 GeV (QPM + O(alpha_s^2)).
    tol = 0.05 if sqrt_s < 1.0 else (0.25 if sqrt_s <= 1.6 else 0.10)
    assert float(dp.r_ratio(sqrt_s)) == pytest.approx(PDG_R[sqrt_s], rel=tol)


@pytest.mark.parametrize("m, r_measured", [(0.5, 0.474), (1.2, 0.927)])
def test_br_mumu_from_the_measured_r(m, r_measured):
    # Br(A' -> mu mu) = beta-factor_mu / (factor_e + factor_mu + R) with R(0.5 GeV) = 0.474 (PDG file above,
    # interpolated between 0.495 and 0.501 GeV) and R(1.2 GeV) = 0.927: 0.401 and 0.342. The module gives
    # 0.398 and 0.350. Tolerance 4%: an R error of 12% moves Br by R/(2 + R) x 12% <= 4%.
    def lep(ml):
        x = (ml / m) ** 2
        return (1 + 2 * x) * math.sqrt(1 - 4 * x)

    br = lep(M_MU) / (lep(pdg.mass("e-")) + lep(M_MU) + r_measured)
    assert float(dp.branching_ratios(m)["mumu"]) == pytest.approx(br, rel=0.04)


# --- vector_mesons="extended": the kaon form factors of Bruch, Khodjamirian & Kuhn (hep-ph/0409080) ---

def test_vector_mesons_default_is_the_minimal_model():
    # the option's default must leave every existing number unchanged: same code path, bit for bit
    m = np.linspace(0.02, 2.9, 97)
    for key, val in dp.widths(m, 1e-3).items():
        np.testing.assert_array_equal(val, dp.widths(m, 1e-3, "minimal")[key])
    np.testing.assert_array_equal(dp.ctau(m, 1e-3), dp.ctau(m, 1e-3, "minimal"))


def test_extended_vector_mesons_leave_everything_below_the_kaon_threshold():
    # the excited states enter only the kaon form factors: nothing changes below 2 m_K (e.g. the
    # dark neutrino's Z' of Ballett et al., below 0.39 GeV, shares these widths)
    m = np.linspace(0.02, 2 * pdg.mass("K+") - 1e-6, 200)
    for key, val in dp.widths(m, 1e-3).items():
        np.testing.assert_array_equal(val, dp.widths(m, 1e-3, "extended")[key])


def test_extended_kk_channel_reproduces_the_measured_g_minus_2_contribution():
    # DHMZ19 K+K- 23.08 +- 0.44 (module docstring above) for sqrt(s) < 1.8 GeV. Tolerance 6%: the phi
    # peak carries ~85% of the integral and BKK's fitted c_phi = 1.018 puts it 3.6% above the PDG
    # Breit-Wigner; the measurement is 1.9%. Measured here: 24.2 (+4.9%); the minimal model gives 21.6.
    lo = 2 * pdg.mass("K+") + 1e-9
    a = amu_contribution(lambda e: dp.widths(e, 1.0, "extended")["KK"] / (ALPHA * e / 3), lo)
    assert a == pytest.approx(23.08, rel=0.06)


@pytest.mark.parametrize("sqrt_s", sorted(PDG_R))
def test_extended_r_ratio_against_the_pdg_compilation(sqrt_s):
    # the same tolerances as for the minimal model: the total R moves only through K K below 1.6 GeV
    # (the multi-hadron continuum takes up the rest of R_QPM above)
    tol = 0.05 if sqrt_s < 1.0 else (0.25 if sqrt_s <= 1.6 else 0.10)
    assert float(dp.r_ratio(sqrt_s, "extended")) == pytest.approx(PDG_R[sqrt_s], rel=tol)


def test_extended_vector_mesons_change_br_kk_by_large_factors_above_1p2_gev():
    # the size of the theory choice, as documented (docs/physics.md): Br(K+K-) extended/minimal is
    # 2.0-2.6 at 1.3-1.7 GeV (constructive) and 0.14 at 1.9 GeV (destructive, 7x smaller); pi pi unchanged
    m = np.array([1.3, 1.5, 1.7, 1.9])
    a, b = dp.branching_ratios(m), dp.branching_ratios(m, "extended")
    ratio = b["KK"] / a["KK"]
    assert np.all(ratio[:3] > 1.8) and np.all(ratio[:3] < 3.0)
    assert 0.1 < ratio[3] < 0.2
    np.testing.assert_allclose(b["pipi"], a["pipi"], rtol=0.02)


def test_vector_mesons_option_is_validated():
    with pytest.raises(ValueError, match="vector_mesons"):
        dp.widths(1.5, 1.0, "maximal")


def test_scenario_option_vector_mesons():
    from llpscan.detectors.registry import get_scenario

    default = get_scenario("belle2-scalar-darkphoton")
    ext = get_scenario("belle2-scalar-darkphoton", {"vector_mesons": "extended"})
    assert default.option("vector_mesons") == "minimal" and ext.model.vector_mesons == "extended"
    kk = {v.name: v for v in ext.variables}["br_KK"].fn(np.array([1.9]))
    assert float(kk[0]) == pytest.approx(float(dp.branching_ratios(1.9, "extended")["KK"]), rel=1e-15)
    ctau = ext.model.ctau(m_Ap=np.array([1.9]), eps=1e-6)["Ap"]
    assert float(ctau[0]) == float(dp.ctau(np.array([1.9]), 1e-6, "extended")[0])
