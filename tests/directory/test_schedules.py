"""Opening times from ORUK schedules, and the bank-holiday note."""

from __future__ import annotations

from datetime import date

import pytest

from frontdoor.directory.schedules import (
    ScheduleError,
    bank_holiday_note,
    describe_schedule,
    describe_schedules,
    parse_schedule,
)
from frontdoor.rota import Hours


def schedule(**fields):
    return parse_schedule({"freq": "WEEKLY", **fields})


@pytest.mark.parametrize("fields,words", [
    ({"byday": "TU,TH", "opens_at": "10:00:00", "closes_at": "13:00:00"}, "Tue and Thu 10am-1pm"),
    ({"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}, "Mon-Fri 9am-5pm"),
    ({"byday": "MO,WE,FR", "opens_at": "09:30", "closes_at": "11:00"},
     "Mon, Wed and Fri 9:30am-11am"),
    ({"freq": "MONTHLY", "byday": "1MO", "opens_at": "10:00", "closes_at": "12:00"},
     "1st Mon 10am-12pm"),
    ({"freq": "MONTHLY", "byday": "-1FR", "opens_at": "10:00", "closes_at": "12:00"},
     "Last Fri 10am-12pm"),
    ({"byday": "TU", "interval": "2", "opens_at": "18:00", "closes_at": "20:00"},
     "Every other Tue 6pm-8pm"),
    ({"freq": "DAILY", "opens_at": "00:00", "closes_at": "23:59"}, "Any time"),
    ({"freq": "", "description": "By arrangement"}, "By arrangement"),
    ({"byday": "TU", "opens_at": "16:00", "closes_at": "18:00", "description": "Term time only"},
     "Term time Tue 4pm-6pm"),
])
def test_rfc_5545_parts_read_as_a_text_would_say_them(fields, words):
    assert describe_schedule(schedule(**fields)) == words


@pytest.mark.parametrize("fields,problem", [
    ({"byday": "Tuesdays"}, "byday: 'TUESDAYS' is not an RFC 5545 day"),
    ({"byday": "TU", "opens_at": "10am"}, "opens_at: '10am' is not a time"),
    ({"freq": "FORTNIGHTLY"}, "freq: 'FORTNIGHTLY' is not one of"),
    ({"bymonthday": "40"}, "bymonthday: '40' is not a day of the month"),
    ({"valid_to": "next year"}, "valid_to: 'next year' is not a date"),
])
def test_a_bad_schedule_field_is_named(fields, problem):
    with pytest.raises(ScheduleError, match=problem):
        schedule(**fields)


def test_a_schedule_no_longer_valid_is_left_out_of_todays_opening_times():
    old = schedule(byday="MO", opens_at="10:00", closes_at="12:00", valid_to="2025-03-31")
    current = schedule(byday="WE", opens_at="14:00", closes_at="16:00")
    assert describe_schedules([old, current], today=date(2026, 11, 24)) == "Wed 2pm-4pm"
    assert describe_schedules([old, current]) == "Mon 10am-12pm; Wed 2pm-4pm"


def test_a_bank_holiday_on_an_opening_day_this_week_is_mentioned():
    fridays = [schedule(byday="FR", opens_at="10:00", closes_at="12:00")]
    # Christmas Day 2026 is a Friday; a Monday group is not affected that week.
    monday_week = date(2026, 12, 21)
    assert bank_holiday_note(fridays, monday_week, Hours()) == \
        "may be shut Fri 25 Dec, bank holiday"
    mondays = [schedule(byday="MO", opens_at="10:00", closes_at="12:00")]
    assert bank_holiday_note(mondays, date(2026, 12, 22), Hours()) == \
        "may be shut Mon 28 Dec, bank holiday"   # Boxing Day, observed
    assert bank_holiday_note(mondays, date(2026, 11, 24), Hours()) == ""


def test_a_schedule_that_says_it_closes_on_bank_holidays_is_taken_at_its_word():
    closed = [schedule(byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00",
                       description="Not open on bank holidays")]
    assert bank_holiday_note(closed, date(2026, 8, 28), Hours()) == \
        "closed Mon 31 Aug, bank holiday"
    open_anyway = [schedule(freq="DAILY", opens_at="18:00", closes_at="23:00",
                            notes="Open on bank holidays too")]
    assert bank_holiday_note(open_anyway, date(2026, 8, 28), Hours()) == ""


def test_the_last_friday_of_a_month_is_found_for_the_note():
    last_friday = [schedule(freq="MONTHLY", byday="-1FR", opens_at="10:00", closes_at="12:00")]
    # Good Friday 2027 is 26 March, the last Friday of March.
    assert bank_holiday_note(last_friday, date(2027, 3, 22), Hours()) == \
        "may be shut Fri 26 Mar, bank holiday"
    first_friday = [schedule(freq="MONTHLY", byday="1FR", opens_at="10:00", closes_at="12:00")]
    assert bank_holiday_note(first_friday, date(2027, 3, 22), Hours()) == ""
