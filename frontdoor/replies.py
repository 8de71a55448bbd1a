"""What the front door says. Plain English, short sentences, no markup; every reply names
a way to reach a person. SMS replies are budgeted to 3 segments, dropping the least
important parts first and never cutting a word."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from frontdoor.channels.segments import fit_parts, to_gsm_friendly


@dataclass(frozen=True)
class Reply:
    parts: tuple[str, ...]
    optional: frozenset[int] = field(default_factory=frozenset)

    def render(self, channel: str) -> str:
        if channel == "sms":
            parts = [to_gsm_friendly(p) for p in self.parts]
            return fit_parts(parts, set(self.optional))
        return "\n".join(self.parts)


@dataclass(frozen=True)
class Who:
    """The person a resident is passed to, and why it is them."""

    name: str
    first_name: str
    ward_name: str | None
    days: str                      # "Monday to Thursday"
    reply_by: str                  # "5pm on Tuesday"
    covering_for: str | None = None     # the named coordinator's name, when away
    back_on: str | None = None          # "Monday 11 January"
    at_work: bool = True                # working now (their own days and hours)
    back_at: str | None = None          # when not at work: "9am tomorrow"


@dataclass(frozen=True)
class EntryLine:
    name: str
    summary: str
    contact: str
    hours: str


CRISIS_NUMBERS = {
    "suicide_self_harm": (
        "Please stay safe. If you have hurt yourself or might act on these thoughts, "
        "call 999 now. Samaritans are there any time, free: call 116 123. Or text SHOUT "
        "to 85258. NHS 111, choose the mental health option."
    ),
    "domestic_abuse": (
        "You deserve to be safe. If you are in danger now, call 999. If you can't talk, "
        "call 999 and press 55. National Domestic Abuse Helpline, free, any time: "
        "0808 2000 247."
    ),
    "danger": (
        "If you are in danger now, call 999. If you can't talk, call 999 and press 55. "
        "If you smell gas, leave and call 0800 111 999. Police non-emergency: 101."
    ),
    "medical": (
        "This sounds like an emergency. Call 999 now. If it is not life-threatening, "
        "call NHS 111."
    ),
    "safeguarding_other": (
        "Thank you for telling us. If someone is in danger now, call 999. To report a "
        "worry about an adult, call {council}{when} on {safeguarding}. Worried about a "
        "child: NSPCC 0808 800 5000."
    ),
}
# The same numbers, short: repeated on every further message of a crisis thread that no
# person has picked up yet.
CRISIS_REMINDERS = {
    "suicide_self_harm": "If you are not safe, call 999. Samaritans, free, any time: 116 123.",
    "domestic_abuse": ("If you are in danger, call 999 (press 55 if you can't talk). "
                       "Domestic Abuse Helpline, any time: 0808 2000 247."),
    "danger": "If you are in danger, call 999 (press 55 if you can't talk). Police: 101.",
    "medical": "In an emergency call 999. If it is not life-threatening, call NHS 111.",
    "safeguarding_other": ("If someone is in danger now, call 999. {council}{when}: "
                           "{safeguarding}. NSPCC: 0808 800 5000."),
}


def _numbers(table: dict[str, str], category: str, council: str, safeguarding: str,
             safeguarding_when: str) -> str:
    when = " out of hours" if safeguarding_when == "out of hours" else ""
    return table[category].format(council=council, safeguarding=safeguarding, when=when)


def _person_line(who: Who) -> str:
    return f"Reply 0 to talk to {who.first_name}, your Local Area Coordinator."


def handed_over(who: Who, urgent: bool = False) -> str:
    if who.covering_for:
        lead = (f"{who.covering_for} is away until {who.back_on}. I've passed this to "
                f"{who.name}, who is covering{' for ' + who.ward_name if who.ward_name else ''}.")
    else:
        lead = _passed_to(who)
    when = ("They will contact you as soon as they can." if urgent
            else f"{who.first_name} works {who.days} and will reply by {who.reply_by}.")
    return f"{lead} {when}"


def crisis(category: str, who: Who, council: str, safeguarding: str,
           safeguarding_when: str = "in office hours", on_call_told: bool = False) -> Reply:
    """The numbers first; then who has it, and honestly when they will read it."""
    first = _numbers(CRISIS_NUMBERS, category, council, safeguarding, safeguarding_when)
    if who.at_work:
        return Reply((first, handed_over(who, urgent=True)))
    parts = [first, f"Nobody from our team is at work right now. {_passed_to(who)} "
                    f"{who.first_name} will read it at {who.back_at}."]
    if on_call_told:
        parts.append("Our on-call worker has been told now.")
    return Reply(tuple(parts), frozenset({2}) if on_call_told else frozenset())


def crisis_reminder(category: str, who: Who, council: str, safeguarding: str,
                    safeguarding_when: str = "in office hours") -> Reply:
    numbers = _numbers(CRISIS_REMINDERS, category, council, safeguarding, safeguarding_when)
    when = "as soon as they can" if who.at_work else f"at {who.back_at}"
    return Reply((f"{who.first_name} has your messages and will read them {when}. {numbers}",))


def _passed_to(who: Who) -> str:
    area = f", the Local Area Coordinator for {who.ward_name}" if who.ward_name else \
        ", from the Local Area Coordination team"
    return f"I've passed this to {who.name}{area}."


def answer(need_words: str, place: str, entries: Sequence[EntryLine], who: Who | None) -> Reply:
    parts = [f"Here are some options for {need_words} {place}:"]
    for entry in entries:
        when = f", {entry.hours}" if entry.hours else ""
        stop = "" if entry.summary.endswith(("...", "\u2026", "!", "?")) else "."
        parts.append(f"- {entry.name}: {entry.summary}{stop} {entry.contact}{when}")
    parts.append(_person_line(who) if who else "Reply 0 to talk to a person.")
    # The third entry goes first when space is short; the way to a person never does.
    optional = frozenset(range(2, len(entries) + 1)) if len(entries) > 1 else frozenset()
    return Reply(tuple(parts), optional)


def nothing_fits(place: str, who: Who | None) -> Reply:
    """Nothing in the directory fits what was asked: say so, and offer the person."""
    return Reply((
        f"Sorry, I couldn't find anything {place} that fits what you asked. A person may "
        "know more.",
        _person_line(who) if who else "Reply 0 to talk to a person.",
    ))


def ask_area(need_words: str) -> Reply:
    return Reply((
        f"I can help with {need_words}. To find things near you, what is your postcode "
        "or the area you live in?",
        "Reply 1 if you don't know, or 0 to talk to a person.",
    ))


def ask_ward(area: str, ward_names: Sequence[str]) -> Reply:
    numbered = ", ".join(f"{i} for {name}" for i, name in enumerate(ward_names, 1))
    unsure = len(ward_names) + 1
    return Reply((
        f"{area} covers a few areas. Which is yours? Reply {numbered}. "
        f"Reply {unsure} if you're not sure, or send your full postcode.",
        "Reply 0 to talk to a person.",
    ))


def clarify(options: Sequence[str], who: Who | None) -> Reply:
    numbered = ", ".join(f"{i} for {words}" for i, words in enumerate(options, 1))
    person = f"0 to talk to {who.first_name}, your Local Area Coordinator" if who \
        else "0 to talk to a person"
    return Reply((f"Sorry, I'm not sure I understood. Reply {numbered}. Or reply {person}.",))


def contact_centre(council: str, phone: str, web: str, hours: str, who: Who | None) -> Reply:
    return Reply((
        f"That's one for {council}'s contact centre. Call {phone} ({hours}) or go to {web}.",
        "If something else is going on, I'm here to help. "
        + (_person_line(who) if who else "Reply 0 to talk to a person."),
    ))


def chat(kind: str, who: Who | None) -> Reply:
    person = _person_line(who) if who else "Reply 0 to talk to a person."
    if kind == "smalltalk":
        first = ("Hello, thanks for your message. I can help you find local support, like "
                 "food, money, housing or meeting people. What can I help with?")
    else:
        first = ("Sorry, I can't help with that. I can help you find local support, like "
                 "food, money, housing or meeting people, or put you in touch with your "
                 "Local Area Coordinator.")
    return Reply((first, person))


def help_text(council: str, who: Who | None) -> Reply:
    return Reply((
        f"This is the Local Area Coordination service from {council}. Tell us what you "
        "need help with and we'll share local options, or pass you to your Local Area "
        "Coordinator.",
        _person_line(who) if who else "Reply 0 to talk to a person.",
        "In an emergency call 999. Samaritans, any time: 116 123. Text STOP to stop "
        "messages.",
    ))


def opted_in(who: Who | None) -> Reply:
    return Reply((
        "Welcome back. You will get our messages again. Tell us what you need help with.",
        _person_line(who) if who else "Reply 0 to talk to a person.",
    ))


def no_words(who: Who | None) -> Reply:
    return Reply((
        "Sorry, I can only read words, not pictures or empty messages. Please tell me in a "
        "few words what you need help with.",
        _person_line(who) if who else "Reply 0 to talk to a person.",
    ))


def long_message_handed_over(who: Who) -> Reply:
    return Reply(("Thank you for telling me all that. It's a lot to answer by text, so a "
                  "person will read it.", handed_over(who)))


def paused(who: Who) -> Reply:
    """While a lead has paused the front door: honest that a person, not the bot, answers."""
    return Reply((
        "Thanks for your message. Our automatic answers are switched off for now, so a "
        "person will read it.",
        handed_over(who),
        "In an emergency call 999.",
    ))


def phone_code(code: str, minutes: int) -> Reply:
    """The code that proves a phone is the web-chat resident's; says nothing about why."""
    return Reply((f"Your Local Area Coordination code is {code}. Type it into the web chat "
                  f"to link this phone. It works for {minutes} minutes. If you did not ask "
                  "for it, you can ignore this text.",))


def out_of_hours(who: Who) -> Reply:
    return Reply((
        f"Thanks, {who.first_name} has your message. {who.first_name} is not working right "
        f"now and will reply by {who.reply_by}. In an emergency call 999.",
    ))


def overdue(first_name: str, now_with: str | None, ward_name: str | None) -> str:
    """Told once, by the worker, when a promised reply time has passed."""
    moved = (f"I've asked {now_with}{', who covers ' + ward_name if ward_name else ''}, to "
             "pick this up." if now_with else "I've asked the team to pick this up.")
    return (f"Sorry, {first_name} hasn't been able to reply yet. {moved} If it is urgent, "
            "call NHS 111, or 999 in an emergency. Samaritans, any time: 116 123.")


# -- "did it help?" (frontdoor/followups.py) and the privacy notice --------------------------

def did_it_help(area: str, entry_names: Sequence[str], first_name: str | None) -> Reply:
    """The one follow-up text, days after the resident was pointed to local options. Its
    natural one-word answers (yes, no, not yet) are none of them an opt-out keyword."""
    suggested = entry_names[0] + (" and other options" if len(entry_names) > 1 else "")
    person = f"0 to talk to {first_name}" if first_name else "0 to talk to a person"
    return Reply((
        f"Hello from {area} Local Area Coordination. Last week we suggested {suggested}. "
        "Did you get the help you needed?",
        f"Reply 1 yes, 2 not yet, 3 it didn't fit, or {person}.",
    ))


def follow_up_thanks(answer: str, who: Who | None) -> Reply:
    """What the front door says to a resident's answer to 'did it help?' (not 0)."""
    person = _person_line(who) if who else "Reply 0 to talk to a person."
    if answer == "yes":
        return Reply(("Thank you, that's good to hear. If you need anything else, just "
                      "send us a message.", person))
    if answer == "not_yet":
        return Reply(("Thanks for letting us know. If you'd like help to get there, tell "
                      "us what got in the way.", person))
    return Reply(("Sorry it wasn't right for you. Tell us a bit more about what you need "
                  "and we'll look again.", person))


def with_privacy_notice(reply: Reply, url: str) -> Reply:
    """The first reply to a new resident says where the privacy notice is. It goes last
    and is never dropped: optional parts (extra entries) go first when space is short."""
    if not url:
        return reply
    return Reply((*reply.parts, f"How we use your information: {url}"), reply.optional)
