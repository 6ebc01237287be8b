"""The models: MLP, the pykan-exact KAN, B-splines, the parameter audit (imports nothing else of kanrepro)."""
