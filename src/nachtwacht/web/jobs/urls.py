"""Routes of the job pages (included from ``nachtwacht.web.urls``)."""

from __future__ import annotations

from django.urls import path

from nachtwacht.web.jobs import views
from nachtwacht.web.views import device as device_views

urlpatterns = [
    path("taken/<int:pk>/status.json", views.status, name="job_status"),
    path("export/<int:pk>/download/", views.export_download, name="export_download"),
    path("export/klaarzetten/", views.export_start, name="export_start"),
    path("rapport/<int:pk>/download/", views.report_download, name="report_download"),
    # A device file being read by the worker (the page lives with the device pages).
    path("apparaat/taak/<int:pk>/", device_views.device_job, name="device_job"),
]
