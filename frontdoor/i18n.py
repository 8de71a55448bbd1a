"""Welsh and English for residents, through Flask-Babel and the gettext catalogues in
frontdoor/translations/ (`make translations` renews them; see the README).

English is the source language: every resident-facing string is written in English in the
code and marked with gettext. A council turns Welsh on in council.toml
(`[languages] offered = ["cy", "en"]`). Coordinators' pages stay English. Replies built
outside a request (the engine in a test, the worker) choose their language with
`in_language`, which wraps Flask-Babel's force_locale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g, request
from flask_babel import Babel, force_locale

ENGLISH = "en"
WELSH = "cy"
LANGUAGES = (ENGLISH, WELSH)
# The words a resident texts to switch language, alone in any case.
SWITCH_WORDS = {"CYMRAEG": WELSH, "WELSH": WELSH, "ENGLISH": ENGLISH, "SAESNEG": ENGLISH}
# Where residents read pages: everything else (the inbox) is English.
RESIDENT_PATHS = ("/chat",)
COOKIE = "frontdoor_lang"

babel = Babel()


def offered() -> tuple[str, ...]:
    """The languages this council offers, English always among them."""
    from frontdoor.extensions import db
    from frontdoor.models import Council

    council = db.session.get(Council, 1)
    if council is None:
        return (ENGLISH,)
    return council.offered_languages


def _page_language() -> str:
    """A resident page's language: the one asked for by the page's link, else the
    resident's own (set by the chat view in g), else the cookie, else the browser's."""
    if not request.path.startswith(RESIDENT_PATHS):
        return ENGLISH
    choices = offered()
    if len(choices) < 2:
        return ENGLISH
    asked = request.args.get("lang")
    if asked in choices:
        return asked
    remembered = g.get("resident_language")
    if remembered in choices:
        return remembered
    cookie = request.cookies.get(COOKIE)
    if cookie in choices:
        return cookie
    return request.accept_languages.best_match(choices) or ENGLISH


def page_language() -> str:
    """The language of the page being served (what `lang` on <html> says)."""
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale.language) if locale is not None else ENGLISH


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=_page_language, default_locale=ENGLISH)

    @app.context_processor
    def languages() -> dict[str, object]:
        return {"page_language": page_language}


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Build what is said inside in `language` (English when unknown)."""
    with force_locale(language if language in LANGUAGES else ENGLISH):
        yield
