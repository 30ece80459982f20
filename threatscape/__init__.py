"""Threatscape: a threat-landscape analytics dashboard over a DuckDB file of attributed incidents."""
__version__ = "0.1.0"
