#!/usr/bin/env python3
"""Reads Stint's iCalendar files with the PyPI `icalendar` package (a reader we did not write)
and checks them against the expectations in a JSON manifest written by python_icalendar.rs.

Usage: check_ics.py MANIFEST.json

The manifest is a list of files, each:
  {"path", "method" (or null for a feed), "calname" (or null), "tzids": [...],
   "events": [{"uid", "summary", "description", "location", "sequence", "status",
               "tzid_start", "tzid_end" (null: written in UTC), "start", "end" (RFC 3339),
               "organizer_cn", "attendee_cn"}]}

Each DTSTART/DTEND is converted to UTC twice: as icalendar resolves it (its TZID through the
system tz database, independent of jiff's), and through a tzinfo built from the file's own
VTIMEZONE, so a wrong VTIMEZONE fails even where the TZID alone would have been enough.
Exits non-zero with a message on the first mismatch.
"""

import json
import re
import sys
from datetime import datetime, timezone

import icalendar


def expect(what, got, want):
    if got != want:
        raise SystemExit(f"check_ics: {what}: got {got!r}, want {want!r}")


def unescape_text(value):
    """RFC 5545 TEXT unescaping, for the properties icalendar leaves raw."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def text(component, name):
    value = component.get(name)
    return None if value is None else str(value)


def check_time(cal, event, name, want_tzid, want, where):
    prop = event[name]
    expect(f"{where} {name} TZID", prop.params.get("TZID"), want_tzid)
    value = prop.dt
    if value.tzinfo is None:
        raise SystemExit(f"check_ics: {where} {name} is floating: {value!r}")
    expect(f"{where} {name} in UTC", value.astimezone(timezone.utc), want)
    if want_tzid is None:
        return
    # The same wall time read through the file's own VTIMEZONE, not the system's tz database.
    vtimezones = [tz for tz in cal.walk("VTIMEZONE") if str(tz["TZID"]) == want_tzid]
    expect(f"{where} VTIMEZONEs for {want_tzid}", len(vtimezones), 1)
    own = vtimezones[0].to_tz(lookup_tzid=False)
    local = value.replace(tzinfo=None).replace(tzinfo=own)
    expect(f"{where} {name} via VTIMEZONE {want_tzid}", local.astimezone(timezone.utc), want)


def check_file(case):
    path = case["path"]
    with open(path, "rb") as f:
        data = f.read()
    cal = icalendar.Calendar.from_ical(data)
    # icalendar records lines it could not parse instead of raising: there must be none.
    for component in cal.walk():
        expect(f"{path}: parse errors in {component.name}", list(component.errors), [])
    expect(f"{path}: top component", cal.name, "VCALENDAR")
    expect(f"{path}: VERSION", text(cal, "VERSION"), "2.0")
    expect(f"{path}: PRODID", text(cal, "PRODID"), "-//Stint//Stint//EN")
    expect(f"{path}: METHOD", text(cal, "METHOD"), case["method"])
    # icalendar (7.x) keeps X-WR-CALNAME and NAME as raw, still-escaped vUnknown values, though
    # both are TEXT (RFC 7986; X-WR-CALNAME by convention), so decode them as TEXT here.
    for name in ("X-WR-CALNAME", "NAME"):
        raw = cal.get(name)
        calname = None if raw is None else unescape_text(str(raw))
        expect(f"{path}: {name}", calname, case["calname"])
    expect(
        f"{path}: VTIMEZONE TZIDs",
        sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")),
        sorted(case["tzids"]),
    )

    events = cal.walk("VEVENT")
    expect(f"{path}: VEVENT count", len(events), len(case["events"]))
    for event, want in zip(events, case["events"]):
        where = f"{path} {want['uid']}"
        expect(f"{where} UID", text(event, "UID"), want["uid"])
        expect(f"{where} SUMMARY", text(event, "SUMMARY"), want["summary"])
        expect(f"{where} DESCRIPTION", text(event, "DESCRIPTION"), want["description"])
        expect(f"{where} LOCATION", text(event, "LOCATION"), want["location"])
        expect(f"{where} SEQUENCE", event.decoded("SEQUENCE"), want["sequence"])
        expect(f"{where} STATUS", text(event, "STATUS"), want["status"])
        expect(f"{where} ORGANIZER CN", event["ORGANIZER"].params.get("CN"), want["organizer_cn"])
        expect(f"{where} ATTENDEE CN", event["ATTENDEE"].params.get("CN"), want["attendee_cn"])
        check_time(cal, event, "DTSTART", want["tzid_start"], instant(want["start"]), where)
        check_time(cal, event, "DTEND", want["tzid_end"], instant(want["end"]), where)
    return len(events)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    if not cases:
        raise SystemExit("check_ics: empty manifest")
    events = sum(check_file(case) for case in cases)
    print(f"check_ics: {len(cases)} files, {events} events ok (icalendar {icalendar.__version__})")


if __name__ == "__main__":
    main()
