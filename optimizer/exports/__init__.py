"""Exports: the schedule where people live.

* CSV for HR and payroll (:mod:`.csv`): ``csv`` (long, one row per person and shift:
  the assignments contract), ``csv-wide`` (one row per shift instance, a column per
  role slot), ``csv-summary`` (one row per person: hours by kind, weekends, holidays,
  load). Every cell goes through the formula-injection guard.
* ``xlsx`` (:mod:`.xlsx`): the same as a workbook with typed cells (real date-times,
  numbers, names as typed strings), for spreadsheets.
* iCalendar (:mod:`.ical`, VTIMEZONEs by :mod:`.vtimezone`): a team calendar and one
  per person, stable UIDs.
* Paging tools (:mod:`.pagerduty`, :mod:`.opsgenie`, shared parts in :mod:`.paging`):
  override bodies, and the escalation chain as escalation-policy bodies.
"""

from __future__ import annotations

from .common import event_uid, json_text, select
from .csv import CSV_FORMATS, SUMMARY_COLUMNS, csv_frame, long_frame, summary_frame, wide_frame, write_csv
from .ical import person_calendar, person_calendar_names, runbooks_for, team_calendar, write_ics
from .opsgenie import opsgenie_bodies, opsgenie_escalation_bodies
from .pagerduty import pagerduty_body, pagerduty_escalation_bodies
from .paging import PERSON_COLUMNS, USER_COLUMNS, ChainStep, UserMapping, read_mapping
from .vtimezone import vtimezone
from .xlsx import workbook_bytes, write_xlsx

FORMATS = (
    "csv", "csv-wide", "csv-summary", "xlsx", "ics", "pagerduty", "opsgenie",
    "pagerduty-escalation", "opsgenie-escalation",
)  # fmt: skip
ESCALATION_FORMATS = ("pagerduty-escalation", "opsgenie-escalation")

__all__ = [
    "CSV_FORMATS",
    "ESCALATION_FORMATS",
    "FORMATS",
    "PERSON_COLUMNS",
    "SUMMARY_COLUMNS",
    "USER_COLUMNS",
    "ChainStep",
    "UserMapping",
    "csv_frame",
    "event_uid",
    "json_text",
    "long_frame",
    "opsgenie_bodies",
    "opsgenie_escalation_bodies",
    "pagerduty_body",
    "pagerduty_escalation_bodies",
    "person_calendar",
    "person_calendar_names",
    "read_mapping",
    "runbooks_for",
    "select",
    "summary_frame",
    "team_calendar",
    "vtimezone",
    "wide_frame",
    "workbook_bytes",
    "write_csv",
    "write_ics",
    "write_xlsx",
]
