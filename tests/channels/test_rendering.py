"""Each channel writes the front door's replies its own way and says how they leave: the
engine asks (frontdoor/inbound.py Channel) and never branches on the channel's name. No
database, no model: the unit tier."""

from __future__ import annotations

from frontdoor.channels.sms import SMS
from frontdoor.channels.webchat import WEB_CHAT
from frontdoor.replies import Reply
from frontdoor.sms_segments import segments

FIRST = "We\u2019ve found 3 places near you \u2013 here they are."
LONG = " ".join(["Normanton Community Food Bank, open Tuesday and Thursday."] * 12)


def test_an_sms_reply_keeps_to_gsm_7_where_it_can() -> None:
    assert SMS.render([FIRST], frozenset()) == "We've found 3 places near you - here they are."


def test_an_sms_reply_drops_its_optional_parts_to_fit_three_segments_and_keeps_the_rest() -> None:
    text = SMS.render(["Call 0300 123 4567.", LONG, "Text 0 for a person."], frozenset({1}))
    assert text == "Call 0300 123 4567.\nText 0 for a person."
    assert segments(text) <= 3


def test_an_sms_reply_too_long_even_so_is_cut_at_a_word_within_three_segments() -> None:
    text = SMS.render([LONG], frozenset())
    assert segments(text) == 3 and text.endswith("...") and LONG.startswith(text[:-3])


def test_a_web_chat_reply_is_every_part_one_to_a_line_as_written() -> None:
    parts = [FIRST, LONG, "Text 0 for a person."]
    assert WEB_CHAT.render(parts, frozenset({1})) == "\n".join(parts)


def test_a_reply_renders_as_the_channel_it_is_given_writes_it() -> None:
    reply = Reply((FIRST, LONG), frozenset({1}))
    assert reply.render(SMS) == SMS.render(reply.parts, reply.optional)
    assert reply.render(WEB_CHAT) == WEB_CHAT.render(reply.parts, reply.optional)


def test_only_a_text_carries_the_privacy_notice_the_chat_page_links_it() -> None:
    assert SMS.carries_privacy_notice and not WEB_CHAT.carries_privacy_notice


def test_an_sms_reply_goes_back_in_the_webhooks_response_or_through_the_outbox_later() -> None:
    assert SMS.reply_status(answered_later=False) == "twiml"
    assert SMS.reply_status(answered_later=True) == "pending"


def test_a_web_chat_reply_is_shown_on_the_page_however_it_was_answered() -> None:
    assert WEB_CHAT.reply_status(answered_later=False) == "shown"
    assert WEB_CHAT.reply_status(answered_later=True) == "shown"
