from datetime import UTC, date, datetime

from frontdoor.models import Coordinator, Leave
from frontdoor.rota import Hours, describe_days, describe_when, is_working_now, reply_by

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
