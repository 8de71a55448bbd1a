"""The conversation engine both channels use: Inbound -> stored -> read -> decided -> reply.

Where each message is decided: frontdoor/policy.py (pure: every per-message rule), which asks
frontdoor/triage/decide.py about the need. Where a thread changes hands:
frontdoor/threads.py. Where the words come from: frontdoor/replies.py. Channels
(frontdoor/channels/) only translate in and out."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from frontdoor import followups, policy, replies, review, threads
from frontdoor.connections import statement_by_statement
from frontdoor.directory.lookup import ward_named
from frontdoor.directory.search import offers_for
from frontdoor.extensions import db
from frontdoor.i18n import ENGLISH, SWITCH_WORDS, in_language
from frontdoor.inbound import Channel, Command, Inbound
from frontdoor.models import (
    Author,
    Coordinator,
    Council,
    Direction,
    DirectoryEntry,
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
    is_council_open,
    is_working_now,
    next_on_duty,
    reply_by,
)
from frontdoor.transactions import written
from frontdoor.triage import decide as decisions
from frontdoor.triage.entities import PlaceFinder, WardName
from frontdoor.triage.language import language_of
from frontdoor.triage.reading import Place, Reading
from frontdoor.triage.triage import Triage

# An inbound message stored and acknowledged, waiting for the worker to answer it.
DEFERRED = "deferred"
# Written as a literal, not a bound parameter, so both databases use the partial index
# that holds only these rows (ix_message_deferred).
_DEFERRED_LITERAL: sa.ColumnElement[str] = sa.literal_column(f"'{DEFERRED}'")


def waiting_for_worker(message: Any) -> sa.ColumnElement[bool]:
    """`message` (Message or an alias of it) is stored and waits for the worker's answer."""
    return message.status == _DEFERRED_LITERAL


# How much of a message triage reads: its time grows with the length, and a longer message
# goes to a person anyway (reason "long": policy.LONG_MESSAGE), who reads all of it. Crisis
# words in the first READ_LIMIT characters still make it urgent. The whole message is stored,
# always (the request's size is bounded by MAX_CONTENT_LENGTH before anything is read).
READ_LIMIT = 4 * policy.LONG_MESSAGE
OPEN_STATES = threads.OPEN_STATES
# A coordinator who replied this recently is at their desk, whatever their hours say.
RECENT_REPLY = timedelta(minutes=30)
# The crisis check's "possible concern" on the message being answered: every reply to it
# carries one gentle line with a number (replies.with_concern).
_CONCERN: ContextVar[str | None] = ContextVar("frontdoor_concern", default=None)


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
    # What each channel says a message is (a command?), by name: the app factory's registry
    # (frontdoor/channels/), so that the engine imports no channel.
    channels: Mapping[str, Channel]
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

    def receive(self, inbound: Inbound, later: bool = False) -> Receipt:
        """Store the message first (once), then answer it; or, `later`, store it marked
        "deferred" and leave the answer to the worker (frontdoor/deferred.py), which sends
        it through the outbox."""
        # PostgreSQL text cannot hold NUL; nothing else about the text is changed.
        inbound = replace(inbound, text=inbound.text.replace("\x00", "\ufffd"))
        stored = store_inbound(inbound, self.clock(), deferred=later)
        if stored.duplicate:
            earlier = db.session.get(Message, stored.message_id)
            if earlier is not None and earlier.thread_id is not None:
                return _replay(earlier)
            if earlier is not None and earlier.status == DEFERRED:
                # The worker answers it, once, through the outbox.
                return Receipt(earlier.id, None, [], duplicate=True)
        if later and not stored.duplicate:
            return Receipt(stored.message_id, None, [])
        return self.answer(stored.message_id, inbound, stored.resident_id,
                           duplicate=stored.duplicate)

    def answer(self, message_id: int, inbound: Inbound | None = None,
               resident_id: int | None = None, duplicate: bool = False,
               commit: bool = True) -> Receipt:
        """Answer a stored message, once: in the webhook (the replies go back in its
        response), or later by the worker for a deferred one (they go through the outbox).
        A message that already has a thread was answered: its replies are replayed.

        `commit=False` leaves the transaction open (flushed) for a caller answering several
        messages in one (the worker: frontdoor/deferred.py)."""
        # A bare commit (not unit_of_work): the answer commits at whichever return it takes,
        # or only flushes inside the worker's batch (deferred.answer_waiting).
        finish = db.session.commit if commit else db.session.flush
        if inbound is None or resident_id is None:
            stored = db.session.get(Message, message_id)
            assert stored is not None
            resident_id = stored.resident_id
            inbound = Inbound(channel=stored.channel, sender=stored.resident.address,
                              text=stored.body, provider_id=stored.provider_id,
                              media_count=stored.media_count,
                              command=self.channels[stored.channel].command(stored.body))
        # Reading is pure (no database): done before taking the resident's lock.
        text = inbound.text
        # Checked before triage, so a huge body costs no more than a long one.
        read = text[:READ_LIMIT]
        reading = self.triage.read(read, self.places()) if read.strip() else _EMPTY
        # One resident's messages are answered one at a time, in arrival order of the lock:
        # two texts sent together get answers that follow on, and one open thread.
        resident, waiting = lock_resident(resident_id, self.clock(), before=message_id)
        message = db.session.get(Message, message_id, populate_existing=True)
        assert message is not None
        if message.thread_id is not None:
            # A retry of this message was answered while we waited for the lock.
            if message.status == DEFERRED:
                message.status = None
            finish()
            return _replay(message)
        if message.status != DEFERRED and waiting:
            # An earlier text of theirs waits for the worker: this one waits behind it, so
            # the answers never overtake each other.
            message.status = DEFERRED
            finish()
            return Receipt(message.id, None, [], duplicate=duplicate)
        thread, opened = threads.open_or_start(resident, self.clock())
        message.thread = thread
        # Where a web chat came from, for grouping a burst of urgent threads (threads.py).
        thread.origin = thread.origin or inbound.origin
        # Every word of the answer in the resident's language (Welsh councils: i18n.py).
        language = self._language(resident, read, inbound.language)
        if reading.other_language and language != ENGLISH:
            # A language the council offers (Welsh) is not "another language".
            reading = replace(reading, other_language=False)
        with in_language(language):
            texts = self._answer(message, resident, thread, inbound, reading)
        # The safety net (frontdoor/review.py): how this message was read, and a person to
        # see every conversation the front door answered alone.
        review.note(message, reading, self.triage, self.clock(), self.hours,
                    new_thread=opened)
        if message.status == DEFERRED:
            message.status = None
        db.session.flush()
        receipt = Receipt(message.id, message.thread_id, texts, duplicate=duplicate)
        finish()
        return receipt

    # -- answering ------------------------------------------------------------------------

    def _language(self, resident: Resident, text: str, page: str | None = None) -> str:
        """The language to answer in, remembered on the resident (language_for)."""
        language, resident.reply_language = language_for(
            text, _council().offered_languages, resident.reply_language, page)
        return language

    def _answer(self, message: Message, resident: Resident, thread: Thread, inbound: Inbound,
                reading: Reading) -> list[str]:
        """Decide (frontdoor/policy.py, pure) and apply the decision."""
        now = self.clock()
        council = _council()
        text = inbound.text
        # Whether this answers "did it help?": read only for the words that could.
        answer = followups.answer_in(text)
        follow_up = followups.awaiting_answer(resident, now) \
            if answer is not None and not resident.opted_out else None
        command = inbound.command
        if council.own_opt_out_words and command is not Command.OPT_OUT:
            # The council's own opt-out words are known here, not in the webhook: the
            # channel reads the message again with them (they come before START and HELP).
            command = self.channels[inbound.channel].command(text, council.own_opt_out_words)
        situation = policy.Situation(
            text=text, reading=reading, command=command,
            thread=policy.ThreadNow(
                owned=thread.coordinator_id is not None, ward_code=thread.ward_code,
                with_person=thread.state in OPEN_STATES,
                urgent_untaken=thread.urgent and thread.acknowledged_at is None
                and thread.state in OPEN_STATES,
                awaiting=thread.awaiting, options=tuple(thread.option_list),
                pending_need=thread.pending_need),
            resident=policy.ResidentNow(opted_out=resident.opted_out,
                                        ward_code=resident.ward_code),
            council=policy.CouncilNow(
                paused=council.paused_at is not None,
                switch_words=frozenset(SWITCH_WORDS)
                if len(council.offered_languages) > 1 else frozenset()),
            follow_up_answer=answer if follow_up is not None else None,
            answerable=self.triage.answerable)
        decision = policy.decide(situation)
        return self._apply(decision, message, resident, thread, inbound.channel, follow_up,
                           now)

    def _apply(self, decision: policy.Decision, message: Message, resident: Resident,
               thread: Thread, channel: str, follow_up: followups.FollowUp | None,
               now: datetime) -> list[str]:
        self._note_place(decision.place, thread, resident)
        if decision.opted_out is not None:
            resident.opted_out = decision.opted_out
        if decision.crisis is not None:
            return self._crisis(decision, thread, message, resident, channel, now)
        if decision.concern is not None:
            # A possible concern: a person is told to check in (not urgent), and every reply
            # carries a gentle line.
            thread.check_in = True
        token = _CONCERN.set(decision.concern)
        try:
            return self._say(decision, message, resident, thread, channel, follow_up, now)
        finally:
            _CONCERN.reset(token)

    # One case for each kind of reply the policy decides: a flat table, clearer read whole
    # than split to please the complexity check.
    def _say(self, decision: policy.Decision, message: Message,  # noqa: C901
             resident: Resident, thread: Thread, channel: str,
             follow_up: followups.FollowUp | None, now: datetime) -> list[str]:
        def send(reply: replies.Reply, **kwargs: Any) -> list[str]:
            return [self._record_reply(thread, message, reply, channel, **kwargs)]

        def offer() -> replies.Who | None:
            return self._offer(resident, now)

        match decision.reply:
            case "nothing":
                return []
            case "opted_out":
                return send(replies.opted_out())
            case "follow_up":
                assert follow_up is not None and decision.follow_up_answer is not None
                heard = followups.record_answer(follow_up, decision.follow_up_answer, now)
                who = self._hand_over(thread, resident, decision.hand_over, now) \
                    if decision.hand_over else offer()
                return send(heard.reply(who))
            case "opted_in":
                return send(replies.opted_in(offer()))
            case "help":
                return send(replies.help_text(_council().name, offer()))
            case "language_switched":
                return send(replies.language_switched(offer()))
            case "crisis_reminder":
                return self._crisis_reminder(thread, message, channel, now)
            case "with_coordinator":
                threads.resident_wrote(thread, now)
                return self._out_of_hours_ack(thread, message, channel, now)
            case "paused":
                return send(replies.paused(self._hand_over(thread, resident, "paused", now)))
            case "no_words":
                return send(replies.no_words(offer()))
            case "long":
                return send(replies.long_message_handed_over(
                    self._hand_over(thread, resident, "long", now)))
            case "ask_area_for_person":
                return send(replies.ask_area_for_person(), awaiting="area",
                            pending="coordinator")
            case "need":
                assert decision.need is not None
                return [self._act(decision.need, thread, message, resident, channel, now)]
        raise AssertionError(f"unhandled decision {decision!r}")

    def _note_place(self, note: policy.PlaceNote, thread: Thread, resident: Resident) -> None:
        if note.suggested_ward_code is not None:
            thread.suggested_ward_code = note.suggested_ward_code
        if note.ward_code is None:
            return
        resident.ward_code = note.ward_code
        if note.postcode is not None:
            resident.postcode = note.postcode
        thread.ward_code = note.ward_code

    def _crisis(self, decision: policy.Decision, thread: Thread, message: Message,
                resident: Resident, channel: str, now: datetime) -> list[str]:
        """The one crisis path: an urgent hand-over (threads.py) and the numbers."""
        category = decision.crisis
        assert category is not None
        named = threads.named_for(resident)
        if thread.coordinator is not None and thread.state in OPEN_STATES:
            assignee = thread.coordinator
        else:
            assignee = threads.choose_for_crisis(named, resident.ward, now, self.hours)
        if named is not None:
            resident.coordinator = named
        if thread.coordinator_id is None:
            thread.ward_code = resident.ward_code
        threads.hand_over(thread, assignee, reason="crisis", now=now, hours=self.hours,
                          crisis=category, keep_owner=True)
        for listener in self.on_handoff:
            listener(thread)
        if decision.reply == "nothing":
            return []   # opted out: a person calls, nothing is sent
        who = self._who(thread.coordinator or assignee, named, resident.ward, now)
        rungs = threads.ladder()
        on_call_told = rungs[min(thread.escalation_step, len(rungs) - 1)].step == "on_call" \
            and thread.escalated_at == now
        reply = replies.crisis(category, who, **self._safeguarding(now),
                               on_call_told=on_call_told)
        return [self._record_reply(thread, message, reply, channel, awaiting=None)]

    def _crisis_reminder(self, thread: Thread, message: Message, channel: str,
                         now: datetime) -> list[str]:
        assert thread.coordinator is not None
        who = self._who(thread.coordinator, None, thread.ward, now)
        reply = replies.crisis_reminder(thread.crisis or "danger", who,
                                        **self._safeguarding(now))
        return [self._record_reply(thread, message, reply, channel)]

    def _safeguarding(self, now: datetime) -> dict[str, str]:
        return safeguarding_line(_council(), now, self.hours)

    def _act(self, decision: decisions.Decision, thread: Thread, message: Message,
             resident: Resident, channel: str, now: datetime) -> str:
        needs = self.triage.needs
        match decision:
            case decisions.Handoff(reason=reason):
                who = self._hand_over(thread, resident, reason, now)
                if reason == "other_language":
                    return self._record_reply(thread, message, replies.other_language(who),
                                              channel)
                return self._record_reply(thread, message, replies.Reply((
                    replies.handed_over(who),)), channel)
            case decisions.Answer(need=need, ward_code=ward_code):
                thread.need = need
                if ward_code:
                    resident.ward_code = ward_code
                    thread.ward_code = ward_code
                ward = ward_named(ward_code)
                # The resident's own words choose the entries: this message, and when it
                # answers a question we asked, the messages before it that raised the need.
                asked = [message.body] if thread.awaiting in {None, decisions.ENTRIES} else [
                    m.body for m in thread.messages if m.direction == Direction.IN][-3:]
                offers = offers_for(" ".join(asked), need, ward_code,
                                    now.astimezone(self.hours.zone).date(), hours=self.hours)
                place = _("in %(ward)s", ward=ward.name) if ward else \
                    _("across %(area)s", area=_area_name())
                lines = [replies.EntryLine(o.name, o.summary, o.contact, o.hours)
                         for o in offers.entries]
                person = self._offer(resident, now)
                reply = replies.answer(
                    replies.need_words(needs[need].option), place, lines, person) if lines \
                    else replies.nothing_fits(place, person)
                shown_ids = [o.oruk_id or "" for o in offers.entries
                             if o.name in reply.render(self.channels[channel])]
                # The entries are numbered: "2", or "is the 1st one open sat?", asks about one.
                text = self._record_reply(thread, message, reply, channel,
                                          awaiting=decisions.ENTRIES if shown_ids else None,
                                          options=tuple(shown_ids))
                # What the resident was pointed to (and will be asked about: followups.py).
                shown = [o.oruk_id for o in offers.entries if o.name in text]
                followups.pointed(resident, thread, entries_with_ids(shown), need, None, now)
                return text
            case decisions.AskArea(need=need):
                thread.need = need
                return self._record_reply(thread, message, replies.ask_area(
                    replies.need_words(needs[need].option)),
                                          channel, awaiting="area", pending=need)
            case decisions.AskWard(need=need, ward_codes=codes, postcode=postcode):
                thread.need = need
                names = [w.name for w in (ward_named(c) for c in codes) if w]
                area = postcode or _("That area")
                return self._record_reply(thread, message, replies.ask_ward(area, names),
                                          channel, awaiting="ward", pending=need, options=codes)
            case decisions.Clarify(needs=options):
                words = [replies.need_words(needs[n].option) for n in options]
                return self._record_reply(thread, message, replies.clarify(
                    words, self._offer(resident, now)), channel, awaiting="choice",
                    options=options)
            case decisions.ContactCentre():
                thread.need = "council_service"
                council = _council()
                return self._record_reply(thread, message, replies.contact_centre(
                    council.name, council.contact_centre_phone, council.contact_centre_web,
                    council.contact_centre_hours, self._offer(resident, now)), channel)
            case decisions.EntryDetail(entry_id=entry_id, number=number):
                entry = db.session.scalar(sa.select(DirectoryEntry).where(
                    DirectoryEntry.oruk_id == entry_id))
                if entry is None:
                    return self._record_reply(thread, message, replies.chat(
                        "smalltalk", self._offer(resident, now)), channel)
                return self._record_reply(thread, message, replies.entry_detail(
                    number, entry.name, entry.hours,
                    None if entry.confidential else entry.address, entry.contact, entry.url,
                    self._offer(resident, now)), channel, awaiting=decisions.ENTRIES,
                    options=tuple(thread.option_list))
            case decisions.Chat(kind=kind):
                return self._record_reply(thread, message, replies.chat(
                    kind, self._offer(resident, now)), channel)
        raise AssertionError(f"unhandled decision {decision!r}")

    def _record_reply(self, thread: Thread, inbound: Message, reply: replies.Reply,
                      channel: str, awaiting: str | None = None, pending: str | None = None,
                      options: tuple[str, ...] = ()) -> str:
        """Record the bot's reply, written as its channel writes it; the channel says how it
        leaves (TwiML, the outbox, or the web-chat poll)."""
        concern = _CONCERN.get()
        if concern is not None:
            reply = replies.with_concern(reply, concern)
        carrier = self.channels[channel]
        url = _council().privacy_notice_url
        if carrier.carries_privacy_notice and url and _privacy_notice_owed(thread.resident, url):
            text, _carried = replies.render_with_privacy_notice(reply, url, carrier)
        else:
            text = reply.render(carrier)
        thread.awaiting, thread.pending_need = awaiting, pending
        thread.options = ";".join(options) or None
        reply_message = Message(
            thread=thread, resident=thread.resident, direction=Direction.OUT,
            author=Author.BOT, channel=channel, body=text, reply_to=inbound,
            status=carrier.reply_status(answered_later=inbound.status == DEFERRED),
            created_at=self.clock())
        if reply_message.status == "pending":
            # Through the outbox: sent once (its idempotency key), retried until it is.
            reply_message.idempotency_key = uuid.uuid4().hex
            reply_message.next_attempt_at = reply_message.created_at
        db.session.add(reply_message)
        return text

    def _out_of_hours_ack(self, thread: Thread, message: Message, channel: str,
                          now: datetime) -> list[str]:
        coordinator = thread.coordinator
        if coordinator is None or is_working_now(coordinator, now, self.hours):
            return []
        if not out_of_hours_ack_owed(threads.last_coordinator_message_at(thread),
                                     thread.out_of_hours_ack_at, now):
            return []
        thread.out_of_hours_ack_at = now
        # What we promise here is a promise the worker keeps watch on.
        thread.reply_due_at = thread.reply_due_at or reply_by(coordinator, now, self.hours)
        who = self._who(coordinator, None, thread.ward, now)
        text = self._record_reply(thread, message, replies.out_of_hours(who), channel)
        return [text]

    # -- people ---------------------------------------------------------------------------

    def _offer(self, resident: Resident, now: datetime) -> replies.Who | None:
        """The named coordinator offered at the end of a bot reply, when we know the ward."""
        named = threads.named_for(resident)
        if named is None:
            return None
        # Whoever would actually answer "0": the cover while the named coordinator is away.
        assignee = threads.choose_coordinator(named, resident.ward, now, self.hours)
        return self._who(assignee, named, resident.ward, now)

    def _who(self, assignee: Coordinator, named: Coordinator | None, ward: Ward | None,
             now: datetime) -> replies.Who:
        return who_answers(assignee, named, ward.name if ward else None, now, self.hours)

    def _hand_over(self, thread: Thread, resident: Resident, reason: str,
                   now: datetime) -> replies.Who:
        """Give the thread to the named coordinator, or their cover, or the team lead."""
        named = threads.named_for(resident)
        assignee = threads.choose_coordinator(named, resident.ward, now, self.hours)
        if named is not None:
            resident.coordinator = named
        if thread.coordinator_id is None:
            thread.ward_code = resident.ward_code
        threads.hand_over(thread, assignee, reason=reason, now=now, hours=self.hours,
                          reply_due=reply_by(thread.coordinator or assignee, now, self.hours)
                          if thread.state != ThreadState.WITH_COORDINATOR else None,
                          keep_owner=True)
        for listener in self.on_handoff:
            listener(thread)
        return self._who(thread.coordinator or assignee, named, resident.ward, now)


# Words of three letters or more: what a language can be told from (not "0", not a postcode).
_WORD = re.compile(r"[^\W\d_]{3,}")


def language_for(text: str, offered: Sequence[str], remembered: str | None,
                 page: str | None = None) -> tuple[str, str | None]:
    """The language to answer `text` in, and the resident's language to remember after it
    (`remembered` before). Where one language is offered, it, and nothing remembered.
    Otherwise: switched by "Cymraeg" or "English" sent alone; else the language of a message
    with words in it (one word will do for a first message; later, a word alone, a number or
    a postcode keeps the language the resident has been using); else, for a first message,
    the language of the page it was sent from (web chat)."""
    if len(offered) < 2:
        return (offered[0] if offered else ENGLISH), remembered
    keyword = policy.keyword(text)
    if SWITCH_WORDS.get(keyword) in offered:
        remembered = SWITCH_WORDS[keyword]
    elif len(_WORD.findall(text)) >= (1 if remembered is None else 2):
        detected = language_of(text)
        if detected in offered:
            remembered = detected
    elif remembered is None and page in offered:
        remembered = page
    return remembered or ENGLISH, remembered


# -- who answers, and which safeguarding line: from the rota and the council alone ------------
# Plain values and the rows already loaded in, no query: what a resident is told about the
# person and the numbers is decided here (tested without a database: the unit tier).

def who_answers(assignee: Coordinator, named: Coordinator | None, ward_name: str | None,
                now: datetime, hours: Hours) -> replies.Who:
    """The person a reply names: `assignee` answers; `named` is the resident's own
    coordinator, said to be away (and when back) while `assignee` covers for them."""
    covering = named if named is not None and named.id != assignee.id else None
    leave = covering.leave_on(now.astimezone(hours.zone).date()) if covering else None
    at_work = is_working_now(assignee, now, hours)
    return replies.Who(
        name=assignee.name, first_name=assignee.first_name, ward_name=ward_name,
        days=describe_days(assignee),
        reply_by=describe_when(reply_by(assignee, now, hours), now, hours),
        covering_for=covering.name if covering and leave else None,
        back_on=describe_date(back_on(covering, leave.ends, hours)) if leave and covering
        else None,
        at_work=at_work,
        back_at=None if at_work else describe_when(next_on_duty(assignee, now, hours), now,
                                                   hours))


def out_of_hours_ack_owed(last_reply: datetime | None, acknowledged: datetime | None,
                          now: datetime) -> bool:
    """Whether a resident writing while their coordinator is not working is told so: once
    per wait (since the coordinator's last reply), and not when the coordinator replied
    within RECENT_REPLY ("not working right now" would be untrue)."""
    if last_reply is not None and now - last_reply < RECENT_REPLY:
        return False
    return acknowledged is None or (last_reply is not None and acknowledged <= last_reply)


def safeguarding_line(council: Council, now: datetime, hours: Hours) -> dict[str, str]:
    """The council's safeguarding line that answers now: the daytime line in office hours,
    the out-of-hours line otherwise (when the council has one)."""
    out_of_hours = not is_council_open(now, hours) \
        and bool(council.safeguarding_out_of_hours_phone)
    return {"council": council.name,
            "safeguarding": council.safeguarding_out_of_hours_phone if out_of_hours
            else council.safeguarding_phone,
            "safeguarding_when": "out of hours" if out_of_hours else "in office hours"}



_EMPTY = Reading("smalltalk", 0.0, True, (), (), None, Place())


def _council() -> Council:
    # Held by the session (its identity map keeps only weak references), so one answer
    # reads the council's row once.
    council = db.session.info.get("frontdoor.council")
    if council is None or council not in db.session:
        with db.session.no_autoflush:   # the council's row owes nothing to this answer
            council = db.session.get(Council, 1)
        if council is None:
            raise LookupError("no council configured: run `frontdoor load-config`")
        db.session.info["frontdoor.council"] = council
    return council


def _privacy_notice_owed(resident: Resident, url: str) -> bool:
    """Until a reply has carried the privacy notice's address (the first, unless it had
    no room: replies.render_with_privacy_notice)."""
    # Not shortened to "the resident was created with this message": two texts stored in
    # the same instant (a frozen clock in tests, a retry) would both look like the first.
    return db.session.scalar(sa.select(Message.id).where(
        Message.resident_id == resident.id, Message.direction == Direction.OUT,
        Message.body.contains(url, autoescape=True)).limit(1)) is None


def _area_name() -> str:
    name = _council().name
    return name.removesuffix(" (demo)").removesuffix(" City Council").removesuffix(" Council")


# -- storing first ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Stored:
    message_id: int
    resident_id: int
    duplicate: bool


def _insert(model: Any) -> Any:
    """INSERT with the database's own ON CONFLICT (SQLite and PostgreSQL both have it)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


@dataclass(frozen=True)
class StoreStatements:
    """store_inbound's two statements, built once per database kind: building them (the
    upsert's `excluded` alone makes a proxy of every column) cost more than running them."""
    resident: Any   # upsert on (channel, address), RETURNING id either way
    message: Any    # insert, nothing on a MessageSid already stored, RETURNING id
    earlier: Any    # the message a MessageSid was stored as
    # PostgreSQL: the two inserts as one statement (the message's insert reads the
    # resident's id from the upsert's RETURNING), run in autocommit: one round trip, in place
    # of four (BEGIN, two inserts, COMMIT). None on SQLite, which cannot nest an INSERT.
    together: Any = None


_MESSAGE_COLUMNS = ("resident_id", "direction", "author", "channel", "body", "media_count",
                    "provider_id", "created_at", "attempts", "maybe_sent", "status")
_store_statements: dict[str, StoreStatements] = {}


def store_statements() -> StoreStatements:
    name = db.engine.dialect.name
    built = _store_statements.get(name)
    if built is None:
        residents, messages = Resident.__table__, Message.__table__
        resident = _insert(residents).values(
            channel=sa.bindparam("channel"), address=sa.bindparam("address"),
            created_at=sa.bindparam("created_at"), opted_out=False)
        # DO UPDATE, not DO NOTHING, so that the row comes back either way (its address is
        # set to what it already is: no index changes).
        resident = resident.on_conflict_do_update(
            index_elements=["channel", "address"], set_={"address": resident.excluded.address})
        message = _insert(messages).values({c: sa.bindparam(c) for c in _MESSAGE_COLUMNS})
        # A NULL MessageSid (web chat without a client id) conflicts with nothing.
        message = message.on_conflict_do_nothing(index_elements=["provider_id"])
        resident = resident.returning(residents.c.id)
        together = None
        if name == "postgresql":
            stored_resident = resident.cte("stored_resident")
            row = sa.select(stored_resident.c.id, *(
                sa.bindparam(c, type_=messages.c[c].type) for c in _MESSAGE_COLUMNS[1:]))
            stored_message = (
                _insert(messages).from_select(list(_MESSAGE_COLUMNS), row)
                .on_conflict_do_nothing(index_elements=["provider_id"])
                .returning(messages.c.id).cte("stored_message"))
            together = sa.select(stored_resident.c.id,
                                 sa.select(stored_message.c.id).scalar_subquery())
        built = StoreStatements(
            resident=resident,
            message=message.returning(messages.c.id),
            earlier=sa.select(messages.c.id).where(
                messages.c.provider_id == sa.bindparam("provider_id")),
            together=together)
        _store_statements[name] = built
    return built


def store_inbound(inbound: Inbound, now: datetime, deferred: bool = False) -> Stored:
    """Store the message before anything else, in its own short transaction that a race
    cannot break: two first texts from one new number, or a retry arriving beside the
    first delivery, each find the one resident and the one message row.

    On the tables themselves (no ORM unit of work), each statement built once: this is all
    the webhook does for a deferred text, so it is what a spike costs. PostgreSQL: one
    statement, committed as it finishes (connections.statement_by_statement); SQLite: two
    and a commit."""
    statements = store_statements()
    values = {"channel": inbound.channel, "address": inbound.sender, "created_at": now,
              "direction": Direction.IN.value, "author": Author.RESIDENT.value,
              "body": inbound.text, "media_count": inbound.media_count,
              "provider_id": inbound.provider_id, "attempts": 0, "maybe_sent": False,
              "status": DEFERRED if deferred else None}
    # A session that has written since its last commit may hold this resident's row (a
    # command's earlier write, a test's factory): a second connection would wait for it for
    # ever, so the text is stored in the session's own transaction, committed with it.
    in_session = statements.together is None or bool(written())
    with (nullcontext(db.session.connection()) if in_session
          else statement_by_statement()) as connection:
        if statements.together is not None:
            resident_id, message_id = connection.execute(statements.together, values).one()
        else:
            resident_id = connection.execute(statements.resident, values).scalar()
            message_id = connection.execute(
                statements.message, {**values, "resident_id": resident_id}).scalar()
        assert resident_id is not None
        duplicate = message_id is None
        if duplicate:
            message_id = connection.execute(statements.earlier,
                                            {"provider_id": inbound.provider_id}).scalar()
        if in_session:
            # Stored and committed before anything else happens: nothing is lost if
            # anything after this fails. (In autocommit, the statement committed itself.)
            # A bare commit, not unit_of_work: the webhook's tuned hot path.
            db.session.commit()
    assert message_id is not None
    return Stored(message_id, resident_id, duplicate)


def lock_resident(resident_id: int, now: datetime,
                  before: int | None = None) -> tuple[Resident, bool]:
    """Start the answering transaction by writing the resident's row: PostgreSQL holds the
    row lock, SQLite the write lock, until the commit, so one resident's messages are
    answered one after another. In the same statement: whether a message of theirs older
    than `before` waits for the worker (frontdoor/deferred.py)."""
    waiting = sa.select(Message.id).where(
        waiting_for_worker(Message), Message.resident_id == resident_id,
        Message.id < (before if before is not None else 0)).limit(1).scalar_subquery()
    row = db.session.execute(
        sa.update(Resident).where(Resident.id == resident_id).values(last_contact_at=now)
        .returning(Resident, waiting),
        execution_options={"populate_existing": True, "synchronize_session": False}).one()
    return row[0], row[1] is not None


def _replay(earlier: Message) -> Receipt:
    # Only what went back in a response: replies sent through the outbox are sent once, by
    # the worker.
    answers = db.session.scalars(sa.select(Message.body).where(
        Message.reply_to_id == earlier.id, Message.idempotency_key.is_(None))
        .order_by(Message.id)).all()
    return Receipt(earlier.id, earlier.thread_id, list(answers), duplicate=True)


def entries_with_ids(oruk_ids: list[str]) -> list[DirectoryEntry]:
    """The directory rows behind the offers a reply showed, in the order shown."""
    if not oruk_ids:
        return []
    rows = {e.oruk_id: e for e in db.session.scalars(sa.select(DirectoryEntry).where(
        DirectoryEntry.oruk_id.in_(oruk_ids)))}
    return [rows[i] for i in oruk_ids if i in rows]
