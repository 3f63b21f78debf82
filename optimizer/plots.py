"""Charts of a schedule: load balance, rotation calendar, skill coverage, fairness over time.

Every chart is a function ``plot_x(schedule, ax=None) -> Axes``: pass an ``Axes`` to
compose charts in a notebook, or leave ``ax`` out to get a new figure sized for the data
(``ax.figure`` saves or displays it). New figures are plain :class:`matplotlib.figure.Figure`
objects drawn with the Agg renderer: they are not registered with ``pyplot`` and no
global matplotlib state (backend, rcParams) is changed, so reports can draw many charts
without leaking memory or disturbing a user's own plots.

The numbers each chart draws come from ``*_data`` functions (``load_breakdown``,
``coverage_depth``, ``cumulative_load``) that tests and notebooks can use directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import ScaledTranslation

from .schedule import Schedule, people_frame
from .timecalc import KINDS, midnight

# --------------------------------------------------------------------------- style

KIND_COLORS = {
    "weekday": "#4e79a7",  # blue
    "night": "#6b4c9a",  # purple
    "weekend": "#f28e2b",  # orange
    "holiday": "#d62728",  # red
}
ROLE_PALETTE = (
    "#2c6fbb",
    "#f0a202",
    "#2a9d8f",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
    "#ccb974",
    "#64b5cd",
)
PEOPLE_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#0b2e6f",
    "#b8860b",
)
HISTORY_COLOR = "#c9c9c9"
WEEKEND_SHADE = "#ececec"
HOLIDAY_SHADE = "#f9c9c9"
GAP_COLOR = "#d62728"

_RC = {
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "svg.hashsalt": "rota",
    "hatch.linewidth": 0.8,
}


@contextmanager
def chart_style() -> Iterator[None]:
    """rcParams for rota's charts, for the duration of a ``with`` block only."""
    with mpl.rc_context(_RC):
        yield


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=size, layout="constrained")
    return fig.add_subplot()


def _lighter(color: str, amount: float = 0.5) -> tuple[float, float, float]:
    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _names(schedule: Schedule) -> list[str]:
    """Display names, made unique with the id where two people share one."""
    people = schedule.problem.people
    names = [p.display_name for p in people]
    dup = {n for n in names if names.count(n) > 1}
    return [f"{n} ({p.id})" if n in dup else n for n, p in zip(names, people, strict=True)]


def _team_x(schedule: Schedule):
    """A function: epoch seconds -> matplotlib date number in the team's wall-clock time."""
    tz: ZoneInfo = schedule.problem.team_tz

    def x(ts: float) -> float:
        local = dt.datetime.fromtimestamp(ts, tz).replace(tzinfo=None)
        return float(mdates.date2num(local))

    return x


def _time_axis(ax: Axes, schedule: Schedule) -> None:
    """Date ticks suited to the horizon: Mondays for weeks to months, else automatic."""
    s, e = schedule.problem.horizon
    days = (e - s) / 86400
    if 14 <= days <= 200:
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a\n%d %b"))
        ax.xaxis.set_minor_locator(mdates.DayLocator())
    else:
        loc = mdates.AutoDateLocator(minticks=4, maxticks=12)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    zone = schedule.problem.scenario.timezone
    ax.set_xlabel(f"time ({zone})")


def _role_classes(schedule: Schedule) -> tuple[str, str]:
    """Labels for the first role of each pattern and for the others."""
    pats = schedule.problem.scenario.shifts
    first = {p.roles[0].name for p in pats}
    others = {r.name for p in pats for r in p.roles[1:]}
    return (
        next(iter(first)) if len(first) == 1 else "first role",
        next(iter(others)) if len(others) == 1 else "other roles",
    )


# --------------------------------------------------------------------------- 1. load


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
    black tick marks the person's fair total: history + ``target_load`` (the pool's
    load shared by FTE). A bar ending at its tick is exactly fair.

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
    order = people.sort_values(
        ["total", "name"], ascending=[False, True], kind="stable"
    ).index.tolist()
    first_label, other_label = _role_classes(schedule)
    has_other = bool(parts["other"].to_numpy().sum() > 0)
    has_history = bool((people["history"] > 0).any())

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
        target = people["target_load"].to_numpy()[order] + hist
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
            ax.text(
                ends[k] + span * 0.01, k, text, va="center", ha="left", fontsize=fs, color="#333333"
            )
        ax.set_xlim(0, span * 1.1)
        ax.set_yticks(y, [names[p] for p in order], fontsize=8 if n > 30 else 9)
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
                label="fair share (history + target)",
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
    from .escalation import escalation_load, level_by_number

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
        ax.plot(tgt[ok], y[ok], linestyle="none", marker="|", markersize=max(6.0, min(16.0, 220 / max(n, 1))),
                markeredgewidth=2.2, color="black", gid="target", zorder=5,
                path_effects=[patheffects.withStroke(linewidth=4.5, foreground="white")])
        ends = np.maximum(left, np.nan_to_num(tgt, nan=0.0))
        span = float(max(ends.max(initial=0.0), 1.0))
        for k, p in enumerate(order):
            ax.text(ends[k] + span * 0.01, k, f"{total[p]:,.1f}".rstrip("0").rstrip("."), va="center",
                    ha="left", fontsize=8, color="#333333")
        ax.set_xlim(0, span * 1.1)
        ax.set_yticks(y, [names[p] for p in order], fontsize=8 if n > 30 else 9)
        ax.set_ylim(n - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_xlabel("escalation load (hours × kind weight × level weight; heaviest level per shift)")
        ax.set_title("Escalation load per person (most loaded first)", loc="left")
        handles.append(Line2D([], [], color="black", marker="|", linestyle="none", markersize=10,
                              markeredgewidth=2.2, label="fair share (pool by FTE)"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax


# --------------------------------------------------------------------------- 2. calendar


def _role_key(schedule: Schedule, shift: str, role: str) -> str:
    """Calendar colour key: the role, or "shift · role" when there are several patterns."""
    return f"{shift} · {role}" if len(schedule.problem.scenario.shifts) > 1 else role


def _role_colors(schedule: Schedule) -> dict[str, str]:
    keys: list[str] = []
    for pat in schedule.problem.scenario.shifts:
        for r in pat.roles:
            key = _role_key(schedule, pat.name, r.name)
            if key not in keys:
                keys.append(key)
    return {k: ROLE_PALETTE[n % len(ROLE_PALETTE)] for n, k in enumerate(keys)}


def plot_calendar(schedule: Schedule, ax: Axes | None = None) -> Axes:
    """Rotation calendar: one row per person, one bar per assignment, coloured by role.

    Weekends (team zone) are shaded grey across all rows; each person's own public
    holidays are shaded red in their row; time off is hatched (hard ``///`` grey, soft
    ``\\\\\\`` orange, wishes to be on call green outline).

    Returns
    -------
    Axes
        Assignments are ``Rectangle`` patches with ``gid="assignment"`` (one per
        assignment), time off ``gid="time_off"``, holidays ``gid="holiday"``, weekends
        ``gid="weekend"``.
    """
    prob = schedule.problem
    names = _names(schedule)
    n = len(prob.people)
    x = _team_x(schedule)
    h0, h1 = prob.horizon
    days = (h1 - h0) / 86400
    colors = _role_colors(schedule)

    with chart_style():
        ax = _new_axes(ax, (max(9.0, min(12.5, 6 + days * 0.075)), 2.2 + 0.3 * n))
        ax.set_xlim(x(h0), x(h1))
        ax.set_ylim(n - 0.5, -0.5)
        # weekends (team zone): Saturday 00:00 to Monday 00:00
        tz = prob.team_tz
        day = prob.scenario.start
        while day <= prob.scenario.end:
            if day.weekday() == 5 or (day == prob.scenario.start and day.weekday() == 6):
                sat = day - dt.timedelta(days=day.weekday() - 5)
                a = max(midnight(sat, tz), h0)
                b = min(midnight(sat + dt.timedelta(days=2), tz), h1)
                ax.axvspan(x(a), x(b), color=WEEKEND_SHADE, zorder=0, linewidth=0, gid="weekend")
            day += dt.timedelta(days=1)
        # per person: holidays, time off, assignments
        hatches = (
            ("hard", prob.hard_off, "///", "#7a7a7a", "none"),
            ("soft", prob.soft_off, "\\\\\\", "#e08a00", "none"),
            ("prefer", prob.prefer, "", "#2a9d5c", "none"),
        )
        for p in range(n):
            ptz = prob.tz[p]
            for d in sorted(prob.holidays[p]):
                if prob.scenario.start <= d <= prob.scenario.end:
                    a, b = midnight(d, ptz), midnight(d + dt.timedelta(days=1), ptz)
                    ax.add_patch(
                        Rectangle(
                            (x(max(a, h0)), p - 0.5),
                            x(min(b, h1)) - x(max(a, h0)),
                            1.0,
                            facecolor=HOLIDAY_SHADE,
                            linewidth=0,
                            zorder=0.5,
                            gid="holiday",
                        )
                    )
            for _kind, table, hatch, color, face in hatches:
                for iv in table[p]:
                    a, b = max(iv.start, h0), min(iv.end, h1)
                    if b <= a:
                        continue
                    ax.add_patch(
                        Rectangle(
                            (x(a), p - 0.42),
                            x(b) - x(a),
                            0.84,
                            facecolor=face,
                            hatch=hatch,
                            edgecolor=color,
                            linewidth=0.9 if hatch else 1.6,
                            linestyle="-" if hatch else "--",
                            zorder=1,
                            gid="time_off",
                        )
                    )
        for a in schedule.assignments:
            inst = prob.instances[a.instance]
            key = _role_key(schedule, inst.shift, inst.roles[a.role].name)
            s, e = x(inst.start), x(inst.end)
            ax.add_patch(
                Rectangle(
                    (s, a.person - 0.3),
                    e - s,
                    0.6,
                    facecolor=colors[key],
                    edgecolor="white",
                    linewidth=0.8,
                    zorder=2,
                    gid="assignment",
                )
            )
        for k in range(n + 1):
            ax.axhline(k - 0.5, color="#d9d9d9", linewidth=0.5, zorder=0.6)
        ax.set_yticks(range(n), names, fontsize=8 if n > 30 else 9)
        ax.tick_params(axis="y", length=0)
        _time_axis(ax, schedule)
        ax.xaxis.grid(True, which="major", color="#bdbdbd", linewidth=0.6, zorder=0.7)
        ax.set_axisbelow(True)
        ax.set_title(
            f"Rotation calendar {prob.scenario.start:%d %b} – {prob.scenario.end:%d %b %Y}",
            loc="left",
        )
        handles = [Patch(facecolor=c, label=r) for r, c in colors.items()]
        handles.append(Patch(facecolor=WEEKEND_SHADE, edgecolor="#bdbdbd", label="weekend"))
        if any(prob.holiday_names(p) for p in range(n)):
            handles.append(
                Patch(facecolor=HOLIDAY_SHADE, edgecolor="#e8a0a0", label="public holiday (own)")
            )
        if any(prob.hard_off):
            handles.append(
                Patch(facecolor="none", hatch="///", edgecolor="#7a7a7a", label="time off")
            )
        if any(prob.soft_off):
            handles.append(
                Patch(
                    facecolor="none", hatch="\\\\\\", edgecolor="#e08a00", label="time off (soft)"
                )
            )
        if any(prob.prefer):
            handles.append(
                Patch(
                    facecolor="none",
                    edgecolor="#2a9d5c",
                    linestyle="--",
                    label="wants to be on call",
                )
            )
        # title and legend share the line above the plot (above the top date labels when
        # a tall calendar repeats them there)
        lift = 30.0 if n > 25 else 0.0
        if n > 25:
            ax.tick_params(axis="x", labeltop=True)
        axes_width = ax.figure.get_size_inches()[0] * max(ax.get_position().width, 0.85)
        ncol = max(1, min(len(handles), int(axes_width / 1.45)))
        legend_rows = -(-len(handles) // ncol)
        ax.set_title(ax.get_title(loc="left"), loc="left", pad=lift + 10 + 14 * legend_rows)
        shift = ScaledTranslation(0, lift / 72, ax.figure.dpi_scale_trans)
        ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            bbox_transform=ax.transAxes + shift,
            ncol=ncol,
            borderaxespad=0.3,
            handlelength=1.6,
            columnspacing=1.2,
        )
    return ax


# --------------------------------------------------------------------------- 3. coverage


def coverage_depth(schedule: Schedule) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Crew depth per skill and instance.

    Returns
    -------
    skills, depth, required
        ``skills``: the skills required anywhere (crew skills, then role skills), or
        every skill people hold when nothing is required; ``depth[s, i]``: how many
        people on the crew of instance ``i`` hold skill ``s``; ``required[s, i]``: the
        instance needs that skill (a crew skill of its pattern, or a skill of one of its
        roles needed that day).
    """
    prob = schedule.problem
    skills: list[str] = []
    for pat in prob.scenario.shifts:
        for sk in list(pat.crew_skills) + [s for r in pat.roles for s in r.skills]:
            if sk not in skills:
                skills.append(sk)
    if not skills:
        skills = sorted({s for p in prob.people for s in p.skills})
    index = {s: k for k, s in enumerate(skills)}
    depth = np.zeros((len(skills), len(prob.instances)), dtype=int)
    required = np.zeros_like(depth, dtype=bool)
    for i, inst in enumerate(prob.instances):
        day = dt.datetime.fromtimestamp(inst.start, inst.tz).date()
        for sk in inst.pattern.crew_skills:
            required[index[sk], i] = True
        for r in inst.roles:
            count = r.count_on(day) if hasattr(r, "count_on") else r.count
            if count > 0:
                for sk in r.skills:
                    required[index[sk], i] = True
    for i, assigned in schedule.by_instance().items():
        crew = {a.person for a in assigned}
        for p in crew:
            for sk in prob.people[p].skills:
                if sk in index:
                    depth[index[sk], i] += 1
    return skills, depth, required


def coverage_rows(schedule: Schedule) -> list[tuple[str, str, list[int]]]:
    """Rows of the coverage chart: (pattern, skill, instance indexes of that pattern).

    Each pattern gets a row for every skill it requires (crew skills, then role skills);
    a pattern that requires none gets a row for every skill of :func:`coverage_depth`.
    """
    prob = schedule.problem
    skills, _depth, _req = coverage_depth(schedule)
    rows = []
    for pat in prob.scenario.shifts:
        insts = [i.index for i in prob.instances if i.shift == pat.name]
        need: list[str] = []
        for sk in list(pat.crew_skills) + [s for r in pat.roles for s in r.skills]:
            if sk not in need:
                need.append(sk)
        for sk in need or skills:
            rows.append((pat.name, sk, insts))
    return rows


def plot_coverage(schedule: Schedule, ax: Axes | None = None) -> Axes:
    """Skill coverage over time: for every shift pattern and skill it requires (rows), a
    cell per shift instance spanning its time, coloured by how many people on the crew
    hold the skill (the crew's depth in that skill). Gaps are impossible for an
    optimizer schedule (the rule is hard) but an imported one may have them: a required
    skill nobody on the crew holds is a red cell. Cells carry the number when there is
    room.

    Returns
    -------
    Axes
        The cells are one ``PatchCollection`` (gid ``"depth"``) whose array holds the
        depth of each cell, row by row in the order of :func:`coverage_rows`; gaps are
        ``Rectangle`` patches with gid ``"gap"``.
    """
    prob = schedule.problem
    skills, depth, required = coverage_depth(schedule)
    index = {sk: k for k, sk in enumerate(skills)}
    rows = coverage_rows(schedule)
    many = len(prob.scenario.shifts) > 1
    x = _team_x(schedule)
    h0, h1 = prob.horizon
    days = (h1 - h0) / 86400
    n_rows = len(rows)
    with chart_style():
        ax = _new_axes(ax, (max(9.0, min(12.5, 6 + days * 0.075)), 2.0 + 0.38 * max(n_rows, 1)))
        ax.set_title(
            "Skill coverage: crew members holding each required skill, per shift", loc="left"
        )
        if not rows or not prob.instances:
            ax.text(
                0.5,
                0.5,
                "no skills are required or held in this scenario"
                if prob.instances
                else "no shift instances",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_axis_off()
            return ax
        top = max(int(depth.max(initial=0)), 3)
        blues = mpl.colormaps["Blues"]
        colors = ["#f4f4f4"] + [to_hex(blues(0.3 + 0.65 * k / max(top - 1, 1))) for k in range(top)]
        cmap = ListedColormap(colors)
        norm = BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)
        cells, values, gaps, labels = [], [], 0, []
        cell_days = []
        for r, (_pat, sk, insts) in enumerate(rows):
            s_idx = index[sk]
            for i in insts:
                inst = prob.instances[i]
                a, b = x(max(inst.start, h0)), x(min(inst.end, h1))
                cells.append(Rectangle((a, r - 0.42), b - a, 0.84))
                v = int(depth[s_idx, i])
                values.append(v)
                cell_days.append(b - a)
                if required[s_idx, i] and v == 0:
                    gaps += 1
                    ax.add_patch(
                        Rectangle(
                            (a, r - 0.42),
                            b - a,
                            0.84,
                            facecolor=GAP_COLOR,
                            edgecolor="white",
                            linewidth=0.5,
                            zorder=3,
                            gid="gap",
                        )
                    )
                labels.append((a + (b - a) / 2, r, v))
        coll = PatchCollection(
            cells, cmap=cmap, norm=norm, edgecolor="white", linewidth=0.5, zorder=2
        )
        coll.set_array(np.array(values, dtype=float))
        coll.set_gid("depth")
        ax.add_collection(coll)
        # numbers where a cell is wide enough (about 2 % of the axis)
        width_min = days * 0.018
        for (cx, cy, v), w in zip(labels, cell_days, strict=True):
            if w >= width_min:
                ax.text(
                    cx,
                    cy,
                    str(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    zorder=4,
                    fontweight="bold",
                    color="white" if v == 0 or v >= 2 else "#1a1a1a",
                )
        ax.set_xlim(x(h0), x(h1))
        ax.set_ylim(n_rows - 0.5, -0.5)
        ax.set_yticks(range(n_rows), [f"{p} · {sk}" if many else sk for p, sk, _ in rows])
        ax.tick_params(axis="y", length=0)
        _time_axis(ax, schedule)
        ax.xaxis.grid(True, which="major", color="#bdbdbd", linewidth=0.6)
        ax.set_axisbelow(True)
        req = depth[required]
        note = f"{gaps} gap{'s' if gaps != 1 else ''}"
        if req.size:
            lo = int(req.min())
            where = [
                skills[s] for s in range(len(skills)) if (required[s] & (depth[s] == lo)).any()
            ]
            note += f"; thinnest required cover: {lo} ({', '.join(where)})"
        ax.set_xlabel(f"{ax.get_xlabel()}: {note}")
        handles = [
            Patch(facecolor=colors[k], edgecolor="#cccccc", label=str(k)) for k in range(1, top + 1)
        ]
        handles.append(Patch(facecolor=GAP_COLOR, label="gap: required,\nnobody holds it"))
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0,
            handlelength=1.2,
            title="crew members\nholding the skill",
            title_fontsize=8,
        )
    return ax


# --------------------------------------------------------------------------- 4. fairness over time


def cumulative_load(schedule: Schedule) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Cumulative load of each person over time, growing linearly through each shift.

    Returns
    -------
    dict
        person id -> (times, loads): epoch seconds and cumulative load at those times,
        from the start to the end of the horizon; the last load is the person's ``load``.
    """
    prob = schedule.problem
    h0, h1 = prob.horizon
    out = {}
    for p, assigned in schedule.by_person().items():
        spans = []
        for a in assigned:
            inst = prob.instances[a.instance]
            spans.append((inst.start, inst.end, prob.load(p, a.instance, a.role) / 100))
        times = sorted({h0, h1} | {t for s, e, _ in spans for t in (s, e)})
        t = np.array(times, dtype=float)
        y = np.zeros_like(t)
        for s, e, load in spans:
            y += load * np.clip((t - s) / max(e - s, 1), 0.0, 1.0)
        out[prob.people[p].id] = (t, y)
    return out


def plot_fairness_over_time(schedule: Schedule, ax: Axes | None = None) -> Axes:
    """Cumulative load per person across the horizon (this period, without history).

    Load accrues evenly through each shift. With up to 12 people each has a coloured
    line; with more, everyone is a thin grey line and the three people most over and the
    three most under their fair target (``people.csv`` ``target_load``, which accounts
    for history and FTE) are coloured and named. The dashed black line is the pool's
    average load per FTE: a full-time person without history on it is exactly fair.

    Returns
    -------
    Axes
        One ``Line2D`` per person with gid ``"person:<id>"``; the average ``"average"``.
    """
    prob = schedule.problem
    curves = cumulative_load(schedule)
    people = people_frame(schedule).set_index("person_id")
    names = dict(zip([p.id for p in prob.people], _names(schedule), strict=True))
    x = _team_x(schedule)
    vx = np.vectorize(x)
    pool = [prob.people[p].id for p in prob.pool]
    fte = {p.id: p.fte for p in prob.people}
    final = {pid: float(curves[pid][1][-1]) for pid in curves}
    target = people["target_load"].to_dict()
    n = len(curves)

    def label(pid: str) -> str:
        t = target[pid]
        return (
            f"{names[pid]} ({final[pid]:,.0f})"
            if np.isnan(t)
            else f"{names[pid]} ({final[pid]:,.0f} / {t:,.0f})"
        )

    with chart_style():
        ax = _new_axes(ax, (11.0, 5.2 if n <= 12 else 6.5))
        if n <= 12:
            highlight = sorted(curves, key=lambda pid: (-final[pid], pid))
        else:
            ranked = sorted(pool, key=lambda pid: (final[pid] - target[pid], pid))
            highlight = ranked[-3:][::-1] + [pid for pid in ranked[:3] if pid not in ranked[-3:]]
        for pid, (t, y) in curves.items():
            if pid not in highlight:
                ax.plot(
                    vx(t),
                    y,
                    color="#b5b5b5",
                    linewidth=0.8,
                    alpha=0.8,
                    gid=f"person:{pid}",
                    zorder=1,
                )
        for k, pid in enumerate(highlight):
            t, y = curves[pid]
            ax.plot(
                vx(t),
                y,
                color=PEOPLE_PALETTE[k % len(PEOPLE_PALETTE)],
                linewidth=1.8,
                gid=f"person:{pid}",
                zorder=3,
                label=label(pid),
            )
        # pool average per FTE
        if pool:
            times = np.array(sorted({tt for pid in pool for tt in curves[pid][0]}), dtype=float)
            total = sum(np.interp(times, *curves[pid]) for pid in pool)
            fte_sum = sum(fte[pid] for pid in pool)
            ax.plot(
                vx(times),
                total / fte_sum,
                color="black",
                linestyle="--",
                linewidth=1.4,
                zorder=4,
                gid="average",
                label="pool average per FTE",
            )
        h0, h1 = prob.horizon
        ax.set_xlim(x(h0), x(h1))
        ax.set_ylim(bottom=0)
        _time_axis(ax, schedule)
        ax.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_ylabel("cumulative load this period")
        title = "Cumulative load per person"
        if n > 12:
            title += ": the 3 most over and 3 most under their fair target highlighted"
        ax.set_title(title, loc="left")
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0,
            title="person (load / fair target)",
            title_fontsize=8,
        )
    return ax


# --------------------------------------------------------------------------- all


CHARTS = {
    "load": plot_load,
    "calendar": plot_calendar,
    "coverage": plot_coverage,
    "fairness_over_time": plot_fairness_over_time,
}
"""Every chart of the report, by file stem, in report order."""
