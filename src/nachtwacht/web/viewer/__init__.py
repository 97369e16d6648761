"""The sleep-study viewer's data: cached overview envelopes, windows, episodes, exports.

The pure work (envelopes, windows, CSV/EDF+ export) lives in
:mod:`nachtwacht.psg.envelope` and :mod:`nachtwacht.psg.export`; this package adds
what needs Django: where the cache lives, who sees which diary episodes, and text in
the reader's language (:mod:`.text`).

The overview envelopes are computed lazily, once, on the first look at a finished
study, and kept under ``DATA_DIR/viewer`` as a 0600 JSON file (a sleep study is
health data, docs/operations.md). They are removed with the upload
(:func:`forget`, connected to ``PsgUpload``'s ``post_delete``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete

from nachtwacht.psg.types import ROLES

#: Channels shown in the signal window, in the order scoring programs stack them;
#: one per role (position, ECG and unknown channels stay out: no event comes from them).
WINDOW_ROLES = ("eeg", "eeg_frontal", "eeg_occipital", "eog", "eog_r", "emg_chin", "emg_masseter",
                "leg_l", "leg_r", "arm", "airflow", "nasal_pressure", "thorax", "abdomen", "spo2")
#: Envelopes drawn under the hypnogram in the overview.
OVERVIEW_ROLES = ("spo2", "airflow", "nasal_pressure", "leg_l", "leg_r", "emg_chin")
assert set(WINDOW_ROLES) <= set(ROLES)


def edf_path(up) -> Path:
    return Path(settings.UPLOAD_DIR) / up.stored_name


def cache_path(up) -> Path:
    return Path(settings.DATA_DIR) / "viewer" / f"{up.stored_name}.json"


def roles_of(result: dict[str, Any]) -> dict[str, str]:
    """Channel name -> role, as the analysis assigned them."""
    rec = result.get("recording") or {}
    roles = (rec.get("roles") or {}).get("roles")
    if isinstance(roles, dict):
        return {str(k): str(v) for k, v in roles.items() if v}
    return {c["name"]: c["role"] for c in rec.get("channels") or [] if c.get("role")}


def channels_for(result: dict[str, Any], wanted: tuple[str, ...] = WINDOW_ROLES) -> list[tuple[str, str]]:
    """(name, role) of the first channel of each ``wanted`` role, in that order."""
    first: dict[str, str] = {}
    for name, role in roles_of(result).items():
        first.setdefault(role, name)
    return [(first[r], r) for r in wanted if r in first]


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as 0600 whatever the umask, renamed into place when complete."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def envelopes(up) -> dict[str, Any] | None:
    """The night's min/max envelopes, from the cache or computed and cached now.

    None when the EDF is no longer on the server (the page then shows the
    hypnogram and events without traces).
    """
    from nachtwacht.psg import envelope

    cache, source = cache_path(up), edf_path(up)
    if cache.is_file():
        with contextlib.suppress(OSError, ValueError):
            return json.loads(cache.read_text(encoding="utf-8"))
    if not source.is_file():
        return None
    env = envelope.envelopes(source)
    with contextlib.suppress(OSError):  # a full disk costs speed next time, not the page
        _write_private(cache, json.dumps(env, separators=(",", ":"), allow_nan=False))
    return env


def forget(sender=None, instance=None, **_kwargs) -> None:
    """Remove a deleted upload's cached envelopes."""
    if instance is not None and getattr(instance, "stored_name", ""):
        cache_path(instance).unlink(missing_ok=True)


def connect() -> None:
    from nachtwacht.web.front.models import PsgUpload

    post_delete.connect(forget, sender=PsgUpload, dispatch_uid="nachtwacht.viewer.forget")


def recording_start(result: dict[str, Any]) -> dt.datetime | None:
    text = (result.get("recording") or {}).get("start")
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def diary_episodes(sleeper, parts: tuple[str, ...], result: dict[str, Any], language: str) -> list[dict]:
    """The person's diary episodes with a clock time that fall inside the recording.

    ``parts`` is what the viewer may see (a clinician: the share's parts, so private
    episodes and a share without episodes show none).
    """
    if "episodes" not in parts:
        return []
    start = recording_start(result)
    hyp = result.get("hypnogram")
    if start is None or not hyp:
        return []
    from nachtwacht.diary.fields import spec
    from nachtwacht.psg.place import marks_from_diary, place
    from nachtwacht.psg.types import Hypnogram
    from nachtwacht.web.convert import diary_for

    day = start.date()
    diary = diary_for(sleeper, parts=parts, since=day - dt.timedelta(days=1), until=day + dt.timedelta(days=1))
    marks = marks_from_diary(diary.episodes, start, settings.TIME_ZONE)
    placed = place(marks, Hypnogram.from_json(hyp))
    type_spec = spec("episode", "type")
    out = []
    for p in placed:
        if not p.get("in_recording"):
            continue
        out.append({"onset_s": p["onset_s"], "duration_s": p["duration_s"], "clock": p["clock"][-5:],
                    "label": type_spec.choice_label(p["label"], language), "stage": p.get("stage"),
                    "reporter": p.get("reporter") or ""})
    return out
