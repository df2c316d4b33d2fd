"""Hadronic transition form factors: the scalar B -> K form factor of Ball & Zwicky."""

from __future__ import annotations

import numpy as np

__all__ = ["f0_B_to_K"]

# Ball & Zwicky, PRD 71 (2005) 014015, hep-ph/0406232, Table 8 and eq. (18): the scalar form
# factor f_0^{B->K}(q^2) = r2 / (1 - q^2/m_fit^2) with r2 = 0.330, m_fit^2 = 37.46 GeV^2
# (it reproduces the Br(B+ -> K+ a) = 2.3e-7 and 1.3e-7 of Wang, Zhang & Liu, arXiv:2410.00491, section II).
_BZ_R2 = 0.330
_BZ_MFIT2 = 37.46  # GeV^2


def f0_B_to_K(q2):
    """Scalar B -> K form factor f_0(q^2), q^2 in GeV^2 (Ball-Zwicky 2005).

    >>> float(f0_B_to_K(0.0))
    0.33
    """
    return _BZ_R2 / (1.0 - np.asarray(q2, dtype=float) / _BZ_MFIT2)
