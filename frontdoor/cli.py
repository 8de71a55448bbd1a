"""The `frontdoor` commands: run, train, evaluate, load-config, classify, chat, db ..."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def _create_app() -> Flask:
    from frontdoor import create_app
    return create_app()


main = FlaskGroup(create_app=_create_app, help="frontdoor: the Local Area Coordination front door.")


def init_app(app: Flask) -> None:
    from frontdoor.rights_commands import residents, retention

    for command in (train_command, evaluate_command, load_config_command, classify_command,
                    chat_command, worker_command, coordinators, demo_command, postcodes,
                    council, residents, retention):
        app.cli.add_command(command)


@click.command("train")
@click.option("--data", type=click.Path(exists=True, path_type=Path), default=None,
              help="intents/ folder (default), or a CSV (text,label) or JSONL file.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Where to write the model (default: the configured MODEL_PATH).")
@click.option("--epochs", type=int, default=None,
              help="Passes over the training data (default: the recipe's, 20).")
@click.option("--if-missing", is_flag=True,
              help="Only train if there is no model, or it was trained on other data.")
@with_appcontext
def train_command(data: Path | None, out: Path | None, epochs: int | None,
                  if_missing: bool) -> None:
    """Train the need and crisis classifier from intents/ (or another data set)."""
    from frontdoor.engine import model_path
    from frontdoor.triage import classifier
    from frontdoor.triage.data import load_split

    out = out or model_path(current_app)
    # One-file data sets keep a fixed 20% out of training so `evaluate` measures fairly.
    examples, crisis = load_split(data or Path(current_app.config["INTENTS_DIR"]), "train")
    epochs = classifier.EPOCHS if epochs is None else epochs
    if if_missing and classifier.model_fingerprint(out) == classifier.data_fingerprint(
            examples, crisis, recipe=classifier.training_recipe(epochs=epochs)):
        click.echo(f"Model at {out} is up to date.")
        return
    report = classifier.train(examples, crisis, out, epochs=epochs)
    click.echo(f"Trained on {report.examples} need and {report.crisis_examples} crisis "
               f"examples in {report.seconds:.1f}s. Saved to {report.path}.")


@click.command("evaluate")
@click.option("--data", type=click.Path(exists=True, path_type=Path), default=None,
              help="intents/ folder (default; uses its test/ split), or a CSV or JSONL file.")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def evaluate_command(data: Path | None, model_dir: Path | None, as_json: bool) -> None:
    """Measure the model on held-out data: accuracy, macro-F1, per need, crisis recall."""
    from frontdoor.engine import model_path
    from frontdoor.triage.data import load_need_definitions
    from frontdoor.triage.evaluation import evaluate, format_report

    intents = Path(current_app.config["INTENTS_DIR"])
    report = evaluate(data or intents, model_dir or model_path(current_app),
                      load_need_definitions(intents), progress=not as_json)
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))


@click.command("load-config")
@click.option("--dir", "folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The council's data folder (default: COUNCIL_DATA_DIR).")
@with_appcontext
def load_config_command(folder: Path | None) -> None:
    """Load the council's wards, coordinators, postcodes and directory into the database."""
    from frontdoor.council_data import load_council_data

    report = load_council_data(folder or Path(current_app.config["COUNCIL_DATA_DIR"]),
                               current_app.config["TIMEZONE"])
    current_app.extensions.pop("frontdoor.engine", None)
    click.echo(f"Loaded {report.wards} wards, {report.coordinators} coordinators, "
               f"{report.postcodes} postcodes and {report.entries} directory entries.")


def _classify_line(text: str) -> dict[str, object]:
    from frontdoor.engine import front_door

    engine = front_door()
    reading = engine.triage.read(text, engine.places())
    return {"need": reading.need, "confidence": reading.confidence,
            "unsure": reading.unsure,
            "crisis": reading.crisis.category if reading.crisis else None,
            "postcode": reading.place.postcode, "ward": reading.place.ward_code}


@click.command("classify")
@click.argument("text", required=False)
@with_appcontext
def classify_command(text: str | None) -> None:
    """Print how a message is read, as JSON. With no TEXT, one message per line on stdin."""
    if text is not None:
        click.echo(json.dumps(_classify_line(text)))
        return
    for line in sys.stdin:
        if line.strip():
            click.echo(json.dumps(_classify_line(line.rstrip("\n"))))


@click.command("chat")
@click.option("--as", "number", default="+447700900123", show_default=True,
              help="The resident's phone number.")
@with_appcontext
def chat_command(number: str) -> None:
    """Talk to the front door in the terminal, as a resident would by SMS."""
    from frontdoor.channels import Inbound
    from frontdoor.engine import front_door

    click.echo("Type a message and press Enter (Ctrl-D to finish).")
    engine = front_door()
    while True:
        try:
            text = input("you> ")
        except EOFError:
            click.echo()
            return
        receipt = engine.receive(Inbound("sms", number, text, provider_id="CLI" + uuid.uuid4().hex))
        for reply in receipt.replies or ["(no reply: a coordinator has this thread)"]:
            click.echo(f"frontdoor> {reply}\n")


@click.command("worker")
@click.option("--once", is_flag=True, help="Do one round and stop.")
@click.option("--interval", type=float, default=2.0, show_default=True)
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Send queued replies, notify coordinators, raise urgent threads with the lead."""
    from frontdoor.outbox import run_worker

    run_worker(current_app.extensions["frontdoor.sms_sender"],
               current_app.extensions["frontdoor.alerts"], interval=interval, once=once)


@click.group("coordinators")
def coordinators() -> None:
    """Coordinators and team leads."""


@coordinators.command("add")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["coordinator", "lead"]), default="coordinator")
@click.option("--days", default="Mon,Tue,Wed,Thu,Fri", show_default=True)
@click.password_option()
@with_appcontext
def add_coordinator_command(name: str, email: str, role: str, days: str,
                            password: str) -> None:
    """Add a coordinator or lead who can sign in (or reset their password)."""
    from frontdoor.extensions import db
    from frontdoor.inbox.people import add_person

    try:
        person = add_person(name, email, password, role, days.split(","))
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    click.echo(f"{person.name} ({person.role}) can sign in as {person.email}.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Demo council only: sign-ins for a few coordinators and a lead, and a few threads."""
    import secrets

    import sqlalchemy as sa

    from frontdoor.channels import Inbound
    from frontdoor.engine import front_door
    from frontdoor.extensions import db
    from frontdoor.inbox.people import add_person
    from frontdoor.models import Coordinator, Council, Resident

    council = db.session.get(Council, 1)
    if council is None or not council.is_demo:
        raise click.UsageError("`frontdoor demo` only runs on the demo council's data.")
    click.echo("Demo sign-ins (fictional people) at http://127.0.0.1:5000/inbox:")
    for key in ("sam-patel", "lead"):
        person = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key))
        if person is None or not person.email:
            continue
        password = "demo-" + secrets.token_urlsafe(9)
        add_person(person.name, person.email, password, person.role, person.day_names)
        click.echo(f"  {person.name:<14} {person.role:<12} {person.email}  password: {password}")
    db.session.commit()
    if db.session.query(Resident).count() == 0:
        engine = front_door()
        for number, text in [("+447700900201", "need a food bank, I live in Normanton"),
                             ("+447700900201", "0"),
                             ("+447700900202", "my partner hits me and im scared, DE23 8AB"),
                             ("+447700900203", "im new to derby and lonely, live in normanton"),
                             ("+447700900203", "can someone call me")]:
            engine.receive(Inbound("sms", number, text,
                                   provider_id="SMdemo" + secrets.token_hex(13)))
        click.echo("  Demo threads created for Normanton.")



@click.group("postcodes")
def postcodes() -> None:
    """The council's postcode table."""


@postcodes.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lad", required=True,
              help="The council's local authority code: E06000015 Derby, W06000011 Swansea.")
@click.option("--replace", is_flag=True,
              help="Also remove imported postcodes that are no longer live in the file.")
@with_appcontext
def import_postcodes_command(file: Path, lad: str, replace: bool) -> None:
    """Import the council's live postcodes from the ONSPD or NSPL (the CSV or the ONS zip)."""
    from frontdoor.postcodes import PostcodeFileError, import_postcodes

    try:
        report = import_postcodes(file, lad, replace=replace, progress=sys.stderr.isatty())
    except PostcodeFileError as error:
        raise click.ClickException(str(error)) from error
    current_app.extensions.pop("frontdoor.engine", None)
    for line in report.summary():
        click.echo(line)


@click.group("council")
def council() -> None:
    """Setting up a council: a starting config folder, and a check before go-live."""


@council.command("new")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lad", required=True, help="Local authority code, e.g. W06000011 (Swansea).")
@click.option("--name", required=True, help='The council\'s name, e.g. "Swansea Council".')
@click.option("--wards", "ward_list", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A ward list CSV, for a council not in data/wards/wards.csv.")
def new_council_command(folder: Path, lad: str, name: str, ward_list: Path | None) -> None:
    """Write a starting config folder for a council: its wards, and placeholders to fill in."""
    from frontdoor.council_setup import CouncilSetupError, write_new_council

    try:
        written = write_new_council(folder, lad, name, ward_list)
    except CouncilSetupError as error:
        raise click.ClickException(str(error)) from error
    for line in written.summary():
        click.echo(line)


@council.command("check")
@click.option("--dir", "folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The council's data folder (default: COUNCIL_DATA_DIR).")
@with_appcontext
def check_council_command(folder: Path | None) -> None:
    """List what is still missing or inconsistent in the council's set-up; exit 1 if any."""
    from frontdoor.council_setup import check_council

    folder = folder or Path(current_app.config["COUNCIL_DATA_DIR"])
    problems = check_council(folder, Path(current_app.config["INTENTS_DIR"]))
    if not problems:
        click.echo(f"{folder}: nothing missing or inconsistent found.")
        return
    click.echo(f"{folder}: {len(problems)} things to fix before go-live:")
    for problem in problems:
        click.echo(f"  - {problem}")
    click.get_current_context().exit(1)
