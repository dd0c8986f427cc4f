"""The study day: which day a moment belongs to for the schedule.

A study day ends at ``DAY_STARTS_AT`` (4 AM, Anki's default "next day starts at"), not at
midnight: a session at 23:40 and another at 00:10 are the same day, so the cards graded at
23:40 with an interval of one day are not due again half an hour later, the new cards of the
second session count against the same daily limit, and a night owl's streak does not skip a
day. Review times are stored as they are; only the day they count for moves."""

from __future__ import annotations

from datetime import date, datetime, timedelta

DAY_STARTS_AT = timedelta(hours=4)
# No time zone is further from UTC than 14 hours (Kiribati, +14:00), and SQLite's date functions,
# which the store and doctor use, refuse an offset of 15 hours or more.
MAX_UTC_OFFSET = timedelta(hours=14, minutes=59)


def study_day(moment: datetime) -> date:
    """The study day of ``moment`` (in its own time zone): its date, less a day before 4 AM."""
    return (moment - DAY_STARTS_AT).date()
