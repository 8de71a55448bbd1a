"""`frontdoor council new` and `frontdoor council check`: a new council in an afternoon."""

from __future__ import annotations

import csv
import json
import tomllib
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from frontdoor.cli import check_council_command, load_config_command, new_council_command
from frontdoor.council_setup import (
    check_council,
    check_council_toml,
    check_people,
    check_wards,
    phone_problem,
)
from frontdoor.models import Postcode
from frontdoor.postcodes import import_postcodes
from frontdoor.settings import PROJECT_ROOT
from tests.council.ons_files import Row, write_ons_file

SWANSEA = "W06000011"
INTENTS = PROJECT_ROOT / "intents"
DIRECTORY_NEEDS = ("food", "money", "housing", "loneliness", "caring", "health",
                   "daily_living", "digital", "work_learning", "volunteering", "family")
# Fictional people; the council's numbers are valid in form but not real lines.
TEAM = """\
[[coordinator]]
key = "sian-rees"
name = "Sian Rees"
email = "sian.rees@lac.example.org"

[[coordinator]]
key = "owen-price"
name = "Owen Price"
email = "owen.price@lac.example.org"
working_days = ["Mon", "Tue", "Wed"]

[[coordinator]]
key = "cerys-morgan"
name = "Cerys Morgan"
email = "cerys.morgan@lac.example.org"

[[coordinator]]
key = "lead"
name = "Alun Davies"
email = "alun.davies@lac.example.org"
role = "lead"
"""
ROTA = ["sian-rees", "owen-price", "cerys-morgan"]


def wards_csv(folder: Path) -> list[dict[str, str]]:
    with (folder / "wards.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def offline_runner(words_app):
    """The command line of an app whose database is never opened: `council new` only writes
    files (it asks the database nothing)."""
    return words_app.test_cli_runner()


def new_council(runner, folder: Path):
    return runner.invoke(new_council_command,
                         [str(folder), "--lad", SWANSEA, "--name", "Swansea Council"])


def fill_in(folder: Path, team: str = TEAM) -> None:
    """What the council's LAC lead does in the afternoon: people, cover, numbers, directory."""
    (folder / "coordinators.toml").write_text(team, encoding="utf-8")
    rows = wards_csv(folder)
    for n, row in enumerate(rows):
        row["coordinator"], row["cover"] = ROTA[n % 3], ROTA[(n + 1) % 3]
    with (folder / "wards.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    council = (folder / "council.toml").read_text(encoding="utf-8")
    for placeholder, value in [("REPLACE: contact centre phone", "01792 000001"),
                               ("REPLACE: council website", "www.council.example"),
                               ("REPLACE: safeguarding phone", "01792 000002"),
                               ("REPLACE: out-of-hours phone", "01792 000003"),
                               ("REPLACE: e.g. Mon-Fri 9am-5pm", "Mon-Fri 9am-5pm")]:
        council = council.replace(placeholder, value)
    (folder / "council.toml").write_text(council, encoding="utf-8")
    write_directory(folder)
    with (folder / "needs_map.csv").open("a", encoding="utf-8") as f:
        f.writelines(f"{need},{need}\n" for need in DIRECTORY_NEEDS)


def write_directory(folder: Path, food_only_in: dict[str, str] | None = None) -> None:
    """One community group per need, in Open Referral UK form: city-wide, or for food only
    at the given postcodes (ward name -> postcode)."""
    services = []
    for need in DIRECTORY_NEEDS:
        service: dict = {
            "id": f"swansea-{need}", "name": f"Swansea {need} group",
            "description": "Help near you.", "status": "active", "assured_date": "2026-11-01",
            "contacts": [{"phones": [{"number": "01792 000004"}]}],
            "attributes": [{"taxonomy_term": {"name": need}}]}
        if need == "food" and food_only_in:
            service["service_at_locations"] = [
                {"location": {"addresses": [{"address_1": f"{ward} hall", "postal_code": pc}]}}
                for ward, pc in food_only_in.items()]
        services.append(service)
    (folder / "directory.json").write_text(json.dumps(services), encoding="utf-8")


def postcode_of(folder: Path, ward_name: str) -> str:
    """The postcode `one_postcode_per_ward` gives a ward."""
    n = next(i for i, row in enumerate(wards_csv(folder)) if row["ward_name"] == ward_name)
    return f"SA1 {n // 10}{chr(65 + n % 10)}Z"


def one_postcode_per_ward(folder: Path, path: Path) -> Path:
    rows = [Row(f"SA1 {n // 10}{chr(65 + n % 10)}Z", lad=SWANSEA, ward=row["ward_code"])
            for n, row in enumerate(wards_csv(folder))]
    return write_ons_file(path, "onspd", rows)


def test_council_new_writes_a_starting_folder_from_the_councils_current_wards(
        offline_runner, tmp_path):
    folder = tmp_path / "swansea"

    result = new_council(offline_runner, folder)

    assert result.exit_code == 0, result.output
    assert "with 32 wards" in result.output and "BANK_HOLIDAYS_SUBDIVISION=WLS" in result.output
    wards = wards_csv(folder)
    assert len(wards) == 32 and all(w["ward_code"].startswith("W05") for w in wards)
    assert {"Bôn-y-maen", "Mumbles", "West Cross"} <= {w["ward_name"] for w in wards}
    assert all(w["coordinator"] == w["cover"] == "" for w in wards)
    council = tomllib.loads((folder / "council.toml").read_text(encoding="utf-8"))
    assert council["council"] == {"name": "Swansea Council", "lad_code": SWANSEA}
    assert council["contact_centre"]["phone"].startswith("REPLACE")
    assert tomllib.loads((folder / "coordinators.toml").read_text()) == {}
    needs_map = (folder / "needs_map.csv").read_text().splitlines()
    assert needs_map[0] == "term,need" and all(line.startswith("#") for line in needs_map[1:])


def test_council_new_takes_only_current_wards_and_refuses_what_it_cannot_do(
        offline_runner, tmp_path):
    derby = [str(tmp_path / "derby"), "--lad", "E06000015", "--name", "Derby City Council"]
    result = offline_runner.invoke(new_council_command, derby)
    assert result.exit_code == 0, result.output
    assert len(wards_csv(tmp_path / "derby")) == 18   # not the 17 wards before May 2023

    again = offline_runner.invoke(new_council_command, derby)
    assert again.exit_code == 1 and "already has council.toml" in again.output

    elsewhere = offline_runner.invoke(new_council_command, [str(tmp_path / "leeds"), "--lad",
                                                            "E08000035", "--name", "Leeds"])
    assert elsewhere.exit_code == 1
    assert "has no wards for E08000035" in elsewhere.output and "--wards FILE" in elsewhere.output
    assert not (tmp_path / "leeds").exists()


def test_council_new_reads_the_ons_ward_lookup_for_another_council(
        offline_runner, tmp_path):
    lookup = tmp_path / "WD25_LAD25_UK_LU.csv"
    lookup.write_text("WD25CD,WD25NM,LAD25CD,LAD25NM\nE05000001,Aldgate,E09000001,City\n"
                      "E05011000,Adel and Wharfedale,E08000035,Leeds\n", encoding="utf-8")

    result = offline_runner.invoke(new_council_command, [
        str(tmp_path / "leeds"), "--lad", "E08000035", "--name", "Leeds", "--wards", str(lookup)])

    assert result.exit_code == 0, result.output
    assert [(w["ward_code"], w["ward_name"]) for w in wards_csv(tmp_path / "leeds")] == [
        ("E05011000", "Adel and Wharfedale")]


def test_check_on_a_new_council_lists_what_is_missing_and_passes_once_filled_in(
        runner, db, tmp_path):
    folder = tmp_path / "swansea"
    new_council(runner, folder)

    fresh = runner.invoke(check_council_command, ["--dir", str(folder)])
    assert fresh.exit_code == 1
    assert "coordinators.toml lists no coordinators yet." in fresh.output
    assert "32 wards have no coordinator: Bishopston, Bôn-y-maen, Castle" in fresh.output
    assert "32 wards have no cover" in fresh.output
    assert "the contact centre's phone (contact_centre.phone) is still a placeholder" \
        in fresh.output
    assert "32 wards are in wards.csv but not in the database yet" in fresh.output

    # The database holds the demo council: Swansea takes its place.
    replacing = ["--dir", str(folder), "--replace-council"]
    loaded = runner.invoke(load_config_command, replacing)
    assert loaded.exit_code == 0, loaded.output
    loaded = runner.invoke(check_council_command, ["--dir", str(folder)])
    assert loaded.exit_code == 1
    assert "No postcodes place residents in any ward: import them with " \
           "`frontdoor postcodes import ONSPD.zip --lad W06000011`." in loaded.output
    assert "The directory is empty" in loaded.output
    assert "not in the database" not in loaded.output

    fill_in(folder)
    assert runner.invoke(load_config_command, ["--dir", str(folder)]).exit_code == 0
    import_postcodes(one_postcode_per_ward(folder, tmp_path / "onspd.csv"), SWANSEA)

    ready = runner.invoke(check_council_command, ["--dir", str(folder)])
    assert ready.exit_code == 0, ready.output
    assert "nothing missing or inconsistent found" in ready.output


@pytest.fixture
def swansea(runner, db, tmp_path) -> Path:
    """A filled-in, loaded Swansea with postcodes: ready until a test changes something."""
    folder = tmp_path / "swansea"
    new_council(runner, folder)
    fill_in(folder)
    # The database holds the demo council: Swansea takes its place.
    replacing = ["--dir", str(folder), "--replace-council"]
    loaded = runner.invoke(load_config_command, replacing)
    assert loaded.exit_code == 0, loaded.output
    import_postcodes(one_postcode_per_ward(folder, tmp_path / "onspd.csv"), SWANSEA)
    assert check_council(folder, INTENTS) == []
    return folder


def test_check_finds_a_need_with_no_directory_entry_in_some_wards(swansea, runner):
    write_directory(swansea, {ward: postcode_of(swansea, ward) for ward in ("Mumbles", "Sketty")})
    assert runner.invoke(load_config_command, ["--dir", str(swansea)]).exit_code == 0

    problems = check_council(swansea, INTENTS)

    assert len(problems) == 1
    assert problems[0].startswith("Nothing in the directory meets food and essentials (food) "
                                  "in 30 wards: Bishopston, Bôn-y-maen, Castle,")
    assert "Mumbles" not in problems[0] and "Sketty" not in problems[0]


def test_check_finds_wards_without_postcodes_unreachable_people_and_unknown_needs(swansea, db):
    db.session.execute(sa.delete(Postcode).where(Postcode.ward_code == "W05001041"))
    db.session.commit()
    team = TEAM.replace('email = "owen.price@lac.example.org"\n', "")
    (swansea / "coordinators.toml").write_text(team, encoding="utf-8")
    with (swansea / "needs_map.csv").open("a", encoding="utf-8") as f:
        f.write("Food banks,food\nLunch clubs,lonely\n")

    problems = check_council(swansea, INTENTS)

    assert problems == [
        "coordinators.toml: Owen Price has no email or work phone, so would not hear of new "
        "threads.",
        f"needs_map.csv line {13 + len(DIRECTORY_NEEDS)}: 'lonely' is not a need "
        "(the needs are food, money, housing, "
        "loneliness, caring, health, daily_living, digital, work_learning, volunteering, "
        "family).",
        "No postcodes place residents in 1 ward: Castle."]


@pytest.mark.parametrize(("number", "problem"), [
    ("REPLACE: safeguarding phone", "is still a placeholder"),
    ("01632 960123", "01632 960123 is a made-up number (Ofcom's range for drama)"),
    ("+447700900101", "+447700900101 is a made-up number (Ofcom's range for drama)"),
    ("020 7946 0999", "020 7946 0999 is a made-up number (Ofcom's range for drama)"),
    ("01792 12", "'01792 12' is not a valid UK phone number"),
    ("call us", "'call us' is not a phone number"),
    ("01792 000001", None),
    ("+44 1332 293111", None),
])
def test_placeholder_and_made_up_phone_numbers_are_named(number, problem):
    assert phone_problem(number) == problem


def test_check_on_the_demo_council_names_its_made_up_numbers(runner):
    result = runner.invoke(check_council_command, [])

    assert result.exit_code == 1
    assert "coordinators.toml: Sam Patel's work phone +447700900115 is a made-up number " \
           "(Ofcom's range for drama)." in result.output


# -- each file's checks (no database) ---------------------------------------------------------

COUNCIL = {"council": {"name": "City and County of Swansea"},
           "contact_centre": {"phone": "+44 1332 293111", "web": "https://www.swansea.gov.uk",
                              "hours": "Mon-Fri 8:30am-5pm"},
           "safeguarding": {"phone": "+44 1332 293111", "hours": "Mon-Fri 9am-5pm"}}


def council_problems(section: str, key: str, value: str) -> list[str]:
    council = json.loads(json.dumps(COUNCIL))
    council[section][key] = value
    problems: list[str] = []
    check_council_toml(council, problems)
    return problems


def test_a_complete_council_toml_has_no_problems_and_the_out_of_hours_line_is_optional():
    assert council_problems("safeguarding", "out_of_hours_phone", "") == []


@pytest.mark.parametrize(("section", "key", "value", "problem"), [
    ("council", "name", " ", "council.toml has no council.name (the council's name)."),
    ("contact_centre", "web", "REPLACE: your website",
     "council.toml: the council's website (contact_centre.web) is still a placeholder."),
    ("safeguarding", "phone", "01632 960123",
     "council.toml: the safeguarding phone (safeguarding.phone) 01632 960123 is a made-up "
     "number (Ofcom's range for drama)."),
    ("safeguarding", "out_of_hours_phone", "call us",
     "council.toml: the out-of-hours safeguarding phone (safeguarding.out_of_hours_phone) "
     "'call us' is not a phone number."),
])
def test_council_toml_names_what_is_missing_a_placeholder_or_not_a_real_number(
        section, key, value, problem):
    assert council_problems(section, key, value) == [problem]


SIAN = {"key": "sian", "name": "Sian Rees", "email": "sian@lac.example.org", "role": "lead"}


def people_problems(*changes: dict) -> list[str]:
    problems: list[str] = []
    check_people([{**SIAN, **change} for change in changes], problems)
    return problems


@pytest.mark.parametrize(("change", "problem"), [
    ({"key": ""}, "coordinators.toml: Sian Rees needs both a key and a name."),
    ({"working_days": ["Mon", "Funday"]},
     "coordinators.toml: Sian Rees's working_days must be some of Mon, Tue, Wed, Thu, Fri, "
     "Sat, Sun."),
    ({"working_days": []},
     "coordinators.toml: Sian Rees's working_days must be some of Mon, Tue, Wed, Thu, Fri, "
     "Sat, Sun."),
    ({"email": ""},
     "coordinators.toml: Sian Rees has no email or work phone, so would not hear of new "
     "threads."),
    ({"work_phone": "+447700900101"},
     "coordinators.toml: Sian Rees's work phone +447700900101 is a made-up number (Ofcom's "
     "range for drama)."),
    ({"leave": [{"from": "2026-12-21"}]},
     "coordinators.toml: Sian Rees has leave without a clear from and to date (YYYY-MM-DD)."),
    ({"leave": [{"from": "2026-12-21", "to": "Christmas"}]},
     "coordinators.toml: Sian Rees has leave without a clear from and to date (YYYY-MM-DD)."),
    ({"leave": [{"from": "2026-12-24", "to": "2026-12-21"}]},
     "coordinators.toml: Sian Rees's leave ends (2026-12-21) before it starts (2026-12-24)."),
    ({"role": "coordinator"},
     'coordinators.toml has no team lead (role = "lead"): nobody would be told when an '
     "urgent thread waits."),
])
def test_coordinators_toml_names_each_persons_problem(change, problem):
    assert people_problems(change) == [problem]


def test_a_key_used_twice_is_named_and_a_lead_with_a_phone_and_leave_is_fine():
    assert people_problems({}, {"name": "Sian Jones"}) == [
        "coordinators.toml: the key 'sian' is used twice."]
    problems: list[str] = []
    people = check_people([{**SIAN, "email": "", "work_phone": "+44 1332 293111",
                            "leave": [{"from": "2026-12-21", "to": "2026-12-24"}]}], problems)
    assert problems == []
    assert people["sian"].leave == ((date(2026, 12, 21), date(2026, 12, 24)),)


def ward_problems(rows: list[dict[str, str]], sian_leave=(), owen_leave=()) -> list[str]:
    problems: list[str] = []
    people = check_people([
        {**SIAN, "leave": [{"from": a, "to": b} for a, b in sian_leave]},
        {"key": "owen", "name": "Owen Price", "email": "owen@lac.example.org",
         "leave": [{"from": a, "to": b} for a, b in owen_leave]}], problems)
    check_wards(list(enumerate(rows, start=2)), people, date(2026, 11, 24), problems)
    return problems


def test_wards_name_people_not_in_the_team_and_a_ward_covering_itself():
    assert ward_problems([
        {"ward_name": "Mumbles", "coordinator": "sian", "cover": "gwen"},
        {"ward_name": "Sketty", "coordinator": "owen", "cover": "owen"},
    ]) == ["wards.csv line 2: Mumbles's cover 'gwen' is not in coordinators.toml.",
           "wards.csv line 3: Sketty's cover is its own coordinator."]


def test_wards_without_a_coordinator_or_cover_are_counted_and_named():
    assert ward_problems([
        {"ward_name": "Mumbles", "coordinator": "", "cover": ""},
        {"ward_code": "W05001045", "coordinator": "sian", "cover": ""},
        {"ward_name": "Castle", "coordinator": "sian", "cover": ""},
    ]) == ["1 ward has no coordinator: Mumbles.",
           "3 wards have no cover for when the coordinator is away: Mumbles, W05001045 and "
           "Castle."]


def test_a_coordinator_and_cover_away_together_from_today_on_are_named_with_the_days():
    # Their leave overlaps three times: last year (over), one day, and over Christmas.
    problems = ward_problems(
        [{"ward_name": "Bishopston", "coordinator": "sian", "cover": "owen"}],
        sian_leave=[("2025-08-04", "2025-08-08"), ("2026-12-01", "2026-12-02"),
                    ("2026-12-21", "2026-12-24")],
        owen_leave=[("2025-08-01", "2025-08-05"), ("2026-12-02", "2026-12-03"),
                    ("2026-12-23", "2027-01-04")])
    assert problems == [
        "Bishopston: Sian Rees (coordinator) and Owen Price (cover) are both on leave on "
        "Wednesday 2 December 2026, so nobody answers for the ward then.",
        "Bishopston: Sian Rees (coordinator) and Owen Price (cover) are both on leave from "
        "Wednesday 23 December 2026 to Thursday 24 December 2026, so nobody answers for the "
        "ward then."]


def test_leave_that_does_not_overlap_is_no_problem():
    assert ward_problems([{"ward_name": "Bishopston", "coordinator": "sian", "cover": "owen"}],
                         sian_leave=[("2026-12-21", "2026-12-22")],
                         owen_leave=[("2026-12-23", "2026-12-24")]) == []
