"""Hyper-parameters of the example model."""
CONFIG = {"layers": 4, "heads": 4, "dim": 256, "steps": 2000, "lr": 3e-4, "batch": 64}
