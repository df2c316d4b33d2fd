"""The ALP model of Ferber et al. (arXiv:2201.06580): production (eqs. 2.7, 3.7) and decay widths (appendix A) against the paper and
independent evaluations."""

import cmath
import math

import numpy as np
import pytest
from scipy.integrate import quad

from llpscan.physics import pdg
from llpscan.physics.constants import ALPHA_EM, SIN2_THETA_W, V_HIGGS
from llpscan.physics.qcd import alpha_s
from llpscan.physics.models import alp, alp_running


def _b1(tau):
    """B_1(tau) of eq. (A.8), written with cmath independently of physics.models.alp.b1_loop."""
    if tau >= 1:
        return 1 - tau * math.asin(1 / math.sqrt(tau)) ** 2
    s = math.sqrt(1 - tau)
    return 1 - tau * (math.pi / 2 + 0.5j * cmath.log((1 + s) / (1 - s))) ** 2


def _c_sb_weak_scale(c_ff, c_ww, alpha):
    """C_sb(mu_w) of eqs. (2.4)-(2.5), written out here independently of the model.

    mu_w = m_Z; y_t from the PDG MSbar m_t(m_t) = 162.5 GeV (y_t = sqrt2 m_t/v); x_t with the pole mass;
    alpha_s(Lambda) by one-loop running from alpha_s(m_Z) = 0.118 (n_f = 5 to m_t, 6 above);
    |V_ts V_tb| = 0.0415 x 1.010 (PDG 2024 CKM review).
    """
    m_t, m_w, m_z = pdg.mass("t"), pdg.mass("W+"), pdg.mass("Z0")
    lam = 4 * math.pi * 1000.0
    y_t = math.sqrt(2) * 162.5 / V_HIGGS
    a_t = y_t**2 / (4 * math.pi)
    a_mt = 0.118 / (1 + 23 / (12 * math.pi) * 0.118 * math.log(m_t**2 / m_z**2))
    a_lam = a_mt / (1 + 21 / (12 * math.pi) * a_mt * math.log(lam**2 / m_t**2))
    r_t = 4.5 * a_t / 0.118 * (1 - (a_lam / 0.118) ** (1 / 7))
    x_t = (m_t / m_w) ** 2
    top = (1 - r_t) * a_t / (4 * math.pi) * (0.5 * math.log(m_z**2 / m_t**2) - 0.25
                                             - 1.5 * (1 - x_t + math.log(x_t)) / (1 - x_t) ** 2) + r_t / 9
    ww = (-a_t / (4 * math.pi) * 3 * alpha / (2 * math.pi * SIN2_THETA_W)
          * (1 - x_t + x_t * math.log(x_t)) / (1 - x_t) ** 2)
    return 0.0415 * 1.010 * (top * c_ff + ww * c_ww)


def test_b_to_k_alp_normalisation_from_eqs_2_4_to_2_6():
    # eq. (2.7) prints Br = 0.1 (c_ff - 0.0016 c_WW)^2 at m_a -> 0. Eqs.
    # (2.4)-(2.6) evaluated
    # independently (C_sb at the weak scale; the paper neglects the running below it) give 0.103: 10%
    # covers the input choices (y_t at mu_w, alpha_s(Lambda)), which move it by a few per cent.
    m_b, m_k = pdg.mass("B+"), pdg.mass("K+")
    lam = 4 * math.pi * 1000.0
    c = _c_sb_weak_scale(1.0, 0.0, ALPHA_EM)
    gamma = math.pi / 4 * c**2 / lam**2 * 0.329**2 * m_b * (1 - m_k**2 / m_b**2) ** 2 * (m_b**2 - m_k**2)  # eq. (2.6)
    br_independent = gamma / pdg.width("B+")
    assert float(alp.br_b_to_k_alp(1e-4, 1.0)) == pytest.approx(br_independent, rel=0.10)
    # the c_WW coefficient: eq. (2.4) alone gives -0.00125 (alpha(0)) to -0.00134 (alpha(m_Z)) against the
    # printed -0.0016, which includes running below the weak scale (footnote 2): 25%
    ratio = _c_sb_weak_scale(0.0, 1.0, 1 / 128.0) / _c_sb_weak_scale(1.0, 0.0, 1 / 128.0)
    r_model = math.sqrt(alp.br_b_to_k_alp(1e-4, 0.0, 1.0) / alp.br_b_to_k_alp(1e-4, 1.0, 0.0))
    assert r_model == pytest.approx(abs(ratio), rel=0.25)
    assert alp.br_b_to_k_alp(1e-4, 1.0, 625.0) < 1e-6 * alp.br_b_to_k_alp(1e-4, 1.0)  # destructive: -0.0016


def test_b_to_k_alp_mass_dependence_and_endpoint():
    # eq. (2.7): the mass dependence is f_0(m_a^2)^2/f_0(0)^2 lambda^1/2/(m_B^2 - m_K^2); with the pole form
    # f_0 = r/(1 - q^2/m_fit^2) (Ball-Zwicky, m_fit^2 = 37.46 GeV^2) and the momentum written as 2 m_B p_K:
    m_b, m_k = pdg.mass("B+"), pdg.mass("K+")
    m_a = np.array([0.5, 2.0, 4.0])
    p_k = np.array([math.sqrt((m_b**2 - (m + m_k) ** 2) * (m_b**2 - (m - m_k) ** 2)) / (2 * m_b) for m in m_a])
    expected = 0.1 * (1 / (1 - m_a**2 / 37.46)) ** 2 * 2 * m_b * p_k / (m_b**2 - m_k**2)
    np.testing.assert_allclose(alp.br_b_to_k_alp(m_a, 1.0), expected, rtol=1e-10)
    assert float(alp.br_b_to_k_alp(m_b - m_k + 1e-6, 1.0)) == 0.0


def test_k_to_pi_alp_relative_to_b_to_k_by_ckm_and_kinematics():
    # Ferber et al. (arXiv:2201.06580): C_ds = C_sb V_td* V_ts / (V_ts* V_tb) (section 2) and Gamma(K -> pi a) as
    # eq. (2.6) with
    # f_0^K = 1 (section 3.3), so Br(K)/Br(B) at m_a -> 0 = |V_td|^2 (m_K^3 (1-x_K)^3 tau_K)/(f_0B^2 m_B^3
    # (1-x_B)^3 tau_B) = 3.4e-3 (|V_td| = 8.6e-3, PDG), against 4.12e-4/0.1 = 4.1e-3 printed: the paper's
    # C_ds includes running to m_s (section 2), so 25%.
    m_b, m_k, m_pi = pdg.mass("B+"), pdg.mass("K+"), pdg.mass("pi+")
    xb, xk = (m_k / m_b) ** 2, (m_pi / m_k) ** 2
    expected = 8.6e-3**2 * m_k**3 * (1 - xk) ** 3 * pdg.lifetime("K+") / (
        0.329**2 * m_b**3 * (1 - xb) ** 3 * pdg.lifetime("B+"))
    ratio = float(alp.br_k_to_pi_alp(1e-5, 1.0) / alp.br_b_to_k_alp(1e-5, 1.0))
    assert ratio == pytest.approx(expected, rel=0.25)
    assert float(alp.br_k_to_pi_alp(m_k - m_pi + 1e-6, 1.0)) == 0.0


def test_b1_loop_against_feynman_parameter_integral():
    # Independent: for tau = 4 m^2/m_a^2 > 1, f(tau)^2 = -1/2 int_0^1 dx/x ln(1 - 4 x (1-x)/tau)
    # (the pseudoscalar triangle), so B_1 = 1 + tau/2 int ...; numerical quadrature to 1e-8.
    for tau in (1.5, 4.0, 30.0):
        integral = quad(lambda x: math.log(1 - 4 * x * (1 - x) / tau) / x, 0, 1, epsabs=1e-13)[0]
        assert complex(alp.b1_loop(tau)).real == pytest.approx(1 + tau / 2 * integral, rel=1e-8)
    # limits: light fermion B_1 -> 1; heavy fermion B_1 -> -1/(3 tau) (decoupling); to 1e-3 at these tau
    assert abs(complex(alp.b1_loop(1e-6)) - 1) < 1e-3
    assert complex(alp.b1_loop(1e4)).real == pytest.approx(-1 / 3e4, rel=1e-3)


def test_lepton_and_photon_widths_in_f_a_normalisation():
    # Written with f_a instead of Lambda = 4 pi f_a (appendix A of Ferber et al. writes Lambda: mixing them up is
    # a factor 16 pi^2):
    # Gamma(a -> l l) = m_a m_l^2 (c/f_a)^2 beta/(8 pi) (beta^1, pseudoscalar), and with
    # g_agg = alpha c_gg/(pi f_a): Gamma(a -> gamma gamma) = g_agg^2 m_a^3/(64 pi). Exact (1e-10), with the
    # couplings not run (the formula check); abs=0 because pytest.approx's default abs=1e-12 exceeds these
    # widths (~1e-15 GeV) and would let any value pass.
    m_a, c = 0.5, 2e-3
    fa = 1000.0 / c  # c/f_a = 2e-3 TeV^-1 with c = 1
    w = alp.partial_widths(m_a, c, 0.0, couplings="fixed")
    m_mu = pdg.mass("mu-")
    beta = math.sqrt(1 - 4 * m_mu**2 / m_a**2)
    assert float(w["mumu"]) == pytest.approx(m_a * m_mu**2 * beta / (8 * math.pi * fa**2), rel=1e-10, abs=0)
    w_ww = alp.partial_widths(0.001, 0.0, c, couplings="fixed")  # below 2 m_e: only photons
    g = ALPHA_EM / (math.pi * fa)
    assert float(w_ww["gamgam"]) == pytest.approx(g**2 * 0.001**3 / (64 * math.pi), rel=1e-10, abs=0)
    # running couplings: c_mumu(0.5 GeV) = 1.1065 c_ff (the RG running of Bauer et al., arXiv:2012.12272, to 4
    # digits: 1.107), c_gamgam = c_WW = 1
    # (alpaca: c_gamgam does not run); 0.2% for 1.107 quoted to 4 digits
    w_run = alp.partial_widths(m_a, c, 0.0)
    assert float(w_run["mumu"] / w["mumu"]) == pytest.approx(1.107**2, rel=2e-3)
    assert float(alp.partial_widths(0.001, 0.0, c)["gamgam"] / w_ww["gamgam"]) == pytest.approx(1.0, rel=1e-3)


def test_photon_width_of_the_c_ff_benchmark():
    # (A.6)-(A.8) at m_a = 0.5 GeV written out here with cmath: C_gamgam^eff = sum N_c Q^2 B_1(4 m_f^2/m_a^2)
    # over e, mu, tau (N_c Q^2 = 1), c and t (4/3), b (1/3); the e term is ~1, the mu term complex (tau_mu < 1),
    # the heavy ones ~ -1/(3 tau) (decouple). Gamma = alpha(0)^2 m_a^3 |C|^2/(4 pi Lambda^2). Same formula,
    # independent code: 1e-10 (reviewer's mpmath evaluation: 1.5025e-14 GeV). Fixed couplings (c_ff at every
    # fermion, as written); abs=0: pytest.approx's default abs=1e-12 would accept any width of this size.
    m_a, lam = 0.5, 4 * math.pi * 1000.0

    def b1(m):
        return _b1(4 * m**2 / m_a**2)

    c = (b1(pdg.mass("e-")) + b1(pdg.mass("mu-")) + b1(pdg.mass("tau-"))
         + 4 / 3 * b1(pdg.mass("c")) + 1 / 3 * b1(pdg.mass("b")) + 4 / 3 * b1(pdg.mass("t")))
    expected = ALPHA_EM**2 * m_a**3 * abs(c) ** 2 / (4 * math.pi * lam**2)
    assert float(alp.partial_widths(m_a, 1.0, couplings="fixed")["gamgam"]) == pytest.approx(expected, rel=1e-10, abs=0)
    assert expected == pytest.approx(1.5025e-14, rel=1e-4, abs=0)


def test_c_ww_loop_induced_lepton_couplings():
    # BNT arXiv:1708.00443 eq. (11) with mu = Lambda, evaluated independently, gives c_ee ~ -2.2e-4 and
    # c_mumu ~ -2.5e-4 per unit c_WW; the electron value depends on m_a through g(tau) (-2.2e-4 at
    # m_a = 0.1 GeV, -1.4e-4 at 1 GeV). 10% at these masses.
    assert complex(alp.lepton_loop_coupling(0.1, "ee")).real == pytest.approx(-2.2e-4, rel=0.10)
    assert complex(alp.lepton_loop_coupling(0.5, "mumu")).real == pytest.approx(-2.5e-4, rel=0.10)


def test_branching_ratios_follow_the_paper_statements():
    # section 2: c_ff benchmark, "For masses 2m_e < m_a < 3m_pi the ALP decays
    # mostly into
    # leptons"; photons dominate only below 2 m_e; c_WW benchmark: "the ALP decays mostly into photons".
    # "Mostly" read as > 95%: with running couplings c_WW induces c_qq ~ -2.5e-4 and a -> c cbar, so
    # Br(gamma gamma) = 0.965 at 4 GeV (alpaca's own widths: 0.974 at 3 GeV); with fixed couplings
    # (c_qq = 0) it stays above 0.99, the threshold this test used before the running.
    br = alp.branching_ratios(np.array([0.05, 0.3, 0.5]), 1.0, 0.0)
    assert br["ee"][0] > 0.95 and br["mumu"][1] > 0.99 and br["mumu"][2] > 0.99
    assert float(alp.branching_ratios(5e-4, 1.0, 0.0)["gamgam"]) == 1.0
    m_ww = np.array([0.05, 0.5, 2.0, 4.0])
    assert (alp.branching_ratios(m_ww, 0.0, 1.0)["gamgam"] > 0.95).all()
    assert (alp.branching_ratios(m_ww, 0.0, 1.0, couplings="fixed")["gamgam"] > 0.99).all()


def test_width_jump_at_one_gev_and_charm_threshold():
    # Ferber et al. appendix A: switching to perturbative QCD at 1 GeV makes the c_ff total width jump about 24x
    # (fixed couplings: 24.3, 5% for "about"); with running couplings the lepton width below grows by
    # 1.1065^2 and the jump shrinks to 20.8, still inside the 20-28 window this test has always used;
    # a -> c cbar opens at 2 m_c (PDG MSbar m_c(m_c)), visible as a step in Br(mu mu).
    jump_fixed = float(alp.total_width(1.001, 1.0, couplings="fixed") / alp.total_width(0.999, 1.0, couplings="fixed"))
    assert jump_fixed == pytest.approx(24.0, rel=0.05)
    jump = float(alp.total_width(1.001, 1.0) / alp.total_width(0.999, 1.0))
    assert 20 < jump < 28
    m_c = pdg.mass("c")
    below, above = alp.branching_ratios(np.array([2 * m_c - 1e-3, 2 * m_c + 0.05]), 1.0)["mumu"]
    assert above < 0.5 * below


def test_hadronic_width_at_two_gev():
    # (A.2)-(A.3) at m_a = 2 GeV written out here: C_GG^eff = sum over u, d, s, c (m_q < m_a) of c/2 B_1,
    # B_1 = 1 - tau f^2 with f = pi/2 + (i/2) ln((1+s)/(1-s)), s = sqrt(1 - tau) (tau < 1: u, d, s) and
    # f = arcsin(1/sqrt(tau)) (c: tau = 1.62); K-factor with n_q = 3 and alpha_s(m_a); plus u, d, s q qbar
    # with N_c = 3 (c cbar is closed below 2 m_c = 2.55 GeV). Same formula, independent code: 1e-10 with
    # fixed couplings (c_qq = c_ff); with running ones, alpaca's couplings at exactly 2.0 GeV from the
    # alpaca-alps evaluation (c_uu = c_cc = 0.8669, c_dd = 1.0822, c_ss = 1.0821, 4 digits): 0.5% (the
    # table's log-m_a interpolation is good to 2e-3 in the couplings, 4e-3 in a width).
    m_a, lam = 2.0, 4 * math.pi * 1000.0
    a_s = float(alpha_s(np.array([m_a]))[0])

    def b1(m):
        return _b1(4 * m**2 / m_a**2)

    def hadrons(c):
        cgg = 0.5 * sum(c[q] * b1(pdg.mass(q)) for q in "udsc")
        gg = 2 * a_s**2 * m_a**3 / (math.pi * lam**2) * abs(cgg) ** 2 * (1 + (97 / 4 - 3.5) * a_s / math.pi)
        qq = sum(6 * math.pi * m_a * pdg.mass(q) ** 2 / lam**2 * math.sqrt(1 - 4 * pdg.mass(q) ** 2 / m_a**2)
                 * c[q] ** 2 for q in "uds")
        return gg + qq

    fixed = hadrons(dict.fromkeys("udsc", 1.0))
    assert float(alp.partial_widths(m_a, 1.0, couplings="fixed")["hadrons"]) == pytest.approx(fixed, rel=1e-10, abs=0)
    running = hadrons({"u": 0.8669, "d": 1.0822, "s": 1.0821, "c": 0.8669})
    assert float(alp.partial_widths(m_a, 1.0)["hadrons"]) == pytest.approx(running, rel=5e-3, abs=0)


def test_running_lepton_coupling_and_ctau_at_half_gev():
    # the running of Bauer et al. (arXiv:2012.12272) gives c_ll(m_a) = 1.107 c_ff below 1 GeV (quoted to 4 digits:
    # 0.2%),
    # so fixed couplings make c tau about 22% longer there: 1.107^2 = 1.225 up to the photon width
    # (1e-4 of the total at 0.5 GeV), i.e. within 1.22-1.23.
    c = alp_running.running_couplings(np.array([0.05, 0.5]))
    np.testing.assert_allclose(c["e"][0].real, 1.107, rtol=2e-3)
    np.testing.assert_allclose(c["mu"][0].real, 1.107, rtol=2e-3)
    r = float(alp.ctau(0.5, 1.0, couplings="fixed") / alp.ctau(0.5, 1.0))
    assert 1.22 <= r <= 1.23, r
    model_r = alp.AlpModel("fixed").ctau(m_a=0.5, c_ff=1.0, c_WW=0.0)["a"] / alp.AlpModel().ctau(m_a=0.5, c_ff=1.0, c_WW=0.0)["a"]
    assert float(model_r) == pytest.approx(r, rel=1e-12)
    # alpaca's own total width (its independent width code, a -> 3 pi and gamma pi pi included, 5e-5 of
    # the width) at 0.5 GeV, c_ff = 1: c tau = 8.006e-7 m (alpaca-alps 1.2.0 evaluation); 0.2%
    assert float(alp.ctau(0.5, 1.0)) == pytest.approx(8.006e-7, rel=2e-3, abs=0)


def test_running_above_one_gev_against_the_alpaca_evaluation():
    # The alpaca-alps evaluation re-implemented (A.1)-(A.3), (A.6)-(A.7) with alpaca's couplings at exactly
    # 3.0 GeV: fixed couplings make c tau 0.785x the running value (c_cc = 0.867 suppresses a -> c cbar) and
    # Br(mu mu) 1/1.559 of it. 1%: the table's interpolation in log m_a (2e-3 in c_cc, 4e-3 in a width).
    r = float(alp.ctau(3.0, 1.0, couplings="fixed") / alp.ctau(3.0, 1.0))
    assert r == pytest.approx(0.785, rel=0.01)
    br = float(alp.branching_ratios(3.0, 1.0)["mumu"] / alp.branching_ratios(3.0, 1.0, couplings="fixed")["mumu"])
    assert br == pytest.approx(1.559, rel=0.01)


def test_c_ww_running_lepton_couplings_against_bnt_eq_11():
    # c_WW benchmark: alpaca's effective mu coupling at mu = m_a exceeds BNT eq. (11) at mu = Lambda by
    # 12.6% at 0.5 GeV and 20.0% at 3 GeV, e by 8.6% at 0.1 GeV (Re of the complex ratio; alpaca-alps
    # evaluation, alpaca run at exactly these masses); 0.5% for the table's interpolation.
    for m_a, f, lep, ratio in ((0.5, "mu", "mumu", 1.1260), (3.0, "mu", "mumu", 1.2000), (0.1, "e", "ee", 1.0861)):
        run = complex(alp_running.running_couplings(m_a)[f][1])
        bnt = complex(alp.lepton_loop_coupling(m_a, lep))
        assert (run / bnt).real == pytest.approx(ratio, rel=5e-3), (m_a, f)


def test_couplings_option_is_validated():
    with pytest.raises(ValueError, match="couplings"):
        alp.AlpModel("runing")
    with pytest.raises(ValueError, match="couplings"):
        alp.partial_widths(0.5, 1.0, couplings="none")


@pytest.mark.parametrize("couplings", alp.COUPLINGS)
def test_model_ctau_broadcasts_over_couplings(couplings):
    m = alp.AlpModel(couplings)
    c = np.geomspace(1e-5, 1e-1, 5)
    ct = m.ctau(m_a=0.5, c_ff=c, c_WW=0.0)["a"]
    np.testing.assert_allclose(ct * c**2, ct[0] * c[0] ** 2, rtol=1e-12)  # Gamma ~ c^2 (eq. 2.14)
    assert np.isinf(m.ctau(m_a=0.5, c_ff=0.0, c_WW=0.0)["a"])
    # both couplings at once on a grid (m_a, c_ff, c_WW) broadcast; each point equals its scalar evaluation
    m_a = np.array([0.3, 2.0])[:, None, None]
    cff, cww = c[None, :, None], np.array([0.0, 1e-2, 1.0])[None, None, :]
    grid = m.ctau(m_a=m_a, c_ff=cff, c_WW=cww)["a"]
    assert grid.shape == (2, 5, 3)
    assert float(grid[1, 2, 1]) == pytest.approx(float(m.ctau(m_a=2.0, c_ff=c[2], c_WW=1e-2)["a"]), rel=1e-12)


def test_hadron_switch_at_1p4_gev_as_in_alpaca():
    # ALPaca (alpaca-alps 1.2.0, arXiv:2508.08354) uses the perturbative hadronic width only above
    # 1.4 GeV; the paper's appendix A from 1 GeV. Between the two, with the 1.4 GeV switch, the ALP of
    # these benchmarks has no hadronic width (the chiral channels vanish: a -> 3 pi needs c_uu != c_dd
    # or c_GG), and every other channel is untouched; outside [1, 1.4) GeV the two are identical.
    m = np.array([0.5, 1.05, 1.2, 1.39, 1.4, 2.0])
    for bench in ((1.0, 0.0), (0.0, 1.0)):
        w0 = alp.partial_widths(m, *bench)
        w1 = alp.partial_widths(m, *bench, hadron_switch=alp.HADRON_SWITCH_ALPACA)
        between = (m >= 1.0) & (m < 1.4)
        assert np.all(w1["hadrons"][between] == 0) and np.all(w0["hadrons"][between] > 0)
        for ch in alp.CHANNELS:
            np.testing.assert_array_equal(w1[ch][~between], w0[ch][~between])
            if ch != "hadrons":
                np.testing.assert_array_equal(w1[ch], w0[ch])
    # the size, as documented: c_ff benchmark c tau 18-20x longer at 1.05-1.35 GeV (hadrons dominate)
    r = alp.ctau(np.array([1.05, 1.35]), 1.0) / alp.ctau(np.array([1.05, 1.35]), 1.0, hadron_switch=1.0)
    r14 = alp.ctau(np.array([1.05, 1.35]), 1.0, hadron_switch=1.4) / alp.ctau(np.array([1.05, 1.35]), 1.0)
    assert np.all(r == 1.0) and np.all(r14 > 15) and np.all(r14 < 25)


def test_scenario_option_hadron_switch():
    from llpscan.detectors.registry import get_scenario

    for name in ("belle2-alp-displaced", "belle2-alp-invisible"):
        assert get_scenario(name).model.hadron_switch == alp.M_PQCD
        assert get_scenario(name, {"hadron_switch": "1.4"}).model.hadron_switch == 1.4
