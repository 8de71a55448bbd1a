"""One resident message as every channel hands it to the engine, and what the engine asks of
the channel it came by.

Here, below the engine and the channels alike, so the engine never imports a channel
(the layers in pyproject.toml's import-linter contract): the app factory registers one
`Channel` for each (frontdoor/channels/), and the engine asks it."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

# How a reply from the front door leaves, as its first status: in the webhook's response
# ("twiml"), through the outbox ("pending": the worker sends it), or on the chat page
# ("shown": the page polls for it).
ReplyStatus = Literal["twiml", "pending", "shown"]
# How any message to the resident leaves once recorded (frontdoor/outgoing.py): through the
# outbox ("outbox": the worker sends it, retried and sent once) or on their chat page
# ("page": the page polls for it).
DeliveredBy = Literal["outbox", "page"]


class Command(StrEnum):
    """A message the channel reads as a command, not words: the policy acts on it."""

    OPT_OUT = "opt_out"                  # the provider's own word: it stops and confirms
    COUNCIL_OPT_OUT = "council_opt_out"  # the council's own word (STOPIO): we confirm
    OPT_IN = "opt_in"                    # counts only from a resident who opted out
    HELP = "help"


# Help, sent alone, on every channel: what the front door is and how to reach a person.
HELP_WORDS = frozenset({"HELP", "INFO", "CYMORTH"})


def keyword(text: str) -> str:
    """A message sent as one control word (STOP, HELP, Cymraeg), as Twilio matches them."""
    return text.strip().strip(".!").upper()


@dataclass(frozen=True)
class Inbound:
    """One resident message, whichever channel carried it."""

    channel: str                    # "sms" | "webchat"
    sender: str                     # E.164 number, or a hash of the web-chat token
    text: str
    # Twilio's MessageSid, or a web-chat client message id made unique per conversation:
    # a Twilio retry or a double post is stored once.
    provider_id: str | None = None
    media_count: int = 0
    # The language the resident's page is in (web chat), for a first message with no words
    # to tell it from ("0"); the words of a message count for more (conversations.py).
    language: str | None = None
    # Web chat: a keyed digest of the address it came from (edge.origin_of_request), so a
    # burst of urgent threads from one address reaches the lead as one alert (threads.py).
    origin: str | None = None
    # What the channel read the message as (Channel.command); None: words, for triage.
    command: Command | None = None


class Channel(Protocol):
    """What the engine asks of the channel a message came by: what a message is, and how a
    reply is written and leaves."""

    name: str
    # How the channel is named to staff and in a resident's own records, as in a sentence
    # ("by SMS", "by web chat").
    label: str
    # Whether a resident's address on this channel is their phone number: shown to staff to
    # call, given back in the resident's own records, found again by its last digits. Any
    # other address is kept from everyone (a web chat's is a hash of its token).
    addressed_by_phone: bool
    # Whether a message on this channel goes as SMS segments (frontdoor/sms_segments.py): a
    # coordinator's reply box counts them, and a reply past the budget is confirmed first.
    counts_segments: bool
    # Whether a reply must carry the privacy notice's address until one has (a text has no
    # page to link it from).
    carries_privacy_notice: bool
    # How a message recorded for a resident on this channel reaches them.
    delivered_by: DeliveredBy

    def resident_label(self, address: str, record_id: int) -> str:
        """How the inbox names a resident reached on this channel at `address` (their record
        is `record_id`), never showing the whole address."""
        ...

    def render(self, parts: Sequence[str], optional: AbstractSet[int]) -> str:
        """One reply's parts as this channel sends it; `optional` ones may be dropped."""
        ...

    def reply_status(self, answered_later: bool) -> ReplyStatus:
        """How a reply leaves: `answered_later` when the worker answers a stored message
        (the webhook's response is long gone)."""
        ...

    def command(self, text: str,
                council_opt_out_words: AbstractSet[str] = frozenset()) -> Command | None:
        """The command `text` is on this channel, if it is one. `council_opt_out_words`:
        the council's own opt-out words (council.toml), known to the engine, not the
        webhook."""
        ...
