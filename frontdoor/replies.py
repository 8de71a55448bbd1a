"""What the front door says. Plain English, short sentences, no markup; every reply names
a way to reach a person. A reply is parts, some optional; each channel writes it its own
way (frontdoor/channels/): an SMS within 3 segments, dropping the least important parts
first and never cutting a word.

Every sentence goes through gettext (frontdoor/translations/, Welsh in cy): the caller
chooses the language with frontdoor.i18n.in_language. Placeholders are %(name)s, so a
translation can put them where its grammar wants them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from frontdoor.inbound import Channel


@dataclass(frozen=True)
class Reply:
    parts: tuple[str, ...]
    optional: frozenset[int] = field(default_factory=frozenset)

    def render(self, channel: Channel) -> str:
        """As the channel writes it (an SMS within its budget: Sms.render)."""
        return channel.render(self.parts, self.optional)


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
    "suicide_self_harm": lazy_gettext(
        "Please stay safe. If you have hurt yourself or might act on these thoughts, "
        "call 999 now. Samaritans are there any time, free: call 116 123. Or text SHOUT "
        "to 85258. NHS 111, choose the mental health option."
    ),
    "domestic_abuse": lazy_gettext(
        "You deserve to be safe. If you are in danger now, call 999. If you can't talk, "
        "call 999 and press 55. National Domestic Abuse Helpline, free, any time: "
        "0808 2000 247."
    ),
    "danger": lazy_gettext(
        "If you are in danger now, call 999. If you can't talk, call 999 and press 55. "
        "If you smell gas, leave and call 0800 111 999. Police non-emergency: 101."
    ),
    "medical": lazy_gettext(
        "This sounds like an emergency. Call 999 now. If it is not life-threatening, "
        "call NHS 111."
    ),
    "safeguarding_other": lazy_gettext(
        "Thank you for telling us. If someone is in danger now, call 999. To report a "
        "worry about an adult, call %(council)s%(when)s on %(safeguarding)s. Worried about "
        "a child: NSPCC 0808 800 5000."
    ),
}
# The same numbers, short: repeated on every further message of a crisis thread that no
# person has picked up yet.
CRISIS_REMINDERS = {
    "suicide_self_harm": lazy_gettext(
        "If you are not safe, call 999. Samaritans, free, any time: 116 123."),
    "domestic_abuse": lazy_gettext("If you are in danger, call 999 (press 55 if you can't "
                                   "talk). Domestic Abuse Helpline, any time: 0808 2000 247."),
    "danger": lazy_gettext(
        "If you are in danger, call 999 (press 55 if you can't talk). Police: 101."),
    "medical": lazy_gettext(
        "In an emergency call 999. If it is not life-threatening, call NHS 111."),
    "safeguarding_other": lazy_gettext("If someone is in danger now, call 999. "
                                       "%(council)s%(when)s: %(safeguarding)s. NSPCC: "
                                       "0808 800 5000."),
}
# How each need is named inside a sentence ("options for food and essentials"): the words
# of intents/needs.toml `option`, marked here so that they are translated.
NEED_WORDS = (
    lazy_gettext("food and essentials"), lazy_gettext("money, benefits and bills"),
    lazy_gettext("housing and your home"), lazy_gettext("meeting people and company"),
    lazy_gettext("support as a carer"), lazy_gettext("health and wellbeing"),
    lazy_gettext("help at home and getting around"), lazy_gettext("getting online"),
    lazy_gettext("work, learning and courses"), lazy_gettext("volunteering and helping others"),
    lazy_gettext("family and children"), lazy_gettext("a council service like bins or council tax"),
    lazy_gettext("talking to a person"), lazy_gettext("something else"), lazy_gettext("that"),
)


def need_words(option: str) -> str:
    """A need's words (intents/needs.toml `option`) in the language being spoken."""
    return _(option)


def _numbers(table: dict, category: str, council: str, safeguarding: str,
             safeguarding_when: str) -> str:
    when = _(" out of hours") if safeguarding_when == "out of hours" else ""
    text = str(table[category])
    if "%(" not in text:
        return text
    return text % {"council": council, "safeguarding": safeguarding, "when": when}


def _person_line(who: Who) -> str:
    if who.covering_for:
        # The named coordinator is away: offer whoever would actually answer.
        return _("Reply 0 to talk to %(name)s, who is covering while %(away)s is away.",
                 name=who.first_name, away=who.covering_for)
    return _("Reply 0 to talk to %(name)s, your Local Area Coordinator.", name=who.first_name)


def _a_person() -> str:
    return _("Reply 0 to talk to a person.")


# A possible concern: the need is answered as usual, with one gentle line and a number.
CONCERN_LINES = {
    "suicide_self_harm": lazy_gettext("If things ever feel too much, Samaritans are there any "
                                      "time, free: call 116 123."),
    "domestic_abuse": lazy_gettext("If you ever feel unsafe at home, the National Domestic "
                                   "Abuse Helpline is free, any time: 0808 2000 247."),
    "danger": lazy_gettext("If you are ever in danger, call 999. Police non-emergency: 101."),
    "medical": lazy_gettext("If anyone is badly hurt or unwell now, call 999, or NHS 111 if "
                            "it is not an emergency."),
    "safeguarding_other": lazy_gettext("If you are worried someone is not safe, call 999 in "
                                       "an emergency. Worried about a child: NSPCC "
                                       "0808 800 5000."),
}


def with_concern(reply: Reply, category: str) -> Reply:
    """The one gentle line of a possible concern; never dropped to fit an SMS."""
    return Reply((*reply.parts, str(CONCERN_LINES.get(category, CONCERN_LINES["danger"]))),
                 reply.optional)


def handed_over(who: Who, urgent: bool = False) -> str:
    if who.covering_for and who.ward_name:
        lead = _("%(away)s is away until %(back_on)s. I've passed this to %(name)s, who is "
                 "covering for %(ward)s.", away=who.covering_for, back_on=who.back_on,
                 name=who.name, ward=who.ward_name)
    elif who.covering_for:
        lead = _("%(away)s is away until %(back_on)s. I've passed this to %(name)s, who is "
                 "covering.", away=who.covering_for, back_on=who.back_on, name=who.name)
    else:
        lead = _passed_to(who)
    when = (_("They will contact you as soon as they can.") if urgent
            else _("%(name)s works %(days)s and will reply by %(reply_by)s.",
                   name=who.first_name, days=who.days, reply_by=who.reply_by))
    return f"{lead} {when}"


def crisis(category: str, who: Who, council: str, safeguarding: str,
           safeguarding_when: str = "in office hours", on_call_told: bool = False) -> Reply:
    """The numbers first; then who has it, and honestly when they will read it."""
    first = _numbers(CRISIS_NUMBERS, category, council, safeguarding, safeguarding_when)
    if who.at_work:
        return Reply((first, handed_over(who, urgent=True)))
    parts = [first, _("Nobody from our team is at work right now.") + " " + _passed_to(who)
             + " " + _("%(name)s will read it at %(back_at)s.", name=who.first_name,
                       back_at=who.back_at)]
    if on_call_told:
        parts.append(_("Our on-call worker has been told now."))
    return Reply(tuple(parts), frozenset({2}) if on_call_told else frozenset())


def crisis_reminder(category: str, who: Who, council: str, safeguarding: str,
                    safeguarding_when: str = "in office hours") -> Reply:
    numbers = _numbers(CRISIS_REMINDERS, category, council, safeguarding, safeguarding_when)
    read = _("%(name)s has your messages and will read them as soon as they can.",
             name=who.first_name) if who.at_work else \
        _("%(name)s has your messages and will read them at %(back_at)s.",
          name=who.first_name, back_at=who.back_at)
    return Reply((f"{read} {numbers}",))


def _passed_to(who: Who) -> str:
    if who.ward_name:
        return _("I've passed this to %(name)s, the Local Area Coordinator for %(ward)s.",
                 name=who.name, ward=who.ward_name)
    return _("I've passed this to %(name)s, from the Local Area Coordination team.",
             name=who.name)


def answer(need_words: str, place: str, entries: Sequence[EntryLine], who: Who | None) -> Reply:
    parts = [_("Here are some options for %(need)s %(place)s:", need=need_words, place=place)]
    for number, entry in enumerate(entries, 1):
        when = f", {entry.hours}" if entry.hours else ""
        stop = "" if entry.summary.endswith(("...", "\u2026", "!", "?")) else "."
        parts.append(f"{number}. {entry.name}: {entry.summary}{stop} {entry.contact}{when}")
    more = _("Reply 1 to hear more about it.") + " " if len(entries) == 1 else \
        _("Reply with its number to hear more about one.") + " " if entries else ""
    parts.append(more + (_person_line(who) if who else _a_person()))
    # The third entry goes first when space is short; the way to a person never does.
    optional = frozenset(range(2, len(entries) + 1)) if len(entries) > 1 else frozenset()
    return Reply(tuple(parts), optional)


def entry_detail(number: int, name: str, hours: str, address: str | None, contact: str,
                 url: str, who: Who | None) -> Reply:
    """More about one entry of an answer: when it is open, where, and how to reach it."""
    open_when = _("Open %(hours)s.", hours=hours) if hours else \
        _("Please ask them when they are open.")
    where = " " + _("Where: %(address)s.", address=address) if address else ""
    web = f" {url}" if url and url not in contact else ""
    return Reply((f"{number}. {name}. {open_when}{where} {contact}.{web}".replace("..", "."),
                  _person_line(who) if who else _a_person()))


def nothing_fits(place: str, who: Who | None) -> Reply:
    """Nothing in the directory fits what was asked: say so, and offer the person."""
    return Reply((
        _("Sorry, I couldn't find anything %(place)s that fits what you asked. A person may "
          "know more.", place=place),
        _person_line(who) if who else _a_person(),
    ))


def ask_area(need_words: str) -> Reply:
    return Reply((
        _("I can help with %(need)s. To find things near you, what is your postcode or the "
          "area you live in?", need=need_words),
        _("Reply 1 if you don't know, or 0 to talk to a person."),
    ))


def ask_area_for_person() -> Reply:
    """A resident who asked for a person: their area finds their own coordinator."""
    return Reply((
        _("I'll put you in touch with your Local Area Coordinator. Which area do you live "
          "in, or what is your postcode?"),
        _("Reply 1 if you don't know, and I'll pass you to the team."),
    ))


def other_language(who: Who) -> Reply:
    """A message the front door cannot read: said plainly, and a person reads it."""
    return Reply((_("Thank you for your message. I can't read that language, so a person "
                    "will read it."), handed_over(who)))


def ask_ward(area: str, ward_names: Sequence[str]) -> Reply:
    numbered = ", ".join(_("%(number)d for %(name)s", number=i, name=name)
                         for i, name in enumerate(ward_names, 1))
    unsure = len(ward_names) + 1
    return Reply((
        _("%(area)s covers a few areas. Which is yours? Reply %(numbered)s. Reply "
          "%(unsure)d if you're not sure, or send your full postcode.", area=area,
          numbered=numbered, unsure=unsure),
        _a_person(),
    ))


def clarify(options: Sequence[str], who: Who | None) -> Reply:
    numbered = ", ".join(_("%(number)d for %(name)s", number=i, name=words)
                         for i, words in enumerate(options, 1))
    if who:
        return Reply((_("Sorry, I'm not sure I understood. Reply %(numbered)s. Or reply 0 to "
                        "talk to %(name)s, your Local Area Coordinator.", numbered=numbered,
                        name=who.first_name),))
    return Reply((_("Sorry, I'm not sure I understood. Reply %(numbered)s. Or reply 0 to "
                    "talk to a person.", numbered=numbered),))


def contact_centre(council: str, phone: str, web: str, hours: str, who: Who | None) -> Reply:
    return Reply((
        _("That's one for %(council)s's contact centre. Call %(phone)s (%(hours)s) or go to "
          "%(web)s.", council=council, phone=phone, hours=hours, web=web),
        _("If something else is going on, I'm here to help.") + " "
        + (_person_line(who) if who else _a_person()),
    ))


def chat(kind: str, who: Who | None) -> Reply:
    person = _person_line(who) if who else _a_person()
    if kind == "thanks":
        return Reply((_("You're welcome. I'm glad I could help. If you need anything else, "
                        "just send us a message."), person))
    if kind == "smalltalk":
        first = _("Hello, thanks for your message. I can help you find local support, like "
                  "food, money, housing or meeting people. What can I help with?")
    else:
        first = _("Sorry, I can't help with that. I can help you find local support, like "
                  "food, money, housing or meeting people, or put you in touch with your "
                  "Local Area Coordinator.")
    return Reply((first, person))


def help_text(council: str, who: Who | None) -> Reply:
    return Reply((
        _("This is the Local Area Coordination service from %(council)s. Tell us what you "
          "need help with and we'll share local options, or pass you to your Local Area "
          "Coordinator.", council=council),
        _person_line(who) if who else _a_person(),
        _("In an emergency call 999. Samaritans, any time: 116 123. Text STOP to stop "
          "messages."),
    ))


def opted_in(who: Who | None) -> Reply:
    return Reply((
        _("Welcome back. You will get our messages again. Tell us what you need help with."),
        _person_line(who) if who else _a_person(),
    ))


def no_words(who: Who | None) -> Reply:
    return Reply((
        _("Sorry, I can only read words, not pictures or empty messages. Please tell me in a "
          "few words what you need help with."),
        _person_line(who) if who else _a_person(),
    ))


def long_message_handed_over(who: Who) -> Reply:
    return Reply((_("Thank you for telling me all that. It's a lot to answer by text, so a "
                    "person will read it."), handed_over(who)))


def paused(who: Who) -> Reply:
    """While a lead has paused the front door: honest that a person, not the bot, answers."""
    return Reply((
        _("Thanks for your message. Our automatic answers are switched off for now, so a "
          "person will read it."),
        handed_over(who),
        _("In an emergency call 999."),
    ))


def phone_code(code: str, minutes: int) -> Reply:
    """The code that proves a phone is the web-chat resident's; says nothing about why."""
    return Reply((_("Your Local Area Coordination code is %(code)s. Type it into the web "
                    "chat to link this phone. It works for %(minutes)d minutes. If you did "
                    "not ask for it, you can ignore this text.", code=code, minutes=minutes),))


def out_of_hours(who: Who) -> Reply:
    return Reply((
        _("Thanks, %(name)s has your message. %(name)s is not working right now and will "
          "reply by %(reply_by)s. In an emergency call 999.", name=who.first_name,
          reply_by=who.reply_by),
    ))


def overdue(first_name: str, now_with: str | None, ward_name: str | None) -> str:
    """Told once, by the worker, when a promised reply time has passed."""
    if now_with and ward_name:
        moved = _("I've asked %(name)s, who covers %(ward)s, to pick this up.",
                  name=now_with, ward=ward_name)
    elif now_with:
        moved = _("I've asked %(name)s to pick this up.", name=now_with)
    else:
        moved = _("I've asked the team to pick this up.")
    return " ".join((
        _("Sorry, %(name)s hasn't been able to reply yet.", name=first_name), moved,
        _("If it is urgent, call NHS 111, or 999 in an emergency. Samaritans, any time: "
          "116 123.")))


# -- "did it help?" (frontdoor/followups.py) and the privacy notice --------------------------

def did_it_help(area: str, entry_names: Sequence[str], first_name: str | None) -> Reply:
    """The one follow-up text, days after the resident was pointed to local options. Its
    natural one-word answers (yes, no, not yet) are none of them an opt-out keyword."""
    suggested = _("%(name)s and other options", name=entry_names[0]) \
        if len(entry_names) > 1 else entry_names[0]
    return Reply((
        _("Hello from %(area)s Local Area Coordination. Last week we suggested "
          "%(suggested)s. Did you get the help you needed?", area=area, suggested=suggested),
        _("Reply 1 yes, 2 not yet, 3 it didn't fit, or 0 to talk to %(name)s.",
          name=first_name) if first_name
        else _("Reply 1 yes, 2 not yet, 3 it didn't fit, or 0 to talk to a person."),
    ))


def follow_up_thanks(answer: str, who: Who | None) -> Reply:
    """What the front door says to a resident's answer to 'did it help?' (not 0)."""
    person = _person_line(who) if who else _a_person()
    if answer == "yes":
        return Reply((_("Thank you, that's good to hear. If you need anything else, just "
                        "send us a message."), person))
    if answer == "not_yet":
        return Reply((_("Thanks for letting us know. If you'd like help to get there, tell "
                        "us what got in the way."), person))
    return Reply((_("Sorry it wasn't right for you. Tell us a bit more about what you need "
                    "and we'll look again."), person))


def with_privacy_notice(reply: Reply, url: str) -> Reply:
    """The first reply to a new resident says where the privacy notice is. It goes last
    and is never dropped: optional parts (extra entries) go first when space is short."""
    if not url:
        return reply
    return Reply((*reply.parts, _("How we use your information: %(url)s", url=url)),
                 reply.optional)


def render_with_privacy_notice(reply: Reply, url: str, channel: Channel) -> tuple[str, bool]:
    """The reply with the privacy notice's address when it fits whole; else without it
    (never a cut address), and (False) a later reply carries it. A first message that
    is a crisis, with long names, can leave no room in 3 segments, Welsh ones most."""
    with_notice = with_privacy_notice(reply, url).render(channel)
    if not url or url in with_notice:
        return with_notice, bool(url)
    return reply.render(channel), False


# -- the resident's language (frontdoor/i18n.py) ---------------------------------------------

def language_switched(who: Who | None) -> Reply:
    """Said in the language just chosen ("Cymraeg" or "English" sent alone)."""
    return Reply((_("OK, we'll answer you in English from now on. What can we help with?"),
                  _person_line(who) if who else _a_person()))


def opted_out() -> Reply:
    """The confirmation for the council's own opt-out words (Twilio confirms its own)."""
    return Reply((_("You will get no more messages from us. Text START to get them again. "
                    "In an emergency call 999."),))
