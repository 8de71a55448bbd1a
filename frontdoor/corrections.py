"""The learning loop: a person corrects how a resident's message was read (the need, or
crisis / not crisis), and `frontdoor corrections export` writes the corrections, scrubbed of
phone numbers, postcodes, email addresses and names, in the intents/ format for a person to
review before any of it goes into training.

A correction to a crisis is acted on at once: the thread is handed over urgent, through
threads.hand_over, so the escalation ladder starts as it does for a crisis the check found."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import phonenumbers
import sqlalchemy as sa

from frontdoor import review, threads
from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Coordinator,
    Correction,
    Direction,
    Message,
    MessageReading,
    Thread,
    ThreadState,
)
from frontdoor.rota import Hours
from frontdoor.triage.data import NEEDS
from frontdoor.triage.safety import CATEGORIES, NO_CRISIS


class NotACorrection(ValueError):
    """A correction that cannot be recorded: the message says what is wrong."""


@dataclass(frozen=True)
class Corrected:
    correction: Correction
    urgent_thread: Thread | None      # the thread made urgent by a crisis correction


def correct(message: Message, by: Coordinator, now: datetime, hours: Hours,
            need: str | None = None, crisis: str | None = None) -> Corrected:
    """Record a person's reading of a resident's message. A crisis makes the thread urgent
    now; the conversation leaves the review list (a person has read it)."""
    need, crisis = need or None, crisis or None
    if message.direction != Direction.IN:
        raise NotACorrection("Only a resident's message can be corrected.")
    if need is not None and need not in NEEDS:
        raise NotACorrection("Choose one of the needs.")
    if crisis is not None and crisis not in (*CATEGORIES, NO_CRISIS):
        raise NotACorrection("Choose a kind of crisis, or not a crisis.")
    if need is None and crisis is None:
        raise NotACorrection("Choose the need, or whether it is a crisis, or both.")
    reading = db.session.get(MessageReading, message.id)
    correction = Correction(message=message, coordinator=by, need=need, crisis=crisis,
                            need_read=reading.need if reading else None,
                            crisis_read=reading.crisis if reading else None, created_at=now)
    db.session.add(correction)
    # Labels only in the audit trail: never the resident's words.
    detail = "; ".join(f"{part} {was or '-'} -> {now_is}" for part, was, now_is in (
        ("need", correction.need_read, need), ("crisis", correction.crisis_read, crisis))
        if now_is is not None)
    db.session.add(AuditEvent(coordinator_id=by.id, action="correction",
                              thread_id=message.thread_id, detail=detail[:200], created_at=now))
    thread = message.thread
    urgent = None
    if thread is not None and crisis is not None and crisis != NO_CRISIS:
        urgent = _make_urgent(thread, crisis, by, now, hours)
    if thread is not None:
        current = review.open_review(thread)
        if current is not None:
            review.resolve(current, by, now, "crisis" if urgent else "corrected")
    return Corrected(correction, urgent)


def _make_urgent(thread: Thread, category: str, by: Coordinator, now: datetime,
                 hours: Hours) -> Thread | None:
    """Hand the resident's open thread over urgent, as the engine does for a crisis it found.
    None when it is already urgent and open (a person has it already)."""
    resident = thread.resident
    current = db.session.scalar(sa.select(Thread).where(
        Thread.resident_id == resident.id, Thread.state != ThreadState.CLOSED))
    if current is not None:
        thread = current
    elif thread.state == ThreadState.CLOSED:
        threads.reopen(thread, by, now)
    if thread.urgent and thread.state in threads.OPEN_STATES:
        return None
    named = threads.named_for(resident)
    if thread.coordinator is not None and thread.state in threads.OPEN_STATES:
        to = thread.coordinator
    else:
        to = threads.choose_for_crisis(named, resident.ward, now, hours)
    if thread.coordinator_id is None:
        thread.ward_code = thread.ward_code or resident.ward_code
    threads.hand_over(thread, to, reason="crisis", now=now, hours=hours, crisis=category)
    return thread


# -- scrubbing ---------------------------------------------------------------------------------

PLACEHOLDER = {"phone": "[phone]", "number": "[number]", "postcode": "[postcode]",
               "email": "[email]", "name": "[name]"}
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
# Full postcodes, sectors and districts, spaced or not ("DE23 8AB", "de238ab", "DE23 8", "de23").
_POSTCODE = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?(\s*-?\s*\d[a-z]{2}|\s+\d)?\b", re.IGNORECASE)
# Any long run of digits phonenumbers did not take for a number (a misremembered number,
# a reference): six digits or more, spaces and dashes allowed between them.
_DIGITS = re.compile(r"(?<!\w)\+?\d[\d\s-]{4,}\d(?!\w)")
_TITLE = r"(mr|mrs|ms|miss|mx|dr|nurse|sister|father|auntie|aunty|uncle|nan|nana|grandad)"
_RELATION = (r"(son|daughter|husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|mum|mom|dad|"
             r"brother|sister|neighbour|neighbor|friend|carer|nan|gran|grandad|grandson|"
             r"granddaughter|nephew|niece|cousin|baby|boy|girl|lad|lodger|landlord|landlady|"
             r"uncle|auntie|aunt|stepdad|stepmum|kids?|children)")
# Words that introduce a name: "my name is Jo", "call me Jo", "my son callum", "Mrs Patel".
_CUED = re.compile(
    rf"(?i:\b(?:my\s+name\s+is|my\s+names|name'?s|i\s+am\s+called|i'?m\s+called|"
    rf"call\s+me)\s*,?\s+|\b{_TITLE}\.?\s+|\bmy\s+{_RELATION}(?:'?s)?\s+(?:called\s+|"
    rf"named\s+)?)(?P<name>[A-Za-z][A-Za-z'-]+)(?P<more>\s+[A-Z][a-z'-]+)?")


@dataclass(frozen=True)
class Scrubber:
    """Removes what could identify a resident or anyone they name. Names are found by rules
    (words that introduce a name, capitalised words that are no everyday word, the team's own
    names), so a person reads every exported line before it is used."""

    known_words: frozenset[str]        # everyday words (from intents/): never a name
    names: frozenset[str] = frozenset()  # people's names always removed (the team's)
    region: str = "GB"

    def __call__(self, text: str) -> str:
        text = " ".join(text.split())
        text = _EMAIL.sub(PLACEHOLDER["email"], text)
        for match in reversed(list(phonenumbers.PhoneNumberMatcher(
                text, self.region, leniency=phonenumbers.Leniency.POSSIBLE))):
            text = text[:match.start] + PLACEHOLDER["phone"] + text[match.end:]
        text = _DIGITS.sub(PLACEHOLDER["number"], text)
        text = _POSTCODE.sub(self._postcode, text)
        text = _CUED.sub(self._cued, text)
        return re.sub(r"[A-Za-z][A-Za-z'-]*", self._word, text)

    def _postcode(self, match: re.Match[str]) -> str:
        # "a1" or "no2" are not postcodes: a district alone counts when it is written in
        # capitals or has two letters ("de23"); with its sector or in full it always does.
        token = match.group(0)
        if match.group(1) or token.isupper() or re.fullmatch(r"[a-z]{2}\d{1,2}[a-z]?",
                                                             token.lower()):
            return PLACEHOLDER["postcode"]
        return token

    def _cued(self, match: re.Match[str]) -> str:
        name = match.group("name")
        lower = name.lower()
        if lower in self.known_words and lower not in self.names and not name[0].isupper():
            return match.group(0)      # "my son is 5", "thanks so much": an everyday word
        lead = match.group(0)[:match.start("name") - match.start(0)]
        return lead + PLACEHOLDER["name"] + (" " + PLACEHOLDER["name"]
                                             if match.group("more") else "")

    def _word(self, match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in self.names:
            return PLACEHOLDER["name"]
        # A capitalised word that is no everyday word, away from the start of a sentence,
        # is most likely a name ("saw Doreen today"); "I", "Derby" and the like are known.
        before = match.string[:match.start()].rstrip()
        sentence_start = not before or before[-1] in ".!?"
        if word[0].isupper() and not sentence_start and lower not in self.known_words \
                and not word.isupper():
            return PLACEHOLDER["name"]
        return word


def known_words(intents_dir: Path, extra: set[str] | None = None) -> frozenset[str]:
    """Every word of the training data: everyday words residents use, never taken for names.
    The team's own names are taken out (they are always removed)."""
    words: set[str] = set(extra or ())
    for path in intents_dir.rglob("*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.lstrip().startswith("#"):
                words.update(w.strip("'-").lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*",
                                                                        line))
    return frozenset(words)


def team_names() -> frozenset[str]:
    """First and last names of everyone on the team, from the database."""
    names: set[str] = set()
    for (name,) in db.session.execute(sa.select(Coordinator.name)):
        names.update(part.lower() for part in re.findall(r"[A-Za-z][A-Za-z'-]+", name)
                     if part.lower() not in {"team", "duty", "out", "of", "hours"})
    return frozenset(names)


# -- export ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exported:
    needs: int
    crisis: int
    not_crisis: int
    already_known: int
    files: tuple[Path, ...]


HEADER = ("# Corrections from coordinators, exported by `frontdoor corrections export`.\n"
          "# Phone numbers, postcodes, emails and names were replaced by rules: read every line\n"
          "# before moving it into intents/, and remove anything that could identify someone.\n")


def latest_corrections() -> list[Correction]:
    """Each corrected message once: its latest correction."""
    newest = sa.select(sa.func.max(Correction.id)).group_by(Correction.message_id)
    return list(db.session.scalars(sa.select(Correction).where(Correction.id.in_(newest))
                                   .order_by(Correction.id)))


def export(out_dir: Path, intents_dir: Path) -> Exported:
    """Write the corrections as intents/ files under out_dir: train/<need>.txt and
    crisis/train/<category>.txt (not_crisis.txt for messages that were not a crisis).
    Lines already in intents/ are left out. Files are rewritten each time."""
    scrub = Scrubber(known_words(intents_dir), team_names())
    existing = {line.strip().lower() for path in intents_dir.rglob("*.txt")
                for line in path.read_text(encoding="utf-8").splitlines()}
    lines: dict[Path, list[str]] = {}
    counts: Counter[str] = Counter()
    for correction in latest_corrections():
        text = scrub(correction.message.body)
        if not text.strip():
            continue
        targets = []
        if correction.need:
            targets.append(("needs", Path("train") / f"{correction.need}.txt"))
        if correction.crisis:
            kind = "not_crisis" if correction.crisis == NO_CRISIS else "crisis"
            name = "not_crisis" if correction.crisis == NO_CRISIS else correction.crisis
            targets.append((kind, Path("crisis") / "train" / f"{name}.txt"))
        for kind, path in targets:
            if text.lower() in existing:
                counts["already_known"] += 1
                continue
            bucket = lines.setdefault(path, [])
            if text not in bucket:
                bucket.append(text)
                counts[kind] += 1
    written = []
    for path, texts in sorted(lines.items()):
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(HEADER + "\n".join(texts) + "\n", encoding="utf-8")
        written.append(target)
    return Exported(counts["needs"], counts["crisis"], counts["not_crisis"],
                    counts["already_known"], tuple(written))
