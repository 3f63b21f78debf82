""""Did you mean ...?" for names a user typed: skills, roles, people, shifts, rule names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name nearest to ``word``, if one is near enough.

    Case is ignored, and a known name that starts with ``word`` or that ``word`` starts
    with (``infrastructure`` / ``infra``) counts as near.

    Examples
    --------
    >>> closest("infrastructure", ["infra", "data"])
    'infra'
    >>> closest("max_weekend", ["max_weekends", "min_rest"])
    'max_weekends'
    >>> closest("zzz", ["infra"]) is None
    True
    """
    names = sorted(set(known))
    folded = {n.casefold(): n for n in names}
    w = word.casefold()
    if not w or not names:
        return None
    hits = difflib.get_close_matches(w, list(folded), n=1, cutoff=cutoff)
    if hits:
        return folded[hits[0]]
    prefix = [n for f, n in folded.items() if len(min(f, w, key=len)) >= 3 and (f.startswith(w) or w.startswith(f))]
    return max(prefix, key=len) if prefix else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"did you mean 'infra'? "`` or ``""`` (to put in front of a list of known names)."""
    hit = closest(word, known)
    return f"did you mean {hit!r}? " if hit is not None and hit != word else ""
