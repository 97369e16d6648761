"""Uploads are bounded before they reach the disk (issue #15 item 2).

A body is fed to the full Django stack from a lazy stream that produces its bytes on
demand and counts what is read, while watching the upload temp folder: a 1 GB body
to a 2 MB endpoint is refused without being read, and a file that grows past its
limit while streaming is dropped at the limit (never more than the limit on disk).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as dj_settings

from nachtwacht.web.front.models import PsgUpload

BOUNDARY = "nwboundary7"
GB = 1024**3
EDF_HEAD = b"0       " + b" " * 248


def _disk_use(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


class LazyBody:
    """A multipart body with one file of ``file_size`` bytes, made while it is read."""

    def __init__(self, field: str, file_size: int, watch: Path, fields: dict[str, str] | None = None):
        head = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in (fields or {}).items())
        head += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="big.bin"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n").encode() + EDF_HEAD
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.head, self.file_left = head, file_size - len(EDF_HEAD)
        self.length = len(head) + self.file_left + len(self.tail)
        self.read_bytes, self.watch, self.peak_disk = 0, watch, 0
        self._reads = 0

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else size
        out = b""
        if self.head:
            out, self.head = self.head[:size], self.head[size:]
        elif self.file_left > 0:
            n = min(size, self.file_left)
            out, self.file_left = b"a" * n, self.file_left - n
        elif self.tail:
            out, self.tail = self.tail[:size], self.tail[size:]
        self.read_bytes += len(out)
        self._reads += 1
        if self._reads % 16 == 0:  # every MB or so: how much is on disk now?
            self.peak_disk = max(self.peak_disk, _disk_use(self.watch))
        return out

    def readline(self, size: int = -1) -> bytes:  # not used by the multipart parser
        return self.read(size)


def _post(client, path: str, body: LazyBody, declared: int | None = None):
    return client.request(**{
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length if declared is None else declared)})


@pytest.fixture
def sleeper_client(household, as_user, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return as_user(household["sleeper"])


def test_a_1_gb_body_to_the_2_mb_csv_endpoint_is_refused_unread(sleeper_client):
    tmp = Path(dj_settings.FILE_UPLOAD_TEMP_DIR)
    before = _disk_use(tmp)
    body = LazyBody("file", GB, tmp, {"kind": "nights"})
    r = _post(sleeper_client, "/upload/", body)
    assert r.status_code == 413 and "hoogstens 2 MB" in r.content.decode()
    assert body.read_bytes == 0 and _disk_use(tmp) == before


def test_a_1_gb_body_to_the_sleep_study_endpoint_is_refused_unread(sleeper_client, settings):
    settings.EDF_MAX_BYTES = settings.UPLOAD_LIMITS["upload_edf"] = 8 * 1024 * 1024
    tmp = Path(dj_settings.FILE_UPLOAD_TEMP_DIR)
    body = LazyBody("file", GB, tmp)
    r = _post(sleeper_client, "/slaaponderzoek/", body)
    assert r.status_code == 413 and body.read_bytes == 0
    assert not PsgUpload.objects.exists()


def test_a_file_growing_past_the_limit_while_streaming_is_dropped_at_the_limit(sleeper_client, settings):
    # The declared length passes (the middleware allows room for the other fields), the
    # file itself does not: the handler stops it at the limit. 6 MB so the file would go
    # to a temporary file on disk (over FILE_UPLOAD_MAX_MEMORY_SIZE), not stay in memory.
    limit = 6 * 1024 * 1024
    settings.EDF_MAX_BYTES = settings.UPLOAD_LIMITS["upload_edf"] = limit
    tmp = Path(dj_settings.FILE_UPLOAD_TEMP_DIR)
    body = LazyBody("file", limit + 200 * 1024, tmp)
    r = _post(sleeper_client, "/slaaponderzoek/", body)
    page = r.content.decode()
    assert r.status_code == 200 and "groter dan 6 MB" in page
    assert not PsgUpload.objects.exists() and not list(Path(settings.UPLOAD_DIR).glob("*.edf"))
    assert body.peak_disk <= limit + 256 * 1024  # never more than the limit (plus a chunk)
    assert _disk_use(tmp) == 0  # and the partial temp file is gone


def test_without_the_length_check_the_handler_alone_bounds_the_disk(sleeper_client, settings):
    # A proxy that streams chunked bodies (no Content-Length check possible) relies on the
    # handler: a 64 MB file to an 4 MB endpoint puts at most ~4 MB on disk, never 64.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("UploadLimitMiddleware")]
    limit = 4 * 1024 * 1024
    settings.EDF_MAX_BYTES = settings.UPLOAD_LIMITS["upload_edf"] = limit
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # so the file is written to disk as it comes
    tmp = Path(dj_settings.FILE_UPLOAD_TEMP_DIR)
    body = LazyBody("file", 64 * 1024 * 1024, tmp)
    r = _post(sleeper_client, "/slaaponderzoek/", body)
    assert r.status_code == 200 and "groter dan 4 MB" in r.content.decode()
    assert 0 < body.peak_disk <= limit + 256 * 1024
    assert _disk_use(tmp) == 0 and not PsgUpload.objects.exists()


def test_a_csv_over_2_mb_is_dropped_with_a_message(sleeper_client, settings):
    tmp = Path(dj_settings.FILE_UPLOAD_TEMP_DIR)
    body = LazyBody("file", settings.CSV_MAX_BYTES + 100 * 1024, tmp, {"kind": "nights"})
    r = _post(sleeper_client, "/upload/", body)
    assert r.status_code == 200 and "groter dan 2 MB" in r.content.decode()


def test_upload_temp_files_live_in_the_data_dir_and_are_private():
    tmp = Path(dj_settings.FILE_UPLOAD_TEMP_DIR)
    assert tmp.parent == Path(dj_settings.DATA_DIR) and tmp.is_dir()
    assert oct(os.stat(tmp).st_mode & 0o777) == oct(0o700)
