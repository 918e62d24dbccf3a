"""Progress lines of the real-data benchmarks, on stderr (stdout carries the JSON answer)."""
from __future__ import annotations

import sys


def log(msg: str) -> None:
    """Print ``[realdata] msg`` on stderr at once.

    Arguments:
        msg: one line of progress (a method's validation score, a finished split, ...).
    """
    print(f"[realdata] {msg}", file=sys.stderr, flush=True)
