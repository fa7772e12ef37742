"""Lyceum's benchmark harness: ``make bench`` (full) and ``make bench-smoke`` (CI)."""
