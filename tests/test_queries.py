"""The named queries (frontdoor/queries.py) answer what their names say."""

from __future__ import annotations

from frontdoor import queries
from tests import factories


def test_a_resident_is_found_by_channel_and_address_only(app, db):
    texted = factories.make_resident(phone="+447700900555")
    factories.make_resident(phone="+447700900556")
    assert queries.find_resident_by_address("sms", "+447700900555") is texted
    assert queries.find_resident_by_address("webchat", "+447700900555") is None
    assert queries.find_resident_by_address("sms", "+447700900557") is None


def test_a_coordinator_is_found_by_email_however_it_is_typed(app, db):
    sam = factories.coordinator("sam-patel")
    assert queries.find_coordinator_by_email(f"  {sam.email.upper()} ") is sam
    assert queries.find_coordinator_by_email("nobody@lac.example.org") is None


def test_wards_are_listed_by_name(app, db):
    names = [ward.name for ward in queries.list_wards()]
    assert len(names) > 1 and names == sorted(names)
