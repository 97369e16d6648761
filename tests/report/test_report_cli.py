"""``nachtwacht report`` from the diary files a user has."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from click.testing import CliRunner

from nachtwacht.cli import main


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_report_writes_every_format(demo_files, tmp_path):
    d = demo_files
    r = _run("report", d / "nights.csv", d / "episodes.csv", "--profile", d / "profile.json",
             "--out", tmp_path, "--html", tmp_path / "r.html", "--json", tmp_path / "r.json",
             "--fhir", tmp_path / "r.fhir.json", "--lang", "en", "--from", "2026-10-01",
             "--to", "2026-10-31")
    assert r.exit_code == 0, r.output
    pdf = tmp_path / "nachtwacht-report-2026-10-01_2026-10-31.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert re.search(r"Pages:\s+[12]\n", info), info  # English fits on two pages too
    assert "Main complaint" in (tmp_path / "r.html").read_text(encoding="utf-8")
    rep = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert rep["period"]["start"] == "2026-10-01" and rep["period"]["days"] == 31
    assert json.loads((tmp_path / "r.fhir.json").read_text())["resourceType"] == "Bundle"
    assert f"Written: {pdf}" in r.output


def test_errors_are_plain_messages(demo_files, tmp_path):
    n = demo_files / "nights.csv"
    r = _run("report", n, "--html", tmp_path / "x.html", "--from", "1-10-2026")
    assert r.exit_code == 1 and "is geen datum" in r.output
    r = _run("report", n, "--lang", "en")
    assert r.exit_code == 1 and "at least one output" in r.output
    r = _run("report", n, "--html", tmp_path / "x.html", "--from", "2026-10-05",
             "--to", "2026-10-01", "--lang", "en")
    assert r.exit_code == 1 and "starts (2026-10-05) after it ends" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("date,bedtime\nnot-a-date,25:99\n", encoding="utf-8")
    r = _run("report", bad, "--html", tmp_path / "x.html")
    assert r.exit_code == 1 and "kon niet worden gelezen" in r.output
    assert "Traceback" not in r.output


def test_psg_json_adds_the_sleep_study(demo_files, tmp_path):
    psg = tmp_path / "night.json"
    psg.write_text(json.dumps({
        "hypnogram": {"epoch_s": 30, "start": None, "source": "yasa",
                      "stages": ["W"] * 20 + ["N1"] * 10 + ["N2"] * 60 + ["N3"] * 40 + ["R"] * 30},
        "stats": {"TST": 70.0, "SE": 87.5, "%N3": 28.6},
        "events": {}, "skipped": {"respiratory": "no airflow channel"}, "episodes": [],
    }))
    r = _run("report", demo_files / "nights.csv", "--html", tmp_path / "r.html", "--psg", psg,
             "--lang", "en")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Sleep study" in html and "no airflow channel" in html
    assert "Sleep efficiency</strong> 87.5 %" in html and "N3</strong> 28.6 %" in html
    assert html.count("<svg") >= 2  # the hypnogram joins the diary chart
    psg.write_text("[1, 2]")
    r = _run("report", demo_files / "nights.csv", "--html", tmp_path / "r.html", "--psg", psg)
    assert r.exit_code == 1 and "geen geldige analyse" in r.output


def test_experiment_option(demo_files, tmp_path):
    n = demo_files / "nights.csv"
    r = _run("report", n, "--json", tmp_path / "r.json", "--experiment",
             "no_alcohol_weeknights:2026-10-05")
    assert r.exit_code == 0, r.output
    rep = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert rep["experiments"][0]["details"]["code"] == "no_alcohol_weeknights"
    r = _run("report", n, "--json", tmp_path / "r.json", "--experiment", "nonsense")
    assert r.exit_code == 1 and "CODE:BEGIN" in r.output


def test_out_with_a_trailing_separator_is_a_new_directory(demo_files, tmp_path):
    import os

    d = demo_files
    period = ("--from", "2026-10-01", "--to", "2026-10-07")
    r = _run("report", d / "nights.csv", "--out", f"{tmp_path / 'newdir'}{os.sep}", *period)
    assert r.exit_code == 0, r.output
    new = tmp_path / "newdir"
    assert new.is_dir()  # not a file called "newdir"
    pdf = new / "nachtwacht-report-2026-10-01_2026-10-07.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    # Without the separator a path that is not a directory is the PDF file itself.
    r = _run("report", d / "nights.csv", "--out", tmp_path / "mine", *period)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "mine").read_bytes().startswith(b"%PDF")


def test_out_in_a_missing_folder_is_a_plain_error(demo_files, tmp_path):
    n = demo_files / "nights.csv"
    r = _run("report", n, "--out", tmp_path / "nope" / "r.pdf")
    assert r.exit_code == 1 and f"de map {tmp_path / 'nope'} bestaat niet" in r.output
    r = _run("report", n, "--out", f"{tmp_path / 'nope' / 'deeper'}/", "--lang", "en")
    assert r.exit_code == 1 and "does not exist" in r.output
    assert not (tmp_path / "nope").exists()  # nothing made on the way
    (tmp_path / "taken.pdf").write_bytes(b"x")
    r = _run("report", n, "--out", f"{tmp_path / 'taken.pdf'}/", "--lang", "en")
    assert r.exit_code == 1 and "is a file, not a folder" in r.output
    assert "Traceback" not in r.output


#: Runs the CLI in a fresh process (as a user does) and reports how often it forked.
_FRESH = r'''
import os, sys
forks = []
real_fork = os.fork
def fork():
    pid = real_fork()
    if pid:
        forks.append(pid)
    return pid
os.fork = fork
from nachtwacht.cli import main
try:
    main(sys.argv[1:], prog_name="nachtwacht")
finally:
    print(f"FORKS={len(forks)}", file=sys.stderr)
'''


def _fresh(*args):
    import sys

    return subprocess.run([sys.executable, "-c", _FRESH, *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def test_a_fresh_process_builds_beside_weasyprint_with_the_same_result(demo_files, tmp_path):
    # In a fresh process the data are built in a forked child while WeasyPrint loads;
    # the files must be byte for byte what the plain in-process path writes.
    d = demo_files
    args = [d / "nights.csv", d / "episodes.csv", "--profile", d / "profile.json",
            "--from", "2026-10-01", "--to", "2026-10-31"]
    fresh = _fresh("report", *args, "--out", tmp_path / "a.pdf", "--json", tmp_path / "a.json",
                   "--html", tmp_path / "a.html")
    assert fresh.returncode == 0, fresh.stderr
    assert "FORKS=1" in fresh.stderr
    r = _run("report", *args, "--out", tmp_path / "b.pdf", "--json", tmp_path / "b.json",
             "--html", tmp_path / "b.html")
    assert r.exit_code == 0, r.output
    for ext in ("pdf", "json", "html"):
        assert (tmp_path / f"a.{ext}").read_bytes() == (tmp_path / f"b.{ext}").read_bytes(), ext
    assert f"Geschreven: {tmp_path / 'a.pdf'}" in fresh.stdout


def test_a_fresh_process_reports_diary_errors_plainly(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,bedtime\nnot-a-date,25:99\n", encoding="utf-8")
    r = _fresh("report", bad, "--out", tmp_path / "r.pdf")
    assert r.returncode == 1 and "kon niet worden gelezen" in r.stderr, r.stderr
    assert "'not-a-date'" in r.stderr and "Traceback" not in r.stderr
    r = _fresh("report", bad, "--out", tmp_path / "r.pdf", "--experiment", "nonsense:2026-01-01",
               "--lang", "en")
    assert r.returncode == 1 and "could not be read" in r.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_an_unknown_time_zone_is_a_plain_error(demo_files, tmp_path):
    d = demo_files
    r = _run("report", d / "nights.csv", "--out", tmp_path / "r.pdf", "--tz", "Mars/Olympus")
    assert r.exit_code == 1 and "geen bekende tijdzone" in r.output and "Traceback" not in r.output
    r = _run("report", d / "nights.csv", "--out", tmp_path / "r.pdf", "--tz", "Mars/Olympus", "--lang", "en")
    assert r.exit_code == 1 and "not a known time zone" in r.output
    assert not (tmp_path / "r.pdf").exists()


def test_a_start_after_the_last_night_gives_an_empty_report(demo_files, tmp_path):
    # Only --from given, after the diary ends: the report says the period is empty.
    d = demo_files
    r = _run("report", d / "nights.csv", d / "episodes.csv", "--from", "2030-01-01",
             "--html", tmp_path / "r.html", "--lang", "en")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No nights and no episodes were recorded in this period." in html
