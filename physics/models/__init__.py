"""The physics models of the seeds, one module each."""
