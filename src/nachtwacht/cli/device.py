"""``nachtwacht device``: read actigraph and wearable files, set them beside the diary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

_LABELS = {
    "nl": {"date": "Nacht", "tst": "Slaaptijd", "waso": "Wakker (WASO)", "se": "Efficiëntie",
           "onset": "In slaap", "offset": "Wakker", "diary": "dagboek", "diff": "verschil",
           "rhythm": "Lichaamsklok", "from": {"device": "uit het apparaat", "diary": "uit het dagboek"},
           "drafts": "Nachten zonder dagboek (concept, bevestig zelf):",
           "keys": {"mean_midpoint": "midden van de slaap", "sd_midpoint_min": "spreiding midden (min)",
                    "sri": "regelmaat (SRI, -100..100)", "social_jet_lag_min": "sociale jetlag (min)",
                    "is": "stabiliteit tussen dagen (IS, 0..1)", "iv": "versnippering (IV, 0..2)",
                    "ra": "verschil dag-nacht (RA, 0..1)", "l5_start": "rustigste 5 uur vanaf",
                    "m10_start": "drukste 10 uur vanaf"}},
    "en": {"date": "Night", "tst": "Sleep time", "waso": "Awake (WASO)", "se": "Efficiency",
           "onset": "Asleep", "offset": "Awake", "diary": "diary", "diff": "difference",
           "rhythm": "Body clock", "from": {"device": "from the device", "diary": "from the diary"},
           "drafts": "Nights without a diary entry (draft, please confirm):",
           "keys": {"mean_midpoint": "sleep midpoint", "sd_midpoint_min": "midpoint spread (min)",
                    "sri": "regularity (SRI, -100..100)", "social_jet_lag_min": "social jet lag (min)",
                    "is": "interdaily stability (IS, 0..1)", "iv": "intradaily variability (IV, 0..2)",
                    "ra": "relative amplitude (RA, 0..1)", "l5_start": "least active 5 h from",
                    "m10_start": "most active 10 h from"}},
}


def _hm(m: float | None) -> str:
    if m is None:
        return "-"
    m = int(round(m))
    return f"{'-' if m < 0 else ''}{abs(m) // 60}:{abs(m) % 60:02d}"


def _print(s: Any, lang: str) -> None:
    from nachtwacht.device.labels import METHOD_NAMES

    lab = _LABELS[lang]
    for src in s.sources:
        click.echo(src)
    for c in s.comparison:
        d = c.device
        if d is None:
            continue
        method = METHOD_NAMES[lang].get(d.method, d.method)
        line = (f"{lab['date']} {c.date:%d-%m-%Y} [{method}]: {lab['onset']} {d.onset:%H:%M}, "
                f"{lab['offset']} {d.offset:%H:%M}, {lab['tst']} {_hm(d.tst_min)}, "
                f"{lab['waso']} {_hm(d.waso_min)}")
        if d.se_pct is not None:
            line += f", {lab['se']} {d.se_pct:.0f}%"
        if c.diary and c.diary.get("tst_min") is not None:
            line += (f" | {lab['diary']} {_hm(c.diary['tst_min'])}, "
                     f"{lab['diff']} {_hm(c.diff.get('tst_min'))}")
        click.echo(line)
    gap = s.gap_text(lang)
    if gap:
        click.echo("\n" + gap)
    click.echo(f"\n{lab['rhythm']} ({lab['from'][s.rhythm.get('from', 'device')]}):")
    for k, name in lab["keys"].items():
        if s.rhythm.get(k) is not None:
            click.echo(f"  {name}: {s.rhythm[k]}")
    for f in s.body_clock.get(lang, []):
        click.echo(f"  * {f['text']}")
    if s.drafts:
        click.echo("\n" + lab["drafts"])
        for n in s.drafts:
            click.echo(f"  {n.date:%d-%m-%Y}: {n.lights_out:%H:%M}-{n.final_wake:%H:%M}")


def register(main: click.Group) -> None:
    """Add the ``device`` group to ``main``."""

    @main.group("device")
    def device() -> None:
        """Actigraph and wearable data beside the diary (sleep figures, body clock)."""

    @device.command("import")
    @click.argument("files", nargs=-1, required=True, type=_FILE)
    @click.option("--diary", "nights_csv", type=_FILE, default=None, help="nights.csv to compare with.")
    @click.option("--method", type=click.Choice(["auto", "oakley", "cole_kripke", "sadeh"]), default="auto",
                  show_default=True, help="Scoring of activity counts (actigraphs only). Raw "
                  "wrist acceleration (.cwa, GENEActiv .bin, .gt3x) is always scored from the "
                  "wrist angle (van Hees 2015): its ENMO is no count.")
    @click.option("--drafts", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Write diary drafts for nights without an entry to this nights CSV.")
    @click.option("--actogram", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Write a double-plotted actogram (SVG) to this file.")
    @click.option("--tz", default="Europe/Amsterdam", show_default=True, help="IANA time zone.")
    @click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    def import_(files: tuple[Path, ...], nights_csv: Path | None, method: str, drafts: Path | None,
                actogram: Path | None, tz: str, lang: str, as_json: bool) -> None:
        """Read device FILES, score each night and set it beside the diary.

        Actigraphs (.AWD, .agd, .mtn, ActTrust, Actiware CSV), raw wrist accelerometers
        (Axivity .cwa, GENEActiv .bin, ActiGraph .gt3x) and wearables (Apple, Fitbit,
        Oura, Withings, Garmin .fit, Sleep as Android).

        Device figures never change the diary: nights without an entry can be written
        as drafts (--drafts) for the person to confirm.
        """
        from nachtwacht.device import DeviceFormatError
        from nachtwacht.device.summary import summarise

        nights: tuple[Any, ...] = ()
        if nights_csv is not None:
            from nachtwacht.diary.csvio import read_nights
            from nachtwacht.diary.errors import DiaryImportError
            try:
                nights = tuple(read_nights(nights_csv, lang=lang, strict=False))
            except DiaryImportError as exc:
                raise click.ClickException("\n".join(e.text(lang) for e in exc.errors)) from None
        try:
            s = summarise(files, nights, method, tz)
        except DeviceFormatError as exc:
            raise click.ClickException(exc.message(lang)) from None
        if drafts is not None:
            if drafts.exists():
                raise click.ClickException(
                    f"{drafts} bestaat al; kies een nieuwe naam." if lang == "nl"
                    else f"{drafts} exists already; choose a new name.")
            from nachtwacht.diary.csvio import write_nights
            with open(drafts, "w", encoding="utf-8", newline="") as f:
                write_nights(s.drafts, f)
        if actogram is not None and s.nights:
            from nachtwacht.report.actogram import actogram_svg
            actogram.write_text(actogram_svg(s.nights, s.recordings, lang), encoding="utf-8")
        if as_json:
            click.echo(json.dumps(s.to_dict(lang), indent=2, ensure_ascii=False, allow_nan=False))
            return
        _print(s, lang)
