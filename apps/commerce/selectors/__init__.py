"""Reads of the commerce app, one module per area."""
