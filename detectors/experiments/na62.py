"""NA62 at the CERN SPS: the K+ beam, the fiducial decay volume and the kaon yields of its trigger streams.

Beam and volume from NA62, arXiv:2312.17188, section 1: a 75 GeV/c K+ beam with 1% rms momentum spread
along z, and a fiducial decay volume from 105 m to 180 m after the target. Kaon yields and flat
acceptances per trigger stream as Ballett, Hostert & Pascoli (arXiv:1903.07589) tabulate them in their
Table I. Lengths in metres, momenta in GeV.
"""

from __future__ import annotations

from llpscan.physics.sources import KaonBeam

__all__ = ["P_BEAM", "P_SPREAD", "BEAM", "Z_MIN", "Z_MAX", "TABLE_I"]

#: NA62 arXiv:2312.17188, section 1: 75 GeV/c K+ beam, 1% rms momentum spread
P_BEAM = 75.0  # GeV
P_SPREAD = 0.01
BEAM = KaonBeam(P_BEAM, P_SPREAD)
#: NA62 arXiv:2312.17188, section 1: fiducial volume 105-180 m after the target
Z_MIN, Z_MAX = 105.0, 180.0  # m
#: Ballett, Hostert & Pascoli, Table I: kaons decaying in the fiducial volume (N_K^Fid) per trigger
#: stream, and its flat acceptance A_beta, by lepton pair
TABLE_I = {"ee": {"n_k_fid": 2.14e11, "a_beta": 0.04}, "mumu": {"n_k_fid": 7.94e11, "a_beta": 0.10}}
