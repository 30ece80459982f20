"""Ingest incidents from CSV, STIX 2.x, MISP and EuRepoC files into the store."""
