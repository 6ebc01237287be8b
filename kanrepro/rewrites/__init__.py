"""KAN <-> MLP rewrites (piecewise-linear and B-spline KANs) and their numerical checks (imports kanrepro.nn)."""
