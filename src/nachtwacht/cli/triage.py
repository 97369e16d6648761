"""``nachtwacht triage``, ``nachtwacht plan`` and ``nachtwacht info``: advice level, plan, pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

_LANG = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
                     help="Language of the texts.")
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
#: Evidence lines per flag in the text output (the JSON has them all).
_MAX_EVIDENCE = 6

_LEVEL_TEXT = {
    "nl": {"self_care": "Zelf aan de slag", "gp_routine": "Bespreek het bij een gewone afspraak met de huisarts",
           "gp_soon": "Ga binnen enkele dagen tot weken naar de huisarts",
           "urgent": "Vandaag hulp zoeken"},
    "en": {"self_care": "Self-care", "gp_routine": "Bring it up at a regular GP appointment",
           "gp_soon": "See your GP within days to weeks", "urgent": "Get help today"},
}
#: Short level tags before each flag (no English codes in Dutch output, issue #11).
_LEVEL_TAG = {
    "nl": {"self_care": "zelf", "gp_routine": "huisarts", "gp_soon": "huisarts binnen enkele dagen",
           "urgent": "vandaag"},
    "en": {"self_care": "self-care", "gp_routine": "GP", "gp_soon": "GP within days", "urgent": "today"},
}
_NOT_A_DIAGNOSIS = {
    "nl": "Nachtwacht stelt geen diagnose. Dit advies helpt u kiezen hoe snel u hulp zoekt.",
    "en": "Nachtwacht does not diagnose. This advice helps you decide how soon to seek help.",
}


def _load(nights_csv: Path, episodes_csv: Path | None, profile: Path | None, lang: str,
          lenient: bool, tz: str) -> Any:
    from nachtwacht.diary.csvio import load_diary
    from nachtwacht.diary.errors import DiaryImportError

    try:
        return load_diary(nights_csv, episodes_csv, profile, lang=lang, strict=not lenient, tz=tz)
    except DiaryImportError as exc:
        raise click.ClickException("\n".join(e.text(lang) for e in exc.errors)) from None
    except ValueError as exc:  # a bad --tz
        raise click.ClickException(str(exc)) from None


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def _inputs(f: Any) -> Any:
    f = click.option("--tz", default="Europe/Amsterdam", show_default=True,
                     help="IANA time zone of the clock times.")(f)
    f = click.option("--lenient", is_flag=True, help="Ignore unknown columns instead of refusing.")(f)
    f = click.option("--no-insight", is_flag=True,
                     help="Triage from the diary alone, without the trigger analysis.")(f)
    f = _LANG(f)
    f = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(f)
    f = click.option("--profile", type=_FILE, default=None, help="profile.json with the checklist.")(f)
    f = click.argument("episodes_csv", type=_FILE, required=False)(f)
    return click.argument("nights_csv", type=_FILE)(f)


def _print_plan(plan: Any, lang: str) -> None:
    click.echo("Uw plan:" if lang == "nl" else "Your plan:")
    for item in plan:
        click.echo(f"\n* {item.title}")
        click.echo(f"  {item.why}")
        for step in item.steps:
            click.echo(f"  - {step}")


def register(main: click.Group) -> None:
    """Add the ``triage``, ``plan`` and ``info`` commands to ``main``."""

    @main.command("triage")
    @_inputs
    def triage(nights_csv: Path, episodes_csv: Path | None, profile: Path | None, as_json: bool,
               lang: str, no_insight: bool, lenient: bool, tz: str) -> None:
        """Check a diary for red flags and say how soon to see a doctor.

        Prints the advice level (self_care, gp_routine, gp_soon, urgent), each flag with
        the nights, episodes or answers behind it, hints on what else it could be, and a
        self-help plan. Urgent advice always comes first.
        """
        from nachtwacht.triage import assess

        diary = _load(nights_csv, episodes_csv, profile, lang, lenient, tz)
        result = assess(diary, lang=lang, use_insight=not no_insight)
        if as_json:
            _echo_json(result.to_dict())
            return
        click.echo(_LEVEL_TEXT[lang][result.level])
        click.echo(_NOT_A_DIAGNOSIS[lang])
        for flag in result.flags:
            who = ("Voor de partner: " if lang == "nl" else "For the partner: ") if flag.audience == "partner" else ""
            click.echo(f"\n[{_LEVEL_TAG[lang][flag.level]}] {who}{flag.text}")
            for route in flag.routes:
                click.echo(f"    {'Bel' if lang == 'nl' else 'Call'} {route['label']}: {route['phone']}")
            for ev in flag.evidence[:_MAX_EVIDENCE]:
                click.echo(f"    - {ev.text}")
            if len(flag.evidence) > _MAX_EVIDENCE:
                more = len(flag.evidence) - _MAX_EVIDENCE
                click.echo(f"    ... en nog {more}" if lang == "nl" else f"    ... and {more} more")
            if flag.tell_gp:
                click.echo(("    Vertel de huisarts: " if lang == "nl" else "    Tell your GP: ") + flag.tell_gp)
        if result.differentials:
            click.echo("\n" + ("Wat het ook kan zijn:" if lang == "nl" else "What else it could be:"))
            for d in result.differentials:
                click.echo(f"* {d.title}: {d.text}")
                click.echo(("  Vertel de huisarts: " if lang == "nl" else "  Tell your GP: ") + d.tell_gp)
        if result.plan:
            click.echo("")
            _print_plan(result.plan, lang)

    @main.command("plan")
    @_inputs
    def plan(nights_csv: Path, episodes_csv: Path | None, profile: Path | None, as_json: bool,
             lang: str, no_insight: bool, lenient: bool, tz: str) -> None:
        """Make a self-help plan that fits the triggers in a diary, each step with its reason.

        If the diary has an urgent red flag, that advice is printed first: self-help is not
        the answer then.
        """
        from nachtwacht.triage import assess

        diary = _load(nights_csv, episodes_csv, profile, lang, lenient, tz)
        result = assess(diary, lang=lang, use_insight=not no_insight)
        urgent = [f for f in result.flags if f.level == "urgent"]
        if as_json:
            _echo_json({"level": result.level, "urgent": [f.to_dict() for f in urgent],
                        "plan": [p.to_dict() for p in result.plan],
                        "excluded": list(result.excluded)})
            return
        for flag in urgent:
            click.echo(f"[{_LEVEL_TAG[lang]['urgent']}] {flag.text}\n")
        if not result.plan:
            click.echo("Geen maatregelen gevonden in dit dagboek." if lang == "nl"
                       else "No measures found for this diary.")
            return
        _print_plan(result.plan, lang)

    @main.command("info")
    @click.argument("slug", required=False)
    @click.option("--search", "query", default=None, help="Search the pages for words.")
    @click.option("--html", "as_html", is_flag=True, help="Print the page as HTML.")
    @_LANG
    def info(slug: str | None, query: str | None, as_html: bool, lang: str) -> None:
        """Show a knowledge page (what it is, triggers, when to see the GP, FAQ) or list them."""
        from nachtwacht import knowledge

        if query:
            for p in knowledge.search(query, lang):
                click.echo(f"{p.slug}: {p.title}")
            return
        if not slug:
            for p in knowledge.pages(lang):
                click.echo(f"{p.slug}: {p.title} - {p.summary}")
            return
        try:
            page = knowledge.page(slug, lang)
        except KeyError as exc:
            raise click.ClickException(str(exc.args[0])) from None
        click.echo(page.html if as_html else page.markdown)
