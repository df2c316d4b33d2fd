"""The Super Tau Charm Facility (STCF), a proposed symmetric e+e- collider for sqrt(s) = 2-7 GeV.

Zhang, Song, Ding & Chen (arXiv:2204.07802, section II.B) study STCF at sqrt(s) = 2, 4 and 7 GeV with
10 ab^-1 each (and 30 ab^-1 at 4 GeV), and take its detector to be BESIII's (:mod:`.besiii`): photon
acceptance and drift-chamber radius. Symmetric beams: the lab is the CM frame.
"""

from __future__ import annotations

from llpscan.physics.model import Parameter

__all__ = ["SQRT_S_RANGE", "LUMI", "SQRT_S"]

#: STCF's design range of CM energies (GeV)
SQRT_S_RANGE = (2.0, 7.0)
#: integrated luminosity at each energy, default 10 ab^-1 (Zhang et al. section II.B)
LUMI = Parameter("lumi", "fb^-1", "integrated luminosity at each sqrt_s", 1e4, "rate", positive=True,
                 latex=r"\mathcal{L}")
#: the CM energy (GeV), default 4 GeV
SQRT_S = Parameter("sqrt_s", "GeV", "CM energy", 4.0, "mass", *SQRT_S_RANGE, latex=r"\sqrt{s}")
