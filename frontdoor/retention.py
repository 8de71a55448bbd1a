"""Retention from the council's policy (council.toml [retention]): a resident's text and
identifiers are removed `contacts_years` after their last contact, or `safeguarding_years`
for safeguarding records (any thread that was a crisis, or closed as a safeguarding
referral); a record under a safeguarding hold is kept until a lead lifts it. Removal keeps
the counts (frontdoor/rights.py `anonymise`). Run by `frontdoor retention apply` and, once
a day, by the worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from frontdoor.extensions import db
from frontdoor.models import AuditEvent, Council, Message, Resident, Thread
from frontdoor.rights import anonymise
from frontdoor.transactions import unit_of_work

DAILY = timedelta(hours=24)


@dataclass
class Plan:
    """What retention removes now, and what it keeps that would otherwise have gone."""

    contact_years: int
    safeguarding_years: int
    remove: list[int] = field(default_factory=list)
    kept_on_hold: list[int] = field(default_factory=list)
    kept_safeguarding: list[int] = field(default_factory=list)
    messages: int = 0
    notes: int = 0

    def summary(self, dry_run: bool) -> list[str]:
        verb = "would remove" if dry_run else "removed"
        lines = [f"Retention: contacts {self.contact_years} years after the last contact, "
                 f"safeguarding records {self.safeguarding_years} years."]
        if self.remove:
            lines.append(f"{verb} the text and identifiers of {_people(len(self.remove))}: "
                         f"{_ids(self.remove)}"
                         + ("" if dry_run else f" ({self.messages} messages emptied, "
                            f"{self.notes} notes deleted; counts kept)"))
        else:
            lines.append(f"{verb} nothing: no record is past its time.")
        if self.kept_on_hold:
            lines.append(f"kept under a safeguarding hold: {_ids(self.kept_on_hold)}")
        if self.kept_safeguarding:
            lines.append(f"kept as safeguarding records ({self.safeguarding_years} years): "
                         f"{_ids(self.kept_safeguarding)}")
        return lines


def _people(n: int) -> str:
    return f"{n} resident{'s' if n != 1 else ''}"


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:50])
    return f"residents {shown}" + (f" and {len(ids) - 50} more" if len(ids) > 50 else "")


def years_before(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:   # 29 February
        return now.replace(year=now.year - years, day=28)


def plan(now: datetime) -> Plan:
    """Who is past the council's retention periods at `now`."""
    council = db.session.get(Council, 1)
    contact_years = council.retention_contact_years if council else 2
    safeguarding_years = council.retention_safeguarding_years if council else 8
    result = Plan(contact_years, safeguarding_years)
    contact_cutoff = years_before(now, contact_years)
    safeguarding_cutoff = years_before(now, safeguarding_years)
    last_message = (sa.select(sa.func.max(Message.created_at))
                    .where(Message.resident_id == Resident.id).scalar_subquery())
    last_contact = sa.func.coalesce(Resident.last_contact_at, Resident.created_at)
    safeguarding = sa.exists().where(Thread.resident_id == Resident.id, sa.or_(
        Thread.crisis.is_not(None), Thread.outcome == "safeguarding"))
    rows = db.session.execute(
        sa.select(Resident.id, Resident.safeguarding_hold, safeguarding.label("safeguarding"),
                  sa.func.coalesce(last_message, last_contact).label("last"))
        .where(Resident.erased_at.is_(None), last_contact < contact_cutoff)
        .order_by(Resident.id)).all()
    for resident_id, hold, is_safeguarding, last in rows:
        last = _aware(last)
        if last >= contact_cutoff:
            continue   # a message since, by either side: still in contact
        if hold:
            result.kept_on_hold.append(resident_id)
        elif is_safeguarding and last >= safeguarding_cutoff:
            result.kept_safeguarding.append(resident_id)
        else:
            result.remove.append(resident_id)
    return result


def _aware(moment: datetime) -> datetime:
    # A max() over a TypeDecorator column comes back raw from SQLite: naive UTC.
    from datetime import UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def apply(now: datetime, dry_run: bool = False) -> Plan:
    """Remove what is past its time (or only say what, with `dry_run`); audited."""
    result = plan(now)
    if dry_run:
        return result
    with unit_of_work():
        for resident_id in result.remove:
            resident = db.session.get(Resident, resident_id)
            assert resident is not None
            removed = anonymise(resident, now)
            result.messages += removed.messages
            result.notes += removed.notes
        db.session.add(AuditEvent(coordinator_id=None, action="retention",
                                  detail=f"{len(result.remove)} removed, "
                                         f"{len(result.kept_on_hold)} on hold",
                                  created_at=now))
    return result


# The worker asks every round; the database is asked once an hour (per app).
LOOK_EVERY = timedelta(hours=1)


def apply_if_due(now: datetime) -> Plan | None:
    """The worker's daily run: once in 24 hours, whichever worker gets there first."""
    looked: dict[str, datetime] = current_app.extensions.setdefault(
        "frontdoor.retention_looked_at", {})
    if "at" in looked and timedelta(0) <= now - looked["at"] < LOOK_EVERY:
        return None
    looked["at"] = now
    last = db.session.scalar(sa.select(sa.func.max(AuditEvent.created_at)).where(
        AuditEvent.action == "retention"))
    if last is not None and now - _aware(last) < DAILY:
        return None
    return apply(now)
