"""The Twilio sender through the real twilio library; only the HTTP edge is mocked."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
import responses

from frontdoor.channels.senders import SendError, TwilioSmsSender

SID = "AC" + "1" * 32
BASE = "https://twilio-stub.test"
URL = f"{BASE}/2010-04-01/Accounts/{SID}/Messages.json"


def sender(**kwargs) -> TwilioSmsSender:
    return TwilioSmsSender(SID, "token", from_number="+447700900000", api_base_url=BASE, **kwargs)


@responses.activate
def test_a_message_goes_to_twilios_messages_api_at_the_configured_base_url():
    responses.post(URL, status=201, json={"sid": "SM" + "2" * 32, "status": "queued"})
    sent = sender(status_callback="https://frontdoor.test/sms/status").send(
        "+447700900123", "Hi, it's Sam.", "reply-1")
    assert sent.provider_ref == "SM" + "2" * 32 and sent.status == "queued"
    form = parse_qs(responses.calls[0].request.body)
    assert form["To"] == ["+447700900123"] and form["Body"] == ["Hi, it's Sam."]
    assert form["From"] == ["+447700900000"]
    assert form["StatusCallback"] == ["https://frontdoor.test/sms/status"]


@responses.activate
def test_a_messaging_service_is_used_when_configured():
    responses.post(URL, status=201, json={"sid": "SM" + "3" * 32, "status": "accepted"})
    TwilioSmsSender(SID, "token", messaging_service_sid="MG" + "4" * 32,
                    api_base_url=BASE).send("+447700900123", "hello", "k")
    form = parse_qs(responses.calls[0].request.body)
    assert form["MessagingServiceSid"] == ["MG" + "4" * 32] and "From" not in form


# A server error may have sent the text (ambiguous: the outbox asks before sending again); a
# refusal did not.
@pytest.mark.parametrize("status,code,permanent,ambiguous", [
    (400, 21610, True, False), (400, 21211, True, False), (500, 20500, False, True),
    (429, 20429, False, False)])
@responses.activate
def test_twilio_errors_become_one_exception_that_says_if_a_retry_can_help(status, code,
                                                                          permanent, ambiguous):
    responses.post(URL, status=status, body=json.dumps(
        {"code": code, "message": "nope", "status": status}))
    with pytest.raises(SendError) as error:
        sender().send("+447700900123", "hello", "k")
    assert error.value.permanent is permanent and error.value.code == code
    assert error.value.ambiguous is ambiguous


# -- whether a failed send may still have gone: the outbox then asks before sending again ----

@pytest.mark.parametrize("failure, ambiguous", [
    ("ConnectTimeout", False),           # never connected: nothing reached Twilio
    ("ReadTimeout", True),               # sent, and no answer came back
    ("ConnectionError", True),           # a reset part way through
])
@responses.activate
def test_a_network_failure_says_whether_the_text_may_have_gone(failure, ambiguous):
    from requests import exceptions

    responses.post(URL, body=getattr(exceptions, failure)())
    with pytest.raises(SendError) as error:
        sender().send("+447700900123", "hello", "k")
    assert error.value.ambiguous is ambiguous and error.value.permanent is False
    assert failure in error.value.reason


def listed(*messages: dict) -> dict:
    return {"messages": list(messages), "next_page_uri": None}


def message(body: str, direction: str = "outbound-api", sid: str = "SM" + "5" * 32) -> dict:
    return {"sid": sid, "status": "delivered", "body": body, "direction": direction}


@pytest.mark.parametrize("found, sent", [
    (listed(message("hello")), ("SM" + "5" * 32, "delivered")),
    (listed(message("hello", direction="inbound")), None),   # the resident's own text
    (listed(message("hello again")), None),                  # another text
    (listed(), None),
])
@responses.activate
def test_a_text_that_may_have_gone_is_found_by_its_words_among_those_sent(found, sent):
    from datetime import UTC, datetime

    from frontdoor.channels.senders import Sent

    responses.get(URL, json=found)
    result = sender().find_sent("+447700900123", "hello", datetime(2026, 11, 24, 10, tzinfo=UTC))
    assert result == (Sent(*sent) if sent else None)


@responses.activate
def test_when_twilio_cannot_be_asked_the_question_stays_open_as_a_retryable_error():
    from datetime import UTC, datetime

    from requests.exceptions import ReadTimeout

    responses.get(URL, body=ReadTimeout())
    with pytest.raises(SendError) as error:
        sender().find_sent("+447700900123", "hello", datetime(2026, 11, 24, 10, tzinfo=UTC))
    assert error.value.permanent is False
