"""Stand-ins for the parts a test does not exercise: FakeTriage (reading without a trained
model, for tests whose behaviour does not depend on what the model makes of words), and what a
database restart does to the connections a test's process holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import sqlalchemy as sa

from frontdoor.settings import PROJECT_ROOT
from frontdoor.triage.data import NeedDefinition, load_need_definitions
from frontdoor.triage.reading import Place, Reading

if TYPE_CHECKING:
    from frontdoor.triage.entities import PlaceFinder

# How a need is answered from the directory (frontdoor/triage/triage.py ANSWERABLE).
ANSWERABLE = "directory"

_NEEDS: dict[str, NeedDefinition] = {}


def need_definitions() -> Mapping[str, NeedDefinition]:
    """The project's needs (intents/needs.yml: words and how each is answered), read once."""
    if not _NEEDS:
        _NEEDS.update(load_need_definitions(PROJECT_ROOT / "intents"))
    return _NEEDS


def reading(need: str = "smalltalk", confidence: float = 0.9, unsure: bool = False,
            **kwargs: object) -> Reading:
    """A Reading with sensible defaults: sure of one need, no crisis, no place."""
    ranked = kwargs.pop("ranked", ((need, confidence),))
    return Reading(need, confidence, unsure, ranked, **kwargs)  # type: ignore[arg-type]


# What an untrained reader makes of anything: small talk, unsure. The engine then answers
# with a friendly "tell me more", as it does for "hello".
NOT_UNDERSTOOD = reading("smalltalk", 0.3, unsure=True)


# The demo directory's one service without terms (config/demo): its import asks the need
# classifier (oruk.need_classifier), and the trained model reads food (0.99), nothing else
# near 0.3. Without this the fake would leave the larder out of every food answer.
DEMO_DIRECTORY_READINGS = {
    "Sinfin Community Larder. A community larder with cheap tinned food, bread and fresh "
    "vegetables for local families.": reading("food", 0.99),
}


@dataclass
class _NoCrisisModel:
    """The safety check's model score, absent (review.crisis_model_score reads 0)."""

    scorer: None = None


@dataclass
class FakeTriage:
    """Returns the readings a test gives it (by exact text; NOT_UNDERSTOOD otherwise) and
    records every text it was asked to read. Places are still found by the council's real
    place finder (rules over the ward and postcode tables, no model) unless the reading
    given has one."""

    readings: dict[str, Reading] = field(default_factory=dict)
    default: Reading = NOT_UNDERSTOOD
    asked: list[str] = field(default_factory=list)
    needs: Mapping[str, NeedDefinition] = field(default_factory=need_definitions)
    safety: _NoCrisisModel = field(default_factory=_NoCrisisModel)

    @property
    def answerable(self) -> set[str]:
        return {n.label for n in self.needs.values() if n.answer == ANSWERABLE}

    def read(self, text: str, places: PlaceFinder | None = None) -> Reading:
        self.asked.append(text)
        given = self.readings.get(text, self.default)
        if given.place == Place() and places is not None:
            given = replace(given, place=places.find(text))
        return given


def terminate_other_connections(url: sa.URL) -> None:
    """What a PostgreSQL restart does to every pooled connection: each one but this new
    one is closed by the server."""
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()
