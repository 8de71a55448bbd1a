"""Each channel says how staff name it and its residents, and whether a resident's address is
a phone number (frontdoor/inbound.py Channel): the inbox, the search and a resident's own
records ask the channel, never its name. No database, no model: the unit tier (a bare Flask
app holds the registry the factory sets up)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet

import pytest
from flask import Flask

from frontdoor.channels import Command, DeliveredBy, ReplyStatus
from frontdoor.channels.sms import SMS
from frontdoor.channels.webchat import WEB_CHAT
from frontdoor.inbox.rows import resident_label
from frontdoor.models import Resident
from frontdoor.outgoing import channel_label, phone_channels

CHAT_ADDRESS = "3f" * 32   # a web-chat address: the SHA-256 of its token


class WhatsApp:
    """A channel the core has never heard of, known by a phone number like a text."""

    name = "whatsapp"
    label = "WhatsApp"
    addressed_by_phone = True
    counts_segments = False
    carries_privacy_notice = True
    delivered_by: DeliveredBy = "outbox"

    def resident_label(self, address: str, record_id: int) -> str:
        return f"WhatsApp ending {address[-2:]}"

    def render(self, parts: Sequence[str], optional: AbstractSet[int]) -> str:
        return "\n".join(parts)

    def reply_status(self, answered_later: bool) -> ReplyStatus:
        return "pending"

    def command(self, text: str,
                council_opt_out_words: AbstractSet[str] = frozenset()) -> Command | None:
        return None


@pytest.fixture
def channels() -> Iterator[dict[str, object]]:
    registry = Flask(__name__)
    registered: dict[str, object] = {SMS.name: SMS, WEB_CHAT.name: WEB_CHAT}
    registry.extensions["frontdoor.channels"] = registered
    with registry.app_context():
        yield registered


def test_each_channel_is_named_as_in_a_sentence() -> None:
    assert SMS.label == "SMS"
    assert WEB_CHAT.label == "web chat"


def test_a_texter_is_named_by_the_last_three_digits_of_their_number_only() -> None:
    assert SMS.resident_label("+447700900123", 7) == "SMS ending 123"


def test_a_web_chat_resident_is_named_by_their_record_never_their_address() -> None:
    label = WEB_CHAT.resident_label(CHAT_ADDRESS, 7)
    assert label == "Web chat resident 7"
    assert CHAT_ADDRESS[-3:] not in label


def test_only_a_texters_address_is_a_phone_number() -> None:
    assert SMS.addressed_by_phone
    assert not WEB_CHAT.addressed_by_phone


def test_only_a_text_is_counted_in_sms_segments() -> None:
    assert SMS.counts_segments
    assert not WEB_CHAT.counts_segments


def test_the_inbox_names_a_resident_as_their_channel_does(channels: dict[str, object]) -> None:
    texter = Resident(id=4, channel="sms", address="+447700900123", name="Rose")
    chatter = Resident(id=5, channel="webchat", address=CHAT_ADDRESS)
    assert resident_label(texter) == "Rose (SMS ending 123)"
    assert resident_label(chatter) == "Web chat resident 5"


def test_a_new_channel_is_named_and_searched_by_number_without_the_core_knowing_it(
        channels: dict[str, object]) -> None:
    assert phone_channels() == ["sms"]
    assert channel_label("whatsapp") == "whatsapp"   # an old message's, no longer registered
    channels["whatsapp"] = WhatsApp()
    assert phone_channels() == ["sms", "whatsapp"]
    assert [channel_label(name) for name in channels] == ["SMS", "web chat", "WhatsApp"]
    assert resident_label(Resident(id=6, channel="whatsapp", address="+447700900123")) \
        == "WhatsApp ending 23"
