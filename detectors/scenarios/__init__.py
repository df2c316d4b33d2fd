"""The scenarios of the papers llpscan reproduces, one module per paper, named after its first author and year.

- :mod:`.wang2024_alp_hnl`: Wang, Zhang & Liu (arXiv:2410.00491), ALP -> two HNLs at Belle II (1DV, 2DV);
- :mod:`.ferber2022_alp`: Ferber, Filimonova, Schäfer & Westhoff (arXiv:2201.06580), ALPs displaced or
  invisible at Belle II, and the model-independent limit on Br(B+ -> K+ X);
- :mod:`.zhang2022_dipole`: Zhang, Song, Ding & Chen (arXiv:2204.07802), the neutrino dipole portal in
  monophoton searches at Belle II, BESIII and STCF;
- :mod:`.cheung2024_dark_photons`: Cheung, Kim, Kwon, Ouseph, Soffer & Wang (arXiv:2401.03168), a dark
  scalar decaying to two displaced dark photons at Belle II;
- :mod:`.ballett2020_dark_neutrino`: Ballett, Hostert & Pascoli (arXiv:1903.07589), dark neutrinos from
  kaon decays in flight at NA62.

Each module holds the paper's analysis choices (cuts, efficiencies, normalisations, signal definitions)
with their equations; the experiments' own numbers come from :mod:`llpscan.detectors.experiments`. The
scenarios are registered by name through the ``llpscan.scenarios`` entry points of llpscan's
``pyproject.toml``.
"""

__all__ = ["wang2024_alp_hnl", "ferber2022_alp", "zhang2022_dipole", "cheung2024_dark_photons",
           "ballett2020_dark_neutrino"]
