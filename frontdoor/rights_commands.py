"""`frontdoor residents export ID` and `frontdoor retention apply [--dry-run]`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import with_appcontext


@click.group("residents")
def residents() -> None:
    """A resident's record: subject access export."""


@residents.command("export")
@click.argument("resident_id", type=int)
@click.option("--html", "as_html", is_flag=True, help="A readable HTML page instead of JSON.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: print).")
@with_appcontext
def export_command(resident_id: int, as_html: bool, out: Path | None) -> None:
    """Everything held about one resident, for a subject access request (JSON or HTML)."""
    from frontdoor import rights
    from frontdoor.extensions import db
    from frontdoor.models import Resident
    from frontdoor.transactions import unit_of_work

    resident = db.session.get(Resident, resident_id)
    if resident is None:
        raise click.ClickException(f"resident {resident_id}: no such resident")
    now = current_app.extensions["frontdoor.clock"]()
    with unit_of_work():
        rights.record_export(resident, None, now, "command line, html" if as_html else
                             "command line, json")
        record = rights.everything_about(resident)
    if as_html:
        with current_app.test_request_context():
            text = render_template("inbox/resident_export.html", record=record,
                                   standalone=True)
    else:
        text = json.dumps(record, indent=2, ensure_ascii=False)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Resident {resident_id}: everything held written to {out}.", err=True)


@click.group("retention")
def retention() -> None:
    """The council's retention policy (council.toml [retention])."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@with_appcontext
def apply_command(dry_run: bool) -> None:
    """Remove the text and identifiers of records past their time; keep holds and counts."""
    from frontdoor import retention as policy

    result = policy.apply(current_app.extensions["frontdoor.clock"](), dry_run=dry_run)
    for line in result.summary(dry_run):
        click.echo(line)
