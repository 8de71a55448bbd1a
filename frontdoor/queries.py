"""Named queries asked in more than one place, verb first: `find_…` answers one record or
None, `list_…` answers a list in the order pages show it. They only read; whoever calls
them commits (frontdoor/transactions.py)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from frontdoor.extensions import db
from frontdoor.models import Coordinator, Resident, Ward


def find_coordinator_by_email(email: str) -> Coordinator | None:
    """Whoever has this email address, however it was typed (case, spaces)."""
    return db.session.scalar(sa.select(Coordinator).where(
        sa.func.lower(Coordinator.email) == email.strip().lower()))


def find_resident_by_address(channel: str, address: str) -> Resident | None:
    """The record for this number (SMS) or this chat's hashed token (web chat), if any."""
    return db.session.scalar(sa.select(Resident).where(Resident.channel == channel,
                                                       Resident.address == address))


def list_wards() -> Sequence[Ward]:
    """Every ward, by name: the wards a lead may choose from."""
    return db.session.scalars(sa.select(Ward).order_by(Ward.name)).all()
