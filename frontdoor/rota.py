"""Who answers for a ward today, and when they will reply: working days, leave, cover,
working hours and UK bank holidays (from the `holidays` package)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask_babel import gettext as _
from flask_babel import lazy_gettext, lazy_pgettext

from frontdoor.models import Coordinator

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FULL_DAY = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday",
            "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}


@dataclass(frozen=True)
class Hours:
    timezone: str = "Europe/London"
    start: int = 9
    end: int = 17
    subdivision: str = "ENG"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=8)
def _bank_holidays(subdivision: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=subdivision, years=[year, year + 1])


def is_bank_holiday(day: date, hours: Hours) -> bool:
    return day in _bank_holidays(hours.subdivision, day.year)


def works_on(coordinator: Coordinator, day: date, hours: Hours) -> bool:
    return (DAY_NAMES[day.weekday()] in coordinator.day_names
            and not is_bank_holiday(day, hours)
            and coordinator.leave_on(day) is None)


def working_hours(coordinator: Coordinator, hours: Hours) -> tuple[time, time]:
    """The coordinator's own start and end of day, or the council's."""
    return (coordinator.starts_work or time(hours.start), coordinator.ends_work or time(hours.end))


def is_council_open(now: datetime, hours: Hours) -> bool:
    """The council's own office hours: weekdays, not bank holidays, start to end."""
    local = now.astimezone(hours.zone)
    return (local.weekday() < 5 and not is_bank_holiday(local.date(), hours)
            and time(hours.start) <= local.time() < time(hours.end))


def is_working_now(coordinator: Coordinator, now: datetime, hours: Hours) -> bool:
    local = now.astimezone(hours.zone)
    start, end = working_hours(coordinator, hours)
    return works_on(coordinator, local.date(), hours) and start <= local.time() < end


def next_on_duty(coordinator: Coordinator, now: datetime, hours: Hours) -> datetime:
    """`now` if they are working; otherwise the start of their next working day."""
    if is_working_now(coordinator, now, hours):
        return now
    local = now.astimezone(hours.zone)
    start, _ = working_hours(coordinator, hours)
    if works_on(coordinator, local.date(), hours) and local.time() < start:
        return datetime.combine(local.date(), start, hours.zone)
    for offset in range(1, 120):
        day = local.date() + timedelta(days=offset)
        if works_on(coordinator, day, hours):
            return datetime.combine(day, start, hours.zone)
    return datetime.combine(local.date() + timedelta(days=1), start, hours.zone)


def reply_by(coordinator: Coordinator, now: datetime, hours: Hours) -> datetime:
    """The end of the working day on which the coordinator will answer."""
    local = now.astimezone(hours.zone)
    day = local.date()
    start, end = working_hours(coordinator, hours)
    # Today counts if they work today and at least two of their working hours are left.
    latest = (datetime.combine(day, end) - timedelta(hours=2)).time()
    if works_on(coordinator, day, hours) and local.time() < max(start, latest):
        return datetime.combine(day, end, hours.zone)
    for offset in range(1, 120):
        candidate = day + timedelta(days=offset)
        if works_on(coordinator, candidate, hours):
            return datetime.combine(candidate, end, hours.zone)
    return datetime.combine(day + timedelta(days=1), end, hours.zone)


# Day and month names for residents, through gettext (frontdoor/i18n.py): Welsh mutates
# a day's name after "on" or "to" (dydd Llun, ddydd Llun), so each has two forms.
_DAY = {"Mon": lazy_gettext("Monday"), "Tue": lazy_gettext("Tuesday"),
        "Wed": lazy_gettext("Wednesday"), "Thu": lazy_gettext("Thursday"),
        "Fri": lazy_gettext("Friday"), "Sat": lazy_gettext("Saturday"),
        "Sun": lazy_gettext("Sunday")}
_ON_DAY = {"Mon": lazy_pgettext("after on or to", "Monday"),
           "Tue": lazy_pgettext("after on or to", "Tuesday"),
           "Wed": lazy_pgettext("after on or to", "Wednesday"),
           "Thu": lazy_pgettext("after on or to", "Thursday"),
           "Fri": lazy_pgettext("after on or to", "Friday"),
           "Sat": lazy_pgettext("after on or to", "Saturday"),
           "Sun": lazy_pgettext("after on or to", "Sunday")}
_MONTH = (lazy_gettext("January"), lazy_gettext("February"), lazy_gettext("March"),
          lazy_gettext("April"), lazy_gettext("May"), lazy_gettext("June"),
          lazy_gettext("July"), lazy_gettext("August"), lazy_gettext("September"),
          lazy_gettext("October"), lazy_gettext("November"), lazy_gettext("December"))


def _day_key(day: date) -> str:
    return DAY_NAMES[day.weekday()]


def describe_time(moment: datetime, hours: Hours) -> str:
    """'5pm' or '9:30am'."""
    local = moment.astimezone(hours.zone)
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{local.hour % 12 or 12}{minutes}{'am' if local.hour < 12 else 'pm'}"


def describe_when(moment: datetime, now: datetime, hours: Hours) -> str:
    """'5pm today', '5pm tomorrow', '5pm on Tuesday' or '5pm on Tuesday 5 January'."""
    local_now = now.astimezone(hours.zone)
    local = moment.astimezone(hours.zone)
    clock = describe_time(moment, hours)
    days = (local.date() - local_now.date()).days
    if days == 0:
        return _("%(time)s today", time=clock)
    if days == 1:
        return _("%(time)s tomorrow", time=clock)
    weekday = str(_ON_DAY[_day_key(local.date())])
    if days < 7:
        return _("%(time)s on %(day)s", time=clock, day=weekday)
    return _("%(time)s on %(day)s %(date)d %(month)s", time=clock, day=weekday,
             date=local.day, month=str(_MONTH[local.month - 1]))


def describe_days(coordinator: Coordinator) -> str:
    """'Monday to Thursday' or 'Monday, Wednesday and Friday'."""
    days = [d for d in DAY_NAMES if d in coordinator.day_names]
    if not days:
        return _("some days")
    indexes = [DAY_NAMES.index(d) for d in days]
    if len(days) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return _("%(first)s to %(last)s", first=str(_DAY[days[0]]), last=str(_ON_DAY[days[-1]]))
    names = [str(_DAY[d]) for d in days]
    if len(names) == 1:
        return names[0]
    return _("%(days)s and %(last)s", days=", ".join(names[:-1]), last=names[-1])


def describe_date(day: date) -> str:
    return _("%(day)s %(date)d %(month)s", day=str(_DAY[_day_key(day)]), date=day.day,
             month=str(_MONTH[day.month - 1]))


def back_on(coordinator: Coordinator, away_until: date, hours: Hours) -> date:
    """The first working day after leave ends."""
    day = away_until + timedelta(days=1)
    for _attempt in range(60):
        if works_on(coordinator, day, hours):
            return day
        day += timedelta(days=1)
    return away_until + timedelta(days=1)
