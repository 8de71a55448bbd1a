"""Text clean-up shared by the classifier, the crisis check and the place finder."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u00b4": "'", "`": "'"})
_SPACE = re.compile(r"\s+")
# Three or more of the same letter ("pleeease", "hellppp") become two.
_STRETCHED = re.compile(r"([a-z])\1{2,}")


def normalise(text: str) -> str:
    """Lower case, plain quotes and spaces, compatibility forms folded (full-width, ligatures)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = _STRETCHED.sub(r"\1\1", text)
    return _SPACE.sub(" ", text).strip()
