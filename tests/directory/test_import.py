"""`frontdoor directory import`: ORUK example files, a paged feed (through `responses`), the
demo directory, and what bad input gets."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import responses
import sqlalchemy as sa
from responses import matchers

from frontdoor.directory import oruk
from frontdoor.directory.commands import directory
from frontdoor.directory.oruk import (
    ImportFailed,
    RawRecord,
    RecordError,
    Service,
    import_directory,
    load_needs_map,
    needs_for,
    parse_service,
    read_source,
)
from frontdoor.models import DirectoryEntry, Thread
from frontdoor.settings import PROJECT_ROOT

# Open Referral UK example records (OpenReferralUK/uk-profile, CC BY-SA 4.0: see LICENSE).
EXAMPLES = Path(__file__).parent / "oruk_examples"
NEEDS_MAP = PROJECT_ROOT / "config" / "demo" / "needs_map.csv"
FEED = "https://directory.example.gov.uk/api/v3"
EXAMPLE_ID = "ac148810-d857-441c-9679-408f346de14b"


@pytest.fixture(scope="module", autouse=True)
def examples_are_there():
    assert (EXAMPLES / "service_full.json").exists(), f"ORUK examples expected in {EXAMPLES}"


def service(oruk_id: str, name: str = "Riverside Pantry", *,
            description: str = "Low-cost food shop for local families. Fresh fruit and veg.",
            terms: tuple[str, ...] = ("Community pantry", "Community group"),
            postcode: str | None = "DE23 6AB", status: str = "active",
            assured: str = "2026-10-01", **fields) -> dict:
    """One full ORUK v3 service record, with sensible defaults for Derby's demo wards."""
    record = {
        "id": oruk_id, "name": name, "description": description, "status": status,
        "assured_date": assured, "last_modified": "2026-10-01T09:00:00Z",
        "organization": {"id": f"{oruk_id}-org", "name": f"{name} Trust",
                         "description": "A charity"},
        "contacts": [{"id": f"{oruk_id}-c", "phones": [{"id": f"{oruk_id}-p",
                                                        "number": "01632 960999"}]}],
        "schedules": [{"id": f"{oruk_id}-s", "freq": "WEEKLY", "byday": "TU,TH",
                       "opens_at": "10:00:00", "closes_at": "13:00:00"}],
        "attributes": [{"id": f"{oruk_id}-a{n}", "taxonomy_term": {
            "id": f"term-{n}", "name": term, "description": term}}
            for n, term in enumerate(terms)],
        "service_at_locations": [] if postcode is None else [{"id": f"{oruk_id}-sal", "location": {
            "id": f"{oruk_id}-loc", "location_type": "physical", "name": "Hall",
            "addresses": [{"id": f"{oruk_id}-ad", "address_1": "4 Sample Street",
                           "city": "Derby", "state_province": "Derbyshire",
                           "postal_code": postcode, "country": "GB",
                           "address_type": "physical"}]}}],
    }
    record.update(fields)
    return record


def summary(record: dict) -> dict:
    """What a /services list page carries: the one-to-one fields only."""
    return {k: v for k, v in record.items()
            if k not in {"schedules", "service_at_locations", "contacts", "attributes"}}


def page(number: int, total: int, contents: list[dict]) -> dict:
    return {"total_items": 99, "total_pages": total, "page_number": number, "size": 2,
            "first_page": number == 1, "last_page": number == total, "empty": not contents,
            "contents": contents}


def serve(rsps, pages: list[list[dict]], details: list[dict] = ()) -> None:
    for n, contents in enumerate(pages, 1):
        rsps.get(f"{FEED}/services", json=page(n, len(pages), contents), match=[
            matchers.query_param_matcher({"page": str(n), "per_page": "100"})])
    for record in details:
        rsps.get(f"{FEED}/services/{record['id']}", json=record)


def entry(db, oruk_id: str) -> DirectoryEntry | None:
    return db.session.scalar(sa.select(DirectoryEntry).where(DirectoryEntry.oruk_id == oruk_id))


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(DirectoryEntry.id)))


# -- the ORUK examples ---------------------------------------------------------------------

@pytest.mark.model   # what the trained model reads in the words
def test_the_oruk_example_service_keeps_what_an_answer_needs(runner, db):
    result = runner.invoke(directory, ["import", str(EXAMPLES / "service_full.json")])
    assert result.exit_code == 0, result.output
    assert "Imported 1 service from" in result.output
    counselling = entry(db, EXAMPLE_ID)
    assert counselling.name == "Community Counselling"
    assert counselling.organisation == "Example Organization Inc."
    assert counselling.summary.startswith("Counselling Services provided by trained")
    assert (counselling.min_age, counselling.max_age) == (12, 100)
    assert counselling.email == "email@example.com"
    assert counselling.url == "http://example.com/counselling"
    assert counselling.hours == "Thu and Fri 10am-6pm"
    assert counselling.assured_date == date(2005, 1, 1)
    assert counselling.last_modified == datetime(2023, 3, 15, 10, 30, 45, 123000, tzinfo=UTC)
    # "ABC 1234" is no Derby postcode: offered city-wide, and the report says why.
    assert counselling.citywide and counselling.wards == []
    assert "postcode ABC 1234 is not in the council's postcode table" in result.output
    # Its only taxonomy term ("name") maps to nothing: the classifier reads it.
    assert counselling.needs_from == "classifier" and "health" in counselling.need_list
    assert "needs from the classifier" in result.output


def test_the_example_csv_folder_joins_its_tables_into_the_same_service(runner, db):
    result = runner.invoke(directory, ["import", str(EXAMPLES / "csv")])
    assert result.exit_code == 0, result.output
    counselling = entry(db, EXAMPLE_ID)
    # phones.csv holds '"+44 1234 234567"' (quotes and all), reached through contacts.csv.
    assert counselling.phones == "01234 234567"
    assert counselling.contact == "Call 01234 234567"
    assert counselling.hours == "Thu and Fri 10am-6pm"
    assert counselling.organisation == "Example Organization Inc."
    assert (counselling.min_age, counselling.max_age) == (12, 100)


def test_a_services_page_saved_as_a_file_imports_its_contents(runner, db):
    result = runner.invoke(directory, ["import", str(EXAMPLES / "service_list.json")])
    assert result.exit_code == 0, result.output
    assert entry(db, EXAMPLE_ID).name == "Community Counselling"


def test_the_example_is_too_old_to_offer_under_the_demo_councils_limit(app, db):
    from frontdoor.directory.search import offers_for

    import_directory(str(EXAMPLES / "service_full.json"), load_needs_map(NEEDS_MAP))
    # Assured in 2005, last modified in 2023: older than the demo's 12 months.
    offers = offers_for("counselling for anxiety", "health", None, date(2026, 11, 24))
    assert EXAMPLE_ID not in [o.oruk_id for o in offers.entries]


# -- a live feed ---------------------------------------------------------------------------

def test_a_paged_feed_is_followed_and_detail_fetched_where_the_list_lacks_it(runner, db):
    first, second, third = (service("feed-1"), service("feed-2", "Oakwood Youth Club",
                                                       terms=("Youth club",), postcode="DE21 2XY",
                                                       minimum_age=11, maximum_age=18),
                            service("feed-3", "Derby Debt Line", terms=("Debt advice",),
                                    postcode=None))
    with responses.RequestsMock() as rsps:
        # Page 1 lists summaries (fetched again in full); page 2 already carries detail.
        serve(rsps, [[summary(first), summary(second)], [third]], details=[first, second])
        result = runner.invoke(directory, ["import", FEED])
        fetched = [c.request.url for c in rsps.calls]
    assert result.exit_code == 0, result.output
    assert "Imported 3 services from https://directory.example.gov.uk/api/v3: 3 new" \
        in result.output
    assert f"{FEED}/services/feed-1" in fetched and f"{FEED}/services/feed-3" not in fetched
    youth = entry(db, "feed-2")
    assert [w.name for w in youth.wards] == ["Oakwood"] and not youth.citywide
    assert (youth.min_age, youth.max_age) == (11, 18)
    assert youth.needs == "family" and youth.kind == "service"
    pantry = entry(db, "feed-1")
    assert pantry.kind == "community" and pantry.need_list == ["food", "money"]
    assert pantry.hours == "Tue and Thu 10am-1pm" and pantry.contact == "Call 01632 960999"
    assert entry(db, "feed-3").citywide


def test_a_malformed_record_is_reported_by_record_and_field_and_the_rest_import(runner, db):
    good = service("good-1")
    bad_age = service("bad-1", "Teen Club", minimum_age="twelve")
    no_name = service("bad-2", name="")
    bad_day = service("bad-3", "Walk", schedules=[{"id": "x", "byday": "Tuesdays"}])
    with responses.RequestsMock() as rsps:
        serve(rsps, [[good, bad_age], [no_name, bad_day]])
        result = runner.invoke(directory, ["import", FEED])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output and "3 skipped" in result.output
    assert "skipped: service 'bad-1': minimum_age: 'twelve' is not a number" in result.output
    assert "skipped: service 'bad-2': name: missing" in result.output
    assert "skipped: service 'bad-3': schedules[0].byday: 'TUESDAYS' is not an RFC 5545 day" \
        in result.output
    assert entry(db, "good-1") is not None
    assert {e.oruk_id for e in db.session.scalars(sa.select(DirectoryEntry))
            if e.source != "config"} == {"good-1"}


def test_a_detail_that_cannot_be_fetched_is_reported_and_the_rest_import(runner, db):
    first, second = service("feed-1"), service("feed-2", "Second")
    with responses.RequestsMock() as rsps:
        serve(rsps, [[summary(first), summary(second)]], details=[first])
        rsps.get(f"{FEED}/services/feed-2", status=404)
        result = runner.invoke(directory, ["import", FEED])
    assert result.exit_code == 0, result.output
    assert "skipped: service 'feed-2': could not fetch /services/feed-2: 404" in result.output
    assert entry(db, "feed-1") is not None and entry(db, "feed-2") is None


def test_a_list_page_that_fails_writes_nothing(runner, db):
    before = count(db)
    with responses.RequestsMock() as rsps:
        rsps.get(f"{FEED}/services", json=page(1, 2, [service("feed-1")]),
                 match=[matchers.query_param_matcher({"page": "1", "per_page": "100"})])
        rsps.get(f"{FEED}/services", status=500,
                 match=[matchers.query_param_matcher({"page": "2", "per_page": "100"})])
        result = runner.invoke(directory, ["import", FEED, "--replace"])
    assert result.exit_code == 1
    assert "page 2" in result.output and "500" in result.output
    assert count(db) == before and entry(db, "feed-1") is None


def test_importing_again_updates_in_place_by_oruk_id(app, db):
    terms = load_needs_map(NEEDS_MAP)
    feed = [service("feed-1"), service("feed-2", "Second")]
    with responses.RequestsMock() as rsps:
        serve(rsps, [feed])
        first = import_directory(FEED, terms)
    original = entry(db, "feed-1").id
    renamed = copy.deepcopy(feed)
    renamed[0]["name"] = "Riverside Community Pantry"
    with responses.RequestsMock() as rsps:
        serve(rsps, [renamed])
        second = import_directory(FEED, terms)
    assert (first.created, second.created, second.updated, second.unchanged) == (2, 0, 1, 1)
    assert entry(db, "feed-1").id == original
    assert entry(db, "feed-1").name == "Riverside Community Pantry"


def test_a_withdrawn_service_disappears_on_replace_and_only_then(app, db):
    terms = load_needs_map(NEEDS_MAP)
    with responses.RequestsMock() as rsps:
        serve(rsps, [[service("feed-1"), service("feed-2", "Second")]])
        import_directory(FEED, terms)
    for replace, expected in ((False, {"feed-1", "feed-2"}), (True, {"feed-1"})):
        with responses.RequestsMock() as rsps:
            serve(rsps, [[service("feed-1")]])
            report = import_directory(FEED, terms, replace=replace)
        left = {e.oruk_id for e in db.session.scalars(sa.select(DirectoryEntry).where(
            DirectoryEntry.source == FEED))}
        assert left == expected, replace
    assert report.removed == 1
    # Entries from elsewhere (the council's config) are not the feed's to remove.
    assert entry(db, "demo-normanton-community-pantry") is not None


def test_a_service_marked_inactive_is_removed_even_without_replace(app, db):
    terms = load_needs_map(NEEDS_MAP)
    with responses.RequestsMock() as rsps:
        serve(rsps, [[service("feed-1")]])
        import_directory(FEED, terms)
    with responses.RequestsMock() as rsps:
        serve(rsps, [[service("feed-1", status="inactive")]])
        report = import_directory(FEED, terms)
    assert entry(db, "feed-1") is None
    assert (report.not_active, report.removed) == (1, 1)


def test_replace_keeps_an_entry_whose_record_is_malformed_this_time(app, db):
    terms = load_needs_map(NEEDS_MAP)
    with responses.RequestsMock() as rsps:
        serve(rsps, [[service("feed-1"), service("feed-2", "Second")]])
        import_directory(FEED, terms)
    with responses.RequestsMock() as rsps:
        serve(rsps, [[service("feed-1"), service("feed-2", "Second", maximum_age=-1)]])
        report = import_directory(FEED, terms, replace=True)
    assert report.problems == ["service 'feed-2': maximum_age: '-1' is not an age in whole years"]
    assert entry(db, "feed-2").name == "Second"   # the last good version stays


def test_replace_with_a_feed_that_lists_nothing_changes_nothing(app, db):
    before = count(db)
    with responses.RequestsMock() as rsps:
        serve(rsps, [[]])
        with pytest.raises(ImportFailed, match="would empty the directory"):
            import_directory(FEED, load_needs_map(NEEDS_MAP), replace=True, source_name="config")
    assert count(db) == before


@pytest.fixture
def offline_runner(words_app):
    """The command line of an app whose database is never opened: for an import that stops
    before it would write anything."""
    return words_app.test_cli_runner()


def test_a_source_that_is_neither_a_url_a_file_nor_a_folder_gets_one_clear_line(
        offline_runner):
    result = offline_runner.invoke(directory, ["import", "not/there.json"])
    assert result.exit_code == 1
    assert "not/there.json: no such file, folder or http(s) URL" in result.output


def test_a_needs_map_with_an_unknown_need_names_its_line(offline_runner, tmp_path):
    needs_map = tmp_path / "needs_map.csv"
    needs_map.write_text("term,need\nFood bank,food\nYouth club,teenagers\n")
    result = offline_runner.invoke(directory, ["import", str(EXAMPLES / "service_full.json"),
                                       "--needs-map", str(needs_map)])
    assert result.exit_code == 1
    assert f"{needs_map}:3: need 'teenagers' is not one of" in result.output


def test_terms_are_matched_on_name_or_code_in_any_case(tmp_path):
    # The needs a map gives are what an import stores (the paged feed's pantry, above).
    needs_map = tmp_path / "needs_map.csv"
    needs_map.write_text("term,need\nLGA-FOOD-42,food\nwarm space,loneliness\n")
    record = service("feed-1", terms=())
    record["attributes"] = [
        {"id": "a", "taxonomy_term": {"id": "t1", "name": "Food", "term": "lga-food-42"}},
        {"id": "b", "taxonomy_term": {"id": "t2", "name": "WARM SPACE"}}]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([record]))
    [read] = read_source(str(path))
    assert needs_for(parse_service(read), load_needs_map(needs_map)) == (
        ["food", "loneliness"], False)


# -- the demo directory --------------------------------------------------------------------

def test_load_config_loads_the_demo_directory_through_the_importer(runner, db):
    from frontdoor.cli import load_config_command

    result = runner.invoke(load_config_command, [])
    assert result.exit_code == 0, result.output
    assert "Imported 191 services from config: 0 new, 0 updated, 191 unchanged" in result.output
    assert count(db) == 191
    assert entry(db, "demo-winter-night-shelter") is None   # not active in the file


@pytest.mark.model   # what the trained model reads in the words
def test_a_term_less_service_gets_its_needs_from_the_classifier(runner, db):
    from frontdoor.cli import load_config_command

    larder = entry(db, "demo-sinfin-community-larder")
    assert larder.terms == "" and larder.needs_from == "classifier"
    assert "food" in larder.need_list
    result = runner.invoke(load_config_command, [])
    assert "needs from the classifier (no taxonomy term in the needs map): Sinfin Community " \
           "Larder (demo-sinfin-community-larder): food" in result.output


def test_a_confidential_location_gives_a_ward_but_its_address_is_never_kept(app, db, tmp_path):
    # No phone either: a drop-in address would otherwise be how a reply says to reach it.
    record = service("refuge-1", "Safe House", terms=("Refuge",), postcode="DE23 6AB",
                     contacts=[], email="safe@example.org")
    record["service_at_locations"][0]["location"]["attributes"] = [{
        "id": "c", "taxonomy_term": {"id": "t", "name": "Confidential location"}}]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([record]))
    import_directory(str(path), load_needs_map(NEEDS_MAP))
    refuge = entry(db, "refuge-1")
    assert refuge.confidential and refuge.address is None
    assert refuge.contact == "Email safe@example.org"
    assert [w.name for w in refuge.wards] == ["Normanton"]
    stored = db.session.execute(sa.select(DirectoryEntry.__table__).where(
        DirectoryEntry.oruk_id == "refuge-1")).one()
    assert not any("Sample Street" in str(value) for value in stored)


@pytest.mark.model   # what the trained model reads in the words
def test_reimport_never_breaks_a_conversation_in_progress(phone, db, runner):
    (ask,) = phone.text("can someone help me with my benefits please")
    assert "postcode" in ask
    with responses.RequestsMock() as rsps:
        serve(rsps, [[service("feed-1", "Benefits Buddies", terms=("Benefits advice",),
                              description="Volunteers help you claim the benefits you are "
                                          "owed.")]])
        result = runner.invoke(directory, ["import", FEED, "--replace"])
    assert result.exit_code == 0, result.output
    (answer,) = phone.text("DE23 8AB")
    assert "in Normanton" in answer and "Benefits Buddies" in answer
    thread = db.session.scalar(sa.select(Thread))
    assert thread.need == "money" and thread.awaiting in (None, "entries")


def test_without_a_trained_model_a_term_less_service_is_imported_and_the_report_says_why(
        app, db, tmp_path):
    record = service("feed-1", terms=())
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([record]))
    app.config["MODEL_PATH"] = str(tmp_path / "no-model")
    triage = app.extensions.pop("frontdoor.triage")
    try:
        from frontdoor.directory.oruk import need_classifier

        report = import_directory(str(path), load_needs_map(NEEDS_MAP),
                                  classify=need_classifier())
    finally:
        app.extensions["frontdoor.triage"] = triage
    assert report.created == 1 and entry(db, "feed-1").needs == ""
    assert "no trained model at" in report.classified[0]
    assert "run `frontdoor train`, then import again" in report.classified[0]


def test_a_service_listed_twice_is_imported_once_and_reported(app, db, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([service("feed-1"), service("feed-1", "Again"),
                                {**service("feed-2", "Numbered"), "id": 42}]))
    report = import_directory(str(path), load_needs_map(NEEDS_MAP))
    assert report.problems == ["service 'feed-1': listed twice; the first is kept"]
    assert entry(db, "feed-1").name == "Riverside Pantry"
    assert entry(db, "42").name == "Numbered"


# -- one record, checked and put into words (no database) -------------------------------------

def parsed(record: dict) -> Service:
    return parse_service(RawRecord("service 'x'", record.get("id"), record))


def test_a_full_record_keeps_what_an_answer_needs():
    pantry = parsed(service("feed-1"))
    assert (pantry.name, pantry.organisation, pantry.status) == (
        "Riverside Pantry", "Riverside Pantry Trust", "active")
    assert pantry.phones == ("01632 960999",) and pantry.postcodes == ("DE23 6AB",)
    assert pantry.address == "4 Sample Street" and not pantry.confidential
    assert [t.name for t in pantry.terms] == ["Community pantry", "Community group"]
    assert pantry.assured_date == date(2026, 10, 1)
    assert pantry.last_modified == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("fields", "problem"), [
    ({"name": ""}, "name: missing"),
    ({"id": None}, "id: missing"),
    ({"status": None}, "status: missing"),
    ({"name": 42}, "name: expected text, got int"),
    ({"name": "x" * 256}, "name: longer than 255 characters"),
    ({"minimum_age": "twelve"}, "minimum_age: 'twelve' is not a number"),
    ({"maximum_age": 12.5}, "maximum_age: '12.5' is not an age in whole years"),
    ({"maximum_age": 131}, "maximum_age: '131' is not an age in whole years"),
    ({"minimum_age": 18, "maximum_age": 11}, "minimum_age: 18 is above maximum_age 11"),
    ({"assured_date": "1st October"}, "assured_date: '1st October' is not a date (YYYY-MM-DD)"),
    ({"last_modified": "yesterday"},
     "last_modified: 'yesterday' is not a date and time (ISO 8601)"),
    ({"schedules": [{"id": "x", "byday": "Tuesdays"}]},
     "schedules[0].byday: 'TUESDAYS' is not an RFC 5545 day (MO, 1MO, -1FR ...)"),
    ({"contacts": [{"id": "c", "phones": "01632 960999"}]},
     "contacts[0].phones: expected a list of objects"),
    ({"attributes": {"id": "a"}}, "attributes: expected a list of objects"),
])
def test_a_malformed_record_is_refused_naming_its_field(fields, problem):
    with pytest.raises(RecordError) as refused:
        parsed(service("bad-1", **fields))
    assert str(refused.value) == problem


def test_a_bad_postcode_field_is_named_by_its_location():
    record = service("bad-1")
    record["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] = 123
    with pytest.raises(RecordError, match=r"^service_at_locations\[0\]\.location\.postal_code: "
                                          "expected text, got int$"):
        parsed(record)


def test_a_number_that_is_not_a_phone_is_left_out_with_a_warning_and_repeats_kept_once():
    record = service("feed-1", phones=[{"id": "p1", "number": "01632 960999"},
                                       {"id": "p2", "number": "ask at reception"}])
    pantry = parsed(record)
    assert pantry.phones == ("01632 960999",)
    assert pantry.warnings == ("phone 'ask at reception' is not a phone number: left out",)


def test_a_last_modified_without_a_zone_is_taken_as_utc():
    assert parsed(service("feed-1", last_modified="2026-10-01T10:00:00+01:00")).last_modified \
        == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    assert parsed(service("feed-1", last_modified="2026-10-01T09:00:00")).last_modified \
        == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def test_a_confidential_term_anywhere_keeps_no_address():
    on_service = service("refuge-1", terms=("Confidential location",))
    on_address = service("refuge-2")
    on_address["service_at_locations"][0]["location"]["addresses"][0]["attributes"] = [
        {"id": "c", "taxonomy_term": {"id": "t", "name": "x", "term": "CONFIDENTIAL"}}]
    for record in (on_service, on_address):
        refuge = parsed(record)
        assert refuge.confidential and refuge.address is None
        assert refuge.postcodes == ("DE23 6AB",)   # its ward is still known


def test_one_place_is_kept_as_the_address_but_not_several_nor_a_virtual_one():
    two = service("feed-1")
    other = copy.deepcopy(two["service_at_locations"][0])
    other["location"]["addresses"][0]["address_1"] = "9 Other Road"
    two["service_at_locations"].append(other)
    assert parsed(two).address is None and len(parsed(two).postcodes) == 2
    online = service("feed-2")
    online["service_at_locations"][0]["location"]["location_type"] = "virtual"
    assert parsed(online).address is None


@pytest.mark.parametrize(("raw", "dialled"), [
    ('"+44 1234 234567"', "01234 234567"),     # quotes and all, as phones.csv has it
    ("01632960101", "01632 960101"),           # Ofcom's drama range, spaced
    ("+44 7700 900123", "07700 900123"),
    ("+33123456789", "+33 1 23 45 67 89"),
    ("ask at reception", None),
    ("", None),
])
def test_a_phone_number_is_written_as_a_resident_would_dial_it(raw, dialled):
    assert oruk._phone(raw) == dialled


@pytest.mark.parametrize(("description", "summary"), [
    ("Low-cost food shop for local families. Fresh fruit and veg.",
     "Low-cost food shop for local families"),
    ("Youth club for ages 11 to 18 in the Sinfin area: sport, music, cooking, trips and a "
     "quiet room for homework.", "Youth club for ages 11 to 18 in the Sinfin area"),
    ("A friendly group for anyone who would like to meet people, share a cup of tea, play "
     "board games and talk about the week",
     "A friendly group for anyone who would like to meet people, share a cup of..."),
    ("", "Riverside Pantry"),
])
def test_a_summary_is_the_first_sentence_cut_at_a_clause_or_a_word(description, summary):
    assert oruk.summary_of(description, "Riverside Pantry") == summary
    assert len(summary) <= oruk.SUMMARY_LENGTH


@pytest.mark.parametrize(("fields", "contact"), [
    ({"phones": ("07700 900123",)}, "Call or text 07700 900123"),
    ({"phones": ("01632 960999", "07700 900123")}, "Call 01632 960999"),
    ({"email": "help@example.org", "url": "https://example.org"}, "Email help@example.org"),
    ({"url": "https://www.example.org/pantry/"}, "See example.org/pantry"),
    ({"address": "4 Sample Street"}, "Drop in at 4 Sample Street"),
    ({}, ""),
])
def test_a_reply_says_to_call_text_email_see_or_drop_in_in_that_order(fields, contact):
    nothing = dataclasses.replace(parsed(service("feed-1")), phones=(), email="", url="",
                                  address=None)
    assert oruk.contact_for(dataclasses.replace(nothing, **fields)) == contact


def test_wards_come_from_the_postcode_or_its_sector_and_unknown_postcodes_are_listed():
    table = {"DE23 6AB": "E05001779", "DE22 1": "E05001770"}
    assert oruk.wards_for(["de236ab", "DE22 1XY", "ABC 1234", ""], table) == (
        {"E05001779", "E05001770"}, ["ABC 1234", ""])


def test_the_report_counts_what_was_imported_in_one_line():
    report = oruk.ImportReport("feed", created=1, removed=2, problems=["one"])
    assert report.summary() == ("Imported 1 service from feed: 1 new, 0 updated, 0 unchanged; "
                                "2 removed, 0 not active, 1 skipped.")
    report.unchanged = 2
    assert report.summary().startswith("Imported 3 services from feed")
