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


@pytest.mark.parametrize("status,code,permanent", [(400, 21610, True), (400, 21211, True),
                                                   (500, 20500, False), (429, 20429, False)])
@responses.activate
def test_twilio_errors_become_one_exception_that_says_if_a_retry_can_help(status, code,
                                                                          permanent):
    responses.post(URL, status=status, body=json.dumps(
        {"code": code, "message": "nope", "status": status}))
    with pytest.raises(SendError) as error:
        sender().send("+447700900123", "hello", "k")
    assert error.value.permanent is permanent and error.value.code == code


@responses.activate
def test_a_network_failure_is_a_retryable_send_error():
    from requests.exceptions import ConnectTimeout

    responses.post(URL, body=ConnectTimeout())
    with pytest.raises(SendError) as error:
        sender().send("+447700900123", "hello", "k")
    assert error.value.permanent is False
