"""The study day ends at 4 AM, not at midnight (``flashdl.core.days``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from flashdl.core.days import study_day

SHANGHAI = timezone(timedelta(hours=8))


def test_a_night_session_belongs_to_the_day_it_started():
    assert study_day(datetime(2026, 12, 1, 23, 40, tzinfo=SHANGHAI)) == date(2026, 12, 1)
    assert study_day(datetime(2026, 12, 2, 0, 10, tzinfo=SHANGHAI)) == date(2026, 12, 1)
    assert study_day(datetime(2026, 12, 2, 3, 59, 59, tzinfo=SHANGHAI)) == date(2026, 12, 1)
    assert study_day(datetime(2026, 12, 2, 4, 0, tzinfo=SHANGHAI)) == date(2026, 12, 2)


def test_the_day_is_read_in_the_moments_own_time_zone():
    moment = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # 06:00 on 12-02 in Shanghai
    assert study_day(moment) == date(2026, 12, 1)
    assert study_day(moment.astimezone(SHANGHAI)) == date(2026, 12, 2)


MOMENTS = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(SHANGHAI)
)


@given(MOMENTS, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
def test_study_days_never_go_back_and_last_a_day(moment, later):
    assert study_day(moment) <= study_day(moment + later)
    assert study_day(moment + timedelta(days=1)) == study_day(moment) + timedelta(days=1)
    start = datetime.combine(study_day(moment), datetime.min.time(), SHANGHAI) + timedelta(hours=4)
    assert start <= moment < start + timedelta(days=1)
