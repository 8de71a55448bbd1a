"""Outcomes in LAC's own domains, recorded with the resident at the start and at each
review; demand avoided; closing a thread without an outcome code."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from frontdoor.inbox import outcomes as outcome_pages
from frontdoor.models import (
    AuditEvent,
    DemandAvoided,
    OutcomeDomain,
    OutcomeReview,
    OutcomeScore,
    Thread,
    ThreadState,
)
from frontdoor.outcomes import scores_given
from tests.factories import make_resident, make_thread

DERBY_DOMAINS = [
    "Connected to family and friends", "Able to cope with family life",
    "Confident about the future", "Contributing to community life",
    "Connected to the local community", "Making own decisions", "In control of money",
    "Safe and happy at home", "Ready for learning, volunteering or work",
    "Less reliant on crisis and specialist services", "In control of health"]


def test_the_demo_council_loads_derbys_eleven_domains_and_five_demand_events(db):
    labels = db.session.scalars(sa.select(OutcomeDomain.label).where(
        OutcomeDomain.kind == "domain").order_by(OutcomeDomain.position)).all()
    assert labels == DERBY_DOMAINS
    demand = db.session.scalars(sa.select(OutcomeDomain.key).where(
        OutcomeDomain.kind == "demand")).all()
    assert set(demand) == {"gp_visit", "a_and_e", "eviction", "care_package", "crisis_service"}


def test_outcomes_saved_at_the_start_and_a_review_show_their_change_on_the_page_and_in_the_report(
        auth, client, db, clock):
    resident = make_resident()
    make_thread(resident, handed_after=timedelta(minutes=1))
    db.session.commit()
    auth.sign_in("sam")
    page = f"/inbox/residents/{resident.id}/outcomes"
    assert auth.post(page, stage="start", **{"score-money": "2", "score-family_friends": "3",
                                             "score-health": ""}).status_code == 302
    clock.now += timedelta(weeks=10)
    auth.sign_in("sam")
    auth.post(page, stage="review", **{"score-money": "4", "score-family_friends": "3"})
    reviews = db.session.scalars(sa.select(OutcomeReview).order_by(OutcomeReview.id)).all()
    assert [r.stage for r in reviews] == ["start", "review"]
    assert {(s.domain, s.score) for s in reviews[0].scores} == {("money", 2),
                                                                ("family_friends", 3)}
    html = client.get(page).get_data(as_text=True)
    assert "In control of money" in html and "+2" in html
    assert "In control of health</th>" not in html, "a domain never scored has no row"

    auth.sign_in("lead")
    report = client.get("/inbox/reports/outcomes.csv").get_data(as_text=True).splitlines()
    rows = {line.split(",")[0]: line.split(",")[1:] for line in report[1:]}
    assert rows["In control of money"] == ["1", "2.0", "4.0", "2.0", "1", "0", "0"]
    assert rows["Connected to family and friends"] == ["1", "3.0", "3.0", "0.0", "0", "1", "0"]
    assert rows["In control of health"][0] == "0"


ACTIVE = {"money": "In control of money", "health": "In control of health"}


@pytest.mark.parametrize("score", ["0", "6", "3.5", "three"])
def test_a_score_outside_1_to_5_is_refused_naming_the_domain(score):
    _, problems = scores_given({"money": score, "health": "3"}, ACTIVE)
    assert problems == ["In control of money: give a score from 1 to 5."]


def test_scores_left_blank_or_for_a_domain_no_longer_used_are_not_scored():
    given, problems = scores_given({"money": " 2 ", "health": "", "old-domain": "4"}, ACTIVE)
    assert (given, problems) == ({"money": 2}, [])
    assert scores_given({"money": "", "health": " "}, ACTIVE) == (
        {}, ["Give at least one score from 1 to 5."])


def test_a_score_outside_1_to_5_is_refused_naming_the_domain_and_nothing_is_saved(
        auth, client, db):
    # Which scores are refused: the tests above. Here: the page names it and saves nothing.
    resident = make_resident()
    make_thread(resident, handed_after=timedelta(minutes=1))
    db.session.commit()
    auth.sign_in("sam")
    response = auth.post(f"/inbox/residents/{resident.id}/outcomes", stage="start",
                         **{"score-money": "7", "score-health": "3"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "In control of money: give a score from 1 to 5." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeScore)) == 0


def test_demand_avoided_is_recorded_and_audited_without_any_resident_words(auth, client, db):
    resident = make_resident()
    make_thread(resident, handed_after=timedelta(minutes=1))
    db.session.commit()
    auth.sign_in("sam")
    auth.post(f"/inbox/residents/{resident.id}/demand-avoided", event="a_and_e")
    assert auth.post(f"/inbox/residents/{resident.id}/demand-avoided",
                     event="made_up").status_code == 302
    assert db.session.scalars(sa.select(DemandAvoided.event)).all() == ["a_and_e"]
    assert db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "demand_avoided", AuditEvent.resident_id == resident.id)) == "a_and_e"


def test_another_wards_coordinator_cannot_see_or_record_a_residents_outcomes(auth, client, db):
    resident = make_resident()
    make_thread(resident, handed_after=timedelta(minutes=1))
    db.session.commit()
    auth.sign_in("hannah")   # Abbey
    assert client.get(f"/inbox/residents/{resident.id}/outcomes").status_code == 404
    assert auth.post(f"/inbox/residents/{resident.id}/outcomes", stage="start",
                     **{"score-money": "3"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeReview)) == 0


def test_a_thread_closes_without_an_outcome_code_and_the_thread_page_links_to_outcomes(
        auth, client, phone, db):
    phone.text("can i talk to someone, i live in normanton")
    thread = db.session.scalar(sa.select(Thread))
    auth.sign_in("sam")
    page = client.get(f"/inbox/threads/{thread.id}").get_data(as_text=True)
    assert f"/inbox/residents/{thread.resident_id}/outcomes" in page
    assert auth.post(f"/inbox/threads/{thread.id}/close", outcome="none").status_code == 302
    db.session.refresh(thread)
    assert thread.state == ThreadState.CLOSED and thread.outcome is None
    assert auth.post(f"/inbox/threads/{thread.id}/reopen").status_code == 302
    assert auth.post(f"/inbox/threads/{thread.id}/close", outcome="nonsense").status_code == 400


def reviewed(**scores: int) -> OutcomeReview:
    return OutcomeReview(scores=[OutcomeScore(domain=d, score=s) for d, s in scores.items()])


def test_each_domains_change_is_from_its_first_score_to_its_latest():
    reviews = [reviewed(housing=2, money=3), reviewed(housing=3), reviewed(housing=5, money=1)]
    assert outcome_pages.changes_in(reviews) == {"housing": 3, "money": -2}


def test_a_domain_scored_once_has_not_changed_and_one_never_scored_is_not_shown():
    assert outcome_pages.changes_in([reviewed(money=3), reviewed(health=2)]) == {
        "money": 0, "health": 0}
    assert outcome_pages.changes_in([]) == {}
