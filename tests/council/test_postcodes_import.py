"""`frontdoor postcodes import`: the council's live postcodes from the ONSPD or NSPL."""

from __future__ import annotations

import json
import zipfile

import pytest
import sqlalchemy as sa

from frontdoor.cli import classify_command, import_postcodes_command
from frontdoor.council_data import load_council_data
from frontdoor.models import Postcode
from frontdoor.postcodes import (
    ImportReport,
    PostcodeFileError,
    council_postcodes,
    import_postcodes,
)
from tests.conftest import DEMO_DATA
from tests.council.ons_files import Row, ons_text, write_ons_file

DERBY = "E06000015"
ABBEY, DARLEY, MICKLEOVER, SINFIN, NORMANTON = (
    "E05015507", "E05015517", "E05015520", "E05015523", "E05015521")

# One file with a bit of everything: the council's live postcodes, another council's,
# a terminated one, one in a ward Derby no longer has, a short line, a postcode the council's
# postcodes.csv already names, and a postcode that is not one.
ROWS: list[Row | str] = [
    Row("DE22 1XA", ward=ABBEY),                      # its sector (DE22 1) is Darley's
    Row("DE3 0XB", ward=MICKLEOVER),
    Row("DE24 8XC", ward=SINFIN, terminated="202001"),
    Row("NG1 1AA", lad="E06000018", ward="E05012345"),
    Row("DE21 4XD", ward="E05001780"),                # Normanton before May 2023
    "DE1 9ZZ,DE1  9ZZ,DE1 9ZZ,199801",                # line 7: cut short
    Row("DE23 8AB", ward="E05015511"),                # postcodes.csv says Normanton
    Row("DE99 ZZZ", ward=ABBEY),                      # line 9: not a postcode
    Row("S1 2AB", lad="E08000019", ward="E05010863"),
]


def table(db) -> dict[str, tuple[str, str]]:
    return {p.postcode: (p.ward_code, p.source)
            for p in db.session.scalars(sa.select(Postcode))}


def imported(db) -> dict[str, str]:
    return {k: ward for k, (ward, source) in table(db).items() if source == "ons"}


@pytest.mark.parametrize(("layout", "quoted"),
                         [("onspd", False), ("nspl", True), ("year-coded", False)])
def test_each_ons_layout_gives_the_councils_live_postcodes_and_what_it_left_out(
        layout, quoted):
    report = ImportReport(DERBY, f"{layout}.csv")
    lines = ons_text(layout, ROWS, quoted=quoted).encode().splitlines(keepends=True)

    found = [(postcode, ward) for _, postcode, ward in council_postcodes(lines, DERBY, report)]

    # Which wards the council has, and which postcodes its own postcodes.csv names, are the
    # import's to judge (below): here every live postcode of the local authority comes out.
    assert found == [("DE22 1XA", ABBEY), ("DE3 0XB", MICKLEOVER), ("DE21 4XD", "E05001780"),
                     ("DE23 8AB", "E05015511")]
    assert report.layout == {"onspd": "ONSPD", "nspl": "NSPL",
                             "year-coded": "year-coded (WD25CD)"}[layout]
    assert (report.rows, report.in_area, report.terminated) == (9, 6, 1)
    assert report.bad_rows == 2
    assert [b.line for b in report.bad_examples] == [7, 9]
    assert "4 fields" in report.bad_examples[0].reason


def test_import_keeps_the_councils_live_postcodes_and_leaves_out_the_rest(db, tmp_path):
    # Each layout: the test above. Here: what is stored, from one of them.
    layout = "onspd"
    before = table(db)
    path = write_ons_file(tmp_path / f"{layout}.csv", layout, ROWS)

    report = import_postcodes(path, DERBY)

    assert imported(db) == {"DE22 1XA": ABBEY, "DE3 0XB": MICKLEOVER}
    assert report.layout == {"onspd": "ONSPD", "nspl": "NSPL",
                             "year-coded": "year-coded (WD25CD)"}[layout]
    assert (report.rows, report.in_area, report.stored, report.terminated) == (9, 6, 2, 1)
    assert report.unknown_wards == {"E05001780": 1}
    assert report.bad_rows == 2
    assert [b.line for b in report.bad_examples] == [7, 9]
    assert "4 fields" in report.bad_examples[0].reason
    assert report.kept_from_config == 1
    # The council's own rows, sectors and full postcodes, are untouched.
    assert table(db)["DE23 8AB"] == (NORMANTON, "config")
    assert {k: v for k, v in table(db).items() if v[1] == "config"} == before


def test_importing_the_same_file_again_changes_nothing(db, tmp_path):
    path = write_ons_file(tmp_path / "onspd.csv", "onspd", ROWS)
    first = import_postcodes(path, DERBY)
    after_first = table(db)

    second = import_postcodes(path, DERBY)

    assert table(db) == after_first
    assert second.summary() == first.summary()
    assert second.not_in_file == 0 and second.removed == 0


def test_a_newer_file_updates_in_place_and_replace_removes_postcodes_no_longer_live(
        db, tmp_path):
    import_postcodes(write_ons_file(tmp_path / "feb.csv", "onspd", ROWS), DERBY)
    newer = [Row("DE22 1XA", ward=DARLEY),                       # ward boundary moved
             Row("DE3 0XB", ward=MICKLEOVER, terminated="202405"),
             Row("DE1 3XE", ward=ABBEY)]
    path = write_ons_file(tmp_path / "may.csv", "onspd", newer)

    kept = import_postcodes(path, DERBY)
    assert imported(db) == {"DE22 1XA": DARLEY, "DE3 0XB": MICKLEOVER, "DE1 3XE": ABBEY}
    assert kept.not_in_file == 1 and kept.removed == 0
    assert any("--replace" in line for line in kept.summary())

    replaced = import_postcodes(path, DERBY, replace=True)
    assert imported(db) == {"DE22 1XA": DARLEY, "DE1 3XE": ABBEY}
    assert replaced.removed == 1
    assert table(db)["DE23 8AB"] == (NORMANTON, "config")
    assert table(db)["DE22 1"] == (DARLEY, "config")


def test_the_ons_zip_is_read_as_it_is_without_unpacking_it(db, tmp_path):
    folder = tmp_path / "download"
    folder.mkdir()
    archive = folder / "ONSPD_FEB_2023_UK.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Data/ONSPD_FEB_2023_UK.csv", ons_text("onspd", ROWS))
        # The same rows split by area, and small lookups: not the file to read.
        z.writestr("Data/multi_csv/ONSPD_FEB_2023_UK_DE.csv", ons_text("onspd", ROWS[:1]))
        z.writestr("Documents/LA_UA names and codes UK as at 04_23.csv",
                   "LAD23CD,LAD23NM\nE06000015,Derby\n")
        z.writestr("User Guide/ONSPD User Guide Feb 2023.txt", "A user guide.")

    report = import_postcodes(archive, DERBY)

    assert imported(db) == {"DE22 1XA": ABBEY, "DE3 0XB": MICKLEOVER}
    assert report.source == "ONSPD_FEB_2023_UK.zip: Data/ONSPD_FEB_2023_UK.csv"
    assert (report.rows, report.terminated, report.bad_rows) == (9, 1, 2)
    assert [p.name for p in folder.iterdir()] == ["ONSPD_FEB_2023_UK.zip"]


def test_reloading_the_config_keeps_imported_postcodes_and_sectors_keep_working(
        db, tmp_path, runner):
    import_postcodes(write_ons_file(tmp_path / "onspd.csv", "onspd", ROWS), DERBY)

    load_council_data(DEMO_DATA)

    assert imported(db) == {"DE22 1XA": ABBEY, "DE3 0XB": MICKLEOVER}
    read = [json.loads(line) for line in runner.invoke(
        classify_command, input="food bank DE22 1XA\nfood bank DE22 1QQ\n").output.splitlines()]
    # The imported full postcode wins over its sector; a postcode not imported still finds
    # its ward through the council's sector row.
    assert [r["ward"] for r in read] == [ABBEY, DARLEY]


def test_the_command_reports_what_it_left_out_in_plain_words(runner, db, tmp_path):
    path = write_ons_file(tmp_path / "NSPL_MAY_2025_UK.csv", "nspl", ROWS, quoted=True)

    result = runner.invoke(import_postcodes_command, [str(path), "--lad", DERBY])

    assert result.exit_code == 0, result.output
    assert "Read 9 rows from NSPL_MAY_2025_UK.csv (NSPL layout)." in result.output
    assert "E06000015: 6 rows; 2 postcodes stored, 1 terminated postcode left out." \
        in result.output
    assert "1 postcode left out because the ward is not configured: E05001780 (1)" \
        in result.output
    assert "2 bad rows left out: line 7: 4 fields, the header has 35; " \
           "line 9: 'DE99 ZZZ' is not a postcode." in result.output


def test_a_file_that_is_not_the_postcode_directory_is_refused_in_one_line(runner, db, tmp_path):
    path = tmp_path / "addresses.csv"
    path.write_text("pcds,ward\nDE22 1XA,E05015507\n")

    result = runner.invoke(import_postcodes_command, [str(path), "--lad", DERBY])

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: addresses.csv: the header has no local authority (oslaua, laua or LADnnCD) column: "
        "is this the ONSPD or NSPL?")


def test_a_mistyped_lad_stops_before_replace_can_remove_anything(runner, db, tmp_path):
    path = write_ons_file(tmp_path / "onspd.csv", "onspd", ROWS)
    import_postcodes(path, DERBY)

    result = runner.invoke(import_postcodes_command,
                           [str(path), "--lad", "E06000016", "--replace"])

    assert result.exit_code == 1
    assert "no rows for local authority E06000016 in 9 rows: is --lad right?" in result.output
    assert imported(db) == {"DE22 1XA": ABBEY, "DE3 0XB": MICKLEOVER}


def test_a_lad_that_is_not_an_ons_code_is_refused(tmp_path):
    # Refused before the database is asked anything (this test has none).
    path = write_ons_file(tmp_path / "onspd.csv", "onspd", ROWS)
    with pytest.raises(PostcodeFileError, match="'DERBY' is not an ONS local authority code"):
        import_postcodes(path, "derby")
