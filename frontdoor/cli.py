"""The `frontdoor` commands: run, train, evaluate, load-config, classify, chat, db ..."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

if TYPE_CHECKING:
    from frontdoor.models import Coordinator


def _create_app() -> Flask:
    from frontdoor import create_app
    return create_app()


main = FlaskGroup(create_app=_create_app, help="frontdoor: the Local Area Coordination front door.")


def init_app(app: Flask) -> None:
    for command in (train_command, evaluate_command, load_config_command, classify_command,
                    chat_command, worker_command, coordinators, demo_command):
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
    from frontdoor.council_data import CouncilDataError, load_council_data

    try:
        report = load_council_data(folder or Path(current_app.config["COUNCIL_DATA_DIR"]))
    except CouncilDataError as error:
        raise click.ClickException(str(error)) from error
    current_app.extensions.pop("frontdoor.engine", None)
    click.echo(f"Loaded {report.wards} wards, {report.coordinators} coordinators, "
               f"{report.postcodes} postcodes and {report.entries} directory entries.")
    for who in report.deactivated:
        click.echo(f"Deactivated (no longer in the council's data): {who}")
    for who in report.kept_inactive:
        click.echo(f"Still deactivated: {who} (`frontdoor coordinators reactivate EMAIL`)")


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


def _person_or_fail(email: str) -> Coordinator:
    from frontdoor.inbox.auth import coordinator_by_email

    person = coordinator_by_email(email)
    if person is None:
        raise click.UsageError(f"No coordinator has the email {email}.")
    return person


def _print_link(person: Coordinator, token: str) -> None:
    from flask import current_app

    from frontdoor.inbox.people import invitation_link

    hours = current_app.config["INVITATION_HOURS"]
    click.echo(f"Give {person.name} this link (works once, for {hours} hours) to choose a "
               f"password and set up a second factor:\n  {invitation_link(token)}")


@coordinators.command("add")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["coordinator", "lead"]), default="coordinator")
@click.option("--days", default="Mon,Tue,Wed,Thu,Fri", show_default=True)
@with_appcontext
def add_coordinator_command(name: str, email: str, role: str, days: str) -> None:
    """Add a coordinator or lead (or update one) and print their sign-in link."""
    from frontdoor.extensions import db
    from frontdoor.inbox import people, sso
    from frontdoor.models import utcnow

    try:
        person = people.add_person(name, email, role, days.split(","))
        token = people.invite(person, None, utcnow()) if sso.passwords_allowed() else None
    except people.PeopleError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    click.echo(f"{person.name} ({person.role}) is added as {person.email}.")
    if token:
        _print_link(person, token)
    else:
        click.echo("They sign in with single sign-on, with that email.")


@coordinators.command("invite")
@click.argument("email")
@with_appcontext
def invite_command(email: str) -> None:
    """Print a new sign-in link for someone (earlier links stop working)."""
    from frontdoor.extensions import db
    from frontdoor.inbox import people
    from frontdoor.models import utcnow

    person = _person_or_fail(email)
    try:
        token = people.invite(person, None, utcnow())
    except people.PeopleError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    _print_link(person, token)


@coordinators.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_command(email: str) -> None:
    """Lock a leaver out now: end their sessions, hand their open threads on."""
    from frontdoor.extensions import db
    from frontdoor.inbox import people
    from frontdoor.models import utcnow

    person = _person_or_fail(email)
    if not person.active:
        click.echo(f"{person.name} is already deactivated.")
        return
    try:
        moved = people.deactivate(person, None, utcnow())
    except people.PeopleError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    click.echo(f"{person.name} is deactivated and signed out everywhere.")
    for item in moved:
        click.echo(f"  thread {item.thread_id} handed to {item.to.name}")
    uncovered = people.wards_without_coordinator()
    if uncovered:
        click.echo("Wards without a coordinator: " + ", ".join(w.name for w in uncovered))


@coordinators.command("reactivate")
@click.argument("email")
@with_appcontext
def reactivate_command(email: str) -> None:
    """Let someone who was deactivated sign in again."""
    from frontdoor.extensions import db
    from frontdoor.inbox import people
    from frontdoor.models import utcnow

    person = _person_or_fail(email)
    people.reactivate(person, None, utcnow())
    db.session.commit()
    click.echo(f"{person.name} is active again.")


@click.command("demo")
@click.option("--code", "code_for", metavar="EMAIL", default=None,
              help="Print a demo account's current second-factor code, and nothing else.")
@with_appcontext
def demo_command(code_for: str | None) -> None:
    """Demo council only: sign-ins for a coordinator and a lead, and a few threads.

    Every password account needs a second factor, the demo's too: each sign-in is printed
    with its authenticator key, and `frontdoor demo --code EMAIL` prints the current code
    for those who would rather not use an app. Both refuse to run on a real council's data."""
    import secrets

    import pyotp
    import sqlalchemy as sa

    from frontdoor.channels import Inbound
    from frontdoor.engine import front_door
    from frontdoor.extensions import db
    from frontdoor.inbox import people, second_factor
    from frontdoor.models import Coordinator, Council, Resident, utcnow

    council = db.session.get(Council, 1)
    if council is None or not council.is_demo:
        raise click.UsageError("`frontdoor demo` only runs on the demo council's data.")
    if code_for is not None:
        holder = _person_or_fail(code_for)
        if not holder.totp_secret:
            raise click.UsageError(f"{holder.name} has no second factor: run `frontdoor demo`.")
        click.echo(pyotp.TOTP(holder.totp_secret).now())
        return
    click.echo("Demo sign-ins (fictional people) at http://127.0.0.1:5000/inbox:")
    for key in ("sam-patel", "lead"):
        person = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key))
        if person is None or not person.email:
            continue
        password = "demo-" + secrets.token_urlsafe(12)
        people.set_password(person, password)
        secret = pyotp.random_base32()
        second_factor.enrol(person, secret, utcnow(), used_step=None)
        click.echo(f"  {person.name:<14} {person.role:<12} {person.email}  password: {password}")
        click.echo(f"  {'':<27} second factor key: {secret}  (add it to an authenticator app, "
                   f"or run: .venv/bin/frontdoor demo --code {person.email})")
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

