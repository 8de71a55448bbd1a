"""`frontdoor review list` (the review list for scripts and tests) and
`frontdoor corrections export` (the learning loop's corrections, scrubbed, as intents/ files)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("review")
def review_group() -> None:
    """Conversations the front door answered alone, riskiest first."""


@review_group.command("list")
@click.option("--ward", "ward_code", metavar="CODE", help="The ward's GSS code.")
@click.option("--unknown-ward", is_flag=True,
              help="Residents whose ward is not known (the team lead's list).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
@with_appcontext
def list_command(ward_code: str | None, unknown_ward: bool, as_json: bool) -> None:
    """Print a ward's review list in order: thread, first words, risk and why."""
    from frontdoor import review
    from frontdoor.engine import hours_for
    from frontdoor.extensions import db
    from frontdoor.models import Ward

    if bool(ward_code) == unknown_ward:
        raise click.UsageError("give either --ward CODE or --unknown-ward")
    if ward_code and db.session.get(Ward, ward_code) is None:
        raise click.UsageError(f"no ward with code {ward_code!r}: see the ward_code column "
                               "of the council's wards.csv")
    now = current_app.extensions["frontdoor.clock"]()
    entries = review.entries_for_ward(ward_code, now, hours_for(current_app))
    rows = [{"thread": e.thread.id, "review": e.review.id, "first_words": e.first_words,
             "risk": e.risk.points, "reasons": list(e.risk.reasons),
             "early_help": list(e.early_help), "since": e.review.created_at.isoformat(),
             "past_promise": e.review.due_at <= now} for e in entries]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("Nothing waiting to be seen.")
    for rank, row in enumerate(rows, 1):
        click.echo(f"{rank:>3}. thread {row['thread']:<6} risk {row['risk']:>5}  "
                   f"{'; '.join(row['reasons']) or '-'}")


@click.group("corrections")
def corrections_group() -> None:
    """Coordinators' corrections of how messages were read."""


@corrections_group.command("export")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder to write to (default: corrections/ in the instance "
                                 "folder).")
@with_appcontext
def export_command(out_dir: Path | None) -> None:
    """Write corrections, scrubbed, as intents/ files (train/, crisis/train/) for review."""
    from frontdoor.corrections import export

    out = out_dir or Path(current_app.instance_path) / "corrections"
    done = export(out, Path(current_app.config["INTENTS_DIR"]))
    click.echo(f"Wrote {done.needs} need, {done.crisis} crisis and {done.not_crisis} "
               f"not-crisis corrections to {out} ({done.already_known} already in intents/). "
               "Read each line before moving it into intents/.")
