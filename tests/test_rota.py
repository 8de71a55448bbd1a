from datetime import UTC, date, datetime, time

import pytest

from frontdoor.i18n import in_language
from frontdoor.models import Coordinator, Leave
from frontdoor.rota import (
    Hours,
    back_on,
    describe_date,
    describe_days,
    describe_time,
    describe_when,
    is_council_open,
    is_working_now,
    next_on_duty,
    reply_by,
)

HOURS = Hours()


def coordinator(days: str = "Mon,Tue,Wed,Thu") -> Coordinator:
    return Coordinator(key="sam", name="Sam Patel", working_days=days, leave=[])


def test_reply_by_skips_weekends_bank_holidays_and_days_off():
    # Christmas Eve 2026 is a Thursday evening; Friday is Christmas, Monday 28th is the
    # Boxing Day substitute bank holiday: a Monday-to-Thursday coordinator answers Tuesday.
    now = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
    when = reply_by(coordinator(), now, HOURS)
    assert when.date() == date(2026, 12, 29)
    assert describe_when(when, now, HOURS) == "5pm on Tuesday"


def test_leave_counts_as_not_working():
    sam = coordinator()
    sam.leave.append(Leave(starts=date(2026, 11, 23), ends=date(2026, 11, 26)))
    assert not is_working_now(sam, datetime(2026, 11, 24, 10, 0, tzinfo=UTC), HOURS)
    assert reply_by(sam, datetime(2026, 11, 24, 10, 0, tzinfo=UTC), HOURS).date() == \
        date(2026, 11, 30)


def test_working_days_read_naturally():
    assert describe_days(coordinator()) == "Monday to Thursday"
    assert describe_days(coordinator("Mon,Wed,Fri")) == "Monday, Wednesday and Friday"


# -- each rule of the rota, one case a row (the unit tier) -------------------------------------
# November is on UTC in London, July on BST (UTC+1). Tuesday 24 November 2026 is a Tuesday;
# Christmas Day 2026 is a Friday and Monday 28 December its Boxing Day substitute.

def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def grace() -> Coordinator:
    """Grace Adeyemi as config/demo has her: Wednesday to Friday, 10am to 3pm."""
    return Coordinator(key="grace", name="Grace Adeyemi", working_days="Wed,Thu,Fri",
                       starts_work=time(10), ends_work=time(15), leave=[])


@pytest.mark.parametrize("now, hours, open_", [
    (at(11, 24, 10), HOURS, True),
    (at(11, 24, 9), HOURS, True),                 # the start is included
    (at(11, 24, 8, 59), HOURS, False),
    (at(11, 24, 17), HOURS, False),               # the end is not
    (at(11, 28, 11), HOURS, False),               # Saturday
    (at(12, 25, 11), HOURS, False),               # Christmas Day
    (at(12, 28, 11), HOURS, False),               # a substitute bank holiday
    (at(7, 7, 8, 30), HOURS, True),               # 9:30am in London (BST)
    (at(7, 7, 16, 30), HOURS, False),             # 5:30pm in London
    (at(11, 30, 10), HOURS, True),                # Monday 30 November in England ...
    (at(11, 30, 10), Hours(subdivision="SCT"), False),   # ... St Andrew's Day in Scotland
    (at(11, 24, 8, 30), Hours(start=8), True),    # the council's own hours
])
def test_the_council_is_open_on_weekdays_in_its_hours_but_not_on_bank_holidays(
        now, hours, open_):
    assert is_council_open(now, hours) is open_


@pytest.mark.parametrize("person, now, working", [
    (coordinator(), at(11, 24, 10), True),
    (coordinator(), at(11, 27, 10), False),       # Friday is not one of Sam's days
    (coordinator(), at(11, 24, 17), False),
    (grace(), at(11, 25, 10, 30), True),          # her own start, not the council's
    (grace(), at(11, 25, 9, 30), False),
    (grace(), at(11, 25, 15), False),             # her own end
])
def test_a_coordinator_works_on_their_own_days_and_in_their_own_hours(person, now, working):
    assert is_working_now(person, now, HOURS) is working


@pytest.mark.parametrize("person, now, back", [
    (coordinator(), at(11, 24, 10), at(11, 24, 10)),       # at work: now
    (coordinator(), at(11, 24, 7), at(11, 24, 9)),         # before the day starts: today
    (coordinator(), at(11, 24, 21), at(11, 25, 9)),        # after it: tomorrow
    (coordinator(), at(11, 26, 21), at(11, 30, 9)),        # Thursday night: Monday
    (coordinator(), at(12, 24, 18), at(12, 29, 9)),        # past Christmas and its substitute
    (grace(), at(11, 24, 10), at(11, 25, 10)),             # her own day, at her own start
    (coordinator(""), at(11, 24, 21), at(11, 25, 9)),      # no days at all: tomorrow
])
def test_next_on_duty_is_now_or_the_start_of_the_next_working_day(person, now, back):
    assert next_on_duty(person, now, HOURS) == back


def test_next_on_duty_skips_leave():
    sam = coordinator()
    sam.leave.append(Leave(starts=date(2026, 11, 23), ends=date(2026, 11, 26)))
    assert next_on_duty(sam, at(11, 24, 10), HOURS) == at(11, 30, 9)


def short_day() -> Coordinator:
    return Coordinator(key="ali", name="Ali", working_days="Mon,Tue,Wed,Thu,Fri",
                       starts_work=time(10), ends_work=time(11), leave=[])


@pytest.mark.parametrize("person, now, due", [
    (coordinator(), at(11, 24, 10), at(11, 24, 17)),
    (coordinator(), at(11, 24, 7), at(11, 24, 17)),        # before the day starts
    (coordinator(), at(11, 24, 14, 59), at(11, 24, 17)),   # two working hours left
    (coordinator(), at(11, 24, 15), at(11, 25, 17)),       # fewer: the next working day
    (coordinator(), at(11, 26, 16), at(11, 30, 17)),       # Thursday afternoon: Monday
    (coordinator(), at(11, 28, 11), at(11, 30, 17)),       # Saturday: Monday
    (coordinator(), at(7, 7, 13, 30), at(7, 7, 16)),       # 2:30pm BST: 5pm BST today
    (grace(), at(11, 25, 12, 59), at(11, 25, 15)),         # her own end of day
    (grace(), at(11, 25, 13), at(11, 26, 15)),
    (short_day(), at(11, 24, 9, 30), at(11, 24, 11)),      # a day under two hours: before it
    (short_day(), at(11, 24, 10, 30), at(11, 25, 11)),     # ... and not once it has begun
    (coordinator(""), at(11, 24, 10), at(11, 25, 17)),     # no days at all: tomorrow
])
def test_the_reply_time_is_the_end_of_the_day_the_coordinator_will_answer(person, now, due):
    assert reply_by(person, now, HOURS) == due


@pytest.mark.parametrize("moment, words", [
    (at(11, 24, 17), "5pm"),
    (at(11, 24, 9, 30), "9:30am"),
    (at(11, 24, 12), "12pm"),
    (at(11, 24, 0, 5), "12:05am"),
    (at(7, 7, 16), "5pm"),                        # 4pm UTC is 5pm in London in summer
])
def test_a_time_is_said_the_way_people_say_it(moment, words):
    assert describe_time(moment, HOURS) == words


@pytest.mark.parametrize("moment, now, words", [
    (at(11, 24, 17), at(11, 24, 10), "5pm today"),
    (at(11, 25, 17), at(11, 24, 10), "5pm tomorrow"),
    (at(11, 30, 9), at(11, 26, 21), "9am on Monday"),
    (at(12, 1, 17), at(11, 24, 10), "5pm on Tuesday 1 December"),   # a week or more away
    # 00:30 on 8 July in London is still 7 July in UTC: the day is London's.
    (at(7, 8, 16), at(7, 7, 23, 30), "5pm today"),
])
def test_when_is_said_as_today_tomorrow_a_day_or_a_date(words_app, moment, now, words):
    with in_language("en"):   # as the engine builds every reply
        assert describe_when(moment, now, HOURS) == words


@pytest.mark.parametrize("days, words", [
    ("Mon,Tue,Wed,Thu,Fri,Sat,Sun", "Monday to Sunday"),
    ("Thu,Mon,Wed,Tue", "Monday to Thursday"),    # in the week's order, however stored
    ("Mon,Tue", "Monday and Tuesday"),            # two days are not a range
    ("Mon,Tue,Thu", "Monday, Tuesday and Thursday"),
    ("Wed", "Wednesday"),
    ("", "some days"),
])
def test_each_shape_of_working_week_reads_naturally(words_app, days, words):
    with in_language("en"):
        assert describe_days(coordinator(days)) == words


def test_a_date_is_said_with_its_day_and_month(words_app):
    with in_language("en"):
        assert describe_date(date(2027, 1, 11)) == "Monday 11 January"


@pytest.mark.parametrize("days, away_until, back", [
    ("Mon,Tue,Wed,Thu,Fri", date(2027, 1, 8), date(2027, 1, 11)),   # a Friday: Monday
    ("Mon,Tue,Wed,Thu", date(2026, 11, 25), date(2026, 11, 26)),    # the next day
    ("Mon,Tue,Wed,Thu", date(2026, 12, 24), date(2026, 12, 29)),    # past the bank holidays
    ("", date(2026, 11, 25), date(2026, 11, 26)),                   # no days: the day after
])
def test_back_on_is_the_first_working_day_after_leave(days, away_until, back):
    assert back_on(coordinator(days), away_until, HOURS) == back


# Welsh softens a day's name after "on" and "to" (dydd Llun, ddydd Llun): the "after on or to"
# forms are used there and only there.
@pytest.mark.parametrize("said, welsh", [
    (lambda: describe_when(at(11, 30, 9), at(11, 26, 21), HOURS), "9am ddydd Llun"),
    (lambda: describe_days(coordinator()), "dydd Llun i ddydd Iau"),
    (lambda: describe_days(coordinator("Mon,Wed,Fri")), "dydd Llun, dydd Mercher a dydd Gwener"),
    (lambda: describe_date(date(2027, 1, 11)), "dydd Llun 11 Ionawr"),
])
def test_in_welsh_a_day_after_on_or_to_is_softened_and_nowhere_else(words_app, said, welsh):
    with in_language("cy"):
        assert said() == welsh
