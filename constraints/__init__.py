"""Rule families, one module each. The build order of the model is this list.

Every module has ``NAME`` (or several names), ``encode(m)`` and ``evaluate(problem,
schedule, stats)``; some also ``prune(problem)``. See ``constraints/base.py``.
"""

from . import (
    caps,
    consecutive,
    coverage,
    crew_skills,
    fairness,
    holidays,
    overlap,
    requests,
    rest,
    runs,
    shift_types,
    stability,
    successions,
    time_off,
    total_minutes,
    weekend_caps,
    weekends,
    windows,
)

RULES = [
    coverage,
    crew_skills,
    overlap,
    time_off,
    holidays,
    rest,
    windows,
    consecutive,
    caps,
    weekends,
    fairness,
    stability,
    shift_types,
    total_minutes,
    runs,
    weekend_caps,
    successions,
    requests,
]

__all__ = ["RULES"]
