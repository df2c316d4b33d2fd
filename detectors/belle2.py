"""Belle II at SuperKEKB: beams, B-pair yield, the displaced-vertex fiducial volume.

Numbers from the Belle II TDR (arXiv:1011.0352) and physics book (arXiv:1808.10567) as collected in
physics-notes.md "Detector numbers"; the seeds' own normalisations are cited where used.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "E_ELECTRON",
    "E_POSITRON",
    "SQRT_S",
    "BETA_GAMMA",
    "CROSSING_HALF_ANGLE",
    "BOOSTS",
    "lab_boost",
    "N_BPLUS_BMINUS_PER_FB",
    "n_bplus_bminus",
    "DV_VOLUME",
    "DV_EFFICIENCY_R0",
]

# Beam energies (GeV), Belle II physics book arXiv:1808.10567, section 2 / TDR table 1.1.
E_ELECTRON = 7.004
E_POSITRON = 4.002
SQRT_S = 2 * math.sqrt(E_ELECTRON * E_POSITRON)  # head-on approximation: 10.588 GeV
# CM boost along the solenoid axis, crossing angle neglected as seeds 000-003 do:
# beta*gamma = (E_e- - E_e+)/sqrt(s) = 0.2835.
BETA_GAMMA = (E_ELECTRON - E_POSITRON) / SQRT_S


# Each beam at 41.5 mrad to the solenoid axis, 83 mrad full crossing angle (TDR arXiv:1011.0352;
# physics-notes.md "Detector numbers"): the CM then moves with beta*gamma = 0.287 at 0.151 rad to z.
CROSSING_HALF_ANGLE = 0.0415
#: the scenario option that chooses the CM motion: "head-on" (the seeds' choice) or "crossing"
BOOSTS = ("head-on", "crossing")


def lab_boost(kind: str = "head-on") -> np.ndarray:
    """Velocity (3,) of the CM frame in the lab (units of c).

    ``head-on``: along +z (the e- beam direction) with beta*gamma = 0.2835, as seeds 000-003 assume;
    ``crossing``: p/E of the two beams, each at 41.5 mrad to z in the x-z plane.
    """
    if kind == "head-on":
        return np.array([0.0, 0.0, BETA_GAMMA / math.sqrt(1 + BETA_GAMMA**2)])
    if kind == "crossing":
        s, c = math.sin(CROSSING_HALF_ANGLE), math.cos(CROSSING_HALF_ANGLE)
        p = np.array([(E_ELECTRON + E_POSITRON) * s, 0.0, (E_ELECTRON - E_POSITRON) * c])
        return p / (E_ELECTRON + E_POSITRON)
    raise ValueError(f"boost {kind!r}: allowed {', '.join(BOOSTS)}")


# Seed 000, section VI: 2.827e10 e+e- -> B+B- events for 50 ab^-1 = 5e4 fb^-1.
N_BPLUS_BMINUS_PER_FB = 2.827e10 / 5e4


def n_bplus_bminus(lumi_fb):
    """Number of B+B- pairs for an integrated luminosity in fb^-1 (seed 000 normalisation)."""
    return N_BPLUS_BMINUS_PER_FB * np.asarray(lumi_fb, dtype=float)


# Displaced-vertex fiducial volume of seeds 000 and 003 (seed 000 eqs. (8), (9), (13)), metres:
# -40 < z < 120 cm, r < 80 cm; r_min is set per search (10 cm 1DV, 1 cm 2DV).
DV_VOLUME = {"r_max": 0.80, "z_min": -0.40, "z_max": 1.20}
# Linear displaced-tracking efficiency 1 - r/80 cm (seed 000, eq. (9)).
DV_EFFICIENCY_R0 = 0.80
