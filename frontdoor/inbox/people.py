"""Adding coordinators and team leads: by a lead in the UI or `frontdoor coordinators add`."""

from __future__ import annotations

import re

import sqlalchemy as sa

from frontdoor.extensions import db
from frontdoor.inbox.auth import hash_password
from frontdoor.models import Coordinator

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MIN_PASSWORD = 12


def add_person(name: str, email: str, password: str, role: str = "coordinator",
               days: list[str] | None = None) -> Coordinator:
    """Create (or reset the password of) a coordinator or lead, by email."""
    name, email = name.strip(), email.strip().lower()
    if not name or "@" not in email:
        raise ValueError("A name and an email address are needed.")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Passwords need at least {MIN_PASSWORD} characters.")
    if role not in {"coordinator", "lead"}:
        raise ValueError("The role is coordinator or lead.")
    chosen = [d for d in DAYS if d in (days or DAYS[:5])]
    person = db.session.scalar(sa.select(Coordinator).where(
        sa.func.lower(Coordinator.email) == email))
    if person is None:
        key = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        while db.session.scalar(sa.select(Coordinator.id).where(Coordinator.key == key)):
            key += "-2"
        person = Coordinator(key=key, name=name, email=email, working_days=",".join(chosen))
        db.session.add(person)
    person.role = role
    person.active = True
    person.password_hash = hash_password(password)
    db.session.flush()
    return person
