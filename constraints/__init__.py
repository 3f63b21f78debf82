"""Rule families, one module each. The build order of the model is this list.

Every module satisfies :class:`constraints.base.Rule`: ``NAMES``, ``prune``, ``encode``,
``evaluate``, and the parts other modules read instead of knowing rule names:
``describe``/``relaxations`` (``optimizer.explain``), ``capacity`` (``rota check``) and
``warm_start`` (``optimizer.construct``). Adding a rule: ``docs/add_a_rule.md``.
"""

from . import (
    caps,
    coverage,
    crew_skills,
    fairness,
    holidays,
    max_nights,
    overlap,
    requests,
    rest,
    runs,
    stability,
    successions,
    time_off,
    weekends,
    windows,
)
from .base import Rule

RULES: list[Rule] = [
    coverage,
    crew_skills,
    overlap,
    time_off,
    holidays,
    rest,
    windows,
    runs,
    caps,
    weekends,
    max_nights,
    fairness,
    stability,
    successions,
    requests,
]

__all__ = ["RULES", "Rule"]
