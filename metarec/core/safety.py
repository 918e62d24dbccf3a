"""Safety rules, applied after every learner (never inside one).

A toy may be shown to a child only when the child's age lies inside the toy's suitable range and,
for children under 36 months, the toy has no small parts (a choking hazard).
"""
from __future__ import annotations

import numpy as np

SMALL_PARTS_MIN_MONTHS = 36


def eligible_mask(min_age: np.ndarray, max_age: np.ndarray, small_parts: np.ndarray,
                  age_months: float) -> np.ndarray:
    """Boolean mask of the toys that are safe and age-appropriate for a child of ``age_months``."""
    fits = (min_age <= age_months) & (age_months <= max_age)
    choking = small_parts.astype(bool) & (age_months < SMALL_PARTS_MIN_MONTHS)
    return fits & ~choking


def is_safe(min_age: int, max_age: int, small_parts: bool, age_months: float) -> bool:
    """The same rule for one toy."""
    return bool(eligible_mask(np.array([min_age]), np.array([max_age]), np.array([small_parts]),
                              age_months)[0])
