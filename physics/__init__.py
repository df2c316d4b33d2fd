"""Nature only: constants, kinematics, widths, branching ratios, production rates and models.

Pure numpy/scipy, vectorised; no dask, no I/O. Units: GeV, metres, seconds.
"""
