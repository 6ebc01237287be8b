"""The knot experiments: runs over seeds, statistics, Table 4 and its formulas, discovery, relations, what a split
measures."""
