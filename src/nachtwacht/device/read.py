"""Find the format of a device file and read it: :func:`read_device`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from . import actigraph, consumer, raw
from .errors import DeviceFormatError, broken, unknown_format
from .types import Epochs, SleepRecord

#: Consumer CSV/JSON exports are small (a year of Oura is ~200 kB); refuse huge ones
#: instead of reading them into memory. Apple's XML is streamed and has no such limit.
MAX_TEXT_BYTES = 50 * 1024 * 1024


def _text(path: Path) -> str:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise DeviceFormatError(f"Het bestand {path.name!r} is te groot (meer dan 50 MB).",
                                f"The file {path.name!r} is too large (over 50 MB).")
    return path.read_text(encoding="utf-8-sig", errors="replace")


def read_device(path: str | Path, tz: str = "Europe/Amsterdam") -> Epochs | list[SleepRecord]:
    """Read one device file.

    Parameters
    ----------
    path
        The file. The format is found from its content first, its name second.
    tz
        The person's time zone, for exports that store UTC or an offset.

    Returns
    -------
    Epochs or list of SleepRecord
        Activity counts from an actigraph (or, from a raw accelerometer: ENMO per
        minute with its own sleep/wake), or the nights of a consumer device.

    Raises
    ------
    DeviceFormatError
        Unknown or broken file, with a Dutch and an English message.
    """
    p = Path(path)
    if not p.is_file():
        raise DeviceFormatError(f"Het bestand {p.name!r} bestaat niet.", f"The file {p.name!r} does not exist.")
    with open(p, "rb") as f:
        head = f.read(4096)
    suffix = p.suffix.lower()
    if head.startswith(b"SQLite format 3"):
        return actigraph.read_agd(p)
    if head[8:12] == b".FIT":
        from .garmin import read_fit
        return read_fit(p, tz)
    if head.startswith(b"MD") and (suffix == ".cwa" or head[2:4] == b"\xfc\x03"):
        return raw.read_raw(p)  # 'MD' header block of 1020 + 4 bytes
    if head.startswith(b"Device Identity") and b"GENEActiv" in head:
        return raw.read_raw(p)
    if head.startswith(b"PK"):
        if zipfile.is_zipfile(p):
            try:
                with zipfile.ZipFile(p) as z:
                    gt3x = {"info.txt", "log.bin"} <= set(z.namelist()) or suffix == ".gt3x"
            except (zipfile.BadZipFile, OSError) as exc:
                raise broken(p.name, "zip", ("inhoudsopgave", "directory")) from exc
            if gt3x:
                return raw.read_raw(p)
            return consumer.read_apple_zip(p, tz)
        raise unknown_format(p.name)
    text = head.decode("utf-8-sig", errors="replace")
    if "<motionfile" in text:
        return actigraph.read_mtn(p)
    if "<HealthData" in text or "HKCategoryType" in text or "<!DOCTYPE HealthData" in text:
        with open(p, "rb") as f:
            return consumer.read_apple(f, tz, p.name)
    if "Actiware Export File" in text:
        return actigraph.read_rpx(p)
    if "Condor Instruments" in text or "DATE/TIME;" in text:
        return actigraph.read_atr(p)
    if suffix == ".awd":
        return actigraph.read_awd(p)
    first = text.lstrip().split("\n", 1)[0].lower()
    if text.lstrip().startswith("["):
        try:
            return consumer.read_fitbit(json.loads(_text(p)), p.name)
        except json.JSONDecodeError as exc:
            raise broken(p.name, "Fitbit", "JSON") from exc
    if first.startswith("id,tz,from,to"):
        return consumer.read_sleep_as_android(_text(p), p.name)
    if "bedtime_start" in first.replace(" ", "_"):
        return consumer.read_oura(_text(p), tz, p.name)
    if first.startswith("from,to") and "(s)" in first:
        return consumer.read_withings(_text(p), tz, p.name)
    raise unknown_format(p.name)
