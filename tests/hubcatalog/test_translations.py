"""The interface is translated into every language the switcher offers, and the compiled catalogues that a
fresh clone uses match their sources."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr[...] (joined) and flags; the header left out."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and entry.get("msgid"):
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": "", "msgstr": []}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgid_plural ", "msgctxt ")):
            field, _space, literal = line.partition(" ")
            entry[field] = ast.literal_eval(literal)
        elif line.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(ast.literal_eval(line.partition(" ")[2]))
        elif line.startswith('"') and field:
            if field == "msgstr":
                entry["msgstr"][-1] += ast.literal_eval(line)
            else:
                entry[field] += ast.literal_eval(line)
    return entries


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = po_entries(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    untranslated = [entry["msgid"] for entry in entries if not all(entry["msgstr"])]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_the_compiled_catalogue_holds_every_translation(language):
    """A stale .mo (the .po edited, `make messages` not run) would show English to a fresh clone."""
    messages = LOCALE_DIR / language / "LC_MESSAGES"
    with (messages / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for entry in po_entries(messages / "django.po"):
        if "msgid_plural" in entry or "msgctxt" in entry:
            continue
        assert catalogue.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("uk", "Каталог"), ("de", "Katalog"), ("fr", "Catalogue"), ("pl", "Katalog")],
)
def test_the_site_speaks_the_chosen_language(language, expected):
    with translation.override(language):
        assert translation.gettext("Catalogue").startswith(expected)
