"""Reads of the schools app, one module per subdomain: lazy, school-filtered querysets
with their joins loaded; nothing here writes."""
