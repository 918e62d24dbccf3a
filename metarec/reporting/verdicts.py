"""One rule for "A is above / level with / below B", and one way to write "mean ± interval".

Every verdict the app and the docs print (the toy-world leaderboard, the real-data tables) goes
through :func:`compare` (:func:`metarec.core.stats.verdict`): a difference counts only when its
95 % interval excludes 0. Every cell
"0.535 ± 0.007" goes through :func:`mean_ci` (or :func:`signed_ci` for a difference).
"""
from __future__ import annotations

from ..core.stats import ABOVE, BELOW, verdict

LEVEL = "level"
compare = verdict   # the one rule lives with the intervals (metarec.core.stats)
DIGITS = 3   # the tables' precision: d.ddd sorts as text when every value is in [0, 1)


def unpaired_ci(ci_a: float | None, ci_b: float | None) -> float | None:
    """A 95 % half-width for ``A - B`` from the two means' own half-widths: their sum.

    The sum bounds the exact half-width of two independent means (``sqrt(a² + b²) <= a + b``),
    so :func:`compare` with it calls a difference only when the two intervals do not overlap:
    conservative where the rows carry no paired difference (the toy-world table).

    Example:
        >>> unpaired_ci(0.01, 0.02)
        0.03
    """
    if ci_a is None or ci_b is None:
        return None
    return round(float(ci_a) + float(ci_b), 12)


def mean_ci(value: float, ci: float | None = None, digits: int = DIGITS) -> str:
    """``"0.535 ± 0.007"``: a mean and its 95 % half-width; just ``"0.535"`` without one.

    Example:
        >>> mean_ci(0.5349, 0.0071), mean_ci(0.4663)
        ('0.535 ± 0.007', '0.466')
    """
    text = f"{value:.{digits}f}"
    return text if ci is None else f"{text} ± {ci:.{digits}f}"


def signed_ci(diff: float, ci: float, digits: int = DIGITS) -> str:
    """``"+0.010 ± 0.050"``: a difference, always signed, and its 95 % half-width.

    Example:
        >>> signed_ci(-0.009, 0.031)
        '-0.009 ± 0.031'
    """
    return f"{diff:+.{digits}f} ± {ci:.{digits}f}"


__all__ = ["ABOVE", "BELOW", "LEVEL", "compare", "mean_ci", "signed_ci", "unpaired_ci"]
