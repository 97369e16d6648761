"""Issue #14 item 5: what first use of the web app found (forms and validation)."""

from __future__ import annotations

import datetime as dt

from nachtwacht.web.diary.models import Episode, Night

DAY = "2026-11-21"


def _night_post(day: str = DAY, **over):
    data = {"date": day, "bedtime": "23:00", "lights_out": "23:10", "sol_min": "15", "awakenings": "1",
            "waso_min": "10", "final_wake": "06:45", "out_of_bed": "07:00", "quality": "4", "rested": "3",
            "alcohol_units": "", "caffeine_mg": "", "caffeine_last": "", "stress": "", "tension": "",
            "notes": ""}
    data.update(over)
    return data


def _episode_post(day: str, **over):
    data = {"date": day, "time": "", "type": "hypnic_jerk", "count": "1", "duration_min": "",
            "behaviours": "", "recall": "", "injury": "unknown", "left_bedroom": "unknown",
            "partner_unsafe": "unknown", "notes": ""}
    data.update(over)
    return data


def test_sleeper_episode_in_the_future_is_refused(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/episode/", _episode_post("2030-01-01"))
    assert r.status_code == 200
    assert "toekomst" in r.content.decode()
    assert not Episode.objects.filter(date=dt.date(2030, 1, 1)).exists()


def test_partner_episode_in_the_future_is_refused(household, as_user):
    c = as_user(household["partner"])
    r = c.post(f"/bedpartner/{household['link'].pk}/", _episode_post("2030-01-01"))
    assert r.status_code == 200
    assert "toekomst" in r.content.decode()
    assert not Episode.objects.filter(date=dt.date(2030, 1, 1)).exists()


def test_empty_night_is_refused_with_a_clear_message(household, as_user):
    c = as_user(household["sleeper"])
    empty = {k: "" for k in _night_post()} | {"date": DAY}
    r = c.post("/nacht/", empty)
    assert r.status_code == 200
    assert "niets over uw slaap" in r.content.decode()
    assert not Night.objects.filter(sleeper=household["sleeper"], date=dt.date(2026, 11, 21)).exists()


def test_wake_before_bedtime_on_the_clock_is_refused(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/nacht/", _night_post(final_wake="22:30", out_of_bed="22:45", lights_out=""))
    assert r.status_code == 200
    assert "vóór de tijd waarop u naar bed ging" in r.content.decode()
    assert not Night.objects.filter(sleeper=household["sleeper"], date=dt.date(2026, 11, 21)).exists()


def test_decimal_comma_is_accepted_in_forms(household, as_user):
    user = household["sleeper"]
    user.tracked = ["alcohol_units"]
    user.save()
    c = as_user(user)
    r = c.post("/nacht/", _night_post(alcohol_units="1,5"))
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Night.objects.get(sleeper=user, date=dt.date(2026, 11, 21)).alcohol_units == 1.5


def test_errors_show_no_field_codes_and_do_not_repeat_the_label(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/nacht/", _night_post(sol_min="600"))
    body = r.content.decode()
    assert r.status_code == 200
    assert "(sol_min)" not in body and "(final_wake)" not in body
    assert "'Minuten" not in body  # the label is not quoted again inside the message


def test_server_side_error_gives_a_linked_summary_at_the_top_that_takes_the_focus(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/nacht/", _night_post(out_of_bed="06:00"))
    body = r.content.decode()
    assert 'id="error-summary"' in body and 'tabindex="-1"' in body
    summary = body[body.index('id="error-summary"'):]
    assert 'href="#id_out_of_bed"' in summary.split("</div>")[0]
    assert body.index('id="error-summary"') < body.index('name="bedtime"')  # above the fields
    assert "Kijk dit antwoord nog even na" in body
    assert "nachtwacht/forms.js" in body  # the script that moves the focus to it
    from pathlib import Path

    import nachtwacht.web

    js = (Path(nachtwacht.web.__file__).parent / "static/nachtwacht/forms.js").read_text()
    assert 'getElementById("error-summary")' in js and ".focus()" in js


def test_delete_asks_first_and_is_not_next_to_save(household, as_user):
    c = as_user(household["sleeper"])
    day = household["day"].isoformat()
    body = c.get(f"/nacht/{day}/").content.decode()
    # No delete button inside or right after the save form: a link to a confirmation page.
    assert 'action="/nacht/' + day + '/verwijderen/"' not in body
    assert f'href="/nacht/{day}/verwijderen/"' in body
    r = c.get(f"/nacht/{day}/verwijderen/")
    assert r.status_code == 200 and "Ja, verwijder deze nacht" in r.content.decode()
    assert Night.objects.filter(sleeper=household["sleeper"], date=household["day"]).exists()
    c.post(f"/nacht/{day}/verwijderen/")
    assert not Night.objects.filter(sleeper=household["sleeper"], date=household["day"]).exists()
    ep = household["ep_open"]
    assert "Dit voorval verwijderen?" in c.get(f"/episode/{ep.pk}/verwijderen/").content.decode()
    assert Episode.objects.filter(pk=ep.pk).exists()


def test_partner_pages_use_formal_u(household, as_user):
    c = as_user(household["partner"])
    import re

    for url in ("/bedpartner/", f"/bedpartner/{household['link'].pk}/"):
        text = re.sub(r"<[^>]+>", " ", c.get(url).content.decode())
        assert not re.search(r"\b(je|jij|jouw|jou|jullie)\b", text, re.I), url


def test_plural_forms_are_right_for_one(household, as_user):
    c = as_user(household["sleeper"])
    body = c.get("/overzicht/").content.decode()
    assert "1 nacht in uw dagboek" in body and "1 nachten" not in body
    assert "1 voorvallen" not in body


def test_sleeper_menu_has_every_page_also_on_a_phone(household, as_user):
    body = as_user(household["sleeper"]).get("/overzicht/").content.decode()
    phone_menu = body[body.index('<details class="menu">'):body.index("</details>")]
    for href in ("/advies/", "/rapport/kiezen/", "/kennis/", "/nachten/", "/nacht/", "/plan/"):
        assert f'href="{href}"' in phone_menu, href


def test_partner_can_change_and_delete_only_what_they_logged(household, as_user):
    link, partner = household["link"], household["partner"]
    mine = Episode.objects.create(sleeper=household["sleeper"], logged_by=partner, date=household["day"],
                                  type="bruxism", reporter="partner")
    c = as_user(partner)
    page = c.get(f"/bedpartner/{link.pk}/").content.decode()
    assert f"/bedpartner/{link.pk}/voorval/{mine.pk}/" in page
    r = c.post(f"/bedpartner/{link.pk}/voorval/{mine.pk}/",
               _episode_post(household["day"].isoformat(), type="sleepwalking", count="2"))
    assert r.status_code == 302
    mine.refresh_from_db()
    assert (mine.type, mine.count, mine.reporter) == ("sleepwalking", 2, "partner")
    # The sleeper's own entry is not theirs to change or delete.
    theirs = household["ep_open"]
    assert c.get(f"/bedpartner/{link.pk}/voorval/{theirs.pk}/").status_code == 404
    assert c.post(f"/bedpartner/{link.pk}/voorval/{theirs.pk}/verwijderen/").status_code == 404
    assert "Ja, verwijder dit voorval" in c.get(f"/bedpartner/{link.pk}/voorval/{mine.pk}/verwijderen/").content.decode()
    c.post(f"/bedpartner/{link.pk}/voorval/{mine.pk}/verwijderen/")
    assert not Episode.objects.filter(pk=mine.pk).exists()
    assert Episode.objects.filter(pk=theirs.pk).exists()


def test_gp_sees_the_name_the_sleeper_chose_never_the_user_name(household, as_user):
    from nachtwacht.web.accounts.models import Profile

    share = household["share"]
    gp = as_user(household["gp"])
    assert "slaper" not in gp.get("/zorg/").content.decode().split("<main")[1]
    assert "Patiënt (naam niet gedeeld)" in gp.get("/zorg/").content.decode()
    Profile.objects.create(user=household["sleeper"], birth_year=1984)
    share.patient_name, share.show_birth_year = "J. de Vries", True
    share.save()
    body = gp.get(f"/zorg/{share.pk}/").content.decode()
    assert "J. de Vries (geboren 1984)" in body and "slaper" not in body.split("<main")[1]


def test_share_form_stores_name_and_birth_year_choice(household, as_user):
    from nachtwacht.web.sharing.models import ClinicianShare

    c = as_user(household["sleeper"])
    r = c.post("/delen/", {"label": "Huisarts", "scope": ["nights", "notes"], "days": "30",
                           "patient_name": "J.d.V.", "show_birth_year": "on"})
    assert r.status_code == 302
    share = ClinicianShare.objects.filter(sleeper=household["sleeper"]).latest("created")
    assert share.patient_name == "J.d.V." and share.show_birth_year


def test_own_notes_choice_decides_whether_the_gp_sees_the_notes(household, as_user):
    share = household["share"]  # scope holds "notes"
    gp = as_user(household["gp"])
    body = gp.get(f"/zorg/{share.pk}/").content.decode()
    assert "NOTITIE-NACHT" in body and "NOTITIE-OPEN" in body and "GEHEIM-PRIVE" not in body
    share.scope = ["nights", "episodes"]
    share.save()
    body = gp.get(f"/zorg/{share.pk}/").content.decode()
    assert "NOTITIE" not in body


def test_gp_report_gets_the_notes_and_the_name_only_as_shared(household, as_user, monkeypatch):
    from nachtwacht.web.views import report

    share = household["share"]
    seen = {}

    class FakeReport:
        @staticmethod
        def build(diary, **kw):
            seen.update(kw, notes=[n.notes for n in diary.nights])
            return object()

        @staticmethod
        def render_html(data, embed_fonts=False):
            return "<html><body>ok</body></html>"

    monkeypatch.setattr(report, "optional", lambda name: FakeReport if name == "nachtwacht.report" else None)
    share.patient_name = "J. de Vries"
    share.save()
    gp = as_user(household["gp"])
    r = gp.get(f"/zorg/{share.pk}/rapport/?van=2026-11-01&tot=2026-11-30&taal=nl")
    assert r.status_code == 200, r.content[:500]
    assert seen["include_private"] is True and seen["notes"] == ["NOTITIE-NACHT"]
    assert seen["subject_label"] == "J. de Vries" and seen["include_birth_year"] is False
    share.scope = ["nights", "episodes"]
    share.save()
    gp.get(f"/zorg/{share.pk}/rapport/?van=2026-11-01&tot=2026-11-30&taal=nl")
    assert seen["include_private"] is False and seen["notes"] == [""]


def test_the_24_hour_chart_fits_a_360_px_phone(household, as_user):
    from pathlib import Path

    import nachtwacht.web
    from nachtwacht.web import chart

    body = as_user(household["sleeper"]).get("/overzicht/").content.decode()
    assert 'class="diary-chart compact"' in body and 'class="diary-chart wide"' in body
    compact = body[body.index('class="diary-chart compact"'):]
    compact = compact[:compact.index("</svg>")]
    assert 'viewBox="0 0 360 ' in compact
    # All 24 hours are drawn: 18 ... 18 every 6 hours.
    assert [h for h in ("18", "00", "06", "12") if f">{h}</text>" in compact] == ["18", "00", "06", "12"]
    css = (Path(nachtwacht.web.__file__).parent / "static/nachtwacht/nachtwacht.css").read_text()
    assert "min-width: 620px" not in css
    # Two charts on one page, each with its own title ids (no duplicate ids).
    assert body.count('id="dc-title"') == 1 and body.count('id="dcc-title"') == 1
    assert chart.AXIS_START_H == 18


def test_sleep_study_page_has_no_english_machine_text_in_dutch(household, as_user):
    from nachtwacht.web.front.models import PsgUpload

    result = {"stats": {"TST": 400.0},
              "events": {"leg_movements": {"events": [{}, {}]}, "arousal": {"events": []}},
              "skipped": {"rswa": "no_rem: RSWA needs REM sleep, none was scored",
                          "respiratory": "missing_channel: no airflow or effort channel"},
              "warnings": ["EMG1: not used (flat signal)", "channels with unknown role (ignored): X1, X2",
                           "sleep stages taken from the technician's scoring in the EDF+ file"]}
    up = PsgUpload.objects.create(sleeper=household["sleeper"], original_name="nacht.edf", stored_name="s.edf",
                                  size=3, status="done", result=result)
    c = as_user(household["sleeper"])
    body = c.get(f"/slaaponderzoek/{up.pk}/").content.decode()
    for english in ("leg_movements", "no_rem", "missing_channel", "not used", "unknown role",
                    "technician's scoring"):
        assert english not in body, english
    assert "Beenbewegingen" in body and "geen droomslaap" in body and "Kanaal EMG1: niet gebruikt" in body
    # The English detail of a skipped analysis is marked as English, behind "Technische toelichting".
    assert '<p lang="en">RSWA needs REM sleep' in body
    listing = c.get("/slaaponderzoek/").content.decode()
    assert "Klaar" in listing and ">Done<" not in listing and "· Done" not in listing


def test_csv_import_of_one_row_says_one_row_and_refuses_wake_before_bed(household, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = as_user(household["sleeper"])

    def upload(text):
        return c.post("/upload/", {"kind": "nights", "file": SimpleUploadedFile("d.csv", text.encode(),
                                                                                content_type="text/csv")},
                      follow=True)

    body = upload("date,bedtime,final_wake\n2026-11-10,23:00,22:30\n").content.decode()
    assert "vóór de tijd waarop u naar bed ging" in body
    assert not Night.objects.filter(sleeper=household["sleeper"], date=dt.date(2026, 11, 10)).exists()
    body = upload("date,bedtime,final_wake\n2026-11-10,23:00,06:30\n").content.decode()
    assert "1 regel ingelezen." in body


def test_a_night_over_16_hours_in_the_form_gets_advice_that_fits_a_form(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/nacht/", _night_post(bedtime="20:00", lights_out="20:10", final_wake="13:30", out_of_bed="14:00"))
    body = r.content.decode()
    assert r.status_code == 200 and "meer dan 16 uur" in body and "notities" in body
    assert "JJJJ-MM-DD" not in body
