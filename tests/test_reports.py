"""Reports for team leads: the counts on a known fixture, filters, the CSV of every table
equal to the page, and nobody but a lead sees them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest

from frontdoor import charts
from frontdoor import reports as figures
from frontdoor.inbox.reports import spreadsheet_safe
from frontdoor.models import (
    Author,
    Connection,
    Contribution,
    DemandAvoided,
    FollowUp,
    Referral,
)
from tests.factories import (
    ABBEY,
    coordinator,
    make_message,
    make_resident,
    make_thread,
    make_urgent_alert,
)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def fixture(db):
    """Five residents, seven conversations; Tuesday 24 November 2026 is today."""
    r1 = make_resident("+447700900501", at=at(17))
    t1 = make_thread(r1, "food", at(17))
    r2 = make_resident("+447700900502", at=at(18))
    t2 = make_thread(r2, "money", at(18), handed_after=timedelta(hours=1))
    make_message(t2, "Hi, it's Sam", at(18, 14), Author.COORDINATOR, "sam-patel")
    make_message(t2, "Sam again", at(18, 15), Author.COORDINATOR, "sam-patel")
    r3 = make_resident("+447700900503", ward=ABBEY, at=at(24, 9), coordinator_key="hannah-okafor")
    t3 = make_thread(r3, "housing", at(24, 9), handed_after=timedelta(0),
                     coordinator_key="hannah-okafor")
    make_message(t3, "Hannah here", at(24, 10), Author.COORDINATOR, "hannah-okafor")
    t4 = make_thread(r3, None, at(24, 9, 30), handed_after=timedelta(0),
                     crisis="domestic_abuse", coordinator_key="hannah-okafor")
    make_urgent_alert(t4, at(24, 9, 30), to="hannah-okafor")
    t4.acknowledged_at = at(24, 9, 40)
    r4 = make_resident("+447700900504", at=at(21, 23))      # a Saturday night
    t5 = make_thread(r4, None, at(21, 23), handed_after=timedelta(0), crisis="suicide_self_harm")
    make_urgent_alert(t5, at(21, 23))
    t5.acknowledged_at = at(23, 9)
    r5 = make_resident("+447700900505", at=at(1, month=8))   # before the period
    make_thread(r5, "food", at(1, month=8))
    make_thread(r5, "food", at(10))
    sam = coordinator("sam-patel")
    for resident, kind in ((r1, "community"), (r2, "service"), (r3, "community")):
        db.session.add(Connection(resident_id=resident.id, kind=kind, name="A group",
                                  created_by_id=sam.id, created_at=at(20)))
    db.session.add(Contribution(resident_id=r1.id, text="helps at the lunch club",
                                created_by_id=sam.id, created_at=at(20)))
    for resident, answer, entries in ((r1, "yes", ["A"]), (r2, "did_not_fit", ["A", "B"]),
                                      (r3, None, ["B"]), (r5, "did_not_fit", ["A"]),
                                      (r4, "not_yet", ["A"])):
        follow_up = FollowUp(resident_id=resident.id, pointed_at=at(13), due_at=at(20),
                             state="answered" if answer else "sent", sent_at=at(20),
                             answer=answer, answered_at=at(21) if answer else None)
        follow_up.referrals = [Referral(resident_id=resident.id, entry_name=f"Entry {name}",
                                        entry_kind="community" if name == "A" else "service",
                                        pointed_at=at(13)) for name in entries]
        db.session.add(follow_up)
    for resident, event in ((r1, "gp_visit"), (r2, "a_and_e"), (r2, "a_and_e")):
        db.session.add(DemandAvoided(resident_id=resident.id, event=event, recorded_at=at(22)))
    db.session.commit()
    return {"t1": t1}


def csv_table(client, key: str, query: str = "") -> dict[str, list[str]]:
    response = client.get(f"/inbox/reports/{key}.csv{query}")
    assert response.status_code == 200, response.data
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return {row[0]: row[1:] for row in rows}


def test_report_counts_are_right_on_a_known_fixture(auth, client, fixture):
    auth.sign_in("lead")
    contacts = csv_table(client, "contacts")
    assert contacts["Week beginning"] == ["Conversations started", "New people"]
    assert contacts["16 Nov 2026"] == ["3", "3"]
    assert contacts["23 Nov 2026"] == ["2", "1"]
    assert contacts["09 Nov 2026"] == ["1", "0"]
    assert contacts["07 Sep 2026"] == ["0", "0"] and len(contacts) == 13, "12 weeks and a header"
    needs = csv_table(client, "needs")
    assert needs["Food and essentials"] == ["2"] and needs["Money, benefits and bills"] == ["1"]
    assert needs["Housing and your home"] == ["1"] and needs["Not known yet"] == ["2"]
    assert csv_table(client, "handled") == {
        "Who answered": ["Conversations", "Share (%)"],
        "The front door": ["2", "33.3"], "Handed to a person": ["4", "66.7"]}
    assert csv_table(client, "first_reply") == {
        "Figure": ["Value"], "Conversations handed to a person": ["4"],
        "Replied to by a coordinator": ["2"], "Median (hours)": ["2.0"],
        "90th percentile (hours)": ["2.8"]}
    crisis = csv_table(client, "crisis")
    assert crisis["Domestic abuse"] == ["1"] and crisis["Suicide or self-harm"] == ["1"]
    assert crisis["Danger now"] == ["0"] and crisis["All crisis contacts"] == ["2"]
    assert csv_table(client, "urgent") == {
        "When flagged": ["Urgent threads", "Acknowledged", "Median (minutes)",
                         "90th percentile (minutes)"],
        "In hours": ["1", "1", "10.0", "10.0"], "Out of hours": ["1", "1", "2040.0", "2040.0"],
        "All": ["2", "2", "1025.0", "1837.0"]}
    assert csv_table(client, "connections") == {
        "What": ["Count"], "Connections to community groups": ["2"],
        "Connections to services": ["1"], "Contributions": ["1"]}
    rate = csv_table(client, "follow_ups")
    assert rate["Community groups"] == ["4", "4", "1", "1", "2", "0", "25.0"]
    assert rate["Services"] == ["2", "1", "0", "0", "1", "0", "0.0"]
    assert rate["All"] == ["5", "4", "1", "1", "2", "0", "25.0"]
    failing = csv_table(client, "failing")
    assert failing["Entry A"] == ["4", "1", "1", "2", "Keeps failing"]
    assert failing["Entry B"] == ["1", "0", "0", "1", "No"]
    demand = csv_table(client, "demand")
    assert demand["GP visit"] == ["1"] and demand["A&E attendance"] == ["2"]
    assert demand["Eviction"] == ["0"]


def test_reports_filter_by_ward_coordinator_need_and_period(auth, client, fixture):
    auth.sign_in("lead")
    hannah = coordinator("hannah-okafor").id
    for query in (f"?ward={ABBEY}", f"?coordinator={hannah}"):
        contacts = csv_table(client, "contacts", query)
        assert contacts["23 Nov 2026"] == ["2", "1"] and contacts["16 Nov 2026"] == ["0", "0"]
        assert csv_table(client, "connections", query)["Connections to community groups"] == \
            ["1"]
        assert csv_table(client, "crisis", query)["All crisis contacts"] == ["1"]
    food = csv_table(client, "contacts", "?need=food")
    assert food["16 Nov 2026"] == ["1", "1"] and food["09 Nov 2026"] == ["1", "0"]
    august = csv_table(client, "contacts", "?from=2026-08-01&to=2026-08-31")
    assert august["27 Jul 2026"] == ["1", "1"]
    assert sum(int(v[0]) for k, v in august.items() if k != "Week beginning") == 1


class Tables(HTMLParser):
    """Each <table id="table-KEY"> on the page as rows of cell text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self.current = attrs["id"].removeprefix("table-")
            self.tables[self.current] = []
        elif self.current and tag == "tr":
            self.tables[self.current].append([])
        elif self.current and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.current:
            self.tables[self.current][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_every_tables_csv_equals_the_page(auth, client, fixture):
    auth.sign_in("lead")
    query = f"?ward={ABBEY}&from=2026-10-01&to=2026-11-24"
    page = client.get(f"/inbox/reports{query}").get_data(as_text=True)
    parser = Tables()
    parser.feed(page)
    assert len(parser.tables) == 11
    for key, rows in parser.tables.items():
        # An empty table says so on the page; its CSV is the header alone.
        rows = [row for row in rows if row != ["Nothing in this period."]]
        response = client.get(f"/inbox/reports/{key}.csv{query}")
        assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == rows, key
        assert f"/inbox/reports/{key}.csv?" in page


@pytest.mark.parametrize("kind", ["bar", "hbar"])
def test_a_chart_is_an_svg_with_its_labels_and_no_script(kind):
    drawn = charts.svg(kind, ["16 Nov 2026", "23 Nov 2026"],
                       [("New people", [2, 3]), ("Returning", [1, 0])])
    assert drawn.startswith("<svg") and "<script" not in drawn
    assert "23 Nov 2026" in drawn and "New people" in drawn


def test_percentiles_interpolate_between_ranks_as_spreadsheets_do():
    assert figures.percentile([4, 1, 3, 2], 0.9) == pytest.approx(3.7)
    assert figures.percentile([5, 1, 3], 0.5) == 3
    assert figures.percentile([2.5], 0.9) == 2.5
    assert figures.percentile([], 0.5) is None


def test_each_chart_is_an_svg_image_drawn_on_the_server_beside_its_table(auth, client, fixture):
    import re

    auth.sign_in("lead")
    page = client.get(f"/inbox/reports?ward={ABBEY}").get_data(as_text=True)
    images = re.findall(r'<img class="chart" src="([^"]+)"[^>]* alt="([^"]+)"', page)
    assert len(images) == 9
    for src, alt in images:
        assert alt.endswith("The same figures are in the table below.")
        key = re.search(r"/inbox/reports/(\w+)\.svg\?", src).group(1)
        assert f'id="table-{key}"' in page[page.index(src):], "its table follows the chart"
        response = client.get(src.replace("&amp;", "&"))
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert svg.startswith("<svg") and "<script" not in svg
        assert "script-src" not in response.headers["Content-Security-Policy"]
    contacts = client.get(images[0][0].replace("&amp;", "&")).get_data(as_text=True)
    assert "23 Nov 2026" in contacts and "New people" in contacts
    assert client.get("/inbox/reports/first_reply.svg").status_code == 404, "a table only"
    assert client.get("/inbox/reports/nothing.svg").status_code == 404


def test_a_pages_charts_and_csvs_reuse_its_tables_until_something_changes(
        auth, client, fixture, phone, monkeypatch):
    from frontdoor import reports

    made = []
    real = reports.all_tables
    monkeypatch.setattr(reports, "all_tables", lambda *a: made.append(1) or real(*a))
    auth.sign_in("lead")
    client.get("/inbox/reports")
    for key in ("contacts", "needs", "crisis"):
        client.get(f"/inbox/reports/{key}.svg")
        client.get(f"/inbox/reports/{key}.csv")
    assert len(made) == 1
    phone.text("need a food bank, i live in normanton")   # a new conversation today
    assert csv_table(client, "contacts")["23 Nov 2026"] == ["3", "2"]
    assert len(made) == 2


def test_only_leads_see_the_reports(auth, client, fixture):
    assert client.get("/inbox/reports").status_code == 302   # signed out: to the sign-in
    auth.sign_in("sam")
    assert client.get("/inbox/reports").status_code == 404
    assert client.get("/inbox/reports/contacts.csv").status_code == 404
    assert client.get("/inbox/reports/contacts.svg").status_code == 404
    assert "/inbox/reports" not in client.get("/inbox").get_data(as_text=True)
    auth.sign_in("lead")
    assert client.get("/inbox/reports").status_code == 200


@pytest.mark.parametrize("args,message", [
    ({"from": "yesterday"}, "Give the period as dates"),
    ({"from": "2026-11-24", "to": "2026-11-01"}, "must end on or after"),
    ({"from": "2023-01-01", "to": "2026-11-01"}, "at most three years"),
    ({"need": "unicorns"}, "Choose a need"),
    ({"coordinator": "sam"}, "Choose a coordinator"),
    ({"ward": "E05015521X"}, "Choose a ward")])
def test_bad_filters_are_refused_naming_what_is_wrong(args, message):
    with pytest.raises(ValueError, match=message):
        figures.parse_filters(args, date(2026, 11, 24), ("food", "money"))


def test_filters_default_to_the_last_twelve_weeks_and_keep_what_was_chosen():
    today = date(2026, 11, 24)   # a Tuesday
    assert figures.parse_filters({}, today, ("food",)) == figures.Filters(
        date(2026, 9, 7), today)
    chosen = {"from": "2026-11-01", "to": "2026-11-20", "ward": "E05015521",
              "coordinator": "3", "need": "food"}
    filters = figures.parse_filters(chosen, today, ("food",))
    assert filters == figures.Filters(date(2026, 11, 1), date(2026, 11, 20), "E05015521", 3,
                                      "food")
    assert filters.as_args() == chosen


def test_a_bad_filter_gets_a_clear_400_on_the_page_and_the_csv(auth, client, fixture):
    # Which filters are bad, and what is said: parse_filters, above. Here: both routes ask it.
    query, message = "?need=unicorns", "Choose a need"
    auth.sign_in("lead")
    response = client.get(f"/inbox/reports{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert client.get(f"/inbox/reports/contacts.csv{query}").status_code == 400


def test_a_csv_cell_is_never_a_spreadsheet_formula(auth, client, db, fixture):
    from sqlalchemy import select, update

    db.session.execute(update(Referral).where(Referral.entry_name == "Entry B")
                       .values(entry_name="=HYPERLINK(\"x\")"))
    db.session.commit()
    assert db.session.scalar(select(Referral.entry_name).where(
        Referral.entry_name.startswith("="))) is not None
    auth.sign_in("lead")
    body = client.get("/inbox/reports/failing.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body


@pytest.mark.parametrize(("cell", "written"), [
    ('=HYPERLINK("x")', "'=HYPERLINK(\"x\")"),
    ("+44 1332", "'+44 1332"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("-1,234.5", "-1,234.5"),
    ("-12%", "-12%"),
    ("Riverside Pantry", "Riverside Pantry"),
    ("", ""),
])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cell, written):
    assert spreadsheet_safe(cell) == written


@pytest.mark.parametrize(("value", "shown"), [
    (None, "–"), (12.345, "12.3"), (0.0, "0.0"), (1234567, "1,234,567"), ("Normanton", "Normanton"),
])
def test_a_figure_is_shown_as_a_dash_a_rate_to_one_place_or_a_count_with_commas(value, shown):
    assert figures.cell_text(value) == shown


def test_a_tables_chart_draws_its_numbers_and_nothing_for_a_dash_or_words():
    table = figures.Table("k", "Title", ["Week", "Contacts", "Median", "Ward"])
    table.add("w1", 3, None, "Normanton")
    assert table.rows == [["w1", "3", "–", "Normanton"]]
    assert table.values == [[3, 0.0, 0.0]]
