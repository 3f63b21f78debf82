"""Chart 2: the rotation calendar (people x time)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import ScaledTranslation

from ..schedule import Schedule
from ..timecalc import midnight
from .style import (
    HOLIDAY_SHADE,
    ROLE_PALETTE,
    WEEKEND_SHADE,
    _names,
    _new_axes,
    _team_x,
    _time_axis,
    chart_style,
)


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
        for asg in schedule.assignments:
            inst = prob.instances[asg.instance]
            key = _role_key(schedule, inst.shift, inst.roles[asg.role].name)
            s, e = x(inst.start), x(inst.end)
            ax.add_patch(
                Rectangle(
                    (s, asg.person - 0.3),
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
            handles.append(Patch(facecolor=HOLIDAY_SHADE, edgecolor="#e8a0a0", label="public holiday (own)"))
        if any(prob.hard_off):
            handles.append(Patch(facecolor="none", hatch="///", edgecolor="#7a7a7a", label="time off"))
        if any(prob.soft_off):
            handles.append(Patch(facecolor="none", hatch="\\\\\\", edgecolor="#e08a00", label="time off (soft)"))
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
        axes_width = cast(Figure, ax.figure).get_size_inches()[0] * max(ax.get_position().width, 0.85)
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
