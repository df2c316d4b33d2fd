"""llpscan-dark-higgs: a light scalar S mixing with the Higgs, B+ -> K+ S, S -> l+ l- displaced (Belle II).

Plugin package for llpscan. For now it holds the decay physics only (:mod:`llpscan_dark_higgs.widths`);
the scenario wiring (production, acceptance, presets) comes later.
"""
