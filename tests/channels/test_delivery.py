"""Each channel says how a message recorded for its residents leaves (Channel.delivered_by),
and the outbox, the follow-ups and the review list ask it rather than the channel's name.
No database, no model: the unit tier (a bare Flask app holds the registry the factory sets
up)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from frontdoor.channels.sms import SMS
from frontdoor.channels.webchat import WEB_CHAT
from frontdoor.followups import why_not_follow_up
from frontdoor.models import FollowUp, Resident, Thread
from frontdoor.outgoing import channel_of, outbox_channels
from frontdoor.review import contact_note


@pytest.fixture
def channels() -> Iterator[None]:
    registry = Flask(__name__)
    registry.extensions["frontdoor.channels"] = {SMS.name: SMS, WEB_CHAT.name: WEB_CHAT}
    with registry.app_context():
        yield


def test_a_text_leaves_through_the_outbox() -> None:
    assert SMS.delivered_by == "outbox"


def test_a_web_chat_message_is_shown_on_the_residents_page() -> None:
    assert WEB_CHAT.delivered_by == "page"


def test_a_resident_is_reached_on_the_channel_they_came_by(channels: None) -> None:
    assert channel_of(Resident(channel="sms", address="+447700900123")) is SMS
    assert channel_of(Resident(channel="webchat", address="a" * 64)) is WEB_CHAT


def test_the_worker_sends_only_what_leaves_through_the_outbox(channels: None) -> None:
    assert outbox_channels() == ["sms"]


def test_a_web_chat_resident_is_never_followed_up_by_text(channels: None) -> None:
    chat = Resident(channel="webchat", address="a" * 64)
    assert why_not_follow_up(FollowUp(), chat) == "web chat: there is no number to text"


def test_the_review_list_says_how_reaching_out_would_go_on_each_channel(
        channels: None) -> None:
    chat = Thread(resident=Resident(channel="webchat", address="a" * 64))
    phone = Thread(resident=Resident(channel="sms", address="+447700900123"))
    assert contact_note(chat) == "Web chat: they see a message when they come back to the chat."
    assert contact_note(phone) == "They can be texted."
