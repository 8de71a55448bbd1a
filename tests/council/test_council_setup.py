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
from frontdoor.council_setup import check_council, phone_problem
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


def test_check_finds_a_cover_on_leave_at_the_same_time_as_the_coordinator(swansea):
    # Bishopston: Sian Rees, covered by Owen Price. Their leave overlaps twice: once last
    # year (over, so no longer a problem) and over Christmas.
    team = TEAM.replace('name = "Sian Rees"', 'name = "Sian Rees"\nleave = ['
                        '{ from = "2025-08-04", to = "2025-08-08" }, '
                        '{ from = "2026-12-21", to = "2026-12-24" }]')
    team = team.replace('name = "Owen Price"', 'name = "Owen Price"\nleave = ['
                        '{ from = "2025-08-01", to = "2025-08-05" }, '
                        '{ from = "2026-12-23", to = "2027-01-04" }]')
    (swansea / "coordinators.toml").write_text(team, encoding="utf-8")

    problems = check_council(swansea, INTENTS, today=date(2026, 11, 24))

    overlaps = [p for p in problems if "both on leave" in p]
    assert "Bishopston: Sian Rees (coordinator) and Owen Price (cover) are both on leave from " \
           "Wednesday 23 December 2026 to Thursday 24 December 2026, so nobody answers for " \
           "the ward then." in overlaps
    assert not any("2025" in p for p in overlaps)
    # Sian Rees has every third ward (11 of 32) with Owen Price as cover; Owen's own wards are
    # covered by Cerys Morgan, who is not away.
    assert len(overlaps) == 11
    assert all("Sian Rees (coordinator) and Owen Price (cover)" in p for p in overlaps)


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
