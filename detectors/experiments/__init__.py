"""The experiments: every number that describes one of them lives in its module once, with its source.

:mod:`.belle2` (Belle II at SuperKEKB), :mod:`.besiii` (BESIII at BEPCII), :mod:`.stcf` (the proposed
Super Tau Charm Facility) and :mod:`.na62` (the NA62 kaon beam line at the CERN SPS): beams, boosts,
detector polar ranges and faces, fiducial volumes, efficiencies, luminosities and yields, and the
experiment parameters a scan can vary (``lumi``, ``sqrt_s``). What one paper chooses on top of them (its
cuts, efficiencies, normalisations) lives in that paper's module of :mod:`llpscan.detectors.scenarios`.
"""

__all__ = ["belle2", "besiii", "stcf", "na62"]
