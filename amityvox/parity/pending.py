"""Events whose features are not built yet. Each keeps its row, marked PENDING, until it works:
when a feature lands and its conformance scenario passes, its names leave this set."""

PENDING: frozenset[str] = frozenset()
