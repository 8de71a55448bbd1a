import pytest

from frontdoor.triage.entities import PlaceFinder, WardName, format_postcode

WARDS = [WardName("E05015521", "Normanton", ("normington",)),
         WardName("E05015511", "Arboretum", ("pear tree",)),
         WardName("E05015516", "Chellaston & Shelton Lock", ("chellaston",))]
POSTCODES = {"DE23 8AB": "E05015521", "DE23 8": "E05015521", "DE23 6": "E05015511",
             "DE1 1": "E05015511", "DE73 5": "E05015516"}


@pytest.fixture(scope="module")
def places() -> PlaceFinder:
    return PlaceFinder(WARDS, POSTCODES)


@pytest.mark.parametrize("text", ["de238ab", "DE23 8AB", "de23 8ab.", "i live at DE238AB pls",
                                  "postcode: De23  8aB"])
def test_full_postcodes_in_any_common_form(places, text):
    place = places.find(text)
    assert place.postcode == "DE23 8AB" and place.ward_code == "E05015521"


def test_a_full_postcode_not_in_the_table_falls_back_to_its_sector(places):
    assert places.find("DE1 1ZZ").ward_code == "E05015511"


def test_a_district_spanning_wards_gives_all_of_them(places):
    place = places.find("im in de23")
    assert place.postcode == "DE23" and place.ward_code is None
    assert set(place.ward_codes) == {"E05015521", "E05015511"}


def test_a_district_outside_the_council_is_not_taken_for_a_postcode(places):
    assert places.find("stuck on the m1 again").postcode is None


@pytest.mark.parametrize("text,code", [("i live in Normanton", "E05015521"),
                                       ("normantn", "E05015521"), ("normington", "E05015521"),
                                       ("near pear tree", "E05015511"),
                                       ("chellaston and shelton lock", "E05015516"),
                                       ("Chellaston & Shelton Lock", "E05015516")])
def test_ward_names_aliases_and_misspellings(places, text, code):
    assert places.find(text).ward_code == code


def test_format_postcode():
    assert format_postcode("de238ab") == "DE23 8AB"
    assert format_postcode("hello") is None
