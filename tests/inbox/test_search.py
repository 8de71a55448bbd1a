"""Finding people and threads again, open and closed, within what a coordinator may see."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from frontdoor.inbox import search
from frontdoor.models import Resident, Thread
from tests.conftest import make_phone


@pytest.fixture
def closed_thread(phone, auth, db, client) -> Thread:
    """Rose's Normanton thread about housing, closed by Sam."""
    phone.text("we are being evicted next week, can someone help, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    auth.sign_in("sam")
    resident = db.session.scalar(sa.select(Resident))
    auth.post(f"/inbox/residents/{resident.id}/details", name="Rose Hill")
    auth.post(f"/inbox/threads/{thread.id}/take")
    auth.post(f"/inbox/threads/{thread.id}/close", outcome="signposted")
    return thread


def found(client, **query) -> str:
    response = client.get("/inbox/search", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.model   # what the trained model makes of the words
# One of each kind; how words become a number's ending or a need is tested below.
@pytest.mark.parametrize("words", ["Hill", "07700 900123", "normanton", "housing"])
def test_search_finds_a_closed_thread_by_name_number_ward_or_need(closed_thread, client, words):
    assert closed_thread.state.value == "closed"
    page = found(client, q=words)
    assert f'href="/inbox/threads/{closed_thread.id}"' in page, words
    assert "Closed: Signposted to a service" in page


def test_closed_threads_are_listed_with_no_search_words(closed_thread, client):
    assert f'href="/inbox/threads/{closed_thread.id}"' in found(client, state="closed")
    assert f'href="/inbox/threads/{closed_thread.id}"' not in found(client, q="rose",
                                                                     state="open")


def test_search_finds_nothing_the_coordinator_may_not_see(closed_thread, client, auth, app):
    make_phone(client, app, "+447700900456").text("can someone ring me, i live in abbey")
    assert "ending 456" not in found(client, q="456")
    auth.sign_in("hannah")
    page = found(client, q="rose")
    assert f'href="/inbox/threads/{closed_thread.id}"' not in page
    assert "ending 456" in found(client, q="456")


def test_search_words_are_text_not_patterns(closed_thread, client):
    assert f'href="/inbox/threads/{closed_thread.id}"' not in found(client, q="%")
    assert f'href="/inbox/threads/{closed_thread.id}"' not in found(client, q="r_se")


# -- what the words are taken to be (no database) ----------------------------------------------

@pytest.mark.parametrize(("words", "ending"), [
    ("123", "123"),
    ("07700 900123", "7700900123"),
    ("+44 7700 900123", "7700900123"),
    ("(07700) 900-123", "7700900123"),
    ("447700900123", "447700900123"),   # no "+": the digits as typed
    ("12", None),                       # too few digits to mean a number
    ("000", None),                      # a trunk 0 and two digits: most numbers match
    ("007", None),
    ("+4400", None),
    ("0004", "004"),
    ("flat 123b", None),                 # an address, not a number
    ("rose", None),
])
def test_a_number_or_its_last_digits_is_searched_as_the_end_of_a_stored_number(words, ending):
    assert search.number_ending(words) == ending


@pytest.mark.parametrize(("words", "pattern"), [
    ("Rose", "%rose%"),
    ("100%", "%100\\%%"),
    ("r_se", "%r\\_se%"),
    ("a\\b", "%a\\\\b%"),
])
def test_search_words_are_a_pattern_of_text_in_any_case(words, pattern):
    assert search.like_pattern(words) == pattern


def test_a_need_is_found_by_three_or_more_letters_of_its_words_in_any_case():
    needs = ["housing", "daily_living", None, "money"]
    assert search.needs_matching("Daily living", needs) == ["daily_living"]
    assert search.needs_matching("HOUS", needs) == ["housing"]
    assert search.needs_matching("on", needs) == []
    assert search.needs_matching("living room", needs) == []
