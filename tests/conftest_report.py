"""Helpers for the report and plot tests: generated scenarios and a quick greedy schedule.

Not a conftest (pytest does not load it by itself): ``from conftest_report import ...``.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from optimizer.loading import load_scenario
from optimizer.problem import Problem
from optimizer.scenario import Scenario
from optimizer.schedule import Assignment, Schedule
from optimizer.solve import solve

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"

COUNTRIES = [("DE", "BE"), ("GB", None), ("US", "NY"), ("IN", None), ("FR", None), ("ES", None)]
FIRST = [
    "Ada",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elif",
    "Femi",
    "Gita",
    "Hugo",
    "Iris",
    "Jonas",
    "Kai",
    "Lea",
    "Mateo",
    "Noor",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
]
LAST = [
    "Andersen",
    "Bianchi",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gupta",
    "Hansen",
    "Ito",
    "Jovanović",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "O'Brien",
    "Papadopoulos",
]


def team_scenario(
    n_people: int = 60, days: int = 91, start: dt.date = dt.date(2027, 1, 4), time_off: bool = True
) -> Scenario:
    """A daily day/night rotation (day: primary + secondary, night: primary) for ``n_people``
    over ``days`` days, with countries, skills, history, part-timers and time off."""
    people = []
    for k in range(n_people):
        country, sub = COUNTRIES[k % len(COUNTRIES)]
        skills = ["infra"] if k % 3 else ["infra", "data"]
        if k % 4 == 1:
            skills = ["data"]
        people.append(
            {
                "id": f"p{k:02d}",
                "name": f"{FIRST[k % len(FIRST)]} {LAST[(k * 7) % len(LAST)]}",
                "skills": skills,
                "country": country,
                **({"subdivision": sub} if sub else {}),
                **({"fte": 0.5} if k % 10 == 7 else {}),
                **({"history": float(20 * (k % 5))} if k % 6 == 0 else {}),
            }
        )
    end = start + dt.timedelta(days=days - 1)
    offs = []
    if time_off:
        for k in range(0, n_people, 5):
            a = start + dt.timedelta(days=(k * 3) % max(days, 1))
            b = min(end, a + dt.timedelta(days=4))
            entry = {"person": f"p{k:02d}", "from": a.isoformat(), "to": b.isoformat()}
            if k % 10 == 5:
                entry.update(soft=True, weight=10)
            offs.append(entry)
    return Scenario.model_validate(
        {
            "team": f"generated-{n_people}",
            "timezone": "Europe/Berlin",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "shifts": [
                {
                    "name": "day",
                    "repeat": "daily",
                    "starts": "09:00",
                    "length": "12h",
                    "roles": [
                        {"name": "primary", "count": 1, "skills": ["infra"]},
                        {"name": "secondary", "count": 1},
                    ],
                    "crew_skills": ["infra", "data"],
                },
                {
                    "name": "night",
                    "repeat": "daily",
                    "starts": "21:00",
                    "length": "12h",
                    "roles": [{"name": "primary", "count": 1, "skills": ["infra"]}],
                },
            ],
            "people": people,
            "time_off": offs,
            "rules": {"min_rest": "12h", "max_shifts": [{"count": 3, "within": "7d"}]},
            "weights": {"roles": {"secondary": 0.5}, "weekend": 1.5, "holiday": 2.0, "night": 1.25},
        }
    )


def greedy_schedule(scenario: Scenario) -> Schedule:
    """Fill every slot with the least-loaded qualified person not on hard time off and not
    already on the crew (no solver; may break soft and rest rules)."""
    prob = Problem(scenario)
    load = [0] * len(prob.people)
    out = []
    for i, inst in enumerate(prob.instances):
        crew: set[int] = set()
        for r, role in enumerate(inst.roles):
            for _ in range(role.count):
                cands = [
                    p
                    for p in range(len(prob.people))
                    if p not in crew
                    and prob.qualified(p, i, r)
                    and prob.hard_time_off(p, i) is None
                ]
                if not cands:
                    continue
                p = min(cands, key=lambda q: (load[q] / prob.people[q].fte, q))
                crew.add(p)
                load[p] += prob.load(p, i, r)
                out.append(Assignment(i, r, p))
    return Schedule(prob, out)


# --------------------------------------------------------------------------- shared schedules


@functools.cache
def example_schedule(name: str) -> Schedule:
    """A schedule of an example or generated scenario, computed once per test session.

    ``quarterly`` and ``follow_the_sun`` are solved (short limits); ``sixty`` (60 people,
    a quarter), ``one`` (1 person, a week) and ``day`` (a day-long horizon) are greedy."""
    if name in ("quarterly", "follow_the_sun"):
        sc = load_scenario(EXAMPLES / f"{name}.yaml")
        # wall-clock limits under load: give follow-the-sun room to find its first schedule
        result = solve(sc, time_limit=5 if name == "quarterly" else 10)
        assert result.schedule is not None
        return result.schedule
    if name == "sixty":
        return greedy_schedule(team_scenario(60, 91))
    if name == "one":
        return greedy_schedule(
            Scenario.model_validate(
                {
                    "team": "solo",
                    "timezone": "America/New_York",
                    "start": "2027-01-04",
                    "end": "2027-01-10",
                    "shifts": [
                        {
                            "name": "day",
                            "repeat": "daily",
                            "starts": "09:00",
                            "length": "10h",
                            "roles": [{"name": "primary"}],
                        }
                    ],
                    "people": [{"id": "sam", "name": "Sam Solo", "country": "US", "history": 5}],
                    "time_off": [
                        {"person": "sam", "from": "2027-01-08", "to": "2027-01-08", "soft": True}
                    ],
                }
            )
        )
    if name == "day":
        return greedy_schedule(
            Scenario.model_validate(
                {
                    "team": "one-day",
                    "timezone": "Europe/London",
                    "start": "2027-03-28",
                    "end": "2027-03-28",
                    "shifts": [
                        {
                            "name": f"s{h:02d}",
                            "repeat": "daily",
                            "starts": f"{h:02d}:00",
                            "length": "8h",
                            "roles": [{"name": "primary", "skills": ["ops"]}, {"name": "backup"}],
                            "crew_skills": ["ops", "db"],
                        }
                        for h in (0, 8, 16)
                    ],
                    "people": [
                        {
                            "id": f"u{k}",
                            "skills": ["ops", "db"] if k % 2 else ["ops"],
                            "country": "GB",
                        }
                        for k in range(6)
                    ],
                }
            )
        )
    raise KeyError(name)


SCHEDULES = ("quarterly", "follow_the_sun", "sixty", "one", "day")


def scenario_two_patterns() -> Scenario:
    """Two weeks of a weekly Berlin primary/secondary pattern and a daily Singapore triage
    pattern; people live in Berlin, New York (nora) and Singapore (sia, sun), with their own
    countries' holidays (Good Friday 26 Mar 2027 in DE, US-NY has none that week)."""
    berlin = [{"id": f"b{k}", "name": f"Berta {k}", "skills": ["infra"], "country": "DE", "subdivision": "BE"}
              for k in range(3)]
    return Scenario.model_validate(
        {
            "team": "two-patterns",
            "timezone": "Europe/Berlin",
            "start": "2027-03-22",
            "end": "2027-04-04",
            "shifts": [
                {"name": "week", "repeat": "weekly", "starts": "mon 10:00", "length": "7d",
                 "roles": [{"name": "primary", "skills": ["infra"]}, {"name": "secondary"}]},
                {"name": "business-hours", "repeat": "daily", "starts": "09:00", "length": "8h",
                 "days": ["mon", "tue", "wed", "thu", "fri"], "timezone": "Asia/Singapore",
                 "roles": [{"name": "triage", "skills": ["apac"]}]},
            ],
            "people": [
                *berlin,
                {"id": "nora", "name": "Nora Quinn", "skills": ["infra"], "timezone": "America/New_York",
                 "country": "US", "subdivision": "NY"},
                {"id": "sia", "name": "Sia Tan", "skills": ["apac"], "timezone": "Asia/Singapore", "country": "SG"},
                {"id": "sun", "name": "Sun Lee", "skills": ["apac"], "timezone": "Asia/Singapore", "country": "SG"},
            ],
            "extra_holidays": [{"date": "2027-03-31", "name": "Team day"}],
        }
    )


# --------------------------------------------------------------------------- headless Chromium


@dataclass
class PageVisit:
    """What loading one page in headless Chromium showed (DevTools protocol events)."""

    screenshot: bytes
    width: int
    height: int
    images_loaded: int
    title: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    text: str = ""  # document.body.innerText: what a reader sees (closed <details> left out)
    elements: dict[str, int] = field(default_factory=dict)  # CSS selector -> elements on the page

    @property
    def external_requests(self) -> list[str]:
        """Requests that would leave the machine (anything but file:, data:, about:)."""
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def visit_page(
    url: str, timeout: float = 60.0, width: int = 1280, height: int = 900, selectors: tuple[str, ...] = ()
) -> PageVisit:
    """Open ``url`` in headless Chromium over the DevTools protocol (``--remote-debugging-pipe``:
    JSON messages separated by NUL on file descriptors 3 and 4, no dependencies), wait for
    the load event, and return a full-page screenshot with every request and console error.

    Name resolution is mapped to nothing, so a page that tries to reach the network fails
    to (and the attempt is still recorded as a request)."""
    exe = chromium_path()
    assert exe, "chromium is not installed"
    profile = tempfile.mkdtemp(prefix="rota-chromium-")
    to_r, to_w = os.pipe()  # we write, Chromium reads on fd 3
    from_r, from_w = os.pipe()  # Chromium writes on fd 4, we read

    def child() -> None:
        a, b = os.dup(to_r), os.dup(from_w)
        os.dup2(a, 3)
        os.dup2(b, 4)

    args = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--remote-debugging-pipe",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--window-size={width},{height}",
        "about:blank",
    ]
    proc = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(3, 4),
        preexec_fn=child,
    )
    os.close(to_r)
    os.close(from_w)
    deadline = time.monotonic() + timeout
    buf = b""
    events: list[dict] = []
    counter = [0]

    def pump(match):
        nonlocal buf
        while True:
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "method" in msg:
                    events.append(msg)
                if match(msg):
                    return msg
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"chromium did not finish loading {url} in {timeout:g}s")
            ready, _, _ = select.select([from_r], [], [], left)
            if ready:
                chunk = os.read(from_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium exited early")
                buf += chunk

    def call(method: str, params: dict | None = None, session: str | None = None) -> dict:
        counter[0] += 1
        msg_id = counter[0]
        msg: dict = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(to_w, json.dumps(msg).encode() + b"\0")
        reply = pump(lambda m: m.get("id") == msg_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    try:
        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        sess = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            call(f"{domain}.enable", session=sess)
        call("Page.navigate", {"url": url}, session=sess)
        pump(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == sess)
        probe = call(
            "Runtime.evaluate",
            {
                "returnByValue": True,
                "expression": "[document.title, Array.from(document.images)"
                ".filter(i => i.complete && i.naturalWidth > 0).length]",
            },
            session=sess,
        )["result"]["value"]
        seen = call(
            "Runtime.evaluate",
            {
                "returnByValue": True,
                "expression": "[document.body ? document.body.innerText : '', "
                + json.dumps(list(selectors))
                + ".map(s => document.querySelectorAll(s).length)]",
            },
            session=sess,
        )["result"]["value"]
        size = call("Page.getLayoutMetrics", session=sess)["cssContentSize"]
        shot = call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": size["height"],
                    "scale": 1,
                },
            },
            session=sess,
        )
        try:
            call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
    finally:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(to_w)
        os.close(from_r)
        shutil.rmtree(profile, ignore_errors=True)
    visit = PageVisit(
        base64.b64decode(shot["data"]),
        int(size["width"]),
        int(size["height"]),
        int(probe[1]),
        str(probe[0]),
        text=str(seen[0]),
        elements=dict(zip(selectors, (int(n) for n in seen[1]), strict=True)),
    )
    for ev in events:
        p = ev.get("params", {})
        method = ev["method"]
        if method == "Network.requestWillBeSent":
            visit.requests.append(p["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and p.get("type") in (
            "error",
            "assert",
            "warning",
        ):
            visit.console_errors.append(
                " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
            )
        elif method == "Runtime.exceptionThrown":
            visit.console_errors.append(p["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            visit.console_errors.append(p["entry"]["text"])
    return visit


#: Skip a browser test only where chromium is missing outside CI; CI installs it.
needs_chromium = pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("CI"),
    reason="chromium not installed (CI installs it and runs this test)",
)
