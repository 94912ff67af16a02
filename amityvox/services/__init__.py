"""The domain: one module per area, its rules and permission checks in one unit of work."""
