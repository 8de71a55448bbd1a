"""What triage makes of one message, as plain values: where the resident is, any crisis, and
the need. Kept apart from the spaCy pipelines that produce them (triage.py, safety.py,
entities.py), so the conversation policy (frontdoor/policy.py) and its tests read them
without loading a model."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Place:
    """What a message says about where the resident is."""

    postcode: str | None = None        # "DE23 8AB", a sector "DE23 8", or a district "DE23"
    ward_codes: tuple[str, ...] = ()   # one ward, or the several a district spans
    area: str | None = None            # a name shared by several wards: "Chaddesden"

    @property
    def ward_code(self) -> str | None:
        return self.ward_codes[0] if len(self.ward_codes) == 1 else None


@dataclass(frozen=True)
class CrisisFlag:
    category: str
    source: str   # "rule" or "model"
    score: float
    # "clear": numbers first and an urgent hand-over; "possible": the need answered as usual,
    # one gentle line with a number, and the thread flagged for a person to check in.
    level: str = "clear"


@dataclass(frozen=True)
class Reading:
    need: str
    confidence: float
    unsure: bool
    ranked: tuple[tuple[str, float], ...]
    several_needs: tuple[str, ...] = ()
    crisis: CrisisFlag | None = None
    place: Place = field(default_factory=Place)
    closing: bool = False          # thanks or goodbye ("thanks thats great", "bye")
    other_language: bool = False   # written in a language the front door cannot read
    # The crisis model's scores for this text, kept for the safety net (frontdoor/review.py).
    crisis_scores: Mapping[str, float] | None = None

    def likely_needs(self, answerable: AbstractSet[str], limit: int = 3) -> list[str]:
        return [need for need, _ in self.ranked if need in answerable][:limit]
