"""docs/profile-json.md documents every profile key and is in step with the registry."""

from __future__ import annotations

from pathlib import Path

from nachtwacht.diary.fields import PROFILE_KEYS
from nachtwacht.diary.profiledoc import profile_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "profile-json.md"


def test_every_profile_key_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [k for k in PROFILE_KEYS if f"| `{k}` |" not in text]
    assert not missing, f"undocumented profile keys: {missing}"


def test_doc_is_regenerated() -> None:
    assert DOC.read_text(encoding="utf-8") == profile_markdown(), (
        "run: python -m nachtwacht.diary.profiledoc > docs/profile-json.md")
