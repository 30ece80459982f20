"""Threatscape: a threat-landscape analytics dashboard over a DuckDB file of attributed incidents."""
import os

# Nothing here does linear algebra. NumPy's OpenBLAS would otherwise start a worker thread per core when numpy is
# first imported (on the first page of a process): starting them costs that import about 25 ms, and on two cores
# they only compete with the page and with DuckDB. Set before anything imports numpy; a value the user set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
