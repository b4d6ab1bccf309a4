"""The pandas twin of the templates' formulas: expressions evaluated with Excel's semantics,
derived columns and summary metrics recomputed from typed rows."""
