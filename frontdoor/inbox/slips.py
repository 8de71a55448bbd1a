"""Fewer slips on a thread: a hand-over to someone on leave is warned about (and their cover
offered), hand-over and close have no choice made in advance, and an SMS reply is counted in
text messages (segments) before it goes. Helpers for the thread page; no routes here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from frontdoor.extensions import db
from frontdoor.models import Coordinator, SavedReply, Thread, Ward
from frontdoor.outgoing import channel_of
from frontdoor.rota import Hours, back_on, describe_date
from frontdoor.sms_segments import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    MAX_SEGMENTS,
    length_units,
    segments,
)


@dataclass(frozen=True)
class Away:
    """A coordinator on leave today: until when, when they are back, who covers."""

    person: Coordinator
    until: date
    back: date
    cover: Coordinator | None


def away(person: Coordinator, today: date, hours: Hours,
         thread: Thread | None = None) -> Away | None:
    """Why handing to `person` today would leave the resident waiting, if it would."""
    leave = person.leave_on(today)
    if leave is None:
        return None
    return Away(person, leave.ends, back_on(person, leave.ends, hours),
                cover_for(person, today, thread))


def cover_for(person: Coordinator, today: date, thread: Thread | None = None) -> Coordinator | None:
    """Who covers for them: the cover of this thread's ward when it is theirs, else of their
    first ward; nobody if that cover is away too."""
    ward = thread.ward if thread is not None else None
    if ward is None or ward.coordinator_id != person.id:
        ward = db.session.scalar(sa.select(Ward).where(Ward.coordinator_id == person.id)
                                 .order_by(Ward.name).limit(1))
    cover = ward.cover if ward is not None else None
    if cover is None or cover.id == person.id or not cover.active \
            or cover.leave_on(today) is not None:
        return None
    return cover


def handed_over_words(to: Coordinator, leave: Away | None) -> str:
    """What the resident is told when a coordinator hands their thread on: never "will be in
    touch" from someone who is away."""
    first = f"Your conversation is now with {to.name}, a Local Area Coordinator."
    if leave is None:
        return f"{first} {to.first_name} will be in touch."
    return (f"{first} {to.first_name} is away until {describe_date(leave.back)} and will be "
            "in touch after that. In an emergency call 999.")


# -- SMS segments ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SmsCount:
    units: int
    segments: int
    gsm: bool

    @property
    def too_many(self) -> bool:
        return self.segments > MAX_SEGMENTS

    def describe(self) -> str:
        """The reply box's counter; static/inbox.js writes exactly the same words."""
        texts = "text message" if self.segments == 1 else "text messages"
        words = f"{self.units} characters: {self.segments} {texts}."
        if not self.gsm:
            words += " It has characters outside the basic text alphabet, so each text " \
                     "holds fewer."
        if self.too_many:
            words += f" That is more than {MAX_SEGMENTS}: shorten it if you can."
        return words


def count_sms(text: str) -> SmsCount:
    units, gsm = length_units(text)
    return SmsCount(units, segments(text), gsm)


# -- the thread page -----------------------------------------------------------------------

def saved_replies() -> list[SavedReply]:
    return list(db.session.scalars(sa.select(SavedReply).order_by(SavedReply.title)))


def thread_aids(thread: Thread, today: date, hours: Hours, args: Mapping[str, str],
                coordinators: Sequence[Coordinator], draft: str = "") -> dict[str, Any]:
    """What the thread page needs for saved replies, the SMS counter and hand-over choices."""
    chosen = db.session.get(SavedReply, _int(args.get("saved")))
    hand_to = db.session.get(Coordinator, _int(args.get("hand_to")))
    sms = channel_of(thread.resident).counts_segments
    draft = draft or (chosen.body if chosen else "")
    return {
        "saved_replies": saved_replies(), "draft": draft,
        "sms_count": count_sms(draft) if sms else None,
        "gsm_alphabet": "".join(sorted(GSM7_BASIC)) if sms else "",
        "gsm_extended": "".join(sorted(GSM7_EXTENDED)) if sms else "",
        "max_segments": MAX_SEGMENTS,
        "hand_choices": [(c, away(c, today, hours, thread)) for c in coordinators
                         if c.id != thread.coordinator_id],
        "leave_warning": away(hand_to, today, hours, thread)
        if hand_to is not None and hand_to.active and hand_to.id != thread.coordinator_id
        else None,
    }


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 10 else 0
