"""Error pages and disk errors: a friendly page in Dutch and English, never Django's bare one."""

from __future__ import annotations

import builtins
import errno
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import path

from nachtwacht.web.front.models import PsgUpload
from nachtwacht.web.urls import urlpatterns as _site_patterns
from nachtwacht.web.views import uploads


def _boom(request):
    raise RuntimeError("database exploded while reading NOTITIE-NACHT")


#: The real site plus one view that always fails (this module is the test's ROOT_URLCONF).
urlpatterns = [path("kapot/", _boom), *_site_patterns]


@pytest.fixture
def failing_client(client):
    client.raise_request_exception = False  # behave like production: render 500.html
    return client


@pytest.mark.urls(__name__)
def test_server_error_shows_friendly_bilingual_page(household, as_user):
    c = as_user(household["sleeper"])
    c.raise_request_exception = False
    r = c.get("/kapot/?q=ketamine")
    body = r.content.decode()
    assert r.status_code == 500
    assert "Server Error (500)" not in body
    assert "Er ging iets mis" in body and "Something went wrong" in body
    assert 'href="/"' in body
    # Nothing from the request, the exception or the user's data reaches the page.
    for secret in ("ketamine", "NOTITIE-NACHT", "exploded", "RuntimeError", "slaper"):
        assert secret not in body


@pytest.mark.urls(__name__)
def test_server_error_page_also_for_anonymous_visitors(db, failing_client):
    r = failing_client.get("/kapot/")
    assert r.status_code == 500 and "Probeer het over een paar minuten opnieuw" in r.content.decode()


def test_unknown_page_is_friendly(db, client):
    r = client.get("/bestaat-echt-niet/")
    assert r.status_code == 404 and "Deze pagina bestaat niet" in r.content.decode()


def _disk_full_open(real_open, written: list):
    """An ``open`` that creates the file, writes a little, then fails like a full disk."""

    class _Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, chunk):
            self.fh.write(chunk[:10])
            written.append(self.fh.name)
            raise OSError(errno.ENOSPC, "No space left on device")

    def fake(file, mode="r", *args, **kwargs):
        if "w" in mode:
            return _Full(real_open(file, mode, *args, **kwargs))
        return real_open(file, mode, *args, **kwargs)

    return fake


EDF_HEAD = b"0       " + b" " * 248


def test_disk_full_during_edf_upload_says_so(household, as_user, settings, tmp_path, monkeypatch, caplog):
    settings.UPLOAD_DIR = tmp_path
    written: list = []
    monkeypatch.setattr(uploads, "open", _disk_full_open(builtins.open, written), raising=False)
    c = as_user(household["sleeper"])
    with caplog.at_level(logging.INFO, logger="nachtwacht.web"):
        r = c.post("/slaaponderzoek/", {"file": SimpleUploadedFile("seks-slaapwandelen.edf", EDF_HEAD)})
    body = r.content.decode()
    assert r.status_code == 200 and written
    assert "Het bestand kon niet worden bewaard" in body and "Er is niets opgeslagen" in body
    assert not PsgUpload.objects.exists()
    assert list(tmp_path.iterdir()) == []  # the half-written file was removed
    assert "seks" not in caplog.text and "ENOSPC" not in body


def test_read_only_upload_folder_says_so(household, as_user, settings, tmp_path, monkeypatch):
    settings.UPLOAD_DIR = tmp_path / "uploads"

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(type(tmp_path), "mkdir", read_only)
    c = as_user(household["sleeper"])
    c.raise_request_exception = False
    r = c.post("/slaaponderzoek/", {"file": SimpleUploadedFile("nacht.edf", EDF_HEAD)})
    assert r.status_code == 200 and "Het bestand kon niet worden bewaard" in r.content.decode()
    assert not PsgUpload.objects.exists()
