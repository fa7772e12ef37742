"""Writes of the catalog, one module per area: ``courses``, ``lessons`` (and their content
items), ``ordering`` (gap-free positions)."""
