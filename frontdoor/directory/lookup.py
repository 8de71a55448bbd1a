"""Finding directory entries for a need and a ward: community options first."""

from __future__ import annotations

import sqlalchemy as sa

from frontdoor.extensions import db
from frontdoor.models import DirectoryEntry, Ward, directory_entry_ward


def entries_for(need: str, ward_code: str | None, limit: int = 3) -> list[DirectoryEntry]:
    """Up to `limit` entries meeting a need in a ward (or city-wide when ward is None):
    community options first, ward-specific before city-wide, then formal services."""
    in_ward = sa.select(directory_entry_ward.c.entry_id).where(
        directory_entry_ward.c.ward_code == ward_code)
    reach = DirectoryEntry.citywide if ward_code is None else sa.or_(
        DirectoryEntry.citywide, DirectoryEntry.id.in_(in_ward))
    candidates = db.session.scalars(
        sa.select(DirectoryEntry)
        .where(reach, DirectoryEntry.needs.contains(need))
        .order_by(DirectoryEntry.citywide, DirectoryEntry.name)
    ).all()
    # `contains` is a substring test; keep only exact labels ("health" is not in "healthy").
    matching = [e for e in candidates if need in e.need_list]
    community = [e for e in matching if e.kind == "community"]
    services = [e for e in matching if e.kind != "community"]
    # Lead with the community, but keep one formal service in view when there is one.
    chosen = community[: limit - 1 if services else limit] + services[:1]
    if len(chosen) < limit:
        chosen += [e for e in community + services if e not in chosen][: limit - len(chosen)]
    return chosen


def ward_named(code: str | None) -> Ward | None:
    return db.session.get(Ward, code) if code else None
