"""``nachtwacht insight`` and ``nachtwacht experiment``: triggers and before/after changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

_LANG = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
                     help="Language of the texts.")
_TZ = click.option("--tz", default="Europe/Amsterdam", show_default=True,
                   help="IANA time zone of the clock times.")
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _load(nights_csv: Path, episodes_csv: Path | None, lang: str, lenient: bool, tz: str) -> Any:
    from nachtwacht.diary.csvio import load_diary
    from nachtwacht.diary.errors import DiaryImportError

    try:
        return load_diary(nights_csv, episodes_csv, lang=lang, strict=not lenient, tz=tz)
    except DiaryImportError as exc:
        raise click.ClickException("\n".join(exc.messages())) from None
    except ValueError as exc:  # a bad --tz
        raise click.ClickException(str(exc)) from None


def _nl_nights(n: int) -> str:
    return "nacht" if n == 1 else "nachten"


def _echo_json(data: dict) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def register(main: click.Group) -> None:
    """Add the ``insight`` and ``experiment`` commands to ``main``."""
    # Light module only: NumPy/SciPy load when a command runs, not for --help.
    from nachtwacht.insight.codes import EXPERIMENT_CODES, FACTOR_CODES, MIN_NIGHTS

    @main.command("insight")
    @click.argument("nights_csv", type=_FILE)
    @click.argument("episodes_csv", type=_FILE, required=False)
    @click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
    @click.option("--min-nights", type=click.IntRange(1, 3650), default=MIN_NIGHTS,
                  show_default=True, help="Fewest diary nights before looking for patterns.")
    @click.option("--lenient", is_flag=True, help="Ignore unknown columns instead of refusing.")
    @click.option("--question", default=None, metavar="FACTOR:OUTCOME",
                  help="One question decided in advance, tested on its own at the full 5% "
                       "level, e.g. alcohol_any:sexsomnia or stress_high:tension.")
    @click.option("--device", "devices", multiple=True, type=_FILE,
                  help="Actigraph or wearable file: its sleep time and waking in the night "
                       "become outcomes too (device_tst_min, device_waso_min; repeatable).")
    @_LANG
    @_TZ
    def insight(nights_csv: Path, episodes_csv: Path | None, as_json: bool, min_nights: int,
                lenient: bool, question: str | None, devices: tuple[Path, ...], lang: str,
                tz: str) -> None:
        """Look for factors that go together with episodes and poorer sleep.

        Each factor the articles name as a trigger (alcohol, late caffeine, stress,
        a short night, ...) is judged in one model of your nights together with what
        goes along with it and the night before; only nights on which an episode could
        be seen count. False-discovery control per family of questions. A link is not
        a cause.
        """
        from nachtwacht.insight import analyse

        diary = _load(nights_csv, episodes_csv, lang, lenient, tz)
        device_nights = None
        if devices:  # issue #17: read and merged as for the report (first file wins a date)
            from nachtwacht.device import DeviceFormatError
            from nachtwacht.device.summary import summarise

            try:
                device_nights = summarise(devices, diary.nights, tz=tz,
                                          profile=diary.profile).nights
            except DeviceFormatError as exc:
                raise click.ClickException(exc.message(lang)) from None
        try:
            result = analyse(diary, lang=lang, min_nights=min_nights, question=question,
                             device_nights=device_nights)
        except ValueError as exc:  # an unknown factor or outcome in --question
            raise click.BadParameter(str(exc), param_hint="--question") from None
        if as_json:
            _echo_json(result.to_dict())
            return
        if question and result.question is None:
            click.echo("Te weinig nachten voor uw vraag." if lang == "nl"
                       else "Too few nights for your question.")
        elif result.question is not None:
            q = result.question
            click.echo(q.text_en if lang == "en" else q.text_nl)
            click.echo("")
        click.echo(result.message)
        if result.findings:
            click.echo("")
            for f in result.findings:
                click.echo(f"- {f.text(lang)}")
            extra = len(result.all_findings) - len(result.findings)
            if extra:
                click.echo(f"  ({extra} " + ("andere vorm(en) van dezelfde verbanden; zie --json)"
                                             if lang == "nl" else
                                             "other form(s) of the same links; see --json)"))
        if result.possible:
            click.echo("")
            click.echo("Misschien, nog niet zeker:" if lang == "nl" else "Maybe, not sure yet:")
            for f in result.possible:
                click.echo(f"- {f.text(lang)}")
        few = [s for s in result.skipped if s.reason != "never_present"]
        if few:
            click.echo("")
            click.echo("Te weinig nachten om te beoordelen:" if lang == "nl"
                       else "Too few nights to judge:")
            for s in few:
                if lang == "nl":
                    click.echo(f"- {s.label}: {s.n_exposed} {_nl_nights(s.n_exposed)} met, "
                               f"{s.n_unexposed} zonder (nog {s.nights_needed} nodig)")
                else:
                    click.echo(f"- {s.label}: {s.n_exposed} night{'s' if s.n_exposed != 1 else ''} "
                               f"with, {s.n_unexposed} without ({s.nights_needed} more needed)")

    @main.command("experiment")
    @click.argument("nights_csv", type=_FILE)
    @click.argument("episodes_csv", type=_FILE, required=False)
    @click.option("--code", type=click.Choice([*EXPERIMENT_CODES, "custom"]), required=True,
                  help="The change you tried ('custom': give --factor, --want and --title).")
    @click.option("--factor", type=click.Choice(sorted(FACTOR_CODES)), default=None,
                  help="For --code custom: the factor you changed.")
    @click.option("--want", type=click.Choice(["yes", "no"]), default="no", show_default=True,
                  help="For --code custom: whether the factor should be present on a night.")
    @click.option("--title", default=None, help="For --code custom: your name for the change.")
    @click.option("--start", type=click.DateTime(["%Y-%m-%d"]), required=True,
                  help="First morning of the change (YYYY-MM-DD).")
    @click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="Last morning of the change (default: the last diary night).")
    @click.option("--baseline-days", default=None,
                  help="Days before the start to compare with: a number, or 'all' "
                       "(default: as long as the change).")
    @click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
    @click.option("--lenient", is_flag=True, help="Ignore unknown columns instead of refusing.")
    @_LANG
    @_TZ
    def experiment(nights_csv: Path, episodes_csv: Path | None, code: str, factor: str | None,
                   want: str, title: str | None, start: dt.datetime, end: dt.datetime | None,
                   baseline_days: str | None, as_json: bool, lenient: bool, lang: str,
                   tz: str) -> None:
        """Compare a period with one change (e.g. no caffeine after 14:00) with the weeks before."""
        from nachtwacht.insight.experiments import compare, custom, make

        if code == "custom" and factor is None:
            raise click.UsageError("--code custom needs --factor")

        baseline: int | str | None = None
        if baseline_days is not None:
            if baseline_days == "all":
                baseline = "all"
            elif baseline_days.isdigit() and int(baseline_days) > 0:
                baseline = int(baseline_days)
            else:
                raise click.BadParameter("use a positive number of days or 'all'",
                                         param_hint="--baseline-days")
        diary = _load(nights_csv, episodes_csv, lang, lenient, tz)
        try:
            if code == "custom":
                exp = custom(title or f"{factor} = {want}", start.date(),
                             end.date() if end else None, factor=factor or "", want=want == "yes")
            else:
                exp = make(code, start.date(), end.date() if end else None)
            result = compare(diary, exp, baseline_days=baseline, lang=lang)  # type: ignore[arg-type]
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        if as_json:
            _echo_json(result.to_dict())
            return
        click.echo(result.text)
        if result.adherence is not None:
            f, a = result.adherence_nights
            click.echo(f"({'volgehouden' if lang == 'nl' else 'kept to'}: {f}/{a})")
        for m in result.metrics:
            click.echo(f"- {m.text_en if lang == 'en' else m.text_nl}")
