"""What-if questions about a published schedule, one import for notebooks.

The work is split by topic:

- :mod:`optimizer.localcheck`: the fast, exact check of small changes (:class:`LocalCheck`);
- :mod:`optimizer.swap`: who can take my shift (:func:`swap_candidates`), finding a
  person and a shift instance, and applying a chosen swap (:func:`apply_swap`);
- :mod:`optimizer.robustness`: the absence Monte Carlo (:func:`simulate`).
"""

from __future__ import annotations

from .localcheck import LocalCheck, ViolationKey, sorted_keys, violation_keys
from .robustness import PEOPLE_COLUMNS, SHIFT_COLUMNS, Robustness, replacement_sets, simulate
from .swap import SWAP_COLUMNS, apply_swap, find_instance, person_of, swap_candidates

__all__ = [
    "PEOPLE_COLUMNS",
    "SHIFT_COLUMNS",
    "SWAP_COLUMNS",
    "LocalCheck",
    "Robustness",
    "ViolationKey",
    "apply_swap",
    "find_instance",
    "person_of",
    "replacement_sets",
    "simulate",
    "sorted_keys",
    "swap_candidates",
    "violation_keys",
]
