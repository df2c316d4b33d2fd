"""Belle II at SuperKEKB: beams and boost, detector polar ranges and faces, displaced-vertex volume.

Sources: the Belle II technical design report (TDR, Abe et al., arXiv:1011.0352) and the Belle II physics
book (Kou et al., arXiv:1808.10567). Lengths in metres, angles in lab degrees to the solenoid (z) axis,
which the e- beam follows; energies in GeV.
"""

from __future__ import annotations

import math

import numpy as np

from llpscan.physics.model import Parameter

__all__ = [
    "E_ELECTRON",
    "E_POSITRON",
    "SQRT_S",
    "BETA_GAMMA",
    "CROSSING_HALF_ANGLE",
    "BOOSTS",
    "lab_boost",
    "SIGMA_BPLUS_BMINUS_FB",
    "SIGMA_B0_B0BAR_FB",
    "DC_POLAR",
    "DC_INNER_RADIUS",
    "DC_OUTER_RADIUS",
    "ECL_POLAR",
    "ECL_GAPS",
    "ECL_INNER_FACES",
    "ECL_OUTER_ENVELOPE",
    "KLM_MUON_POLAR",
    "DV_VOLUME",
    "DV_EFFICIENCY_R0",
    "LUMI",
]

# --- beams ----------------------------------------------------------------------------------------
# Beam energies (GeV), Belle II physics book arXiv:1808.10567, section 2 / TDR table 1.1.
E_ELECTRON = 7.004
E_POSITRON = 4.002
SQRT_S = 2 * math.sqrt(E_ELECTRON * E_POSITRON)  # head-on approximation: 10.588 GeV
# CM boost along the solenoid axis with the crossing angle neglected, as the papers do:
# beta*gamma = (E_e- - E_e+)/sqrt(s) = 0.2835.
BETA_GAMMA = (E_ELECTRON - E_POSITRON) / SQRT_S
# Each beam at 41.5 mrad to the solenoid axis, 83 mrad full crossing angle (TDR arXiv:1011.0352,
# section 1): the CM then moves with beta*gamma = 0.287 at 0.151 rad to z.
CROSSING_HALF_ANGLE = 0.0415
#: the scenario option that chooses the CM motion: "head-on" (the papers' choice) or "crossing"
BOOSTS = ("head-on", "crossing")


def lab_boost(kind: str = "head-on") -> np.ndarray:
    """Velocity (3,) of the CM frame in the lab (units of c).

    ``head-on``: along +z (the e- beam direction) with beta*gamma = 0.2835, as the papers assume;
    ``crossing``: p/E of the two beams, each at 41.5 mrad to z in the x-z plane.
    """
    if kind == "head-on":
        return np.array([0.0, 0.0, BETA_GAMMA / math.sqrt(1 + BETA_GAMMA**2)])
    if kind == "crossing":
        s, c = math.sin(CROSSING_HALF_ANGLE), math.cos(CROSSING_HALF_ANGLE)
        p = np.array([(E_ELECTRON + E_POSITRON) * s, 0.0, (E_ELECTRON - E_POSITRON) * c])
        return p / (E_ELECTRON + E_POSITRON)
    raise ValueError(f"boost {kind!r}: allowed {', '.join(BOOSTS)}")


# --- B-meson pairs --------------------------------------------------------------------------------
#: sigma(e+e- -> B+B-) = 0.54 nb and sigma(e+e- -> B0 B0bar) = 0.51 nb at the Upsilon(4S) (Belle II
#: physics book arXiv:1808.10567, as Ferber et al., arXiv:2201.06580, section 4.1 use them), in fb
SIGMA_BPLUS_BMINUS_FB = 0.54e6
SIGMA_B0_B0BAR_FB = 0.51e6

# --- detector ---------------------------------------------------------------------------------------
#: drift chamber (CDC) polar acceptance, 17-150 deg (TDR; Ferber et al. section 4.1)
DC_POLAR = (17.0, 150.0)
#: drift chamber inner wall (16 cm; innermost sense wire 16.8 cm) and outer wall (113 cm) radii (TDR)
DC_INNER_RADIUS = 0.16
DC_OUTER_RADIUS = 1.13
#: electromagnetic calorimeter (ECL) polar coverage and its barrel-endcap gaps (physics book
#: arXiv:1808.10567; Zhang, Song, Ding & Chen, arXiv:2204.07802, section II.A)
ECL_POLAR = (12.4, 155.1)
ECL_GAPS = ((31.4, 32.2), (128.7, 130.7))
#: ECL inner faces (m): barrel r = 1.25, forward endcap z = 1.96, backward endcap z = -1.02 (TDR)
ECL_INNER_FACES = {"r_max": 1.25, "z_max": 1.96, "z_min": -1.02}
#: ECL outer faces (m), i.e. the outer envelope of tracking detectors and calorimeter: the barrel
#: crystals are 30 cm long (r < 1.55), the endcaps reach z = 2.27 and z = -1.31 (TDR)
ECL_OUTER_ENVELOPE = {"r_max": 1.55, "z_min": -1.31, "z_max": 2.27}
#: polar range of muon identification, 25-145 deg. The KLM covers roughly 25-155 deg (TDR); the
#: 145 deg edge stands in for the momentum/angle tables of Cheung et al. (arXiv:2401.03168, appendix
#: A) that are lost from the text: a reconstruction, not a measured number
KLM_MUON_POLAR = (25.0, 145.0)

# --- displaced vertices -------------------------------------------------------------------------------
#: displaced-vertex fiducial volume (m): -40 < z < 120 cm, r < 80 cm (Wang, Zhang & Liu,
#: arXiv:2410.00491, eqs. (8), (9), (13); Cheung et al. arXiv:2401.03168, eqs. (12)-(15)); the minimum
#: radius is the search's
DV_VOLUME = {"r_max": 0.80, "z_min": -0.40, "z_max": 1.20}
#: linear displaced-tracking efficiency 1 - r/80 cm (Wang, Zhang & Liu, eq. (9))
DV_EFFICIENCY_R0 = 0.80

#: integrated luminosity, default the 50 ab^-1 = 5e4 fb^-1 Belle II plans to collect (physics book)
LUMI = Parameter("lumi", "fb^-1", "integrated luminosity", 5e4, "rate", positive=True, latex=r"\mathcal{L}")
