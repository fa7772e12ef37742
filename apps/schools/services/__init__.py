"""Writes of the schools app, one module per subdomain: functions that change state, own
their transaction and emit events."""
