"""The demo council's sign-ins: the same every `make demo`, shown on the landing page.

Only for the fictional demo council (`frontdoor demo` refuses any other) and shown only
with DEV_TOOLS on, which production refuses."""

from __future__ import annotations

import base64
import hashlib

import sqlalchemy as sa

from frontdoor.extensions import db
from frontdoor.models import Coordinator, Council

# A published password is fine for fictional people on a laptop, and a newcomer finds it.
DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105 - the fictional demo council only
DEMO_PEOPLE = ("sam-patel", "lead")


def demo_second_factor_key(key: str) -> str:
    """The demo person's authenticator key: the same every time, like the password. Fine
    for fictional people on a laptop; real accounts enrol a random key at first sign-in."""
    return base64.b32encode(hashlib.sha256(f"frontdoor-demo:{key}".encode()).digest()[:20]
                            ).decode()


def demo_sign_ins() -> list[Coordinator]:
    """The demo people who can sign in, when this database holds the demo council."""
    council = db.session.get(Council, 1)
    if council is None or not council.is_demo:
        return []
    people = db.session.scalars(sa.select(Coordinator).where(
        Coordinator.key.in_(DEMO_PEOPLE), Coordinator.active,
        Coordinator.password_hash.is_not(None))).all()
    return sorted(people, key=lambda p: DEMO_PEOPLE.index(p.key))
