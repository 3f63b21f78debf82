"""Chart 4: cumulative load per person over the horizon."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from ..fairshare import fair_shares
from ..schedule import Schedule, people_frame
from .style import (
    PEOPLE_PALETTE,
    _names,
    _new_axes,
    _team_x,
    _time_axis,
    chart_style,
)


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


def highlighted(diffs: dict[str, float], k: int = 3, tol: float = 0.005) -> list[str]:
    """The ``k`` people most over and the ``k`` most under their fair share, plus everyone
    tied with the last of either group (ties are never greyed out), most over first.

    ``diffs``: person id -> load − fair share.
    """
    ranked = sorted(diffs, key=lambda pid: (-diffs[pid], pid))
    if len(ranked) <= 2 * k:
        return ranked

    def take(order: list[str]) -> list[str]:
        cut = diffs[order[k - 1]]
        return [pid for n, pid in enumerate(order) if n < k or abs(diffs[pid] - cut) <= tol]

    over = take(ranked)
    under = [pid for pid in take(ranked[::-1]) if pid not in over]
    return over + under[::-1]


def plot_fairness_over_time(schedule: Schedule, ax: Axes | None = None) -> Axes:
    """Cumulative load per person across the horizon (this period, without history).

    Load accrues evenly through each shift. With up to 12 people each has a coloured
    line; with more, everyone is a thin grey line and the three people most over and the
    three most under their fair share (:func:`optimizer.fairshare.fair_shares`), with
    everyone tied with them (:func:`highlighted`), are coloured and named. The dashed black line is the pool's
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
    shares = fair_shares(prob).by_person
    target = {pid: shares.get(pid, float("nan")) for pid in people.index}
    n = len(curves)

    def label(pid: str) -> str:
        t = target[pid]
        return f"{names[pid]} ({final[pid]:,.0f})" if np.isnan(t) else f"{names[pid]} ({final[pid]:,.0f} / {t:,.0f})"

    with chart_style():
        ax = _new_axes(ax, (11.0, 5.2 if n <= 12 else 6.5))
        if n <= 12:
            highlight = sorted(curves, key=lambda pid: (-final[pid], pid))
        else:
            highlight = highlighted({pid: final[pid] - target[pid] for pid in pool if pid in final})
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
            title += ": the most over and most under their fair share highlighted (ties included)"
        ax.set_title(title, loc="left")
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0,
            title="person (load / fair share)",
            title_fontsize=8,
        )
    return ax
