"""Outcomes in LAC's own domains, recorded with the resident (1 to 5, at the start and at
each review), and demand the coordinator believes was avoided. The domains are the
council's, from outcomes.toml; the council's privacy, retention and accessibility settings
come from council.toml. Both are loaded by `frontdoor load-config`."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from frontdoor.extensions import db
from frontdoor.models import (
    AuditEvent,
    Coordinator,
    Council,
    DemandAvoided,
    OutcomeDomain,
    OutcomeReview,
    OutcomeScore,
    Resident,
)

STAGES = {"start": "At the start", "review": "Review"}
SCORES = range(1, 6)


class OutcomesError(ValueError):
    """A problem in outcomes.toml or council.toml, named with the file and the field."""


def load_domains(path: Path) -> int:
    """Load outcomes.toml: [[domain]] and [[demand]] entries, each with a key and a label.
    Domains no longer in the file are kept, inactive, so older records keep their label."""
    if not path.exists():
        return 0
    with path.open("rb") as f:
        data = tomllib.load(f)
    seen: set[str] = set()
    for kind in ("domain", "demand"):
        for position, item in enumerate(data.get(kind, []), start=1):
            key, label = str(item.get("key", "")).strip(), str(item.get("label", "")).strip()
            if not key or not label or len(key) > 40 or len(label) > 120:
                raise OutcomesError(f"{path.name}: {kind} {position}: a key (up to 40 "
                                    "characters) and a label (up to 120) are needed")
            if key in seen:
                raise OutcomesError(f"{path.name}: {kind} {position}: key {key!r} appears twice")
            seen.add(key)
            row = db.session.get(OutcomeDomain, key) or OutcomeDomain(key=key)
            row.kind, row.label, row.position = kind, label, position
            row.active = bool(item.get("active", True))
            db.session.add(row)
    for row in db.session.scalars(sa.select(OutcomeDomain).where(
            OutcomeDomain.key.not_in(seen))):
        row.active = False
    return len(seen)


def load_council_policy(council: Council, settings: dict, where: str = "council.toml") -> None:
    """The [privacy], [retention] and [accessibility] sections of council.toml."""
    privacy = settings.get("privacy", {})
    url = str(privacy.get("notice", "")).strip()
    if url and not url.startswith(("https://", "http://")):
        raise OutcomesError(f"{where}: [privacy] notice must be a web address starting "
                            f"https://, not {url!r}")
    council.privacy_notice_url = url
    retention = settings.get("retention", {})
    for field, column, default in (("contacts_years", "retention_contact_years", 2),
                                   ("safeguarding_years", "retention_safeguarding_years", 8)):
        years = retention.get(field, default)
        if not isinstance(years, int) or years < 1:
            raise OutcomesError(f"{where}: [retention] {field} must be a whole number of "
                                f"years, 1 or more, not {years!r}")
        setattr(council, column, years)
    accessibility = settings.get("accessibility", {})
    council.accessibility_contact = str(accessibility.get("contact", "")).strip()
    reviewed = accessibility.get("reviewed")
    if reviewed is not None and not isinstance(reviewed, date):
        raise OutcomesError(f"{where}: [accessibility] reviewed must be a date like "
                            f"2026-11-29, not {reviewed!r}")
    council.accessibility_reviewed = reviewed


def domains(kind: str = "domain", include_inactive: bool = False) -> list[OutcomeDomain]:
    query = sa.select(OutcomeDomain).where(OutcomeDomain.kind == kind)
    if not include_inactive:
        query = query.where(OutcomeDomain.active)
    return list(db.session.scalars(query.order_by(OutcomeDomain.position)))


def labels(kind: str = "domain") -> dict[str, str]:
    """Every key ever configured for `kind` and its label (inactive ones included)."""
    return {d.key: d.label for d in domains(kind, include_inactive=True)}


@dataclass(frozen=True)
class Recorded:
    review: OutcomeReview | None
    problems: list[str]


def scores_given(scores: Mapping[str, str],
                 active: Mapping[str, str]) -> tuple[dict[str, int], list[str]]:
    """The scores from a form, by the active domain's key (a domain left blank, or no longer
    active, is not scored); and what is wrong, naming each domain by its label."""
    problems, given = [], {}
    for key, raw in scores.items():
        raw = raw.strip()
        if key not in active or not raw:
            continue
        if not raw.isdigit() or int(raw) not in SCORES:
            problems.append(f"{active[key]}: give a score from 1 to 5.")
            continue
        given[key] = int(raw)
    if not given and not problems:
        problems.append("Give at least one score from 1 to 5.")
    return given, problems


def record_review(resident: Resident, by: Coordinator, stage: str, scores: dict[str, str],
                  now: datetime) -> Recorded:
    """Scores given with the resident, 1 to 5, for some or all active domains. A domain
    left blank is not scored this time; anything else but 1 to 5 is refused, naming it."""
    if stage not in STAGES:
        return Recorded(None, ["Choose whether this is the start or a review."])
    given, problems = scores_given(scores, {d.key: d.label for d in domains()})
    if problems:
        return Recorded(None, problems)
    review = OutcomeReview(resident_id=resident.id, coordinator_id=by.id, stage=stage,
                           recorded_at=now,
                           scores=[OutcomeScore(domain=k, score=v) for k, v in given.items()])
    db.session.add(review)
    audit(by, "outcomes", resident, f"{stage}: {len(given)} domains", now)
    return Recorded(review, [])


def record_demand_avoided(resident: Resident, by: Coordinator, event: str,
                          now: datetime) -> DemandAvoided | None:
    """The coordinator believes this use of a crisis or specialist service was avoided."""
    if event not in {d.key for d in domains("demand")}:
        return None
    row = DemandAvoided(resident_id=resident.id, coordinator_id=by.id, event=event,
                        recorded_at=now)
    db.session.add(row)
    audit(by, "demand_avoided", resident, event, now)
    return row


def reviews_for(resident: Resident) -> list[OutcomeReview]:
    return list(db.session.scalars(sa.select(OutcomeReview).where(
        OutcomeReview.resident_id == resident.id).order_by(OutcomeReview.recorded_at,
                                                           OutcomeReview.id)))


def demand_avoided_for(resident: Resident) -> list[DemandAvoided]:
    return list(db.session.scalars(sa.select(DemandAvoided).where(
        DemandAvoided.resident_id == resident.id).order_by(DemandAvoided.recorded_at)))


def audit(by: Coordinator | None, action: str, resident: Resident, detail: str,
          now: datetime) -> None:
    """An audit row about a resident (not one thread). Never the resident's words."""
    db.session.add(AuditEvent(coordinator_id=by.id if by else None, action=action,
                              resident_id=resident.id, detail=detail[:200], created_at=now))
