import os
import sys

from .cli import main

try:
    code = main()
    sys.stdout.flush()  # here, not at exit, so that a reader that has gone away is noticed below
except BrokenPipeError:  # the reader stopped early (| head): end quietly, as the other tools in a pipe do
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 1
raise SystemExit(code)
