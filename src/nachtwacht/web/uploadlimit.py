"""Uploads are bounded before they reach the disk.

Two checks, both per endpoint (``settings.UPLOAD_LIMITS``, by URL name: 2 MB for a
diary CSV, ``EDF_MAX_BYTES`` for a sleep study, ``UPLOAD_DEFAULT_MAX_BYTES`` elsewhere):

* :class:`UploadLimitMiddleware` refuses a request whose declared ``Content-Length``
  is over the limit (plus room for the form's other fields) with 413, before anything
  reads the body: a 1 GB body to the CSV endpoint is not read at all.
* :class:`LimitedUploadHandler`, first in ``FILE_UPLOAD_HANDLERS``, counts each file's
  bytes as they stream in and drops the file (``SkipFile``) the moment it passes the
  limit, before Django's own handlers keep it in memory or write it to
  ``FILE_UPLOAD_TEMP_DIR``; the view then says the file was too large
  (:func:`too_large`). Only bytes up to the limit are ever stored.

A proxy in front should refuse the same sizes (nginx ``client_max_body_size``,
docs/operations.md), so the body does not even reach the app server.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.html import escape

#: Room for the other form fields and the multipart framing around the file.
FORM_SLACK = 256 * 1024


def limit_for(path: str) -> int:
    """The largest file (bytes) the endpoint at ``path`` takes."""
    try:
        name = resolve(path).url_name
    except Resolver404:
        name = None
    return int(settings.UPLOAD_LIMITS.get(name, settings.UPLOAD_DEFAULT_MAX_BYTES))


def too_large(request) -> int | None:
    """The limit (bytes) when a file of this request was dropped for its size, else None."""
    return getattr(request, "_nachtwacht_upload_too_large", None)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


class LimitedUploadHandler(FileUploadHandler):
    """Stop a file at the endpoint's limit while it streams in."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803 - Django's name
        self.limit = limit_for(self.request.path_info)
        # Django's temporary-file handler needs the folder (made by the settings; again
        # here if someone removed it). A read-only disk is the view's to report.
        with contextlib.suppress(OSError):
            if not settings.FILE_UPLOAD_TEMP_DIR.is_dir():
                settings.FILE_UPLOAD_TEMP_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        return None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request._nachtwacht_upload_too_large = self.limit
            # The handlers after this one close and delete what they kept; the parser
            # reads the rest of this file without storing it (at most FORM_SLACK more,
            # the middleware having checked Content-Length).
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


_PAGE = {
    "nl": ("Bestand te groot", "Dit bestand is te groot. Hier mag een bestand hoogstens {max} zijn. "
           "Er is niets opgeslagen.", "Terug"),
    "en": ("File too large", "This file is too large. The limit here is {max}. Nothing was saved.",
           "Back"),
}


class UploadLimitMiddleware:
    """Refuse a body whose declared length is over the endpoint's limit (413), unread."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = limit_for(request.path_info)
            if length > limit + FORM_SLACK:
                return self._refuse(request, limit)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, limit: int) -> HttpResponse:
        lang = "en" if getattr(request, "LANGUAGE_CODE", "nl") == "en" else "nl"
        title, body, back = _PAGE[lang]
        html = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
                f'<link rel="stylesheet" href="{settings.STATIC_URL}nachtwacht/nachtwacht.css"></head>'
                f'<body><main><h1>{title}</h1><p>{escape(body.format(max=_mb(limit)))}</p>'
                f'<p><a href="{escape(request.path)}">{back}</a></p></main></body></html>')
        # The server closes the connection after this answer (the body was not read);
        # a WSGI app may not set Connection itself (a hop-by-hop header).
        return HttpResponse(html, status=413)
