"""The Dutch catalogue is complete, and the committed .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "src" / "nachtwacht" / "web" / "locale" / "nl" / "LC_MESSAGES"


def _po_entries() -> list[dict[str, str]]:
    entries, cur, key = [], {}, None
    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if cur:
                entries.append(cur)
            cur, key = {}, None
            continue
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
        if m:
            key = m.group(1)
            cur[key] = ast.literal_eval(m.group(2))
        elif line.startswith('"') and key:
            cur[key] += ast.literal_eval(line)
    return [e for e in entries if e.get("msgid")]


def test_every_message_has_a_dutch_translation():
    missing = [e["msgid"] for e in _po_entries()
               if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    assert not missing, missing[:5]
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text(encoding="utf-8")


def test_compiled_catalogue_matches_the_po():
    with open(LOCALE / "django.mo", "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    for e in _po_entries():
        if "msgid_plural" in e:
            assert mo.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr[0]"]
        else:
            assert mo.gettext(e["msgid"]) == e["msgstr"], e["msgid"]
    with translation.override("nl"):
        assert translation.gettext("Save night") == "Nacht opslaan"
    with translation.override("en"):
        assert translation.gettext("Save night") == "Save night"
