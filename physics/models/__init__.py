"""The physics models of the papers llpscan reproduces, one module each, and the generic LLPs of the
model-independent scenarios: B+ -> K+ X and B+ -> K+ Y, Y -> X X (b_to_k_x), e+e- -> X + invisible with
X -> nu gamma (ee_to_x_invisible), K+ -> mu+ X1, X1 -> nu X2 (k_to_mu_cascade)."""
