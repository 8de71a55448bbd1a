"""The database: SQLAlchemy 2 typed models. Queries live next to the code that needs them,
as named functions; commits happen once per request or job."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from frontdoor.extensions import Base, db

if TYPE_CHECKING:
    Model = Base   # what db.Model is, as far as the type checker can see
else:
    Model = db.Model


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores naive UTC (SQLite has no time zones) and always hands back aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given: use aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class ThreadState(enum.StrEnum):
    BOT = "bot"
    WAITING = "waiting_for_coordinator"
    WITH_COORDINATOR = "with_coordinator"
    CLOSED = "closed"


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


class Author(enum.StrEnum):
    RESIDENT = "resident"
    BOT = "bot"
    COORDINATOR = "coordinator"


def _enum(kind: type[enum.StrEnum]) -> sa.Enum:
    # Stored as plain strings with a CHECK constraint: portable across SQLite and PostgreSQL,
    # and adding a value later is a simple migration.
    return sa.Enum(
        kind,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Council(Model):
    """The council's own contact details: one row, loaded from config."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # The local authority's GSS code (E06000015), when council.toml gives it: with the name
    # and the demo flag, what tells one council's data from another's (one per database).
    code: so.Mapped[str | None] = so.mapped_column(sa.String(9))
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)
    # Bumped by every `frontdoor load-config`: running processes compare it to drop their
    # cached postcodes and wards (frontdoor/config_version.py).
    config_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    contact_centre_phone: so.Mapped[str] = so.mapped_column(sa.String(40))
    contact_centre_web: so.Mapped[str] = so.mapped_column(sa.String(120))
    contact_centre_hours: so.Mapped[str] = so.mapped_column(sa.String(80))
    safeguarding_phone: so.Mapped[str] = so.mapped_column(sa.String(40))
    safeguarding_hours: so.Mapped[str] = so.mapped_column(sa.String(80))
    safeguarding_out_of_hours_phone: so.Mapped[str] = so.mapped_column(sa.String(40))
    # A lead's switch: while paused, every message goes straight to a person (crisis replies
    # still go out first). Who paused it and why is also in the audit.
    paused_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    pause_reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    paused_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))

    paused_by: so.Mapped[Coordinator | None] = so.relationship()
    # The escalation ladder for urgent threads nobody has acknowledged, as "step:minutes"
    # pairs: "named:15,cover:15,on_call:15,lead:15" (see frontdoor/threads.py).
    escalation_ladder: so.Mapped[str] = so.mapped_column(
        sa.String(200), default="named:15,cover:15,on_call:15,lead:15")
    # Directory entries not assured or modified for longer than this are not offered.
    directory_freshness_months: so.Mapped[int] = so.mapped_column(default=12, server_default="12")
    # The council's privacy notice (linked from the first SMS reply and every page), its
    # retention policy (frontdoor/retention.py) and its accessibility contact.
    privacy_notice_url: so.Mapped[str] = so.mapped_column(sa.String(200), default="",
                                                          server_default="")
    retention_contact_years: so.Mapped[int] = so.mapped_column(default=2, server_default="2")
    retention_safeguarding_years: so.Mapped[int] = so.mapped_column(default=8,
                                                                    server_default="8")
    accessibility_contact: so.Mapped[str] = so.mapped_column(sa.String(200), default="",
                                                             server_default="")
    accessibility_reviewed: so.Mapped[date | None] = so.mapped_column(sa.Date)
    # The languages residents are answered in, "en" or "cy,en" (council.toml [languages]),
    # and the council's own opt-out words beside Twilio's ("STOPIO;DAD-DANYSGRIFIO").
    languages: so.Mapped[str] = so.mapped_column(sa.String(20), default="en",
                                                 server_default="en")
    opt_out_words: so.Mapped[str] = so.mapped_column(sa.String(200), default="",
                                                     server_default="")

    @property
    def offered_languages(self) -> tuple[str, ...]:
        return tuple(code for code in (self.languages or "en").split(",") if code)

    @property
    def own_opt_out_words(self) -> frozenset[str]:
        return frozenset(w for w in (self.opt_out_words or "").split(";") if w)


class Coordinator(Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    work_phone: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    # Three-letter day names, comma separated: "Mon,Tue,Wed,Thu".
    working_days: so.Mapped[str] = so.mapped_column(sa.String(40), default="Mon,Tue,Wed,Thu,Fri")
    role: so.Mapped[str] = so.mapped_column(sa.String(20), default="coordinator")
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # Their own working hours; None means the council's (WORKING_HOURS_START/END).
    starts_work: so.Mapped[time | None] = so.mapped_column(sa.Time)
    ends_work: so.Mapped[time | None] = so.mapped_column(sa.Time)
    # Where the person was added: "config" (coordinators.toml, so load-config deactivates
    # them when they leave the file) or "inbox" (added by a lead or the command line).
    source: so.Mapped[str] = so.mapped_column(sa.String(12), default="inbox")
    deactivated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The second factor for password sign-in (TOTP, RFC 6238): the shared secret, when it was
    # confirmed, and the last time step used, so a code cannot be used twice.
    totp_secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    totp_enrolled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    totp_last_step: so.Mapped[int | None]
    # The identity provider's "iss sub" for this person, pinned at the first single sign-on,
    # so an email address later given to someone else does not open this account.
    sso_subject: so.Mapped[str | None] = so.mapped_column(sa.String(300))

    leave: so.Mapped[list[Leave]] = so.relationship(
        back_populates="coordinator", cascade="all, delete-orphan", order_by="Leave.starts"
    )

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def day_names(self) -> list[str]:
        return [d for d in self.working_days.split(",") if d]

    def leave_on(self, day: date) -> Leave | None:
        return next((lv for lv in self.leave if lv.starts <= day <= lv.ends), None)


class Leave(Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coordinator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"), index=True)
    starts: so.Mapped[date]
    ends: so.Mapped[date]
    coordinator: so.Mapped[Coordinator] = so.relationship(back_populates="leave")


class OnCall(Model):
    """Who is on call outside working hours, from `starts` to `ends` (a rota entry)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coordinator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"), index=True)
    starts: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    ends: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    coordinator: so.Mapped[Coordinator] = so.relationship()


class Ward(Model):
    code: so.Mapped[str] = so.mapped_column(sa.String(9), primary_key=True)  # GSS code
    name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    # Lower-case misspellings and neighbourhood names, ";"-separated.
    aliases: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    coordinator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    cover_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))

    coordinator: so.Mapped[Coordinator | None] = so.relationship(foreign_keys=[coordinator_id])
    cover: so.Mapped[Coordinator | None] = so.relationship(foreign_keys=[cover_id])


class Postcode(Model):
    """A full postcode ("DE23 8AB") or a sector ("DE23 8") and the ward it lies in."""

    postcode: so.Mapped[str] = so.mapped_column(sa.String(8), primary_key=True)
    ward_code: so.Mapped[str] = so.mapped_column(sa.ForeignKey("ward.code"), index=True)
    # "config" (the council's postcodes.csv) or "ons" (`frontdoor postcodes import`): each
    # loader replaces only its own rows, so reloading the config keeps the ONS import.
    source: so.Mapped[str] = so.mapped_column(sa.String(8), default="config",
                                              server_default="config")


directory_entry_ward = sa.Table(
    "directory_entry_ward",
    db.metadata,
    sa.Column("entry_id", sa.ForeignKey("directory_entry.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("ward_code", sa.ForeignKey("ward.code", ondelete="CASCADE"), primary_key=True),
)


class DirectoryEntry(Model):
    """Local information: a community group or a service, imported from Open Referral UK."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # The service's id in the council's ORUK feed: re-imports update in place by it.
    oruk_id: so.Mapped[str | None] = so.mapped_column(sa.String(255), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(255))
    # The first sentence of the description: what a reply shows.
    summary: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    organisation: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    # "community" (groups, neighbours, volunteers) or "service" (formal services).
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    # How to reach it, as a reply says it ("Call 01632 960101"), and the parts it came from.
    contact: so.Mapped[str] = so.mapped_column(sa.String(200))
    phones: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    # Where to go, when it may be sent: never set for a confidential location (a refuge).
    address: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    confidential: so.Mapped[bool] = so.mapped_column(default=False)
    # "Tue and Thu 10am-1pm"; `schedules` keeps the RFC 5545 parts for bank-holiday notes.
    hours: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    schedules: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    min_age: so.Mapped[int | None]
    max_age: so.Mapped[int | None]
    citywide: so.Mapped[bool] = so.mapped_column(default=False)
    # Needs met, ";"-separated labels; kept small and denormalised: read far more than written.
    needs: so.Mapped[str] = so.mapped_column(sa.String(200))
    # "map" (the council's needs map) or "classifier" (no taxonomy term was mapped).
    needs_from: so.Mapped[str] = so.mapped_column(sa.String(12), default="map")
    # Taxonomy term names, ";"-separated: searched with the name and description.
    terms: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    assured_date: so.Mapped[date | None]
    last_modified: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # "config" (load-config) or the SOURCE given to `directory import`.
    source: so.Mapped[str] = so.mapped_column(sa.String(500), default="config")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)

    wards: so.Mapped[list[Ward]] = so.relationship(secondary=directory_entry_ward)

    @property
    def need_list(self) -> list[str]:
        return [n for n in self.needs.split(";") if n]


class Resident(Model):
    """Someone who contacted the front door, known only by their channel address."""

    __table_args__ = (sa.UniqueConstraint("channel", "address"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(16))
    # E.164 phone number for SMS; for web chat a SHA-256 of the conversation token, so a
    # database leak does not hand out live conversation tokens.
    address: so.Mapped[str] = so.mapped_column(sa.String(128))
    ward_code: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("ward.code"))
    postcode: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    # The named coordinator is remembered so a returning resident keeps the same person.
    coordinator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    opted_out: so.Mapped[bool] = so.mapped_column(default=False)
    # How the resident said they may be reached (a domestic-abuse thread asks first):
    # None (not asked), "sms" (safe to text), "call_only" or "webchat_only".
    contact_by: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Written first when a message is answered: the row lock that keeps one resident's
    # messages answered one at a time, in every database (see conversations.receive).
    last_contact_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # One person's records on both channels, once linked (by a code texted to the phone, or
    # by a coordinator by hand): every later record points at the person's first record,
    # which holds what coordinators keep about them (below).
    linked_to_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resident.id"),
                                                           index=True)
    # What coordinators keep about the person, entered by a coordinator (never read out of
    # the resident's messages): the name they gave or prefer, their language, when they
    # like to be contacted, and what would make a good life for them, in their words.
    name: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    language: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    # The language the front door answers them in ("cy" or "en"): detected from their
    # words, or switched by them ("Cymraeg" / "English"), and remembered (frontdoor/i18n.py).
    reply_language: so.Mapped[str | None] = so.mapped_column(sa.String(2))
    contact_times: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    good_life: so.Mapped[str | None] = so.mapped_column(sa.Text)
    strengths: so.Mapped[str | None] = so.mapped_column(sa.Text)
    people_around: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # A lead keeps the record whole while a safeguarding matter is open: neither erasure
    # nor retention touches it (frontdoor/rights.py, frontdoor/retention.py).
    safeguarding_hold: so.Mapped[bool] = so.mapped_column(default=False,
                                                          server_default=sa.false())
    hold_reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # When the resident's text and identifiers were removed (erasure or retention): the
    # row stays, holding nothing about them, so that reports keep their counts.
    erased_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    ward: so.Mapped[Ward | None] = so.relationship()
    coordinator: so.Mapped[Coordinator | None] = so.relationship()
    linked_to: so.Mapped[Resident | None] = so.relationship(remote_side=[id])

    @property
    def person(self) -> Resident:
        """The person's first record: where their name and good-life plan are kept."""
        return self.linked_to or self


class Thread(Model):
    __table_args__ = (
        # One open thread per resident, kept by the database and not only by the code.
        sa.Index("ix_thread_one_open_per_resident", "resident_id", unique=True,
                 sqlite_where=sa.text("state != 'closed'"),
                 postgresql_where=sa.text("state != 'closed'")),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"), index=True)
    state: so.Mapped[ThreadState] = so.mapped_column(_enum(ThreadState), default=ThreadState.BOT)
    urgent: so.Mapped[bool] = so.mapped_column(default=False)
    crisis: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    # The crisis check's "possible concern": the need was answered with a gentle line and a
    # number, and a person should check in with the resident. Not urgent.
    check_in: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    need: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    ward_code: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("ward.code"))
    coordinator_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("coordinator.id"), index=True
    )
    handoff_reason: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    # What the bot last asked, so the next message can answer it: "area", "ward", "choice".
    awaiting: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    # The need waiting on that answer, and the numbered options offered (";"-separated).
    pending_need: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    options: so.Mapped[str | None] = so.mapped_column(sa.String(400))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    handed_off_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    out_of_hours_ack_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    taken_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # A coordinator's first message to the resident on this thread (reports: time to a
    # person's first reply), kept here so reports never scan every message.
    first_reply_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # A ward the resident named while a coordinator owns the thread: shown to them as a
    # suggested hand-over. Resident text never moves a thread (or who may see it).
    suggested_ward_code: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("ward.code"))
    # When the resident was promised a reply ("will reply by 5pm today"), and when the
    # worker told them that promise had passed and moved the thread on.
    reply_due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    overdue_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Urgent threads climb the escalation ladder until a person acknowledges them.
    escalation_step: so.Mapped[int] = so.mapped_column(default=0)
    escalated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    acknowledged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    acknowledged_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    # Web chat only: a keyed digest of the address the thread came from (never the address).
    origin: so.Mapped[str | None] = so.mapped_column(sa.String(32), index=True)
    # One of a burst of urgent threads from one address: its alerts go out grouped with the
    # others' (threads.py), while the thread itself is shown and urgent like any other.
    alert_grouped: so.Mapped[bool] = so.mapped_column(default=False)

    resident: so.Mapped[Resident] = so.relationship()
    ward: so.Mapped[Ward | None] = so.relationship(foreign_keys=[ward_code])
    suggested_ward: so.Mapped[Ward | None] = so.relationship(foreign_keys=[suggested_ward_code])
    coordinator: so.Mapped[Coordinator | None] = so.relationship(foreign_keys=[coordinator_id])
    acknowledged_by: so.Mapped[Coordinator | None] = so.relationship(
        foreign_keys=[acknowledged_by_id])
    messages: so.Mapped[list[Message]] = so.relationship(
        back_populates="thread", order_by="Message.id"
    )

    @property
    def option_list(self) -> list[str]:
        return [o for o in (self.options or "").split(";") if o]


class Message(Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    thread_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("thread.id"), index=True)
    resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"), index=True)
    direction: so.Mapped[Direction] = so.mapped_column(_enum(Direction))
    author: so.Mapped[Author] = so.mapped_column(_enum(Author))
    channel: so.Mapped[str] = so.mapped_column(sa.String(16))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    media_count: so.Mapped[int] = so.mapped_column(default=0)
    # Twilio's MessageSid for inbound SMS: unique, because Twilio retries the same message.
    provider_id: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    # A bot reply points at the inbound message it answers, so a retry gets the same reply.
    reply_to_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("message.id"), index=True)
    coordinator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    # Outbound delivery: "twiml" (in the webhook response), "shown" (web chat), "queued",
    # "sent", "delivered", "failed", "not_sent" (opted out) ...
    status: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    provider_ref: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True)
    error: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The outbox (replies sent by the worker, not in a webhook response). The key makes a
    # retry after a crash find the first attempt instead of sending twice.
    idempotency_key: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    # Set while a worker is sending; a stale value means that worker died mid-send.
    sending_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The last attempt failed in a way that may have reached the provider (a timeout after
    # the request was written, a reset, a 5xx): ask the provider before sending again.
    maybe_sent: so.Mapped[bool] = so.mapped_column(default=False)

    thread: so.Mapped[Thread | None] = so.relationship(back_populates="messages")
    resident: so.Mapped[Resident] = so.relationship()
    reply_to: so.Mapped[Message | None] = so.relationship(remote_side=[id])
    coordinator: so.Mapped[Coordinator | None] = so.relationship()


class Note(Model):
    """A coordinator's private note on a thread: never sent to the resident."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("thread.id"), index=True)
    coordinator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    coordinator: so.Mapped[Coordinator] = so.relationship()


class AuditEvent(Model):
    """Who did what to which thread, and when. Never message text."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coordinator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    action: so.Mapped[str] = so.mapped_column(sa.String(32))
    thread_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("thread.id"), index=True)
    # A resident's page viewed (their full number is on it), their records linked, or an
    # action on a resident rather than a thread (outcomes, export, erasure, hold).
    resident_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resident.id"),
                                                          index=True)
    detail: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)

    coordinator: so.Mapped[Coordinator | None] = so.relationship()


class SignIn(Model):
    """A signed-in session, kept on the server so that signing out really ends it."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    coordinator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"),
                                                      index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    ended_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # "password" (with a second factor) or "sso"; where from and on what, for "my sessions".
    method: so.Mapped[str] = so.mapped_column(sa.String(12), default="password")
    address: so.Mapped[str] = so.mapped_column(sa.String(45), default="")
    device: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    # When the person last proved it was them again (a lead changing another lead's account).
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    coordinator: so.Mapped[Coordinator] = so.relationship()


class Notification(Model):
    """Telling a coordinator (or the lead) there is something to answer."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coordinator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    thread_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("thread.id"), index=True)
    # "handoff", "urgent" (a step of the escalation ladder), "overdue", "reminder"
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    # For "urgent": the ladder step that chose this person ("named", "cover", "on_call", "lead").
    step: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    error: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    coordinator: so.Mapped[Coordinator] = so.relationship()


class WorkerHeartbeat(Model):
    """The last time each `frontdoor worker` went round its loop: /readyz and /metrics
    read it to tell that replies and urgent escalations are still being sent."""

    worker: so.Mapped[str] = so.mapped_column(sa.String(120), primary_key=True)  # host:pid
    beat_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)


class RecoveryCode(Model):
    """A single-use code for when the authenticator app is lost; only its SHA-256 is kept."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coordinator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"),
                                                      index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class Invitation(Model):
    """A single-use, expiring link with which a coordinator chooses their own password."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coordinator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"),
                                                      index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    coordinator: so.Mapped[Coordinator] = so.relationship()


class SignInThrottle(Model):
    """Failed sign-ins counted per account or address, when no Redis is configured: in the
    database so that every web worker sees the same counts."""

    key: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)
    failures: so.Mapped[int] = so.mapped_column(default=0)
    last_failure_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    blocked_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


# -- the safety net: how each message was read, a person sees every conversation the front
# door answered alone, and corrections for retraining (frontdoor/review.py) ------------------

class MessageReading(Model):
    """How the front door read one inbound message. Scores and labels, never text."""

    message_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("message.id"), primary_key=True)
    need: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    confidence: so.Mapped[float] = so.mapped_column(sa.Float, default=0.0)
    unsure: so.Mapped[bool] = so.mapped_column(default=False)
    # Needs named together (";"-separated), when more than one.
    several_needs: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # What the crisis check decided: a category (None for no crisis), its level ("clear" or
    # "possible") and whether a rule or the model said so.
    crisis: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    crisis_level: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    crisis_source: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    # The crisis model's own highest score and its category, below the threshold too: what
    # orders the review list.
    crisis_score: so.Mapped[float] = so.mapped_column(sa.Float, default=0.0)
    crisis_top: so.Mapped[str | None] = so.mapped_column(sa.String(32))


class Review(Model):
    """A stretch of a conversation the front door answered by itself, from its first unseen
    message, waiting until a person has seen it."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("thread.id"), index=True)
    first_message_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("message.id"))
    last_message_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("message.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The promise: seen by a person by then (REVIEW_PROMISE_WORKING_DAYS); the worker reminds
    # whoever should see it, then moves it to the cover or a lead.
    due_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    reminded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    moved_to_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"),
                                                          index=True)
    moved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # "fine", "follow_up", "corrected", "crisis", or "with_a_person" (handed over before
    # anyone looked: the person who has the thread reads it there).
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(16))

    thread: so.Mapped[Thread] = so.relationship()
    moved_to: so.Mapped[Coordinator | None] = so.relationship(foreign_keys=[moved_to_id])
    resolved_by: so.Mapped[Coordinator | None] = so.relationship(foreign_keys=[resolved_by_id])


class Correction(Model):
    """A person's correction of how a resident's message was read: exported, scrubbed, for
    review and retraining (`frontdoor corrections export`)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    message_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("message.id"), index=True)
    coordinator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    # What it was read as, and what the person says it is (None: that part was right).
    need_read: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    need: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    crisis_read: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    # A crisis category, or "no_crisis" for a message that was not one.
    crisis: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    message: so.Mapped[Message] = so.relationship()
    coordinator: so.Mapped[Coordinator] = so.relationship()


# -- the coordinator's workspace: the person, their plan, keeping up ------------------------

class NextStep(Model):
    """A next step towards a good life, with the date it is meant for."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.String(300))
    due: so.Mapped[date | None]
    done_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    created_by: so.Mapped[Coordinator] = so.relationship()


class Connection(Model):
    """The resident was introduced to a directory entry, or to a person, community or service;
    and whether it stuck."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"), index=True)
    # Loading the council's directory again replaces its entries: the name is kept here.
    directory_entry_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("directory_entry.id", ondelete="SET NULL"))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # "person", "community" or "service".
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    introduced_on: so.Mapped[date | None]
    # "not_yet" (not known yet), "yes" (it stuck) or "no".
    stuck: so.Mapped[str] = so.mapped_column(sa.String(8), default="not_yet")
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    directory_entry: so.Mapped[DirectoryEntry | None] = so.relationship()
    created_by: so.Mapped[Coordinator] = so.relationship()


class Contribution(Model):
    """Something the resident gives: they started helping others."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.String(300))
    since: so.Mapped[date | None]
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    created_by: so.Mapped[Coordinator] = so.relationship()


class SavedReply(Model):
    """A reply the team keeps for reuse ("canned replies")."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(80))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    created_by: so.Mapped[Coordinator] = so.relationship()


class ThreadRead(Model):
    """How far each coordinator has read each thread: the resident's later messages are new."""

    coordinator_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id"),
                                                      primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("thread.id"), primary_key=True)
    last_message_id: so.Mapped[int] = so.mapped_column(default=0)
    read_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class PhoneCode(Model):
    """A 6-digit code texted to a phone at a web-chat resident's request: typed back into
    the chat, it proves the phone is theirs and links the two records."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    webchat_resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"),
                                                           index=True)
    phone: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)   # E.164
    # An HMAC of the code (keyed with SECRET_KEY), never the code itself.
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


# -- the evidence that LAC works (frontdoor/outcomes.py, followups.py, inbox/reports.py) ---

class OutcomeDomain(Model):
    """An outcome domain scored 1 to 5 ("domain"), or a demand the coordinator believes was
    avoided ("demand"), from the council's outcomes.toml."""

    key: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(8))
    label: so.Mapped[str] = so.mapped_column(sa.String(120))
    position: so.Mapped[int] = so.mapped_column(default=0)
    active: so.Mapped[bool] = so.mapped_column(default=True)


class OutcomeReview(Model):
    """Scores recorded with the resident: at the start ("start"), then at each review."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"), index=True)
    coordinator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    stage: so.Mapped[str] = so.mapped_column(sa.String(8))
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)

    coordinator: so.Mapped[Coordinator | None] = so.relationship()
    scores: so.Mapped[list[OutcomeScore]] = so.relationship(
        cascade="all, delete-orphan", order_by="OutcomeScore.id")


class OutcomeScore(Model):
    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_1_to_5"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    review_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("outcome_review.id", ondelete="CASCADE"), index=True)
    domain: so.Mapped[str] = so.mapped_column(sa.String(40))
    score: so.Mapped[int]


class DemandAvoided(Model):
    """A GP visit, A&E attendance, eviction ... the coordinator believes was avoided."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"), index=True)
    coordinator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    event: so.Mapped[str] = so.mapped_column(sa.String(40))
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)

    coordinator: so.Mapped[Coordinator | None] = so.relationship()


class FollowUp(Model):
    """'Did it help?': one text, days after the resident was pointed to directory entries."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"), index=True)
    thread_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("thread.id"))
    pointed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    due_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    # "due" (waiting for its day), "sent", "answered", "skipped" (never sent, with why).
    state: so.Mapped[str] = so.mapped_column(sa.String(12), default="due")
    skipped_reason: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    message_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("message.id"))
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    # "yes", "not_yet", "did_not_fit", "person".
    answer: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    referrals: so.Mapped[list[Referral]] = so.relationship(order_by="Referral.id")


sa.Index("ix_follow_up_state_due_at", FollowUp.state, FollowUp.due_at)


class Referral(Model):
    """The resident was pointed to a directory entry, by the front door or a coordinator.
    The entry's name and kind are copied: loading the directory again replaces entries."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    follow_up_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("follow_up.id"), index=True)
    resident_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resident.id"), index=True)
    entry_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("directory_entry.id", ondelete="SET NULL"))
    entry_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    entry_kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    need: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    coordinator_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("coordinator.id"))
    pointed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)


# Indexes the reports and retention read by (bench/inbox_scale.py measures them).
# PostgreSQL answers the reports' counts of threads from the index alone (INCLUDE).
REPORTED = ["need", "ward_code", "coordinator_id", "handed_off_at", "crisis", "first_reply_at"]
sa.Index("ix_thread_created_at", Thread.created_at, postgresql_include=REPORTED)
sa.Index("ix_message_thread_author_created", Message.thread_id, Message.author,
         Message.created_at)
# The inbox lists threads waiting for or with a person: a few hundred among a council's
# hundred thousand (front-door threads never close).
OPEN_FOR_A_PERSON = sa.text("state IN ('waiting_for_coordinator', 'with_coordinator')")
sa.Index("ix_thread_open", Thread.state, sqlite_where=OPEN_FOR_A_PERSON,
         postgresql_where=OPEN_FOR_A_PERSON)
sa.Index("ix_resident_created_at", Resident.created_at,
         postgresql_include=["ward_code", "coordinator_id"])
sa.Index("ix_resident_last_contact_at", Resident.last_contact_at)
# Texts waiting for the worker's answer (frontdoor/deferred.py): none, or a few, among
# millions; the webhook asks "any waiting?" on every request while SMS_REPLIES is auto.
DEFERRED_ONLY = sa.text("status = 'deferred'")
sa.Index("ix_message_deferred", Message.resident_id, Message.id,
         sqlite_where=DEFERRED_ONLY, postgresql_where=DEFERRED_ONLY)
