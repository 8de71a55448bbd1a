"""What makes a password acceptable: long enough, and not one that is easy to guess.

Guessability is judged by zxcvbn, which ships offline lists of common and breached passwords,
names and words, and spots keyboard runs, repeats and dates. No rules about symbols or
digits (NIST SP 800-63B and ASVS: they make passwords worse, not stronger)."""

from __future__ import annotations

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's top score: about 10^10 guesses or more. Its 3 (10^8) still lets through a name
# with digits ("sampatel1234"), which a council's review would not accept for staff.
MIN_SCORE = 4
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
        warning = verdict["feedback"].get("warning")
        why = f" {warning.rstrip('.')}." if warning else ""
        return (f"Choose a password that is harder to guess.{why} Three or four unrelated "
                "words work well.")
    return None


def _words(value: str) -> list[str]:
    """A name or email and its parts: "sam.patel@x.org" gives itself, sam.patel, sam, patel."""
    value = value.lower().strip()
    local = value.split("@")[0]
    parts = value.replace("@", " ").replace(".", " ").replace("-", " ").split()
    return [value, local, *[w for w in parts if len(w) > 2]]
