"""``nachtwacht psg``: analyse a sleep study, list its channels, run batches, validate.

Bad input never shows a traceback: every known problem becomes a message in the
chosen language saying what is wrong and what still can be done.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import click

_LANG = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
                     help="Language of messages.")


@contextlib.contextmanager
def _friendly(lang: str) -> Iterator[None]:
    """Turn the analysis' own errors into a ClickException in ``lang``."""
    from nachtwacht.psg._deps import MissingExtraError
    from nachtwacht.psg.errors import PSGError

    try:
        yield
    except PSGError as exc:
        raise click.ClickException(exc.text(lang)) from None
    except MissingExtraError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        # Errors of the diary reader (episodes CSV) carry their own message.
        if type(exc).__name__ == "DiaryImportError":
            raise click.ClickException(str(exc)) from None
        raise


def _channel_map(pairs: tuple[str, ...], lang: str) -> dict[str, str]:
    out = {}
    for p in pairs:
        if "=" not in p:
            raise click.BadParameter(
                "gebruik NAAM=ROL, bijvoorbeeld 'C3-M2=eeg'" if lang == "nl"
                else "use NAME=ROLE, e.g. 'C3-M2=eeg'", param_hint="--channel")
        name, role = p.rsplit("=", 1)
        out[name.strip()] = role.strip()
    return out


#: Scored-event kinds in Dutch for the summary (the JSON keeps the codes).
_KIND_NL = {"apnea": "apneu (adempauze)", "hypopnea": "hypopneu (verminderde ademhaling)",
            "apnea_hypopnea": "apneu+hypopneu", "desaturation": "desaturatie (zuurstofdaling)",
            "arousal": "arousal (kort wakker worden)", "lm": "beenbeweging",
            "rmma": "kauwspierritme (RMMA)"}


def _summary_lines(d: dict, lang: str) -> list[str]:
    nl = lang == "nl"
    lines = []
    rec = d["recording"]
    lines.append(f"{rec['source']}: {rec['duration_s'] / 3600:.2f} h, "
                 f"{len(rec['channels'])} {'kanalen' if nl else 'channels'}")
    s = d["stats"]
    if s:
        def f(k: str) -> str:
            v = s.get(k)
            return "-" if v is None else f"{v:.0f}"

        lines.append(
            f"TST {f('TST')} min, SE {f('SE')} %, SOL {f('SOL')} min, WASO {f('WASO')} min, "
            f"N3 {f('N3')} min, REM {f('REM')} min ({s.get('hypnogram_source')})"
        )
    for name, ev in d["events"].items():
        summ = {k: v for k, v in ev["summary"].items() if isinstance(v, int | float)}
        short = ", ".join(f"{k} {v:g}" for k, v in list(summ.items())[:4])
        lines.append(f"{name}: {len(ev['events'])} events" + (f" ({short})" if short else ""))
    for kind, row in d.get("scored_events", {}).items():
        if "f1" in row:
            word = _KIND_NL.get(kind, kind) if nl else kind.replace("_", "+")
            lines.append(f"{'technicus' if nl else 'technician'} {word}: {row['scored']} "
                         f"{'gescoord' if nl else 'scored'}, {row['detected']} "
                         f"{'gevonden' if nl else 'detected'}, F1 {row['f1']:.2f}")
    for det, vals in d.get("parameters", {}).items():
        lines.append(f"{'parameters' if nl else 'parameters'} {det}: "
                     + ", ".join(f"{k}={v}" for k, v in vals.items()))
    for name, why in d["skipped"].items():
        lines.append(f"{'overgeslagen' if nl else 'skipped'} {name}: {why}")
    for w in d["warnings"]:
        lines.append(f"{'let op' if nl else 'note'}: {w}")
    return lines


def register(main: click.Group) -> None:
    @main.group("psg")
    def psg() -> None:
        """Slaaponderzoek (PSG) analyseren / sleep-study analysis (needs nachtwacht[psg])."""

    @psg.command("analyse")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--hypnogram", type=click.Path(dir_okay=False, path_type=Path),
                  help="Expert hypnogram (EDF+, CSV, Dreem JSON) instead of automatic staging.")
    @click.option("--episodes", type=click.Path(dir_okay=False, path_type=Path),
                  help="Diary episodes CSV; episodes with a time are placed on the night.")
    @click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the full result as JSON here.")
    @click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the one-page figure (PDF or SVG) here.")
    @click.option("--channel", "channels", multiple=True, metavar="NAME=ROLE",
                  help="Override a channel role, e.g. --channel 'C3-M2=eeg' (repeatable).")
    @click.option("--detector", "detectors", multiple=True, help="Run only these detectors.")
    @click.option("--param", "params", multiple=True, metavar="DETECTOR.FIELD=VALUE",
                  help="Set a detector parameter, e.g. --param respiratory.hypopnea_rule=1B "
                       "(repeatable; names as in the detectors' Params, echoed in the JSON).")
    @click.option("--auto-staging", is_flag=True,
                  help="Stage automatically even when the EDF+ file holds the technician's stages.")
    @click.option("--crop", "fit", flag_value="crop", help="Fit a hypnogram of another length by cropping.")
    @click.option("--pad", "fit", flag_value="pad", help="Fit a short hypnogram by padding with unscored.")
    @_LANG
    def analyse_cmd(file: Path, hypnogram: Path | None, episodes: Path | None,
                    json_out: Path | None, report: Path | None, channels: tuple[str, ...],
                    detectors: tuple[str, ...], params: tuple[str, ...], auto_staging: bool,
                    fit: str | None, lang: str) -> None:
        """Analyse one night: staging, sleep figures, events, episodes."""
        cmap = _channel_map(channels, lang)
        with _friendly(lang):
            from nachtwacht.psg.pipeline import ParameterError, check_detectors, parse_params

            # Checked before the file is read, so a typo costs no minutes of analysis.
            try:
                parsed = parse_params(params)
            except ParameterError as exc:
                raise click.UsageError(f"--param: {exc.text(lang)}") from None
            try:
                check_detectors(detectors)
            except ParameterError as exc:
                raise click.UsageError(f"--detector: {exc.text(lang)}") from None
            from nachtwacht.psg.pipeline import analyse

            res = analyse(file, hypnogram=hypnogram, episodes=episodes, channel_map=cmap or None,
                          detectors=list(detectors) or None, lang=lang, fit=fit, params=parsed,
                          auto_staging=auto_staging)
            d = res.to_json()
            if json_out:
                json_out.write_text(res.dumps(), encoding="utf-8")
            if report:
                from nachtwacht.psg.figure import render_night

                render_night(res, report, lang=lang)
        for line in _summary_lines(d, lang):
            click.echo(line)
        if json_out:
            click.echo(str(json_out))
        if report:
            click.echo(str(report))

    @psg.command("channels")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--channel", "channels", multiple=True, metavar="NAME=ROLE",
                  help="Override a channel role (repeatable).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @_LANG
    def channels_cmd(file: Path, channels: tuple[str, ...], as_json: bool, lang: str) -> None:
        """List the channels of FILE with their detected roles."""
        cmap = _channel_map(channels, lang)
        with _friendly(lang):
            from nachtwacht.psg.channels import assign_roles
            from nachtwacht.psg.read import read_recording

            rec = read_recording(file)
            rep = assign_roles(rec, cmap or None)
        if as_json:
            click.echo(json.dumps({
                "channels": [{"name": n, "role": c.role, "sf": c.sf, "unit": c.unit,
                              "duration_s": c.duration_s} for n, c in rec.channels.items()],
                **rep.to_json(), "warnings": rec.warnings}, ensure_ascii=False, indent=1))
            return
        for n, c in rec.channels.items():
            why = rep.unusable.get(n, "")
            click.echo(f"{n:<24} {c.role:<15} {c.sf:>7g} Hz  {c.unit:<6} {why}")
        for note in rep.notes + rec.warnings:
            click.echo(("let op: " if lang == "nl" else "note: ") + note)

    @psg.command("batch")
    @click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
    @click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="Results as Parquet, one row per night.")
    @click.option("--scheduler", default=None, help="Address of an existing Dask scheduler.")
    @click.option("--workers", default=2, show_default=True, help="Local worker processes.")
    @click.option("--retry-failed", is_flag=True, help="Analyse nights that failed before again.")
    @_LANG
    def batch_cmd(directory: Path, out: Path, scheduler: str | None, workers: int,
                  retry_failed: bool, lang: str) -> None:
        """Analyse every EDF/BDF under DIRECTORY on Dask (resumable)."""
        with _friendly(lang):
            from nachtwacht.psg.batch import find_recordings, run_batch

            total = len(find_recordings(directory))
            bar = click.progressbar(length=total, label="nachten" if lang == "nl" else "nights",
                                    file=click.get_text_stream("stderr"))

            def progress(done: int, n: int, row: dict) -> None:
                bar.update(1)
                if row.get("error"):
                    click.echo(f"\n{Path(row['file']).name}: {row['error']}", err=True)

            with bar:
                bar.update(0)
                summary = run_batch(directory, out, scheduler=scheduler, n_workers=workers,
                                    progress=progress, retry_failed=retry_failed)
        nl = lang == "nl"
        click.echo(
            f"{summary['total']} {'bestanden' if nl else 'files'}, "
            f"{summary['analysed']} {'geanalyseerd' if nl else 'analysed'}, "
            f"{summary['skipped_done']} {'al klaar' if nl else 'already done'}, "
            f"{len(summary['failed'])} {'mislukt' if nl else 'failed'} -> {summary['out']}"
        )
        for f, err in summary["failed"]:
            click.echo(f"  {Path(f).name}: {err}")

    @psg.command("validate")
    @click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
    @click.option("--checksums", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                  help="sha256sum list (default: Sleep-EDF's SHA256SUMS.txt in the shared data).")
    @click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the full comparison as JSON here.")
    @_LANG
    def validate_cmd(directory: Path, checksums: Path | None, json_out: Path | None,
                     lang: str) -> None:
        """Compare automatic results with expert scorings found in DIRECTORY."""
        with _friendly(lang):
            from nachtwacht.psg.validate import validate_dir

            r = validate_dir(directory, checksums)
        if json_out:
            json_out.write_text(json.dumps(r, indent=1), encoding="utf-8")
        nl = lang == "nl"
        for row in r["recordings"]:
            name = Path(row["recording"]).name
            if "error" in row:
                click.echo(f"{name}: {row['error']}")
            else:
                click.echo(f"{name}: kappa {row['kappa']}, "
                           f"{'juist' if nl else 'accuracy'} {row['accuracy']}, F1 {row['f1']}")
        sc = r["scorers"]
        for panel, p in sc["panels"].items():
            click.echo(f"{panel}: {p['records']} {'nachten' if nl else 'nights'}, "
                       f"{'gemiddelde kappa scorer vs. rest' if nl else 'mean kappa scorer vs rest'} "
                       f"{p['mean_kappa']} {p['mean_kappa_per_scorer']}")
        if sc["mean_kappa"] is not None:
            click.echo(f"{'menselijk plafond (kappa)' if nl else 'human ceiling (kappa)'}: "
                       f"{sc['mean_kappa']}")
        for c in r["checksums"]:
            mark = "OK" if c["ok"] else ("AFWIJKEND" if nl else "MISMATCH")
            click.echo(f"sha256 {mark}: {Path(c['file']).name}")
        if not (r["recordings"] or sc["panels"] or r["checksums"]):
            click.echo("Niets gevonden om te vergelijken." if nl else "Nothing found to compare.")
        if json_out:
            click.echo(str(json_out))
