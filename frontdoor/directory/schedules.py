"""Opening times from ORUK schedules (RFC 5545 recurrence parts), in the words a text uses:
"Tue and Thu 10am-1pm", "1st Mon 10am-12pm", and a note when a bank holiday falls on an
opening day in the coming week."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from frontdoor.rota import Hours, is_bank_holiday

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SHORT = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat",
         "SU": "Sun"}
ORDINAL = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "Last", -2: "2nd last"}
FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
# Short free-text descriptions worth showing when a schedule has no recurrence parts.
SHORT_DESCRIPTION = 40


class ScheduleError(ValueError):
    """A schedule field that cannot be read; the message starts with the field's name."""


def _field(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _clock(raw: Mapping[str, Any], key: str) -> str | None:
    text = _field(raw, key)
    if not text:
        return None
    match = _TIME.match(text)
    if not match or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        raise ScheduleError(f"{key}: '{text}' is not a time (HH:MM)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _day(raw: Mapping[str, Any], key: str) -> str | None:
    text = _field(raw, key)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise ScheduleError(f"{key}: '{text}' is not a date (YYYY-MM-DD)") from None


def parse_schedule(raw: Mapping[str, Any]) -> dict[str, Any]:
    """One ORUK schedule, checked and reduced to what opening times need."""
    freq = _field(raw, "freq").upper()
    if freq and freq not in FREQS:
        raise ScheduleError(f"freq: '{freq}' is not one of {', '.join(sorted(FREQS))}")
    interval_text = _field(raw, "interval") or "1"
    try:
        interval = int(float(interval_text))
    except ValueError:
        raise ScheduleError(f"interval: '{interval_text}' is not a whole number") from None
    byday = []
    for part in filter(None, (p.strip().upper() for p in _field(raw, "byday").split(","))):
        match = _BYDAY.match(part)
        if not match:
            raise ScheduleError(f"byday: '{part}' is not an RFC 5545 day (MO, 1MO, -1FR ...)")
        byday.append(part)
    bymonthday = []
    for part in filter(None, (p.strip() for p in _field(raw, "bymonthday").split(","))):
        if not re.match(r"^-?\d{1,2}$", part) or not 1 <= abs(int(part)) <= 31:
            raise ScheduleError(f"bymonthday: '{part}' is not a day of the month")
        bymonthday.append(int(part))
    return {
        "freq": freq or ("WEEKLY" if byday else ""), "interval": max(interval, 1),
        "byday": byday, "bymonthday": bymonthday,
        "opens": _clock(raw, "opens_at"), "closes": _clock(raw, "closes_at"),
        "dtstart": _day(raw, "dtstart"), "valid_from": _day(raw, "valid_from"),
        "valid_to": _day(raw, "valid_to"),
        "description": " ".join(_field(raw, "description").split())[:300],
        "notes": " ".join(_field(raw, "notes").split())[:300],
    }


def _time_words(clock: str) -> str:
    hour, minute = (int(p) for p in clock.split(":"))
    suffix = "am" if hour < 12 or hour == 24 else "pm"
    shown = hour % 12 or 12
    return f"{shown}{suffix}" if minute == 0 else f"{shown}:{minute:02d}{suffix}"


def _times(schedule: Mapping[str, Any]) -> str:
    opens, closes = schedule.get("opens"), schedule.get("closes")
    if opens and closes:
        if opens == "00:00" and closes in {"23:59", "24:00", "00:00"}:
            return "any time"
        return f"{_time_words(opens)}-{_time_words(closes)}"
    if opens:
        return f"from {_time_words(opens)}"
    return ""


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _weekdays(days: Sequence[str]) -> str:
    ordered = sorted(set(days), key=DAYS.index)
    if len(ordered) == 7:
        return "Daily"
    indexes = [DAYS.index(d) for d in ordered]
    if len(ordered) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{SHORT[ordered[0]]}-{SHORT[ordered[-1]]}"
    return _join([SHORT[d] for d in ordered])


def describe_schedule(schedule: Mapping[str, Any]) -> str:
    """'Tue and Thu 10am-1pm', 'Last Fri 10am-12pm', 'Every other Mon 2pm-4pm' or ''."""
    freq, byday = schedule.get("freq", ""), list(schedule.get("byday", []))
    plain = [d for d in byday if _BYDAY.match(d) and not _BYDAY.match(d).group(1)]  # type: ignore[union-attr]
    nth = [d for d in byday if d not in plain]
    if freq == "DAILY":
        days = "Daily"
    elif nth:
        by_weekday: dict[str, list[str]] = {}
        for part in nth:
            match = _BYDAY.match(part)
            assert match is not None
            by_weekday.setdefault(match.group(2), []).append(
                ORDINAL.get(int(match.group(1)), f"{match.group(1)}th"))
        days = _join([f"{_join(ords)} {SHORT[d]}" for d, ords in by_weekday.items()])
        if plain:
            days = f"{_weekdays(plain)}, {days}"
    elif plain:
        days = _weekdays(plain)
        if schedule.get("interval", 1) == 2:
            days = f"Every other {days}"
    elif schedule.get("bymonthday"):
        monthdays = [f"{d}{'st' if d % 10 == 1 and d != 11 else 'nd' if d % 10 == 2 and d != 12 else 'rd' if d % 10 == 3 and d != 13 else 'th'}"  # noqa: E501
                     for d in schedule["bymonthday"] if d > 0]
        days = f"The {_join(monthdays)} of the month" if monthdays else ""
    else:
        days = ""
    times = _times(schedule)
    description = schedule.get("description", "")
    if not days and not times:
        return description if len(description) <= SHORT_DESCRIPTION else ""
    text = "Any time" if days == "Daily" and times == "any time" else \
        " ".join(p for p in (days, times) if p)
    if "term time" in description.lower():
        text = f"Term time {text}"
    return text


def is_current(schedule: Mapping[str, Any], today: date) -> bool:
    valid_from, valid_to = schedule.get("valid_from"), schedule.get("valid_to")
    return not ((valid_from and date.fromisoformat(valid_from) > today)
                or (valid_to and date.fromisoformat(valid_to) < today))


def describe_schedules(schedules: Sequence[Mapping[str, Any]], today: date | None = None) -> str:
    """All of an entry's opening times in a few words; only current ones when `today` is given."""
    parts = []
    for schedule in schedules:
        if today is not None and not is_current(schedule, today):
            continue
        text = describe_schedule(schedule)
        if text and text not in parts:
            parts.append(text)
    return "; ".join(parts)


def _occurs_on(schedule: Mapping[str, Any], day: date) -> bool:
    freq = schedule.get("freq", "")
    weekday = DAYS[day.weekday()]
    if freq == "DAILY":
        return True
    for part in schedule.get("byday", []):
        match = _BYDAY.match(part)
        if match is None or match.group(2) != weekday:
            continue
        if not match.group(1):
            start = schedule.get("dtstart")
            interval = schedule.get("interval", 1)
            if interval > 1 and start:
                weeks = (day - date.fromisoformat(start)).days // 7
                if weeks % interval:
                    continue
            return True
        n = int(match.group(1))
        if n > 0 and (day.day - 1) // 7 + 1 == n:
            return True
        if n < 0 and (day + timedelta(days=7 * -n)).month != day.month \
                and (day + timedelta(days=7 * (-n - 1))).month == day.month:
            return True
    return day.day in schedule.get("bymonthday", [])


def bank_holiday_note(schedules: Sequence[Mapping[str, Any]], today: date,
                      hours: Hours) -> str:
    """A few words when a bank holiday in the coming week falls on an opening day, else ''."""
    for offset in range(7):
        day = today + timedelta(days=offset)
        if not is_bank_holiday(day, hours):
            continue
        for schedule in schedules:
            if not is_current(schedule, day) or not _occurs_on(schedule, day):
                continue
            said = f"{schedule.get('description', '')} {schedule.get('notes', '')}".lower()
            when = f"{SHORT[DAYS[day.weekday()]]} {day.day} {day.strftime('%b')}"
            if re.search(r"(bank|public) holiday", said):
                if re.search(r"\b(not|closed|except|no)\b", said):
                    return f"closed {when}, bank holiday"
                if re.search(r"\bopen\b", said):
                    continue
            # Most groups and services close on bank holidays, but the feed does not say:
            # warn rather than promise either way.
            return f"may be shut {when}, bank holiday"
    return ""
