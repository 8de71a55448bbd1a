"""The `frontdoor` commands: run, train, evaluate, load-config, classify, chat, db ...

Every command is on the `frontdoor` group itself, so `frontdoor --help` lists them all
whatever the settings. Only the commands that serve (`run`, `worker`) need the production
settings; a missing one stops them with one line naming it."""

from __future__ import annotations

import getpass
import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, run_command, with_appcontext
from flask_migrate.cli import db as migrations_group

from frontdoor.directory.commands import directory, print_import_report
from frontdoor.review_commands import corrections_group, review_group
from frontdoor.rights_commands import residents, retention
from frontdoor.settings import Role, SettingsError

if TYPE_CHECKING:
    from frontdoor.conversations import FrontDoor


class SettingsProblem(click.ClickException):
    """A missing or inconsistent setting: one line, and exit status 4 (as gunicorn's for an
    app that cannot load), which the systemd units do not restart on."""

    exit_code = 4

if TYPE_CHECKING:
    from frontdoor.models import Coordinator


def _create_app() -> Flask:
    from frontdoor import create_app
    try:
        return create_app(role=None)
    except SettingsError as error:
        raise SettingsProblem(str(error)) from None


class FrontDoorGroup(FlaskGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        # Flask would load the app to list its commands, and print a traceback instead of
        # them when a setting is wrong; ours are all on this group.
        self._load_plugin_commands()
        return sorted(click.Group.list_commands(self, ctx))


main = FrontDoorGroup(create_app=_create_app,
                      help="frontdoor: the Local Area Coordination front door.")


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def require_settings(app: Flask, role: Role) -> None:
    """Stop a serving command with one line when a production setting is missing."""
    from frontdoor.settings import require
    try:
        require(app.extensions["frontdoor.settings"], role)
    except SettingsError as error:
        raise SettingsProblem(str(error)) from None


def audit(action: str, detail: str) -> None:
    """Record a change made from the command line (no coordinator: the OS user is named)."""
    from frontdoor.extensions import db
    from frontdoor.models import AuditEvent, utcnow
    from frontdoor.transactions import unit_of_work

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    with unit_of_work():
        db.session.add(AuditEvent(coordinator_id=None, action=action, created_at=utcnow(),
                                  detail=f"{detail} (command line, user {user})"[:200]))


@click.command("run", params=run_command.params, help=run_command.help,
               short_help="Serve with the development server.")
def serve_command(**options: Any) -> None:
    ctx = click.get_current_context()
    app = ctx.ensure_object(ScriptInfo).load_app()
    require_settings(app, "web")
    from frontdoor.settings import LOOPBACK

    if app.config["ENV_NAME"] != "production" and options.get("host") not in LOOPBACK:
        # Development settings publish their secret key and Twilio token, and /dev/sms shows
        # any number's conversation: never on an address anyone else can reach.
        raise SettingsProblem(f"{app.config['ENV_NAME']} settings serve only on this machine "
                              "(--host 127.0.0.1): use production settings to serve others")
    ctx.invoke(run_command, **options)


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
@click.option("--replace-council", is_flag=True,
              help="The database holds another council: take its coordinators, wards, "
                   "postcodes and directory out of service and load this one.")
@with_appcontext
def load_config_command(folder: Path | None, replace_council: bool) -> None:
    """Load the council's wards, coordinators, postcodes and directory into the database.

    Running servers and workers pick the changes up within seconds, without a restart."""
    from frontdoor.council_data import CouncilDataError, load_council_data
    from frontdoor.extensions import db

    folder = folder or Path(current_app.config["COUNCIL_DATA_DIR"])
    try:
        report = load_council_data(folder, replace_council=replace_council,
                                   timezone=current_app.config["TIMEZONE"])
    except CouncilDataError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    current_app.extensions.pop("frontdoor.engine", None)
    loaded = (f"{report.wards} wards, {report.coordinators} coordinators, "
              f"{report.postcodes} postcodes and {report.entries} directory entries")
    if report.replaced:
        gone = report.replaced
        audit("replace_council", f"{gone.name} replaced by {report.council}: "
                                 f"{gone.coordinators_deactivated} coordinators deactivated, "
                                 f"{gone.wards_removed} wards removed, {gone.wards_kept} kept")
        click.echo(f"Replaced {gone.name}: {gone.coordinators_deactivated} coordinators "
                   f"deactivated, {gone.wards_removed} wards removed, {gone.wards_kept} kept "
                   f"for residents' history.")
    audit("load_config", f"{report.council}: {loaded} from {folder.name}")
    click.echo(f"Loaded {loaded}.")
    if report.directory is not None:
        print_import_report(report.directory)
    for who in report.deactivated:
        click.echo(f"Deactivated (no longer in the council's data): {who}")
    for who in report.kept_inactive:
        click.echo(f"Still deactivated: {who} (`frontdoor coordinators reactivate EMAIL`)")


def _ready_engine() -> FrontDoor:
    """The engine, or one line saying what to run first."""
    import sqlalchemy as sa

    from frontdoor.engine import ModelMissing, front_door

    try:
        return front_door()
    except ModelMissing as error:
        raise click.ClickException(str(error)) from None
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
        raise click.ClickException(
            f"the database is not ready ({type(error.orig).__name__}): run `frontdoor db "
            f"upgrade` and `frontdoor load-config`") from None


def _classify_line(text: str) -> dict[str, object]:
    engine = _ready_engine()
    reading = engine.triage.read(text, engine.places())
    return {"need": reading.need, "confidence": reading.confidence,
            "unsure": reading.unsure,
            "crisis": reading.crisis.category if reading.crisis else None,
            "crisis_level": reading.crisis.level if reading.crisis else None,
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
    from frontdoor.channels.sms import SMS

    click.echo("Type a message and press Enter (Ctrl-D to finish).")
    engine = _ready_engine()
    while True:
        try:
            text = input("you> ")
        except EOFError:
            click.echo()
            return
        receipt = engine.receive(Inbound("sms", number, text, provider_id="CLI" + uuid.uuid4().hex,
                                         command=SMS.command(text)))
        for reply in receipt.replies or ["(no reply: a coordinator has this thread)"]:
            click.echo(f"frontdoor> {reply}\n")


@click.command("worker")
@click.option("--once", is_flag=True, help="Do one round and stop.")
@click.option("--interval", type=float, default=2.0, show_default=True)
@click.option("--metrics-port", type=int, default=None,
              help="Serve this worker's Prometheus metrics (send latency) on 127.0.0.1:PORT.")
@with_appcontext
def worker_command(once: bool, interval: float, metrics_port: int | None) -> None:
    """Send queued replies, notify coordinators, raise urgent threads with the lead."""
    from frontdoor.outbox import run_worker

    require_settings(current_app, "worker")
    if metrics_port:
        from frontdoor.metrics import serve_worker_metrics
        serve_worker_metrics(metrics_port)

    run_worker(current_app.extensions["frontdoor.sms_sender"],
               current_app.extensions["frontdoor.alerts"], interval=interval, once=once)


@click.group("coordinators")
def coordinators() -> None:
    """Coordinators and team leads."""


def _person_or_fail(email: str) -> Coordinator:
    from frontdoor.queries import find_coordinator_by_email

    person = find_coordinator_by_email(email)
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
    import sqlalchemy as sa

    from frontdoor.extensions import db
    from frontdoor.inbox import people, sso
    from frontdoor.models import Coordinator, utcnow
    from frontdoor.transactions import unit_of_work

    namesake = db.session.scalar(sa.select(Coordinator).where(
        sa.func.lower(Coordinator.name) == name.strip().lower(), Coordinator.active,
        sa.func.lower(sa.func.coalesce(Coordinator.email, "")) != email.strip().lower()))
    if namesake is not None:
        # Two people of one name would be told apart by nobody in the inbox.
        raise click.UsageError(
            f"{namesake.name} already exists with email {namesake.email or '(none)'}: give "
            f"that email to reset their password, or a name that tells the two apart")
    try:
        with unit_of_work():
            person = people.add_person(name, email, role, days.split(","))
            token = people.invite(person, None, utcnow()) if sso.passwords_allowed() else None
    except people.PeopleError as error:
        raise click.UsageError(str(error)) from error
    audit("add_coordinator", f"{person.key} ({person.role}) added")
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
    from frontdoor.inbox import people
    from frontdoor.models import utcnow
    from frontdoor.transactions import unit_of_work

    person = _person_or_fail(email)
    try:
        with unit_of_work():
            token = people.invite(person, None, utcnow())
    except people.PeopleError as error:
        raise click.UsageError(str(error)) from error
    _print_link(person, token)


@coordinators.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_command(email: str) -> None:
    """Lock a leaver out now: end their sessions, hand their open threads on."""
    from frontdoor.inbox import people
    from frontdoor.models import utcnow
    from frontdoor.transactions import unit_of_work

    person = _person_or_fail(email)
    if not person.active:
        click.echo(f"{person.name} is already deactivated.")
        return
    try:
        with unit_of_work():
            moved = people.deactivate(person, None, utcnow())
    except people.PeopleError as error:
        raise click.UsageError(str(error)) from error
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
    from frontdoor.inbox import people
    from frontdoor.models import utcnow
    from frontdoor.transactions import unit_of_work

    person = _person_or_fail(email)
    with unit_of_work():
        people.reactivate(person, None, utcnow())
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
    from frontdoor.demo import DEMO_PASSWORD, DEMO_PEOPLE, demo_second_factor_key
    from frontdoor.engine import front_door
    from frontdoor.extensions import db
    from frontdoor.inbox import people, second_factor
    from frontdoor.models import Coordinator, Council, Resident, utcnow
    from frontdoor.transactions import unit_of_work

    council = db.session.get(Council, 1)
    if council is None or not council.is_demo:
        raise click.UsageError("`frontdoor demo` only runs on the demo council's data.")
    if code_for is not None:
        holder = _person_or_fail(code_for)
        if not holder.totp_secret:
            raise click.UsageError(f"{holder.name} has no second factor: run `frontdoor demo`.")
        click.echo(pyotp.TOTP(holder.totp_secret).now())
        return
    click.echo("Demo sign-ins (fictional people, the same every time; also on the home page) "
               "at http://127.0.0.1:5000/inbox:")
    with unit_of_work():
        for key in DEMO_PEOPLE:
            person = db.session.scalar(sa.select(Coordinator).where(Coordinator.key == key))
            if person is None or not person.email:
                continue
            people.set_password(person, DEMO_PASSWORD)
            secret = demo_second_factor_key(person.key)
            second_factor.enrol(person, secret, utcnow(), used_step=None)
            click.echo(f"  {person.name:<14} {person.role:<12} {person.email}  "
                       f"password: {DEMO_PASSWORD}")
            click.echo(f"  {'':<27} second factor key: {secret}  (add it to an "
                       f"authenticator app, or run: .venv/bin/frontdoor demo --code "
                       f"{person.email})")
    if db.session.query(Resident).count() == 0:
        engine = front_door()
        for number, text in [("+447700900201", "need a food bank, I live in Normanton"),
                             ("+447700900201", "0"),
                             ("+447700900202", "my partner hits me and im scared, DE23 8AB"),
                             ("+447700900203", "im new to derby and lonely, live in normanton"),
                             ("+447700900203", "can someone call me"),
                             # Answered by the front door alone: the review list (review.py).
                             ("+447700900204", "is there a lunch club in normanton"),
                             ("+447700900205", "my dad keeps falling over and tonight he "
                                               "doesnt know who i am, we live in normanton")]:
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


@click.group("config")
def config_group() -> None:
    """The settings this process would run with."""


@config_group.command("check")
@click.option("--env", "env_name", type=click.Choice(["production", "development", "test"]),
              default=None, help="Settings class (default: FRONTDOOR_ENV, then production).")
def config_check_command(env_name: str | None) -> None:
    """Print every setting as set, default or missing; exit 1 if a server would refuse."""
    from frontdoor.settings import load_settings, problems, shown

    try:
        settings = load_settings(env_name)
    except SettingsError as error:
        raise SettingsProblem(str(error)) from None
    found = problems(settings, "web") + problems(settings, "worker")
    reasons: dict[str, str] = {}
    for name, reason in found:
        reasons.setdefault(name, reason)
    click.echo(f"frontdoor settings ({settings.ENV_NAME})")
    for name in type(settings).model_fields:
        if name in reasons:
            state = "invalid" if name in settings.model_fields_set else "missing"
        else:
            state = "set" if name in settings.model_fields_set else "default"
        click.echo(f"  {name:<30} {state:<8} {shown(settings, name)}".rstrip())
    if reasons:
        click.echo(f"\n{len(reasons)} to fix before serving:")
        for reason in reasons.values():
            click.echo(f"  {reason}")
        sys.exit(1)
    click.echo("\nReady to serve.")


# Every command, on the group (so --help lists them whatever the settings) and on the app.
COMMANDS: tuple[click.Command, ...] = (
    train_command, evaluate_command, load_config_command, classify_command, chat_command,
    worker_command, coordinators, demo_command, config_group, postcodes, council, directory,
    review_group, corrections_group, residents, retention)
for _command in COMMANDS:
    main.add_command(_command)
main.add_command(serve_command)     # replaces Flask's `run`, checking the settings first
main.add_command(migrations_group, "db")    # Flask-Migrate's, otherwise only on the app
