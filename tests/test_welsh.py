"""Welsh and English for a council that offers both (Swansea, config/swansea-demo): a Welsh
message is answered in Welsh by the real language detector (frontdoor/triage/language.py),
crisis numbers come first and whole, the language is remembered, and every Welsh SMS fits
3 segments without losing a word of what it must say."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from frontdoor import replies
from frontdoor.channels.sms import SMS
from frontdoor.conversations import language_for
from frontdoor.council_data import load_council_data
from frontdoor.i18n import in_language
from frontdoor.models import Direction, Message, Resident, Thread, Ward
from frontdoor.settings import PROJECT_ROOT
from frontdoor.sms_segments import segments, to_gsm_friendly, to_gsm_letters
from tests.conftest import AuthActions, make_account, make_phone

SWANSEA = PROJECT_ROOT / "config" / "swansea-demo"
CRISIS = tuple(replies.CRISIS_NUMBERS)


@pytest.fixture
def swansea(app, db):
    load_council_data(SWANSEA, replace_council=True, timezone=app.config["TIMEZONE"])
    db.session.commit()
    return app


def coordinator_of(db, ward_name: str):
    ward = db.session.scalar(sa.select(Ward).where(Ward.name == ward_name))
    return ward.coordinator


def resident(db, number: str) -> Resident:
    return db.session.scalar(sa.select(Resident).where(Resident.address == number))


def numbers(text: str) -> list[str]:
    """Phone numbers and short codes, in order: '116 123', '0808 2000 247', '999'."""
    return re.findall(r"\d+(?: \d+)*", text)


# -- by SMS ------------------------------------------------------------------------------------

def test_a_welsh_message_gets_a_welsh_answer_naming_the_wards_coordinator(swansea, db, phone):
    named = coordinator_of(db, "Morriston")
    [reply] = phone.text("Helo, dw i angen help gyda bwyd plis, dw i'n byw yn Treforys")
    assert f"{named.first_name}, eich Cydlynydd Ardal Leol" in reply
    assert "tebwch 0" in reply     # "Atebwch 0" / "neu atebwch 0": the way to a person
    assert "Reply" not in reply and "Local Area Coordinator" not in reply
    assert resident(db, phone.number).reply_language == "cy"


def test_a_welsh_request_is_answered_in_welsh_with_local_options(swansea, db, phone):
    named = coordinator_of(db, "Morriston")
    [reply] = phone.text("Dw i angen banc bwyd, dw i'n byw yn Treforys")
    assert reply.startswith("Dyma rai opsiynau ar gyfer bwyd a hanfodion yn Morriston:")
    assert "Banc Bwyd Treforys" in reply
    assert f"Atebwch 0 i siarad gyda {named.first_name}, eich Cydlynydd Ardal Leol." in reply


@pytest.mark.parametrize("words,number", [
    ("Dw i eisiau lladd fy hun", "116 123"),
    ("mae fy mhartner yn fy nharo i", "0808 2000 247")])
def test_a_crisis_in_welsh_words_gets_the_numbers_first_in_welsh(swansea, db, phone, words,
                                                                 number):
    [reply] = phone.text(words)
    first_line = reply.split("\n")[0]
    assert number in first_line and "999" in first_line and "ffoniwch" in first_line
    assert "call" not in reply
    assert db.session.scalar(sa.select(Thread)).urgent


def test_a_welsh_crisis_message_gets_the_numbers_first_in_welsh(swansea, db, phone):
    phone.text("Helo, dw i'n byw yn Treforys")
    [reply] = phone.text("sai moyn byw rhagor, dw i isio kill myself")
    english_numbers = numbers(replies.CRISIS_NUMBERS["suicide_self_harm"]._args[0])
    first_line = reply.split("\n")[0]
    assert first_line.startswith("Cadwch yn ddiogel")
    # Every number the English reply gives, and the Welsh-language Samaritans line.
    assert set(english_numbers) <= set(numbers(first_line))
    assert "0808 164 0123" in first_line
    named = coordinator_of(db, "Morriston")
    assert reply.index("999") < reply.index(named.name)
    assert "Cydlynydd Ardal Leol" in reply
    thread = db.session.scalar(sa.select(Thread))
    assert thread.crisis == "suicide_self_harm" and thread.urgent


def test_the_language_is_remembered_for_messages_without_words(swansea, db, phone):
    named = coordinator_of(db, "Morriston")
    phone.text("Helo, dw i angen help gyda bwyd plis, dw i'n byw yn Treforys")
    [reply] = phone.text("0")
    assert f"Rydw i wedi anfon hwn at {named.name}, Cydlynydd Ardal Leol Morriston." in reply
    assert "works" not in reply and "yn gweithio" in reply
    # Another resident, first in English: "0" stays English. (Which language each first
    # message is answered in, English included, is test_the_language_answered_in_and_remembered.)
    other = make_phone(phone.client, phone.app, "+447700900777")
    other.text("I need a food bank please, I live in Morriston")
    [reply] = other.text("0")
    assert f"I've passed this to {named.name}, the Local Area Coordinator for Morriston." \
        in reply


def test_cymraeg_and_english_sent_alone_switch_the_language(swansea, db, phone):
    [reply] = phone.text("Cymraeg")
    assert reply.startswith("Iawn, byddwn yn eich ateb yn Gymraeg")
    assert resident(db, phone.number).reply_language == "cy"
    [reply] = phone.text("HELP")
    assert reply.startswith("Dyma wasanaeth Cydlynu Ardal Leol City and County of Swansea")
    [reply] = phone.text("English")
    assert reply.startswith("OK, we'll answer you in English from now on.")
    [reply] = phone.text("HELP")
    assert reply.startswith("This is the Local Area Coordination service")


def test_a_council_without_welsh_answers_everything_in_english(app, db, phone):
    # The Derby demo council offers English only: a Welsh message is answered in English
    # (understood, or read by a person), never in Welsh.
    [reply] = phone.text("Helo, dw i angen help gyda bwyd plis")
    assert "person" in reply and "Atebwch" not in reply and "Cydlynydd" not in reply
    assert resident(db, phone.number).reply_language is None


def test_the_councils_welsh_opt_out_word_stops_messages_and_is_confirmed_in_welsh(
        swansea, db, phone):
    phone.text("Helo, dw i'n byw yn Treforys")
    [reply] = phone.text("stopio")
    assert reply.startswith("Fyddwch chi ddim yn cael rhagor o negeseuon gennym")
    assert resident(db, phone.number).opted_out is True
    assert phone.text("Helo, dw i angen bwyd") == []
    # Twilio's own English words still work, and Twilio confirms those itself.
    other = make_phone(phone.client, phone.app, "+447700900778")
    other.text("I need a food bank please, I live in Morriston")
    assert other.text("STOP") == []
    assert resident(db, other.number).opted_out is True


def test_the_worker_writes_to_a_welsh_resident_in_welsh(swansea, db, phone, clock):
    phone.text("Helo, dw i angen help gyda bwyd plis, dw i'n byw yn Treforys")
    phone.text("0")
    thread = db.session.scalar(sa.select(Thread))
    assert thread.reply_due_at is not None
    clock.now = thread.reply_due_at + timedelta(hours=1)
    assert swansea.extensions["frontdoor.alerts"].move_overdue(clock) == 1
    told = db.session.scalars(sa.select(Message.body).where(
        Message.thread_id == thread.id, Message.direction == Direction.OUT)
        .order_by(Message.id)).all()
    assert told[-1].startswith("Mae'n ddrwg gennym, nid yw")
    assert "116 123" in told[-1]


# -- which language, decided from the words alone (conversations.language_for; no database) ---

BOTH = ("cy", "en")
WELSH_FOOD = "Helo, dw i angen help gyda bwyd plis, dw i'n byw yn Treforys"
ENGLISH_FOOD = "I need a food bank please, I live in Morriston"


@pytest.mark.parametrize("text, remembered, page, expected", [
    # A first message with words: its language is the resident's.
    (WELSH_FOOD, None, None, ("cy", "cy")),
    (ENGLISH_FOOD, None, None, ("en", "en")),
    ("bwyd", None, None, ("cy", "cy")),
    # Later, a message without words keeps the language the resident has been using.
    ("0", "cy", None, ("cy", "cy")),
    ("0", "en", None, ("en", "en")),
    ("SA1 1AA", "cy", None, ("cy", "cy")),
    # ... and so does one word alone: two are needed to change it.
    ("food", "cy", None, ("cy", "cy")),
    (ENGLISH_FOOD, "cy", None, ("en", "en")),
    # A first message without words: the language of the page it came from, else English.
    ("0", None, "cy", ("cy", "cy")),
    ("0", None, None, ("en", None)),
    ("0", "en", "cy", ("en", "en")),
    # "Cymraeg" or "English" sent alone switches, whatever was remembered.
    ("Cymraeg", "en", None, ("cy", "cy")),
    ("english.", "cy", None, ("en", "en")),
    ("Saesneg", None, "cy", ("en", "en")),
])
def test_the_language_answered_in_and_remembered(text, remembered, page, expected):
    assert language_for(text, BOTH, remembered, page) == expected


def test_a_council_offering_one_language_answers_in_it_and_remembers_nothing_new():
    assert language_for(WELSH_FOOD, ("en",), None) == ("en", None)
    assert language_for("Cymraeg", ("en",), None) == ("en", None)
    assert language_for("0", (), None) == ("en", None)


# -- the Welsh words of each reply above, from plain values (replies.py; the unit tier) -----

@pytest.mark.parametrize("build, welsh, english", [
    (lambda: replies.language_switched(None), "Iawn, byddwn yn eich ateb yn Gymraeg",
     "OK, we'll answer you in English from now on."),
    (lambda: replies.help_text("City and County of Swansea", None),
     "Dyma wasanaeth Cydlynu Ardal Leol City and County of Swansea",
     "This is the Local Area Coordination service from City and County of Swansea"),
    (replies.opted_out, "Fyddwch chi ddim yn cael rhagor o negeseuon gennym",
     "You will get no more messages from us."),
    (lambda: replies.Reply((replies.overdue("Gwenllian", None, None),)),
     "Mae'n ddrwg gennym, nid yw", "Sorry, Gwenllian hasn't been able to reply yet."),
])
def test_each_reply_starts_in_the_language_it_is_built_in(words_app, build, welsh, english):
    with in_language("cy"):
        assert build().render(SMS).startswith(welsh)
    with in_language("en"):
        assert build().render(SMS).startswith(english)


def test_a_hand_over_in_welsh_names_the_coordinator_and_their_ward(words_app):
    with in_language("cy"):
        text = replies.handed_over(_who(name="Rhys Morgan", first_name="Rhys",
                                        ward_name="Morriston"))
    assert text.startswith("Rydw i wedi anfon hwn at Rhys Morgan, Cydlynydd Ardal Leol "
                           "Morriston.")
    assert "yn gweithio" in text and "works" not in text


# -- every Welsh SMS fits 3 segments, whole ----------------------------------------------------

def _who(**changes) -> replies.Who:
    values = dict(name="Gwenllian Rhys-Pritchard", first_name="Gwenllian",
                  ward_name="Gorseinon and Penyrheol", days="dydd Llun, dydd Mercher a dydd Gwener",
                  reply_by="5pm ddydd Mercher 13 Ionawr", at_work=True)
    values.update(changes)
    return replies.Who(**values)


def _every_reply() -> list[tuple[str, replies.Reply, list[str]]]:
    """Every reply the front door sends by SMS, with long realistic values, and what each
    must still say when it arrives."""
    away = _who(covering_for="Angharad Llewellyn-Jones", back_on="dydd Llun 11 Ionawr",
                name="Gwenllian Rhys-Pritchard")
    off = _who(at_work=False, back_at="9am ddydd Llun 11 Ionawr")
    council, safeguarding = "City and County of Swansea", "01632 960298"
    need = replies.need_words("a council service like bins or council tax")
    entries = [replies.EntryLine(
        f"Canolfan Gymunedol Gorseinon a Phenyrheol {n}",
        "Cymorth gyda biliau, budd-daliadau a dyledion, gan gynghorwyr sy'n siarad Cymraeg",
        "01632 960204", "dydd Llun i ddydd Gwener 9am-5pm") for n in range(3)]
    found: list[tuple[str, replies.Reply, list[str]]] = []
    for category in CRISIS:
        must = numbers(str(replies.CRISIS_REMINDERS[category]) % {
            "council": council, "safeguarding": safeguarding, "when": ""})
        for who in (_who(), away, off):
            for on_call in (False, True):
                found.append((f"crisis {category}", replies.crisis(
                    category, who, council, safeguarding, "out of hours", on_call),
                    must + [who.name]))
            found.append((f"reminder {category}", replies.crisis_reminder(
                category, who, council, safeguarding, "out of hours"), must))
    for who in (_who(), away, off, None):
        first = [who.first_name] if who else []
        found += [
            ("answer", replies.answer(need, "yn Gorseinon and Penyrheol", entries, who), first),
            ("nothing fits", replies.nothing_fits("yn Gorseinon and Penyrheol", who), first),
            ("clarify", replies.clarify([replies.need_words(o) for o in (
                "help at home and getting around", "volunteering and helping others",
                "money, benefits and bills")], who), first),
            ("contact centre", replies.contact_centre(
                council, "01632 960299", "www.example.org/swansea",
                "Llun-Gwener / Mon-Fri 8.30am-5pm", who), ["01632 960299"] + first),
            ("smalltalk", replies.chat("smalltalk", who), first),
            ("out of scope", replies.chat("out_of_scope", who), first),
            ("help", replies.help_text(council, who), ["999", "116 123"] + first),
            ("opted in", replies.opted_in(who), first),
            ("no words", replies.no_words(who), first),
            ("switched", replies.language_switched(who), first),
            ("did it help", replies.did_it_help(
                "Swansea", ["Canolfan Gymunedol Gorseinon a Phenyrheol", "Arall"],
                who.first_name if who else None), first),
        ]
        for answer in ("yes", "not_yet", "no"):
            found.append((f"thanks {answer}", replies.follow_up_thanks(answer, who), first))
    for who in (_who(), away, off):
        found += [
            ("handed over", replies.Reply((replies.handed_over(who),)), [who.name]),
            ("long", replies.long_message_handed_over(who), [who.name]),
            ("paused", replies.paused(who), [who.name, "999"]),
            ("out of hours", replies.out_of_hours(who), [who.first_name, "999"]),
        ]
    found += [
        ("ask area", replies.ask_area(replies.need_words("help at home and getting around")),
         ["0"]),
        ("ask ward", replies.ask_ward("SA4 4", ["Gorseinon and Penyrheol", "Pontlliw and Tircoed",
                                               "Penllergaer", "Pen-clawdd"]), ["5"]),
        ("phone code", replies.phone_code("482913", 10), ["482913"]),
        ("opted out", replies.opted_out(), ["START", "999"]),
        ("overdue", replies.Reply((replies.overdue(
            "Gwenllian", "Angharad Llewellyn-Jones", "Gorseinon and Penyrheol"),)),
         ["Angharad Llewellyn-Jones", "116 123"]),
    ]
    return found


def test_every_welsh_sms_reply_fits_three_segments_and_loses_no_word(words_app):
    with in_language("cy"):
        every = [(name, reply, must, reply.render(SMS)) for name, reply, must in _every_reply()]
    assert len(every) > 100
    for name, reply, must, text in every:
        assert segments(text) <= 3, name
        # Only whole optional parts (a third directory entry) may go: nothing is cut short.
        sent = set(text.split("\n"))
        whole = {to_gsm_friendly(p) for p in reply.parts} | {
            to_gsm_letters(to_gsm_friendly(p)) for p in reply.parts}
        assert sent <= whole, f"{name}: {text!r}"
        for required, part in ((i, p) for i, p in enumerate(reply.parts)):
            if required not in reply.optional:
                assert to_gsm_friendly(part) in sent or to_gsm_letters(
                    to_gsm_friendly(part)) in sent, f"{name} lost {part!r}"
        for words in must:
            assert words in text, f"{name} lost {words!r}"


def test_the_privacy_notice_goes_whole_or_waits_for_the_next_reply(words_app):
    url = "https://www.example.org/swansea-lac-privacy"
    waited = []
    with in_language("cy"):
        every = _every_reply()
        for name, reply, must in every:
            text, told = replies.render_with_privacy_notice(reply, url, SMS)
            assert segments(text) <= 3
            assert (url in text) == told, name
            if not told:
                waited.append(name)
            for words in must:
                assert words in text, f"{name} lost {words!r}"
    # Only the longest replies (a crisis, a cover with long names) leave it for the next.
    assert len(waited) < len(every) / 4, waited


def test_a_short_welsh_reply_keeps_its_accents(words_app):
    with in_language("cy"):
        text = replies.opted_in(None).render(SMS)
    assert text.startswith("Croeso nôl.") and segments(text) == 2


def test_the_welsh_crisis_replies_carry_every_english_number(words_app):
    who = _who()
    for category in CRISIS:
        for build in (replies.crisis, replies.crisis_reminder):
            with in_language("en"):
                english = build(category, who, "Swansea", "01632 960298").render(SMS)
            with in_language("cy"):
                welsh = build(category, who, "Swansea", "01632 960298").render(SMS)
            assert welsh != english
            assert set(numbers(english)) <= set(numbers(welsh)), (category, build.__name__)


# -- web chat ----------------------------------------------------------------------------------

def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_chat_page_follows_the_residents_language(swansea, client, db):
    html = client.get("/chat").get_data(as_text=True)
    assert '<html lang="en-GB">' in html
    assert 'lang="cy" hreflang="cy">Cymraeg</a>' in html
    client.post("/chat", data={"csrf_token": csrf_token(html),
                               "text": "Helo, dw i angen help gyda bwyd plis, dw i'n byw yn "
                                       "Treforys"})
    html = client.get("/chat").get_data(as_text=True)
    assert '<html lang="cy">' in html
    assert "Eich neges" in html and "Cydlynydd Ardal Leol" in html
    assert 'lang="en" hreflang="en">English</a>' in html
    # The page's own link switches back, and the bot answers in English from then on.
    html = client.get("/chat?lang=en").get_data(as_text=True)
    assert '<html lang="en-GB">' in html and "Your message" in html
    client.post("/chat", data={"csrf_token": csrf_token(html), "text": "0"})
    html = client.get("/chat").get_data(as_text=True)
    assert "passed this to Ffion Evans, the Local Area Coordinator" in html


def test_the_welsh_link_turns_the_page_and_the_answers_welsh(swansea, client, db):
    html = client.get("/chat?lang=cy").get_data(as_text=True)
    assert '<html lang="cy">' in html and "Sgwrsio gyda Chydlynu Ardal Leol" in html
    client.post("/chat", data={"csrf_token": csrf_token(html), "text": "0"})
    html = client.get("/chat").get_data(as_text=True)
    assert '<html lang="cy">' in html and "Atebwch" in html


def test_the_api_keeps_the_language_the_page_was_in(swansea, client, db):
    token = client.post("/chat/api/conversations", json={"language": "cy"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/chat/api/messages", json={"text": "ok"}, headers=headers)
    assert "Atebwch" in response.get_json()["messages"][-1]["text"]
    assert client.post("/chat/api/language", json={"language": "en"},
                       headers=headers).status_code == 200
    response = client.post("/chat/api/messages", json={"text": "ok"}, headers=headers)
    assert "Reply" in response.get_json()["messages"][-1]["text"]
    response = client.post("/chat/api/messages", json={"text": ""}, headers=headers)
    assert response.get_json()["error"]["message"] == "Type a message before sending."


def test_the_widget_speaks_welsh_when_asked(swansea, client):
    script = client.get("/chat/widget.js?lang=cy").get_data(as_text=True)
    assert '"Sgwrsio gyda Chydlynu Ardal Leol"' in script and "lang=cy" in script


def test_coordinators_pages_stay_english_for_a_welsh_resident(swansea, client, db, phone):
    phone.text("Helo, dw i angen help gyda bwyd plis, dw i'n byw yn Treforys")
    phone.text("0")
    named = coordinator_of(db, "Morriston")
    make_account(named.email, key="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    db.session.commit()
    auth = AuthActions(client, swansea)
    auth.sign_in(named.email)
    thread = db.session.scalar(sa.select(Thread))
    page = client.get(f"/inbox/threads/{thread.id}", headers={"Accept-Language": "cy"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="en-GB">' in html
    assert "answers this resident in Welsh (Cymraeg)" in html
    assert "Rydw i wedi anfon hwn at" in html      # what the resident was told, as sent


def test_council_new_turns_welsh_on_for_a_council_in_wales(runner, tmp_path):
    import tomllib

    from frontdoor.cli import council

    for lad, welsh in (("W06000011", True), ("E06000015", False)):
        result = runner.invoke(council, ["new", str(tmp_path / lad), "--lad", lad,
                                         "--name", "A council"])
        assert result.exit_code == 0, result.output
        with (tmp_path / lad / "council.toml").open("rb") as f:
            settings = tomllib.load(f)
        assert (settings.get("languages", {}).get("offered") == ["cy", "en"]) is welsh


def test_an_error_page_under_the_chat_is_in_the_residents_language(swansea, client):
    page = client.get("/chat/nowhere?lang=cy")
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and '<html lang="cy">' in html
    assert "Heb ddod o hyd i'r dudalen" in html.replace("&#39;", "'")


def test_did_it_help_is_asked_and_heard_in_welsh(swansea, db, phone, clock):
    from frontdoor import outbox

    [answer] = phone.text("I need a food bank please, I live in Morriston")
    assert "food" in answer.lower()
    phone.text("Cymraeg")
    clock.now += timedelta(days=7)
    sender = swansea.extensions["frontdoor.sms_sender"]
    for _round in range(2):   # the first queues the follow-up, the second sends it
        outbox.run_worker(sender, swansea.extensions["frontdoor.alerts"], once=True,
                          clock=clock)
    [asked] = [body for to, body in sender.sent if to == phone.number]
    assert asked.startswith("Helo gan Gydlynu Ardal Leol") and "Atebwch 1 do" in asked
    [thanks] = phone.text("Do")
    assert thanks.startswith("Diolch, mae'n dda clywed hynny.")
