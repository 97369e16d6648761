"""``nachtwacht report``: the GP report as PDF, HTML, JSON or FHIR R4 from diary files."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

_MSG = {
    "bad_date": ("{opt}: '{value}' is geen datum; gebruik JJJJ-MM-DD.",
                 "{opt}: '{value}' is not a date; use YYYY-MM-DD."),
    "bad_tz": ("--tz: '{value}' is geen bekende tijdzone; gebruik een IANA-naam zoals Europe/Amsterdam.",
               "--tz: '{value}' is not a known time zone; use an IANA name such as Europe/Amsterdam."),
    "bad_period": ("De periode begint ({start}) na het einde ({end}).",
                   "The period starts ({start}) after it ends ({end})."),
    "no_output": ("Geef minstens één uitvoer: --out, --html, --json of --fhir.",
                  "Give at least one output: --out, --html, --json or --fhir."),
    "import": ("Het dagboek kon niet worden gelezen:", "The diary could not be read:"),
    "psg": ("{path}: geen geldige analyse van een slaaponderzoek (JSON): {why}",
            "{path}: not a valid sleep-study analysis (JSON): {why}"),
    "bad_experiment": ("--experiment: '{value}' moet CODE:BEGIN[:EINDE] zijn.",
                       "--experiment: '{value}' must be CODE:START[:END]."),
    "written": ("Geschreven: {path}", "Written: {path}"),
    "out_parent": ("--out: de map {dir} bestaat niet; maak die eerst aan of kies een andere plek.",
                   "--out: the folder {dir} does not exist; create it first or choose another "
                   "place."),
    "out_not_dir": ("--out: {path} is een bestand, geen map.",
                    "--out: {path} is a file, not a folder."),
}


def _m(key: str, lang: str, **kw: Any) -> str:
    nl, en = _MSG[key]
    return (en if lang == "en" else nl).format(**kw)


def _date(value: str | None, opt: str, lang: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(_m("bad_date", lang, opt=opt, value=value)) from None


def _pdf_target(out: str, lang: str) -> tuple[Path, bool]:
    """Where ``--out`` points: (path, is a directory).

    An existing directory, or a path ending in a separator, is a directory (made when
    the PDF is written; the file name then comes from the period). Anything else is
    the PDF file. Checked before the diary is read, so a typo costs no waiting.
    """
    seps = (os.sep, os.altsep) if os.altsep else (os.sep,)
    path = Path(out)
    is_dir = out.endswith(seps) or path.is_dir()
    if is_dir and path.exists() and not path.is_dir():
        raise click.ClickException(_m("out_not_dir", lang, path=out))
    parent = path.parent
    if not parent.is_dir():
        raise click.ClickException(_m("out_parent", lang, dir=parent))
    return path, is_dir


def _experiment(spec_: str, lang: str) -> Any:
    parts = spec_.split(":")
    if len(parts) not in (2, 3):
        raise click.ClickException(_m("bad_experiment", lang, value=spec_))
    start = _date(parts[1], "--experiment", lang)
    end = _date(parts[2], "--experiment", lang) if len(parts) == 3 else None
    from nachtwacht.insight.experiments import make

    try:
        return make(parts[0], start, end)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _beside(work: Callable[[], Any], meanwhile: Callable[[], Any]) -> Any:
    """Return ``work()``, computed in a forked child while this process runs ``meanwhile()``.

    Only in a fresh single-threaded CLI process on Linux (NumPy not loaded yet, so no
    BLAS threads are forked either); anywhere else both simply run here, in turn. The
    child writes no files: it sends back the pickled result or the message of a
    ClickException. Should the child fail in any other way, ``work()`` runs again here,
    so errors surface exactly as without the child.
    """
    if (not sys.platform.startswith("linux") or threading.active_count() > 1
            or "numpy" in sys.modules):
        meanwhile()
        return work()
    import pickle

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(r)
            try:
                result: tuple[str, Any] = ("ok", work())
            except click.ClickException as exc:
                result = ("error", exc.format_message())
            try:
                payload = pickle.dumps(result)
            except Exception:  # e.g. an experiment result that does not pickle
                payload = b""
            with os.fdopen(w, "wb") as f:
                f.write(payload)
        finally:
            os._exit(0)  # never return into click (or a test runner) in the child
    os.close(w)
    try:
        meanwhile()
        with os.fdopen(r, "rb") as f:
            r = -1
            payload = f.read()
    finally:
        if r != -1:
            os.close(r)  # the child, if still writing, gets a broken pipe and stops
        status = os.waitpid(pid, 0)[1]
    kind, value = "redo", None
    # A child killed while writing (e.g. by the out-of-memory killer) leaves a cut-off
    # pickle: only a child that finished sends a result that counts.
    if payload and os.waitstatus_to_exitcode(status) == 0:
        try:
            kind, value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - anything unreadable: build it here instead
            kind = "redo"
    if kind == "ok":
        return value
    if kind == "error":
        raise click.ClickException(value)
    return work()


def register(main: click.Group) -> None:
    """Add the ``report`` command to ``main``."""

    @main.command("report")
    @click.argument("nights", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.argument("episodes", required=False,
                    type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--profile", "profile", type=click.Path(exists=True, dir_okay=False,
                  path_type=Path), help="profile.json with background and checklist.")
    # A str, not a Path: Path() drops the trailing separator that marks a new directory.
    @click.option("--out", "out", type=click.Path(path_type=str),
                  help="PDF file, or a directory (file name from the period only).")
    @click.option("--html", "html", type=click.Path(dir_okay=False, path_type=Path),
                  help="Also write the report as HTML.")
    @click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Also write the report content as JSON.")
    @click.option("--fhir", "fhir_out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Also write a FHIR R4 Bundle (JSON).")
    @click.option("--fhir-birth-year", is_flag=True,
                  help="Put the birth year on the FHIR Patient and in the report.")
    @click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
                  help="Language of the report.")
    @click.option("--from", "date_from", metavar="DATE", help="First morning (YYYY-MM-DD).")
    @click.option("--to", "date_to", metavar="DATE", help="Last morning (YYYY-MM-DD).")
    @click.option("--psg", "psg", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="Sleep-study analysis JSON (from `nachtwacht psg analyse --json`).")
    @click.option("--experiment", "experiments", multiple=True, metavar="CODE:START[:END]",
                  help="An experiment to report, e.g. no_alcohol_weeknights:2026-10-05 "
                       "(repeatable; codes as in `nachtwacht experiment`).")
    @click.option("--device", "devices", multiple=True,
                  type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="Actigraph or wearable file: adds the actogram and device figures (repeatable).")
    @click.option("--include-private", is_flag=True,
                  help="Include free-text notes and entries marked private.")
    @click.option("--tz", default="Europe/Amsterdam", show_default=True,
                  help="IANA time zone of the clock times.")
    def report(nights: Path, episodes: Path | None, profile: Path | None, out: str | None,
               html: Path | None, json_out: Path | None, fhir_out: Path | None,
               fhir_birth_year: bool, lang: str, date_from: str | None, date_to: str | None,
               psg: Path | None, experiments: tuple[str, ...], devices: tuple[Path, ...],
               include_private: bool, tz: str) -> None:
        """Make the GP report from NIGHTS.csv (and EPISODES.csv)."""
        if not any((out, html, json_out, fhir_out)):
            raise click.ClickException(_m("no_output", lang))
        start, end = _date(date_from, "--from", lang), _date(date_to, "--to", lang)
        if start and end and start > end:
            raise click.ClickException(_m("bad_period", lang, start=start, end=end))
        from nachtwacht.diary.clock import zone

        try:
            zone(tz)
        except ValueError:
            raise click.ClickException(_m("bad_tz", lang, value=tz)) from None
        target = _pdf_target(out, lang) if out is not None else None
        # The analysis multiplies only small matrices: OpenBLAS helper threads would just
        # spin beside it (a quarter of a second of CPU per report). Set before NumPy loads;
        # a value the user set wins.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

        def prepare() -> Any:
            """Read the diary and build the report data."""
            from nachtwacht.diary.csvio import load_diary
            from nachtwacht.diary.errors import DiaryImportError

            try:
                diary = load_diary(nights, episodes, profile, lang=lang, tz=tz)
            except DiaryImportError as exc:
                lines = [_m("import", lang)] + [f"  {e.text(lang)}" for e in exc.errors[:20]]
                raise click.ClickException("\n".join(lines)) from None
            psg_data = None
            if psg is not None:
                try:
                    psg_data = json.loads(psg.read_text(encoding="utf-8"))
                    if not isinstance(psg_data, dict):
                        raise ValueError("expected a JSON object")
                except (ValueError, UnicodeDecodeError) as exc:
                    raise click.ClickException(_m("psg", lang, path=psg, why=exc)) from None

            exps = [_experiment(x, lang) for x in experiments]
            from nachtwacht.report.data import build

            period = (start, end) if (start or end) else None
            device = None
            if devices:  # issue #17
                from nachtwacht.device import DeviceFormatError
                from nachtwacht.device.summary import summarise

                try:
                    device = summarise(devices, diary.nights, tz=tz, profile=diary.profile)
                except DeviceFormatError as exc:
                    raise click.ClickException(exc.message(lang)) from None
            return build(diary, period=period, lang=lang, psg=psg_data, experiments=exps,
                         include_private=include_private, include_birth_year=fhir_birth_year,
                         device=device)

        if target is not None:
            # Loading WeasyPrint and the template is a quarter of a cold report: it is
            # done while the data are built in a forked copy of this process (see _beside).
            def warm() -> None:
                from nachtwacht.report.render import warm

                warm()

            data = _beside(prepare, warm)
        else:
            data = prepare()
        page: str | None = None
        if html is not None or target is not None:
            from nachtwacht.report.render import render_html

            # Rendered once: the PDF reuses this HTML, so the charts are drawn once.
            page = render_html(data)
        written: list[Path] = []
        if html is not None and page is not None:
            html.write_text(page, encoding="utf-8")
        if target is not None:
            from nachtwacht.report.render import render_pdf

            path, is_dir = target
            if is_dir:
                path.mkdir(exist_ok=True)
            written.append(render_pdf(data, path, html=page))  # type: ignore[arg-type]
        if html is not None:
            written.append(html)
        if json_out is not None:
            from nachtwacht.report.export import to_json

            json_out.write_text(json.dumps(to_json(data), ensure_ascii=False, indent=1),
                                encoding="utf-8")
            written.append(json_out)
        if fhir_out is not None:
            from nachtwacht.report.fhir import to_fhir

            fhir_out.write_text(json.dumps(to_fhir(data, include_identifiers=fhir_birth_year),
                                           ensure_ascii=False, indent=1), encoding="utf-8")
            written.append(fhir_out)
        for p in written:
            click.echo(_m("written", lang, path=p))
