"""The privacy notice from the first reply to a new resident (within the SMS budget) and
the chat page; the accessibility statement, in the GOV.UK model wording, on every page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from jinja2 import nodes

from frontdoor import replies
from frontdoor.channels.sms import SMS
from frontdoor.i18n import in_language
from frontdoor.sms_segments import segments
from frontdoor.triage.safety import rule_categories
from tests.conftest import make_phone

NOTICE = "https://www.example.org/lac-privacy"


def test_the_first_reply_to_a_new_resident_links_the_privacy_notice_within_three_segments(
        phone):
    first = phone.text("need a food bank, I live in Normanton")[0]
    assert first.endswith(f"How we use your information: {NOTICE}")
    assert segments(first) <= 3
    assert "Reply 0 to talk to Sam" in first, "the way to a person is never dropped"
    assert NOTICE not in phone.text("thanks")[0], "only the first reply"


# The first message of each kind of crisis, as a resident might send it.
FIRST_CRISES = {
    "suicide_self_harm": "i want to kill myself tonight",
    "domestic_abuse": "my partner hits me and im scared, DE23 8AB",
    "danger": "there is a man with a knife outside my door",
    "medical": "my dad collapsed and is not breathing",
    "safeguarding_other": "my neighbour is 90 and nobody has seen her for a week, she might be "
                          "hurt",
}


@pytest.mark.parametrize("category,words", FIRST_CRISES.items())
def test_each_kind_of_first_crisis_message_is_read_as_that_crisis(category, words):
    assert rule_categories(words)[0] == category


@pytest.mark.parametrize("at_work", [True, False], ids=["in hours", "out of hours"])
@pytest.mark.parametrize("category", FIRST_CRISES)
def test_a_first_reply_in_crisis_keeps_its_numbers_and_the_notice_within_budget(
        words_app, category, at_work):
    # The demo council's longest coordinator and ward names, and the longer out-of-hours
    # reply (nobody at work, the on-call worker told).
    who = replies.Who(name="Daniel Kowalski", first_name="Daniel",
                      ward_name="Chellaston & Shelton Lock", days="Monday to Thursday",
                      reply_by="5pm on Tuesday", at_work=at_work, back_at="9am on Monday")
    with in_language("en"):
        reply = replies.crisis(category, who, "Derby City Council", "01332 786968",
                               "in office hours" if at_work else "out of hours",
                               on_call_told=not at_work)
        first, carried = replies.render_with_privacy_notice(reply, NOTICE, SMS)
    assert carried and "999" in first and first.endswith(NOTICE) and segments(first) <= 3


@pytest.mark.model   # what the trained model makes of the words
def test_a_first_message_in_crisis_at_night_gets_the_numbers_and_the_notice_within_budget(
        client, app, clock):
    # Each kind, in hours and out: the two tests above. Here: the engine puts them together.
    clock.now = datetime(2026, 11, 28, 2, tzinfo=UTC)
    first = make_phone(client, app, "+447700900611").text(FIRST_CRISES["safeguarding_other"])[0]
    assert "999" in first and first.endswith(NOTICE) and segments(first) <= 3


def test_the_notice_never_pushes_out_a_replys_own_words():
    long = replies.Reply(("x " * 200,))
    text = replies.with_privacy_notice(long, NOTICE).render(SMS)
    assert segments(text) <= 3
    assert replies.with_privacy_notice(long, "").parts == long.parts


def test_the_chat_page_links_the_privacy_notice(client):
    page = client.get("/chat").get_data(as_text=True)
    assert f'href="{NOTICE}"' in page and "How we use your information" in page


def footer(words_app, privacy_notice_url: str) -> str:
    """base.html as a page built on it ends, for a council with this privacy notice."""
    with words_app.test_request_context("/"):
        page = words_app.jinja_env.get_template("base.html").render(
            page_language=lambda: "en", council_name="Derby City Council",
            privacy_notice_url=privacy_notice_url)
    return page[page.index("<footer"):]


def test_the_footer_links_the_accessibility_statement_and_the_councils_privacy_notice(
        words_app):
    page = footer(words_app, NOTICE)
    assert 'href="/accessibility">Accessibility statement</a>' in page
    assert f'href="{NOTICE}">Privacy notice</a>' in page
    assert "Privacy notice" not in footer(words_app, ""), "no link to nowhere"


def test_every_page_is_built_on_the_page_with_the_footer(words_app):
    env = words_app.jinja_env
    pages = [name for name in env.list_templates(extensions=["html"])
             if name != "base.html" and not name.split("/")[-1].startswith("_")]
    assert {"index.html", "chat.html", "dev_sms.html", "accessibility.html", "error.html",
            "inbox/sign_in.html", "inbox/threads.html", "inbox/reports.html"} <= set(pages)
    for name in pages:
        chain = [name]
        while chain[-1] != "base.html":
            source = env.loader.get_source(env, chain[-1])[0]
            parent = next(env.parse(source).find_all(nodes.Extends), None)
            assert parent is not None, f"{' -> '.join(chain)} is not built on base.html"
            chain.append(parent.template.value)


def test_every_page_links_the_accessibility_statement_and_the_privacy_notice(client):
    # Which pages have the footer, and what it links: the two tests above. Here: the
    # council's own notice reaches it, on a page of any kind (a 404).
    page = client.get("/no-such-page").get_data(as_text=True)
    assert 'href="/accessibility">Accessibility statement</a>' in page
    assert f'href="{NOTICE}">Privacy notice</a>' in page


def test_the_signed_in_inbox_and_reports_link_the_statement_too(auth, client):
    auth.sign_in("lead")
    for path in ("/inbox", "/inbox/reports", "/inbox/team"):
        assert 'href="/accessibility"' in client.get(path).get_data(as_text=True), path


def statement(words_app, contact: str, reviewed: date | None) -> str:
    """The accessibility statement as a council with these details would publish it."""
    with words_app.test_request_context("/accessibility"):
        return words_app.jinja_env.get_template("accessibility.html").render(
            page_language=lambda: "en", council_name="Swansea Council",
            privacy_notice_url="", site="https://lac.example.org", contact=contact,
            reviewed=reviewed)


def test_the_accessibility_statement_uses_the_model_wording_with_the_councils_details(
        words_app):
    page = statement(words_app, "lac@example.org or 01632 960000", date(2026, 11, 29))
    for words in (
            "This accessibility statement applies to",
            "pages for residents and the coordinators' inbox at https://lac.example.org",
            "This website is run by Swansea Council",
            "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
            "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
            "Regulations 2018 (the 'accessibility regulations')",
            "Equality Advisory and Support Service (EASS)",
            "Swansea Council is committed to making its website accessible, in accordance "
            "with the Public Sector Bodies (Websites and Mobile Applications) (No. 2) "
            "Accessibility Regulations 2018",
            "Compliance status", "contact us: lac@example.org or 01632 960000",
            "This statement was prepared on 29 November 2026"):
        assert words in page, words


def test_a_statement_without_a_contact_or_date_says_what_is_still_to_come(words_app):
    page = statement(words_app, "", None)
    assert "contact us through Swansea Council's contact centre" in page
    assert "This statement was prepared on [date to be completed by the council]" in page


def test_the_accessibility_statement_has_the_councils_own_details(client):
    # The wording: the tests above. Here: the council's row reaches it.
    page = client.get("/accessibility").get_data(as_text=True)
    for words in ("This website is run by Derby City Council",
                  "lac@example.org or 01632 960000",
                  "This statement was prepared on 29 November 2026"):
        assert words in page, words


def test_a_privacy_notice_that_is_not_a_web_address_is_refused_naming_the_field(tmp_path, db):
    import shutil

    from frontdoor.council_data import CouncilDataError, load_council_data
    from tests.conftest import DEMO_DATA

    folder = tmp_path / "council"
    shutil.copytree(DEMO_DATA, folder)
    toml = folder / "council.toml"
    toml.write_text(toml.read_text().replace(f'notice = "{NOTICE}"', 'notice = "see the web"'))
    with pytest.raises(CouncilDataError, match=r"council.toml: \[privacy\] notice must be"):
        load_council_data(folder)
