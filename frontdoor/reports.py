"""The figures team leads report on: contacts, needs, who answered, how fast a person
replied, crises, connections and contributions, 'did it help?', outcomes in LAC's domains,
demand avoided, and how fast urgent threads were acknowledged. Filterable by ward,
coordinator, need and period. Each figure is a `Table`: the page, its chart and its CSV are
all made from the same rows, so they cannot disagree.

Conversation figures count threads started in the period (filtered on the thread's ward,
coordinator and need); figures about people (new people, connections, contributions,
follow-ups, outcomes, demand avoided) count by when they were recorded, filtered on the
resident's ward and named coordinator, and on whether they asked for the need."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from frontdoor import followups, outcomes
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Connection,
    Contribution,
    DemandAvoided,
    FollowUp,
    Message,
    Notification,
    OutcomeReview,
    OutcomeScore,
    Referral,
    Resident,
    Thread,
)
from frontdoor.rota import Hours, is_council_open
from frontdoor.threads import CRISIS_WORDS

DEFAULT_WEEKS = 12
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Filters:
    starts: date            # first day, local, inclusive
    ends: date              # last day, local, inclusive
    ward: str | None = None
    coordinator_id: int | None = None
    need: str | None = None

    def window(self, hours: Hours) -> tuple[datetime, datetime]:
        """The period as UTC moments: local midnight to local midnight."""
        return (datetime.combine(self.starts, time(0), hours.zone).astimezone(UTC),
                datetime.combine(self.ends + timedelta(days=1), time(0), hours.zone)
                .astimezone(UTC))

    def as_args(self) -> dict[str, str]:
        args = {"from": self.starts.isoformat(), "to": self.ends.isoformat()}
        if self.ward:
            args["ward"] = self.ward
        if self.coordinator_id:
            args["coordinator"] = str(self.coordinator_id)
        if self.need:
            args["need"] = self.need
        return args


def default_period(today: date) -> tuple[date, date]:
    """The last 12 whole and current weeks, Monday to today."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(weeks=DEFAULT_WEEKS - 1), today


def parse_filters(args: dict[str, str], today: date, needs: Sequence[str]) -> Filters:
    """Filters from a query string; ValueError says which field is wrong, in plain words."""
    starts, ends = default_period(today)
    try:
        if args.get("from"):
            starts = date.fromisoformat(args["from"])
        if args.get("to"):
            ends = date.fromisoformat(args["to"])
    except ValueError as error:
        raise ValueError("Give the period as dates, like 2026-09-01.") from error
    if ends < starts:
        raise ValueError("The period must end on or after the day it starts.")
    if (ends - starts).days > MAX_DAYS:
        raise ValueError("Choose a period of at most three years.")
    need = args.get("need") or None
    if need is not None and need not in needs:
        raise ValueError("Choose a need from the list.")
    coordinator = args.get("coordinator") or None
    if coordinator is not None and not coordinator.isdigit():
        raise ValueError("Choose a coordinator from the list.")
    ward = (args.get("ward") or None)
    if ward is not None and len(ward) > 9:
        raise ValueError("Choose a ward from the list.")
    return Filters(starts, ends, ward, int(coordinator) if coordinator else None, need)


@dataclass
class Table:
    """One figure: a titled table (and, when `chart` is set, a chart of one column)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    # "bar" (vertical), "hbar" (horizontal) or None; which columns the chart draws.
    chart: str | None = None
    chart_columns: tuple[int, ...] = (1,)
    note: str = ""
    values: list[list[float]] = field(default_factory=list)   # the numbers charted

    def add(self, label: str, *cells: float | str | None) -> None:
        self.rows.append([label, *(cell_text(c) for c in cells)])
        self.values.append([c if isinstance(c, int | float) and c is not None else 0.0
                            for c in cells])


def cell_text(value: float | str | None) -> str:
    """A figure as a table shows it: none as a dash, a rate to one place, a count with commas."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (as spreadsheets' PERCENTILE.INC)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# -- which rows ------------------------------------------------------------------------------

def _threads(filters: Filters, hours: Hours) -> list[sa.ColumnElement[bool]]:
    start, end = filters.window(hours)
    where = [Thread.created_at >= start, Thread.created_at < end]
    if filters.ward:
        where.append(Thread.ward_code == filters.ward)
    if filters.coordinator_id:
        where.append(Thread.coordinator_id == filters.coordinator_id)
    if filters.need:
        where.append(Thread.need == filters.need)
    return where


def _residents(filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Conditions on Resident for figures about people."""
    where: list[sa.ColumnElement[bool]] = []
    if filters.ward:
        where.append(Resident.ward_code == filters.ward)
    if filters.coordinator_id:
        where.append(Resident.coordinator_id == filters.coordinator_id)
    if filters.need:
        where.append(sa.exists().where(Thread.resident_id == Resident.id,
                                       Thread.need == filters.need))
    return where


def _about_people(model: Any, when: sa.orm.InstrumentedAttribute, filters: Filters,
                  hours: Hours, *columns: Any) -> sa.Select:
    """Rows of `model` recorded in the period, about residents the filters choose."""
    start, end = filters.window(hours)
    query: sa.Select = sa.select(*(columns or (model,))).select_from(model).where(
        when >= start, when < end)
    conditions = _residents(filters)
    if conditions:
        query = query.join(Resident, Resident.id == model.resident_id).where(*conditions)
    return query


# -- the figures -----------------------------------------------------------------------------

def contacts_by_week(filters: Filters, hours: Hours) -> Table:
    table = Table("contacts", "Contacts and new people by week",
                  ["Week beginning", "Conversations started", "New people"],
                  chart="bar", chart_columns=(1, 2),
                  note="A conversation is one thread with the front door; new people are "
                       "residents who got in touch for the first time.")
    start, end = filters.window(hours)
    hour = _hour(Thread.created_at)
    started = db.session.execute(sa.select(hour, sa.func.count()).where(
        *_threads(filters, hours)).group_by(hour)).all()
    new_hour = _hour(Resident.created_at)
    newcomers = db.session.execute(sa.select(new_hour, sa.func.count()).where(
        Resident.created_at >= start, Resident.created_at < end,
        *_residents(filters)).group_by(new_hour)).all()
    weeks: dict[date, list[int]] = {}
    monday = filters.starts - timedelta(days=filters.starts.weekday())
    while monday <= filters.ends:
        weeks[monday] = [0, 0]
        monday += timedelta(weeks=1)
    for column, rows in ((0, started), (1, newcomers)):
        for moment, count in rows:
            local = _from_hour(moment).astimezone(hours.zone).date()
            weeks[local - timedelta(days=local.weekday())][column] += count
    for monday, (conversations, people) in weeks.items():
        table.add(monday.strftime("%d %b %Y"), conversations, people)
    return table


def _hour(column: sa.orm.InstrumentedAttribute) -> sa.ColumnElement[Any]:
    """The UTC hour of a timestamp: counted in SQL, turned into a local week here (exact
    across the clock change, unlike a UTC day)."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.date_trunc("hour", column)
    return sa.func.strftime("%Y-%m-%d %H", column)


def _from_hour(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return datetime.strptime(value, "%Y-%m-%d %H").replace(tzinfo=UTC)


def needs_asked(filters: Filters, hours: Hours, need_words: dict[str, str]) -> Table:
    table = Table("needs", "Needs asked for", ["Need", "Conversations"], chart="hbar")
    counts = db.session.execute(sa.select(Thread.need, sa.func.count()).where(
        *_threads(filters, hours)).group_by(Thread.need)).all()
    for need, count in sorted(counts, key=lambda row: (-row[1], row[0] or "")):
        table.add(need_words.get(need or "", need or "Not known yet"), count)
    return table


def answered_or_handed(filters: Filters, hours: Hours) -> Table:
    table = Table("handled", "Answered by the front door or handed to a person",
                  ["Who answered", "Conversations", "Share (%)"], chart="hbar")
    handed = Thread.handed_off_at.is_not(None)
    counts = dict(db.session.execute(sa.select(handed, sa.func.count()).where(
        *_threads(filters, hours)).group_by(handed)).all())
    total = sum(counts.values())
    for key, label in ((False, "The front door"), (True, "Handed to a person")):
        count = counts.get(key, 0)
        table.add(label, count, 100.0 * count / total if total else None)
    return table


def first_reply(filters: Filters, hours: Hours) -> Table:
    table = Table("first_reply", "Time to a coordinator's first reply",
                  ["Figure", "Value"],
                  note="From the moment a conversation was handed to a person to the first "
                       "message a coordinator sent.")
    wait = _seconds_between(Thread.handed_off_at, Thread.first_reply_at)
    rows = db.session.execute(sa.select(wait).where(
        Thread.handed_off_at.is_not(None), *_threads(filters, hours))).scalars().all()
    waits = [float(seconds) / 3600 for seconds in rows if seconds is not None and seconds >= 0]
    table.add("Conversations handed to a person", len(rows))
    table.add("Replied to by a coordinator", len(waits))
    table.add("Median (hours)", percentile(waits, 0.5))
    table.add("90th percentile (hours)", percentile(waits, 0.9))
    return table


def _seconds_between(start: Any, end: Any) -> sa.ColumnElement[Any]:
    """end - start in seconds, worked out by the database (one number a row to fetch)."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def crisis_contacts(filters: Filters, hours: Hours) -> Table:
    table = Table("crisis", "Crisis contacts", ["Category", "Conversations"], chart="hbar")
    counts = dict(db.session.execute(sa.select(Thread.crisis, sa.func.count()).where(
        Thread.crisis.is_not(None), *_threads(filters, hours)).group_by(Thread.crisis)).all())
    for key, words in CRISIS_WORDS.items():
        table.add(words[0].upper() + words[1:], counts.get(key, 0))
    table.add("All crisis contacts", sum(counts.values()))
    return table


def connections_and_contributions(filters: Filters, hours: Hours) -> Table:
    table = Table("connections", "Connections made and contributions", ["What", "Count"],
                  chart="hbar")
    kinds = dict(db.session.execute(_about_people(
        Connection, Connection.created_at, filters, hours, Connection.kind, sa.func.count())
        .group_by(Connection.kind)).all())
    contributions = db.session.scalar(_about_people(
        Contribution, Contribution.created_at, filters, hours, sa.func.count())) or 0
    table.add("Connections to community groups", kinds.get("community", 0))
    table.add("Connections to services", kinds.get("service", 0))
    table.add("Contributions", contributions)
    return table


def did_it_help(filters: Filters, hours: Hours) -> tuple[Table, Table]:
    """The follow-up answers (the connection rate), and the entries that keep failing."""
    rate = Table("follow_ups", "Did it help? Answers to the follow-up text",
                 ["Pointed to", "Asked", "Answered", "Yes", "Not yet", "It didn't fit",
                  "Asked for a person", "Connection rate (%)"], chart="bar",
                 chart_columns=(3, 4, 5, 6),
                 note="Asked seven days after the front door or a coordinator pointed someone "
                      "to a group or service. The connection rate is the share of answers "
                      "that were yes (a US 211 helpline study found 36% got help).")
    answer = sa.func.coalesce(FollowUp.answer, "")
    sent = _about_people(FollowUp, FollowUp.sent_at, filters, hours, FollowUp.id)
    # Each follow-up once per kind of entry it pointed to (one about a group and a service
    # counts in both rows, and once in "All").
    kinds = sa.select(FollowUp.id, answer.label("answer"), Referral.entry_kind).join(
        Referral, Referral.follow_up_id == FollowUp.id).where(
        FollowUp.id.in_(sent)).distinct().subquery()
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, given, count in db.session.execute(
            sa.select(kinds.c.entry_kind, kinds.c.answer, sa.func.count())
            .group_by(kinds.c.entry_kind, kinds.c.answer)):
        by_kind[kind][given] += count
    everyone = Counter(dict(db.session.execute(
        sa.select(answer, sa.func.count()).where(FollowUp.id.in_(sent))
        .group_by(answer)).all()))
    for label, answers in (("Community groups", by_kind["community"]),
                           ("Services", by_kind["service"]), ("All", everyone)):
        answered = sum(n for key, n in answers.items() if key)
        rate.add(label, sum(answers.values()), answered, answers["yes"], answers["not_yet"],
                 answers["did_not_fit"], answers["person"],
                 100.0 * answers["yes"] / answered if answered else None)

    failing = Table("failing", "Entries that keep failing",
                    ["Directory entry", "Answers", "Yes", "Not yet", "It didn't fit",
                     "Flagged"],
                    note=f"Flagged when at least {followups.FLAG_MIN_ANSWERS} answers came "
                         "back and at most half were yes: check the entry is still right.")
    per_entry: dict[str, Counter[str]] = defaultdict(Counter)
    pairs = sa.select(Referral.entry_name, FollowUp.id, FollowUp.answer).join(
        FollowUp, FollowUp.id == Referral.follow_up_id).where(
        FollowUp.id.in_(sent), FollowUp.answer.is_not(None), FollowUp.answer != "person"
    ).distinct().subquery()
    for name, given, count in db.session.execute(
            sa.select(pairs.c.entry_name, pairs.c.answer, sa.func.count())
            .group_by(pairs.c.entry_name, pairs.c.answer)):
        per_entry[name][given] += count
    ranked = sorted(per_entry.items(), key=lambda item: (
        item[1]["yes"] / max(sum(item[1].values()), 1), -sum(item[1].values()), item[0]))
    for name, answers in ranked:
        total = sum(answers.values())
        flagged = total >= followups.FLAG_MIN_ANSWERS and answers["yes"] * 2 <= total
        failing.add(name, total, answers["yes"], answers["not_yet"], answers["did_not_fit"],
                    "Keeps failing" if flagged else "No")
    return rate, failing


def outcome_change(filters: Filters, hours: Hours) -> Table:
    table = Table("outcomes", "Change in each outcome domain, first to latest",
                  ["Domain", "People", "Average first", "Average latest", "Average change",
                   "Better", "Same", "Worse"], chart="hbar", chart_columns=(4,),
                  note="People whose latest review fell in the period and who have at least "
                       "two scores in the domain (1 not at all, 5 very much).")
    _, end = filters.window(hours)
    reviewed = _about_people(OutcomeReview, OutcomeReview.recorded_at, filters, hours,
                             OutcomeReview.resident_id).distinct()
    person_domain = (OutcomeReview.resident_id, OutcomeScore.domain)
    order = (OutcomeReview.recorded_at, OutcomeReview.id)
    scores = (sa.select(
        OutcomeReview.resident_id, OutcomeScore.domain, OutcomeScore.score,
        sa.func.row_number().over(partition_by=person_domain, order_by=order).label("nth"),
        sa.func.row_number().over(partition_by=person_domain,
                                  order_by=[o.desc() for o in order]).label("nth_last"),
        sa.func.count().over(partition_by=person_domain).label("times"))
        .join(OutcomeScore, OutcomeScore.review_id == OutcomeReview.id)
        .where(OutcomeReview.resident_id.in_(reviewed), OutcomeReview.recorded_at < end)
        .subquery())
    first = sa.func.max(sa.case((scores.c.nth == 1, scores.c.score)))
    latest = sa.func.max(sa.case((scores.c.nth_last == 1, scores.c.score)))
    people = (sa.select(scores.c.domain, first.label("first"), latest.label("latest"))
              .where(scores.c.times > 1)
              .group_by(scores.c.resident_id, scores.c.domain).subquery())
    change = people.c.latest - people.c.first
    figures = {row[0]: row[1:] for row in db.session.execute(sa.select(
        people.c.domain, sa.func.count(), sa.func.avg(people.c.first),
        sa.func.avg(people.c.latest), sa.func.avg(change),
        sa.func.sum(sa.case((change > 0, 1), else_=0)),
        sa.func.sum(sa.case((change == 0, 1), else_=0)),
        sa.func.sum(sa.case((change < 0, 1), else_=0))).group_by(people.c.domain))}
    for domain in outcomes.domains():
        n, *rest = figures.get(domain.key, (0, None, None, None, 0, 0, 0))
        averages = [float(v) if v is not None else None for v in rest[:3]]
        table.add(domain.label, n, *averages, *(int(v or 0) for v in rest[3:]))
    return table


def demand_avoided(filters: Filters, hours: Hours) -> Table:
    table = Table("demand", "Demand avoided", ["What was avoided", "Times"], chart="hbar",
                  note="Uses of crisis and specialist services the coordinator believes were "
                       "avoided.")
    counts = dict(db.session.execute(_about_people(
        DemandAvoided, DemandAvoided.recorded_at, filters, hours, DemandAvoided.event,
        sa.func.count()).group_by(DemandAvoided.event)).all())
    for demand in outcomes.domains("demand"):
        table.add(demand.label, counts.get(demand.key, 0))
    return table


def urgent_acknowledged(filters: Filters, hours: Hours) -> Table:
    table = Table("urgent", "Urgent threads: time from the flag to a person acknowledging it",
                  ["When flagged", "Urgent threads", "Acknowledged", "Median (minutes)",
                   "90th percentile (minutes)"], chart="hbar", chart_columns=(3, 4),
                  note="From the first urgent alert to the first person acknowledging it in "
                       "the inbox. In hours: the council's office hours.")
    # Only the period's crisis threads are looked up, each by its own alerts.
    flagged = (sa.select(sa.func.min(Notification.created_at))
               .where(Notification.thread_id == Thread.id, Notification.kind == "urgent")
               .correlate(Thread).scalar_subquery())
    rows = [(at, acknowledged) for at, acknowledged in db.session.execute(
        sa.select(flagged, Thread.acknowledged_at).where(
            Thread.crisis.is_not(None), *_threads(filters, hours))).all() if at is not None]
    groups: dict[str, list[float | None]] = {"In hours": [], "Out of hours": []}
    for at, acknowledged in rows:
        at = _aware(at)
        key = "In hours" if is_council_open(at, hours) else "Out of hours"
        groups[key].append((_aware(acknowledged) - at).total_seconds() / 60
                           if acknowledged and _aware(acknowledged) >= at else None)
    groups["All"] = groups["In hours"] + groups["Out of hours"]
    for label, waits in groups.items():
        done = [w for w in waits if w is not None]
        table.add(label, len(waits), len(done), percentile(done, 0.5), percentile(done, 0.9))
    return table


def data_version() -> tuple[int | None, ...]:
    """Changes whenever anything a report counts may have changed: every change to a thread,
    outcome, follow-up or record leaves a new message, thread or audit row."""
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.max(AuditEvent.id)).scalar_subquery(),
        sa.select(sa.func.max(Message.id)).scalar_subquery(),
        sa.select(sa.func.max(Thread.id)).scalar_subquery(),
        sa.select(sa.func.max(FollowUp.answered_at)).scalar_subquery())).one())


# Every figure, in page order: each can be made alone (for its chart or its CSV).
TABLES: dict[str, Callable[[Filters, Hours, dict[str, str]], Table]] = {
    "contacts": lambda f, h, _: contacts_by_week(f, h),
    "needs": needs_asked,
    "handled": lambda f, h, _: answered_or_handed(f, h),
    "first_reply": lambda f, h, _: first_reply(f, h),
    "crisis": lambda f, h, _: crisis_contacts(f, h),
    "connections": lambda f, h, _: connections_and_contributions(f, h),
    "follow_ups": lambda f, h, _: did_it_help(f, h)[0],
    "failing": lambda f, h, _: did_it_help(f, h)[1],
    "outcomes": lambda f, h, _: outcome_change(f, h),
    "demand": lambda f, h, _: demand_avoided(f, h),
    "urgent": lambda f, h, _: urgent_acknowledged(f, h),
}


def all_tables(filters: Filters, hours: Hours, need_words: dict[str, str]) -> list[Table]:
    """Every figure on the reports page, in page order."""
    rate, failing = did_it_help(filters, hours)
    made = {"follow_ups": rate, "failing": failing}
    return [made.get(key) or make(filters, hours, need_words) for key, make in TABLES.items()]
