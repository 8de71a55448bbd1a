"""Finding people and threads again, open and closed: by the name a coordinator recorded, the
last digits of a phone number, a ward or a need. Only within what the coordinator may see
(frontdoor/inbox/access.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g, render_template, request

from frontdoor.extensions import db
from frontdoor.inbox import access, auth
from frontdoor.inbox.rows import STATE_WORDS, resident_label
from frontdoor.inbox.views import OUTCOMES, _today, bp
from frontdoor.models import Coordinator, Resident, Thread, ThreadState, Ward
from frontdoor.outgoing import phone_channels

STATES = {"all": "Open and closed", "open": "Open only", "closed": "Closed only"}
RESULTS = 100


def like_pattern(words: str) -> str:
    """A LIKE pattern (escape "\\") finding `words` anywhere, in any case, as text: a "%" or
    "_" a coordinator types is not a wildcard."""
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def number_ending(words: str) -> str | None:
    """The digits a stored number (+44...) ends with, when `words` are a phone number or its
    last three or more digits: "204", "07700 900204" or "+44 7700 900204"; else None."""
    if re.sub(r"[\d\s()+-]", "", words):
        return None
    digits = re.sub(r"\D", "", words)
    # Stored numbers are +44 and no trunk 0: "+44..." and "0..." lose those. Three digits
    # at least are left, or the search would match most numbers ("007", "+4400": all).
    ending = (digits.removeprefix("44") if words.strip().startswith("+") else digits
              ).removeprefix("0")
    return ending if len(ending) >= 3 else None


def needs_matching(words: str, needs: Iterable[str | None]) -> list[str]:
    """The needs threads were about that `words` (three letters or more) name: "daily
    living" or "Daily" for daily_living."""
    if len(words) < 3:
        return []
    return [n for n in needs if n and words.lower() in n.replace("_", " ")]


def find_threads(me: Coordinator, words: str, state: str, today: date) -> list[Thread]:
    """Threads `me` may see whose person, number, ward or need matches `words`, newest
    first; every thread in `state` when `words` is empty."""
    person = sa.func.coalesce(Resident.linked_to_id, Resident.id)
    query = sa.select(Thread).join(Resident, Thread.resident_id == Resident.id).where(
        access.visible(me, today))
    if words:
        like = like_pattern(words)
        matches = [
            person.in_(sa.select(Resident.id).where(
                sa.func.lower(Resident.name).like(like, escape="\\"))),
            Thread.ward_code.in_(sa.select(Ward.code).where(
                sa.func.lower(Ward.name).like(like, escape="\\"))),
        ]
        ending = number_ending(words)
        if ending is not None:
            matches.append(person.in_(sa.select(sa.func.coalesce(
                Resident.linked_to_id, Resident.id)).where(
                Resident.channel.in_(phone_channels()),
                Resident.address.like(f"%{ending}"))))
        needs = needs_matching(words, db.session.scalars(sa.select(Thread.need).distinct()))
        if needs:
            matches.append(Thread.need.in_(needs))
        query = query.where(sa.or_(*matches))
    if state == "open":
        query = query.where(Thread.state != ThreadState.CLOSED)
    elif state == "closed":
        query = query.where(Thread.state == ThreadState.CLOSED)
    query = query.options(so.selectinload(Thread.resident), so.selectinload(Thread.ward),
                          so.selectinload(Thread.coordinator))
    return list(db.session.scalars(query.order_by(Thread.id.desc()).limit(RESULTS)))


@bp.get("/search")
@auth.signed_in
def search() -> str:
    words = request.args.get("q", "").strip()[:100]
    state = request.args.get("state", "all")
    if state not in STATES:
        state = "all"
    found = find_threads(g.me, words, state, _today())
    return render_template("inbox/search.html", words=words, state=state, states=STATES,
                           found=found, labels={t.id: resident_label(t.resident) for t in found},
                           state_words=STATE_WORDS, outcomes=OUTCOMES, limit=RESULTS)
