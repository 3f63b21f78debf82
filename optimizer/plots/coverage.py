"""Chart 3: skill coverage per shift, and the single points of failure of small crews."""

from __future__ import annotations

import datetime as dt

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, to_hex
from matplotlib.patches import Patch, Rectangle

from ..schedule import Schedule
from .style import (
    GAP_COLOR,
    _names,
    _new_axes,
    _team_x,
    _time_axis,
    chart_style,
)


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


def single_points(schedule: Schedule) -> dict[tuple[str, str], dict[str, int]]:
    """Single points of failure: for each (pattern, required skill), the people who were the
    only crew member holding the skill on a shift, with how many such shifts (most first).

    Returns
    -------
    dict
        ``(pattern, skill) -> {display name: shifts carried alone}``, for every row of
        :func:`coverage_rows` (empty when every shift had backup).
    """
    prob = schedule.problem
    skills, depth, required = coverage_depth(schedule)
    index = {sk: k for k, sk in enumerate(skills)}
    crews = schedule.by_instance()
    names = _names(schedule)
    out: dict[tuple[str, str], dict[str, int]] = {}
    for pat, sk, insts in coverage_rows(schedule):
        counts: dict[str, int] = {}
        s = index[sk]
        for i in insts:
            if required[s, i] and depth[s, i] == 1:
                holder = next(a.person for a in crews.get(i, []) if sk in prob.people[a.person].skills)
                counts[names[holder]] = counts.get(names[holder], 0) + 1
        out[(pat, sk)] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def _row_label(pat: str, sk: str, many: bool, alone: dict[str, int], n_required: int) -> str:
    head = f"{pat} · {sk}" if many else sk
    if not alone or not n_required:
        return head
    solo = sum(alone.values())
    top = ", ".join(f"{name.split()[0]} {n}" for name, n in list(alone.items())[:3])
    more = "…" if len(alone) > 3 else ""
    return f"{head}\nno backup on {solo} of {n_required}\nalone: {top}{more}"


def plot_coverage(schedule: Schedule, ax: Axes | None = None) -> Axes:
    """Skill coverage over time: for every shift pattern and skill it requires (rows), a
    cell per shift instance spanning its time, coloured by how many people on the crew
    hold the skill (the crew's depth in that skill). Skills a pattern does not require get
    no row. A cell where one person alone holds the skill shows that person's first name
    when there is room, and each row's label says on how many shifts the skill had no
    backup and who carried it alone most often (:func:`single_points`): for small crews,
    where every cell is 1, that is what the chart says. Gaps are impossible for an
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
        alone = single_points(schedule) if rows and prob.instances else {}
        tall = any(alone.values())
        ax = _new_axes(ax, (max(9.0, min(12.5, 6 + days * 0.075)), 2.0 + (0.62 if tall else 0.38) * max(n_rows, 1)))
        ax.set_title("Skill coverage: crew members holding each required skill, per shift", loc="left")
        if not rows or not prob.instances:
            ax.text(
                0.5,
                0.5,
                "no skills are required or held in this scenario" if prob.instances else "no shift instances",
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
        crews = schedule.by_instance()
        names = _names(schedule)
        cells: list[Rectangle] = []
        values: list[int] = []
        labels: list[tuple[float, int, int, str]] = []
        gaps = 0
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
                name = ""
                if v == 1:
                    holder = next(q.person for q in crews.get(i, []) if sk in prob.people[q.person].skills)
                    name = names[holder].split()[0]
                labels.append((a + (b - a) / 2, r, v, name))
        coll = PatchCollection(cells, cmap=cmap, norm=norm, edgecolor="white", linewidth=0.5, zorder=2)
        coll.set_array(np.array(values, dtype=float))
        coll.set_gid("depth")
        ax.add_collection(coll)
        # numbers where a cell is wide enough (about 2 % of the axis)
        width_min = days * 0.018
        name_min = days * 0.055
        for (cx, cy, v, name), w in zip(labels, cell_days, strict=True):
            if w >= width_min:
                text = name if name and w >= name_min else str(v)
                ax.text(
                    cx,
                    cy,
                    text[:9],
                    ha="center",
                    va="center",
                    fontsize=8 if text == str(v) else 7,
                    zorder=4,
                    fontweight="bold",
                    color="white" if v == 0 or v >= 2 else "#1a1a1a",
                )
        ax.set_xlim(x(h0), x(h1))
        ax.set_ylim(n_rows - 0.5, -0.5)
        n_req = {(p, sk): int(required[index[sk], insts].sum()) for p, sk, insts in rows}
        ax.set_yticks(
            range(n_rows),
            [_row_label(p, sk, many, alone.get((p, sk), {}), n_req[(p, sk)]) for p, sk, _ in rows],
            fontsize=8 if tall else 9,
        )
        ax.tick_params(axis="y", length=0)
        _time_axis(ax, schedule)
        ax.xaxis.grid(True, which="major", color="#bdbdbd", linewidth=0.6)
        ax.set_axisbelow(True)
        req = depth[required]
        note = f"{gaps} gap{'s' if gaps != 1 else ''}"
        if req.size:
            lo = int(req.min())
            where = [skills[s] for s in range(len(skills)) if (required[s] & (depth[s] == lo)).any()]
            note += f"; thinnest required cover: {lo} ({', '.join(where)})"
        ax.set_xlabel(f"{ax.get_xlabel()}: {note}")
        handles = [Patch(facecolor=colors[k], edgecolor="#cccccc", label=str(k)) for k in range(1, top + 1)]
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
