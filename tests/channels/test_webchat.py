"""Web chat: the no-JavaScript page and the JSON API the widget uses."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from frontdoor.channels import webchat
from frontdoor.errors import ApiError
from frontdoor.i18n import in_language
from frontdoor.models import Author, Coordinator, Message, Resident


def start(client) -> str:
    response = client.post("/chat/api/conversations")
    assert response.status_code == 201
    return response.get_json()["token"]


def post(client, token: str, text, **kwargs):
    return client.post("/chat/api/messages", json={"text": text},
                       headers={"Authorization": f"Bearer {token}"}, **kwargs)


def fetch(client, token: str, after: int = 0):
    return client.get(f"/chat/api/messages?after={after}",
                      headers={"Authorization": f"Bearer {token}"})


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_without_javascript_the_form_posts_and_the_page_shows_the_thread(client):
    page = client.get("/chat")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'aria-live="polite"' in html and '<label for="chat-text">' in html
    response = client.post("/chat", data={"csrf_token": csrf_token(html),
                                          "text": "need a food bank, I live in Normanton"})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = client.get("/chat").get_data(as_text=True)
    assert "need a food bank, I live in Normanton" in html
    assert "Normanton Community Pantry" in html and "Reply 0 to talk to Sam" in html


def test_the_page_form_is_refused_without_a_csrf_token(client, db):
    response = client.post("/chat", data={"text": "hello"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


def test_an_empty_message_from_the_page_shows_an_error_not_a_crash(client):
    html = client.get("/chat").get_data(as_text=True)
    response = client.post("/chat", data={"csrf_token": csrf_token(html), "text": "  "},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Type a message before sending." in response.get_data(as_text=True)


def test_the_api_starts_a_conversation_posts_and_fetches_messages(client):
    token = start(client)
    assert len(token) >= 43, "at least 256 bits, URL-safe base64"
    response = post(client, token, "need a food bank, I live in Normanton")
    assert response.status_code == 201
    messages = response.get_json()["messages"]
    assert [m["author"] for m in messages] == ["resident", "bot"]
    assert "Normanton Community Pantry" in messages[1]["text"]
    later = fetch(client, token, after=messages[0]["id"]).get_json()["messages"]
    assert [m["id"] for m in later] == [messages[1]["id"]]
    assert fetch(client, token, after=messages[1]["id"]).get_json()["messages"] == []


def test_a_conversation_resumes_with_the_same_token(client):
    token = start(client)
    post(client, token, "hello")
    post(client, token, "need help with debts, im in DE23 8AB")
    texts = [m["text"] for m in fetch(client, token).get_json()["messages"]]
    assert texts[0] == "hello" and len(texts) == 4


def test_one_token_never_reads_another_conversation(client, db):
    mine, theirs = start(client), start(client)
    post(client, theirs, "my private message about my debts")
    mine_messages = fetch(client, mine).get_json()["messages"]
    assert mine_messages == []
    assert fetch(client, "not-a-real-token").status_code == 401
    assert client.get("/chat/api/messages").status_code == 401
    # Tokens are stored only as hashes: the database cannot hand one out.
    addresses = db.session.scalars(sa.select(Resident.address)).all()
    assert mine not in addresses and theirs not in addresses


def test_the_api_gives_clear_4xx_json_errors(client, app):
    token = start(client)
    too_long = post(client, token, "x" * (app.config["WEBCHAT_MAX_LENGTH"] + 1))
    assert too_long.status_code == 413
    assert too_long.get_json()["error"]["code"] == "message_too_long"
    assert post(client, token, "").status_code == 400
    assert post(client, token, 42).status_code == 400
    bad_json = client.post("/chat/api/messages", data="{nope",
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.get_json()["error"]["code"] == "invalid_json"
    assert fetch(client, token, after="abc").status_code == 400


def test_posting_too_fast_is_rate_limited_with_json(client, app):
    app.config["RATELIMIT_WEBCHAT"] = "3 per minute"
    token = start(client)
    statuses = [post(client, token, f"hello {n}").status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert post(client, token, "again").get_json()["error"]["code"] == "rate_limited"


def test_resident_text_is_rendered_as_text_never_html(client):
    html = client.get("/chat").get_data(as_text=True)
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    client.post("/chat", data={"csrf_token": csrf_token(html), "text": payload})
    page = client.get("/chat").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "script-src 'self'" in client.get("/chat").headers["Content-Security-Policy"]


def test_the_openapi_document_describes_every_operation(client):
    spec = client.get("/chat/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert operations == {"startConversation", "postMessage", "getMessages",
                          "requestPhoneCode", "checkPhoneCode", "chooseLanguage"}


def test_the_widget_script_opens_the_chat_in_a_dialog(client):
    script = client.get("/chat/widget.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    body = script.get_data(as_text=True)
    assert "/chat?embed=1" in body and "showModal" in body


# -- what a chat message may be (webchat.chat_text; no database: the unit tier) ---------------

@pytest.mark.parametrize("text", ["hello", "x" * 20, " need food ", "\u0175 \u0177 \U0001f642"])
def test_a_message_with_words_up_to_the_limit_is_taken_as_sent(words_app, text):
    assert webchat.chat_text(text, 20) == text


@pytest.mark.parametrize("text, status, code", [
    ("", 400, "empty_message"), ("   \n\t", 400, "empty_message"),
    ("\u3000\u00a0\ufeff", 400, "empty_message"), (42, 400, "empty_message"),
    (None, 400, "empty_message"), (["hi"], 400, "empty_message"),
    ("x" * 21, 413, "message_too_long"), ("help me \ud800 please", 400, "invalid_text")])
def test_a_message_that_cannot_be_read_or_stored_is_a_clear_4xx(words_app, text, status, code):
    with in_language("en"), pytest.raises(ApiError) as refused:
        webchat.chat_text(text, 20)
    assert (refused.value.status, refused.value.code) == (status, code)


# -- one message as the chat shows it (webchat.message_json; plain rows, the unit tier) -------

def a_message(author: Author, coordinator: Coordinator | None = None) -> Message:
    return Message(id=7, author=author, body="Hi, it's Sam.", coordinator=coordinator,
                   created_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


@pytest.mark.parametrize("message, who", [
    (a_message(Author.RESIDENT), "You"),
    (a_message(Author.BOT), "Front door"),
    (a_message(Author.COORDINATOR, Coordinator(name="Sam Patel")),
     "Sam, Local Area Coordinator"),                     # a first name, never the full name
    (a_message(Author.COORDINATOR), "Your coordinator"),  # their record gone
])
def test_each_message_says_who_wrote_it_in_the_residents_words(words_app, message, who):
    with in_language("en"):
        shown = webchat.message_json(message)
    assert shown == {"id": 7, "author": message.author.value, "from": who,
                     "text": "Hi, it's Sam.", "sent_at": "2026-11-24T10:00:00Z"}
