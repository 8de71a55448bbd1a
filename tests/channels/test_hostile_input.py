"""Hostile input at the edge (issue 19): every signed text is stored whatever it carries,
status callbacks never fail, malformed chat JSON and out-of-range numbers get a clear 4xx,
and a huge body is answered at once. Each test here failed before the edge was cleaned."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from frontdoor import edge
from frontdoor.channels import sms
from frontdoor.errors import ApiError
from frontdoor.inbox import signin
from frontdoor.models import Message, Resident, Thread
from tests.channels.test_webchat import fetch, post, start
from tests.conftest import make_phone


def stored(db, *where) -> list[Message]:
    return list(db.session.scalars(sa.select(Message).where(Message.direction == "in", *where)))


# -- the SMS webhook: stored, whatever it carries ---------------------------------------------

def test_a_message_sid_longer_than_the_column_is_stored_and_its_retry_recognised(phone, db):
    sid = "SM" + "a" * 200
    phone.send("need a food bank", sid=sid)
    phone.send("need a food bank", sid=sid)      # Twilio retries
    (message,) = stored(db)
    assert message.body == "need a food bank"
    assert len(message.provider_id) <= 64


def test_a_nul_in_the_message_sid_or_the_sender_still_stores_the_words(client, app, db):
    phone = make_phone(client, app, "+44 7700\x00900125")
    phone.send("hello, can someone call me", sid="SM\x00" + "b" * 32)
    (message,) = stored(db)
    assert message.body == "hello, can someone call me"
    assert "\x00" not in message.provider_id
    assert message.resident.address == "+447700900125"


def test_a_long_sender_that_is_not_a_number_is_stored_bounded_and_kept_apart(client, app, db):
    first, second = "x" * 150 + "first", "x" * 150 + "second"
    make_phone(client, app, first).send("hello from one")
    make_phone(client, app, second).send("hello from another")
    addresses = sorted(db.session.scalars(sa.select(Resident.address)))
    assert len(addresses) == 2 and addresses[0] != addresses[1]
    assert all(len(a) <= 128 and a.startswith("x" * 100) for a in addresses)
    make_phone(client, app, first).send("and again")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resident)) == 2


def test_an_absurd_num_media_still_stores_the_message(phone, db):
    # Every absurd count, at the function that bounds it: test_an_absurd_count_is_bounded.
    phone.send("here is a photo of the damp", NumMedia="99999999999999999999999")
    (message,) = stored(db)
    assert message.body == "here is a photo of the damp"
    assert 0 <= message.media_count <= 100


def test_a_signed_text_without_a_sender_is_stored_not_refused(phone, db):
    fields = phone.fields("is anyone there")
    del fields["From"]
    assert phone.signed_post(fields).status_code == 200
    (message,) = stored(db)
    assert message.body == "is anyone there"


def test_a_huge_body_is_refused_at_once_and_a_long_one_stored_whole_without_reading_it_all(
        phone, db, app):
    fields = phone.fields("help " * 200_000)                    # 1 MB
    began = time.monotonic()
    assert phone.signed_post(fields).status_code == 413
    assert time.monotonic() - began < 2
    long_text = "i need help finding a lunch club near me in normanton please. " * 620  # 38,440
    began = time.monotonic()
    phone.send(long_text)
    assert time.monotonic() - began < 10, "only the start is read; a person reads the rest"
    (message,) = stored(db)
    assert message.body == long_text
    assert db.session.scalar(sa.select(Thread.handoff_reason)) == "long"


# -- status callbacks never fail ---------------------------------------------------------------

def signed_status(client, app, fields: dict[str, str]):
    from twilio.request_validator import RequestValidator

    url = app.config["PUBLIC_BASE_URL"] + "/sms/status"
    signature = RequestValidator(app.config["TWILIO_AUTH_TOKEN"]).compute_signature(url, fields)
    return client.post("/sms/status", data=fields, headers={"X-Twilio-Signature": signature})


def test_a_status_callback_with_odd_fields_is_acknowledged_and_kept_within_bounds(
        client, app, db, queued):
    # Each odd field, at the function that reads a callback: test_a_status_callback_is_read_*.
    queued.provider_ref, queued.status = "SMx", "sent"
    db.session.commit()
    fields = {"MessageSid": "SMx", "MessageStatus": "failed", "ErrorCode": "3" * 500}
    assert signed_status(client, app, fields).status_code == 204
    db.session.refresh(queued)
    assert queued.status == "failed"
    assert "\x00" not in queued.error and len(queued.error) <= 200


# -- web chat JSON: a clear 400 -----------------------------------------------------------------

def raw_post(client, token: str, body: str):
    return client.post("/chat/api/messages", data=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})


def test_a_lone_surrogate_in_chat_text_is_a_clear_400_and_nothing_half_stored(client, db):
    token = start(client)
    response = raw_post(client, token, '{"text": "help me \\ud800 please"}')
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_text"
    assert stored(db) == []
    assert post(client, token, "help me please").status_code == 201


def test_json_nested_a_thousand_deep_is_a_clear_400(client):
    token = start(client)
    body = '{"text": "hi", "x": ' + "[" * 1000 + "]" * 1000 + "}"
    response = raw_post(client, token, body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    deep_object = json.dumps({"text": "hi"})
    for _ in range(1000):
        deep_object = '{"a": ' + deep_object + "}"
    assert raw_post(client, token, deep_object).status_code == 400


def test_an_out_of_range_after_is_a_clear_400(client):
    # Every out-of-range value, at edge.record_id: test_only_a_row_id_is_a_record_id.
    token = start(client)
    response = fetch(client, token, after="9223372036854775808")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_after"


def test_phone_linking_json_with_a_lone_surrogate_or_deep_nesting_is_never_a_500(client):
    token = start(client)
    post(client, token, "hello")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for path, body in [("/chat/api/phone", '{"phone": "07700 \\udfff900123"}'),
                       ("/chat/api/phone/code", '{"code": "12\\ud83d3456"}'),
                       ("/chat/api/phone", '{"phone": ' + "[" * 1000 + "]" * 1000 + "}")]:
        response = client.post(path, data=body, headers=headers)
        # A stray surrogate is dropped from a number or code like any other non-character.
        assert response.status_code < 500, (path, response.status_code)
        assert response.is_json


# -- the inbox and sign-in ------------------------------------------------------------------------

THIRTY_DIGITS = "1" * 30


def test_a_thirty_digit_coordinator_filter_is_a_400(auth, client):
    auth.sign_in("lead")
    assert client.get(f"/inbox?coordinator={THIRTY_DIGITS}").status_code == 400
    assert client.get(f"/inbox/threads.json?coordinator={THIRTY_DIGITS}").status_code == 400
    assert client.get("/inbox?coordinator=2").status_code == 200


def test_a_thirty_digit_hand_over_or_thread_id_is_a_4xx(auth, client, phone, db):
    phone.text("can i talk to someone, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    auth.sign_in("sam")
    response = auth.post(f"/inbox/threads/{thread.id}/hand-over", to=THIRTY_DIGITS)
    assert response.status_code == 400
    assert client.get(f"/inbox/threads/{THIRTY_DIGITS}").status_code == 404
    assert client.get(f"/inbox/residents/{THIRTY_DIGITS}").status_code == 404


def test_a_nul_in_an_inbox_query_is_a_400(auth, client):
    auth.sign_in("lead")
    assert client.get("/inbox?ward=E05\x00").status_code == 400


def test_sign_in_with_a_broken_next_lands_on_the_inbox(auth, client, db):
    # Every broken or foreign `next`, at signin.safe_next: tests/inbox/test_auth.py and
    # test_a_next_page_broken_by_a_line_feed_becomes_the_inbox, below.
    import pyotp

    from frontdoor.queries import find_coordinator_by_email
    from tests.conftest import ACCOUNTS, PASSWORD

    response = client.post("/inbox/sign-in", data={
        "csrf_token": auth.csrf(), "email": ACCOUNTS["sam"], "password": PASSWORD,
        "next": "/inbox/\r\nSet-Cookie: x=1"})
    assert response.status_code == 302
    person = find_coordinator_by_email(ACCOUNTS["sam"])
    done = client.post("/inbox/sign-in/code", data={
        "csrf_token": auth.csrf("/inbox/sign-in/code"),
        "code": pyotp.TOTP(person.totp_secret).now()})
    assert done.status_code == 302
    assert done.headers["Location"] == "/inbox"


# -- the same cleaning, at the functions that do it (no database: the unit tier) ------------------

@pytest.mark.parametrize("count, kept", [
    ("2147483648", 100), ("99999999999999999999999", 100), ("-3", 0), ("lots", 0), ("", 0),
    (None, 0), ("\u0661\u0662", 0), (" 2 ", 2), ("10", 10)])
def test_an_absurd_count_is_bounded(count, kept):
    assert edge.bounded_count(count, sms.MEDIA_LIMIT) == kept


def test_a_message_sid_that_fits_is_kept_as_sent():
    assert edge.bounded_id("SM" + "a" * 32) == "SM" + "a" * 32
    assert edge.bounded_id("") is None


@pytest.mark.parametrize("sid", ["SM" + "a" * 200, "SM\x00" + "b" * 32, "SM<script>"])
def test_an_odd_message_sid_becomes_a_digest_that_fits_and_is_the_same_for_a_retry(sid):
    kept = edge.bounded_id(sid)
    assert kept is not None and len(kept) <= 64 and kept.isprintable()
    assert kept == edge.bounded_id(sid), "a retry of the same sid is recognised"
    assert kept != edge.bounded_id(sid + "x")


def test_a_sender_with_a_nul_or_spaces_is_read_as_its_number():
    assert sms.e164("+44 7700\x00900125", "GB") == "+447700900125"
    assert sms.e164("07700 900125", "GB") == "+447700900125"


def test_a_long_sender_that_is_not_a_number_is_bounded_and_two_such_are_kept_apart():
    first, second = sms.e164("x" * 150 + "first", "GB"), sms.e164("x" * 150 + "second", "GB")
    assert first != second
    assert all(len(a) <= sms.SENDER_LIMIT and a.startswith("x" * 100) for a in (first, second))
    assert sms.e164("x" * 150 + "first", "GB") == first, "the same sender, the same resident"


@pytest.mark.parametrize("fields, expected", [
    ({"MessageSid": "SMx", "MessageStatus": "failed", "ErrorCode": "30005"},
     sms.StatusReport("SMx", "failed", "30005")),
    ({"MessageSid": "SMx", "MessageStatus": " Delivered "},
     sms.StatusReport("SMx", "delivered", None)),
    ({"MessageSid": "SMx", "MessageStatus": "failed", "ErrorCode": "300\x0005"},
     sms.StatusReport("SMx", "failed", "30005")),
    ({"MessageSid": "SM\x00x", "MessageStatus": "delivered"},
     sms.StatusReport("SMx", "delivered", None)),
    ({"MessageSid": "SMx", "MessageStatus": "s" * 300}, None),
    ({"MessageSid": "S" * 5000, "MessageStatus": "delivered"}, None),
    ({"MessageStatus": "delivered"}, None),
])
def test_a_status_callback_is_read_cleaned_or_not_at_all(fields, expected):
    assert sms.status_report(fields) == expected


def test_a_status_callbacks_long_error_code_is_bounded_and_kept_apart_from_another():
    one = sms.status_report({"MessageSid": "SMx", "MessageStatus": "failed",
                             "ErrorCode": "3" * 500})
    two = sms.status_report({"MessageSid": "SMx", "MessageStatus": "failed",
                             "ErrorCode": "3" * 499})
    assert one is not None and two is not None and one.error_code != two.error_code
    assert len(one.error_code or "") <= sms.ERROR_CODE_LIMIT


@pytest.mark.parametrize("value", ["9223372036854775808", "2147483648", "-1", "1e3", "0",
                                   "\u0661", "12a", ""])
def test_only_a_row_id_is_a_record_id(value):
    with pytest.raises(ValueError):
        edge.record_id(value)


def test_a_row_id_up_to_the_largest_an_id_column_holds_is_a_record_id():
    assert edge.record_id("1") == 1
    assert edge.record_id(str(edge.LARGEST_ID)) == edge.LARGEST_ID


def test_a_next_page_broken_by_a_line_feed_becomes_the_inbox(words_app):
    # CR LF, foreign and too-long targets: tests/inbox/test_auth.py (signin.safe_next).
    with words_app.test_request_context():
        assert signin.safe_next("/inbox/threads\n1") == "/inbox"


def deep_list(levels: int) -> str:
    return '{"text": "hi", "x": ' + "[" * levels + "]" * levels + "}"


def deep_object(levels: int) -> str:
    body = json.dumps({"text": "hi"})
    for _ in range(levels):
        body = '{"a": ' + body + "}"
    return body


@pytest.mark.parametrize("body", [deep_list(1000), deep_object(1000), deep_list(edge.JSON_DEPTH),
                                  "[1, 2]", '"text"', "{nope", ""])
def test_json_that_is_not_one_shallow_object_is_a_clear_400(words_app, body):
    with words_app.test_request_context(method="POST", data=body,
                                        content_type="application/json"), \
            pytest.raises(ApiError) as refused:
        edge.json_object('{"text": "..."}')
    assert (refused.value.status, refused.value.code) == (400, "invalid_json")


@pytest.mark.parametrize("body", ['{"text": "hi", "client_id": "a1b2c3d4"}',
                                  deep_list(edge.JSON_DEPTH - 2)])
def test_one_shallow_json_object_is_read(words_app, body):
    with words_app.test_request_context(method="POST", data=body,
                                        content_type="application/json"):
        assert edge.json_object('{"text": "..."}')["text"] == "hi"
