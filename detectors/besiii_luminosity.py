"""BESIII monophoton-trigger data: centre-of-mass energies and integrated luminosities (seed 002).

Seed 002 (section II.B) uses "about 28 fb^-1 at the CM energy from 2.125 GeV to 4.95 GeV" collected
with the monophoton trigger since 2012 and cites a web page (its ref. [35]) without the list. This is a
DOCUMENTED REPRESENTATIVE SET, not the seed's list: the main BESIII data-taking campaigns since 2012
inside 2.125-4.95 GeV, each grouped at one representative energy, with APPROXIMATE luminosities of
those campaigns as summarised in the BESIII data-taking overviews (Future Physics Programme of BESIII,
Chin. Phys. C 44 (2020) 040001, arXiv:1912.05983; BESIII, Chin. Phys. C 46 (2022) 113003 for
4.61-4.95 GeV; IHEP news of the 2015 R-scan, 525.5 pb^-1 between 2.0 and 3.08 GeV), rounded to 0.1 fb^-1,
not checked point by point, and adjusted to sum to the seed's 28 fb^-1. The signal cross section
barely depends on s for m_N << sqrt(s) (seed 002, below eq. 3), so the limit depends only mildly on
the split (physics-notes "Detector numbers"): tests/detectors/test_monophoton.py finds the limit at
m_N = 1 GeV within 0.3% of the one with all 28 fb^-1 at 4.18 GeV, and within 1.3% of an equal split.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BESIII_DATA", "ENERGIES", "LUMINOSITIES", "TOTAL", "share"]

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
