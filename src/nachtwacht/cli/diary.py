"""``nachtwacht diary``: templates, validation, metrics and a demo household as files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

_LANG = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
                     help="Language of messages and labels.")
_TZ = click.option("--tz", default="Europe/Amsterdam", show_default=True,
                   help="IANA time zone of the clock times.")

_COLUMNS = (
    # (metric, Dutch header, English header, width)
    ("date", "datum", "date", 10),
    ("tib_min", "in bed", "in bed", 7),
    ("sol_min", "inslaap", "SOL", 7),
    ("waso_min", "wakker", "WASO", 6),
    ("nwak", "keer", "NWAK", 4),
    ("tst_min", "slaap", "TST", 6),
    ("se_pct", "eff %", "SE %", 6),
    ("midpoint", "midden", "midpoint", 8),
)


def _fmt(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.0f}"
    return str(v)


def _write_files(out: Path, files: dict[str, str], force: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    existing = [name for name in files if (out / name).exists()]
    if existing and not force:
        raise click.ClickException(
            f"{', '.join(existing)} already exist(s) in {out}; use --force to overwrite.")
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
        click.echo(str(out / name))


def _diary_files(diary) -> dict[str, str]:  # noqa: ANN001 - Diary, imported lazily
    import io

    from nachtwacht.diary.csvio import write_episodes, write_nights, write_profile

    files = {}
    for name, writer, value in (("nights.csv", write_nights, diary.nights),
                                ("episodes.csv", write_episodes, diary.episodes),
                                ("profile.json", write_profile, diary.profile)):
        buf = io.StringIO()
        writer(value, buf)
        files[name] = buf.getvalue()
    return files


def register(main: click.Group) -> None:
    """Add the ``diary`` command group to ``main``."""

    @main.group("diary")
    def diary() -> None:
        """Sleep diary files: template, validate, metrics, demo."""

    @diary.command("template")
    @click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=".",
                  show_default=True, help="Directory to write the empty files into.")
    @click.option("--force", is_flag=True, help="Overwrite existing files.")
    def template(out: Path, force: bool) -> None:
        """Write empty nights.csv, episodes.csv and profile.json to fill in."""
        from nachtwacht.diary.types import Diary

        _write_files(out, _diary_files(Diary()), force)

    @diary.command("demo")
    @click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
                  help="Directory to write the demo files into.")
    @click.option("--seed", type=int, default=7, show_default=True)
    @click.option("--weeks", type=click.IntRange(1, 520), default=8, show_default=True)
    @click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="Last morning (YYYY-MM-DD); default today.")
    @click.option("--force", is_flag=True, help="Overwrite existing files.")
    def demo(out: Path, seed: int, weeks: int, end: dt.datetime | None, force: bool) -> None:
        """Write the demo household (nights, episodes, profile) as CSV/JSON files."""
        from nachtwacht.diary.demo import demo_diary

        d = demo_diary(seed=seed, weeks=weeks, end=end.date() if end else None)
        _write_files(out, _diary_files(d), force)

    @diary.command("validate")
    @click.argument("nights_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.argument("episodes_csv", required=False,
                    type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--profile", "profile_json", type=click.Path(exists=True, dir_okay=False,
                                                                path_type=Path),
                  help="profile.json to check as well.")
    @click.option("--lenient", is_flag=True, help="Ignore unknown columns instead of refusing.")
    @click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="Reference date for the future-date check (default today).")
    @_LANG
    @_TZ
    def validate(nights_csv: Path, episodes_csv: Path | None, profile_json: Path | None,
                 lenient: bool, today: dt.datetime | None, lang: str, tz: str) -> None:
        """Check diary files; list every problem and exit 1 if there is any."""
        from nachtwacht.diary.csvio import load_diary
        from nachtwacht.diary.errors import DiaryImportError

        try:
            d = load_diary(nights_csv, episodes_csv, profile_json, lang=lang, strict=not lenient,
                           today=today.date() if today else None, tz=tz)
        except DiaryImportError as exc:
            raise click.ClickException(
                "\n".join([str(exc).split(". ", 1)[0] + "."] + [f"  {m}" for m in exc.messages()])
            ) from None
        except ValueError as exc:  # a bad --tz
            raise click.ClickException(str(exc)) from None
        if lang == "en":
            click.echo(f"OK: {len(d.nights)} nights, {len(d.episodes)} episodes.")
        else:
            click.echo(f"In orde: {len(d.nights)} nachten, {len(d.episodes)} gebeurtenissen.")

    @diary.command("metrics")
    @click.argument("nights_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
    @click.option("--lenient", is_flag=True, help="Ignore unknown columns instead of refusing.")
    @_LANG
    @_TZ
    def metrics(nights_csv: Path, as_json: bool, lenient: bool, lang: str, tz: str) -> None:
        """Sleep metrics per night and for the whole period (Consensus Sleep Diary)."""
        from nachtwacht.diary.csvio import read_nights
        from nachtwacht.diary.errors import DiaryImportError
        from nachtwacht.diary.metrics import night_metrics, period_metrics, summary_to_json

        try:
            nights = read_nights(nights_csv, lang, strict=not lenient, tz=tz)
            per = [night_metrics(n, tz).to_dict() for n in nights]
            summary = summary_to_json(period_metrics(nights, tz))
        except DiaryImportError as exc:
            raise click.ClickException("\n".join(exc.messages())) from None
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        if as_json:
            click.echo(json.dumps({"nights": per, "summary": summary}, indent=2,
                                  ensure_ascii=False))
            return
        en = lang == "en"
        click.echo(" ".join(f"{(c[2] if en else c[1]):>{c[3]}}" for c in _COLUMNS))
        for row in per:
            click.echo(" ".join(f"{_fmt(row[c[0]]):>{c[3]}}" for c in _COLUMNS))
        click.echo("")
        labels = {
            "n_nights": ("nachten", "nights"),
            "tst_min": ("gemiddelde slaaptijd (min)", "mean total sleep (min)"),
            "se_pct": ("gemiddelde slaapefficiëntie (%)", "mean sleep efficiency (%)"),
            "sol_min": ("gemiddeld minuten tot in slaap", "mean minutes to fall asleep"),
            "waso_min": ("gemiddeld minuten wakker", "mean minutes awake"),
            "sd_bedtime_min": ("spreiding bedtijd (SD, min)", "bedtime spread (SD, min)"),
            "sd_risetime_min": ("spreiding opstaan (SD, min)", "rise time spread (SD, min)"),
            "sri": ("regelmaat (SRI, -100..100)", "regularity (SRI, -100..100)"),
        }
        for key, (nl, en_label) in labels.items():
            v = summary[key]
            if isinstance(v, dict):
                v = v["mean"]
            click.echo(f"{(en_label if en else nl):<34} {_fmt(v)}")
