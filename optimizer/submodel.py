"""Sub-models of a built CP-SAT model, for the steps of the roster LNS (``optimizer.lns``).

An LNS step frees a few hundred or thousand assignment variables and fixes every other one
to the incumbent. Handing CP-SAT the whole model with those domains fixed makes it load
the whole model first: on the 300-person year (412 k variables, 939 k constraints, no
presolve at that size) 2.1 s of loading before 0.5 s of search, so one-second steps ended
while loading. A :class:`Frame` reads the model once and then writes, per step, a model of
its own holding only what the step can change, the variables renumbered:

- the *free* variables: the freed assignment variables, and the other (auxiliary)
  variables within ``depth`` constraints of them (a person's loads, day literals, the
  spread's maximum...), reached without crossing a fixed assignment variable;
- every constraint that touches a free variable, with each fixed variable replaced by its
  incumbent value (a linear term moves to the right-hand side, a literal becomes the
  constant true or false literal; an enforcement literal fixed true is dropped, fixed
  false drops its constraint);
- the objective's free terms, with the fixed terms in its offset, so that the sub-model's
  objective value *is* the whole model's for the completed schedule.

Every constraint left out touches fixed variables only and holds at the incumbent, so any
solution of the sub-model, completed with the incumbent's values, is a solution of the
whole model (auxiliary variables beyond ``depth`` keep their incumbent values: that only
narrows the step). Constraint kinds other than the ones the rule modules write make
:class:`Frame` raise :class:`Unsupported`; the LNS then solves whole-model copies.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from typing import cast

import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

BOOLS = ("bool_or", "bool_and", "at_most_one", "exactly_one")
TRUE = 0  # the sub-model's variable 0 is the constant true literal; ~TRUE = -1 is false
BIG = 64  # sums with more terms than this are evaluated with numpy when fixed


class Unsupported(ValueError):
    """The model holds a constraint kind :class:`Frame` does not rewrite."""


def _var(ref: int) -> int:
    return ref if ref >= 0 else -ref - 1


class _Sum:
    """A linear expression of the model (a lin_max's target or one of its terms)."""

    __slots__ = ("vars", "coeffs", "offset", "aux", "np_vars", "np_coeffs")

    def __init__(self, e, decision: bytearray) -> None:  # noqa: ANN001 - a LinearExpressionProto
        self.vars = list(e.vars)
        self.coeffs = list(e.coeffs)
        self.offset = e.offset
        self.aux = [v for v in self.vars if not decision[v]]
        self.np_vars = np.array(self.vars, dtype=np.int64) if len(self.vars) > BIG else None
        self.np_coeffs = np.array(self.coeffs, dtype=np.int64) if len(self.vars) > BIG else None


class Frame:
    """The whole model read once (its constraints and which variables they touch);
    ``decisions`` are the variables an LNS step fixes or frees (the assignment variables);
    every other variable is auxiliary."""

    def __init__(self, proto: cp_model_pb2.CpModelProto, decisions: Iterable[int]):
        n = len(proto.variables)
        self.domains = [list(v.domain) for v in proto.variables]
        self.decision = bytearray(n)
        for k in decisions:
            self.decision[k] = 1
        # per constraint: its kind and data, its enforcement literals, the variables it touches
        self.kind: list[str] = []
        self.data: list[object] = []
        self.enforce: list[list[int]] = []
        self.touches: list[list[int]] = []
        # a maximum over many sums (the spreads) reaches only the target and the sums that
        # hold a free variable, not every person's sum: var -> [(constraint, sum)]
        self.in_max: dict[int, list[tuple[int, int]]] = {}
        by_var: list[list[int]] = [[] for _ in range(n)]
        for ci, c in enumerate(proto.constraints):
            kind = c.WhichOneof("constraint")
            enf = list(c.enforcement_literal)
            refs = list(enf)
            if kind == "linear":
                lin = c.linear
                data: object = (list(lin.vars), list(lin.coeffs), list(lin.domain))
                refs += lin.vars
            elif kind in BOOLS:
                lits = list(getattr(c, kind).literals)
                data = lits
                refs += lits
            elif kind == "lin_max":
                sums = [_Sum(c.lin_max.target, self.decision),
                        *(_Sum(e, self.decision) for e in c.lin_max.exprs)]
                data = sums
                for j, sm in enumerate(sums):
                    refs += sm.vars
                    for v in set(sm.vars):
                        self.in_max.setdefault(v, []).append((ci, j))
            elif kind == "automaton":
                a = c.automaton
                if a.vars:
                    raise Unsupported("automaton over variables (not expressions)")
                seq = [_Sum(e, self.decision) for e in a.exprs]
                data = (seq, a.starting_state, list(a.final_states), list(a.transition_tail),
                        list(a.transition_head), list(a.transition_label))
                for sm in seq:
                    refs += sm.vars
            else:
                raise Unsupported(f"constraint kind {kind!r}")
            vs = sorted({_var(r) for r in refs})
            self.kind.append(kind)
            self.data.append(data)
            self.enforce.append(enf)
            self.touches.append(vs)
            for v in vs:
                by_var[v].append(ci)
        self.by_var = by_var
        obj = proto.objective
        self.objective = (list(obj.vars), list(obj.coeffs))
        self.offset = obj.offset
        self.scaling = obj.scaling_factor or 1.0

    @classmethod
    def of(cls, model: cp_model.CpModel, decisions: Iterable[int]) -> Frame:
        """The frame of a built model (read through a file: the model's own proto has no
        fast way out)."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.pb")
            model.export_to_file(path)
            with open(path, "rb") as f:
                return cls(cp_model_pb2.CpModelProto.FromString(f.read()), decisions)

    def located(self, day_of: dict[int, int], most: int = 400) -> list[tuple[int, int, list[tuple[int, int]]]]:
        """(variable, coefficient, [(decision, day)...]) of every objective term whose cost
        can be located: a decision variable itself, or the decision variables (at most
        ``most``) it reaches through two layers of auxiliary variables by constraints of at
        most ``most`` variables (a spread over everyone is not located); ``day_of`` maps
        decision variables to day offsets."""
        out = []
        for v, a in zip(*self.objective, strict=True):
            if v in day_of:
                out.append((v, a, [(v, day_of[v])]))
                continue
            # through up to two auxiliary layers (a penalty over day literals, say)
            aux = {v}
            for _ in range(2):
                aux |= {u for w in aux for ci in self.by_var[w] if len(self.touches[ci]) <= most
                        for u in self.touches[ci] if not self.decision[u]}
                if len(aux) > most:
                    break
            near = sorted({u for w in aux for ci in self.by_var[w] if len(self.touches[ci]) <= most
                           for u in self.touches[ci] if u in day_of})
            if 0 < len(near) <= most:
                out.append((v, a, [(u, day_of[u]) for u in near]))
        return out

    # -- one step ------------------------------------------------------------------------
    def free_set(self, freed: Sequence[int], depth: int) -> list[int]:
        """The freed decisions and the auxiliary variables within ``depth`` constraints."""
        free = set(freed)
        frontier = list(freed)
        seen: set[int] = set()
        parts: set[tuple[int, int]] = set()
        decision = self.decision
        for _ in range(depth):
            new: set[int] = set()
            for v in frontier:
                for ci in self.by_var[v]:
                    if ci in seen or self.kind[ci] == "lin_max":
                        continue
                    seen.add(ci)
                    for u in self.touches[ci]:
                        if u not in free and not decision[u]:
                            new.add(u)
                for ci, j in self.in_max.get(v, ()):
                    for key in ((ci, 0), (ci, j)):
                        if key not in parts:
                            parts.add(key)
                            sums = self.data[ci]
                            new.update(u for u in sums[key[1]].aux if u not in free)  # type: ignore[index]
            if not new:
                break
            free |= new
            frontier = list(new)
        return sorted(free)

    def sub(self, freed: Sequence[int], values: Sequence[int], depth: int = 2) -> Sub:
        """The sub-model in which ``freed`` (and the auxiliaries near them) may change and
        everything else keeps ``values``."""
        return Sub(self, self.free_set(freed, depth), values)


class Sub:
    """One step's model: :attr:`model` (hinted with the incumbent), and :meth:`complete`
    to read a solution back into the whole model's values."""

    def __init__(self, frame: Frame, free: list[int], values: Sequence[int]):
        self.free = free
        self.seconds = 0.0  # how long writing it took
        started = time.perf_counter()
        pos = dict.fromkeys(free, 0)
        for j, v in enumerate(free, start=1):  # 0 is the constant true literal
            pos[v] = j
        get = pos.get
        self.model = cp_model.CpModel()
        p = self.model.proto
        p.variables.add().domain.extend([1, 1])
        for v in free:
            p.variables.add().domain.extend(frame.domains[v])
        array: np.ndarray | None = None

        def lit(ref: int) -> int:
            if ref >= 0:
                j = get(ref)
                return j if j is not None else (TRUE if values[ref] == 1 else -1)
            j = get(-ref - 1)
            return -j - 1 if j is not None else (TRUE if values[-ref - 1] == 0 else -1)

        def terms(vs: list[int], cs: list[int]) -> tuple[list[int], list[int], int]:
            out_v, out_c, off = [], [], 0
            for u, a in zip(vs, cs):  # noqa: B905 - same length by construction
                j = get(u)
                if j is None:
                    off += a * values[u]
                else:
                    out_v.append(j)
                    out_c.append(a)
            return out_v, out_c, off

        def fixed_sum(sm: _Sum) -> int:
            nonlocal array
            if sm.np_vars is None:
                return sm.offset + sum(a * values[u] for u, a in zip(sm.vars, sm.coeffs))  # noqa: B905
            if array is None:
                array = np.asarray(values, dtype=np.int64)
            return sm.offset + int(array[sm.np_vars] @ sm.np_coeffs)

        # the lin_max sums that hold a free variable (the others are constants)
        live = {key for v in free for key in frame.in_max.get(v, ())}

        def expr(dst, ci: int, j: int, sm: _Sum) -> None:  # noqa: ANN001 - a LinearExpressionProto
            if (ci, j) not in live:
                dst.offset = fixed_sum(sm)
                return
            vs, cs, off = terms(sm.vars, sm.coeffs)
            dst.vars.extend(vs)
            dst.coeffs.extend(cs)
            dst.offset = sm.offset + off

        seen: set[int] = set()
        for v in free:
            for ci in frame.by_var[v]:
                if ci in seen:
                    continue
                seen.add(ci)
                enf = []
                dead = False
                for r in frame.enforce[ci]:
                    u = _var(r)
                    if u in pos:
                        enf.append(lit(r))
                    elif values[u] != (1 if r >= 0 else 0):
                        dead = True  # enforced by a literal fixed false: nothing to hold
                        break
                if dead:
                    continue
                kind = frame.kind[ci]
                data = frame.data[ci]
                out = p.constraints.add()
                if enf:
                    out.enforcement_literal.extend(enf)
                if kind == "linear":
                    lv, lc, dom = cast(tuple[list[int], list[int], list[int]], data)
                    tv, tc, off = terms(lv, lc)
                    out.linear.vars.extend(tv)
                    out.linear.coeffs.extend(tc)
                    out.linear.domain.extend(_shift(dom, off))
                elif kind == "lin_max":
                    sums = cast(list[_Sum], data)
                    expr(out.lin_max.target, ci, 0, sums[0])
                    for j, sm in enumerate(sums[1:], start=1):
                        expr(out.lin_max.exprs.add(), ci, j, sm)
                elif kind == "automaton":
                    seq, start, finals, tails, heads, labels = cast(tuple, data)
                    a = out.automaton
                    a.starting_state = start
                    a.final_states.extend(finals)
                    a.transition_tail.extend(tails)
                    a.transition_head.extend(heads)
                    a.transition_label.extend(labels)
                    for sm in seq:
                        ev, ec, eoff = terms(sm.vars, sm.coeffs)
                        e = a.exprs.add()
                        e.vars.extend(ev)
                        e.coeffs.extend(ec)
                        e.offset = sm.offset + eoff
                else:
                    getattr(out, kind).literals.extend([lit(r) for r in data])  # type: ignore[attr-defined]
        vs, cs, off = terms(*frame.objective)
        o = p.objective
        o.vars.extend(vs)
        o.coeffs.extend(cs)
        o.offset = frame.offset + off
        o.scaling_factor = frame.scaling
        h = p.solution_hint
        h.vars.extend(range(len(free) + 1))
        h.values.extend([1, *(values[v] for v in free)])
        self.seconds = time.perf_counter() - started

    def complete(self, solver: cp_model.CpSolver, values: Sequence[int]) -> list[int]:
        """The whole model's values: ``values`` with the free variables' solution."""
        out = list(values)
        sol = solver.response_proto.solution
        for j, v in enumerate(self.free, start=1):
            out[v] = sol[j]
        return out


def _shift(domain: Sequence[int], off: int) -> list[int]:
    """A domain's bounds minus ``off`` (the fixed terms moved to the right-hand side),
    keeping CP-SAT's int64 sentinels for unbounded ends."""
    if not off:
        return list(domain)
    lo, hi = cp_model.INT_MIN, cp_model.INT_MAX
    return [b if b in (lo, hi) else b - off for b in domain]
