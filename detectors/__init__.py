"""Experiments: beams, source normalisation, fiducial volumes, efficiencies, searches, scenarios.

Pure numpy; no dask, no zarr. Depends on :mod:`physics` only.
"""
