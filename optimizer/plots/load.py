"""Chart 1: load per person (and escalation load), stacked by kind of hour and role."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..fairshare import fair_shares
from ..schedule import Schedule, people_frame
from ..timecalc import KINDS
from .style import (
    HISTORY_COLOR,
    KIND_COLORS,
    ROLE_PALETTE,
    _lighter,
    _names,
    _new_axes,
    _role_classes,
    chart_style,
)


def load_breakdown(schedule: Schedule) -> pd.DataFrame:
    """Load per person split by kind of hour and by role class.

    Returns one row per person and columns ``(role_class, kind)`` with ``role_class`` in
    ``("primary", "other")`` (the first role of a pattern, or any later one) and ``kind``
    in weekday/night/weekend/holiday. Each assignment's exact load (as in ``people.csv``)
    is shared between kinds in proportion to hours × kind weight, so every row sums to
    the person's ``load``.
    """
    prob = schedule.problem
    w = prob.scenario.weights
    kind_w = {"weekday": 1.0, "night": w.night, "weekend": w.weekend, "holiday": w.holiday}
    cols = pd.MultiIndex.from_product([("primary", "other"), KINDS], names=["role_class", "kind"])
    data = np.zeros((len(prob.people), len(cols)))
    for a in schedule.assignments:
        kinds = prob.kinds(a.person, a.instance)
        raw = np.array([kinds[k] * kind_w[k] for k in KINDS], dtype=float)
        total = prob.load(a.person, a.instance, a.role) / 100
        parts = raw * (total / raw.sum()) if raw.sum() > 0 else raw
        offset = 0 if a.role == 0 else len(KINDS)
        data[a.person, offset : offset + len(KINDS)] += parts
    return pd.DataFrame(data, columns=cols, index=[p.id for p in prob.people])


def plot_load(schedule: Schedule, ax: Axes | None = None, escalation: bool = False) -> Axes:
    """Load balance per person: horizontal stacked bars, most loaded at the top.

    With ``escalation=True`` the chart counts what the escalation policy implies instead
    (see :func:`plot_escalation_load`; needs ``weights.escalation_level``).

    Each bar starts with the history carried in from earlier periods (grey, hatched),
    then this period's load stacked by kind of hour (weekday, night, weekend, holiday),
    first role in full colour and other roles (e.g. secondary) in a lighter tint. The
    black tick marks the person's fair total: history + their eligibility-aware fair share
    (:func:`optimizer.fairshare.fair_shares`). A bar ending at its tick is exactly fair.

    Parameters
    ----------
    schedule
        The schedule to draw (``Result.schedule`` or ``read_schedule(...)``).
    ax
        Axes to draw into; default a new figure sized for the number of people.

    Returns
    -------
    Axes
        The axes drawn into. The bar segments are ``Rectangle`` patches with ``gid``
        ``"history"`` or ``"load:<role_class>:<kind>"``; the target ticks a ``Line2D``
        with gid ``"target"``.
    """
    if escalation:
        return plot_escalation_load(schedule, ax)
    people = people_frame(schedule)
    parts = load_breakdown(schedule)
    names = _names(schedule)
    n = len(people)
    people = people.assign(name=names, total=people["load"] + people["history"])
    order = people.sort_values(["total", "name"], ascending=[False, True], kind="stable").index.tolist()
    first_label, other_label = _role_classes(schedule)
    has_other = bool(parts["other"].to_numpy().sum() > 0)
    has_history = bool((people["history"] > 0).any())
    # with several patterns, each name says which patterns the person worked (legend: kinds x roles)
    worked: dict[int, str] = {}
    if len(schedule.problem.scenario.shifts) > 1:
        pats: dict[int, list[str]] = {}
        for a in schedule.assignments:
            shift = schedule.problem.instances[a.instance].shift
            if shift not in pats.setdefault(a.person, []):
                pats[a.person].append(shift)
        worked = {p: f" · {', '.join(v)}" for p, v in pats.items()}

    with chart_style():
        ax = _new_axes(ax, (10.5, 1.9 + 0.24 * n))
        y = np.arange(n)
        height = 0.72
        left = np.zeros(n)
        hist = people["history"].to_numpy()[order]
        if has_history:
            bars = ax.barh(
                y,
                hist,
                left=left,
                height=height,
                color=HISTORY_COLOR,
                hatch="///",
                edgecolor="#8a8a8a",
                linewidth=0,
            )
            for patch in bars.patches:
                patch.set_gid("history")
            left = left + hist
        segments = []
        for rc in ("primary", "other"):
            for kind in KINDS:
                vals = parts[(rc, kind)].to_numpy()[order]
                if not vals.any():
                    continue
                color = KIND_COLORS[kind] if rc == "primary" else _lighter(KIND_COLORS[kind], 0.55)
                bars = ax.barh(y, vals, left=left, height=height, color=color, linewidth=0)
                for patch in bars.patches:
                    patch.set_gid(f"load:{rc}:{kind}")
                left = left + vals
                label = f"{kind}, {first_label if rc == 'primary' else other_label}"
                if not has_other:
                    label = kind
                segments.append(Patch(facecolor=color, label=label))
        shares = fair_shares(schedule.problem).by_person
        share = np.array([shares.get(pid, np.nan) for pid in people["person_id"]], dtype=float)
        target = share[order] + hist
        ok = ~np.isnan(target)
        marker_size = max(6.0, min(16.0, 220 / max(n, 1)))
        ax.plot(
            target[ok],
            y[ok],
            linestyle="none",
            marker="|",
            markersize=marker_size,
            markeredgewidth=2.2,
            color="black",
            gid="target",
            zorder=5,
            path_effects=[patheffects.withStroke(linewidth=4.5, foreground="white")],
        )
        # value labels: this period's load (and history) after the bar
        ends = np.maximum(left, np.nan_to_num(target, nan=0.0))
        span = float(max(ends.max(initial=0.0), 1.0))
        fs = 7.5 if n > 30 else 8
        for k, p in enumerate(order):
            load = people.at[p, "load"]
            text = f"{load:,.1f}".rstrip("0").rstrip(".")
            ax.text(ends[k] + span * 0.01, k, text, va="center", ha="left", fontsize=fs, color="#333333")
        ax.set_xlim(0, span * 1.1)
        ax.set_yticks(y, [names[p] + worked.get(p, "") for p in order], fontsize=8 if n > 30 else 9)
        ax.set_ylim(n - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_xlabel("load (hours × kind weight × role weight); labels: this period's load")
        if n > 25:
            ax.tick_params(axis="x", labeltop=True)
        ax.set_title("Load per person (most loaded first)", loc="left")
        handles: list = []
        if has_history:
            handles.append(
                Patch(
                    facecolor=HISTORY_COLOR,
                    hatch="///",
                    edgecolor="#8a8a8a",
                    label="history carried in",
                )
            )
        handles += segments
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                marker="|",
                linestyle="none",
                markersize=10,
                markeredgewidth=2.2,
                label="fair share (history + share)",
            )
        )
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax


def plot_escalation_load(schedule: Schedule, ax: Axes | None = None) -> Axes:
    """Escalation load per person: what the escalation policy implies, weighted per level.

    A person carries, for every shift on which they are on some escalation level, hours ×
    kind weight × ``weights.escalation_level`` of their heaviest level there (see
    :func:`optimizer.escalation.escalation_load`): being level 3 for sev1 only is lighter
    than being level 1 for everything. Bars are stacked by level; the black tick is the
    person's fair share of the pool's escalation load by FTE (history not included).

    Raises
    ------
    ValueError
        The scenario has no ``weights.escalation_level``.

    Returns
    -------
    Axes
        Bar segments are ``Rectangle`` patches with gid ``"escalation:<level>"``; the
        fair-share ticks a ``Line2D`` with gid ``"target"``.
    """
    from ..escalation import escalation_load, level_by_number

    prob = schedule.problem
    sc = prob.scenario
    if not sc.weights.escalation_level:
        raise ValueError("set weights.escalation_level (level -> weight) to chart the escalation load")
    frame = escalation_load(schedule)
    names = _names(schedule)
    n = len(frame)
    total = frame.sum(axis=1).to_numpy()
    order = sorted(range(n), key=lambda k: (-total[k], names[k]))
    pool = set(prob.pool)
    fte_sum = sum(prob.people[p].fte for p in pool) or 1.0
    pool_total = sum(total[p] for p in pool)
    target = np.array([pool_total * prob.people[p].fte / fte_sum if p in pool else np.nan for p in range(n)])
    levels = level_by_number(sc)
    with chart_style():
        ax = _new_axes(ax, (10.5, 1.9 + 0.24 * n))
        y = np.arange(n)
        left = np.zeros(n)
        handles: list = []
        for k, v in enumerate(frame.columns):
            vals = frame[v].to_numpy()[order]
            color = ROLE_PALETTE[k % len(ROLE_PALETTE)]
            if vals.any():
                bars = ax.barh(y, vals, left=left, height=0.72, color=color, linewidth=0)
                for patch in bars.patches:
                    patch.set_gid(f"escalation:{v}")
                left = left + vals
                lv = levels[v]
                label = f"level {v} × {sc.weights.escalation_level[v]:g}" + (f": {lv.name}" if lv.name else "")
                handles.append(Patch(facecolor=color, label=label))
        tgt = target[order]
        ok = ~np.isnan(tgt)
        ax.plot(
            tgt[ok],
            y[ok],
            linestyle="none",
            marker="|",
            markersize=max(6.0, min(16.0, 220 / max(n, 1))),
            markeredgewidth=2.2,
            color="black",
            gid="target",
            zorder=5,
            path_effects=[patheffects.withStroke(linewidth=4.5, foreground="white")],
        )
        ends = np.maximum(left, np.nan_to_num(tgt, nan=0.0))
        span = float(max(ends.max(initial=0.0), 1.0))
        for k, p in enumerate(order):
            ax.text(
                ends[k] + span * 0.01,
                k,
                f"{total[p]:,.1f}".rstrip("0").rstrip("."),
                va="center",
                ha="left",
                fontsize=8,
                color="#333333",
            )
        ax.set_xlim(0, span * 1.1)
        ax.set_yticks(y, [names[p] for p in order], fontsize=8 if n > 30 else 9)
        ax.set_ylim(n - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_xlabel("escalation load (hours × kind weight × level weight; heaviest level per shift)")
        ax.set_title("Escalation load per person (most loaded first)", loc="left")
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                marker="|",
                linestyle="none",
                markersize=10,
                markeredgewidth=2.2,
                label="fair share (pool by FTE)",
            )
        )
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax
