"""The Welsh catalogue: every resident-facing string marked in the code has a Welsh
translation, and the compiled .mo files (committed, so a fresh clone runs) are current."""

from __future__ import annotations

import tomllib

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from frontdoor.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "frontdoor" / "translations"
WELSH_PO = TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po"
WELSH_MO = TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None,
            "lazy_pgettext": ((1, "c"), 2), "pgettext": ((1, "c"), 2)}


def _translations(catalog) -> dict[tuple[str | None, str], str]:
    return {(m.context, m.id): m.string for m in catalog if m.id and not m.fuzzy}


def _marked_in_code() -> set[tuple[str | None, str]]:
    with (PROJECT_ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {(context, message if isinstance(message, str) else message[0])
            for _file, _line, message, _comments, context in extract_from_dir(
                str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS)}


def test_every_marked_string_has_a_welsh_translation():
    welsh = _translations(read_po(WELSH_PO.open("rb"), locale="cy"))
    marked = _marked_in_code()
    assert marked, "nothing marked for translation was found"
    untranslated = sorted(m[1] for m in marked if not welsh.get(m))
    assert not untranslated, f"run `make translations` and translate: {untranslated}"


def test_the_committed_mo_file_is_compiled_from_the_po_file():
    po = _translations(read_po(WELSH_PO.open("rb"), locale="cy"))
    mo = _translations(read_mo(WELSH_MO.open("rb")))
    assert mo == po, "run `make translations` (pybabel compile) and commit the .mo file"


def test_every_need_is_named_in_welsh():
    with (PROJECT_ROOT / "intents" / "needs.toml").open("rb") as f:
        options = {need["option"] for need in tomllib.load(f)["needs"].values()}
    welsh = _translations(read_po(WELSH_PO.open("rb"), locale="cy"))
    assert {o for o in options if not welsh.get((None, o))} == set()


def test_welsh_keeps_every_placeholder():
    for message in read_po(WELSH_PO.open("rb"), locale="cy"):
        if message.id and "python-format" in message.flags:
            assert not message.check(), message.id
