"""Looking up a ward for the answer; choosing entries is frontdoor/directory/search.py."""

from __future__ import annotations

from frontdoor.extensions import db
from frontdoor.models import Ward


def ward_named(code: str | None) -> Ward | None:
    return db.session.get(Ward, code) if code else None
