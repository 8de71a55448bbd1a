"""Web chat and SMS are linked for one person only with proof: a 6-digit code texted to the
phone, typed back into the chat. A typed number alone, a wrong code or an expired one links
nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from frontdoor import linking, outbox
from frontdoor.models import AuditEvent, Message, PhoneCode, Resident, Thread


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def chat(client) -> str:
    """A web-chat resident in Normanton waiting for Sam; returns their token."""
    token = client.post("/chat/api/conversations").get_json()["token"]
    client.post("/chat/api/messages", json={"text": "can i talk to someone, im in normanton"},
                headers=bearer(token))
    return token


@pytest.fixture
def texted(phone):
    """The same person has texted before, from their phone."""
    phone.text("can i talk to someone about money, normanton")
    return phone


def texts_to(app, clock, number: str) -> list[str]:
    """Run the worker once; what the phone received."""
    sender = app.extensions["frontdoor.sms_sender"]
    outbox.send_due(sender, clock)
    return [body for to, body in sender.sent if to == number]


def code_in(texts: list[str]) -> str:
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def records(db) -> tuple[Resident, Resident]:
    db.session.expire_all()
    chat = db.session.scalar(sa.select(Resident).where(Resident.channel == "webchat"))
    sms = db.session.scalar(sa.select(Resident).where(Resident.channel == "sms"))
    return chat, sms


def test_a_code_texted_and_typed_back_links_the_chat_and_the_phone(
        client, app, db, clock, chat, texted, auth):
    response = client.post("/chat/api/phone", json={"phone": "07700 900123"},
                           headers=bearer(chat))
    assert response.status_code == 202
    received = texts_to(app, clock, "+447700900123")
    assert len(received) == 1 and "Type it into the web chat" in received[0]
    chat_record, sms_record = records(db)
    assert chat_record.person.id == chat_record.id, "asking for a code links nothing"

    response = client.post("/chat/api/phone/code", json={"code": code_in(received)},
                           headers=bearer(chat))
    assert response.status_code == 200 and response.get_json()["status"] == "linked"
    chat_record, sms_record = records(db)
    person = chat_record.person
    assert person.id == sms_record.person.id and {chat_record.id, sms_record.id} == {
        r.id for r in linking.records_of(person)}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "link_verified"))
    assert event.resident_id == person.id and "7700" not in event.detail

    # Two threads, one on each channel, on the one page.
    auth.sign_in("sam")
    page = client.get(f"/inbox/residents/{person.id}").get_data(as_text=True)
    chat_thread, sms_thread = (db.session.scalar(sa.select(Thread.id).where(
        Thread.resident_id == r.id)) for r in (chat_record, sms_record))
    assert f"/inbox/threads/{chat_thread}" in page and f"/inbox/threads/{sms_thread}" in page
    assert "can i talk to someone, im in normanton" in page
    assert "can i talk to someone about money, normanton" in page
    assert '<a href="tel:+447700900123">07700 900123</a>' in page


def test_a_wrong_code_does_not_link(client, app, db, clock, chat, texted):
    # Every kind of wrong code, and a right one after it expired, at linking.try_code
    # (test_a_wrong_code_is_wrong, test_the_right_code_after_it_expired_is_expired, below):
    # the chat is told each one's way, as here.
    client.post("/chat/api/phone", json={"phone": "07700 900123"}, headers=bearer(chat))
    right = code_in(texts_to(app, clock, "+447700900123"))
    typed = str((int(right) + 1) % 10 ** 6).zfill(6)
    response = client.post("/chat/api/phone/code", json={"code": typed}, headers=bearer(chat))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "wrong"
    chat_record, sms_record = records(db)
    assert chat_record.linked_to_id is None and sms_record.linked_to_id is None


def test_a_code_stops_working_after_five_wrong_tries(client, app, db, clock, chat, texted):
    client.post("/chat/api/phone", json={"phone": "07700 900123"}, headers=bearer(chat))
    code = code_in(texts_to(app, clock, "+447700900123"))
    wrong = str((int(code) + 1) % 10 ** 6).zfill(6)
    for _ in range(linking.MAX_TRIES):
        client.post("/chat/api/phone/code", json={"code": wrong}, headers=bearer(chat))
    response = client.post("/chat/api/phone/code", json={"code": code}, headers=bearer(chat))
    assert response.get_json()["error"]["code"] == "too_many_tries"
    assert records(db)[0].linked_to_id is None


def test_a_new_code_replaces_the_last_one(client, app, db, clock, chat, texted):
    client.post("/chat/api/phone", json={"phone": "07700 900123"}, headers=bearer(chat))
    first = code_in(texts_to(app, clock, "+447700900123"))
    client.post("/chat/api/phone", json={"phone": "07700 900123"}, headers=bearer(chat))
    second = code_in(texts_to(app, clock, "+447700900123"))
    if first != second:
        response = client.post("/chat/api/phone/code", json={"code": first},
                               headers=bearer(chat))
        assert response.status_code == 400
    assert client.post("/chat/api/phone/code", json={"code": second},
                       headers=bearer(chat)).status_code == 200


def test_the_code_is_stored_only_as_a_keyed_hash(client, app, db, clock, chat, texted):
    client.post("/chat/api/phone", json={"phone": "07700 900123"}, headers=bearer(chat))
    code = code_in(texts_to(app, clock, "+447700900123"))
    stored = db.session.scalar(sa.select(PhoneCode))
    assert code not in stored.code_hash and len(stored.code_hash) == 64


def test_a_number_that_asked_not_to_be_texted_gets_no_code_and_the_chat_learns_nothing(
        client, app, db, clock, chat, texted):
    sms_record = db.session.scalar(sa.select(Resident).where(Resident.channel == "sms"))
    sms_record.contact_by = "call_only"
    db.session.commit()
    response = client.post("/chat/api/phone", json={"phone": "07700 900123"},
                           headers=bearer(chat))
    # The same words as for any number: the chat cannot tell who is in touch with the team.
    assert response.status_code == 202
    assert "If that number can get our texts" in response.get_json()["message"]
    assert texts_to(app, clock, "+447700900123") == []
    assert db.session.scalar(sa.select(Message.status).where(
        Message.thread_id.is_(None), Message.direction == "out")) == "not_sent"


def test_a_landline_or_nonsense_gets_a_clear_answer_and_no_text(client, app, clock, chat):
    for number in ("01332 717777", "call me"):
        response = client.post("/chat/api/phone", json={"phone": number}, headers=bearer(chat))
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_number"
    assert app.extensions["frontdoor.sms_sender"].sent == []


def test_no_more_than_five_codes_a_day_go_to_one_number(client, app, clock, chat, db):
    for _ in range(linking.MAX_CODES_PER_DAY):
        assert client.post("/chat/api/phone", json={"phone": "07700 900777"},
                           headers=bearer(chat)).status_code == 202
    response = client.post("/chat/api/phone", json={"phone": "07700 900777"},
                           headers=bearer(chat))
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_codes"
    assert len(texts_to(app, clock, "+447700900777")) == linking.MAX_CODES_PER_DAY


def test_without_javascript_the_page_asks_for_a_code_and_links_with_it(
        client, app, db, clock, texted):
    html = client.get("/chat").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/chat", data={"csrf_token": csrf, "text": "hello, i live in normanton"})
    response = client.post("/chat/phone", data={"csrf_token": csrf, "phone": "07700900123"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "a 6-digit code is on its way" in page
    assert re.search(r'<form id="code-form"[^>]*>', page).group(0).find("hidden") == -1
    code = code_in(texts_to(app, clock, "+447700900123"))
    wrong = str((int(code) + 1) % 10 ** 6).zfill(6)
    page = client.post("/chat/phone/code", data={"csrf_token": csrf, "code": wrong},
                       follow_redirects=True).get_data(as_text=True)
    assert "That code is not right" in page and records(db)[0].linked_to_id is None
    page = client.post("/chat/phone/code", data={"csrf_token": csrf, "code": code},
                       follow_redirects=True).get_data(as_text=True)
    assert "Your phone is linked" in page
    chat_record, sms_record = records(db)
    assert chat_record.person.id == sms_record.person.id


# -- the code and the number, at the functions that decide (no database: the unit tier) ------

SECRET, CHAT_ID, PHONE, CODE = "test-secret", 7, "+447700900123", "123456"
SENT_AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def a_code(code: str = CODE, attempts: int = 0) -> PhoneCode:
    """A code texted at SENT_AT, as request_code stores it."""
    return PhoneCode(webchat_resident_id=CHAT_ID, phone=PHONE, attempts=attempts,
                     code_hash=linking.code_digest(SECRET, CHAT_ID, PHONE, code),
                     created_at=SENT_AT,
                     expires_at=SENT_AT + timedelta(minutes=linking.CODE_MINUTES))


@pytest.mark.parametrize("typed", ["123456", "123 456", " 123-456 "])
def test_the_right_code_is_right_however_it_is_typed_and_is_then_used(typed):
    row = a_code()
    assert linking.try_code(row, CHAT_ID, typed, SENT_AT + timedelta(minutes=1), SECRET) \
        == "right"
    assert row.used_at == SENT_AT + timedelta(minutes=1)


@pytest.mark.parametrize("typed", ["123457", "000000", "12345", "1234567", "not a code", ""])
def test_a_wrong_code_is_wrong_and_counts_as_a_try(typed):
    row = a_code()
    assert linking.try_code(row, CHAT_ID, typed, SENT_AT, SECRET) == "wrong"
    assert row.attempts == 1 and row.used_at is None


def test_the_right_code_for_another_chat_or_number_is_wrong():
    assert linking.try_code(a_code(), CHAT_ID + 1, CODE, SENT_AT, SECRET) == "wrong"
    other_number = a_code()
    other_number.phone = "+447700900999"
    assert linking.try_code(other_number, CHAT_ID, CODE, SENT_AT, SECRET) == "wrong"


def test_the_right_code_after_it_expired_is_expired():
    late = SENT_AT + timedelta(minutes=linking.CODE_MINUTES)
    row = a_code()
    assert linking.try_code(row, CHAT_ID, CODE, late, SECRET) == "expired"
    assert row.used_at is None
    assert linking.try_code(a_code(), CHAT_ID, CODE, late - timedelta(seconds=1), SECRET) \
        == "right"


def test_the_last_wrong_try_and_any_after_it_are_too_many_tries():
    row = a_code(attempts=linking.MAX_TRIES - 1)
    assert linking.try_code(row, CHAT_ID, "000000", SENT_AT, SECRET) == "too_many_tries"
    assert linking.try_code(row, CHAT_ID, CODE, SENT_AT, SECRET) == "too_many_tries"
    assert row.used_at is None


def test_the_stored_digest_holds_neither_the_code_nor_the_number():
    digest = linking.code_digest(SECRET, CHAT_ID, PHONE, CODE)
    assert len(digest) == 64 and CODE not in digest and "7700" not in digest
    assert digest != linking.code_digest("another-secret", CHAT_ID, PHONE, CODE)


@pytest.mark.parametrize("typed", ["07700 900123", "+44 7700 900123", "(07700) 900-123"])
def test_a_mobile_number_typed_any_way_is_its_e164_form(typed):
    assert linking.mobile_number(typed, "GB") == "+447700900123"


@pytest.mark.parametrize("typed, said", [
    ("01332 717777", "landline"), ("call me", "does not look like a phone number"),
    ("12", "does not look like a phone number"), ("", "does not look like a phone number")])
def test_a_landline_or_nonsense_is_a_clear_error(typed, said):
    with pytest.raises(linking.PhoneNumberError, match=said):
        linking.mobile_number(typed, "GB")


def test_the_texted_code_says_where_to_type_it_how_long_it_lasts_and_nothing_about_why(
        words_app):
    from frontdoor import replies
    from frontdoor.channels.sms import SMS
    from frontdoor.i18n import in_language

    with in_language("en"):
        text = replies.phone_code("482913", linking.CODE_MINUTES).render(SMS)
    assert text == ("Your Local Area Coordination code is 482913. Type it into the web chat to "
                    "link this phone. It works for 10 minutes. If you did not ask for it, you "
                    "can ignore this text.")
