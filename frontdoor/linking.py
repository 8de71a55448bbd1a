"""One person on both channels. A web-chat record and an SMS record are linked only with
proof: a 6-digit code texted to the phone and typed back into the chat (a number typed into
the chat proves nothing), or a coordinator's decision by hand, which is audited. Later
records point at the person's first record, which keeps what coordinators record about them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from frontdoor import queries
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Connection,
    Contribution,
    NextStep,
    PhoneCode,
    Resident,
)

CODE_MINUTES = 10
MAX_TRIES = 5
# Per chat and per phone number, over a day: each code is a text someone pays for, and a
# stranger's number typed into the chat must not be pestered.
MAX_CODES_PER_DAY = 5
# Choices that say "do not text": after a link they hold for every record of the person.
DO_NOT_TEXT = ("call_only", "webchat_only")
# What coordinators keep about the person; texts are joined when both records have one.
_PERSON_TEXTS = ("good_life", "strengths", "people_around", "contact_times")
_PERSON_VALUES = ("name", "language")
# Where the person lives and who their named coordinator is: each record keeps its own
# (the engine routes by record), and a record that does not know fills the gap.
_ROUTING = ("ward_code", "postcode", "coordinator_id")


class PhoneNumberError(ValueError):
    """The number given cannot take a code by text."""


class TooManyCodes(RuntimeError):
    """Enough codes have been texted for this chat or this number today."""


# -- records of one person ---------------------------------------------------------------------

def records_of(resident: Resident) -> list[Resident]:
    """Every record of the person `resident` belongs to, their first record first."""
    person = resident.person
    return [person, *db.session.scalars(sa.select(Resident).where(
        Resident.linked_to_id == person.id).order_by(Resident.id))]


def link(one: Resident, other: Resident) -> Resident:
    """Make two records one person; returns the person's first record (the older one)."""
    first, second = sorted((one.person, other.person), key=lambda r: r.id)
    if first.id == second.id:
        return first
    db.session.execute(sa.update(Resident).where(Resident.linked_to_id == second.id)
                       .values(linked_to_id=first.id).execution_options(
                           synchronize_session="fetch"))
    second.linked_to = first
    for field in _PERSON_TEXTS:
        mine, theirs = getattr(first, field), getattr(second, field)
        if theirs:
            setattr(first, field, f"{mine}\n\n{theirs}" if mine else theirs)
        setattr(second, field, None)
    for field in _PERSON_VALUES:
        if not getattr(first, field):
            setattr(first, field, getattr(second, field))
        setattr(second, field, None)
    for model in (NextStep, Connection, Contribution):
        db.session.execute(sa.update(model).where(model.resident_id == second.id)
                           .values(resident_id=first.id).execution_options(
                               synchronize_session="fetch"))
    db.session.flush()
    records = records_of(first)
    for field in _ROUTING:
        known = next((getattr(r, field) for r in records if getattr(r, field)), None)
        for record in records:
            if getattr(record, field) is None:
                setattr(record, field, known)
    # Safety first: if any record says "do not text", none of them may be texted.
    careful = next((r.contact_by for r in records if r.contact_by in DO_NOT_TEXT), None)
    if careful:
        for record in records:
            record.contact_by = careful
    return first


def unlink(record: Resident) -> None:
    """Separate a later record from the person again (their first record keeps the plan)."""
    record.linked_to = None


def set_contact_by(resident: Resident, choice: str) -> None:
    """How the person may be reached holds for all their records: the outbox checks the
    record it texts, whichever record the coordinator was looking at."""
    for record in records_of(resident):
        record.contact_by = choice


# -- proof by a texted code --------------------------------------------------------------------

def mobile_number(text: str, region: str) -> str:
    """The E.164 form of a mobile number typed by a resident; a clear error otherwise."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise PhoneNumberError("That does not look like a phone number.") from error
    if not phonenumbers.is_possible_number(parsed):
        raise PhoneNumberError("That does not look like a phone number.")
    if phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise PhoneNumberError("That looks like a landline. We need a mobile number to text "
                               "a code to.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def code_digest(secret: str, chat_id: int, phone: str, code: str) -> str:
    """What a code is stored as: keyed, and bound to the chat and the number it proves."""
    return hmac.new(secret.encode(), f"{chat_id}:{phone}:{code}".encode(),
                    hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CodeToSend:
    phone_record: Resident
    code: str


def request_code(chat: Resident, phone: str, now: datetime, secret: str) -> CodeToSend:
    """A new 6-digit code for `chat` to prove `phone` (E.164) is theirs. Earlier codes for
    this chat stop working. The caller texts the code through the outbox."""
    since = now - timedelta(days=1)
    by_chat = db.session.scalar(sa.select(sa.func.count()).select_from(PhoneCode).where(
        PhoneCode.webchat_resident_id == chat.id, PhoneCode.created_at > since)) or 0
    by_phone = db.session.scalar(sa.select(sa.func.count()).select_from(PhoneCode).where(
        PhoneCode.phone == phone, PhoneCode.created_at > since)) or 0
    if max(by_chat, by_phone) >= MAX_CODES_PER_DAY:
        raise TooManyCodes("Enough codes have been sent today. Please try again tomorrow, "
                           "or ask your coordinator.")
    db.session.execute(sa.update(PhoneCode).where(
        PhoneCode.webchat_resident_id == chat.id, PhoneCode.used_at.is_(None),
        PhoneCode.expires_at > now).values(expires_at=now))
    code = f"{secrets.randbelow(10 ** 6):06d}"
    db.session.add(PhoneCode(webchat_resident_id=chat.id, phone=phone,
                             code_hash=code_digest(secret, chat.id, phone, code), created_at=now,
                             expires_at=now + timedelta(minutes=CODE_MINUTES), attempts=0))
    return CodeToSend(sms_record(phone, now), code)


def verify_code(chat: Resident, typed: str, now: datetime, secret: str) -> str:
    """'linked', or why not: 'wrong', 'expired', 'too_many_tries' or 'no_code'."""
    row = db.session.scalar(sa.select(PhoneCode).where(
        PhoneCode.webchat_resident_id == chat.id, PhoneCode.used_at.is_(None))
        .order_by(PhoneCode.id.desc()).limit(1))
    if row is None:
        return "no_code"
    checked = try_code(row, chat.id, typed, now, secret)
    if checked != "right":
        return checked
    phone_record = sms_record(row.phone, now)
    person = link(chat, phone_record)
    db.session.add(AuditEvent(coordinator_id=None, action="link_verified", resident_id=person.id,
                              detail=f"records {chat.id} and {phone_record.id}, by a texted code",
                              created_at=now))
    return "linked"


def try_code(row: PhoneCode, chat_id: int, typed: str, now: datetime, secret: str) -> str:
    """One try of the code `row` holds for chat `chat_id`: 'right' (the code is then used),
    or why not: 'expired', 'too_many_tries' or 'wrong'. Every try counts, right or not:
    after MAX_TRIES the code stops working. Reads and changes only `row`."""
    if row.expires_at <= now:
        return "expired"
    if row.attempts >= MAX_TRIES:
        return "too_many_tries"
    row.attempts += 1
    # Digits only: a code typed with a space or a dash ("123 456") is the same code.
    code = "".join(ch for ch in typed if ch.isdigit())
    if not hmac.compare_digest(row.code_hash, code_digest(secret, chat_id, row.phone, code)):
        return "too_many_tries" if row.attempts >= MAX_TRIES else "wrong"
    row.used_at = now
    return "right"


def sms_record(phone: str, now: datetime) -> Resident:
    """The SMS record for a number, made if the number has never texted us. An INSERT that
    does nothing on conflict, as the engine does: a text arriving at the same moment from
    that number finds the same record."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(Resident).values(
        channel="sms", address=phone, created_at=now, opted_out=False)
        .on_conflict_do_nothing(index_elements=["channel", "address"]))
    record = queries.find_resident_by_address("sms", phone)
    assert record is not None
    return record
