"""URL routes. Paths are Dutch (the default language); names are English."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from nachtwacht.web.alerts import views as alert_views
from nachtwacht.web.views import (
    account,
    advice,
    auth,
    dashboard,
    diary,
    password,
    quick,
    report,
    sharing,
    uploads,
    viewer,
)
from nachtwacht.web.views import device as device_views
from nachtwacht.web.views import twofactor as twofactor_views

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("aanmelden/", auth.signup, name="signup"),
    path("inloggen/", auth.RateLimitedLoginView.as_view(), name="login"),
    path("inloggen/code/", twofactor_views.login_code, name="login_code"),
    path("uitloggen/", auth.Logout.as_view(), name="logout"),
    path("taal/", auth.set_language, name="set_language"),
    path("wachtwoord-vergeten/", password.PasswordReset.as_view(), name="password_reset"),
    path("wachtwoord-vergeten/verstuurd/", password.PasswordResetDone.as_view(), name="password_reset_done"),
    path("wachtwoord-vergeten/<uidb64>/<token>/", password.PasswordResetConfirm.as_view(),
         name="password_reset_confirm"),
    path("wachtwoord-vergeten/klaar/", password.PasswordResetComplete.as_view(), name="password_reset_complete"),
    # sleeper: diary
    path("overzicht/", dashboard.dashboard, name="dashboard"),
    path("snel/", quick.quick_night, name="quick_night"),
    path("snel/voorval/", quick.quick_episode, name="quick_episode"),
    path("sw.js", quick.service_worker, name="service_worker"),
    path("manifest.webmanifest", quick.manifest, name="manifest"),
    path("instellingen/herinneringen/", quick.reminders, name="reminders"),
    path("instellingen/herinneringen/push/", quick.push_subscribe, name="push_subscribe"),
    path("herinneringen/uit/<str:token>/", quick.reminders_off, name="reminders_off"),
    path("nacht/", diary.night_edit, name="night_new"),
    path("nacht/<str:day>/", diary.night_edit, name="night_edit"),
    path("nacht/<str:day>/verwijderen/", diary.night_delete, name="night_delete"),
    path("nachten/", diary.night_list, name="night_list"),
    path("episode/", diary.episode_edit, name="episode_new"),
    path("episode/<int:pk>/", diary.episode_edit, name="episode_edit"),
    path("episode/<int:pk>/verwijderen/", diary.episode_delete, name="episode_delete"),
    path("instellingen/bijhouden/", diary.tracking, name="tracking"),
    path("profiel/", diary.profile, name="profile"),
    # sleeper: sharing
    path("partner/", sharing.partner_settings, name="partner_settings"),
    path("partner/uitnodigen/", sharing.partner_invite, name="partner_invite"),
    path("partner/<int:link_id>/", sharing.partner_scope, name="partner_scope"),
    path("delen/", sharing.shares, name="shares"),
    path("delen/<int:share_id>/intrekken/", sharing.share_revoke, name="share_revoke"),
    path("delen/<int:share_id>/bevestigen/", sharing.share_confirm, name="share_confirm"),
    path("wie-keek-er-mee/", sharing.access_log, name="access_log"),
    # sleeper: advice, uploads, report
    path("advies/", advice.triage_view, name="triage"),
    path("plan/", advice.plan_view, name="plan"),
    path("advies/melding/<int:pk>/gelezen/", alert_views.alert_read, name="alert_read"),
    path("plan/experiment/", advice.experiment_start, name="experiment_start"),
    path("plan/experiment/<int:pk>/stop/", advice.experiment_stop, name="experiment_stop"),
    path("upload/", uploads.upload_csv, name="upload_csv"),
    path("apparaat/", device_views.device_upload, name="device_upload"),
    path("apparaat/<int:pk>/", device_views.device_detail, name="device_detail"),
    path("apparaat/<int:pk>/concepten/", device_views.device_drafts, name="device_drafts"),
    path("apparaat/<int:pk>/verwijderen/", device_views.device_delete, name="device_delete"),
    path("slaaponderzoek/", uploads.upload_edf, name="upload_edf"),
    path("slaaponderzoek/<int:pk>/", uploads.psg_detail, name="psg_detail"),
    path("slaaponderzoek/<int:pk>/opnieuw/", uploads.psg_retry, name="psg_retry"),
    # sleep-study viewer (issue #15): overview and signal windows as JSON, event exports
    path("slaaponderzoek/<int:pk>/overzicht/", viewer.psg_overview, name="psg_overview"),
    path("slaaponderzoek/<int:pk>/venster/", viewer.psg_window, name="psg_window"),
    path("slaaponderzoek/<int:pk>/gebeurtenissen.csv", viewer.psg_csv, name="psg_csv"),
    path("slaaponderzoek/<int:pk>/gebeurtenissen.edf", viewer.psg_edf, name="psg_edf"),
    path("rapport/kiezen/", report.report_form, name="report_form"),
    path("rapport/", report.report_view, name="report"),
    path("rapport.pdf", report.report_pdf, name="report_pdf"),
    # any signed-in user
    path("instellingen/", account.settings_view, name="settings"),
    path("instellingen/wachtwoord/", password.PasswordChange.as_view(), name="password_change"),
    path("instellingen/e-mail/", password.email_view, name="account_email"),
    path("export/", account.export, name="export"),
    path("", include("nachtwacht.web.jobs.urls")),  # job status, export download (issue #15)
    path("account/verwijderen/", account.delete_account, name="delete_account"),
    path("instellingen/twee-stappen/", twofactor_views.status_view, name="twofactor"),
    path("instellingen/twee-stappen/instellen/", twofactor_views.setup, name="twofactor_setup"),
    path("instellingen/twee-stappen/uitzetten/", twofactor_views.disable, name="twofactor_disable"),
    # partner
    # Tokens come by POST (from the link's #fragment): never in a logged path (#16).
    path("uitnodiging/", sharing.invite_accept, name="invite_accept"),
    path("uitnodiging/<str:token>/", sharing.invite_link_old, name="invite_link_old"),
    path("bedpartner/", diary.partner_home, name="partner_home"),
    path("bedpartner/<int:link_id>/", diary.partner_log, name="partner_log"),
    path("bedpartner/<int:link_id>/voorval/<int:pk>/", diary.partner_episode_edit, name="partner_episode_edit"),
    path("bedpartner/<int:link_id>/voorval/<int:pk>/verwijderen/", diary.partner_episode_delete,
         name="partner_episode_delete"),
    # clinician
    path("zorg/", dashboard.clinician_home, name="clinician_home"),
    path("zorg/link/", sharing.share_claim, name="share_claim"),
    path("zorg/link/<str:token>/", sharing.share_link_old, name="share_link_old"),
    path("zorg/verificatie/", sharing.clinician_verify, name="clinician_verify"),
    path("zorg/<int:share_id>/", dashboard.clinician_view, name="clinician_view"),
    path("zorg/<int:share_id>/rapport/kiezen/", report.clinician_report_form, name="clinician_report_form"),
    path("zorg/<int:share_id>/rapport/", report.clinician_report, name="clinician_report"),
    path("zorg/<int:share_id>/rapport.pdf", report.clinician_report_pdf, name="clinician_report_pdf"),
    path("zorg/<int:share_id>/slaaponderzoek/", viewer.clinician_psg_list, name="clinician_psg_list"),
    path("zorg/<int:share_id>/slaaponderzoek/<int:pk>/", viewer.clinician_psg_detail, name="clinician_psg_detail"),
    path("zorg/<int:share_id>/slaaponderzoek/<int:pk>/overzicht/", viewer.clinician_psg_overview,
         name="clinician_psg_overview"),
    path("zorg/<int:share_id>/slaaponderzoek/<int:pk>/venster/", viewer.clinician_psg_window,
         name="clinician_psg_window"),
    path("zorg/<int:share_id>/slaaponderzoek/<int:pk>/gebeurtenissen.csv", viewer.clinician_psg_csv,
         name="clinician_psg_csv"),
    path("zorg/<int:share_id>/slaaponderzoek/<int:pk>/gebeurtenissen.edf", viewer.clinician_psg_edf,
         name="clinician_psg_edf"),
    # everyone
    path("kennis/", advice.knowledge_index, name="knowledge"),
    path("kennis/<slug:slug>/", advice.knowledge_page, name="knowledge_page"),
]

# A full disk gets a clear 503 page instead of the generic 500 (issue #16, web/diskfull.py).
handler500 = "nachtwacht.web.diskfull.server_error"

if settings.SERVE_STATIC:
    # Local use without a web server in front (``nachtwacht serve``): Django serves
    # the one static directory itself. Behind nginx/Caddy, let them do it.
    urlpatterns.append(re_path(r"^static/(?P<path>.*)$", serve,
                               {"document_root": settings.STATICFILES_DIRS[0]}, name="static"))
