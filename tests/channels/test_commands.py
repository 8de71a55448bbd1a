"""Which messages are a command (STOP, START, HELP) is each channel's to say: the policy acts
on the command (tests/test_policy.py). No database, no model: the unit tier."""

from __future__ import annotations

import pytest

from frontdoor.channels import Command
from frontdoor.channels.sms import SMS
from frontdoor.channels.webchat import WEB_CHAT

WELSH_OPT_OUT = frozenset({"STOPIO", "DAD-DANYSGRIFIO"})


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop. ", "STOP!", "stopall", "UNSUBSCRIBE",
                                  "cancel", "End", "QUIT", "revoke", "OPTOUT"])
def test_twilios_opt_out_words_sent_alone_are_an_opt_out_by_text(text: str) -> None:
    assert SMS.command(text) is Command.OPT_OUT


@pytest.mark.parametrize("text", ["START", "yes", "Unstop"])
def test_twilios_opt_in_words_sent_alone_are_an_opt_in_by_text(text: str) -> None:
    assert SMS.command(text) is Command.OPT_IN


@pytest.mark.parametrize("text", ["HELP", "help!", "Info", "Cymorth"])
def test_help_words_sent_alone_are_help_by_text(text: str) -> None:
    assert SMS.command(text) is Command.HELP


@pytest.mark.parametrize("text", ["stop it", "please stop texting me", "help me", "yes please",
                                  "", "0", "Cymraeg", "STOPIO"])
def test_anything_else_by_text_is_words(text: str) -> None:
    assert SMS.command(text) is None


def test_the_councils_own_opt_out_words_are_an_opt_out_we_confirm_by_text() -> None:
    assert SMS.command("Stopio", WELSH_OPT_OUT) is Command.COUNCIL_OPT_OUT
    assert SMS.command("dad-danysgrifio.", WELSH_OPT_OUT) is Command.COUNCIL_OPT_OUT


def test_twilios_stop_wins_over_a_council_word_the_same_and_the_council_word_over_start() -> None:
    assert SMS.command("STOP", WELSH_OPT_OUT | {"STOP"}) is Command.OPT_OUT
    assert SMS.command("START", WELSH_OPT_OUT | {"START"}) is Command.COUNCIL_OPT_OUT


@pytest.mark.parametrize("text", ["HELP", "info", "Cymorth!"])
def test_help_words_sent_alone_are_help_in_the_web_chat_too(text: str) -> None:
    assert WEB_CHAT.command(text) is Command.HELP


@pytest.mark.parametrize("text", ["STOP", "stop", "START", "yes", "unsubscribe", "Stopio"])
def test_the_web_chat_has_no_opt_out_or_opt_in_words(text: str) -> None:
    """Nothing stops a web chat but the resident closing it: "stop" is read as words."""
    assert WEB_CHAT.command(text, WELSH_OPT_OUT) is None
