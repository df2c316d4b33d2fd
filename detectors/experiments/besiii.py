"""BESIII at BEPCII: the monophoton-trigger data sets (energies, luminosities) and the photon acceptance.

Zhang, Song, Ding & Chen (arXiv:2204.07802, section II.B) use "about 28 fb^-1 at the CM energy from
2.125 GeV to 4.95 GeV" collected with the monophoton trigger since 2012 and cite a web page (its ref.
[35]) without the list. :data:`BESIII_DATA` is a DOCUMENTED REPRESENTATIVE SET, not that list: the main
BESIII data-taking campaigns since 2012 inside 2.125-4.95 GeV, each grouped at one representative
energy, with APPROXIMATE luminosities of those campaigns as summarised in the BESIII data-taking
overviews (Future Physics Programme of BESIII, Chin. Phys. C 44 (2020) 040001, arXiv:1912.05983;
BESIII, Chin. Phys. C 46 (2022) 113003 for 4.61-4.95 GeV; IHEP news of the 2015 R-scan, 525.5 pb^-1
between 2.0 and 3.08 GeV), rounded to 0.1 fb^-1, not checked point by point, and adjusted to sum to the
paper's 28 fb^-1. The signal cross section barely depends on s for m_N << sqrt(s) (Zhang et al., below
eq. 3), so the limit depends only mildly on the split: tests/detectors/experiments/test_besiii.py finds
the limit at m_N = 1 GeV within 0.3% of the one with all 28 fb^-1 at 4.18 GeV, and within 1.3% of an
equal split. Symmetric beams: the lab is the CM frame (BEPCII's 11 mrad half crossing angle neglected).
"""

from __future__ import annotations

import numpy as np

from llpscan.physics.model import DiscreteParameter, Parameter

__all__ = ["BESIII_DATA", "ENERGIES", "LUMINOSITIES", "TOTAL", "share", "MDC_OUTER_RADIUS",
           "PHOTON_BARREL", "PHOTON_ENDCAP", "COS_THETA_B", "LUMI", "SQRT_S"]

#: (sqrt(s) in GeV, integrated luminosity in fb^-1, what the point stands for)
BESIII_DATA = (
    (2.125, 0.1, "2015 R-scan, its largest point (2.125 GeV)"),
    (2.65, 0.4, "2015 R-scan 2.2-3.08 GeV, the other points grouped"),
    (3.097, 3.0, "J/psi samples of 2012 and 2017-2019"),
    (3.686, 0.5, "psi(3686) sample of 2012"),
    (4.18, 3.2, "2016 sample at 4.18 GeV"),
    (4.23, 8.0, "2013 XYZ (4.23, 4.26), 2014 scan 3.85-4.59, 2017 4.19-4.28 GeV, grouped"),
    (4.40, 5.4, "2013 (4.36, 4.42) and 2019 4.13-4.44 GeV samples, grouped"),
    (4.60, 0.6, "2014 sample at 4.6 GeV"),
    (4.68, 4.9, "2020 samples 4.61-4.70 GeV, grouped"),
    (4.85, 1.9, "2021 samples 4.74-4.95 GeV, grouped"),
)
ENERGIES = np.array([e for e, _, _ in BESIII_DATA])
LUMINOSITIES = np.array([lum for _, lum, _ in BESIII_DATA])
TOTAL = float(LUMINOSITIES.sum())
_TOLERANCE = 5e-4  # GeV: an axis value matches a table energy within half an MeV

#: outer radius of the drift chamber (MDC), 0.8 m as Zhang et al. (section II.B) take it for l_D
MDC_OUTER_RADIUS = 0.8
#: photon selection of the BESIII monophoton analysis (BESIII, arXiv:1707.05178), as Zhang et al.
#: section II.B quote it: E > 25 MeV for ``|cos theta| < 0.8`` (barrel), E > 50 MeV for
#: ``0.86 < |cos theta| < 0.92`` (endcaps); (``|cos|`` max, E min in GeV) and (``|cos|`` min, max, E min)
PHOTON_BARREL = (0.8, 0.025)
PHOTON_ENDCAP = (0.86, 0.92, 0.050)
#: cos(theta_b) = 0.95, the edge of the MDC/EMC/TOF acceptance in eq. (14) of Zhang et al.
COS_THETA_B = 0.95


def share(sqrt_s):
    """Fraction of the table's total luminosity taken at ``sqrt_s`` (GeV); 0 for energies not in it.

    >>> float(share(4.18)) == 3.2 / TOTAL
    True
    """
    s = np.asarray(sqrt_s, dtype=float)
    out = np.zeros(s.shape)
    for e, lum in zip(ENERGIES, LUMINOSITIES):
        out = np.where(np.abs(s - e) < _TOLERANCE, lum / TOTAL, out)
    return out


#: total luminosity of the monophoton-trigger data, 28 fb^-1 (Zhang et al. section II.B), shared over the
#: data sets of the table
LUMI = Parameter("lumi", "fb^-1", "total integrated luminosity, shared over sqrt_s as in the table", 28.0,
                 "rate", positive=True, latex=r"\mathcal{L}")
#: the CM energy of one data set: one of the table's energies
SQRT_S = DiscreteParameter("sqrt_s", "GeV", "CM energy of a BESIII data set", 4.18, "mass", 2.0, 5.0,
                           positive=True, latex=r"\sqrt{s}", values=tuple(float(e) for e in ENERGIES))
