"""The physics models of the papers llpscan reproduces, one module each, and a generic B+ -> K+ X."""
