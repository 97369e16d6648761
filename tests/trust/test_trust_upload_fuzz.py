"""Broken CSV files through the real upload page: a message, never a server error.

The importer itself is fuzzed in ``test_trust_fuzz_diary.py``; this runs a smaller
set of the same mutations through ``/upload/`` (decoding, the transaction, the
error list in the page), and checks that a refused file stores nothing.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _csvsamples import samples  # noqa: E402
from _mutate import mutate_csv  # noqa: E402

N_INPUTS = 40


@pytest.fixture
def sleeper(db):
    from nachtwacht.web.accounts.models import User

    return User.objects.create_user("uploader", password="x-wachtwoord-123", role="sleeper")


def test_mutated_uploads_never_give_a_server_error(sleeper):
    from nachtwacht.web.diary.models import Episode, Night

    c = Client(raise_request_exception=False)
    c.force_login(sleeper)
    refused = 0
    for seed in range(N_INPUTS):
        rng = random.Random(seed)
        kind = "nights" if seed % 2 == 0 else "episodes"
        data = mutate_csv(samples()[kind], rng)
        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        before = (Night.objects.count(), Episode.objects.count())
        r = c.post("/upload/", {"kind": kind, "replace": "on",
                                "file": SimpleUploadedFile(f"{seed}.csv", raw)})
        assert r.status_code in (200, 302), f"seed {seed}: HTTP {r.status_code}"
        if r.status_code == 200:
            refused += 1
            # ... and says why: rows with messages, or a form error (e.g. an empty file).
            assert r.context["errors"] or r.context["form"].errors, f"seed {seed}: refused without a reason"
            for e in r.context["errors"]:
                assert e["text"].strip() and "Traceback" not in e["text"]
            # A refused file changes nothing (all or nothing).
            assert (Night.objects.count(), Episode.objects.count()) == before, f"seed {seed}"
    assert refused > N_INPUTS // 2  # most mutations must be caught, or the fuzz proves little
