"""What makes a password acceptable: long enough, and not one that is easy to guess.

Guessability is judged by zxcvbn, which ships offline lists of common and breached passwords,
names and words, and spots keyboard runs, repeats and dates. No rules about symbols or
digits (NIST SP 800-63B and ASVS: they make passwords worse, not stronger)."""

from __future__ import annotations

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's scale: 3 is "safely unguessable" against online and throttled offline attack.
MIN_SCORE = 3
# Words anyone attacking this service would try first.
SERVICE_WORDS = ["frontdoor", "front door", "inbox", "coordinator", "council", "lac",
                 "local area coordination"]


def problem_with(password: str, personal: list[str] | None = None) -> str | None:
    """Why this password would not do (a sentence for the person), or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Passwords need at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Passwords can have at most {MAX_LENGTH} characters."
    words = SERVICE_WORDS + [w for value in personal or [] for w in _words(value)]
    verdict = zxcvbn(password, user_inputs=words)
    if verdict["score"] < MIN_SCORE:
        warning = verdict["feedback"].get("warning") or "It would be easy to guess."
        return (f"Choose a password that is harder to guess. {warning.rstrip('.')}. "
                "Three or four unrelated words work well.")
    return None


def _words(value: str) -> list[str]:
    return [w for w in value.lower().replace("@", " ").replace(".", " ").split() if len(w) > 2]
