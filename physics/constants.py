"""Physical constants used across the models (GeV, metres, seconds).

Masses, widths and lifetimes of known particles do not live here: they come from the
``particle`` package through :mod:`physics.pdg`.
"""

__all__ = ["G_F", "ALPHA_EM", "SIN2_THETA_W", "HBAR_C", "HBAR", "V_HIGGS", "GEV2_TO_FB"]

# PDG 2024, "Physical constants" table: Fermi constant G_F/(hbar c)^3 (GeV^-2).
G_F = 1.1663788e-5
# PDG 2024: fine-structure constant at q^2 = 0, alpha(0).
ALPHA_EM = 1.0 / 137.035999
# PDG 2024, electroweak review: sin^2(theta_W) in the MSbar scheme at m_Z.
SIN2_THETA_W = 0.2312
# PDG 2024: hbar c = 197.3269804 MeV fm (GeV m).
HBAR_C = 1.973269804e-16
# PDG 2024: hbar = 6.582119569e-25 GeV s.
HBAR = 6.582119569e-25
# Higgs vacuum expectation value v = (sqrt(2) G_F)^(-1/2) = 246.22 GeV (tree level, from G_F).
V_HIGGS = (2**0.5 * G_F) ** -0.5
# 1 GeV^-2 in fb: (hbar c)^2 = 0.3894 mb GeV^2 (PDG "Physical constants"), 1 fb = 1e-43 m^2.
GEV2_TO_FB = HBAR_C**2 / 1e-43
