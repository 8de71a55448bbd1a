"""The README's demo inputs work exactly as written, in the order written."""

from __future__ import annotations

import re

from frontdoor.settings import PROJECT_ROOT
from tests.conftest import make_phone


def readme_conversations() -> list[list[str]]:
    sentence = re.search(r'Try (".*?)\n\n', (PROJECT_ROOT / "README.md").read_text(),
                         re.DOTALL).group(1)
    return [re.findall(r'"([^"]+)"', part) for part in sentence.split(";")]


def test_the_readmes_demo_inputs_get_answers_and_reach_a_person(client, app):
    conversations = readme_conversations()
    assert len(conversations) == 2 and all(len(c) >= 2 for c in conversations)
    heard = []
    for n, inputs in enumerate(conversations):
        phone = make_phone(client, app, f"+44770090040{n}")
        replies = [" ".join(phone.text(text)) for text in inputs]
        for reply in replies:
            assert reply and "not sure I understood" not in reply, (inputs, replies)
        heard.append(replies)
    food, person = heard[0][0], heard[0][-1]
    assert "food" in food and "Normanton" in food
    assert "passed this to Sam Patel" in person
    assert "meeting people" in heard[1][-1]
