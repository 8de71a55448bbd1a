"""The resident's rights over their record (UK GDPR; the council is the controller):
everything held about one resident, for a subject access request; erasure by a lead, with
a reason, audited, refused while a safeguarding hold is on; the hold itself.

Erasure removes the resident's words and identifiers from every table and keeps the rows
that reports count (threads, message times and authors, outcome scores, follow-up answers)
holding nothing about them. `anonymise` is shared with retention (frontdoor/retention.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from frontdoor import followups, outcomes
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Author,
    Connection,
    Contribution,
    Coordinator,
    Message,
    NextStep,
    Note,
    Notification,
    PhoneCode,
    Resident,
    Thread,
)
from frontdoor.outgoing import channel_of

# Why a lead erases a record: fixed choices, so no free text about the resident is stored.
ERASURE_REASONS = {
    "resident_asked": "The resident asked for their record to be erased",
    "recorded_in_error": "Recorded in error (wrong person or a test)",
    "duplicate": "A duplicate of another record",
    "no_longer_needed": "No longer needed for the purpose it was collected for",
}
# A case or request reference from the council's own system, e.g. "SAR-2026-0042".
REFERENCE_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/_.")
MAX_REFERENCE = 40


class Refused(Exception):
    """The record is kept: the reason says why, in words a lead can act on."""


@dataclass(frozen=True)
class Removed:
    """What removing one resident's text and identifiers did."""

    messages: int
    notes: int
    contributions: int


def threads_of(resident: Resident) -> list[Thread]:
    return list(db.session.scalars(sa.select(Thread).where(
        Thread.resident_id == resident.id).order_by(Thread.id)))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _name(person: Coordinator | None) -> str | None:
    return person.name if person else None


def everything_about(resident: Resident) -> dict[str, Any]:
    """Everything held about one resident, and nobody else: their record, threads,
    messages, notes, outcomes, demand avoided, follow-ups, connections, contributions,
    who was told about their threads and every audit row about them or their threads."""
    thread_list = threads_of(resident)
    thread_ids = [t.id for t in thread_list]
    messages = db.session.scalars(sa.select(Message).where(
        Message.resident_id == resident.id).options(so.selectinload(Message.coordinator))
        .order_by(Message.id)).all()
    notes = db.session.scalars(sa.select(Note).where(Note.thread_id.in_(thread_ids))
                               .order_by(Note.id)).all() if thread_ids else []
    audit = db.session.scalars(sa.select(AuditEvent).where(sa.or_(
        AuditEvent.resident_id == resident.id,
        AuditEvent.thread_id.in_(thread_ids) if thread_ids else sa.false()))
        .order_by(AuditEvent.id)).all()
    told = db.session.scalars(sa.select(Notification).where(
        Notification.thread_id.in_(thread_ids)).order_by(Notification.id)).all() \
        if thread_ids else []
    domain_labels, demand_labels = outcomes.labels("domain"), outcomes.labels("demand")
    author_words = {Author.RESIDENT: "You", Author.BOT: "Front door (automatic)"}
    channel = channel_of(resident)
    return {
        "resident": {
            "id": resident.id,
            "channel": channel.label,
            # A web-chat resident is known by a one-way hash of their chat link: no use to them.
            "phone_number": resident.address if channel.addressed_by_phone else None,
            "ward": resident.ward.name if resident.ward else None,
            "postcode": resident.postcode,
            "named_coordinator": _name(resident.coordinator),
            "opted_out_of_texts": resident.opted_out,
            "contact_by": resident.contact_by,
            "first_contact": _iso(resident.created_at),
            "last_contact": _iso(resident.last_contact_at),
            "safeguarding_hold": resident.safeguarding_hold,
            "erased": _iso(resident.erased_at),
        },
        "threads": [{
            "id": t.id, "state": t.state.value, "need": t.need,
            "ward": t.ward.name if t.ward else None, "crisis": t.crisis, "urgent": t.urgent,
            "with": _name(t.coordinator), "started": _iso(t.created_at),
            "handed_to_a_person": _iso(t.handed_off_at), "closed": _iso(t.closed_at),
            "outcome_code": t.outcome} for t in thread_list],
        "messages": [{
            "id": m.id, "thread": m.thread_id, "sent": _iso(m.created_at),
            "direction": "to us" if m.direction.value == "in" else "to you",
            "from": author_words.get(m.author) or _name(m.coordinator) or "Coordinator",
            "channel": m.channel, "text": m.body, "delivery": m.status} for m in messages],
        "notes": [{"thread": n.thread_id, "written": _iso(n.created_at),
                   "by": _name(n.coordinator), "text": n.body} for n in notes],
        "outcomes": [{
            "recorded": _iso(r.recorded_at), "stage": outcomes.STAGES.get(r.stage, r.stage),
            "by": _name(r.coordinator),
            "scores": {domain_labels.get(s.domain, s.domain): s.score for s in r.scores}}
            for r in outcomes.reviews_for(resident)],
        "demand_avoided": [{"recorded": _iso(d.recorded_at), "by": _name(d.coordinator),
                            "what": demand_labels.get(d.event, d.event)}
                           for d in outcomes.demand_avoided_for(resident)],
        "follow_ups": [{
            "pointed_to": [r.entry_name for r in f.referrals], "pointed": _iso(f.pointed_at),
            "state": f.state, "sent": _iso(f.sent_at), "not_sent_because": f.skipped_reason,
            "answer": followups.ANSWER_WORDS.get(f.answer or "")}
            for f in followups.follow_ups_for(resident)],
        "good_life": {"name": resident.name, "language": resident.language,
                      "contact_times": resident.contact_times,
                      "what_would_make_a_good_life": resident.good_life,
                      "strengths": resident.strengths, "people_around": resident.people_around},
        "next_steps": [{"made": _iso(s.created_at), "what": s.text,
                        "due": s.due.isoformat() if s.due else None, "done": _iso(s.done_at)}
                       for s in _rows(NextStep, resident)],
        "connections": [{"made": _iso(c.created_at), "kind": c.kind, "with": c.name,
                         "stuck": c.stuck} for c in _rows(Connection, resident)],
        "contributions": [{"made": _iso(c.created_at), "what": c.text}
                          for c in _rows(Contribution, resident)],
        "coordinators_told": [{"when": _iso(n.created_at), "who": _name(n.coordinator),
                               "why": n.kind, "thread": n.thread_id} for n in told],
        "audit": [{"when": _iso(e.created_at), "who": _name(e.coordinator),
                   "action": e.action, "thread": e.thread_id, "detail": e.detail}
                  for e in audit],
    }


def _rows(model: Any, resident: Resident) -> list[Any]:
    return list(db.session.scalars(sa.select(model).where(
        model.resident_id == resident.id).order_by(model.id)))


def record_export(resident: Resident, by: Coordinator | None, now: datetime,
                  how: str) -> None:
    """A subject access export is itself a use of the record: audited."""
    outcomes.audit(by, "export", resident, how, now)


def check_reference(reference: str) -> str:
    reference = reference.strip()
    if len(reference) > MAX_REFERENCE or not set(reference) <= REFERENCE_CHARACTERS:
        raise ValueError(f"A reference is up to {MAX_REFERENCE} letters, digits and - / _ . "
                         "(a case number from the council's system, never a name).")
    return reference


def erase(resident: Resident, by: Coordinator, reason: str, reference: str,
          now: datetime) -> Removed:
    """Erase a resident's record at a lead's request; Refused names why it is kept."""
    if by.role != "lead":
        raise Refused("Only a team lead can erase a resident's record.")
    if reason not in ERASURE_REASONS:
        raise Refused("Choose why the record is being erased.")
    reference = check_reference(reference)
    if resident.erased_at is not None:
        raise Refused("This record was already erased.")
    if resident.safeguarding_hold:
        raise Refused("This record is under a safeguarding hold and is kept: "
                      f"{resident.hold_reason or 'no reason was given'}. Lift the hold "
                      "first if the safeguarding matter is closed.")
    removed = anonymise(resident, now)
    outcomes.audit(by, "erase", resident, f"{reason} {reference}".strip(), now)
    return removed


def set_hold(resident: Resident, by: Coordinator, on: bool, reason: str,
             now: datetime) -> None:
    """A lead puts a safeguarding hold on a record (with why) or lifts it."""
    if by.role != "lead":
        raise Refused("Only a team lead can set or lift a safeguarding hold.")
    reason = " ".join(reason.split())[:200]
    if on and not reason:
        raise Refused("Say why the record must be kept (for example, an open safeguarding "
                      "enquiry and its reference).")
    if resident.erased_at is not None:
        raise Refused("This record was already erased.")
    resident.safeguarding_hold = on
    resident.hold_reason = reason if on else None
    # The reason stays on the record only (erasure refuses while it is on), never in the
    # audit, which outlives the record.
    outcomes.audit(by, "hold_on" if on else "hold_off", resident, "", now)


def anonymise(resident: Resident, now: datetime) -> Removed:
    """Remove every word and identifier of the resident, in every table, keeping the rows
    reports count: message times, authors and channels; threads; outcome scores."""
    thread_ids = sa.select(Thread.id).where(Thread.resident_id == resident.id)
    messages = _count(sa.update(Message).where(
        Message.resident_id == resident.id).values(
        body="", provider_id=None, provider_ref=None, error=None, idempotency_key=None))
    notes = _count(sa.delete(Note).where(Note.thread_id.in_(thread_ids)))
    # The workspace's words about them go; the rows the reports count stay, naming nothing.
    contributions = _count(sa.update(Contribution).where(
        Contribution.resident_id == resident.id).values(text=""))
    _count(sa.update(Connection).where(Connection.resident_id == resident.id).values(name=""))
    _count(sa.delete(NextStep).where(NextStep.resident_id == resident.id))
    _count(sa.delete(PhoneCode).where(PhoneCode.webchat_resident_id == resident.id))
    resident.name = resident.language = resident.contact_times = None
    resident.good_life = resident.strengths = resident.people_around = None
    # The row stays so its threads and scores keep counting; it now names nobody. A new
    # text from the same number starts a new record.
    resident.address = f"erased-{resident.id}"
    resident.postcode = None
    resident.contact_by = None
    resident.hold_reason = None
    resident.opted_out = False
    resident.erased_at = now
    db.session.flush()
    return Removed(messages, notes, contributions)


def _count(statement: Any) -> int:
    """Run a bulk UPDATE or DELETE; how many rows it touched."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
