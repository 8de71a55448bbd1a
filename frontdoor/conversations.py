"""The conversation engine both channels use: Inbound -> stored -> read -> decided -> reply.

Where a need is decided: frontdoor/triage/decide.py. Where the words come from:
frontdoor/replies.py. Channels (frontdoor/channels/) only translate in and out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from frontdoor import replies
from frontdoor.channels import Inbound
from frontdoor.directory.lookup import ward_named
from frontdoor.directory.search import offers_for
from frontdoor.extensions import db
from frontdoor.models import (
    Author,
    Coordinator,
    Council,
    Direction,
    Message,
    Postcode,
    Resident,
    Thread,
    ThreadState,
    Ward,
    utcnow,
)
from frontdoor.rota import (
    Hours,
    back_on,
    describe_date,
    describe_days,
    describe_when,
    is_working_now,
    reply_by,
)
from frontdoor.triage import decide as decisions
from frontdoor.triage.entities import Place, PlaceFinder, WardName
from frontdoor.triage.understand import Reading, Triage

# Twilio's default opt-out and opt-in keywords, matched when sent alone in any case.
OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN = {"START", "YES", "UNSTOP"}
HELP = {"HELP", "INFO"}
# Twilio's own limit for one message; anything longer is a lot for a bot to answer.
LONG_MESSAGE = 1600
STORED_LIMIT = 10_000
OPEN_STATES = (ThreadState.WAITING, ThreadState.WITH_COORDINATOR)


@dataclass(frozen=True)
class Receipt:
    """What happened to one inbound message."""

    message_id: int
    thread_id: int | None
    replies: list[str]
    duplicate: bool = False


@dataclass
class FrontDoor:
    triage: Triage
    hours: Hours
    clock: Callable[[], datetime] = utcnow
    on_handoff: list[Callable[[Thread], None]] = field(default_factory=list)
    _places: PlaceFinder | None = None

    # -- places ---------------------------------------------------------------------------

    def places(self) -> PlaceFinder:
        """The council's wards and postcodes as a matcher, built once from the database."""
        if self._places is None:
            wards = db.session.scalars(sa.select(Ward)).all()
            postcodes = dict(db.session.execute(
                sa.select(Postcode.postcode, Postcode.ward_code)).all())
            self._places = PlaceFinder(
                [WardName(w.code, w.name, tuple(a for a in w.aliases.split(";") if a))
                 for w in wards], postcodes)
        return self._places

    def forget_places(self) -> None:
        self._places = None

    # -- the one entry point --------------------------------------------------------------

    def receive(self, inbound: Inbound) -> Receipt:
        """Store the message first (once), then answer it."""
        # PostgreSQL text cannot hold NUL; nothing else about the text is changed.
        inbound = replace(inbound, text=inbound.text.replace("\x00", "\ufffd"))
        resident = _resident_for(inbound.channel, inbound.sender)
        if inbound.provider_id:
            earlier = _message_by_provider_id(inbound.provider_id)
            if earlier is not None and earlier.thread_id is not None:
                return _replay(earlier)
        message = Message(
            resident=resident, direction=Direction.IN, author=Author.RESIDENT,
            channel=inbound.channel, body=inbound.text[:STORED_LIMIT],
            media_count=inbound.media_count, provider_id=inbound.provider_id,
            created_at=self.clock())
        db.session.add(message)
        try:
            # Stored and committed before anything else happens: nothing is lost if
            # anything after this fails.
            db.session.commit()
        except IntegrityError:
            # Twilio retried while the first delivery was still being answered.
            db.session.rollback()
            earlier = _message_by_provider_id(inbound.provider_id or "")
            if earlier is None:
                raise
            return _replay(earlier) if earlier.thread_id is not None else Receipt(
                earlier.id, None, [], duplicate=True)
        texts = self._answer(message, resident, inbound)
        db.session.commit()
        return Receipt(message.id, message.thread_id, texts)

    # -- answering ------------------------------------------------------------------------

    def _answer(self, message: Message, resident: Resident, inbound: Inbound) -> list[str]:
        now = self.clock()
        thread = _current_thread(resident, now)
        message.thread = thread
        text = inbound.text
        keyword = text.strip().strip(".!").upper()
        reading = self.triage.read(text, self.places()) if text.strip() else _EMPTY
        if reading.place.ward_code:
            resident.ward_code = reading.place.ward_code
            if reading.place.postcode and " " in reading.place.postcode \
                    and len(reading.place.postcode) > 6:
                resident.postcode = reading.place.postcode
        thread.ward_code = resident.ward_code or thread.ward_code
        channel = inbound.channel

        # Safety first, every time, whoever owns the thread.
        if reading.crisis is not None:
            who = self._hand_over(thread, resident, "crisis", now, reading.crisis.category)
            if resident.opted_out:
                return []
            council = _council()
            reply = replies.crisis(reading.crisis.category, who, council.name,
                                   council.safeguarding_phone)
            return [self._send(thread, message, reply, channel, awaiting=None)]

        if channel == "sms" and keyword in OPT_OUT:
            # Twilio stops delivery and confirms to the resident itself; we say nothing.
            resident.opted_out = True
            return []
        if channel == "sms" and keyword in OPT_IN:
            resident.opted_out = False
            return [self._send(thread, message, replies.opted_in(self._offer(resident, now)),
                               channel)]
        if resident.opted_out:
            return []
        if keyword in HELP:
            return [self._send(thread, message, replies.help_text(
                _council().name, self._offer(resident, now)), channel)]

        if thread.state in OPEN_STATES:
            # The bot never talks over a coordinator; it only says when they will answer.
            return self._out_of_hours_ack(thread, message, channel, now)

        if not text.strip():
            return [self._send(thread, message, replies.no_words(self._offer(resident, now)),
                               channel)]
        if len(text) > LONG_MESSAGE:
            who = self._hand_over(thread, resident, "long", now)
            return [self._send(thread, message, replies.long_message_handed_over(who), channel)]

        context = decisions.Context(
            ward_code=resident.ward_code, awaiting=thread.awaiting,
            options=tuple(thread.option_list), pending_need=thread.pending_need)
        decision = decisions.decide(reading, text, context, self.triage.answerable)
        return [self._act(decision, thread, message, resident, channel, now)]

    def _act(self, decision: decisions.Decision, thread: Thread, message: Message,
             resident: Resident, channel: str, now: datetime) -> str:
        needs = self.triage.needs
        match decision:
            case decisions.Handoff(reason=reason):
                if resident.ward_code is None and reason == "asked_for_person" \
                        and thread.awaiting != "area":
                    # A named person needs a ward: ask once, then hand over either way.
                    return self._send(thread, message, replies.ask_area(
                        "that"), channel, awaiting="area", pending="coordinator")
                who = self._hand_over(thread, resident, reason, now)
                return self._send(thread, message, replies.Reply((
                    replies.handed_over(who),)), channel)
            case decisions.Answer(need=need, ward_code=ward_code):
                thread.need = need
                if ward_code:
                    resident.ward_code = ward_code
                    thread.ward_code = ward_code
                ward = ward_named(ward_code)
                # The resident's own words choose the entries: this message, and when it
                # answers a question we asked, the messages before it that raised the need.
                asked = [message.body] if thread.awaiting is None else [
                    m.body for m in thread.messages if m.direction == Direction.IN][-3:]
                offers = offers_for(" ".join(asked), need, ward_code,
                                    now.astimezone(self.hours.zone).date(), hours=self.hours)
                place = f"in {ward.name}" if ward else f"across {_area_name()}"
                lines = [replies.EntryLine(o.name, o.summary, o.contact, o.hours)
                         for o in offers.entries]
                person = self._offer(resident, now)
                return self._send(thread, message, replies.answer(
                    needs[need].option, place, lines, person) if lines
                    else replies.nothing_fits(place, person), channel)
            case decisions.AskArea(need=need):
                thread.need = need
                return self._send(thread, message, replies.ask_area(needs[need].option),
                                  channel, awaiting="area", pending=need)
            case decisions.AskWard(need=need, ward_codes=codes, postcode=postcode):
                thread.need = need
                names = [w.name for w in (ward_named(c) for c in codes) if w]
                return self._send(thread, message, replies.ask_ward(postcode or "That area",
                                                                     names),
                                  channel, awaiting="ward", pending=need, options=codes)
            case decisions.Clarify(needs=options):
                words = [needs[n].option for n in options]
                return self._send(thread, message, replies.clarify(
                    words, self._offer(resident, now)), channel, awaiting="choice",
                    options=options)
            case decisions.ContactCentre():
                thread.need = "council_service"
                council = _council()
                return self._send(thread, message, replies.contact_centre(
                    council.name, council.contact_centre_phone, council.contact_centre_web,
                    council.contact_centre_hours, self._offer(resident, now)), channel)
            case decisions.Chat(kind=kind):
                return self._send(thread, message, replies.chat(kind, self._offer(resident, now)),
                                  channel)
        raise AssertionError(f"unhandled decision {decision!r}")

    def _send(self, thread: Thread, inbound: Message, reply: replies.Reply, channel: str,
              awaiting: str | None = None, pending: str | None = None,
              options: tuple[str, ...] = ()) -> str:
        """Record the bot's reply; the channel delivers it (TwiML, or the web-chat poll)."""
        text = reply.render(channel)
        thread.awaiting, thread.pending_need = awaiting, pending
        thread.options = ";".join(options) or None
        db.session.add(Message(
            thread=thread, resident=thread.resident, direction=Direction.OUT,
            author=Author.BOT, channel=channel, body=text, reply_to=inbound,
            status="twiml" if channel == "sms" else "shown", created_at=self.clock()))
        return text

    def _out_of_hours_ack(self, thread: Thread, message: Message, channel: str,
                          now: datetime) -> list[str]:
        coordinator = thread.coordinator
        if coordinator is None or is_working_now(coordinator, now, self.hours):
            return []
        last_out = db.session.scalar(
            sa.select(sa.func.max(Message.created_at)).where(
                Message.thread_id == thread.id, Message.direction == Direction.OUT,
                Message.author == Author.COORDINATOR))
        if thread.out_of_hours_ack_at and (last_out is None
                                           or thread.out_of_hours_ack_at > last_out):
            return []   # one acknowledgement per wait is enough
        thread.out_of_hours_ack_at = now
        who = self._who(coordinator, None, thread.ward, now)
        text = self._send(thread, message, replies.out_of_hours(who), channel)
        return [text]

    # -- people ---------------------------------------------------------------------------

    def _named_for(self, resident: Resident) -> Coordinator | None:
        if resident.coordinator is not None and resident.coordinator.active:
            return resident.coordinator
        ward = resident.ward
        return ward.coordinator if ward else None

    def _offer(self, resident: Resident, now: datetime) -> replies.Who | None:
        """The named coordinator offered at the end of a bot reply, when we know the ward."""
        named = self._named_for(resident)
        if named is None:
            return None
        return self._who(named, None, resident.ward, now)

    def _who(self, assignee: Coordinator, named: Coordinator | None, ward: Ward | None,
             now: datetime) -> replies.Who:
        covering = named if named is not None and named.id != assignee.id else None
        leave = covering.leave_on(now.astimezone(self.hours.zone).date()) if covering else None
        return replies.Who(
            name=assignee.name, first_name=assignee.first_name,
            ward_name=ward.name if ward else None, days=describe_days(assignee),
            reply_by=describe_when(reply_by(assignee, now, self.hours), now, self.hours),
            covering_for=covering.name if covering else None,
            back_on=describe_date(back_on(covering, leave.ends, self.hours)) if leave and covering
            else None)

    def _hand_over(self, thread: Thread, resident: Resident, reason: str, now: datetime,
                   crisis: str | None = None) -> replies.Who:
        """Give the thread to the named coordinator, or their cover, or the team lead."""
        named = self._named_for(resident)
        assignee = _available(named, resident.ward, now, self.hours)
        if named is not None:
            resident.coordinator = named
        if thread.state != ThreadState.WITH_COORDINATOR or thread.coordinator is None:
            thread.state = ThreadState.WAITING
            thread.coordinator = assignee
        if crisis:
            thread.urgent = True
            thread.crisis = crisis
        thread.handoff_reason = thread.handoff_reason if crisis is None and \
            thread.handoff_reason == "crisis" else reason
        thread.handed_off_at = thread.handed_off_at or now
        thread.awaiting = None
        db.session.flush()
        for listener in self.on_handoff:
            listener(thread)
        return self._who(thread.coordinator or assignee, named, resident.ward, now)


def _available(named: Coordinator | None, ward: Ward | None, now: datetime,
               hours: Hours) -> Coordinator:
    day = now.astimezone(hours.zone).date()
    if named is not None and named.active and named.leave_on(day) is None:
        return named
    cover = ward.cover if ward else None
    if cover is not None and cover.active and cover.leave_on(day) is None:
        return cover
    lead = db.session.scalar(sa.select(Coordinator).where(
        Coordinator.role == "lead", Coordinator.active).order_by(Coordinator.id))
    if lead is None:
        lead = db.session.scalar(sa.select(Coordinator).where(Coordinator.active)
                                 .order_by(Coordinator.id))
    if lead is None:
        raise LookupError("no active coordinator to hand to: run `frontdoor load-config`")
    return lead


_EMPTY = Reading("smalltalk", 0.0, True, (), (), None, Place())


def _council() -> Council:
    council = db.session.get(Council, 1)
    if council is None:
        raise LookupError("no council configured: run `frontdoor load-config`")
    return council


def _area_name() -> str:
    name = _council().name
    return name.removesuffix(" (demo)").removesuffix(" City Council").removesuffix(" Council")


def _resident_for(channel: str, address: str) -> Resident:
    resident = db.session.scalar(sa.select(Resident).where(
        Resident.channel == channel, Resident.address == address))
    if resident is None:
        resident = Resident(channel=channel, address=address)
        db.session.add(resident)
    return resident


def _message_by_provider_id(provider_id: str) -> Message | None:
    return db.session.scalar(sa.select(Message).where(Message.provider_id == provider_id))


def _replay(earlier: Message) -> Receipt:
    answers = db.session.scalars(sa.select(Message.body).where(
        Message.reply_to_id == earlier.id).order_by(Message.id)).all()
    return Receipt(earlier.id, earlier.thread_id, list(answers), duplicate=True)


def _current_thread(resident: Resident, now: datetime) -> Thread:
    thread = db.session.scalar(
        sa.select(Thread).where(Thread.resident_id == resident.id,
                                Thread.state != ThreadState.CLOSED)
        .order_by(Thread.id.desc())) if resident.id else None
    if thread is None:
        thread = Thread(resident=resident, state=ThreadState.BOT, created_at=now,
                        ward_code=resident.ward_code)
        db.session.add(thread)
    return thread
