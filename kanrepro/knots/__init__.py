"""The knot dataset: invariants from SnapPy, build, validation, loading (see dataset.py for the contract)."""
