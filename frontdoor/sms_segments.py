"""SMS segment counting and budgeting: GSM-7 160/153 characters, UCS-2 70/67.

Any character outside GSM-7 (an emoji, Welsh ŵ, a curly quote) switches the whole message
to UCS-2, so replies keep to GSM-7 where they can and are budgeted either way.

Welsh needs its accents (ŵ, ŷ, â, ô...), none of them in GSM-7: 3 UCS-2 segments hold only
201 characters against GSM-7's 459. A Welsh reply keeps its accents when it fits whole in
3 UCS-2 segments; when it would not, it is sent with the plain letters (w for ŵ) in GSM-7,
so that no part of what it says (the numbers, the coordinator's name) is lost.

The arithmetic of SMS itself, not a channel: the replies, the inbox's reply box and the SMS
channel all count with it, so it sits below them all (pyproject.toml's import contracts)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs two septets (escape + character).
GSM7_EXTENDED = set("^{}\\[~]|€\f")
MAX_SEGMENTS = 3

# Typographic characters our own wording might use, and their GSM-7 stand-ins.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                        "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " "})


def to_gsm_friendly(text: str) -> str:
    return text.translate(_PLAIN)


def to_gsm_letters(text: str) -> str:
    """Accented letters GSM-7 lacks, written plain (ŵ -> w, â -> a); GSM-7's own (é, ü)
    kept. Only for a reply that would not fit whole with its accents."""
    return "".join(ch if ch in GSM7_BASIC or ch in GSM7_EXTENDED
                   else unicodedata.normalize("NFD", ch)[0] for ch in text)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def length_units(text: str) -> tuple[int, bool]:
    """(units, gsm): septets for GSM-7, UTF-16 code units for UCS-2."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text), True
    return len(text.encode("utf-16-le")) // 2, False


def segments(text: str) -> int:
    """How many SMS segments a message needs."""
    units, gsm = length_units(text)
    single, multi = (160, 153) if gsm else (70, 67)
    if units <= single:
        return 1
    return math.ceil(units / multi)


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    return segments(text) <= max_segments


def trim_to_fit(text: str, max_segments: int = MAX_SEGMENTS) -> str:
    """Shorten at a word boundary, ending with '...', until it fits."""
    if fits(text, max_segments):
        return text
    words = text.split(" ")
    while words:
        words.pop()
        candidate = " ".join(words).rstrip(" ,;:-") + "..."
        if fits(candidate, max_segments):
            return candidate
    return ""


def fit_reply(parts: Sequence[str], optional: AbstractSet[int]) -> str:
    """A reply's parts as one text: typographic characters made GSM-7, the least
    important parts dropped (last first) and then words, until it fits the budget."""
    return fit_parts([to_gsm_friendly(p) for p in parts], set(optional))


def fit_parts(parts: list[str], optional: set[int], sep: str = "\n",
              max_segments: int = MAX_SEGMENTS) -> str:
    """Join parts; drop optional parts (last first) until the message fits, then trim.

    Accents GSM-7 lacks are kept when the whole message fits with them, and written plain
    before anything is dropped (see the module's docstring)."""
    whole = sep.join(parts)
    if fits(whole, max_segments):
        return whole
    plain = [to_gsm_letters(p) for p in parts]
    if plain != parts:
        return fit_parts(plain, optional, sep, max_segments)
    keep = list(range(len(parts)))
    text = sep.join(parts[i] for i in keep)
    for index in sorted(optional, reverse=True):
        if fits(text, max_segments):
            break
        keep.remove(index)
        text = sep.join(parts[i] for i in keep)
    return trim_to_fit(text, max_segments)
