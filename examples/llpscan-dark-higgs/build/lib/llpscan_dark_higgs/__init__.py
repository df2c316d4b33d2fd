"""llpscan-dark-higgs: a sixth scenario for llpscan, written only against llpscan's public API.

A dark Higgs S (a light scalar mixing with the Standard-Model Higgs by an angle theta) produced in
B+ -> K+ S at Belle II and decaying to mu+ mu- or e+ e- at a displaced vertex. The package holds the
physics (:mod:`.widths`: the decay widths; :mod:`.model`: the model llpscan scans), the scenario that
binds it to Belle II (:mod:`.scenario`) and a preset; its ``pyproject.toml`` registers both with llpscan
through entry points, so ``pip install`` is all it takes for ``llpscan run belle2-dark-higgs``.
"""

__all__ = ["widths", "model", "scenario"]
