"""What teams would otherwise do: two simple schedulers to compare the optimizer with.

Both produce a :class:`~optimizer.schedule.Schedule`, so :func:`optimizer.verify.evaluate`
judges them with exactly the rules and metrics it applies to the optimizer's schedules.

- :func:`round_robin`: the default of paging tools' schedule layers. For each shift
  pattern and role, the people who may take that role (right skills and role) form a
  fixed list; each instance takes the next ``count`` people in the list. The lists of a
  pattern's roles start at evenly spaced offsets, and nobody is put on two roles of one
  instance (the next person in the list is taken instead). It ignores time off, rest,
  window caps, weekends, holidays, crew skills and fairness.
- :func:`least_recently_on_call`: what open-source on-call bots do. Instances are filled
  in time order; each role goes to the qualified person whose last shift started
  longest ago (never-on-call first, then list order), skipping people on (hard) leave
  during the instance and people already on this instance. It ignores everything else.

Neither baseline can fail: when nobody fits, the role stays unfilled (a coverage
violation), which is what would happen in a tool that cannot find anyone.
"""

from __future__ import annotations

from collections.abc import Callable

from optimizer.problem import Problem
from optimizer.schedule import Assignment, Schedule


def _candidates(prob: Problem) -> dict[tuple[str, int], list[int]]:
    """Per (pattern name, role index): the people allowed to take it, in scenario order."""
    out: dict[tuple[str, int], list[int]] = {}
    for i, inst in enumerate(prob.instances):
        for r in range(len(inst.roles)):
            key = (inst.shift, r)
            if key not in out:
                out[key] = [p for p in range(len(prob.people)) if prob.qualified(p, i, r)]
    return out


def round_robin(prob: Problem) -> Schedule:
    """Fixed-order rotation per shift pattern and role (see module docstring).

    Parameters
    ----------
    prob
        The compiled scenario.

    Returns
    -------
    Schedule
        The rotation; it may break any rule except "two roles on one instance".
    """
    lists = _candidates(prob)
    cursor: dict[tuple[str, int], int] = {}
    for (shift, r), people in lists.items():
        n_roles = len(next(inst for inst in prob.instances if inst.shift == shift).roles)
        cursor[(shift, r)] = (r * len(people)) // n_roles if people else 0
    out: list[Assignment] = []
    for i, inst in enumerate(prob.instances):
        taken: set[int] = set()
        for r, role in enumerate(inst.roles):
            people = lists[(inst.shift, r)]
            for _ in range(role.count):
                for _step in range(len(people)):
                    k = cursor[(inst.shift, r)]
                    cursor[(inst.shift, r)] = (k + 1) % len(people)
                    if people[k] not in taken:
                        taken.add(people[k])
                        out.append(Assignment(i, r, people[k]))
                        break
    return Schedule(prob, out, source="round-robin")


def least_recently_on_call(prob: Problem) -> Schedule:
    """Least-recently-on-call, skipping people on leave (see module docstring).

    Parameters
    ----------
    prob
        The compiled scenario.

    Returns
    -------
    Schedule
        The schedule; it respects hard time off and coverage where anyone is available,
        and ignores every other rule.
    """
    lists = _candidates(prob)
    last: dict[int, int] = {}  # person -> start of their latest shift
    out: list[Assignment] = []
    order = sorted(range(len(prob.instances)), key=lambda i: (prob.instances[i].start, i))
    for i in order:
        inst = prob.instances[i]
        taken: set[int] = set()
        for r, role in enumerate(inst.roles):
            people = lists[(inst.shift, r)]
            free = [p for p in people if p not in taken and prob.hard_time_off(p, i) is None]
            rank: Callable[[int], tuple[int, int]] = lambda p, people=people: (last.get(p, -(2**62)), people.index(p))  # noqa: E731
            for p in sorted(free, key=rank)[: role.count]:
                taken.add(p)
                last[p] = inst.start
                out.append(Assignment(i, r, p))
    return Schedule(prob, out, source="least-recently-on-call")


BASELINES: dict[str, Callable[[Problem], Schedule]] = {
    "round_robin": round_robin,
    "least_recent": least_recently_on_call,
}
