"""Conversation stories, in the style of Rasa's test stories: tests/conversations/*.yml.

Each story is a whole conversation as a resident really writes it, on one channel (SMS
through the signed Twilio webhook, or web chat through its JSON API), step by step, with
what each reply must (and must not) say, and the outcome expected at the end: the need
answered for the ward, the coordinator named, the crisis numbers, the contact centre.

    stories:
      - story: food bank in Normanton, then a person
        channel: sms                      # or webchat
        at: 2026-11-24T10:00:00Z          # optional; a Tuesday, 10am, by default
        leave:                            # optional: coordinators away that week
          - {coordinator: Sam Patel, starts: 2026-11-23, ends: 2026-11-27}
        steps:
          - user: need a food bank, I live in Normanton
            bot: ["in Normanton", "Reply 0 to talk to Sam"]   # every one must appear
            not: ["not sure I understood"]                    # none may appear
          - user: "0"
            bot: ["I've passed this to Sam Patel"]
          - user: STOP
            silent: true                  # no reply at all
        outcome:
          state: waiting_for_coordinator  # bot, waiting_for_coordinator, with_coordinator
          urgent: false
          check_in: false
          coordinator: Sam Patel
          ward: Normanton
          crisis: null
          need: food

bench/conversations.py runs the same stories and prints the share that succeed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from frontdoor.models import Coordinator, Leave, Thread, Ward
from tests.conftest import make_phone

HERE = Path(__file__).parent


def load_stories() -> list[dict[str, Any]]:
    stories = []
    for path in sorted(HERE.glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            story["file"] = path.name
            stories.append(story)
    return stories


STORIES = load_stories()


def test_there_are_at_least_80_stories_covering_both_channels():
    assert len(STORIES) >= 80
    assert {s.get("channel", "sms") for s in STORIES} == {"sms", "webchat"}
    assert len({s["story"] for s in STORIES}) == len(STORIES), "story names are unique"


class WebChat:
    """A resident on the web chat, through the widget's JSON API."""

    def __init__(self, client: Any) -> None:
        self.client = client
        response = client.post("/chat/api/conversations")
        assert response.status_code == 201, response.get_data(as_text=True)
        self.token = response.get_json()["token"]

    def text(self, body: str) -> list[str]:
        response = self.client.post("/chat/api/messages", json={"text": body},
                                    headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 201, response.get_data(as_text=True)
        return [m["text"] for m in response.get_json()["messages"] if m["author"] == "bot"]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# One branch per thing a story can say (a time, leave, a text, what is expected): the story
# format's reader, kept in one place so a story reads as this function does.
def run_story(story: dict[str, Any], client: Any, app: Any, db: Any,  # noqa: C901
              clock: Any) -> None:
    if story.get("at"):
        clock.now = datetime.fromisoformat(str(story["at"]).replace("Z", "+00:00")) \
            .astimezone(UTC)
    for away in story.get("leave", []):
        person = db.session.scalar(sa.select(Coordinator).where(
            Coordinator.name == away["coordinator"]))
        person.leave.append(Leave(starts=date.fromisoformat(str(away["starts"])),
                                  ends=date.fromisoformat(str(away["ends"]))))
    db.session.commit()
    if story.get("channel", "sms") == "webchat":
        resident: Any = WebChat(client)
    else:
        resident = make_phone(client, app, "+4477009" + str(uuid.uuid4().int)[:5])
    for number, step in enumerate(story["steps"], 1):
        replies = resident.text(str(step["user"]))
        said = "\n".join(replies)
        where = f"{story['story']!r}, step {number} ({step['user']!r})"
        if step.get("silent"):
            assert replies == [], f"{where}: expected no reply, got {said!r}"
            continue
        if "bot" in step or "not" in step:
            assert replies, f"{where}: expected a reply"
        for words in _as_list(step.get("bot")):
            assert words.lower() in said.lower(), f"{where}: {words!r} not in {said!r}"
        for words in _as_list(step.get("not")):
            assert words.lower() not in said.lower(), f"{where}: {words!r} in {said!r}"
    outcome = story.get("outcome") or {}
    db.session.expire_all()
    thread = db.session.scalar(sa.select(Thread).order_by(Thread.id.desc()))
    assert thread is not None
    where = f"{story['story']!r} outcome"
    if "state" in outcome:
        assert thread.state.value == outcome["state"], (where, thread.state)
    if "urgent" in outcome:
        assert thread.urgent is bool(outcome["urgent"]), (where, thread.urgent)
    if "check_in" in outcome:
        assert thread.check_in is bool(outcome["check_in"]), (where, thread.check_in)
    if "crisis" in outcome:
        assert thread.crisis == outcome["crisis"], (where, thread.crisis)
    if "need" in outcome:
        assert thread.need == outcome["need"], (where, thread.need)
    if "coordinator" in outcome:
        name = thread.coordinator.name if thread.coordinator else None
        assert name == outcome["coordinator"], (where, name)
    if "ward" in outcome:
        ward = db.session.get(Ward, thread.ward_code) if thread.ward_code else None
        assert (ward.name if ward else None) == outcome["ward"], (where, ward)


@pytest.mark.parametrize("story", STORIES, ids=[f"{s['file']}:{s['story']}" for s in STORIES])
def test_story(story, client, app, db, clock):
    run_story(story, client, app, db, clock)
