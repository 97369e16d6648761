"""Route-by-role: every URL is classified in ROUTES, and each role gets exactly that.

Adding a URL without adding it here fails the suite, so nobody forgets to decide
who may open it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ANON, SLEEPER, PARTNER, CLINICIAN = "anon", "sleeper", "partner", "clinician"
ALL = frozenset({ANON, SLEEPER, PARTNER, CLINICIAN})
USERS = frozenset({SLEEPER, PARTNER, CLINICIAN})

#: url name -> roles that may open it. Everyone else: anonymous -> login, others -> 404.
ROUTES: dict[str, frozenset[str]] = {
    "home": ALL, "signup": ALL, "login": ALL, "logout": ALL, "set_language": ALL,
    "knowledge": ALL, "knowledge_page": ALL, "invite_accept": ALL, "static": ALL,
    # Old-style links (token in the path): a page that explains and offers the POST form (#16).
    "invite_link_old": ALL, "share_link_old": ALL,
    "dashboard": frozenset({SLEEPER}), "night_new": frozenset({SLEEPER}), "quick_night": frozenset({SLEEPER}),
    "quick_episode": frozenset({SLEEPER}),
    "reminders": frozenset({SLEEPER, PARTNER}), "push_subscribe": frozenset({SLEEPER, PARTNER}),
    "reminders_off": ALL,
    "manifest": ALL, "service_worker": ALL, "night_edit": frozenset({SLEEPER}),
    "night_delete": frozenset({SLEEPER}), "night_list": frozenset({SLEEPER}),
    "episode_new": frozenset({SLEEPER}), "episode_edit": frozenset({SLEEPER}),
    "episode_delete": frozenset({SLEEPER}), "tracking": frozenset({SLEEPER}), "profile": frozenset({SLEEPER}),
    "partner_settings": frozenset({SLEEPER}), "partner_invite": frozenset({SLEEPER}),
    "partner_scope": frozenset({SLEEPER}), "shares": frozenset({SLEEPER}), "share_revoke": frozenset({SLEEPER}),
    "share_confirm": frozenset({SLEEPER}),
    "access_log": frozenset({SLEEPER}), "triage": frozenset({SLEEPER}), "plan": frozenset({SLEEPER}),
    "experiment_start": frozenset({SLEEPER}), "experiment_stop": frozenset({SLEEPER}),
    "upload_csv": frozenset({SLEEPER}), "upload_edf": frozenset({SLEEPER}), "psg_detail": frozenset({SLEEPER}),
    "device_upload": frozenset({SLEEPER}), "device_detail": frozenset({SLEEPER}), "device_job": frozenset({SLEEPER}), "device_drafts": frozenset({SLEEPER}),
    "device_delete": frozenset({SLEEPER}),
    "psg_retry": frozenset({SLEEPER}),
    # Sleep-study viewer (#15): the sleeper's own study; a clinician's through a share with "psg".
    "psg_overview": frozenset({SLEEPER}), "psg_window": frozenset({SLEEPER}), "psg_csv": frozenset({SLEEPER}),
    "psg_edf": frozenset({SLEEPER}), "clinician_psg_list": frozenset({CLINICIAN}),
    "clinician_psg_detail": frozenset({CLINICIAN}), "clinician_psg_overview": frozenset({CLINICIAN}),
    "clinician_psg_window": frozenset({CLINICIAN}), "clinician_psg_csv": frozenset({CLINICIAN}),
    "clinician_psg_edf": frozenset({CLINICIAN}),
    "report": frozenset({SLEEPER}), "report_pdf": frozenset({SLEEPER}), "report_form": frozenset({SLEEPER}),
    "settings": USERS, "export": USERS, "delete_account": USERS, "alert_read": USERS,
    "partner_episode_edit": frozenset({PARTNER}), "partner_episode_delete": frozenset({PARTNER}),
    "password_change": USERS, "account_email": USERS, "password_reset": ALL, "password_reset_done": ALL,
    "password_reset_confirm": ALL, "password_reset_complete": ALL,
    "login_code": ALL, "twofactor": USERS, "twofactor_setup": USERS, "twofactor_disable": USERS,
    "partner_home": frozenset({PARTNER}), "partner_log": frozenset({PARTNER}),
    "clinician_home": frozenset({CLINICIAN}), "clinician_verify": frozenset({CLINICIAN}),
    # Anonymous: a page that keeps the link's token in the tab and asks to log in first.
    "share_claim": frozenset({ANON, CLINICIAN}),
    "clinician_view": frozenset({CLINICIAN}), "clinician_report": frozenset({CLINICIAN}),
    "clinician_report_pdf": frozenset({CLINICIAN}), "clinician_report_form": frozenset({CLINICIAN}),
    # Background jobs (#15): any user may export, but a job is its owner's only; the jobs
    # opened here belong to the sleeper, so the others get 404.
    "export_start": USERS, "job_status": frozenset({SLEEPER}), "export_download": frozenset({SLEEPER}),
    "report_download": frozenset({SLEEPER}),
}

#: Routes whose allowed role is checked on the sleeper's own object; GET is enough.
SKIP_GET = {"logout", "set_language", "static", "knowledge_page", "report_pdf", "clinician_report_pdf"}


def all_names(patterns=None, prefix="") -> list[str]:
    patterns = get_resolver().url_patterns if patterns is None else patterns
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += all_names(p.url_patterns)
        elif isinstance(p, URLPattern):
            out.append(p.name)
    return out


def test_every_route_is_classified():
    names = all_names()
    assert None not in names, "every route needs a name"
    unclassified = sorted(set(names) - set(ROUTES))
    assert not unclassified, f"add these routes to ROUTES with their allowed roles: {unclassified}"


def _kwargs(name: str, h: dict) -> dict:
    from nachtwacht.web.front.models import Experiment, PsgUpload
    from nachtwacht.web.sharing.models import PartnerInvite

    s = h["sleeper"]
    if name in ("night_edit", "night_delete"):
        return {"day": h["day"].isoformat()}
    if name in ("episode_edit", "episode_delete"):
        return {"pk": h["ep_open"].pk}
    if name == "partner_scope" or name == "partner_log":
        return {"link_id": h["link"].pk}
    if name in ("share_revoke", "share_confirm", "clinician_view", "clinician_report", "clinician_report_pdf",
                "clinician_report_form"):
        return {"share_id": h["share"].pk}
    if name == "share_link_old":
        return {"token": h["share"].token}
    if name == "invite_link_old":
        return {"token": PartnerInvite.objects.create(sleeper=s).token}
    if name == "experiment_stop":
        return {"pk": Experiment.objects.create(sleeper=s, code="x", title="x", started=h["day"]).pk}
    if name in ("device_detail", "device_drafts", "device_delete"):
        from nachtwacht.web.front.models import DeviceUpload
        empty = {"nights": [], "comparison": [], "drafts": [], "rhythm": {}}
        return {"pk": DeviceUpload.objects.create(sleeper=s, original_name="a.AWD", summary=empty).pk}
    if name in ("psg_detail", "psg_retry"):
        return {"pk": PsgUpload.objects.create(sleeper=s, original_name="a.edf", stored_name="a.edf", size=1).pk}
    if name.startswith(("psg_", "clinician_psg_")) and name != "psg_retry":
        up = PsgUpload.objects.create(sleeper=s, original_name="a.edf", stored_name="a.edf", size=1, status="done",
                                      result={"hypnogram": None, "events": {}, "recording": {}})
        if not name.startswith("clinician_"):
            return {"pk": up.pk}
        h["share"].scope = [*h["share"].scope, "psg"]
        h["share"].save(update_fields=["scope"])
        return {"share_id": h["share"].pk} if name == "clinician_psg_list" else {"share_id": h["share"].pk, "pk": up.pk}

        return {"slug": "x"}
    if name == "alert_read":
        return {"pk": 1}
    if name in ("partner_episode_edit", "partner_episode_delete"):
        from nachtwacht.web.diary.models import Episode

        ep = Episode.objects.create(sleeper=s, logged_by=h["partner"], date=h["day"], type="bruxism",
                                    reporter="partner")
        return {"link_id": h["link"].pk, "pk": ep.pk}
    if name == "device_job":
        from nachtwacht.web.jobs.models import Job

        return {"pk": Job.objects.create(kind=Job.Kind.DEVICE, user=s, status="failed",
                                         params={"original": "week.cwa"},
                                         finished=h["share"].created).pk}
    if name in ("job_status", "export_download", "report_download"):
        from django.conf import settings

        from nachtwacht.web.jobs.models import Job

        kind = "report" if name == "report_download" else "export"
        settings.JOB_OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        (settings.JOB_OUTPUT_DIR / "routes-test").write_bytes(b"PK")
        return {"pk": Job.objects.create(kind=kind, user=s, status="done", output="routes-test",
                                         finished=h["share"].created).pk}
    if name == "reminders_off":
        from nachtwacht.web.quick.reminders import unsubscribe_token

        return {"token": unsubscribe_token(s)}
    if name == "password_reset_confirm":
        return {"uidb64": "MQ", "token": "set-password"}
    return {}


@pytest.mark.parametrize("name", sorted(set(ROUTES) - SKIP_GET))
def test_route_answers_by_role(name, household, as_user, client):
    url = reverse(name, kwargs=_kwargs(name, household))
    users = {SLEEPER: household["sleeper"], PARTNER: household["partner"], CLINICIAN: household["gp"]}
    for role in (ANON, SLEEPER, PARTNER, CLINICIAN):
        c = client if role == ANON else as_user(users[role])
        r = c.get(url)
        allowed = role in ROUTES[name]
        if allowed:
            # 503: an optional core part (report, psg) is missing or failing, shown politely.
            assert r.status_code in (200, 302, 405, 503), (name, role, r.status_code)
            if r.status_code == 302:
                assert "/inloggen/" not in r["Location"], (name, role)
        elif role == ANON:
            assert r.status_code == 302 and r["Location"].startswith("/inloggen/"), (name, r.status_code)
        else:
            assert r.status_code == 404, (name, role, r.status_code)
