"""The resident's page: a person, not a ticket. Who they are (the name they gave or prefer),
how to reach them (their full number, each view audited), their ward and named coordinator,
what would make a good life for them with next steps, connections and contributions, and
their whole story across threads and channels, newest first.

A coordinator may open a person's page when they may see one of that person's threads
(frontdoor/inbox/access.py); every other coordinator gets a 404, on every route here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import phonenumbers
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from frontdoor import linking, queries, threads, transactions
from frontdoor.edge import record_id
from frontdoor.engine import hours_for
from frontdoor.extensions import db
from frontdoor.inbox import access, auth
from frontdoor.inbox.rows import STATE_WORDS, author_of, resident_label
from frontdoor.inbox.views import OUTCOMES, _now, _today, bp
from frontdoor.models import (
    AuditEvent,
    Connection,
    Contribution,
    Coordinator,
    DirectoryEntry,
    Message,
    NextStep,
    Note,
    Resident,
    Thread,
)
from frontdoor.outgoing import CONTACT_CHOICES, channel_of, phone_channels

CONNECTION_KINDS = {"community": "A community group or activity", "person": "A person",
                    "service": "A service"}
STUCK = {"not_yet": "Not known yet", "yes": "Yes, it stuck", "no": "No, it did not stick"}
PlanRow = TypeVar("PlanRow", NextStep, Connection, Contribution)
STORY_LIMIT = 300
LONG_TEXT = 5000


# -- who may see whom --------------------------------------------------------------------------

def visible_threads(me: Coordinator, records: list[Resident]) -> list[Thread]:
    """The person's threads `me` may see, newest first."""
    return list(db.session.scalars(sa.select(Thread).where(
        Thread.resident_id.in_([r.id for r in records]), access.visible(me, _today()))
        .options(so.selectinload(Thread.ward), so.selectinload(Thread.coordinator))
        .order_by(Thread.id.desc())))


def may_see(me: Coordinator, record: Resident) -> bool:
    """A lead sees everyone; a coordinator sees a person with a thread they may see."""
    return me.role == "lead" or bool(visible_threads(me, linking.records_of(record)))


def person_for(resident_id: int) -> Resident:
    """The person's first record, when the signed-in coordinator may see them; else 404."""
    record = db.session.get(Resident, resident_id)
    if record is None or not may_see(g.me, record):
        abort(404)
    return record.person


def _audit(action: str, person: Resident, detail: str = "") -> None:
    db.session.add(AuditEvent(coordinator_id=g.me.id, action=action, resident_id=person.id,
                              detail=detail, created_at=_now()))


def _back(person: Resident, anchor: str, message: str | None = None,
          category: str = "success") -> Response:
    if message:
        flash(message, category)
    return redirect(url_for("inbox.resident_page", resident_id=person.id) + anchor)


# -- the page --------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoryItem:
    """One moment of the person's story: a message, a private note, or a thread's milestone."""

    when: datetime
    kind: str          # "resident", "bot", "coordinator", "note", "event"
    who: str
    text: str
    channel: str | None
    thread_id: int | None


def phone_numbers(records: list[Resident]) -> list[tuple[str, str]]:
    """(E.164 for a tel: link, the number as people write it) for each record known by a
    phone number."""
    numbers = []
    for record in records:
        if not channel_of(record).addressed_by_phone:
            continue
        try:
            shown = phonenumbers.format_number(phonenumbers.parse(record.address),
                                               phonenumbers.PhoneNumberFormat.NATIONAL)
        except phonenumbers.NumberParseException:
            shown = record.address
        numbers.append((record.address, shown))
    return numbers


def story_of(records: list[Resident], seen: list[Thread]) -> list[StoryItem]:
    """Messages, notes and milestones of the threads `seen`, newest first."""
    thread_ids = [t.id for t in seen]
    if not thread_ids:
        return []
    items = [StoryItem(m.created_at, m.author.value, author_of(m), m.body, m.channel, m.thread_id)
             for m in db.session.scalars(sa.select(Message).where(
                 Message.thread_id.in_(thread_ids)).options(so.selectinload(Message.coordinator))
                 .order_by(Message.id.desc()).limit(STORY_LIMIT))]
    items += [StoryItem(n.created_at, "note", f"Private note by {n.coordinator.name}", n.body,
                        None, n.thread_id)
              for n in db.session.scalars(sa.select(Note).where(Note.thread_id.in_(thread_ids))
                                          .options(so.selectinload(Note.coordinator)))]
    for thread in seen:
        items += milestones(thread)
    return sorted(items, key=lambda item: item.when, reverse=True)[:STORY_LIMIT]


def milestones(thread: Thread) -> list[StoryItem]:
    """A thread's start, with its need, and its close, with its outcome, as story items."""
    about = f" about {thread.need.replace('_', ' ')}" if thread.need else ""
    items = [StoryItem(thread.created_at, "event", "Thread started",
                       f"Thread {thread.id} started{about}.", None, thread.id)]
    if thread.closed_at:
        outcome = OUTCOMES.get(thread.outcome or "", "no outcome recorded")
        items.append(StoryItem(thread.closed_at, "event", "Thread closed",
                               f"Thread {thread.id} closed: {outcome}.", None, thread.id))
    return items


@bp.get("/residents/<int:resident_id>")
@auth.signed_in
def resident_page(resident_id: int) -> Response | str:
    person = person_for(resident_id)
    if person.id != resident_id:
        return redirect(url_for("inbox.resident_page", resident_id=person.id))
    records = linking.records_of(person)
    seen = visible_threads(g.me, records)
    # The full number is on this page: every view is recorded.
    _audit("view_resident", person)
    hidden = (db.session.scalar(sa.select(sa.func.count()).select_from(Thread).where(
        Thread.resident_id.in_([r.id for r in records]))) or 0) - len(seen)
    named = threads.named_for(person)
    today = _today()
    leave = named.leave_on(today) if named else None
    return render_template(
        "inbox/resident.html", person=person, records=records, label=resident_label(person),
        record_labels={r.id: resident_label(r) for r in records},
        numbers=phone_numbers(records), threads=seen, hidden_threads=hidden,
        named=named, named_leave=leave, ward=person.ward or next(
            (r.ward for r in records if r.ward), None),
        story=story_of(records, seen), contact_choices=CONTACT_CHOICES,
        steps=_rows(NextStep, person, NextStep.done_at.is_not(None), NextStep.due.is_(None),
                    NextStep.due, NextStep.id),
        connections=_rows(Connection, person, Connection.id.desc()),
        contributions=_rows(Contribution, person, Contribution.id.desc()),
        directory=db.session.scalars(sa.select(DirectoryEntry).order_by(
            DirectoryEntry.kind, DirectoryEntry.name)).all(),
        connection_kinds=CONNECTION_KINDS, stuck=STUCK, outcomes=OUTCOMES,
        state_words=STATE_WORDS, today=today, hours=hours_for(current_app))


def _rows(model: type[PlanRow], person: Resident, *order: Any) -> list[PlanRow]:
    return list(db.session.scalars(sa.select(model).where(model.resident_id == person.id)
                                   .order_by(*order)))


# -- who they are and how to reach them ----------------------------------------------------

def _text(field: str, limit: int) -> str | None:
    return form_text(request.form.get(field, ""), limit)


def _date(field: str) -> date | None:
    return form_date(request.form.get(field, ""))


def form_text(value: str, limit: int) -> str | None:
    """What a coordinator typed, with a browser's line endings made one, cut to `limit`; None
    when nothing but spaces."""
    return value.replace("\r\n", "\n").strip()[:limit] or None


def form_date(value: str) -> date | None:
    """An optional date from a form; a bad one is a clear error (ValueError)."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"The date {value[:20]!r} is not a date like 2026-12-01.") from None


@bp.post("/residents/<int:resident_id>/details")
@transactions.changes_state
@auth.signed_in
def resident_details(resident_id: int) -> Response:
    person = person_for(resident_id)
    choice = request.form.get("contact_by", "")
    if choice and choice not in CONTACT_CHOICES:
        return _back(person, "#about", "Choose how they said they may be contacted.", "error")
    person.name = _text("name", 120)
    person.language = _text("language", 60)
    person.contact_times = _text("contact_times", 200)
    changed = "name language contact_times"
    if choice and choice != person.contact_by:
        linking.set_contact_by(person, choice)
        changed += f" contact_by={choice}"
    _audit("resident_details", person, changed)
    return _back(person, "#about", "Saved.")


@bp.post("/residents/<int:resident_id>/good-life")
@transactions.changes_state
@auth.signed_in
def good_life(resident_id: int) -> Response:
    person = person_for(resident_id)
    person.good_life = _text("good_life", LONG_TEXT)
    person.strengths = _text("strengths", LONG_TEXT)
    person.people_around = _text("people_around", LONG_TEXT)
    _audit("good_life", person)
    return _back(person, "#good-life", "What would make a good life: saved.")


# -- next steps, connections, contributions ---------------------------------------------------

@bp.post("/residents/<int:resident_id>/steps")
@transactions.changes_state
@auth.signed_in
def add_step(resident_id: int) -> Response:
    person = person_for(resident_id)
    text = _text("text", 300)
    try:
        due = _date("due")
    except ValueError as error:
        return _back(person, "#steps", str(error), "error")
    if not text:
        return _back(person, "#steps", "Write the next step.", "error")
    step = NextStep(resident_id=person.id, text=text, due=due, created_by_id=g.me.id,
                    created_at=_now())
    db.session.add(step)
    db.session.flush()
    _audit("next_step", person, f"step {step.id}")
    return _back(person, "#steps", "Next step added.")


@bp.post("/residents/<int:resident_id>/steps/<int:step_id>/done")
@transactions.changes_state
@auth.signed_in
def step_done(resident_id: int, step_id: int) -> Response:
    person = person_for(resident_id)
    step = _own(NextStep, step_id, person)
    step.done_at = None if step.done_at else _now()
    _audit("step_done" if step.done_at else "step_not_done", person, f"step {step.id}")
    return _back(person, "#steps", "Marked done." if step.done_at else "Marked not done.")


@bp.post("/residents/<int:resident_id>/connections")
@transactions.changes_state
@auth.signed_in
def add_connection(resident_id: int) -> Response:
    person = person_for(resident_id)
    entry = db.session.get(DirectoryEntry, request.form.get("entry", type=record_id) or 0)
    name, kind = _text("name", 120), request.form.get("kind", "")
    try:
        introduced = _date("introduced_on")
    except ValueError as error:
        return _back(person, "#connections", str(error), "error")
    if entry is not None:
        name, kind = entry.name, entry.kind
    elif not name or kind not in CONNECTION_KINDS:
        return _back(person, "#connections", "Choose a directory entry, or give a name and "
                     "say whether it is a person, a community group or a service.", "error")
    assert name is not None
    connection = Connection(resident_id=person.id, directory_entry_id=entry.id if entry else None,
                            name=name, kind=kind, introduced_on=introduced, stuck="not_yet",
                            created_by_id=g.me.id, created_at=_now())
    db.session.add(connection)
    db.session.flush()
    _audit("connection", person, f"connection {connection.id}")
    return _back(person, "#connections", f"Connection to {name} saved.")


@bp.post("/residents/<int:resident_id>/connections/<int:connection_id>")
@transactions.changes_state
@auth.signed_in
def connection_stuck(resident_id: int, connection_id: int) -> Response:
    person = person_for(resident_id)
    connection = _own(Connection, connection_id, person)
    stuck = request.form.get("stuck", "")
    if stuck not in STUCK:
        return _back(person, "#connections", "Choose whether it stuck.", "error")
    connection.stuck, connection.updated_at = stuck, _now()
    _audit("connection_stuck", person, f"connection {connection.id} {stuck}")
    return _back(person, "#connections", f"{connection.name}: {STUCK[stuck].lower()}.")


@bp.post("/residents/<int:resident_id>/contributions")
@transactions.changes_state
@auth.signed_in
def add_contribution(resident_id: int) -> Response:
    person = person_for(resident_id)
    text = _text("text", 300)
    try:
        since = _date("since")
    except ValueError as error:
        return _back(person, "#contributions", str(error), "error")
    if not text:
        return _back(person, "#contributions", "Say what they give or do for others.", "error")
    contribution = Contribution(resident_id=person.id, text=text, since=since,
                                created_by_id=g.me.id, created_at=_now())
    db.session.add(contribution)
    db.session.flush()
    _audit("contribution", person, f"contribution {contribution.id}")
    return _back(person, "#contributions", "Contribution saved.")


def _own(model: type[PlanRow], row_id: int, person: Resident) -> PlanRow:
    row = db.session.get(model, row_id)
    if row is None or row.resident_id != person.id:
        abort(404)
    return row


# -- linking records by hand -----------------------------------------------------------------

@bp.post("/residents/<int:resident_id>/link")
@transactions.changes_state
@auth.signed_in
def link_by_hand(resident_id: int) -> Response:
    person = person_for(resident_id)
    other = _other_record(request.form.get("phone", "").strip(),
                          request.form.get("webchat", "").strip())
    if other is None or not may_see(g.me, other):
        # The same answer whether the record is missing or not theirs to see.
        return _back(person, "#records", "No record you can see matches that. Check the "
                     "number, or ask your team lead.", "error")
    if other.person.id == person.id:
        return _back(person, "#records", "Those records are already linked.")
    if request.form.get("confirm") != "yes":
        return _back(person, "#records", "Tick the box to confirm you have checked with the "
                     "resident that these are the same person.", "error")
    first = linking.link(person, other)
    _audit("link_by_hand", first, f"records {person.id} and {other.id}")
    return _back(first, "#records", "Linked: their story now shows both records.")


def _other_record(phone: str, webchat: str) -> Resident | None:
    if phone:
        try:
            parsed = phonenumbers.parse(phone, current_app.config["DEFAULT_REGION"])
        except phonenumbers.NumberParseException:
            return None
        address = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        found = (queries.find_resident_by_address(channel, address)
                 for channel in phone_channels())
        return next((record for record in found if record is not None), None)
    if webchat.isdigit() and len(webchat) < 10:
        # A web-chat record is named by its number (Channel.resident_label), not its address.
        record = db.session.get(Resident, int(webchat))
        return record if record is not None and not channel_of(record).addressed_by_phone \
            else None
    return None


@bp.post("/residents/<int:resident_id>/records/<int:record_id>/unlink")
@transactions.changes_state
@auth.signed_in
def unlink(resident_id: int, record_id: int) -> Response:
    person = person_for(resident_id)
    record = db.session.get(Resident, record_id)
    if record is None or record.linked_to_id != person.id:
        abort(404)
    linking.unlink(record)
    _audit("unlink", person, f"record {record.id}")
    return _back(person, "#records", "Unlinked.")
