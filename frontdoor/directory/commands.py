"""`frontdoor directory import` and `frontdoor directory search`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

if TYPE_CHECKING:
    from frontdoor.directory.oruk import ImportReport
    from frontdoor.triage.entities import PlaceFinder


@click.group("directory")
def directory() -> None:
    """The council's directory of local groups and services (Open Referral UK)."""


def print_import_report(report: ImportReport) -> None:
    """The lines an import prints: what it did, then each thing a person should look at."""
    click.echo(report.summary())
    for line in report.classified:
        click.echo(f"  needs from the classifier (no taxonomy term in the needs map): {line}")
    for line in report.warnings:
        click.echo(f"  warning: {line}", err=True)
    for line in report.problems:
        click.echo(f"  skipped: {line}", err=True)


@directory.command("import")
@click.argument("source")
@click.option("--needs-map", "needs_map", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with columns term,need (default: needs_map.csv in COUNCIL_DATA_DIR).")
@click.option("--replace", is_flag=True,
              help="Also remove entries earlier imported from SOURCE that it no longer lists.")
@with_appcontext
def import_command(source: str, needs_map: Path | None, replace: bool) -> None:
    """Import an ORUK v3 directory: an API base URL, a JSON file or a folder of ORUK CSVs."""
    from frontdoor.directory.oruk import (
        ImportFailed,
        import_directory,
        load_needs_map,
        need_classifier,
    )

    path = needs_map or Path(current_app.config["COUNCIL_DATA_DIR"]) / "needs_map.csv"
    try:
        terms = load_needs_map(path)
    except OSError as error:
        raise click.ClickException(
            f"{path}: cannot read the needs map ({error.strerror})") from error
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    try:
        report = import_directory(source, terms, replace=replace, classify=need_classifier(),
                                  progress=sys.stderr.isatty())
    except ImportFailed as error:
        raise click.ClickException(str(error)) from error
    print_import_report(report)


def ward_searched(places: PlaceFinder, postcode: str | None,
                  ward_name: str | None) -> str | None:
    """The ward `--postcode` or `--ward` names (None when neither is given); a UsageError
    saying plainly what is wrong with it."""
    if postcode and ward_name:
        raise click.UsageError("give --postcode or --ward, not both")
    if postcode:
        place = places.find(postcode)
        if not place.ward_codes:
            raise click.UsageError(f"postcode '{postcode}' is not in the council's postcode "
                                   "table")
        if place.ward_code is None:
            raise click.UsageError(f"'{postcode}' covers several wards: give a full postcode "
                                   "or --ward")
        return place.ward_code
    if ward_name:
        ward_code = places.find(ward_name).ward_code
        if ward_code is None:
            raise click.UsageError(f"no ward called '{ward_name}'")
        return ward_code
    return None


@directory.command("search")
@click.argument("message")
@click.option("--postcode", default=None, help="The resident's postcode.")
@click.option("--ward", "ward_name", default=None, help="The resident's ward, by name.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--limit", default=3, show_default=True, help="How many entries at most.")
@with_appcontext
def search_command(message: str, postcode: str | None, ward_name: str | None, as_json: bool,
                   limit: int) -> None:
    """Print the entries the front door would offer for MESSAGE, in its order."""
    from frontdoor.directory.search import offers_for
    from frontdoor.engine import front_door
    from frontdoor.models import Ward

    engine = front_door()
    places = engine.places()
    ward_code = ward_searched(places, postcode, ward_name)
    reading = engine.triage.read(message, places)
    if ward_code is None:
        ward_code = reading.place.ward_code
    # The need the front door would answer; a message it would not answer from the
    # directory (a greeting, "call me") is searched on its words alone.
    need = reading.need if reading.need in engine.triage.answerable else None
    today = datetime.now(engine.hours.zone).date()
    offers = offers_for(message, need, ward_code, today, limit=limit, hours=engine.hours)
    if as_json:
        click.echo(json.dumps([{
            "id": o.oruk_id, "name": o.name, "score": o.score, "why": list(o.why),
            "summary": o.summary, "contact": o.contact, "hours": o.hours, "kind": o.kind,
            "wards": list(o.wards), "citywide": o.citywide, "needs": list(o.needs),
            "min_age": o.min_age, "max_age": o.max_age, "address": o.address,
        } for o in offers.entries], indent=2))
        return
    from frontdoor.extensions import db

    ward = db.session.get(Ward, ward_code) if ward_code else None
    click.echo(f"need: {need or 'none (words only)'}; place: "
               f"{ward.name if ward else 'not known (city-wide only)'}; words: "
               f"{', '.join(offers.words) or 'none the directory knows'}"
               + (f"; {', '.join(map(str, offers.ages))}" if offers.ages else ""))
    if offers.nothing_fits:
        click.echo("Nothing in the directory fits: the front door would say so and offer "
                   "the coordinator.")
    for n, offer in enumerate(offers.entries, 1):
        click.echo(f"{n}. {offer.name} [{offer.oruk_id}] score {offer.score:.3f} ({offer.kind})")
        click.echo(f"   {offer.summary}")
        click.echo(f"   {' · '.join(p for p in (offer.contact, offer.hours) if p)}")
        click.echo(f"   why: {'; '.join(offer.why)}")
